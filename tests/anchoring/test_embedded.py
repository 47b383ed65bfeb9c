"""The embedded chain: persisted across processes, one owner at a time, node-like validation."""

from __future__ import annotations

import json
import os
import secrets
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from anchoring import (
    CHAIN_ID,
    Chain,
    ChainDataError,
    ChainUnavailable,
    Deployment,
    EmbeddedChain,
    LedgerAnchor,
    RpcError,
    deploy,
)
from tests.merkle_trees import MemoryTree

ROOT = Path(__file__).resolve().parents[2]
TREE = MemoryTree.of_size(64, b"embedded/")

READER = textwrap.dedent(
    """
    import json, sys
    from anchoring import Chain, Deployment, EmbeddedChain, LedgerAnchor

    directory, deployment_json, tx_hash = sys.argv[1:4]
    with EmbeddedChain.open(directory) as embedded:
        chain = Chain.embedded(embedded)
        deployment = Deployment.from_json(json.loads(deployment_json))
        deployment.verify(chain)
        anchor = LedgerAnchor(chain, deployment.ledger_anchor)
        latest = anchor.latest()
        receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
        print(json.dumps({
            "chain_id": chain.chain_id,
            "block_number": chain.block_number(),
            "latest": [latest.tree_size, latest.root.hex()],
            "history": [[c.tree_size, c.root.hex()] for c in anchor.history()],
            "receipt": [
                receipt["status"], receipt["blockNumber"], bytes(receipt["blockHash"]).hex()
            ],
            "admin": embedded.accounts.admin.address,
        }))
    """
)


def _run_reader(directory: Path, deployment: Deployment, tx_hash: bytes) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", READER, str(directory), json.dumps(deployment.to_json()),
         "0x" + tx_hash.hex()],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_a_new_process_sees_the_whole_chain(tmp_path: Path) -> None:
    directory = tmp_path / "chain"
    with EmbeddedChain.open(directory) as embedded:
        chain = Chain.embedded(embedded)
        accounts = embedded.accounts
        deployment = deploy(chain, accounts.admin, anchorer=accounts.anchorer.address,
                            registrar=accounts.registrar.address)
        anchor = LedgerAnchor(chain, deployment.ledger_anchor, accounts.anchorer)
        anchor.anchor(10, TREE.root(10), [])
        last = anchor.anchor(64, TREE.root(64), TREE.consistency_proof(10, 64))
        head = chain.block_number()
        admin = accounts.admin.address
    answer = _run_reader(directory, deployment, last.tx_hash)
    assert answer == {
        "chain_id": CHAIN_ID,
        "block_number": head,
        "latest": [64, TREE.root(64).hex()],
        "history": [[10, TREE.root(10).hex()], [64, TREE.root(64).hex()]],
        "receipt": [1, last.block_number, last.block_hash.hex()],
        "admin": admin,
    }


def test_reopened_chain_continues(tmp_path: Path) -> None:
    directory = tmp_path / "chain"
    with EmbeddedChain.open(directory) as embedded:
        chain = Chain.embedded(embedded)
        accounts = embedded.accounts
        deployment = deploy(chain, accounts.admin, anchorer=accounts.anchorer.address,
                            registrar=accounts.registrar.address)
        LedgerAnchor(chain, deployment.ledger_anchor, accounts.anchorer).anchor(
            10, TREE.root(10), [])
        head = chain.block_number()
    with EmbeddedChain.open(directory) as embedded:
        chain = Chain.embedded(embedded)
        anchor = LedgerAnchor(chain, deployment.ledger_anchor, embedded.accounts.anchorer)
        receipt = anchor.anchor(20, TREE.root(20), TREE.consistency_proof(10, 20))
        assert receipt.block_number == head + 1
        assert anchor.latest().tree_size == 20


