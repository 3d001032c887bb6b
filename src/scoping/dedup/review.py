"""The dedup review sheet: uncertain pairs that a person marks ``same`` or ``different``.

The sheet is owned by people (DESIGN invariant 1): it is created once, later runs only append
pairs it does not list yet, the file is backed up before every change, and typed decisions are
never removed. Every run replays the decisions it holds.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from scoping.atomic import atomic_path
from scoping.cells import escape_cell
from scoping.cells import unescape_cell as _unescape
from scoping.dedup.engine import DIFFERENT, SAME, DedupResult, PairEvent, pair_key
from scoping.errors import ScopingError
from scoping.records import LIST_SEP, Record

SHEET = "pairs"
#: The header row and the decision and notes columns stay in view while scrolling.
FROZEN_CELL = "C2"
DECISIONS = (SAME, DIFFERENT)
#: Record fields shown side by side (``<field>_a``, ``<field>_b``).
SHOWN_FIELDS = (
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "source",
    "abstract",
)
COLUMNS = (
    "decision",
    "notes",
    "record_id_a",
    "record_id_b",
    "score",
    "rule",
    *(f"{name}_{side}" for name in SHOWN_FIELDS for side in ("a", "b")),
    "added",
)
_WIDTHS = {"decision": 12, "notes": 24, "title_a": 60, "title_b": 60, "abstract_a": 60}
_HOW_TO = (
    "Each row is a pair of records that may be the same publication.",
    "Choose 'same' or 'different' in the decision column; leave it empty to decide later.",
    "Decisions are applied on every run of 'scoping dedup' and never asked again.",
    "Do not delete rows or change record_id_a / record_id_b; new pairs are added at the bottom.",
)


def unescape_cell(value: object) -> str:
    """A cell read back: the shared unescape, surrounding white space dropped."""
    return _unescape(value).strip()


def _cell_value(record: Record, name: str) -> str:
    value = getattr(record, name)
    return LIST_SEP.join(value) if isinstance(value, list) else str(value or "")


def read_review_decisions(path: str | Path) -> dict[tuple[str, str], str]:
    """``pair_key -> "same" | "different"`` for every decided row of the sheet (none if absent)."""
    path = Path(path)
    if not path.is_file():
        return {}
    listed, decisions = _read_sheet(path)
    del listed
    return decisions


def _read_sheet(path: Path) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise ScopingError(
            f"cannot open the review sheet ({type(error).__name__})",
            file=path,
            fix="restore it from the .bak copy beside it.",
        ) from None
    try:
        if SHEET not in workbook.sheetnames:
            raise ScopingError(
                f"no sheet named '{SHEET}'", file=path, fix="restore it from the .bak copy."
            )
        rows = workbook[SHEET].iter_rows(values_only=True)
        header = [unescape_cell(v) for v in next(rows, ())]
        need = ("decision", "record_id_a", "record_id_b")
        missing = [c for c in need if c not in header]
        if missing:
            raise ScopingError(
                f"column(s) {', '.join(missing)} missing",
                file=path,
                fix="restore the header row (or the file from its .bak copy).",
            )
        col = {name: header.index(name) for name in need}
        listed: set[tuple[str, str]] = set()
        decisions: dict[tuple[str, str], str] = {}
        for row_number, row in enumerate(rows, start=2):
            values = list(row) + [None] * (len(header) - len(row))
            a = unescape_cell(values[col["record_id_a"]])
            b = unescape_cell(values[col["record_id_b"]])
            if not a and not b:
                continue
            key = pair_key(a, b)
            listed.add(key)
            decision = unescape_cell(values[col["decision"]]).lower()
            if not decision:
                continue
            if decision not in DECISIONS:
                raise ScopingError(
                    f"decision '{decision}' is not one of {', '.join(DECISIONS)}",
                    file=path,
                    row=row_number,
                    column="decision",
                    fix="choose 'same' or 'different' from the list, or leave the cell empty.",
                )
            decisions[key] = decision
    finally:
        workbook.close()
    return listed, decisions


def _pair_row(result: DedupResult, event: PairEvent, added: str) -> list[str]:
    (label_a, a), (label_b, b) = sorted(
        [
            (result.labels[event.a], result.hits[event.a]),
            (result.labels[event.b], result.hits[event.b]),
        ],
        key=lambda t: t[0],
    )
    values: dict[str, str] = {
        "decision": "",
        "notes": "",
        "record_id_a": label_a,
        "record_id_b": label_b,
        "score": f"{event.score:.3f}",
        "rule": event.rule,
        "added": added,
    }
    for name in SHOWN_FIELDS:
        values[f"{name}_a"] = _cell_value(a, name)
        values[f"{name}_b"] = _cell_value(b, name)
    return [escape_cell(values[c]) for c in COLUMNS]


def update_review_sheet(
    path: str | Path, result: DedupResult, *, now: datetime | None = None
) -> int:
    """Create the sheet or append the pairs it does not list yet; returns rows added.

    The file is backed up (``<name>.bak-<time>.xlsx`` beside it) before it is changed, unless
    it is still the bare sheet ``scoping dedup-init`` created (nothing typed to keep).
    """
    path = Path(path)
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed: set[tuple[str, str]] = set()
    if path.is_file():
        listed, _ = _read_sheet(path)
    rows = []
    for event in result.review:
        key = pair_key(result.labels[event.a], result.labels[event.b])
        if key[0] == key[1] or key in listed:
            continue
        listed.add(key)
        rows.append(_pair_row(result, event, stamp))
    if path.is_file():
        if not rows:
            return 0
        workbook = load_workbook(path)
        sheet = workbook[SHEET]
        if sheet.max_row > 1 or len(workbook.worksheets) > 2:
            # Something below the header (or a sheet someone added): keep a copy. The bare
            # sheet 'scoping dedup-init' creates holds nothing to keep.
            backup = path.with_name(f"{path.stem}.bak-{stamp.replace(':', '')}{path.suffix}")
            shutil.copy2(path, backup)
        header = [unescape_cell(c.value) for c in sheet[1]]
        if not sheet.freeze_panes:
            sheet.freeze_panes = FROZEN_CELL  # a LibreOffice save drops it
        for row in rows:
            by_name = dict(zip(COLUMNS, row, strict=True))
            sheet.append([by_name.get(name, "") for name in header])
    else:
        workbook = _new_workbook()
        sheet = workbook[SHEET]
        for row in rows:
            sheet.append(row)
    _style_rows(sheet, start=sheet.max_row - len(rows) + 1)
    with atomic_path(path) as tmp:
        workbook.save(tmp)
    return len(rows)


def _new_workbook() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = FROZEN_CELL
    for index, name in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = _WIDTHS.get(name, 16)
    validation = DataValidation(
        type="list",
        formula1=f'"{",".join(DECISIONS)}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="decision",
        error="Choose same or different (or leave empty).",
    )
    sheet.add_data_validation(validation)
    validation.add("A2:A1048576")
    help_sheet = workbook.create_sheet("how_to")
    for line in _HOW_TO:
        help_sheet.append([line])
    return workbook


def _style_rows(sheet: object, *, start: int) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=max(start, 2)):  # type: ignore[attr-defined]
        for cell in row:
            cell.data_type = "s"
            cell.alignment = wrap
