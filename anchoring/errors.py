"""Errors of the anchoring package: one base, precise subclasses.

Third-party errors (web3, requests, py-evm, sqlite3) are translated into these at the package
boundary with ``raise ... from exc``; callers catch :class:`AnchoringError` or a subclass.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AnchorMismatch",
    "AnchoringError",
    "ChainDataError",
    "ChainUnavailable",
    "ContractNotDeployed",
    "ExecutionReverted",
    "InvalidRequest",
    "ReceiptTimeout",
    "RejectedTransaction",
    "RpcError",
    "TransactionDropped",
    "TransactionReverted",
    "WrongChain",
]


class AnchoringError(Exception):
    """Base of every error raised by ``anchoring``."""


class AnchorMismatch(AnchoringError):
    """The chain's anchors and the ledger's disagree: the chain is behind the anchors the
    database recorded (a new or reset chain), holds another root for a size, anchors a size
    the log does not have, or the recorded anchors are on another chain or contract. The
    anchor service stops rather than anchor the history a second, different way."""


class ChainUnavailable(AnchoringError):
    """The chain cannot be reached: connection refused or timed out, or the embedded chain's
    data directory is missing, unreadable or already open in another process."""


class WrongChain(AnchoringError):
    """The node answers with another chain id than the one configured or signed for."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"node is on chain id {actual}, expected {expected}")
        self.expected = expected
        self.actual = actual


class RpcError(AnchoringError):
    """The node answered a JSON-RPC request with an error that is not a revert."""

    def __init__(self, method: str, code: int | None, message: str) -> None:
        super().__init__(f"{method}: {message}" + (f" (code {code})" if code is not None else ""))
        self.method = method
        self.code = code
        self.message = message


class TransactionReverted(AnchoringError):
    """A call or transaction reverted.

    ``error`` is the Solidity custom error name decoded from the contract ABIs (for example
    ``"LedgerAnchor__InconsistentProof"``, ``"AccessControlUnauthorizedAccount"``, ``"Error"``
    for ``require`` strings, ``"Panic"``), with its decoded ``args``; ``error`` is None when the
    node gave no revert data or the data matches no known error (``data`` keeps the raw bytes).
    ``tx_hash`` is set when a mined transaction failed (receipt status 0), None for a rejected
    ``eth_call`` or gas estimate.
    """

    def __init__(
        self,
        error: str | None,
        error_args: tuple[Any, ...] = (),
        *,
        data: bytes = b"",
        tx_hash: bytes | None = None,
        detail: str = "",
    ) -> None:
        shown = f"{error}{error_args!r}" if error is not None else (detail or "no revert data")
        where = f" in transaction 0x{tx_hash.hex()}" if tx_hash is not None else ""
        super().__init__(f"reverted{where}: {shown}")
        self.error = error
        self.error_args = error_args
        self.data = data
        self.tx_hash = tx_hash


class ReceiptTimeout(AnchoringError):
    """A sent transaction got no receipt, or not enough confirmations, in time."""

    def __init__(self, tx_hash: bytes, timeout: float) -> None:
        super().__init__(f"no confirmed receipt for 0x{tx_hash.hex()} after {timeout:g} s")
        self.tx_hash = tx_hash
        self.timeout = timeout


class TransactionDropped(ReceiptTimeout):
    """A sent transaction has no receipt and the node no longer knows it (dropped from its
    pool, e.g. by a restart): it will never be mined as sent."""

    def __init__(self, tx_hash: bytes, waited: float) -> None:
        super().__init__(tx_hash, waited)
        self.args = (f"0x{tx_hash.hex()} was dropped: no receipt, and the node no longer "
                     f"holds it (after {waited:.1f} s)",)


class InvalidRequest(AnchoringError):
    """An argument cannot be sent to the contract: a size or index outside uint64, a hash
    that is not 32 bytes, a proof longer than the contract accepts, a missing signer."""


class ContractNotDeployed(AnchoringError):
    """There is no contract code at the configured address (wrong address or wrong chain)."""


class ChainDataError(AnchoringError):
    """The chain answered something that cannot be right (malformed or inconsistent data)."""


class ExecutionReverted(AnchoringError):
    """Embedded node: an ``eth_call`` or gas estimate reverted; ``data`` is the revert data.

    The JSON-RPC layer turns it into the error object real nodes answer with (code 3,
    ``"execution reverted"``, ``data``); clients then see :class:`TransactionReverted`.
    """

    def __init__(self, data: bytes, message: str = "execution reverted") -> None:
        super().__init__(message)
        self.data = data
        self.message = message


class RejectedTransaction(AnchoringError):
    """Embedded node: a raw transaction was refused before execution (bad nonce, wrong chain
    id, fee below the base fee, insufficient funds, undecodable)."""
