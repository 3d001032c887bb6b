"""``scoping reconcile``: read the sheets back, decide each record, measure agreement."""

from __future__ import annotations

import csv
import itertools
import json
import logging
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from scoping.atomic import atomic_path, write_text_atomic
from scoping.errors import ScopingError
from scoping.screening.agreement import cohen_kappa
from scoping.screening.layout import (
    DECISIONS,
    NOW_AGREE,
    OTHER_REVIEWERS,
    conflicts_spec,
    prioritised,
    reviewer_spec,
    sheet_path,
)
from scoping.screening.priority import outcome_labels, priority_cells, stage_ranking
from scoping.screening.settings import ScreeningSettings
from scoping.screening.sheets import load_seeds, next_batch, record_cells, withdrawn_status
from scoping.screening.stage import Stage, load_stage, screeners
from scoping.screening.tables import (
    Table,
    check_ledger,
    read_table,
    refuse_if_open,
    stray_row_error,
    update_table,
)

log = logging.getLogger(__name__)

#: Final decisions and outcomes written to decisions.csv.
FINALS = ("include", "exclude", "not_retrieved", "pending")
OUTCOMES = ("agree_include", "agree_exclude", "resolved", "conflict", "pending", "not_retrieved")


@dataclass(frozen=True, slots=True)
class Entry:
    """One reviewer's decision on one record, as typed in the sheet (normalised)."""

    reviewer: str
    decision: str  # "" while pending
    reason: str
    notes: str
    row: int
    batch: str
    #: Why this reviewer's rows for the record disagree (a merge joined them), else "".
    clash: str = ""
    #: The IDs of the rows that count here (more than one when a merge joined records).
    listed_as: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    decision: str
    reason: str
    row: int
    #: Typed under an ID a merge has since left behind (not under the record's own ID).
    carried: bool = False


def _canonical(value: str) -> str:
    return " ".join(value.strip().lower().replace("-", "_").split()).replace(" ", "_")


def normalise_decision(
    value: str, *, allowed: tuple[str, ...], path: Path, row: int, column: str
) -> str:
    """The decision in its canonical spelling ("" when empty), or a one-line error."""
    if not value.strip():
        return ""
    decision = _canonical(value)
    if decision not in allowed:
        raise ScopingError(
            f"unknown {column.replace('_', ' ')} '{value.strip()}'",
            file=path,
            row=row,
            column=column,
            fix=f"use one of {', '.join(allowed)}, or leave it empty while undecided.",
        )
    return decision


def normalise_reason(value: str, *, reasons: list[str], path: Path, row: int, column: str) -> str:
    """The configured reason a typed one matches (case and spacing ignored), or an error."""
    if not value.strip():
        return ""
    by_key = {" ".join(r.lower().split()): r for r in reasons}
    reason = by_key.get(" ".join(value.lower().split()))
    if reason is None:
        raise ScopingError(
            f"unknown exclusion reason '{value.strip()}'",
            file=path,
            row=row,
            column=column,
            fix=f"pick one of: {'; '.join(reasons)} (or add it to the config's reasons).",
        )
    return reason


def _check_ids(table: Table, st: Stage) -> None:
    seen: dict[str, int] = {}
    for number, row in table.rows:
        rid = row.get("record_id", "").strip()
        if not rid:
            raise stray_row_error(table, number)
        if rid in seen:
            raise ScopingError(
                f"record_id '{rid}' is listed twice (also row {seen[rid]})",
                file=table.path,
                row=number,
                column="record_id",
                fix="keep one of the two rows (merge their decisions) and delete the other.",
            )
        seen[rid] = number
        in_stage = any(now in st.members for now in st.current(rid))
        if not in_stage and not row.get("status", "").strip().lower().startswith(
            ("withdrawn", "split")
        ):
            raise ScopingError(
                f"record_id '{rid}' is not a record of this stage (was the ID edited?)",
                file=table.path,
                row=number,
                column="record_id",
                fix="restore the ID from the newest copy in .backup/, or run 'scoping sheets' "
                "if the records changed.",
            )


