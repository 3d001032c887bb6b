"""The PRISMA 2020 flow diagram as SVG, drawn with the standard library (no system packages).

Layout of the PRISMA 2020 template: blue phase bars (Identification, Screening, Included) on the
left; identification via databases and registers in the left pair of columns (main boxes and
the boxes of records removed beside them); identification via other methods in the right pair
when the review used any; a grey "Previous studies" column for an updated review. Text is wrapped
by an estimate of DejaVu Sans glyph widths, so boxes grow to fit their text instead of
overflowing.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from scoping.prisma.boxes import reasons_by_size
from scoping.prisma.flow import Arm, PrismaFlow
from scoping.prisma.tables import other_arm_used

SVG_NS = "http://www.w3.org/2000/svg"

#: Glyph advance widths in em, close to DejaVu Sans (the widest common sans face), so the
#: estimate errs towards wrapping early rather than overflowing a box.
_NARROW = dict.fromkeys("ijl.,:;'!|", 0.32) | dict.fromkeys("()[]{}/", 0.40)
_WIDTHS = _NARROW | dict.fromkeys("ftrI -", 0.42) | dict.fromkeys("0123456789", 0.64)
_WIDTHS |= dict.fromkeys("mwMW", 0.98) | dict.fromkeys("=+<>", 0.84)

_WORDS = re.compile(r"\(n = [\d,]+\)|\S+")

COLOURS = {
    "phase": "#a9c4eb",
    "new": "#ffd966",
    "grey": "#d9d9d9",
    "box": "#ffffff",
    "stroke": "#000000",
    "pending": "#9a3412",
}


def text_width(text: str, *, font_size: float, bold: bool = False) -> float:
    """Estimated rendered width of ``text`` in px."""
    em = sum(_WIDTHS.get(ch, 0.72 if ch.isupper() else 0.61) for ch in text)
    return em * font_size * (1.08 if bold else 1.0)


def wrap(text: str, *, width: float, font_size: float, bold: bool = False) -> list[str]:
    """Split ``text`` into lines that fit ``width`` px (a word longer than a line is cut)."""
    lines: list[str] = []
    current = ""
    # "(n = 12)" stays on one line: a count split over two lines is easy to misread.
    for word in _WORDS.findall(text):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font_size=font_size, bold=bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, font_size=font_size, bold=bold) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], font_size=font_size, bold=bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


@dataclass
class Line:
    """One logical line of a box, before wrapping."""

    text: str
    kind: str = "body"  # body, heading, item, pending


@dataclass
class Panel:
    """A box of the diagram: its id, text and place in the grid."""

    box_id: str
    lines: list[Line]
    column: str
    row: int
    fill: str = COLOURS["box"]
    wrapped: list[tuple[str, Line]] = field(default_factory=list)


def _n(value: int) -> str:
    return f"(n = {value})"


def _pending(count: int, what: str) -> list[Line]:
    return [Line(f"pending: {count} {what}", "pending")] if count else []


def _identified_lines(flow: PrismaFlow, *, arm: str) -> list[Line]:
    settings = flow.settings
    by_type = flow.identified_by_type()
    groups = (
        (("database", "Databases"), ("register", "Registers"))
        if arm == "dbr"
        else (
            ("website", "Websites"),
            ("organisation", "Organisations"),
            ("citation", "Citation searching"),
            ("other", "Other sources"),
        )
    )
    lines = [Line("Records identified from:", "heading")]
    for source_type, label in groups:
        if source_type == "other" and not by_type["other"]:
            continue
        lines.append(Line(f"{label} {_n(by_type[source_type])}"))
        per = flow.identified_by_database(source_types=(source_type,))
        # A single source named like its group ("Citation searching") would repeat the line.
        if settings.diagram_per_source and list(per) != [label]:
            lines += [Line(f"{name} {_n(n)}", "item") for name, n in per.items()]
    return lines


def _removed_lines(arm: Arm) -> list[Line]:
    return [
        Line("Records removed before screening:", "heading"),
        Line(f"Duplicate records removed {_n(len(arm.duplicates))}", "item"),
        Line(
            f"Records marked as ineligible by automation tools {_n(len(arm.removed_automation))}",
            "item",
        ),
        Line(f"Records removed for other reasons {_n(len(arm.removed_other))}", "item"),
    ]


def _arm_panels(flow: PrismaFlow, *, arm_name: str, main: str, side: str) -> list[Panel]:
    arm = flow.arms[arm_name]
    reasons = reasons_by_size(arm)
    excluded = [Line(f"Reports excluded {_n(arm.n_reports_excluded)}", "heading")]
    excluded += [Line(f"{reason} {_n(len(ids))}", "item") for reason, ids in reasons]
    p = arm_name
    return [
        Panel(f"{p}-identified", _identified_lines(flow, arm=arm_name), main, 1),
        Panel(f"{p}-removed", _removed_lines(arm), side, 1),
        Panel(
            f"{p}-screened",
            [
                Line(f"Records screened {_n(len(arm.records_screened))}"),
                *_pending(len(arm.pending_title_abstract), "awaiting a title/abstract decision"),
            ],
            main,
            2,
        ),
        Panel(
            f"{p}-records-excluded",
            [Line(f"Records excluded {_n(len(arm.records_excluded))}")],
            side,
            2,
        ),
        Panel(
            f"{p}-sought",
            [Line(f"Reports sought for retrieval {_n(len(arm.reports_sought))}")],
            main,
            3,
        ),
        Panel(
            f"{p}-not-retrieved",
            [Line(f"Reports not retrieved {_n(len(arm.reports_not_retrieved))}")],
            side,
            3,
        ),
        Panel(
            f"{p}-assessed",
            [
                Line(f"Reports assessed for eligibility {_n(len(arm.reports_assessed))}"),
                *_pending(len(arm.pending_full_text), "awaiting a full-text decision"),
            ],
            main,
            4,
        ),
        Panel(f"{p}-reports-excluded", excluded, side, 4),
    ]


def _included_panels(flow: PrismaFlow, *, previous: bool) -> list[Panel]:
    settings = flow.settings
    new = len(flow.included)
    pending = flow.pending
    note = (
        [Line(f"pending: {sum(pending.values())} records and reports not yet decided", "pending")]
        if not flow.is_complete
        else []
    )
    if not previous:
        return [
            Panel(
                "included",
                [
                    Line(f"Studies included in review {_n(new)}"),
                    Line(f"Reports of included studies {_n(new)}"),
                    *note,
                ],
                "dbr_main",
                5,
            )
        ]
    return [
        Panel(
            "previous",
            [
                Line(
                    "Studies included in previous version of review "
                    f"{_n(settings.previous_studies)}"
                ),
                Line(
                    "Reports of studies included in previous version of review "
                    f"{_n(settings.previous_reports)}"
                ),
            ],
            "previous",
            1,
        ),
        Panel(
            "included",
            [
                Line(f"New studies included in review {_n(new)}"),
                Line(f"Reports of new included studies {_n(new)}"),
                *note,
            ],
            "dbr_main",
            5,
        ),
        Panel(
            "total",
            [
                Line(f"Total studies included in review {_n(settings.previous_studies + new)}"),
                Line(f"Reports of total included studies {_n(settings.previous_reports + new)}"),
            ],
            "dbr_main",
            6,
        ),
    ]


def _geometry(*, has_previous: bool, has_other: bool, font_size: int) -> dict[str, float]:
    """x positions and widths of the columns, from the margin rightwards."""
    box_w = 17.0 * font_size
    gap_side = 3.2 * font_size
    gap_arm = 2.6 * font_size
    x = 16.0 + 2.2 * font_size + 0.9 * font_size  # margin, phase bar, gap
    columns: dict[str, float] = {"box_w": box_w, "phase_x": 16.0, "phase_w": 2.2 * font_size}
    if has_previous:
        columns["previous"] = x
        x += box_w + gap_arm
    columns["dbr_main"] = x
    columns["dbr_side"] = x + box_w + gap_side
    x = columns["dbr_side"] + box_w
    if has_other:
        columns["other_main"] = x + gap_arm
        columns["other_side"] = columns["other_main"] + box_w + gap_side
        x = columns["other_side"] + box_w
    columns["right"] = x + 16.0
    return columns


def render_svg(flow: PrismaFlow) -> str:
    """The flow diagram as a standalone SVG document."""
    settings = flow.settings
    font = settings.diagram_font_size
    line_h = 1.3 * font
    pad = 0.55 * font
    has_other = other_arm_used(flow)
    has_previous = bool(settings.previous_studies or settings.previous_reports)
    geo = _geometry(has_previous=has_previous, has_other=has_other, font_size=font)
    box_w = geo["box_w"]

    panels = _arm_panels(flow, arm_name="dbr", main="dbr_main", side="dbr_side")
    if has_other:
        panels += _arm_panels(flow, arm_name="other", main="other_main", side="other_side")
    panels += _included_panels(flow, previous=has_previous)
    last_row = max(p.row for p in panels)

    # Wrap every panel's lines, then size each row to its tallest box.
    for panel in panels:
        for line in panel.lines:
            indent = font if line.kind == "item" else 0.0
            bold = line.kind == "heading"
            for piece in wrap(line.text, width=box_w - 2 * pad - indent, font_size=font, bold=bold):
                panel.wrapped.append((piece, line))
    row_h = {
        r: max(2 * pad + len(p.wrapped) * line_h for p in panels if p.row == r)
        for r in range(1, last_row + 1)
    }

    # Header bars above the columns.
    headers = [("dbr", "Identification of new studies via databases and registers", COLOURS["new"])]
    if has_other:
        headers.append(
            ("other", "Identification of new studies via other methods", COLOURS["grey"])
        )
    if has_previous:
        headers.insert(0, ("previous", "Previous studies", COLOURS["grey"]))
    header_lines = {
        key: wrap(
            text,
            width=(box_w if key == "previous" else 2 * box_w) - 2 * pad,
            font_size=font,
            bold=True,
        )
        for key, text, _ in headers
    }
    header_h = 2 * pad + max(len(v) for v in header_lines.values()) * line_h
    top = 16.0
    title_lines = wrap(settings.title, width=geo["right"] - 32, font_size=font * 1.2, bold=True)
    if settings.title:
        top += len(title_lines) * line_h * 1.2 + 0.6 * font
    row_gap = 2.4 * font
    row_y: dict[int, float] = {}
    y = top + header_h + row_gap
    for r in range(1, last_row + 1):
        row_y[r] = y
        y += row_h[r] + row_gap
    notes = _footnotes(flow)
    note_lines = [
        piece
        for note in notes
        for piece in wrap(note, width=geo["right"] - 32, font_size=font * 0.9)
    ]
    height = y - row_gap + 16.0 + (len(note_lines) * line_h * 0.9 + 0.5 * font if notes else 0)
    width = geo["right"]

    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "version": "1.1",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "viewBox": f"0 0 {width:.0f} {height:.0f}",
            "font-family": settings.diagram_font_family,
            "font-size": f"{font}",
        },
    )
    ET.SubElement(svg, "title").text = "PRISMA 2020 flow diagram" + (
        f": {settings.title}" if settings.title else ""
    )
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    if settings.title:
        for i, piece in enumerate(title_lines):
            _text(svg, piece, x=16, y=16 + (i + 0.85) * line_h * 1.2, size=font * 1.2, bold=True)

    # Headers.
    for key, _text_value, fill in headers:
        x = geo["previous"] if key == "previous" else geo[f"{key}_main"]
        w = box_w if key == "previous" else geo[f"{key}_side"] + box_w - x
        _lines_box(
            svg,
            box_id=f"header-{key}",
            x=x,
            y=top,
            w=w,
            h=header_h,
            lines=[(t, Line(t, "heading")) for t in header_lines[key]],
            fill=fill,
            pad=pad,
            line_h=line_h,
            font=font,
            centred=True,
            rounded=True,
        )

    # Phase bars: identification (row 1), screening (rows 2-4), included (rows 5+).
    for label, first, last in (
        ("Identification", 1, 1),
        ("Screening", 2, 4),
        ("Included", 5, last_row),
    ):
        y0 = row_y[first]
        y1 = row_y[last] + row_h[last]
        _phase_bar(svg, label, x=geo["phase_x"], y=y0, w=geo["phase_w"], h=y1 - y0, font=font)

    positions: dict[str, tuple[float, float, float, float]] = {}
    for panel in panels:
        x = geo[panel.column]
        h = row_h[panel.row]
        if panel.box_id == "previous":
            # The previous-studies box only needs its own text height.
            h = 2 * pad + len(panel.wrapped) * line_h
        positions[panel.box_id] = (x, row_y[panel.row], box_w, h)
        _lines_box(
            svg,
            box_id=panel.box_id,
            x=x,
            y=row_y[panel.row],
            w=box_w,
            h=h,
            lines=panel.wrapped,
            fill=COLOURS["grey"] if panel.box_id == "previous" else panel.fill,
            pad=pad,
            line_h=line_h,
            font=font,
        )

    arrows = ET.SubElement(svg, "g", {"id": "arrows", "stroke": COLOURS["stroke"], "fill": "none"})
    arms = ["dbr"] + (["other"] if has_other else [])
    for arm in arms:
        chain = [f"{arm}-identified", f"{arm}-screened", f"{arm}-sought", f"{arm}-assessed"]
        for upper, lower in itertools.pairwise(chain):
            _down(arrows, positions[upper], positions[lower])
        for main, side in (
            ("identified", "removed"),
            ("screened", "records-excluded"),
            ("sought", "not-retrieved"),
            ("assessed", "reports-excluded"),
        ):
            _right(arrows, positions[f"{arm}-{main}"], positions[f"{arm}-{side}"])
    _down(arrows, positions["dbr-assessed"], positions["included"])
    if has_other:
        # From the other-methods arm down and left into the included box.
        sx, sy, sw, sh = positions["other-assessed"]
        ix, iy, iw, ih = positions["included"]
        cx, mid = sx + sw / 2, iy + ih / 2
        _polyline(arrows, [(cx, sy + sh), (cx, mid), (ix + iw, mid)])
    if has_previous:
        _down(arrows, positions["included"], positions["total"])
        px, py, pw, ph = positions["previous"]
        tx, ty, _, th = positions["total"]
        cx, mid = px + pw / 2, ty + th / 2
        _polyline(arrows, [(cx, py + ph), (cx, mid), (tx, mid)])

    if notes:
        y = height - 16.0 - len(note_lines) * line_h * 0.9
        for i, piece in enumerate(note_lines):
            _text(svg, piece, x=16, y=y + (i + 0.8) * line_h * 0.9, size=font * 0.9)

    ET.indent(svg)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="unicode") + "\n"


def _footnotes(flow: PrismaFlow) -> list[str]:
    notes = []
    if not flow.is_complete:
        pending = flow.pending
        notes.append(
            "Screening in progress: counts show the decisions made so far "
            f"(pending: {pending['title_abstract']} at title/abstract, "
            f"{pending['full_text']} at full text)."
        )
    if other_arm_used(flow):
        notes.append(
            "Records from other methods that duplicate database records are counted on the "
            "left; the rest are screened like database records."
        )
    return notes


def _text(
    parent: ET.Element, text: str, *, x: float, y: float, size: float, **style: object
) -> None:
    attrs = {"x": f"{x:.1f}", "y": f"{y:.1f}"}
    if size:
        attrs["font-size"] = f"{size:.1f}"
    if style.get("bold"):
        attrs["font-weight"] = "bold"
    if style.get("italic"):
        attrs["font-style"] = "italic"
    if style.get("fill"):
        attrs["fill"] = str(style["fill"])
    if style.get("anchor"):
        attrs["text-anchor"] = str(style["anchor"])
    if style.get("transform"):
        attrs["transform"] = str(style["transform"])
    ET.SubElement(parent, "text", attrs).text = text


def _lines_box(
    parent: ET.Element,
    *,
    box_id: str,
    x: float,
    y: float,
    w: float,
    h: float,
    lines: list[tuple[str, Line]],
    fill: str,
    pad: float,
    line_h: float,
    font: int,
    centred: bool = False,
    rounded: bool = False,
) -> None:
    group = ET.SubElement(parent, "g", {"id": f"box-{box_id}"})
    _rect(group, x=x, y=y, w=w, h=h, fill=fill, radius=0.5 * font if rounded else 0.0)
    # Centre the text block vertically in the (row-high) box.
    text_top = y + (h - len(lines) * line_h) / 2
    for i, (piece, line) in enumerate(lines):
        baseline = text_top + i * line_h + 0.95 * font
        indent = font if line.kind == "item" else 0.0
        _text(
            group,
            piece,
            x=x + w / 2 if centred else x + pad + indent,
            y=baseline,
            size=0,
            bold=line.kind == "heading",
            italic=line.kind == "pending",
            fill=COLOURS["pending"] if line.kind == "pending" else None,
            anchor="middle" if centred else None,
        )


def _phase_bar(
    parent: ET.Element, label: str, *, x: float, y: float, w: float, h: float, font: int
) -> None:
    group = ET.SubElement(parent, "g", {"id": f"phase-{label.lower()}"})
    _rect(group, x=x, y=y, w=w, h=h, fill=COLOURS["phase"], radius=0.5 * font)
    cx, cy = x + w / 2 + 0.35 * font, y + h / 2
    _text(
        group,
        label,
        x=cx,
        y=cy,
        size=0,
        bold=True,
        anchor="middle",
        transform=f"rotate(-90 {cx:.1f} {cy:.1f})",
    )


def _rect(
    parent: ET.Element, *, x: float, y: float, w: float, h: float, fill: str, radius: float
) -> None:
    ET.SubElement(
        parent,
        "rect",
        {
            "x": f"{x:.1f}",
            "y": f"{y:.1f}",
            "width": f"{w:.1f}",
            "height": f"{h:.1f}",
            "rx": f"{radius:.1f}",
            "fill": fill,
            "stroke": COLOURS["stroke"],
            "stroke-width": "1.2",
        },
    )


def _head(parent: ET.Element, tip: tuple[float, float], *, dx: float, dy: float) -> None:
    """An arrowhead at ``tip`` pointing along the unit direction (dx, dy)."""
    x, y = tip
    size = 7.0
    back_x, back_y = x - dx * size, y - dy * size
    # Perpendicular half-width of the head.
    px, py = -dy * size / 2, dx * size / 2
    points = [(x, y), (back_x + px, back_y + py), (back_x - px, back_y - py)]
    ET.SubElement(
        parent,
        "polygon",
        {"points": " ".join(f"{qx:.1f},{qy:.1f}" for qx, qy in points), "fill": COLOURS["stroke"]},
    )


def _line(parent: ET.Element, start: tuple[float, float], end: tuple[float, float]) -> None:
    ET.SubElement(
        parent,
        "line",
        {
            "x1": f"{start[0]:.1f}",
            "y1": f"{start[1]:.1f}",
            "x2": f"{end[0]:.1f}",
            "y2": f"{end[1]:.1f}",
            "stroke-width": "1.5",
        },
    )


def _down(parent: ET.Element, upper: tuple[float, ...], lower: tuple[float, ...]) -> None:
    ux, uy, uw, uh = upper
    _, ly, _, _ = lower
    cx = ux + uw / 2
    _line(parent, (cx, uy + uh), (cx, ly - 6))
    _head(parent, (cx, ly), dx=0, dy=1)


def _right(parent: ET.Element, left: tuple[float, ...], right: tuple[float, ...]) -> None:
    lx, ly, lw, lh = left
    rx, _, _, _ = right
    mid = ly + lh / 2
    _line(parent, (lx + lw, mid), (rx - 6, mid))
    _head(parent, (rx, mid), dx=1, dy=0)


def _polyline(parent: ET.Element, points: list[tuple[float, float]]) -> None:
    """A right-angled connector whose last leg runs left into a box."""
    for start, end in itertools.pairwise(points[:-1]):
        _line(parent, start, end)
    (x0, y0), (x1, y1) = points[-2], points[-1]
    direction = 1 if x1 > x0 else -1
    _line(parent, (x0, y0), (x1 - direction * 6, y1))
    _head(parent, (x1, y1), dx=direction, dy=0)
