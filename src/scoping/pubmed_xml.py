"""PubMed XML (efetch and PubMed's "Save as XML") to records, streamed with lxml.

lxml ``iterparse`` with ``clear()`` keeps memory flat on large files and, with entity and
network resolution switched off, never fetches a DTD or expands an external entity.
Both ``<PubmedArticle>`` (journal articles) and ``<PubmedBookArticle>`` (NCBI Bookshelf
chapters and books) become records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from scoping.errors import ScopingError
from scoping.normalise import normalise_author, year_from
from scoping.records import Record

#: Elements that hold one citation each.
ARTICLE_TAGS = ("PubmedArticle", "PubmedBookArticle")
#: Root elements of PubMed XML (efetch returns ``PubmedArticleSet``; single records exist too).
ROOT_TAGS = ("PubmedArticleSet", "PubmedArticle", "PubmedBookArticle")


def _text(elem: etree._Element | None) -> str:
    """All text inside an element (titles carry <i>, <sup> and friends), whitespace folded."""
    if elem is None:
        return ""
    if len(elem) == 0:  # most fields: no markup inside, skip the itertext walk
        text = elem.text
        return " ".join(text.split()) if text else ""
    return " ".join("".join(elem.itertext()).split())


def _first(elem: etree._Element, *paths: str) -> str:
    """Text of the first path that has any."""
    for path in paths:
        text = _text(elem.find(path))
        if text:
            return text
    return ""


def _date_text(elem: etree._Element | None) -> str:
    """A PubMed date as written (``2024 Aug 27``), or its MedlineDate (``1998 Dec-1999 Jan``)."""
    if elem is None:
        return ""
    medline = _text(elem.find("MedlineDate"))
    if medline:
        return medline
    parts = [_text(elem.find(tag)) for tag in ("Year", "Season", "Month", "Day")]
    return " ".join(p for p in parts if p)


def _abstract(container: etree._Element | None) -> str:
    """Abstract text; the sections of a structured abstract keep their labels."""
    if container is None:
        return ""
    parts = []
    for node in container.iterfind("Abstract/AbstractText"):
        label = (node.get("Label") or "").strip()
        body = _text(node)
        if body:
            parts.append(f"{label}: {body}" if label else body)
    return "\n".join(parts)


def _authors(author_list: etree._Element | None) -> list[str]:
    if author_list is None:
        return []
    names = []
    for author in author_list.iterfind("Author"):
        # ValidYN="N" marks a name PubMed lists only to record an erratum.
        if author.get("ValidYN") == "N":
            continue
        collective = _text(author.find("CollectiveName"))
        if collective:
            names.append(collective)
            continue
        last = _text(author.find("LastName"))
        initials = _text(author.find("Initials")) or _text(author.find("ForeName"))
        if not last:
            continue
        name = normalise_author(f"{last}, {initials}") if initials else last
        suffix = _text(author.find("Suffix"))
        names.append(f"{name} {suffix}" if suffix else name)
    return names


def _article_ids(id_list: etree._Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    if id_list is None:
        return ids
    for node in id_list.iterfind("ArticleId"):
        kind = node.get("IdType", "")
        text = _text(node)
        if text and kind not in ids:
            ids[kind] = text
    return ids


def _children(elem: etree._Element | None) -> dict[str, etree._Element]:
    """First child of each tag: one walk instead of a path search per field (2-3x faster)."""
    kids: dict[str, etree._Element] = {}
    if elem is not None:
        for child in elem:
            kids.setdefault(child.tag, child)
    return kids


def _iter(elem: etree._Element | None, path: str) -> Iterator[etree._Element]:
    return iter(()) if elem is None else elem.iterfind(path)


def _journal_article(article: etree._Element, *, source: str, source_type: str) -> Record:
    top = _children(article)
    cit_el = top.get("MedlineCitation")
    cit = _children(cit_el)
    art_el = cit.get("Article")
    art = _children(art_el)
    journal = _children(art.get("Journal"))
    issue = _children(journal.get("JournalIssue"))
    data = _children(top.get("PubmedData"))
    pmid = _text(cit.get("PMID"))
    ids = _article_ids(data.get("ArticleIdList"))
    doi = ids.get("doi", "")
    if not doi and art_el is not None:
        for node in art_el.iterfind("ELocationID"):
            if node.get("EIdType") == "doi" and node.get("ValidYN", "Y") == "Y":
                doi = _text(node)
                break
    pmcid = ids.get("pmc", "")
    if not pmcid and cit_el is not None:
        # Older citations carry the PMCID only as an NLM OtherID ("PMC1234567").
        for node in cit_el.iterfind("OtherID"):
            if _text(node).upper().startswith("PMC"):
                pmcid = _text(node)
                break
    pub_date = _date_text(issue.get("PubDate"))
    article_date = _date_text(art.get("ArticleDate"))
    # The issue date is the citation year; a MedlineDate ("1998 Dec-1999 Jan") gives its first
    # year. Only undated issues fall back to the electronic date, then to PubMed's own date.
    year = year_from(pub_date) or year_from(article_date)
    if not year and data.get("History") is not None:
        year = year_from(_date_text(data["History"].find("PubMedPubDate[@PubStatus='pubmed']")))
    pagination = _children(art.get("Pagination"))
    pages = _text(pagination.get("MedlinePgn"))
    if not pages:
        start, end = _text(pagination.get("StartPage")), _text(pagination.get("EndPage"))
        pages = f"{start}-{end}" if start and end else start
    keywords = [_text(k) for k in _iter(cit_el, "KeywordList/Keyword")]
    mesh = [_text(m) for m in _iter(cit_el, "MeshHeadingList/MeshHeading/DescriptorName")]
    pub_types = [_text(p) for p in art.get("PublicationTypeList", ())]
    raw = {
        "pub_date": pub_date,
        "article_date": article_date,
        "journal_abbrev": _text(journal.get("ISOAbbreviation")),
        "issn": _text(journal.get("ISSN")),
        "status": cit_el.get("Status", "") if cit_el is not None else "",
        "publication_status": _text(data.get("PublicationStatus")),
    }
    return Record.create(
        source=source,
        source_type=source_type,
        source_id=pmid,
        pmid=pmid,
        pmcid=pmcid,
        doi=doi,
        title=_text(art.get("ArticleTitle")) or _text(art.get("VernacularTitle")),
        abstract=_abstract(art_el),
        authors=_authors(art.get("AuthorList")),
        year=year,
        journal=_text(journal.get("Title"))
        or _text(journal.get("ISOAbbreviation"))
        or _text(_children(cit.get("MedlineJournalInfo")).get("MedlineTA")),
        volume=_text(issue.get("Volume")),
        issue=_text(issue.get("Issue")),
        pages=pages,
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        publication_type="; ".join(p for p in pub_types if p),
        keywords=[k for k in keywords + mesh if k],
        language=_text(art.get("Language")),
        raw={k: v for k, v in raw.items() if v},
    )


def _book_article(article: etree._Element, *, source: str, source_type: str) -> Record:
    doc = article.find("BookDocument")
    if doc is None:
        doc = etree.Element("BookDocument")
    pmid = _text(doc.find("PMID"))
    ids = _article_ids(doc.find("ArticleIdList"))
    ids.update(
        {
            k: v
            for k, v in _article_ids(article.find("PubmedBookData/ArticleIdList")).items()
            if k not in ids
        }
    )
    book_title = _text(doc.find("Book/BookTitle"))
    chapter_title = _text(doc.find("ArticleTitle"))
    authors = _authors(doc.find("AuthorList[@Type='authors']"))
    if not authors:
        authors = _authors(doc.find("Book/AuthorList[@Type='authors']"))
    pub_date = _date_text(doc.find("Book/PubDate"))
    pub_types = [_text(p) for p in doc.iterfind("PublicationType")]
    keywords = [_text(k) for k in doc.iterfind("KeywordList/Keyword")]
    raw = {
        "pub_date": pub_date,
        "publisher": _text(doc.find("Book/Publisher/PublisherName")),
        "book_accession": ids.get("bookaccession", ""),
        "book_title": book_title,
    }
    return Record.create(
        source=source,
        source_type=source_type,
        source_id=pmid,
        pmid=pmid,
        pmcid=ids.get("pmc", ""),
        doi=ids.get("doi", ""),
        title=chapter_title or book_title,
        abstract=_abstract(doc),
        authors=authors,
        year=year_from(pub_date) or year_from(_date_text(doc.find("ContributionDate"))),
        # A chapter's container is its book; a whole book has none.
        journal=book_title if chapter_title else "",
        volume=_text(doc.find("Book/Volume")),
        pages="",
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        publication_type="; ".join(
            p for p in ["Book chapter" if chapter_title else "Book", *pub_types] if p
        ),
        keywords=[k for k in keywords if k],
        language=_text(doc.find("Language")),
        raw={k: v for k, v in raw.items() if v},
    )


def article_to_record(article: etree._Element, *, source: str, source_type: str) -> Record:
    """One ``<PubmedArticle>`` or ``<PubmedBookArticle>`` element as a record."""
    if article.tag == "PubmedBookArticle":
        return _book_article(article, source=source, source_type=source_type)
    return _journal_article(article, source=source, source_type=source_type)


def iter_pubmed_xml(
    source_file: str | Path | IO[bytes], *, source: str = "pubmed", source_type: str = "database"
) -> Iterator[Record]:
    """Stream records from a PubMed XML file or binary stream.

    Raises ``ScopingError`` (naming the file and line) on malformed or truncated XML, and on
    well-formed XML that is not PubMed XML (an HTML page, an E-utilities ``<ERROR>`` reply).
    """
    name = str(source_file) if isinstance(source_file, str | Path) else "<stream>"
    context = etree.iterparse(
        source_file,
        events=("end",),
        tag=ARTICLE_TAGS,
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
    root = context.root
    if root is not None and root.tag not in ROOT_TAGS:
        detail = _text(root.find(".//ERROR")) or f"root element <{root.tag}>"
        raise ScopingError(
            f"not PubMed XML ({detail[:200]})",
            file=name,
            fix="export from PubMed as XML (Send to > File > XML) or fetch it again.",
        )
