"""``scoping sheets``: create the reviewers' sheets of a stage, or append new records to them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from scoping.atomic import write_text_atomic
from scoping.screening.layout import (
    MERGED_INTO,
    SPLIT_INTO,
    WITHDRAWN_RECORDS,
    WITHDRAWN_STAGE,
    conflicts_spec,
    prioritised,
    reviewer_spec,
    sheet_path,
)
from scoping.screening.priority import priority_cells, sheet_labels, stage_ranking
from scoping.screening.settings import ScreeningSettings
from scoping.screening.stage import Stage, load_stage, read_rows, screeners
from scoping.screening.tables import (
    Change,
    Table,
    check_ledger,
    plan_marks,
    read_table,
    refuse_if_open,
    update_table,
)

_RECORD_FIELDS = (
    "record_id",
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "pmid",
    "doi",
    "url",
)


def load_seeds(settings: ScreeningSettings, stage: str, name: str) -> dict[str, dict[str, str]]:
    """Demo values for a sheet from ``<seed_dir>/<stage>/<name>.csv``, by record ID."""
    if not settings.seed_dir:
        return {}
    path = Path(settings.seed_dir) / stage / f"{name}.csv"
    if not path.is_file():
        return {}
    return {r["record_id"].strip(): r for r in read_rows(path, needed=("record_id",))}


def withdrawn_status(stage: Stage, record_id: str) -> str:
    """Status of a listed row: empty while its record is in the stage, else where it went."""
    if record_id in stage.members:
        return ""
    now = stage.current(record_id)
    if record_id not in stage.records and now:
        if len(now) > 1:
            return SPLIT_INTO.format(count=len(now), targets=", ".join(now))
        if now[0] in stage.members:
            return MERGED_INTO.format(target=now[0])
    return WITHDRAWN_STAGE if now else WITHDRAWN_RECORDS


def next_batch(table: Table | None) -> str:
    """One more than the highest numbered batch in the sheet (``1`` for a new sheet)."""
    numbers = [0]
    for _, row in table.rows if table else ():
        match = re.fullmatch(r"\s*(\d+)\s*", row.get("batch", ""))
        if match:
            numbers.append(int(match.group(1)))
    return str(max(numbers) + 1)


def record_cells(row: dict[str, str]) -> dict[str, str]:
    """The record's own cells of a sheet row, from a records-file row."""
    return {name: (row.get(name) or "").strip() for name in _RECORD_FIELDS}


def update_sheets(
    *,
    stage: str,
    records_path: str | Path,
    include_from: str | Path | None,
    directory: str | Path,
    settings: ScreeningSettings,
    now: datetime | None = None,
) -> dict[str, object]:
    """Create or append every reviewer's sheet and the conflicts sheet; return the manifest."""
    now = now or datetime.now(UTC)
    added_at = now.strftime("%Y-%m-%d %H:%M UTC")
    st = load_stage(
        stage=stage, records_path=records_path, include_from=include_from, settings=settings
    )
    spec = reviewer_spec(stage, settings)
    listed = st.listed

    def status(rid: str, _current: str) -> str:
        return withdrawn_status(st, rid)

    tables = {}
    listed_as: dict[str, dict[str, set[str]]] = {}  # record -> reviewer -> row IDs
    for reviewer in settings.reviewers:
        path = sheet_path(directory, stage, reviewer, settings)
        table = read_table(path, required=spec.required) if path.exists() else None
        tables[reviewer] = (path, table)
        for _, row in table.rows if table else ():
            rid = row.get("record_id", "").strip()
            now = st.current(rid)
            if len(now) == 1:
                listed_as.setdefault(now[0], {}).setdefault(reviewer, set()).add(rid)
    ranks = None
    if prioritised(stage, settings):
        # New rows go in at the bottom in priority order; every open row gets its rank.
        labels = sheet_labels({r: t for r, (_, t) in tables.items()}, st, settings)
        ranking = stage_ranking(st, labels, seed=settings.priority_seed)
        ranks = priority_cells(st, ranking)
        if 0 < sum(labels.values()) < len(labels):
            # With a model (an include and an exclude to learn from), new rows come in its
            # order; before that, in the records' order (the priority column is then random).
            position = {rid: n for n, (rid, _) in enumerate(ranking)}
            listed = sorted(listed, key=lambda rid: position.get(rid, len(position)))
    plans = []
    for reviewer, (path, table) in tables.items():
        batch = "pilot" if st.pilot is not None else next_batch(table)
        seeds = load_seeds(settings, stage, reviewer)
        new_rows = []
        for rid in listed:
            holders = listed_as.get(rid, {})
            if reviewer in holders or reviewer not in screeners(
                rid, settings, pilot=st.pilot is not None, listed_as=holders
            ):
                continue
            row = record_cells(st.records[rid]) | {"batch": batch, "added": added_at}
            seed = seeds.get(rid, {})
            row |= {k: (seed.get(k) or "").strip() for k in ("decision", "reason", "notes")}
            new_rows.append(row)
        cells = None
        if ranks is not None:
            # Ranks run over the sheet's open rows, old and new alike.
            old = table.rows if table else []
            every = Table(path, spec.names, [*old, *((0, r) for r in new_rows)])
            wanted = ranks(every)
            for row in new_rows:
                row |= wanted.get(row["record_id"], {})

            def cells(_table: Table, wanted: dict[str, dict[str, str]] = wanted) -> dict:
                return wanted

        # Check every sheet before changing any, so that all change or none.
        if table:
            check_ledger(table)
            if new_rows or plan_marks(table, status, cells):
                refuse_if_open(path)
        plans.append((reviewer, path, new_rows, cells))
    changes: list[tuple[str, Change]] = []
    created: dict[Path, list[dict[str, str]]] = {}
    for reviewer, path, new_rows, cells in plans:
        # Blind sheets of a new stage are usually identical: write one, copy it for the others.
        twin = next((c.path for _, c in changes if c.created and new_rows == created[c.path]), None)
        change = update_table(
            path, spec=spec, new_rows=new_rows, status=status, cells=cells, same_as=twin
        )
        if change.created:
            created[path] = new_rows
        changes.append((reviewer, change))
    conflicts = sheet_path(directory, stage, "conflicts", settings)
    conflicts_change = update_table(conflicts, spec=conflicts_spec(stage, settings), new_rows=[])
    if settings.format == "csv":  # a CSV has no instructions sheet: put them beside it
        notes = Path(directory) / stage / "instructions.txt"
        if not notes.exists():
            write_text_atomic(notes, "\n".join(spec.instructions) + "\n")
    manifest: dict[str, object] = {
        "stage": stage,
        "format": settings.format,
        "records_in_stage": len(st.ids),
        "pilot": None if st.pilot is None else len(st.pilot),
        "sheets": [
            {
                "reviewer": reviewer,
                "path": str(c.path),
                "rows": c.rows,
                "rows_added": c.added,
                "rows_marked": c.marked,
                "created": c.created,
                "backup": str(c.backup) if c.backup else None,
            }
            for reviewer, c in changes
        ],
        "conflicts": {"path": str(conflicts_change.path), "created": conflicts_change.created},
        "rows_added": sum(c.added for _, c in changes),
    }
    return manifest


def write_manifest(path: str | Path, manifest: dict[str, object]) -> None:
    """Write the manifest JSON atomically."""
    write_text_atomic(path, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
