"""Union-find over record indices with cannot-link pairs and fixed cluster labels."""

from __future__ import annotations

from collections import defaultdict


class UnionFind:
    """Disjoint sets that refuse a union joining a cannot-link pair or two different labels.

    Labels name clusters kept from an earlier run: two labelled clusters never merge
    automatically, so earlier cluster IDs stay as they were.
    """

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.rank = [0] * size
        self.label: dict[int, str] = {}
        self._cannot: dict[int, set[int]] = defaultdict(set)
        # Members with cannot-links, per root (small: only people's "different" decisions).
        self._guarded: dict[int, list[int]] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def set_label(self, x: int, label: str) -> None:
        root = self.find(x)
        self.label.setdefault(root, label)

    def cannot_link(self, a: int, b: int) -> None:
        self._cannot[a].add(b)
        self._cannot[b].add(a)
        for x in (a, b):
            root = self.find(x)
            guarded = self._guarded.setdefault(root, [])
            if x not in guarded:
                guarded.append(x)

    def can_union(self, a: int, b: int, *, force: bool = False) -> bool:
        """Whether ``a`` and ``b`` may join (``force`` ignores labels, never cannot-links)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force:
            la, lb = self.label.get(ra), self.label.get(rb)
            if la is not None and lb is not None and la != lb:
                return False
        small, other = (
            (ra, rb)
            if len(self._guarded.get(ra, ())) <= len(self._guarded.get(rb, ()))
            else (rb, ra)
        )
        for member in self._guarded.get(small, ()):
            for partner in self._cannot[member]:
                if self.find(partner) == other:
                    return False
        return True

    def union(self, a: int, b: int, *, force: bool = False) -> bool:
        """Join the sets of ``a`` and ``b``; False (and no change) when refused or already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb or not self.can_union(a, b, force=force):
            return False
        if self.rank[ra] < self.rank[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if self.rank[ra] == self.rank[rb]:
            self.rank[ra] += 1
        label_b = self.label.pop(rb, None)
        if label_b is not None:
            # A forced union of two labels keeps the smaller: deterministic.
            label_a = self.label.get(ra)
            self.label[ra] = label_b if label_a is None else min(label_a, label_b)
        guarded_b = self._guarded.pop(rb, None)
        if guarded_b:
            self._guarded.setdefault(ra, []).extend(guarded_b)
        return True
