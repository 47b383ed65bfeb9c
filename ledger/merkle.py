"""RFC 9162 Merkle trees: hashing, the append frontier, proof plans and proof verification.

Node addressing follows transparency-dev/merkle: `NodeId(level, position)` is the perfect subtree
of 2^level leaves starting at leaf position * 2^level. Only perfect subtrees are ever stored; the
hash of a right-border (incomplete) subtree is folded from the perfect subtrees that cover it.

Building a proof is split in two, as in transparency-dev: a *plan* says which stored nodes are
needed and how they fold into the proof's hashes; the storage layer fetches them; `assemble`
turns them into the RFC 9162 proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple, NewType, cast

from ledger.errors import ProofError

Hash = NewType("Hash", bytes)
"""A 32-byte SHA-256 node hash (an interior node, a subtree or a root)."""
LeafHash = NewType("LeafHash", bytes)
"""A 32-byte RFC 9162 leaf hash: SHA-256(0x00 || leaf data)."""

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = Hash(hashlib.sha256(b"").digest())

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> LeafHash:
    """RFC 9162 section 2.1.1: SHA-256(0x00 || data)."""
    return LeafHash(_sha256(b"\x00" + data).digest())


def node_hash(left: bytes, right: bytes) -> Hash:
    """RFC 9162 section 2.1.1: SHA-256(0x01 || left || right)."""
    return Hash(_sha256(b"\x01" + left + right).digest())


class NodeId(NamedTuple):
    """The perfect subtree of 2^level leaves [position * 2^level, (position + 1) * 2^level).

    A named tuple: proofs hash and compare many of them, which tuples do in C.
    """

    level: int
    position: int


_new_tuple = tuple.__new__
"""`_new_tuple(NodeId, (level, position))` makes a NodeId in C, without NamedTuple's `__new__`
frame: plans make some twenty per proof."""


@dataclass(frozen=True, slots=True)
class NodeRun:
    """Consecutive nodes of one level: `hashes[k]` is the hash of NodeId(level, start + k)."""

    level: int
    start: int
    hashes: tuple[bytes, ...]


def range_nodes(begin: int, end: int) -> list[NodeId]:
    """Return the perfect subtrees covering leaves [begin, end), left to right.

    Requires `begin` to be a multiple of the largest power of two not above `end - begin`, which
    holds for every range an RFC 9162 proof names; raises `ProofError` otherwise.
    """
    nodes = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin & ((1 << level) - 1):
            raise ProofError(f"range [{begin}, {end}) is not aligned for RFC 9162 subtrees")
        nodes.append(NodeId(level, begin >> level))
        begin += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> Hash:
    """Hash of a right-border subtree from its perfect subtrees (left to right, decreasing)."""
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = _sha256(b"\x01" + left + acc).digest()
    return Hash(acc)


class Frontier:
    """The compact range [0, size): one perfect subtree hash per set bit of `size`.

    `hashes[0]` is the largest (leftmost) subtree. Appending needs only the frontier, so the
    sequencer keeps one in memory and stores the nodes each batch completes.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        """Requires one hash per set bit of `size`, largest subtree first."""
        if size < 0 or len(hashes) != size.bit_count():
            raise ProofError(f"frontier of size {size} needs {size.bit_count()} hashes")
        self._size = size
        self._hashes = list(hashes)

    @property
    def size(self) -> int:
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        return tuple(self._hashes)

    @staticmethod
    def node_ids(size: int) -> list[NodeId]:
        """The stored nodes whose hashes make the frontier of a tree of `size` leaves."""
        return range_nodes(0, size)

    def root(self) -> Hash:
        """RFC 9162 MTH of the leaves appended so far (EMPTY_ROOT when there are none)."""
        if not self._hashes:
            return EMPTY_ROOT
        return fold(self._hashes)

    def append(self, leaf: bytes) -> None:
        """Append one leaf hash (amortised one node hash per leaf)."""
        size, nodes, acc = self._size, self._hashes, leaf
        while size & 1:
            acc = _sha256(b"\x01" + nodes.pop() + acc).digest()
            size >>= 1
        nodes.append(acc)
        self._size += 1

    def extend(self, leaves: Sequence[bytes]) -> list[NodeRun]:
        """Append leaf hashes; return every node they complete, one run per level.

        The run of level 0 is the leaves themselves. The nodes completed at level L are those with
        index in [old_size >> L, new_size >> L).
        """
        if not leaves:
            return []
        old, new = self._size, self._size + len(leaves)
        old_by_level = dict(zip(_set_bits_desc(old), self._hashes, strict=True))
        runs: list[NodeRun] = []
        level, start, current = 0, old, list(leaves)
        while current:
            runs.append(NodeRun(level, start, tuple(current)))
            if start & 1:
                current.insert(0, old_by_level[level])
                start -= 1
            current = [
                _sha256(b"\x01" + a + b).digest()
                for a, b in zip(current[0::2], current[1::2], strict=False)
            ]
            start >>= 1
            level += 1
        by_level = {run.level: run for run in runs}
        frontier = []
        for bit in _set_bits_desc(new):
            index = (new >> bit) - 1
            run = by_level.get(bit)
            if run is not None and index >= run.start:
                frontier.append(run.hashes[index - run.start])
            else:
                frontier.append(old_by_level[bit])
        self._size, self._hashes = new, frontier
        return runs


def _set_bits_desc(size: int) -> list[int]:
    return [bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]


