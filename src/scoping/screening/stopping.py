"""When screening in priority order may stop: a stated test, never a promise.

The test is BUSCAR's (Callaghan and Müller-Hansen 2020, "Statistical stopping criteria for
automated screening in systematic reviews", Systematic Reviews 9:273). Treat the last ``k``
records screened as a sample drawn without replacement from the records that were still
unscreened before them (an urn). If recall were below the target, the urn would have held at
least ``K = floor(r_seen / target - r_before + 1)`` includes; the p-value is the chance of
seeing as few includes as the sample holds when the urn has ``K``. The smallest p-value over
every ``k`` is reported: below ``alpha``, the hypothesis "recall is below the target" is
rejected. Screening in priority order puts likely includes first, so the records after the
sample hold fewer includes than a random draw would: the test is conservative there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

METHOD = (
    "BUSCAR hypergeometric test (Callaghan and Mueller-Hansen 2020): H0 'recall is below "
    "the target', p-value minimised over every run of last-screened records"
)


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def hypergeom_cdf(k: int, *, population: int, successes: int, draws: int) -> float:
    """P(X <= k) for X ~ Hypergeometric(population, successes, draws), exactly summed."""
    low, high = max(0, draws - (population - successes)), min(draws, successes)
    if k < low:
        return 0.0
    if k >= high:
        return 1.0
    denominator = _log_comb(population, draws)
    total = 0.0
    for i in range(low, k + 1):
        total += math.exp(
            _log_comb(successes, i) + _log_comb(population - successes, draws - i) - denominator
        )
    return min(total, 1.0)


def buscar_p_value(
    labels: Sequence[int], *, total: int, recall_target: float = 0.95
) -> float | None:
    """p-value of H0 "recall < ``recall_target``" after screening ``labels`` (1 include,
    0 exclude, in the order screened) out of ``total`` records; ``None`` before any include."""
    if not 0 < recall_target < 1:
        raise ValueError("recall_target must be between 0 and 1")
    n_seen = len(labels)
    if n_seen > total:
        raise ValueError(f"{n_seen} records screened of {total}")
    r_seen = sum(labels)
    if r_seen == 0:
        return None
    best = 1.0
    in_sample = 0
    for k in range(1, n_seen + 1):  # the sample: the last k screened
        in_sample += labels[n_seen - k]
        r_before = r_seen - in_sample
        urn = total - (n_seen - k)
        needed = math.floor(r_seen / recall_target - r_before + 1)
        if needed > urn:
            best = 0.0  # recall below the target would need more includes than records
            break
        p = hypergeom_cdf(in_sample, population=urn, successes=needed, draws=k)
        best = min(best, p)
    return best


@dataclass(frozen=True, slots=True)
class StoppingReport:
    """What ``priority.json`` says about stopping, with the method spelled out."""

    screened: int
    includes_found: int
    records_left: int
    recall_target: float
    alpha: float
    p_value: float | None
    recall_target_reached: bool
    #: Includes in the last ``window`` records screened, and the largest number of includes
    #: still unseen that is consistent with them at level ``alpha`` (a hypergeometric bound).
    window: int
    includes_in_window: int
    unseen_includes_upper: int | None
    method: str = METHOD

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def unseen_upper_bound(
    labels: Sequence[int], *, total: int, window: int, alpha: float = 0.05
) -> int | None:
    """The most includes the unscreened records could hold, given the last ``window`` screened
    (a sample from the records unscreened before them), at level ``alpha``."""
    n_seen = len(labels)
    if window <= 0 or n_seen == 0:
        return None
    window = min(window, n_seen)
    in_window = sum(labels[n_seen - window :])
    urn = total - (n_seen - window)
    left = total - n_seen
    # The largest K (includes in the urn) under which seeing so few in the window is not rare.
    best = in_window
    for urn_includes in range(in_window, in_window + left + 1):
        p = hypergeom_cdf(in_window, population=urn, successes=urn_includes, draws=window)
        if p < alpha:
            break
        best = urn_includes
    return best - in_window


def stopping_report(
    labels: Sequence[int],
    *,
    total: int,
    recall_target: float = 0.95,
    alpha: float = 0.05,
    window: int | None = None,
) -> StoppingReport:
    """The stopping aid for records screened in priority order (``labels`` in that order)."""
    n_seen = len(labels)
    window = window if window is not None else min(n_seen, max(50, n_seen // 10))
    p_value = buscar_p_value(labels, total=total, recall_target=recall_target)
    return StoppingReport(
        screened=n_seen,
        includes_found=sum(labels),
        records_left=total - n_seen,
        recall_target=recall_target,
        alpha=alpha,
        p_value=p_value,
        recall_target_reached=p_value is not None and p_value < alpha,
        window=window,
        includes_in_window=sum(labels[n_seen - window :]) if window else 0,
        unseen_includes_upper=unseen_upper_bound(labels, total=total, window=window, alpha=alpha),
    )
