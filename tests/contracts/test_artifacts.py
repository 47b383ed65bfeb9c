"""The committed artifacts are what the pinned solc makes of the committed sources, for the
EVM rules of the Besu genesis."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from contracts import BENCH_CONTRACTS, CHAIN_FORK, CONTRACTS, load_artifact

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = ROOT / "contracts"
GENESIS = ROOT / "deploy" / "besu" / "qbft-config.json"

# Besu's genesis milestones that change the EVM, in order (numbered by block up to London, by
# timestamp after it), and the solc evmVersion of the instruction set of each one from London.
BLOCK_FORKS = ("homestead", "eip150", "eip155", "eip158", "byzantium", "constantinople",
               "petersburg", "istanbul", "berlin", "london")
TIME_FORKS = ("shanghai", "cancun", "prague", "osaka")
SOLC_EVM_VERSION = {"london": "paris", "shanghai": "shanghai", "cancun": "cancun",
                    "prague": "prague", "osaka": "osaka"}

# Opcodes of the forks after Paris that a Paris build must not contain.
PUSH0, MCOPY, TLOAD, TSTORE = 0x5F, 0x5E, 0x5C, 0x5D


def _opcodes(code: bytes) -> list[int]:
    """The opcodes of solc runtime code, skipping PUSH data and the trailing CBOR metadata
    (whose length is the code's last two bytes)."""
    end = len(code) - 2 - int.from_bytes(code[-2:], "big")
    found, pc = [], 0
    while pc < end:
        op = code[pc]
        found.append(op)
        pc += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)
    return found


def test_committed_artifacts_match_the_pinned_compiler() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the pinned solc (make install)")
    result = subprocess.run(
        [node, str(CONTRACTS_DIR / "build.mjs"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("name", CONTRACTS + BENCH_CONTRACTS)
def test_artifact_records_its_sources_and_settings(name: str) -> None:
    artifact = load_artifact(name)
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["solc"]
    assert artifact.compiler_version.startswith(f"{pinned}+commit.")
    assert artifact.evm_version == SOLC_EVM_VERSION[CHAIN_FORK]
    assert artifact.optimizer_runs == 10_000
    assert artifact.source_name in artifact.sources
    for source, digest in artifact.sources.items():
        assert hashlib.sha256((CONTRACTS_DIR / source).read_bytes()).hexdigest() == digest
    assert artifact.source_sha256 == artifact.sources[artifact.source_name]
    assert artifact.deployed_bytecode and artifact.bytecode.find(artifact.deployed_bytecode) > 0


def test_the_besu_genesis_pins_the_fork_the_contracts_are_built_and_measured_for() -> None:
    """CHAIN_FORK is the genesis' last milestone (the gas benchmark runs anvil at it), and the
    artifacts are built for its instruction set; a later fork must be a deliberate change of
    all three (docs/deploy-besu.md, "EVM rules")."""
    config = json.loads(GENESIS.read_text())["genesis"]["config"]
    keys = {fork: key for fork in BLOCK_FORKS + TIME_FORKS
            for key in (f"{fork}Block", f"{fork}Time") if key in config}
    assert list(keys)[-1] == CHAIN_FORK
    assert all(config[key] == 0 for key in keys.values())
    assert load_artifact("LedgerAnchor").evm_version == SOLC_EVM_VERSION[CHAIN_FORK]


@pytest.mark.parametrize("name", CONTRACTS)
def test_runtime_code_uses_no_post_paris_opcode(name: str) -> None:
    """Paris bytecode runs on London-era Besu networks: no PUSH0, MCOPY or transient storage."""
    opcodes = set(_opcodes(load_artifact(name).deployed_bytecode))
    assert not opcodes & {PUSH0, MCOPY, TLOAD, TSTORE}


def test_unknown_artifact_is_refused() -> None:
    with pytest.raises(KeyError):
        load_artifact("NoSuchContract")
