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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scoping.atomic import atomic_path, write_text_atomic
from scoping.screening.layout import PRIORITY, sheet_path
from scoping.screening.ranking import rank_records
from scoping.screening.settings import ScreeningSettings
from scoping.screening.stage import Stage, read_rows
from scoping.screening.stopping import stopping_report
from scoping.screening.tables import Table, read_table

PRIORITY_COLUMNS = ("rank", "record_id", "score", "title", "year", "journal", "doi")


#: Training label of a final decision (others, e.g. pending, are not trained on).
_LABEL = {"include": 1, "exclude": 0}


def outcome_labels(finals: Mapping[str, str]) -> dict[str, int]:
    """Training labels from final decisions by record ID: include 1, exclude 0, others none."""
    return {rid: _LABEL[final] for rid, final in finals.items() if final in _LABEL}


def record_text(row: Mapping[str, str]) -> str:
    """What the model reads of a record: its title and abstract."""
    return f"{row.get('title') or ''} {row.get('abstract') or ''}".strip()


def stage_ranking(st: Stage, labels: Mapping[str, int], *, seed: int) -> list[tuple[str, float]]:
    """The stage's undecided records, most likely include first (seeded order without a model)."""
    texts = {rid: record_text(st.records[rid]) for rid in st.ids}
    return rank_records(
        texts=texts, labels={k: v for k, v in labels.items() if k in texts}, seed=seed
    )


def sheet_labels(
    tables: Mapping[str, Table | None], st: Stage, settings: ScreeningSettings
) -> dict[str, int]:
    """Training labels read straight from the reviewers' sheets (before reconciling): a record
    two or more reviewers decided alike is an include (1) or exclude (0); ``maybe`` counts as
    the ``maybe_policy`` says. Used to order new rows; reconciling then refines the ranking."""
    said: dict[str, list[str]] = {}
    for table in tables.values():
        for _, row in table.rows if table else ():
            now = st.current(row.get("record_id", "").strip())
            decision = "_".join(row.get("decision", "").strip().lower().split())
            if len(now) == 1 and decision:
                if decision == "maybe" and settings.maybe_policy != "conflict":
                    decision = settings.maybe_policy
                said.setdefault(now[0], []).append(decision)
    labels = {}
    for rid, decisions in said.items():
        if len(decisions) >= 2 and len(set(decisions)) == 1 and decisions[0] in _LABEL:
            labels[rid] = _LABEL[decisions[0]]
    return labels


def priority_cells(
    st: Stage, ranking: list[tuple[str, float]]
) -> Callable[[Table], dict[str, dict[str, str]]]:
    """The ``priority`` cells of a reviewer's sheet: the rank of each row the reviewer has not
    decided among those rows (1 = screen next), zero-padded so a text sort is a number sort;
    empty for decided rows and rows whose record left the stage or is decided already."""
    position = {rid: n for n, (rid, _) in enumerate(ranking)}

    def cells(table: Table) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        waiting: list[tuple[int, str]] = []
        for _, row in table.rows:
            rid = row.get("record_id", "").strip()
            now = st.current(rid)
            out[rid] = {PRIORITY: ""}
            if len(now) == 1 and now[0] in position and not row.get("decision", "").strip():
                waiting.append((position[now[0]], rid))
        width = max(4, len(str(len(waiting))))
        for rank, (_, rid) in enumerate(sorted(waiting), start=1):
            out[rid] = {PRIORITY: str(rank).zfill(width)}
        return out

    return cells


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
    decided = outcome_labels(
        {
            row["record_id"].strip(): row["final"].strip()
            for row in read_rows(decisions_path, needed=("record_id", "final"))
            if row["record_id"].strip() in records
        }
    )
    texts = {rid: record_text(row) for rid, row in records.items()}
    ranked = rank_records(texts=texts, labels=decided, seed=seed)
    # A sheet row listed under an ID a merge left behind stands for the record that took it in.
    alias = {
        member.strip(): rid
        for rid, row in records.items()
        for member in (row.get("member_ids") or "").split(";")
        if member.strip() and member.strip() not in records
    }
    listed = (alias.get(rid, rid) for rid in (listed_order or records))
    order = list(dict.fromkeys(rid for rid in listed if rid in decided))
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
