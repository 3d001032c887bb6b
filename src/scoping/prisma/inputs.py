"""Read the files the PRISMA counts come from, checking each against its contract.

Contracts: docs/file-contracts.md ("Search log", "Deduplication", "Screening").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoping.csvfiles import iter_csv_rows
from scoping.errors import ScopingError
from scoping.records import SOURCE_TYPES

#: Final screening outcomes a decisions file may hold.
FINAL_VALUES = ("include", "exclude", "not_retrieved", "pending")

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass(frozen=True)
class Hit:
    """One row of clusters.csv: a source hit and the cluster it was merged into."""

    source: str
    source_type: str
    source_id: str
    record_id: str
    cluster_id: str
    is_canonical: bool


@dataclass(frozen=True)
class SearchSource:
    """One source of the search log, its rows summed."""

    source: str
    source_type: str
    database: str
    records_fetched: int


@dataclass(frozen=True)
class Decision:
    """The final outcome of one record at one screening stage."""

    record_id: str
    final: str
    reason: str
    row: int
    #: Sheet rows under IDs a merge left behind whose decisions count for this record.
    merged_rows: tuple[str, ...] = ()


def _source_type(value: str, *, path: Path, row: int) -> str:
    value = value.strip().lower()
    if value not in SOURCE_TYPES:
        raise ScopingError(
            f"unknown source_type '{value}'",
            file=path,
            row=row,
            column="source_type",
            fix=f"use one of {', '.join(SOURCE_TYPES)}.",
        )
    return value


def read_search_sources(path: str | Path) -> dict[str, SearchSource]:
    """Sources of the combined search log, ``records_fetched`` summed over their searches."""
    path = Path(path)
    sources: dict[str, SearchSource] = {}
    for row, fields in enumerate(
        iter_csv_rows(
            path,
            required=("source", "source_type", "database", "records_fetched"),
            what="search log",
            fix="pass results/search/search_log.csv written by 'scoping search-log'.",
        ),
        start=2,
    ):
        name = (fields["source"] or "").strip()
        if not name:
            raise ScopingError("empty source", file=path, row=row, column="source")
        source_type = _source_type(fields["source_type"] or "", path=path, row=row)
        fetched_text = (fields["records_fetched"] or "").strip()
        if not fetched_text.isdigit():
            raise ScopingError(
                f"records_fetched is '{fetched_text}', not a whole number",
                file=path,
                row=row,
                column="records_fetched",
                fix="rerun the search or import that wrote this row.",
            )
        database = (fields["database"] or "").strip() or name
        previous = sources.get(name)
        if previous is None:
            sources[name] = SearchSource(name, source_type, database, int(fetched_text))
            continue
        if previous.source_type != source_type:
            raise ScopingError(
                f"source '{name}' is '{source_type}' here but '{previous.source_type}' above",
                file=path,
                row=row,
                column="source_type",
                fix="give each source one PRISMA arm in the config.",
            )
        sources[name] = SearchSource(
            name, source_type, previous.database, previous.records_fetched + int(fetched_text)
        )
    return sources


def read_clusters(path: str | Path) -> list[Hit]:
    """Rows of clusters.csv, checked: one canonical member per cluster, named by its record_id."""
    path = Path(path)
    hits: list[Hit] = []
    canonical: dict[str, int] = {}
    first_row: dict[str, int] = {}
    for row, fields in enumerate(
        iter_csv_rows(
            path,
            required=(
                "source",
                "source_type",
                "source_id",
                "record_id",
                "cluster_id",
                "is_canonical",
            ),
            what="clusters file",
            fix="pass results/dedup/clusters.csv written by 'scoping dedup'.",
        ),
        start=2,
    ):
        record_id = (fields["record_id"] or "").strip()
        cluster_id = (fields["cluster_id"] or "").strip()
        for column, value in (("record_id", record_id), ("cluster_id", cluster_id)):
            if not value:
                raise ScopingError(
                    f"empty {column}", file=path, row=row, column=column, fix="rerun dedup."
                )
        flag = (fields["is_canonical"] or "").strip().lower()
        if flag not in _TRUE | _FALSE:
            raise ScopingError(
                f"is_canonical is '{flag}', not true or false",
                file=path,
                row=row,
                column="is_canonical",
                fix="rerun dedup.",
            )
        hit = Hit(
            source=(fields["source"] or "").strip(),
            source_type=_source_type(fields["source_type"] or "", path=path, row=row),
            source_id=(fields["source_id"] or "").strip(),
            record_id=record_id,
            cluster_id=cluster_id,
            is_canonical=flag in _TRUE,
        )
        first_row.setdefault(cluster_id, row)
        if hit.is_canonical:
            if cluster_id in canonical:
                raise ScopingError(
                    f"cluster {cluster_id} has two canonical members (rows "
                    f"{canonical[cluster_id]} and {row})",
                    file=path,
                    row=row,
                    column="is_canonical",
                    fix="rerun dedup; each cluster has exactly one canonical member.",
                )
            if record_id != cluster_id:
                raise ScopingError(
                    f"canonical member {record_id} does not name its cluster {cluster_id}",
                    file=path,
                    row=row,
                    column="cluster_id",
                    fix="rerun dedup; cluster_id is the canonical member's record_id.",
                )
            canonical[cluster_id] = row
        hits.append(hit)
    for cluster_id, row in first_row.items():
        if cluster_id not in canonical:
            raise ScopingError(
                f"cluster {cluster_id} has no canonical member",
                file=path,
                row=row,
                column="is_canonical",
                fix="rerun dedup; each cluster has exactly one canonical member.",
            )
    return hits


def read_decisions(path: str | Path | None, *, stage: str) -> dict[str, Decision] | None:
    """Final decisions of one screening stage by record ID; ``None`` if the file does not exist.

    A missing file means the stage has not started: the pending state, not an error.
    """
    if path is None:
        return None
    path = Path(path)
    if not path.exists():
        return None
    decisions: dict[str, Decision] = {}
    for row, fields in enumerate(
        iter_csv_rows(
            path,
            required=("record_id", "final", "reason"),
            what=f"{stage} decisions file",
            fix=f"pass results/screening/{stage}/decisions.csv written by 'scoping reconcile'.",
        ),
        start=2,
    ):
        record_id = (fields["record_id"] or "").strip()
        if not record_id:
            raise ScopingError("empty record_id", file=path, row=row, column="record_id")
        final = (fields["final"] or "").strip().lower() or "pending"
        if final not in FINAL_VALUES:
            raise ScopingError(
                f"final is '{final}' for record {record_id}",
                file=path,
                row=row,
                column="final",
                fix=f"use one of {', '.join(FINAL_VALUES)}.",
            )
        if record_id in decisions:
            raise ScopingError(
                f"record {record_id} is listed twice (rows {decisions[record_id].row} and {row})",
                file=path,
                row=row,
                column="record_id",
                fix="keep one row per record.",
            )
        reason = (fields["reason"] or "").strip()
        merged = tuple(m.strip() for m in (fields.get("merged_rows") or "").split(";") if m.strip())
        decisions[record_id] = Decision(record_id, final, reason, row, merged)
    return decisions
