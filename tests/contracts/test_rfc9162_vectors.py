"""transparency-dev/merkle's RFC 9162 probes (tests/vectors/rfc9162) against the contract.

Every probe the contract can be asked is asked: inclusion through ``verifyInclusion`` on a
contract whose first anchor is the probe's (size, root); consistency through an eth_call of
``anchor`` on a contract whose latest anchor is (size1, root1). Probes the contract cannot
express are counted and left out: a tree of size 0 (never anchored), an index past uint64, a
hash that is not 32 bytes. Equal sizes are a valid RFC 9162 case that an anchor refuses by
design (history must grow): those probes must revert with SizeNotIncreasing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from anchoring import LedgerAnchor, TransactionReverted
from tests.chain_fixtures import ChainEnv

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "rfc9162"
UINT64 = 2**64


def _load(kind: str) -> list[dict[str, Any]]:
    probes = []
    for path in sorted((VECTORS / kind).rglob("*.json")):
        probe = json.loads(path.read_text())
        probe["path"] = str(path.relative_to(VECTORS))
        probes.append(probe)
    return probes


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _hashes(values: list[str] | None) -> list[bytes]:
    return [_b64(value) for value in values or []]


class _Anchors:
    def __init__(self, env: ChainEnv) -> None:
        self.env = env
        self.by_checkpoint: dict[tuple[int, bytes], LedgerAnchor] = {}

    def at(self, size: int, root: bytes) -> LedgerAnchor:
        key = (size, root)
        if key not in self.by_checkpoint:
            contract = self.env.new_anchor()
            contract.anchor(size, root, [])
            self.by_checkpoint[key] = contract
        return self.by_checkpoint[key]


def _expressible(size: int, index: int, hashes: list[bytes]) -> bool:
    return 0 < size < UINT64 and 0 <= index < UINT64 and all(len(h) == 32 for h in hashes)


def test_inclusion_probes(chain_env: ChainEnv) -> None:
    anchors = _Anchors(chain_env)
    asked = 0
    for probe in _load("inclusion"):
        size, index = probe["treeSize"], probe["leafIdx"]
        root, leaf, proof = _b64(probe["root"]), _b64(probe["leafHash"]), _hashes(probe["proof"])
        if not _expressible(size, index, [root, leaf, *proof]) or root == bytes(32):
            continue
        verified = anchors.at(size, root).verify_inclusion(size, index, leaf, proof)
        assert verified == (not probe["wantErr"]), probe["path"]
        asked += 1
    assert asked >= 60


def test_consistency_probes(chain_env: ChainEnv) -> None:
    anchors = _Anchors(chain_env)
    asked = equal = 0
    for probe in _load("consistency"):
        size1, size2 = probe["size1"], probe["size2"]
        root1, root2, proof = _b64(probe["root1"]), _b64(probe["root2"]), _hashes(probe["proof"])
        if not _expressible(size1, 0, [root1, root2, *proof]) or not 0 < size2 < UINT64:
            continue
        if len(proof) > LedgerAnchor.MAX_PROOF_LENGTH or bytes(32) in (root1, root2):
            continue
        contract = anchors.at(size1, root1)
        try:
            contract.check_anchor(size2, root2, proof)
            accepted = True
        except TransactionReverted as reverted:
            if size2 <= size1:
                assert reverted.error == "LedgerAnchor__SizeNotIncreasing", probe["path"]
                equal += 1
                continue
            assert reverted.error == "LedgerAnchor__InconsistentProof", probe["path"]
            accepted = False
        assert size2 > size1, probe["path"]
        assert accepted == (not probe["wantErr"]), probe["path"]
        asked += 1
    assert asked >= 60
    assert equal >= 1


@pytest.mark.parametrize("kind", ["inclusion", "consistency"])
def test_the_probes_are_there(kind: str) -> None:
    assert len(_load(kind)) >= 90
