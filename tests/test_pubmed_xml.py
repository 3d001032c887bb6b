"""PubMed XML to records, checked on the real efetch files in ../shared/data/entrez/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from Bio import Entrez

from scoping.errors import ScopingError
from scoping.normalise import title_key
from scoping.pubmed_xml import iter_pubmed_xml

HEAD = b'<?xml version="1.0" ?>\n<PubmedArticleSet>'
TAIL = b"</PubmedArticleSet>"


def real_files(shared_data: Path) -> list[Path]:
    entrez = shared_data / "entrez"
    return [
        *sorted((entrez / "metapub" / "pmid_xml").glob("*.xml")),
        *sorted((entrez / "biopython" / "Entrez").glob("pubmed*.xml")),
        entrez / "metapub" / "pmid_28731372.xml",
    ]


def parse(xml: bytes) -> list:
    return list(iter_pubmed_xml(io.BytesIO(HEAD + xml + TAIL)))


def test_known_records_carry_every_field(shared_data: Path) -> None:
    pmid_xml = shared_data / "entrez" / "metapub" / "pmid_xml"
    (guideline,) = iter_pubmed_xml(pmid_xml / "38534005.xml", source="pm", source_type="database")
    assert guideline.record_id == "pmid-38534005"
    assert guideline.source == "pm"
    assert guideline.title == "The EFLM European Urinalysis Guideline 2023"
    assert guideline.journal == "Clinical chemistry and laboratory medicine"
    assert guideline.year == "2024"
    assert guideline.doi == "10.1515/cclm-2024-0070"
    assert guideline.pmcid == ""
    assert guideline.authors[:2] == ["Kouri TT", "Hofmann W"]
    # The collective author is kept as written, after the people.
    assert guideline.authors[-1].startswith("Task and Finish Group for Urinalysis")
    # Structured abstract: each section keeps its label, the copyright line is left out.
    sections = guideline.abstract.split("\n")
    assert sections[0].startswith("BACKGROUND: The EFLM Task and Finish Group")
    assert sections[2].startswith("MEDICAL NEEDS AND TEST REQUISITION: Strategies")
    assert "Walter de Gruyter" not in guideline.abstract
    assert (guideline.volume, guideline.issue, guideline.pages) == ("62", "9", "1653-1786")
    assert "Urinalysis" in guideline.keywords and "urinary tract infections" in guideline.keywords

    (peerj,) = iter_pubmed_xml(pmid_xml / "30386702.xml")
    assert (peerj.pmid, peerj.pmcid, peerj.doi) == ("30386702", "PMC6203937", "10.7717/peerj.5807")
    assert (peerj.journal, peerj.year, len(peerj.authors)) == ("PeerJ", "2018", 7)


def test_every_real_record_agrees_with_biopython(shared_data: Path) -> None:
    """PMID, title, DOI, PMCID, year, journal, authors and abstract labels, record by record,
    against Bio.Entrez.read (an independent parser) on all 172 real PubMed articles."""
    checked = 0
    for path in real_files(shared_data):
        with path.open("rb") as handle:
            theirs = Entrez.read(handle)["PubmedArticle"]
        ours = {rec.pmid: rec for rec in iter_pubmed_xml(path)}
        assert len(ours) == len(theirs), path
        for article in theirs:
            cit = article["MedlineCitation"]
            art = cit["Article"]
            rec = ours[str(cit["PMID"])]
            ids = {
                str(i.attributes["IdType"]): str(i) for i in article["PubmedData"]["ArticleIdList"]
            }
            doi = ids.get("doi", "") or next(
                (str(e) for e in art.get("ELocationID", []) if e.attributes["EIdType"] == "doi"),
                "",
            )
            pub_date = art["Journal"]["JournalIssue"]["PubDate"]
            year = str(pub_date.get("Year", str(pub_date.get("MedlineDate", ""))[:4]))
            authors = [a for a in art.get("AuthorList", []) if a.attributes["ValidYN"] == "Y"]
            labels = [
                str(a.attributes["Label"])
                for a in art.get("Abstract", {}).get("AbstractText", [])
                if a.attributes.get("Label")
            ]
            assert rec.record_id == f"pmid-{rec.pmid}"
            assert title_key(rec.title) == title_key(str(art["ArticleTitle"])), rec.pmid
            assert rec.doi == doi.lower(), rec.pmid
            assert rec.pmcid == ids.get("pmc", ""), rec.pmid
            assert rec.year == year, rec.pmid
            assert rec.journal == str(art["Journal"]["Title"]), rec.pmid
            assert len(rec.authors) == len(authors), rec.pmid
            assert all(f"{label}: " in rec.abstract for label in labels), rec.pmid
            checked += 1
    assert checked == 172


def test_book_article() -> None:
    (book,) = parse(
        b"""<PubmedBookArticle><BookDocument><PMID Version="1">20301295</PMID>
        <ArticleIdList><ArticleId IdType="bookaccession">NBK1116</ArticleId></ArticleIdList>
        <Book><Publisher><PublisherName>University of Washington, Seattle</PublisherName>
        </Publisher><BookTitle book="gene">GeneReviews&#xae;</BookTitle>
        <PubDate><Year>1993</Year></PubDate>
        <AuthorList Type="editors"><Author><LastName>Adam</LastName><ForeName>Margaret P</ForeName>
        <Initials>MP</Initials></Author></AuthorList></Book>
        <ArticleTitle book="gene" part="alport">Alport Syndrome</ArticleTitle>
        <Language>eng</Language>
        <AuthorList Type="authors"><Author><LastName>Kashtan</LastName>
        <ForeName>Clifford E</ForeName><Initials>CE</Initials></Author></AuthorList>
        <PublicationType UI="D016454">Review</PublicationType>
        <Abstract><AbstractText Label="CLINICAL CHARACTERISTICS">Alport syndrome is a disease.
        </AbstractText><AbstractText Label="DIAGNOSIS/TESTING">Testing helps.</AbstractText>
        </Abstract></BookDocument><PubmedBookData><ArticleIdList>
        <ArticleId IdType="pubmed">20301295</ArticleId></ArticleIdList></PubmedBookData>
        </PubmedBookArticle>"""
    )
    assert book.pmid == "20301295"
    assert book.title == "Alport Syndrome"
    assert book.journal == "GeneReviews®"
    assert book.year == "1993"
    assert book.authors == ["Kashtan CE"]  # the editors are not the chapter's authors
    assert book.abstract == (
        "CLINICAL CHARACTERISTICS: Alport syndrome is a disease.\nDIAGNOSIS/TESTING: Testing helps."
    )
    assert book.publication_type == "Book chapter; Review"
    assert book.raw["book_accession"] == "NBK1116"


def test_medline_date_elocation_doi_otherid_pmcid_and_invalid_authors() -> None:
    (rec,) = parse(
        b"""<PubmedArticle><MedlineCitation><PMID Version="1">9999991</PMID>
        <Article><Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate>
        </PubDate></JournalIssue><Title>J Test</Title></Journal>
        <ArticleTitle>A <i>test</i> title.</ArticleTitle>
        <ELocationID EIdType="pii" ValidYN="Y">S0001</ELocationID>
        <ELocationID EIdType="doi" ValidYN="Y">10.1000/ABC.1</ELocationID>
        <AuthorList><Author ValidYN="Y"><LastName>King</LastName><ForeName>Martin L</ForeName>
        <Initials>ML</Initials><Suffix>Jr</Suffix></Author>
        <Author ValidYN="N"><LastName>Wrong</LastName><Initials>X</Initials></Author></AuthorList>
        <Pagination><StartPage>e12</StartPage></Pagination>
        </Article><OtherID Source="NLM">PMC123456</OtherID></MedlineCitation>
        <PubmedData><ArticleIdList><ArticleId IdType="pubmed">9999991</ArticleId></ArticleIdList>
        </PubmedData></PubmedArticle>"""
    )
    assert rec.year == "1998"
    assert rec.raw["pub_date"] == "1998 Dec-1999 Jan"
    assert rec.doi == "10.1000/abc.1"
    assert rec.pmcid == "PMC123456"
    assert rec.authors == ["King ML Jr"]
    assert rec.title == "A test title"
    assert rec.pages == "e12"


def test_season_date_and_electronic_fallback() -> None:
    season, undated = parse(
        b"""<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><Journal><JournalIssue>
        <PubDate><Year>1990</Year><Season>Spring</Season></PubDate></JournalIssue></Journal>
        <ArticleTitle>Spring</ArticleTitle></Article></MedlineCitation></PubmedArticle>
        <PubmedArticle><MedlineCitation><PMID>2</PMID><Article><Journal><JournalIssue><PubDate/>
        </JournalIssue></Journal><ArticleTitle>Undated</ArticleTitle><ArticleDate>
        <Year>2021</Year><Month>03</Month><Day>04</Day></ArticleDate></Article></MedlineCitation>
        </PubmedArticle>"""
    )
    assert (season.year, season.raw["pub_date"]) == ("1990", "1990 Spring")
    assert undated.year == "2021"


def test_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>5</PMID><Article>"
        "<ArticleTitle>Title &x;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()
    (rec,) = iter_pubmed_xml(io.BytesIO(xml))
    assert "TOP-SECRET" not in rec.title
    assert rec.pmid == "5"


def test_truncated_and_non_pubmed_files_raise(shared_data: Path, tmp_path: Path) -> None:
    real = (shared_data / "entrez" / "metapub" / "pmid_xml" / "38534005.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(real[: len(real) // 2])
    with pytest.raises(ScopingError, match=r"cut\.xml, line \d+: malformed PubMed XML"):
        list(iter_pubmed_xml(cut))
    html = shared_data / "entrez" / "biopython" / "Entrez" / "pubmed3.html"
    with pytest.raises(ScopingError, match="not PubMed XML"):
        list(iter_pubmed_xml(html))
    error = shared_data / "entrez" / "biopython" / "Entrez" / "esummary8.xml"
    with pytest.raises(ScopingError, match="Neither query_key nor id specified"):
        list(iter_pubmed_xml(error))
