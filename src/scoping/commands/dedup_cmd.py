"""``scoping dedup``: cluster duplicate records across searches."""

from __future__ import annotations

import argparse

from scoping.dedup.run import dedup_files
from scoping.dedup.settings import load_settings


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dedup",
        help="find duplicate records across searches; write clusters, merged records, a merge log",
    )
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="records CSV files (or RIS...)")
    parser.add_argument("--output", required=True, help="clusters.csv: one row per input hit")
    parser.add_argument("--records", help="merged records CSV, one row per cluster")
    parser.add_argument("--log", help="merge_log.csv: every merge with its evidence")
    parser.add_argument(
        "--review", help="review sheet (xlsx) for uncertain pairs; people's decisions are replayed"
    )
    parser.add_argument(
        "--previous", help="clusters.csv of an earlier run: its cluster IDs are kept"
    )
    parser.add_argument("--settings", help="JSON object (or file) of dedup settings")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    summary = dedup_files(
        inputs=args.inputs,
        output=args.output,
        records=args.records,
        log=args.log,
        review=args.review,
        previous=args.previous,
        settings=load_settings(args.settings),
    )
    print(
        f"dedup: {summary.hits} hits -> {summary.clusters} records "
        f"({summary.merges} merges, {summary.links} preprint links, "
        f"{summary.review_pending} pairs to review, {summary.review_added} added to the sheet) "
        f"-> {args.output}"
    )
    return 0
