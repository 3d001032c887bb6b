"""Human-owned sheet files (xlsx or CSV): create, append rows, mark rows, read back.

A sheet is a table with a header row and a ``record_id`` column. The workflow creates it once,
later only appends rows and rewrites its own ``status`` cells, and never touches a typed value.
Every change writes a timestamped backup first; an unchanged rerun leaves the file alone.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scoping.atomic import atomic_path, write_text_atomic
from scoping.cells import escape_cell, unescape_cell
from scoping.errors import ScopingError

log = logging.getLogger(__name__)

#: Name of the data sheet in every workbook (found by its header if a person renamed it).
DATA_SHEET = "screening"
LISTS_SHEET = "lists"
INSTRUCTIONS_SHEET = "instructions"
_LAST_ROW = 1_048_576  # dropdowns cover the whole column, so appended rows get them too
#: The header row and the record_id column stay in view while scrolling.
FROZEN_CELL = "B2"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: ``kind`` is id, text, wrap, link or input."""

    name: str
    width: float
    kind: str = "text"
    #: For ``link`` columns: the URL a cell value points to ("" for no link).
    link: Callable[[str], str] | None = None
    #: For ``input`` columns with a dropdown: the key of the list in ``SheetSpec.lists``.
    dropdown: str = ""


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """What a sheet looks like: columns, dropdown lists, instructions, required columns."""

    columns: tuple[Column, ...]
    lists: Mapping[str, Sequence[str]]
    instructions: Sequence[str]
    required: tuple[str, ...] = ("record_id", "status")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(slots=True)
class Table:
    """A sheet read back: its header and its non-empty rows with their spreadsheet row numbers."""

    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass(slots=True)
class Change:
    """What a sheet update did."""

    path: Path
    rows: int
    added: int = 0
    marked: int = 0
    created: bool = False
    backup: Path | None = None


def sheet_error(
    path: Path, message: str, *, row: int | None = None, column: str | None = None, fix: str
) -> ScopingError:
    return ScopingError(message, file=path, row=row, column=column, fix=fix)


# ----------------------------------------------------------------------------- reading


def read_table(
    path: str | Path, *, required: Sequence[str] = ("record_id",), xlsx: bool | None = None
) -> Table:
    """Read a sheet (xlsx from Excel or LibreOffice, or CSV in any encoding Excel writes).

    ``xlsx``: the format, where the file name does not say it (a temporary file).
    """
    path = Path(path)
    if not path.is_file():
        raise sheet_error(path, "sheet not found", fix="run 'scoping sheets' to create it.")
    if xlsx is None:
        xlsx = path.suffix.lower() == ".xlsx"
    header, raw_rows = _read_xlsx(path) if xlsx else _read_csv(path)
    header = [unescape_cell(h).strip() for h in header]
    for name in required:
        if name not in header:
            raise sheet_error(
                path,
                f"the header has no column '{name}' (was it renamed or deleted?)",
                row=1,
                column=name,
                fix=f"name the column '{name}' again, or restore the file from .backup/.",
            )
    table = Table(path=path, header=header)
    width = len(header)
    for number, values in raw_rows:
        texts = [unescape_cell(v) for v in values[:width]]
        if not any(t.strip() for t in texts):
            continue
        texts += [""] * (width - len(texts))
        table.rows.append((number, {h: t for h, t in zip(header, texts, strict=True) if h}))
    return table


def ledger_path(path: Path) -> Path:
    """The list of every record ID a sheet has held, kept beside it to notice deleted rows."""
    return path.parent / ".listed" / f"{path.name}.txt"


def _ledger(path: Path) -> list[str]:
    ledger = ledger_path(path)
    return ledger.read_text(encoding="utf-8").split() if ledger.is_file() else []


def stray_row_error(table: Table, number: int) -> ScopingError:
    """A row with values but no record_id: typed below the records, or an ID cleared."""
    return sheet_error(
        table.path,
        "a row has values but no record_id",
        row=number,
        column="record_id",
        fix="undo the edit (the newest copy is in .backup/) or delete the stray values; new "
        "records are added below the last row by the workflow.",
    )


