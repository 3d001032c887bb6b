"""PRISMA numbers as prisma.json, prisma.csv (PRISMA2020 template layout) and prisma.md."""

from __future__ import annotations

import csv
import io
from typing import Any

from scoping.prisma.boxes import Box, flow_boxes, reasons_by_size
from scoping.prisma.flow import OTHER_TYPES, PrismaFlow
from scoping.prisma.template import TEMPLATE_COLUMNS, TEMPLATE_ROWS


def name_n_list(pairs: list[tuple[str, int]]) -> str:
    """The template's list format: ``"Name, n; Name, n"`` (commas in names would split it)."""
    return "; ".join(f"{name.replace(',', ' ').replace(';', ' ')}, {n}" for name, n in pairs)


def _reasons(flow: PrismaFlow, arm: str) -> dict[str, int]:
    return {reason: len(ids) for reason, ids in reasons_by_size(flow.arms[arm])}


def _arm_numbers(flow: PrismaFlow, arm_name: str) -> dict[str, Any]:
    arm = flow.arms[arm_name]
    return {
        "identified": len(arm.identified),
        "duplicates_removed": len(arm.duplicates),
        "removed_automation": len(arm.removed_automation),
        "removed_other": len(arm.removed_other),
        "records_screened": len(arm.records_screened),
        "records_excluded": len(arm.records_excluded),
        "reports_sought": len(arm.reports_sought),
        "reports_not_retrieved": len(arm.reports_not_retrieved),
        "reports_assessed": len(arm.reports_assessed),
        "reports_excluded": _reasons(flow, arm_name),
        "reports_excluded_total": arm.n_reports_excluded,
        "studies_included": len(arm.included),
        "pending": {
            "title_abstract": len(arm.pending_title_abstract),
            "full_text": len(arm.pending_full_text),
        },
    }


def prisma_json(flow: PrismaFlow) -> dict[str, Any]:
    """Every number of the flow; the flat keys are whole-review totals (both arms)."""
    arms = {name: _arm_numbers(flow, name) for name in flow.arms}
    total = {
        key: arms["dbr"][key] + arms["other"][key]
        for key in (
            "duplicates_removed",
            "removed_automation",
            "removed_other",
            "records_screened",
            "records_excluded",
            "reports_sought",
            "reports_not_retrieved",
            "reports_assessed",
            "studies_included",
        )
    }
    reasons: dict[str, int] = {}
    for arm in ("dbr", "other"):
        for reason, n in arms[arm]["reports_excluded"].items():
            reasons[reason] = reasons.get(reason, 0) + n
    settings = flow.settings
    new = len(flow.included)
    return {
        "title": settings.title,
        "complete": flow.is_complete,
        "identified": {name: len(lines) for name, lines in flow.identified.items()},
        "identified_by_type": flow.identified_by_type(),
        "identified_by_database": flow.identified_by_database(source_types=("database",)),
        "identified_by_register": flow.identified_by_database(source_types=("register",)),
        "identified_databases": arms["dbr"]["identified"],
        "identified_other": arms["other"]["identified"],
        **total,
        "reports_excluded": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "reports_excluded_total": sum(reasons.values()),
        "pending": flow.pending,
        "stages_started": {
            "title_abstract": flow.title_abstract_started,
            "full_text": flow.full_text_started,
        },
        "new_studies": new,
        "new_reports": new,
        "previous_studies": settings.previous_studies,
        "previous_reports": settings.previous_reports,
        "total_studies": settings.previous_studies + new,
        "total_reports": settings.previous_reports + new,
        "arms": {"databases_registers": arms["dbr"], "other_methods": arms["other"]},
        "superseded": flow.superseded,
        "boxes": {box.name: box.n for box in flow_boxes(flow)},
    }


