"""In-memory RFC 9162 trees for the chain tests, built on ledger.merkle.

`MemoryTree` stores every perfect subtree hash of its leaves, as the ledger's store does, and
answers proofs through ledger.merkle's proof plans: the proofs under test are the ledger's own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from ledger.merkle import (
    EMPTY_ROOT,
    Hash,
    NodeId,
    consistency_plan,
    fold,
    inclusion_plan,
    leaf_hash,
    node_hash,
    range_nodes,
)


class MemoryTree(Mapping[NodeId, bytes]):
    """Leaf hashes and all their perfect subtree hashes; a Mapping NodeId -> hash."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaves)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append(
                [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            )

    @classmethod
    def of_size(cls, size: int, salt: bytes = b"") -> MemoryTree:
        """A tree of `size` distinct leaves (leaf data: salt + decimal index)."""
        return cls([leaf_hash(salt + str(i).encode()) for i in range(size)])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def leaf(self, index: int) -> bytes:
        return self.levels[0][index]

    def __getitem__(self, node: NodeId) -> bytes:
        if node.level >= len(self.levels) or node.position >= len(self.levels[node.level]):
            raise KeyError(node)
        return self.levels[node.level][node.position]

    def __iter__(self) -> Iterator[NodeId]:
        for level, hashes in enumerate(self.levels):
            for index in range(len(hashes)):
                yield NodeId(level, index)

    def __len__(self) -> int:
        return sum(len(hashes) for hashes in self.levels)

    def root(self, size: int) -> Hash:
        """RFC 9162 MTH of the first `size` leaves."""
        return fold([self[node] for node in range_nodes(0, size)]) if size else EMPTY_ROOT

    def inclusion_proof(self, index: int, size: int) -> list[Hash]:
        return inclusion_plan(index, size).assemble(self)

    def consistency_proof(self, old_size: int, new_size: int) -> list[Hash]:
        return consistency_plan(old_size, new_size).assemble(self)


class VirtualTree(Mapping[NodeId, bytes]):
    """A tree too large to build (10^9 leaves and more) that still answers, consistently, the
    hashes one consistency proof between `old_size` and `new_size` needs.

    The needed nodes are the two trees' frontiers and the proof's nodes. A needed node with no
    needed node below it gets a pseudo-random hash (the root of a subtree nobody looks into);
    every other node is the RFC 9162 hash of its two children. The proof and both roots then
    agree with each other exactly as in a real tree of that size, so the proof's length and
    shape, hence its gas, are those of a real one.
    """

    def __init__(self, old_size: int, new_size: int, salt: bytes = b"virtual") -> None:
        self.old_size, self.new_size, self.salt = old_size, new_size, salt
        self._plan = consistency_plan(old_size, new_size)
        self._needed = {*range_nodes(0, old_size), *range_nodes(0, new_size),
                        *self._plan.node_ids()}
        self._cache: dict[NodeId, bytes] = {}

    def _has_needed_below(self, node: NodeId) -> bool:
        first, last = node.position << node.level, (node.position + 1) << node.level
        return any(other.level < node.level and first <= other.position << other.level < last
                   for other in self._needed)

    def __getitem__(self, node: NodeId) -> bytes:
        if node not in self._cache:
            if node.level == 0 or not self._has_needed_below(node):
                seed = self.salt + f"/{node.level}/{node.position}".encode()
                self._cache[node] = leaf_hash(seed)
            else:
                self._cache[node] = node_hash(self[NodeId(node.level - 1, 2 * node.position)],
                                              self[NodeId(node.level - 1, 2 * node.position + 1)])
        return self._cache[node]

    def __iter__(self) -> Iterator[NodeId]:
        return iter(self._needed)

    def __len__(self) -> int:
        return len(self._needed)

    def root(self, size: int) -> Hash:
        """The root of the first `size` leaves; `size` is `old_size` or `new_size`."""
        if size not in (self.old_size, self.new_size):
            raise ValueError(f"this virtual tree knows sizes {self.old_size} and {self.new_size}")
        return fold([self[node] for node in range_nodes(0, size)])

    def consistency_proof(self) -> list[Hash]:
        return self._plan.assemble(self)
