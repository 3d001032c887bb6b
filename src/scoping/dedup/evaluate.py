"""Pairwise precision, recall and F1 of a clustering against labelled duplicate groups."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class PairwiseScores:
    """Counts of duplicate pairs and the figures made from them."""

    true_positives: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.actual if self.actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in groups:
        out.update(itertools.combinations(sorted(set(group)), 2))
    return out


def pairwise_scores(
    cluster_of: Mapping[str, str], true_groups: Iterable[Iterable[str]]
) -> PairwiseScores:
    """Score ``cluster_of`` (item ID -> cluster ID) against the labelled duplicate groups."""
    members: dict[str, list[str]] = defaultdict(list)
    for item, cluster_id in cluster_of.items():
        members[cluster_id].append(item)
    predicted, actual = _pairs(members.values()), _pairs(true_groups)
    return PairwiseScores(len(predicted & actual), len(predicted), len(actual))


def read_true_groups(path: str | Path) -> list[list[str]]:
    """Duplicate groups of a bib-dedupe ``merged_record_ids.csv`` (IDs joined by ``;``)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [row["merged_ids"].split(";") for row in csv.DictReader(handle)]