def test_one_process_at_a_time(tmp_path: Path) -> None:
    directory = tmp_path / "chain"
    with EmbeddedChain.open(directory):
        with pytest.raises(ChainUnavailable, match="open in another process"):
            EmbeddedChain.open(directory)
        probe = subprocess.run(
            [sys.executable, "-c",
             "import sys; from anchoring import EmbeddedChain, ChainUnavailable\n"
             "try:\n    EmbeddedChain.open(sys.argv[1])\n"
             "except ChainUnavailable:\n    sys.exit(3)\n",
             str(directory)],
            cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
        )
        assert probe.returncode == 3, probe.stderr
    with EmbeddedChain.open(directory) as embedded:
        assert not embedded.closed
    assert embedded.closed
    with pytest.raises(ChainUnavailable):
        embedded.head()


def test_dev_keys_are_generated_and_private(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    with EmbeddedChain.open(first) as one, EmbeddedChain.open(second) as two:
        assert one.accounts.admin.address != two.accounts.admin.address
        addresses = {account.address for account in one.accounts.all()}
        assert len(addresses) == 3
        chain = Chain.embedded(one)
        for account in one.accounts.all():
            assert chain.w3.eth.get_balance(account.address) > 10**21
    keys = first / "accounts.json"
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    # Ethereum's well-known test keys (private key 1, 2, ...) are never used.
    well_known = {Account.from_key(i.to_bytes(32, "big")).address for i in range(1, 11)}
    assert not addresses & well_known


def test_chain_id_and_block_times(embedded_chain: EmbeddedChain) -> None:
    chain = Chain.embedded(embedded_chain)
    assert chain.chain_id == CHAIN_ID == 2542023
    before = int(time.time())
    chain.send(embedded_chain.accounts.admin, to=embedded_chain.accounts.registrar.address,
               data=b"", value=1)
    after = int(time.time())
    block = chain.block("latest")
    parent = chain.block(block["number"] - 1)
    # The block is stamped when it is mined, not when its parent was; timestamps strictly
    # increase, so after more than a block a second the chain's clock runs ahead of the wall's.
    assert before <= block["timestamp"] <= max(after + 1, parent["timestamp"] + 1)


def test_transactions_for_another_chain_are_refused(embedded_chain: EmbeddedChain) -> None:
    chain = Chain.embedded(embedded_chain)
    admin = embedded_chain.accounts.admin
    nonce = chain.w3.eth.get_transaction_count(admin.address)
    base: dict[str, Any] = {"nonce": nonce, "to": admin.address, "value": 1, "gas": 21_000,
            "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9, "type": 2}
    head = chain.block_number()
    for chain_id in (1, 31337, CHAIN_ID + 1):
        raw = admin.sign_transaction({**base, "chainId": chain_id}).raw_transaction
        with pytest.raises(RpcError, match="invalid chain id"):
            chain._send_raw(bytes(raw))
    legacy = admin.sign_transaction({"nonce": nonce, "to": admin.address, "value": 1,
                                     "gas": 21_000, "gasPrice": 10**10}).raw_transaction
    with pytest.raises(RpcError, match="replay-protected"):
        chain._send_raw(bytes(legacy))
    stale = admin.sign_transaction({**base, "chainId": CHAIN_ID, "nonce": nonce - 1})
    with pytest.raises(RpcError, match="nonce"):
        chain._send_raw(bytes(stale.raw_transaction))
    poor = Account.from_key(secrets.token_bytes(32))
    broke = poor.sign_transaction({**base, "chainId": CHAIN_ID, "nonce": 0})
    with pytest.raises(RpcError):
        chain._send_raw(bytes(broke.raw_transaction))
    assert chain.block_number() == head  # nothing was mined
    good = admin.sign_transaction({**base, "chainId": CHAIN_ID})
    chain._send_raw(bytes(good.raw_transaction))
    assert chain.block_number() == head + 1


def test_lost_keys_are_not_silently_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "chain"
    EmbeddedChain.open(directory).close()
    (directory / "accounts.json").unlink()
    with pytest.raises(ChainDataError, match="missing"):
        EmbeddedChain.open(directory)
    (directory / "accounts.json").write_text("{}")
    with pytest.raises(ChainDataError, match="not a valid"):
        EmbeddedChain.open(directory)
