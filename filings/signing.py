"""What an operator signs: the EIP-712 submission signature and the EIP-191 upload signature.

EIP-712 (https://eips.ethereum.org/EIPS/eip-712, DESIGN section 2), hashed by hand:

    domain  = EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
              {name: "InfraLedger", version: "1", chainId, verifyingContract: OperatorRegistry}
    message = Submission(string kind,string schema,string subject,bytes32 content,
                         bytes32 attachments,bytes32 supersedes,uint64 issuedAt)
    digest  = keccak256(0x19 0x01 || domainSeparator || hashStruct(message))

`string` members are hashed as keccak256 of their UTF-8 bytes; `supersedes` is 32 zero bytes
when the record supersedes nothing. `tests/filings/test_eip712_equivalence.py` proves the digest
and the recovery identical to eth-account's and to ethers' `signTypedData`.

The commitments the message carries are computed here too, so an operator's tool and the
server derive them with the same code: content = SHA-256(JCS(body)), or SHA-256(salt ||
JCS(body)) for a restricted record; attachments = SHA-256(JCS(list sorted by sha256)).

Decisions:
- Signatures are 65 bytes `r || s || v` as `0x` + 130 lowercase hex, with v in {27, 28} (what
  eth-account, ethers and wallets produce) and a low s (s <= n/2, as EIP-2 requires of
  transactions). v = 0/1 and high-s forms are refused, not normalised: the signature is part of
  the leaf, so each signed submission must have exactly one accepted encoding, or one
  submission could be logged as several records.
- Addresses may be sent all-lowercase, all-uppercase or in EIP-55 form; mixed case must be a
  correct EIP-55 checksum (it catches typos).
- An upload is authorised by an EIP-191 `personal_sign` of the text
  `InfraLedger attachment <sha256 hex>`, which every Ethereum wallet and library can sign.
- keccak-256 is pysha3's C implementation when it is installed (the server's extra; about 1 us
  a call), else pycryptodome's (about 6 us): ingest hashes four times a record.

This module needs only the base install (coincurve, eth-hash, the RFC 8785 reference), so an
operator's client can sign without the server's dependencies.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from coincurve import PrivateKey, PublicKey

from filings.errors import BadSignature, BodyTooLarge, InvalidDomain, InvalidSubmission
from ledger.canonical import canonical_json
from ledger.entry import parse_record_id, to_checksum_address
from ledger.errors import LedgerError


def _keccak_backend() -> Callable[[bytes], bytes]:
    try:
        from eth_hash.backends.pysha3 import keccak256 as fast
    except ImportError:
        from eth_hash.backends.pycryptodome import keccak256 as portable

        return portable
    return fast


keccak: Final = _keccak_backend()
"""keccak-256 of bytes (see the module doc for the backend)."""

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

MEDIA_TYPE_PATTERN: Final = (
    r"^(application|audio|font|haptics|image|message|model|multipart|text|video)"
    r"/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$"
)
"""An attachment's media type: lowercase RFC 6838 `type/subtype`, no parameters."""
MAX_ATTACHMENT_NAME_CHARS: Final = 255
ATTACHMENT_NAME_PATTERN: Final = r"^[^\x00-\x1f\x7f/\\]+$"
"""An attachment's name: no control characters or path separators."""

