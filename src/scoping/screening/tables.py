"""Human-owned sheet files (xlsx or CSV): create, append rows, mark rows, read back.

A sheet is a table with a header row and a ``record_id`` column. The workflow creates it once,
later only appends rows and rewrites its own ``status`` cells, and never touches a typed value.
Every change writes a timestamped backup first; an unchanged rerun leaves the file alone.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scoping.atomic import atomic_path
from scoping.errors import ScopingError
from scoping.screening.cells import escape_cell, unescape_cell

#: Name of the data sheet in every workbook (found by its header if a person renamed it).
DATA_SHEET = "screening"
LISTS_SHEET = "lists"
INSTRUCTIONS_SHEET = "instructions"
_LAST_ROW = 1_048_576  # dropdowns cover the whole column, so appended rows get them too


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

    @property
    def changed(self) -> bool:
        return self.created or self.added > 0 or self.marked > 0


def sheet_error(
    path: Path, message: str, *, row: int | None = None, column: str | None = None, fix: str
) -> ScopingError:
    return ScopingError(message, file=path, row=row, column=column, fix=fix)


# ----------------------------------------------------------------------------- reading


def read_table(path: str | Path, *, required: Sequence[str] = ("record_id",)) -> Table:
    """Read a sheet (xlsx from Excel or LibreOffice, or CSV in any encoding Excel writes)."""
    path = Path(path)
    if not path.is_file():
        raise sheet_error(path, "sheet not found", fix="run 'scoping sheets' to create it.")
    header, raw_rows = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else _read_csv(path)
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


def _read_xlsx(path: Path) -> tuple[list[object], list[tuple[int, list[object]]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # zip or XML damage: say which file, not a traceback
        raise sheet_error(
            path,
            f"cannot be read as xlsx ({type(error).__name__})",
            fix="open it in Excel or LibreOffice and save it as .xlsx, or restore it from .backup/.",
        ) from None
    try:
        sheet = _data_sheet(book, path)
        rows = sheet.iter_rows(values_only=True)
        header = list(next(rows, ()) or ())
        body = [(i, list(r)) for i, r in enumerate(rows, start=2)]
    finally:
        book.close()
    return header, body


def _data_sheet(book, path: Path):  # noqa: ANN001, ANN202 - openpyxl types
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


def backup_path(path: Path, *, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return path.parent / ".backup" / f"{path.stem}.{stamp}{path.suffix}"


def _share(tmp: Path, original: Path | None) -> None:
    """Give the new file the old one's permissions, or the umask's (temp files are 0600)."""
    if original is not None:
        os.chmod(tmp, original.stat().st_mode & 0o7777)
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def _backup(path: Path) -> Path:
    target = backup_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target


def update_table(
    path: str | Path,
    *,
    spec: SheetSpec,
    new_rows: Iterable[Mapping[str, str]],
    status: Callable[[str, str], str] | None = None,
) -> Change:
    """Create the sheet, or append ``new_rows`` and set ``status`` cells, backing up first.

    ``status(record_id, current_status)`` gives the status a listed row should have; rows whose
    status is already right are not touched, and the file is rewritten only if something changed.
    """
    path = Path(path)
    rows = list(new_rows)
    if not path.exists():
        writer = _create_xlsx if path.suffix.lower() == ".xlsx" else _create_csv
        with atomic_path(path) as tmp:
            writer(tmp, spec, rows)
            _share(tmp, None)
        return Change(path=path, rows=len(rows), added=len(rows), created=True)
    table = read_table(path, required=spec.required)
    marks = _plan(table, status)
    if not rows and not marks:
        return Change(path=path, rows=len(table.rows))
    rewrite = _rewrite_xlsx if path.suffix.lower() == ".xlsx" else _rewrite_csv
    backup = _backup(path)
    with atomic_path(path) as tmp:
        rewrite(path, tmp, spec, rows, marks)
        _share(tmp, path)
    return Change(
        path=path,
        rows=len(table.rows) + len(rows),
        added=len(rows),
        marked=len(marks),
        backup=backup,
    )


def _plan(table: Table, status: Callable[[str, str], str] | None) -> dict[str, str]:
    """Status cells to rewrite: {record_id: new status}."""
    if status is None:
        return {}
    marks: dict[str, str] = {}
    for _, row in table.rows:
        rid = row.get("record_id", "").strip()
        current = row.get("status", "")
        wanted = status(rid, current)
        if rid and wanted != current:
            marks[rid] = wanted
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
    marks: dict[str, str],
) -> None:
    text = _decode(path)
    delimiter = _dialect(text)
    raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [unescape_cell(h).strip() for h in raw[0]]
    id_col, status_col = header.index("record_id"), header.index("status")
    for cells in raw[1:]:
        if len(cells) > id_col and unescape_cell(cells[id_col]).strip() in marks:
            cells += [""] * (len(header) - len(cells))
            cells[status_col] = escape_cell(marks[unescape_cell(cells[id_col]).strip()])
    for row in rows:  # the reviewer's own column order and extra columns are kept
        raw.append([escape_cell(row.get(h, "")) for h in header])
    with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(raw)


# ---- xlsx


def _styles(book) -> dict[str, str]:  # noqa: ANN001 - openpyxl Workbook
    """Register the named styles the sheets use (once per workbook) and return their names."""
    from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection

    wanted = {
        "scoping_header": NamedStyle(
            name="scoping_header",
            font=Font(bold=True),
            fill=PatternFill("solid", fgColor="DDEBF7"),
            alignment=Alignment(vertical="top", wrap_text=True),
            number_format="@",
        ),
        "scoping_text": NamedStyle(
            name="scoping_text", alignment=Alignment(vertical="top"), number_format="@"
        ),
        "scoping_wrap": NamedStyle(
            name="scoping_wrap",
            alignment=Alignment(vertical="top", wrap_text=True),
            number_format="@",
        ),
        "scoping_link": NamedStyle(
            name="scoping_link",
            font=Font(color="0563C1", underline="single"),
            alignment=Alignment(vertical="top"),
            number_format="@",
        ),
        "scoping_input": NamedStyle(
            name="scoping_input",
            fill=PatternFill("solid", fgColor="FFF2CC"),
            alignment=Alignment(vertical="top", wrap_text=True),
            protection=Protection(locked=False),
            number_format="@",
        ),
    }
    present = set(book.named_styles)
    for name, style in wanted.items():
        if name not in present:
            book.add_named_style(style)
    return {
        "id": "scoping_text",
        "text": "scoping_text",
        "wrap": "scoping_wrap",
        "link": "scoping_link",
        "input": "scoping_input",
    }


def _write_rows(
    sheet,
    spec: SheetSpec,
    header: list[str],
    rows: list[Mapping[str, str]],
    first_row: int,
    styles: dict[str, str],
) -> None:  # noqa: ANN001
    by_name = {c.name: c for c in spec.columns}
    for offset, row in enumerate(rows):
        r = first_row + offset
        for index, name in enumerate(header, start=1):
            column = by_name.get(name)
            value = escape_cell(row.get(name, ""))
            cell = sheet.cell(row=r, column=index)
            if value:
                cell.value = value
                cell.data_type = "s"  # never a formula, whatever the text starts with
            kind = column.kind if column else "input"  # a reviewer's own column stays editable
            cell.style = styles[kind]
            if column and column.link and value:
                url = column.link(row.get(name, ""))
                if url:
                    cell.hyperlink = url
                else:
                    cell.style = styles["text"]
        sheet.row_dimensions[r].height = 60


def _create_xlsx(tmp: Path, spec: SheetSpec, rows: list[Mapping[str, str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName

    book = Workbook()
    styles = _styles(book)
    info = book.active
    info.title = INSTRUCTIONS_SHEET
    info.column_dimensions["A"].width = 110
    for i, line in enumerate(spec.instructions, start=1):
        cell = info.cell(row=i, column=1, value=escape_cell(line))
        cell.data_type = "s"
        cell.style = styles["wrap"]
    info.protection.sheet = True

    sheet = book.create_sheet(DATA_SHEET)
    names = spec.names
    for index, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.name)
        cell.style = "scoping_header"
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    _write_rows(sheet, spec, names, rows, 2, styles)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{max(len(rows) + 1, 2)}"
    # Protect IDs and metadata from slips, but let people sort, filter and resize (no password).
    protection = sheet.protection
    protection.sheet = True
    protection.sort = False
    protection.autoFilter = False
    protection.formatColumns = False
    protection.formatRows = False

    lists = book.create_sheet(LISTS_SHEET)
    for index, (key, values) in enumerate(spec.lists.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=key)
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=index, value=escape_cell(value)).data_type = "s"
        # A named range, not an inline list: Excel drops inline lists over 255 characters.
        ref = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        book.defined_names[f"{key}_list"] = DefinedName(f"{key}_list", attr_text=ref)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    _add_dropdowns(sheet, spec, names)
    book.active = book.sheetnames.index(DATA_SHEET)
    book.save(tmp)


def _add_dropdowns(sheet, spec: SheetSpec, header: list[str]) -> None:  # noqa: ANN001
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    present = {str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    for column in spec.columns:
        if not column.dropdown or column.name not in header:
            continue
        letter = get_column_letter(header.index(column.name) + 1)
        sqref = f"{letter}2:{letter}{_LAST_ROW}"
        if sqref in present:
            continue
        dv = DataValidation(
            type="list",
            formula1=f"{column.dropdown}_list",
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
    marks: dict[str, str],
) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    book = load_workbook(path)
    styles = _styles(book)
    sheet = _data_sheet(book, path)
    header = [unescape_cell(c.value).strip() for c in sheet[1]]
    id_col, status_col = header.index("record_id") + 1, header.index("status") + 1
    last = 1
    for r in range(2, sheet.max_row + 1):
        rid = unescape_cell(sheet.cell(row=r, column=id_col).value).strip()
        if rid:
            last = r
            if rid in marks:
                cell = sheet.cell(row=r, column=status_col)
                cell.value = escape_cell(marks[rid]) or None
                cell.data_type = "s"
    _write_rows(sheet, spec, header, rows, last + 1, styles)
    if sheet.auto_filter.ref:  # widen the reviewer's filter to the new rows, keep its criteria
        first, _, _ = sheet.auto_filter.ref.partition(":")
        sheet.auto_filter.ref = f"{first}:{get_column_letter(len(header))}{last + len(rows)}"
    _add_dropdowns(sheet, spec, header)  # a save by another program may have dropped them
    book.save(tmp)