def read_reviewer_sheet(
    *, path: Path, reviewer: str, st: Stage, settings: ScreeningSettings
) -> dict[str, Entry]:
    """A reviewer's decision on each record of the stage, validated, by the record's ID now.

    A row whose record dedup merged into another counts for that one: when a reviewer's rows
    for one record disagree, the record's entry carries a ``clash`` naming both rows (it goes
    to the conflicts sheet). Rows of records that left the stage, or whose ID a split made
    ambiguous, are left out.
    """
    spec = reviewer_spec(st.name, settings)
    table = read_table(path, required=spec.required)
    _check_ids(table, st)
    check_ledger(table)
    allowed = DECISIONS[st.name]
    reasons = settings.reasons(st.name)
    rows: dict[str, list[tuple[str, Entry]]] = {}
    for number, row in table.rows:
        rid = row["record_id"].strip()
        now = st.current(rid)
        if len(now) != 1 or now[0] not in st.members:
            continue
        decision = normalise_decision(
            row.get("decision", ""), allowed=allowed, path=path, row=number, column="decision"
        )
        reason = normalise_reason(
            row.get("reason", ""), reasons=reasons, path=path, row=number, column="reason"
        )
        if decision == "exclude" and not reason and st.name == "full_text":
            raise ScopingError(
                "a full-text exclusion needs a reason",
                file=path,
                row=number,
                column="reason",
                fix=f"pick one of: {'; '.join(reasons)}.",
            )
        entry = Entry(
            reviewer,
            decision,
            reason,
            row.get("notes", "").strip(),
            number,
            row.get("batch", "").strip(),
        )
        rows.setdefault(now[0], []).append((rid, entry))
    return {t: _carry(t, found, stage=st.name) for t, found in rows.items()}


def _carry(target: str, found: list[tuple[str, Entry]], *, stage: str) -> Entry:
    """One reviewer's entry for a record from all their rows that stand for it."""
    # The row listed under the record's own ID first, then in sheet order.
    found = sorted(found, key=lambda t: (t[0] != target, t[1].row))
    listed_as = tuple(rid for rid, _ in found)
    typed = [(rid, e) for rid, e in found if e.decision]
    # Full-text reasons feed PRISMA's boxes, so there two reasons disagree too.
    kinds = {(e.decision, e.reason if stage == "full_text" else "") for _, e in typed}
    if len(kinds) <= 1:
        first = typed[0][1] if typed else found[0][1]
        return replace(first, listed_as=listed_as)
    said = "; ".join(
        f"{e.decision}{f' ({e.reason})' if e.reason else ''} for {rid} (row {e.row})"
        for rid, e in typed
    )
    clash = f"merged records disagree: {found[0][1].reviewer} typed {said}"
    first = found[0][1]
    return replace(first, decision="", reason="", clash=clash, listed_as=listed_as)


def _mapped(decision: str, settings: ScreeningSettings) -> str:
    if decision == "maybe" and settings.maybe_policy != "conflict":
        return settings.maybe_policy
    return decision


def decide(
    entries: list[Entry],
    *,
    stage: str,
    settings: ScreeningSettings,
    resolution: Resolution | None,
) -> tuple[str, str, str]:
    """``(outcome, final, reason)`` of one record from its reviewers' entries."""
    if any(e.clash for e in entries):
        if resolution is None or not resolution.decision:
            return "conflict", "pending", ""
        return "resolved", resolution.decision, resolution.reason
    if len(entries) < 2 or any(not e.decision for e in entries):
        return "pending", "pending", ""
    mapped = {_mapped(e.decision, settings) for e in entries}
    reasons = [e.reason for e in entries if e.reason and e.decision == "exclude"]
    if len(mapped) == 1 and "maybe" not in mapped:
        (decision,) = mapped
        if decision == "include":
            return "agree_include", "include", ""
        if decision == "not_retrieved":
            return "not_retrieved", "not_retrieved", ""
        # Full-text reasons feed PRISMA's boxes: two different ones are a conflict to settle.
        if stage != "full_text" or len(set(reasons)) <= 1:
            return "agree_exclude", "exclude", reasons[0] if reasons else ""
    if resolution is None or not resolution.decision:
        return "conflict", "pending", ""
    reason = ""
    if resolution.decision == "exclude":
        reason = resolution.reason or (reasons[0] if len(set(reasons)) == 1 else "")
    return "resolved", resolution.decision, reason


