"""Deduplication passes: exact identifiers, blocked fuzzy comparison, people's decisions.

Every input hit is a node. Hits with the same ``record_id`` are one record (the same PMID found
by two searches). Unions run from the most to the least certain evidence: same record ID,
people's "same" decisions, clusters of an earlier run, exact identifiers, then fuzzy merges by
falling score. People's "different" decisions are cannot-links no union may cross.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from scoping.dedup.blocking import candidate_pairs
from scoping.dedup.compare import (
    LINK,
    MERGE,
    REVIEW,
    PairDecision,
    compare,
    contradicts,
    doi_overruled,
)
from scoping.dedup.features import Keys, notice_kind, record_keys
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
    labels: list[str]
    cluster_ids: list[str]
    canonical: list[bool]
    merges: list[PairEvent]
    links: list[PairEvent]
    review: list[PairEvent]

    @property
    def n_clusters(self) -> int:
        return len(set(self.cluster_ids))


@dataclass(slots=True)
class PreviousRun:
    """Cluster IDs of an earlier run, by hit (source, source ID, record ID) and by record ID.

    The record-ID map holds only IDs that named one cluster: a ref- ID shared by an abstract
    and its paper, kept apart then, must not pull both into one cluster now.
    """

    by_hit: dict[tuple[str, str, str], str] = field(default_factory=dict)
    by_record: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str]]) -> PreviousRun:
        """From ``(source, source_id, record_id, cluster_id)`` rows."""
        run = cls()
        clusters_of: dict[str, set[str]] = defaultdict(set)
        for source, source_id, record_id, cluster_id in rows:
            run.by_hit.setdefault((source, source_id, record_id), cluster_id)
            clusters_of[record_id].add(cluster_id)
        run.by_record = {r: next(iter(c)) for r, c in clusters_of.items() if len(c) == 1}
        return run

    def cluster_of(self, hit: Record) -> str | None:
        """The earlier cluster ID of ``hit``, if it (or its record) was there."""
        found = self.by_hit.get((hit.source, hit.source_id, hit.record_id))
        return found if found is not None else self.by_record.get(hit.record_id)


def canonical_order(record_id: str) -> tuple[int, str]:
    """Sort key of the canonical member: ``pmid-`` before ``doi-`` before ``ref-``, then ID."""
    prefix = record_id.split("-", 1)[0]
    return _ID_RANK.get(prefix, 3), record_id


def hit_labels(hits: Sequence[Record]) -> list[str]:
    """How people's decisions name each hit: its record ID, or, where hits share a ref- or doi-
    ID (an abstract and its paper), ``<record_id>@<source>:<source_id>``."""
    count: dict[str, int] = defaultdict(int)
    for hit in hits:
        count[hit.record_id] += 1
    return [
        f"{h.record_id}@{h.source}:{h.source_id}"
        if count[h.record_id] > 1 and not h.record_id.startswith("pmid-")
        else h.record_id
        for h in hits
    ]


def pair_key(a: str, b: str) -> tuple[str, str]:
    """Order-free key of a record pair."""
    return (a, b) if a <= b else (b, a)


def deduplicate(
    hits: Sequence[Record],
    *,
    settings: DedupSettings | None = None,
    previous: PreviousRun | None = None,
    decisions: Mapping[tuple[str, str], str] | None = None,
) -> DedupResult:
    """Cluster ``hits``.

    ``previous`` holds an earlier run's cluster IDs (kept unchanged); ``decisions`` maps pairs
    of hit labels (``hit_labels``, ordered by ``pair_key``) to ``"same"`` or ``"different"``.
    """
    settings = settings or DedupSettings()
    previous = previous or PreviousRun()
    decisions = decisions or {}
    hits = list(hits)
    n = len(hits)
    uf = UnionFind(n)
    merges: list[PairEvent] = []

    def join(
        i: int,
        j: int,
        rule: str,
        *,
        by: str = "auto",
        force: bool = False,
        score: float = 1.0,
        fields: dict[str, float | None] | None = None,
    ) -> bool:
        if not uf.union(i, j, force=force):
            return False
        merges.append(PairEvent(i, j, rule, score, by, fields=fields or {}))
        return True

    first_of: dict[str, int] = {}
    for i, hit in enumerate(hits):
        first_of.setdefault(hit.record_id, i)
    labels = hit_labels(hits)
    index_of = {label: i for i, label in enumerate(labels)}
    decided_pairs = []
    for (label_a, label_b), decision in sorted(decisions.items()):
        i, j = index_of.get(label_a), index_of.get(label_b)
        if i is not None and j is not None and i != j:
            decided_pairs.append((i, j, decision))

    # People's "different" decisions bind every later union.
    for i, j, decision in decided_pairs:
        if decision == DIFFERENT:
            uf.cannot_link(i, j)

    for i, hit in enumerate(hits):
        j = first_of[hit.record_id]
        # A PMID names one record. A ref- ID (title, year, first author) does not: a conference
        # abstract and its paper share it; nor does a DOI always (an erratum may carry the
        # article's): those go through the exact DOI pass and the comparison.
        if j != i and hit.record_id.startswith("pmid-"):
            join(j, i, "same_record_id", force=True)

    for i, j, decision in decided_pairs:
        if decision == SAME:
            join(i, j, "review_sheet", by="human", force=True)

    by_label: dict[str, int] = {}
    for i, hit in enumerate(hits):
        label = previous.cluster_of(hit)
        if label is None:
            continue
        if label in by_label:
            join(by_label[label], i, "previous_run", force=True)
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
    links: list[PairEvent] = []
    uncertain: list[PairEvent] = []
    # Most certain first, so a weak pair never blocks a strong one through a label or link.
    decided.sort(key=lambda t: (-t[2].score, hits[t[0]].record_id, hits[t[1]].record_id))
    members: dict[int, list[int]] = defaultdict(list)
    for x in range(n):
        members[uf.find(x)].append(x)
    for i, j, decision in decided:
        if decision.outcome == MERGE:
            if _clusters_contradict(uf, members, keys, i, j):
                rule = "uncertain:cluster_conflict"
                uncertain.append(
                    PairEvent(i, j, rule, decision.score, "auto", "review", decision.fields)
                )
                continue
            root_i, root_j = uf.find(i), uf.find(j)
            if join(i, j, decision.rule, score=decision.score, fields=decision.fields):
                members[uf.find(i)] = members.pop(root_i) + members.pop(root_j)
        elif decision.outcome == LINK:
            links.append(
                PairEvent(i, j, decision.rule, decision.score, "auto", "link", decision.fields)
            )
        elif decision.outcome == REVIEW:
            uncertain.append(
                PairEvent(i, j, decision.rule, decision.score, "auto", "review", decision.fields)
            )

    review = _review_pairs(uncertain, labels, uf, decisions)
    cluster_ids, canonical = _name_clusters(hits, uf)
    log.info(
        "dedup: %d hits, %d clusters, %d merges, %d links, %d pairs for review",
        n,
        len(set(cluster_ids)),
        len(merges),
        len(links),
        len(review),
    )
    return DedupResult(hits, labels, cluster_ids, canonical, merges, links, review)


def _clusters_contradict(
    uf: UnionFind, members: dict[int, list[int]], keys: list[Keys], i: int, j: int
) -> bool:
    """Whether any member of ``i``'s cluster contradicts any member of ``j``'s."""
    root_i, root_j = uf.find(i), uf.find(j)
    if root_i == root_j:
        return False
    group_i, group_j = members[root_i], members[root_j]
    if len(group_i) * len(group_j) == 1:
        return False  # the pair itself was just compared
    return any(contradicts(keys[x], keys[y]) for x in group_i for y in group_j)


def _exact_pass(keys: list[Keys], settings: DedupSettings, join: Callable[..., bool]) -> None:
    """Join records sharing an identifier; a shared DOI that is clearly overruled
    (``doi_overruled``) is left to the comparison, where it counts as a strong field."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        for name in settings.exact_fields:
            value = getattr(k, name)
            if value:
                groups[(name, value)].append(i)
    for (name, _value), members in sorted(groups.items()):
        first = members[0]
        for other in members[1:]:
            if name == "doi" and doi_overruled(keys[first], keys[other]):
                continue
            join(first, other, f"exact_{name}")


def _review_pairs(
    uncertain: list[PairEvent],
    hit_labels: list[str],
    uf: UnionFind,
    decisions: Mapping[tuple[str, str], str],
) -> list[PairEvent]:
    """One uncertain pair per pair of clusters still apart, not yet decided by a person."""
    seen: set[tuple[int, int]] = set()
    out: list[PairEvent] = []
    for event in uncertain:
        ra, rb = uf.find(event.a), uf.find(event.b)
        # A person may join clusters kept from an earlier run, so labels do not matter here.
        if ra == rb or not uf.can_union(event.a, event.b, force=True):
            continue
        key = pair_key(hit_labels[event.a], hit_labels[event.b])
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
                # An article before a correction notice joined to it (see ``same_text``).
                len(group) > 1 and notice_kind(hits[i].title) != "",
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
