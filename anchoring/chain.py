"""One web3 code path to the anchor chain, embedded or by URL.

:class:`Chain` wraps a :class:`web3.Web3` whose provider is either
:class:`EmbeddedProvider` (JSON-RPC requests encoded exactly as for HTTP, answered in-process
by :class:`anchoring.embedded.JsonRpcHandler` over an :class:`~anchoring.embedded.EmbeddedChain`)
or web3's ``HTTPProvider`` (anvil in the tests, Besu in production). Everything above it is
the same code for both.

Writes are signed locally with eth-account: the nonce is managed here (read once from the
node, then counted), gas is the node's estimate times a margin, fees are EIP-1559 when the
latest block has a base fee and legacy otherwise; the raw transaction is sent, the receipt
awaited with the configured confirmations, and its status always checked. Every revert, from
a call, a gas estimate or a mined transaction, comes out as one
:class:`~anchoring.errors.TransactionReverted` with the custom error decoded from the ABIs.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from hexbytes import HexBytes
from web3 import HTTPProvider, Web3
from web3.exceptions import (
    ContractLogicError,
    ProviderConnectionError,
    TransactionNotFound,
    Web3RPCError,
)
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import (
    BlockData,
    BlockIdentifier,
    FilterParams,
    LogReceipt,
    Nonce,
    RPCEndpoint,
    TxParams,
    TxReceipt,
    Wei,
)

from anchoring.abi import decode_revert
from anchoring.embedded import EmbeddedChain, EmbeddedProvider
from anchoring.errors import (
    AnchoringError,
    ChainDataError,
    ChainUnavailable,
    ReceiptTimeout,
    RpcError,
    TransactionDropped,
    TransactionReverted,
    WrongChain,
)

__all__ = [
    "Chain",
    "EmbeddedProvider",
    "TransactionPolicy",
]

_T = TypeVar("_T")

DROP_CHECK_INTERVAL = 1.0
"""Seconds between asking the node whether a transaction still waiting for its receipt is known."""
DROP_CHECKS = 2
"""Consecutive answers "unknown" after which a transaction counts as dropped."""



@dataclass(frozen=True)
class TransactionPolicy:
    """How :class:`Chain` sends transactions.

    ``confirmations``: blocks, the receipt's included, before a transaction counts as done
    (1 suits QBFT's immediate finality and the embedded chain). ``gas_margin``: multiplier on
    the node's estimate. ``priority_fee``: wei per gas for the block producer, None to ask the
    node (``eth_maxPriorityFeePerGas``, 0 when it does not know it). ``gas_price``: for chains
    without EIP-1559, None to ask the node. ``receipt_timeout`` and ``poll_interval``: seconds.
    """

    confirmations: int = 1
    gas_margin: float = 1.25
    priority_fee: int | None = None
    gas_price: int | None = None
    receipt_timeout: float = 120.0
    poll_interval: float = 0.05

    def __post_init__(self) -> None:
        if self.confirmations < 1:
            raise ValueError(f"confirmations must be >= 1, got {self.confirmations}")
        if self.gas_margin < 1:
            raise ValueError(f"gas_margin must be >= 1, got {self.gas_margin}")


class Chain:
    """A connection to the anchor chain. Build it with :meth:`connect` or :meth:`embedded`.

    Thread-safe: sends are serialised (nonces), reads are not.
    """

    def __init__(self, w3: Web3, chain_id: int, policy: TransactionPolicy) -> None:
        self.w3 = w3
        self.chain_id = chain_id
        self.policy = policy
        self._nonces: dict[str, int] = {}
        self._send_lock = threading.Lock()

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        expected_chain_id: int | None = None,
        policy: TransactionPolicy | None = None,
        timeout: float = 10.0,
    ) -> Chain:
        """Connect to the JSON-RPC node at ``url`` (http or https).

        Raises :class:`ChainUnavailable` when it does not answer, :class:`WrongChain` when its
        chain id is not ``expected_chain_id`` (checked when given: always give it in
        production, transactions are signed for the chain id read here).
        """
        provider = HTTPProvider(
            url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None
        )
        return cls._start(Web3(provider, middleware=[]), expected_chain_id, policy)

    @classmethod
    def embedded(cls, chain: EmbeddedChain, *, policy: TransactionPolicy | None = None) -> Chain:
        """Connect to an open :class:`EmbeddedChain` through :class:`EmbeddedProvider`."""
        w3 = Web3(EmbeddedProvider(chain), middleware=[])
        return cls._start(w3, chain.chain_id, policy)

    @classmethod
    def _start(
        cls, w3: Web3, expected_chain_id: int | None, policy: TransactionPolicy | None
    ) -> Chain:
        # QBFT and clique blocks carry more than 32 bytes of extraData, which web3's block
        # formatter refuses; this middleware moves it aside (no effect on other chains).
        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        with _translated("eth_chainId"):
            chain_id = w3.eth.chain_id
        if expected_chain_id is not None and chain_id != expected_chain_id:
            raise WrongChain(expected_chain_id, chain_id)
        return cls(w3, chain_id, policy or TransactionPolicy())

    # Reads

    def block_number(self) -> int:
        """The number of the latest block."""
        return self._request("eth_blockNumber", lambda: self.w3.eth.block_number)

    def block(self, block: BlockIdentifier) -> BlockData:
        """The block with this number, hash or tag. Raises :class:`ChainDataError` if none."""

        def read() -> BlockData:
            return self.w3.eth.get_block(block)

        try:
            return self._request("eth_getBlock", read)
        except RpcError as exc:
            raise ChainDataError(f"no block {block!r}: {exc}") from exc

    def code(self, address: str) -> bytes:
        """The contract code at ``address`` in the latest block."""
        checksum = to_checksum_address(address)
        return bytes(self._request("eth_getCode", lambda: self.w3.eth.get_code(checksum)))

    def call(
        self,
        to: str,
        data: bytes,
        *,
        sender: str | None = None,
        block: BlockIdentifier = "latest",
    ) -> bytes:
        """``eth_call``: the output of calling ``to`` with ``data``.

        Raises :class:`TransactionReverted` when the call reverts.
        """
        params: TxParams = {"to": to_checksum_address(to), "data": HexBytes(data)}
        if sender is not None:
            params["from"] = to_checksum_address(sender)
        return bytes(self._request("eth_call", lambda: self.w3.eth.call(params, block)))

    def estimate_gas(self, sender: str, to: str | None, data: bytes, value: int = 0) -> int:
        """``eth_estimateGas`` for a transaction from ``sender`` (``to`` None: a deployment).

        Raises :class:`TransactionReverted` when it would revert.
        """
        params: TxParams = {
            "from": to_checksum_address(sender),
            "data": HexBytes(data),
            "value": Wei(value),
        }
        if to is not None:
            params["to"] = to_checksum_address(to)
        return self._request("eth_estimateGas", lambda: self.w3.eth.estimate_gas(params))

    def logs(
        self,
        address: str,
        topics: Sequence[Sequence[bytes] | None],
        from_block: int,
        to_block: int,
    ) -> list[LogReceipt]:
        """``eth_getLogs`` of contract ``address`` in blocks ``from_block..to_block``; each
        position of ``topics`` lists the accepted topics (None: any)."""
        query: FilterParams = {
            "address": to_checksum_address(address),
            "fromBlock": from_block,
            "toBlock": to_block,
            "topics": [
                None if alternatives is None else [HexBytes(topic) for topic in alternatives]
                for alternatives in topics
            ],
        }
        return list(self._request("eth_getLogs", lambda: self.w3.eth.get_logs(query)))

    # Writes

    def send(
        self,
        account: LocalAccount,
        *,
        to: str | None,
        data: bytes,
        value: int = 0,
        gas: int | None = None,
    ) -> TxReceipt:
        """Sign and send a transaction from ``account`` (``to`` None: deploy ``data``) with
        ``value`` wei, wait for its confirmed receipt and return it; its status is 1.

        ``gas`` None: the estimate times the policy margin, so a transaction that would revert
        is refused before it is sent. Raises :class:`TransactionReverted` (estimate or mined
        with status 0, ``tx_hash`` set then), :class:`ReceiptTimeout`, :class:`RpcError` when
        the node refuses the transaction, :class:`ChainUnavailable`.
        """
        if gas is None:
            estimate = self.estimate_gas(account.address, to, data, value)
            gas = math.ceil(estimate * self.policy.gas_margin)
        with self._send_lock:
            transaction = self._build(account, to, data, value, gas)
            tx_hash = self._send_signed(account, transaction)
        try:
            receipt = self.wait_for_receipt(tx_hash)
        except (ReceiptTimeout, ChainUnavailable):
            # The transaction may be lost (a node restarted without it): read the nonce from
            # the node again before the next send, so no later transaction waits behind a gap.
            with self._send_lock:
                self._nonces.pop(account.address, None)
            raise
        if receipt["status"] != 1:
            raise self._explain_failure(transaction, receipt)
        return receipt

    def wait_for_receipt(self, tx_hash: bytes) -> TxReceipt:
        """The receipt of ``tx_hash`` once it has the policy's confirmations and its block is
        still canonical. Raises :class:`ReceiptTimeout` after ``receipt_timeout`` seconds, or
        sooner :class:`TransactionDropped` when the node, asked every
        ``DROP_CHECK_INTERVAL`` seconds, twice in a row no longer knows the transaction."""
        started = time.monotonic()
        deadline = started + self.policy.receipt_timeout
        next_check, misses = started + DROP_CHECK_INTERVAL, 0
        while True:
            receipt = self._receipt_or_none(tx_hash)
            if receipt is not None and self._confirmed(receipt):
                return receipt
            now = time.monotonic()
            if now >= deadline:
                raise ReceiptTimeout(tx_hash, self.policy.receipt_timeout)
            if receipt is None and now >= next_check:
                misses = 0 if self._node_knows(tx_hash) else misses + 1
                if misses == DROP_CHECKS:
                    raise TransactionDropped(tx_hash, now - started)
                next_check = now + DROP_CHECK_INTERVAL
            time.sleep(self.policy.poll_interval)

    def _node_knows(self, tx_hash: bytes) -> bool:
        def read() -> bool:
            try:
                self.w3.eth.get_transaction(HexBytes(tx_hash))
            except TransactionNotFound:
                return False
            return True

        return self._request("eth_getTransactionByHash", read)

    def _receipt_or_none(self, tx_hash: bytes) -> TxReceipt | None:
        def read() -> TxReceipt | None:
            try:
                return self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                return None

        return self._request("eth_getTransactionReceipt", read)

    def _confirmed(self, receipt: TxReceipt) -> bool:
        needed = receipt["blockNumber"] + self.policy.confirmations - 1
        if self.block_number() < needed:
            return False
        if self.policy.confirmations == 1:
            return True
        # Deeper confirmations are only meaningful if the block was not replaced meanwhile.
        return bytes(self.block(receipt["blockNumber"])["hash"]) == bytes(receipt["blockHash"])

    def _build(
        self, account: LocalAccount, to: str | None, data: bytes, value: int, gas: int
    ) -> TxParams:
        transaction: TxParams = {
            "chainId": self.chain_id,
            "nonce": Nonce(self._nonce(account.address)),
            "gas": gas,
            "value": Wei(value),
            "data": HexBytes(data),
        }
        if to is not None:
            transaction["to"] = to_checksum_address(to)
        transaction.update(self._fees())
        return transaction

    def _fees(self) -> TxParams:
        base_fee = self.block("latest").get("baseFeePerGas")
        if base_fee is None:
            price = self.policy.gas_price
            if price is None:
                price = self._request("eth_gasPrice", lambda: self.w3.eth.gas_price)
            return {"gasPrice": Wei(price)}
        priority = self.policy.priority_fee
        if priority is None:
            priority = self._node_priority_fee()
        return {
            "type": 2,
            "maxPriorityFeePerGas": Wei(priority),
            "maxFeePerGas": Wei(2 * base_fee + priority),
        }

    def _node_priority_fee(self) -> int:
        try:
            raw = self._request(
                "eth_maxPriorityFeePerGas",
                lambda: self.w3.manager.request_blocking(
                    RPCEndpoint("eth_maxPriorityFeePerGas"), []
                ),
            )
        except RpcError:
            return 0
        return int(raw, 16) if isinstance(raw, str) else int(raw)

    def _nonce(self, address: ChecksumAddress) -> int:
        if address not in self._nonces:
            self._nonces[address] = self._request(
                "eth_getTransactionCount",
                lambda: self.w3.eth.get_transaction_count(address, "pending"),
            )
        return self._nonces[address]

    def _send_signed(self, account: LocalAccount, transaction: TxParams) -> bytes:
        for attempt in (1, 2):
            raw = bytes(account.sign_transaction(cast(dict[str, Any], transaction)).raw_transaction)
            try:
                sent = self._send_raw(raw)
            except RpcError as exc:
                # The counted nonce may be stale (another process used the key, or a
                # transaction was dropped): read it again and retry once if that was it.
                del self._nonces[account.address]
                if attempt == 2 or "nonce" not in exc.message.lower():
                    raise
                transaction["nonce"] = Nonce(self._nonce(account.address))
                continue
            self._nonces[account.address] = int(transaction["nonce"]) + 1
            return bytes(sent)
        raise AssertionError("unreachable")

    def _send_raw(self, raw: bytes) -> bytes:
        return bytes(
            self._request("eth_sendRawTransaction", lambda: self.w3.eth.send_raw_transaction(raw))
        )

    def _explain_failure(self, transaction: TxParams, receipt: TxReceipt) -> TransactionReverted:
        """Replay a failed transaction as a call on its parent state to get the revert data."""
        tx_hash = bytes(receipt["transactionHash"])
        replay: TxParams = {
            "from": receipt["from"],
            "data": transaction["data"],
            "gas": transaction["gas"],
            "value": transaction["value"],
        }
        if "to" in transaction:
            replay["to"] = transaction["to"]
        try:
            self._request(
                "eth_call", lambda: self.w3.eth.call(replay, receipt["blockNumber"] - 1)
            )
        except TransactionReverted as reverted:
            return TransactionReverted(
                reverted.error, reverted.error_args, data=reverted.data, tx_hash=tx_hash
            )
        return TransactionReverted(
            None,
            tx_hash=tx_hash,
            detail=f"status 0 after using {receipt['gasUsed']} of {transaction['gas']} gas",
        )

    # Error translation: the one place where web3 and transport errors become ours.

    def _request(self, method: str, operation: Callable[[], _T]) -> _T:
        with _translated(method):
            return operation()


@contextmanager
def _translated(method: str) -> Iterator[None]:
    try:
        yield
    except AnchoringError:
        raise
    except ContractLogicError as exc:
        raise _reverted_from(exc.data, exc.message or "") from exc
    except Web3RPCError as exc:
        error = (exc.rpc_response or {}).get("error")
        if not isinstance(error, dict):
            raise RpcError(method, None, str(exc.message)) from exc
        code = error.get("code")
        message = str(error.get("message", ""))
        data = error.get("data")
        if isinstance(data, str | dict) and _revert_data(data) is not None:
            raise _reverted_from(data, message) from exc
        if "revert" in message.lower():
            raise TransactionReverted(None, detail=message) from exc
        raise RpcError(method, code if isinstance(code, int) else None, message) from exc
    except (ProviderConnectionError, OSError) as exc:
        raise ChainUnavailable(f"{method}: the node does not answer: {exc}") from exc


def _revert_data(data: str | dict[str, Any] | None) -> bytes | None:
    """The revert bytes in a node's error data: a hex string, or (some nodes) nested."""
    if isinstance(data, dict):
        nested = data.get("data")
        return _revert_data(nested if isinstance(nested, str | dict) else None)
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    return None


def _reverted_from(data: str | dict[str, Any] | None, message: str) -> TransactionReverted:
    raw = _revert_data(data)
    if raw is None:
        return TransactionReverted(None, detail=message or "no revert data")
    name, args = decode_revert(raw)
    return TransactionReverted(name, args, data=raw, detail=message)
