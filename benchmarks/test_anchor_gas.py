"""Gas per anchor with on-chain RFC 9162 consistency verification, against two floors, and
anchors per second, on the embedded chain and on anvil.

Gas depends only on the proof's length and shape, never on the tree's contents: 10^3 and 10^6
use real trees (ledger.merkle proofs over MemoryTree); 10^9 uses a VirtualTree, whose proof has
the same length and shape as a real one's. Each size is measured for a "typical" step (the
previous anchor 100 leaves back) and the "worst" step (the old size, within 4096 back, whose
proof is the longest). Anchors are measured in steady state: the contract already holds an
anchor, so the latest-size slot is rewritten rather than created.

Floors, deployed from the artifacts under contracts/artifacts/bench/: an event alone
(EventOnlyAnchor) and a root stored in a fresh mapping slot plus the event
(MappingWriteAnchor), both with the same signature and an empty proof; and the event alone
with the 10^6 proof as calldata (on Prague-rules chains that one pays EIP-7623's calldata
floor, 10/40 gas per zero/non-zero byte, since it executes almost nothing; the real anchor
executes enough to pay the standard 4/16).

The numbers go into ``benchmark.extra_info["gas"]``; run with
``make bench`` (``pytest benchmarks --benchmark-only``).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from itertools import count
from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from anchoring.abi import functions_of
from anchoring.deploy import deploy_contract
from ledger.merkle import consistency_plan, verify_consistency
from tests.chain_fixtures import (
    ChainEnv,
    anvil_env,
    anvil_node,
    embedded_chain,
    embedded_env,
)
from tests.merkle_trees import MemoryTree, VirtualTree

__all__ = ["anvil_env", "anvil_node", "embedded_chain", "embedded_env"]

SIZES = {"1e3": 10**3, "1e6": 10**6, "1e9": 10**9}
TYPICAL_STEP = 100
WORST_WINDOW = 4096
RATE_ROUNDS = {"embedded": 30, "anvil": 200}


@cache
def _real_tree(size: int) -> MemoryTree:
    return MemoryTree.of_size(size, b"bench/")


def _worst_old_size(new: int) -> int:
    """The old size within WORST_WINDOW below `new` with the longest consistency proof."""
    candidates = range(max(1, new - WORST_WINDOW), new)
    return max(candidates, key=lambda old: (len(consistency_plan(old, new).groups), old))


def _proof_case(old: int, new: int) -> tuple[bytes, bytes, list[bytes]]:
    """(old root, new root, proof) for a real tree when it can be built, else a virtual one."""
    if new <= 10**6:
        tree = _real_tree(new)
        old_root, new_root = tree.root(old), tree.root(new)
        proof: list[bytes] = list(tree.consistency_proof(old, new))
    else:
        virtual = VirtualTree(old, new)
        old_root, new_root = virtual.root(old), virtual.root(new)
        proof = list(virtual.consistency_proof())
    verify_consistency(old, new, old_root, new_root, proof)
    return old_root, new_root, proof


def _anchor_gas(env: ChainEnv, old: int, new: int) -> dict[str, int]:
    """Gas of anchoring `new` on a contract whose latest anchor is `old`."""
    old_root, new_root, proof = _proof_case(old, new)
    contract = env.new_anchor()
    first = contract.anchor(old, old_root, [])
    receipt = contract.anchor(new, new_root, proof)
    return {"old_size": old, "new_size": new, "proof_hashes": len(proof),
            "gas": receipt.gas_used, "first_anchor_gas": first.gas_used}


def _floor_gas(env: ChainEnv, name: str, proof: list[bytes]) -> int:
    address, _ = deploy_contract(env.chain, env.admin, name)
    data = functions_of(name)["anchor"].encode_call(10**6, b"\x42" * 32, proof)
    receipt = env.chain.send(env.anchorer, to=address, data=data)
    return int(receipt["gasUsed"])


def _gas_table(env: ChainEnv) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for label, size in SIZES.items():
        typical_old = size - TYPICAL_STEP
        table[label] = {
            "typical": _anchor_gas(env, typical_old, size),
            "worst": _anchor_gas(env, _worst_old_size(size), size),
        }
    proof_1e6 = _proof_case(10**6 - TYPICAL_STEP, 10**6)[2]
    table["floor"] = {
        "event_only": _floor_gas(env, "EventOnlyAnchor", []),
        "mapping_write": _floor_gas(env, "MappingWriteAnchor", []),
        "event_only_with_1e6_proof_calldata": _floor_gas(env, "EventOnlyAnchor", proof_1e6),
    }
    return table


@pytest.fixture(scope="module")
def gas_by_chain(embedded_env: ChainEnv, anvil_env: ChainEnv) -> dict[str, dict[str, Any]]:
    """The gas table measured on both chains; py-evm and anvil (revm) must agree."""
    tables = {env.name: _gas_table(env) for env in (embedded_env, anvil_env)}
    assert tables["embedded"] == tables["anvil"]
    return tables


def _anchoring_steps(env: ChainEnv) -> Iterator[None]:
    """Anchor ever larger sizes of one real tree, each with its consistency proof."""
    tree = _real_tree(10**6)
    contract = env.new_anchor()
    previous = 0
    for size in count(start=1, step=37):
        proof = tree.consistency_proof(previous, size) if previous else []
        contract.anchor(size, tree.root(size), proof)
        previous = size
        yield


@pytest.mark.parametrize("chain_name", ["embedded", "anvil"])
def test_anchor_gas_and_rate(
    benchmark: BenchmarkFixture,
    request: pytest.FixtureRequest,
    gas_by_chain: dict[str, dict[str, Any]],
    chain_name: str,
) -> None:
    """Anchors per second (timed), with the gas table in extra_info."""
    env: ChainEnv = request.getfixturevalue(f"{chain_name}_env")
    benchmark.extra_info["gas"] = gas_by_chain[chain_name]
    steps = _anchoring_steps(env)
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        lambda: next(steps), rounds=RATE_ROUNDS[chain_name], iterations=1, warmup_rounds=1
    )
