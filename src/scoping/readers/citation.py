"""Citation strings vendors write in one cell, split into journal, year, volume, issue, pages.

PubMed ("Behav Ther. 2022 Mar;53(2):334-347. doi: 10.1016/j.beth.2021.09.007. Epub 2021 Oct
12."), the legacy PubMed CSV's ``Details`` and the Abstract text layout share one form. Ovid
writes Embase's ``SO`` as "Journal. 25 (1) (pp 10-20), 2018. Article Number: x. Date of
Publication: ..." and PsycInfo's as "Journal. Vol.15(2), 2023, pp. 10-20." or "..., ArtID 12.".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoping.readers.identifiers import doi_in_text


@dataclass(slots=True)
class Citation:
    """The parts of one citation string (``""`` where the string does not say)."""

    journal: str = ""
    year: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""


_PUBMED = re.compile(
    r"^(?P<journal>.+?)\.\s+(?P<year>\d{4})\b[^;:.]*"
    r"(?:;(?P<volume>[^():;.]*)(?:\((?P<issue>[^)]*)\))?)?"
    r"(?::(?P<pages>[^\s.;]+(?:\.e\d+)?))?"
)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def parse_pubmed_citation(text: str) -> Citation:
    """Parts of a PubMed citation ("Journal. 2020 Mar 13;7(1):11. doi: 10.1186/...")."""
    text = " ".join((text or "").split())
    m = _PUBMED.match(text)
    doi = doi_in_text(text[text.lower().find("doi:") :]) if "doi:" in text.lower() else ""
    if not m:
        return Citation(doi=doi)
    return Citation(
        journal=m.group("journal").strip(),
        year=m.group("year"),
        volume=(m.group("volume") or "").strip(),
        issue=(m.group("issue") or "").strip(),
        pages=(m.group("pages") or "").strip(),
        doi=doi,
    )


# The journal ends at the first ". " followed by what starts the volume part, or a year.
_OVID_JOURNAL = re.compile(
    r"^(?P<journal>.+?)\.\s+(?=Vol\b|Vol\.|\d|\(|No\.|Issue\b|(?:[A-Z][a-z]{2,8}\.?\s+)?\d{4}\b)"
)
_OVID_VOLUME = re.compile(
    r"^(?:Vol\.?\s*)?(?P<volume>[\w-]+?)\s*"
    r"(?:\((?!pp\b|no pagination)(?P<issue>[^)]*)\))?(?=[\s,]|$)"
)
_OVID_PAGES = re.compile(r"\(pp\s*(?P<pages>[^)]+)\)|\bpp\.?\s*(?P<pp>[\w-]+)")
_ARTICLE_NUMBER = re.compile(r"(?:Article Number:|ArtID)\s*(?P<number>[^\s.,]+)")


def parse_ovid_source(text: str) -> Citation:
    """Parts of Ovid's ``SO`` (Embase, PsycInfo, MEDLINE layouts)."""
    text = " ".join((text or "").split())
    m = _OVID_JOURNAL.match(text)
    if not m:
        year = _YEAR.search(text)
        return Citation(journal=text.rstrip("."), year=year.group(1) if year else "")
    journal, rest = m.group("journal").strip(), text[m.end() :]
    # "Date of Publication: ..." and DOIs are not the citation itself.
    body = re.split(r"\.\s+(?:Date of Publication|Date Created|Epub)\b", rest)[0]
    volume = issue = ""
    v = _OVID_VOLUME.match(body)
    if v and not _YEAR.fullmatch(v.group("volume")):
        volume, issue = v.group("volume"), v.group("issue") or ""
        body = body[v.end() :]
    p = _OVID_PAGES.search(body)
    pages = (p.group("pages") or p.group("pp") or "") if p else ""
    if not pages:
        number = _ARTICLE_NUMBER.search(rest)
        # An article number is what MEDLINE cites as the page of an article without pages.
        pages = number.group("number") if number else ""
    year = _YEAR.search(body) or _YEAR.search(rest)
    return Citation(
        journal=journal,
        year=year.group(1) if year else "",
        volume=volume,
        issue=issue,
        pages=pages,
        doi=doi_in_text(rest),
    )
