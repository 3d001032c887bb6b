"""Tables: vendor CSV exports (Scopus, IEEE Xplore, PubMed, Embase, Ovid, Zotero, Web of Science
tab-delimited, EndNote tab-delimited, Publish or Perish) and the CSV/XLSX lists people curate
(reports, policy documents, web pages, organisations).

Columns are found by name: ``--columns`` first, then the guesses in ``ALIASES`` (compared without
case, spaces or punctuation), so one reader serves every vendor's spelling.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

from scoping.errors import ScopingError
from scoping.normalise import (
    normalise_author,
    split_author_list,
    year_from,
)
from scoping.readers.common import ReadContext, build_record, listing
from scoping.readers.identifiers import pmid_in_text
from scoping.readers.vendors import TableVendor, table_vendor
from scoping.records import Record

#: Column-name guesses per field, most specific first (names compared by ``header_key``).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "documenttitle",
        "articletitle",
        "primarytitle",
        "t1",
        "ti",
        "titel",
        "reporttitle",
        "pagetitle",
        "documentname",
        "name",
    ),
    "authors": (
        "authors",
        "author",
        "authornames",
        "firstauthors",
        "authorfullnames",
        "au",
        "a1",
        "creators",
        "creator",
        "contributors",
    ),
    "organisation": (
        "organisation",
        "organization",
        "organisations",
        "organizations",
        "institution",
        "agency",
        "corporateauthor",
        "issuingbody",
        "org",
    ),
    "publisher": ("publisher", "pb"),
    "year": (
        "year",
        "publicationyear",
        "pubyear",
        "py",
        "yr",
        "yearofpublication",
        "publicationdate",
        "datepublished",
        "date",
        "pubdate",
        "published",
        "da",
    ),
    "doi": ("doi", "do", "di", "digitalobjectidentifier"),
    "url": (
        "url",
        "link",
        "links",
        "ur",
        "articleurl",
        "weblink",
        "webaddress",
        "fulltexturl",
        "uri",
        "pdflink",
        "openurllink",
    ),
    "abstract": ("abstract", "abstractnote", "summary", "description", "ab", "n2"),
    "journal": (
        "journal",
        "sourcetitle",
        "publicationtitle",
        "journalbook",
        "journaltitle",
        "secondarytitle",
        "publicationname",
        "jo",
        "jf",
        "t2",
        "so",
        "source",
        "periodical",
        "containertitle",
        "booktitle",
        "publication",
        "website",
    ),
    "volume": ("volume", "vl", "vol", "vi"),
    "issue": ("issue", "number", "is", "ip", "issuenumber", "no"),
    "pages": ("pages", "pagerange", "pg", "pagination", "page"),
    "start_page": ("pagestart", "startpage", "firstpage", "bp", "sp", "startpage"),
    "end_page": ("pageend", "endpage", "lastpage", "ep"),
    "pmid": ("pmid", "pubmedid", "pubmed"),
    "pmcid": ("pmcid", "pmc"),
    "publication_type": (
        "type",
        "documenttype",
        "publicationtype",
        "itemtype",
        "referencetype",
        "typeofreference",
        "entrytype",
        "ty",
        "dt",
        "pt",
        "doctype",
        "typeofwork",
        "category",
    ),
    "keywords": (
        "keywords",
        "authorkeywords",
        "keyword",
        "kw",
        "manualtags",
        "tags",
        "de",
        "subjects",
        "indexterms",
        "meshterms",
    ),
    "language": ("language", "languageoforiginaldocument", "la", "lang"),
    "notes": ("notes", "note", "comments", "comment", "n1"),
    "source_id": (
        "id",
        "eid",
        "key",
        "accessionnumber",
        "an",
        "ut",
        "recordid",
        "customid",
        "uniqueid",
        "refid",
        "recordnumber",
    ),
}

#: Fields ``--columns`` may map (record fields plus list-only helpers).
MAPPABLE = tuple(ALIASES)


def header_key(name: object) -> str:
    """A column name compared without case, spaces or punctuation ("Author(s)" -> "authors")."""
    return re.sub(r"[^0-9a-z]+", "", str(name or "").lower().replace("\ufeff", ""))


def flavour_of(headers: list[str]) -> str:
    """Tool that wrote a table, from its column names ("" for a list of unknown origin)."""
    vendor = table_vendor({header_key(h) for h in headers})
    return vendor.label if vendor else ""


def map_columns(
    headers: list[str],
    *,
    columns: dict[str, str] | None,
    path: Path,
    vendor: TableVendor | None = None,
) -> dict[str, int]:
    """Field -> column index: ``columns`` (exact names, any case) first, then the vendor's
    columns, then ``ALIASES``."""
    index_by_key: dict[str, int] = {}
    for i, name in enumerate(headers):
        index_by_key.setdefault(header_key(name), i)
    mapping: dict[str, int] = {}
    for field, column in (columns or {}).items():
        if field not in MAPPABLE:
            raise ScopingError(
                f"--columns names an unknown field '{field}'",
                file=path,
                fix=f"use fields from: {', '.join(MAPPABLE)}.",
            )
        key = header_key(column)
        if key not in index_by_key:
            raise ScopingError(
                f"--columns maps {field} to a column the file does not have",
                file=path,
                column=column,
                fix=f"use one of the file's columns: {', '.join(h for h in headers if h)}.",
            )
        mapping[field] = index_by_key[key]
    used = set(mapping.values())
    preferred = vendor.aliases if vendor else {}
    for field, aliases in ALIASES.items():
        if field in mapping:
            continue
        # A vendor's own columns come first; an empty tuple means its column of a generic name
        # holds something else (legacy PubMed's "Description" is the authors, not an abstract).
        tried = preferred[field] + aliases if preferred.get(field) else aliases
        for alias in () if preferred.get(field) == () else tried:
            i = index_by_key.get(alias)
            if i is not None and i not in used:
                mapping[field] = i
                used.add(i)
                break
    if "url" not in mapping:
        # No URL column: the hyperlinks of a spreadsheet's title (or any) column stand in.
        links = [i for i, h in enumerate(headers) if h.endswith(LINK_SUFFIX)]
        title = headers[mapping["title"]] + LINK_SUFFIX if "title" in mapping else None
        chosen = next((i for i in links if headers[i] == title), links[0] if links else None)
        if chosen is not None:
            mapping["url"] = chosen
    return mapping


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _names(cell: str) -> list[str]:
    """Raw names of one authors cell: one per line where the vendor puts them on lines (Ovid
    separates them by blank lines), else split as a list."""
    lines = [line for line in cell.splitlines() if line.strip()] if "\n" in cell else [cell]
    return [n for line in lines for n in split_author_list(line)]


def _authors(row: dict[str, str], *, has_journal: bool, corporate: bool) -> list[str]:
    if corporate:
        # A column of organisations mapped as authors: their names are not people's names, so
        # "Save the Children" is kept as written, not turned into "Children ST".
        return [n.strip() for n in re.split(r"[;\n]", row.get("authors", "")) if n.strip()]
    people = [normalise_author(a) for a in _names(row.get("authors", ""))]
    people = [a for a in people if a]
    if people:
        return people
    # A report's organisation is its corporate author (how APA and Vancouver cite it); the
    # publisher stands in only in a list with no journal column, where it is the issuing body.
    for name in (row.get("organisation", ""), "" if has_journal else row.get("publisher", "")):
        if name:
            return [name]
    return []


def _split_keywords(text: str) -> list[str]:
    return [k.strip() for k in re.split(r"[;\n]", text) if k.strip()]


def row_to_record(
    row: dict[str, str],
    raw: dict[str, object],
    ctx: ReadContext,
    *,
    number: int,
    has_journal: bool,
    corporate: bool = False,
) -> Record | None:
    """One table row (already keyed by field, vendor cells unpacked) as a ``Record``."""
    pages = row.get("pages", "")
    start, end = row.get("start_page", ""), row.get("end_page", "")
    if not pages and start:
        pages = f"{start}-{end}" if end and end != start else start
    url = row.get("url", "").strip()
    return build_record(
        ctx,
        where=f"row {number}",
        row=number,
        source_id=row.get("source_id", ""),
        pmid=pmid_in_text(row.get("pmid", "")),
        pmcid=row.get("pmcid", ""),
        doi=row.get("doi", ""),
        title=row.get("title", ""),
        abstract=row.get("abstract", ""),
        authors=_authors(row, has_journal=has_journal, corporate=corporate),
        year=year_from(row.get("year", "")),
        journal=row.get("journal", ""),
        volume=row.get("volume", ""),
        issue=row.get("issue", ""),
        pages=pages,
        url=url.split()[0] if url else "",
        publication_type=row.get("publication_type", ""),
        keywords=_split_keywords(row.get("keywords", "")),
        language=row.get("language", ""),
        raw=raw,
    )


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def iter_csv_rows(text: str, *, path: Path) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    """Delimiter and ``(row number, cells)`` of CSV/TSV text; the header is row 1."""
    lines = text.split("\n", 2)
    skip = 1 if lines and lines[0].strip().lower().startswith("sep=") else 0
    if skip:
        text = text.split("\n", 1)[1] if "\n" in text else ""
    first = text.split("\n", 1)[0]
    delimiter = _sniff_delimiter(first)

    def rows() -> Iterator[tuple[int, list[str]]]:
        # Abstracts and notes can exceed the csv module's default 128 KiB per field.
        csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = skip
        try:
            for number, cells in enumerate(reader, start=1 + skip):
                yield number, [c.strip() for c in cells]
        except csv.Error as error:
            raise ScopingError(
                f"unreadable CSV ({error})",
                file=path,
                line=reader.line_num + skip,
                row=number + 1,
                fix="open the file in a spreadsheet program and save it again as CSV (UTF-8).",
            ) from None

    return delimiter, rows()


#: Workbooks up to this size are opened in full so cell hyperlinks can be read; larger ones are
#: streamed (openpyxl's read-only mode does not expose hyperlinks).
HYPERLINK_LIMIT = 20 * 2**20

#: Suffix of the column that holds the hyperlink targets of a column's cells.
LINK_SUFFIX = " (link)"


def iter_xlsx_rows(data: bytes, ctx: ReadContext) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of the first sheet of an XLSX workbook.

    People often hyperlink a title instead of giving a URL column; each column with hyperlinks
    gets a companion column "<name> (link)" holding their targets, so the URL is not lost.
    """
    import openpyxl  # imported here: only spreadsheets need it

    small = len(data) <= HYPERLINK_LIMIT
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=not small, data_only=True)
    except Exception as error:  # zipfile/openpyxl raise many types for a broken workbook
        raise ScopingError(
            f"not a readable XLSX workbook ({type(error).__name__}: {error})",
            file=ctx.path,
            fix="open it in a spreadsheet program and save it again as .xlsx, or export CSV.",
        ) from None
    try:
        sheet = book.worksheets[0]
        if len(book.worksheets) > 1:
            ctx.note(
                f"read the first sheet '{sheet.title}' only; the workbook has "
                f"{len(book.worksheets)} sheets"
            )
        if not small:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_cell(v) for v in values]
            return
        rows = list(sheet.iter_rows())
        linked = sorted(
            {i for row in rows for i, c in enumerate(row) if c.hyperlink and c.hyperlink.target}
        )
        header_done = False
        for number, row in enumerate(rows, start=1):
            cells = [_cell(c.value) for c in row]
            if not header_done and any(cells):
                header_done = True
                extra = [f"{cells[i] if i < len(cells) else ''}{LINK_SUFFIX}" for i in linked]
            else:
                extra = [
                    (row[i].hyperlink.target or "") if i < len(row) and row[i].hyperlink else ""
                    for i in linked
                ]
            yield number, cells + extra if linked else cells
    finally:
        book.close()