def check_ledger(table: Table) -> None:
    """Fail if a row the sheet once held is gone (someone deleted it)."""
    present = {row.get("record_id", "").strip() for _, row in table.rows}
    gone = [rid for rid in _ledger(table.path) if rid not in present]
    if gone:
        more = f" (and {len(gone) - 1} more)" if len(gone) > 1 else ""
        raise sheet_error(
            table.path,
            f"the row of record '{gone[0]}'{more} is gone (was it deleted?)",
            column="record_id",
            fix="restore it from the newest copy in .backup/; to drop it for good and list it "
            f"again as a new row, delete its line from {ledger_path(table.path)}.",
        )


def _update_ledger(path: Path, ids: Iterable[str]) -> None:
    old = _ledger(path)
    known = set(old)
    new = [rid for rid in dict.fromkeys(ids) if rid and rid not in known]
    if new or not ledger_path(path).is_file():
        write_text_atomic(ledger_path(path), "".join(f"{rid}\n" for rid in [*old, *new]))


def _read_xlsx(path: Path) -> tuple[list[object], list[tuple[int, list[object]]]]:
    # calamine reads values only and about ten times faster than openpyxl (DESIGN field notes).
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        order = [DATA_SHEET] if DATA_SHEET in names else names
        for name in order:  # a person may have renamed the tab: find it by its header
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            header = list(rows[0]) if rows else []
            if "record_id" in [unescape_cell(v).strip() for v in header]:
                return header, [(i, list(r)) for i, r in enumerate(rows[1:], start=2)]
    except Exception as error:  # zip or XML damage: say which file, not a traceback
        raise sheet_error(
            path,
            f"cannot be read as xlsx ({type(error).__name__})",
            fix="open it in Excel or LibreOffice and save it as .xlsx, or restore it from "
            ".backup/.",
        ) from None
    raise sheet_error(
        path,
        "no sheet has a 'record_id' column",
        fix=f"restore the '{DATA_SHEET}' sheet or the file from .backup/.",
    )


def _data_sheet(book, path: Path):
    if DATA_SHEET in book.sheetnames:
        return book[DATA_SHEET]
    for sheet in book.worksheets:  # a person renamed the tab: find it by its header
        first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        if "record_id" in [unescape_cell(v) for v in first]:
            return sheet
    raise sheet_error(
        path,
        "no sheet has a 'record_id' column",
        fix=f"restore the '{DATA_SHEET}' sheet or the file from .backup/.",
    )


def _decode(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):  # Excel's "CSV UTF-8", then its plain "CSV"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _dialect(text: str) -> str:
    first = text.split("\n", 1)[0]
    # Excel in many locales saves CSV with ';' (comma is the decimal mark there).
    return max((",", ";", "\t"), key=first.count)


def _read_csv(path: Path) -> tuple[list[object], list[tuple[int, list[object]]]]:
    text = _decode(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))
    header: list[object] = list(next(reader, []))
    return header, [(i, list(r)) for i, r in enumerate(reader, start=2)]


# ----------------------------------------------------------------------------- writing


