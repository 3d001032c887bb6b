"""Reading sheets back: clear one-line errors, and sheets saved by real LibreOffice."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from screening_helpers import pubmed_records, type_decisions, write_dedup_records

from scoping.cli import main
from scoping.errors import ScopingError
from scoping.records import Record
from scoping.screening import ScreeningSettings, reconcile_stage, update_sheets
from scoping.screening.tables import read_table

INJECTION = '=HYPERLINK("http://x","y")'


@pytest.fixture()
def screened(tmp_path: Path, shared_data: Path) -> tuple[Path, list[str]]:
    evil = Record.create(source="grey", title=INJECTION, year="2021")
    records = [*pubmed_records(shared_data)[:12], evil]
    write_dedup_records(tmp_path / "records.csv", records)
    _sheets(tmp_path)
    return tmp_path, [r.record_id for r in records]


def _sheets(tmp: Path) -> dict:
    return update_sheets(
        stage="title_abstract",
        records_path=tmp / "records.csv",
        include_from=None,
        directory=tmp / "screening",
        settings=ScreeningSettings(),
    )


def _reconcile(
    tmp: Path,
    stage: str = "title_abstract",
    include_from: Path | None = None,
    settings: ScreeningSettings | None = None,
) -> dict:
    return reconcile_stage(
        stage=stage,
        records_path=tmp / "records.csv",
        include_from=include_from,
        directory=tmp / "screening",
        output=tmp / "out" / stage / "decisions.csv",
        agreement_path=tmp / "out" / stage / "agreement.json",
        settings=settings or ScreeningSettings(),
    )


def _edit(path: Path, row: int, column: str, value: object) -> None:
    book = load_workbook(path)
    sheet = book["screening"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=row, column=header.index(column) + 1).value = value
    book.save(path)


def test_unknown_decision_names_file_row_column(screened: tuple[Path, list[str]]) -> None:
    tmp, _ = screened
    path = tmp / "screening" / "title_abstract" / "reviewer2.xlsx"
    _edit(path, 5, "decision", "Yes")
    with pytest.raises(ScopingError) as error:
        _reconcile(tmp)
    text = str(error.value)
    assert text.startswith(f"{path}, row 5, column 'decision': unknown decision 'Yes'")
    assert "Fix: use one of include, exclude, maybe" in text and "\n" not in text


def test_unknown_reason(screened: tuple[Path, list[str]]) -> None:
    tmp, _ = screened
    _edit(tmp / "screening" / "title_abstract" / "reviewer1.xlsx", 3, "reason", "wrong popultion")
    with pytest.raises(ScopingError, match=r"row 3, column 'reason': unknown exclusion reason"):
        _reconcile(tmp)


def test_duplicated_and_edited_ids(screened: tuple[Path, list[str]]) -> None:
    tmp, ids = screened
    path = tmp / "screening" / "title_abstract" / "reviewer1.xlsx"
    _edit(path, 4, "record_id", ids[0])
    with pytest.raises(
        ScopingError,
        match=rf"row 4, column 'record_id': record_id '{ids[0]}' "
        r"is listed twice \(also row 2\)",
    ):
        _reconcile(tmp)
    _edit(path, 4, "record_id", "pmid-1")
    with pytest.raises(
        ScopingError,
        match=r"row 4, column 'record_id': record_id 'pmid-1' is "
        r"not a record of this stage \(was the ID edited\?\)",
    ):
        _reconcile(tmp)


def test_deleted_row_and_renamed_column(screened: tuple[Path, list[str]]) -> None:
    tmp, ids = screened
    path = tmp / "screening" / "title_abstract" / "reviewer2.xlsx"
    book = load_workbook(path)
    book["screening"].delete_rows(7)
    book.save(path)
    with pytest.raises(
        ScopingError,
        match=rf"reviewer2.xlsx, column 'record_id': the row of "
        rf"record '{ids[5]}' is gone \(was it deleted\?\)",
    ):
        _reconcile(tmp)
    # An update of the records must not quietly list it again as an empty new row.
    with pytest.raises(ScopingError, match=r"is gone \(was it deleted\?\).*delete its line"):
        _sheets(tmp)
    ledger = tmp / "screening" / "title_abstract" / ".listed" / "reviewer2.xlsx.txt"
    ledger.write_text(ledger.read_text().replace(f"{ids[5]}\n", ""))
    assert [s["rows_added"] for s in _sheets(tmp)["sheets"]] == [0, 1]
    book = load_workbook(path)
    book["screening"].delete_rows(7)
    book.save(path)
    ledger.unlink()  # without its ledger, reconcile still misses the row
    with pytest.raises(ScopingError, match=rf"the row of record '{ids[6]}' is missing"):
        _reconcile(tmp)
    _edit(path, 1, "decision", "Decision (A)")
    with pytest.raises(ScopingError, match=r"row 1, column 'decision': the header has no column"):
        _reconcile(tmp)


def test_full_text_exclusion_needs_reason(screened: tuple[Path, list[str]]) -> None:
    tmp, ids = screened
    folder = tmp / "screening" / "title_abstract"
    for name in ("reviewer1", "reviewer2"):
        type_decisions(folder / f"{name}.xlsx", {rid: ("include", "") for rid in ids})
    _reconcile(tmp)
    include_from = tmp / "out" / "title_abstract" / "decisions.csv"
    update_sheets(
        stage="full_text",
        records_path=tmp / "records.csv",
        include_from=include_from,
        directory=tmp / "screening",
        settings=ScreeningSettings(),
    )
    path = tmp / "screening" / "full_text" / "reviewer1.xlsx"
    type_decisions(path, {ids[2]: ("exclude", "")})
    with pytest.raises(
        ScopingError,
        match=r"row 4, column 'reason': a full-text exclusion "
        r"needs a reason",
    ):
        _reconcile(tmp, "full_text", include_from)


def test_cli_prints_one_line_error(
    screened: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    tmp, _ = screened
    _edit(tmp / "screening" / "title_abstract" / "reviewer1.xlsx", 2, "decision", "perhaps")
    code = main(
        [
            "reconcile",
            "--stage",
            "title_abstract",
            "--records",
            str(tmp / "records.csv"),
            "--dir",
            str(tmp / "screening"),
            "--output",
            str(tmp / "d.csv"),
            "--agreement",
            str(tmp / "a.json"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "unknown decision 'perhaps'" in err
    assert not (tmp / "d.csv").exists()


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get "
    "install libreoffice-calc-nogui to run this test",
)
def test_libreoffice_saved_xlsx_and_csv_read_back(
    screened: tuple[Path, list[str]], shared_data: Path
) -> None:
    tmp, ids = screened
    evil = Record.create(source="grey", title=INJECTION, year="2021")
    folder = tmp / "screening" / "title_abstract"
    typed = {
        ids[0]: ("include", ""),
        ids[1]: ("exclude", "wrong concept"),
        ids[2]: ("maybe", ""),
        ids[4]: ("Exclude", "Wrong population"),
    }
    type_decisions(folder / "reviewer1.xlsx", typed)
    _edit(folder / "reviewer1.xlsx", 5, "notes", "-- see the methods section")
    expected = {
        r["record_id"]: (r["decision"], r["reason"], r["notes"])
        for _, r in read_table(folder / "reviewer1.xlsx").rows
    }
    out = tmp / "lo"
    profile = f"-env:UserInstallation=file://{tmp / 'lo-profile'}"
    # Sheet 2 is the data sheet; 76 = UTF-8; the last token picks the sheet to export.
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"

    def convert(target: str, outdir: Path) -> None:
        command = [SOFFICE, "--headless", "--norestore", profile, "--convert-to", target]
        command += ["--outdir", str(outdir), str(folder / "reviewer1.xlsx")]
        subprocess.run(command, check=True, capture_output=True, timeout=180)

    for target in ("xlsx:Calc MS Excel 2007 XML", csv_filter):
        convert(target, out)
    saved_csv = out / "reviewer1-screening.csv"
    for saved in (out / "reviewer1.xlsx", saved_csv):
        got = {
            r["record_id"]: (r["decision"], r["reason"], r["notes"])
            for _, r in read_table(saved).rows
        }
        assert got == expected
        titles = [r["title"] for _, r in read_table(saved).rows]
        assert titles[-1] == INJECTION  # still text, escape stripped
    # The workflow reads LibreOffice's files in place of the originals, and appends to them.
    shutil.copy(out / "reviewer1.xlsx", folder / "reviewer1.xlsx")
    records = [*pubmed_records(shared_data)[:14], evil]
    write_dedup_records(tmp / "records.csv", records)
    assert [s["rows_added"] for s in _sheets(tmp)["sheets"]] == [2, 2]
    after = {
        r["record_id"]: (r["decision"], r["reason"], r["notes"])
        for _, r in read_table(folder / "reviewer1.xlsx").rows
    }
    assert {k: after[k] for k in expected} == expected
    sheet = load_workbook(folder / "reviewer1.xlsx")["screening"]
    assert sorted(str(dv.sqref) for dv in sheet.data_validations.dataValidation) == [
        "D2:D1048576",
        "E2:E1048576",
    ]  # LibreOffice's shortened lists widened, not doubled
    assert sheet.freeze_panes == "B2"  # the header row and ID column frozen again
    # The appended file (its XML edited in place) opens in LibreOffice with every row.
    again = tmp / "lo-again"
    convert(csv_filter, again)
    reopened = read_table(again / "reviewer1-screening.csv")
    mine = read_table(folder / "reviewer1.xlsx")
    seen = [(r["record_id"], r["title"], r["decision"], r["notes"]) for _, r in reopened.rows]
    assert seen == [(r["record_id"], r["title"], r["decision"], r["notes"]) for _, r in mine.rows]
    assert len(seen) == 15 and INJECTION in [title for _, title, _, _ in seen]
    stats = _reconcile(tmp)
    assert stats["progress"]["reviewer1"]["decisions"] == {"include": 1, "exclude": 2, "maybe": 1}
    settings = ScreeningSettings(reviewers=["reviewer1", "reviewer2"], format="csv")
    # CSV as LibreOffice saved it (before the update): the records of that time.
    write_dedup_records(tmp / "records.csv", [*pubmed_records(shared_data)[:12], evil])
    shutil.copy(saved_csv, folder / "reviewer1.csv")
    with (folder / "reviewer2.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "decision", "reason", "notes", "status"])
        writer.writerows([rid, "include", "", "", ""] for rid in ids)
    stats = _reconcile(tmp, settings=settings)
    assert stats["outcomes"]["agree_include"] == 1 and stats["outcomes"]["conflict"] == 3
