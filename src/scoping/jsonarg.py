"""JSON objects given on the command line (``--settings``, ``--columns``), inline or in a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scoping.errors import ScopingError


def json_object_arg(
    value: str | None, *, option: str, example: str, allow_file: bool = True
) -> tuple[dict[str, Any], str] | None:
    """The JSON object in ``value`` (or, with ``allow_file``, in the file it names), and where it
    came from; ``None`` for an empty value. Malformed input is a one-line ``ScopingError``."""
    if value is None or not value.strip():
        return None
    text, origin = value, option
    if allow_file and not value.lstrip().startswith("{") and Path(value).is_file():
        origin = value
        text = Path(value).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScopingError(
            f"{option} is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno})",
            file=None if origin == option else origin,
            fix=f"pass a JSON object, e.g. '{example}'.",
        ) from None
    if not isinstance(data, dict):
        raise ScopingError(
            f"{option} must be a JSON object",
            file=None if origin == option else origin,
            fix=f"wrap the keys in {{ }}, e.g. '{example}'.",
        )
    return data, origin