def _read_resolutions(
    table: Table, st: Stage, settings: ScreeningSettings
) -> dict[str, Resolution]:
    path = table.path
    allowed = tuple(d for d in DECISIONS[st.name] if d != "maybe")  # a resolution is final
    reasons = settings.reasons(st.name)
    seen: dict[str, int] = {}
    out: dict[str, Resolution] = {}
    for number, row in table.rows:
        rid = row.get("record_id", "").strip()
        if rid in seen:
            raise ScopingError(
                f"record_id '{rid}' is listed twice (also row {seen[rid]})",
                file=path,
                row=number,
                column="record_id",
                fix="keep one row per record (merge the resolutions) and delete the other.",
            )
        seen[rid] = number
        decision = normalise_decision(
            row.get("resolution", ""), allowed=allowed, path=path, row=number, column="resolution"
        )
        reason = normalise_reason(
            row.get("resolution_reason", ""),
            reasons=reasons,
            path=path,
            row=number,
            column="resolution_reason",
        )
        out[rid] = Resolution(decision, reason, number)
    return out


def _carry_resolutions(by_row: dict[str, Resolution], st: Stage) -> dict[str, Resolution]:
    """Resolutions by the record's ID now: a row under the record's own ID wins; rows under
    IDs a merge left behind count while they agree (else the record is a conflict again)."""
    out = {rid: res for rid, res in by_row.items() if rid in st.members}
    carried: dict[str, set[tuple[str, str]]] = {}
    first: dict[str, Resolution] = {}
    for rid, res in by_row.items():
        now = st.current(rid)
        if rid in st.records or len(now) != 1 or now[0] in out or not res.decision:
            continue
        carried.setdefault(now[0], set()).add((res.decision, res.reason))
        first.setdefault(now[0], res)
    for target, kinds in carried.items():
        if len(kinds) == 1:
            out[target] = replace(first[target], carried=True)
    return out


def _conflict_row(
    rid: str, st: Stage, entries: list[Entry], seed: dict[str, str], batch: str, added: str
) -> dict[str, str]:
    row = record_cells(st.records[rid]) | {"batch": batch, "added": added}
    for which, entry in zip(("first", "second"), entries[:2], strict=False):
        row |= {
            f"{which}_reviewer": entry.reviewer,
            f"{which}_decision": entry.decision or ("(rows disagree)" if entry.clash else ""),
            f"{which}_reason": entry.reason,
            f"{which}_notes": entry.notes,
        }
    if len(entries) > 2:
        row[OTHER_REVIEWERS] = "; ".join(
            f"{e.reviewer}: {e.decision or '(no decision yet)'}"
            + (f" ({e.reason})" if e.reason else "")
            + (f" - {e.notes}" if e.notes else "")
            for e in entries[2:]
        )
    keys = ("resolution", "resolution_reason", "resolved_by", "resolution_notes")
    return row | {k: (seed.get(k) or "").strip() for k in keys}


