"""LedgerAnchor on the embedded chain and on anvil: roles, the append-only rule, its errors."""

from __future__ import annotations

import pytest
from eth_utils.crypto import keccak
from hexbytes import HexBytes

from anchoring import (
    ANCHORER_ROLE,
    DEFAULT_ADMIN_ROLE,
    InvalidRequest,
    LedgerAnchor,
    TransactionReverted,
    TreeHead,
)
from anchoring.ledger_anchor import anchor_call_data
from ledger.merkle import verify_consistency
from tests.chain_fixtures import ChainEnv
from tests.merkle_trees import MemoryTree, VirtualTree

TREE = MemoryTree.of_size(300, b"ledger-anchor-test/")


def _reverted(excinfo: pytest.ExceptionInfo[TransactionReverted]) -> tuple[object, ...]:
    return (excinfo.value.error, *excinfo.value.error_args)


def _raw_anchor(anchor: LedgerAnchor, size: int, root: bytes, proof: list[bytes]) -> None:
    """eth_call anchor() with arguments the typed wrapper would refuse to send."""
    _raw_call(anchor, anchor_call_data(size, root, proof))


def _raw_call(anchor: LedgerAnchor, data: bytes) -> None:
    assert anchor.signer is not None
    anchor.chain.call(anchor.address, data, sender=anchor.signer.address)


def test_the_call_data_is_packed(fresh_anchor: LedgerAnchor) -> None:
    """Selector, 8-byte size, root, hashes: nothing else, in that order."""
    proof = [TREE.leaf(1), TREE.leaf(2)]
    data = anchor_call_data(0x0102, TREE.root(3), proof)
    assert data == (keccak(text="anchor()")[:4] + bytes.fromhex("0000000000000102")
                    + TREE.root(3) + proof[0] + proof[1])
    assert fresh_anchor._encode("anchor", 0x0102, TREE.root(3), proof) == data


def test_malformed_call_data_reverts(fresh_anchor: LedgerAnchor) -> None:
    good = anchor_call_data(5, TREE.root(5), [])
    for data in (good[:4], good[:-1], good + b"\x00", good + bytes(31), good + bytes(33)):
        with pytest.raises(TransactionReverted) as excinfo:
            _raw_call(fresh_anchor, data)
        assert _reverted(excinfo) == ("LedgerAnchor__MalformedCallData", len(data) - 4)
    _raw_call(fresh_anchor, good)
    with pytest.raises(InvalidRequest):
        anchor_call_data(2**64, TREE.root(5), [])


def test_first_anchor_takes_an_empty_proof(chain_env: ChainEnv, fresh_anchor: LedgerAnchor) -> None:
    assert fresh_anchor.latest().tree_size == 0
    assert fresh_anchor.latest().root == bytes(32)
    receipt = fresh_anchor.anchor(10, TREE.root(10), [])
    assert (receipt.tree_size, receipt.root) == (10, TREE.root(10))
    assert receipt.chain_id == chain_env.chain.chain_id
    assert receipt.contract == fresh_anchor.address
    block = chain_env.chain.block(receipt.block_number)
    assert bytes(block["hash"]) == receipt.block_hash
    assert block["timestamp"] == receipt.block_time
    assert fresh_anchor.latest().tree_size == 10
    assert fresh_anchor.root_at(10) == (TREE.root(10), receipt.block_time)
    stored = fresh_anchor.anchor_at(10)
    assert stored is not None
    assert (stored.block_number, stored.previous_size) == (receipt.block_number, 0)
    assert fresh_anchor.root_at(9) is None
    assert fresh_anchor.anchor_at(11) is None


def test_first_anchor_with_a_proof_reverts(fresh_anchor: LedgerAnchor) -> None:
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(4, TREE.root(4), [TREE.root(2)])
    assert _reverted(excinfo) == ("LedgerAnchor__ProofNotEmpty", 1)


