"""The views of our two contracts (DESIGN section 3), ABI-encoded and decoded by hand.

    LedgerAnchor.rootAt(uint64 treeSize) returns (bytes32 root, uint64 timestamp)
    LedgerAnchor.latest() returns (uint64 treeSize, bytes32 root)
    LedgerAnchor event Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize)
    OperatorRegistry.isActive(address) returns (bool)
    OperatorRegistry.operatorOf(address) returns (string name, string licence, bool active,
                                                  uint64 registeredAt, uint64 revokedAt)
    OperatorRegistry.hasRole(bytes32 role, address account) returns (bool)
    OperatorRegistry events RoleGranted(bytes32 indexed role, address indexed account,
                                        address indexed sender), RoleRevoked(...the same)

A role's history (who held REGISTRAR_ROLE when) is read from the RoleGranted and RoleRevoked
logs of the registry, `LOG_CHUNK` blocks per eth_getLogs query (nodes cap the range), and
ordered by block and log index: the account holds the role at a block when its last change at
or before that block is a grant.

A call is the 4-byte selector keccak256(signature)[:4] followed by 32-byte words; static return
values are 32-byte words, which are decoded strictly (a uint64 or bool word with stray high bits
is refused rather than truncated). A dynamic `string` is an offset word in the head and, at that
offset, a length word and the UTF-8 bytes zero-padded to whole words; only the canonical layout
that the Solidity ABI encoder writes (tails in order, right after the head) is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from verifier.address import Address, address_bytes
from verifier.encodings import decode_hex
from verifier.errors import MalformedChainResponse, MalformedHex
from verifier.jsonrpc import ChainReader, parse_quantity
from verifier.keccak import keccak256
from verifier.messages import Text, Time, text
from verifier.rfc9162 import RootHash

WORD: Final = 32


def selector(signature: str) -> bytes:
    """Return the 4-byte function selector keccak256(signature)[:4]."""
    return keccak256(signature.encode("ascii"))[:4]


ROOT_AT: Final = selector("rootAt(uint64)")
LATEST: Final = selector("latest()")
IS_ACTIVE: Final = selector("isActive(address)")
OPERATOR_OF: Final = selector("operatorOf(address)")
ANCHORED_TOPIC: Final = keccak256(b"Anchored(uint64,bytes32,uint64)")
HAS_ROLE: Final = selector("hasRole(bytes32,address)")
ROLE_GRANTED_TOPIC: Final = keccak256(b"RoleGranted(bytes32,address,address)")
ROLE_REVOKED_TOPIC: Final = keccak256(b"RoleRevoked(bytes32,address,address)")
REGISTRAR_ROLE: Final = keccak256(b"REGISTRAR_ROLE")
"""The role of the department's key: it registers operators and files plans and compiled
figures."""
LOG_CHUNK: Final = 5_000
"""Blocks per eth_getLogs query (Besu refuses ranges over 5,000 by default)."""


@dataclass(frozen=True, slots=True)
class AnchoredRoot:
    """What `rootAt` returns: the root anchored at a size (zero if none) and its block time."""

    root: RootHash
    timestamp: int

    def describe(self) -> Text:
        """Return the answer as a message."""
        return text("chain.root_at", root="0x" + self.root.hex(), time=Time(self.timestamp))


@dataclass(frozen=True, slots=True)
class LatestAnchor:
    """What `latest()` returns: the largest anchored tree size and its root."""

    tree_size: int
    root: RootHash

    def describe(self) -> Text:
        """Return the answer as a message."""
        return text("chain.latest", size=self.tree_size, root="0x" + self.root.hex())


@dataclass(frozen=True, slots=True)
class AnchorTransaction:
    """What an anchoring transaction's receipt shows: its block and its `Anchored` event."""

    block_number: int
    block_hash: bytes
    tree_size: int
    root: RootHash
    previous_size: int

    def describe(self) -> Text:
        """Return the answer as a message."""
        return text(
            "chain.anchor_transaction",
            block=self.block_number,
            block_hash="0x" + self.block_hash.hex(),
            size=self.tree_size,
            root="0x" + self.root.hex(),
            previous=self.previous_size,
        )


