"""Vendor layouts no real file in ../shared/data shows (licences, size): small files written in
each vendor's column layout, PubMed Abstract (text) rendered from real PubMed XML, and the
warnings and organisation authors of hand-made mappings."""

from __future__ import annotations

import csv
from pathlib import Path

from pubmed_text_helpers import abstract_text_file

from scoping.readers import read_file


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_ovid_psycinfo_and_preprint_rows(tmp_path: Path) -> None:
    header = ["ORN", "VN", "DB", "UI", "TI", "SO", "AU", "YR", "FTURL"]
    link = "http://ovidsp.ovid.com/?T=JS&PAGE=fulltext&D=emexb&DO=10.1101%2f2023.02.27.530354"
    path = _csv(tmp_path / "ovid.csv", header, [
        ["1", "Ovid Technologies", "APA PsycInfo", "2023-1", "Sleep and memory. [References].",
         "Frontiers in Aging Neuroscience. Vol.15, 2023, ArtID 1225786.",
         "Smith, Jane\n\nDoe, John", "2023", ""],
        ["2", "Ovid Technologies", "Embase", "2023-2", "A preprint.",
         "bioRxiv. (no pagination), 2023. Date of Publication: 01 Mar 2023.",
         "Lee K.\n\nPark S.", "", link],
    ])  # fmt: skip
    psyc, preprint = read_file(path).records
    assert (psyc.title, psyc.authors, psyc.journal, psyc.year, psyc.volume, psyc.pages) == (
        "Sleep and memory", ["Smith J", "Doe J"], "Frontiers in Aging Neuroscience", "2023",
        "15", "1225786")  # fmt: skip
    assert (preprint.journal, preprint.year, preprint.doi, preprint.url) == (
        "bioRxiv", "2023", "10.1101/2023.02.27.530354", link)  # fmt: skip


def test_ebsco_cinahl_new_interface_csv(tmp_path: Path) -> None:
    header = ["longDBName", "shortDBName", "an", "title", "abstract", "publicationDate",
              "contributors", "plink"]  # fmt: skip
    path = _csv(tmp_path / "cinahl.csv", header, [
        ["CINAHL Complete", "ccm", "NLM31530099", "Nurse staffing and patient falls",
         "Background ...", "2019-09-17", "Smith, Jane ; Doe, John A. ; Lee, K.",
         "https://search.ebscohost.com/login.aspx?direct=true&db=ccm&AN=NLM31530099"],
    ])  # fmt: skip
    result = read_file(path)
    rec = result.records[0]
    assert result.flavour == "EBSCO"
    assert (rec.authors, rec.year, rec.pmid) == (["Smith J", "Doe JA", "Lee K"], "2019", "31530099")
    assert rec.url.startswith("https://search.ebscohost.com/")


def test_ebsco_flattened_json_csv_keeps_every_author(tmp_path: Path) -> None:
    header = ["header/an", "artinfo/tig/atl", "artinfo/aug/au/0", "artinfo/aug/au/1",
              "artinfo/aug/au/2", "artinfo/ui/0", "artinfo/ui/1", "jinfo/jtl", "pubinfo/dt/year",
              "pubinfo/vid", "pubinfo/iid", "artinfo/ppf", "plink"]  # fmt: skip
    path = _csv(tmp_path / "ebsco.csv", header, [
        ["138812345", "Hand hygiene in care homes", "Smith, Jane", "Doe, John", "Lee, K",
         "10.1016/j.ajic.2019.05.001", "NLM31530099", "American Journal of Infection Control",
         "2019", "47", "11", "1320", "https://search.ebscohost.com/x"],
    ])  # fmt: skip
    rec = read_file(path).records[0]
    assert rec.authors == ["Smith J", "Doe J", "Lee K"]
    assert (rec.doi, rec.pmid, rec.journal, rec.year, rec.volume, rec.issue, rec.pages) == (
        "10.1016/j.ajic.2019.05.001", "31530099", "American Journal of Infection Control",
        "2019", "47", "11", "1320")  # fmt: skip


def test_base_csv_braces_authors_and_identifier_doi(tmp_path: Path) -> None:
    header = ["dctitle", "dccreator", "dcyear", "dcidentifier", "dclink", "dcsource"]
    path = _csv(tmp_path / "base.csv", header, [
        ["{COVID}-19 and the {WHO} response", "{Smith}, Jane and {Doe}, John", "2021",
         "https://doi.org/10.1234/abc.5", "https://repository.example.org/5", "{Health} Policy"],
    ])  # fmt: skip
    result = read_file(path)
    rec = result.records[0]
    assert result.flavour == "BASE"
    assert (rec.title, rec.authors, rec.year, rec.doi, rec.journal) == (
        "COVID-19 and the WHO response", ["Smith J", "Doe J"], "2021", "10.1234/abc.5",
        "Health Policy")  # fmt: skip


