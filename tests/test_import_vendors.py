"""Vendor exports read with no ``columns:`` mapping: every file in ../shared/data/ADDED.md, and
small files in each vendor's layout where no real export may be shipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from import_helpers import readme_rows, table_count

from scoping.normalise import normalise_doi
from scoping.readers import read_file

MORE = "formats/more/"

#: Per file: the raw column(s) holding authors, and the separator that shows a cell holds
#: several; then, per field, the raw column that holds it (a record whose cell is filled must
#: have the field). Rayyan RIS gives repeated AU tags as a list.
HOLDS: dict[str, tuple[str, str, dict[str, str]]] = {
    "ovid_csv/ahro_citation.csv": ("AU", "\n\n", {"doi": "DO", "pmid": "PM", "year": "YR"}),
    "ovid_csv/ahro_embase.csv": ("AU", "\n\n", {"pmid": "PM", "year": "SO"}),
    "ovid_csv/ahro_bmc2021.csv": ("AU", "\n\n", {"doi": "DO", "year": "YR"}),
    "pubmed_csv/colrev_pubmed-chatbot.csv": (
        "Authors", ", ", {"doi": "DOI", "pmid": "PMID", "year": "Publication Year"}),
    "pubmed_csv/p1m_csv-2020dpspre-set.csv": (
        "Authors", ", ", {"doi": "DOI", "pmid": "PMID", "year": "Publication Year",
                          "pmcid": "PMCID"}),
    "pubmed_csv/p1m_csv-googletipa-set.csv": (
        "Authors", ", ", {"doi": "DOI", "pmid": "PMID", "year": "Publication Year"}),
    "pubmed_csv_legacy/p1m_pubmed_result_ssb_2019-07-13_thru_2019-07-14_58.csv": (
        "Description", ", ", {"doi": "Details", "pmid": "Identifiers", "year": "ShortDetails"}),
    "pubmed_csv_legacy/p1m_pubmed_result_2020-04-10.csv": (
        "Description", ", ", {"doi": "Details", "pmid": "Identifiers", "year": "ShortDetails"}),
    "lens_csv/bibliotobler_lens-export.csv": (
        "Author/s", "; ", {"doi": "DOI", "pmid": "PMID", "year": "Publication Year"}),
    "lens_csv/bibliometrix_lens_sample.csv": (
        "Author/s", "; ", {"doi": "DOI", "pmid": "PMID", "year": "Publication Year",
                           "pmcid": "PMCID"}),
    "openalex_csv/bibliometrix_openalex_sample.csv": (
        "authorships.author.display_name", "|",
        {"doi": "doi", "pmid": "ids.pmid", "year": "publication_year"}),
    "covidence_csv/ai_transparency_review_581959_screen_csv_20250603221248.csv": (
        "Authors", "; ", {"doi": "DOI", "year": "Published Year"}),
    "covidence_csv/ai_transparency_review_581959_select_csv_20250828214636.csv": (
        "Authors", "; ", {"doi": "DOI", "year": "Published Year"}),
    "zotero_csv/ai_transparency_Exported_Items.csv": (
        "Author", "; ", {"doi": "DOI", "year": "Publication Year"}),
    "rayyan/rayyanR_tinea_update.ris": ("AU", "", {"year": "Y1"}),  # no DOI anywhere
    "rayyan/rayyanR_MLJ_includes_articles.ris": ("AU", "", {"doi": "DO", "year": "Y1"}),
    "publish_or_perish/bibliotobler_PoPCites.csv": (
        "Authors", ", ", {"doi": "DOI", "year": "Year"}),
    "publish_or_perish/colrev_google_scholar.json": ("authors", "; ", {"year": "year"}),
}  # fmt: skip

ADDED = [(rel, cell) for rel, cell in readme_rows(Path(__file__).resolve().parents[2]
         / "shared" / "data", MORE)]  # fmt: skip


def test_every_added_file_is_described() -> None:
    assert {rel.removeprefix(MORE) for rel, _ in ADDED} == set(HOLDS)


def _several(value: object, sep: str) -> bool:
    if isinstance(value, list):
        return len(value) > 1
    text = str(value or "").replace("\r\n", "\n").replace("…", "").replace("et al.", "")
    text = text.strip(" .,;")
    return bool(sep) and sep in text


@pytest.mark.parametrize(("rel", "cell"), ADDED, ids=[r for r, _ in ADDED])
def test_added_file_reads_count_authors_and_ids(shared_data: Path, rel: str, cell: str) -> None:
    result = read_file(shared_data / rel)
    assert len(result.records) == table_count(cell)
    author_column, sep, holds = HOLDS[rel.removeprefix(MORE)]
    several = [r for r in result.records if _several(r.raw.get(author_column), sep)]
    assert several, "the file has records with several authors"
    assert all(len(r.authors) > 1 for r in several)
    assert not any("\n" in a or ";" in a or "|" in a for r in result.records for a in r.authors)
    for name, column in holds.items():
        held = [r for r in result.records if str(r.raw.get(column) or "").strip() not in ("", "NA")]
        if name == "doi" and column == "Details":
            held = [r for r in held if "doi:" in str(r.raw[column])]
        assert held, f"{column} is filled somewhere"
        assert all(getattr(r, name) for r in held), f"{name} from {column}"
        if name == "doi":
            assert all(normalise_doi(r.doi) == r.doi for r in held)
        if name == "year":
            assert all(1800 <= int(r.year) <= 2026 for r in held)


# (file, index, first author, year, journal, volume, issue, pages, DOI, PMID), read by eye.
SPOT = [
    ("ovid_csv/ahro_citation.csv", 0, "Hall V", "2018", "Journal of Travel Medicine", "25",
     "1", "tay018", "10.1093/jtm/tay018", "29635641"),
    ("ovid_csv/ahro_embase.csv", 2, "Dwyer CM", "2021",
     "Therapeutic Advances in Neurological Disorders", "14", "", "", "", ""),
    ("ovid_csv/ahro_bmc2021.csv", 0, "Nambiar S", "2021", "Respiratory Research", "22", "1",
     "105", "10.1186/s12931-021-01682-3", ""),
    ("pubmed_csv/colrev_pubmed-chatbot.csv", 0, "Lim SM", "2022", "Behav Ther", "53", "2",
     "334-347", "10.1016/j.beth.2021.09.007", "35227408"),
    ("pubmed_csv/p1m_csv-2020dpspre-set.csv", 0, "Guo YR", "2020", "Mil Med Res", "7", "1",
     "11", "10.1186/s40779-020-00240-0", "32169119"),
    ("pubmed_csv_legacy/p1m_pubmed_result_2020-04-10.csv", 0, "Jamieson T", "2019",
     "Appl Clin Inform", "10", "3", "528-533", "10.1055/s-0039-1693456", "31340398"),
    ("pubmed_csv_legacy/p1m_pubmed_result_ssb_2019-07-13_thru_2019-07-14_58.csv", 0,
     "Nilsson C", "2019", "Pediatr Allergy Immunol", "", "", "", "10.1111/pai.13110",
     "31301691"),
    ("lens_csv/bibliotobler_lens-export.csv", 0, "Ratkóczy", "1941",
     "Deutsche Zeitschrift für die Gesamte Gerichtliche Medizin", "33", "3", "201-213",
     "10.1007/bf01773665", ""),
    ("lens_csv/bibliometrix_lens_sample.csv", 0, "Radanliev P", "2020",
     "Environment systems & decisions", "41", "2", "1-12", "10.1007/s10669-020-09792-x",
     "33251087"),
    ("openalex_csv/bibliometrix_openalex_sample.csv", 0, "Aria M", "2017",
     "Journal of Informetrics", "", "", "", "10.1016/j.joi.2017.08.007", ""),
    ("covidence_csv/ai_transparency_review_581959_screen_csv_20250603221248.csv", 0, "Silva GS",
     "2024", "STROKE", "55", "10", "2573-2578", "10.1161/strokeaha.124.045012", ""),
    ("zotero_csv/ai_transparency_Exported_Items.csv", 0, "Antonetti P", "2018",
     "Journal of Business Research", "90", "", "14-25", "10.1016/j.jbusres.2018.03.030", ""),
    ("rayyan/rayyanR_tinea_update.ris", 0, "Choudhary S", "2013",
     "Indian journal of dermatology", "58", "6", "457-60", "", ""),
    ("rayyan/rayyanR_MLJ_includes_articles.ris", 0, "Jones ML", "2023",
     "Frontiers in Veterinary Science", "10", "", "", "10.3389/fvets.2023.1079948", ""),
    ("publish_or_perish/bibliotobler_PoPCites.csv", 0, "Tobler W", "1993", "", "", "", "", "",
     ""),
    ("publish_or_perish/colrev_google_scholar.json", 0, "Guo W", "2021", "MIS Quarterly", "",
     "", "", "", ""),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rel", "index", "author", "year", "journal", "volume", "issue", "pages", "doi", "pmid"),
    SPOT,
    ids=[s[0] for s in SPOT],
)
def test_vendor_spot_check(
    shared_data: Path, rel: str, index: int, author: str, year: str, journal: str,
    volume: str, issue: str, pages: str, doi: str, pmid: str,
) -> None:  # fmt: skip
    rec = read_file(shared_data / MORE / rel).records[index]
    got = (rec.authors[0], rec.year, rec.journal, rec.volume, rec.issue, rec.pages, rec.doi)
    assert got == (author, year, journal, volume, issue, pages, doi)
    assert rec.pmid == pmid


def test_vendor_quirks_of_added_files(shared_data: Path) -> None:
    legacy = read_file(shared_data / MORE / SPOT[5][0])
    assert legacy.flavour == "PubMed"
    first = legacy.records[0]
    assert (first.pmcid, first.abstract) == ("PMC6656570", "")  # Description is not an abstract
    assert first.url == "https://pubmed.ncbi.nlm.nih.gov/31340398/"
    ovid = read_file(shared_data / MORE / "ovid_csv/ahro_citation.csv")
    assert ovid.flavour == "Ovid"
    assert ovid.records[0].raw["IS"] == "1195-1982"  # IS is the ISSN, not the issue
    assert ovid.records[0].keywords[:2] == ["Biologic agent", "Infection risk"]
    lens = read_file(shared_data / MORE / "lens_csv/bibliotobler_lens-export.csv").records[0]
    assert not any("null" in a for a in lens.authors)
    assert "Sjövall E" in lens.authors
    rayyan = read_file(shared_data / MORE / "rayyan/rayyanR_tinea_update.ris").records[0]
    assert "RAYYAN-INCLUSION" in str(rayyan.raw["N1"])  # decisions kept for audit
    covidence = read_file(shared_data / MORE / SPOT[10][0]).records[0]
    assert covidence.source_id == "WOS:001337182000002"