def read_rows(
    rows: Iterator[tuple[int, list[str]]], ctx: ReadContext
) -> tuple[str, Iterator[Record]]:
    """Flavour and records of a table given as ``(row number, cells)``, header first."""
    header: list[str] | None = None
    for _, cells in rows:
        filled = [c for c in cells if c]
        if len(filled) == 1 and filled[0].lower().startswith("about the data"):
            continue  # Dimensions writes "About the data: Exported on ..." above the header
        if filled:
            header = [c.replace("\ufeff", "").strip() for c in cells]
            break
    if header is None:
        raise ScopingError(
            "the table has no header row and no data",
            file=ctx.path,
            fix="export the list again with a header row (Title, Authors, Year, URL, ...).",
        )
    keys = [header_key(h) for h in header]
    vendor = table_vendor(set(keys))
    mapping = map_columns(header, columns=ctx.columns, path=ctx.path, vendor=vendor)
    if "title" not in mapping and "url" not in mapping:
        raise ScopingError(
            f"no title column (columns: {', '.join(h for h in header if h)})",
            file=ctx.path,
            row=1,
            fix='name it with --columns \'{"title": "<column>"}\' or add a column headed "Title".',
        )
    return (vendor.label if vendor else ""), _records(rows, header, mapping, ctx, vendor)