def backup_path(path: Path) -> Path:
    """``.backup/<stem>.<UTC timestamp to the microsecond><suffix>`` beside the sheet."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return path.parent / ".backup" / f"{path.stem}.{stamp}{path.suffix}"


def _share(tmp: Path, original: Path | None) -> None:
    """Give the new file the old one's permissions, or the umask's (temp files are 0600)."""
    if original is not None:
        os.chmod(tmp, original.stat().st_mode & 0o7777)
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def refuse_if_open(path: Path) -> None:
    """Stop before changing a sheet someone has open: their next save would drop our rows."""
    for lock in (path.parent / f".~lock.{path.name}#", path.parent / f"~${path.name}"):
        if lock.exists():
            raise sheet_error(
                path,
                f"the sheet is open in LibreOffice or Excel (lock file {lock.name})",
                fix="save and close it, then run again (delete the lock file if nobody has it "
                "open).",
            )


def _backup(path: Path) -> Path:
    target = backup_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target


#: Tool-owned cells to rewrite in listed rows: {record_id: {column: new text}}.
Marks = dict[str, dict[str, str]]


def update_table(
    path: str | Path,
    *,
    spec: SheetSpec,
    new_rows: Iterable[Mapping[str, str]],
    status: Callable[[str, str], str] | None = None,
    cells: Callable[[Table], Mapping[str, Mapping[str, str]]] | None = None,
    same_as: Path | None = None,
) -> Change:
    """Create the sheet, or append ``new_rows`` and refresh tool-owned cells, backing up first.

    ``status(record_id, current_status)`` gives the status a listed row should have;
    ``cells(table)`` gives other tool-owned cells of listed rows ({record_id: {column: text}};
    columns the sheet does not have are skipped). Cells already right are not touched, and the
    file is rewritten only if something changed. A new sheet is copied from ``same_as`` when the
    caller knows it would be the same file.
    """
    path = Path(path)
    rows = list(new_rows)
    if not path.exists():
        writer = _create_xlsx if path.suffix.lower() == ".xlsx" else _create_csv
        with atomic_path(path) as tmp:
            if same_as is not None and same_as.suffix == path.suffix:
                shutil.copyfile(same_as, tmp)
            else:
                writer(tmp, spec, rows)
            _share(tmp, None)
        _update_ledger(path, (r.get("record_id", "") for r in rows))
        return Change(path=path, rows=len(rows), added=len(rows), created=True)
    table = read_table(path, required=spec.required)
    for number, row in table.rows:
        if not row.get("record_id", "").strip():
            # New rows would land on it, and its values would become a new record's.
            raise stray_row_error(table, number)
    check_ledger(table)
    marks = plan_marks(table, status, cells)
    _update_ledger(path, (r.get("record_id", "").strip() for _, r in table.rows))
    if not rows and not marks:
        return Change(path=path, rows=len(table.rows))
    refuse_if_open(path)
    backup = _backup(path)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".xlsx":
            _rewrite_xlsx(path, tmp, spec, rows, marks, before=table)
        else:
            _rewrite_csv(path, tmp, spec, rows, marks)
        _share(tmp, path)
    _update_ledger(path, (r.get("record_id", "") for r in rows))
    return Change(
        path=path,
        rows=len(table.rows) + len(rows),
        added=len(rows),
        marked=len(marks),
        backup=backup,
    )


def plan_marks(
    table: Table,
    status: Callable[[str, str], str] | None,
    cells: Callable[[Table], Mapping[str, Mapping[str, str]]] | None = None,
) -> Marks:
    """Tool-owned cells to rewrite: {record_id: {column: new text}}, only where they differ."""
    wanted_cells = cells(table) if cells is not None else {}
    present = set(table.header)
    marks: Marks = {}
    for _, row in table.rows:
        rid = row.get("record_id", "").strip()
        if not rid:
            continue
        wanted = {k: v for k, v in wanted_cells.get(rid, {}).items() if k in present}
        if status is not None:
            wanted["status"] = status(rid, row.get("status", ""))
        changed = {k: v for k, v in wanted.items() if v != row.get(k, "")}
        if changed:
            marks[rid] = changed
    return marks


# ---- CSV


def _create_csv(tmp: Path, spec: SheetSpec, rows: list[Mapping[str, str]]) -> None:
    names = spec.names
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([escape_cell(row.get(n, "")) for n in names])


def _rewrite_csv(
    path: Path,
    tmp: Path,
    spec: SheetSpec,
    rows: list[Mapping[str, str]],
    marks: Marks,
) -> None:
    text = _decode(path)
    delimiter = _dialect(text)
    raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [unescape_cell(h).strip() for h in raw[0]]
    id_col = header.index("record_id")
    for cells in raw[1:]:
        mark = marks.get(unescape_cell(cells[id_col]).strip()) if len(cells) > id_col else None
        if mark:
            cells += [""] * (len(header) - len(cells))
            for column, text in mark.items():
                cells[header.index(column)] = escape_cell(text)
    for row in rows:  # the reviewer's own column order and extra columns are kept
        raw.append([escape_cell(row.get(h, "")) for h in header])
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(raw)


# ---- xlsx
#
# New workbooks are written with xlsxwriter (fast); rows are appended with openpyxl (the only one
# of the two that edits a file). Both give the same look: the formats below, links as HYPERLINK
# formulas (cell hyperlinks make openpyxl's load quadratic in the number of links), row height
# as the sheet's default so appended rows match.

_FORMATS: dict[str, dict[str, object]] = {
    "header": {"bold": True, "fill": "DDEBF7", "wrap": True},
    "text": {},
    "wrap": {"wrap": True},
    "link": {"link": True},
    "input": {"fill": "FFF2CC", "wrap": True, "unlocked": True},
}
_ROW_HEIGHT = 60  # points: about four lines of a wrapped abstract


def hyperlink_formula(url: str, text: str) -> str:
    """``=HYPERLINK(url, text)``, or ``""`` where Excel cannot hold it (over 255 characters)."""
    if not url or len(url) > 255 or len(text) > 255:
        return ""
    return (
        f'=HYPERLINK("{url.replace(chr(34), chr(34) * 2)}","{text.replace(chr(34), chr(34) * 2)}")'
    )


def _cell_plan(
    spec: SheetSpec, header: list[str], row: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """For each header column: (kind, escaped text, link formula or "")."""
    by_name = {c.name: c for c in spec.columns}
    plan = []
    for name in header:
        column = by_name.get(name)
        kind = column.kind if column else "input"  # a reviewer's own column stays editable
        raw = row.get(name, "")
        value = escape_cell(raw)
        formula = hyperlink_formula(column.link(raw), raw) if column and column.link and raw else ""
        plan.append(
            ("link" if formula else ("text" if kind in ("id", "link") else kind), value, formula)
        )
    return plan


def _openpyxl_styles(book) -> dict[str, str]:
    """Register the named styles of ``_FORMATS`` in a workbook (once) and return their names."""
    from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection

    present = set(book.named_styles)
    names = {}
    for kind, f in _FORMATS.items():
        name = f"scoping_{kind}"
        names[kind] = name
        if name in present:
            continue
        style = NamedStyle(
            name=name,
            font=Font(
                bold=bool(f.get("bold")),
                color="0563C1" if f.get("link") else None,
                underline="single" if f.get("link") else None,
            ),
            alignment=Alignment(vertical="top", wrap_text=bool(f.get("wrap"))),
            protection=Protection(locked=not f.get("unlocked")),
            number_format="@",
        )
        if f.get("fill"):
            style.fill = PatternFill("solid", fgColor=str(f["fill"]))
        book.add_named_style(style)
    return names


def _write_rows(
    sheet,
    spec: SheetSpec,
    header: list[str],
    rows: list[Mapping[str, str]],
    first_row: int,
    styles: dict[str, str],
) -> None:
    """Append rows with openpyxl (used only to add rows to an existing workbook)."""
    for offset, row in enumerate(rows):
        r = first_row + offset
        for index, (kind, value, formula) in enumerate(_cell_plan(spec, header, row), start=1):
            cell = sheet.cell(row=r, column=index)
            if formula:
                cell.value = formula
            elif value:
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.style = styles[kind]


def _create_xlsx(tmp: Path, spec: SheetSpec, rows: list[Mapping[str, str]]) -> None:
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    # Without these options xlsxwriter turns '=...' into formulas and 'http...' into links.
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = xlsxwriter.Workbook(str(tmp), options)
    formats = {}
    for kind, f in _FORMATS.items():
        props: dict[str, object] = {
            "valign": "top",
            "num_format": "@",
            "bold": bool(f.get("bold")),
            "text_wrap": bool(f.get("wrap")),
            "locked": not f.get("unlocked"),
        }
        if f.get("fill"):
            props["bg_color"] = f"#{f['fill']}"
        if f.get("link"):
            props |= {"font_color": "#0563C1", "underline": 1}
        formats[kind] = book.add_format(props)

    info = book.add_worksheet(INSTRUCTIONS_SHEET)
    info.set_column(0, 0, 110)
    for i, line in enumerate(spec.instructions):
        info.write_string(i, 0, escape_cell(line), formats["wrap"])
    info.protect()

    sheet = book.add_worksheet(DATA_SHEET)
    # xlsxwriter runs some 30 regular expressions over every formula to expand Excel's newer
    # function names; our only formulas are HYPERLINK, and that pass took half the write time
    # (and could rewrite text inside a URL). Strip the '=' and nothing else.
    sheet._prepare_formula = lambda formula, expand_future_functions=False: formula.lstrip("=")
    names = spec.names
    sheet.set_default_row(_ROW_HEIGHT)
    sheet.set_row(0, 30)
    for index, column in enumerate(spec.columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.name, formats["header"])
    for r, row in enumerate(rows, start=1):
        for c, (kind, value, formula) in enumerate(_cell_plan(spec, names, row)):
            if formula:  # the cached value lets readers see the ID without recalculating
                sheet.write_formula(r, c, formula, formats[kind], row.get(names[c], ""))
            elif value:
                sheet.write_string(r, c, value, formats[kind])
            else:
                sheet.write_blank(r, c, None, formats[kind])
    sheet.freeze_panes(FROZEN_CELL)
    sheet.autofilter(0, 0, max(len(rows), 1), len(names) - 1)
    # Protect IDs and metadata from slips, but let people sort, filter and resize (no password).
    sheet.protect(
        "", {"sort": True, "autofilter": True, "format_columns": True, "format_rows": True}
    )

    lists = book.add_worksheet(LISTS_SHEET)
    for index, (key, values) in enumerate(spec.lists.items()):
        letter = xl_col_to_name(index)
        lists.write_string(0, index, key)
        for r, value in enumerate(values, start=1):
            lists.write_string(r, index, escape_cell(value))
        # A named range, not an inline list: Excel drops inline lists over 255 characters.
        book.define_name(f"{key}_list", f"={LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}")
    lists.hide()
    lists.protect()
    for column in spec.columns:
        if column.dropdown:
            index = names.index(column.name)
            sheet.data_validation(
                1,
                index,
                _LAST_ROW - 1,
                index,
                {
                    "validate": "list",
                    "source": f"={column.dropdown}_list",
                    "error_title": f"Unknown {column.name}",
                    "error_message": f"Pick a {column.name} from the list "
                    "(see the instructions sheet).",
                },
            )
    sheet.activate()
    book.close()


def _add_dropdowns(sheet, spec: SheetSpec, header: list[str]) -> None:
    """Make each dropdown cover its whole column (a save by another program may shrink or drop
    it: LibreOffice keeps 1,000 rows past the data); never add a second, overlapping one."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import MultiCellRange
    from openpyxl.worksheet.datavalidation import DataValidation

    for column in spec.columns:
        if not column.dropdown or column.name not in header:
            continue
        letter = get_column_letter(header.index(column.name) + 1)
        sqref = f"{letter}2:{letter}{_LAST_ROW}"
        source = f"{column.dropdown}_list"
        ours = [
            dv
            for dv in sheet.data_validations.dataValidation
            if (dv.formula1 or "").lstrip("=") == source
            and any(r.min_col == r.max_col == header.index(column.name) + 1 for r in dv.sqref)
        ]
        if ours:
            ours[0].sqref = MultiCellRange(sqref)
            continue
        dv = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"Unknown {column.name}",
            error=f"Pick a {column.name} from the list (see the instructions sheet).",
        )
        dv.add(sqref)
        sheet.add_data_validation(dv)