def template_values(flow: PrismaFlow) -> dict[str, str]:
    """The ``n`` of each PRISMA2020 template row that this flow knows."""
    numbers = prisma_json(flow)
    dbr, other = numbers["arms"]["databases_registers"], numbers["arms"]["other_methods"]
    by_type = numbers["identified_by_type"]
    return {
        "previous_studies": str(numbers["previous_studies"]),
        "previous_reports": str(numbers["previous_reports"]),
        "database_results": str(by_type["database"]),
        "database_specific_results": name_n_list(list(numbers["identified_by_database"].items())),
        "register_results": str(by_type["register"]),
        "register_specific_results": name_n_list(list(numbers["identified_by_register"].items())),
        "website_results": str(by_type["website"]),
        # The template has no row for source type "other"; it is counted with organisations.
        "organisation_results": str(by_type["organisation"] + by_type["other"]),
        "citations_results": str(by_type["citation"]),
        "duplicates": str(dbr["duplicates_removed"]),
        "excluded_automatic": str(dbr["removed_automation"]),
        "excluded_other": str(dbr["removed_other"]),
        "records_screened": str(dbr["records_screened"]),
        "records_excluded": str(dbr["records_excluded"]),
        "dbr_sought_reports": str(dbr["reports_sought"]),
        "dbr_notretrieved_reports": str(dbr["reports_not_retrieved"]),
        "other_sought_reports": str(other["reports_sought"]),
        "other_notretrieved_reports": str(other["reports_not_retrieved"]),
        "dbr_assessed": str(dbr["reports_assessed"]),
        "dbr_excluded": name_n_list(list(dbr["reports_excluded"].items())),
        "other_assessed": str(other["reports_assessed"]),
        "other_excluded": name_n_list(list(other["reports_excluded"].items())),
        "new_studies": str(numbers["new_studies"]),
        "new_reports": str(numbers["new_reports"]),
        "total_studies": str(numbers["total_studies"]),
        "total_reports": str(numbers["total_reports"]),
    }


def prisma_csv(flow: PrismaFlow) -> str:
    """prisma.csv: the template's rows and columns, ``n`` filled in from the flow."""
    values = template_values(flow)
    has_other = flow.identified_by_type()["other"] > 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    n_col = TEMPLATE_COLUMNS.index("n")
    text_col = TEMPLATE_COLUMNS.index("boxtext")
    for template_row in TEMPLATE_ROWS:
        row = list(template_row)
        row[n_col] = values.get(row[0], row[n_col])
        if row[0] == "organisation_results" and has_other:
            row[text_col] = "Organisations and other sources"
        writer.writerow(row)
    return out.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def prisma_markdown(flow: PrismaFlow) -> str:
    """prisma.md: one table row per box, with the file that lists its records."""
    numbers = prisma_json(flow)
    lines = [
        f"# PRISMA 2020 flow: {flow.settings.title}"
        if flow.settings.title
        else "# PRISMA 2020 flow",
        "",
    ]
    pending = numbers["pending"]
    if flow.is_complete:
        lines.append("Screening is complete; every box adds up.")
    else:
        lines.append(
            f"Screening is in progress: pending {pending['title_abstract']} at title/abstract, "
            f"{pending['full_text']} at full text. Counts show what is decided so far."
        )
    lines += ["", "| Phase | Box | n | Records |", "|---|---|---:|---|"]
    boxes: list[Box] = flow_boxes(flow)
    other_used = other_arm_used(flow)
    for box in boxes:
        if box.arm == "other" and not other_used:
            continue
        lines.append(f"| {box.phase} | {_md_cell(box.label)} | {box.n} | `boxes/{box.name}.txt` |")
    for arm_name, where in (("dbr", "databases and registers"), ("other", "other methods")):
        reasons = reasons_by_size(flow.arms[arm_name])
        if reasons:
            lines += ["", f"Reports excluded ({where}), by reason:", ""]
            lines += [f"- {_md_cell(reason)}: {len(ids)}" for reason, ids in reasons]
    if flow.settings.previous_studies or flow.settings.previous_reports:
        lines += [
            "",
            f"Previous version of the review: {numbers['previous_studies']} studies, "
            f"{numbers['previous_reports']} reports. Total included: {numbers['total_studies']} "
            f"studies, {numbers['total_reports']} reports.",
        ]
    return "\n".join(lines) + "\n"


def other_arm_used(flow: PrismaFlow) -> bool:
    """Whether the review searched any other-methods source (the diagram's right column)."""
    return any(flow.sources[name].source_type in OTHER_TYPES for name in flow.identified)
