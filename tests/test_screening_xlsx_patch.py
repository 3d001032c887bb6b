"""Appending to an xlsx sheet by editing its XML: the same file openpyxl would write, faster."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from screening_helpers import pubmed_records, type_cells, type_decisions, write_dedup_records

from scoping.errors import ScopingError
from scoping.screening import ScreeningSettings, update_sheets
from scoping.screening.layout import reviewer_spec
from scoping.screening.tables import (
    DATA_SHEET,
    FROZEN_CELL,
    _rewrite_xlsx_openpyxl,
    patch_xlsx,
    read_table,
)


def _update(tmp: Path, records: list) -> dict:
    write_dedup_records(tmp / "records.csv", records)
    return update_sheets(
        stage="title_abstract",
        records_path=tmp / "records.csv",
        include_from=None,
        directory=tmp / "screening",
        settings=ScreeningSettings(),
    )


def _look(path: Path) -> list[tuple]:
    """Every data-sheet cell as a reader sees it: value, type and the style that shows."""
    sheet = load_workbook(path)[DATA_SHEET]
    out = []
    for row in sheet.iter_rows():
        for c in row:
            fill = c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None
            out.append(
                (
                    c.coordinate,
                    c.value,
                    c.data_type,
                    bool(c.font.b),
                    c.font.u,
                    # A theme colour (xlsxwriter's default text) shows as openpyxl's no colour.
                    str(c.font.color.rgb)[-6:]
                    if c.font.color is not None and c.font.color.type == "rgb"
                    else None,
                    str(fill)[-6:] if fill else None,
                    c.protection.locked,
                    bool(c.alignment.wrap_text),
                    c.number_format,
                )
            )
    return out


def test_fast_append_matches_openpyxl_and_keeps_what_people_typed(
    tmp_path: Path, shared_data: Path
) -> None:
    records = pubmed_records(shared_data)[:30]
    _update(tmp_path, records[:20])
    sheet = tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx"
    ids = [r.record_id for r in records]
    # A screener types (openpyxl saves: shared strings, its own styles) and colours a row.
    type_decisions(sheet, {ids[0]: ("include", ""), ids[3]: ("exclude", "wrong concept")})
    type_cells(sheet, "notes", {ids[3]: "- see the methods section"})
    book = load_workbook(sheet)
    from openpyxl.styles import PatternFill

    for cell in book[DATA_SHEET][21]:  # the last row, highlighted in red
        cell.fill = PatternFill("solid", fgColor="FF0000")
    book.save(sheet)

    spec = reviewer_spec("title_abstract", ScreeningSettings())
    new = [
        {
            "record_id": r.record_id,
            "title": r.title,
            "abstract": r.abstract,
            "url": r.url,
            "batch": "2",
            "added": "2026-11-22",
        }
        for r in records[20:]
    ]
    marks = {ids[5]: {"status": "withdrawn: no longer in the records"}}
    slow, fast = tmp_path / "slow.xlsx", tmp_path / "fast.xlsx"
    _rewrite_xlsx_openpyxl(sheet, slow, spec, new, marks)
    patch_xlsx(sheet, fast, spec, new, marks)
    slow_look, fast_look = _look(slow), _look(fast)
    assert len(fast_look) == len(slow_look) > 30 * 10
    # New rows look like the column's usual cells, not like the red row above them.
    assert [c for c in fast_look if c[0].endswith("22") and c[6] == "FF0000"] == []
    assert fast_look == slow_look
    fast_sheet = load_workbook(fast)[DATA_SHEET]
    slow_sheet = load_workbook(slow)[DATA_SHEET]
    assert fast_sheet.auto_filter.ref == slow_sheet.auto_filter.ref
    assert fast_sheet.freeze_panes == slow_sheet.freeze_panes == FROZEN_CELL
    assert sorted(str(v.sqref) for v in fast_sheet.data_validations.dataValidation) == sorted(
        str(v.sqref) for v in slow_sheet.data_validations.dataValidation
    )
    # What people typed reads back unchanged.
    rows = {r["record_id"]: r for _, r in read_table(fast, xlsx=True).rows}
    assert (rows[ids[3]]["decision"], rows[ids[3]]["reason"]) == ("exclude", "wrong concept")
    assert rows[ids[3]]["notes"] == "- see the methods section"
    assert rows[ids[5]]["status"] == "withdrawn: no longer in the records"
    assert list(rows) == ids[:30]


def test_the_workflow_appends_through_the_fast_path(
    tmp_path: Path, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = pubmed_records(shared_data)[:30]
    _update(tmp_path, records[:20])
    caplog.set_level("INFO", logger="scoping.screening.tables")
    manifest = _update(tmp_path, records)
    assert [s["rows_added"] for s in manifest["sheets"]] == [10, 10]
    assert "appending with openpyxl" not in caplog.text
    for name in ("reviewer1", "reviewer2"):
        table = read_table(tmp_path / "screening" / "title_abstract" / f"{name}.xlsx")
        assert [r["record_id"] for _, r in table.rows] == [r.record_id for r in records]
        assert {r["batch"] for _, r in table.rows[20:]} == {"2"}


def test_text_typed_below_the_records_stops_the_append_and_names_the_row(
    tmp_path: Path, shared_data: Path
) -> None:
    records = pubmed_records(shared_data)[:8]
    _update(tmp_path, records[:5])
    sheet = tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx"
    book = load_workbook(sheet)
    header = [c.value for c in book[DATA_SHEET][1]]
    book[DATA_SHEET].cell(row=8, column=header.index("notes") + 1, value="ask Liam")
    book.save(sheet)
    before = sheet.read_bytes()
    backups = sheet.parent / ".backup"
    kept = sorted(backups.iterdir()) if backups.is_dir() else []
    with pytest.raises(ScopingError) as error:
        _update(tmp_path, records)
    message = str(error.value)
    assert "row 8" in message and "record_id" in message and "reviewer1.xlsx" in message
    # Nothing written: the note would otherwise have become a new record's note.
    assert sheet.read_bytes() == before
    assert (sorted(backups.iterdir()) if backups.is_dir() else []) == kept
    shutil.rmtree(tmp_path / "screening", ignore_errors=True)


def test_a_formula_below_the_records_keeps_its_row_and_new_records_go_below_it(
    tmp_path: Path, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    records = pubmed_records(shared_data)[:8]
    _update(tmp_path, records[:5])
    sheet = tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx"
    book = load_workbook(sheet)
    header = [c.value for c in book[DATA_SHEET][1]]
    notes = header.index("notes") + 1
    book[DATA_SHEET].cell(row=8, column=notes, value='=IF(D2="include","check","")')
    book.save(sheet)
    caplog.set_level("INFO", logger="scoping.screening.tables")
    _update(tmp_path, records)
    assert "text below the last record" in caplog.text  # the openpyxl path
    data = load_workbook(sheet)[DATA_SHEET]
    assert data.cell(row=8, column=notes).value == '=IF(D2="include","check","")'
    assert data.cell(row=8, column=1).value is None  # no record written onto its row
    rows = read_table(sheet).rows
    assert [n for n, _ in rows] == [2, 3, 4, 5, 6, 9, 10, 11]
    assert [r["record_id"] for _, r in rows] == [r.record_id for r in records]
    assert all(r["notes"] == "" for _, r in rows[5:])


def test_any_failure_of_the_xml_edit_falls_back_to_openpyxl(
    tmp_path: Path,
    shared_data: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import scoping.screening.xlsx_patch as xlsx_patch

    records = pubmed_records(shared_data)[:8]
    _update(tmp_path, records[:5])

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("xl/worksheets/sheet9.xml")

    monkeypatch.setattr(xlsx_patch, "patch_sheet", broken)
    caplog.set_level("INFO", logger="scoping.screening.tables")
    manifest = _update(tmp_path, records)
    assert [s["rows_added"] for s in manifest["sheets"]] == [3, 3]
    assert "XML edit failed: KeyError" in caplog.text
    table = read_table(tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx")
    assert [r["record_id"] for _, r in table.rows] == [r.record_id for r in records]


def test_a_reviewers_comment_and_own_sheet_survive_an_append(
    tmp_path: Path, shared_data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from openpyxl.comments import Comment

    records = pubmed_records(shared_data)[:8]
    _update(tmp_path, records[:5])
    sheet = tmp_path / "screening" / "title_abstract" / "reviewer1.xlsx"
    book = load_workbook(sheet)
    book[DATA_SHEET]["D3"].comment = Comment("Check the full text: adults only?", "Amina")
    book.create_sheet("my tally")["A1"] = "12 includes so far"
    book.save(sheet)
    caplog.set_level("INFO", logger="scoping.screening.tables")
    _update(tmp_path, records)
    assert "appending with openpyxl" not in caplog.text  # the XML edit did it
    book = load_workbook(sheet)
    assert book[DATA_SHEET]["D3"].comment.text == "Check the full text: adults only?"
    assert book["my tally"]["A1"].value == "12 includes so far"
    assert len(read_table(sheet).rows) == 8
