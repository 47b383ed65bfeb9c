"""The hash commitments an entry makes to its body and its files (DESIGN section 2).

- content = SHA-256(JCS(body)) for a public body, SHA-256(salt || JCS(body)) with a 32-byte
  random salt for a restricted one (so a guessable value cannot be found from its hash);
- attachments = SHA-256(JCS(list of {"sha256", "size", "name", "type"} sorted by sha256)); a
  file matches an attachment when its SHA-256 and its size both match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from verifier.canonical_json import MAX_SAFE_INTEGER, canonicalize
from verifier.encodings import decode_hex
from verifier.errors import CommitmentMismatch, MalformedInput
from verifier.messages import text

SALT_SIZE: Final = 32
ATTACHMENT_FIELDS: Final = frozenset({"sha256", "size", "name", "type"})


def content_commitment(canonical_body: bytes, salt: bytes | None) -> bytes:
    """Return the content commitment SHA-256([salt ||] JCS(body)) of a body's RFC 8785 bytes.

    Raises `MalformedInput` for a salt that is not 32 bytes.
    """
    if salt is not None and len(salt) != SALT_SIZE:
        raise MalformedInput(f"salt is {len(salt)} bytes, want {SALT_SIZE}")
    return hashlib.sha256((salt or b"") + canonical_body).digest()


def verify_body(canonical_body: bytes, salt: bytes | None, content: bytes) -> None:
    """Check that a body's RFC 8785 bytes (with `salt` when restricted) hash to `content`.

    Raises `CommitmentMismatch` with both hashes.
    """
    computed = content_commitment(canonical_body, salt)
    if computed != content:
        hashes = {"computed": "0x" + computed.hex(), "content": "0x" + content.hex()}
        if salt is not None:
            raise CommitmentMismatch(text("commitment.salted_body", **hashes))
        raise CommitmentMismatch(text("commitment.body", **hashes))


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached file: its SHA-256, size in bytes, file name and media type."""

    sha256: bytes
    size: int
    name: str
    type: str

    @staticmethod
    def parse(value: object, *, what: str) -> Attachment:
        """Parse `{"sha256": 64 lowercase hex, "size": int, "name": str, "type": str}`.

        Raises `MalformedInput` (or its `MalformedHex`), naming `what`.
        """
        if not isinstance(value, dict) or set(value) != ATTACHMENT_FIELDS:
            raise MalformedInput(f"{what}: want an object with members {sorted(ATTACHMENT_FIELDS)}")
        size = value["size"]
        if type(size) is not int or not 0 <= size <= MAX_SAFE_INTEGER:
            raise MalformedInput(f"{what}.size: got {size!r}, want a byte count")
        for member in ("name", "type"):
            if not isinstance(value[member], str):
                raise MalformedInput(f"{what}.{member}: want a string")
        digest = decode_hex(value["sha256"], what=f"{what}.sha256", size=32, prefixed=False)
        return Attachment(sha256=digest, size=size, name=value["name"], type=value["type"])

    def to_json(self) -> dict[str, Any]:
        """Return the attachment object as it is hashed."""
        return {
            "sha256": self.sha256.hex(),
            "size": self.size,
            "name": self.name,
            "type": self.type,
        }


def parse_attachment_list(value: object, *, what: str) -> tuple[Attachment, ...]:
    """Parse a JSON list of attachment objects; raises `MalformedInput`."""
    if not isinstance(value, list):
        raise MalformedInput(f"{what}: got {type(value).__name__}, want a list")
    return tuple(Attachment.parse(item, what=f"{what}[{i}]") for i, item in enumerate(value))


def attachment_list_hash(attachments: Sequence[Attachment]) -> bytes:
    """Return SHA-256(JCS(list)) of the attachment list, in the order given."""
    return hashlib.sha256(canonicalize([a.to_json() for a in attachments])).digest()


def verify_attachments(attachments: Sequence[Attachment], expected: bytes) -> None:
    """Check that the list is sorted by sha256 and hashes to the entry's `attachments`.

    Raises `CommitmentMismatch`.
    """
    for position in range(1, len(attachments)):
        if attachments[position].sha256 < attachments[position - 1].sha256:
            raise CommitmentMismatch(text("commitment.attachment_order", position=position))
    computed = attachment_list_hash(attachments)
    if computed != expected:
        raise CommitmentMismatch(
            text(
                "commitment.attachments",
                computed="0x" + computed.hex(),
                attachments="0x" + expected.hex(),
            )
        )


def match_document(
    name: str, sha256: bytes, size: int, attachments: Sequence[Attachment]
) -> Attachment:
    """Return the attachment whose SHA-256 and size are the document's.

    `name` only labels the document in the error. Raises `CommitmentMismatch` when none matches.
    """
    for attachment in attachments:
        if attachment.sha256 == sha256 and attachment.size == size:
            return attachment
    raise CommitmentMismatch(text("commitment.document", name=name, sha256=sha256.hex(), size=size))
