"""``scoping search-log``: one search log for the whole review."""

from __future__ import annotations

import argparse

from scoping.searchlog import combine_search_logs


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "search-log", help="combine the per-source search logs into one table"
    )
    parser.add_argument("logs", nargs="+", help="per-source search-log CSV files")
    parser.add_argument("--output", required=True, help="combined search_log.csv to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    n = combine_search_logs(args.logs, args.output)
    print(f"search log: {n} searches -> {args.output}")
    return 0
