"""A review from real raw exports of several vendors, run once from a fresh copy (issue 11).

No ``columns:`` mapping and no manual step: the workflow reads each export as its vendor
wrote it, deduplicates across them (the restoration exports of PubMed, Scopus and Web of
Science overlap), writes the sheets and a PRISMA flow whose boxes add up. Then the team
screens, a rerun adds a source that overlaps what was screened, and every decision carries.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml
from review_sequence import _rows, check_prisma_adds_up
from screening_helpers import type_decisions
from workflow_helpers import copy_project, snakemake

from scoping.screening.tables import read_table

#: name -> (file under shared/data/formats, arm, database): six vendors' own export formats.
EXPORTS = {
    "scopus": ("revtools/restoration_scopus.ris", "database", "Scopus"),
    "wos": ("revtools/restoration_WoS.ciw", "database", "Web of Science Core Collection"),
    "embase_ovid": ("more/ovid_csv/ahro_citation.csv", "database", "Embase (Ovid)"),
    "lens": ("more/lens_csv/bibliometrix_lens_sample.csv", "database", "Lens"),
    "covidence": (
        "more/covidence_csv/ai_transparency_review_581959_select_csv_20250828214636.csv",
        "other",
        "Covidence export",
    ),
    "rayyan": ("more/rayyan/rayyanR_tinea_update.ris", "other", "Rayyan export"),
}
LATER = {"pubmed": ("revtools/restoration_pubmed.nbib", "database", "MEDLINE (PubMed)")}


def _config(workdir: Path, exports: dict[str, tuple[str, str, str]]) -> None:
    sources = {
        name: {
            "type": "file",
            "path": f"sources/{Path(rel).name}",
            "arm": arm,
            "database": database,
            "searched_on": "2026-11-20",
        }
        for name, (rel, arm, database) in exports.items()
    }
    config = {
        "review": {"title": "Real exports"},
        "sources": sources,
        "screening": {"dir": "screening/review", "reviewers": ["amina", "liam"]},
    }
    (workdir / "config" / "real.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _copy_sources(workdir: Path, shared: Path, exports: dict[str, tuple[str, str, str]]) -> None:
    (workdir / "sources").mkdir(exist_ok=True)
    for rel, _, _ in exports.values():
        shutil.copyfile(shared / "formats" / rel, workdir / "sources" / Path(rel).name)


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    workdir = copy_project(tmp_path_factory.mktemp("real"))
    _copy_sources(workdir, shared_data, EXPORTS)
    # The Scopus export holds one record twice, as a real Embase export did (8 rows).
    scopus = workdir / "sources" / "restoration_scopus.ris"
    text = scopus.read_text(encoding="utf-8-sig")
    first = text[: text.index("ER  -") + len("ER  -")]
    scopus.write_text(text.rstrip() + "\n\n" + first.strip() + "\n", encoding="utf-8")
    _config(workdir, EXPORTS)
    snakemake(workdir, "--configfile", "config/real.yaml")
    return workdir


class _Paths:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir


def test_one_run_from_raw_exports_counts_every_box(review: Path) -> None:
    prisma = check_prisma_adds_up(_Paths(review))  # type: ignore[arg-type]
    log = {r["source"]: r for r in _rows(review / "results/search/search_log.csv")}
    assert set(log) == set(EXPORTS)
    assert int(log["scopus"]["records_fetched"]) == 286 + 1
    assert prisma["duplicates_removed"] > 50  # Scopus and WoS overlap on one topic
    clusters = _rows(review / "results/dedup/clusters.csv")
    # IDs are unique per record and every canonical member names its cluster.
    for row in clusters:
        if row["is_canonical"] == "true":
            assert row["record_id"] == row["cluster_id"]
    merged = {r["record_id"] for r in _rows(review / "results/dedup/records.csv")}
    assert len(merged) == prisma["records_screened"]
    assert all(not c.endswith("-2") for c in merged)


def test_a_fresh_copy_gives_byte_identical_clusters(review: Path, tmp_path: Path) -> None:
    clone = copy_project(tmp_path)
    shutil.copytree(review / "sources", clone / "sources")
    shutil.copyfile(review / "config/real.yaml", clone / "config/real.yaml")
    snakemake(clone, "--configfile", "config/real.yaml")
    for rel in ("results/dedup/clusters.csv", "results/dedup/records.csv"):
        assert (clone / rel).read_bytes() == (review / rel).read_bytes(), rel


def test_screened_records_later_found_in_pubmed_keep_their_decisions(
    review: Path, shared_data: Path
) -> None:
    sheets = review / "screening/review/title_abstract"
    rows = [row for _, row in read_table(sheets / "amina.xlsx").rows]
    ids = [r["record_id"] for r in rows]
    # Both reviewers exclude every record from the first run.
    for who in ("amina", "liam"):
        type_decisions(sheets / f"{who}.xlsx", {rid: ("exclude", "") for rid in ids})
    _copy_sources(review, shared_data, LATER)
    _config(review, EXPORTS | LATER)
    snakemake(review, "--configfile", "config/real.yaml")

    prisma = json.loads((review / "results/prisma/prisma.json").read_text())
    ta = _rows(review / "results/screening/title_abstract/decisions.csv")
    decisions = {r["record_id"]: r for r in ta}
    renamed = {rid: r for rid, r in decisions.items() if r["merged_rows"]}
    # Records screened under Scopus/WoS IDs now carry their PMID (PMIDs win) ...
    assert len(renamed) > 20 and all(rid.startswith("pmid-") for rid in renamed)
    # ... and the two exclusions typed for them count, stated, not swapped or dropped.
    for rid, row in renamed.items():
        assert (row["amina_decision"], row["liam_decision"], row["final"]) == (
            "exclude", "exclude", "exclude"
        ), rid  # fmt: skip
    superseded = set(prisma["superseded"]["title_abstract"])
    assert superseded == {m for r in renamed.values() for m in r["merged_rows"].split("; ")}
    # Nothing screened went back to the screeners: new rows are PubMed-only records.
    after = [row for _, row in read_table(sheets / "amina.xlsx").rows]
    new = [r["record_id"] for r in after[len(rows) :]]
    assert not set(new) & set(renamed)
    with (review / "results/dedup/records.csv").open(encoding="utf-8", newline="") as handle:
        pubmed_only = {r["record_id"] for r in csv.DictReader(handle) if r["found_by"] == "pubmed"}
    assert set(new) == pubmed_only
    check_prisma_adds_up(_Paths(review))  # type: ignore[arg-type]
