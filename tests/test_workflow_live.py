"""A live-configured review run by Snakemake against the local E-utilities server."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import yaml
from eutils_server import serve, synthetic_corpus
from workflow_helpers import copy_project, jobs_run, snakemake

QUERIES = {
    "medline_twinning": '(twinning[tiab] OR "health link*"[tiab]) AND "developing countries"[mh]',
    "medline_partnerships": '"health partnership*"[tiab] AND international[tiab]',
}


def _config(base_url: str, queries: dict[str, str], cache: str) -> dict:
    return {
        "review": {"title": "Live review against a local PubMed"},
        "sources": {
            name: {"type": "pubmed", "query": query, "mindate": "1990", "maxdate": "2025"}
            for name, query in queries.items()
        },
        "pubmed": {"base_url": base_url, "cache_dir": cache},
        "screening": {"dir": "screening", "reviewers": ["ana", "ben"]},
    }


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_live_review_searches_logs_dedups_and_reruns_only_a_changed_query(tmp_path: Path) -> None:
    workdir = copy_project(tmp_path)
    # The partnerships search finds 300 records, 120 of which the twinning search finds too.
    corpora = {
        QUERIES["medline_twinning"]: synthetic_corpus(120),
        QUERIES["medline_partnerships"]: synthetic_corpus(300),
        "*": synthetic_corpus(7, first_pmid=30_000_000),
    }
    env = {"NCBI_EMAIL": "review@example.org", "SCOPING_EUTILS_URL": "http://127.0.0.1:9/"}
    with serve(corpus=corpora) as server:
        config = workdir / "live.yaml"
        cache = str(tmp_path / "cache")
        config.write_text(yaml.safe_dump(_config(server.base_url, QUERIES, cache)))
        snakemake(workdir, "--configfile", "live.yaml", env=env)

        log = {row["source"]: row for row in _rows(workdir / "results/search/search_log.csv")}
        assert set(log) == set(QUERIES)
        for name, query in QUERIES.items():
            assert log[name]["query"] == query
            assert log[name]["database"] == "PubMed"
            assert log[name]["date_run"]
        assert log["medline_twinning"]["count_reported"] == "120"
        assert log["medline_partnerships"]["records_fetched"] == "300"

        prisma = json.loads((workdir / "results/prisma/prisma.json").read_text())
        assert prisma["identified"] == {"medline_twinning": 120, "medline_partnerships": 300}
        assert prisma["duplicates_removed"] == 120
        assert prisma["pending"]["title_abstract"] == 300
        sheet_rows = json.loads(
            (workdir / "results/screening/title_abstract/sheets.json").read_text()
        )
        assert "ana" in json.dumps(sheet_rows) and "ben" in json.dumps(sheet_rows)

        # An unchanged rerun sends nothing to PubMed.
        before = server.stats.requests
        again = snakemake(workdir, "--configfile", "live.yaml", env=env)
        assert jobs_run(again) == []
        assert server.stats.requests == before

        # Changing one query reruns that search only.
        changed = dict(QUERIES, medline_twinning=QUERIES["medline_twinning"] + " AND 2000:2025[dp]")
        config.write_text(yaml.safe_dump(_config(server.base_url, changed, cache)))
        dry = snakemake(workdir, "--configfile", "live.yaml", "-n", env=env)
        assert jobs_run(dry).count("fetch_pubmed") == 1
        assert (
            "medline_twinning" in dry.stdout
            and "results/search/medline_partnerships.csv"
            not in [
                line.split("output: ")[-1] for line in dry.stdout.splitlines() if "output:" in line
            ]
        )
