"""Deduplication passes: exact identifiers, blocked fuzzy comparison, people's decisions.

Every input hit is a node. Hits with the same ``record_id`` are one record (the same PMID found
by two searches). Unions run from the most to the least certain evidence: same record ID,
people's "same" decisions, clusters of an earlier run, exact identifiers, then fuzzy merges by
falling score. People's "different" decisions are cannot-links no union may cross.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scoping.dedup.blocking import candidate_pairs
from scoping.dedup.compare import LINK, MERGE, REVIEW, PairDecision, compare, title_similarity
from scoping.dedup.features import Keys, record_keys
from scoping.dedup.settings import DedupSettings
from scoping.dedup.unionfind import UnionFind
from scoping.records import Record

log = logging.getLogger(__name__)

SAME, DIFFERENT = "same", "different"
_ID_RANK = {"pmid": 0, "doi": 1, "ref": 2}


@dataclass(slots=True)
class PairEvent:
    """A decided pair: a merge (or a preprint link) with its evidence."""

    a: int
    b: int
    rule: str
    score: float
    decided_by: str
    action: str = "merge"
    fields: dict[str, float | None] = field(default_factory=dict)


@dataclass(slots=True)
class DedupResult:
    """Clusters of the input hits and the evidence behind them."""

    hits: list[Record]
    cluster_ids: list[str]
    canonical: list[bool]
    merges: list[PairEvent]
    links: list[PairEvent]
    review: list[PairEvent]

    @property
    def n_clusters(self) -> int:
        return len(set(self.cluster_ids))


def canonical_order(record_id: str) -> tuple[int, str]:
    """Sort key of the canonical member: ``pmid-`` before ``doi-`` before ``ref-``, then ID."""
    prefix = record_id.split("-", 1)[0]
    return _ID_RANK.get(prefix, 3), record_id


def pair_key(a: str, b: str) -> tuple[str, str]:
    """Order-free key of a record pair."""
    return (a, b) if a <= b else (b, a)


def deduplicate(
    hits: Sequence[Record],
    *,
    settings: DedupSettings | None = None,
    previous: Mapping[str, str] | None = None,
    decisions: Mapping[tuple[str, str], str] | None = None,
) -> DedupResult:
    """Cluster ``hits``.

    ``previous`` maps record IDs of an earlier run to their cluster IDs (kept unchanged);
    ``decisions`` maps record-ID pairs (``pair_key``) to ``"same"`` or ``"different"``.
    """
    settings = settings or DedupSettings()
    previous = previous or {}
    decisions = decisions or {}
    hits = list(hits)
    n = len(hits)
    uf = UnionFind(n)
    merges: list[PairEvent] = []

    def join(i: int, j: int, rule: str, score: float, by: str, **kw: object) -> None:
        force = bool(kw.pop("force", False))
        if uf.union(i, j, force=force):
            merges.append(PairEvent(i, j, rule, score, by, fields=kw.get("fields") or {}))  # type: ignore[arg-type]

    first_of: dict[str, int] = {}
    for i, hit in enumerate(hits):
        first_of.setdefault(hit.record_id, i)

    # People's "different" decisions bind every later union.
    for (rid_a, rid_b), decision in sorted(decisions.items()):
        if decision == DIFFERENT and rid_a in first_of and rid_b in first_of:
            uf.cannot_link(first_of[rid_a], first_of[rid_b])

    for i, hit in enumerate(hits):
        j = first_of[hit.record_id]
        # A PMID or DOI names one paper; a ref- ID (title, year, first author) does not: a
        # conference abstract and its full paper share it, so those go through comparison.
        if j != i and not hit.record_id.startswith("ref-"):
            join(j, i, "same_record_id", 1.0, "auto", force=True)

    for (rid_a, rid_b), decision in sorted(decisions.items()):
        if decision == SAME and rid_a in first_of and rid_b in first_of:
            join(first_of[rid_a], first_of[rid_b], "review_sheet", 1.0, "human", force=True)

    by_label: dict[str, int] = {}
    for i, hit in enumerate(hits):
        label = previous.get(hit.record_id)
        if label is None:
            continue
        if label in by_label:
            join(by_label[label], i, "previous_run", 1.0, "auto", force=True)
        else:
            by_label[label] = i
    for label, i in by_label.items():
        uf.set_label(i, label)

    keys = [record_keys(hit) for hit in hits]
    _exact_pass(keys, settings, join)

    decided: list[tuple[int, int, PairDecision]] = []
    for i, j in candidate_pairs(keys, settings):
        decision = compare(keys[i], keys[j], settings)
        if decision.outcome != "distinct":
            decided.append((i, j, decision))
    # Most certain first, so a weak pair never blocks a strong one through a label or link.
    decided.sort(key=lambda t: (-t[2].score, hits[t[0]].record_id, hits[t[1]].record_id))
    links: list[PairEvent] = []
    uncertain: list[PairEvent] = []
    for i, j, decision in decided:
        if decision.outcome == MERGE:
            join(i, j, decision.rule, decision.score, "auto", fields=decision.fields)
        elif decision.outcome == LINK:
            links.append(
                PairEvent(i, j, decision.rule, decision.score, "auto", "link", decision.fields)
            )
        elif decision.outcome == REVIEW:
            uncertain.append(
                PairEvent(i, j, decision.rule, decision.score, "auto", "review", decision.fields)
            )

    review = _review_pairs(uncertain, hits, uf, decisions)
    cluster_ids, canonical = _name_clusters(hits, uf)
    log.info(
        "dedup: %d hits, %d clusters, %d merges, %d links, %d pairs for review",
        n,
        len(set(cluster_ids)),
        len(merges),
        len(links),
        len(review),
    )
    return DedupResult(hits, cluster_ids, canonical, merges, links, review)


def _exact_pass(keys: list[Keys], settings: DedupSettings, join: object) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for name in settings.exact_fields:
            value = getattr(k, name)
            if value:
                groups[(name, value)].append(i)
    for (name, _value), members in sorted(groups.items()):
        first = members[0]
        for other in members[1:]:
            a, b = keys[first], keys[other]
            if name == "doi":
                # Errata, replies and book chapters can carry another record's DOI.
                if a.notice != b.notice:
                    continue
                sim, _ = title_similarity(a.title, b.title)
                if a.title and b.title and sim < 0.7:
                    continue
            join(first, other, f"exact_{name}", 1.0, "auto")  # type: ignore[operator]


def _review_pairs(
    uncertain: list[PairEvent],
    hits: list[Record],
    uf: UnionFind,
    decisions: Mapping[tuple[str, str], str],
) -> list[PairEvent]:
    """One uncertain pair per pair of clusters still apart, not yet decided by a person."""
    seen: set[tuple[int, int]] = set()
    out: list[PairEvent] = []
    for event in uncertain:
        ra, rb = uf.find(event.a), uf.find(event.b)
        if ra == rb or not uf.can_union(event.a, event.b):
            continue
        key = pair_key(hits[event.a].record_id, hits[event.b].record_id)
        if key in decisions:
            continue
        roots = (min(ra, rb), max(ra, rb))
        if roots in seen:
            continue
        seen.add(roots)
        out.append(event)
    return out


def _name_clusters(hits: list[Record], uf: UnionFind) -> tuple[list[str], list[bool]]:
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(hits)):
        members[uf.find(i)].append(i)
    best: dict[int, int] = {}
    for root, group in members.items():
        best[root] = min(
            group,
            key=lambda i: (
                *canonical_order(hits[i].record_id),
                hits[i].source,
                hits[i].source_id,
                i,
            ),
        )
    # An earlier run's cluster ID stays, unless a person's decision split that cluster: then
    # the part holding the record the ID came from keeps it.
    name: dict[int, str] = {}
    owners: dict[str, list[int]] = defaultdict(list)
    for root in members:
        label = uf.label.get(root)
        if label is not None:
            owners[label].append(root)
    for label, roots in owners.items():
        keep = next(
            (r for r in roots if any(hits[i].record_id == label for i in members[r])), roots[0]
        )
        name[keep] = label
    taken = set(name.values())
    # Clusters whose canonical records share a ref- ID (an abstract and its paper kept apart)
    # are numbered in the order of their canonical hits: "ref-x", "ref-x-2", ...
    unnamed = sorted(
        (r for r in members if r not in name),
        key=lambda r: (
            hits[best[r]].record_id,
            hits[best[r]].source,
            hits[best[r]].source_id,
            best[r],
        ),
    )
    for root in unnamed:
        rid = hits[best[root]].record_id
        candidate, k = rid, 1
        while candidate in taken:
            k += 1
            candidate = f"{rid}-{k}"
        name[root] = candidate
        taken.add(candidate)
    cluster_ids = [name[uf.find(i)] for i in range(len(hits))]
    canonical = [False] * len(hits)
    for root, group in members.items():
        label = name[root]
        pick = best[root]
        if hits[pick].record_id != label:
            pick = next((i for i in sorted(group) if hits[i].record_id == label), pick)
        canonical[pick] = True
    return cluster_ids, canonical
