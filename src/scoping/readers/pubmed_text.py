"""PubMed's "Abstract (text)" export (Save > Format: Abstract (text)) to records.

Each record is a numbered block of blank-line-separated paragraphs::

    1. Cochrane Database Syst Rev. 2017 Jul 5;7:CD012345. doi:
    10.1002/14651858.CD012345.pub2.

    Title of the article.

    Zhang HW(1), Yu J(1), Xu WJ(2).

    Author information:
    (1)Department of ...

    Abstract paragraphs ...

    DOI: 10.1002/14651858.CD012345.pub2
    PMCID: PMC1234567
    PMID: 12345678  [Indexed for MEDLINE]

The citation line wraps at about 80 columns; non-English articles carry "[Article in
Japanese]"; copyright and conflict-of-interest paragraphs follow the abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scoping.readers.citation import parse_pubmed_citation
from scoping.readers.common import ReadContext, build_record, person_authors
from scoping.records import Record

_START = re.compile(r"^(\d+)\. (?=\S)")
_ID_LINE = re.compile(r"^(DOI|PMCID|PMID|NIHMSID): *(\S+)")
#: Paragraphs between the citation and the title: links to related notices.
_NOTICES = (
    "Erratum in",
    "Comment in",
    "Comment on",
    "Update of",
    "Update in",
    "Republished",
    "Retraction",
    "Retracted",
    "Expression of concern",
    "Corrected and republished",
    "Original report",
    "Reprint",
    "Summary for patients",
)
#: Paragraphs after the abstract that are not part of it.
_NOT_ABSTRACT = ("Copyright", "©", "Conflict of interest", "Collaborators:", "Author information:")
_AFFILIATION_MARK = re.compile(r"\(\d+(?:,\s*\d+)*\)")
_ARTICLE_IN = re.compile(r"^\[Article in ([^\]]+)\]\.?$")


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(first line number, lines)`` of each numbered record.

    A record starts at "N. " after a blank line, with the next number, once the record before
    it has its "PMID:" line (so an abstract paragraph "2. Methods" does not split a record).
    """
    current: list[str] = []
    start = 0
    expected = 1
    blank = True
    has_pmid = True
    for number, line in enumerate(text.splitlines(), start=1):
        m = _START.match(line)
        if m and blank and has_pmid and int(m.group(1)) == expected:
            if current:
                yield start, current
            current, start, expected, has_pmid = [line], number, expected + 1, False
        elif current:
            current.append(line)
            has_pmid = has_pmid or line.startswith("PMID:")
        blank = not line.strip()
    if current:
        yield start, current


def _paragraphs(lines: list[str]) -> list[str]:
    out: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            out[-1].append(line.rstrip())
        elif out[-1]:
            out.append([])
    return ["\n".join(p) for p in out if p]


def _joined(paragraph: str) -> str:
    return " ".join(paragraph.split())


def _is_author_list(paragraph: str) -> bool:
    """ "Zhang HW(1), Yu J(1), Xu WJ(2)." and not a sentence of an abstract."""
    text = _joined(_AFFILIATION_MARK.sub("", paragraph)).rstrip(".")
    if not text or ". " in text:
        return False
    # Up to 12 words: a collective name ("Guideline Development Panel for the Treatment of
    # Depressive Disorders") is one author.
    return all(0 < len(name.split()) <= 12 for name in re.split(r",\s*|;\s*", text))


_MEDLINE_NAME = re.compile(r"[^\W\d_][\w'’\- ]* [A-Z]{1,4}")


def _author(name: str) -> str:
    """PubMed writes people as "Carter JR" (kept: "JR" is initials, not "Junior") and groups
    by their collective name (kept as written)."""
    name = name.strip()
    if _MEDLINE_NAME.fullmatch(name) or len(name.split()) >= 3:
        return name
    return (person_authors([name]) or [name])[0]


def pubmed_text_record(lines: list[str], ctx: ReadContext, *, line: int) -> Record:
    """One numbered block of the Abstract (text) export as a ``Record``."""
    paragraphs = _paragraphs(lines)
    citation = _START.sub("", _joined(paragraphs[0]))
    ids: dict[str, str] = {}
    rest = paragraphs[1:]
    while rest and all(_ID_LINE.match(x) for x in rest[-1].splitlines()):
        for x in rest[-1].splitlines():
            tag, value = _ID_LINE.match(x).groups()  # type: ignore[union-attr]
            ids.setdefault(tag, value)
        rest = rest[:-1]
    while rest and rest[0].startswith(_NOTICES):
        rest = rest[1:]
    title = _joined(rest[0]) if rest else ""
    rest = rest[1:]
    language = ""
    if rest and _ARTICLE_IN.match(_joined(rest[0])):
        language = _ARTICLE_IN.match(_joined(rest[0])).group(1)  # type: ignore[union-attr]
        rest = rest[1:]
    authors: list[str] = []
    followed_by_info = len(rest) > 1 and rest[1].startswith("Author information:")
    if rest and (followed_by_info or _is_author_list(rest[0])):
        names = _AFFILIATION_MARK.sub("", _joined(rest[0])).rstrip(".")
        authors = [_author(n) for n in re.split(r",\s*", names) if n.strip()]
        rest = rest[1:]
    info = "\n".join(p for p in rest if p.startswith("Author information:"))
    abstract = "\n\n".join(_joined(p) for p in rest if not p.startswith(_NOT_ABSTRACT))
    cite = parse_pubmed_citation(citation)
    raw: dict[str, object] = {"citation": citation, **{k: v for k, v in ids.items()}}
    if info:
        raw["author_information"] = info
    return build_record(
        ctx,
        where=f"the record at line {line}",
        line=line,
        source_id=ids.get("PMID", ""),
        pmid=ids.get("PMID", ""),
        pmcid=ids.get("PMCID", ""),
        doi=ids.get("DOI") or cite.doi,
        title=title,
        abstract=abstract,
        authors=authors,
        year=cite.year,
        journal=cite.journal,
        volume=cite.volume,
        issue=cite.issue,
        pages=cite.pages,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{ids['PMID']}/" if "PMID" in ids else "",
        language=language,
        raw=raw,
    )


def read_pubmed_text(text: str, ctx: ReadContext) -> Iterator[Record]:
    """Records of a PubMed Abstract (text) export."""
    for line, lines in _blocks(text):
        yield pubmed_text_record(lines, ctx, line=line)
