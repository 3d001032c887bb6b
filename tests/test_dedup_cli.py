"""``scoping dedup`` on the command line, and settings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from scoping.cli import main
from scoping.dedup.settings import DedupSettings, load_settings
from scoping.errors import ScopingError


def test_cli_on_a_benchmark_set_keeps_the_input_id_column(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        shared_data / "dedup" / "bibdedupe_benchmark" / "special_cases" / "records_pre_merged.csv"
    )
    out = tmp_path / "clusters.csv"
    code = main(["dedup", str(source), "--output", str(out), "--settings", '{"min_support": 2}'])
    assert code == 0
    assert "12 hits" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 12 and rows[0]["ID"] == "id_0000001"
    cluster_of = {r["ID"]: r["cluster_id"] for r in rows}
    # Labelled duplicates in this set: (1, 2) and (5, 6); the 2021/2022 HICSS pair is not one.
    assert cluster_of["id_0000001"] == cluster_of["id_0000002"]
    assert cluster_of["id_0000005"] == cluster_of["id_0000006"]
    assert cluster_of["id_0000003"] != cluster_of["id_0000004"]
    assert (tmp_path / "records.csv").is_file() and (tmp_path / "merge_log.csv").is_file()


def test_cli_errors_are_one_line_and_leave_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clusters.csv"
    assert main(["dedup", str(tmp_path / "missing.csv"), "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("scoping dedup: error:") and "missing.csv" in err[-1]
    assert not out.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("ID,colour\n1,x\n", encoding="utf-8")
    assert main(["dedup", str(bad), "--output", str(out)]) == 2
    # The error 'scoping import' gives for the same file: one reader for both commands.
    assert "no title column (columns: ID, colour)" in capsys.readouterr().err


def test_settings_defaults_file_and_errors(tmp_path: Path) -> None:
    assert load_settings(None) == DedupSettings()
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"title_threshold": 0.97, "preprint_policy": "merge"}))
    settings = load_settings(str(path))
    assert settings.title_threshold == 0.97 and settings.preprint_policy == "merge"
    assert load_settings('{"exact_fields": ["pmid"]}').exact_fields == ("pmid",)
    with pytest.raises(ScopingError, match="unknown dedup setting 'title'"):
        load_settings('{"title": 1}')
    with pytest.raises(ScopingError, match="between 0 and 1"):
        load_settings('{"review_threshold": 5}')
    with pytest.raises(ScopingError, match="must be a number"):
        load_settings('{"title_threshold": "high"}')
    with pytest.raises(ScopingError, match="not valid JSON"):
        load_settings("{oops")
