"""JSON-RPC 2.0 for the embedded chain, answering like a real Ethereum node.

:class:`JsonRpcHandler` takes a decoded request (an object or a batch list) and returns the
response (or None for notifications); :meth:`JsonRpcHandler.handle_bytes` does the same on the
raw HTTP body. Results use the wire format of geth and anvil (hex quantities, lowercase hex
data, camelCase fields, block-wide log indices); errors use the JSON-RPC 2.0 codes
(-32700 parse error, -32600 invalid request, -32601 method not found, -32602 invalid params,
-32603 internal error) and the node conventions: code 3 with the revert data for a call that
reverted, -32000 for a refused transaction or missing block, -32005 for a log query over too
many blocks.

Two method sets:

* :data:`READ_ONLY_METHODS`: the public endpoint (``POST /chain/rpc``), see
  :func:`read_only_handler`; every other method, including every write, is answered -32601.
* :data:`NODE_METHODS`: what web3 needs to deploy and transact; used in-process only by
  :class:`anchoring.chain.EmbeddedProvider`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from importlib import metadata
from typing import Any, Final, TypeAlias

import rlp
from eth._utils.address import generate_contract_address
from eth.abc import BlockAPI, ReceiptAPI, SignedTransactionAPI
from eth_typing import Address

from anchoring.embedded.node import CallRequest, EmbeddedChain, LogEntry
from anchoring.errors import AnchoringError, ExecutionReverted, RejectedTransaction

__all__ = [
    "NODE_METHODS",
    "READ_ONLY_METHODS",
    "JsonRpcHandler",
    "read_only_handler",
]

#: The methods of the public read-only endpoint (DESIGN section 4).
READ_ONLY_METHODS: Final = frozenset(
    {
        "eth_blockNumber",
        "eth_call",
        "eth_chainId",
        "eth_getBlockByHash",
        "eth_getBlockByNumber",
        "eth_getCode",
        "eth_getLogs",
        "eth_getTransactionByHash",
        "eth_getTransactionReceipt",
    }
)

#: Everything the in-process web3 provider needs, writes included.
NODE_METHODS: Final = READ_ONLY_METHODS | frozenset(
    {
        "eth_estimateGas",
        "eth_gasPrice",
        "eth_getBalance",
        "eth_getTransactionCount",
        "eth_maxPriorityFeePerGas",
        "eth_sendRawTransaction",
        "eth_syncing",
        "net_version",
        "web3_clientVersion",
    }
)

PARSE_ERROR: Final = -32700
INVALID_REQUEST: Final = -32600
METHOD_NOT_FOUND: Final = -32601
INVALID_PARAMS: Final = -32602
INTERNAL_ERROR: Final = -32603
SERVER_ERROR: Final = -32000
LIMIT_EXCEEDED: Final = -32005
EXECUTION_REVERTED: Final = 3

#: Suggested priority fee (1 gwei); gas is free in effect on the embedded chain.
_PRIORITY_FEE: Final = 10**9

JsonObject: TypeAlias = dict[str, Any]

_QUANTITY = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$", re.IGNORECASE)
_DATA = re.compile(r"^0x([0-9a-f]{2})*$", re.IGNORECASE)


class _RpcFailure(Exception):
    """A JSON-RPC error response to give for the current request."""

    def __init__(self, code: int, message: str, data: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data


def _invalid(message: str) -> _RpcFailure:
    return _RpcFailure(INVALID_PARAMS, f"invalid argument: {message}")


def read_only_handler(
    chain: EmbeddedChain,
    *,
    max_batch: int = 20,
    max_log_blocks: int = 10_000,
    max_call_gas: int = 2_000_000,
) -> JsonRpcHandler:
    """The handler of the public ``POST /chain/rpc`` endpoint: reads only, with limits sized
    for an interpreter-speed EVM (an ``eth_call`` of ``verifyInclusion`` takes under 100k
    gas; 2M gas of arbitrary code still runs in well under a second)."""
    return JsonRpcHandler(
        chain,
        READ_ONLY_METHODS,
        max_batch=max_batch,
        max_log_blocks=max_log_blocks,
        max_call_gas=max_call_gas,
    )


class JsonRpcHandler:
    """Answers JSON-RPC 2.0 requests from the methods in ``methods`` over ``chain``.

    ``max_batch`` bounds the requests of one batch, ``max_log_blocks`` the block range of one
    eth_getLogs query, ``max_call_gas`` the gas of one eth_call or estimate (None: the block
    gas limit), like geth's RPC gas cap. Pure request-in, response-out: no I/O besides the
    chain.
    """

    def __init__(
        self,
        chain: EmbeddedChain,
        methods: frozenset[str] = READ_ONLY_METHODS,
        *,
        max_batch: int = 100,
        max_log_blocks: int = 10_000,
        max_call_gas: int | None = None,
    ) -> None:
        unknown = methods - NODE_METHODS
        if unknown:
            raise ValueError(f"no implementation for {sorted(unknown)}")
        self.chain = chain
        self.methods = methods
        self.max_batch = max_batch
        self.max_log_blocks = max_log_blocks
        self.max_call_gas = max_call_gas
        self._dispatch: dict[str, Callable[[list[Any]], Any]] = {
            "eth_blockNumber": self._block_number,
            "eth_call": self._call,
            "eth_chainId": self._chain_id,
            "eth_estimateGas": self._estimate_gas,
            "eth_gasPrice": self._gas_price,
            "eth_getBalance": self._get_balance,
            "eth_getBlockByHash": self._get_block_by_hash,
            "eth_getBlockByNumber": self._get_block_by_number,
            "eth_getCode": self._get_code,
            "eth_getLogs": self._get_logs,
            "eth_getTransactionByHash": self._get_transaction_by_hash,
            "eth_getTransactionCount": self._get_transaction_count,
            "eth_getTransactionReceipt": self._get_transaction_receipt,
            "eth_maxPriorityFeePerGas": self._max_priority_fee,
            "eth_sendRawTransaction": self._send_raw_transaction,
            "eth_syncing": self._syncing,
            "net_version": self._net_version,
            "web3_clientVersion": self._client_version,
        }

    # Envelope

    def handle_bytes(self, body: bytes) -> bytes | None:
        """Answer the raw request body; None when nothing is to be sent back (notifications)."""
        try:
            request = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _encode(_error_response(None, PARSE_ERROR, "parse error"))
        response = self.handle(request)
        return None if response is None else _encode(response)

    def handle(self, request: Any) -> JsonObject | list[JsonObject] | None:
        """Answer one decoded request or a batch; None when nothing is to be sent back."""
        if isinstance(request, list):
            if not request:
                return _error_response(None, INVALID_REQUEST, "empty batch")
            if len(request) > self.max_batch:
                return _error_response(
                    None, INVALID_REQUEST, f"batch of {len(request)} exceeds {self.max_batch}"
                )
            answers = [self._handle_one(item) for item in request]
            present = [answer for answer in answers if answer is not None]
            return present or None
        return self._handle_one(request)

    def _handle_one(self, request: Any) -> JsonObject | None:
        if not isinstance(request, dict):
            return _error_response(None, INVALID_REQUEST, "invalid request: not an object")
        request_id = request.get("id")
        if not _valid_id(request_id):
            return _error_response(None, INVALID_REQUEST, "invalid request: bad id")
        is_notification = "id" not in request
        method = request.get("method")
        params = request.get("params", [])
        if request.get("jsonrpc") != "2.0":
            response = _error_response(
                request_id, INVALID_REQUEST, 'invalid request: "jsonrpc" must be "2.0"'
            )
        elif not isinstance(method, str):
            response = _error_response(
                request_id, INVALID_REQUEST, 'invalid request: "method" must be a string'
            )
        elif method not in self.methods:
            response = _error_response(
                request_id, METHOD_NOT_FOUND, f"the method {method} does not exist/is not available"
            )
        elif params is None:
            response = self._run(request_id, method, [])
        elif not isinstance(params, list):
            response = _error_response(
                request_id, INVALID_PARAMS, "invalid params: expected an array of positional params"
            )
        else:
            response = self._run(request_id, method, params)
        return None if is_notification else response

    def _run(self, request_id: Any, method: str, params: list[Any]) -> JsonObject:
        try:
            result = self._dispatch[method](params)
        except _RpcFailure as failure:
            return _error_response(request_id, failure.code, failure.message, failure.data)
        except ExecutionReverted as reverted:
            if reverted.data:
                return _error_response(
                    request_id, EXECUTION_REVERTED, "execution reverted", _hex(reverted.data)
                )
            return _error_response(request_id, SERVER_ERROR, reverted.message)
        except RejectedTransaction as rejected:
            return _error_response(request_id, SERVER_ERROR, str(rejected))
        except AnchoringError as error:
            return _error_response(request_id, INTERNAL_ERROR, f"internal error: {error}")
        return {"jsonrpc": "2.0", "id": request_id, "result": result}

    # Methods

    def _chain_id(self, params: list[Any]) -> str:
        _arity(params, 0, 0)
        return _quantity(self.chain.chain_id)

    def _net_version(self, params: list[Any]) -> str:
        _arity(params, 0, 0)
        return str(self.chain.chain_id)

    def _client_version(self, params: list[Any]) -> str:
        _arity(params, 0, 0)
        return f"InfraLedger-embedded/py-evm-{metadata.version('py-evm')}"

    def _syncing(self, params: list[Any]) -> bool:
        _arity(params, 0, 0)
        return False

    def _block_number(self, params: list[Any]) -> str:
        _arity(params, 0, 0)
        return _quantity(self.chain.head().block_number)

    def _gas_price(self, params: list[Any]) -> str:
        _arity(params, 0, 0)
        return _quantity(self.chain.base_fee() + _PRIORITY_FEE)

    def _max_priority_fee(self, params: list[Any]) -> str:
        _arity(params, 0, 0)
        return _quantity(_PRIORITY_FEE)

    def _get_block_by_number(self, params: list[Any]) -> JsonObject | None:
        _arity(params, 2, 2)
        number = self._block_tag(params[0], must_exist=False)
        full = _boolean(params[1], "full transactions flag")
        block = self.chain.block_by_number(number)
        return None if block is None else _block_json(block, full)

    def _get_block_by_hash(self, params: list[Any]) -> JsonObject | None:
        _arity(params, 2, 2)
        block_hash = _hash(params[0])
        full = _boolean(params[1], "full transactions flag")
        block = self.chain.block_by_hash(block_hash)
        return None if block is None else _block_json(block, full)

    def _get_transaction_by_hash(self, params: list[Any]) -> JsonObject | None:
        _arity(params, 1, 1)
        located = self.chain.locate_transaction(_hash(params[0]))
        if located is None:
            return None
        block, index = located
        return _transaction_json(block, block.transactions[index], index)

    def _get_transaction_receipt(self, params: list[Any]) -> JsonObject | None:
        _arity(params, 1, 1)
        located = self.chain.locate_transaction(_hash(params[0]))
        if located is None:
            return None
        block, index = located
        return _receipt_json(block, self.chain.receipts(block), index)

    def _get_code(self, params: list[Any]) -> str:
        _arity(params, 1, 2)
        address = _address(params[0])
        return _hex(self.chain.code(address, self._block_param(params, 1)))

    def _get_balance(self, params: list[Any]) -> str:
        _arity(params, 1, 2)
        address = _address(params[0])
        return _quantity(self.chain.balance(address, self._block_param(params, 1)))

    def _get_transaction_count(self, params: list[Any]) -> str:
        _arity(params, 1, 2)
        address = _address(params[0])
        return _quantity(self.chain.nonce(address, self._block_param(params, 1)))

    def _call(self, params: list[Any]) -> str:
        _arity(params, 1, 2)
        request = self._capped(_call_request(params[0]))
        return _hex(self.chain.call(request, self._block_param(params, 1)))

    def _estimate_gas(self, params: list[Any]) -> str:
        _arity(params, 1, 2)
        request = self._capped(_call_request(params[0]))
        return _quantity(self.chain.estimate_gas(request, self._block_param(params, 1)))

    def _capped(self, request: CallRequest) -> CallRequest:
        if self.max_call_gas is None:
            return request
        gas = self.max_call_gas if request.gas is None else min(request.gas, self.max_call_gas)
        return replace(request, gas=gas)

    def _send_raw_transaction(self, params: list[Any]) -> str:
        _arity(params, 1, 1)
        raw = _data(params[0], "raw transaction")
        if not raw:
            raise _invalid("empty raw transaction")
        return _hex(self.chain.send_raw_transaction(raw))

    def _get_logs(self, params: list[Any]) -> list[JsonObject]:
        _arity(params, 1, 1)
        query = params[0]
        if not isinstance(query, dict):
            raise _invalid("filter must be an object")
        addresses = _address_filter(query.get("address"))
        topics = _topic_filter(query.get("topics"))
        if query.get("blockHash") is not None:
            if query.get("fromBlock") is not None or query.get("toBlock") is not None:
                raise _invalid("cannot specify both blockHash and fromBlock/toBlock")
            block = self.chain.block_by_hash(_hash(query["blockHash"]))
            if block is None:
                raise _RpcFailure(SERVER_ERROR, "unknown block")
            first = last = int(block.number)
        else:
            first = self._block_tag(query.get("fromBlock", "latest"), must_exist=False)
            last = self._block_tag(query.get("toBlock", "latest"), must_exist=False)
            last = min(last, self.chain.head().block_number)
            if first > last:
                return []
        if last - first + 1 > self.max_log_blocks:
            raise _RpcFailure(
                LIMIT_EXCEEDED,
                f"query exceeds max block range {self.max_log_blocks}",
            )
        return [_log_json(entry) for entry in self.chain.iter_logs(first, last, addresses, topics)]

    # Parameters that need the chain

    def _block_param(self, params: list[Any], position: int) -> int:
        return self._block_tag(params[position] if len(params) > position else "latest")

    def _block_tag(self, value: Any, *, must_exist: bool = True) -> int:
        """Resolve a block tag, number or EIP-1898 object to an existing block number."""
        head = self.chain.head().block_number
        if isinstance(value, dict):
            if "blockHash" in value:
                block = self.chain.block_by_hash(_hash(value["blockHash"]))
                if block is None:
                    raise _RpcFailure(SERVER_ERROR, "header for hash not found")
                return block.number
            if "blockNumber" in value:
                return self._block_tag(value["blockNumber"], must_exist=must_exist)
            raise _invalid("block object needs blockHash or blockNumber")
        if value in ("latest", "safe", "finalized", "pending"):
            return head
        if value == "earliest":
            return 0
        if not isinstance(value, str) or not _QUANTITY.match(value):
            raise _invalid(f"invalid block number or tag {value!r}")
        number = int(value, 16)
        if must_exist and number > head:
            raise _RpcFailure(SERVER_ERROR, "header not found")
        return number


# Parameter parsing


def _arity(params: list[Any], minimum: int, maximum: int) -> None:
    if len(params) < minimum:
        raise _RpcFailure(INVALID_PARAMS, f"missing value for required argument {len(params)}")
    if len(params) > maximum:
        raise _RpcFailure(INVALID_PARAMS, f"too many arguments, want at most {maximum}")


def _valid_id(value: Any) -> bool:
    return value is None or (isinstance(value, int | str) and not isinstance(value, bool))


def _boolean(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(f"{what} must be a boolean")
    return value


def _parse_quantity(value: Any, what: str) -> int:
    if not isinstance(value, str) or not _QUANTITY.match(value):
        raise _invalid(f"{what} must be a hex quantity without leading zeros, got {value!r}")
    return int(value, 16)


def _data(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not _DATA.match(value):
        raise _invalid(f"{what} must be 0x-prefixed hex bytes")
    return bytes.fromhex(value[2:])


def _fixed(value: Any, size: int, what: str) -> bytes:
    raw = _data(value, what)
    if len(raw) != size:
        raise _invalid(f"{what} must be {size} bytes, got {len(raw)}")
    return raw


def _address(value: Any) -> bytes:
    return _fixed(value, 20, "address")


def _hash(value: Any) -> bytes:
    return _fixed(value, 32, "hash")


def _call_request(value: Any) -> CallRequest:
    if not isinstance(value, dict):
        raise _invalid("transaction must be an object")
    data = _data(value["data"], "data") if value.get("data") is not None else None
    given_input = _data(value["input"], "input") if value.get("input") is not None else None
    if data is not None and given_input is not None and data != given_input:
        raise _invalid('both "data" and "input" are set and not equal')
    return CallRequest(
        sender=_address(value["from"]) if value.get("from") is not None else None,
        to=_address(value["to"]) if value.get("to") is not None else None,
        data=given_input if given_input is not None else (data or b""),
        value=_parse_quantity(value["value"], "value") if value.get("value") is not None else 0,
        gas=_parse_quantity(value["gas"], "gas") if value.get("gas") is not None else None,
    )


def _address_filter(value: Any) -> frozenset[bytes] | None:
    if value is None:
        return None
    if isinstance(value, list):
        return frozenset(_address(item) for item in value) if value else None
    return frozenset({_address(value)})


def _topic_filter(value: Any) -> list[frozenset[bytes] | None]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 4:
        raise _invalid("topics must be a list of at most 4 entries")
    positions: list[frozenset[bytes] | None] = []
    for entry in value:
        if entry is None or entry == []:
            positions.append(None)
        elif isinstance(entry, list):
            positions.append(
                None if None in entry else frozenset(_hash(item) for item in entry)
            )
        else:
            positions.append(frozenset({_hash(entry)}))
    return positions


# Wire format


def _quantity(value: int) -> str:
    return hex(value)


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _encode(response: JsonObject | list[JsonObject]) -> bytes:
    return json.dumps(response, separators=(",", ":")).encode("utf-8")


def _error_response(
    request_id: Any, code: int, message: str, data: str | None = None
) -> JsonObject:
    error: JsonObject = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def _tx_type(transaction: SignedTransactionAPI) -> int:
    type_id = getattr(transaction, "type_id", None)
    return 0 if type_id is None else int(type_id)


def _effective_gas_price(transaction: SignedTransactionAPI, block: BlockAPI) -> int:
    if _tx_type(transaction) >= 2:
        base_fee = block.header.base_fee_per_gas or 0
        return min(
            transaction.max_fee_per_gas, transaction.max_priority_fee_per_gas + base_fee
        )
    return transaction.gas_price


def _block_json(block: BlockAPI, full: bool) -> JsonObject:
    header = block.header
    transactions: list[Any] = [
        _transaction_json(block, transaction, index) if full else _hex(transaction.hash)
        for index, transaction in enumerate(block.transactions)
    ]
    result: JsonObject = {
        "number": _quantity(header.block_number),
        "hash": _hex(header.hash),
        "parentHash": _hex(header.parent_hash),
        "nonce": _hex(header.nonce),
        "sha3Uncles": _hex(header.uncles_hash),
        "logsBloom": _hex(header.bloom.to_bytes(256, "big")),
        "transactionsRoot": _hex(header.transaction_root),
        "stateRoot": _hex(header.state_root),
        "receiptsRoot": _hex(header.receipt_root),
        "miner": _hex(header.coinbase),
        "difficulty": _quantity(header.difficulty),
        "extraData": _hex(header.extra_data),
        "size": _quantity(len(rlp.encode(block))),
        "gasLimit": _quantity(header.gas_limit),
        "gasUsed": _quantity(header.gas_used),
        "timestamp": _quantity(header.timestamp),
        "mixHash": _hex(header.mix_hash),
        "transactions": transactions,
        "uncles": [_hex(uncle.hash) for uncle in block.uncles],
    }
    optional: Mapping[str, Callable[[Any], Any]] = {
        "base_fee_per_gas": _quantity,
        "withdrawals_root": _hex,
        "blob_gas_used": _quantity,
        "excess_blob_gas": _quantity,
        "parent_beacon_block_root": _hex,
        "requests_hash": _hex,
    }
    for field, encode in optional.items():
        value = getattr(header, field, None)
        if value is not None:
            result[_camel(field)] = encode(value)
    if getattr(header, "withdrawals_root", None) is not None:
        result["withdrawals"] = [
            {
                "index": _quantity(withdrawal.index),
                "validatorIndex": _quantity(withdrawal.validator_index),
                "address": _hex(withdrawal.address),
                "amount": _quantity(withdrawal.amount),
            }
            for withdrawal in block.withdrawals
        ]
    return result


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _transaction_json(
    block: BlockAPI, transaction: SignedTransactionAPI, index: int
) -> JsonObject:
    tx_type = _tx_type(transaction)
    result: JsonObject = {
        "type": _quantity(tx_type),
        "hash": _hex(transaction.hash),
        "nonce": _quantity(transaction.nonce),
        "blockHash": _hex(block.hash),
        "blockNumber": _quantity(block.number),
        "blockTimestamp": _quantity(block.header.timestamp),
        "transactionIndex": _quantity(index),
        "from": _hex(transaction.sender),
        "to": _hex(transaction.to) if transaction.to else None,
        "value": _quantity(transaction.value),
        "gas": _quantity(transaction.gas),
        "gasPrice": _quantity(_effective_gas_price(transaction, block)),
        "input": _hex(transaction.data),
    }
    if tx_type >= 1:
        result["chainId"] = _quantity(transaction.chain_id or 0)
        result["accessList"] = [
            {
                "address": _hex(address),
                "storageKeys": [_hex(key.to_bytes(32, "big")) for key in keys],
            }
            for address, keys in transaction.access_list
        ]
    if tx_type >= 2:
        result["maxFeePerGas"] = _quantity(transaction.max_fee_per_gas)
        result["maxPriorityFeePerGas"] = _quantity(transaction.max_priority_fee_per_gas)
    if tx_type == 0:
        # Legacy transactions keep their EIP-155 v (y parity + 35 + 2 * chain id).
        result["v"] = _quantity(getattr(transaction, "v", transaction.y_parity + 27))
    else:
        result["v"] = _quantity(transaction.y_parity)
        result["yParity"] = _quantity(transaction.y_parity)
    result["r"] = _quantity(transaction.r)
    result["s"] = _quantity(transaction.s)
    return result


def _receipt_json(block: BlockAPI, receipts: Sequence[ReceiptAPI], index: int) -> JsonObject:
    transaction = block.transactions[index]
    receipt = receipts[index]
    previous_gas = receipts[index - 1].gas_used if index > 0 else 0
    first_log_index = sum(len(earlier.logs) for earlier in receipts[:index])
    creation = not transaction.to
    return {
        "type": _quantity(_tx_type(transaction)),
        "transactionHash": _hex(transaction.hash),
        "transactionIndex": _quantity(index),
        "blockHash": _hex(block.hash),
        "blockNumber": _quantity(block.number),
        "from": _hex(transaction.sender),
        "to": None if creation else _hex(transaction.to),
        "contractAddress": (
            _hex(generate_contract_address(Address(transaction.sender), transaction.nonce))
            if creation
            else None
        ),
        "cumulativeGasUsed": _quantity(receipt.gas_used),
        "gasUsed": _quantity(receipt.gas_used - previous_gas),
        "effectiveGasPrice": _quantity(_effective_gas_price(transaction, block)),
        "logs": [
            {
                "address": _hex(log.address),
                "topics": [_hex(topic.to_bytes(32, "big")) for topic in log.topics],
                "data": _hex(log.data),
                "blockNumber": _quantity(block.number),
                "blockHash": _hex(block.hash),
                "blockTimestamp": _quantity(block.header.timestamp),
                "transactionHash": _hex(transaction.hash),
                "transactionIndex": _quantity(index),
                "logIndex": _quantity(first_log_index + position),
                "removed": False,
            }
            for position, log in enumerate(receipt.logs)
        ],
        "logsBloom": _hex(receipt.bloom.to_bytes(256, "big")),
        "status": _quantity(1 if receipt.state_root == b"\x01" else 0),
    }


def _log_json(entry: LogEntry) -> JsonObject:
    return {
        "address": _hex(entry.address),
        "topics": [_hex(topic) for topic in entry.topics],
        "data": _hex(entry.data),
        "blockNumber": _quantity(entry.block.number),
        "blockHash": _hex(entry.block.hash),
        "blockTimestamp": _quantity(entry.block.header.timestamp),
        "transactionHash": _hex(entry.transaction_hash),
        "transactionIndex": _quantity(entry.transaction_index),
        "logIndex": _quantity(entry.log_index),
        "removed": False,
    }
