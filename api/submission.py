"""Operator submissions (DESIGN section 6) and their EIP-712 signatures (DESIGN section 2).

A submission is what an operator sends: the entry's signed fields, the body itself, the salt of a
restricted record and the attachment list. `build_entry` derives the commitments the operator
signed, rebuilds and validates the `Entry`, checks the body against its record kind
(`api.kinds`) and checks that the EIP-712 signature recovers the submission's `operator`.

EIP-712 (https://eips.ethereum.org/EIPS/eip-712), hashed by hand on the fast path:

    domain  = EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
              {name: "InfraLedger", version: "1", chainId, verifyingContract: OperatorRegistry}
    message = Submission(string kind,string schema,string subject,bytes32 content,
                         bytes32 attachments,bytes32 supersedes,uint64 issuedAt)
    digest  = keccak256(0x19 0x01 || domainSeparator || hashStruct(message))

`string` members are hashed as keccak256 of their UTF-8 bytes; `supersedes` is 32 zero bytes
when the record supersedes nothing. `tests/api/test_eip712_equivalence.py` proves the digest and
the recovery identical to eth-account's and to ethers' `signTypedData`.

Decisions:
- Signatures are 65 bytes `r || s || v` as `0x` + 130 lowercase hex, with v in {27, 28} (what
  eth-account, ethers and wallets produce) and a low s (s <= n/2, as EIP-2 requires of
  transactions). v = 0/1 and high-s forms are refused, not normalised: the signature is part of
  the leaf, so each signed submission must have exactly one accepted encoding, or one
  submission could be logged as several records.
- The operator may be sent all-lowercase, all-uppercase or in EIP-55 form; mixed case must be a
  correct EIP-55 checksum (it catches typos). The entry stores the EIP-55 form.
- Bodies: content = SHA-256(JCS(body)) when public, SHA-256(salt || JCS(body)) when restricted
  (a `salt` of 32 bytes is present). JCS nesting depth <= 16, at most 48 KiB.
- Attachments (at most 64): `{"sha256": 64 lowercase hex (no 0x, as `sha256sum` prints),
  "size": bytes, "name": 1-255 characters without control characters or path separators,
  "type": lowercase `type/subtype` (RFC 6838 names, a registered top-level type, no
  parameters)}`. The list may come in any order: it is sorted by sha256 and committed as
  SHA-256(JCS(sorted list)), so clients must hash the sorted list; a sha256 listed twice is
  refused (two names for one file is a mistake, and would make the order ambiguous).
- `supersedes` is a record id: 64 lowercase hex, `0x` optional; the entry stores it `0x`-prefixed.
- keccak-256 comes from pysha3's C implementation (eth-hash's `pysha3` backend, about 1 us a
  call), not eth-hash's automatic choice, pycryptodome through cffi (about 6 us): ingest hashes
  four times a record.
- `build_entry` checks only what needs no state: whether the operator is active, the superseded
  record exists, or `issued_at` is near the server's clock is for the caller to decide.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, Final

from coincurve import PrivateKey, PublicKey
from eth_hash.backends.pysha3 import keccak256 as keccak
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from api.errors import (
    BadSignature,
    BodyTooLarge,
    InvalidDomain,
    InvalidSubmission,
    OperatorMismatch,
)
from api.kinds import NO_CONTROLS, KindBody, RecordContext, record_kind
from ledger.canonical import MAX_SAFE_INTEGER, canonical_json
from ledger.entry import (
    MAX_SUBJECT_CHARS,
    Entry,
    RecordId,
    parse_record_id,
    record_id,
    to_checksum_address,
)
from ledger.errors import LedgerError
from ledger.merkle import LeafHash, leaf_hash

DOMAIN_NAME: Final = "InfraLedger"
DOMAIN_VERSION: Final = "1"
DOMAIN_TYPE: Final = (
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
SUBMISSION_TYPE: Final = (
    "Submission(string kind,string schema,string subject,bytes32 content,bytes32 attachments,"
    "bytes32 supersedes,uint64 issuedAt)"
)
DOMAIN_FIELDS: Final = (
    ("name", "string"), ("version", "string"), ("chainId", "uint256"),
    ("verifyingContract", "address"),
)
SUBMISSION_FIELDS: Final = (
    ("kind", "string"), ("schema", "string"), ("subject", "string"), ("content", "bytes32"),
    ("attachments", "bytes32"), ("supersedes", "bytes32"), ("issuedAt", "uint64"),
)
DOMAIN_TYPEHASH: Final = keccak(DOMAIN_TYPE.encode("ascii"))
SUBMISSION_TYPEHASH: Final = keccak(SUBMISSION_TYPE.encode("ascii"))

SECP256K1_N: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP256K1_HALF_N: Final = SECP256K1_N // 2
SIGNATURE_BYTES: Final = 65
MAX_UINT64: Final = 2**64 - 1
MAX_UINT256: Final = 2**256 - 1

MAX_BODY_BYTES: Final = 48 * 1024
MAX_BODY_DEPTH: Final = 16
MAX_ATTACHMENTS: Final = 64
MAX_ATTACHMENT_NAME_CHARS: Final = 255
MEDIA_TYPE_PATTERN: Final = (
    r"^(application|audio|font|haptics|image|message|model|multipart|text|video)"
    r"/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$"
)

NO_ATTACHMENTS: Final = hashlib.sha256(b"[]").digest()
"""The commitment of an empty attachment list: SHA-256 of the JCS bytes `[]`."""
_ZERO32: Final = bytes(32)
_EIP191_PREFIX: Final = b"\x19\x01"


# --- EIP-712 -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmissionMessage:
    """The signed members of a submission, as EIP-712 sees them.

    `content`, `attachments` and `supersedes` are 32 raw bytes (`supersedes` None when absent);
    strings must be valid Unicode. Raises `InvalidSubmission` otherwise.
    """

    kind: str
    schema: str
    subject: str
    content: bytes
    attachments: bytes
    supersedes: bytes | None
    issued_at: int

    def __post_init__(self) -> None:
        hashes = {"content": self.content, "attachments": self.attachments}
        if self.supersedes is not None:
            hashes["supersedes"] = self.supersedes
        for name, value in hashes.items():
            if type(value) is not bytes or len(value) != 32:
                raise InvalidSubmission(f"{name}: want 32 bytes")
        if type(self.issued_at) is not int or not 0 <= self.issued_at <= MAX_UINT64:
            raise InvalidSubmission(f"issued_at: got {self.issued_at!r}, want a uint64")

    def struct_hash(self) -> bytes:
        """hashStruct(message) of EIP-712: keccak256(typeHash || encodeData(message))."""
        try:
            strings = (_keccak_name(self.kind), _keccak_name(self.schema),
                       keccak(self.subject.encode()))
        except UnicodeEncodeError as exc:
            raise InvalidSubmission("kind, schema and subject must be valid Unicode") from exc
        return keccak(b"".join((
            SUBMISSION_TYPEHASH, *strings, self.content, self.attachments,
            self.supersedes or _ZERO32, self.issued_at.to_bytes(32, "big"),
        )))

    def to_eip712(self) -> dict[str, Any]:
        """The message as EIP-712 JSON (bytes32 as 0x-hex), for wallets and other libraries."""
        return {
            "kind": self.kind,
            "schema": self.schema,
            "subject": self.subject,
            "content": "0x" + self.content.hex(),
            "attachments": "0x" + self.attachments.hex(),
            "supersedes": "0x" + (self.supersedes or _ZERO32).hex(),
            "issuedAt": self.issued_at,
        }


@dataclass(frozen=True, slots=True)
class SubmissionDomain:
    """The EIP-712 domain of one deployment: anchor chain id and OperatorRegistry address.

    The domain separator is computed once, here. Raises `InvalidDomain` on a chain id outside
    1..2^256-1 or an address that is not 20 bytes of hex (mixed case must be EIP-55).
    """

    chain_id: int
    verifying_contract: str
    separator: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if type(self.chain_id) is not int or not 0 < self.chain_id <= MAX_UINT256:
            raise InvalidDomain(f"chain id: got {self.chain_id!r}, want 1..2^256-1")
        try:
            contract = checksum_address(self.verifying_contract)
        except InvalidSubmission as exc:
            raise InvalidDomain(f"verifying contract: {exc.message}") from exc
        object.__setattr__(self, "verifying_contract", contract)
        object.__setattr__(self, "separator", keccak(b"".join((
            DOMAIN_TYPEHASH,
            keccak(DOMAIN_NAME.encode()),
            keccak(DOMAIN_VERSION.encode()),
            self.chain_id.to_bytes(32, "big"),
            bytes(12) + bytes.fromhex(contract[2:]),
        ))))

    def digest(self, message: SubmissionMessage) -> bytes:
        """The 32-byte EIP-712 digest that is signed: keccak256(0x1901 || separator || struct)."""
        return keccak(_EIP191_PREFIX + self.separator + message.struct_hash())

    def typed_data(self, message: SubmissionMessage) -> dict[str, Any]:
        """The full EIP-712 typed-data JSON (`eth_signTypedData_v4`) of `message`."""
        return {
            "types": {
                "EIP712Domain": [{"name": n, "type": t} for n, t in DOMAIN_FIELDS],
                "Submission": [{"name": n, "type": t} for n, t in SUBMISSION_FIELDS],
            },
            "primaryType": "Submission",
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": self.verifying_contract,
            },
            "message": message.to_eip712(),
        }


def recover_signer(domain: SubmissionDomain, message: SubmissionMessage, signature: str) -> str:
    """Return the EIP-55 address whose key made `signature` over `message` in `domain`.

    `signature` is `0x` + 130 hex digits (r || s || v). Raises `BadSignature` when it is
    malformed, v is not 27 or 28, r or s is out of range, s is high, or no key recovers.
    """
    return to_checksum_address("0x" + _recover(domain, message, signature).hex())


def sign_submission(
    private_key: bytes, domain: SubmissionDomain, message: SubmissionMessage
) -> str:
    """Sign `message` with a 32-byte secp256k1 key: `0x` + 130 hex, low s, v in {27, 28}.

    Raises coincurve's `ValueError` for a key that is not in 1..n-1.
    """
    signature = PrivateKey(private_key).sign_recoverable(domain.digest(message), hasher=None)
    return "0x" + signature[:64].hex() + format(signature[64] + 27, "02x")


def signer_address(private_key: bytes) -> str:
    """The EIP-55 address of a 32-byte secp256k1 private key."""
    public = PrivateKey(private_key).public_key.format(compressed=False)
    return to_checksum_address("0x" + keccak(public[1:])[-20:].hex())


def checksum_address(address: str) -> str:
    """Return the EIP-55 form of an address sent in lower case, upper case or EIP-55 form.

    Raises `InvalidSubmission` on anything but `0x` + 40 hex, or mixed case with a bad checksum.
    """
    try:
        checksummed = to_checksum_address(address)
    except LedgerError as exc:
        raise InvalidSubmission(str(exc)) from exc
    digits = address[2:]
    if address != checksummed and digits not in (digits.lower(), digits.upper()):
        raise InvalidSubmission(f"address {address!r} has a bad EIP-55 checksum")
    return checksummed


@lru_cache(maxsize=64)
def _keccak_name(text: str) -> bytes:
    """keccak256 of a kind or schema name: a handful of values, so each is hashed once."""
    return keccak(text.encode())


def _recover(domain: SubmissionDomain, message: SubmissionMessage, signature: str) -> bytes:
    """Recover the signer's 20-byte address (see `recover_signer`)."""
    if len(signature) != 2 + 2 * SIGNATURE_BYTES or not signature.startswith("0x"):
        raise BadSignature("signature: want 0x and 65 bytes (130 lowercase hex characters)")
    try:
        raw = bytes.fromhex(signature[2:])
    except ValueError:
        raise BadSignature("signature: not hexadecimal") from None
    if len(raw) != SIGNATURE_BYTES:  # fromhex skips spaces
        raise BadSignature("signature: not hexadecimal")
    v = raw[64]
    if v not in (27, 28):
        raise BadSignature(f"signature: v is {v}, want 27 or 28")
    r = int.from_bytes(raw[:32], "big")
    s = int.from_bytes(raw[32:64], "big")
    if not 0 < r < SECP256K1_N:
        raise BadSignature("signature: r is out of range")
    if not 0 < s <= SECP256K1_HALF_N:
        raise BadSignature("signature: s is zero or high (s > n/2); use the low-s form n - s")
    try:
        public = PublicKey.from_signature_and_message(
            raw[:64] + bytes((v - 27,)), domain.digest(message), hasher=None
        )
    except ValueError:
        raise BadSignature("signature: no public key recovers from it") from None
    return keccak(public.format(compressed=False)[1:])[-20:]


