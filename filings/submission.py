"""Operator submissions (DESIGN section 6): one parse, one check of each rule, one entry.

A submission is what an operator sends: the entry's signed fields, the body itself, the salt of a
restricted record and the attachment list. `prepare` is the one call that turns the raw JSON
of one submission into the entry to sequence, whether it runs in the server's process or in a
worker of its check pool:

1. the JSON text is parsed once, strictly, into a `Submission` (its body stays the decoded
   JSON value: the RFC 8785 bytes the content hash commits to are made from that value once);
2. the body is checked against its record kind (`filings.kinds`), from the same value;
3. the commitments are derived (`filings.signing`), the entry is built once, and the EIP-712
   signature is checked last, as the expensive step. A record signed with a CA certificate
   only carries none (`signature` null) and must list an evidence document: its CMS takes
   EIP-712's place, and admission checks it (`filings.bindings.ca_refusal`).

Each rule is checked in one place: field shapes by the `Submission` model, the rules of a kind
by its body, the operator's address (EIP-55 for mixed case) by `filings.signing`. `prepare`
checks only what needs no state; whether the operator is active, the superseded record exists
or the files are uploaded is `filings.admission`'s.

Limits: JCS nesting depth <= 16 and at most 48 KiB of body; at most 64 attachments, each
`{"sha256": 64 lowercase hex (no 0x), "size": bytes, "name": 1-255 characters without control
characters or path separators, "type": lowercase `type/subtype` (RFC 6838 names, a registered
top-level type, no parameters)}`, listed in any order (the list is sorted by sha256 before it is
committed, so clients must hash the sorted list), each of a type of `filings.media.ACCEPTED`
or an evidence document of a CA signature (`filings.signing.EVIDENCE_TYPE`, which a kind's
attachment policy does not count);
`supersedes` a record id, `0x` optional; `issued_at` a unix time from 2000-01-01 on (how far
ahead of the server's clock it may be is admission's rule).

Duplicate members. No JSON object of a submission may name a member twice (`DuplicateMember`):
the signer's parser and ours could keep different ones. The check costs a few microseconds: in
valid JSON every member has exactly one colon outside strings, so the text's colons, less the
colons of the decoded strings (a colon escaped as `\\u003a` counted back), must be the number of
decoded members; a text that fails this cheap count is parsed again member by member to decide.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from filings.bindings import BINDING_KIND, bilingual, evidence_documents, signed_files
from filings.errors import (
    DuplicateMember,
    InvalidSubmission,
    NoRecordSignature,
    OperatorMismatch,
)
from filings.kinds import FigureClaim, IndicatorBody, record_kind
from filings.media import require_accepted
from filings.plans import PLAN_KIND
from filings.schema import NO_CONTROLS, RecordContext, validation_error
from filings.signing import (
    ATTACHMENT_NAME_PATTERN,
    EVIDENCE_TYPE,
    MAX_ATTACHMENT_NAME_CHARS,
    MEDIA_TYPE_PATTERN,
    AttachmentRef,
    SubmissionDomain,
    SubmissionMessage,
    attachment_list,
    attachments_commitment,
    canonical_body,
    checksum_address,
    content_commitment,
    recover_address,
    sorted_attachments,
    supersedes_bytes,
)
from ledger.canonical import MAX_SAFE_INTEGER
from ledger.entry import (
    MAX_SUBJECT_CHARS,
    Entry,
    NewestOfSubject,
    RecordId,
    record_id,
    to_checksum_address,
)
from ledger.errors import LedgerError
from ledger.merkle import LeafHash, leaf_hash

MAX_ATTACHMENTS: Final = 64
REGISTRAR_KINDS: Final = frozenset({PLAN_KIND, BINDING_KIND})
"""Kinds only a holder of REGISTRAR_ROLE files (`filings.admission`): plans and operator-certificate
bindings. They never replace EIP-712 by a CMS: the CA signatures of other records are checked
against them (a binding's CMS would rest on a binding)."""
ISSUED_AT_FLOOR: Final = 946_684_800
"""2000-01-01T00:00:00Z: no record is signed earlier."""

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)
Hash32 = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$")]


class Attachment(BaseModel):
    """A file of a record, committed by hash; the file itself goes to the blob store."""

    model_config = _STRICT

    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    size: Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER)]
    name: Annotated[
        str,
        StringConstraints(
            min_length=1, max_length=MAX_ATTACHMENT_NAME_CHARS, pattern=ATTACHMENT_NAME_PATTERN
        ),
    ]
    type: Annotated[str, StringConstraints(max_length=255, pattern=MEDIA_TYPE_PATTERN)]

    def ref(self) -> AttachmentRef:
        return AttachmentRef(self.sha256, self.size, self.name, self.type)


