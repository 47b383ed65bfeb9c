"""The compiled contracts: typed access to the committed artifacts of ``contracts/build.mjs``.

Running the project needs no Solidity compiler: the artifacts (ABI, creation and runtime
bytecode, compiler version, settings, SHA-256 of every source) are committed, and
``tests/contracts/test_artifacts.py`` proves they are what the pinned solc makes of the sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "BENCH_CONTRACTS",
    "CHAIN_FORK",
    "CONTRACTS",
    "ContractArtifact",
    "load_artifact",
]

#: The deployable contracts of InfraLedger (DESIGN section 3).
CONTRACTS: tuple[str, ...] = ("LedgerAnchor", "OperatorRegistry")

#: Contracts used only by ``benchmarks/test_anchor_gas.py``: the gas floors and the measured
#: storage variant (``contracts/bench/``).
BENCH_CONTRACTS: tuple[str, ...] = ("EventOnlyAnchor", "LatestOnlyAnchor", "ProofFloorAnchor")

#: The EVM rules the contracts are built and measured for: the fork of the Besu genesis
#: (``deploy/besu/qbft-config.json``: ``londonBlock: 0`` and no later fork), whose instruction
#: set is what solc calls ``paris``; the gas benchmark runs anvil at this fork.
CHAIN_FORK: str = "london"


@dataclass(frozen=True)
class ContractArtifact:
    """One compiled contract as ``contracts/build.mjs`` wrote it.

    ``abi`` is the JSON ABI as solc emits it; ``sources`` maps every source file the contract
    was compiled from to its SHA-256 (lowercase hex).
    """

    name: str
    source_name: str
    source_sha256: str
    sources: dict[str, str]
    compiler_version: str
    evm_version: str
    optimizer_runs: int
    abi: list[dict[str, Any]]
    bytecode: bytes
    deployed_bytecode: bytes


@cache
def load_artifact(name: str) -> ContractArtifact:
    """Load the committed artifact of contract ``name`` (one of CONTRACTS or BENCH_CONTRACTS).

    Raises ``KeyError`` for an unknown name and ``FileNotFoundError`` when the artifact is
    missing (run ``make contracts``).
    """
    if name in CONTRACTS:
        path = resources.files(__name__) / "artifacts" / f"{name}.json"
    elif name in BENCH_CONTRACTS:
        path = resources.files(__name__) / "artifacts" / "bench" / f"{name}.json"
    else:
        raise KeyError(f"unknown contract {name!r}; known: {CONTRACTS + BENCH_CONTRACTS}")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return ContractArtifact(
        name=raw["contractName"],
        source_name=raw["sourceName"],
        source_sha256=raw["sourceSha256"],
        sources={source: entry["sha256"] for source, entry in raw["sources"].items()},
        compiler_version=raw["compiler"]["version"],
        evm_version=raw["settings"]["evmVersion"],
        optimizer_runs=raw["settings"]["optimizer"]["runs"],
        abi=raw["abi"],
        bytecode=bytes.fromhex(raw["bytecode"].removeprefix("0x")),
        deployed_bytecode=bytes.fromhex(raw["deployedBytecode"].removeprefix("0x")),
    )
