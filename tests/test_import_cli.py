"""``scoping import``: summary, records CSV, search log; empty flags mean "not given"."""

from __future__ import annotations

from pathlib import Path

from import_helpers import run_cli

from scoping.readers import read_file
from scoping.records import read_records
from scoping.searchlog import read_search_log

OVID = "formats/mckeown_ovid/0_Ovid_search_results_3001_to_3130.ris"


def test_every_flag_empty_means_defaults(shared_data: Path, tmp_path: Path, capsys) -> None:
    src = shared_data / OVID
    out, log = tmp_path / "records.csv", tmp_path / "log.csv"
    empty = ["--format", "", "--source", "", "--source-type", "", "--database", "",
             "--columns", "", "--searched-on", "", "--encoding", ""]  # fmt: skip
    code, stdout, _ = run_cli(
        ["import", str(src), *empty, "--output", str(out), "--search-log", str(log)], capsys
    )
    assert code == 0
    assert f"{src}: 130 records, format ris (Ovid), encoding utf-8" in stdout
    records = read_records(out)
    assert len(records) == 130
    assert {r.source for r in records} == {src.stem}
    assert {r.source_type for r in records} == {"other"}
    assert [r.record_id for r in records] == [r.record_id for r in read_file(src).records]
    assert records[0].raw["A1"] == "Taylor, Purcell Jr."  # raw fields survive the CSV
    (row,) = read_search_log(log)
    assert row["source"] == src.stem
    assert row["database"] == "Ovid"
    assert row["query"] == str(src)
    assert row["count_reported"] == row["records_fetched"] == "130"
    assert row["file"] == str(out)
    assert row["date_searched"] == ""
    assert row["date_run"]


def test_flags_given(shared_data: Path, tmp_path: Path, capsys) -> None:
    src = shared_data / "formats/revtools/restoration_pubmed.nbib"
    out, log = tmp_path / "pubmed.csv", tmp_path / "log.csv"
    args = ["import", str(src), "--format", "nbib", "--source", "pubmed_restoration",
            "--source-type", "database", "--database", "PubMed (via revtools)",
            "--searched-on", "2019-01-28", "--output", str(out),
            "--search-log", str(log)]  # fmt: skip
    code, stdout, _ = run_cli(args, capsys)
    assert code == 0
    assert "104 records, format medline (PubMed)" in stdout
    records = read_records(out)
    assert {r.source for r in records} == {"pubmed_restoration"}
    assert {r.source_type for r in records} == {"database"}
    assert {r.retrieved_at for r in records} == {"2019-01-28"}
    assert all(r.record_id == f"pmid-{r.pmid}" for r in records)
    (row,) = read_search_log(log)
    assert (row["database"], row["date_searched"]) == ("PubMed (via revtools)", "2019-01-28")
    assert row["query"] == str(src)  # no --query: the file imported


def test_query_reaches_the_search_log(shared_data: Path, tmp_path: Path, capsys) -> None:
    src = shared_data / "formats/revtools/restoration_pubmed.nbib"
    log = tmp_path / "log.csv"
    query = '"ecological restoration"[tiab] AND 2018:2019[dp]'
    code, _, _ = run_cli(["import", str(src), "--query", query, "--search-log", str(log)], capsys)
    assert code == 0
    (row,) = read_search_log(log)
    assert row["query"] == query


def test_summary_only_without_output(
    shared_data: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    src = shared_data / "formats/rispy/example_multi_unknown_tags.ris"
    code, stdout, _ = run_cli(["import", str(src)], capsys)
    assert code == 0
    assert "filled: source_id 0%" in stdout
    assert "title 100%" in stdout
    assert "tag 'JP' is not in the RIS specification (first at line 1); kept in raw" in stdout
    assert list(tmp_path.iterdir()) == []
