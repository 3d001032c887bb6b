"""Record IDs in people's sheets never change across reruns (``scoping dedup --keep-ids``)."""

from __future__ import annotations

import csv
from pathlib import Path

from scoping.cli import main
from scoping.records import Record, write_records

PAPER = {
    "title": "Laboratory twinning for antimicrobial resistance surveillance: "
    "a multi-country evaluation",
    "authors": ["Diallo M", "Verhoeven K"],
    "year": "2021",
    "journal": "Antimicrobial Resistance & Infection Control",
    "volume": "10",
    "pages": "120",
}


def _clusters(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {(r["source"], r["record_id"]): r["cluster_id"] for r in csv.DictReader(handle)}


def test_a_later_pubmed_copy_does_not_rename_a_screened_record(tmp_path: Path) -> None:
    grey = tmp_path / "grey.csv"
    write_records(grey, [Record.create(source="grey", doi="10.5555/ihp.2021.0111", **PAPER)])
    register = tmp_path / "screening" / "record_ids.csv"
    first = tmp_path / "run1" / "clusters.csv"
    assert main(["dedup", str(grey), "--output", str(first), "--keep-ids", str(register)]) == 0
    (doi_id,) = set(_clusters(first).values())
    assert doi_id.startswith("doi-")
    assert register.read_bytes() == first.read_bytes()

    # Months later PubMed finds the same paper: on its own, a pmid- ID would name the cluster.
    medline = tmp_path / "medline.csv"
    write_records(
        medline,
        [Record.create(source="medline", pmid="91000111", doi="10.5555/ihp.2021.0111", **PAPER)],
    )
    fresh = tmp_path / "fresh" / "clusters.csv"
    assert main(["dedup", str(grey), str(medline), "--output", str(fresh)]) == 0
    assert set(_clusters(fresh).values()) == {"pmid-91000111"}

    second = tmp_path / "run2" / "clusters.csv"
    args = ["dedup", str(grey), str(medline), "--output", str(second), "--keep-ids", str(register)]
    assert main(args) == 0
    assert set(_clusters(second).values()) == {doi_id}  # the ID the screeners already have
    assert register.read_bytes() == second.read_bytes()


def test_dedup_init_creates_the_review_sheet_once(tmp_path: Path) -> None:
    import json

    import openpyxl

    sheet = tmp_path / "screening" / "dedup_review.xlsx"
    manifest = tmp_path / "results" / "review_sheet.json"
    assert main(["dedup-init", "--review", str(sheet), "--manifest", str(manifest)]) == 0
    assert json.loads(manifest.read_text())["existed"] is False
    book = openpyxl.load_workbook(sheet)
    header = [c.value for c in book.worksheets[0][1]]
    assert {"decision", "record_id_a", "record_id_b"} <= set(header)
    book.worksheets[0]["B2"] = "a note someone typed"
    book.save(sheet)
    before = sheet.read_bytes()
    assert main(["dedup-init", "--review", str(sheet), "--manifest", str(manifest)]) == 0
    assert json.loads(manifest.read_text())["existed"] is True
    assert sheet.read_bytes() == before


def test_first_pairs_go_into_the_bare_sheet_without_a_backup(tmp_path: Path) -> None:
    from dedup_helpers import rec

    from scoping.dedup.engine import deduplicate
    from scoping.dedup.review import read_review_decisions, update_review_sheet

    sheet = tmp_path / "screening" / "dedup_review.xlsx"
    assert main(["dedup-init", "--review", str(sheet), "--manifest", str(tmp_path / "m.json")]) == 0
    common = dict(
        title="Safety and efficacy of eculizumab in aHUS patients resistant to plasma therapy",
        authors="Legendre CM; Babu S; Furman RR",
        journal="J Am Soc Nephrol",
    )
    hits = [rec("embase", "e1", year="2010", **common), rec("wos", "w1", year="2011", **common)]
    assert update_review_sheet(sheet, deduplicate(hits)) == 1
    assert not list(sheet.parent.glob("*.bak-*"))  # nothing typed yet, nothing to keep
    assert read_review_decisions(sheet) == {}
