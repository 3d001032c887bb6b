"""Reading dedup inputs: records CSVs, bibliographic CSVs (bib-dedupe layout), other formats."""

from __future__ import annotations

import csv
import hashlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path

from scoping.errors import ScopingError
from scoping.normalise import split_authors
from scoping.records import Record, read_records

#: Column names of a bibliographic CSV, by record field (first present wins).
_CSV_FIELDS = {
    "title": ("title", "Title", "TI"),
    "authors": ("author", "authors", "Author", "Authors", "AU"),
    "year": ("year", "Year", "PY", "date"),
    "journal": ("journal", "Journal", "container_title", "booktitle", "secondary_title", "JO"),
    "volume": ("volume", "Volume", "VL"),
    "issue": ("number", "issue", "Issue", "IS"),
    "pages": ("pages", "Pages", "SP"),
    "doi": ("doi", "DOI", "DO"),
    "pmid": ("pmid", "PMID", "pubmed_id"),
    "pmcid": ("pmcid", "PMCID"),
    "abstract": ("abstract", "Abstract", "AB"),
    "publication_type": ("publication_type", "type_of_reference", "PT"),
    "url": ("url", "URL", "UR"),
}
_ID_COLUMNS = ("ID", "id", "record_id", "key")


@dataclass(slots=True)
class InputHits:
    """Hits read from one input file, with the file's own ID per hit where it has one."""

    records: list[Record]
    own_ids: list[str] = field(default_factory=list)
    id_column: str = ""


def _row_hash(source: str, own: str) -> str:
    return hashlib.sha1(f"row|{source}|{own}".encode()).hexdigest()[:12]


def read_bib_csv(path: str | Path, *, source: str | None = None) -> InputHits:
    """Records of a bibliographic CSV such as the bib-dedupe benchmark files."""
    path = Path(path)
    source = source or path.stem
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        # Every present column per field, in order: a row's first non-empty one wins (a
        # proceedings paper has "booktitle" where an article has "journal").
        pick = {name: [c for c in options if c in columns] for name, options in _CSV_FIELDS.items()}
        if not pick["title"]:
            raise ScopingError(
                "no title column",
                file=path,
                column="title",
                fix="name the title column 'title' or pass a records CSV.",
            )
        id_column = next((c for c in _ID_COLUMNS if c in columns), "")
        records: list[Record] = []
        own_ids: list[str] = []
        for row_number, row in enumerate(reader, start=2):
            values = {
                name: next((v for c in cols if (v := (row.get(c) or "").strip())), "")
                for name, cols in pick.items()
            }
            own = (row.get(id_column) or "").strip() if id_column else str(row_number - 1)
            raw = {"ENTRYTYPE": row["ENTRYTYPE"]} if row.get("ENTRYTYPE") else {}
            fields = dict(
                source=source,
                source_id=own,
                title=values["title"],
                authors=split_authors(values["authors"]),
                year=values["year"],
                journal=values["journal"],
                volume=values["volume"],
                issue=values["issue"],
                pages=values["pages"],
                doi=values["doi"],
                pmid=values["pmid"],
                pmcid=values["pmcid"],
                abstract=values["abstract"],
                publication_type=values["publication_type"],
                url=values["url"],
                raw=raw,
            )
            try:
                rec = Record.create(**fields)
            except ScopingError:
                # No title, DOI or PMID: the hit stays its own record, named by its row.
                rec = Record.create(**fields, record_id=f"ref-{_row_hash(source, own)}")
            records.append(rec)
            own_ids.append(own)
    return InputHits(records, own_ids, id_column)


def read_input(path: str | Path) -> InputHits:
    """Hits of one dedup input: a records CSV, another CSV, or any format the importers read."""
    path = Path(path)
    if not path.is_file():
        raise ScopingError("input file not found", file=path, fix="check the path.")
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        if "record_id" in header and "source" in header:
            records = read_records(path)
            return InputHits(records, [r.source_id for r in records], "")
        if "ID" in header:
            # bib-dedupe / CoLRev layout: keep the file's own IDs beside the clusters.
            return read_bib_csv(path)
    try:
        readers = importlib.import_module("scoping.readers")
    except ImportError:
        readers = None
    if readers is not None:
        result = readers.read_file(path)
        records = list(result.records)
        return InputHits(records, [r.source_id for r in records], "")
    if path.suffix.lower() == ".csv":
        return read_bib_csv(path)
    raise ScopingError(
        f"cannot read '{path.suffix}' files for deduplication",
        file=path,
        fix="import the file first ('scoping import') and pass the records CSV.",
    )