# --- The submission model ------------------------------------------------------------------------

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
            min_length=1, max_length=MAX_ATTACHMENT_NAME_CHARS, pattern=r"^[^\x00-\x1f\x7f/\\]+$"
        ),
    ]
    type: Annotated[str, StringConstraints(max_length=255, pattern=MEDIA_TYPE_PATTERN)]

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "name": self.name, "type": self.type}


class Submission(BaseModel):
    """What an operator sends for one record (DESIGN section 6).

    Shape and limits only; `build_entry` does the rest. Validate raw JSON with
    `Submission.model_validate_json` or a `TypeAdapter` (strict: no string-to-number coercion).
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
    issued_at: Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER)]
    signature: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{130}$")]


@dataclass(frozen=True, slots=True)
class PreparedSubmission:
    """A verified submission: the entry to sequence and what is stored beside it."""

    entry: Entry
    leaf_data: bytes
    leaf_hash: LeafHash
    record_id: RecordId
    body: KindBody
    """The body, parsed and checked against its record kind."""
    body_bytes: bytes
    """The RFC 8785 bytes of the body, exactly what `content` commits to (after the salt)."""
    salt: bytes | None
    attachments: tuple[Attachment, ...]
    """Sorted by sha256, as committed."""

    @property
    def restricted(self) -> bool:
        return self.salt is not None

    @property
    def attachment_digests(self) -> tuple[bytes, ...]:
        return tuple(bytes.fromhex(item.sha256) for item in self.attachments)


def parse_submission(data: bytes | str | Mapping[str, Any]) -> Submission:
    """Validate one submission from JSON text or a decoded object; raises `InvalidSubmission`."""
    try:
        if isinstance(data, bytes | str):
            return Submission.model_validate_json(data)
        return Submission.model_validate(data)
    except ValidationError as exc:
        raise InvalidSubmission.from_validation_error(exc) from exc


def canonical_body(body: Mapping[str, Any]) -> bytes:
    """The RFC 8785 bytes of a body; raises `InvalidSubmission` or `BodyTooLarge`."""
    try:
        data = canonical_json(body, max_depth=MAX_BODY_DEPTH)
    except LedgerError as exc:
        raise InvalidSubmission(f"body: {exc}") from exc
    if len(data) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"body: {len(data)} bytes in canonical form, limit {MAX_BODY_BYTES}")
    return data


def content_commitment(body_json: bytes, salt: bytes | None) -> bytes:
    """content = SHA-256(JCS(body)), or SHA-256(salt || JCS(body)) for a restricted record."""
    return hashlib.sha256(body_json if salt is None else salt + body_json).digest()


def sorted_attachments(attachments: Iterable[Attachment]) -> tuple[Attachment, ...]:
    """Sort by sha256; raises `InvalidSubmission` when a sha256 is listed twice."""
    ordered = tuple(sorted(attachments, key=lambda item: item.sha256))
    for before, after in itertools.pairwise(ordered):
        if before.sha256 == after.sha256:
            raise InvalidSubmission(f"attachments: sha256 {after.sha256} is listed twice")
    return ordered


def attachments_commitment(attachments: Sequence[Attachment]) -> bytes:
    """SHA-256(JCS(list)) of an attachment list already sorted by `sorted_attachments`."""
    if not attachments:
        return NO_ATTACHMENTS
    return hashlib.sha256(canonical_json([item.to_json() for item in attachments])).digest()


def submission_message(
    *,
    kind: str,
    schema: str,
    subject: str,
    body: Mapping[str, Any],
    salt: bytes | None = None,
    attachments: Iterable[Attachment] = (),
    supersedes: str | None = None,
    issued_at: int,
) -> SubmissionMessage:
    """The EIP-712 message an operator signs for a record: hashes the body and attachments.

    This is the client side of `build_entry` (the CLI and tests sign its result).
    """
    return SubmissionMessage(
        kind=kind,
        schema=schema,
        subject=subject,
        content=content_commitment(canonical_body(body), salt),
        attachments=attachments_commitment(sorted_attachments(attachments)),
        supersedes=_supersedes_bytes(supersedes),
        issued_at=issued_at,
    )


def build_entry(submission: Submission, domain: SubmissionDomain) -> PreparedSubmission:
    """Derive the commitments, rebuild and validate the entry, and check the signature.

    Raises `InvalidSubmission` (and its subclasses `BodyTooLarge`, `UnknownSchema`,
    `SchemaViolation`, `SubjectMismatch`, `UnknownIndicator`, `UnknownArea`), `BadSignature`,
    or `OperatorMismatch` when the signature recovers another address than `operator`. The
    signature is checked last: it is the expensive step.
    """
    spec = record_kind(submission.kind, submission.schema_name)
    body_json = canonical_body(submission.body)
    salt = None if submission.salt is None else bytes.fromhex(submission.salt[2:])
    attachments = sorted_attachments(submission.attachments)
    message = SubmissionMessage(
        kind=submission.kind,
        schema=submission.schema_name,
        subject=submission.subject,
        content=content_commitment(body_json, salt),
        attachments=attachments_commitment(attachments),
        supersedes=_supersedes_bytes(submission.supersedes),
        issued_at=submission.issued_at,
    )
    entry = Entry(
        kind=message.kind,
        schema=message.schema,
        subject=message.subject,
        operator=_entry_operator(submission.operator),
        content="0x" + message.content.hex(),
        attachments="0x" + message.attachments.hex(),
        supersedes=None if message.supersedes is None else "0x" + message.supersedes.hex(),
        issued_at=message.issued_at,
        signature=submission.signature,
    )
    try:
        entry.validate()  # also checks the operator's EIP-55 checksum
        leaf_data = entry.leaf_data()
    except LedgerError as exc:
        raise InvalidSubmission(f"entry: {exc}") from exc
    operator = entry.operator
    body = spec.validate(body_json, RecordContext(
        subject=entry.subject,
        operator=operator,
        restricted=salt is not None,
        attachment_count=len(attachments),
    ))
    signer = _recover(domain, message, submission.signature)
    if signer != bytes.fromhex(operator[2:]):
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
    leaf = leaf_hash(leaf_data)
    return PreparedSubmission(
        entry=entry,
        leaf_data=leaf_data,
        leaf_hash=leaf,
        record_id=record_id(leaf),
        body=body,
        body_bytes=body_json,
        salt=salt,
        attachments=attachments,
    )


def _entry_operator(address: str) -> str:
    """EIP-55 form of a one-case address; a mixed-case one is left for `Entry.validate`."""
    digits = address[2:]
    if digits in (digits.lower(), digits.upper()):
        return to_checksum_address(address)
    return address


def _supersedes_bytes(supersedes: str | None) -> bytes | None:
    if supersedes is None:
        return None
    try:
        return parse_record_id(supersedes)
    except LedgerError as exc:
        raise InvalidSubmission(f"supersedes: {exc}") from exc
