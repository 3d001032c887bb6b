"""Union-find over record indices with cannot-link pairs."""

from __future__ import annotations

from collections import defaultdict


class UnionFind:
    """Disjoint sets that refuse a union joining a cannot-link pair (a person's "different")."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.rank = [0] * size
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

    def cannot_link(self, a: int, b: int) -> None:
        self._cannot[a].add(b)
        self._cannot[b].add(a)
        for x in (a, b):
            root = self.find(x)
            guarded = self._guarded.setdefault(root, [])
            if x not in guarded:
                guarded.append(x)

    def can_union(self, a: int, b: int) -> bool:
        """Whether ``a`` and ``b`` may join: no cannot-link pair would end up in one set."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
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

    def union(self, a: int, b: int) -> bool:
        """Join the sets of ``a`` and ``b``; False (and no change) when refused or already one."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb or not self.can_union(a, b):
            return False
        if self.rank[ra] < self.rank[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        if self.rank[ra] == self.rank[rb]:
            self.rank[ra] += 1
        guarded_b = self._guarded.pop(rb, None)
        if guarded_b:
            self._guarded.setdefault(ra, []).extend(guarded_b)
        return True
