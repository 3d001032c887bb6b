"""The review sheet: created once, appended, backed up, decisions replayed; reruns keep IDs."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from dedup_helpers import rec
from openpyxl import load_workbook

from scoping.dedup.engine import deduplicate, hit_labels, pair_key
from scoping.dedup.outputs import write_clusters, write_merged_records
from scoping.dedup.review import (
    COLUMNS,
    escape_cell,
    read_review_decisions,
    unescape_cell,
    update_review_sheet,
)
from scoping.dedup.run import dedup_files
from scoping.errors import ScopingError
from scoping.records import write_records

TITLE = "Safety and efficacy of eculizumab in aHUS patients resistant to plasma therapy"


def uncertain_pair() -> list:
    """Same abstract reported in two years, no volume or pages: a person must decide."""
    common = dict(title=TITLE, authors="Legendre CM; Babu S; Furman RR", journal="J Am Soc Nephrol")
    return [rec("embase", "e1", year="2010", **common), rec("wos", "w1", year="2011", **common)]


def set_decision(path: Path, row: int, value: str) -> None:
    workbook = load_workbook(path)
    workbook["pairs"].cell(row=row, column=COLUMNS.index("decision") + 1, value=value)
    workbook.save(path)


def test_uncertain_pair_goes_to_the_sheet_and_a_same_decision_is_replayed(tmp_path: Path) -> None:
    hits = uncertain_pair()
    sheet = tmp_path / "screening" / "dedup_review.xlsx"
    result = deduplicate(hits)
    assert result.n_clusters == 2 and len(result.review) == 1
    assert update_review_sheet(sheet, result) == 1

    workbook = load_workbook(sheet)
    pairs = workbook["pairs"]
    assert pairs.freeze_panes == "C2"
    header = [c.value for c in pairs[1]]
    assert header == list(COLUMNS)
    row = {h: c.value for h, c in zip(header, pairs[2], strict=True)}
    assert {row["year_a"], row["year_b"]} == {"2010", "2011"}  # side by side
    assert any(
        "same,different" in (dv.formula1 or "") for dv in pairs.data_validations.dataValidation
    )

    set_decision(sheet, 2, "same")
    decisions = read_review_decisions(sheet)
    result = deduplicate(hits, decisions=decisions)
    assert result.n_clusters == 1 and not result.review
    (merge,) = result.merges
    assert merge.decided_by == "human" and merge.rule == "review_sheet"
    # Nothing new to ask: the file is left alone (no backup, same bytes).
    before = sheet.read_bytes()
    assert update_review_sheet(sheet, result) == 0
    assert sheet.read_bytes() == before
    assert not list(sheet.parent.glob("*.bak-*"))


def test_different_decision_blocks_even_a_transitive_merge(tmp_path: Path) -> None:
    hits = uncertain_pair()
    # A third record that matches both of them well enough to merge automatically with each.
    bridge = rec(
        "cinahl",
        "c1",
        title=TITLE,
        authors="Legendre CM; Babu S; Furman RR",
        journal="J Am Soc Nephrol",
        year="2010",
    )
    decisions = {tuple(sorted((hits[0].record_id, hits[1].record_id))): "different"}
    result = deduplicate([*hits, bridge], decisions=decisions)
    assert result.cluster_ids[0] != result.cluster_ids[1]


def test_new_pairs_are_appended_after_a_backup_and_typed_decisions_survive(tmp_path: Path) -> None:
    sheet = tmp_path / "dedup_review.xlsx"
    first = uncertain_pair()
    update_review_sheet(sheet, deduplicate(first))
    set_decision(sheet, 2, "different")
    workbook = load_workbook(sheet)
    workbook["pairs"].freeze_panes = None  # as a headless LibreOffice save leaves it
    workbook.save(sheet)

    other = [
        rec(
            "embase",
            "e2",
            title="Eculizumab in atypical haemolytic uraemic syndrome: registry data",
            authors="Licht C; Ardissino G",
            year="2014",
            journal="Pediatr Nephrol",
        ),
        rec(
            "wos",
            "w2",
            title="Eculizumab in atypical haemolytic uraemic syndrome: registry data",
            authors="Licht C; Ardissino G",
            year="2015",
            journal="Pediatr Nephrol",
        ),
    ]
    decisions = read_review_decisions(sheet)
    result = deduplicate([*first, *other], decisions=decisions)
    assert len(result.review) == 1  # the decided pair is not asked again
    assert update_review_sheet(sheet, result) == 1
    backups = list(tmp_path.glob("dedup_review.bak-*.xlsx"))
    assert len(backups) == 1
    assert read_review_decisions(backups[0]) == decisions
    rows = list(load_workbook(sheet)["pairs"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["different", None]
    assert load_workbook(sheet)["pairs"].freeze_panes == "C2"  # frozen again
    assert read_review_decisions(sheet) == decisions


def test_cells_are_escaped_against_formula_injection(tmp_path: Path) -> None:
    assert escape_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert unescape_cell(escape_cell("@SUM(A1)")) == "@SUM(A1)"
    assert escape_cell("bad\x07char") == "badchar"
    hits = uncertain_pair()
    for hit in hits:
        hit.journal = "=cmd|' /C calc'!A0"
    sheet = tmp_path / "r.xlsx"
    update_review_sheet(sheet, deduplicate(hits))
    cell = load_workbook(sheet)["pairs"].cell(row=2, column=COLUMNS.index("journal_a") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_a_bad_decision_names_the_row_and_column(tmp_path: Path) -> None:
    sheet = tmp_path / "r.xlsx"
    update_review_sheet(sheet, deduplicate(uncertain_pair()))
    set_decision(sheet, 2, "maybe")
    with pytest.raises(ScopingError, match=r"row 2, column 'decision'.*same"):
        read_review_decisions(sheet)


def test_cluster_ids_are_a_pure_function_of_the_inputs(tmp_path: Path) -> None:
    title = (
        "Effect of therapist-based versus robot-assisted bilateral arm training on motor control"
    )
    common = dict(authors="Wu CY; Yang CL; Chuang LL", year="2012", journal="Physical Therapy")
    run1 = [
        rec("cinahl", "c1", title=title, volume="92", pages="1006-1016", **common),
        rec("psycinfo", "p1", title=title, **common),
        rec("cinahl", "c2", title="Stroke rehabilitation with virtual reality", year="2011"),
    ]
    first = deduplicate(run1)
    old = dict(zip((h.source_id for h in run1), first.cluster_ids, strict=True))
    assert old["c1"] == old["p1"] and old["c1"].startswith("ref-")

    # The rerun finds the paper in MEDLINE: its PMID names the cluster now (no earlier run is
    # read), and the merged record lists the ID the sheets knew it by.
    run2 = [
        rec("medline", "222", title=title, pmid="22403240", volume="92", pages="1006-16", **common),
        *run1,
        rec("medline", "333", title="Mirror therapy after stroke", pmid="333", year="2013"),
    ]
    second = deduplicate(run2)
    new = dict(zip((h.source_id for h in run2), second.cluster_ids, strict=True))
    assert new["222"] == new["c1"] == new["p1"] == "pmid-22403240"
    assert new["c2"] == old["c2"] and new["333"] == "pmid-333"
    merged = tmp_path / "records.csv"
    write_merged_records(merged, second)
    rows = {r["record_id"]: r for r in csv.DictReader(merged.open(encoding="utf-8"))}
    assert rows["pmid-22403240"]["member_ids"].split("; ") == ["pmid-22403240", old["c1"]]
    # Same hits in another order: byte-identical clusters.
    again = tmp_path / "again.csv"
    write_clusters(tmp_path / "one.csv", second)
    shuffled = deduplicate([run2[3], run2[0], run2[4], run2[2], run2[1]])
    by_hit = {
        (h.source, h.source_id): c for h, c in zip(shuffled.hits, shuffled.cluster_ids, strict=True)
    }
    assert by_hit == {
        (h.source, h.source_id): c for h, c in zip(second.hits, second.cluster_ids, strict=True)
    }
    write_clusters(again, deduplicate(run2))
    assert again.read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_dedup_files_writes_every_output(tmp_path: Path) -> None:
    hits = [*uncertain_pair(), rec("medline", "9", title="Hypertension", pmid="9", year="2001")]
    hits.append(rec("other_query", "9", title="Hypertension", pmid="9", year="2001"))
    records_csv = tmp_path / "search.csv"
    write_records(records_csv, hits)
    out = tmp_path / "dedup" / "clusters.csv"
    summary = dedup_files(inputs=[records_csv], output=out, review=tmp_path / "review.xlsx")
    assert (summary.hits, summary.clusters, summary.review_added) == (4, 3, 1)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 4  # one per hit: PRISMA counts hits per source
    assert {r["cluster_id"] for r in rows if r["record_id"] == "pmid-9"} == {"pmid-9"}
    merged = list(csv.DictReader((tmp_path / "dedup" / "records.csv").open(encoding="utf-8")))
    by_id = {r["record_id"]: r for r in merged}
    assert by_id["pmid-9"]["found_by"] == "medline; other_query"
    assert by_id["pmid-9"]["n_hits"] == "2"
    log = list(csv.DictReader((tmp_path / "dedup" / "merge_log.csv").open(encoding="utf-8")))
    assert [(r["rule"], r["decided_by"]) for r in log] == [("same_record_id", "auto")]


def test_merged_record_takes_the_most_complete_fields() -> None:
    from scoping.dedup.outputs import merged_records

    short = rec("embase", "e", title=TITLE, authors="Legendre CM", year="2010", doi="10.1000/x")
    full = rec(
        "medline",
        "m",
        title=TITLE,
        authors="Legendre CM; Babu S; Furman RR",
        year="2010",
        pmid="123",
        abstract="Background: eculizumab ...",
        journal="J Am Soc Nephrol",
    )
    result = deduplicate(
        [short, full], decisions={tuple(sorted(("pmid-123", short.record_id))): "same"}
    )
    ((merged, sources, n_hits),) = merged_records(result)
    assert merged.record_id == "pmid-123" and (sources, n_hits) == (["embase", "medline"], 2)
    assert merged.authors == ["Legendre CM", "Babu S", "Furman RR"]
    assert merged.doi == "10.1000/x" and merged.abstract.startswith("Background")


def test_an_answer_survives_a_copy_of_one_record_arriving_later(tmp_path: Path) -> None:
    """Issue 11: answered pairs came back to the sheet once a database exported a row twice."""
    hits = uncertain_pair()
    sheet = tmp_path / "dedup_review.xlsx"
    update_review_sheet(sheet, deduplicate(hits))
    set_decision(sheet, 2, "different")
    twice = [*hits, replace(hits[0], source_id="e1-again")]  # the Embase row, exported again
    result = deduplicate(twice, decisions=read_review_decisions(sheet))
    assert result.cluster_ids[0] == result.cluster_ids[2] != result.cluster_ids[1]
    assert [e.rule for e in result.merges] == ["identical_copy"]
    assert result.review == [] and update_review_sheet(sheet, result) == 0


def test_an_answer_given_while_an_id_was_shared_still_counts_when_it_is_not(
    tmp_path: Path,
) -> None:
    abstract, paper = uncertain_pair()
    paper = replace(paper, record_id=abstract.record_id, year=abstract.year, pages="12-19")
    other = rec("wos", "w2", title=TITLE + " (poster)", authors="Furman RR", year="2010")
    labels = hit_labels([abstract, paper, other])
    assert labels[0] == f"{abstract.record_id}@embase:e1" and labels[2] == other.record_id
    assert len(set(deduplicate([abstract, other]).cluster_ids)) == 1  # merged on their own
    decisions = {pair_key(labels[0], labels[2]): "different"}
    # The paper leaves the review: the abstract's ID is its own again, the answer still counts.
    result = deduplicate([abstract, other], decisions=decisions)
    assert result.cluster_ids[0] != result.cluster_ids[1] and result.merges == []