def _rewrite_xlsx(
    path: Path,
    tmp: Path,
    spec: SheetSpec,
    rows: list[Mapping[str, str]],
    marks: Marks,
    *,
    before: Table | None = None,
) -> None:
    """Append and mark by editing the sheet's XML; openpyxl where that is not safe.

    The edited file must read back as the old rows (with the new statuses) plus the new rows,
    or it is thrown away and openpyxl writes the file instead.
    """
    from scoping.screening.xlsx_patch import NotPatchable

    try:
        patch_xlsx(path, tmp, spec, rows, marks)
        _check_patched(before or read_table(path), tmp, rows, marks)
        return
    except NotPatchable as why:
        log.info("%s: appending with openpyxl (%s)", path.name, why)
    except Exception as error:
        log.warning(
            "%s: appending with openpyxl (XML edit failed: %s: %s)",
            path.name,
            type(error).__name__,
            error,
        )
    _rewrite_xlsx_openpyxl(path, tmp, spec, rows, marks)


def patch_xlsx(
    path: Path,
    tmp: Path,
    spec: SheetSpec,
    rows: list[Mapping[str, str]],
    marks: Marks,
) -> None:
    """``xlsx_patch.patch_sheet`` for a sheet of ``spec`` (raises ``NotPatchable``)."""
    from scoping.screening.xlsx_patch import patch_sheet

    patch_sheet(
        path,
        tmp,
        sheet_name=DATA_SHEET,
        rows=rows,
        marks=marks,
        plan=lambda header, row: _cell_plan(spec, header, row),
        dropdowns={c.name: f"{c.dropdown}_list" for c in spec.columns if c.dropdown},
        frozen_cell=FROZEN_CELL,
        last_row=_LAST_ROW,
    )


