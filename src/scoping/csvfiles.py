"""Reading the project's own CSV files with a checked header and one-line errors."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from scoping.errors import ScopingError


def iter_csv_rows(
    path: str | Path, *, required: tuple[str, ...], what: str, fix: str
) -> Iterator[dict[str, str]]:
    """Rows of a UTF-8 CSV (with or without BOM) as dicts, once its header has ``required``."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ScopingError(f"{what} not found", file=path, fix=fix) from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ScopingError(
                f"not a {what}: missing column(s) {', '.join(missing)}", file=path, fix=fix
            )
        yield from reader