NO_ATTACHMENTS: Final = hashlib.sha256(b"[]").digest()
"""The commitment of an empty attachment list: SHA-256 of the JCS bytes `[]`."""
ATTACHMENT_MESSAGE_PREFIX: Final = "InfraLedger attachment "
OPERATOR_SIGNATURE_HEADER: Final = "X-Operator-Signature"
"""The HTTP header that carries an operator's upload signature."""
OPERATOR_HEADER: Final = "X-Operator"
"""The HTTP header naming the operator (EIP-55) whose upload `OPERATOR_CMS_HEADER` signs."""
OPERATOR_CMS_HEADER: Final = "X-Operator-Cms"
"""The HTTP header that carries, instead of an upload signature, the base64 of a detached CMS
(CAdES-BES) over the same text by the operator's organisation certificate."""
_ZERO32: Final = bytes(32)
_EIP712_PREFIX: Final = b"\x19\x01"
_EIP191_PREFIX: Final = b"\x19Ethereum Signed Message:\n"


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
        return keccak(_EIP712_PREFIX + self.separator + message.struct_hash())

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


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A file of a record as the attachment list commits to it (DESIGN section 2)."""

    sha256: str
    """64 lowercase hex digits, no 0x (as `sha256sum` prints)."""
    size: int
    name: str
    type: str

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "name": self.name, "type": self.type}


def checked_attachment(sha256: str, size: int, name: str, media_type: str) -> AttachmentRef:
    """An attachment as an operator's tool lists it, checked against the rules the server
    applies (name and media type patterns above); raises `InvalidSubmission`."""
    if not 1 <= len(name) <= MAX_ATTACHMENT_NAME_CHARS or not re.match(ATTACHMENT_NAME_PATTERN,
                                                                     name):
        raise InvalidSubmission(f"attachment name {name[:80]!r}: 1 to "
                                f"{MAX_ATTACHMENT_NAME_CHARS} characters, no control characters "
                                "or path separators")
    if len(media_type) > 255 or not re.match(MEDIA_TYPE_PATTERN, media_type):
        raise InvalidSubmission(f"attachment type {media_type[:80]!r}: want a registered "
                                "lowercase type/subtype without parameters")
    return AttachmentRef(sha256, size, name, media_type)


def recover_signer(domain: SubmissionDomain, message: SubmissionMessage, signature: str) -> str:
    """Return the EIP-55 address whose key made `signature` over `message` in `domain`.

    `signature` is `0x` + 130 hex digits (r || s || v). Raises `BadSignature` when it is
    malformed, v is not 27 or 28, r or s is out of range, s is high, or no key recovers.
    """
    return to_checksum_address("0x" + recover_address(domain.digest(message), signature).hex())


def sign_submission(
    private_key: bytes, domain: SubmissionDomain, message: SubmissionMessage
) -> str:
    """Sign `message` with a 32-byte secp256k1 key: `0x` + 130 hex, low s, v in {27, 28}.

    Raises coincurve's `ValueError` for a key that is not in 1..n-1.
    """
    return _sign(private_key, domain.digest(message))


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


def attachment_message(sha256_hex: str) -> str:
    """The text an operator signs (EIP-191 personal_sign) to upload the file `sha256_hex`."""
    return ATTACHMENT_MESSAGE_PREFIX + sha256_hex


def sign_attachment(private_key: bytes, sha256_hex: str) -> str:
    """EIP-191 `personal_sign` of `attachment_message(sha256_hex)`: 0x + 130 hex, v in {27, 28}."""
    return _sign(private_key, _personal_digest(attachment_message(sha256_hex)))


def attachment_signer(sha256_hex: str, signature: str) -> str:
    """The EIP-55 address that signed `attachment_message(sha256_hex)` with EIP-191.

    Raises `BadSignature` when the signature is malformed, not canonical or recovers nothing.
    """
    digest = _personal_digest(attachment_message(sha256_hex))
    return to_checksum_address("0x" + recover_address(digest, signature.strip()).hex())


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


def sorted_attachments(attachments: Iterable[AttachmentRef]) -> tuple[AttachmentRef, ...]:
    """Sort by sha256; raises `InvalidSubmission` when a sha256 is listed twice (two names for
    one file is a mistake, and would make the order ambiguous)."""
    ordered = tuple(sorted(attachments, key=lambda item: item.sha256))
    for before, after in itertools.pairwise(ordered):
        if before.sha256 == after.sha256:
            raise InvalidSubmission(f"attachments: sha256 {after.sha256} is listed twice")
    return ordered


def attachment_list(attachments: Sequence[AttachmentRef]) -> bytes | None:
    """The RFC 8785 bytes of an attachment list sorted by `sorted_attachments` (None if empty)."""
    if not attachments:
        return None
    return canonical_json([item.to_json() for item in attachments])


def attachments_commitment(listed: bytes | None) -> bytes:
    """SHA-256 of the attachment list's RFC 8785 bytes (`attachment_list`)."""
    return NO_ATTACHMENTS if listed is None else hashlib.sha256(listed).digest()


