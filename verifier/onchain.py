"""The views of our two contracts (DESIGN section 3), ABI-encoded and decoded by hand.

    LedgerAnchor.rootAt(uint64 treeSize) returns (bytes32 root, uint64 timestamp)
    LedgerAnchor.latest() returns (uint64 treeSize, bytes32 root)
    LedgerAnchor event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize)
    OperatorRegistry.isActive(address) returns (bool)

A call is the 4-byte selector keccak256(signature)[:4] followed by 32-byte words; static return
values are 32-byte words, which are decoded strictly (a uint64 or bool word with stray high bits
is refused rather than truncated).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from eth_hash.auto import keccak

from verifier.address import Address, address_bytes
from verifier.encodings import decode_hex
from verifier.errors import MalformedChainResponse, MalformedHex
from verifier.jsonrpc import ChainReader, parse_quantity
from verifier.rfc9162 import RootHash

WORD: Final = 32


def selector(signature: str) -> bytes:
    """Return the 4-byte function selector keccak256(signature)[:4]."""
    return keccak(signature.encode("ascii"))[:4]


ROOT_AT: Final = selector("rootAt(uint64)")
LATEST: Final = selector("latest()")
IS_ACTIVE: Final = selector("isActive(address)")
ANCHORED_TOPIC: Final = keccak(b"Anchored(uint64,bytes32,uint64)")


@dataclass(frozen=True, slots=True)
class AnchoredRoot:
    """What `rootAt` returns: the root anchored at a size (zero if none) and its block time."""

    root: RootHash
    timestamp: int

    def __str__(self) -> str:
        return f"root 0x{self.root.hex()} at time {self.timestamp}"


@dataclass(frozen=True, slots=True)
class LatestAnchor:
    """What `latest()` returns: the largest anchored tree size and its root."""

    tree_size: int
    root: RootHash

    def __str__(self) -> str:
        return f"size {self.tree_size} root 0x{self.root.hex()}"


@dataclass(frozen=True, slots=True)
class AnchorTransaction:
    """What an anchoring transaction's receipt shows: its block and its `Anchored` event."""

    block_number: int
    block_hash: bytes
    tree_size: int
    root: RootHash
    previous_size: int

    def __str__(self) -> str:
        return (
            f"block {self.block_number} 0x{self.block_hash.hex()} anchored size {self.tree_size} "
            f"root 0x{self.root.hex()} after size {self.previous_size}"
        )


@dataclass(frozen=True, slots=True)
class LedgerAnchor:
    """The LedgerAnchor contract at `address`, read through `chain`."""

    chain: ChainReader
    address: Address

    def root_at(self, tree_size: int) -> AnchoredRoot:
        """Return `rootAt(tree_size)`; the root is all zeros when that size was never anchored."""
        return self.chain.eth_call(
            self.address,
            ROOT_AT + _uint(tree_size),
            _decode_root_at,
            what=f"rootAt({tree_size}) of {self.address}",
        )

    def latest(self) -> LatestAnchor:
        """Return `latest()`: the largest anchored tree size and its root."""
        return self.chain.eth_call(
            self.address, LATEST, _decode_latest, what=f"latest() of {self.address}"
        )

    def transaction(self, tx_hash: bytes) -> AnchorTransaction | None:
        """Return the block and `Anchored` event of a successful anchoring transaction.

        Returns None when the endpoints know no such transaction, or when it failed or did not
        emit `Anchored` from this contract.
        """
        return self.chain.call(
            "eth_getTransactionReceipt",
            ["0x" + tx_hash.hex()],
            lambda receipt: _decode_receipt(receipt, self.address),
            what=f"receipt of 0x{tx_hash.hex()}",
        )


@dataclass(frozen=True, slots=True)
class OperatorRegistry:
    """The OperatorRegistry contract at `address`, read through `chain`."""

    chain: ChainReader
    address: Address

    def is_active(self, operator: Address) -> bool:
        """Return `isActive(operator)`."""
        return self.chain.eth_call(
            self.address,
            IS_ACTIVE + bytes(12) + address_bytes(operator),
            _decode_bool,
            what=f"isActive({operator}) of {self.address}",
        )


