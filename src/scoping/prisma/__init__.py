"""PRISMA 2020 / PRISMA-ScR flow: every box counted from the workflow's files, checked, drawn.

``build_flow`` reads the search log, the dedup clusters and the screening decisions and returns
a checked ``PrismaFlow``; ``write_outputs`` writes prisma.json, prisma.csv, prisma.md,
prisma.svg and boxes/<box>.txt.
"""

from __future__ import annotations

import json
from pathlib import Path

from scoping.atomic import write_text_atomic
from scoping.prisma.boxes import Box, flow_boxes
from scoping.prisma.diagram import render_svg
from scoping.prisma.flow import PrismaFlow, check_flow, compute_flow
from scoping.prisma.inputs import read_clusters, read_decisions, read_search_sources
from scoping.prisma.settings import PrismaSettings, settings_from_json, settings_from_mapping
from scoping.prisma.tables import prisma_csv, prisma_json, prisma_markdown

__all__ = [
    "Box",
    "PrismaFlow",
    "PrismaSettings",
    "build_flow",
    "check_flow",
    "compute_flow",
    "flow_boxes",
    "prisma_csv",
    "prisma_json",
    "prisma_markdown",
    "render_svg",
    "settings_from_json",
    "settings_from_mapping",
    "write_outputs",
]


def build_flow(
    *,
    search_log: str | Path,
    clusters: str | Path,
    title_abstract: str | Path | None,
    full_text: str | Path | None,
    settings: PrismaSettings | None = None,
) -> PrismaFlow:
    """Read the stage files and count every box; missing decision files mean pending."""
    return compute_flow(
        sources=read_search_sources(search_log),
        hits=read_clusters(clusters),
        title_abstract=read_decisions(title_abstract, stage="title_abstract"),
        full_text=read_decisions(full_text, stage="full_text"),
        settings=settings or PrismaSettings(),
        files={
            "search_log": search_log,
            "clusters": clusters,
            "title_abstract": title_abstract or "title_abstract decisions",
            "full_text": full_text or "full_text decisions",
        },
    )


def write_outputs(flow: PrismaFlow, *, outdir: str | Path) -> dict[str, Path]:
    """Write every PRISMA output into ``outdir``, each atomically; prisma.json last.

    Box files of boxes that no longer exist (a renamed source) are removed, so ``boxes/``
    always matches prisma.json.
    """
    outdir = Path(outdir)
    boxes_dir = outdir / "boxes"
    boxes = flow_boxes(flow)
    # Render everything first: an error leaves the old outputs untouched.
    texts = {
        "prisma.csv": prisma_csv(flow),
        "prisma.md": prisma_markdown(flow),
        "prisma.svg": render_svg(flow),
        "prisma.json": json.dumps(prisma_json(flow), indent=2, ensure_ascii=False) + "\n",
    }
    for box in boxes:
        write_text_atomic(boxes_dir / f"{box.name}.txt", "".join(f"{line}\n" for line in box.lines))
    wanted = {f"{box.name}.txt" for box in boxes}
    for stale in boxes_dir.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    written = {}
    for name, text in texts.items():
        write_text_atomic(outdir / name, text)
        written[name] = outdir / name
    written["boxes"] = boxes_dir
    return written
