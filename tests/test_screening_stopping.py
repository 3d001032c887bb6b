"""The stopping aid: BUSCAR's hypergeometric test on cases whose answer is known."""

from __future__ import annotations

import math
import random

import pytest
from scipy.stats import hypergeom

from scoping.screening.stopping import (
    buscar_p_value,
    hypergeom_cdf,
    stopping_report,
    unseen_upper_bound,
)


def _reference_p(labels: list[int], total: int, target: float) -> float:
    """BUSCAR's calculate_h0, written out with scipy, for comparison."""
    n, r_seen = len(labels), sum(labels)
    ps = []
    for k in range(1, n + 1):
        in_sample = sum(labels[n - k :])
        needed = math.floor(r_seen / target - (r_seen - in_sample) + 1)
        urn = total - (n - k)
        ps.append(0.0 if needed > urn else float(hypergeom.cdf(in_sample, urn, needed, k)))
    return min(ps)


def test_hypergeometric_cdf_matches_scipy() -> None:
    for population, successes, draws in ((50, 5, 10), (1000, 40, 200), (300, 0, 30)):
        for k in range(0, min(draws, successes) + 1):
            assert hypergeom_cdf(
                k, population=population, successes=successes, draws=draws
            ) == pytest.approx(float(hypergeom.cdf(k, population, successes, draws)), abs=1e-12)


def test_all_includes_found_early_rejects_low_recall() -> None:
    # 1,000 records; ranking put the 100 includes among the first 200; 600 excludes follow.
    # (After only 300 excludes p is still 0.059: with 500 records unseen, 6 missed includes,
    # enough for recall below 95%, could hide there.)
    rng = random.Random(3)
    head = [1] * 100 + [0] * 100
    rng.shuffle(head)
    early = buscar_p_value(head + [0] * 300, total=1000)
    assert early is not None and 0.05 < early < 0.07
    labels = head + [0] * 600
    p = buscar_p_value(labels, total=1000)
    assert p is not None and p < 0.001
    assert p == pytest.approx(_reference_p(labels, 1000, 0.95), rel=1e-9)
    report = stopping_report(labels, total=1000)
    assert report.recall_target_reached and report.records_left == 200
    assert report.includes_found == 100 and report.includes_in_window == 0


def test_includes_still_arriving_means_keep_screening() -> None:
    labels = [1] * 20 + [0] * 80 + [1, 0] * 10  # 10 includes among the last 20 screened
    p = buscar_p_value(labels, total=2000)
    assert p is not None and p > 0.5
    assert p == pytest.approx(_reference_p(labels, 2000, 0.95), rel=1e-9)
    assert not stopping_report(labels, total=2000).recall_target_reached


def test_random_sequences_agree_with_the_reference() -> None:
    rng = random.Random(11)
    for _ in range(20):
        n = rng.randint(5, 120)
        labels = [int(rng.random() < 0.2) for _ in range(n)]
        total = n + rng.randint(0, 400)
        got = buscar_p_value(labels, total=total, recall_target=0.9)
        if sum(labels) == 0:
            assert got is None
        else:
            assert got == pytest.approx(_reference_p(labels, total, 0.9), rel=1e-9, abs=1e-15)


def test_unseen_upper_bound_is_the_largest_count_not_rejected() -> None:
    # The last 50 screened held no include; 550 records were unscreened before them.
    labels = [1] * 30 + [0] * 420 + [0] * 50
    bound = unseen_upper_bound(labels, total=1000, window=50)
    assert bound is not None
    assert hypergeom.cdf(0, 550, bound, 50) >= 0.05 > hypergeom.cdf(0, 550, bound + 1, 50)
    assert 25 <= bound <= 35  # about 550 * (1 - 0.05 ** (1 / 50))
