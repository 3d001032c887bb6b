"""What the reviewers' sheets and the conflicts sheet look like, and where they live."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from scoping.screening.settings import STAGES, ScreeningSettings
from scoping.screening.tables import Column, SheetSpec

#: Decisions a reviewer can pick, per stage (``not_retrieved``: the full text could not be had).
DECISIONS: dict[str, tuple[str, ...]] = {
    "title_abstract": ("include", "exclude", "maybe"),
    "full_text": ("include", "exclude", "maybe", "not_retrieved"),
}

#: Status text of a row whose record left the stage (the row is kept, never deleted).
WITHDRAWN_RECORDS = "withdrawn: no longer in the records (merged as a duplicate or removed)"
WITHDRAWN_STAGE = "withdrawn: no longer included at title/abstract"
NOW_AGREE = "closed: the reviewers now agree"
#: Status of a row whose record dedup merged into another: its decision counts for that one.
MERGED_INTO = "merged: this decision counts for {target} (the same record)"
#: Status of a row whose ID dedup now finds on two or more distinct records.
SPLIT_INTO = "split: the same ID is now {count} records ({targets}); each is decided on its own"


def _pubmed(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid.strip()}/" if pmid.strip().isdigit() else ""


def _doi(doi: str) -> str:
    doi = doi.strip()
    return f"https://doi.org/{quote(doi, safe='/:;()._-')}" if doi.startswith("10.") else ""


def _url(url: str) -> str:
    url = url.strip()
    # Only web links become clickable: a 'file:' or 'javascript:' URL in a record is just text.
    return url if url.lower().startswith(("https://", "http://")) and " " not in url else ""


_RECORD_COLUMNS = (
    Column("record_id", 18, "id"),
    Column("title", 50, "wrap"),
    Column("abstract", 90, "wrap"),
)
_META_COLUMNS = (
    Column("authors", 30, "wrap"),
    Column("year", 7),
    Column("journal", 25, "wrap"),
    Column("pmid", 11, "link", link=_pubmed),
    Column("doi", 25, "link", link=_doi),
    Column("url", 30, "link", link=_url),
)
_TRAIL_COLUMNS = (Column("batch", 8), Column("added", 18), Column("status", 30, "wrap"))

#: The title/abstract column that ranks a reviewer's open rows by likely inclusion.
PRIORITY = "priority"

#: Columns a reviewer types into.
INPUT_COLUMNS = ("decision", "reason", "notes")
#: Conflicts sheet, 3+ reviewers on every record: "carol: exclude (wrong concept) - notes; ...".
OTHER_REVIEWERS = "other_reviewers"
RESOLUTION_COLUMNS = ("resolution", "resolution_reason", "resolved_by", "resolution_notes")


def sheet_path(directory: str | Path, stage: str, name: str, settings: ScreeningSettings) -> Path:
    """``<directory>/<stage>/<name>.xlsx`` (or ``.csv`` when the settings say so)."""
    return Path(directory) / stage / f"{name}{settings.extension}"


def sheet_paths(directory: str | Path, stage: str, settings: ScreeningSettings) -> list[Path]:
    """Every human-owned sheet of a stage: one per reviewer, then the conflicts sheet."""
    names = [*settings.reviewers, "conflicts"]
    return [sheet_path(directory, stage, n, settings) for n in names]


def _criteria(settings: ScreeningSettings) -> list[str]:
    lines = [settings.title, ""]
    if settings.question:
        lines += ["Review question:", settings.question, ""]
    if settings.inclusion_criteria:
        lines += ["Include when:", *(f"  • {c}" for c in settings.inclusion_criteria), ""]
    if settings.exclusion_criteria:
        lines += ["Exclude when:", *(f"  • {c}" for c in settings.exclusion_criteria), ""]
    return lines


def prioritised(stage: str, settings: ScreeningSettings) -> bool:
    """Whether a stage's sheets rank their open rows (title/abstract, unless switched off)."""
    return stage == "title_abstract" and settings.prioritise


