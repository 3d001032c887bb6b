"""PRISMA counts on the hand-made review: every box, its records, the checks, the pending state."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from prisma_helpers import (
    HAND_EXPECTED,
    HAND_SETTINGS,
    HAND_TITLE_ABSTRACT,
    flow_of,
    hand_review,
    write_clusters,
    write_decisions,
    write_search_log_for,
)

from scoping.cli import main
from scoping.errors import ScopingError
from scoping.prisma import build_flow, flow_boxes, prisma_json, write_outputs


def _flow(files, *, settings=HAND_SETTINGS, title_abstract=True, full_text=True):
    return flow_of(files, settings, title_abstract=title_abstract, full_text=full_text)


def test_every_box_of_the_hand_review(tmp_path: Path) -> None:
    flow = _flow(hand_review(tmp_path))
    counts = {box.name: box.n for box in flow_boxes(flow)}
    assert counts == HAND_EXPECTED


def test_boxes_name_the_records_behind_them(tmp_path: Path) -> None:
    flow = _flow(hand_review(tmp_path))
    write_outputs(flow, outdir=tmp_path / "out")
    boxes = tmp_path / "out" / "boxes"

    def ids(name: str) -> list[str]:
        return [line.split("\t")[0] for line in (boxes / f"{name}.txt").read_text().splitlines()]

    assert sorted(ids("duplicates")) == ["pmid-5", "pmid-6", "ref-e1", "ref-e4"]
    assert sorted(ids("other_duplicates")) == ["ref-c2", "ref-w3"]
    assert ids("excluded_other") == ["reg-2"]
    assert sorted(ids("records_excluded")) == ["doi-b", "pmid-3", "pmid-4", "pmid-7"]
    assert ids("dbr_notretrieved_reports") == ["pmid-6"]
    assert sorted(ids("new_studies")) == ["pmid-1", "reg-1", "web-1"]
    excluded = (boxes / "dbr_excluded.txt").read_text().splitlines()
    assert sorted(excluded) == [
        "doi-a\tNot primary research",
        "pmid-2\tWrong population",
        "pmid-5\tWrong population",
    ]
    # Hit-level boxes say which source each hit came from.
    assert "ref-e1\tembase\tE1" in (boxes / "duplicates.txt").read_text().splitlines()
    # One file per box, no more; every file has as many lines as its number.
    files = sorted(p.stem for p in boxes.glob("*.txt"))
    assert files == sorted(HAND_EXPECTED)
    for name, n in HAND_EXPECTED.items():
        assert len((boxes / f"{name}.txt").read_text().splitlines()) == n, name


def test_prisma_json_totals_and_contract_keys(tmp_path: Path) -> None:
    data = prisma_json(_flow(hand_review(tmp_path)))
    contract = {
        "identified": {
            "pubmed_q1": 6,
            "pubmed_q2": 3,
            "embase": 4,
            "ctgov": 2,
            "gov_sites": 3,
            "chaining": 2,
        },
        "identified_databases": 15,
        "identified_other": 5,
        "duplicates_removed": 6,  # 20 hits - 14 unique records
        "records_screened": 13,
        "records_excluded": 5,
        "reports_sought": 8,
        "reports_not_retrieved": 2,
        "reports_assessed": 6,
        "reports_excluded": {"Wrong population": 2, "Not primary research": 1},
        "studies_included": 3,
        "pending": {"title_abstract": 0, "full_text": 0},
    }
    assert {key: data[key] for key in contract} == contract
    assert data["complete"] is True
    assert data["total_studies"] == 7 and data["total_reports"] == 8
    assert data["identified_by_database"] == {"PubMed": 9, "Embase": 4}


def test_missing_decision_files_are_the_pending_state(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    flow = _flow(files, title_abstract=False, full_text=False)
    data = prisma_json(flow)
    assert data["complete"] is False
    assert data["pending"] == {"title_abstract": 13, "full_text": 0}
    assert data["records_screened"] == 13
    assert data["records_excluded"] == 0 and data["studies_included"] == 0
    assert data["stages_started"] == {"title_abstract": False, "full_text": False}


def test_pending_rows_and_missing_full_text(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    decisions = dict(HAND_TITLE_ABSTRACT)
    decisions["pmid-3"] = ("pending", "")
    del decisions["pmid-4"]  # not on a sheet yet
    write_decisions(files.title_abstract, decisions)
    files.full_text.unlink()
    data = prisma_json(_flow(files))
    assert data["pending"] == {"title_abstract": 2, "full_text": 8}
    dbr = data["arms"]["databases_registers"]
    assert dbr["records_screened"] == 10
    assert dbr["records_excluded"] == 2
    assert dbr["reports_sought"] == 6
    assert dbr["reports_assessed"] == 6  # all awaiting a full-text decision
    assert dbr["pending"] == {"title_abstract": 2, "full_text": 6}


def _rewrite(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def _set_final(path: Path, record_id: str, final: str, reason: str = "") -> None:
    def edit(rows):
        for row in rows:
            if row["record_id"] == record_id:
                row["final"], row["reason"] = final, reason
        return rows

    _rewrite(path, edit)


def test_full_text_exclusion_of_a_record_excluded_at_title_abstract_fails(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    _set_final(files.title_abstract, "pmid-2", "exclude")
    with pytest.raises(
        ScopingError, match=r"record pmid-2 .*full text.*'exclude' at title/abstract"
    ) as info:
        _flow(files)
    message = str(info.value)
    assert "\n" not in message
    assert "records_excluded" in message and "full_text.csv" in message


def test_full_text_record_missing_from_title_abstract_fails(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    _rewrite(files.title_abstract, lambda rows: [r for r in rows if r["record_id"] != "reg-1"])
    with pytest.raises(ScopingError, match=r"record reg-1 .*missing from the title/abstract"):
        _flow(files)


def test_pending_full_text_row_for_a_record_no_longer_included_is_ignored(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    _set_final(files.title_abstract, "pmid-2", "exclude")
    _set_final(files.full_text, "pmid-2", "pending")
    assert prisma_json(_flow(files))["arms"]["databases_registers"]["records_excluded"] == 5


def test_search_log_disagreeing_with_clusters_fails(tmp_path: Path) -> None:
    files = hand_review(tmp_path)

    def edit(rows):
        for row in rows:
            if row["source"] == "embase":
                row["records_fetched"] = "5"
        return rows

    _rewrite(files.search_log, edit)
    with pytest.raises(ScopingError, match=r"4 hits from 'embase' but the search log says.* 5"):
        _flow(files)


@pytest.mark.parametrize(
    ("edit_file", "edit", "message"),
    [
        (
            "title_abstract",
            lambda rows: [*rows, {**rows[0], "record_id": "pmid-999"}],
            r"record pmid-999 has a title_abstract decision but is not in the deduplicated",
        ),
        (
            "title_abstract",
            lambda rows: [*rows, dict(rows[0])],
            r"record pmid-1 is listed twice \(rows 2 and 15\)",
        ),
        (
            "title_abstract",
            lambda rows: [
                {**r, "final": "maybe"} if r["record_id"] == "doi-b" else r for r in rows
            ],
            r"row 10, column 'final': final is 'maybe' for record doi-b",
        ),
        (
            "title_abstract",
            lambda rows: [
                {**r, "final": "not_retrieved"} if r["record_id"] == "doi-b" else r for r in rows
            ],
            r"record doi-b is 'not_retrieved' at title/abstract",
        ),
        (
            "clusters",
            lambda rows: [
                {**r, "is_canonical": "true"} if r["record_id"] == "ref-e4" else r for r in rows
            ],
            r"row 14, column 'is_canonical': cluster doi-a has two canonical members",
        ),
        (
            "clusters",
            lambda rows: [
                {**r, "cluster_id": "reg-x"} if r["record_id"] == "reg-2" else r for r in rows
            ],
            r"canonical member reg-2 does not name its cluster reg-x",
        ),
        (
            "clusters",
            lambda rows: [
                {**r, "source": "scopus"} if r["record_id"] == "ref-e4" else r for r in rows
            ],
            r"source 'scopus' of record ref-e4 is not in the search log",
        ),
    ],
)
def test_inconsistent_inputs_fail_naming_the_record(tmp_path: Path, edit_file, edit, message):
    files = hand_review(tmp_path)
    _rewrite(getattr(files, edit_file), edit)
    with pytest.raises(ScopingError, match=message):
        _flow(files)


def test_settings_are_checked(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    with pytest.raises(ScopingError, match=r"unknown PRISMA setting 'previous_study'"):
        _flow(files, settings={"previous_study": 3})
    with pytest.raises(ScopingError, match=r"'removed_automation' names record pmid-404"):
        _flow(files, settings={"removed_automation": ["pmid-404"]})
    with pytest.raises(ScopingError, match=r"record pmid-3 is listed in setting 'removed_other'"):
        _flow(files, settings={"removed_other": ["pmid-3"]})
    with pytest.raises(ScopingError, match=r"'previous_studies' must be a whole number"):
        _flow(files, settings={"previous_studies": "4"})


def _cli_args(files, out: Path) -> list[str]:
    return [
        "prisma",
        *("--search-log", str(files.search_log), "--clusters", str(files.clusters)),
        *("--title-abstract", str(files.title_abstract), "--full-text", str(files.full_text)),
        *("--outdir", str(out)),
    ]


def test_cli_writes_every_output(tmp_path: Path, capsys) -> None:
    files = hand_review(tmp_path)
    out = tmp_path / "results" / "prisma"
    code = main([*_cli_args(files, out), "--settings", json.dumps(HAND_SETTINGS)])
    assert code == 0
    assert "20 records identified, 3 studies included (complete)" in capsys.readouterr().out
    for name in ("prisma.json", "prisma.csv", "prisma.md", "prisma.svg"):
        assert (out / name).stat().st_size > 0
    data = json.loads((out / "prisma.json").read_text())
    assert data["boxes"] == HAND_EXPECTED
    markdown = (out / "prisma.md").read_text()
    assert "| screening | Records screened (databases and registers) | 10 |" in markdown
    assert "- Wrong population: 2" in markdown


def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, capsys) -> None:
    files = hand_review(tmp_path)
    _set_final(files.title_abstract, "pmid-2", "exclude")
    out = tmp_path / "out"
    code = main(_cli_args(files, out))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "pmid-2" in err and "Traceback" not in err
    assert not out.exists()


def test_decision_rows_of_merged_records_are_listed_not_counted(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    decisions = dict(HAND_TITLE_ABSTRACT)
    decisions["ref-e1"] = ("include", "")  # Embase copy that dedup merged into pmid-1
    write_decisions(files.title_abstract, decisions)
    data = prisma_json(_flow(files))
    assert data["superseded"] == {"title_abstract": ["ref-e1"], "full_text": []}
    assert data["boxes"] == HAND_EXPECTED


def test_sources_sharing_a_box_file_fail(tmp_path: Path) -> None:
    sources = {"who site": ("website", "WHO"), "who_site": ("website", "WHO")}
    write_search_log_for(tmp_path / "log.csv", sources, {"who site": 1, "who_site": 1})
    write_clusters(
        tmp_path / "clusters.csv",
        [
            ("who site", "website", "1", "ref-1", "ref-1", True),
            ("who_site", "website", "2", "ref-2", "ref-2", True),
        ],
    )
    flow = build_flow(
        search_log=tmp_path / "log.csv",
        clusters=tmp_path / "clusters.csv",
        title_abstract=None,
        full_text=None,
    )
    with pytest.raises(ScopingError, match=r"'who site' and 'who_site' would share"):
        flow_boxes(flow)
