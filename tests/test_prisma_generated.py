"""A generated review of 5,000 hits with known decisions: every box against pandas' own count."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from prisma_helpers import (
    GENERATED_SOURCES,
    flow_of,
    generated_review,
    write_clusters,
    write_search_log_for,
)

from scoping.errors import ScopingError
from scoping.prisma import build_flow, flow_boxes, prisma_json
from scoping.prisma.boxes import source_box_name

DBR = {"database", "register"}


def expected_boxes(files, settings: dict) -> dict[str, int]:
    """Count every box straight from the files with pandas, independently of scoping.prisma."""
    hits = pd.read_csv(files.clusters, dtype=str, keep_default_na=False)
    hits["dbr"] = hits["source_type"].isin(DBR)
    cluster_dbr = hits.groupby("cluster_id")["dbr"].any()
    expected: dict[str, int] = {}
    for source in GENERATED_SOURCES:
        expected[source_box_name(source)] = int((hits["source"] == source).sum())
    by_type = hits["source_type"].value_counts()
    for name, source_type in (
        ("database_results", "database"),
        ("register_results", "register"),
        ("website_results", "website"),
        ("organisation_results", "organisation"),
        ("citations_results", "citation"),
        ("other_results", "other"),
    ):
        expected[name] = int(by_type.get(source_type, 0))

    ta = pd.read_csv(files.title_abstract, dtype=str, keep_default_na=False).set_index("record_id")
    ft = pd.read_csv(files.full_text, dtype=str, keep_default_na=False).set_index("record_id")
    automation, other_removed = set(settings["removed_automation"]), set(settings["removed_other"])
    new_studies = 0
    for arm, on_left, names in (
        (
            "dbr",
            True,
            {
                "duplicates": "duplicates",
                "excluded_automatic": "excluded_automatic",
                "excluded_other": "excluded_other",
                "records_screened": "records_screened",
                "records_excluded": "records_excluded",
            },
        ),
        (
            "other",
            False,
            {
                "duplicates": "other_duplicates",
                "excluded_automatic": "other_excluded_automatic",
                "excluded_other": "other_excluded_other",
                "records_screened": "other_records_screened",
                "records_excluded": "other_records_excluded",
            },
        ),
    ):
        clusters = set(cluster_dbr[cluster_dbr == on_left].index)
        arm_hits = int((hits["dbr"] == on_left).sum())
        expected[names["duplicates"]] = arm_hits - len(clusters)
        expected[names["excluded_automatic"]] = len(clusters & automation)
        expected[names["excluded_other"]] = len(clusters & other_removed)
        screened = sorted(clusters - automation - other_removed)
        expected[names["records_screened"]] = len(screened)
        ta_final = ta["final"].reindex(screened).fillna("pending")
        expected[names["records_excluded"]] = int((ta_final == "exclude").sum())
        expected[f"{arm}_pending_title_abstract"] = int((ta_final == "pending").sum())
        sought = list(ta_final[ta_final == "include"].index)
        expected[f"{arm}_sought_reports"] = len(sought)
        ft_final = ft["final"].reindex(sought).fillna("pending")
        expected[f"{arm}_notretrieved_reports"] = int((ft_final == "not_retrieved").sum())
        expected[f"{arm}_assessed"] = int((ft_final != "not_retrieved").sum())
        expected[f"{arm}_excluded"] = int((ft_final == "exclude").sum())
        expected[f"{arm}_pending_full_text"] = int((ft_final == "pending").sum())
        expected[f"{arm}_included"] = int((ft_final == "include").sum())
        new_studies += expected[f"{arm}_included"]
    expected["new_studies"] = expected["new_reports"] = new_studies
    return expected


@pytest.mark.parametrize("pending", [False, True], ids=["complete", "pending"])
def test_generated_review_every_box(tmp_path: Path, pending: bool) -> None:
    files, settings = generated_review(tmp_path, pending=pending)
    flow = flow_of(files, settings)
    expected = expected_boxes(files, settings)
    assert sum(expected[source_box_name(s)] for s in GENERATED_SOURCES) == 5000
    assert {box.name: box.n for box in flow_boxes(flow)} == expected
    data = prisma_json(flow)
    assert data["complete"] is not pending
    pending_ta = expected["dbr_pending_title_abstract"] + expected["other_pending_title_abstract"]
    pending_ft = expected["dbr_pending_full_text"] + expected["other_pending_full_text"]
    assert data["pending"] == {"title_abstract": pending_ta, "full_text": pending_ft}
    assert (pending_ta > 0 and pending_ft > 0) is pending

    # Reasons: per-reason counts against pandas too.
    ft = pd.read_csv(files.full_text, dtype=str, keep_default_na=False)
    reasons = ft[ft["final"] == "exclude"]["reason"].value_counts().to_dict()
    assert data["reports_excluded"] == reasons
    # Identified per database label: PubMed is two queries added together.
    hits = pd.read_csv(files.clusters, dtype=str)
    pubmed = hits["source"].isin(["pubmed_main", "pubmed_extra"]).sum()
    assert data["identified_by_database"]["PubMed"] == pubmed
    assert data["duplicates_removed"] == len(hits) - hits["cluster_id"].nunique()


@pytest.mark.parametrize("benchmark", ["haematology", "cytology_screening"])
def test_real_duplicate_groups(tmp_path: Path, shared_data: Path, benchmark: str) -> None:
    """Identification boxes from real labelled duplicate groups (bib-dedupe benchmark sets)."""
    folder = shared_data / "dedup" / "bibdedupe_benchmark" / benchmark
    records = pd.read_csv(folder / "records_pre_merged.csv", dtype=str)["ID"].tolist()
    groups = pd.read_csv(folder / "merged_record_ids.csv", dtype=str)["merged_ids"]
    cluster_of = {rid: rid for rid in records}
    for group in groups:
        members = sorted(group.split(";"))
        for rid in members:
            cluster_of[rid] = members[0]
    # Two database exports: odd IDs from one, even from the other.
    sources = {"medline": ("database", "MEDLINE"), "embase": ("database", "Embase")}
    hits = [
        (
            "medline" if int(rid.rsplit("_", 1)[1]) % 2 else "embase",
            "database",
            rid,
            rid,
            cluster_of[rid],
            cluster_of[rid] == rid,
        )
        for rid in records
    ]
    counts = {name: sum(h[0] == name for h in hits) for name in sources}
    write_search_log_for(tmp_path / "log.csv", sources, counts)
    write_clusters(tmp_path / "clusters.csv", hits)
    data = prisma_json(
        build_flow(
            search_log=tmp_path / "log.csv",
            clusters=tmp_path / "clusters.csv",
            title_abstract=None,
            full_text=None,
        )
    )
    duplicates = sum(len(set(g.split(";"))) - 1 for g in groups)
    assert data["identified_databases"] == len(records)
    assert data["duplicates_removed"] == duplicates > 0
    assert data["records_screened"] == len(records) - duplicates
    assert data["pending"]["title_abstract"] == len(records) - duplicates


def test_generated_review_with_one_inconsistent_record_fails(tmp_path: Path) -> None:
    files, settings = generated_review(tmp_path)
    ta = pd.read_csv(files.title_abstract, dtype=str, keep_default_na=False)
    excluded = ta[ta["final"] == "exclude"]["record_id"].iloc[123]
    ft = pd.read_csv(files.full_text, dtype=str, keep_default_na=False)
    extra = {column: "" for column in ft.columns} | {"record_id": excluded, "final": "include"}
    pd.concat([ft, pd.DataFrame([extra])]).to_csv(files.full_text, index=False)
    with pytest.raises(ScopingError, match=rf"record {excluded} is 'include' at full text but"):
        flow_of(files, settings)
