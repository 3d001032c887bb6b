"""The whole screening cycle on real PubMed records, typed into the xlsx files as people would."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from screening_helpers import pubmed_records, type_cells, type_decisions, write_dedup_records

from scoping.cli import main
from scoping.screening.layout import WITHDRAWN_RECORDS
from scoping.screening.tables import read_table


def _run(tmp: Path, command: str, stage: str, records: Path, *extra: str) -> Path:
    out = tmp / "results" / stage
    outputs = (
        ["--manifest", str(out / "sheets.json")]
        if command == "sheets"
        else ["--output", str(out / "decisions.csv"), "--agreement", str(out / "agreement.json")]
    )
    args = [command, "--stage", stage, "--records", str(records)]
    assert main([*args, "--dir", str(tmp / "screening"), *outputs, *extra]) == 0
    return out


def _sheets(tmp: Path, stage: str, records: Path, *extra: str) -> dict:
    out = _run(tmp, "sheets", stage, records, *extra)
    return json.loads((out / "sheets.json").read_text())


def _reconcile(tmp: Path, stage: str, records: Path, *extra: str) -> tuple[dict, list[dict]]:
    out = _run(tmp, "reconcile", stage, records, *extra)
    with (out / "decisions.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return json.loads((out / "agreement.json").read_text()), rows


def _typed(path: Path) -> dict[str, tuple[str, str, str]]:
    table = read_table(path)
    return {r["record_id"]: (r["decision"], r["reason"], r["notes"]) for _, r in table.rows}


@pytest.fixture(scope="module")
def real_records(shared_data: Path) -> list:
    return pubmed_records(shared_data)


def test_whole_cycle(tmp_path: Path, real_records: list) -> None:
    first = real_records[:120]
    records = write_dedup_records(tmp_path / "records.csv", first)
    ids = [r.record_id for r in first]
    ta = tmp_path / "screening" / "title_abstract"

    manifest = _sheets(tmp_path, "title_abstract", records)
    assert [s["rows_added"] for s in manifest["sheets"]] == [120, 120]
    assert (ta / "conflicts.xlsx").is_file()

    # Two reviewers, blind, typing into their own files.
    plan = {
        0: ("include", "include"),
        1: ("include", "include"),
        2: ("include", "include"),
        3: ("exclude", "exclude"),
        4: ("exclude", "exclude"),
        5: ("exclude", "exclude"),
        6: ("include", "exclude"),
        7: ("maybe", "include"),
        8: ("include", ""),
        9: ("", ""),
    }
    for who, side in (("reviewer1", 0), ("reviewer2", 1)):
        decisions = {}
        for i, rid in enumerate(ids):
            decision = plan[i % 10][side]
            decisions[rid] = (decision, "wrong population" if decision == "exclude" else "")
        type_decisions(ta / f"{who}.xlsx", decisions)

    stats, rows = _reconcile(tmp_path, "title_abstract", records)
    assert stats["outcomes"] == {
        "agree_include": 36,
        "agree_exclude": 36,
        "resolved": 0,
        "conflict": 24,
        "pending": 24,
        "not_retrieved": 0,
    }
    assert stats["progress"]["reviewer1"]["decided"] == 108
    assert stats["progress"]["reviewer2"]["decided"] == 96
    assert stats["n"] == 96
    conflicts = read_table(ta / "conflicts.xlsx")
    assert len(conflicts.rows) == 24
    by_id = {r["record_id"]: r for _, r in conflicts.rows}
    sample = by_id[ids[6]]
    assert (sample["first_decision"], sample["second_decision"]) == ("include", "exclude")
    assert sample["second_reason"] == "wrong population"

    # A third reviewer resolves the conflicts in the conflicts sheet.
    type_cells(
        ta / "conflicts.xlsx",
        "resolution",
        {
            rid: "exclude" if i % 10 == 6 else "include"
            for i, rid in enumerate(ids)
            if i % 10 in (6, 7)
        },
    )
    type_cells(
        ta / "conflicts.xlsx",
        "resolution_reason",
        {rid: "Wrong  Concept" for i, rid in enumerate(ids) if i % 10 == 6},
    )
    before = (ta / "conflicts.xlsx").stat().st_mtime_ns
    stats, rows = _reconcile(tmp_path, "title_abstract", records)
    assert (ta / "conflicts.xlsx").stat().st_mtime_ns == before  # nothing new to append
    assert stats["outcomes"]["resolved"] == 24
    assert stats["final"] == {"include": 48, "exclude": 48, "not_retrieved": 0, "pending": 24}
    resolved = {r["record_id"]: r for r in rows}
    assert resolved[ids[6]]["final"] == "exclude"
    assert resolved[ids[6]]["reason"] == "wrong concept"  # typed spelling normalised
    assert resolved[ids[3]]["reason"] == "wrong population"
    assert resolved[ids[6]]["reviewer2_decision"] == "exclude"

    # Full text: only the 48 included records.
    decisions_ta = tmp_path / "results" / "title_abstract" / "decisions.csv"
    include_from = ("--include-from", str(decisions_ta))
    manifest = _sheets(tmp_path, "full_text", records, *include_from)
    assert [s["rows"] for s in manifest["sheets"]] == [48, 48]
    ft = tmp_path / "screening" / "full_text"
    ft_ids = [r["record_id"] for _, r in read_table(ft / "reviewer1.xlsx").rows]
    ft_plan = [
        ("include", "", "include", ""),
        ("exclude", "wrong concept", "exclude", "wrong concept"),
        ("not_retrieved", "", "not_retrieved", ""),
        ("include", "", "exclude", "wrong context"),
    ]
    for who, side in (("reviewer1", 0), ("reviewer2", 2)):
        type_decisions(
            ft / f"{who}.xlsx",
            {rid: ft_plan[j % 4][side : side + 2] for j, rid in enumerate(ft_ids)},
        )
    stats, rows = _reconcile(tmp_path, "full_text", records, *include_from)
    assert stats["outcomes"] == {
        "agree_include": 12,
        "agree_exclude": 12,
        "resolved": 0,
        "conflict": 12,
        "pending": 0,
        "not_retrieved": 12,
    }
    assert {r["reason"] for r in rows if r["final"] == "exclude"} == {"wrong concept"}
    assert sum(r["final"] == "not_retrieved" for r in rows) == 12

    # An update of the search: 43 new records; two old ones merged away as duplicates.
    typed_before = {who: _typed(ta / f"{who}.xlsx") for who in ("reviewer1", "reviewer2")}
    dropped = {ids[0], ids[3]}
    updated = [r for r in first if r.record_id not in dropped] + real_records[120:]
    records = write_dedup_records(tmp_path / "records.csv", updated)
    manifest = _sheets(tmp_path, "title_abstract", records)
    added = len(real_records) - 120
    for sheet in manifest["sheets"]:
        assert (sheet["rows"], sheet["rows_added"], sheet["rows_marked"]) == (163, added, 2)
        assert Path(sheet["backup"]).is_file()
    for who in ("reviewer1", "reviewer2"):
        table = read_table(ta / f"{who}.xlsx")
        after = {r["record_id"]: (r["decision"], r["reason"], r["notes"]) for _, r in table.rows}
        assert {k: after[k] for k in typed_before[who]} == typed_before[who]  # nothing lost
        tail = table.rows[-added:]
        assert [r["record_id"] for _, r in tail] == [r.record_id for r in real_records[120:]]
        assert {r["batch"] for _, r in tail} == {"2"}
        assert tail[0][0] == 122  # appended below the old rows
        status = {r["record_id"]: r["status"] for _, r in table.rows}
        assert status[ids[0]] == WITHDRAWN_RECORDS and status[ids[1]] == ""
    stats, rows = _reconcile(tmp_path, "title_abstract", records)
    assert stats["records"] == 161
    assert stats["outcomes"] == {
        "agree_include": 35,
        "agree_exclude": 35,
        "resolved": 24,
        "conflict": 0,
        "pending": 24 + added,
        "not_retrieved": 0,
    }
    assert dropped.isdisjoint(r["record_id"] for r in rows)

    manifest = _sheets(tmp_path, "full_text", records, *include_from)
    assert [(s["rows"], s["rows_added"], s["rows_marked"]) for s in manifest["sheets"]] == [
        (48, 0, 1),
        (48, 0, 1),
    ]
    stats, rows = _reconcile(tmp_path, "full_text", records, *include_from)
    assert stats["records"] == 47 and ids[0] not in {r["record_id"] for r in rows}


def test_unchanged_rerun_leaves_sheets_alone(tmp_path: Path, real_records: list) -> None:
    records = write_dedup_records(tmp_path / "records.csv", real_records[:30])
    _sheets(tmp_path, "title_abstract", records)
    folder = tmp_path / "screening" / "title_abstract"
    files = sorted(folder.glob("*.xlsx"))
    assert [f.name for f in files] == ["conflicts.xlsx", "reviewer1.xlsx", "reviewer2.xlsx"]
    type_decisions(folder / "reviewer1.xlsx", {real_records[0].record_id: ("include", "")})
    type_decisions(folder / "reviewer2.xlsx", {real_records[0].record_id: ("exclude", "")})
    _reconcile(tmp_path, "title_abstract", records)  # appends one conflict
    snapshot = {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    manifest = _sheets(tmp_path, "title_abstract", records)
    assert manifest["rows_added"] == 0
    _reconcile(tmp_path, "title_abstract", records)
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns) for f in files} == snapshot
    assert len(list((folder / ".backup").glob("conflicts.*.xlsx"))) == 1


def test_offline_demo_with_seeds_and_settings(tmp_path: Path, real_records: list) -> None:
    """The demo's path: settings JSON, typed values and resolutions seeded from CSV files."""
    records = write_dedup_records(tmp_path / "records.csv", real_records[:6])
    ids = [r.record_id for r in real_records[:6]]
    seeds = tmp_path / "seeds" / "title_abstract"
    seeds.mkdir(parents=True)
    for name, decisions in (("ann", "iiieex"), ("bob", "iieeee")):
        lines = ["record_id,decision,reason,notes"]
        for rid, d in zip(ids, decisions, strict=True):
            lines.append(
                f"{rid},{'include' if d == 'i' else 'exclude'},"
                f"{'' if d == 'i' else 'not in scope'},"
            )
        (seeds / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (seeds / "conflicts.csv").write_text(
        f"record_id,resolution,resolution_reason\n{ids[2]},include,\n", encoding="utf-8"
    )
    settings = json.dumps(
        {"reviewers": ["ann", "bob"], "format": "csv", "seed_dir": str(tmp_path / "seeds")}
    )
    manifest = _sheets(tmp_path, "title_abstract", records, "--settings", settings)
    assert [Path(s["path"]).name for s in manifest["sheets"]] == ["ann.csv", "bob.csv"]
    stats, rows = _reconcile(tmp_path, "title_abstract", records, "--settings", settings)
    assert stats["outcomes"]["resolved"] == 1 and stats["conflicts_added"] == 1
    assert [r["final"] for r in rows] == [
        "include",
        "include",
        "include",
        "exclude",
        "exclude",
        "exclude",
    ]
    assert rows[3]["reason"] == "not in scope"
    conflicts = read_table(tmp_path / "screening" / "title_abstract" / "conflicts.csv")
    assert [(r["record_id"], r["resolution"]) for _, r in conflicts.rows] == [(ids[2], "include")]


def _merged_into(records: Path, merges: dict[str, list[str]]) -> Path:
    """The records file after dedup merged each ``gone`` into its ``keep`` (``member_ids``)."""
    out = records.with_name("records_merged.csv")
    gone = {g for group in merges.values() for g in group}
    with records.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        kept = [r for r in reader if r["record_id"] not in gone]
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*(reader.fieldnames or []), "member_ids"])
        writer.writeheader()
        for row in kept:
            ids = [row["record_id"], *merges.get(row["record_id"], [])]
            writer.writerow(row | {"member_ids": "; ".join(ids)})
    return out


