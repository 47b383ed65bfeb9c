"""Who is calling: the public, an inspector or the registrar (bearer tokens), or an operator
(a signature).

Tokens: `Authorization: Bearer <token>`, issued by `infraledger tokens create`; the store keeps
their SHA-256 only. No header means the public. A header with an unknown or revoked token is
refused (401 `invalid_token`) rather than downgraded to the public, so a client learns at once
that its token is dead. A valid token of the wrong role gets 403 `forbidden`.

The public costs nothing to recognise: `caller` runs on the event loop and touches the store
only when a header is present. Token lookups are not cached: one primary-key read (in a worker
thread) per request that carries a token, so a revocation (`infraledger tokens revoke`, from
any process) takes effect on the very next request.

Operators have no tokens: they sign. To upload an attachment an operator sends
`X-Operator-Signature: 0x<65 bytes>`, an EIP-191 `personal_sign` by its key of the text
`InfraLedger attachment <sha256 hex>` (what every Ethereum wallet and library can sign); the
signer must be active in the OperatorRegistry. The signature only lets that one file in: anyone
replaying it can upload nothing but the same bytes.

An operator that signs with its organisation certificate only sends instead
`X-Operator: 0x<EIP-55 address>` and `X-Operator-Cms: <base64 of a detached CMS over the same
text>`; `operator_proof` reads either form, and `api.signatures.authorised_uploader` checks the
CMS online, as a record's, against the address's binding in force.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Final, Literal

from fastapi import Depends, Request

from api.errors import BadOperatorSignature, Forbidden, InvalidToken
from api.http.deps import ledger
from filings import signing
from filings.errors import BadSignature, FilingError
from filings.signing import OPERATOR_CMS_HEADER, OPERATOR_HEADER, OPERATOR_SIGNATURE_HEADER

Role = Literal["public", "inspector", "registrar"]
TOKEN_ROLES: Final = ("inspector", "registrar")
BEARER: Final = "bearer "


@dataclass(frozen=True, slots=True)
class Caller:
    """The caller's role and, for a token holder, the token's label."""

    role: Role
    label: str = ""

    @property
    def inspector(self) -> bool:
        """Whether the caller may see restricted bodies and unpublished files."""
        return self.role == "inspector"


PUBLIC: Final = Caller("public")


async def caller(request: Request) -> Caller:
    """The caller of `request`; raises `InvalidToken` for a bad `Authorization` header."""
    header = request.headers.get("authorization")
    if header is None:
        return PUBLIC
    if not header.lower().startswith(BEARER) or not header[len(BEARER):].strip():
        raise InvalidToken("Authorization: want 'Bearer <token>'")
    stored = await asyncio.to_thread(ledger(request).tokens.find,
                                     header[len(BEARER):].strip())
    if stored is None or not stored.active:
        raise InvalidToken("the token is unknown or revoked")
    if stored.role not in TOKEN_ROLES:
        raise InvalidToken(f"the token's role {stored.role!r} is not one this server knows")
    role: Role = "inspector" if stored.role == "inspector" else "registrar"
    return Caller(role, stored.label)


CallerDep = Annotated[Caller, Depends(caller)]


def require_role(who: Caller, *roles: Role) -> None:
    """Raise `InvalidToken` for the public and `Forbidden` for a token of another role."""
    if who.role in roles:
        return
    if who.role == "public":
        raise InvalidToken(f"this needs a bearer token of role {' or '.join(roles)}")
    raise Forbidden(f"role {who.role} may not do this (needs {' or '.join(roles)})")


async def registrar(who: CallerDep) -> Caller:
    """Dependency: the caller must hold a registrar token."""
    require_role(who, "registrar")
    return who


RegistrarDep = Annotated[Caller, Depends(registrar)]


def attachment_signer(sha256_hex: str, signature: str) -> str:
    """The EIP-55 address that signed the upload of `sha256_hex` (`filings.signing`); raises
    `BadOperatorSignature` when the signature is malformed or recovers nothing."""
    try:
        return signing.attachment_signer(sha256_hex, signature)
    except BadSignature as exc:
        raise BadOperatorSignature(f"{OPERATOR_SIGNATURE_HEADER}: {exc.message}") from exc


@dataclass(frozen=True, slots=True)
class UploadSignature:
    """`X-Operator-Signature`: an EIP-191 signature of the upload text by the operator's key."""

    signature: str


