"""RFC 9162 Merkle tree hashing and proof verification (section 2.1), with SHA-256.

This is the verifier's own implementation, independent of `ledger/`: the shared RFC 9162 probes
keep the two in agreement. The proof walks follow section 2.1.3.2 (inclusion) and 2.1.4.2
(consistency) in the decomposed form of transparency-dev/merkle: a proof splits into an "inner"
part, below the level where the paths to the leaf and to the last leaf diverge, and a "border"
part along the right edge of the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final, NewType

from verifier.errors import (
    IndexOutOfRange,
    InvalidTreeSizes,
    MalformedHash,
    RootMismatch,
    WrongProofLength,
)

LeafHash = NewType("LeafHash", bytes)
"""SHA-256(0x00 || leaf data): a level-0 node of the tree."""

NodeHash = NewType("NodeHash", bytes)
"""SHA-256(0x01 || left || right), or any subtree hash a proof carries."""

RootHash = NewType("RootHash", bytes)
"""The Merkle Tree Hash of a whole tree of a given size (section 2.1.1)."""

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = RootHash(hashlib.sha256(b"").digest())


def leaf_hash(data: bytes) -> LeafHash:
    """Return SHA-256(0x00 || data), the hash of one leaf (section 2.1.1)."""
    return LeafHash(hashlib.sha256(b"\x00" + data).digest())


def node_hash(left: bytes, right: bytes) -> NodeHash:
    """Return SHA-256(0x01 || left || right), the hash of an interior node (section 2.1.1)."""
    return NodeHash(hashlib.sha256(b"\x01" + left + right).digest())


def inclusion_proof_length(index: int, size: int) -> int:
    """Return how many hashes the inclusion proof of leaf `index` in a tree of `size` holds.

    Requires 0 <= index < size; raises `IndexOutOfRange` otherwise.
    """
    if not 0 <= index < size:
        raise IndexOutOfRange(f"leaf index {index} is not below the tree size {size}")
    inner, border = _decompose_inclusion_proof(index, size)
    return inner + border


def root_from_inclusion_proof(
    index: int, size: int, leaf: LeafHash, proof: Sequence[NodeHash]
) -> RootHash:
    """Return the root that `proof` computes for `leaf` at `index` in a tree of `size`.

    Section 2.1.3.2. Requires 0 <= index < size (else `IndexOutOfRange`), a 32-byte leaf hash
    and proof hashes (else `MalformedHash`), and exactly `inclusion_proof_length(index, size)`
    proof hashes (else `WrongProofLength`).
    """
    want = inclusion_proof_length(index, size)
    _require_hash("leaf hash", leaf)
    if len(proof) != want:
        raise WrongProofLength(f"inclusion proof has {len(proof)} hashes, want {want}")
    for position, item in enumerate(proof):
        _require_hash(f"inclusion proof hash {position}", item)
    inner, _ = _decompose_inclusion_proof(index, size)
    seed = _chain_inner(leaf, proof[:inner], index)
    return RootHash(_chain_border_right(seed, proof[inner:]))


def verify_inclusion(
    index: int, size: int, leaf: LeafHash, proof: Sequence[NodeHash], root: RootHash
) -> None:
    """Check that `proof` proves `leaf` at `index` in the tree of `size` whose root is `root`.

    Section 2.1.3.2. Raises what `root_from_inclusion_proof` raises, or `RootMismatch`.
    """
    computed = root_from_inclusion_proof(index, size, leaf, proof)
    if computed != root:
        raise RootMismatch(
            f"inclusion proof computes root {computed.hex()}, want {bytes(root).hex()}"
        )


def verify_consistency(
    size1: int, size2: int, proof: Sequence[NodeHash], root1: RootHash, root2: RootHash
) -> None:
    """Check that the tree of `size2` and `root2` extends the tree of `size1` and `root1`.

    Section 2.1.4.2. Equal sizes need an empty proof and equal roots (and, for size 0, the empty
    tree's root: MTH({}) = SHA-256() by section 2.1.1). Otherwise requires 0 < size1 < size2
    (else `InvalidTreeSizes`), 32-byte roots and hashes (else `MalformedHash`), exactly the proof
    length the sizes call for (else `WrongProofLength`), and raises `RootMismatch` when either
    recomputed root differs.
    """
    if not 0 <= size1 <= size2:
        raise InvalidTreeSizes(f"consistency needs 0 <= size1 <= size2, got {size1} and {size2}")
    if size1 == size2:
        if proof:
            raise WrongProofLength(f"consistency proof has {len(proof)} hashes, want 0")
        if root1 != root2:
            raise RootMismatch(
                f"root {bytes(root2).hex()} at size {size2}, want {bytes(root1).hex()}"
            )
        if size1 == 0 and root1 != EMPTY_ROOT:
            raise RootMismatch(f"empty tree root {bytes(root1).hex()}, want {EMPTY_ROOT.hex()}")
        return
    if size1 == 0:
        raise InvalidTreeSizes("a consistency proof from the empty tree proves nothing")
    _require_hash("first root", root1)
    _require_hash("second root", root2)
    for position, item in enumerate(proof):
        _require_hash(f"consistency proof hash {position}", item)

    inner, border = _decompose_inclusion_proof(size1 - 1, size2)
    # The proof is a suffix of the inclusion proof of leaf size1-1, starting at the level `shift`
    # of the largest perfect subtree ending at size1: its hash is proof[0], unless size1 is itself
    # a power of two, when that subtree is the whole first tree and its hash is root1.
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    if size1 == 1 << shift:
        seed, start = NodeHash(root1), 0
    else:
        if not proof:
            raise WrongProofLength(f"consistency proof has 0 hashes, want {1 + inner + border}")
        seed, start = proof[0], 1
    if len(proof) != start + inner + border:
        raise WrongProofLength(
            f"consistency proof has {len(proof)} hashes, want {start + inner + border}"
        )
    path = proof[start:]
    mask = (size1 - 1) >> shift
    hash1 = RootHash(
        _chain_border_right(_chain_inner_right(seed, path[:inner], mask), path[inner:])
    )
    if hash1 != root1:
        raise RootMismatch(
            f"consistency proof computes root {hash1.hex()} at size {size1}, "
            f"want {bytes(root1).hex()}"
        )
    hash2 = RootHash(_chain_border_right(_chain_inner(seed, path[:inner], mask), path[inner:]))
    if hash2 != root2:
        raise RootMismatch(
            f"consistency proof computes root {hash2.hex()} at size {size2}, "
            f"want {bytes(root2).hex()}"
        )


def _decompose_inclusion_proof(index: int, size: int) -> tuple[int, int]:
    """Split the proof of `index` in `size` into (inner, border) lengths; requires index < size.

    `inner` counts the levels below the point where the paths to `index` and to `size - 1`
    diverge; `border` counts the left siblings above it, one per set bit of the index there.
    """
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[NodeHash], index: int) -> NodeHash:
    """Hash `seed` up through `proof`, the sibling on the side given by each bit of `index`."""
    for level, sibling in enumerate(proof):
        # Bit `level` of the index says whether the path comes from the right child there.
        seed = node_hash(sibling, seed) if (index >> level) & 1 else node_hash(seed, sibling)
    return NodeHash(seed)


def _chain_inner_right(seed: bytes, proof: Sequence[NodeHash], index: int) -> NodeHash:
    """Like `_chain_inner`, using only left siblings: the same subtree in the older tree."""
    for level, sibling in enumerate(proof):
        if (index >> level) & 1:
            seed = node_hash(sibling, seed)
    return NodeHash(seed)


def _chain_border_right(seed: bytes, proof: Sequence[NodeHash]) -> NodeHash:
    """Hash `seed` up the right border, where every sibling is on the left."""
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return NodeHash(seed)


def _require_hash(what: str, value: bytes) -> None:
    """Raise `MalformedHash` unless `value` is 32 bytes."""
    if len(value) != HASH_SIZE:
        raise MalformedHash(f"{what} is {len(value)} bytes, want {HASH_SIZE}")