def test_ieee_dimensions_and_rayyan_csv(tmp_path: Path) -> None:
    ieee = _csv(tmp_path / "ieee.csv", [
        "Document Title", "Authors", "Publication Title", "Publication Year", "Volume", "Issue",
        "Start Page", "End Page", "Abstract", "DOI", "PDF Link", "IEEE Terms"], [
        ["Deep screening", "A. Smith; B. Jones", "IEEE Access", "2020", "8", "1", "10", "20",
         "x", "10.1109/ACCESS.2020.1", "https://ieeexplore.ieee.org/stamp/1", "Learning"],
    ])  # fmt: skip
    rec = read_file(ieee).records[0]
    assert (rec.authors, rec.year, rec.journal, rec.pages, rec.doi) == (
        ["Smith A", "Jones B"],
        "2020",
        "IEEE Access",
        "10-20",
        "10.1109/access.2020.1",
    )
    dimensions = tmp_path / "dimensions.csv"
    dimensions.write_text(
        '"About the data: Exported on Mar 01, 2024. Criteria: ..."\n'
        '"Rank","Publication ID","DOI","PMID","PMCID","Title","Abstract","Source title",'
        '"Publication Date","PubYear","Volume","Issue","Pagination","Authors","Dimensions URL"\n'
        '"1","pub.1000000001","10.1234/dim1","31530099","","Forecasting influenza","An abstract.",'
        '"Journal of Tests","2020-03-01","2020","5","2","11-19","Meyer, Austin G; Smith, Jane",'
        '"https://app.dimensions.ai/details/publication/pub.1000000001"\n',
        encoding="utf-8",
    )
    result = read_file(dimensions)
    rec = result.records[0]
    assert (result.flavour, len(result.records)) == ("Dimensions", 1)
    assert (rec.authors, rec.year, rec.pmid, rec.journal, rec.pages) == (
        ["Meyer AG", "Smith J"],
        "2020",
        "31530099",
        "Journal of Tests",
        "11-19",
    )
    rayyan = _csv(tmp_path / "rayyan.csv", [
        "key", "title", "authors", "journal", "year", "month", "day", "url", "notes", "doi"], [
        ["rayyan-1", "A trial", "Silva, G. and Khera, R.", "Stroke", "2024", "1", "2",
         "https://www.embase.com/x?id=1&from=exporthttp://dx.doi.org/10.1161/str.1",
         'WOS:1 | RAYYAN-INCLUSION: {"Nala"=>"Included"}', ""],
    ])  # fmt: skip
    rec = read_file(rayyan).records[0]
    assert (rec.authors, rec.url, rec.doi) == (
        ["Silva G", "Khera R"],
        "https://www.embase.com/x?id=1&from=export",
        "10.1161/str.1",
    )
    assert "RAYYAN-INCLUSION" in str(rec.raw["notes"])


def test_organisations_mapped_as_authors_are_kept_as_written(tmp_path: Path) -> None:
    path = _csv(tmp_path / "grey.csv", ["Document title", "Organisation", "Link"], [
        ["Malaria report", "Tropical Health Forum", "https://example.org/1"],
        ["Child health", "Save the Children", "https://example.org/2"],
        ["Field report", "Médecins Sans Frontières", "https://example.org/3"],
    ])  # fmt: skip
    records = read_file(
        path, columns={"title": "Document title", "authors": "Organisation", "url": "Link"},
        source_type="website",
    ).records  # fmt: skip
    assert [r.authors for r in records] == [
        ["Tropical Health Forum"],
        ["Save the Children"],
        ["Médecins Sans Frontières"],
    ]


def test_implausible_mapped_year_and_doi_are_reported(tmp_path: Path) -> None:
    path = _csv(tmp_path / "list.csv", ["Title", "SO", "Ref"], [
        ["A", "Journal of X 1511-1520", "10.1234/ok"],
        ["B", "Journal of Y 2065", "not a doi"],
        ["C", "Journal of Z 2019", ""],
    ])  # fmt: skip
    result = read_file(path, columns={"title": "Title", "year": "SO", "doi": "Ref"})
    year = next(p for p in result.problems if "read as year" in p)
    assert str(path) in year and "column 'SO'" in year
    assert "row 2 'Journal of X 1511-1520'" in year and "row 3 'Journal of Y 2065'" in year
    assert "row 4" not in year and "Fix: map year" in year
    doi = next(p for p in result.problems if "read as doi" in p)
    assert "column 'Ref'" in doi and "row 3 'not a doi'" in doi and "row 2" not in doi


def test_pubmed_abstract_text_matches_the_xml(shared_data: Path, tmp_path: Path) -> None:
    xml = sorted((shared_data / "entrez/metapub/pmid_xml").glob("*.xml"))
    path = tmp_path / "abstract.txt"
    truths = abstract_text_file(xml, path)
    result = read_file(path)
    assert (result.format, result.flavour) == ("pubmed_text", "PubMed")
    assert len(result.records) == len(truths) > 100
    for rec, true in zip(result.records, truths, strict=True):
        assert rec.pmid == true.pmid
        assert (rec.doi, rec.pmcid, rec.title) == (true.doi, true.pmcid, true.title)
        assert (rec.journal, rec.year, rec.volume, rec.issue, rec.pages) == (
            true.journal, true.year, true.volume, true.issue, true.pages)  # fmt: skip
        people = [a for a in rec.authors if a in true.people]
        assert people == true.people
    with_abstract = sum(1 for r in result.records if r.abstract)
    assert with_abstract > 0.8 * len(truths)
    assert not any(r.abstract.startswith(("Copyright", "©")) for r in result.records)
    assert any(r.language for r in result.records)
