"""``scoping pubmed``: run one PubMed query live and write its records and search-log row.

The Snakemake rule passes every option every time, an empty string meaning "not given".
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from scoping.errors import ScopingError
from scoping.eutils import (
    DEFAULT_BATCH,
    Credentials,
    EutilsClient,
    compose_query,
    resolve_base_url,
    search_pubmed,
)
from scoping.records import SOURCE_TYPES, write_records
from scoping.searchlog import write_search_log

DEFAULT_CACHE_DIR = "results/cache/pubmed"
log = logging.getLogger("scoping.pubmed")


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pubmed",
        help="search PubMed live (E-utilities) and write the records",
        description=(
            "Run one PubMed query through NCBI E-utilities: any size (split by publication "
            "date above 9,999 records), paced, retried and cached. Reads NCBI_EMAIL, "
            "NCBI_API_KEY and NCBI_TOOL from the environment. An empty value means 'not given'."
        ),
    )
    parser.add_argument("query", help="the PubMed query, exactly as typed in PubMed")
    parser.add_argument(
        "--filters",
        default="",
        help="PubMed filters ANDed to the query: PubMed syntax or a JSON list of strings",
    )
    parser.add_argument("--mindate", default="", help="earliest publication date, YYYY/MM/DD")
    parser.add_argument("--maxdate", default="", help="latest publication date, YYYY/MM/DD")
    parser.add_argument(
        "--max-records", default="", help="fetch at most this many records (newest first)"
    )
    parser.add_argument("--source", default="", help="source name in records (default pubmed)")
    parser.add_argument(
        "--source-type", default="", help="PRISMA arm of the source (default database)"
    )
    parser.add_argument(
        "--base-url",
        default="",
        help="E-utilities base URL (default: $SCOPING_EUTILS_URL, else NCBI's)",
    )
    parser.add_argument(
        "--cache-dir", default="", help=f"raw-response cache (default {DEFAULT_CACHE_DIR})"
    )
    parser.add_argument(
        "--refresh",
        nargs="?",
        const="yes",
        default="",
        help="ignore the cache and fetch again (also --refresh yes/no)",
    )
    parser.add_argument(
        "--batch-size", default="", help=f"records per EFetch request (default {DEFAULT_BATCH})"
    )
    parser.add_argument(
        "--output", default="", help="records CSV to write (default results/search/<source>.csv)"
    )
    parser.add_argument("--search-log", default="", help="search-log CSV (one row) to write")
    parser.set_defaults(func=run)


def _int_option(value: str, option: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ScopingError(
            f"{option} '{value}' is not a whole number", column=option, fix="give e.g. 500."
        ) from None
    if number < 0:
        raise ScopingError(f"{option} is negative", column=option, fix="give 0 or more.")
    return number


def _flag(value: str, option: str) -> bool:
    text = (value or "").strip().lower()
    if text in ("", "no", "false", "0", "off"):
        return False
    if text in ("yes", "true", "1", "on"):
        return True
    raise ScopingError(f"{option} '{value}' is not yes or no", column=option, fix="give yes or no.")


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A tqdm bar on a terminal; plain log lines (one per batch) in logs and pipelines."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(desc=label, unit="rec", file=sys.stderr, leave=False)

        def update(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            yield update
        finally:
            bar.close()
    else:

        def report(done: int, total: int) -> None:
            log.info("%s: %d/%d records fetched", label, done, total)

        yield report


def run(args: argparse.Namespace) -> int:
    source = args.source.strip() or "pubmed"
    source_type = args.source_type.strip() or "database"
    if source_type not in SOURCE_TYPES:
        raise ScopingError(
            f"--source-type '{source_type}' is unknown",
            column="--source-type",
            fix=f"use one of {', '.join(SOURCE_TYPES)}.",
        )
    output = Path(args.output.strip() or f"results/search/{source}.csv")
    batch = _int_option(args.batch_size, "--batch-size") or DEFAULT_BATCH
    client = EutilsClient(
        base_url=resolve_base_url(args.base_url),
        credentials=Credentials.from_env(),
        cache_dir=args.cache_dir.strip() or DEFAULT_CACHE_DIR,
        refresh=_flag(args.refresh, "--refresh"),
    )
    try:
        with _progress(f"pubmed {source}") as progress:
            result = search_pubmed(
                client=client,
                query=compose_query(args.query, args.filters),
                mindate=args.mindate,
                maxdate=args.maxdate,
                max_records=_int_option(args.max_records, "--max-records"),
                batch_size=batch,
                source=source,
                source_type=source_type,
                progress=progress,
            )
    finally:
        client.close()
    written = write_records(output, result.records)
    if args.search_log.strip():
        write_search_log(
            args.search_log.strip(),
            [
                {
                    "source": source,
                    "source_type": source_type,
                    "database": "PubMed",
                    "query": result.query,
                    "query_translation": result.query_translation,
                    "date_run": result.date_run,
                    "mindate": args.mindate.strip(),
                    "maxdate": args.maxdate.strip(),
                    "count_reported": result.count,
                    "records_fetched": written,
                    "file": str(output),
                }
            ],
        )
    stats = client.stats
    print(
        f"pubmed {source}: {result.count} found, {written} records -> {output} "
        f"({stats.http_requests} HTTP requests, {stats.cache_hits} from cache, "
        f"{stats.retries} retries)"
    )
    return 0