def reconcile_stage(
    *,
    stage: str,
    records_path: str | Path,
    include_from: str | Path | None,
    directory: str | Path,
    output: str | Path,
    agreement_path: str | Path,
    settings: ScreeningSettings,
    now: datetime | None = None,
) -> dict[str, object]:
    """Reconcile a stage: decisions.csv, agreement.json, and new rows in the conflicts sheet."""
    now = now or datetime.now(UTC)
    st = load_stage(
        stage=stage, records_path=records_path, include_from=include_from, settings=settings
    )
    sheets = {
        r: read_reviewer_sheet(
            path=sheet_path(directory, stage, r, settings), reviewer=r, st=st, settings=settings
        )
        for r in settings.reviewers
    }
    pilot = st.pilot is not None
    for rid in st.listed:  # a row the workflow listed must still be there
        listed_as = {
            r: set(sheets[r][rid].listed_as) if rid in sheets[r] else set() for r in sheets
        }
        for reviewer in screeners(rid, settings, pilot=pilot, listed_as=listed_as):
            if rid not in sheets[reviewer]:
                raise ScopingError(
                    f"the row of record '{rid}' is missing (was it deleted?)",
                    file=sheet_path(directory, stage, reviewer, settings),
                    column="record_id",
                    fix="restore it from the newest copy in .backup/, or run 'scoping sheets' "
                    "to list the record again.",
                )
    entries = {
        rid: [sheets[r][rid] for r in settings.reviewers if rid in sheets[r]] for rid in st.ids
    }

    conflicts_path = sheet_path(directory, stage, "conflicts", settings)
    cspec = conflicts_spec(stage, settings)
    table = read_table(conflicts_path, required=cspec.required) if conflicts_path.exists() else None
    resolutions = _carry_resolutions(_read_resolutions(table, st, settings) if table else {}, st)
    seeds = load_seeds(settings, stage, "conflicts")
    batch = next_batch(table)
    added = now.strftime("%Y-%m-%d %H:%M UTC")
    rows: dict[str, tuple[str, str, str]] = {}
    new_conflicts = []
    resolvable = tuple(d for d in DECISIONS[stage] if d != "maybe")
    clashes = {rid: "; ".join(e.clash for e in es if e.clash) for rid, es in entries.items()}
    for rid in st.ids:
        resolution = resolutions.get(rid)
        if clashes[rid] and resolution is not None and resolution.carried:
            resolution = None  # settled another question: one reviewer's rows now disagree
        outcome = decide(entries[rid], stage=stage, settings=settings, resolution=resolution)
        if outcome[0] == "conflict" and (resolution is None or resolution.carried):
            new = _conflict_row(rid, st, entries[rid], seeds.get(rid, {}), batch, added)
            new["status"] = clashes[rid]
            new_conflicts.append(new)
            # A seeded resolution (offline demo) counts at once, as a typed one would next run.
            seed_path = Path(settings.seed_dir) / stage / "conflicts.csv"
            resolution = Resolution(
                normalise_decision(
                    new["resolution"],
                    allowed=resolvable,
                    path=seed_path,
                    row=0,
                    column="resolution",
                ),
                normalise_reason(
                    new["resolution_reason"],
                    reasons=settings.reasons(stage),
                    path=seed_path,
                    row=0,
                    column="resolution_reason",
                ),
                0,
            )
            outcome = decide(entries[rid], stage=stage, settings=settings, resolution=resolution)
        if outcome[1] == "exclude" and not outcome[2] and stage == "full_text":
            where = resolutions.get(rid)
            raise ScopingError(
                f"record '{rid}' is resolved as exclude without a reason",
                file=conflicts_path,
                row=where.row if where else None,
                column="resolution_reason",
                fix=f"pick one of: {'; '.join(settings.reasons(stage))}.",
            )
        rows[rid] = outcome

    def conflict_status(rid: str, current: str) -> str:
        if rid not in st.members:
            return withdrawn_status(st, rid)
        outcome = rows[rid][0]
        if outcome in ("conflict", "resolved"):
            return clashes[rid] if outcome == "conflict" else ""
        return NOW_AGREE if outcome != "pending" else current

    # The human-owned conflicts sheet is written before the outputs, so the outputs are newer.
    change = update_table(
        conflicts_path, spec=cspec, new_rows=new_conflicts, status=conflict_status
    )
    if prioritised(stage, settings):
        _refresh_priority(st, rows, directory=directory, settings=settings)
    _write_decisions(output, st, settings, entries, rows)
    stats = agreement(st=st, settings=settings, entries=entries, rows=rows, sheets=sheets)
    stats["conflicts_added"] = change.added
    stats["conflicts_sheet"] = str(conflicts_path)
    write_text_atomic(agreement_path, json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    return stats


def _refresh_priority(
    st: Stage,
    rows: dict[str, tuple[str, str, str]],
    *,
    directory: str | Path,
    settings: ScreeningSettings,
) -> None:
    """Rank each reviewer's open rows anew from the reconciled decisions (``priority`` cells).

    A sheet open in Excel keeps its old ranks (with a warning) rather than stop reconciling.
    """
    labels = outcome_labels({rid: final for rid, (_, final, _) in rows.items()})
    cells = priority_cells(st, stage_ranking(st, labels, seed=settings.priority_seed))
    spec = reviewer_spec(st.name, settings)
    for reviewer in settings.reviewers:
        path = sheet_path(directory, st.name, reviewer, settings)
        if not path.exists():
            continue
        try:
            refuse_if_open(path)
        except ScopingError as error:
            log.warning("%s: priority not refreshed (%s)", path.name, error)
            continue
        update_table(path, spec=spec, new_rows=[], cells=cells)


def _write_decisions(
    output: str | Path,
    st: Stage,
    settings: ScreeningSettings,
    entries: dict[str, list[Entry]],
    rows: dict[str, tuple[str, str, str]],
) -> None:
    columns = ["record_id", "title", "outcome", "final", "reason"]
    for r in settings.reviewers:
        columns += [f"{r}_decision", f"{r}_reason"]
    # Sheet rows listed under IDs a merge left behind, whose decisions count for this record.
    columns.append("merged_rows")
    with atomic_path(output) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for rid in st.ids:
            outcome, final, reason = rows[rid]
            by = {e.reviewer: e for e in entries[rid]}
            line = [rid, (st.records[rid].get("title") or "").strip(), outcome, final, reason]
            for r in settings.reviewers:
                e = by.get(r)
                line += [e.decision, e.reason] if e else ["", ""]
            merged = sorted({i for e in entries[rid] for i in e.listed_as if i != rid})
            line.append("; ".join(merged))
            writer.writerow(line)


def _pair_stats(pairs: list[tuple[Entry, Entry]], settings: ScreeningSettings) -> dict[str, object]:
    first = [_mapped(a.decision, settings) for a, _ in pairs]
    second = [_mapped(b.decision, settings) for _, b in pairs]
    stats: dict[str, object] = dict(cohen_kappa(first, second))
    stats["categories"] = sorted(set(first) | set(second))
    return stats


def agreement(
    *,
    st: Stage,
    settings: ScreeningSettings,
    entries: dict[str, list[Entry]],
    rows: dict[str, tuple[str, str, str]],
    sheets: dict[str, dict[str, Entry]],
) -> dict[str, object]:
    """agreement.json: kappa over each record's first two decisions, per pair, progress."""
    decided = [
        (es[0], es[1])
        for rid, es in entries.items()
        if len(es) >= 2 and es[0].decision and es[1].decision
    ]
    stats: dict[str, object] = {"stage": st.name, **_pair_stats(decided, settings)}
    stats["kappa_ci_method"] = "asymptotic 95% (Fleiss, Cohen and Everitt 1969)"
    stats["maybe_policy"] = settings.maybe_policy
    stats["maybe_treated_as"] = {
        "conflict": "its own category: any 'maybe' goes to the conflicts sheet",
        "include": "include (a record marked maybe goes on to the next stage)",
        "exclude": "exclude",
    }[settings.maybe_policy]
    stats["records"] = len(st.ids)
    stats["outcomes"] = {o: 0 for o in OUTCOMES} | dict(Counter(o for o, _, _ in rows.values()))
    stats["final"] = {f: 0 for f in FINALS} | dict(Counter(f for _, f, _ in rows.values()))
    progress = {}
    for reviewer, sheet in sheets.items():
        mine = [e for rid, e in sheet.items() if rid in st.members]
        done = [e for e in mine if e.decision]
        progress[reviewer] = {
            "rows": len(mine),
            "decided": len(done),
            "pending": len(mine) - len(done),
            "percent_done": round(100.0 * len(done) / len(mine), 1) if mine else 0.0,
            "decisions": dict(Counter(e.decision for e in done)),
        }
    stats["progress"] = progress
    if len(settings.reviewers) > 2:
        stats["pairs"] = {}
        for a, b in itertools.combinations(settings.reviewers, 2):
            both = [
                (sheets[a][rid], sheets[b][rid])
                for rid in st.ids
                if rid in sheets[a]
                and rid in sheets[b]
                and sheets[a][rid].decision
                and sheets[b][rid].decision
            ]
            stats["pairs"][f"{a}+{b}"] = _pair_stats(both, settings)
    pilot = [(a, b) for a, b in decided if a.batch == "pilot" and b.batch == "pilot"]
    if pilot:
        stats["pilot"] = _pair_stats(pilot, settings)
    return stats
