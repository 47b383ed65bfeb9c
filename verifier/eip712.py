"""EIP-712 typed-data signatures over submissions (DESIGN section 2), recovered by hand.

    domain = EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
             {"InfraLedger", "1", <anchor chain id>, <OperatorRegistry address>}
    Submission(string kind,string schema,string subject,bytes32 content,bytes32 attachments,
               bytes32 supersedes,uint64 issuedAt)

digest = keccak256(0x19 0x01 || domainSeparator || hashStruct(submission)), where hashStruct is
keccak256(typeHash || encodeData) and a `string` member is encoded as the keccak256 of its UTF-8
bytes (EIP-712 "Definition of encodeData"). The signature is r || s || v, v in {27, 28} (0 and 1
accepted), with s in the lower half of the curve order (EIP-2), recovered with libsecp256k1.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final, NewType

import coincurve

from verifier.address import Address, address_bytes, checksum_address
from verifier.entry import Entry
from verifier.errors import SubmissionSignatureError
from verifier.keccak import keccak256
from verifier.messages import text

TypedDataDigest = NewType("TypedDataDigest", bytes)
"""The 32-byte EIP-712 digest that a submission signature signs."""

DOMAIN_NAME: Final = "InfraLedger"
DOMAIN_VERSION: Final = "1"
DOMAIN_TYPE: Final = (
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
SUBMISSION_TYPE: Final = (
    "Submission(string kind,string schema,string subject,bytes32 content,bytes32 attachments,"
    "bytes32 supersedes,uint64 issuedAt)"
)
SECP256K1_ORDER: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141

_DOMAIN_TYPE_HASH: Final = keccak256(DOMAIN_TYPE.encode("ascii"))
_SUBMISSION_TYPE_HASH: Final = keccak256(SUBMISSION_TYPE.encode("ascii"))
_NAME_HASH: Final = keccak256(DOMAIN_NAME.encode("ascii"))
_VERSION_HASH: Final = keccak256(DOMAIN_VERSION.encode("ascii"))
_ZERO_WORD: Final = bytes(32)


@dataclass(frozen=True, slots=True)
class SigningDomain:
    """The EIP-712 domain: the anchor chain id and the OperatorRegistry address."""

    chain_id: int
    verifying_contract: Address

    def separator(self) -> bytes:
        """Return the domain separator hashStruct(EIP712Domain)."""
        return _domain_separator(self.chain_id, self.verifying_contract)


def submission_digest(entry: Entry, domain: SigningDomain) -> TypedDataDigest:
    """Return the EIP-712 digest of the entry's submission; `supersedes` is zero when absent."""
    struct_hash = keccak256(
        _SUBMISSION_TYPE_HASH
        + _string_hash(entry.kind)
        + _string_hash(entry.schema)
        + keccak256(entry.subject.encode("utf-8"))
        + entry.content
        + entry.attachments
        + (_ZERO_WORD if entry.supersedes is None else entry.supersedes)
        + entry.issued_at.to_bytes(32, "big")
    )
    return TypedDataDigest(keccak256(b"\x19\x01" + domain.separator() + struct_hash))


def recover_signer(digest: TypedDataDigest, signature: bytes) -> Address:
    """Return the address whose key made the 65-byte r || s || v `signature` over `digest`.

    Raises `SubmissionSignatureError` for another length, v outside {0, 1, 27, 28}, r or s
    outside [1, n - 1], a high s (the malleable twin of a low-s signature), or no recoverable key.
    """
    if len(signature) != 65:
        raise SubmissionSignatureError(f"signature is {len(signature)} bytes, want 65")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if v not in (0, 1, 27, 28):
        raise SubmissionSignatureError(f"signature v: got {v}, want 27 or 28")
    if not 0 < r < SECP256K1_ORDER:
        raise SubmissionSignatureError("signature r is outside [1, n - 1]")
    if not 0 < s <= SECP256K1_ORDER // 2:
        raise SubmissionSignatureError("signature s is zero or not in the lower half (EIP-2)")
    try:
        key = coincurve.PublicKey.from_signature_and_message(
            signature[:64] + bytes([v % 27]), digest, hasher=None
        )
    except ValueError as exc:
        raise SubmissionSignatureError(f"no public key recovers from the signature: {exc}") from exc
    return _address_of(key.format(compressed=False)[1:])


def verify_submission_signature(entry: Entry, domain: SigningDomain) -> None:
    """Check that the entry's EIP-712 signature was made by `entry.operator`.

    Raises `SubmissionSignatureError` naming the recovered address when it is another, and when
    the entry has no EIP-712 signature (a record signed with a CA certificate only, whose CMS
    `verifier.signatures` checks).
    """
    if entry.signature is None:
        raise SubmissionSignatureError(text("signature.ca_only"))
    signer = recover_signer(submission_digest(entry, domain), entry.signature)
    if signer != entry.operator:
        raise SubmissionSignatureError(
            text("signature.other_signer", signer=signer, operator=entry.operator)
        )


@functools.lru_cache(maxsize=256)
def _string_hash(text: str) -> bytes:
    """keccak256 of a string member that takes few values (kind, schema): worth remembering."""
    return keccak256(text.encode("utf-8"))


@functools.lru_cache(maxsize=4096)
def _address_of(public_key: bytes) -> Address:
    """The EIP-55 address of a 64-byte public key: a log has few operators, each worth
    remembering (an audit recovers the same keys a million times)."""
    return checksum_address(keccak256(public_key)[-20:])


@functools.lru_cache(maxsize=16)
def _domain_separator(chain_id: int, verifying_contract: Address) -> bytes:
    return keccak256(
        _DOMAIN_TYPE_HASH
        + _NAME_HASH
        + _VERSION_HASH
        + chain_id.to_bytes(32, "big")
        + bytes(12)
        + address_bytes(verifying_contract)
    )
