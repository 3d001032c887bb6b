"""Accuracy on real labelled sets (the bib-dedupe benchmark): precision first."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoping.dedup.engine import deduplicate
from scoping.dedup.evaluate import pairwise_scores, read_true_groups
from scoping.dedup.inputs import read_input


@pytest.mark.parametrize(
    ("name", "min_recall"),
    [("stroke", 0.99), ("cytology_screening", 0.99), ("digital_work", 0.998)],
)
def test_labelled_set(shared_data: Path, name: str, min_recall: float) -> None:
    folder = shared_data / "dedup" / "bibdedupe_benchmark" / name
    hits = read_input(folder / "records_pre_merged.csv")
    result = deduplicate(hits.records)
    scores = pairwise_scores(
        dict(zip(hits.own_ids, result.cluster_ids, strict=True)),
        read_true_groups(folder / "merged_record_ids.csv"),
    )
    assert scores.precision >= 0.995
    assert scores.recall >= min_recall


def test_bib_csv_reads_a_proceedings_title_where_the_journal_is_empty(shared_data: Path) -> None:
    folder = shared_data / "dedup" / "bibdedupe_benchmark" / "special_cases"
    hits = read_input(folder / "records_pre_merged.csv")
    by_id = dict(zip(hits.own_ids, hits.records, strict=True))
    # Columns "journal" (empty here) and "booktitle": the importer takes the row's non-empty one.
    from scoping.dedup.features import record_keys

    assert by_id["id_0000001"].journal == "Americas Conference on Information Systems"
    assert by_id["id_0000002"].journal == "Amcis 2017 Proceedings"
    assert record_keys(by_id["id_0000002"]).journal == "amcis 2017 proceedings"


def test_pairwise_scores_count_pairs_not_records() -> None:
    scores = pairwise_scores({"a": "1", "b": "1", "c": "1", "d": "2"}, [["a", "b"], ["c", "d"]])
    assert (scores.true_positives, scores.predicted, scores.actual) == (1, 3, 2)
    assert scores.precision == pytest.approx(1 / 3) and scores.recall == 0.5


def test_blocking_compares_few_pairs_and_misses_no_labelled_pair(shared_data: Path) -> None:
    from scoping.dedup.blocking import candidate_pairs
    from scoping.dedup.features import record_keys
    from scoping.dedup.settings import DedupSettings

    folder = shared_data / "dedup" / "bibdedupe_benchmark" / "stroke"
    hits = read_input(folder / "records_pre_merged.csv")
    keys = [record_keys(h) for h in hits.records]
    pairs = set(candidate_pairs(keys, DedupSettings()))
    n = len(keys)
    assert len(pairs) < 5 * n  # all pairs would be n * (n - 1) / 2 = 834,000
    index = {own: i for i, own in enumerate(hits.own_ids)}
    labelled = []
    for group in read_true_groups(folder / "merged_record_ids.csv"):
        ids = sorted(index[g] for g in group)
        labelled += [(i, j) for x, i in enumerate(ids) for j in ids[x + 1 :]]
    assert len(labelled) == 479
    assert all(pair in pairs for pair in labelled)  # blocking loses none of them


def test_policy_pairs_are_set_aside_only_in_the_second_figure() -> None:
    from dedup_helpers import rec

    from scoping.dedup.evaluate import policy_pairs
    from scoping.dedup.features import record_keys

    title = "Eculizumab for atypical hemolytic-uremic syndrome"
    records = [
        rec("medline", "1", title=title, authors="Nurnberger J", year="2009", pages="542-544"),
        rec("wos", "2", title=f"{title} (vol 360, pg 542, 2009)", authors="Philipp T", year="2009"),
        rec("embase", "3", title=title, authors="Nurnberger J", year="2009", pages="542"),
    ]
    ids = ["a", "b", "c"]
    truth = [["a", "b", "c"]]
    policy = policy_pairs(ids, [record_keys(r) for r in records], truth)
    assert policy == {("a", "b"): "erratum vs article", ("b", "c"): "erratum vs article"}
    ours = {"a": "x", "b": "y", "c": "x"}
    plain = pairwise_scores(ours, truth)
    aside = pairwise_scores(ours, truth, set_aside=policy)
    assert (plain.true_positives, plain.actual) == (1, 3)
    assert (aside.true_positives, aside.actual, aside.recall) == (1, 1, 1.0)


def test_pairs_the_tool_merges_are_not_policy_pairs() -> None:
    from dedup_helpers import rec

    from scoping.dedup.evaluate import policy_reason
    from scoping.dedup.features import record_keys

    abstract = "Project sponsorship is assumed to be critical to the success of projects. " * 4
    article = rec("ais", "1", title="Sponsorship and IT vendor management", abstract=abstract)
    erratum = rec("ais", "2", title="Erratum to - Sponsorship and IT vendor management")
    copied = rec("ais", "3", title=erratum.title, abstract=abstract)
    keys = [record_keys(r) for r in (article, erratum, copied)]
    assert policy_reason(keys[0], keys[1]) == "erratum vs article"
    assert policy_reason(keys[0], keys[2]) == ""  # carries the article's text: merged
    icis = "International Conference on Information Systems"
    paper = rec("ais", "4", title="Gig work", journal=icis)
    ssrn_copy = rec("ais", "5", title="Gig work", journal=icis, doi="10.2139/ssrn.3266249")
    preprint = rec("ssrn", "6", title="Gig work", journal="SSRN", doi="10.2139/ssrn.3266249")
    paper_k, copy_k, preprint_k = (record_keys(r) for r in (paper, ssrn_copy, preprint))
    assert policy_reason(paper_k, copy_k) == ""  # same venue: one paper
    assert policy_reason(paper_k, preprint_k) == "preprint vs version (linked)"