def test_anchors_chain_with_consistency_proofs(fresh_anchor: LedgerAnchor) -> None:
    sizes = [1, 2, 3, 7, 8, 64, 65, 100, 255, 256, 300]
    previous = 0
    receipts = []
    for size in sizes:
        proof = TREE.consistency_proof(previous, size) if previous else []
        receipts.append(fresh_anchor.anchor(size, TREE.root(size), proof))
        previous = size
    assert fresh_anchor.latest().tree_size == 300
    history = fresh_anchor.history()
    assert [c.tree_size for c in history] == sizes
    assert [c.previous_size for c in history] == [0, *sizes[:-1]]
    assert [c.root for c in history] == [TREE.root(size) for size in sizes]
    events = fresh_anchor.anchored_events(receipts[0].block_number)
    assert [(e.tree_size, e.root, e.previous_size) for e in events] == [
        (c.tree_size, c.root, c.previous_size) for c in history
    ]
    assert [e.tx_hash for e in events] == [r.tx_hash for r in receipts]


def test_only_the_anchorer_can_anchor(chain_env: ChainEnv, fresh_anchor: LedgerAnchor) -> None:
    for account in (chain_env.admin, chain_env.registrar, chain_env.other):
        intruder = LedgerAnchor(chain_env.chain, fresh_anchor.address, account)
        with pytest.raises(TransactionReverted) as excinfo:
            intruder.anchor(5, TREE.root(5), [])
        assert excinfo.value.error == "AccessControlUnauthorizedAccount"
        who, role = excinfo.value.error_args
        assert (str(who).lower(), role) == (account.address.lower(), ANCHORER_ROLE)
        assert excinfo.value.tx_hash is None  # refused at the gas estimate: nothing was sent
    assert fresh_anchor.latest().tree_size == 0


def test_a_mined_revert_is_decoded_too(chain_env: ChainEnv, fresh_anchor: LedgerAnchor) -> None:
    """With an explicit gas limit the transaction is mined, fails with status 0, and the
    error is recovered by replaying it."""
    data = fresh_anchor._encode("anchor", 5, TREE.root(5), [])
    with pytest.raises(TransactionReverted) as excinfo:
        chain_env.chain.send(chain_env.other, to=fresh_anchor.address, data=data, gas=200_000)
    assert excinfo.value.error == "AccessControlUnauthorizedAccount"
    assert excinfo.value.tx_hash is not None
    receipt = chain_env.chain.w3.eth.get_transaction_receipt(HexBytes(excinfo.value.tx_hash))
    assert receipt["status"] == 0


def test_history_only_grows(fresh_anchor: LedgerAnchor) -> None:
    fresh_anchor.anchor(100, TREE.root(100), [])
    # A smaller tree.
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(99, TREE.root(99), [])
    assert _reverted(excinfo) == ("LedgerAnchor__SizeNotIncreasing", 100, 99)
    # The same size again, with another root (a fork) or even the same root.
    for root in (TREE.root(101), TREE.root(100)):
        with pytest.raises(TransactionReverted) as excinfo:
            fresh_anchor.anchor(100, root, [])
        assert _reverted(excinfo) == ("LedgerAnchor__SizeNotIncreasing", 100, 100)
    # A larger tree whose root is not an extension of the anchored one.
    other = MemoryTree.of_size(120, b"forked/")
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(120, other.root(120), TREE.consistency_proof(100, 120))
    assert _reverted(excinfo) == ("LedgerAnchor__InconsistentProof",)
    # A real proof for another pair of sizes.
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(120, TREE.root(120), TREE.consistency_proof(99, 120))
    assert _reverted(excinfo) == ("LedgerAnchor__InconsistentProof",)
    # An empty proof once something is anchored.
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(120, TREE.root(120), [])
    assert _reverted(excinfo) == ("LedgerAnchor__InconsistentProof",)
    assert fresh_anchor.latest().tree_size == 100
    fresh_anchor.anchor(120, TREE.root(120), TREE.consistency_proof(100, 120))
    assert fresh_anchor.latest().tree_size == 120


def test_zero_root_and_long_proofs_revert(fresh_anchor: LedgerAnchor) -> None:
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(3, bytes(32), [])
    assert _reverted(excinfo) == ("LedgerAnchor__ZeroRoot",)
    with pytest.raises(TransactionReverted) as excinfo:
        _raw_anchor(fresh_anchor, 3, TREE.root(3), [TREE.root(1)] * 66)
    assert _reverted(excinfo) == ("LedgerAnchor__ProofTooLong", 66, 65)
    with pytest.raises(TransactionReverted) as excinfo:
        _raw_anchor(fresh_anchor, 0, TREE.root(3), [])
    assert _reverted(excinfo) == ("LedgerAnchor__SizeNotIncreasing", 0, 0)


