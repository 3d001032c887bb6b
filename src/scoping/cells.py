"""Cell text for spreadsheets: safe against formula injection, legal in xlsx, read back intact."""

from __future__ import annotations

import re

#: A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Excel refuses longer cell text; openpyxl would write a file Excel calls corrupt.
MAX_CELL = 32_767

# Control characters that xlsx cannot hold (tab, newline and carriage return are allowed).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _needs_escape(text: str) -> bool:
    # A leading quote before a trigger is escaped too, so that unescaping is exact.
    while text.startswith("'"):
        text = text[1:]
    return text.startswith(FORMULA_TRIGGERS)


def escape_cell(value: object) -> str:
    """Text for a cell: control characters removed, a leading ``'`` before formula triggers."""
    if value is None:
        return ""
    text = _ILLEGAL.sub("", str(value))
    if text and _needs_escape(text):
        text = "'" + text
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1] + "…"
    return text


def unescape_cell(value: object) -> str:
    """Inverse of ``escape_cell`` for a value read back from a sheet (numbers become text)."""
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel turns a text ID such as 12345 into a number when a CSV is opened and saved.
        value = int(value) if value.is_integer() else value
    text = str(value)
    if text.startswith("'") and _needs_escape(text[1:]):
        return text[1:]
    return text
