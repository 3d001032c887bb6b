"""Vendor table exports, told apart by their columns, each read without a ``columns:`` mapping.

A ``TableVendor`` names the columns only that vendor writes, the column names to try before the
generic guesses in ``scoping.readers.table.ALIASES`` (an empty tuple means: do not guess that
field, because the vendor's column of that name means something else), and a ``fix`` that
rewrites one row's fields from the vendor's packed cells (a citation string, a link holding the
DOI, an ID list).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from scoping.normalise import normalise_doi, year_from
from scoping.readers.citation import Citation, parse_ovid_source, parse_pubmed_citation
from scoping.readers.identifiers import doi_in_text, pmcid_in_text, pmid_in_text

#: ``fix(fields, cells)``: ``fields`` maps record fields to values (changed in place); ``cells``
#: maps every column (by ``header_key``) to its value.
RowFix = Callable[[dict[str, str], dict[str, str]], None]


@dataclass(frozen=True, slots=True)
class TableVendor:
    """One vendor's table export: how to tell it, where its fields are, what to unpack."""

    label: str
    needs: tuple[str, ...]  # column keys that must all be present
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fix: RowFix | None = None
    prefix: str = ""  # a key prefix any column may have instead of ``needs`` (flattened JSON)


def _fill(fields: dict[str, str], cite: Citation, *, journal: bool = True) -> None:
    """Citation parts into the fields that are still empty."""
    for name in ("year", "volume", "issue", "pages", "doi") + (("journal",) if journal else ()):
        value = getattr(cite, name)
        if value and not fields.get(name):
            fields[name] = value


def _first_doi(cells: dict[str, str], keys: tuple[str, ...]) -> str:
    for key in keys:
        doi = doi_in_text(cells.get(key, ""))
        if doi:
            return doi
    return ""


def _comma_list(fields: dict[str, str]) -> None:
    # PubMed ("Guo YR, Cao QD, ..., Investigation Team.") and Google Scholar ("MW Tobler,
    # SE Carrillo‐Percastegui, ...") put a comma between names and never inside one, so a group
    # name or an unusual hyphen among them must not glue the list into one name.
    fields["authors"] = fields.get("authors", "").rstrip(" .").replace(", ", "; ")


def _pubmed_csv(fields: dict[str, str], cells: dict[str, str]) -> None:
    _comma_list(fields)
    # "Behav Ther. 2022 Mar;53(2):334-347. doi: ...": volume, issue and pages are only here.
    _fill(fields, parse_pubmed_citation(cells.get("citation", "")), journal=False)


def _pubmed_legacy(fields: dict[str, str], cells: dict[str, str]) -> None:
    # Before 2020 PubMed's CSV held authors in Description and the citation in Details; the
    # year only in ShortDetails ("J Thromb Haemost.  2019"); IDs as "PMID:1 | PMCID:PMC2".
    _comma_list(fields)
    cite = parse_pubmed_citation(cells.get("details", ""))
    fields["year"] = year_from(cells.get("shortdetails", "")) or cite.year
    _fill(fields, cite)
    ids = cells.get("identifiers", "")
    fields["pmid"] = pmid_in_text(ids) or fields.get("pmid", "")
    fields["pmcid"] = pmcid_in_text(ids) or fields.get("pmcid", "")
    url = fields.get("url", "")
    if url.startswith("/pubmed/"):
        fields["url"] = f"https://pubmed.ncbi.nlm.nih.gov/{url.removeprefix('/pubmed/')}/"


def _embase_csv(fields: dict[str, str], cells: dict[str, str]) -> None:
    # Embase's "Source" holds "Journal (2014) 3:3 (152-160). Date of Publication: ...".
    m = _EMBASE_SOURCE.match(fields.get("journal", ""))
    if m:
        fields["journal"] = m.group("journal")
        for name in ("year", "volume", "issue", "pages"):
            if not fields.get(name):
                fields[name] = m.group(name) or ""


_EMBASE_SOURCE = re.compile(
    r"^(?P<journal>.+?) \((?P<year>\d{4})\)(?: (?P<volume>[^:\s(]+)(?::(?P<issue>[^\s(]+))?)?"
    r"(?: \((?P<pages>[^)]*)\))?"
)
# What Ovid appends to a title: " [References]." (PsycInfo), " [Review]" and "[42 refs]" (MEDLINE).
_OVID_TITLE_TAIL = re.compile(r"(?:\s*\[(?:References|Review|\d+ refs)\]\.?)+\s*$", re.IGNORECASE)


