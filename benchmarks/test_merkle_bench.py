"""Merkle core in memory: frontier appends against bare hashlib, and against pymerkle 7.

pymerkle is GPLv3 and a benchmark peer only: it is imported here and nowhere else.
Run: .venv/bin/python -m pytest benchmarks/test_merkle_bench.py --benchmark-only -q
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import pytest
from pymerkle import InmemoryTree
from pytest_benchmark.fixture import BenchmarkFixture

from ledger.merkle import (
    Frontier,
    Hash,
    LeafHash,
    NodeId,
    NodeRun,
    inclusion_plan,
    leaf_hash,
    root_of,
    verify_inclusion,
)

if TYPE_CHECKING:
    from benchmarks.conftest import RateBoard

BATCH = 1_000
"""Leaves per `Frontier.extend`, as the sequencer batches them."""
PROOFS = 1_000
PROOF_ROUNDS = 15
"""Proof rounds are short (tens of ms): many of them keep the median steady on a busy machine."""


def _batches(items: Sequence[bytes]) -> list[Sequence[bytes]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


class TreeNodes(Mapping[NodeId, bytes]):
    """Every node of an in-memory tree, one list per level, as `Frontier.extend` completes them.

    The like of pymerkle's in-memory tree, which keeps every node too (as linked objects).
    """

    def __init__(self) -> None:
        self.levels: list[list[bytes]] = []

    def add(self, runs: Iterable[NodeRun]) -> None:
        for run in runs:
            if run.level == len(self.levels):
                self.levels.append([])
            level = self.levels[run.level]
            assert run.start == len(level), "runs of a level arrive in order"
            level += run.hashes

    def __getitem__(self, node: NodeId) -> bytes:
        level, position = node
        try:
            return self.levels[level][position]
        except IndexError:
            raise KeyError(node) from None

    def __iter__(self) -> Iterator[NodeId]:
        for level, hashes in enumerate(self.levels):
            yield from (NodeId(level, position) for position in range(len(hashes)))

    def __len__(self) -> int:
        return sum(map(len, self.levels))


@pytest.fixture(scope="module")
def root(leaf_hashes: list[LeafHash]) -> bytes:
    """The RFC 9162 root of the million leaves, every build is checked against it."""
    return root_of(leaf_hashes)


@pytest.fixture(scope="module")
def proof_indices(leaf_hashes: list[LeafHash]) -> list[int]:
    rnd = random.Random(9162)
    return [rnd.randrange(len(leaf_hashes)) for _ in range(PROOFS)]


# -- 1. appends: the frontier against a bare hashlib loop ------------------------------------

HASHLIB = "hashlib loop (N-1 node hashes)"


def test_hashlib_limit(
    benchmark: BenchmarkFixture, rates: RateBoard, leaf_hashes: list[LeafHash]
) -> None:
    """The limit: the N-1 SHA-256 calls over 65 bytes that any tree of N leaves must make."""
    block, sha256, hashes = b"\x01" + bytes(64), hashlib.sha256, len(leaf_hashes) - 1

    def run() -> None:
        for _ in range(hashes):
            sha256(block).digest()

    benchmark.pedantic(run, rounds=5)
    rates.record(benchmark, HASHLIB, len(leaf_hashes), "leaves")


def test_frontier_extend(
    benchmark: BenchmarkFixture, rates: RateBoard, leaf_hashes: list[LeafHash], root: bytes
) -> None:
    """`Frontier.extend` in batches of 1,000, as the sequencer calls it."""
    batches = _batches(leaf_hashes)

    def run() -> Frontier:
        frontier = Frontier()
        for batch in batches:
            frontier.extend(batch)
        return frontier

    assert benchmark.pedantic(run, rounds=5).root() == root
    rates.record(benchmark, "Frontier.extend (batches of 1,000)", len(leaf_hashes), "leaves",
                 peers=[HASHLIB], aim=">= 500k/s and >= 0.5x")


def test_frontier_append(
    benchmark: BenchmarkFixture, rates: RateBoard, leaf_hashes: list[LeafHash], root: bytes
) -> None:
    """`Frontier.append` one leaf at a time."""

    def run() -> Frontier:
        frontier = Frontier()
        append = frontier.append
        for leaf in leaf_hashes:
            append(leaf)
        return frontier

    assert benchmark.pedantic(run, rounds=5).root() == root
    rates.record(benchmark, "Frontier.append (one by one)", len(leaf_hashes), "leaves",
                 peers=[HASHLIB], aim=">= 500k/s and >= 0.5x")


# -- 2. a whole in-memory tree and its proofs, against pymerkle 7 ----------------------------
# Both sides start from the same leaf data, so both hash the leaves: pymerkle hashes each entry
# it is given, ours runs `leaf_hash` before `Frontier.extend`.

PYMERKLE_BUILD = "pymerkle 7 build (1M, in memory)"
PYMERKLE_PROOFS = "pymerkle 7 inclusion proofs (at 1M)"
IN_MEMORY_PROOFS = "ours inclusion proofs (at 1M, every node in memory)"


_BUILT: dict[str, InmemoryTree] = {}
"""The tree of the pymerkle build benchmark's last round, kept for its proof benchmark."""


