"""Gas per anchor with on-chain RFC 9162 consistency verification, against floors measured in
the same run, at the EVM rules of the Besu genesis and at later forks; anchors per second.

Gas depends only on the proof's length and shape, never on the tree's contents: 10^3 and 10^6
use real trees (ledger.merkle proofs over MemoryTree); 10^9 and the longest proof there is
(65 hashes, sizes near 2^64) use a VirtualTree, whose proof has the same length and shape as a
real one's. Each size is measured for a "typical" step (the previous anchor 100 leaves back)
and the "worst" step (the old size, within 4096 back, whose proof is the longest), in steady
state: the contract already holds an anchor.

Contracts, all taking the same packed call data (``anchoring.ledger_anchor.anchor_call_data``):

- ``ledger_anchor``: LedgerAnchor, with ``rootAt(size)`` and the history on chain;
- ``latest_only``: LatestOnlyAnchor (contracts/bench/), the variant with the history in events
  only: same role, checks and event, only the latest checkpoint kept;
- the floors (contracts/bench/AnchorFloors.sol), each deployed for the case's previous
  checkpoint: ``calldata`` (EventOnlyAnchor: the transaction with this call data and the event,
  nothing executed; on Prague rules EIP-7623's calldata floor), ``proof`` (ProofFloorAnchor with
  0 new slots: the call data decoded and the proof checked against a checkpoint held in the
  code, the event), ``one_slot`` (plus the root in a new slot) and ``two_slots`` (plus the
  timestamp in a second new slot: the floor of ``rootAt(size)``).

Every figure is also given as a ratio to the floors and to TARGET_GAS. Chains: anvil at
PINNED_HARDFORK (the milestone of deploy/besu/qbft-config.json), the embedded chain and anvil
at Prague (two EVM implementations, which must agree), anvil at its latest fork. On the latest
fork, LedgerAnchor built for each later EVM version (``build.mjs --evm-version=...``) is
measured beside the committed Paris build.

The numbers go into ``benchmark.extra_info["gas"]``; run with
``pytest benchmarks/test_anchor_gas.py --benchmark-only --benchmark-json=gas.json``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any, Final

import pytest
from eth_abi.abi import encode as abi_encode
from pytest_benchmark.fixture import BenchmarkFixture

from anchoring import ANCHORER_ROLE, LedgerAnchor
from anchoring.deploy import deploy_contract
from anchoring.ledger_anchor import anchor_call_data
from contracts import CHAIN_FORK, load_artifact
from ledger.merkle import consistency_plan, verify_consistency
from tests.chain_fixtures import (
    AnvilNode,
    ChainEnv,
    anvil_chain_env,
    anvil_env,
    anvil_node,
    embedded_chain,
    embedded_env,
    start_anvil,
)
from tests.merkle_trees import MemoryTree, VirtualTree

__all__ = ["anvil_env", "anvil_node", "embedded_chain", "embedded_env"]

#: The fork of the Besu genesis (tests/contracts/test_artifacts.py holds the genesis to it).
PINNED_HARDFORK: Final = CHAIN_FORK
#: The target gas per anchor at 10^6 leaves, each figure's last ratio.
TARGET_GAS: Final = 70_000

SIZES = {"1e3": 10**3, "1e6": 10**6, "1e9": 10**9}
TYPICAL_STEP = 100
WORST_WINDOW = 4096
LONGEST = (2**63 + 1, 2**64 - 1)  # the only 65-hash proofs are near 2^64
RATE_ROUNDS = {"embedded": 30, "anvil": 200}
FLOORS = {"proof": 0, "one_slot": 1, "two_slots": 2}
LATER_BUILDS = ("shanghai", "cancun", "prague", "osaka")
BUILD = Path(__file__).resolve().parents[1] / "contracts" / "build.mjs"


@cache
def _real_tree(size: int) -> MemoryTree:
    return MemoryTree.of_size(size, b"bench/")


def _worst_old_size(new: int) -> int:
    """The old size within WORST_WINDOW below `new` with the longest consistency proof."""
    candidates = range(max(1, new - WORST_WINDOW), new)
    return max(candidates, key=lambda old: (len(consistency_plan(old, new).groups), old))


@cache
def _proof_case(old: int, new: int) -> tuple[bytes, bytes, tuple[bytes, ...]]:
    """(old root, new root, proof) for a real tree when it can be built, else a virtual one."""
    if new <= 10**6:
        tree = _real_tree(new)
        old_root, new_root = tree.root(old), tree.root(new)
        proof = tuple(tree.consistency_proof(old, new))
    else:
        virtual = VirtualTree(old, new)
        old_root, new_root = virtual.root(old), virtual.root(new)
        proof = tuple(virtual.consistency_proof())
    verify_consistency(old, new, old_root, new_root, list(proof))
    return old_root, new_root, proof


def _send(env: ChainEnv, address: str, size: int, root: bytes, proof: tuple[bytes, ...]) -> int:
    """Gas used by the anchor transaction of (size, root, proof) sent to `address`."""
    receipt = env.chain.send(env.anchorer, to=address,
                             data=anchor_call_data(size, root, proof))
    return int(receipt["gasUsed"])


def _anchorable(env: ChainEnv, creation_code: bytes) -> str:
    """A fresh contract from `creation_code` (LedgerAnchor's or LatestOnlyAnchor's, whose
    constructor takes the admin), the anchorer holding its ANCHORER_ROLE."""
    receipt = env.chain.send(env.admin, to=None,
                             data=creation_code + abi_encode(["address"], [env.admin.address]))
    address = str(receipt["contractAddress"])
    LedgerAnchor(env.chain, address, env.admin).grant_role(ANCHORER_ROLE, env.anchorer.address)
    return address


def _case_gas(env: ChainEnv, old: int, new: int) -> dict[str, Any]:
    """Gas of anchoring `new` after `old` on each contract, and the ratios to the floors."""
    old_root, new_root, proof = _proof_case(old, new)
    gas: dict[str, Any] = {"old_size": old, "new_size": new, "proof_hashes": len(proof)}
    for label, name in (("ledger_anchor", "LedgerAnchor"), ("latest_only", "LatestOnlyAnchor")):
        address = _anchorable(env, load_artifact(name).bytecode)
        first = _send(env, address, old, old_root, ())
        gas[label] = _send(env, address, new, new_root, proof)
        gas[f"{label}_first_anchor"] = first
    event_only, _ = deploy_contract(env.chain, env.admin, "EventOnlyAnchor")
    gas["calldata"] = _send(env, event_only, new, new_root, proof)
    for label, new_slots in FLOORS.items():
        floor, _ = deploy_contract(env.chain, env.admin, "ProofFloorAnchor", old, old_root,
                                   new_slots)
        gas[label] = _send(env, floor, new, new_root, proof)
    gas["ratios"] = {
        "ledger_anchor/two_slots": _ratio(gas["ledger_anchor"], gas["two_slots"]),
        "ledger_anchor/one_slot": _ratio(gas["ledger_anchor"], gas["one_slot"]),
        "ledger_anchor/calldata": _ratio(gas["ledger_anchor"], gas["calldata"]),
        "ledger_anchor/target": _ratio(gas["ledger_anchor"], TARGET_GAS),
        "latest_only/proof": _ratio(gas["latest_only"], gas["proof"]),
        "latest_only/calldata": _ratio(gas["latest_only"], gas["calldata"]),
        "latest_only/target": _ratio(gas["latest_only"], TARGET_GAS),
        "one_slot/target": _ratio(gas["one_slot"], TARGET_GAS),
        "two_slots/target": _ratio(gas["two_slots"], TARGET_GAS),
    }
    return gas


def _ratio(figure: int, limit: int) -> float:
    return round(figure / limit, 3)


def _gas_table(env: ChainEnv) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for label, size in SIZES.items():
        table[label] = {
            "typical": _case_gas(env, size - TYPICAL_STEP, size),
            "worst": _case_gas(env, _worst_old_size(size), size),
        }
    table["longest"] = _case_gas(env, *LONGEST)
    return table


@cache
def _creation_code(evm_version: str) -> bytes:
    """LedgerAnchor's creation code: the committed Paris artifact, or a build for
    `evm_version` by the pinned solc with otherwise the same settings."""
    if evm_version == "paris":
        return load_artifact("LedgerAnchor").bytecode
    node = shutil.which("node")
    assert node is not None, "node runs the pinned solc"
    built = subprocess.run([node, str(BUILD), f"--evm-version={evm_version}"],
                           capture_output=True, text=True, timeout=300, check=True)
    artifact = json.loads(built.stdout)["LedgerAnchor"]
    assert artifact["settings"]["evmVersion"] == evm_version
    return bytes.fromhex(artifact["bytecode"].removeprefix("0x"))


def _build_gas(env: ChainEnv) -> dict[str, Any]:
    """Gas of the 10^6 anchors with LedgerAnchor built for Paris and for each later version,
    each on a fresh contract (the same steady state as in _case_gas)."""
    cases = {"1e6 typical": (10**6 - TYPICAL_STEP, 10**6),
             "1e6 worst": (_worst_old_size(10**6), 10**6)}
    table: dict[str, Any] = {}
    for version in ("paris", *LATER_BUILDS):
        row: dict[str, Any] = {}
        for label, (old, new) in cases.items():
            old_root, new_root, proof = _proof_case(old, new)
            address = _anchorable(env, _creation_code(version))
            _send(env, address, old, old_root, ())
            row[label] = _send(env, address, new, new_root, proof)
            row["runtime_bytes"] = len(env.chain.code(address))
        if version != "paris":
            row["saved_vs_paris"] = {label: table["paris"][label] - row[label] for label in cases}
        table[version] = row
    return table


@pytest.fixture(scope="module")
def pinned_env() -> Iterator[ChainEnv]:
    """Anvil at the Besu genesis' fork, with the contracts deployed."""
    yield from _anvil_at(PINNED_HARDFORK)


