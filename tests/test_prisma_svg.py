"""prisma.svg: well-formed, every label and number in its box, drawn by a real renderer."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import resvg_py  # the dev extra: a self-contained wheel, no system cairo
from lxml import etree
from prisma_helpers import (
    HAND_FULL_TEXT,
    HAND_SETTINGS,
    HAND_TITLE_ABSTRACT,
    flow_of,
    hand_review,
    write_decisions,
)

from scoping.prisma import render_svg

SVG = "{http://www.w3.org/2000/svg}"

#: Box id in the SVG -> the lines it must show, PRISMA 2020 wording, hand-counted numbers.
HAND_BOX_TEXT = {
    "header-previous": ["Previous studies"],
    "header-dbr": ["Identification of new studies via databases and registers"],
    "header-other": ["Identification of new studies via other methods"],
    "previous": [
        "Studies included in previous version of review (n = 4)",
        "Reports of studies included in previous version of review (n = 5)",
    ],
    "dbr-identified": [
        "Records identified from:",
        "Databases (n = 13)",
        "PubMed (n = 9)",
        "Embase (n = 4)",
        "Registers (n = 2)",
        "ClinicalTrials.gov (n = 2)",
    ],
    "dbr-removed": [
        "Records removed before screening:",
        "Duplicate records removed (n = 4)",
        "Records marked as ineligible by automation tools (n = 0)",
        "Records removed for other reasons (n = 1)",
    ],
    "dbr-screened": ["Records screened (n = 10)"],
    "dbr-records-excluded": ["Records excluded (n = 4)"],
    "dbr-sought": ["Reports sought for retrieval (n = 6)"],
    "dbr-not-retrieved": ["Reports not retrieved (n = 1)"],
    "dbr-assessed": ["Reports assessed for eligibility (n = 5)"],
    "dbr-reports-excluded": [
        "Reports excluded (n = 3)",
        "Wrong population (n = 2)",
        "Not primary research (n = 1)",
    ],
    "other-identified": [
        "Records identified from:",
        "Websites (n = 3)",
        "Organisations (n = 0)",
        "Citation searching (n = 2)",
    ],
    "other-removed": ["Duplicate records removed (n = 2)"],
    "other-screened": ["Records screened (n = 3)"],
    "other-records-excluded": ["Records excluded (n = 1)"],
    "other-sought": ["Reports sought for retrieval (n = 2)"],
    "other-not-retrieved": ["Reports not retrieved (n = 1)"],
    "other-assessed": ["Reports assessed for eligibility (n = 1)"],
    "other-reports-excluded": ["Reports excluded (n = 0)"],
    "included": [
        "New studies included in review (n = 3)",
        "Reports of new included studies (n = 3)",
    ],
    "total": [
        "Total studies included in review (n = 7)",
        "Reports of total included studies (n = 8)",
    ],
    "phase-identification": ["Identification"],
}


def _svg(tmp_path: Path, *, settings=HAND_SETTINGS, full_text=True) -> str:
    files = hand_review(tmp_path)
    return render_svg(flow_of(files, settings, full_text=full_text))


def box_texts(svg: str) -> dict[str, str]:
    """Text of each box group, wrapped lines joined with spaces."""
    root = etree.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    texts = {}
    for group in root.iter(f"{SVG}g"):
        name = group.get("id", "")
        if name.startswith(("box-", "phase-")):
            words = " ".join(t.text or "" for t in group.iter(f"{SVG}text"))
            texts[name.removeprefix("box-")] = re.sub(r"\s+", " ", words)
    return texts


def test_svg_is_well_formed_with_every_label_and_number(tmp_path: Path) -> None:
    texts = box_texts(_svg(tmp_path))
    for box, lines in HAND_BOX_TEXT.items():
        for line in lines:
            assert line in texts[box], (box, line, texts[box])
    assert {"phase-screening", "phase-included"} <= set(texts)


def test_svg_without_other_methods_or_previous_studies(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    # Keep the databases arm only: drop the other-methods sources from both files.
    for path in (files.search_log, files.clusters):
        lines = path.read_text().splitlines(keepends=True)
        path.write_text(
            "".join(ln for ln in lines if not ln.startswith(("gov_sites,", "chaining,")))
        )
    other = {"web-1", "web-2", "cit-1"}
    write_decisions(
        files.title_abstract, {k: v for k, v in HAND_TITLE_ABSTRACT.items() if k not in other}
    )
    write_decisions(files.full_text, {k: v for k, v in HAND_FULL_TEXT.items() if k not in other})
    svg = render_svg(flow_of(files, {"removed_other": ["reg-2"]}))
    texts = box_texts(svg)
    assert not any(name.startswith(("other-", "header-other", "previous")) for name in texts)
    assert "Studies included in review (n = 2)" in texts["included"]
    assert "Records screened (n = 10)" in texts["dbr-screened"]


def test_svg_shows_what_is_pending(tmp_path: Path) -> None:
    texts = box_texts(_svg(tmp_path, full_text=False))
    assert "pending: 6 awaiting a full-text decision" in texts["dbr-assessed"]
    assert "pending: 2 awaiting a full-text decision" in texts["other-assessed"]
    assert "Reports assessed for eligibility (n = 6)" in texts["dbr-assessed"]
    assert "pending: 8 records and reports not yet decided" in texts["included"]


def test_svg_escapes_and_wraps_awkward_text(tmp_path: Path) -> None:
    files = hand_review(tmp_path)
    reason = "Wrong population & setting <adults only>, see protocol section 4.2.1 for details"
    decisions = dict(HAND_FULL_TEXT)
    decisions["pmid-2"] = ("exclude", reason)
    write_decisions(files.full_text, decisions)
    svg = render_svg(flow_of(files, {"title": "Children & <screens>"}))
    texts = box_texts(svg)
    assert f"{reason} (n = 1)" in texts["dbr-reports-excluded"]
    root = etree.fromstring(svg.encode())
    lines = [t.text for t in root.iter(f"{SVG}text")]
    assert "Children & <screens>" in lines
    assert "(n = 1)" in " ".join(lines)
    # No "(n = N)" is split over two lines.
    assert not any(re.search(r"\(n =?$", line or "") for line in lines)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def test_svg_renders_to_png(tmp_path: Path) -> None:
    svg = _svg(tmp_path)
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg))
    root = etree.fromstring(svg.encode())
    assert _png_size(png) == (int(root.get("width")), int(root.get("height")))
    (tmp_path / "prisma.png").write_bytes(png)
    # The text really drew: the same diagram without its text renders differently.
    for text in root.iter(f"{SVG}text"):
        text.text = ""
    blank = bytes(resvg_py.svg_to_bytes(svg_string=etree.tostring(root).decode()))
    assert blank != png
    assert len(png) > len(blank) * 1.5
