"""Screening prioritisation: rank undecided records by their estimated chance of inclusion.

The model is the one active-learning screening tools default to: TF-IDF of title and abstract
(word unigrams and bigrams, sublinear term frequency) and a linear classifier whose class weights
balance the few includes against the many excludes. It is retrained from scratch on every call,
so the ranking depends only on the texts, the labels and the seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

__all__ = ["Features", "featurise", "rank_records"]


@dataclass(frozen=True)
class Features:
    """TF-IDF rows of a fixed set of records, in ``ids`` order (reusable across retrains)."""

    ids: tuple[str, ...]
    matrix: csr_matrix


def featurise(texts: Mapping[str, str]) -> Features:
    """TF-IDF features of ``texts`` (record ID -> title and abstract), rows in sorted-ID order."""
    ids = tuple(sorted(texts))
    vectoriser = TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        # A term seen in one record only cannot link it to another; dropping those halves the
        # vocabulary (and the fit time) of a bigram model.
        min_df=2,
        # Terms in nearly every record rank nothing (ASReview's default drops them too); in the
        # simulation this found 95% of includes in up to 29 fewer records per set.
        max_df=0.95,
        strip_accents="unicode",
        dtype=np.float32,
    )
    try:
        matrix = vectoriser.fit_transform([texts[i] for i in ids])
    except ValueError:
        # No term left (empty texts, or too few records for min_df and max_df): all rows zero.
        matrix = csr_matrix((len(ids), 1), dtype=np.float32)
    return Features(ids=ids, matrix=csr_matrix(matrix))


def rank_records(
    *,
    texts: Mapping[str, str],
    labels: Mapping[str, int],
    seed: int = 0,
    min_each: int = 1,
    features: Features | None = None,
) -> list[tuple[str, float]]:
    """Undecided record IDs (in ``texts``, not ``labels``) with scores, most likely include first.

    ``labels`` maps record IDs to 1 (include) or 0 (exclude). The score is the model's probability
    of inclusion; ties are broken by record ID. With fewer than ``min_each`` includes or excludes
    there is no model: the order is the sorted IDs shuffled by ``random.Random(seed)``, score 0.0.
    ``features`` (from :func:`featurise` on the same ``texts``) skips refitting the TF-IDF.
    """
    unknown = sorted(set(labels) - set(texts))
    if unknown:
        raise ValueError(f"labels for records without text: {unknown[:5]}")
    bad = sorted(i for i, v in labels.items() if v not in (0, 1))
    if bad:
        raise ValueError(f"labels must be 0 or 1; not for {bad[:5]}")
    undecided = sorted(set(texts) - set(labels))
    includes = sum(1 for v in labels.values() if v == 1)
    if min(includes, len(labels) - includes) < max(min_each, 1):
        random.Random(seed).shuffle(undecided)
        return [(i, 0.0) for i in undecided]
    if not undecided:
        return []
    if features is None:
        features = featurise(texts)
    elif set(features.ids) != set(texts):
        raise ValueError("features were computed for other records than texts")
    row = {record: n for n, record in enumerate(features.ids)}
    train = sorted(labels)
    model = LogisticRegression(
        # Includes are typically 1-10% of records: unweighted, the model would learn "exclude".
        class_weight="balanced",
        # Weak regularisation: at the start there are only a handful of labels, and TF-IDF rows
        # are sparse and unit-length, so the default C=1 keeps all scores near the prior.
        C=10.0,
        solver="liblinear",
        # Fixed, not the seed: the seed only orders records when there is no model.
        random_state=0,
    )
    model.fit(features.matrix[[row[i] for i in train]], [labels[i] for i in train])
    scores = model.predict_proba(features.matrix[[row[i] for i in undecided]])[:, 1]
    ranked = sorted(zip(undecided, scores.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
    return ranked
