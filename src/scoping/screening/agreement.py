"""Agreement between two reviewers: percent agreement and Cohen's kappa with a 95% CI."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

_Z95 = 1.959963984540054


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> dict[str, float | int | None]:
    """Cohen's kappa of two raters over the same items, with its asymptotic 95% CI.

    The standard error is the large-sample one of Fleiss, Cohen and Everitt (1969), as in most
    statistics packages. ``kappa`` is ``None`` when chance agreement is 1 (both raters used one
    and the same category throughout), where kappa is undefined.
    """
    if len(first) != len(second):
        raise ValueError("both raters must rate the same items")
    n = len(first)
    result: dict[str, float | int | None] = {
        "n": n,
        "percent_agreement": None,
        "kappa": None,
        "kappa_se": None,
        "kappa_ci_low": None,
        "kappa_ci_high": None,
    }
    if n == 0:
        return result
    categories = sorted(set(first) | set(second))
    joint = Counter(zip(first, second, strict=True))
    rows = Counter(first)
    cols = Counter(second)
    p = {(a, b): joint[(a, b)] / n for a in categories for b in categories}
    pr = {c: rows[c] / n for c in categories}
    pc = {c: cols[c] / n for c in categories}
    po = sum(p[(c, c)] for c in categories)
    pe = sum(pr[c] * pc[c] for c in categories)
    result["percent_agreement"] = 100.0 * po
    if pe >= 1.0:
        return result
    kappa = (po - pe) / (1.0 - pe)
    a = sum(p[(c, c)] * (1.0 - (pr[c] + pc[c]) * (1.0 - kappa)) ** 2 for c in categories)
    b = (1.0 - kappa) ** 2 * sum(
        p[(i, j)] * (pc[i] + pr[j]) ** 2 for i in categories for j in categories if i != j
    )
    c = (kappa - pe * (1.0 - kappa)) ** 2
    se = math.sqrt(max(a + b - c, 0.0) / n) / (1.0 - pe)
    result.update(
        kappa=kappa,
        kappa_se=se,
        kappa_ci_low=max(-1.0, kappa - _Z95 * se),
        kappa_ci_high=min(1.0, kappa + _Z95 * se),
    )
    return result