def _records(
    rows: Iterator[tuple[int, list[str]]],
    header: list[str],
    mapping: dict[str, int],
    ctx: ReadContext,
    vendor: TableVendor | None,
) -> Iterator[Record]:
    width = len(header)
    keys = [header_key(h) for h in header]
    has_journal = "journal" in mapping
    # Organisations mapped as authors (config/demo: authors: "Organisation") stay as written.
    corporate = "authors" in mapping and keys[mapping["authors"]] in ALIASES["organisation"]
    check = Plausibility(header, mapping, ctx)
    ragged: list[str] = []
    # A BibTeX-like table (CoLRev, BASE) has journal and booktitle columns; a proceedings paper
    # fills only the second, so an empty venue cell takes the next venue column's value.
    used = set(mapping.values())
    venues = [i for i, k in enumerate(keys) if k in ALIASES["journal"] and i not in used]
    for number, cells in rows:
        if not any(cells):
            continue
        row = {field: cells[i] if i < len(cells) else "" for field, i in mapping.items()}
        if venues and "journal" in row and not row["journal"].strip():
            row["journal"] = next((cells[i] for i in venues if i < len(cells) and cells[i]), "")
        if vendor is not None and vendor.fix is not None:
            by_key: dict[str, str] = {}
            for key, value in zip(keys, cells, strict=False):
                by_key.setdefault(key, value)
            vendor.fix(row, by_key)
        raw: dict[str, object] = {
            (header[i] or f"column {i + 1}"): value
            for i, value in enumerate(cells[:width])
            if value
        }
        if len(cells) > width and any(cells[width:]):
            ragged.append(f"row {number}")
            raw["_extra"] = [c for c in cells[width:] if c]
        out = row_to_record(
            row, raw, ctx, number=number, has_journal=has_journal, corporate=corporate
        )
        if out is not None:
            check.record(out, cells, number=number)
            yield out
    if ragged:
        ctx.note(
            f"{len(ragged)} row(s) have more cells than the header ({listing(ragged)}); "
            "the extra cells are kept in raw as '_extra'"
        )
    check.report()