def _check_patched(before: Table, tmp: Path, rows: list[Mapping[str, str]], marks: Marks) -> None:
    from scoping.screening.xlsx_patch import NotPatchable

    after = read_table(tmp, xlsx=True)
    expected = []
    for _, row in before.rows:
        rid = row.get("record_id", "").strip()
        mark = {k: unescape_cell(escape_cell(v)) for k, v in marks.get(rid, {}).items()}
        expected.append(row | mark)
    for row in rows:
        values = {h: unescape_cell(escape_cell(row.get(h, ""))) for h in before.header if h}
        if any(v.strip() for v in values.values()):
            expected.append(values)
    got = [row for _, row in after.rows]
    if after.header != before.header or got != expected:
        raise NotPatchable("the edited file does not read back as expected")


def _rewrite_xlsx_openpyxl(
    path: Path,
    tmp: Path,
    spec: SheetSpec,
    rows: list[Mapping[str, str]],
    marks: Marks,
) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path)
    styles = _openpyxl_styles(book)
    sheet = _data_sheet(book, path)
    header = [unescape_cell(c.value).strip() for c in sheet[1]]
    id_col = header.index("record_id") + 1
    last = 1
    for r, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if any(v not in (None, "") for v in values):
            # Below anything in the sheet, a formula someone typed under the records included
            # (the values reader cannot see it, so it is not refused as a stray row).
            last = r
        rid = unescape_cell(values[id_col - 1] if len(values) >= id_col else None).strip()
        for column, text in marks.get(rid, {}).items():
            cell = sheet.cell(row=r, column=header.index(column) + 1)
            cell.value = escape_cell(text) or None
            cell.data_type = "s"
    _write_rows(sheet, spec, header, rows, last + 1, styles)
    if sheet.auto_filter.ref:  # widen the reviewer's filter to the new rows, keep its criteria
        first, _, _ = sheet.auto_filter.ref.partition(":")
        sheet.auto_filter.ref = f"{first}:{get_column_letter(len(header))}{last + len(rows)}"
    _add_dropdowns(sheet, spec, header)  # a save by another program may have dropped them
    if not sheet.freeze_panes:
        # A headless LibreOffice save drops the frozen header row and ID column: put them back.
        sheet.freeze_panes = FROZEN_CELL
    book.save(tmp)
