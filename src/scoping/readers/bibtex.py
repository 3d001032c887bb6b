"""BibTeX (Scopus, Zotero, Mendeley, JabRef, Google Scholar) to records, with bibtexparser v2.

BibTeX needs a real parser (string macros, nested braces, comments, LaTeX accents); bibtexparser
v2 is well kept and keeps entries it can only partly read (duplicate keys or fields) as failed
blocks, which are recovered here and reported rather than dropped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from pylatexenc.latex2text import LatexNodes2Text

from scoping.normalise import normalise_doi, split_author_list
from scoping.readers.common import ReadContext, build_record, person_authors
from scoping.records import Record

log = logging.getLogger(__name__)


def _line_of(block: object) -> int | None:
    start = getattr(block, "start_line", None)
    return None if start is None else int(start) + 1


def _entries(text: str, ctx: ReadContext) -> Iterator[Entry]:
    library = bibtexparser.parse_string(text)
    recovered: list[Entry] = []
    for block in library.failed_blocks:
        entry = getattr(block, "ignore_error_block", None)
        line = _line_of(block)
        if isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock) and isinstance(
            entry, Entry
        ):
            recovered.append(entry)
            what = "key" if isinstance(block, DuplicateBlockKeyBlock) else "field"
            ctx.note(f"line {line}: entry '{entry.key}' repeats a {what}; kept (first value)")
        else:
            ctx.note(f"line {line}: a BibTeX block could not be parsed and was skipped")
    # File order, so record N of the export is record N here.
    yield from sorted([*library.entries, *recovered], key=lambda e: e.start_line or 0)


_LATEX = LatexNodes2Text()


# Escapes Zotero and Mendeley write in nearly every export, replaced without a LaTeX parser.
_SIMPLE_LATEX = re.compile(r"\{?\\(textless|textgreater|textasciitilde|[%&_#$])(?:\{\})?\}?")
_SIMPLE_TEXT = {
    "textless": "<",
    "textgreater": ">",
    "textasciitilde": "~",
    "%": "%",
    "&": "&",
    "_": "_",
    "#": "#",
    "$": "$",
}


def _decode(value: str) -> str:
    """LaTeX accents and commands to text. bibtexparser's LatexDecodingMiddleware does this for
    every field and took 25 s on 1,000 Zotero entries; most values hold no backslash, and most
    of the rest only simple escapes, so pylatexenc sees only what is left."""
    if "\\" in value:
        value = _SIMPLE_LATEX.sub(lambda m: _SIMPLE_TEXT[m.group(1)], value)
    if "\\" in value:
        try:
            value = _LATEX.latex_to_text(value)
        except Exception:  # pylatexenc gives up on rare broken markup: keep the text as written
            log.debug("could not decode LaTeX in %r", value[:80])
    return " ".join(value.replace("{", "").replace("}", "").split())


def _value(fields: dict[str, str], *names: str) -> str:
    for name in names:
        value = fields.get(name, "")
        if value.strip():
            return _decode(value)
    return ""


def bibtex_to_record(entry: Entry, ctx: ReadContext, *, line: int | None) -> Record | None:
    """One BibTeX entry as a ``Record``; every field kept in ``raw``."""
    raw_fields = {f.key: str(f.value) for f in entry.fields}
    # Field names are case-insensitive in BibTeX (JabRef writes "Title", "Author").
    fields = {k.lower(): v for k, v in reversed(raw_fields.items())}
    authors = split_author_list(_value(fields, "author", "editor"))
    url = _value(fields, "url", "howpublished")
    keywords = _value(fields, "keywords", "author_keywords", "mesh")
    return build_record(
        ctx,
        where=f"entry '{entry.key}'" + (f" (line {line})" if line else ""),
        line=line,
        source_id=entry.key,
        pmid=_value(fields, "pmid"),
        pmcid=_value(fields, "pmcid"),
        doi=normalise_doi(_value(fields, "doi")),
        title=_value(fields, "title"),
        abstract=_value(fields, "abstract"),
        authors=person_authors(authors),
        year=_value(fields, "year", "date"),
        journal=_value(fields, "journal", "journaltitle", "booktitle", "series", "publisher"),
        volume=_value(fields, "volume"),
        issue=_value(fields, "number", "issue"),
        pages=re.sub(r"\s*(?:--|[–—])\s*", "-", _value(fields, "pages")),
        url=url if url.startswith("http") else "",
        publication_type=entry.entry_type.lower(),
        keywords=[k.strip() for k in keywords.replace(";", ",").split(",") if k.strip()],
        language=_value(fields, "language", "langid"),
        raw={"ENTRYTYPE": entry.entry_type, "ID": entry.key, **raw_fields},
    )


def read_bibtex(text: str, ctx: ReadContext) -> Iterator[Record]:
    """Records of a BibTeX file."""
    for entry in _entries(text, ctx):
        out = bibtex_to_record(entry, ctx, line=_line_of(entry))
        if out is not None:
            yield out
