"""Append rows to an xlsx sheet by editing its worksheet XML: the fast path for big sheets.

openpyxl loads and saves every cell of a workbook, about 8 s per 10,000 rows; an append needs
only new ``<row>`` elements, the tool-owned cells it refreshes (status, priority) and wider
ranges. Everything else in the file (what people typed, their colours, comments, extra sheets)
is copied byte for byte. Whatever
this module does not recognise raises ``NotPatchable`` and the caller falls back to openpyxl;
the patched file is read back and compared with what it must hold before it is used.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from lxml import etree

from scoping.cells import escape_cell, unescape_cell

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False)
_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


class NotPatchable(Exception):
    """The file is not in a shape this module edits safely; use openpyxl."""


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


def _split_ref(ref: str | None) -> tuple[str, int]:
    match = _REF.match(ref or "")
    if not match:
        raise NotPatchable(f"cell reference {ref!r}")
    return match.group(1), int(match.group(2))


def _sheet_part(book: zipfile.ZipFile, sheet_name: str) -> tuple[str, int]:
    """Zip path of the worksheet named ``sheet_name`` and its position among the sheets."""
    workbook = etree.fromstring(book.read("xl/workbook.xml"), _PARSER)
    rels = etree.fromstring(book.read("xl/_rels/workbook.xml.rels"), _PARSER)
    sheets = list(workbook.iter(_q("sheet")))
    found = [(i, s.get(_REL_ID)) for i, s in enumerate(sheets) if s.get("name") == sheet_name]
    if not found:
        raise NotPatchable(f"no sheet named {sheet_name!r}")
    position, rel_id = found[0]
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return posixpath.normpath(part), position
    raise NotPatchable("sheet relationship not found")


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = etree.fromstring(book.read("xl/sharedStrings.xml"), _PARSER)
    out = []
    for item in root.iterchildren(_q("si")):
        # Plain text, or rich-text runs; phonetic hints (rPh) are not part of the value.
        parts = [item.find(_q("t"))] + [r.find(_q("t")) for r in item.iterchildren(_q("r"))]
        out.append("".join(t.text or "" for t in parts if t is not None))
    return out


def _cell_text(cell: etree._Element | None, strings: Sequence[str]) -> str:
    if cell is None:
        return ""
    kind = cell.get("t")
    if kind == "inlineStr":
        box = cell.find(_q("is"))
        return "" if box is None else "".join(t.text or "" for t in box.iter(_q("t")))
    value = cell.find(_q("v"))
    text = value.text if value is not None and value.text else ""
    if kind == "s" and text:
        return strings[int(text)]
    return text


def _cell_at(row: etree._Element, ref: str) -> etree._Element | None:
    for cell in row.iterchildren(_q("c")):
        if cell.get("r") == ref:
            return cell
    return None


def _cells_by_column(row: etree._Element) -> dict[str, etree._Element]:
    cells = {}
    for cell in row.iterchildren(_q("c")):
        letters, _ = _split_ref(cell.get("r"))
        cells[letters] = cell
    return cells


def _put_text(cell: etree._Element, text: str) -> None:
    """Make ``cell`` hold ``text`` as an inline string (or nothing), keeping its style."""
    for child in list(cell):
        cell.remove(child)
    if not text:
        cell.attrib.pop("t", None)
        return
    cell.set("t", "inlineStr")
    box = etree.SubElement(cell, _q("is"))
    node = etree.SubElement(box, _q("t"))
    node.set(_XML_SPACE, "preserve")
    node.text = text


def _new_cell(ref: str, style: str | None, text: str, formula: str) -> etree._Element:
    cell = etree.Element(_q("c"), r=ref)
    if style is not None:
        cell.set("s", style)
    if formula:
        # A formula with its result cached as text, as xlsxwriter writes them.
        cell.set("t", "str")
        etree.SubElement(cell, _q("f")).text = formula.lstrip("=")
        etree.SubElement(cell, _q("v")).text = text
    elif text:
        _put_text(cell, text)
    return cell


def _set_cell(row: etree._Element, letters: str, number: int, text: str, style: str | None) -> None:
    cells = _cells_by_column(row)
    cell = cells.get(letters)
    if cell is None:
        cell = _new_cell(f"{letters}{number}", style, "", "")
        later = [c for col, c in cells.items() if _column_index(col) > _column_index(letters)]
        if later:
            later[0].addprevious(cell)
        else:
            row.append(cell)
    _put_text(cell, text)


def patch_sheet(
    path: Path,
    tmp: Path,
    *,
    sheet_name: str,
    rows: Sequence[Mapping[str, str]],
    marks: Mapping[str, Mapping[str, str]],
    plan: Callable[[list[str], Mapping[str, str]], list[tuple[str, str, str]]],
    dropdowns: Mapping[str, str],
    frozen_cell: str,
    last_row: int,
) -> None:
    """Write ``path`` with ``rows`` appended and ``marks`` ({record_id: {column: text}}) set
    into ``tmp``.

    ``plan(header, row)`` gives each column's (kind, text, formula); ``dropdowns`` maps column
    names to the defined name their list validation uses, widened to row ``last_row``.
    """
    with zipfile.ZipFile(path) as book:
        part, position = _sheet_part(book, sheet_name)
        strings = _shared_strings(book)
        root = etree.fromstring(book.read(part), _PARSER)
        size = _patch_root(root, strings, rows, marks, plan, dropdowns, frozen_cell, last_row)
        payload = _serialise(root)
        workbook = _widen_filter_name(book.read("xl/workbook.xml"), position, size)
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for info in book.infolist():
                if info.filename == part:
                    data = payload
                elif info.filename == "xl/workbook.xml":
                    data = workbook
                else:
                    data = book.read(info)
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def _patch_root(
    root: etree._Element,
    strings: Sequence[str],
    rows: Sequence[Mapping[str, str]],
    marks: Mapping[str, Mapping[str, str]],
    plan: Callable[[list[str], Mapping[str, str]], list[tuple[str, str, str]]],
    dropdowns: Mapping[str, str],
    frozen_cell: str,
    last_row: int,
) -> tuple[int, int]:
    """Edit the worksheet XML; returns (columns, last row) for the filter's defined name."""
    data = root.find(_q("sheetData"))
    if data is None:
        raise NotPatchable("no sheetData")
    by_number: dict[int, etree._Element] = {}
    for row in data.iterchildren(_q("row")):
        if row.get("r") is None:
            raise NotPatchable("a row without a number")
        by_number[int(row.get("r"))] = row
    if 1 not in by_number:
        raise NotPatchable("no header row")
    named = {
        _column_index(col): unescape_cell(_cell_text(cell, strings)).strip()
        for col, cell in _cells_by_column(by_number[1]).items()
    }
    header = [named.get(i, "") for i in range(1, max(named, default=0) + 1)]
    if "record_id" not in header or "status" not in header:
        raise NotPatchable("record_id or status column missing")
    id_col = column_letters(header.index("record_id") + 1)
    marked_cols = {c for mark in marks.values() for c in mark}
    if marked_cols - set(header):
        raise NotPatchable(f"no column {sorted(marked_cols - set(header))[0]}")

    letters = [column_letters(i) for i in range(1, len(header) + 1)]
    last, stray = 1, 0
    records: list[int] = []
    to_mark: list[tuple[int, Mapping[str, str]]] = []
    for number in sorted(by_number):
        if number == 1:
            continue
        row = by_number[number]
        rid = unescape_cell(_cell_text(_cell_at(row, f"{id_col}{number}"), strings)).strip()
        if not rid:
            if any(
                _cell_text(c, strings).strip() or c.find(_q("f")) is not None
                for c in row.iterchildren(_q("c"))
            ):
                stray = number  # text or a formula in a row without a record: see below
            continue
        last = number
        records.append(number)
        if rid in marks:
            to_mark.append((number, marks[rid]))
    if last == 1:
        raise NotPatchable("no records yet")

    # The look of new cells: the most common style of cells of the same kind (text, link,
    # input...) in the same column among the last rows, else in any column; a row a reviewer
    # coloured does not set it.
    styles: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_kind: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for number in records[-_STYLE_SAMPLE:]:
        cells = _cells_by_column(by_number[number])
        values = {
            h: unescape_cell(_cell_text(cells.get(c), strings))
            for h, c in zip(header, letters, strict=True)
        }
        for col, (kind, _text, _formula) in zip(letters, plan(header, values), strict=True):
            cell = cells.get(col)
            if cell is not None:
                # A link formula is a link whatever its cached text (openpyxl drops it).
                kind = "link" if cell.find(_q("f")) is not None else kind
                styles[(col, kind)][cell.get("s") or ""] += 1
                by_kind[kind][cell.get("s") or ""] += 1
    mark_style: dict[str, str | None] = {}
    for name in marked_cols:
        col = column_letters(header.index(name) + 1)
        seen = sum((n for (c, _), n in styles.items() if c == col), Counter())
        mark_style[name] = (seen.most_common(1)[0][0] if seen else "") or None
    for number, mark in to_mark:
        for name, text in mark.items():
            col = column_letters(header.index(name) + 1)
            _set_cell(by_number[number], col, number, escape_cell(text), mark_style[name])
    if stray > last:
        raise NotPatchable("text below the last record")
    for number in [n for n in by_number if n > last]:
        data.remove(by_number[number])  # empty formatted rows after the records

    look: dict[tuple[str, str], str | None] = {}

    def style_of(col: str, kind: str) -> str | None:
        if (col, kind) not in look:
            common = styles.get((col, kind)) or by_kind.get(kind)
            look[(col, kind)] = (common.most_common(1)[0][0] if common else "") or None
        return look[(col, kind)]

    template = {k: v for k, v in by_number[last].attrib.items() if k not in _ROW_ONLY}
    anchor = by_number[last]
    for offset, values in enumerate(rows, start=1):
        number = last + offset
        row = etree.Element(_q("row"), r=str(number), **template)
        for col, (kind, text, formula) in zip(letters, plan(header, values), strict=True):
            row.append(_new_cell(f"{col}{number}", style_of(col, kind), text, formula))
        anchor.addnext(row)
        anchor = row
    end = last + len(rows)
    width = column_letters(len(header))

    dimension = root.find(_q("dimension"))
    if dimension is not None:
        start, _, stop = (dimension.get("ref") or "A1").partition(":")
        stop_col, stop_row = _split_ref(stop or start)
        if _column_index(stop_col) < len(header):
            stop_col = width
        dimension.set("ref", f"{start}:{stop_col}{max(stop_row, end)}")
    auto_filter = root.find(_q("autoFilter"))
    if auto_filter is not None and auto_filter.get("ref"):
        first = auto_filter.get("ref").partition(":")[0]
        auto_filter.set("ref", f"{first}:{width}{end}")
    _widen_dropdowns(root, header, dropdowns, last_row)
    _freeze(root, frozen_cell)
    return len(header), end


