"""RFC 9162 proofs: every transparency-dev probe, known answers, and the naive reference."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verifier.conftest import VECTORS
from tests.verifier.ledger_double import NaiveTree, rfc_leaf
from verifier.errors import (
    IndexOutOfRange,
    InvalidTreeSizes,
    MalformedHash,
    RootMismatch,
    VerificationError,
    WrongProofLength,
)
from verifier.rfc9162 import (
    EMPTY_ROOT,
    LeafHash,
    NodeHash,
    RootHash,
    inclusion_proof_length,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from verifier.tree import Frontier

PROBES = sorted((VECTORS / "rfc9162").rglob("*.json"))


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def probe_id(path: Path) -> str:
    return str(path.relative_to(VECTORS / "rfc9162"))


def test_all_probes_are_present() -> None:
    assert len(PROBES) == 196
    assert sum(1 for p in PROBES if not json.loads(p.read_text())["wantErr"]) == 12


@pytest.mark.parametrize("path", PROBES, ids=probe_id)
def test_probe(path: Path) -> None:
    probe = json.loads(path.read_text())
    proof = [NodeHash(b64(h)) for h in probe["proof"] or []]
    if "leafIdx" in probe:

        def run() -> None:
            verify_inclusion(
                probe["leafIdx"],
                probe["treeSize"],
                LeafHash(b64(probe["leafHash"])),
                proof,
                RootHash(b64(probe["root"])),
            )
    else:

        def run() -> None:
            verify_consistency(
                probe["size1"],
                probe["size2"],
                proof,
                RootHash(b64(probe["root1"])),
                RootHash(b64(probe["root2"])),
            )

    if probe["wantErr"]:
        with pytest.raises(VerificationError):
            run()
    else:
        run()


def test_known_answers() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )
    frontier = Frontier()
    for hex_leaf in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ):
        frontier.append(leaf_hash(bytes.fromhex(hex_leaf)))
    assert frontier.root().hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


def test_preconditions_say_got_and_want() -> None:
    leaf = leaf_hash(b"x")
    with pytest.raises(IndexOutOfRange, match="leaf index 5 is not below the tree size 5"):
        inclusion_proof_length(5, 5)
    with pytest.raises(WrongProofLength, match="has 0 hashes, want 3"):
        root_from_inclusion_proof(0, 8, leaf, [])
    with pytest.raises(MalformedHash, match="leaf hash is 31 bytes, want 32"):
        root_from_inclusion_proof(0, 1, LeafHash(bytes(31)), [])
    with pytest.raises(InvalidTreeSizes):
        verify_consistency(3, 2, [], RootHash(bytes(32)), RootHash(bytes(32)))
    with pytest.raises(RootMismatch, match="want"):
        verify_inclusion(0, 1, leaf, [], RootHash(bytes(32)))


def test_equal_size_zero_needs_the_empty_root() -> None:
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    with pytest.raises(RootMismatch):
        verify_consistency(0, 0, [], RootHash(b"x" * 32), RootHash(b"x" * 32))


sizes = st.integers(min_value=1, max_value=70)


@settings(max_examples=300, deadline=None)
@given(size=sizes, data=st.data())
def test_inclusion_agrees_with_the_naive_reference(size: int, data: st.DataObject) -> None:
    tree = NaiveTree([rfc_leaf(b"%d" % i) for i in range(size)])
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = [NodeHash(h) for h in tree.inclusion(index, size)]
    root = RootHash(tree.root(size))
    leaf = LeafHash(tree.leaves[index])
    assert inclusion_proof_length(index, size) == len(proof)
    verify_inclusion(index, size, leaf, proof, root)
    frontier = Frontier()
    for item in tree.leaves:
        frontier.append(LeafHash(item))
    assert frontier.root() == root
    if proof:
        position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        broken = list(proof)
        broken[position] = NodeHash(bytes(32))
        with pytest.raises(RootMismatch):
            verify_inclusion(index, size, leaf, broken, root)
    with pytest.raises(WrongProofLength):
        verify_inclusion(index, size, leaf, [*proof, NodeHash(bytes(32))], root)


@settings(max_examples=300, deadline=None)
@given(size2=sizes, data=st.data())
def test_consistency_agrees_with_the_naive_reference(size2: int, data: st.DataObject) -> None:
    tree = NaiveTree([rfc_leaf(b"%d" % i) for i in range(size2)])
    size1 = data.draw(st.integers(min_value=1, max_value=size2))
    proof = [NodeHash(h) for h in tree.consistency(size1, size2)]
    root1, root2 = RootHash(tree.root(size1)), RootHash(tree.root(size2))
    verify_consistency(size1, size2, proof, root1, root2)
    if size1 < size2:
        with pytest.raises(RootMismatch):
            verify_consistency(size1, size2, proof, root1, RootHash(bytes(32)))
        with pytest.raises(RootMismatch):
            verify_consistency(size1, size2, proof, RootHash(bytes(32)), root2)
        with pytest.raises(WrongProofLength):
            verify_consistency(size1, size2, proof[:-1], root1, root2)
