"""PubMed XML (efetch and PubMed's "Save as XML") to records, streamed with lxml.

lxml ``iterparse`` with ``clear()`` keeps memory flat on large files and, with entity and
network resolution switched off, never fetches a DTD or expands an external entity.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from scoping.errors import ScopingError
from scoping.normalise import normalise_author
from scoping.records import Record


def _text(elem: etree._Element | None) -> str:
    """All text inside an element (titles carry <i>, <sup> and friends)."""
    if elem is None:
        return ""
    return " ".join("".join(elem.itertext()).split())


def _year(article: etree._Element) -> str:
    for path in (
        "MedlineCitation/Article/Journal/JournalIssue/PubDate/Year",
        "MedlineCitation/Article/ArticleDate/Year",
        "MedlineCitation/Article/Journal/JournalIssue/PubDate/MedlineDate",
        "PubmedData/History/PubMedPubDate[@PubStatus='pubmed']/Year",
    ):
        text = _text(article.find(path))
        if text:
            return text[:4]
    return ""


def _abstract(article: etree._Element) -> str:
    parts = []
    for node in article.iterfind("MedlineCitation/Article/Abstract/AbstractText"):
        label = node.get("Label")
        body = _text(node)
        parts.append(f"{label}: {body}" if label else body)
    return "\n".join(p for p in parts if p)


def _authors(article: etree._Element) -> list[str]:
    names = []
    for author in article.iterfind("MedlineCitation/Article/AuthorList/Author"):
        collective = _text(author.find("CollectiveName"))
        if collective:
            names.append(collective)
            continue
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials")) or _text(author.find("ForeName"))
        if last:
            names.append(normalise_author(f"{last}, {initials}") if initials else last)
    return names


def _ids(article: etree._Element) -> dict[str, str]:
    ids: dict[str, str] = {}
    for node in article.iterfind("PubmedData/ArticleIdList/ArticleId"):
        kind = node.get("IdType", "")
        if kind in ("doi", "pmc", "pubmed") and kind not in ids:
            ids[kind] = _text(node)
    if "doi" not in ids:
        for node in article.iterfind("MedlineCitation/Article/ELocationID"):
            if node.get("EIdType") == "doi":
                ids["doi"] = _text(node)
                break
    return ids


def article_to_record(article: etree._Element, *, source: str, source_type: str) -> Record:
    """One ``<PubmedArticle>`` element as a record."""
    cit = article.find("MedlineCitation")
    pmid = _text(cit.find("PMID")) if cit is not None else ""
    ids = _ids(article)
    journal = article.find("MedlineCitation/Article/Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    pagination = _text(article.find("MedlineCitation/Article/Pagination/MedlinePgn"))
    keywords = [_text(k) for k in article.iterfind("MedlineCitation/KeywordList/Keyword")]
    mesh = [
        _text(m)
        for m in article.iterfind("MedlineCitation/MeshHeadingList/MeshHeading/DescriptorName")
    ]
    pub_types = [
        _text(p)
        for p in article.iterfind("MedlineCitation/Article/PublicationTypeList/PublicationType")
    ]
    return Record.create(
        source=source,
        source_type=source_type,
        source_id=pmid,
        pmid=pmid,
        pmcid=ids.get("pmc", ""),
        doi=ids.get("doi", ""),
        title=_text(article.find("MedlineCitation/Article/ArticleTitle"))
        or _text(article.find("MedlineCitation/Article/VernacularTitle")),
        abstract=_abstract(article),
        authors=_authors(article),
        year=_year(article),
        journal=_text(journal.find("Title")) if journal is not None else "",
        volume=_text(issue.find("Volume")) if issue is not None else "",
        issue=_text(issue.find("Issue")) if issue is not None else "",
        pages=pagination,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        publication_type="; ".join(pub_types),
        keywords=[k for k in keywords + mesh if k],
        language=_text(article.find("MedlineCitation/Article/Language")),
    )


def iter_pubmed_xml(
    source_file: str | Path | IO[bytes], *, source: str = "pubmed", source_type: str = "database"
) -> Iterator[Record]:
    """Stream records from a PubMed XML file or binary stream.

    Raises ``ScopingError`` (naming the file and line) on malformed or truncated XML.
    """
    name = str(source_file) if isinstance(source_file, str | Path) else "<stream>"
    context = etree.iterparse(
        source_file,
        events=("end",),
        tag="PubmedArticle",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
    )
    try:
        for _, article in context:
            yield article_to_record(article, source=source, source_type=source_type)
            article.clear(keep_tail=False)
            while article.getprevious() is not None:
                del article.getparent()[0]
    except etree.XMLSyntaxError as error:
        raise ScopingError(
            f"malformed PubMed XML ({error.msg})",
            file=name,
            line=error.lineno,
            fix="re-export the file from PubMed (Send to > File > XML) or fetch it again.",
        ) from None
