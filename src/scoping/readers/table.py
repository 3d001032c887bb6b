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

#: Vendors told apart by columns only they write: (label, columns that must all be present).
_FLAVOURS = (
    ("Scopus", ("eid", "sourcetitle")),
    ("IEEE Xplore", ("documenttitle", "pdflink")),
    ("IEEE Xplore", ("documenttitle", "ieeeterms")),
    ("PubMed", ("pmid", "citation", "firstauthor")),
    ("Embase", ("authornames", "openurllink")),
    ("Ovid", ("accessionnumber", "database")),
    ("Zotero", ("key", "itemtype", "publicationtitle")),
    ("Web of Science", ("ut", "pt", "so")),
    ("EndNote", ("referencetype", "secondarytitle")),
    ("Publish or Perish", ("gsrank", "articleurl")),
    ("Publish or Perish", ("cites", "articleurl")),
    ("bib-dedupe / CoLRev", ("id", "entrytype")),
)
_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?) \((?P<year>\d{4})\)(?: (?P<volume>[^:\s(]+)(?::(?P<issue>[^\s(]+))?)?"
    r"(?: \((?P<pages>[^)]*)\))?"
)


def header_key(name: object) -> str:
    """A column name compared without case, spaces or punctuation ("Author(s)" -> "authors")."""
    return re.sub(r"[^0-9a-z]+", "", str(name or "").lower().replace("\ufeff", ""))


def flavour_of(headers: list[str]) -> str:
    """Tool that wrote a table, from its column names ("" for a list of unknown origin)."""
    keys = {header_key(h) for h in headers}
    for label, needed in _FLAVOURS:
        if all(k in keys for k in needed):
            return label
    return ""


def map_columns(
    headers: list[str], *, columns: dict[str, str] | None, path: Path
) -> dict[str, int]:
    """Field -> column index: ``columns`` (exact names, any case) first, then ``ALIASES``."""
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
    for field, aliases in ALIASES.items():
        if field in mapping:
            continue
        for alias in aliases:
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


def _authors(row: dict[str, str], *, has_journal: bool) -> list[str]:
    people = [normalise_author(a) for a in split_author_list(row.get("authors", ""))]
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
    flavour: str,
    has_journal: bool,
) -> Record | None:
    """One table row (already keyed by field) as a ``Record``."""
    pages = row.get("pages", "")
    start, end = row.get("start_page", ""), row.get("end_page", "")
    if not pages and start:
        pages = f"{start}-{end}" if end and end != start else start
    journal, year, volume, issue = (row.get(k, "") for k in ("journal", "year", "volume", "issue"))
    if flavour == "Embase" and journal:
        # Embase's "Source" holds "Journal (2014) 3:3 (152-160). Date of Publication: ...".
        m = _EMBASE_SOURCE.match(journal)
        if m:
            journal = m.group("journal")
            year = year or m.group("year")
            volume = volume or (m.group("volume") or "")
            issue = issue or (m.group("issue") or "")
            pages = pages or (m.group("pages") or "")
    authors = _authors(row, has_journal=has_journal)
    return build_record(
        ctx,
        where=f"row {number}",
        row=number,
        source_id=row.get("source_id", ""),
        pmid=row.get("pmid", ""),
        pmcid=row.get("pmcid", ""),
        doi=row.get("doi", ""),
        title=row.get("title", ""),
        abstract=row.get("abstract", ""),
        authors=authors,
        year=year_from(year),
        journal=journal,
        volume=volume,
        issue=issue,
        pages=pages,
        url=row.get("url", "").split()[0] if row.get("url", "").strip() else "",
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
        if any(cells):
            header = [c.replace("\ufeff", "").strip() for c in cells]
            break
    if header is None:
        raise ScopingError(
            "the table has no header row and no data",
            file=ctx.path,
            fix="export the list again with a header row (Title, Authors, Year, URL, ...).",
        )
    flavour = flavour_of(header)
    mapping = map_columns(header, columns=ctx.columns, path=ctx.path)
    if "title" not in mapping and "url" not in mapping:
        raise ScopingError(
            f"no title column (columns: {', '.join(h for h in header if h)})",
            file=ctx.path,
            row=1,
            fix='name it with --columns \'{"title": "<column>"}\' or add a column headed "Title".',
        )
    return flavour, _records(rows, header, mapping, ctx, flavour)


def _records(
    rows: Iterator[tuple[int, list[str]]],
    header: list[str],
    mapping: dict[str, int],
    ctx: ReadContext,
    flavour: str,
) -> Iterator[Record]:
    width = len(header)
    has_journal = "journal" in mapping
    ragged: list[str] = []
    for number, cells in rows:
        if not any(cells):
            continue
        row = {field: cells[i] if i < len(cells) else "" for field, i in mapping.items()}
        raw: dict[str, object] = {
            (header[i] or f"column {i + 1}"): value
            for i, value in enumerate(cells[:width])
            if value
        }
        if len(cells) > width and any(cells[width:]):
            ragged.append(f"row {number}")
            raw["_extra"] = [c for c in cells[width:] if c]
        out = row_to_record(row, raw, ctx, number=number, flavour=flavour, has_journal=has_journal)
        if out is not None:
            yield out
    if ragged:
        ctx.note(
            f"{len(ragged)} row(s) have more cells than the header ({listing(ragged)}); "
            "the extra cells are kept in raw as '_extra'"
        )
