"""Build PubMed "Abstract (text)" exports from real PubMed XML records (no real export may be
shipped: the two found carry no licence). The layout follows PubMed's Save > Abstract (text):
a blank first line, a numbered citation wrapped at 80 columns, title, authors with affiliation
numbers, an "Author information:" block, the abstract, copyright, then DOI/PMCID/PMID lines."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree


@dataclass
class Truth:
    """What the XML says about one article, to check the text reader against."""

    pmid: str
    doi: str
    pmcid: str
    title: str
    journal: str
    year: str
    volume: str
    issue: str
    pages: str
    authors: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # the authors with a LastName
    language: str = ""


def _text(node: etree._Element | None) -> str:
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=80, break_long_words=False, break_on_hyphens=False)


def render(article: etree._Element, number: int) -> tuple[str, Truth]:
    """One ``<PubmedArticle>`` as an Abstract (text) block, and its true fields."""
    cit = article.find("MedlineCitation")
    art = cit.find("Article")
    journal = art.find("Journal")
    issue_node = journal.find("JournalIssue")
    pub = issue_node.find("PubDate")
    year = _text(pub.find("Year")) or _text(pub.find("MedlineDate"))[:4]
    date = " ".join(x for x in (year, _text(pub.find("Month")), _text(pub.find("Day"))) if x)
    volume, issue = _text(issue_node.find("Volume")), _text(issue_node.find("Issue"))
    pages = _text(art.find("Pagination/MedlinePgn"))
    ids = {i.get("IdType"): _text(i) for i in article.findall("PubmedData/ArticleIdList/ArticleId")}
    doi = ids.get("doi", "")
    iso = _text(journal.find("ISOAbbreviation")) or _text(journal.find("Title"))
    where = f"{volume}({issue})" if issue else volume
    citation = f"{number}. {iso}. {date}"
    if where or pages:
        citation += f";{where}" + (f":{pages}" if pages else "")
    citation += "." + (f" doi: {doi}." if doi else "")
    authors, people, affiliations, names = [], [], [], []
    for author in art.findall("AuthorList/Author"):
        last, initials = _text(author.find("LastName")), _text(author.find("Initials"))
        name = f"{last} {initials}".strip() if last else _text(author.find("CollectiveName"))
        marks = []
        for aff in author.findall("AffiliationInfo/Affiliation"):
            affiliations.append(_text(aff))
            marks.append(str(len(affiliations)))
        names.append(name + (f"({', '.join(marks)})" if marks else ""))
        authors.append(name)  # "Last Initials" (MEDLINE style) or the collective name
        if last:
            people.append(name)
    language = _text(art.find("Language"))
    title = _text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle"))
    parts = ["\n" if number == 1 else "", _wrap(citation), "", _wrap(title), ""]
    if language and language != "eng":
        parts += [f"[Article in {language.title()}]", ""]
    if names:
        parts += [_wrap(", ".join(names) + "."), ""]
    if affiliations:
        info = "\n".join(f"({i}){a}" for i, a in enumerate(affiliations, start=1))
        parts += ["Author information:\n" + info, ""]
    for text in art.findall("Abstract/AbstractText"):
        label = text.get("Label")
        parts += [_wrap((f"{label}: " if label else "") + _text(text)), ""]
    copyright_ = _text(art.find("Abstract/CopyrightInformation"))
    if copyright_:
        parts += [_wrap(copyright_ if copyright_.startswith(("©", "Copyright")) else
                        f"Copyright {copyright_}"), ""]  # fmt: skip
    tail = [f"DOI: {doi}"] if doi else []
    tail += [f"PMCID: {ids['pmc']}"] if ids.get("pmc") else []
    tail += [f"PMID: {ids.get('pubmed') or _text(cit.find('PMID'))}  [Indexed for MEDLINE]"]
    parts += ["\n".join(tail), "", ""]
    truth = Truth(
        pmid=_text(cit.find("PMID")),
        doi=doi.lower(),
        pmcid=ids.get("pmc", ""),
        title=title.rstrip("."),
        journal=iso,
        year=year,
        volume=volume,
        issue=issue,
        pages=pages,
        authors=authors,
        people=people,
        language=language,
    )
    return "\n".join(parts), truth


def abstract_text_file(xml_files: list[Path], out: Path) -> list[Truth]:
    """Write the records of ``xml_files`` as one Abstract (text) export; their true fields."""
    blocks, truths = [], []
    for path in xml_files:
        for article in etree.parse(str(path)).getroot().iter("PubmedArticle"):
            block, truth = render(article, len(truths) + 1)
            blocks.append(block)
            truths.append(truth)
    out.write_text("".join(blocks), encoding="utf-8")
    return truths
