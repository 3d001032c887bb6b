"""``scoping dedup``: cluster duplicate records across searches.

``scoping dedup-init`` creates the (empty) dedup review sheet before the first run, so the
workflow can list it as an input from the start: Snakemake reruns a job whose set of inputs
changes, and a sheet that appeared only after the first dedup would rerun everything once.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from scoping.atomic import write_text_atomic
from scoping.dedup.review import update_review_sheet
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
    parser.add_argument("--settings", help="JSON object (or file) of dedup settings")
    parser.set_defaults(func=run)

    init = subparsers.add_parser(
        "dedup-init", help="create the empty dedup review sheet if it does not exist yet"
    )
    init.add_argument("--review", required=True, help="review sheet (xlsx) to create")
    init.add_argument("--manifest", required=True, help="JSON file noting the sheet")
    init.set_defaults(func=run_init)


def run(args: argparse.Namespace) -> int:
    summary = dedup_files(
        inputs=args.inputs,
        output=args.output,
        records=args.records,
        log=args.log,
        review=args.review or None,
        settings=load_settings(args.settings),
    )
    print(
        f"dedup: {summary.hits} hits -> {summary.clusters} records "
        f"({summary.merges} merges, {summary.links} preprint links, "
        f"{summary.review_pending} pairs to review, {summary.review_added} added to the sheet) "
        f"-> {args.output}"
    )
    return 0


@dataclass
class _NoPairs:
    """A dedup result with no uncertain pairs: enough to create an empty review sheet."""

    review: tuple[()] = ()
    labels: dict[str, str] = field(default_factory=dict)


def run_init(args: argparse.Namespace) -> int:
    review = Path(args.review)
    existed = review.is_file()
    if not existed:
        update_review_sheet(review, _NoPairs())  # type: ignore[arg-type]
    write_text_atomic(
        args.manifest, json.dumps({"review_sheet": str(review), "existed": existed}, indent=2)
    )
    print(f"dedup review sheet: {review} ({'kept' if existed else 'created'})")
    return 0