#: Rows whose cells teach new cells their look: the last ones (enough for a clear majority).
_STYLE_SAMPLE = 500
#: Row attributes that belong to one row, not to the look new rows copy.
_ROW_ONLY = {"r", "hidden", "collapsed", "outlineLevel", "thickTop", "thickBot"}


def _widen_dropdowns(
    root: etree._Element, header: list[str], dropdowns: Mapping[str, str], last_row: int
) -> None:
    """Each dropdown's list validation covers its whole column again (LibreOffice shortens it)."""
    if not dropdowns:
        return
    box = root.find(_q("dataValidations"))
    validations = [] if box is None else list(box.iterchildren(_q("dataValidation")))
    for name, source in dropdowns.items():
        if name not in header:
            continue
        col = column_letters(header.index(name) + 1)
        ours = []
        for validation in validations:
            formula = validation.find(_q("formula1"))
            ranges = (validation.get("sqref") or "").split()
            in_column = ranges and all(
                {_split_ref(end)[0] for end in r.split(":")} == {col} for r in ranges
            )
            if formula is not None and (formula.text or "").lstrip("=") == source and in_column:
                ours.append(validation)
        if not ours:
            raise NotPatchable(f"no dropdown on column {name!r}")
        ours[0].set("sqref", f"{col}2:{col}{last_row}")