@pytest.fixture(scope="module")
def prague_env() -> Iterator[ChainEnv]:
    """Anvil at Prague, the embedded chain's rules."""
    yield from _anvil_at("prague")


def _anvil_at(hardfork: str) -> Iterator[ChainEnv]:
    node: AnvilNode = start_anvil(hardfork=hardfork)
    try:
        yield anvil_chain_env(node)
    finally:
        node.stop()


@pytest.fixture(scope="module")
def gas_by_rules(
    pinned_env: ChainEnv, embedded_env: ChainEnv, prague_env: ChainEnv, anvil_env: ChainEnv
) -> dict[str, dict[str, Any]]:
    """The gas table at the pinned fork, at Prague (py-evm and revm, which must agree) and at
    anvil's latest fork."""
    tables = {
        PINNED_HARDFORK: _gas_table(pinned_env),
        "prague": _gas_table(embedded_env),
        "latest": _gas_table(anvil_env),
        "latest_by_evm_version": _build_gas(anvil_env),
    }
    assert _gas_table(prague_env) == tables["prague"]
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
    gas_by_rules: dict[str, dict[str, Any]],
    chain_name: str,
) -> None:
    """Anchors per second (timed), with the gas tables in extra_info."""
    env: ChainEnv = request.getfixturevalue(f"{chain_name}_env")
    benchmark.extra_info["gas"] = gas_by_rules
    steps = _anchoring_steps(env)
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        lambda: next(steps), rounds=RATE_ROUNDS[chain_name], iterations=1, warmup_rounds=1
    )
