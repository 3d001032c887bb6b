"""Pairwise precision, recall and F1 of a clustering against labelled duplicate groups.

Labelled sets count some pairs as duplicates that this tool keeps apart on purpose (issue 5):
an article and its erratum, comment or reply, a conference abstract and the paper, a preprint
and its published version (linked by default). ``policy_pairs`` names them so that a second
figure can set them aside; the plain figure always counts them.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scoping.dedup.compare import journal_similarity
from scoping.dedup.features import Keys, same_abstract
from scoping.dedup.settings import DedupSettings


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
        # 2PR / (P + R) written in counts: equal counts give equal floats (ties stay ties).
        total = self.predicted + self.actual
        return 2 * self.true_positives / total if total else 1.0

    @property
    def counts(self) -> str:
        """``"TP/FP/FN"``: the pairs behind the figures, which decide close comparisons."""
        tp = self.true_positives
        return f"{tp}/{self.predicted - tp}/{self.actual - tp}"


def _pairs(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for group in groups:
        out.update(itertools.combinations(sorted(set(group)), 2))
    return out


def pairwise_scores(
    cluster_of: Mapping[str, str],
    true_groups: Iterable[Iterable[str]],
    *,
    set_aside: Iterable[tuple[str, str]] = (),
) -> PairwiseScores:
    """Score ``cluster_of`` (item ID -> cluster ID) against the labelled duplicate groups.

    ``set_aside``: pairs (sorted ID tuples) counted neither as predicted nor as labelled.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for item, cluster_id in cluster_of.items():
        members[cluster_id].append(item)
    aside = set(set_aside)
    predicted, actual = _pairs(members.values()) - aside, _pairs(true_groups) - aside
    return PairwiseScores(len(predicted & actual), len(predicted), len(actual))


def policy_reason(a: Keys, b: Keys, *, preprints_linked: bool = True) -> str:
    """Why the issue keeps ``a`` and ``b`` apart whatever they share, or ``""``.

    Not among them: a thesis and its Dissertation Abstracts listing, a notice carrying its
    article's abstract word for word, and a "preprint" naming the other's venue (all merged).
    """
    if a.thesis and b.thesis:
        return ""
    if a.notice != b.notice:
        if same_abstract(a, b) and {a.notice, b.notice} == {"erratum", ""}:
            return ""
        return f"{a.notice or b.notice} vs article"
    if a.kind and b.kind and a.kind != b.kind and "paper" in (a.kind, b.kind):
        return f"{a.kind if a.kind != 'paper' else b.kind} vs article"
    if a.conference != b.conference:
        return "conference abstract vs paper"
    same_venue = bool(a.journal and b.journal) and (
        journal_similarity(a.journal, b.journal) >= DedupSettings().journal_threshold
    )
    if preprints_linked and a.preprint != b.preprint and not same_venue:
        return "preprint vs version (linked)"
    return ""


def policy_pairs(
    own_ids: Sequence[str],
    keys: Sequence[Keys],
    true_groups: Iterable[Iterable[str]],
    *,
    preprints_linked: bool = True,
) -> dict[tuple[str, str], str]:
    """Labelled duplicate pairs the issue keeps apart on purpose, with the reason."""
    index = {own: i for i, own in enumerate(own_ids)}
    out: dict[tuple[str, str], str] = {}
    for a, b in _pairs(true_groups):
        reason = policy_reason(keys[index[a]], keys[index[b]], preprints_linked=preprints_linked)
        if reason:
            out[(a, b)] = reason
    return out


def read_true_groups(path: str | Path) -> list[list[str]]:
    """Duplicate groups of a bib-dedupe ``merged_record_ids.csv`` (IDs joined by ``;``)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [row["merged_ids"].split(";") for row in csv.DictReader(handle)]
