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
