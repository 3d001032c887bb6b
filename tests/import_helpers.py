"""Helpers shared by the import tests: the data README's table of real exports."""

from __future__ import annotations

import re
from pathlib import Path

from scoping.cli import main


def readme_rows(shared_data: Path, prefix: str) -> list[tuple[str, str]]:
    """``(path, records cell)`` of every README table row whose path starts with ``prefix``."""
    rows = []
    for line in (shared_data / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"| {prefix}"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows.append((cells[0], cells[-1]))
    return rows


def table_count(cell: str) -> int | None:
    """Leading number of a README "records" cell ("1000 RIS records", "3 rows x 13 cols")."""
    m = re.match(r"(\d+)\b", cell)
    return int(m.group(1)) if m else None


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``scoping`` with ``args``."""
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