@dataclass(frozen=True, slots=True)
class Registration:
    """What `operatorOf` returns: an address's entry in the OperatorRegistry.

    An address is active from `registered_at` until `revoked_at` (block timestamps, unix
    seconds; `registered_at` is 0 for an address never registered, `revoked_at` 0 while it is not
    revoked). It is registered once and never reactivated.
    """

    name: str
    licence: str
    active: bool
    registered_at: int
    revoked_at: int

    def active_at(self, time: int) -> bool:
        """True iff the address was active at block time `time`:
        0 < registered_at <= time and (revoked_at == 0 or revoked_at > time)."""
        return 0 < self.registered_at <= time and (self.revoked_at == 0 or self.revoked_at > time)

    def describe(self) -> Text:
        """Return the registry's entry as a message: never registered, or the operator's name
        and its registration and revocation times."""
        if not self.registered_at:
            return text("registry.never_registered")
        if not self.revoked_at:
            registered = Time(self.registered_at)
            return text("registry.not_revoked", name=repr(self.name), registered=registered)
        return text(
            "registry.revoked",
            name=repr(self.name),
            registered=Time(self.registered_at),
            revoked=Time(self.revoked_at),
        )


@dataclass(frozen=True, slots=True)
class RoleChange:
    """One RoleGranted (`granted`) or RoleRevoked log, where it is on the chain."""

    block_number: int
    log_index: int
    granted: bool


@dataclass(frozen=True, slots=True)
class RoleHistory:
    """The grants and revocations of one role to one account, in chain order, through a
    block."""

    changes: tuple[RoleChange, ...]

    def grant_in_force(self, block_number: int) -> RoleChange | None:
        """The grant the account holds the role by at `block_number`, or None when its last
        change at or before that block is a revocation (or there is none)."""
        last = None
        for change in self.changes:
            if change.block_number <= block_number:
                last = change
        return last if last is not None and last.granted else None


