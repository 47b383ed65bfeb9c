"""Rebuilding a Merkle tree's root from its leaves, one leaf at a time (RFC 9162 section 2.1.1).

The frontier keeps the roots of the perfect subtrees that cover the leaves so far, largest
first; their sizes are the set bits of the leaf count. The tree root folds them right to left,
which is MTH's left-heavy split.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verifier.rfc9162 import EMPTY_ROOT, LeafHash, NodeHash, RootHash, node_hash


@dataclass
class Frontier:
    """The right edge of a growing tree; `size` leaves so far."""

    size: int = 0
    _subtrees: list[tuple[int, NodeHash]] = field(default_factory=list)

    def append(self, leaf: LeafHash) -> None:
        """Add the next leaf, merging equal-height subtrees as binary addition carries."""
        height, node = 0, NodeHash(leaf)
        while self._subtrees and self._subtrees[-1][0] == height:
            _, left = self._subtrees.pop()
            node = node_hash(left, node)
            height += 1
        self._subtrees.append((height, node))
        self.size += 1

    def root(self) -> RootHash:
        """Return MTH of the leaves so far (SHA-256 of nothing for no leaves)."""
        if not self._subtrees:
            return EMPTY_ROOT
        node = self._subtrees[-1][1]
        for _, left in reversed(self._subtrees[:-1]):
            node = node_hash(left, node)
        return RootHash(node)
