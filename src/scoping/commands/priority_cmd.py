"""``scoping priority``: rank the undecided title/abstract records; the stopping aid."""

from __future__ import annotations

import argparse

from scoping.screening import load_settings
from scoping.screening.priority import listed_order, prioritise, write_priority


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "priority",
        help="rank the undecided title/abstract records by likely inclusion",
        description="Train on the reconciled title/abstract decisions so far, rank the records "
        "nobody has decided (priority.csv, most likely include first) and report how far "
        "screening has come (priority.json, a BUSCAR stopping test).",
    )
    parser.add_argument("--records", required=True, help="results/dedup/records.csv")
    parser.add_argument("--decisions", required=True, help="title_abstract decisions.csv")
    parser.add_argument("--dir", required=True, help="the screening folder (sheets' order)")
    parser.add_argument("--output", required=True, help="priority.csv to write")
    parser.add_argument("--report", required=True, help="priority.json to write")
    parser.add_argument("--seed", type=int, default=0, help="seed of the order before a model")
    parser.add_argument("--settings", help="JSON object (or file) of screening settings")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    priority = prioritise(
        records_path=args.records,
        decisions_path=args.decisions,
        listed_order=listed_order(args.dir, settings),
        seed=args.seed,
    )
    write_priority(priority, records_path=args.records, output=args.output, report=args.report)
    stop = priority.report["stopping"]
    p_value = stop["p_value"]  # type: ignore[index]
    print(
        f"priority: {priority.report['decided']} decided ({priority.report['includes']} "
        f"included), {len(priority.ranked)} ranked; p(recall < 95%) = "
        f"{'n/a' if p_value is None else f'{p_value:.3g}'} -> {args.output}"
    )
    return 0
