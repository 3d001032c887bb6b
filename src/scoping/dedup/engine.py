"""Deduplication passes: exact identifiers, blocked fuzzy comparison, people's decisions.

Every input hit is a node. Hits with the same PMID are one record (found by two searches), and
so are identical copies of one record (a database that exported a row twice). Unions run from
the most to the least certain evidence: same record, people's "same" decisions, exact
identifiers, then fuzzy merges by falling score. People's "different" decisions are cannot-links
no union may cross.

The result is a pure function of the hits and the people's decisions: no earlier run is read,
so the same inputs and decisions give the same clusters and the same IDs whatever ran before.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

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
from scoping.normalise import fold
from scoping.records import Record

log = logging.getLogger(__name__)

SAME, DIFFERENT = "same", "different"
_ID_RANK = {"pmid": 0, "doi": 1, "acc": 2, "ref": 3}


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
    #: Each hit's ID as its source gave it (``hits`` carry the unique ``<id>-<hash>`` where a
    #: shared ID was told apart).
    base_ids: list[str] = field(default_factory=list)

    @property
    def n_clusters(self) -> int:
        return len(set(self.cluster_ids))


def canonical_order(record_id: str) -> tuple[int, str]:
    """Sort key of the canonical member: ``pmid-``, ``doi-``, ``acc-``, ``ref-``, then by ID."""
    prefix = record_id.split("-", 1)[0]
    return _ID_RANK.get(prefix, len(_ID_RANK)), record_id


def hit_labels(hits: Sequence[Record], fingerprints: Sequence[str] | None = None) -> list[str]:
    """How people's decisions name each hit: its record ID, or, where hits with one ref- or doi-
    ID say different things (an abstract and its paper), ``<record_id>@<source>:<source_id>``.

    Identical copies (a row exported twice) share their ID's label, so a copy arriving later
    does not rename a pair a person has answered.
    """
    fps = fingerprints if fingerprints is not None else [content_fingerprint(h) for h in hits]
    kinds: dict[str, set[str]] = defaultdict(set)
    for hit, fp in zip(hits, fps, strict=True):
        kinds[hit.record_id].add(fp)
    return [
        f"{h.record_id}@{h.source}:{h.source_id}"
        if len(kinds[h.record_id]) > 1 and not h.record_id.startswith("pmid-")
        else h.record_id
        for h in hits
    ]


def _resolve_label(label: str, index_of: Mapping[str, list[int]]) -> list[int]:
    """The hits a decided label names now: itself, or a label answered when an ID was shared
    (``<id>@<source>:<source_id>``) whose ID names one record again."""
    found = index_of.get(label)
    if found is None and "@" in label:
        found = index_of.get(label.split("@", 1)[0])
    return found or []


def pair_key(a: str, b: str) -> tuple[str, str]:
    """Order-free key of a record pair."""
    return (a, b) if a <= b else (b, a)


def deduplicate(
    hits: Sequence[Record],
    *,
    settings: DedupSettings | None = None,
    decisions: Mapping[tuple[str, str], str] | None = None,
) -> DedupResult:
    """Cluster ``hits``.

    ``decisions`` maps pairs of hit labels (``hit_labels``, ordered by ``pair_key``) to
    ``"same"`` or ``"different"``.
    """
    settings = settings or DedupSettings()
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
        score: float = 1.0,
        fields: dict[str, float | None] | None = None,
    ) -> bool:
        if not uf.union(i, j):
            return False
        merges.append(PairEvent(i, j, rule, score, by, fields=fields or {}))
        return True

    first_of: dict[str, int] = {}
    first_copy: dict[str, int] = {}
    fingerprints = [content_fingerprint(hit) for hit in hits]
    for i, hit in enumerate(hits):
        first_of.setdefault(hit.record_id, i)
        first_copy.setdefault(fingerprints[i], i)
    labels = hit_labels(hits, fingerprints)
    index_of: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        index_of[label].append(i)
    present = {hit.record_id for hit in hits}
    decided_pairs = []
    for (label_a, label_b), decision in sorted(decisions.items()):
        side_a, side_b = _resolve_label(label_a, index_of), _resolve_label(label_b, index_of)
        if not side_a or not side_b:
            if any(x.split("@", 1)[0] not in present for x in (label_a, label_b)):
                continue  # a record no search finds any more: the answer waits, unused
            log.warning(
                "dedup review sheet: the pair %s / %s names an ID that is now shared by "
                "different records; the answer is not applied and the pair is asked again",
                label_a,
                label_b,
            )
            continue
        decided_pairs.extend((i, j, decision) for i in side_a for j in side_b if i != j)

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
            join(j, i, "same_record_id")
        # Every field the same (a database that exported one row twice): one record, whatever
        # its cluster holds. Not forced: a person's "different" still keeps them apart.
        k = first_copy[fingerprints[i]]
        if k != i:
            join(k, i, "identical_copy")

    for i, j, decision in decided_pairs:
        if decision == SAME:
            join(i, j, "review_sheet", by="human")

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
    base_ids = [hit.record_id for hit in hits]
    hits, cluster_ids, canonical = _name_clusters(hits, uf, fingerprints)
    log.info(
        "dedup: %d hits, %d clusters, %d merges, %d links, %d pairs for review",
        n,
        len(set(cluster_ids)),
        len(merges),
        len(links),
        len(review),
    )
    return DedupResult(hits, labels, cluster_ids, canonical, merges, links, review, base_ids)


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
        if ra == rb or not uf.can_union(event.a, event.b):
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


def content_fingerprint(hit: Record) -> str:
    """A hash of everything a hit says about its record (not where it was found)."""
    parts = [
        hit.record_id,
        fold(hit.title),
        "; ".join(fold(a) for a in hit.authors),
        hit.year,
        fold(hit.journal),
        fold(hit.volume),
        fold(hit.issue),
        fold(hit.pages),
        hit.doi,
        hit.pmid,
        fold(hit.abstract),
        fold(hit.publication_type),
        fold(hit.url),
    ]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def _name_clusters(
    hits: list[Record], uf: UnionFind, fingerprints: list[str]
) -> tuple[list[Record], list[str], list[bool]]:
    """Unique hit IDs, cluster IDs and canonical flags: a pure function of the clusters.

    A cluster is named by its canonical member's ID. An ID from a hit's identifiers names one
    record only while it is found in one cluster: a ref- ID (title, year, first author) shared
    by an abstract and its paper, or a DOI shared by two abstracts of one supplement, are kept
    apart by dedup, and then every hit with that ID is named ``<id>-<hash of its cluster's
    content>``, the same whatever order the inputs came in or what ran before.
    """
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
                fingerprints[i],
                hits[i].source,
                hits[i].source_id,
                i,
            ),
        )
    roots_of: dict[str, set[int]] = defaultdict(set)
    for root, group in members.items():
        for i in group:
            roots_of[hits[i].record_id].add(root)
    new_id: dict[tuple[str, int], str] = {}
    for rid, roots in roots_of.items():
        if len(roots) < 2:
            continue
        # Each cluster's copy of the shared ID is told apart by its content; if even that is
        # the same (a person said "different" to two identical rows), by where it was found.
        qualified: dict[int, str] = {}
        for root in roots:
            with_id = [i for i in members[root] if hits[i].record_id == rid]
            first = min(with_id, key=lambda i: (fingerprints[i], i))
            qualified[root] = fingerprints[first]
        counts = Counter(qualified.values())
        for root in roots:
            q = qualified[root]
            if counts[q] > 1:
                first = min(
                    (i for i in members[root] if hits[i].record_id == rid),
                    key=lambda i: (hits[i].source, hits[i].source_id, i),
                )
                where = f"{q}|{hits[first].source}|{hits[first].source_id}|{first}"
                q = hashlib.sha1(where.encode("utf-8")).hexdigest()
            new_id[(rid, root)] = f"{rid}-{q[:8]}"
    if new_id:
        hits = [
            replace(hit, record_id=new_id[(hit.record_id, uf.find(i))])
            if (hit.record_id, uf.find(i)) in new_id
            else hit
            for i, hit in enumerate(hits)
        ]
    name = {root: hits[best[root]].record_id for root in members}
    cluster_ids = [name[uf.find(i)] for i in range(len(hits))]
    canonical = [False] * len(hits)
    for root in members:
        canonical[best[root]] = True
    return hits, cluster_ids, canonical
