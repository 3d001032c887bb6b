"""``scoping dedup`` as one function: read inputs and decisions, cluster, write every output."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scoping.dedup.engine import deduplicate
from scoping.dedup.inputs import read_input
from scoping.dedup.outputs import (
    write_clusters,
    write_merge_log,
    write_merged_records,
)
from scoping.dedup.review import read_review_decisions, update_review_sheet
from scoping.dedup.settings import DedupSettings
from scoping.errors import ScopingError
from scoping.records import Record


@dataclass(frozen=True, slots=True)
class DedupSummary:
    """Counts of one run, for the command's one-line report."""

    hits: int
    clusters: int
    merges: int
    links: int
    review_pending: int
    review_added: int


def dedup_files(
    *,
    inputs: Sequence[str | Path],
    output: str | Path,
    records: str | Path | None = None,
    log: str | Path | None = None,
    review: str | Path | None = None,
    settings: DedupSettings | None = None,
) -> DedupSummary:
    """Deduplicate ``inputs`` and write clusters, merged records, merge log and review sheet.

    ``records`` and ``log`` default to ``records.csv`` and ``merge_log.csv`` beside ``output``.
    """
    if not inputs:
        raise ScopingError("no input files", fix="pass one or more records CSV files.")
    output = Path(output)
    records = Path(records) if records else output.with_name("records.csv")
    log = Path(log) if log else output.with_name("merge_log.csv")
    if len({output.resolve(), records.resolve(), log.resolve()}) < 3:
        raise ScopingError(
            "--output, --records and --log must be three different files",
            fix="give each its own path.",
        )
    hits: list[Record] = []
    own_ids: list[str] = []
    id_column = ""
    for path in inputs:
        part = read_input(path)
        hits.extend(part.records)
        own_ids.extend(part.own_ids)
        id_column = id_column or part.id_column
    decisions = read_review_decisions(review) if review else {}
    result = deduplicate(hits, settings=settings, decisions=decisions)
    write_clusters(output, result, own_ids=own_ids, id_column=id_column)
    write_merged_records(records, result)
    write_merge_log(log, result)
    added = update_review_sheet(review, result) if review else 0
    return DedupSummary(
        hits=len(hits),
        clusters=result.n_clusters,
        merges=len(result.merges),
        links=len(result.links),
        review_pending=len(result.review),
        review_added=added,
    )
