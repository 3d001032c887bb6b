"""The search log: one row per search run, so the review can report every search (PRISMA-S)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from scoping.atomic import atomic_path
from scoping.csvfiles import iter_csv_rows

SEARCH_LOG_COLUMNS = (
    "source",  # config name of the source
    "source_type",  # PRISMA arm: database, register, website, organisation, citation, other
    "database",  # e.g. "PubMed", "Google Scholar", "Government websites"
    "query",  # the exact query run, or the file imported
    "query_translation",  # PubMed's own translation of the query, where there is one
    "date_run",  # ISO date and time the search ran (or the file was imported)
    "date_searched",  # the date the team says it ran a search it exported by hand
    "mindate",
    "maxdate",
    "count_reported",  # what the database said it had
    "records_fetched",  # what reached the records file
    "file",  # records file written
)


def now_iso() -> str:
    """Current UTC time, seconds resolution, ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def write_search_log(path: str | Path, rows: Iterable[dict[str, object]]) -> None:
    """Write search-log rows atomically, columns in ``SEARCH_LOG_COLUMNS`` order."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SEARCH_LOG_COLUMNS, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})


def read_search_log(path: str | Path) -> list[dict[str, str]]:
    """Rows of a search log written by ``write_search_log``."""
    return list(
        iter_csv_rows(
            path,
            required=("source",),
            what="search log",
            fix="pass files written by 'scoping import' or 'scoping pubmed' (--search-log).",
        )
    )


def combine_search_logs(paths: Iterable[str | Path], output: str | Path) -> int:
    """Concatenate per-source search logs into one; returns the number of rows."""
    rows: list[dict[str, object]] = []
    for path in paths:
        rows.extend(read_search_log(path))
    write_search_log(output, rows)
    return len(rows)
