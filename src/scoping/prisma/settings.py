"""Review settings the PRISMA stage reads from ``--settings`` (every key has a default)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from scoping.errors import ScopingError
from scoping.jsonarg import json_object_arg


@dataclass(frozen=True)
class PrismaSettings:
    """What the flow needs beyond the workflow's own files."""

    #: Review title printed above the diagram and tables; empty prints none.
    title: str = ""
    #: Studies and reports included in the previous version of an updated review.
    previous_studies: int = 0
    previous_reports: int = 0
    #: Record IDs (cluster IDs) removed before screening, so the removals stay traceable.
    removed_automation: tuple[str, ...] = field(default_factory=tuple)
    removed_other: tuple[str, ...] = field(default_factory=tuple)
    #: Diagram: list each database/register and other source with its own count.
    diagram_per_source: bool = True
    #: Diagram: body text size in px (the boxes grow to fit; 12 or more prints legibly on A4).
    diagram_font_size: int = 14
    #: Diagram: CSS font-family list; DejaVu Sans ships with most Linux systems.
    diagram_font_family: str = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"


_INT_KEYS = ("previous_studies", "previous_reports", "diagram_font_size")
_LIST_KEYS = ("removed_automation", "removed_other")
_BOOL_KEYS = ("diagram_per_source",)


def settings_from_json(text: str | None, *, origin: str = "--settings") -> PrismaSettings:
    """Parse the ``--settings`` JSON object; unknown keys and wrong types are errors."""
    parsed = json_object_arg(text, option=origin, example='{"title": "My review"}')
    if parsed is None:
        return PrismaSettings()
    data, origin = parsed
    return settings_from_mapping(data, origin=origin)


def settings_from_mapping(data: dict[str, Any], *, origin: str = "--settings") -> PrismaSettings:
    """Build ``PrismaSettings`` from a mapping, checking every key and type."""
    known = [f.name for f in fields(PrismaSettings)]
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ScopingError(
                f"unknown PRISMA setting '{key}'",
                file=origin,
                fix=f"use one of: {', '.join(known)}.",
            )
        values[key] = _checked(key, value, origin=origin)
    return PrismaSettings(**values)


def _checked(key: str, value: Any, *, origin: str) -> Any:
    def bad(expected: str) -> ScopingError:
        return ScopingError(
            f"setting '{key}' must be {expected}, not {value!r}",
            file=origin,
            fix=f"give '{key}' as {expected}.",
        )

    if key in _INT_KEYS:
        # bool is an int in Python; a JSON true here is a mistake.
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad("a whole number >= 0")
        if key == "diagram_font_size" and not 6 <= value <= 48:
            raise bad("a font size between 6 and 48")
        return value
    if key in _LIST_KEYS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of record IDs")
        return tuple(v.strip() for v in value if v.strip())
    if key in _BOOL_KEYS:
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if not isinstance(value, str):
        raise bad("a string")
    return value
