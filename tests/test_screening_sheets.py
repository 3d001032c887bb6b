"""What a generated sheet looks like and holds: layout, links, protection, escapes, CSV, seeds."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from screening_helpers import pubmed_records, type_decisions, write_dedup_records

from scoping.cells import escape_cell, unescape_cell
from scoping.records import Record
from scoping.screening import ScreeningSettings, load_settings, reconcile_stage, update_sheets
from scoping.screening.tables import read_table

INJECTION = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def real_records(shared_data: Path) -> list[Record]:
    return pubmed_records(shared_data)


def _make(
    tmp: Path,
    records: list[Record],
    settings: ScreeningSettings | None = None,
    stage: str = "title_abstract",
) -> dict:
    path = write_dedup_records(tmp / "records.csv", records)
    return update_sheets(
        stage=stage,
        records_path=path,
        include_from=None,
        directory=tmp / "screening",
        settings=settings or ScreeningSettings(),
    )


def test_sheet_layout_links_protection(tmp_path: Path, real_records: list[Record]) -> None:
    settings = load_settings(
        json.dumps(
            {
                "reviewers": ["ann", "bob"],
                "question": "What is known about X?",
                "inclusion_criteria": ["studies of X"],
            }
        )
    )
    _make(tmp_path, real_records[:20], settings)
    book = load_workbook(tmp_path / "screening" / "title_abstract" / "ann.xlsx")
    assert book.sheetnames == ["instructions", "screening", "lists"]
    assert book["lists"].sheet_state == "hidden"
    info = [c.value for c in book["instructions"]["A"]]
    assert "What is known about X?" in info and "  • studies of X" in info
    sheet = book["screening"]
    assert book.active.title == "screening"
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["record_id", "title", "abstract", "decision", "reason", "notes"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}21"
    prot = sheet.protection
    assert prot.sheet and not prot.sort and not prot.autoFilter
    col = {name: i + 1 for i, name in enumerate(header)}
    first = real_records[0]
    assert sheet.cell(row=2, column=col["record_id"]).value == first.record_id
    assert sheet.cell(row=2, column=col["record_id"]).protection.locked
    assert not sheet.cell(row=2, column=col["decision"]).protection.locked
    assert not sheet.cell(row=2, column=col["notes"]).protection.locked
    # Links are HYPERLINK formulas showing the identifier, stored as text.
    pmid = sheet.cell(row=2, column=col["pmid"])
    url = f"https://pubmed.ncbi.nlm.nih.gov/{first.pmid}/"
    assert pmid.value == f'=HYPERLINK("{url}","{first.pmid}")' and pmid.number_format == "@"
    doi = sheet.cell(row=2, column=col["doi"])
    assert doi.value == f'=HYPERLINK("https://doi.org/{first.doi}","{first.doi}")'
    assert sheet.cell(row=2, column=col["record_id"]).data_type == "s"
    back = read_table(tmp_path / "screening" / "title_abstract" / "ann.xlsx").rows[0][1]
    assert (back["pmid"], back["doi"]) == (first.pmid, first.doi)  # cached values
    assert sheet.cell(row=2, column=col["abstract"]).alignment.wrap_text
    # Dropdowns point at named ranges in the hidden sheet, never at inline lists.
    formulas = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert formulas == {"D2:D1048576": "decision_list", "E2:E1048576": "reason_list"}
    assert book.defined_names["reason_list"].attr_text == "lists!$A$2:$A$6".replace("A", "B")
    reasons = [c.value for c in book["lists"]["B"][1:]]
    assert reasons == settings.reasons("title_abstract")
    # Blind: nothing of the other reviewer in this file.
    with zipfile.ZipFile(tmp_path / "screening" / "title_abstract" / "ann.xlsx") as z:
        assert not any(b"bob" in z.read(n) for n in z.namelist())


def test_formula_injection_stays_text(tmp_path: Path, real_records: list[Record]) -> None:
    evil = Record.create(source="grey", title=INJECTION, abstract="+1 -2 @SUM(A1)", year="2020")
    settings = ScreeningSettings()
    _make(tmp_path, [evil, *real_records[:3]], settings)
    path = tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx"
    sheet = load_workbook(path)["screening"]
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value == "'" + INJECTION
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet2.xml")
    # The only formulas are our own links; the title is a plain string.
    formulas = re.findall(rb"<f>(.*?)</f>", xml)
    assert formulas and all(f.startswith(b'HYPERLINK("https://') for f in formulas)
    assert b'HYPERLINK("http://x' not in xml
    table = read_table(path)
    assert table.rows[0][1]["title"] == INJECTION  # escape stripped on read-back
    assert table.rows[0][1]["abstract"] == "+1 -2 @SUM(A1)"

    csv_dir = tmp_path / "csv"
    _make(csv_dir, [evil], ScreeningSettings(format="csv"))
    text = (csv_dir / "screening" / "title_abstract" / "reviewer1.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens it as UTF-8
    assert b"'=HYPERLINK" in text
    table = read_table(csv_dir / "screening" / "title_abstract" / "reviewer1.csv")
    assert table.rows[0][1]["title"] == INJECTION


@pytest.mark.parametrize(
    "text", ["=1+1", "+x", "-y", "@z", "\tt", "\rr", "'=q", "''+w", "'plain", "plain", ""]
)
def test_escape_round_trip(text: str) -> None:
    escaped = escape_cell(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_cell(escaped) == text


def test_escape_cleans_control_characters_and_length() -> None:
    assert escape_cell("a\x00b\x1fc\nd") == "abc\nd"
    assert len(escape_cell("x" * 40_000)) == 32_767
    assert unescape_cell(12345.0) == "12345"


def test_csv_sheets_read_back_as_excel_saves_them(
    tmp_path: Path, real_records: list[Record]
) -> None:
    settings = ScreeningSettings(format="csv")
    records = real_records[:10]
    manifest = _make(tmp_path, records, settings)
    folder = tmp_path / "screening" / "title_abstract"
    assert [Path(s["path"]).name for s in manifest["sheets"]] == ["reviewer1.csv", "reviewer2.csv"]
    assert (folder / "conflicts.csv").is_file() and (folder / "instructions.txt").is_file()
    # Excel in a German locale: ';' separated, cp1252, numbers typed as numbers.
    for name, decision in (("reviewer1", "Include"), ("reviewer2", "exclude")):
        path = folder / f"{name}.csv"
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        for row in rows[1:]:
            row[3] = decision
            row[4] = "wrong concept" if decision == "exclude" else ""
        with path.open("w", encoding="cp1252", newline="", errors="replace") as handle:
            csv.writer(handle, delimiter=";").writerows(rows)
    stats = reconcile_stage(
        stage="title_abstract",
        records_path=tmp_path / "records.csv",
        include_from=None,
        directory=tmp_path / "screening",
        output=tmp_path / "d.csv",
        agreement_path=tmp_path / "a.json",
        settings=settings,
    )
    assert stats["outcomes"]["conflict"] == 10
    conflicts = read_table(folder / "conflicts.csv")
    assert [r["first_decision"] for _, r in conflicts.rows] == ["include"] * 10
    # Appending keeps the reviewer's delimiter and typed values.
    manifest = _make(tmp_path, real_records[:12], settings)
    assert manifest["rows_added"] == 4
    path = folder / "reviewer2.csv"
    table = read_table(path)
    assert [r["decision"] for _, r in table.rows] == ["exclude"] * 10 + ["", ""]
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].count(";") > 5


def test_seeds_fill_new_rows_only(tmp_path: Path, real_records: list[Record]) -> None:
    seeds = tmp_path / "seeds" / "title_abstract"
    seeds.mkdir(parents=True)
    a, b, c = (r.record_id for r in real_records[:3])
    (seeds / "reviewer1.csv").write_text(
        f"record_id,decision,reason,notes\n{a},include,,seeded\n{c},exclude,wrong concept,\n",
        encoding="utf-8",
    )
    settings = ScreeningSettings(seed_dir=str(tmp_path / "seeds"))
    _make(tmp_path, real_records[:2], settings)
    path = tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx"
    typed = {r["record_id"]: r for _, r in read_table(path).rows}
    assert (typed[a]["decision"], typed[a]["notes"]) == ("include", "seeded")
    assert typed[b]["decision"] == ""
    type_decisions(path, {a: ("exclude", "wrong population")})  # the person changes their mind
    _make(tmp_path, real_records[:3], settings)
    typed = {r["record_id"]: r for _, r in read_table(path).rows}
    assert typed[a]["decision"] == "exclude"  # never overwritten by the seed
    assert (typed[c]["decision"], typed[c]["reason"]) == ("exclude", "wrong concept")


def test_pairs_and_pilot(tmp_path: Path, real_records: list[Record]) -> None:
    settings = ScreeningSettings(reviewers=["ann", "bob", "cy"], assignment="pairs")
    manifest = _make(tmp_path, real_records[:90], settings)
    folder = tmp_path / "screening" / "title_abstract"
    listed = [
        {r["record_id"] for _, r in read_table(folder / f"{n}.xlsx").rows}
        for n in ("ann", "bob", "cy")
    ]
    for rec in real_records[:90]:
        assert sum(rec.record_id in s for s in listed) == 2
    assert sum(s["rows"] for s in manifest["sheets"]) == 180
    assert all(s["rows"] > 40 for s in manifest["sheets"])  # spread over the three pairs

    pilot = ScreeningSettings(pilot_size=10, pilot_seed=7, pilot_active=True)
    manifest = _make(tmp_path / "p", real_records[:90], pilot)
    assert manifest["pilot"] == 10 and [s["rows"] for s in manifest["sheets"]] == [10, 10]
    table = read_table(tmp_path / "p" / "screening" / "title_abstract" / "reviewer1.xlsx")
    assert {r["batch"] for _, r in table.rows} == {"pilot"}
    manifest = _make(tmp_path / "p", real_records[:90], ScreeningSettings(pilot_size=10))
    assert [s["rows_added"] for s in manifest["sheets"]] == [80, 80]


def test_settings_errors() -> None:
    with pytest.raises(Exception, match="reviewers"):
        load_settings('{"reviewers": ["solo"]}')
    with pytest.raises(Exception, match="maybe_policy"):
        load_settings('{"maybe_policy": "sometimes"}')
    assert load_settings('{"format": "csv", "stages": {}}').format == "csv"


def test_append_keeps_reviewers_sorting_filter_and_columns(
    tmp_path: Path, real_records: list[Record]
) -> None:
    _make(tmp_path, real_records[:8])
    path = tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx"
    book = load_workbook(path)
    sheet = book["screening"]
    # The reviewer sorts the rows (reverses them), filters on decision, adds a column.
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=9)]
    for r, row in enumerate(reversed(values), start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c).value = value
    sheet.auto_filter.add_filter_column(3, ["include"])
    extra = sheet.max_column + 1
    sheet.cell(row=1, column=extra).value = "my_flag"
    sheet.cell(row=2, column=extra).value = "check later"
    book.save(path)
    order = [r["record_id"] for _, r in read_table(path).rows]

    manifest = _make(tmp_path, real_records[:11])
    assert manifest["sheets"][0]["rows_added"] == 3
    book = load_workbook(path)
    sheet = book["screening"]
    assert sheet.auto_filter.filterColumn[0].colId == 3  # the reviewer's filter is kept
    assert sheet.auto_filter.ref.endswith("12")  # and widened to the new rows
    rows = [r for _, r in read_table(path).rows]
    assert [r["record_id"] for r in rows] == order + [r.record_id for r in real_records[8:11]]
    assert rows[0]["my_flag"] == "check later"
    decision = sheet.cell(row=12, column=4)
    assert not decision.protection.locked and decision.fill.fgColor.rgb.endswith("FFF2CC")
    assert {str(dv.sqref) for dv in sheet.data_validations.dataValidation} == {
        "D2:D1048576",
        "E2:E1048576",
    }


def test_refuses_to_change_a_sheet_that_is_open(tmp_path: Path, real_records: list[Record]) -> None:
    _make(tmp_path, real_records[:3])
    folder = tmp_path / "screening" / "title_abstract"
    lock = folder / ".~lock.reviewer2.xlsx#"
    lock.write_text(",someone,host,01.01.2026 10:00,file:///home/someone/.config/libreoffice/4;")
    before = (folder / "reviewer1.xlsx").read_bytes()
    _make(tmp_path, real_records[:3])  # nothing to change: an open sheet is no obstacle
    with pytest.raises(Exception, match=r"reviewer2.xlsx: the sheet is open in LibreOffice"):
        _make(tmp_path, real_records[:5])
    lock.unlink()
    manifest = _make(tmp_path, real_records[:5])
    assert [s["rows_added"] for s in manifest["sheets"]] == [2, 2]
    assert (folder / "reviewer1.xlsx").read_bytes() != before
