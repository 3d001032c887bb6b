"""Grey-literature lists curated by people (CSV/XLSX), and Google Scholar tool exports."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from import_helpers import run_cli

from scoping.errors import ScopingError
from scoping.readers import read_file
from scoping.records import read_records

# Real reports and policy documents, as a review team lists them.
GREY_ROWS = [
    ["Document title", "Organisation", "Pub year", "Link", "Type", "Notes"],
    ["World report on ageing and health", "World Health Organization", "2015",
     "https://apps.who.int/iris/handle/10665/186463", "Report", "found via WHO IRIS"],
    ["The State of the World's Children 2019", "UNICEF", "2019",
     "https://www.unicef.org/reports/state-of-worlds-children-2019", "Report", ""],
    ["", "NICE", "2018", "https://www.nice.org.uk/guidance/ng97", "Guideline",
     "title missing: the URL identifies it"],
    ["", "", "", "", "", ""],
]  # fmt: skip


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _check_grey(records: list) -> None:
    assert [r.title for r in records] == [
        "World report on ageing and health",
        "The State of the World's Children 2019",
        "",
    ]
    who = records[0]
    # The organisation is the corporate author (as APA/Vancouver cite a report), never the journal.
    assert who.authors == ["World Health Organization"]
    assert who.journal == ""
    assert who.raw["Organisation"] == "World Health Organization"
    assert who.raw["Notes"] == "found via WHO IRIS"
    assert (who.year, who.publication_type) == ("2015", "Report")
    assert who.url == "https://apps.who.int/iris/handle/10665/186463"
    assert records[2].url == "https://www.nice.org.uk/guidance/ng97"
    assert records[2].record_id.startswith("ref-")
    assert len({r.record_id for r in records}) == 3


def test_grey_csv_guessed_columns(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "reports.csv", GREY_ROWS)
    result = read_file(path, source="who_unicef", source_type="organisation")
    assert (result.format, result.flavour) == ("csv", "")
    _check_grey(result.records)
    assert {r.source_type for r in result.records} == {"organisation"}
    assert any("row 4" in p and "without a title kept" in p for p in result.problems)


def test_grey_xlsx_with_dates_and_numbers(tmp_path: Path) -> None:
    rows: list[list[object]] = [list(r) for r in GREY_ROWS]
    rows[1][2] = dt.datetime(2015, 9, 30)  # Excel turns typed dates into datetimes
    rows[2][2] = 2019  # and years into numbers
    path = _write_xlsx(tmp_path / "reports.xlsx", rows)
    result = read_file(path, source_type="website")
    assert (result.format, result.encoding) == ("xlsx", "xlsx (binary)")
    _check_grey(result.records)
    assert result.records[0].raw["Pub year"] == "2015-09-30"


def test_row_without_title_or_url_is_an_error_in_a_grey_list(tmp_path: Path) -> None:
    rows = [*GREY_ROWS[:3], ["", "UNICEF", "2020", "", "Report", ""]]
    path = _write_xlsx(tmp_path / "reports.xlsx", rows)
    with pytest.raises(ScopingError, match=r"reports.xlsx, row 4: this entry has no title"):
        read_file(path, source_type="organisation")
    # The same row in a database export is kept and reported (the count must match).
    result = read_file(path, source_type="database")
    assert len(result.records) == 3


def test_columns_mapping_for_an_organisation_list(tmp_path: Path, capsys) -> None:
    rows = [
        ["Name", "Website", "Kind", "Searched"],
        ["Alliance for Health Policy and Systems Research", "https://ahpsr.who.int/", "NGO",
         "2024-03-01"],
        ["European Observatory on Health Systems and Policies",
         "https://eurohealthobservatory.who.int/", "Observatory", "2024-03-02"],
    ]  # fmt: skip
    path = _write_csv(tmp_path / "orgs.csv", rows)
    out = tmp_path / "orgs_records.csv"
    columns = json.dumps({"title": "Name", "url": "Website", "publication_type": "Kind"})
    code, stdout, _ = run_cli(
        ["import", str(path), "--columns", columns, "--source-type", "organisation",
         "--output", str(out)],
        capsys,
    )  # fmt: skip
    assert code == 0, stdout
    records = read_records(out)
    assert [r.title for r in records] == [rows[1][0], rows[2][0]]
    assert [r.url for r in records] == [rows[1][1], rows[2][1]]
    assert [r.publication_type for r in records] == ["NGO", "Observatory"]
    assert records[0].raw["Searched"] == "2024-03-01"


def test_publish_or_perish_export(shared_data: Path, tmp_path: Path) -> None:
    # Publish or Perish's Google Scholar CSV header, filled from a real record (eviatlas.csv);
    # Google Scholar cuts long author lists with "…".
    header = ["Cites", "Authors", "Title", "Year", "Source", "Publisher", "ArticleURL",
              "CitesURL", "GSRank", "QueryDate", "Type", "DOI"]  # fmt: skip
    with (shared_data / "formats/synthesisr/eviatlas.csv").open(encoding="utf-8") as handle:
        ev = next(csv.DictReader(handle))
    row = ["12", "NR Haddaway, A Feierman, MJ Grainger…", ev["TI"], ev["year"], ev["JO"],
           "Springer", ev["UR"], "", "1", "2024-01-01", "", ev["DO"]]  # fmt: skip
    path = _write_csv(tmp_path / "pop.csv", [header, row])
    result = read_file(path)
    rec = result.records[0]
    assert result.flavour == "Publish or Perish"
    assert rec.authors == ["Haddaway NR", "Feierman A", "Grainger MJ"]
    assert (rec.title, rec.year, rec.journal) == (
        "EviAtlas: a tool for visualising evidence synthesis databases",
        "2019",
        "Environmental Evidence",
    )
    assert rec.doi == "10.1186/s13750-019-0167-1"
    assert rec.url == "https://doi.org/10.1186/s13750-019-0167-1"


def test_vendor_csv_flavours(shared_data: Path) -> None:
    assert read_file(shared_data / "formats/asreview/embase.csv").flavour == "Embase"
    assert read_file(shared_data / "formats/asysd/zotero_export.csv").flavour == "Zotero"
    endnote = read_file(shared_data / "formats/asysd/test_export.txt")
    assert (endnote.format, endnote.flavour) == ("tsv", "EndNote")
    assert endnote.records[0].journal == "Journal 1"
    generic = read_file(shared_data / "formats/asreview/generic_semicolon.csv").records[0]
    assert generic.authors[:2] == ["Marx K", "Lindgren A"]
    assert generic.source_id == "12345"


def _one_row_csv(path: Path, header: list[str], values: dict[str, str]) -> Path:
    return _write_csv(path, [header, [values.get(h, "") for h in header]])


# Vendor CSV headers as the databases write them, filled with the values of real records
# (the first record of revtools' Scopus RIS and PubMed .nbib exports).
SCOPUS_HEADER = ["Authors", "Author full names", "Author(s) ID", "Title", "Year", "Source title",
                 "Volume", "Issue", "Art. No.", "Page start", "Page end", "Page count", "Cited by",
                 "DOI", "Link", "Abstract", "Author Keywords", "Index Keywords", "Document Type",
                 "Publication Stage", "Open Access", "Source", "EID"]  # fmt: skip
IEEE_HEADER = ["Document Title", "Authors", "Author Affiliations", "Publication Title",
               "Date Added To Xplore", "Publication Year", "Volume", "Issue", "Start Page",
               "End Page", "Abstract", "ISSN", "ISBNs", "DOI", "Funding Information", "PDF Link",
               "Author Keywords", "IEEE Terms", "Mesh_Terms", "Article Citation Count",
               "Reference Count", "License", "Online Date", "Issue Date", "Meeting Date",
               "Publisher", "Document Identifier"]  # fmt: skip
PUBMED_HEADER = ["PMID", "Title", "Authors", "Citation", "First Author", "Journal/Book",
                 "Publication Year", "Create Date", "PMCID", "NIHMS ID", "DOI"]  # fmt: skip
SCOPUS_RECORD = {
    "title": "LONG-TERM FOLLOW-UP OF RETINAL PIGMENT EPITHELIUM RESTORATION AFTER A TRIPLE TEAR",
    "journal": "Retinal cases & brief reports",
    "doi": "10.1097/ICB.0000000000000530",
}


def test_scopus_csv(tmp_path: Path) -> None:
    values = {"Authors": "Zahid S., Dolz Marco R., Freund K.B.",
              "Author full names": "Zahid, S. (57200500735); Dolz Marco, R. (55567433100)",
              "Title": SCOPUS_RECORD["title"], "Year": "2019",
              "Source title": SCOPUS_RECORD["journal"], "Volume": "13", "Issue": "1",
              "Page start": "5", "Page end": "9", "DOI": SCOPUS_RECORD["doi"],
              "Document Type": "Article", "Source": "Scopus",
              "EID": "2-s2.0-85041488703"}  # fmt: skip
    result = read_file(_one_row_csv(tmp_path / "scopus.csv", SCOPUS_HEADER, values))
    rec = result.records[0]
    assert result.flavour == "Scopus"
    assert rec.authors == ["Zahid S", "Dolz Marco R", "Freund KB"]
    assert (rec.journal, rec.volume, rec.issue, rec.pages) == (
        SCOPUS_RECORD["journal"], "13", "1", "5-9"
    )  # fmt: skip
    assert (rec.doi, rec.source_id, rec.publication_type) == (
        "10.1097/icb.0000000000000530", "2-s2.0-85041488703", "Article"
    )  # fmt: skip


def test_ieee_csv(tmp_path: Path) -> None:
    values = {"Document Title": SCOPUS_RECORD["title"], "Authors": "S. Zahid; K. B. Freund",
              "Publication Title": SCOPUS_RECORD["journal"], "Publication Year": "2019",
              "Start Page": "5", "End Page": "9", "DOI": SCOPUS_RECORD["doi"],
              "PDF Link": "https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=1",
              "Publisher": "IEEE"}  # fmt: skip
    result = read_file(_one_row_csv(tmp_path / "ieee.csv", IEEE_HEADER, values))
    rec = result.records[0]
    assert result.flavour == "IEEE Xplore"
    assert rec.title == SCOPUS_RECORD["title"]
    assert rec.authors == ["Zahid S", "Freund KB"]
    assert (rec.journal, rec.year, rec.pages) == (SCOPUS_RECORD["journal"], "2019", "5-9")
    assert rec.url == "https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=1"


def test_pubmed_csv(tmp_path: Path) -> None:
    values = {"PMID": "30689646",
              "Title": "Ecosystem services changes between 2000 and 2015 in the Loess Plateau, "
              "China: A response to ecological restoration.",
              "Authors": "Wu D, Zou C, Cao W, Xiao T, Gong G.",
              "Citation": "PLoS One. 2019 Jan 28;14(1):e0209483.", "First Author": "Wu D",
              "Journal/Book": "PLoS One", "Publication Year": "2019",
              "DOI": "10.1371/journal.pone.0209483"}  # fmt: skip
    result = read_file(_one_row_csv(tmp_path / "pubmed.csv", PUBMED_HEADER, values))
    rec = result.records[0]
    assert result.flavour == "PubMed"
    assert rec.record_id == "pmid-30689646"
    assert rec.authors == ["Wu D", "Zou C", "Cao W", "Xiao T", "Gong G"]
    assert rec.title.endswith("A response to ecological restoration")
    assert (rec.journal, rec.year) == ("PLoS One", "2019")


def test_control_characters_leave_titles(tmp_path: Path) -> None:
    path = tmp_path / "pasted.csv"
    path.write_text(
        'Title,URL\n"Copied\x00 from a\x0cPDF",https://example.org/report.pdf\n', encoding="utf-8"
    )
    assert read_file(path).records[0].title == "Copied from a PDF"


def test_xlsx_hyperlinked_titles_give_the_url(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Organisation", "Year"])
    sheet.append(["World report on ageing and health", "World Health Organization", 2015])
    sheet.append(["", "NICE", 2018])  # no title text, but the cell links to the page
    sheet["A2"].hyperlink = "https://apps.who.int/iris/handle/10665/186463"
    sheet["A3"].hyperlink = "https://www.nice.org.uk/guidance/ng97"
    path = tmp_path / "linked.xlsx"
    book.save(path)
    records = read_file(path, source_type="website").records
    assert [r.url for r in records] == [
        "https://apps.who.int/iris/handle/10665/186463",
        "https://www.nice.org.uk/guidance/ng97",
    ]
    assert records[0].raw["Title (link)"] == "https://apps.who.int/iris/handle/10665/186463"


def test_row_longer_than_header_keeps_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "Title,URL\n"
        "World report on ageing and health,https://apps.who.int/iris/handle/10665/186463,"
        "seen 2024-03-01\n",
        encoding="utf-8",
    )
    result = read_file(path)
    assert result.records[0].raw["_extra"] == ["seen 2024-03-01"]
    assert result.problems == [
        "1 row(s) have more cells than the header (row 2); the extra cells are kept in raw "
        "as '_extra'"
    ]
