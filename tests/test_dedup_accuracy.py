"""Accuracy on real labelled sets (the bib-dedupe benchmark): precision first."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoping.dedup.engine import deduplicate
from scoping.dedup.evaluate import pairwise_scores, read_true_groups
from scoping.dedup.inputs import read_bib_csv


@pytest.mark.parametrize(("name", "min_recall"), [("stroke", 0.99), ("cytology_screening", 0.99)])
def test_labelled_set(shared_data: Path, name: str, min_recall: float) -> None:
    folder = shared_data / "dedup" / "bibdedupe_benchmark" / name
    hits = read_bib_csv(folder / "records_pre_merged.csv")
    result = deduplicate(hits.records)
    scores = pairwise_scores(
        dict(zip(hits.own_ids, result.cluster_ids, strict=True)),
        read_true_groups(folder / "merged_record_ids.csv"),
    )
    assert scores.precision >= 0.995
    assert scores.recall >= min_recall


def test_pairwise_scores_count_pairs_not_records() -> None:
    scores = pairwise_scores({"a": "1", "b": "1", "c": "1", "d": "2"}, [["a", "b"], ["c", "d"]])
    assert (scores.true_positives, scores.predicted, scores.actual) == (1, 3, 2)
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == 0.5