def _ovid_csv(fields: dict[str, str], cells: dict[str, str]) -> None:
    # SO is "Journal. 25 (1) (no pagination), 2018. Article Number: ..." (Embase) or "Journal.
    # Vol.15, 2023, ArtID 1225786." (PsycInfo); TJ, where exported, is the journal alone.
    cite = parse_ovid_source(cells.get("so", ""))
    fields["journal"] = cells.get("tj") or cite.journal
    _fill(fields, cite)
    fields["title"] = _OVID_TITLE_TAIL.sub("", fields.get("title", ""))
    fields["pmid"] = pmid_in_text(cells.get("pm", ""))
    # FTURL can be the text "Click here for full text options"; UR is the journal's home page.
    links = [cells.get(k, "") for k in ("fturl", "lk", "xl") if cells.get(k, "").startswith("http")]
    # The DOI is in DO as "http://dx.doi.org/10...", else only URL-encoded in a full-text link.
    fields["doi"] = normalise_doi(cells.get("do", "")) or next(
        (d for d in map(doi_in_text, links) if d), ""
    )
    fields["url"] = links[0] if links else ""


_LEADING_CUT = re.compile(r"^\s*(?:…|\.\.\.)\s*,\s*")


def _publish_or_perish(fields: dict[str, str], cells: dict[str, str]) -> None:
    # Google Scholar cuts long author lists at either end: "…, IL Schafer, W Tobler, ...".
    fields["authors"] = _LEADING_CUT.sub("", fields.get("authors", ""))
    _comma_list(fields)


def _publish_or_perish_json(fields: dict[str, str], cells: dict[str, str]) -> None:
    # The JSON export writes 0 for a volume, issue or page Google Scholar does not know.
    for name in ("volume", "issue", "start_page", "end_page"):
        if fields.get(name) == "0":
            fields[name] = ""


_LENS_NULL = re.compile(r"(?:^|(?<=;))\s*null\s+")


def _lens(fields: dict[str, str], cells: dict[str, str]) -> None:
    # Lens writes an unknown given name as "null" ("null Ratkóczy; Einar Sjövall").
    fields["authors"] = _LENS_NULL.sub(" ", fields.get("authors", "")).strip()
    if not fields.get("doi"):
        fields["doi"] = _first_doi(cells, ("externalurl", "sourceurls"))


def _openalex(fields: dict[str, str], cells: dict[str, str]) -> None:
    # Multi-valued cells are joined by "|" ("Massimo Aria|Corrado Cuccurullo").
    fields["authors"] = fields.get("authors", "").replace("|", "; ")
    fields["keywords"] = fields.get("keywords", "").replace("|", "; ")
    fields["pmid"] = pmid_in_text(fields.get("pmid", ""))


_GLUED_URL = re.compile(r"(?<=\S)(?=https?://)")


def _rayyan_csv(fields: dict[str, str], cells: dict[str, str]) -> None:
    # "url" can hold two links glued together ("...&from=exporthttp://dx.doi.org/...").
    links = _GLUED_URL.split(fields.get("url", ""))
    fields["url"] = links[0].strip() if links else ""
    if not fields.get("doi"):
        fields["doi"] = next((d for d in map(doi_in_text, links) if d), "")


def _ebsco_csv(fields: dict[str, str], cells: dict[str, str]) -> None:
    # EBSCO writes MEDLINE's PMID as "NLM31530099" (in the accession or an ID column).
    for key in ("pmid", "an", "ui"):
        pmid = pmid_in_text(cells.get(key, "")) if "NLM" in cells.get(key, "") else ""
        if pmid:
            fields["pmid"] = pmid
            break


def _ebsco_flattened(fields: dict[str, str], cells: dict[str, str]) -> None:
    # JSON flattened to columns: one column per author ("artinfo/aug/au/0", ".../1", ...) and
    # one per identifier ("artinfo/ui/0": a DOI, "NLM31530099", ...).
    authors = [v for k, v in cells.items() if re.fullmatch(r"artinfoaugau\d*", k) and v]
    if authors:
        fields["authors"] = "; ".join(authors)
    for key, value in cells.items():
        if not value or not (key.startswith("artinfoui") or key.startswith("headeran")):
            continue
        if value.startswith("NLM") and not fields.get("pmid"):
            fields["pmid"] = pmid_in_text(value)
        elif not fields.get("doi"):
            fields["doi"] = normalise_doi(value)


def _base(fields: dict[str, str], cells: dict[str, str]) -> None:
    # BASE keeps BibTeX's protective braces ("{COVID}-19") and gives DOIs only as identifiers
    # or links.
    for name in ("title", "authors", "journal"):
        fields[name] = fields.get(name, "").replace("{", "").replace("}", "")
    if not normalise_doi(fields.get("doi", "")):
        fields["doi"] = _first_doi(cells, ("dcdoi", "dcidentifier", "dclink", "identifier", "link"))