def test_the_wrapper_refuses_what_the_abi_cannot_carry(fresh_anchor: LedgerAnchor) -> None:
    cases: list[tuple[int, bytes, list[bytes]]] = [
        (0, TREE.root(1), []),
        (2**64, TREE.root(1), []),
        (3, b"short", []),
        (3, TREE.root(3), [b"x" * 31]),
        (3, TREE.root(3), [TREE.root(1)] * 66),
    ]
    for size, root, proof in cases:
        with pytest.raises(InvalidRequest):
            fresh_anchor.anchor(size, root, proof)
    with pytest.raises(InvalidRequest):
        fresh_anchor.verify_inclusion(2**64, 0, TREE.leaf(0), [])
    with pytest.raises(InvalidRequest):
        LedgerAnchor(fresh_anchor.chain, fresh_anchor.address).anchor(1, TREE.root(1), [])


def test_check_anchor_dry_runs(fresh_anchor: LedgerAnchor) -> None:
    fresh_anchor.check_anchor(5, TREE.root(5), [])
    fresh_anchor.anchor(5, TREE.root(5), [])
    fresh_anchor.check_anchor(9, TREE.root(9), TREE.consistency_proof(5, 9))
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.check_anchor(9, TREE.root(8), TREE.consistency_proof(5, 9))
    assert excinfo.value.error == "LedgerAnchor__InconsistentProof"
    assert fresh_anchor.latest().tree_size == 5


def test_verify_inclusion_against_anchored_roots(fresh_anchor: LedgerAnchor) -> None:
    fresh_anchor.anchor(7, TREE.root(7), [])
    fresh_anchor.anchor(13, TREE.root(13), TREE.consistency_proof(7, 13))
    for size in (7, 13):
        for index in range(size):
            proof = TREE.inclusion_proof(index, size)
            assert fresh_anchor.verify_inclusion(size, index, TREE.leaf(index), proof)
            assert not fresh_anchor.verify_inclusion(size, index, TREE.leaf(index + 1), proof)
    proof = TREE.inclusion_proof(3, 10)
    assert not fresh_anchor.verify_inclusion(10, 3, TREE.leaf(3), proof)  # 10 not anchored
    assert not fresh_anchor.verify_inclusion(7, 7, TREE.leaf(7), TREE.inclusion_proof(6, 7))
    assert not fresh_anchor.verify_inclusion(0, 0, TREE.leaf(0), [])
    assert not fresh_anchor.verify_inclusion(7, 0, TREE.leaf(0), [TREE.leaf(1)] * 66)


def test_roles_are_administered_by_the_admin(
    chain_env: ChainEnv, fresh_anchor: LedgerAnchor
) -> None:
    admin_view = LedgerAnchor(chain_env.chain, fresh_anchor.address, chain_env.admin)
    assert admin_view.has_role(DEFAULT_ADMIN_ROLE, chain_env.admin.address)
    assert admin_view.has_role(ANCHORER_ROLE, chain_env.anchorer.address)
    assert not admin_view.has_role(ANCHORER_ROLE, chain_env.other.address)
    # A non-admin cannot grant.
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.grant_role(ANCHORER_ROLE, chain_env.other.address)
    assert excinfo.value.error == "AccessControlUnauthorizedAccount"
    assert excinfo.value.error_args[1] == DEFAULT_ADMIN_ROLE
    # Revoked, the anchorer can no longer anchor; granted again, it can.
    admin_view.revoke_role(ANCHORER_ROLE, chain_env.anchorer.address)
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(1, TREE.root(1), [])
    assert excinfo.value.error == "AccessControlUnauthorizedAccount"
    admin_view.grant_role(ANCHORER_ROLE, chain_env.anchorer.address)
    fresh_anchor.anchor(1, TREE.root(1), [])
    # A compromised key renounces its own role; confirming for another account is refused.
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor._write("renounceRole", ANCHORER_ROLE, chain_env.other.address)
    assert excinfo.value.error == "AccessControlBadConfirmation"
    fresh_anchor._write("renounceRole", ANCHORER_ROLE, chain_env.anchorer.address)
    assert not admin_view.has_role(ANCHORER_ROLE, chain_env.anchorer.address)
    with pytest.raises(TransactionReverted) as excinfo:
        admin_view.grant_role(ANCHORER_ROLE, "0x" + "00" * 20)
    assert excinfo.value.error == "AccessControlZeroAccount"


