"""``scoping prisma``: count, check and draw the PRISMA 2020 flow."""

from __future__ import annotations

import argparse

from scoping.prisma import build_flow, settings_from_json, write_outputs


def add_command(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "prisma",
        help="count every PRISMA 2020 box from the stage files, check it adds up, and draw it",
    )
    parser.add_argument("--search-log", required=True, help="results/search/search_log.csv")
    parser.add_argument("--clusters", required=True, help="results/dedup/clusters.csv")
    parser.add_argument(
        "--title-abstract",
        help="results/screening/title_abstract/decisions.csv (missing: screening pending)",
    )
    parser.add_argument(
        "--full-text", help="results/screening/full_text/decisions.csv (missing: pending)"
    )
    parser.add_argument("--outdir", required=True, help="directory to write, e.g. results/prisma")
    parser.add_argument(
        "--settings",
        help="JSON object of PRISMA settings, or the path of a file holding one",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    flow = build_flow(
        search_log=args.search_log,
        clusters=args.clusters,
        title_abstract=args.title_abstract,
        full_text=args.full_text,
        settings=settings_from_json(args.settings),
    )
    write_outputs(flow, outdir=args.outdir)
    pending = flow.pending
    state = (
        "complete"
        if flow.is_complete
        else f"pending {pending['title_abstract']} at title/abstract, "
        f"{pending['full_text']} at full text"
    )
    print(
        f"prisma: {sum(len(v) for v in flow.identified.values())} records identified, "
        f"{len(flow.included)} studies included ({state}) -> {args.outdir}"
    )
    return 0
