"""The ``scoping`` command line: one subcommand per workflow stage.

Each stage module registers its own subcommand with ``add_command(subparsers)`` and keeps its
logic in plain functions; this file only dispatches and turns ``ScopingError`` into one line.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from scoping import __version__
from scoping.errors import ScopingError

#: Modules that define a subcommand, in the order of the workflow.
COMMAND_MODULES = (
    "scoping.commands.import_cmd",
    "scoping.commands.pubmed_cmd",
    "scoping.commands.searchlog_cmd",
    "scoping.commands.dedup_cmd",
    "scoping.commands.sheets_cmd",
    "scoping.commands.reconcile_cmd",
    "scoping.commands.priority_cmd",
    "scoping.commands.prisma_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scoping",
        description="Scoping review stages: search, deduplicate, screen, reconcile, count PRISMA.",
    )
    parser.add_argument("--version", action="version", version=f"scoping {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args) or 0)
    except ScopingError as error:
        print(f"scoping {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"scoping {args.command}: interrupted; no output was changed", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
