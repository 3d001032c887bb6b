"""Deduplication settings: every key has a default, so ``{}`` is a valid settings file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

from scoping.errors import ScopingError
from scoping.jsonarg import json_object_arg

#: What to do with a preprint and its published version.
PREPRINT_POLICIES = ("link", "merge")
#: Identifiers the exact pass can use ("accession": a database's own record number).
EXACT_FIELDS = ("doi", "pmid", "pmcid", "accession")


@dataclass(frozen=True, slots=True)
class DedupSettings:
    """Thresholds and switches of the deduplication passes (defaults tuned on the labelled sets)."""

    #: Title similarity (0-1) from which a pair may merge automatically.
    title_threshold: float = 0.93
    #: Title similarity (0-1) from which a pair that does not merge goes to the review sheet.
    review_threshold: float = 0.85
    #: Author-list similarity (0-1) that counts as agreement.
    author_threshold: float = 0.75
    #: Journal-name similarity (0-1) that counts as agreement.
    journal_threshold: float = 0.80
    #: Journal-name similarity (0-1) below which two known journals contradict a merge.
    journal_conflict: float = 0.5
    #: Agreeing fields (authors, year, journal, volume, pages, DOI) an automatic merge needs.
    min_support: int = 2
    #: Titles shorter than this (characters of the match key) need one more agreeing field.
    short_title_chars: int = 40
    #: Exact pass identifiers (any of doi, pmid, pmcid, accession).
    exact_fields: tuple[str, ...] = ("doi", "pmid", "pmcid", "accession")
    #: "link": a preprint and its published version stay apart (logged as a link); "merge": merge.
    preprint_policy: str = "link"
    #: Title-prefix blocking key length (characters of the compact title key).
    block_prefix_chars: int = 24
    #: Blocks larger than this are compared only within a sliding window of sorted titles.
    max_block_size: int = 64
    #: Window of the sorted-neighbourhood pass inside large blocks.
    window: int = 12

    def to_dict(self) -> dict[str, object]:
        """Plain dict (tuples as lists) for logs and JSON."""
        data = asdict(self)
        data["exact_fields"] = list(self.exact_fields)
        return data


def load_settings(source: str | Path | dict[str, object] | None) -> DedupSettings:
    """Settings from a JSON file path, a JSON string, a dict, or ``None`` (defaults)."""
    if source is None:
        return DedupSettings()
    if isinstance(source, dict):
        data, origin = source, "settings"
    else:
        example = '{"title_threshold": 0.95}'
        parsed = json_object_arg(str(source), option="--settings", example=example)
        if parsed is None:
            return DedupSettings()
        data, origin = parsed
    known = {f.name: f for f in fields(DedupSettings)}
    values: dict[str, object] = {}
    defaults = DedupSettings()
    for key, value in data.items():
        if key not in known:
            raise ScopingError(
                f"unknown dedup setting '{key}'",
                file=origin,
                fix=f"use one of {', '.join(sorted(known))}.",
            )
        default = getattr(defaults, key)
        values[key] = _coerce(key, value, default, origin)
    settings = DedupSettings(**values)  # type: ignore[arg-type]
    _check(settings, origin)
    return settings


def _coerce(key: str, value: object, default: object, origin: str) -> object:
    def bad(kind: str) -> ScopingError:
        return ScopingError(
            f"dedup setting '{key}' must be {kind}, got {value!r}", file=origin, fix="correct it."
        )

    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad("a number")
        return float(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of strings")
        return tuple(value)
    if not isinstance(value, str):
        raise bad("a string")
    return value


def _check(settings: DedupSettings, origin: str) -> None:
    for key in (
        "title_threshold",
        "review_threshold",
        "author_threshold",
        "journal_threshold",
        "journal_conflict",
    ):
        value = getattr(settings, key)
        if not 0.0 <= value <= 1.0:
            raise ScopingError(
                f"dedup setting '{key}' must be between 0 and 1, got {value}",
                file=origin,
                fix="use a similarity such as 0.9.",
            )
    if settings.review_threshold > settings.title_threshold:
        raise ScopingError(
            "dedup setting 'review_threshold' is above 'title_threshold'",
            file=origin,
            fix="make review_threshold <= title_threshold (the band between them is reviewed).",
        )
    if settings.preprint_policy not in PREPRINT_POLICIES:
        raise ScopingError(
            f"dedup setting 'preprint_policy' must be one of {', '.join(PREPRINT_POLICIES)}",
            file=origin,
            fix="use 'link' (keep apart, log the link) or 'merge'.",
        )
    unknown = set(settings.exact_fields) - set(EXACT_FIELDS)
    if unknown:
        raise ScopingError(
            f"dedup setting 'exact_fields' has unknown field(s) {', '.join(sorted(unknown))}",
            file=origin,
            fix=f"use any of {', '.join(EXACT_FIELDS)}.",
        )
    if settings.min_support < 1 or settings.max_block_size < 2 or settings.window < 2:
        raise ScopingError(
            "dedup settings 'min_support' must be >= 1, 'max_block_size' and 'window' >= 2",
            file=origin,
            fix="raise the value.",
        )
