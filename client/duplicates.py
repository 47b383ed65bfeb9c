"""Whether a record the ledger holds is the record a draft would be: what keeps a retry of a
draft whose record lists evidence safe.

A draft signed with EIP-712 alone signs to the same record every run, and the ledger answers
`duplicate` by itself. A draft whose record lists evidence does not: each run signs a new CMS
(`--cert-key`) and the ledger gathers the evidence of a CMS or of a PAdES-signed PDF anew, so
the attachment list, and with it the entry and its id, differ. `infraledger submit` therefore
looks first (`GET /v1/records?kind=&subject=&operator=`, then `GET /v1/records/{id}`): a record
of the same kind, schema, subject, operator, issued_at and supersedes, whose content commits to
the same body (and salt), and whose attachments less their evidence documents are the same
files (sha256, size, name, media type), is the draft's record already filed.

The salt of a restricted draft signed without a key is drawn at random each run: the content of
a record filed before is then compared with the salt its receipt kept, and without that receipt
no record matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from filings.signing import EVIDENCE_TYPE, AttachmentRef, content_commitment


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """The record a draft would be, its evidence documents aside."""

    kind: str
    schema: str
    subject: str
    operator: str
    """EIP-55, as the entry holds it."""
    issued_at: int
    supersedes: str | None
    """`0x` + 64 lowercase hex, as the entry holds it; None when it corrects no record."""
    body: bytes
    """The RFC 8785 bytes of the body (`filings.signing.canonical_body`)."""
    salt: bytes | None
    """The salt of a restricted record whose salt is known before signing (the draft's own, or
    derived from the key); None for a public record, or when `salt_drawn`."""
    salt_drawn: bool
    """A restricted record whose salt is drawn at random: compared with a receipt's salt."""
    attachments: tuple[AttachmentRef, ...]
    """The draft's files as they are uploaded."""


def same_entry(draft: DraftRecord, entry: Mapping[str, Any],
               kept_salt: bytes | None = None) -> bool:
    """Whether the log entry `entry` (as `GET /v1/records` shows it) is the entry of `draft`'s
    record, its attachment list aside (see `same_attachments`).

    `kept_salt` is the salt of the entry's receipt, used only when `draft.salt_drawn`: without
    it such a draft matches no entry."""
    if draft.salt_drawn:
        if kept_salt is None:
            return False
        salt: bytes | None = kept_salt
    else:
        salt = draft.salt
    content = "0x" + content_commitment(draft.body, salt).hex()
    return (entry.get("kind") == draft.kind and entry.get("schema") == draft.schema
            and entry.get("subject") == draft.subject and entry.get("operator") == draft.operator
            and entry.get("issued_at") == draft.issued_at
            and entry.get("supersedes") == draft.supersedes and entry.get("content") == content)


def same_attachments(draft: DraftRecord, listed: Sequence[Any]) -> bool:
    """Whether the attachment list `listed` (as `GET /v1/records/{id}` shows it), less its
    evidence documents, lists the same files as `draft`: sha256, size, name and media type."""
    files = []
    for item in listed:
        if not isinstance(item, Mapping):
            return False
        if item.get("type") != EVIDENCE_TYPE:
            files.append({name: item.get(name) for name in ("sha256", "size", "name", "type")})
    files.sort(key=lambda item: str(item["sha256"]))
    return files == [ref.to_json() for ref in sorted(draft.attachments, key=_sha256)]


def _sha256(ref: AttachmentRef) -> str:
    return ref.sha256
