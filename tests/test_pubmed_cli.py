"""``scoping pubmed`` end to end against the local test server."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from eutils_server import Faults, real_corpus, serve, synthetic_corpus

from scoping.cli import main
from scoping.eutils import EutilsClient
from scoping.records import read_records
from scoping.searchlog import SEARCH_LOG_COLUMNS, read_search_log

QUERY = '("health links"[tiab] OR twinning[tiab]) AND 2019:2024[dp]'


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scoping.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_every_flag_empty_means_not_given(tmp_path: Path, monkeypatch, capsys) -> None:
    """The Snakemake rule passes every flag, '' for unset: the defaults then apply, and the
    base URL comes from SCOPING_EUTILS_URL."""
    monkeypatch.chdir(tmp_path)
    corpus = synthetic_corpus(120, first_year=2018, last_year=2024)
    with serve(corpus=corpus) as server:
        monkeypatch.setenv("SCOPING_EUTILS_URL", server.base_url)
        for name in ("NCBI_API_KEY", "NCBI_EMAIL", "NCBI_TOOL"):
            monkeypatch.delenv(name, raising=False)
        code = main(
            [
                "pubmed",
                QUERY,
                *["--mindate", "", "--maxdate", "", "--max-records", ""],
                *["--source", "", "--source-type", "", "--base-url", ""],
                *["--cache-dir", "", "--refresh", "", "--batch-size", ""],
                *["--output", "", "--search-log", "", "--filters", ""],
            ]
        )
        sent = server.stats.log
    assert code == 0
    records = read_records(tmp_path / "results" / "search" / "pubmed.csv")
    assert len(records) == 120
    assert {r.source for r in records} == {"pubmed"}
    assert {r.source_type for r in records} == {"database"}
    assert all(r.retrieved_at for r in records)
    assert any((tmp_path / "results" / "cache" / "pubmed").rglob("*.xml"))
    assert sent[0]["term"] == QUERY and "mindate" not in sent[0]
    assert sent[0]["tool"] == "scoping" and "api_key" not in sent[0]
    assert "pubmed pubmed: 120 found, 120 records" in capsys.readouterr().out


def test_search_log_and_options(tmp_path: Path, monkeypatch) -> None:
    corpus = synthetic_corpus(400, first_year=2015, last_year=2024)
    out, log = tmp_path / "out" / "hl.csv", tmp_path / "out" / "hl.log.csv"
    with serve(corpus=corpus) as server:
        # The flag wins over the environment.
        monkeypatch.setenv("SCOPING_EUTILS_URL", "http://127.0.0.1:9/nothing/")
        args = [
            "pubmed",
            QUERY,
            *["--mindate", "2019/01/01", "--maxdate", "2020/12/31"],
            *["--source", "health_links", "--source-type", "database"],
            *["--base-url", server.base_url, "--cache-dir", str(tmp_path / "cache")],
            *["--output", str(out), "--search-log", str(log), "--batch-size", "50"],
        ]
        assert main(args) == 0
        expected = corpus.search(datetime(2019, 1, 1).date(), datetime(2020, 12, 31).date())
        first_requests = server.stats.requests
        assert main(args) == 0
        assert server.stats.requests == first_requests  # rerun: all from the cache
        assert main([*args, "--refresh"]) == 0
        assert server.stats.requests == 2 * first_requests
        assert main([*args, "--max-records", "7"]) == 0
    (row,) = read_search_log(log)
    assert list(row) == list(SEARCH_LOG_COLUMNS)
    assert row["source"] == "health_links"
    assert row["database"] == "PubMed"
    assert row["query"] == QUERY
    assert row["query_translation"] == f'"{QUERY}"[All Fields]'
    assert (row["mindate"], row["maxdate"]) == ("2019/01/01", "2020/12/31")
    assert row["count_reported"] == str(len(expected))
    assert row["records_fetched"] == "7"
    assert row["file"] == str(out)
    datetime.fromisoformat(row["date_run"])
    assert [r.pmid for r in read_records(out)] == expected[:7]


def test_bad_options_are_one_line_errors(tmp_path: Path, capsys) -> None:
    for args, message in [
        (["--mindate", "2020/13/45"], "--mindate '2020/13/45' is not a date"),
        (["--max-records", "many"], "--max-records 'many' is not a whole number"),
        (["--source-type", "journal"], "--source-type 'journal' is unknown"),
        (["--refresh", "maybe"], "--refresh 'maybe' is not yes or no"),
        (["--base-url", "ftp://x"], "is not an http(s) URL"),
        (["--mindate", "2021", "--maxdate", "2020"], "is after --maxdate"),
    ]:
        code = main(["pubmed", "q", "--base-url", "http://127.0.0.1:9/", *args])
        err = capsys.readouterr().err
        assert code == 2, args
        assert message in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1


def test_api_key_never_reaches_logs_outputs_or_cache(tmp_path: Path) -> None:
    key = "sekrit-API-KEY-0123456789"
    faults = Faults(script=["ratelimit_json", "429"], retry_after="0")
    with serve(corpus=real_corpus(), faults=faults) as server:
        env = {
            **os.environ,
            "NCBI_API_KEY": key,
            "NCBI_EMAIL": "reviewer@example.org",
            "SCOPING_EUTILS_URL": server.base_url,
        }
        out, log = tmp_path / "r.csv", tmp_path / "r.log.csv"
        args = ["-v", "pubmed", "q", "--output", str(out), "--search-log", str(log)]
        done = run_cli([*args, "--cache-dir", str(tmp_path / "cache")], env)
        received = [e.get("api_key") for e in server.stats.log]
    assert done.returncode == 0, done.stderr
    assert received and set(received) == {key}  # NCBI does get it (so this test can fail)
    assert "rate limit" in done.stderr and "HTTP 429" in done.stderr  # the retries were logged
    assert key not in done.stdout + done.stderr
    assert "reviewer@example.org" not in done.stdout + done.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) > 4
    for path in files:
        assert key.encode() not in path.read_bytes(), path
    assert len(read_records(out)) == 172


def test_unreachable_server_is_a_clear_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(EutilsClient.__init__.__kwdefaults__, "retries", 1)
    monkeypatch.setitem(EutilsClient.__init__.__kwdefaults__, "backoff", 0.001)
    monkeypatch.setenv("SCOPING_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils/")
    out = tmp_path / "r.csv"
    code = main(["pubmed", "q", "--output", str(out), "--cache-dir", str(tmp_path / "c")])
    assert code == 2
    err = capsys.readouterr().err
    assert "esearch failed 2 times; last problem: connection error" in err
    assert not out.exists()


@pytest.mark.parametrize(("given", "expected"), [([], ""), (["--refresh"], "yes")])
def test_refresh_flag_forms(given: list[str], expected: str) -> None:
    from scoping.cli import build_parser

    assert build_parser().parse_args(["pubmed", "q", *given]).refresh == expected


def test_filters_are_anded_and_logged(tmp_path: Path) -> None:
    from scoping.eutils import compose_query

    assert compose_query("a OR b", "") == "a OR b"
    assert compose_query("a OR b", "english[lang]") == "(a OR b) AND (english[lang])"
    both = '["english[lang]", "humans[mh]"]'
    assert compose_query("a", both) == "(a) AND (english[lang]) AND (humans[mh])"
    with serve(corpus=synthetic_corpus(3)) as server:
        log = tmp_path / "log.csv"
        args = ["pubmed", "a", "--filters", both, "--base-url", server.base_url]
        args += ["--output", str(tmp_path / "r.csv"), "--search-log", str(log)]
        assert main([*args, "--cache-dir", str(tmp_path / "c")]) == 0
        assert server.stats.log[0]["term"] == "(a) AND (english[lang]) AND (humans[mh])"
    assert read_search_log(log)[0]["query"] == "(a) AND (english[lang]) AND (humans[mh])"
    assert main(["pubmed", "a", "--filters", "[oops", "--base-url", server.base_url]) == 2


def test_progress_bar_on_a_terminal_log_lines_otherwise(monkeypatch, caplog, capsys) -> None:
    from scoping.commands import pubmed_cmd

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with caplog.at_level("INFO", logger="scoping.pubmed"), pubmed_cmd._progress("pm") as step:
        step(500, 1000)
    assert "pm: 500/1000 records fetched" in caplog.text
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with pubmed_cmd._progress("pm") as step:
        step(250, 1000)
        step(1000, 1000)
    assert "1000/1000" in capsys.readouterr().err  # tqdm's bar
