"""The log entry of DESIGN section 2: one leaf of the Merkle log.

The leaf data is the RFC 8785 bytes of the entry object; the record id is the lowercase hex of
its RFC 9162 leaf hash, so a record id is its own proof anchor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, NewType

from eth_hash.auto import keccak

from ledger.canonical import MAX_SAFE_INTEGER, canonical_json
from ledger.errors import EntryTooLarge, InvalidEntry
from ledger.merkle import LeafHash, leaf_hash

RecordId = NewType("RecordId", str)
"""64 lowercase hex characters: the leaf hash of the entry."""

MAX_ENTRY_BYTES: Final = 65535
"""64 KiB less one byte: C2SP entry bundles prefix each entry with a uint16 length."""
MAX_SUBJECT_CHARS: Final = 200
ENTRY_VERSION: Final = 1
FIELDS: Final = frozenset(
    {"v", "kind", "schema", "subject", "operator", "content", "attachments", "supersedes",
     "issued_at", "signature"}
)

_HASH = re.compile(r"0x[0-9a-f]{64}\Z")
_SIGNATURE = re.compile(r"0x[0-9a-f]{130}\Z")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")
_RECORD_ID = re.compile(r"[0-9a-f]{64}\Z")
_KIND = re.compile(r"[a-z]{1,32}\Z")
"""A kind's name; which kinds exist is the domain's business (`filings.kinds`), not the log's."""
_SCHEMA = re.compile(r"([a-z]+)/([1-9][0-9]{0,3})\Z")
_SUBJECT = re.compile(r"[^\x00-\x1f\x7f]+\Z")


@dataclass(frozen=True, slots=True)
class NewestOfSubject:
    """A subject and the log index of its newest entry (-1: none yet): what a record was judged
    by, which the append checks again (`ledger.storage.store.PendingEntry.unchanged`)."""

    subject: str
    index: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A validated entry. Build it with `Entry.from_json` or the constructor plus `validate`."""

    kind: str
    schema: str
    subject: str
    operator: str
    content: str
    attachments: str
    supersedes: str | None
    issued_at: int
    signature: str | None
    """The EIP-712 signature, or None for a record signed with a CA certificate only (whose
    CMS the domain requires among its attachments: `filings.bindings`)."""

    def to_json(self) -> dict[str, Any]:
        """Return the entry object exactly as it is canonicalised into the leaf."""
        return {
            "v": ENTRY_VERSION,
            "kind": self.kind,
            "schema": self.schema,
            "subject": self.subject,
            "operator": self.operator,
            "content": self.content,
            "attachments": self.attachments,
            "supersedes": self.supersedes,
            "issued_at": self.issued_at,
            "signature": self.signature,
        }

    def leaf_data(self) -> bytes:
        """Return the RFC 8785 bytes of the entry; raises `EntryTooLarge` past 64 KiB."""
        data = canonical_json(self.to_json())
        if len(data) > MAX_ENTRY_BYTES:
            raise EntryTooLarge(f"entry is {len(data)} bytes, limit {MAX_ENTRY_BYTES}")
        return data

    @staticmethod
    def from_json(value: Any) -> Entry:
        """Parse and validate an entry object; raises `InvalidEntry` naming the bad field."""
        if not isinstance(value, dict):
            raise InvalidEntry(f"entry must be a JSON object, got {type(value).__name__}")
        keys = set(value)
        if keys != FIELDS:
            missing, extra = sorted(FIELDS - keys), sorted(keys - FIELDS)
            raise InvalidEntry(f"entry fields: missing {missing}, unexpected {extra}")
        if value["v"] != ENTRY_VERSION or type(value["v"]) is not int:
            raise InvalidEntry(f"entry version: got {value['v']!r}, want {ENTRY_VERSION}")
        entry = Entry(
            kind=value["kind"],
            schema=value["schema"],
            subject=value["subject"],
            operator=value["operator"],
            content=value["content"],
            attachments=value["attachments"],
            supersedes=value["supersedes"],
            issued_at=value["issued_at"],
            signature=value["signature"],
        )
        entry.validate()
        return entry

    def validate(self) -> None:
        """Check every field against DESIGN section 2; raises `InvalidEntry` on the first fault."""
        _require_str("kind", self.kind)
        if not _KIND.match(self.kind):
            raise InvalidEntry(f"kind: got {self.kind[:40]!r}, want 1 to 32 lowercase letters")
        _require_str("schema", self.schema)
        match = _SCHEMA.match(self.schema)
        if match is None or match.group(1) != self.kind:
            raise InvalidEntry(f"schema: got {self.schema!r}, want '{self.kind}/<version>'")
        _require_str("subject", self.subject)
        if not 1 <= len(self.subject) <= MAX_SUBJECT_CHARS or not _SUBJECT.match(self.subject):
            raise InvalidEntry(
                f"subject: 1 to {MAX_SUBJECT_CHARS} characters without control characters"
            )
        _require_str("operator", self.operator)
        if not is_checksum_address(self.operator):
            raise InvalidEntry(f"operator: {self.operator!r} is not an EIP-55 address")
        _require_hash("content", self.content)
        _require_hash("attachments", self.attachments)
        if self.supersedes is not None:
            _require_hash("supersedes", self.supersedes)
        if type(self.issued_at) is not int or not 0 <= self.issued_at <= MAX_SAFE_INTEGER:
            raise InvalidEntry(f"issued_at: got {self.issued_at!r}, want unix seconds")
        if self.signature is not None and (type(self.signature) is not str
                                           or not _SIGNATURE.match(self.signature)):
            raise InvalidEntry("signature: want 0x and 65 bytes of lowercase hex, or null")


def record_id(leaf: LeafHash) -> RecordId:
    """Return the record id (lowercase hex) of a leaf hash."""
    return RecordId(leaf.hex())


def parse_record_id(text: str) -> LeafHash:
    """Parse a record id (64 lowercase hex, optionally 0x-prefixed) into its leaf hash."""
    bare = text[2:] if text.startswith("0x") else text
    if not _RECORD_ID.match(bare):
        raise InvalidEntry(f"record id: got {text[:80]!r}, want 64 lowercase hex characters")
    return LeafHash(bytes.fromhex(bare))


def entry_leaf_hash(entry: Entry) -> LeafHash:
    """Return the RFC 9162 leaf hash of the entry's canonical bytes."""
    return leaf_hash(entry.leaf_data())