def supersedes_bytes(supersedes: str | None) -> bytes | None:
    """A record id (64 lowercase hex, 0x optional) as 32 bytes; raises `InvalidSubmission`."""
    if supersedes is None:
        return None
    try:
        return parse_record_id(supersedes)
    except LedgerError as exc:
        raise InvalidSubmission(f"supersedes: {exc}") from exc


def submission_message(
    *,
    kind: str,
    schema: str,
    subject: str,
    body: Mapping[str, Any],
    salt: bytes | None = None,
    attachments: Iterable[AttachmentRef] = (),
    supersedes: str | None = None,
    issued_at: int,
) -> SubmissionMessage:
    """The EIP-712 message an operator signs for a record: hashes the body and attachments.

    The server derives the same message from what it receives (`filings.submission`).
    """
    return SubmissionMessage(
        kind=kind,
        schema=schema,
        subject=subject,
        content=content_commitment(canonical_body(body), salt),
        attachments=attachments_commitment(attachment_list(sorted_attachments(attachments))),
        supersedes=supersedes_bytes(supersedes),
        issued_at=issued_at,
    )


@lru_cache(maxsize=64)
def _keccak_name(text: str) -> bytes:
    """keccak256 of a kind or schema name: a handful of values, so each is hashed once."""
    return keccak(text.encode())


def _personal_digest(text: str) -> bytes:
    """EIP-191 version 0x45: keccak256("\\x19Ethereum Signed Message:\\n" || len || message)."""
    data = text.encode()
    return keccak(_EIP191_PREFIX + str(len(data)).encode("ascii") + data)


def _sign(private_key: bytes, digest: bytes) -> str:
    signature = PrivateKey(private_key).sign_recoverable(digest, hasher=None)
    return "0x" + signature[:64].hex() + format(signature[64] + 27, "02x")


def recover_address(digest: bytes, signature: str) -> bytes:
    """The 20-byte address whose key signed the 32-byte `digest` (see `recover_signer`)."""
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
            raw[:64] + bytes((v - 27,)), digest, hasher=None
        )
    except ValueError:
        raise BadSignature("signature: no public key recovers from it") from None
    return keccak(public.format(compressed=False)[1:])[-20:]


EVIDENCE_TYPE: Final = "application/vnd.infraledger.evidence+json"
"""The reserved media type of a CA signature's evidence document in an attachment list
(`filings.bindings`); a CMS over a record does not cover these entries."""
CMS_BYTES_TYPE: Final = "infraledger-cms/1"


def ca_signed_bytes(domain: SubmissionDomain, message: SubmissionMessage,
                    operator: str) -> bytes:
    """The exact bytes a detached CMS (CAdES) signature over a record signs.

    `message` is the record's EIP-712 message with `attachments` committing to the attachment
    list less its evidence documents (`EVIDENCE_TYPE`): the CMS comes first, its evidence after.
    `operator` is the record's operator (EIP-55): EIP-712 recovers the signer's address, a CMS
    cannot, so the CMS names whom it signs for. The RFC 8785 form of the EIP-712 fields and domain
    with the operator (docs/submitting.md): `{"type": "infraledger-cms/1", "domain": {"name",
    "version", "chainId": "<decimal>", "verifyingContract"}, "kind", "schema", "subject",
    "operator", "content", "attachments", "supersedes" (zero when absent), "issuedAt"}`, hashes
    as `0x` + 64 lowercase hex.
    """
    return canonical_json({
        "type": CMS_BYTES_TYPE,
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION,
                   "chainId": str(domain.chain_id),
                   "verifyingContract": domain.verifying_contract},
        "kind": message.kind,
        "schema": message.schema,
        "subject": message.subject,
        "operator": operator,
        "content": "0x" + message.content.hex(),
        "attachments": "0x" + message.attachments.hex(),
        "supersedes": "0x" + (message.supersedes or bytes(32)).hex(),
        "issuedAt": message.issued_at,
    })