def test_a_key_that_lost_the_role_cannot_anchor_again(
    chain_env: ChainEnv, fresh_anchor: LedgerAnchor
) -> None:
    """The contract remembers the last anchorer so as not to read its role again; revoking
    or renouncing the role must make it forget."""
    admin = LedgerAnchor(chain_env.chain, fresh_anchor.address, chain_env.admin)
    second = LedgerAnchor(chain_env.chain, fresh_anchor.address, chain_env.other)
    admin.grant_role(ANCHORER_ROLE, chain_env.other.address)
    fresh_anchor.anchor(5, TREE.root(5), [])
    # Revoked after anchoring: refused, though it is the last anchorer.
    admin.revoke_role(ANCHORER_ROLE, chain_env.anchorer.address)
    with pytest.raises(TransactionReverted) as excinfo:
        fresh_anchor.anchor(9, TREE.root(9), TREE.consistency_proof(5, 9))
    assert excinfo.value.error == "AccessControlUnauthorizedAccount"
    # Another holder anchors; revoking the first one again changes nothing for it.
    second.anchor(9, TREE.root(9), TREE.consistency_proof(5, 9))
    admin.revoke_role(ANCHORER_ROLE, chain_env.anchorer.address)
    second.anchor(12, TREE.root(12), TREE.consistency_proof(9, 12))
    # Granted again, the first one anchors; the second one renounces after anchoring.
    admin.grant_role(ANCHORER_ROLE, chain_env.anchorer.address)
    fresh_anchor.anchor(20, TREE.root(20), TREE.consistency_proof(12, 20))
    second.anchor(21, TREE.root(21), TREE.consistency_proof(20, 21))
    second._write("renounceRole", ANCHORER_ROLE, chain_env.other.address)
    with pytest.raises(TransactionReverted) as excinfo:
        second.anchor(30, TREE.root(30), TREE.consistency_proof(21, 30))
    assert excinfo.value.error == "AccessControlUnauthorizedAccount"
    fresh_anchor.anchor(30, TREE.root(30), TREE.consistency_proof(21, 30))
    assert [c.tree_size for c in fresh_anchor.history()] == [5, 9, 12, 20, 21, 30]


def test_deployed_code_is_the_artifact(chain_env: ChainEnv) -> None:
    chain_env.deployment.verify(chain_env.chain)


@pytest.mark.parametrize(("old", "new"), [
    (10**9 - 1000, 10**9),
    (123_456_789, 10**9),
    (2**40 + 12345, 2**41 - 1),
    (2**63 - 1, 2**63 + 2**62 + 7),
    (2**64 - 2, 2**64 - 1),
    (2**63 + 1, 2**64 - 1),  # the longest proof there is: 65 hashes
])
def test_huge_trees(chain_env: ChainEnv, old: int, new: int) -> None:
    """uint64 sizes far beyond what a test can build, through a virtual tree."""
    tree = VirtualTree(old, new)
    proof: list[bytes] = list(tree.consistency_proof())
    assert len(proof) <= LedgerAnchor.MAX_PROOF_LENGTH
    verify_consistency(old, new, tree.root(old), tree.root(new), proof)
    contract = chain_env.new_anchor()
    contract.anchor(old, tree.root(old), [])
    contract.check_anchor(new, tree.root(new), proof)
    broken = [*proof[:-1], bytes(32)]
    with pytest.raises(TransactionReverted) as excinfo:
        contract.check_anchor(new, tree.root(new), broken)
    assert excinfo.value.error == "LedgerAnchor__InconsistentProof"
    receipt = contract.anchor(new, tree.root(new), proof)
    assert contract.latest() == TreeHead(new, tree.root(new))
    assert receipt.gas_used < 200_000
