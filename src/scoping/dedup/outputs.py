"""The files dedup writes: clusters, merged records, merge log; and an earlier run's clusters."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from pathlib import Path

from scoping.atomic import atomic_path
from scoping.dedup.compare import FIELD_SCORES
from scoping.dedup.engine import DedupResult, PairEvent, canonical_order
from scoping.dedup.features import notice_kind
from scoping.records import LIST_SEP, RECORD_COLUMNS, Record, content_id

CLUSTER_COLUMNS = ("source", "source_type", "source_id", "record_id", "cluster_id", "is_canonical")
#: ``member_ids``: every ID that names the record (its hits' IDs, as found and as told apart),
#: so a screening row listed under an ID that a later merge left behind still finds its record.
MERGED_EXTRA_COLUMNS = ("found_by", "n_hits", "member_ids")
MERGE_LOG_COLUMNS = (
    "record_id_a",
    "record_id_b",
    "cluster_id",
    "rule",
    "score",
    "decided_by",
    "action",
    *(f"{name}_score" for name in FIELD_SCORES),
    "source_a",
    "source_id_a",
    "source_b",
    "source_id_b",
)
#: Identifiers: the canonical member's value when it has one (they name the record).
_ID_FIELDS = ("pmid", "pmcid", "doi")
#: Fields copied from the most complete member (the longest value).
_LONGEST_FIELDS = tuple(
    f.name
    for f in dataclass_fields(Record)
    if f.name
    not in {"record_id", "source", "source_type", "source_id", "raw", "retrieved_at", *_ID_FIELDS}
)


def _write_csv(path: str | Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_clusters(
    path: str | Path,
    result: DedupResult,
    *,
    own_ids: Sequence[str] | None = None,
    id_column: str = "",
) -> int:
    """One row per input hit; ``own_ids`` (the input's own ID) go in column ``id_column``."""
    columns = list(CLUSTER_COLUMNS)
    if id_column and id_column not in columns:
        columns.append(id_column)
    rows = []
    for i, hit in enumerate(result.hits):
        row = {
            "source": hit.source,
            "source_type": hit.source_type,
            "source_id": hit.source_id,
            "record_id": hit.record_id,
            "cluster_id": result.cluster_ids[i],
            "is_canonical": "true" if result.canonical[i] else "false",
        }
        if id_column and own_ids is not None:
            row[id_column] = own_ids[i]
        rows.append(row)
    _write_csv(path, columns, rows)
    return len(rows)


def merged_records(result: DedupResult) -> list[tuple[Record, list[str], int]]:
    """Per cluster: the merged record, the sources that found it, and the number of hits."""
    groups: dict[str, list[int]] = defaultdict(list)
    canonical_of: dict[str, int] = {}
    for i, cluster_id in enumerate(result.cluster_ids):
        groups[cluster_id].append(i)
        if result.canonical[i]:
            canonical_of[cluster_id] = i
    out = []
    for cluster_id in sorted(groups, key=canonical_order):
        members = groups[cluster_id]
        head = canonical_of.get(cluster_id, members[0])
        rest = sorted(
            (i for i in members if i != head),
            key=lambda i: (*canonical_order(result.hits[i].record_id), i),
        )
        everyone = [result.hits[i] for i in (head, *rest)]
        merged = replace(everyone[0], record_id=cluster_id, raw=dict(everyone[0].raw))
        if len(everyone) == 1:
            out.append((merged, [merged.source] if merged.source else [], 1))
            continue
        # A correction notice joined to its article lends nothing the article has: not its
        # "Erratum to ..." title, its page or its DOI.
        is_notice = [bool(notice_kind(r.title)) for r in everyone]
        articles = [r for r, n in zip(everyone, is_notice, strict=True) if not n]
        notices = [r for r, n in zip(everyone, is_notice, strict=True) if n]
        for name in _ID_FIELDS:
            value = next((getattr(r, name) for r in articles if getattr(r, name)), "")
            value = value or next((getattr(r, name) for r in notices if getattr(r, name)), "")
            setattr(merged, name, value)
        for name in _LONGEST_FIELDS:
            # The most complete value wins; ties go to the canonical member (first in order).
            pool = [r for r in articles if _size(getattr(r, name))] or everyone
            best = max(pool, key=lambda r, n=name: _size(getattr(r, n)))
            setattr(merged, name, _copy(getattr(best, name)))
        sources = sorted({r.source for r in everyone if r.source})
        out.append((merged, sources, len(members)))
    return out


def _size(value: object) -> int:
    if isinstance(value, list):
        return len(value)
    return len(str(value or ""))


def _copy(value: object) -> object:
    return list(value) if isinstance(value, list) else value


def write_merged_records(path: str | Path, result: DedupResult) -> int:
    """Records CSV with one row per cluster, plus ``found_by`` and ``n_hits``."""
    rows = []
    names: dict[str, set[str]] = defaultdict(set)
    for i, cluster_id in enumerate(result.cluster_ids):
        hit = result.hits[i]
        names[cluster_id].add(hit.record_id)
        if result.base_ids:
            names[cluster_id].add(result.base_ids[i])
        if hit.title or hit.url:
            # The ID the hit would have without identifiers: an export that adds a DOI later.
            names[cluster_id].add(
                content_id(title=hit.title, year=hit.year, authors=hit.authors, url=hit.url)
            )
    for record, sources, n_hits in merged_records(result):
        row = record.to_row()
        row["found_by"] = LIST_SEP.join(sources)
        row["n_hits"] = str(n_hits)
        row["member_ids"] = LIST_SEP.join(sorted(names[record.record_id], key=canonical_order))
        rows.append(row)
    _write_csv(path, (*RECORD_COLUMNS, *MERGED_EXTRA_COLUMNS), rows)
    return len(rows)


def _event_row(result: DedupResult, event: PairEvent) -> dict[str, str]:
    a, b = result.hits[event.a], result.hits[event.b]
    row = {
        "record_id_a": a.record_id,
        "record_id_b": b.record_id,
        "cluster_id": result.cluster_ids[event.a],
        "rule": event.rule,
        "score": f"{event.score:.3f}",
        "decided_by": event.decided_by,
        "action": event.action,
        "source_a": a.source,
        "source_id_a": a.source_id,
        "source_b": b.source,
        "source_id_b": b.source_id,
    }
    for name in FIELD_SCORES:
        value = event.fields.get(name)
        row[f"{name}_score"] = "" if value is None else f"{value:.3f}"
    return row


def write_merge_log(path: str | Path, result: DedupResult) -> int:
    """Every merge (``action`` = merge) and preprint link (``action`` = link) with its evidence."""
    rows = [_event_row(result, e) for e in (*result.merges, *result.links)]
    _write_csv(path, MERGE_LOG_COLUMNS, rows)
    return len(rows)
