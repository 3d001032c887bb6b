"""Candidate pairs by blocking: records that share a key are compared, never all pairs.

Keys: the start and the end of the compact title (a typo at one end still shares the other; a
truncated title shares its start), the two rarest title words (word order, subtitles), and
volume with first page, or year with page range where the volume is missing (a changed or
translated title). Blocks
too large to compare in full are compared within a window of their sorted titles.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from scoping.dedup.features import Keys
from scoping.dedup.settings import DedupSettings

_MIN_COMPACT = 12


def blocking_keys(keys: Keys, *, prefix: int, rarest: list[str]) -> list[str]:
    """Block keys of one record (``rarest``: its two rarest title words)."""
    out: list[str] = []
    compact = keys.compact
    if len(compact) >= _MIN_COMPACT:
        out.append("p" + compact[:prefix])
        if len(compact) >= prefix:
            out.append("s" + compact[-prefix:])
    if len(rarest) == 2:
        out.append("r" + " ".join(sorted(rarest)))
    if keys.volume and keys.page_first:
        # Same volume and first page: the same article under a changed or translated title.
        out.append(f"b{keys.volume}:{keys.page_first}")
    if keys.year and keys.page_first not in ("", "1") and keys.page_last != keys.page_first:
        # Where one database dropped the volume (or proceedings have none): year and range.
        out.append(f"g{keys.year}:{keys.page_first}-{keys.page_last}")
    return out


def candidate_pairs(keys: Sequence[Keys], settings: DedupSettings) -> Iterator[tuple[int, int]]:
    """Unique ``(i, j)`` index pairs, ``i < j``, of records sharing a block."""
    frequency: Counter[str] = Counter()
    words_of: list[list[str]] = []
    for k in keys:
        words = list({w for w in k.title.split() if len(w) >= 4})
        words_of.append(words)
        frequency.update(words)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, (k, words) in enumerate(zip(keys, words_of, strict=True)):
        rarest = sorted(words, key=lambda w: (frequency[w], w))[:2]
        for key in blocking_keys(k, prefix=settings.block_prefix_chars, rarest=rarest):
            blocks[key].append(index)
    seen: set[int] = set()
    n = len(keys)
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        for i, j in _block_pairs(members, keys, settings, from_end=key[0] == "s"):
            if i > j:
                i, j = j, i
            code = i * n + j
            if code not in seen:
                seen.add(code)
                yield i, j


def _block_pairs(
    members: list[int], keys: Sequence[Keys], settings: DedupSettings, *, from_end: bool
) -> Iterator[tuple[int, int]]:
    if len(members) <= settings.max_block_size:
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                yield i, j
        return
    # Sorted neighbourhood: near-identical titles sort next to each other; in a block of
    # shared title ends, titles sharing the longest end do (sorted on the reversed title).
    if from_end:
        ordered = sorted(members, key=lambda i: (keys[i].compact[::-1], i))
    else:
        ordered = sorted(members, key=lambda i: (keys[i].compact, i))
    window = settings.window
    for x, i in enumerate(ordered):
        for j in ordered[x + 1 : x + window]:
            yield i, j
