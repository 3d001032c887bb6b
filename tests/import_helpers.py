"""Helpers shared by the import tests: the data tables of real exports (README.md, ADDED.md)."""

from __future__ import annotations

import re
from pathlib import Path

from scoping.cli import main

#: The files that describe ../shared/data, each with a table whose first column is the path and
#: whose last column is the record count.
DATA_TABLES = ("README.md", "ADDED.md")


def readme_rows(shared_data: Path, prefix: str) -> list[tuple[str, str]]:
    """``(path, records cell)`` of every data-table row whose path starts with ``prefix``.

    Both README.md and ADDED.md (files added later) are read; a row is a table line whose first
    cell is a path (ADDED.md's escaped ``\\|`` inside a cell is not a cell border).
    """
    rows = []
    for name in DATA_TABLES:
        table = shared_data / name
        if not table.is_file():
            continue
        for line in table.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"| {prefix}"):
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
                rows.append((cells[0], cells[-1]))
    return rows


def table_count(cell: str) -> int | None:
    """Leading number of a "records" cell ("1000 RIS records", "3 rows x 13 cols",
    ADDED.md's "14 (12 carry RAYYAN-INCLUSION ...)" and "58 (agrees with ...)")."""
    m = re.match(r"(\d+)\b", cell)
    return int(m.group(1)) if m else None


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``scoping`` with ``args``."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
