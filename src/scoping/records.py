"""The record model: one normalised record per source hit, with a stable ID.

Records are stored as UTF-8 CSV, one row per record, columns ``RECORD_COLUMNS`` first: pandas
reads it fast and a person can open it. Lists (authors, keywords) are joined with ``"; "``.
Raw source fields are kept as JSON in the ``raw`` column for audit.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scoping.atomic import atomic_path
from scoping.csvfiles import iter_csv_rows
from scoping.errors import ScopingError
from scoping.normalise import (
    clean_title,
    first_author_family,
    fold,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    title_key,
    year_from,
)

#: PRISMA arms a source can belong to.
SOURCE_TYPES = ("database", "register", "website", "organisation", "citation", "other")

#: Column order of every records CSV.
RECORD_COLUMNS = (
    "record_id",
    "source",
    "source_type",
    "source_id",
    "pmid",
    "pmcid",
    "doi",
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "url",
    "publication_type",
    "keywords",
    "language",
    "retrieved_at",
    "raw",
)

LIST_SEP = "; "
_LIST_FIELDS = ("authors", "keywords")


@dataclass(slots=True)
class Record:
    """One record as found in one source. Build with ``Record.create`` to normalise fields."""

    record_id: str = ""
    source: str = ""
    source_type: str = "other"
    source_id: str = ""
    pmid: str = ""
    pmcid: str = ""
    doi: str = ""
    title: str = ""
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    year: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    url: str = ""
    publication_type: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    retrieved_at: str = ""
    raw: dict[str, object] = field(default_factory=dict)

    @classmethod
    def create(cls, **fields: object) -> Record:
        """Normalise identifiers, title and year, then assign the stable ``record_id``."""
        rec = cls(**fields)  # type: ignore[arg-type]
        rec.pmid = normalise_pmid(rec.pmid)
        rec.pmcid = normalise_pmcid(rec.pmcid)
        rec.doi = normalise_doi(rec.doi)
        rec.title = clean_title(rec.title)
        rec.year = year_from(rec.year)
        rec.authors = [a for a in rec.authors if a]
        if rec.source_type not in SOURCE_TYPES:
            raise ScopingError(
                f"unknown source type '{rec.source_type}'",
                fix=f"use one of {', '.join(SOURCE_TYPES)}.",
            )
        if not rec.record_id:
            rec.record_id = make_record_id(
                pmid=rec.pmid,
                doi=rec.doi,
                accession=accession_of(source_id=rec.source_id, raw=rec.raw, url=rec.url),
                title=rec.title,
                year=rec.year,
                authors=rec.authors,
                url=rec.url,
            )
        return rec

    def to_row(self) -> dict[str, str]:
        """Flat CSV row (lists joined with ``"; "``, raw fields as JSON)."""
        row: dict[str, str] = {}
        for name in RECORD_COLUMNS:
            value = getattr(self, name)
            if name in _LIST_FIELDS:
                row[name] = LIST_SEP.join(value)
            elif name == "raw":
                row[name] = json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
            else:
                row[name] = "" if value is None else str(value)
        return row

    @classmethod
    def from_row(cls, row: dict[str, str]) -> Record:
        """Inverse of ``to_row``; columns outside the model are ignored."""
        values: dict[str, object] = {}
        for name in RECORD_COLUMNS:
            text = row.get(name) or ""
            if name in _LIST_FIELDS:
                values[name] = [p for p in text.split(LIST_SEP) if p] if text else []
            elif name == "raw":
                values[name] = json.loads(text) if text else {}
            else:
                values[name] = text
        return cls(**values)  # type: ignore[arg-type]


# Database record numbers that name their database, so equal values across exports (two searches
# of one database, or a database and a reference manager's copy) are one record: WoS UT, Scopus
# EID, CENTRAL, APA PsycInfo, Dimensions, Lens, Zoological Record.
_ACCESSION = re.compile(
    r"^(?:(?:wos|isi):\w{6,}|2-s2\.0-\d{6,}|cn-\d{8}|\d{4}-\d{5}-\d{3}|pub\.\d{6,}"
    r"|\d{3}-\d{3}-\d{3}-\d{3}-\d{3}|zoorec:\w{6,})$"
)
_ACCESSION_FIELDS = ("AN", "UT", "ID", "EID", "accession-num", "accession_number")
# Scopus RIS and CSV exports carry the EID only in the record link.
_SCOPUS_EID = re.compile(r"[?&]eid=(2-s2\.0-\d{6,})", flags=re.IGNORECASE)


def accession_of(
    *, source_id: str = "", raw: dict[str, object] | None = None, url: str = ""
) -> str:
    """A self-naming database accession number (lower case) from the record's fields, or ``""``."""
    for value in (source_id, *((raw or {}).get(k) for k in _ACCESSION_FIELDS)):
        if isinstance(value, str) and value:
            text = value.strip().lower()
            if _ACCESSION.match(text):
                return text
    found = _SCOPUS_EID.search(url) if "eid=" in url else None
    return found.group(1).lower() if found else ""


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def make_record_id(
    *,
    pmid: str = "",
    doi: str = "",
    accession: str = "",
    title: str = "",
    year: str = "",
    authors: Iterable[str] = (),
    url: str = "",
) -> str:
    """Stable ID from the record's identifiers (invariant 2), in this order of precedence.

    ``pmid-<PMID>`` where there is a PubMed ID, else ``doi-<hash of normalised DOI>``, else
    ``acc-<hash of a self-naming accession number>`` (WoS UT, Scopus EID...), else
    ``ref-<hash of folded title, year and first author's family name>`` (or of the URL for an
    untitled web page). The same record gets the same ID on every run and every machine.
    """
    pmid = normalise_pmid(pmid)
    if pmid:
        return f"pmid-{pmid}"
    doi = normalise_doi(doi)
    if doi:
        return f"doi-{_short_hash(doi)}"
    accession = accession.strip().lower()
    if accession:
        return f"acc-{_short_hash(accession)}"
    return content_id(title=title, year=year, authors=authors, url=url)


def content_id(
    *, title: str = "", year: str = "", authors: Iterable[str] = (), url: str = ""
) -> str:
    """``ref-`` ID from the record's content alone (title, year, first author; or URL).

    Dedup lists it among a merged record's names, so a sheet row listed under it still finds
    its record after a later export adds a DOI or PMID.
    """
    key = title_key(title)
    if key:
        first = first_author_family(list(authors))
        return f"ref-{_short_hash('|'.join((key, year_from(year), first)))}"
    if url.strip():
        return f"ref-{_short_hash('url|' + fold(url))}"
    raise ScopingError(
        "a record has no PMID, DOI, title or URL to identify it",
        fix="give every record at least a title or a URL.",
    )


def write_records(path: str | Path, records: Iterable[Record]) -> int:
    """Write records as CSV atomically; returns the number written."""
    count = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RECORD_COLUMNS)
        writer.writeheader()
        for rec in records:
            writer.writerow(rec.to_row())
            count += 1
    return count


def iter_records(path: str | Path) -> Iterator[Record]:
    """Read records written by ``write_records``."""
    rows = iter_csv_rows(
        path,
        required=("record_id", "title"),
        what="records file",
        fix="pass a CSV written by 'scoping import', 'scoping pubmed' or 'scoping dedup'.",
    )
    for row in rows:
        yield Record.from_row(row)


def read_records(path: str | Path) -> list[Record]:
    """All records of a records CSV."""
    return list(iter_records(path))
