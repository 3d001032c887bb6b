"""Read one export a review team brings, in any supported format, as normalised records.

``read_file`` decodes the file (encoding detected and logged), tells its format from its content
(``format=`` overrides), and dispatches to one reader per format family.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator
from pathlib import Path

from scoping.errors import ScopingError
from scoping.pubmed_xml import iter_pubmed_xml
from scoping.readers.bibtex import read_bibtex
from scoping.readers.common import ImportResult, ReadContext
from scoping.readers.detect import (
    FORMATS,
    detect_binary,
    detect_text_format,
    resolve_format,
)
from scoping.readers.endnote_xml import read_endnote_xml
from scoping.readers.json_table import read_json_table
from scoping.readers.medline import read_medline
from scoping.readers.pubmed_text import read_pubmed_text
from scoping.readers.ris import read_ris
from scoping.readers.table import MAPPABLE, iter_csv_rows, iter_xlsx_rows, read_rows
from scoping.readers.textio import decode_bytes, detect_encoding, mojibake_line
from scoping.readers.wos import read_wos
from scoping.records import SOURCE_TYPES, Record

log = logging.getLogger(__name__)

#: Source types whose lists people curate by hand: an untitled row without a URL is an error.
GREY_SOURCE_TYPES = ("website", "organisation")

__all__ = ["FORMATS", "MAPPABLE", "ImportResult", "read_file"]


def _is_blank(data: bytes) -> bool:
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if data.startswith(bom):
            data = data[len(bom) :]
    return not data.replace(b"\x00", b"").strip()


def read_file(
    path: str | Path,
    *,
    format: str = "auto",
    columns: dict[str, str] | None = None,
    source: str | None = None,
    source_type: str = "other",
    encoding: str | None = None,
) -> ImportResult:
    """Every record of one export file, normalised, with the raw fields kept.

    ``columns`` maps record fields to a table's column names (``{"title": "Document title"}``).
    Raises ``ScopingError`` (one line: file, line or row, fix) on input it cannot read faithfully.
    """
    path = Path(path)
    if not path.is_file():
        raise ScopingError("no such file", file=path, fix="check the path in the config.")
    if source_type not in SOURCE_TYPES:
        raise ScopingError(
            f"unknown source type '{source_type}'",
            file=path,
            fix=f"use one of {', '.join(SOURCE_TYPES)}.",
        )
    data = path.read_bytes()
    fmt = resolve_format(format, path=path)
    if _is_blank(data):
        raise ScopingError(
            "the file is empty",
            file=path,
            fix="export the search results again; the export may have failed or been cut off.",
        )
    ctx = ReadContext(
        path=path,
        source=source or path.stem,
        source_type=source_type,
        require_title=source_type in GREY_SOURCE_TYPES or bool(columns),
        columns=columns or None,
    )
    binary = detect_binary(data, path=path)
    if fmt == "xlsx" or (fmt == "auto" and binary == "xlsx"):
        enc, fmt = "xlsx (binary)", "xlsx"
        ctx.flavour, records = read_rows(iter_xlsx_rows(data, ctx), ctx)
    elif fmt in ("pubmed_xml", "endnote_xml") or (
        fmt == "auto" and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")
    ):
        # XML declares its own encoding; lxml decodes it, so the text is only for detection.
        enc = encoding or detect_encoding(data)
        if fmt == "auto":
            text, enc = decode_bytes(data[:262144], path=path, encoding=encoding)
            fmt = detect_text_format(text, path=path)
        records = _read_xml(fmt, data, ctx)
    else:
        text, enc = decode_bytes(data, path=path, encoding=encoding)
        if fmt == "auto":
            fmt = detect_text_format(text, path=path)
        bad = mojibake_line(text)
        if bad is not None:
            ctx.note(
                f"line {bad}: text like 'Ã©' for 'é': the file was converted to UTF-8 twice "
                "somewhere; titles may be garbled, so re-export it from the source"
            )
        records = _read_text(fmt, text, ctx)
    out = list(records)
    problems = ctx.summarise()
    if not out:
        problems.append("no records read")
    log.info("%s: %d records, format %s, encoding %s", path, len(out), fmt, enc)
    return ImportResult(
        records=out,
        format=fmt,
        encoding=enc,
        problems=problems,
        flavour=ctx.flavour,
        path=str(path),
    )


def _read_xml(fmt: str, data: bytes, ctx: ReadContext) -> Iterator[Record]:
    if fmt == "pubmed_xml":
        ctx.flavour = "PubMed"
        return iter_pubmed_xml(str(ctx.path), source=ctx.source, source_type=ctx.source_type)
    return read_endnote_xml(data, ctx)


def _read_text(fmt: str, text: str, ctx: ReadContext) -> Iterator[Record]:
    if fmt == "ris":
        return read_ris(text, ctx)
    if fmt == "medline":
        ctx.flavour = "PubMed"
        return read_medline(text, ctx)
    if fmt == "wos":
        ctx.flavour = "Web of Science"
        return read_wos(text, ctx)
    if fmt == "bibtex":
        return read_bibtex(text, ctx)
    if fmt == "json":
        ctx.flavour, records = read_json_table(text, ctx)
        return records
    if fmt == "pubmed_text":
        ctx.flavour = "PubMed"
        return read_pubmed_text(text, ctx)
    if fmt in ("csv", "tsv"):
        _, rows = iter_csv_rows(text, path=ctx.path)
        ctx.flavour, records = read_rows(rows, ctx)
        return records
    if fmt in ("pubmed_xml", "endnote_xml"):
        return _read_xml(fmt, text.encode("utf-8"), ctx)
    raise ScopingError(f"format '{fmt}' cannot be read as text", file=ctx.path)
