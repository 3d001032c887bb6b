"""RIS exports from every vendor (Scopus, Ovid, Embase, EBSCO, ProQuest, Web of Science, Lens,
Dimensions, Zotero, Mendeley, EndNote) to records."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scoping.normalise import normalise_doi, split_author_list
from scoping.readers.common import ReadContext, build_record, person_authors
from scoping.readers.identifiers import doi_in_text
from scoping.readers.tagged import RIS, RIS_TAGS, TaggedRecord, iter_tagged
from scoping.records import Record

#: RIS reference types as people name them (the rest are kept as the code).
REFERENCE_TYPES = {
    "ABST": "Abstract",
    "BOOK": "Book",
    "CHAP": "Book chapter",
    "CONF": "Conference proceeding",
    "CPAPER": "Conference paper",
    "DATA": "Dataset",
    "EBOOK": "Electronic book",
    "ECHAP": "Electronic book section",
    "EJOUR": "Electronic article",
    "ELEC": "Web page",
    "GEN": "Generic",
    "GOVDOC": "Government document",
    "INPR": "In press",
    "JFULL": "Journal (full)",
    "JOUR": "Journal article",
    "MGZN": "Magazine article",
    "NEWS": "Newspaper article",
    "PAT": "Patent",
    "RPRT": "Report",
    "SER": "Serial",
    "THES": "Thesis",
    "UNPB": "Unpublished work",
    "WEB": "Web page",
}

#: Vendor names as they appear in the DB/DP tags: (needle, label).
_DB_NAMES = (
    ("scopus", "Scopus"),
    ("ovid", "Ovid"),
    ("embase", "Embase"),
    ("ebscohost", "EBSCO"),
    ("proquest", "ProQuest"),
    ("web of science", "Web of Science"),
    ("clarivate", "Web of Science"),
    ("lens", "Lens"),
    ("dimensions", "Dimensions"),
    ("psycinfo", "PsycINFO"),
    ("nlm", "PubMed"),
    ("pubmed", "PubMed"),
    ("medline", "PubMed"),
)
#: Hosts of the record links each vendor writes (UR/L2), and accession-number prefixes.
_LINK_HOSTS = (
    ("scopus.com", "Scopus"),
    ("ovid.com", "Ovid"),
    ("embase.com", "Embase"),
    ("ebscohost.com", "EBSCO"),
    ("proquest.com", "ProQuest"),
    ("webofscience.com", "Web of Science"),
    ("lens.org", "Lens"),
    ("dimensions.ai", "Dimensions"),
    ("pubmed.ncbi.nlm.nih.gov", "PubMed"),
)
_ACCESSION_PREFIXES = (
    ("wos:", "Web of Science"),
    ("isi:", "Web of Science"),
    ("2-s2.0", "Scopus"),
    ("rayyan-", "Rayyan"),
)
# Rayyan can write "AU  - S, Choudhary": initials where the family name belongs.
_SWAPPED = re.compile(
    r"^(?P<initials>[A-Z]{1,3}),\s*(?P<family>[^\W\d_][\w'’\-]+(?: [^\W\d_][\w'’\-]+)?)$"
)
_PUBMED_DB = re.compile(r"\b(?:nlm|pubmed|medline)\b", re.IGNORECASE)
_OVID_MEDLINE = re.compile(r"ovid\S*[?&]D=(?:med\w*|mes\w|prem|ppez)&\S*AN=(\d{1,8})(?:&|$)")
_ZOTERO_ERN = re.compile(r"electronic-resource-num:\s*(10\.\d{4,9}/[^<\s]+)")
_DOI_IN = re.compile(r"10\.\d{4,9}/\S+")


def flavour_of(rec: TaggedRecord) -> str:
    """Vendor of a RIS record, from its database tags, accession number or record link."""
    db = " ".join(rec.values("DB") + rec.values("DP")).lower()
    for needle, label in _DB_NAMES:
        if re.search(rf"\b{needle}", db):
            return label
    accession = (rec.first("AN") or rec.first("UT")).lower()
    for prefix, label in _ACCESSION_PREFIXES:
        if accession.startswith(prefix):
            return label
    links = " ".join(rec.values("UR") + rec.values("L2")).lower()
    for host, label in _LINK_HOSTS:
        if host in links:
            return label
    if any(t in ("UT", "WE", "J9") for t, _ in rec.fields):
        return "Web of Science"
    return ""


def _doi(rec: TaggedRecord) -> str:
    for tag in ("DO", "DI", "M3", "N1", "UR", "L2", "L3", "LK"):
        for value in rec.values(tag):
            # A bare DOI or doi.org link in any of these tags (EBSCO puts it in L3), or a DOI
            # inside a longer text that says "doi".
            doi = normalise_doi(value)
            if not doi and tag not in ("DO", "DI") and "doi" in value.lower():
                found = _DOI_IN.search(value)
                doi = normalise_doi(found.group(0)) if found else ""
            if not doi and tag == "N1" and "electronic-resource-num" in value:
                # Zotero's note for EndNote fields it has no place for.
                found = _ZOTERO_ERN.search(value)
                doi = normalise_doi(found.group(1)) if found else ""
            if doi:
                return doi
    return ""


def _pages(rec: TaggedRecord) -> str:
    start, end = rec.first("SP"), rec.first("EP")
    if start and end and end != start and "-" not in start:
        return f"{start}-{end}"
    return start or end


def _authors(rec: TaggedRecord, *, rayyan: bool = False) -> list[str]:
    names: list[str] = []
    for tag in ("AU", "A1"):
        for line in rec.lines(tag):
            names.extend(split_author_list(line) if ";" in line else [line])
    if rayyan and names and all(_SWAPPED.match(n.strip()) for n in names):
        # Only a record whose every name is swapped: "WU, Jing" alone is a real family name.
        names = [_unswap(n) for n in names]
    return person_authors(names)


def _unswap(name: str) -> str:
    m = _SWAPPED.match(name.strip())
    return f"{m.group('family')}, {m.group('initials')}" if m else name


def ris_to_record(rec: TaggedRecord, ctx: ReadContext) -> Record | None:
    """One RIS record as a ``Record`` (``None`` when it holds nothing)."""
    kind = rec.first("TY")
    db = " ".join(rec.values("DB") + rec.values("DP"))
    accession = rec.first("AN")
    pmid = accession if _PUBMED_DB.search(db) and accession.isdigit() else ""
    for link in rec.values("L2") + rec.values("UR"):
        ovid = _OVID_MEDLINE.search(link)  # Ovid MEDLINE's accession number is the PMID
        if ovid and not pmid:
            pmid = ovid.group(1)
    urls = [u for t in ("UR", "L2", "LK", "L1") for v in rec.values(t) for u in v.split()]
    rayyan = accession.startswith("rayyan-")
    doi = _doi(rec)
    if rayyan and not doi:
        # Rayyan keeps the publisher's link, which often carries the DOI (".../10.3389/...").
        doi = next((d for d in map(doi_in_text, urls) if d), "")
    return build_record(
        ctx,
        where=f"the record at line {rec.line}",
        line=rec.line,
        source_id=rec.first("ID") or accession,
        pmid=pmid,
        pmcid=next((v for v in rec.values("C2") if v.upper().startswith("PMC")), ""),
        doi=doi,
        title=rec.first("TI", "T1", "CT", "BT", "ST"),
        abstract=rec.first("AB", "N2"),
        authors=_authors(rec, rayyan=rayyan),
        year=rec.first("PY", "Y1", "DA", "Y2"),
        journal=rec.first("JF", "JO", "T2", "JA", "J2", "J1"),
        volume=rec.first("VL"),
        issue=rec.first("IS"),
        pages=_pages(rec).rstrip("-") if rayyan else _pages(rec),  # Rayyan: "457-60-"
        url=urls[0] if urls else "",
        publication_type=REFERENCE_TYPES.get(kind, kind),
        keywords=[k for line in rec.lines("KW") for k in _split_keywords(line)],
        language=rec.first("LA"),
        raw=rec.raw(),
    )


def _split_keywords(line: str) -> list[str]:
    return [k.strip() for k in line.split(";") if k.strip()] if ";" in line else [line]


def read_ris(text: str, ctx: ReadContext) -> Iterator[Record]:
    """Records of a RIS export; unknown tags are kept in ``raw`` and reported once each."""
    unknown: dict[str, int] = {}
    for rec in iter_tagged(text, dialect=RIS, path=ctx.path):
        if not ctx.flavour:
            ctx.flavour = flavour_of(rec)
        for tag, _ in rec.fields:
            if tag not in RIS_TAGS and tag not in unknown:
                unknown[tag] = rec.line
        out = ris_to_record(rec, ctx)
        if out is not None:
            yield out
    for tag, line in unknown.items():
        ctx.note(f"tag '{tag}' is not in the RIS specification (first at line {line}); kept in raw")