def _uint(value: int) -> bytes:
    return value.to_bytes(WORD, "big")


def _words(data: bytes, count: int, what: str) -> list[bytes]:
    if len(data) != count * WORD:
        raise MalformedChainResponse(f"{what} returned {len(data)} bytes, want {count * WORD}")
    return [data[i : i + WORD] for i in range(0, len(data), WORD)]


def _uint64(word: bytes, what: str) -> int:
    if any(word[:24]):
        raise MalformedChainResponse(f"{what}: word 0x{word.hex()} is not a uint64")
    return int.from_bytes(word, "big")


def _decode_root_at(data: bytes) -> AnchoredRoot:
    root, timestamp = _words(data, 2, "rootAt")
    return AnchoredRoot(root=RootHash(root), timestamp=_uint64(timestamp, "rootAt timestamp"))


def _decode_latest(data: bytes) -> LatestAnchor:
    size, root = _words(data, 2, "latest")
    return LatestAnchor(tree_size=_uint64(size, "latest treeSize"), root=RootHash(root))


def _decode_bool(data: bytes) -> bool:
    (word,) = _words(data, 1, "isActive")
    if word not in (bytes(32), bytes(31) + b"\x01"):
        raise MalformedChainResponse(f"isActive: word 0x{word.hex()} is not a bool")
    return word[-1] == 1


def _decode_receipt(receipt: object, contract: Address) -> AnchorTransaction | None:
    """Extract the block and the first `Anchored` event of `contract` from a receipt."""
    if receipt is None:
        return None
    if not isinstance(receipt, dict) or not isinstance(receipt.get("logs"), list):
        raise MalformedChainResponse("transaction receipt is not an object with logs")
    if parse_quantity(receipt.get("status"), what="receipt status") != 1:
        return None
    block_number = parse_quantity(receipt.get("blockNumber"), what="receipt blockNumber")
    block_hash = _hash(receipt.get("blockHash"), "receipt blockHash")
    for log in receipt["logs"]:
        event = _anchored_event(log, contract)
        if event is not None:
            size, root, previous = event
            return AnchorTransaction(
                block_number=block_number,
                block_hash=block_hash,
                tree_size=size,
                root=root,
                previous_size=previous,
            )
    return None


def _anchored_event(log: Any, contract: Address) -> tuple[int, RootHash, int] | None:
    """Decode an `Anchored` log of `contract`; None for any other log."""
    if not isinstance(log, dict):
        raise MalformedChainResponse("receipt log is not an object")
    address, topics = log.get("address"), log.get("topics")
    if not isinstance(address, str) or address.lower() != contract.lower():
        return None
    if not isinstance(topics, list) or not topics:
        return None
    if _hash(topics[0], "log topic") != ANCHORED_TOPIC:
        return None
    if len(topics) != 2:
        raise MalformedChainResponse(f"Anchored log has {len(topics)} topics, want 2")
    size = _uint64(_hash(topics[1], "Anchored treeSize topic"), "Anchored treeSize")
    data = log.get("data")
    if not isinstance(data, str) or not data.startswith("0x"):
        raise MalformedChainResponse("Anchored log data is not hex")
    try:
        root, previous = _words(bytes.fromhex(data[2:]), 2, "Anchored data")
    except ValueError as exc:
        raise MalformedChainResponse(f"Anchored log data is not hex: {exc}") from exc
    return size, RootHash(root), _uint64(previous, "Anchored previousSize")


def _hash(value: object, what: str) -> bytes:
    """Decode a 0x-prefixed 32-byte hash of a JSON-RPC answer (any hex case)."""
    try:
        return decode_hex(
            value.lower() if isinstance(value, str) else value, what=what, size=WORD, prefixed=True
        )
    except MalformedHex as exc:
        raise MalformedChainResponse(str(exc)) from exc