@dataclass(frozen=True, slots=True)
class ProofPlan:
    """Which stored nodes a proof needs: each group of nodes folds into one proof hash."""

    groups: tuple[tuple[NodeId, ...], ...]

    def node_ids(self) -> list[NodeId]:
        """Every node to fetch, in proof order."""
        return [node for group in self.groups for node in group]

    def assemble(self, hashes: Mapping[NodeId, bytes]) -> list[Hash]:
        """Build the RFC 9162 proof from fetched node hashes; raises `ProofError` if one lacks."""
        try:
            proof = [
                hashes[group[0]] if len(group) == 1 else fold([hashes[n] for n in group])
                for group in self.groups
            ]
        except KeyError as exc:
            raise ProofError(f"node {exc.args[0]} is not stored") from exc
        return cast("list[Hash]", proof)  # each a stored node hash or a fold of them


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """RFC 9162 section 2.1.3.1 PATH(index, D[0:size]) as a plan, leaf side first.

    Requires 0 <= index < size; raises `ProofError` otherwise.

    Bit form of the RFC's recursion (as transparency-dev/merkle's `proof.Inclusion`): below
    `fork`, the highest bit where `index` and `size - 1` differ, every sibling is a perfect
    subtree; at `fork` the sibling is the right border [begin, size), folded from its perfect
    subtrees; above it, only the set bits of `index` have a (left) sibling.
    """
    if not 0 <= index < size:
        raise ProofError(f"inclusion proof: index {index} out of range for size {size}")
    fork = (index ^ (size - 1)).bit_length() - 1
    groups: list[tuple[NodeId, ...]] = [
        (_new_tuple(NodeId, (level, (index >> level) ^ 1)),) for level in range(fork)
    ]
    if fork >= 0:
        groups.append(tuple(range_nodes(((index >> fork) | 1) << fork, size)))
    groups += [(_new_tuple(NodeId, (level, (index >> level) ^ 1)),)
               for level in range(fork + 1, index.bit_length()) if (index >> level) & 1]
    return ProofPlan(tuple(groups))


def consistency_plan(old_size: int, new_size: int) -> ProofPlan:
    """RFC 9162 section 2.1.4.1 PROOF(old_size, D[0:new_size]) as a plan.

    Requires 0 <= old_size <= new_size; the proof is empty when old_size is 0 or new_size.
    """
    if not 0 <= old_size <= new_size:
        raise ProofError(f"consistency proof: sizes {old_size} and {new_size} out of order")
    if old_size in (0, new_size):
        return ProofPlan(())
    groups: list[tuple[NodeId, ...]] = []
    lo, hi, complete = 0, new_size, True
    while old_size != hi:
        k = 1 << ((hi - lo - 1).bit_length() - 1)
        if old_size <= lo + k:
            groups.append(tuple(range_nodes(lo + k, hi)))
            hi = lo + k
        else:
            groups.append((NodeId(k.bit_length() - 1, lo // k),))
            lo += k
            complete = False
    if not complete:
        groups.append(tuple(range_nodes(lo, hi)))
    groups.reverse()
    return ProofPlan(tuple(groups))


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> Hash:
    """RFC 9162 section 2.1.3.2: the root implied by an inclusion proof.

    Requires index < size and exactly as many 32-byte hashes as the tree shape gives; raises
    `ProofError` otherwise.
    """
    if not 0 <= index < size:
        raise ProofError(f"inclusion proof: index {index} out of range for size {size}")
    if len(leaf) != HASH_SIZE:
        raise ProofError(f"inclusion proof: leaf hash is {len(leaf)} bytes, want {HASH_SIZE}")
    _check_hashes(proof)
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ProofError(f"inclusion proof: got {len(proof)} hashes, too many for the tree")
        if fn & 1 or fn == sn:
            r = _sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"inclusion proof: got {len(proof)} hashes, too few for the tree")
    return Hash(r)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 section 2.1.3.2; raises `ProofError` unless the proof leads to `root`."""
    got = root_from_inclusion(index, size, leaf, proof)
    if got != root:
        raise ProofError(f"inclusion proof: got root {got.hex()}, want {root.hex()}")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 section 2.1.4.2; raises `ProofError` unless the proof links the two roots.

    Requires 0 < old_size <= new_size: consistency with the empty tree holds trivially and is
    refused as meaningless, as transparency-dev/merkle does.
    """
    if not 0 <= old_size <= new_size:
        raise ProofError(f"consistency proof: sizes {old_size} and {new_size} out of order")
    if old_size == 0:
        raise ProofError("consistency proof: a tree of size 0 proves nothing")
    if old_size == new_size:
        if proof:
            raise ProofError("consistency proof: must be empty for equal sizes")
        if old_root != new_root:
            raise ProofError("consistency proof: equal sizes with different roots")
        return
    if not proof:
        raise ProofError("consistency proof: empty for different sizes")
    _check_hashes(proof)
    for name, value in (("old", old_root), ("new", new_root)):
        if len(value) != HASH_SIZE:
            raise ProofError(f"consistency proof: {name} root is {len(value)} bytes")
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"consistency proof: got {len(proof)} hashes, too many")
        if fn & 1 or fn == sn:
            fr = _sha256(b"\x01" + c + fr).digest()
            sr = _sha256(b"\x01" + c + sr).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"consistency proof: got {len(proof)} hashes, too few")
    if fr != old_root:
        raise ProofError(f"consistency proof: got old root {fr.hex()}, want {old_root.hex()}")
    if sr != new_root:
        raise ProofError(f"consistency proof: got new root {sr.hex()}, want {new_root.hex()}")


def _check_hashes(proof: Iterable[bytes]) -> None:
    for i, p in enumerate(proof):
        if len(p) != HASH_SIZE:
            raise ProofError(f"proof hash {i} is {len(p)} bytes, want {HASH_SIZE}")


def root_of(leaves: Sequence[bytes]) -> Hash:
    """RFC 9162 MTH over leaf hashes, through the frontier."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()