class Plausibility:
    """Rows whose year or DOI column gives values no record can have (a year outside
    1800..next year, a DOI that is not a DOI): a sign the column is the wrong one."""

    def __init__(self, header: list[str], mapping: dict[str, int], ctx: ReadContext) -> None:
        self.ctx = ctx
        self.columns = {f: header[i] for f, i in mapping.items() if f in ("year", "doi")}
        self.index = {f: mapping[f] for f in self.columns}
        self.bad: dict[str, list[str]] = {f: [] for f in self.columns}
        self.latest = dt.date.today().year + 1

    def record(self, rec: Record, cells: list[str], *, number: int) -> None:
        for name, i in self.index.items():
            value = cells[i] if i < len(cells) else ""
            if not value:
                continue
            if name == "year":
                year = year_from(value)
                wrong = not year or not 1800 <= int(year) <= self.latest
            else:
                wrong = not rec.doi
            if wrong:
                self.bad[name].append(f"row {number} '{value[:30]}'")

    def report(self) -> None:
        fixes = {
            "year": f"gives years outside 1800..{self.latest}",
            "doi": "gives values that are not DOIs (10.xxxx/...)",
        }
        for name, rows in self.bad.items():
            if rows:
                self.ctx.note(
                    f"{self.ctx.path}: column '{self.columns[name]}' read as {name} "
                    f"{fixes[name]} in {len(rows)} row(s): {listing(rows)}. Fix: map {name} to "
                    f"the column that holds it (--columns / columns: in the config), or correct "
                    "those cells"
                )