def to_checksum_address(address: str) -> str:
    """Return the EIP-55 mixed-case form of a 0x-prefixed 20-byte hex address."""
    known = _CHECKSUMMED.get(address)
    if known is not None:
        return known
    if not _ADDRESS.match(address):
        raise InvalidEntry(f"address: got {address[:60]!r}, want 0x and 40 hex characters")
    lower = address[2:].lower()
    digest = keccak(lower.encode("ascii"))[:20].hex()
    # EIP-55: a letter is upper-case where the matching nibble of the hash is 8 or more.
    checksummed = "0x" + "".join([c.upper() if d >= "8" else c
                                  for c, d in zip(lower, digest, strict=True)])
    if len(_CHECKSUMMED) >= _CHECKSUMMED_MAX:
        _CHECKSUMMED.clear()
    _CHECKSUMMED[address] = checksummed
    return checksummed


_CHECKSUMMED: dict[str, str] = {}
"""Addresses already checksummed (a registry has few operators), forgotten past the bound."""
_CHECKSUMMED_MAX: Final = 4096


def is_checksum_address(address: str) -> bool:
    """Tell whether `address` is a 20-byte address in its exact EIP-55 form."""
    return bool(_ADDRESS.match(address)) and to_checksum_address(address) == address


def _require_str(name: str, value: object) -> None:
    if type(value) is not str:
        raise InvalidEntry(f"{name}: got {type(value).__name__}, want a string")


def _require_hash(name: str, value: object) -> None:
    if type(value) is not str or not _HASH.match(value):
        raise InvalidEntry(f"{name}: want 0x and 32 bytes of lowercase hex")
