"""Chain: connection checks, nonces, fees, confirmations, deployments, London-era nodes."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from hexbytes import HexBytes

from anchoring import (
    CHAIN_ID,
    Chain,
    ChainUnavailable,
    ContractNotDeployed,
    Deployment,
    EmbeddedChain,
    LedgerAnchor,
    ReceiptTimeout,
    TransactionPolicy,
    WrongChain,
)
from anchoring.errors import ChainDataError, TransactionDropped
from tests.chain_fixtures import (
    ANVIL_CHAIN_ID,
    AnvilNode,
    ChainEnv,
    anvil_chain_env,
    rpc_request,
    start_anvil,
)
from tests.merkle_trees import MemoryTree

TREE = MemoryTree.of_size(40, b"chain/")


@pytest.fixture(scope="module", params=["london", "berlin"])
def old_node(request: pytest.FixtureRequest) -> Iterator[AnvilNode]:
    """An anvil node at a pre-Shanghai fork, like the genesis of an older Besu network."""
    node = start_anvil(hardfork=request.param)
    try:
        yield node
    finally:
        node.stop()


def test_wrong_chain_is_refused(anvil_node: AnvilNode) -> None:
    with pytest.raises(WrongChain) as excinfo:
        Chain.connect(anvil_node.url, expected_chain_id=CHAIN_ID)
    assert (excinfo.value.expected, excinfo.value.actual) == (CHAIN_ID, ANVIL_CHAIN_ID)
    assert Chain.connect(anvil_node.url, expected_chain_id=ANVIL_CHAIN_ID).chain_id == \
        ANVIL_CHAIN_ID


def test_unreachable_node(tmp_path: Path) -> None:
    node = start_anvil()
    chain = Chain.connect(node.url)
    node.stop()
    with pytest.raises(ChainUnavailable):
        chain.block_number()
    with pytest.raises(ChainUnavailable):
        Chain.connect(node.url, timeout=2)
    with EmbeddedChain.open(tmp_path / "chain") as embedded:
        closing = Chain.embedded(embedded)
    with pytest.raises(ChainUnavailable):
        closing.block_number()


def test_nonce_is_recovered_after_outside_use(chain_env: ChainEnv) -> None:
    """Another process used the key: the counted nonce is stale, read again and retried."""
    chain, sender = chain_env.chain, chain_env.other
    chain.send(sender, to=chain_env.admin.address, data=b"", value=1)
    nonce = chain.w3.eth.get_transaction_count(sender.address)
    outside = sender.sign_transaction({
        "chainId": chain.chain_id, "nonce": nonce, "to": chain_env.admin.address, "value": 1,
        "gas": 21_000, "maxFeePerGas": 10**11, "maxPriorityFeePerGas": 10**9, "type": 2,
    })
    chain._send_raw(bytes(outside.raw_transaction))
    receipt = chain.send(sender, to=chain_env.admin.address, data=b"", value=1)
    assert receipt["status"] == 1
    assert chain.w3.eth.get_transaction_count(sender.address) == nonce + 2


def test_concurrent_sends_get_distinct_nonces(chain_env: ChainEnv) -> None:
    chain, sender = chain_env.chain, chain_env.other
    start = chain.w3.eth.get_transaction_count(sender.address)
    errors: list[BaseException] = []

    def send() -> None:
        try:
            chain.send(sender, to=chain_env.admin.address, data=b"", value=1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert chain.w3.eth.get_transaction_count(sender.address) == start + 6


def test_confirmations_wait_for_later_blocks(anvil_env: ChainEnv, anvil_node: AnvilNode) -> None:
    patient = Chain.connect(anvil_node.url, policy=TransactionPolicy(
        confirmations=3, receipt_timeout=0.5, poll_interval=0.02))
    with pytest.raises(ReceiptTimeout) as excinfo:
        patient.send(anvil_env.other, to=anvil_env.admin.address, data=b"", value=1)
    receipt = anvil_env.chain.wait_for_receipt(excinfo.value.tx_hash)
    assert receipt["status"] == 1

    patient = Chain.connect(anvil_node.url, policy=TransactionPolicy(
        confirmations=3, receipt_timeout=30, poll_interval=0.02))

    def mine_later() -> None:
        time.sleep(0.3)
        for _ in range(2):
            rpc_request(anvil_node.url, "evm_mine", [])

    miner = threading.Thread(target=mine_later)
    miner.start()
    receipt = patient.send(anvil_env.other, to=anvil_env.admin.address, data=b"", value=1)
    miner.join()
    assert patient.block_number() >= receipt["blockNumber"] + 2


def test_a_dropped_transaction_is_noticed_long_before_the_receipt_timeout(
    anvil_env: ChainEnv, anvil_node: AnvilNode
) -> None:
    chain = Chain.connect(anvil_node.url, policy=TransactionPolicy(
        receipt_timeout=60, poll_interval=0.02))
    rpc_request(anvil_node.url, "evm_setAutomine", [False])
    try:
        sender = anvil_env.other.address

        def drop_when_pending() -> None:
            while (rpc_request(anvil_node.url, "eth_getTransactionCount", [sender, "pending"])
                   == rpc_request(anvil_node.url, "eth_getTransactionCount", [sender, "latest"])):
                time.sleep(0.02)
            rpc_request(anvil_node.url, "anvil_dropAllTransactions", [])

        dropper = threading.Thread(target=drop_when_pending)
        dropper.start()
        started = time.monotonic()
        with pytest.raises(TransactionDropped, match="dropped"):
            chain.send(anvil_env.other, to=anvil_env.admin.address, data=b"", value=1)
        dropper.join()
        assert time.monotonic() - started < 10
    finally:
        rpc_request(anvil_node.url, "evm_setAutomine", [True])
    receipt = chain.send(anvil_env.other, to=anvil_env.admin.address, data=b"", value=1)
    assert receipt["status"] == 1  # the nonce was read again: no gap behind the lost one


def test_policy_is_checked() -> None:
    with pytest.raises(ValueError):
        TransactionPolicy(confirmations=0)
    with pytest.raises(ValueError):
        TransactionPolicy(gas_margin=0.9)


def test_fixed_fees(embedded_env: ChainEnv) -> None:
    chain = Chain(embedded_env.chain.w3, embedded_env.chain.chain_id,
                  TransactionPolicy(priority_fee=0))
    receipt = chain.send(embedded_env.other, to=embedded_env.admin.address, data=b"", value=1)
    base_fee = chain.block(receipt["blockNumber"])["baseFeePerGas"]
    assert receipt["effectiveGasPrice"] == base_fee


def test_paris_artifacts_run_on_pre_shanghai_nodes(old_node: AnvilNode) -> None:
    """London (EIP-1559, no PUSH0) and Berlin (legacy gas price): deploy, anchor, verify."""
    env = anvil_chain_env(old_node)
    anchor = env.anchor_contract()
    anchor.anchor(17, TREE.root(17), [])
    receipt = anchor.anchor(40, TREE.root(40), TREE.consistency_proof(17, 40))
    assert anchor.verify_inclusion(40, 3, TREE.leaf(3), TREE.inclusion_proof(3, 40))
    transaction = env.chain.w3.eth.get_transaction(HexBytes(receipt.tx_hash))
    legacy = env.chain.block("latest").get("baseFeePerGas") is None
    assert transaction["type"] == (0 if legacy else 2)


def test_deployment_record(chain_env: ChainEnv, tmp_path: Path) -> None:
    deployment = chain_env.deployment
    path = tmp_path / "deployment.json"
    deployment.save(path)
    assert Deployment.load(path) == deployment
    deployment.verify(chain_env.chain)
    with pytest.raises(WrongChain):
        Deployment(deployment.chain_id + 1, deployment.ledger_anchor,
                   deployment.operator_registry, 0).verify(chain_env.chain)
    nowhere = Account.from_key(secrets.token_bytes(32)).address
    with pytest.raises(ContractNotDeployed, match="no contract"):
        Deployment(deployment.chain_id, nowhere, deployment.operator_registry, 0).verify(
            chain_env.chain)
    swapped = Deployment(deployment.chain_id, deployment.operator_registry,
                         deployment.ledger_anchor, 0)
    with pytest.raises(ContractNotDeployed, match="not this version"):
        swapped.verify(chain_env.chain)
    with pytest.raises(ChainDataError):
        Deployment.from_json({"chain_id": 1})
    path.write_text("{")
    with pytest.raises(ChainDataError):
        Deployment.load(path)
    assert LedgerAnchor(chain_env.chain, deployment.ledger_anchor).latest().tree_size >= 0
