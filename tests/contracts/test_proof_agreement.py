"""The contract's RFC 9162 verification agrees with ledger.merkle on thousands of proofs.

Valid proofs come from ledger.merkle's proof plans over in-memory trees; each example then
maybe mutates them (flipped bits, dropped, added, swapped or foreign hashes, wrong index,
size or root). The contract's answer (eth_call of ``verifyInclusion``; for consistency an
eth_call of ``anchor`` on a contract whose latest anchor is the old tree: a revert means
refused) must equal whether ``ledger.merkle.verify_*`` accepts the same input.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anchoring import LedgerAnchor, TransactionReverted
from ledger.errors import ProofError
from ledger.merkle import verify_consistency, verify_inclusion
from tests.chain_fixtures import ChainEnv
from tests.merkle_trees import MemoryTree

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""

TREE = MemoryTree.of_size(1100, b"agreement/")
INCLUSION_SIZES = [*range(1, 70), 100, 127, 128, 129, 255, 256, 257, 511, 512, 513, 777,
                   1000, 1023, 1024, 1025, 1100]
OLD_SIZES = [*range(1, 34), 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 300, 511, 512]
EXAMPLES = 1500
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def inclusion_anchor(chain_env: ChainEnv) -> LedgerAnchor:
    """A contract with every size of INCLUSION_SIZES anchored, in order."""
    anchor = chain_env.new_anchor()
    previous = 0
    for size in INCLUSION_SIZES:
        proof = TREE.consistency_proof(previous, size) if previous else []
        anchor.anchor(size, TREE.root(size), proof)
        previous = size
    return anchor


class _OldTrees:
    """One contract per old size m, its latest anchor the tree of m leaves (made on demand)."""

    def __init__(self, env: ChainEnv) -> None:
        self.env = env
        self.contracts: dict[int, LedgerAnchor] = {}

    def at(self, old_size: int) -> LedgerAnchor:
        if old_size not in self.contracts:
            contract = self.env.new_anchor()
            contract.anchor(old_size, TREE.root(old_size), [])
            self.contracts[old_size] = contract
        return self.contracts[old_size]


@pytest.fixture(scope="module")
def old_trees(chain_env: ChainEnv) -> _OldTrees:
    return _OldTrees(chain_env)


def _flip(value: bytes, rng: random.Random) -> bytes:
    position = rng.randrange(len(value) * 8)
    mutated = bytearray(value)
    mutated[position // 8] ^= 1 << (position % 8)
    return bytes(mutated)


def _mutate_proof(proof: list[bytes], rng: random.Random) -> list[bytes]:
    """One random change to a proof (it may, rarely, leave it valid: the oracle decides)."""
    proof = list(proof)
    choices: list[Callable[[], object]] = [
        lambda: proof.append(TREE.leaf(rng.randrange(TREE.size))),
        lambda: proof.insert(0, rng.randbytes(32)),
    ]
    if proof:
        index = rng.randrange(len(proof))
        choices += [
            lambda: proof.__setitem__(index, _flip(proof[index], rng)),
            lambda: proof.pop(index),
            lambda: proof.__setitem__(index, TREE.leaf(rng.randrange(TREE.size))),
            lambda: proof.clear(),
            lambda: proof.append(proof[-1]),
        ]
    if len(proof) > 1:
        i, j = rng.sample(range(len(proof)), 2)
        choices.append(lambda: proof.__setitem__(slice(None), _swapped(proof, i, j)))
    rng.choice(choices)()
    return proof


def _swapped(proof: list[bytes], i: int, j: int) -> list[bytes]:
    swapped = list(proof)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    return swapped


def _reference_inclusion(size: int, index: int, leaf: bytes, proof: list[bytes]) -> bool:
    if not 0 <= index < size:
        return False
    try:
        verify_inclusion(index, size, leaf, proof, TREE.root(size))
    except ProofError:
        return False
    return True


def _reference_consistency(old: int, new: int, root: bytes, proof: list[bytes]) -> bool:
    try:
        verify_consistency(old, new, TREE.root(old), root, proof)
    except ProofError:
        return False
    return True


def _contract_accepts_anchor(contract: LedgerAnchor, new: int, root: bytes,
                             proof: list[bytes]) -> bool:
    try:
        contract.check_anchor(new, root, proof)
    except TransactionReverted as reverted:
        assert reverted.error == "LedgerAnchor__InconsistentProof", reverted
        return False
    return True


@SETTINGS
@given(
    size=st.sampled_from(INCLUSION_SIZES),
    index_seed=st.integers(min_value=0, max_value=2**32),
    mutation=st.sampled_from(["none", "none", "proof", "leaf", "index", "size", "random"]),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_inclusion_agrees_with_ledger_merkle(
    inclusion_anchor: LedgerAnchor, size: int, index_seed: int, mutation: str, seed: int
) -> None:
    rng = random.Random(seed)
    index = index_seed % size
    leaf = TREE.leaf(index)
    proof: list[bytes] = list(TREE.inclusion_proof(index, size))
    if mutation == "proof":
        proof = _mutate_proof(proof, rng)
    elif mutation == "leaf":
        leaf = rng.choice([_flip(leaf, rng), TREE.leaf((index + 1) % TREE.size)])
    elif mutation == "index":
        index = rng.choice([index + 1, index - 1, index ^ 1, size, size + rng.randrange(100),
                            rng.randrange(2**64)]) % 2**64
    elif mutation == "size":
        size = rng.choice(INCLUSION_SIZES)
    elif mutation == "random":
        proof = [rng.randbytes(32) for _ in range(rng.randrange(0, 14))]
    expected = _reference_inclusion(size, index, leaf, proof)
    assert inclusion_anchor.verify_inclusion(size, index, leaf, proof) == expected
    if mutation == "none":
        assert expected


@SETTINGS
@given(
    old=st.sampled_from(OLD_SIZES),
    extra=st.integers(min_value=1, max_value=TREE.size),
    mutation=st.sampled_from(["none", "none", "proof", "root", "sizes", "random"]),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_consistency_agrees_with_ledger_merkle(
    old_trees: _OldTrees, old: int, extra: int, mutation: str, seed: int
) -> None:
    rng = random.Random(seed)
    new = min(old + extra, TREE.size)
    if new == old:
        new = old + 1
    root: bytes = TREE.root(new)
    proof: list[bytes] = list(TREE.consistency_proof(old, new))
    if mutation == "proof":
        proof = _mutate_proof(proof, rng)
    elif mutation == "root":
        root = rng.choice([_flip(root, rng), TREE.root(new - 1), TREE.root(min(new + 1, TREE.size)),
                           TREE.root(old)])
    elif mutation == "sizes":
        # A valid proof, but between other sizes than the ones claimed.
        other_old = rng.randrange(1, new)
        proof = list(TREE.consistency_proof(other_old, new))
    elif mutation == "random":
        proof = [rng.randbytes(32) for _ in range(rng.randrange(0, 14))]
    if len(proof) > LedgerAnchor.MAX_PROOF_LENGTH:
        proof = proof[: LedgerAnchor.MAX_PROOF_LENGTH]
    expected = _reference_consistency(old, new, root, proof)
    assert _contract_accepts_anchor(old_trees.at(old), new, root, proof) == expected
    if mutation == "none":
        assert expected
