"""The committed artifacts are what the pinned solc makes of the committed sources."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from contracts import BENCH_CONTRACTS, CONTRACTS, load_artifact

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = ROOT / "contracts"

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
    assert artifact.evm_version == "paris"
    assert artifact.optimizer_runs == 10_000
    assert artifact.source_name in artifact.sources
    for source, digest in artifact.sources.items():
        assert hashlib.sha256((CONTRACTS_DIR / source).read_bytes()).hexdigest() == digest
    assert artifact.source_sha256 == artifact.sources[artifact.source_name]
    assert artifact.deployed_bytecode and artifact.bytecode.find(artifact.deployed_bytecode) > 0


@pytest.mark.parametrize("name", CONTRACTS)
def test_runtime_code_uses_no_post_paris_opcode(name: str) -> None:
    """Paris bytecode runs on London-era Besu networks: no PUSH0, MCOPY or transient storage."""
    opcodes = set(_opcodes(load_artifact(name).deployed_bytecode))
    assert not opcodes & {PUSH0, MCOPY, TLOAD, TSTORE}


def test_unknown_artifact_is_refused() -> None:
    with pytest.raises(KeyError):
        load_artifact("NoSuchContract")