@pytest.fixture(scope="module")
def pymerkle_tree(leaf_data: list[bytes]) -> InmemoryTree:
    """pymerkle's tree of the leaves: the one the build benchmark made, or a new one if it was
    filtered out (a build takes some 12 s)."""
    return _BUILT.pop("tree", None) or InmemoryTree.init_from_entries(leaf_data)


@pytest.fixture(scope="module")
def our_nodes(leaf_hashes: list[LeafHash]) -> TreeNodes:
    nodes = TreeNodes()
    nodes.add(Frontier().extend(leaf_hashes))
    return nodes


def test_pymerkle_build(
    benchmark: BenchmarkFixture, rates: RateBoard, leaf_data: list[bytes], root: bytes
) -> None:
    """The peer: pymerkle's `InmemoryTree.append_entries`."""

    def run() -> InmemoryTree:
        tree = InmemoryTree()
        tree.append_entries(leaf_data)
        return tree

    tree = benchmark.pedantic(run, rounds=3)
    assert tree.get_root() == root
    _BUILT["tree"] = tree
    rates.record(benchmark, PYMERKLE_BUILD, len(leaf_data), "leaves")


def test_build(
    benchmark: BenchmarkFixture, rates: RateBoard, leaf_data: list[bytes], root: bytes
) -> None:
    """Ours: leaf hashes, `Frontier.extend` per 1,000 leaves, every completed node kept."""
    batches = _batches(leaf_data)

    def run() -> Frontier:
        frontier, nodes = Frontier(), TreeNodes()
        for batch in batches:
            nodes.add(frontier.extend([leaf_hash(data) for data in batch]))
        return frontier

    assert benchmark.pedantic(run, rounds=3).root() == root
    rates.record(benchmark, "ours build (1M, frontier + every node)", len(leaf_data), "leaves",
                 peers=[PYMERKLE_BUILD], aim=">= 5x")


def test_pymerkle_inclusion_proofs(
    benchmark: BenchmarkFixture, rates: RateBoard, pymerkle_tree: InmemoryTree,
    our_nodes: TreeNodes, proof_indices: list[int],
) -> None:
    """The peer: pymerkle `prove_inclusion` (1-based index) at the full size."""
    size = pymerkle_tree.get_size()

    def run() -> list[object]:
        return [pymerkle_tree.prove_inclusion(index + 1) for index in proof_indices]

    proofs = benchmark.pedantic(run, rounds=PROOF_ROUNDS)
    # pymerkle's path starts with the leaf itself; the rest is the RFC 9162 proof.
    for index, proof in list(zip(proof_indices, proofs, strict=True))[:20]:
        assert proof.path[1:] == inclusion_plan(index, size).assemble(our_nodes)
    rates.record(benchmark, PYMERKLE_PROOFS, PROOFS, "proofs")


def test_inclusion_proofs(
    benchmark: BenchmarkFixture, rates: RateBoard, our_nodes: TreeNodes,
    leaf_hashes: list[LeafHash], proof_indices: list[int], root: bytes,
) -> None:
    """Ours: `inclusion_plan(index, size).assemble(nodes)` at the full size."""
    size = len(leaf_hashes)

    def run() -> list[list[Hash]]:
        return [inclusion_plan(index, size).assemble(our_nodes) for index in proof_indices]

    proofs = benchmark.pedantic(run, rounds=PROOF_ROUNDS)
    for index, proof in list(zip(proof_indices, proofs, strict=True))[:20]:
        verify_inclusion(index, size, leaf_hashes[index], proof, root)
    rates.record(benchmark, IN_MEMORY_PROOFS, PROOFS, "proofs", peers=[PYMERKLE_PROOFS],
                 aim=">= 5x")
