"""The boxes of a PRISMA flow in one list: name, PRISMA 2020 label, and the IDs behind it.

Box names follow the PRISMA2020 template's ``data`` column where it has one (so
``boxes/records_screened.txt`` explains the ``records_screened`` row of prisma.csv); boxes the
template lacks (the other-methods arm's screening, pending records) get names in the same style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoping.errors import ScopingError
from scoping.prisma.flow import DBR_TYPES, OTHER_TYPES, Arm, PrismaFlow


@dataclass(frozen=True)
class Box:
    """One number of the flow and the lines of its ``boxes/<name>.txt``."""

    name: str
    label: str
    lines: tuple[str, ...]
    phase: str  # identification, screening, included
    arm: str  # dbr, other, or both

    @property
    def n(self) -> int:
        return len(self.lines)


def source_box_name(source: str) -> str:
    """File-safe box name of one source's hits."""
    return "source__" + re.sub(r"[^A-Za-z0-9._-]+", "_", source)


def excluded_lines(arm: Arm) -> tuple[str, ...]:
    """Excluded reports as ``record_id<TAB>reason`` lines, reasons in order of size."""
    return tuple(f"{rid}\t{reason}" for reason, ids in reasons_by_size(arm) for rid in ids)


def reasons_by_size(arm: Arm) -> list[tuple[str, list[str]]]:
    """Exclusion reasons, largest first, ties by name (a stable order for tables and diagram)."""
    return sorted(arm.reports_excluded.items(), key=lambda item: (-len(item[1]), item[0]))


def flow_boxes(flow: PrismaFlow) -> list[Box]:
    """Every box of the flow, top to bottom, databases arm first."""
    boxes: list[Box] = []

    def add(
        name: str, label: str, lines: list[str] | tuple[str, ...], phase: str, arm: str
    ) -> None:
        boxes.append(Box(name, label, tuple(lines), phase, arm))

    slugs: dict[str, str] = {}
    for name in flow.identified:
        other = slugs.setdefault(source_box_name(name), name)
        if other != name:
            raise ScopingError(
                f"sources '{other}' and '{name}' would share the box file "
                f"boxes/{source_box_name(name)}.txt",
                column="source",
                fix="rename one source in the config (letters, digits, '.', '_', '-').",
            )
    for name, lines in flow.identified.items():
        source = flow.sources[name]
        add(
            source_box_name(name),
            f"Records identified from {source.database} (source '{name}', {source.source_type})",
            lines,
            "identification",
            "dbr" if source.source_type in DBR_TYPES else "other",
        )
    by_type: dict[str, list[str]] = {t: [] for t in DBR_TYPES + OTHER_TYPES}
    for name, lines in flow.identified.items():
        by_type[flow.sources[name].source_type].extend(lines)
    add(
        "database_results",
        "Records identified from: Databases",
        by_type["database"],
        "identification",
        "dbr",
    )
    add(
        "register_results",
        "Records identified from: Registers",
        by_type["register"],
        "identification",
        "dbr",
    )
    add(
        "website_results",
        "Records identified from: Websites",
        by_type["website"],
        "identification",
        "other",
    )
    add(
        "organisation_results",
        "Records identified from: Organisations",
        by_type["organisation"],
        "identification",
        "other",
    )
    add(
        "citations_results",
        "Records identified from: Citation searching",
        by_type["citation"],
        "identification",
        "other",
    )
    add(
        "other_results",
        "Records identified from: Other sources",
        by_type["other"],
        "identification",
        "other",
    )

    for arm_name, prefix, where in (
        ("dbr", "", "databases and registers"),
        ("other", "other_", "other methods"),
    ):
        arm = flow.arms[arm_name]
        p = "dbr_" if arm_name == "dbr" else "other_"
        add(
            f"{prefix}duplicates",
            f"Duplicate records removed ({where})",
            arm.duplicates,
            "identification",
            arm_name,
        )
        add(
            f"{prefix}excluded_automatic",
            f"Records marked as ineligible by automation tools ({where})",
            arm.removed_automation,
            "identification",
            arm_name,
        )
        add(
            f"{prefix}excluded_other",
            f"Records removed for other reasons ({where})",
            arm.removed_other,
            "identification",
            arm_name,
        )
        add(
            f"{prefix}records_screened",
            f"Records screened ({where})",
            arm.records_screened,
            "screening",
            arm_name,
        )
        add(
            f"{prefix}records_excluded",
            f"Records excluded ({where})",
            arm.records_excluded,
            "screening",
            arm_name,
        )
        add(
            f"{p}pending_title_abstract",
            f"Records awaiting a title/abstract decision ({where})",
            arm.pending_title_abstract,
            "screening",
            arm_name,
        )
        add(
            f"{p}sought_reports",
            f"Reports sought for retrieval ({where})",
            arm.reports_sought,
            "screening",
            arm_name,
        )
        add(
            f"{p}notretrieved_reports",
            f"Reports not retrieved ({where})",
            arm.reports_not_retrieved,
            "screening",
            arm_name,
        )
        add(
            f"{p}assessed",
            f"Reports assessed for eligibility ({where})",
            arm.reports_assessed,
            "screening",
            arm_name,
        )
        add(
            f"{p}excluded",
            f"Reports excluded ({where})",
            excluded_lines(arm),
            "screening",
            arm_name,
        )
        add(
            f"{p}pending_full_text",
            f"Reports awaiting a full-text decision ({where})",
            arm.pending_full_text,
            "screening",
            arm_name,
        )
        add(f"{p}included", f"Studies included ({where})", arm.included, "included", arm_name)
    add("new_studies", "New studies included in review", flow.included, "included", "both")
    add("new_reports", "Reports of new included studies", flow.included, "included", "both")
    return boxes
