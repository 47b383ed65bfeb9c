"""RFC 9162 hashing and proofs: published probes, known answers, and a naive reference."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import ProofError
from ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    NodeId,
    consistency_plan,
    inclusion_plan,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from tests.ledger import reference

VECTORS = Path(__file__).parent.parent / "vectors" / "rfc9162"


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _probes(kind: str) -> list[tuple[str, dict[str, Any]]]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert files, f"no {kind} vectors"
    return [(str(p.relative_to(VECTORS)), json.loads(p.read_text())) for p in files]


@pytest.mark.parametrize(("name", "probe"), _probes("inclusion"), ids=lambda v: str(v)[:60])
def test_inclusion_probe(name: str, probe: dict[str, Any]) -> None:
    proof = [_b64(p) for p in probe["proof"] or []]
    args = (probe["leafIdx"], probe["treeSize"], _b64(probe["leafHash"]), proof,
            _b64(probe["root"]))
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize(("name", "probe"), _probes("consistency"), ids=lambda v: str(v)[:60])
def test_consistency_probe(name: str, probe: dict[str, Any]) -> None:
    proof = [_b64(p) for p in probe["proof"] or []]
    args = (probe["size1"], probe["size2"], _b64(probe["root1"]), _b64(probe["root2"]), proof)
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_known_answers() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
    assert node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")
    leaves = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243",
                                         "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
    assert root_of([leaf_hash(d) for d in leaves]).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")


def _stored(leaves: list[bytes], cuts: list[int]) -> tuple[Frontier, dict[NodeId, bytes]]:
    frontier, nodes, at = Frontier(), {}, 0
    for cut in [*sorted(cuts), len(leaves)]:
        for run in frontier.extend(leaves[at:cut]):
            for k, h in enumerate(run.hashes):
                nodes[NodeId(run.level, run.start + k)] = h
        at = max(at, cut)
    return frontier, nodes


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300), st.lists(st.integers(0, 300), max_size=8), st.data())
def test_frontier_and_plans_match_reference(n: int, cuts: list[int], data: st.DataObject) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    frontier, nodes = _stored(leaves, [c for c in cuts if c <= n])
    assert frontier.size == n
    assert frontier.root() == reference.mth(leaves)
    index = data.draw(st.integers(0, n - 1))
    size = data.draw(st.integers(index + 1, n))
    assert inclusion_plan(index, size).assemble(nodes) == reference.path(index, leaves[:size])
    old = data.draw(st.integers(1, size))
    proof = consistency_plan(old, size).assemble(nodes)
    assert proof == reference.proof(old, leaves[:size])
    verify_consistency(old, size, reference.mth(leaves[:old]), reference.mth(leaves[:size]),
                       proof)


def test_plans_refuse_out_of_range() -> None:
    with pytest.raises(ProofError, match="index 5 out of range for size 5"):
        inclusion_plan(5, 5)
    with pytest.raises(ProofError, match="out of order"):
        consistency_plan(6, 5)


def test_frontier_append_and_extend_agree() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(200)]
    one, many = Frontier(), Frontier()
    for leaf in leaves:
        one.append(leaf)
    many.extend(leaves[:77])
    many.extend(leaves[77:])
    assert one.hashes == many.hashes
    assert one.root() == many.root() == reference.mth(leaves)