@dataclass(frozen=True, slots=True)
class UploadCms:
    """`X-Operator` and `X-Operator-Cms`: the operator's EIP-55 address, and the DER of a
    detached CMS over the upload text by its organisation certificate (not yet checked)."""

    operator: str
    cms: bytes


OPERATOR_PROOF_PARAMETERS: Final = [
    {"name": OPERATOR_SIGNATURE_HEADER, "in": "header", "required": False,
     "schema": {"type": "string", "pattern": "^0x[0-9a-f]{130}$"},
     "description": "EIP-191 signature of `InfraLedger attachment <sha256 hex>` by an active "
                    "operator's (or a registrar's) key"},
    {"name": OPERATOR_HEADER, "in": "header", "required": False,
     "schema": {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"},
     "description": f"the operator's address, with {OPERATOR_CMS_HEADER} instead of "
                    f"{OPERATOR_SIGNATURE_HEADER}"},
    {"name": OPERATOR_CMS_HEADER, "in": "header", "required": False,
     "schema": {"type": "string", "contentEncoding": "base64"},
     "description": "a detached CMS (CAdES-BES) over `InfraLedger attachment <sha256 hex>` by "
                    f"the organisation certificate of {OPERATOR_HEADER}'s binding in force"},
]
"""The headers by which an operator vouches for an upload, as OpenAPI parameters."""
OperatorProof = UploadSignature | UploadCms
"""How an operator vouches for the one file it uploads or asks evidence for."""
HEADERS_REASON: Final = "operator_headers"
"""`details.reason` of a refusal of the `X-Operator` headers themselves."""


def operator_proof(headers: Mapping[str, str]) -> OperatorProof | None:
    """The operator's proof in request `headers`, None when they carry none; raises
    `BadOperatorSignature` for both forms at once, one of `X-Operator` and `X-Operator-Cms`
    without the other, an address that is not one, or a CMS that is not base64."""
    signature = headers.get(OPERATOR_SIGNATURE_HEADER)
    operator, cms = headers.get(OPERATOR_HEADER), headers.get(OPERATOR_CMS_HEADER)
    if operator is None and cms is None:
        return None if signature is None else UploadSignature(signature)
    if signature is not None or operator is None or cms is None:
        raise refused_headers(
            f"send {OPERATOR_HEADER} with {OPERATOR_CMS_HEADER}, or {OPERATOR_SIGNATURE_HEADER}"
            " alone",
            f"Cần gửi cả {OPERATOR_HEADER} và {OPERATOR_CMS_HEADER}, hoặc chỉ "
            f"{OPERATOR_SIGNATURE_HEADER}",
            f"Send both {OPERATOR_HEADER} and {OPERATOR_CMS_HEADER}, or "
            f"{OPERATOR_SIGNATURE_HEADER} alone")
    try:
        address = signing.checksum_address(operator.strip())
    except FilingError as exc:
        raise refused_headers(
            f"{OPERATOR_HEADER}: {exc.message}",
            f"{OPERATOR_HEADER} không phải một địa chỉ EIP-55 hợp lệ",
            f"{OPERATOR_HEADER} is not a valid EIP-55 address") from exc
    try:
        der = base64.b64decode(cms.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise refused_headers(
            f"{OPERATOR_CMS_HEADER}: not base64: {exc}",
            f"{OPERATOR_CMS_HEADER} không phải dữ liệu base64 của một chữ ký CMS",
            f"{OPERATOR_CMS_HEADER} is not the base64 of a CMS signature") from exc
    return UploadCms(address, der)


def refused_headers(message: str, vietnamese: str, english: str) -> BadOperatorSignature:
    """The refusal of malformed `X-Operator` headers, in both languages as `details.message`."""
    return BadOperatorSignature(message, details={
        "reason": HEADERS_REASON, "message": {"vi": vietnamese, "en": english}})