#: Most specific first; the first vendor whose columns are all present wins.
TABLE_VENDORS: tuple[TableVendor, ...] = (
    TableVendor("Scopus", ("eid", "sourcetitle")),
    TableVendor("IEEE Xplore", ("documenttitle", "pdflink")),
    TableVendor("IEEE Xplore", ("documenttitle", "ieeeterms")),
    TableVendor("PubMed", ("pmid", "citation", "firstauthor"), fix=_pubmed_csv),
    TableVendor(
        "PubMed",
        ("details", "shortdetails", "identifiers"),
        aliases={
            "authors": ("description",),
            "abstract": (),
            "journal": (),
            "publication_type": (),
            "pmid": ("entrezuid",),
        },
        fix=_pubmed_legacy,
    ),
    TableVendor("Embase", ("authornames", "openurllink"), fix=_embase_csv),
    TableVendor("Ovid", ("accessionnumber", "database")),
    TableVendor(
        "Ovid",
        ("vn", "db", "ti", "so"),
        aliases={
            "source_id": ("ui", "an"),
            "pmid": ("pm",),
            "journal": ("so",),
            "keywords": ("kw", "mh"),
            "url": (),
            "issue": (),  # IS is the ISSN; the issue is in SO
            "abstract": ("ab",),
        },
        fix=_ovid_csv,
    ),
    TableVendor("Zotero", ("key", "itemtype", "publicationtitle")),
    TableVendor("Web of Science", ("ut", "pt", "so")),
    TableVendor("EndNote", ("referencetype", "secondarytitle")),
    TableVendor(
        "Publish or Perish",
        ("uid", "articleurl", "citesurl"),
        aliases={"source_id": ("uid",)},
        fix=_publish_or_perish_json,
    ),
    TableVendor("Publish or Perish", ("gsrank", "articleurl"), fix=_publish_or_perish),
    TableVendor("Publish or Perish", ("cites", "articleurl"), fix=_publish_or_perish),
    TableVendor("Covidence", ("covidence",), aliases={"year": ("publishedyear",)}),
    TableVendor(
        "Lens",
        ("lensid",),
        aliases={"url": ("externalurl", "sourceurls"), "source_id": ("lensid",)},
        fix=_lens,
    ),
    TableVendor(
        "OpenAlex",
        ("displayname", "authorshipsauthordisplayname"),
        aliases={
            "title": ("displayname", "title"),
            "authors": ("authorshipsauthordisplayname",),
            "journal": ("primarylocationsourcedisplayname", "hostvenuedisplayname"),
            "pmid": ("idspmid",),
            "pmcid": ("idspmcid",),
            "volume": ("bibliovolume",),
            "issue": ("biblioissue",),
            "start_page": ("bibliofirstpage",),
            "end_page": ("bibliolastpage",),
            "keywords": ("keywordsdisplayname", "conceptsdisplayname"),
            "url": ("primarylocationlandingpageurl", "id"),
        },
        fix=_openalex,
    ),
    TableVendor(
        "Dimensions",
        ("publicationid", "sourcetitle"),
        aliases={"year": ("pubyear", "publicationdate"), "url": ("dimensionsurl", "sourcelinkout")},
    ),
    TableVendor("Rayyan", ("key", "authors", "notes", "month", "day"), fix=_rayyan_csv),
    TableVendor(
        "EBSCO",
        ("longdbname", "shortdbname", "an"),
        aliases={
            "authors": ("contributors",),
            "url": ("plink",),
            "source_id": ("an",),
            "year": ("publicationdate",),
            "journal": ("source", "journal", "publicationname"),
        },
        fix=_ebsco_csv,
    ),
    TableVendor(
        "EBSCO",
        ("artinfotigatl",),
        aliases={
            "title": ("artinfotigatl",),
            "journal": ("jinfojtl",),
            "abstract": ("artinfoab",),
            "volume": ("pubinfovid",),
            "issue": ("pubinfoiid",),
            "start_page": ("artinfoppf",),
            "year": ("pubinfodtyear", "pubinfodt"),
            "source_id": ("headeran", "an"),
            "url": ("plink",),
            "publication_type": ("artinfopubtype", "artinfodoctype"),
            "language": ("language", "headerlanguage"),
        },
        fix=_ebsco_flattened,
    ),
    TableVendor(
        "BASE",
        ("dctitle",),
        aliases={
            "title": ("dctitle",),
            "authors": ("dccreator", "dcperson"),
            "year": ("dcyear", "dcdate"),
            "doi": ("dcdoi",),
            "url": ("dclink", "dcidentifier"),
            "abstract": ("dcdescription",),
            "journal": ("dcsource",),
            "publisher": ("dcpublisher",),
            "publication_type": ("dctype", "dctypenorm"),
            "language": ("dclang", "dclanguage"),
            "keywords": ("dcsubject",),
        },
        fix=_base,
    ),
    TableVendor("bib-dedupe / CoLRev", ("id", "entrytype")),
)


def table_vendor(keys: set[str]) -> TableVendor | None:
    """The vendor whose columns are all among ``keys`` (``header_key`` forms), or ``None``."""
    for vendor in TABLE_VENDORS:
        if all(k in keys for k in vendor.needs):
            return vendor
    return None
