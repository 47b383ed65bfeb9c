"""The log entry (DESIGN section 2) and its record id.

The leaf data is the RFC 8785 bytes of the entry object, at most 64 KiB; the record id is the
lowercase hex of its RFC 9162 leaf hash, so a record id is its own proof anchor.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Final, NewType

from verifier.address import Address, parse_address
from verifier.canonical_json import MAX_SAFE_INTEGER, canonicalize
from verifier.encodings import decode_hex, encode_hex
from verifier.errors import MalformedAddress, MalformedEntry, MalformedHex, NotCanonicalizable
from verifier.rfc9162 import HASH_SIZE, LeafHash, leaf_hash

RecordId = NewType("RecordId", str)
"""64 lowercase hex digits: the leaf hash of an entry."""

ENTRY_VERSION: Final = 1
KINDS: Final = ("indicator", "permit", "report")
FIELDS: Final = frozenset(
    {
        "v",
        "kind",
        "schema",
        "subject",
        "operator",
        "content",
        "attachments",
        "supersedes",
        "issued_at",
        "signature",
    }
)
MAX_ENTRY_BYTES: Final = 64 * 1024
SIGNATURE_SIZE: Final = 65

_RECORD_ID: Final = re.compile(r"[0-9a-f]{64}\Z")


@dataclass(frozen=True)
class Entry:
    """A parsed entry. `content` and `attachments` are SHA-256 commitments (section 2),
    `supersedes` the leaf hash of the corrected record, `signature` the 65-byte EIP-712 r||s||v.
    """

    kind: str
    schema: str
    subject: str
    operator: Address
    content: bytes
    attachments: bytes
    supersedes: LeafHash | None
    issued_at: int
    signature: bytes

    @staticmethod
    def parse(value: object) -> Entry:
        """Parse an entry object; every field is checked for type and spelling.

        Hashes are 0x and 64 lowercase hex digits, the operator an EIP-55 address, `issued_at`
        unix seconds up to 2^53 - 1, and no member may be missing or extra, so the object
        re-canonicalises to the very bytes that were hashed. Raises `MalformedEntry`.
        """
        if not isinstance(value, dict):
            raise MalformedEntry(f"entry: got {type(value).__name__}, want an object")
        if set(value) != FIELDS:
            missing, extra = sorted(FIELDS - set(value)), sorted(set(value) - FIELDS)
            raise MalformedEntry(f"entry members: missing {missing}, unexpected {extra}")
        if type(value["v"]) is not int or value["v"] != ENTRY_VERSION:
            raise MalformedEntry(f"entry.v: got {value['v']!r}, want {ENTRY_VERSION}")
        if value["kind"] not in KINDS:
            raise MalformedEntry(f"entry.kind: got {value['kind']!r}, want one of {KINDS}")
        for name in ("schema", "subject"):
            if not isinstance(value[name], str) or not value[name]:
                raise MalformedEntry(f"entry.{name}: want a non-empty string")
        issued_at = value["issued_at"]
        if type(issued_at) is not int or not 0 <= issued_at <= MAX_SAFE_INTEGER:
            raise MalformedEntry(f"entry.issued_at: got {issued_at!r}, want unix seconds")
        try:
            supersedes = value["supersedes"]
            entry = Entry(
                kind=value["kind"],
                schema=value["schema"],
                subject=value["subject"],
                operator=parse_address(value["operator"], what="entry.operator"),
                content=decode_hex(
                    value["content"], what="entry.content", size=HASH_SIZE, prefixed=True
                ),
                attachments=decode_hex(
                    value["attachments"], what="entry.attachments", size=HASH_SIZE, prefixed=True
                ),
                supersedes=None
                if supersedes is None
                else LeafHash(
                    decode_hex(supersedes, what="entry.supersedes", size=HASH_SIZE, prefixed=True)
                ),
                issued_at=issued_at,
                signature=decode_hex(
                    value["signature"], what="entry.signature", size=SIGNATURE_SIZE, prefixed=True
                ),
            )
        except (MalformedHex, MalformedAddress) as exc:
            raise MalformedEntry(str(exc)) from exc
        size = len(entry.leaf_data())
        if size > MAX_ENTRY_BYTES:
            raise MalformedEntry(f"entry is {size} bytes, limit {MAX_ENTRY_BYTES}")
        return entry

    def to_json(self) -> dict[str, Any]:
        """Return the entry object exactly as it was canonicalised into the leaf."""
        return {
            "v": ENTRY_VERSION,
            "kind": self.kind,
            "schema": self.schema,
            "subject": self.subject,
            "operator": self.operator,
            "content": encode_hex(self.content, prefixed=True),
            "attachments": encode_hex(self.attachments, prefixed=True),
            "supersedes": None
            if self.supersedes is None
            else encode_hex(self.supersedes, prefixed=True),
            "issued_at": self.issued_at,
            "signature": encode_hex(self.signature, prefixed=True),
        }

    def leaf_data(self) -> bytes:
        """Return the leaf data: the RFC 8785 bytes of the entry object (computed once).

        Raises `MalformedEntry` when a string holds a lone surrogate.
        """
        return self._leaf_data

    def leaf_hash(self) -> LeafHash:
        """Return the RFC 9162 leaf hash SHA-256(0x00 || JCS(entry)) (computed once)."""
        return self._leaf_hash

    @functools.cached_property
    def _leaf_data(self) -> bytes:
        try:
            return canonicalize(self.to_json())
        except NotCanonicalizable as exc:
            raise MalformedEntry(f"entry: {exc}") from exc

    @functools.cached_property
    def _leaf_hash(self) -> LeafHash:
        return leaf_hash(self._leaf_data)


def record_id(leaf: LeafHash) -> RecordId:
    """Return the record id of a leaf hash: its 64 lowercase hex digits."""
    return RecordId(leaf.hex())


def parse_record_id(text: object, *, what: str = "record id") -> LeafHash:
    """Parse a record id (64 lowercase hex digits, no prefix) into its leaf hash.

    Raises `MalformedHex`.
    """
    if not isinstance(text, str) or not _RECORD_ID.match(text):
        raise MalformedHex(f"{what}: got {str(text)[:80]!r}, want 64 lowercase hex digits")
    return LeafHash(bytes.fromhex(text))
