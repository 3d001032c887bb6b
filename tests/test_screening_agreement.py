"""Cohen's kappa and its CI, checked against scikit-learn and statsmodels on real-sized sets."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from screening_helpers import bibdedupe_records, write_dedup_records
from sklearn.metrics import cohen_kappa_score

from scoping.screening import ScreeningSettings, cohen_kappa, reconcile_stage, update_sheets
from scoping.screening.tables import read_table


def test_kappa_ci_matches_statsmodels_on_a_fixed_table() -> None:
    cats = ("include", "exclude", "maybe")
    table = ((88, 10, 2), (14, 40, 6), (4, 7, 29))
    first, second = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            first += [cats[i]] * count
            second += [cats[j]] * count
    got = cohen_kappa(first, second)
    # statsmodels.stats.inter_rater.cohens_kappa(table): kappa, std_kappa, kappa_low, kappa_upp
    assert got["kappa"] == pytest.approx(0.6489795918367347, abs=1e-12)
    assert got["kappa_se"] == pytest.approx(0.04678510736796956, abs=1e-12)
    assert got["kappa_ci_low"] == pytest.approx(0.5572824663826749, abs=1e-9)
    assert got["kappa_ci_high"] == pytest.approx(0.7406767172907945, abs=1e-9)
    assert got["percent_agreement"] == pytest.approx(100 * 157 / 200)


def test_kappa_undefined_when_one_category() -> None:
    got = cohen_kappa(["exclude"] * 5, ["exclude"] * 5)
    assert got["kappa"] is None and got["percent_agreement"] == 100.0


@pytest.mark.parametrize("policy", ["conflict", "include", "exclude"])
def test_reconcile_kappa_equals_sklearn_on_1856_records(
    tmp_path: Path, shared_data: Path, policy: str
) -> None:
    records = bibdedupe_records(shared_data)
    assert len(records) == 1856
    write_dedup_records(tmp_path / "records.csv", records)
    settings = ScreeningSettings(format="csv", maybe_policy=policy)
    update_sheets(
        stage="title_abstract",
        records_path=tmp_path / "records.csv",
        include_from=None,
        directory=tmp_path / "screening",
        settings=settings,
    )
    rng = random.Random(20261122)
    choices = ["include", "exclude", "exclude", "exclude", "maybe", ""]
    typed: dict[str, dict[str, str]] = {"reviewer1": {}, "reviewer2": {}}
    for rec in records:
        a = rng.choice(choices)
        b = a if rng.random() < 0.75 else rng.choice(choices)
        typed["reviewer1"][rec.record_id], typed["reviewer2"][rec.record_id] = a, b
    for name, decisions in typed.items():
        path = tmp_path / "screening" / "title_abstract" / f"{name}.csv"
        table = read_table(path)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=table.header)
            writer.writeheader()
            for _, row in table.rows:
                decision = decisions[row["record_id"]]
                reason = "wrong concept" if decision == "exclude" else ""
                writer.writerow(row | {"decision": decision, "reason": reason})
    stats = reconcile_stage(
        stage="title_abstract",
        records_path=tmp_path / "records.csv",
        include_from=None,
        directory=tmp_path / "screening",
        output=tmp_path / "decisions.csv",
        agreement_path=tmp_path / "agreement.json",
        settings=settings,
    )
    mapped = {"maybe": policy} if policy != "conflict" else {}
    pairs = [(typed["reviewer1"][r.record_id], typed["reviewer2"][r.record_id]) for r in records]
    pairs = [(mapped.get(a, a), mapped.get(b, b)) for a, b in pairs if a and b]
    assert stats["n"] == len(pairs) > 1000
    expected = cohen_kappa_score([a for a, _ in pairs], [b for _, b in pairs])
    assert stats["kappa"] == pytest.approx(expected, abs=1e-9)
    assert stats["kappa_ci_low"] < stats["kappa"] < stats["kappa_ci_high"]
    saved = json.loads((tmp_path / "agreement.json").read_text())
    assert saved["kappa"] == stats["kappa"] and saved["maybe_policy"] == policy
    agree = sum(a == b for a, b in pairs)
    assert saved["percent_agreement"] == pytest.approx(100 * agree / len(pairs))
    # Outcomes follow the policy: with 'conflict' every maybe is a conflict.
    n_conflict = sum(a != b or a == "maybe" for a, b in pairs)
    assert saved["outcomes"]["conflict"] == n_conflict


def test_conflicts_sheet_shows_every_reviewer_when_three_screen_everything(
    tmp_path: Path, shared_data: Path
) -> None:
    records = bibdedupe_records(shared_data)[:6]
    write_dedup_records(tmp_path / "records.csv", records)
    settings = ScreeningSettings(format="csv", reviewers=["ann", "bob", "cy"])
    folder = tmp_path / "screening" / "title_abstract"
    kwargs = dict(
        stage="title_abstract",
        records_path=tmp_path / "records.csv",
        include_from=None,
        directory=tmp_path / "screening",
        settings=settings,
    )
    update_sheets(**kwargs)
    typed = {"ann": "include", "bob": "include", "cy": "exclude"}
    for name, decision in typed.items():
        path = folder / f"{name}.csv"
        table = read_table(path)
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=table.header)
            writer.writeheader()
            for _, row in table.rows:
                reason = "wrong context" if decision == "exclude" else ""
                notes = "abstract only" if name == "cy" else ""
                writer.writerow(row | {"decision": decision, "reason": reason, "notes": notes})
    stats = reconcile_stage(
        **kwargs, output=tmp_path / "decisions.csv", agreement_path=tmp_path / "agreement.json"
    )
    assert stats["outcomes"]["conflict"] == 6
    rows = [row for _, row in read_table(folder / "conflicts.csv").rows]
    assert len(rows) == 6
    # ann and bob agree; the disagreement is cy's, which the adjudicator must see.
    assert {(r["first_decision"], r["second_decision"]) for r in rows} == {("include", "include")}
    assert {r["other_reviewers"] for r in rows} == {"cy: exclude (wrong context) - abstract only"}
