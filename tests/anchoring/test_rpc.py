"""The read-only JSON-RPC endpoint of the embedded chain: answers like a node, refuses writes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from anchoring import (
    ANCHORER_ROLE,
    EmbeddedChain,
    JsonRpcHandler,
    LedgerAnchor,
    read_only_handler,
)
from anchoring.abi import decode_revert, functions_of
from anchoring.embedded import NODE_METHODS, READ_ONLY_METHODS
from anchoring.ledger_anchor import ANCHORED_TOPIC
from tests.chain_fixtures import ChainEnv, rpc_request
from tests.merkle_trees import MemoryTree

TREE = MemoryTree.of_size(50, b"rpc/")
QUANTITY = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")
DATA = re.compile(r"^0x([0-9a-f]{2})*$")

# Fields anvil adds that a post-merge geth no longer returns (total difficulty), returns only
# for blob transactions (blob gas price) or only in logs (the receipt's block timestamp, which
# anvil writes as a JSON number); everything else must match in name and format.
ANVIL_ONLY = {"totalDifficulty", "blobGasPrice", "blockTimestamp"}


def _call(handler: JsonRpcHandler, method: str, *params: Any) -> Any:
    response = handler.handle({"jsonrpc": "2.0", "id": 7, "method": method,
                               "params": list(params)})
    assert isinstance(response, dict)
    assert response["id"] == 7 and response["jsonrpc"] == "2.0"
    return response


def _result(handler: JsonRpcHandler, method: str, *params: Any) -> Any:
    response = _call(handler, method, *params)
    assert "error" not in response, response
    return response["result"]


def _error(handler: JsonRpcHandler, method: str, *params: Any) -> dict[str, Any]:
    response = _call(handler, method, *params)
    assert "result" not in response, response
    error: dict[str, Any] = response["error"]
    return error


@pytest.fixture(scope="module")
def handler(embedded_chain: EmbeddedChain) -> JsonRpcHandler:
    return read_only_handler(embedded_chain, max_log_blocks=1_000)


@pytest.fixture(scope="module")
def anchored(embedded_env: ChainEnv, anvil_env: ChainEnv) -> dict[str, tuple[LedgerAnchor, Any]]:
    """The same two anchors on a fresh contract on each chain."""
    done = {}
    for env in (embedded_env, anvil_env):
        contract = env.new_anchor()
        contract.anchor(20, TREE.root(20), [])
        receipt = contract.anchor(50, TREE.root(50), TREE.consistency_proof(20, 50))
        done[env.name] = (contract, receipt)
    return done


QUANTITY_FIELDS = {
    "baseFeePerGas", "blobGasUsed", "blockNumber", "chainId", "cumulativeGasUsed", "difficulty",
    "effectiveGasPrice", "excessBlobGas", "gas", "gasLimit", "gasPrice", "gasUsed", "logIndex",
    "maxFeePerGas", "maxPriorityFeePerGas", "number", "r", "s", "size", "status", "timestamp",
    "blockTimestamp", "totalDifficulty", "transactionIndex", "type", "v", "value", "yParity",
}


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return "hex" if re.match(r"^0x[0-9a-f]*$", value) else "string"
    return type(value).__name__


def _compare(ours: Any, anvil: Any, where: str = "") -> None:
    """Same field names (but ANVIL_ONLY) with the same kinds of values, recursively."""
    if isinstance(ours, dict) and isinstance(anvil, dict):
        missing = set(anvil) - set(ours) - ANVIL_ONLY
        extra = set(ours) - set(anvil)
        assert not missing and not extra, (where, sorted(missing), sorted(extra))
        for key in ours:
            _compare(ours[key], anvil[key], f"{where}.{key}")
    elif isinstance(ours, list) and isinstance(anvil, list):
        assert bool(ours) == bool(anvil), where
        if ours:
            _compare(ours[0], anvil[0], f"{where}[0]")
    else:
        assert _kind(ours) == _kind(anvil), (where, ours, anvil)


def _check_formats(value: Any, field: str = "", in_block: bool = False) -> None:
    """Quantities are hex without leading zeros, everything else whole bytes (as geth)."""
    if isinstance(value, dict):
        block = "parentHash" in value
        for key, item in value.items():
            _check_formats(item, key, block)
    elif isinstance(value, list):
        for item in value:
            _check_formats(item, field, in_block)
    elif isinstance(value, str):
        is_quantity = field in QUANTITY_FIELDS or (field == "nonce" and not in_block)
        pattern = QUANTITY if is_quantity else DATA
        assert pattern.match(value), (field, value)


def _same_shape(ours: Any, anvil: Any, field: str = "") -> None:
    _compare(ours, anvil)
    _check_formats(ours, field)


def test_answers_have_the_shape_of_anvil_answers(
    handler: JsonRpcHandler, anvil_env: ChainEnv, anchored: dict[str, tuple[LedgerAnchor, Any]]
) -> None:
    url = anvil_env.chain.w3.provider.endpoint_uri  # type: ignore[attr-defined]

    def anvil(method: str, *params: Any) -> Any:
        response = rpc_request(url, method, list(params))
        assert "error" not in response, response
        return response["result"]

    ours_contract, ours_receipt = anchored["embedded"]
    their_contract, their_receipt = anchored["anvil"]
    ours_tx, their_tx = "0x" + ours_receipt.tx_hash.hex(), "0x" + their_receipt.tx_hash.hex()

    for full in (False, True):
        _same_shape(_result(handler, "eth_getBlockByNumber", hex(ours_receipt.block_number), full),
                    anvil("eth_getBlockByNumber", hex(their_receipt.block_number), full))
        _same_shape(_result(handler, "eth_getBlockByHash", "0x" + ours_receipt.block_hash.hex(),
                            full),
                    anvil("eth_getBlockByHash", "0x" + their_receipt.block_hash.hex(), full))
    _same_shape(_result(handler, "eth_getTransactionByHash", ours_tx),
                anvil("eth_getTransactionByHash", their_tx))
    our_receipt = _result(handler, "eth_getTransactionReceipt", ours_tx)
    their_receipt_json = anvil("eth_getTransactionReceipt", their_tx)
    _same_shape(our_receipt, their_receipt_json)
    # Same EVM semantics: the same anchor costs the same gas on py-evm and on anvil (revm).
    assert our_receipt["gasUsed"] == their_receipt_json["gasUsed"]
    assert our_receipt["status"] == their_receipt_json["status"] == "0x1"

    def log_query(contract: LedgerAnchor, receipt: Any) -> dict[str, Any]:
        return {"fromBlock": hex(receipt.block_number - 1), "toBlock": "latest",
                "address": contract.address, "topics": [["0x" + ANCHORED_TOPIC.hex()]]}

    ours_logs = _result(handler, "eth_getLogs", log_query(ours_contract, ours_receipt))
    their_logs = anvil("eth_getLogs", log_query(their_contract, their_receipt))
    _same_shape(ours_logs, their_logs)
    assert [(log["topics"], log["data"]) for log in ours_logs] == [
        (log["topics"], log["data"]) for log in their_logs
    ]
    assert _result(handler, "eth_getCode", ours_contract.address, "latest") == anvil(
        "eth_getCode", their_contract.address, "latest")
    latest = {"data": "0x" + functions_of("LedgerAnchor")["latest"].selector.hex()}
    assert _result(handler, "eth_call", {**latest, "to": ours_contract.address}, "latest") == \
        anvil("eth_call", {**latest, "to": their_contract.address}, "latest")
    _same_shape(_result(handler, "eth_chainId"), anvil("eth_chainId"), "chainId")
    _same_shape(_result(handler, "eth_blockNumber"), anvil("eth_blockNumber"), "number")


def test_reads(handler: JsonRpcHandler, embedded_chain: EmbeddedChain,
               anchored: dict[str, tuple[LedgerAnchor, Any]]) -> None:
    contract, receipt = anchored["embedded"]
    assert _result(handler, "eth_chainId") == hex(embedded_chain.chain_id)
    head = int(_result(handler, "eth_blockNumber"), 16)
    assert head == embedded_chain.head().block_number
    assert _result(handler, "eth_getBlockByNumber", hex(head + 1), False) is None
    assert _result(handler, "eth_getBlockByHash", "0x" + "ab" * 32, False) is None
    assert _result(handler, "eth_getTransactionByHash", "0x" + "ab" * 32) is None
    assert _result(handler, "eth_getTransactionReceipt", "0x" + "ab" * 32) is None
    assert _result(handler, "eth_getCode", "0x" + "00" * 20) == "0x"
    # EIP-1898 block objects, and a block before the deployment.
    assert _result(handler, "eth_getCode", contract.address,
                   {"blockHash": "0x" + receipt.block_hash.hex()}) != "0x"
    assert _result(handler, "eth_getCode", contract.address, "earliest") == "0x"
    block = _result(handler, "eth_getBlockByNumber", hex(receipt.block_number), True)
    (transaction,) = block["transactions"]
    assert transaction["hash"] == "0x" + receipt.tx_hash.hex()
    assert block["hash"] == "0x" + receipt.block_hash.hex()
    assert int(block["timestamp"], 16) == receipt.block_time
    logs = _result(handler, "eth_getLogs", {"blockHash": block["hash"]})
    assert [log["topics"][0] for log in logs] == ["0x" + ANCHORED_TOPIC.hex()]
    assert _result(handler, "eth_getLogs", {"blockHash": block["hash"],
                                            "topics": [None, "0x" + "00" * 32]}) == []
    assert _result(handler, "eth_getLogs", {"blockHash": block["hash"],
                                            "address": ["0x" + "00" * 20]}) == []


def test_reverts_come_with_their_data(handler: JsonRpcHandler,
                                      anchored: dict[str, tuple[LedgerAnchor, Any]]) -> None:
    contract, _ = anchored["embedded"]
    data = contract._encode("anchor", 10, TREE.root(10), [])
    error = _error(handler, "eth_call", {"to": contract.address, "data": "0x" + data.hex(),
                                         "from": "0x" + "11" * 20})
    assert error["code"] == 3 and error["message"] == "execution reverted"
    assert decode_revert(bytes.fromhex(error["data"][2:])) == (
        "AccessControlUnauthorizedAccount", ("0x" + "11" * 20, ANCHORER_ROLE)
    )


@pytest.mark.parametrize("method", [
    *sorted(NODE_METHODS - READ_ONLY_METHODS),
    "eth_sendTransaction", "eth_accounts", "eth_sign", "personal_sign", "debug_traceTransaction",
    "anvil_setBalance", "evm_mine", "admin_peers", "txpool_content", "eth_newFilter",
])
def test_writes_and_other_methods_are_refused(handler: JsonRpcHandler, method: str) -> None:
    error = _error(handler, method, "0x00")
    assert error["code"] == -32601
    assert method in error["message"]


@pytest.mark.parametrize(("method", "params"), [
    ("eth_blockNumber", ["extra"]),
    ("eth_getBlockByNumber", ["latest"]),
    ("eth_getBlockByNumber", ["0x01", False]),
    ("eth_getBlockByNumber", ["newest", False]),
    ("eth_getBlockByNumber", ["latest", "yes"]),
    ("eth_getBlockByHash", ["0x1234", False]),
    ("eth_getTransactionByHash", ["0x" + "a" * 63]),
    ("eth_getTransactionReceipt", [12]),
    ("eth_getCode", ["0x" + "00" * 19, "latest"]),
    ("eth_getCode", ["0x" + "00" * 20, "latest", "more"]),
    ("eth_call", ["not an object"]),
    ("eth_call", [{"to": "0x" + "00" * 20, "data": "0x1"}]),
    ("eth_call", [{"to": "0x" + "00" * 20, "data": "0x12", "input": "0x34"}]),
    ("eth_getLogs", [{"topics": [None, None, None, None, None]}]),
    ("eth_getLogs", [{"blockHash": "0x" + "00" * 32, "fromBlock": "0x1"}]),
    ("eth_getLogs", ["latest"]),
])
def test_bad_params(handler: JsonRpcHandler, method: str, params: list[Any]) -> None:
    assert _error(handler, method, *params)["code"] == -32602


def test_node_errors(handler: JsonRpcHandler, embedded_chain: EmbeddedChain) -> None:
    head = int(_result(handler, "eth_blockNumber"), 16)
    assert head > 3
    assert _error(handler, "eth_getCode", "0x" + "00" * 20, hex(head + 5))["code"] == -32000
    narrow = read_only_handler(embedded_chain, max_log_blocks=3)
    too_wide = _error(narrow, "eth_getLogs", {"fromBlock": "0x0", "toBlock": "latest"})
    assert too_wide["code"] == -32005
    assert _result(narrow, "eth_getLogs", {"fromBlock": hex(head - 2), "toBlock": hex(head)}) \
        is not None
    assert _error(handler, "eth_getLogs", {"blockHash": "0x" + "00" * 32})["code"] == -32000
    assert _result(handler, "eth_getLogs", {"fromBlock": hex(head + 10),
                                            "toBlock": hex(head + 20)}) == []


def test_envelope(handler: JsonRpcHandler) -> None:
    ok = {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}
    assert handler.handle_bytes(b"{not json") == (
        b'{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}'
    )
    for bad in [42, "eth_chainId", {"id": 1, "method": "eth_chainId"},
                {"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"},
                {"jsonrpc": "2.0", "id": 1, "method": 5},
                {"jsonrpc": "2.0", "id": True, "method": "eth_chainId"},
                {"jsonrpc": "2.0", "id": [1], "method": "eth_chainId"}]:
        response = handler.handle(bad)
        assert isinstance(response, dict) and response["error"]["code"] == -32600, bad
    assert handler.handle([])["error"]["code"] == -32600  # type: ignore[call-overload,index]
    by_name = handler.handle({**ok, "params": {"a": 1}})
    assert by_name["error"]["code"] == -32602  # type: ignore[call-overload,index]
    # Notifications get no answer, alone or in a batch.
    assert handler.handle({"jsonrpc": "2.0", "method": "eth_chainId"}) is None
    assert handler.handle_bytes(b'{"jsonrpc":"2.0","method":"eth_chainId"}') is None
    batch = handler.handle([ok, {"jsonrpc": "2.0", "method": "eth_chainId"},
                            {**ok, "id": "two", "method": "eth_sendRawTransaction"}, 7])
    assert isinstance(batch, list)
    assert [(item["id"], "result" in item) for item in batch] == [(1, True), ("two", False),
                                                                   (None, False)]
    assert handler.handle([ok] * 101)["error"]["code"] == -32600  # type: ignore[call-overload,index]
    assert handler.handle({**ok, "params": None})["result"] == hex(  # type: ignore[call-overload,index]
        handler.chain.chain_id)


def test_handler_refuses_unknown_method_sets(embedded_chain: EmbeddedChain) -> None:
    with pytest.raises(ValueError, match="eth_sign"):
        JsonRpcHandler(embedded_chain, frozenset({"eth_sign"}))


def test_calls_are_capped(handler: JsonRpcHandler) -> None:
    """An endless loop (JUMPDEST PUSH1 0 JUMP as init code) stops at the gas cap."""
    loop = {"data": "0x5b600056", "gas": hex(10**9)}
    error = _error(handler, "eth_call", loop)
    assert error["code"] == -32000
    assert "OutOfGas" in error["message"]
    assert handler.max_call_gas == 2_000_000