def held_at(times: tuple[tuple[int, bool], ...], time: int) -> bool:
    """Whether the last of the (block time, granted) changes at or before `time` is a grant."""
    held = False
    for at, granted in times:
        if at <= time:
            held = granted
    return held


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
            _decode_is_active,
            what=f"isActive({operator}) of {self.address}",
        )

    def registration(self, operator: Address) -> Registration:
        """Return `operatorOf(operator)` (all empty or zero when it was never registered)."""
        return self.chain.eth_call(
            self.address,
            OPERATOR_OF + bytes(12) + address_bytes(operator),
            _decode_registration,
            what=f"operatorOf({operator}) of {self.address}",
        )

    def has_role(self, role: bytes, account: Address) -> bool:
        """Return `hasRole(role, account)`."""
        return self.chain.eth_call(
            self.address,
            HAS_ROLE + role + bytes(12) + address_bytes(account),
            _decode_has_role,
            what=f"hasRole(0x{role.hex()}, {account}) of {self.address}",
        )

    def role_history(self, role: bytes, account: Address, through_block: int) -> RoleHistory:
        """The RoleGranted and RoleRevoked logs of `role` for `account` in blocks 0 to
        `through_block`, `LOG_CHUNK` blocks per query."""
        topics = ["0x" + ROLE_GRANTED_TOPIC.hex(), "0x" + ROLE_REVOKED_TOPIC.hex()]
        account_topic = "0x" + (bytes(12) + address_bytes(account)).hex()
        changes: list[RoleChange] = []
        for first in range(0, through_block + 1, LOG_CHUNK):
            last = min(first + LOG_CHUNK - 1, through_block)
            query = {"address": self.address, "fromBlock": hex(first), "toBlock": hex(last),
                     "topics": [topics, "0x" + role.hex(), account_topic]}
            changes += self.chain.call(
                "eth_getLogs", [query],
                lambda logs: _decode_role_logs(logs, self.address, role, account),
                what=f"role logs of {account} in blocks {first}..{last} of {self.address}",
            )
        return RoleHistory(tuple(sorted(changes, key=lambda c: (c.block_number, c.log_index))))

    def role_times(self, role: bytes, account: Address) -> tuple[tuple[int, bool], ...]:
        """The changes of `role` for `account` through the chain's head, each as (block time,
        granted), in chain order (`held_at` reads them)."""
        head = self.chain.call("eth_blockNumber", [],
                               lambda r: parse_quantity(r, what="eth_blockNumber"),
                               what="eth_blockNumber")
        history = self.role_history(role, account, head)
        return tuple((self.block_time(c.block_number), c.granted) for c in history.changes)

    def block_time(self, block_number: int) -> int:
        """The timestamp of block `block_number`."""
        return self.chain.call(
            "eth_getBlockByNumber", [hex(block_number), False],
            lambda block: parse_quantity(block.get("timestamp") if isinstance(block, dict)
                                         else None, what=f"block {block_number} timestamp"),
            what=f"block {block_number}",
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


def _bool(word: bytes, what: str) -> bool:
    if word not in (bytes(32), bytes(31) + b"\x01"):
        raise MalformedChainResponse(f"{what}: word 0x{word.hex()} is not a bool")
    return word[-1] == 1


def _decode_is_active(data: bytes) -> bool:
    (word,) = _words(data, 1, "isActive")
    return _bool(word, "isActive")


def _decode_has_role(data: bytes) -> bool:
    (word,) = _words(data, 1, "hasRole")
    return _bool(word, "hasRole")


def _decode_registration(data: bytes) -> Registration:
    what = "operatorOf"
    if len(data) < 5 * WORD:
        raise MalformedChainResponse(f"{what} returned {len(data)} bytes, want at least {5 * WORD}")
    name_at, licence_at, active, registered_at, revoked_at = _words(data[: 5 * WORD], 5, what)
    name, end = _string(data, name_at, 5 * WORD, f"{what} name")
    licence, end = _string(data, licence_at, end, f"{what} licence")
    if end != len(data):
        raise MalformedChainResponse(f"{what} returned {len(data)} bytes, want {end}")
    return Registration(
        name=name,
        licence=licence,
        active=_bool(active, f"{what} active"),
        registered_at=_uint64(registered_at, f"{what} registeredAt"),
        revoked_at=_uint64(revoked_at, f"{what} revokedAt"),
    )


def _string(data: bytes, offset_word: bytes, at: int, what: str) -> tuple[str, int]:
    """Decode the ABI `string` whose head word is `offset_word`, which must point at `at` (the
    canonical place of its tail); return the text and where the tail ends."""
    if int.from_bytes(offset_word, "big") != at:
        raise MalformedChainResponse(f"{what}: offset 0x{offset_word.hex()}, want {at}")
    if at + WORD > len(data):
        raise MalformedChainResponse(f"{what}: the length word is past the end of the data")
    length = int.from_bytes(data[at : at + WORD], "big")
    start = at + WORD
    end = start + -(-length // WORD) * WORD
    if end > len(data):
        raise MalformedChainResponse(f"{what}: {length} bytes run past the end of the data")
    if any(data[start + length : end]):
        raise MalformedChainResponse(f"{what}: the padding after the text is not zero")
    try:
        return data[start : start + length].decode("utf-8"), end
    except UnicodeDecodeError as exc:
        raise MalformedChainResponse(f"{what} is not UTF-8: {exc}") from exc


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


def _decode_role_logs(logs: object, contract: Address, role: bytes,
                      account: Address) -> tuple[RoleChange, ...]:
    """Decode the eth_getLogs answer of `role_history`; every log must be a RoleGranted or
    RoleRevoked of `role` to `account` emitted by `contract`."""
    if not isinstance(logs, list):
        raise MalformedChainResponse("eth_getLogs answer is not a list")
    changes = []
    for log in logs:
        if not isinstance(log, dict) or not isinstance(log.get("topics"), list):
            raise MalformedChainResponse("eth_getLogs log is not an object with topics")
        address, topics = log.get("address"), log["topics"]
        if not isinstance(address, str) or address.lower() != contract.lower() or \
                len(topics) != 4:
            raise MalformedChainResponse("eth_getLogs returned a log the filter excludes")
        event, role_topic, account_topic = (_hash(t, "role log topic") for t in topics[:3])
        if event not in (ROLE_GRANTED_TOPIC, ROLE_REVOKED_TOPIC) or role_topic != role or \
                account_topic != bytes(12) + address_bytes(account):
            raise MalformedChainResponse("eth_getLogs returned a log the filter excludes")
        changes.append(RoleChange(
            block_number=parse_quantity(log.get("blockNumber"), what="log blockNumber"),
            log_index=parse_quantity(log.get("logIndex"), what="log logIndex"),
            granted=event == ROLE_GRANTED_TOPIC,
        ))
    return tuple(changes)


def _hash(value: object, what: str) -> bytes:
    """Decode a 0x-prefixed 32-byte hash of a JSON-RPC answer (any hex case)."""
    try:
        return decode_hex(
            value.lower() if isinstance(value, str) else value, what=what, size=WORD, prefixed=True
        )
    except MalformedHex as exc:
        raise MalformedChainResponse(str(exc)) from exc
