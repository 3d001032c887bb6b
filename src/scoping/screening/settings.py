"""Screening settings: every key has a default, so the commands also run by hand."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from scoping.errors import ScopingError
from scoping.jsonarg import json_object_arg

#: Screening stages, in the order records pass through them.
STAGES = ("title_abstract", "full_text")

#: How ``maybe`` is treated when decisions are reconciled and agreement is measured.
MAYBE_POLICIES = ("conflict", "include", "exclude")

#: How records are shared among reviewers.
ASSIGNMENTS = ("all", "pairs")

DEFAULT_REASONS: dict[str, list[str]] = {
    "title_abstract": [
        "wrong population",
        "wrong concept",
        "wrong context",
        "wrong publication type",
        "not in scope",
    ],
    "full_text": [
        "wrong population",
        "wrong concept",
        "wrong context",
        "wrong publication type",
        "no full text in a language the team reads",
        "duplicate report",
        "other (say why in notes)",
    ],
}


@dataclass(slots=True)
class ScreeningSettings:
    """The ``screening`` part of the config (names match the config keys)."""

    reviewers: list[str] = field(default_factory=lambda: ["reviewer1", "reviewer2"])
    format: str = "xlsx"
    exclusion_reasons: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_REASONS.items()}
    )
    title: str = "Scoping review"
    question: str = ""
    inclusion_criteria: list[str] = field(default_factory=list)
    exclusion_criteria: list[str] = field(default_factory=list)
    maybe_policy: str = "conflict"
    assignment: str = "all"
    pilot_size: int = 0
    pilot_seed: int = 1
    pilot_active: bool = False
    seed_dir: str = ""
    #: Rank the open title/abstract records by likely inclusion (the ``priority`` column).
    prioritise: bool = False
    #: Seed of the order before there are enough decisions to train on.
    priority_seed: int = 0

    def reasons(self, stage: str) -> list[str]:
        """Configured exclusion reasons of a stage."""
        return list(self.exclusion_reasons.get(stage) or DEFAULT_REASONS[stage])

    @property
    def extension(self) -> str:
        return ".csv" if self.format == "csv" else ".xlsx"


def _fail(key: str, message: str, fix: str) -> ScopingError:
    return ScopingError(f"screening setting '{key}' {message}", column=None, fix=fix)


def load_settings(text: str | None) -> ScreeningSettings:
    """Parse ``--settings`` JSON (a JSON object, or a path to a JSON file); check every key."""
    parsed = json_object_arg(text, option="--settings", example='{"reviewers": ["ann", "bob"]}')
    if parsed is None:
        return ScreeningSettings()
    data = parsed[0]
    known = {f.name for f in fields(ScreeningSettings)}
    # Keys the rest of the config carries (e.g. 'stages') are not ours: ignore them quietly.
    settings = ScreeningSettings(**{k: v for k, v in data.items() if k in known})
    _check(settings)
    return settings


def _check(s: ScreeningSettings) -> None:
    if (
        not isinstance(s.reviewers, list)
        or len(s.reviewers) < 2
        or not all(isinstance(r, str) and r.strip() for r in s.reviewers)
    ):
        raise _fail("reviewers", "needs at least two names", "list two or more reviewer names.")
    s.reviewers = [r.strip() for r in s.reviewers]
    bad = [r for r in s.reviewers if not r.replace("-", "").replace("_", "").isalnum()]
    if bad:
        raise _fail(
            "reviewers",
            f"has a name that cannot be a file name: '{bad[0]}'",
            "use letters, digits, '-' and '_' only.",
        )
    if len(set(s.reviewers)) != len(s.reviewers) or "conflicts" in s.reviewers:
        raise _fail("reviewers", "repeats a name or uses 'conflicts'", "give unique names.")
    if s.format not in ("xlsx", "csv"):
        raise _fail("format", f"is '{s.format}'", "use 'xlsx' or 'csv'.")
    if s.maybe_policy not in MAYBE_POLICIES:
        raise _fail("maybe_policy", f"is '{s.maybe_policy}'", f"use one of {MAYBE_POLICIES}.")
    if s.assignment not in ASSIGNMENTS:
        raise _fail("assignment", f"is '{s.assignment}'", f"use one of {ASSIGNMENTS}.")
    if not isinstance(s.exclusion_reasons, dict):
        raise _fail("exclusion_reasons", "is not a mapping", "map each stage to a list.")
    for stage, reasons in s.exclusion_reasons.items():
        if stage not in STAGES or not isinstance(reasons, list) or not reasons:
            raise _fail(
                "exclusion_reasons",
                f"has a bad entry '{stage}'",
                f"map {' and '.join(STAGES)} to non-empty lists of reasons.",
            )
    if not isinstance(s.prioritise, bool):
        raise _fail("prioritise", f"is '{s.prioritise}'", "use true or false.")
    if not isinstance(s.priority_seed, int) or isinstance(s.priority_seed, bool):
        raise _fail("priority_seed", f"is '{s.priority_seed}'", "use a whole number.")
    if not isinstance(s.pilot_size, int) or s.pilot_size < 0:
        raise _fail("pilot_size", f"is '{s.pilot_size}'", "use 0 (no pilot) or a positive count.")