class Submission(BaseModel):
    """What an operator sends for one record (DESIGN section 6): shapes and limits only.

    Strict: no string-to-number coercion, no unknown members.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, validate_by_name=True, validate_by_alias=True,
        serialize_by_alias=True,
    )

    kind: Annotated[str, StringConstraints(pattern=r"^[a-z]{1,32}$")]
    schema_name: Annotated[
        str, StringConstraints(pattern=r"^[a-z]{1,32}/[1-9][0-9]{0,3}$"), Field(alias="schema")
    ]
    subject: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_SUBJECT_CHARS, pattern=NO_CONTROLS)
    ]
    operator: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
    body: dict[str, Any]
    salt: Hash32 | None = None
    attachments: Annotated[list[Attachment], Field(max_length=MAX_ATTACHMENTS)] = []
    supersedes: Annotated[str, StringConstraints(pattern=r"^(0x)?[0-9a-f]{64}$")] | None = None
    issued_at: Annotated[int, Field(ge=ISSUED_AT_FLOOR, le=MAX_SAFE_INTEGER)]
    signature: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{130}$")] | None
    """The EIP-712 signature; null for a record signed with a CA certificate only, whose CMS
    admission then requires (`filings.bindings.ca_refusal`). The member is never omitted."""


@dataclass(frozen=True, slots=True)
class PreparedSubmission:
    """A submission that passed every stateless check: the entry to sequence and what is
    stored beside it."""

    entry: Entry
    leaf_data: bytes
    leaf_hash: LeafHash
    body_bytes: bytes
    """The RFC 8785 bytes of the body, exactly what `content` commits to (after the salt)."""
    salt: bytes | None
    attachments: tuple[AttachmentRef, ...]
    """Sorted by sha256, as committed."""
    attachment_list: bytes | None
    """The RFC 8785 bytes of the sorted attachment list, which `attachments` commits to."""
    figure: FigureClaim | None = None
    """What an `indicator/2` figure claims, for admission to judge against the plans."""
    evidence: tuple[bytes, ...] = ()
    """The blobs its evidence documents name (the CMS, each evidence item), once admission
    accepted its CA signatures: stored as listed beside its attachments, so the evidence of a
    public record is served to anyone (`api.routes.attachments`)."""
    judged_by: NewestOfSubject | None = None
    """The newest binding of its operator when its CA signatures were judged, once admission
    accepted them: the record is sequenced only if that binding is still the newest
    (`ledger.storage.store.PendingEntry.unchanged`)."""

    @property
    def record_id(self) -> RecordId:
        return record_id(self.leaf_hash)

    @property
    def restricted(self) -> bool:
        return self.salt is not None

    @property
    def attachment_digests(self) -> tuple[bytes, ...]:
        return tuple(bytes.fromhex(item.sha256) for item in self.attachments)


def parse_submission(data: bytes | str | Mapping[str, Any]) -> Submission:
    """Validate one submission from JSON text (parsed here, once) or an already decoded
    object; raises `InvalidSubmission`, or `DuplicateMember` (module doc)."""
    try:
        if isinstance(data, bytes | str):
            submission = Submission.model_validate_json(data)
            _refuse_duplicates(data, submission)
            return submission
        return Submission.model_validate(data)
    except ValidationError as exc:
        raise validation_error(InvalidSubmission, exc) from exc


def _refuse_duplicates(text: bytes | str, submission: Submission) -> None:
    """Raise `DuplicateMember` if an object of the JSON `text` (which parsed as `submission`)
    names a member twice (the count of the module doc, then a member-by-member parse)."""
    raw = text if isinstance(text, bytes) else text.encode()
    members = len(submission.model_fields_set)
    colons = submission.subject.count(":")
    for item in submission.attachments:
        members += len(item.model_fields_set)
        colons += item.name.count(":")
    body_members, body_colons = _tally(submission.body)
    escaped = raw.count(b"\\u003a") + raw.count(b"\\u003A")
    if raw.count(b":") - (colons + body_colons) + escaped == members + body_members:
        return
    try:
        json.loads(raw, object_pairs_hook=_unique_members)
    except ValueError as exc:
        raise DuplicateMember(str(exc)) from None


def _tally(value: Any) -> tuple[int, int]:
    """(members of every object, colons of every string) in a decoded JSON value.

    Strings and numbers inside a container are counted in its own loop, without a call each:
    a body is mostly flat.
    """
    if isinstance(value, str):
        return 0, value.count(":")
    members = colons = 0
    if isinstance(value, dict):
        members = len(value)
        for key in value:
            colons += key.count(":")
        items: Any = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return 0, 0
    for item in items:
        if isinstance(item, str):
            colons += item.count(":")
        elif isinstance(item, dict | list):
            inner_members, inner_colons = _tally(item)
            members += inner_members
            colons += inner_colons
    return members, colons


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table = dict(pairs)
    if len(table) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"member {key[:40]!r} is named twice in one object")
            seen.add(key)
    return table


def prepare(data: bytes | str | Mapping[str, Any], domain: SubmissionDomain) -> PreparedSubmission:
    """Parse one submission and run every stateless check (see the module doc).

    Raises `InvalidSubmission` (and its subclasses `BodyTooLarge`, `UnknownSchema`,
    `SchemaViolation`, `SubjectMismatch`, `UnknownArea`, `AreaNotValid`, `DuplicateMember`,
    `MediaTypeNotAccepted`, ...), `IssuedAtRefused` subclasses, `BadSignature`,
    `OperatorMismatch` when the signature recovers another address than `operator`, or
    `NoRecordSignature` for a record without one that lists no evidence document (whether that
    is a valid CMS is admission's: `filings.bindings.ca_refusal`).
    """
    return build_entry(parse_submission(data), domain)


def build_entry(submission: Submission, domain: SubmissionDomain) -> PreparedSubmission:
    """The checks of `prepare` after the parse: kind, commitments, entry, signature."""
    spec = record_kind(submission.kind, submission.schema_name)
    operator = checksum_address(submission.operator)
    salt = None if submission.salt is None else bytes.fromhex(submission.salt[2:])
    attachments = sorted_attachments(item.ref() for item in submission.attachments)
    for position, item in enumerate(attachments):
        if item.type != EVIDENCE_TYPE:
            require_accepted(item.type, f"attachments.{position}.type")
    body_bytes = canonical_body(submission.body)
    checked = spec.validate(submission.body, RecordContext(
        subject=submission.subject,
        operator=operator,
        restricted=salt is not None,
        attachment_count=len(signed_files(attachments)),
        issued_at=submission.issued_at,
    ))
    listed = attachment_list(attachments)
    message = SubmissionMessage(
        kind=submission.kind,
        schema=submission.schema_name,
        subject=submission.subject,
        content=content_commitment(body_bytes, salt),
        attachments=attachments_commitment(listed),
        supersedes=supersedes_bytes(submission.supersedes),
        issued_at=submission.issued_at,
    )
    entry = Entry(
        kind=message.kind,
        schema=message.schema,
        subject=message.subject,
        operator=operator,
        content="0x" + message.content.hex(),
        attachments="0x" + message.attachments.hex(),
        supersedes=None if message.supersedes is None else "0x" + message.supersedes.hex(),
        issued_at=message.issued_at,
        signature=submission.signature,
    )
    try:
        leaf_data = entry.leaf_data()
    except LedgerError as exc:
        raise InvalidSubmission(f"entry: {exc}") from exc
    if submission.signature is None:
        if submission.kind in REGISTRAR_KINDS:
            raise bilingual(NoRecordSignature(
                f"a {submission.kind} record carries the registrar's EIP-712 signature: it is "
                "what CA signatures are checked against, so it must be checkable from its proof "
                "bundle and the chain alone"))
        if not evidence_documents(attachments):
            raise bilingual(NoRecordSignature(
                "a record without an EIP-712 signature must carry a CMS signature over its "
                "fields: list the CMS's evidence document (POST /v1/signatures/evidence)"))
    elif (signer := recover_address(domain.digest(message), submission.signature)
          ) != bytes.fromhex(operator[2:]):
        raise OperatorMismatch(
            "the signature recovers another address than operator: check that you signed the "
            "content and attachments hashes given in details, in this domain",
            details={
                "recovered": to_checksum_address("0x" + signer.hex()),
                "operator": operator,
                "content": entry.content,
                "attachments": entry.attachments,
                "chain_id": domain.chain_id,
                "verifying_contract": domain.verifying_contract,
            },
        )
    return PreparedSubmission(
        entry=entry,
        leaf_data=leaf_data,
        leaf_hash=leaf_hash(leaf_data),
        body_bytes=body_bytes,
        salt=salt,
        attachments=attachments,
        attachment_list=listed,
        figure=checked.claim() if isinstance(checked, IndicatorBody) else None,
    )
