"""The workflow itself, run by Snakemake on the demo review in a temporary copy of the project."""

from __future__ import annotations

import csv
import json
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest
from workflow_helpers import copy_project, jobs_run, snakemake

DEMO = ("--configfile", "config/demo/config.yaml")

#: The demo's story, counted by hand from config/demo/search/ and config/demo/screening/.
IDENTIFIED = {"medline": 14, "google_scholar": 5, "government_websites": 5, "citation_tracking": 2}
DUPLICATES = (
    4  # Google Scholar x2 and citation tracking x1 repeat Medline; one report is on two lists
)
SCREENED = 22
TA_EXCLUDED = 1  # twin pregnancies: 'twinning' in another sense
FT_EXCLUDED = {"No description of activities or outcomes": 1}
INCLUDED = 20


def _git(workdir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=workdir, capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed copy of the project after one run of the demo."""
    workdir = copy_project(tmp_path_factory.mktemp("demo"))
    _git(workdir, "init", "-q")
    _git(workdir, "add", "-A")
    _git(workdir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "demo")
    snakemake(workdir, *DEMO)
    return workdir


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_counts_every_prisma_box(demo: Path) -> None:
    prisma = json.loads((demo / "results/prisma/prisma.json").read_text())
    assert prisma["identified"] == IDENTIFIED
    assert prisma["duplicates_removed"] == DUPLICATES
    assert prisma["records_screened"] == SCREENED
    assert prisma["records_excluded"] == TA_EXCLUDED
    assert prisma["reports_sought"] == SCREENED - TA_EXCLUDED
    assert prisma["reports_not_retrieved"] == 0
    assert prisma["reports_assessed"] == SCREENED - TA_EXCLUDED
    assert prisma["reports_excluded"] == FT_EXCLUDED
    assert prisma["studies_included"] == INCLUDED
    markdown = (demo / "results/prisma/prisma.md").read_text()
    assert "| New studies included in review | 20 |" in markdown
    assert (demo / "results/prisma/prisma.csv").stat().st_size > 0


def test_demo_search_log_lists_every_source(demo: Path) -> None:
    log = _rows(demo / "results/search/search_log.csv")
    assert {row["source"]: int(row["records_fetched"]) for row in log} == IDENTIFIED
    assert all(row["date_run"] for row in log)
    # A file source's query (config/demo: medline) reaches the log; the others give none, so
    # the log names the file imported.
    queries = {row["source"]: row["query"] for row in log}
    assert (
        queries["medline"]
        == '"health partnership*"[tiab] OR twinning[tiab] OR "health link*"[tiab]'
    )
    assert queries["citation_tracking"] == "config/demo/search/citation_tracking.ris"


def test_demo_decisions_reconcile_both_reviewers(demo: Path) -> None:
    ta = _rows(demo / "results/screening/title_abstract/decisions.csv")
    assert len(ta) == SCREENED
    finals = [row["final"] for row in ta]
    assert finals.count("include") == SCREENED - TA_EXCLUDED
    assert sum(row["outcome"] == "resolved" for row in ta) == 3
    ft = _rows(demo / "results/screening/full_text/decisions.csv")
    assert [row["final"] for row in ft].count("include") == INCLUDED
    agreement = json.loads((demo / "results/screening/title_abstract/agreement.json").read_text())
    assert agreement["n"] == SCREENED
    # Every title/abstract record is decided: nothing left to rank, the stopping test stated.
    priority = json.loads((demo / "results/screening/title_abstract/priority.json").read_text())
    assert (priority["decided"], priority["undecided_ranked"]) == (SCREENED, 0)
    assert priority["stopping"]["records_left"] == 0
    assert agreement["kappa_ci_low"] <= agreement["kappa"] <= agreement["kappa_ci_high"]


def test_demo_leaves_tracked_files_alone_and_rerun_does_nothing(demo: Path) -> None:
    assert _git(demo, "status", "--porcelain") == ""
    started = time.monotonic()
    again = snakemake(demo, *DEMO)
    assert "Nothing to be done" in again.stdout + again.stderr
    assert jobs_run(again) == []
    assert time.monotonic() - started < 120  # a loose bound: the point is that nothing ran


@pytest.fixture
def fresh_demo(tmp_path: Path) -> Path:
    workdir = copy_project(tmp_path)
    snakemake(workdir, *DEMO)
    return workdir


def _sheet_rows(path: Path) -> tuple[openpyxl.Workbook, object, dict[str, int], int]:
    """Workbook, data sheet, column index by header name, and the header row number."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=1, max_row=10):
            names = {str(c.value).strip(): c.column for c in row if c.value is not None}
            if "record_id" in names and "decision" in names:
                return book, sheet, names, row[0].row
    raise AssertionError(f"{path}: no sheet with record_id and decision columns")


def test_edited_sheet_reruns_only_reconciliation_and_keeps_every_decision(
    fresh_demo: Path,
) -> None:
    sheet_path = fresh_demo / "screening/demo/title_abstract/liam.xlsx"
    book, sheet, cols, header = _sheet_rows(sheet_path)
    # Liam changes his mind on the twin-pregnancy record and writes a note: a real conflict now.
    target = None
    for row in range(header + 1, sheet.max_row + 1):
        if str(sheet.cell(row, cols["title"]).value).startswith("Twinning rates"):
            assert sheet.cell(row, cols["decision"]).value == "exclude"
            target = str(sheet.cell(row, cols["record_id"]).value)
            sheet.cell(row, cols["decision"]).value = "include"
            sheet.cell(row, cols["notes"]).value = "On reflection: check the full text"
            break
    assert target is not None
    book.save(sheet_path)

    dry = snakemake(fresh_demo, *DEMO, "-n")
    planned = set(jobs_run(dry))
    assert planned == {"reconcile_screening", "prepare_sheets", "rank_records", "count_prisma"}

    snakemake(fresh_demo, *DEMO)
    _, sheet, cols, header = _sheet_rows(sheet_path)
    kept = {
        str(sheet.cell(r, cols["record_id"]).value): (
            sheet.cell(r, cols["decision"]).value,
            sheet.cell(r, cols["notes"]).value,
        )
        for r in range(header + 1, sheet.max_row + 1)
    }
    assert kept[target] == ("include", "On reflection: check the full text")
    ta = {
        row["record_id"]: row
        for row in _rows(fresh_demo / "results/screening/title_abstract/decisions.csv")
    }
    assert ta[target]["liam_decision"] == "include"
    assert ta[target]["outcome"] == "conflict"
    assert ta[target]["final"] == "pending"
    prisma = json.loads((fresh_demo / "results/prisma/prisma.json").read_text())
    assert prisma["pending"]["title_abstract"] == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            {"screening": {"reviewers": ["amina", "liam"], "dir": "s", "colour": "red"}},
            "screening.colour",
        ),
        ({"sources": {"medline": {"type": "pubmed"}}}, "sources.medline.query"),
        (
            {"sources": {"medline": {"type": "pubmed", "query": "x", "max_records": "all"}}},
            "sources.medline.max_records",
        ),
    ],
)
def test_invalid_config_stops_at_start_up_naming_the_key(
    tmp_path: Path, change: dict, named: str
) -> None:
    import yaml

    workdir = copy_project(tmp_path)
    config = yaml.safe_load((workdir / "config/demo/config.yaml").read_text())
    for key, value in change.items():
        config[key] = value
    (workdir / "bad.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(workdir, "--configfile", "bad.yaml", "-n", check=False)
    assert result.returncode != 0
    assert f"'{named}'" in result.stdout + result.stderr
    assert not (workdir / "results").exists()


def _typed(path: Path) -> dict[str, tuple[object, object, object]]:
    _, sheet, cols, header = _sheet_rows(path)
    return {
        str(sheet.cell(r, cols["record_id"]).value): tuple(
            sheet.cell(r, cols[name]).value for name in ("decision", "reason", "notes")
        )
        for r in range(header + 1, sheet.max_row + 1)
        if sheet.cell(r, cols["record_id"]).value
    }


def test_rerun_with_a_new_source_sends_only_new_records_to_screeners(fresh_demo: Path) -> None:
    import yaml

    sheets = {
        name: fresh_demo / f"screening/demo/title_abstract/{name}.xlsx"
        for name in ("amina", "liam")
    }
    before = {name: _typed(path) for name, path in sheets.items()}
    # Months later: a new list of reports, one of which the review already has.
    (fresh_demo / "config/demo/search/new_reports.csv").write_text(
        "Document title,Organisation,Year published,Link\n"
        "Global health partnerships: a framework for engagement by health institutions,"
        "Global Health Partnerships Office,2019,https://example.org/demo/ghpo-framework-2019\n"
        "Measuring the value of hospital partnerships: a toolkit,Health Links Network,2025,"
        "https://example.org/demo/hln-toolkit\n"
        "Climate change and health partnerships: a briefing,Centre for Health Cooperation,2026,"
        "https://example.org/demo/chc-climate\n",
        encoding="utf-8",
    )
    config_path = fresh_demo / "config/demo/config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["sources"]["new_reports"] = {
        "type": "file",
        "path": "config/demo/search/new_reports.csv",
        "arm": "organisation",
        "columns": {
            "title": "Document title",
            "authors": "Organisation",
            "year": "Year published",
            "url": "Link",
        },
    }
    config_path.write_text(yaml.safe_dump(config))

    dry = snakemake(fresh_demo, *DEMO, "-n")
    assert jobs_run(dry).count("import_source") == 1  # only the new source is read

    snakemake(fresh_demo, *DEMO)
    for name, path in sheets.items():
        after = _typed(path)
        assert {rid: after[rid] for rid in before[name]} == before[name]  # nothing typed is lost
        new = set(after) - set(before[name])
        assert len(new) == 2
        assert all(after[rid] == (None, None, None) for rid in new)
    prisma = json.loads((fresh_demo / "results/prisma/prisma.json").read_text())
    assert prisma["identified"] == {**IDENTIFIED, "new_reports": 3}
    assert prisma["duplicates_removed"] == DUPLICATES + 1
    assert prisma["pending"]["title_abstract"] == 2
    assert prisma["studies_included"] == INCLUDED
