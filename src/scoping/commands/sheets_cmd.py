"""``scoping sheets``: create or append the reviewers' screening sheets of a stage."""

from __future__ import annotations

import argparse

from scoping.screening import STAGES, load_settings, update_sheets, write_manifest


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sheets",
        help="create the reviewers' screening sheets, or append new records to them",
        description="Create screening/<stage>/<reviewer>.xlsx (or .csv) and conflicts.xlsx, or "
        "append records not yet listed. Typed values are never changed; every change writes "
        "a timestamped backup first; an unchanged rerun leaves the files alone.",
    )
    add_stage_arguments(parser)
    parser.add_argument("--manifest", required=True, help="sheets.json to write")
    parser.set_defaults(func=run)


def add_stage_arguments(parser: argparse.ArgumentParser) -> None:
    """Options that ``sheets`` and ``reconcile`` share."""
    parser.add_argument("--stage", required=True, choices=STAGES)
    parser.add_argument("--records", required=True, help="deduplicated records CSV")
    parser.add_argument(
        "--include-from",
        help="title/abstract decisions.csv (full_text: only records whose final is include)",
    )
    parser.add_argument("--dir", default="screening", help="folder of the human-owned sheets")
    parser.add_argument("--settings", help="screening settings as a JSON object (or JSON file)")


def run(args: argparse.Namespace) -> int:
    manifest = update_sheets(
        stage=args.stage,
        records_path=args.records,
        include_from=args.include_from,
        directory=args.dir,
        settings=load_settings(args.settings),
    )
    write_manifest(args.manifest, manifest)
    print(
        f"sheets {args.stage}: {manifest['records_in_stage']} records in the stage, "
        f"{manifest['rows_added']} rows added -> {args.manifest}"
    )
    return 0
