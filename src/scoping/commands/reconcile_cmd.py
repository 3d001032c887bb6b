"""``scoping reconcile``: read the sheets back, decide each record, measure agreement."""

from __future__ import annotations

import argparse

from scoping.commands.sheets_cmd import add_stage_arguments
from scoping.screening import load_settings, reconcile_stage


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reconcile",
        help="reconcile the reviewers' decisions of a stage",
        description="Read every reviewer's sheet, validate it, write decisions.csv and "
        "agreement.json, and append new conflicts to screening/<stage>/conflicts.xlsx.",
    )
    add_stage_arguments(parser)
    parser.add_argument("--output", required=True, help="decisions.csv to write")
    parser.add_argument("--agreement", required=True, help="agreement.json to write")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    stats = reconcile_stage(
        stage=args.stage,
        records_path=args.records,
        include_from=args.include_from,
        directory=args.dir,
        output=args.output,
        agreement_path=args.agreement,
        settings=load_settings(args.settings),
    )
    kappa = stats["kappa"]
    outcomes = ", ".join(f"{k} {v}" for k, v in stats["outcomes"].items() if v)  # type: ignore[union-attr]
    print(
        f"reconcile {args.stage}: {stats['records']} records ({outcomes}); "
        f"kappa {'n/a' if kappa is None else f'{kappa:.3f}'} on {stats['n']} -> {args.output}"
    )
    return 0
