"""``scoping priority`` on a real labelled review: ranking written, report stated, cells kept."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pandas as pd

from scoping.cli import main


def _review(tmp: Path, shared: Path) -> tuple[Path, Path, dict[str, int]]:
    """Hamilton 2022's records as a records file, and 300 of them decided as its labels say."""
    frame = pd.read_csv(
        shared / "screening" / "Hamilton_2022.csv", dtype=str, keep_default_na=False
    )
    labels = {f"ref-{i:05d}": int(v == "1") for i, v in enumerate(frame["label"])}
    records = tmp / "records.csv"
    with records.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "year", "journal", "doi"])
        for i, row in frame.iterrows():
            writer.writerow([f"ref-{i:05d}", row["title"], row["abstract"], "", "", ""])
    decided = random.Random(5).sample(sorted(labels), 300)
    decisions = tmp / "decisions.csv"
    with decisions.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "outcome", "final", "reason"])
        for rid in sorted(labels):
            final = ("include" if labels[rid] else "exclude") if rid in decided else "pending"
            writer.writerow([rid, "", "", final, ""])
    return records, decisions, {rid: labels[rid] for rid in labels if rid not in decided}


def _run(tmp: Path, records: Path, decisions: Path, name: str) -> tuple[list[dict], dict]:
    out, report = tmp / f"{name}.csv", tmp / f"{name}.json"
    args = ["priority", "--records", str(records), "--decisions", str(decisions)]
    args += ["--dir", str(tmp / "screening"), "--output", str(out), "--report", str(report)]
    assert main(args) == 0
    with out.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle)), json.loads(report.read_text())


def test_priority_ranks_the_open_records_and_states_the_stopping_test(
    tmp_path: Path, shared_data: Path
) -> None:
    records, decisions, hidden = _review(tmp_path, shared_data)
    ranked, report = _run(tmp_path, records, decisions, "priority")
    assert [r["record_id"] for r in ranked] != sorted(hidden)
    assert {r["record_id"] for r in ranked} == set(hidden)
    assert [int(r["rank"]) for r in ranked] == list(range(1, len(hidden) + 1))
    # The likely includes come first: the top tenth holds far more of them than the base rate.
    top = ranked[: len(ranked) // 10]
    base = sum(hidden.values()) / len(hidden)
    assert sum(hidden[r["record_id"]] for r in top) / len(top) > 3 * base
    assert report["decided"] == 300 and report["undecided_ranked"] == len(hidden)
    stop = report["stopping"]
    assert stop["records_left"] == len(hidden) and "BUSCAR" in stop["method"]
    # 300 decided in random order: recall 95% is far from shown.
    assert stop["p_value"] > 0.05 and not stop["recall_target_reached"]
    again, _ = _run(tmp_path, records, decisions, "again")
    assert again == ranked  # the same decisions give the same ranking


def _hamilton_records(path: Path, frame: pd.DataFrame, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract"])
        for i in range(count):
            writer.writerow([f"ref-{i:05d}", frame["title"][i], frame["abstract"][i]])
    return path


def _stage_command(tmp: Path, command: str, records: Path) -> None:
    out = tmp / "results"
    extra = (
        ["--manifest", str(out / "sheets.json")]
        if command == "sheets"
        else ["--output", str(out / "decisions.csv"), "--agreement", str(out / "agreement.json")]
    )
    settings = json.dumps({"reviewers": ["ann", "bob"], "prioritise": True})
    args = [command, "--stage", "title_abstract", "--records", str(records)]
    args += ["--dir", str(tmp / "screening"), "--settings", settings, *extra]
    assert main(args) == 0


def test_priority_column_ranks_open_rows_and_new_rows_arrive_in_its_order(
    tmp_path: Path, shared_data: Path
) -> None:
    from screening_helpers import type_decisions

    from scoping.screening.tables import read_table

    frame = pd.read_csv(
        shared_data / "screening" / "Hamilton_2022.csv", dtype=str, keep_default_na=False
    )
    truth = {f"ref-{i:05d}": frame["label"][i] == "1" for i in range(len(frame))}
    sheets = {
        who: tmp_path / "screening" / "title_abstract" / f"{who}.xlsx" for who in ("ann", "bob")
    }
    first = _hamilton_records(tmp_path / "records.csv", frame, 300)
    _stage_command(tmp_path, "sheets", first)
    for path in sheets.values():
        rows = [r for _, r in read_table(path).rows]
        # Before any decision: the records' order, and a seeded random rank of all 300.
        assert [r["record_id"] for r in rows] == [f"ref-{i:05d}" for i in range(300)]
        assert sorted(r["priority"] for r in rows) == [f"{n:04d}" for n in range(1, 301)]
        assert [r["priority"] for r in rows] != sorted(r["priority"] for r in rows)

    # Both reviewers decide the first 150 as the review did, and one notes something.
    decided = [f"ref-{i:05d}" for i in range(150)]
    typed = {rid: ("include" if truth[rid] else "exclude", "") for rid in decided}
    for path in sheets.values():
        type_decisions(path, typed)
    _stage_command(tmp_path, "reconcile", first)
    ranked = [
        r
        for r, _ in sorted(
            (
                (r["record_id"], r["priority"])
                for _, r in read_table(sheets["ann"]).rows
                if r["priority"]
            ),
            key=lambda p: p[1],
        )
    ]
    for path in sheets.values():
        rows = {r["record_id"]: r for _, r in read_table(path).rows}
        assert {rid: (rows[rid]["decision"], rows[rid]["reason"]) for rid in decided} == typed
        assert all(rows[rid]["priority"] == "" for rid in decided)
        open_ids = [f"ref-{i:05d}" for i in range(150, 300)]
        assert sorted(rows[rid]["priority"] for rid in open_ids) == [
            f"{n:04d}" for n in range(1, 151)
        ]
    # The refreshed ranks follow the model: the first fifth holds includes well above the rate.
    base = sum(truth[r] for r in ranked) / len(ranked)
    top = ranked[: len(ranked) // 5]
    assert sum(truth[r] for r in top) / len(top) > 2 * base

    # A later search adds 100 records: they arrive at the bottom, most likely include first.
    before = {
        p: [(r["record_id"], r["decision"]) for _, r in read_table(p).rows] for p in sheets.values()
    }
    more = _hamilton_records(tmp_path / "records2.csv", frame, 400)
    _stage_command(tmp_path, "sheets", more)
    for path in sheets.values():
        rows = [r for _, r in read_table(path).rows]
        assert [(r["record_id"], r["decision"]) for r in rows[:300]] == before[path]
        tail = rows[300:]
        assert {r["record_id"] for r in tail} == {f"ref-{i:05d}" for i in range(300, 400)}
        assert [r["record_id"] for r in tail] != sorted(r["record_id"] for r in tail)
        new_ranks = [r["priority"] for r in tail]
        assert new_ranks == sorted(new_ranks)  # new rows in priority order
        assert sorted(r["priority"] for r in rows if r["priority"]) == [
            f"{n:04d}" for n in range(1, 251)
        ]
