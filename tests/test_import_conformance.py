"""Every real export in ../shared/data/formats is read with exactly the README's record count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from import_helpers import readme_rows, table_count

from scoping.readers import read_file

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ROWS = readme_rows(SHARED, "formats/") if (SHARED / "README.md").is_file() else []

#: Rows the README marks as a different format ("0 records" or "text"), with what its prose says
#: they hold: (format, how the expected count is found).
NOT_WHAT_THE_NAME_SAYS = {
    # "holds Web of Science tagged records (count the ER lines)"
    "formats/rispy/example_wos.ris": ("wos", "er_lines"),
    # "a tab-separated EndNote export with three records"
    "formats/asysd/test_export.txt": ("tsv", 3),
    # A .txt holding one BibTeX entry (litsearchr's citation); counted by its '@' lines.
    "formats/synthesisr/litsearchr.txt": ("bibtex", "at_lines"),
}


def expected_count(path: Path, rel: str, cell: str) -> tuple[int, str | None]:
    count = table_count(cell)
    if rel in NOT_WHAT_THE_NAME_SAYS:
        fmt, how = NOT_WHAT_THE_NAME_SAYS[rel]
        text = path.read_text(encoding="utf-8-sig")
        if how == "er_lines":
            return len(re.findall(r"^ER\s*$", text, flags=re.MULTILINE)), fmt
        if how == "at_lines":
            return len(re.findall(r"^@\w+\{", text, flags=re.MULTILINE)), fmt
        return int(how), fmt
    if count is None or count == 0:
        pytest.fail(f"README row {rel} ({cell!r}) has no count and no entry in this test")
    return count, None


def test_the_table_lists_every_file(shared_data: Path) -> None:
    on_disk = {
        str(p.relative_to(shared_data)) for p in (shared_data / "formats").rglob("*") if p.is_file()
    }
    assert on_disk == {rel for rel, _ in ROWS}


@pytest.mark.parametrize(("rel", "cell"), ROWS, ids=[r for r, _ in ROWS])
def test_record_count_matches_readme(shared_data: Path, rel: str, cell: str) -> None:
    path = shared_data / rel
    want, fmt = expected_count(path, rel, cell)
    result = read_file(path)
    assert len(result.records) == want
    if fmt:
        assert result.format == fmt
    ids = [r.record_id for r in result.records]
    assert all(ids)
    # Every record keeps its source fields for audit (PubMed XML's reader keeps none).
    assert all(r.raw for r in result.records)


# (file, index, title starts with, first author, year, DOI), one or more per vendor; values read
# off the files by eye.
SPOT_CHECKS = [
    ("formats/revtools/restoration_pubmed.nbib", 0, "Ecosystem services changes between 2000",
     "Wu D", "2019", "10.1371/journal.pone.0209483"),
    ("formats/revtools/restoration_scopus.ris", 0, "LONG-TERM FOLLOW-UP OF RETINAL PIGMENT",
     "Zahid S", "2019", "10.1097/icb.0000000000000530"),
    ("formats/mckeown_ovid/0_Ovid_search_results_1_to_1000.ris", 0,
     "Mushroom poisoning: A proposed new clinical classification", "White J", "2018",
     "10.1016/j.toxicon.2018.11.007"),
    ("formats/asreview/embase.ris", 0, "Duplication cysts: Diagnosis, management", "Liu R",
     "2014", "10.4103/2303-9027.138783"),
    ("formats/citesource/topic_data/20221207_gambling-harms_psycinfo_124.ris", 0,
     "Frameworks of gambling harms", "Marionneau V", "2022", "10.1080/16066359.2022.2113071"),
    ("formats/asreview/proquest.ris", 0, "Predictors of posttraumatic stress symptom", "Jones H",
     "2019", "10.1002/jts.22387"),
    ("formats/revtools/restoration_WoS.ciw", 0, "Do magnetic phosphorus adsorbents",
     "Alvarez-Manzaneda I", "2019", "10.1016/j.scitotenv.2018.11.375"),
    ("formats/citesource/valid_data/WoS_79.ris", 0, "Marital Status and Problem Gambling",
     "Elton-Marshall T", "2018", "10.1017/s071498081800017x"),
    ("formats/citesource/new_stage_data/lens_343.ris", 0, "Tramadol for the Management of Opioid",
     "Shah K", "2020", "10.7759/cureus.9128"),
    ("formats/citesource/new_stage_data/Dimensions_246.ris", 0, "The long-term impact of bushfires",
     "Zhang Y", "2022", "10.1080/20008198.2022.2087980"),
    ("formats/asysd/zotero_export.ris", 0, "Microangiography of the humeral condyle", "Larsen LJ",
     "1999", ""),
    ("formats/asysd/zotero_export.bib", 0, "Microangiography of the humeral condyle", "Larsen LJ",
     "1999", ""),
    ("formats/asysd/zotero_export.csv", 0, "Myoclonus in older Cavalier King Charles Spaniels",
     "Rotter C", "2022", "10.1111/jvim.16404"),
    ("formats/asysd/zotero_export.xml", 0, "Myoclonus in older Cavalier King Charles Spaniels",
     "Rotter C", "2022", "10.1111/jvim.16404"),
    ("formats/asysd/mendeley_export.xml", 0, "Myoclonus in older Cavalier King Charles Spaniels",
     "Rotter C", "2022", "10.1111/jvim.16404"),
    ("formats/asreview/pubmed_endnote.txt", 0, "Boswellia serrata: an overall assessment",
     "Abdel-Tawab M", "2011", "10.2165/11586800-000000000-00000"),
    ("formats/synthesisr/Scopus_bib_example.bib", 0, "Soil fauna diversity at different stages",
     "Li W", "2020", "10.1080/20964129.2020.1722034"),
    ("formats/asreview/embase.csv", 0, "Duplication cysts: Diagnosis, management", "Liu R", "2014",
     ""),
    ("formats/synthesisr/extdata_zoorec.txt", 0, "Nest site selection and nest survival",
     "Stillman AN", "2019", ""),
    ("entrez/metapub/pmid_xml/38147649.xml", 0,
     "Social anxiety disorder-associated gut microbiota increases social fear", "Ritz NL",
     "2024", "10.1073/pnas.2308706120"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rel", "index", "title", "author", "year", "doi"), SPOT_CHECKS, ids=[s[0] for s in SPOT_CHECKS]
)
def test_spot_check(
    shared_data: Path, rel: str, index: int, title: str, author: str, year: str, doi: str
) -> None:
    rec = read_file(shared_data / rel).records[index]
    assert rec.title.startswith(title)
    assert rec.authors[0] == author
    assert rec.year == year
    assert rec.doi == doi


def test_vendor_quirks(shared_data: Path) -> None:
    ovid = read_file(shared_data / "formats/mckeown_ovid/0_Ovid_search_results_1_to_1000.ris")
    first = ovid.records[0]
    assert ovid.flavour == "Ovid"
    # Ovid MEDLINE: the accession number in the Ovid link is the PMID.
    assert first.pmid == "30439442"
    assert first.record_id == "pmid-30439442"
    # The link line after ER belongs to the record before it, not to the next one's title.
    assert str(first.raw["_after_record"]).startswith("Link to the Ovid Full Text")
    assert ovid.records[1].title.startswith("Monoamine biosynthesis")
    # Ovid PsycINFO writes an NL tag after ER: kept with its record, not lost.
    psyc = read_file(shared_data / "formats/asreview/ovid_psycinfo.ris").records[0]
    assert str(psyc.raw["_after_record"]).startswith("NL  - Clin Psychol Psychother")
    # Ovid writes a second PB line; rispy keeps one, we keep both.
    book = read_file(shared_data / "formats/mckeown_ovid/0_Ovid_search_results_3001_to_3130.ris")
    assert book.records[0].raw["PB"] == ["Charles C Thomas, Publisher", "England"]
    # URL-encoded Ovid DOI.
    assert book.records[1].doi == "10.1016/0376-8716(76)90010-7"
    # Embase CSV packs journal, year, volume, issue and pages into "Source".
    embase = read_file(shared_data / "formats/asreview/embase.csv").records[0]
    assert (embase.journal, embase.volume, embase.issue, embase.pages) == (
        "Endoscopic Ultrasound",
        "3",
        "3",
        "152-160",
    )
    # A Cyrillic title still identifies its record.
    utf = read_file(shared_data / "formats/rispy/example_utf_chars.ris").records[0]
    assert utf.title.startswith("Состояние рецепторного")
    assert utf.record_id.startswith("ref-")


def test_unknown_ris_tags_are_kept_and_reported(shared_data: Path) -> None:
    result = read_file(shared_data / "formats/rispy/example_multi_unknown_tags.ris")
    assert (result.records[0].raw["JP"], result.records[0].raw["DC"]) == (
        "CRISPR",
        "Direct Current",
    )
    assert any("tag 'JP'" in p for p in result.problems)
    assert any("tag 'DC'" in p for p in result.problems)


def test_empty_ris_record_is_counted_and_reported(shared_data: Path) -> None:
    result = read_file(shared_data / "formats/asreview/baseline_reference_types.ris")
    assert len(result.records) == 61
    assert any("1 empty record(s) kept" in p for p in result.problems)
    assert len({r.record_id for r in result.records}) == 61


def test_pubmed_xml_files(shared_data: Path) -> None:
    rows = readme_rows(shared_data, "entrez/metapub/pmid_xml/")
    assert len(rows) > 100
    for rel, cell in rows:
        path = shared_data / rel
        result = read_file(path)
        assert result.format == "pubmed_xml"
        # One file is an empty PubmedArticleSet ("0 PubmedArticle" in the README).
        assert [r.pmid for r in result.records] == [path.stem] * (table_count(cell) or 0)


def test_medline_matches_biopython(shared_data: Path) -> None:
    from Bio import Medline

    paths = sorted((shared_data / "entrez/biopython/Medline").glob("*.txt"))
    for path in [*paths, shared_data / "formats/revtools/restoration_pubmed.nbib"]:
        with path.open(encoding="utf-8") as handle:
            theirs = list(Medline.parse(handle))
        ours = read_file(path, format="medline").records
        assert [r.pmid for r in ours] == [r.get("PMID", "") for r in theirs]
        assert [r.raw.get("TI", "").split() for r in ours] == [
            r.get("TI", "").split() for r in theirs
        ]


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("cytology_screening", 1856),
        ("haematology", 1415),
        ("respiratory", 1988),
        ("stroke", 1292),
        ("digital_work", 7159),
        ("special_cases", 12),
    ],
)
def test_bibdedupe_benchmark_csv(shared_data: Path, name: str, rows: int) -> None:
    path = shared_data / "dedup/bibdedupe_benchmark" / name / "records_pre_merged.csv"
    result = read_file(path)
    assert len(result.records) == rows
    assert [r.source_id for r in result.records[:2]] == [r.raw["ID"] for r in result.records[:2]]
    assert all(r.source_id.startswith("id_") for r in result.records)
    assert sum(1 for r in result.records if r.authors) > 0.9 * rows


def test_bibdedupe_untitled_rows_are_kept(shared_data: Path) -> None:
    path = shared_data / "dedup/bibdedupe_benchmark/haematology/records_pre_merged.csv"
    result = read_file(path)
    untitled = [r for r in result.records if not r.title]
    assert [r.source_id for r in untitled][:1] == ["id_0000002"]
    assert untitled[0].authors[0] == "Zuber J"
    assert any("without a title kept" in p for p in result.problems)


@pytest.mark.parametrize(
    "rel",
    [
        "dedup/asreview_datatools/duplicate_data_with_doi.csv",
        "dedup/asreview_datatools/duplicate_data_without_doi.csv",
        "dedup/asreview/duplicate_records.csv",
        "dedup/asreview_datatools/dataset_1.ris",
        "dedup/asreview_datatools/dataset_2.ris",
    ],
)
def test_asreview_dedup_fixtures(shared_data: Path, rel: str) -> None:
    want = {row: table_count(cell) for row, cell in readme_rows(shared_data, "dedup/")}[rel]
    result = read_file(shared_data / rel)
    assert len(result.records) == want


@pytest.mark.parametrize(
    ("rel", "flavour"),
    [
        ("formats/revtools/restoration_scopus.ris", "Scopus"),
        ("formats/mckeown_ovid/0_Ovid_search_results_1_to_1000.ris", "Ovid"),
        ("formats/asreview/embase.ris", "Embase"),
        ("formats/citesource/valid_data/psycinfo_64.ris", "EBSCO"),
        ("formats/asreview/proquest.ris", "ProQuest"),
        ("formats/citesource/working_example_data/WoS_early.ris", "Web of Science"),
        ("formats/citesource/new_stage_data/lens_343.ris", "Lens"),
        ("formats/citesource/new_stage_data/Dimensions_246.ris", "Dimensions"),
        ("formats/asreview/pubmed_endnote.txt", "PubMed"),
        ("formats/citesource/working_example_data/CAB.ris", ""),  # says nothing: no guess
    ],
)
def test_ris_vendor_is_told_from_content(shared_data: Path, rel: str, flavour: str) -> None:
    assert read_file(shared_data / rel).flavour == flavour


def test_bibtex_latex_is_decoded(shared_data: Path) -> None:
    special = read_file(shared_data / "formats/bibtexparser_v1/encoding.bib").records[0]
    assert (special.title, special.authors, special.journal) == (
        "An amazing title: à",
        ["César J"],
        "Elémentaire",
    )
    zotero = read_file(shared_data / "formats/asysd/zotero_export.bib").records
    assert any("early onset (< 1 year) of OE" in r.abstract for r in zotero)
    assert not any("\\" in r.abstract + r.title for r in zotero)


def test_dois_where_vendors_hide_them(shared_data: Path) -> None:
    # EBSCO puts the DOI in L3; Zotero in an N1 note ("electronic-resource-num: 10...").
    ebsco = read_file(
        shared_data / "formats/citesource/topic_data/20221207_gambling-harms_crimjust_41.ris"
    )
    assert ebsco.records[0].doi == "10.1080/16066359.2020.1867111"
    assert all(r.doi for r in ebsco.records)
    zotero = read_file(shared_data / "formats/citesource/new_stage_data/screened_128.ris").records
    noted = [r for r in zotero if "electronic-resource-num: 10." in str(r.raw.get("N1", ""))]
    assert noted
    assert all(r.doi for r in noted)
    # JabRef capitalises BibTeX field names.
    jabref = read_file(shared_data / "formats/bibtexparser_v1/multiple_entries_and_comments.bib")
    assert [(r.title, r.doi) for r in jabref.records][1] == (
        "The transition state method",
        "10.1039/tf9383400029",
    )