def test_decisions_follow_a_merge_and_a_disagreement_becomes_a_conflict(
    tmp_path: Path, real_records: list
) -> None:
    """Issue 11: a merge once took one member's decisions silently and dropped the others'."""
    first = real_records[:6]
    ids = [r.record_id for r in first]
    records = write_dedup_records(tmp_path / "records.csv", first)
    ta = tmp_path / "screening" / "title_abstract"
    _sheets(tmp_path, "title_abstract", records)
    # Both exclude record 0; both include record 1. Reviewer 1 includes 2, excludes 3.
    for who, fourth in (("reviewer1", "exclude"), ("reviewer2", "include")):
        typed = {ids[0]: "exclude", ids[1]: "include", ids[2]: "include", ids[3]: fourth}
        type_decisions(ta / f"{who}.xlsx", {k: (v, "") for k, v in typed.items()})
    _reconcile(tmp_path, "title_abstract", records)

    # Dedup now finds 1 is the same as 0, and 3 the same as 2 (kept under 2's ID).
    merged = _merged_into(records, {ids[0]: [ids[1]], ids[2]: [ids[3]]})
    manifest = _sheets(tmp_path, "title_abstract", merged)
    assert manifest["rows_added"] == 0  # nothing screened goes back to the screeners
    status = {r["record_id"]: r["status"] for _, r in read_table(ta / "reviewer1.xlsx").rows}
    assert status[ids[1]] == f"merged: this decision counts for {ids[0]} (the same record)"
    _, rows = _reconcile(tmp_path, "title_abstract", merged)
    by_id = {r["record_id"]: r for r in rows}
    assert set(by_id) == {ids[0], ids[2], ids[4], ids[5]}
    # Both reviewers excluded 0 and included 1: each reviewer's rows disagree -> a conflict.
    assert by_id[ids[0]]["outcome"] == "conflict" and by_id[ids[0]]["merged_rows"] == ids[1]
    conflicts = {r["record_id"]: r for _, r in read_table(ta / "conflicts.xlsx").rows}
    message = conflicts[ids[0]]["status"]
    assert f"exclude for {ids[0]} (row 2)" in message and f"include for {ids[1]} (row 3)" in message
    # Reviewer 1's rows for 2 and 3 disagree too; reviewer 2's agree (include).
    assert by_id[ids[2]]["outcome"] == "conflict"
    assert by_id[ids[2]]["reviewer2_decision"] == "include"
    assert "reviewer1 typed include" in conflicts[ids[2]]["status"]
    # The adjudicator settles both; the resolutions count, no typed cell changed.
    type_cells(ta / "conflicts.xlsx", "resolution", {ids[0]: "exclude", ids[2]: "include"})
    _, rows = _reconcile(tmp_path, "title_abstract", merged)
    by_id = {r["record_id"]: r for r in rows}
    assert (by_id[ids[0]]["final"], by_id[ids[2]]["final"]) == ("exclude", "include")
    assert _typed(ta / "reviewer1.xlsx")[ids[1]] == ("include", "", "")


def test_agreeing_decisions_carry_to_the_merged_record(tmp_path: Path, real_records: list) -> None:
    first = real_records[:3]
    ids = [r.record_id for r in first]
    records = write_dedup_records(tmp_path / "records.csv", first)
    ta = tmp_path / "screening" / "title_abstract"
    _sheets(tmp_path, "title_abstract", records)
    for who in ("reviewer1", "reviewer2"):
        type_decisions(ta / f"{who}.xlsx", {ids[1]: ("exclude", ""), ids[2]: ("exclude", "")})
    # Record 1 merges into 0 (which nobody has screened yet): its exclusions carry, explicitly.
    merged = _merged_into(records, {ids[0]: [ids[1]]})
    assert _sheets(tmp_path, "title_abstract", merged)["rows_added"] == 0
    _, rows = _reconcile(tmp_path, "title_abstract", merged)
    by_id = {r["record_id"]: r for r in rows}
    assert by_id[ids[0]]["outcome"] == "agree_exclude"
    assert by_id[ids[0]]["merged_rows"] == ids[1]
    assert (by_id[ids[0]]["reviewer1_decision"], by_id[ids[0]]["reviewer2_decision"]) == (
        "exclude",
        "exclude",
    )
