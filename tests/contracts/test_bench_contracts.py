"""The contracts the gas benchmark measures beside LedgerAnchor check what it checks, so that
their gas is a fair floor or a fair alternative (contracts/bench/)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from anchoring import ANCHORER_ROLE, LedgerAnchor, TransactionReverted
from anchoring.deploy import deploy_contract
from anchoring.ledger_anchor import anchor_call_data
from tests.chain_fixtures import ChainEnv
from tests.merkle_trees import MemoryTree

TREE = MemoryTree.of_size(40, b"bench-contracts/")


def _call(env: ChainEnv, address: str, size: int, root: bytes, proof: Sequence[bytes]) -> None:
    env.chain.call(address, anchor_call_data(size, root, proof), sender=env.anchorer.address)


def _error(excinfo: pytest.ExceptionInfo[TransactionReverted]) -> str | None:
    return excinfo.value.error


@pytest.mark.parametrize("new_slots", [0, 1, 2])
def test_the_proof_floors_check_the_proof(chain_env: ChainEnv, new_slots: int) -> None:
    address, _ = deploy_contract(chain_env.chain, chain_env.admin, "ProofFloorAnchor", 10,
                                 TREE.root(10), new_slots)
    _call(chain_env, address, 17, TREE.root(17), TREE.consistency_proof(10, 17))
    with pytest.raises(TransactionReverted) as excinfo:
        _call(chain_env, address, 17, TREE.root(16), TREE.consistency_proof(10, 17))
    assert _error(excinfo) == "LedgerAnchor__InconsistentProof"
    with pytest.raises(TransactionReverted) as excinfo:
        _call(chain_env, address, 10, TREE.root(10), [])
    assert _error(excinfo) == "LedgerAnchor__SizeNotIncreasing"


def test_the_latest_only_variant_keeps_the_rules(chain_env: ChainEnv) -> None:
    address, _ = deploy_contract(chain_env.chain, chain_env.admin, "LatestOnlyAnchor",
                                 chain_env.admin.address)
    admin = LedgerAnchor(chain_env.chain, address, chain_env.admin)
    anchorer = LedgerAnchor(chain_env.chain, address, chain_env.anchorer)
    with pytest.raises(TransactionReverted) as excinfo:
        anchorer.anchor(5, TREE.root(5), [])
    assert _error(excinfo) == "AccessControlUnauthorizedAccount"
    admin.grant_role(ANCHORER_ROLE, chain_env.anchorer.address)
    first = anchorer.anchor(5, TREE.root(5), [])
    with pytest.raises(TransactionReverted) as excinfo:
        anchorer.anchor(9, TREE.root(8), TREE.consistency_proof(5, 9))
    assert _error(excinfo) == "LedgerAnchor__InconsistentProof"
    assert anchorer.root_at(5) == (TREE.root(5), first.block_time)
    second = anchorer.anchor(9, TREE.root(9), TREE.consistency_proof(5, 9))
    assert anchorer.latest().tree_size == 9
    assert anchorer.root_at(9) == (TREE.root(9), second.block_time)
    assert anchorer.root_at(5) is None  # the history is in the events only
    events = anchorer.anchored_events(first.block_number)
    assert [(e.tree_size, e.root, e.previous_size) for e in events] == [
        (5, TREE.root(5), 0), (9, TREE.root(9), 5)]
    admin.revoke_role(ANCHORER_ROLE, chain_env.anchorer.address)
    with pytest.raises(TransactionReverted) as excinfo:
        anchorer.anchor(12, TREE.root(12), TREE.consistency_proof(9, 12))
    assert _error(excinfo) == "AccessControlUnauthorizedAccount"