def reviewer_spec(stage: str, settings: ScreeningSettings) -> SheetSpec:
    """Layout of a reviewer's sheet for a stage."""
    if stage not in STAGES:
        raise ValueError(stage)
    decisions = DECISIONS[stage]
    reasons = settings.reasons(stage)
    must = "must" if stage == "full_text" else "may"
    instructions = [
        *_criteria(settings),
        f"Stage: {stage.replace('_', ' ')}. Your sheet is blind: nobody else's decisions are here.",
        "",
        "How to screen:",
        f"  • decision: pick one of {', '.join(decisions)} (yellow cells). Leave it empty "
        "while you have not decided: the record then counts as pending.",
        f"  • reason: an exclusion {must} carry one of the listed reasons.",
        "  • notes: anything you want to say; it is kept but not counted.",
        *(
            ["  • not_retrieved: the full text could not be obtained (counted in PRISMA)."]
            if stage == "full_text"
            else []
        ),
        *(
            [
                f"  • {PRIORITY}: 0001 is the record most likely to be included among those you "
                "have not decided, learnt from the team's decisions so far and refreshed on "
                "every run (decided rows are blank). Sort by it to meet likely includes "
                "first; it is a guess, so screen every row all the same.",
            ]
            if prioritised(stage, settings)
            else []
        ),
        "  • Sort and filter as you like; do not edit, delete or reorder the grey record cells.",
        "  • New records are added at the bottom (column 'batch' says when); a record that "
        "leaves the review is marked in 'status', never deleted.",
        "  • The sheet is protected without a password against slips; Excel sorts only "
        "after Review > Unprotect Sheet. Filtering works while protected.",
        "",
        "Exclusion reasons:",
        *(f"  • {r}" for r in reasons),
    ]
    columns = (
        *_RECORD_COLUMNS,
        Column("decision", 14, "input", dropdown="decision"),
        Column("reason", 28, "input", dropdown="reason"),
        Column("notes", 30, "input"),
        *((Column(PRIORITY, 9),) if prioritised(stage, settings) else ()),
        *_META_COLUMNS,
        *_TRAIL_COLUMNS,
    )
    return SheetSpec(
        columns=columns,
        lists={"decision": decisions, "reason": reasons},
        instructions=instructions,
        required=("record_id", *INPUT_COLUMNS, "status"),
    )


def conflicts_spec(stage: str, settings: ScreeningSettings) -> SheetSpec:
    """Layout of a stage's conflicts sheet (both decisions side by side, then a resolution)."""
    resolutions = tuple(d for d in DECISIONS[stage] if d != "maybe")
    reasons = settings.reasons(stage)
    side = []
    for which in ("first", "second"):
        side += [
            Column(f"{which}_reviewer", 12),
            Column(f"{which}_decision", 12),
            Column(f"{which}_reason", 22, "wrap"),
            Column(f"{which}_notes", 22, "wrap"),
        ]
    if len(settings.reviewers) > 2 and settings.assignment == "all":
        # Everybody screens every record: the adjudicator sees the third reviewer on too.
        side.append(Column(OTHER_REVIEWERS, 40, "wrap"))
    columns = (
        *_RECORD_COLUMNS,
        *side,
        Column("resolution", 14, "input", dropdown="resolution"),
        Column("resolution_reason", 28, "input", dropdown="reason"),
        Column("resolved_by", 14, "input"),
        Column("resolution_notes", 30, "input"),
        *_META_COLUMNS,
        *_TRAIL_COLUMNS,
    )
    instructions = [
        *_criteria(settings),
        f"Conflicts at {stage.replace('_', ' ')}: records on which the reviewers disagree.",
        "",
        f"  • resolution: pick one of {', '.join(resolutions)} (third reviewer or consensus).",
        "  • resolution_reason: the exclusion reason"
        + (" (required for a full-text exclusion)." if stage == "full_text" else "."),
        "  • resolved_by, resolution_notes: who decided and why (kept, not counted).",
        "  • New conflicts are added at the bottom when 'scoping reconcile' runs; rows are never "
        "deleted. A row whose reviewers later agree is marked closed in 'status'.",
        "",
        "Exclusion reasons:",
        *(f"  • {r}" for r in reasons),
    ]
    return SheetSpec(
        columns=columns,
        lists={"resolution": resolutions, "reason": reasons},
        instructions=instructions,
        required=("record_id", "resolution", "resolution_reason", "status"),
    )
