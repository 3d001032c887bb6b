"""Builders for dedup tests: real-looking records in a few keywords."""

from __future__ import annotations

from scoping.dedup.engine import DedupResult, deduplicate
from scoping.dedup.settings import DedupSettings
from scoping.records import Record


def rec(source: str = "embase", source_id: str = "", **fields: object) -> Record:
    """A record as an importer would build it (authors as a list or ``"; "``-joined text)."""
    authors = fields.pop("authors", [])
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(";") if a.strip()]
    return Record.create(
        source=source, source_type="database", source_id=source_id, authors=authors, **fields
    )


def cluster(*records: Record, settings: DedupSettings | None = None) -> DedupResult:
    return deduplicate(list(records), settings=settings)


def same_cluster(result: DedupResult, i: int, j: int) -> bool:
    return result.cluster_ids[i] == result.cluster_ids[j]
