"""Malformed input: one line naming file, line or row and the fix; exit 2; nothing written."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from import_helpers import run_cli

from scoping.errors import ScopingError
from scoping.readers import read_file

OVID = "formats/mckeown_ovid/0_Ovid_search_results_3001_to_3130.ris"


def _fails_cleanly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, path: Path, *extra: str
) -> str:
    """Run the CLI on a bad file with --output over an existing file; return its error line."""
    output = tmp_path / "records.csv"
    log = tmp_path / "log.csv"
    output.write_text("old\n", encoding="utf-8")
    code, _, err = run_cli(
        ["import", str(path), "--output", str(output), "--search-log", str(log), *extra], capsys
    )
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert str(path) in lines[0]
    assert "Fix:" in lines[0]
    assert output.read_text(encoding="utf-8") == "old\n"  # nothing half-written
    assert not log.exists()
    return lines[0]


def test_truncated_ris(shared_data: Path, tmp_path: Path, capsys) -> None:
    text = (shared_data / OVID).read_text(encoding="utf-8")
    cut = text[: text.rindex("ER  -")]  # the export stopped before the last record ended
    path = tmp_path / "cut.ris"
    path.write_text(cut, encoding="utf-8", newline="")
    start = cut[: cut.rindex("TY  - ")].count("\n") + 1
    line = _fails_cleanly(capsys, tmp_path, path)
    assert f"line {start}" in line
    assert "truncated" in line


def test_missing_end_tag_between_records(shared_data: Path, tmp_path: Path, capsys) -> None:
    text = (shared_data / OVID).read_text(encoding="utf-8")
    first_er = text.index("ER  -")
    broken = text[:first_er] + text[text.index("\n", first_er) + 1 :]
    path = tmp_path / "no_er.ris"
    path.write_text(broken, encoding="utf-8", newline="")
    line = _fails_cleanly(capsys, tmp_path, path)
    assert "no 'ER' line" in line


def test_malformed_tag_line(shared_data: Path, tmp_path: Path, capsys) -> None:
    text = (shared_data / OVID).read_text(encoding="utf-8")
    at = text.index("N2  - ")
    path = tmp_path / "bad_tag.ris"
    path.write_text(text[:at] + "N2 - " + text[at + 6 :], encoding="utf-8", newline="")
    line = _fails_cleanly(capsys, tmp_path, path)
    assert f"line {text[:at].count(chr(10)) + 1}" in line
    assert "malformed tag line 'N2 - " in line


def test_unknown_format_html(shared_data: Path, tmp_path: Path, capsys) -> None:
    line = _fails_cleanly(capsys, tmp_path, shared_data / "entrez/biopython/Entrez/pubmed3.html")
    assert "root element <html>" in line


def test_unknown_format_xml(shared_data: Path, tmp_path: Path, capsys) -> None:
    line = _fails_cleanly(capsys, tmp_path, shared_data / "entrez/biopython/Entrez/esearch1.xml")
    assert "root element <eSearchResult>" in line


def test_unknown_format_text(shared_data: Path, tmp_path: Path, capsys) -> None:
    line = _fails_cleanly(capsys, tmp_path, shared_data / "README.md")
    assert "unknown format" in line


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n"])
def test_empty_file(tmp_path: Path, capsys, content: bytes) -> None:
    path = tmp_path / "empty.ris"
    path.write_bytes(content)
    assert "the file is empty" in _fails_cleanly(capsys, tmp_path, path)


def test_truncated_pubmed_xml(shared_data: Path, tmp_path: Path, capsys) -> None:
    data = (shared_data / "entrez/metapub/pmid_xml/38147649.xml").read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) // 2])
    assert "malformed PubMed XML" in _fails_cleanly(capsys, tmp_path, path)


def test_csv_without_title_column(shared_data: Path, tmp_path: Path, capsys) -> None:
    source = shared_data / "dedup/bibdedupe_benchmark/stroke/records_pre_merged.csv"
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    keep = [i for i, name in enumerate(rows[0]) if name != "title"]
    path = tmp_path / "no_title.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[r[i] for i in keep] for r in rows[:50]])
    line = _fails_cleanly(capsys, tmp_path, path)
    assert "row 1" in line
    assert "no title column (columns: ID, year, author" in line
    assert "--columns" in line


def test_grey_row_without_title_or_url(tmp_path: Path, capsys) -> None:
    path = tmp_path / "grey.csv"
    path.write_text(
        "Title,Organisation,Year,URL\n"
        "World report on ageing and health,World Health Organization,2015,"
        "https://apps.who.int/iris/handle/10665/186463\n"
        ",UNICEF,2019,\n",
        encoding="utf-8",
    )
    line = _fails_cleanly(capsys, tmp_path, path, "--source-type", "organisation")
    assert "row 3" in line
    assert "no title and no URL" in line


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("{title: Name}", "--columns is not valid JSON"),
        ('["Name"]', "--columns must be a JSON object"),
        ('{"title": "Document title"}', "column 'Document title'"),
        ('{"heading": "Title"}', "unknown field 'heading'"),
    ],
)
def test_bad_columns(tmp_path: Path, capsys, columns: str, message: str) -> None:
    path = tmp_path / "grey.csv"
    path.write_text("Title,URL\nA report,https://example.org/a\n", encoding="utf-8")
    code, _, err = run_cli(["import", str(path), "--columns", columns], capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_format_option(shared_data: Path) -> None:
    with pytest.raises(ScopingError, match="unknown --format 'endnote_x'"):
        read_file(shared_data / OVID, format="endnote_x")


def test_forced_format_that_does_not_fit(shared_data: Path) -> None:
    with pytest.raises(ScopingError, match=r"no title column"):
        read_file(shared_data / OVID, format="csv")


def test_cli_process_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "empty.ris"
    path.write_bytes(b"")
    proc = subprocess.run(
        [sys.executable, "-m", "scoping.cli", "import", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"scoping import: error: {path}: the file is empty Fix: export the search results "
        "again; the export may have failed or been cut off."
    )


def test_first_record_without_ty_line(shared_data: Path, tmp_path: Path, capsys) -> None:
    text = (shared_data / OVID).read_text(encoding="utf-8")
    at = text.index("TY  - ")
    path = tmp_path / "no_ty.ris"
    path.write_text(text[:at] + text[text.index("\n", at) + 1 :], encoding="utf-8", newline="")
    line = _fails_cleanly(capsys, tmp_path, path)
    assert f"line {text[:at].count(chr(10)) + 1}: tag 'ID' outside a record" in line
