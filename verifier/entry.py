"""The log entry (DESIGN section 2) and its record id.

The leaf data is the RFC 8785 bytes of the entry object, at most 64 KiB; the record id is the
lowercase hex of its RFC 9162 leaf hash, so a record id is its own proof anchor.
"""

from __future__ import annotations

import functools
import json
import re
from binascii import unhexlify
from dataclasses import dataclass
from typing import Any, Final, Literal, NewType

from verifier.address import Address, checksum_address, parse_address
from verifier.canonical_json import MAX_SAFE_INTEGER, parse_json
from verifier.encodings import decode_hex, encode_hex
from verifier.errors import MalformedAddress, MalformedEntry, MalformedHex
from verifier.rfc9162 import HASH_SIZE, LeafHash, leaf_hash

RecordId = NewType("RecordId", str)
"""64 lowercase hex digits: the leaf hash of an entry."""

ENTRY_VERSION: Final = 1
KINDS: Final = (
    "indicator", "permit", "report", "plan", "binding", "site", "route", "duct", "siteowner"
)
REGISTRAR_KINDS: Final = ("plan", "binding")
"""The kinds only the department files: plans, and the bindings of operators to certificates."""
Signers = Literal["operator", "registrar", "operator_or_registrar"]
"""Who may sign an entry, as the ledger admits it: an active operator, a holder of
REGISTRAR_ROLE (the department), or either."""
COMPILED_SCHEMAS: Final = frozenset({("indicator", "indicator/2"), ("report", "report/2")})
"""The kinds and schemas the department may file beside the operators (signed by a registrar):
its compiled figures and its yearly report."""
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

_PLAIN_STRING: Final = rb'[^"\\\x00-\x1f]+'
"""A non-empty string that RFC 8785 writes with no escape (section 3.2.2.2): no '"', '\\' or
control character U+0000..U+001F; its bytes must still be UTF-8. Strings with escapes are rare
in entries and left to `Entry.parse`."""
_H32: Final = rb"0x([0-9a-f]{64})"
_CANONICAL_ENTRY: Final = re.compile(
    rb'\{"attachments":"' + _H32 + rb'","content":"' + _H32 + rb'",'
    rb'"issued_at":(0|[1-9][0-9]{0,15}),"kind":"('
    + b"|".join(kind.encode("ascii") for kind in KINDS)
    + rb')",'
    rb'"operator":"(0x[0-9a-fA-F]{40})","schema":"(' + _PLAIN_STRING + rb')",'
    rb'"signature":(?:null|"0x([0-9a-f]{130})"),"subject":"(' + _PLAIN_STRING + rb')",'
    rb'"supersedes":(?:null|"' + _H32 + rb'"),"v":1\}\Z'
)
"""Leaf data that is an entry in RFC 8785 form: the members in code point order, each value in
the one spelling `Entry.parse` accepts (the operator's EIP-55 case and the integer range are
checked after matching)."""


