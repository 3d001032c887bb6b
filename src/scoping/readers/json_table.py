"""JSON exports that are a list of flat records (Publish or Perish's "Save as JSON"), read as a
table: each key is a column, so the vendor columns and guesses of ``table`` apply unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator

from scoping.errors import ScopingError
from scoping.readers.common import ReadContext
from scoping.readers.table import read_rows
from scoping.records import Record


def _flat(value: object, key: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(v, f"{key}/{k}" if key else str(k), out)
    elif isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            out[key] = "; ".join(str(v) for v in value if v is not None and str(v).strip())
        else:
            for i, v in enumerate(value):
                _flat(v, f"{key}/{i}", out)
    elif value is not None:
        out[key] = str(value).strip()


def read_json_table(text: str, ctx: ReadContext) -> tuple[str, Iterator[Record]]:
    """Flavour and records of a JSON array of objects (lists of names joined with ``; ``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScopingError(
            f"unreadable JSON ({error.msg})",
            file=ctx.path,
            line=error.lineno,
            fix="export the file again; it may be cut off.",
        ) from None
    if isinstance(data, dict):
        # {"records": [...]} and similar wrappers around the one list.
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else data
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ScopingError(
            "JSON that is not a list of records",
            file=ctx.path,
            line=1,
            fix="export the records as a JSON list, or as RIS, BibTeX or CSV.",
        )
    rows: list[dict[str, str]] = []
    for item in data:
        flat: dict[str, str] = {}
        _flat(item, "", flat)
        rows.append(flat)
    header = list(dict.fromkeys(k for row in rows for k in row))

    def cells() -> Iterator[tuple[int, list[str]]]:
        yield 1, header
        for number, row in enumerate(rows, start=2):
            yield number, [row.get(k, "") for k in header]

    return read_rows(cells(), ctx)