def _freeze(root: etree._Element, frozen_cell: str) -> None:
    """Put back a frozen header a LibreOffice save dropped; never move one a person set."""
    view = root.find(f"{_q('sheetViews')}/{_q('sheetView')}")
    if view is None:
        raise NotPatchable("no sheetView")
    if view.find(_q("pane")) is not None:
        return
    col, row = _split_ref(frozen_cell)
    pane = etree.Element(
        _q("pane"),
        xSplit=str(_column_index(col) - 1),
        ySplit=str(row - 1),
        topLeftCell=frozen_cell,
        activePane="bottomRight",
        state="frozen",
    )
    view.insert(0, pane)


def _widen_filter_name(workbook_xml: bytes, position: int, size: tuple[int, int]) -> bytes:
    """The filter's hidden defined name (``_xlnm._FilterDatabase``) follows the new last row."""
    root = etree.fromstring(workbook_xml, _PARSER)
    changed = False
    columns, end = size
    for name in root.iter(_q("definedName")):
        if name.get("name") != "_xlnm._FilterDatabase" or name.get("localSheetId") != str(position):
            continue
        text = name.text or ""
        match = re.match(r"^(.*!\$?[A-Z]+\$?\d+:\$?)([A-Z]+)(\$?)(\d+)$", text)
        if not match:
            raise NotPatchable(f"filter range {text!r}")
        name.text = f"{match.group(1)}{column_letters(columns)}{match.group(3)}{end}"
        changed = True
    return _serialise(root) if changed else workbook_xml


def _serialise(root: etree._Element) -> bytes:
    # The declaration as Excel and xlsxwriter write it (lxml's uses single quotes).
    body = etree.tostring(root, xml_declaration=False, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + body