@dataclass(frozen=True)
class Entry:
    """A parsed entry. `content` and `attachments` are SHA-256 commitments (section 2),
    `supersedes` the leaf hash of the corrected record, `signature` the 65-byte EIP-712 r||s||v,
    or None (JSON null) for a record signed with a CA certificate only: its signature is then a
    CMS among its attachments, over `verifier.signatures.cms_signed_bytes` (which name the
    operator).
    """

    kind: str
    schema: str
    subject: str
    operator: Address
    content: bytes
    attachments: bytes
    supersedes: LeafHash | None
    issued_at: int
    signature: bytes | None

    @staticmethod
    def parse(value: object) -> Entry:
        """Parse an entry object; every field is checked for type and spelling.

        Hashes are 0x and 64 lowercase hex digits, the operator an EIP-55 address, `issued_at`
        unix seconds up to 2^53 - 1, the signature 0x and 130 lowercase hex digits or null (a
        record signed with a CA certificate only), and no member may be missing or extra, so
        the object re-canonicalises to the very bytes that were hashed. Raises `MalformedEntry`.
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
            supersedes, signature = value["supersedes"], value["signature"]
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
                signature=None
                if signature is None
                else decode_hex(
                    signature, what="entry.signature", size=SIGNATURE_SIZE, prefixed=True
                ),
            )
        except (MalformedHex, MalformedAddress) as exc:
            raise MalformedEntry(str(exc)) from exc
        size = len(entry.leaf_data())
        if size > MAX_ENTRY_BYTES:
            raise MalformedEntry(f"entry is {size} bytes, limit {MAX_ENTRY_BYTES}")
        return entry

    @staticmethod
    def from_leaf_data(data: bytes) -> Entry:
        """Parse leaf data that must be an entry in RFC 8785 form (what the log hashes).

        Equivalent to `Entry.parse(parse_json(data))` followed by a check that `leaf_data()`
        is `data` again, but an entry in that form is read by one regular expression instead,
        without building its JSON value (an audit reads a million). Raises `MalformedJSON` or
        `MalformedEntry`.
        """
        entry = _canonical_entry(data)
        if entry is not None:
            return entry
        # Not the canonical form, or a value the expression leaves to `parse` (a string with an
        # escape or not UTF-8, a large integer, a case that fails EIP-55): say exactly what.
        entry = Entry.parse(parse_json(data, what="entry"))
        if entry.leaf_data() != data:
            raise MalformedEntry("entry is not in RFC 8785 form")
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
            "signature": None
            if self.signature is None
            else encode_hex(self.signature, prefixed=True),
        }

    @property
    def ca_signed_only(self) -> bool:
        """Whether the record is signed with a CA certificate only (no EIP-712 signature)."""
        return self.signature is None

    @property
    def signers(self) -> Signers:
        """Who may sign this entry (`signers_of`)."""
        return signers_of(self.kind, self.schema)

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
        # RFC 8785 of an entry is what `json.dumps` writes with sorted keys, no whitespace and
        # no ASCII escaping: the members are ASCII names (code point order is UTF-16 order), the
        # values strings (escaped by the very encoder `canonicalize` uses), null and integers
        # below 2^53. `canonicalize` does the same work member by member, ~4 times slower; the
        # two are held equal by tests/verifier/test_canonical_json.py.
        text = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedEntry("entry: a string holds a lone surrogate") from exc

    @functools.cached_property
    def _leaf_hash(self) -> LeafHash:
        return leaf_hash(self._leaf_data)


def signers_of(kind: str, schema: str) -> Signers:
    """Who may sign an entry of `kind` and `schema`: a plan or a binding only a holder of
    REGISTRAR_ROLE; an `indicator/2` figure an active operator (its own figure) or a registrar
    (the department's compiled figure); a `report/2` an active operator or a registrar (the
    department's yearly report); every other record (permits, sites, routes, ducts, the owners
    of rooftop sites, the retired `/1` schemas) an active operator only."""
    if kind in REGISTRAR_KINDS:
        return "registrar"
    if (kind, schema) in COMPILED_SCHEMAS:
        return "operator_or_registrar"
    return "operator"


def _canonical_entry(data: bytes) -> Entry | None:
    """The entry whose RFC 8785 form is `data`, or None when `data` does not match
    `_CANONICAL_ENTRY` or holds a value left to `Entry.parse`."""
    match = _CANONICAL_ENTRY.match(data)
    if match is None or len(data) > MAX_ENTRY_BYTES:
        return None
    (attachments, content, issued_at, kind, operator, schema, signature, subject, supersedes) = (
        match.groups()
    )
    number = int(issued_at)
    # The cached EIP-55 form: one string object per operator, however many entries it signed.
    address = checksum_address(unhexlify(operator[2:]))
    if number > MAX_SAFE_INTEGER or address != operator.decode("ascii"):
        return None
    try:
        schema_text, subject_text = schema.decode("utf-8"), subject.decode("utf-8")
    except UnicodeDecodeError:
        return None
    entry = Entry(
        kind=kind.decode("ascii"),
        schema=schema_text,
        subject=subject_text,
        operator=address,
        content=unhexlify(content),
        attachments=unhexlify(attachments),
        supersedes=None if supersedes is None else LeafHash(unhexlify(supersedes)),
        issued_at=number,
        signature=None if signature is None else unhexlify(signature),
    )
    entry.__dict__["_leaf_data"] = data  # the cached RFC 8785 bytes are the matched ones
    return entry


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
