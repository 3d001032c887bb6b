"""``scoping priority``: rank the title/abstract records nobody has decided, and say how far
screening has come (the stopping aid).

Labels are the reconciled outcomes so far (``decisions.csv``: an agreed or resolved include is
1, an exclude 0; conflicts and pending records are undecided). The ranked records go to
``priority.csv`` (most likely include first); ``priority.json`` holds the stopping report
computed on the decided records in the order the sheets listed them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from scoping.atomic import atomic_path, write_text_atomic
from scoping.screening.layout import sheet_path
from scoping.screening.ranking import rank_records
from scoping.screening.settings import ScreeningSettings
from scoping.screening.stage import read_rows
from scoping.screening.stopping import stopping_report
from scoping.screening.tables import read_table

PRIORITY_COLUMNS = ("rank", "record_id", "score", "title", "year", "journal", "doi")


@dataclass(frozen=True, slots=True)
class Priority:
    """The ranking of the undecided records and the report beside it."""

    ranked: list[tuple[str, float]]
    report: dict[str, object]


def prioritise(
    *,
    records_path: str | Path,
    decisions_path: str | Path,
    listed_order: list[str] | None = None,
    seed: int = 0,
    recall_target: float = 0.95,
) -> Priority:
    """Rank the undecided records; ``listed_order`` is the order the sheets listed records
    (the screening order the stopping test assumes; the records file's order without it)."""
    records = {
        r["record_id"].strip(): r for r in read_rows(records_path, needed=("record_id", "title"))
    }
    decided: dict[str, int] = {}
    for row in read_rows(decisions_path, needed=("record_id", "final")):
        final = row["final"].strip()
        if final in ("include", "exclude") and row["record_id"].strip() in records:
            decided[row["record_id"].strip()] = int(final == "include")
    texts = {
        rid: f"{row.get('title') or ''} {row.get('abstract') or ''}".strip()
        for rid, row in records.items()
    }
    ranked = rank_records(texts=texts, labels=decided, seed=seed)
    order = list(dict.fromkeys(rid for rid in (listed_order or records) if rid in decided))
    seen = set(order)
    order += [rid for rid in decided if rid not in seen]
    stop = stopping_report(
        [decided[rid] for rid in order], total=len(records), recall_target=recall_target
    )
    includes = sum(decided.values())
    report: dict[str, object] = {
        "stage": "title_abstract",
        "records": len(records),
        "decided": len(decided),
        "includes": includes,
        "excludes": len(decided) - includes,
        "undecided_ranked": len(ranked),
        "seed": seed,
        "stopping": stop.to_dict(),
        "note": "An estimate from the team's own decisions, never a promise: the test assumes "
        "the records were screened in the order the sheets list them.",
    }
    return Priority(ranked=ranked, report=report)


def listed_order(directory: str | Path, settings: ScreeningSettings) -> list[str]:
    """Record IDs in the order the first reviewer's title/abstract sheet lists them."""
    path = sheet_path(directory, "title_abstract", settings.reviewers[0], settings)
    if not path.exists():
        return []
    return [row.get("record_id", "").strip() for _, row in read_table(path).rows]


def write_priority(
    priority: Priority, *, records_path: str | Path, output: str | Path, report: str | Path
) -> None:
    """``priority.csv`` (rank 1 = most likely include) and ``priority.json``, atomically."""
    records = {r["record_id"].strip(): r for r in read_rows(records_path, needed=("record_id",))}
    with atomic_path(output) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PRIORITY_COLUMNS)
        for rank, (rid, score) in enumerate(priority.ranked, start=1):
            row = records.get(rid, {})
            writer.writerow(
                [rank, rid, f"{score:.6f}", *(row.get(k, "") for k in PRIORITY_COLUMNS[3:])]
            )
    write_text_atomic(report, json.dumps(priority.report, indent=2, ensure_ascii=False) + "\n")
