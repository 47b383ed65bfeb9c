"""Attachment files in the content-addressed blob store (DESIGN section 2).

`PUT /v1/attachments/{sha256}`: the raw file as the body, its media type as `Content-Type`
(required), at most `max_attachment_bytes`. Allowed to an active operator or a registrar-role
holder signing with `X-Operator-Signature`, or with `X-Operator` and `X-Operator-Cms` (a CMS by
its organisation certificate, checked online: `api.signatures`), or an inspector or registrar
token; nothing is read or stored for a refused caller. The bytes must hash to the SHA-256 in
the path (422 `hash_mismatch`); the type must be one the ledger stores (415
`media_type_not_accepted`) and the bytes must be of it (422 `media_type_mismatch`), as
`filings.media` sniffs them. 201 when stored, 200 when the file was already there:
`{"sha256", "size", "type"}`; a file already stored keeps its first type.

`GET /v1/attachments/{sha256}`: the file, to anyone when a public record lists it, always to
inspectors; otherwise 404, as if it did not exist. A public record's CA-signature evidence (the
CMS, OCSP responses, CRLs, certificates and time-stamps its evidence documents name) counts as
listed, decided once when the record was accepted (`api.signatures.evidence_named`): it holds
no personal data, and lets anyone check the signature (`infraledger-verify record`). A
restricted record's evidence is served to inspectors only. Always as a download
(`Content-Disposition: attachment`) under a sandboxing policy, so no uploaded file runs as
active content on the ledger's origin (`api.http.security`). A file stored under a type the
ledger no longer accepts (an older database) is served as `application/octet-stream`.
"""

from __future__ import annotations

import asyncio
import hashlib
import re

from fastapi import APIRouter, Request, Response

from api.errors import HashMismatch, InvalidRequest, InvalidToken, NotFound
from api.http.auth import (
    OPERATOR_PROOF_PARAMETERS,
    Caller,
    CallerDep,
    OperatorProof,
    operator_proof,
    require_role,
)
from api.http.deps import Ledger, LedgerDep, json_response
from api.http.limits import read_body
from api.http.openapi import ERROR_RESPONSES
from api.http.security import ATTACHMENT_POLICY
from api.signatures import authorised_uploader
from filings.media import ACCEPTED, check_media
from filings.signing import (
    MEDIA_TYPE_PATTERN,
    OPERATOR_CMS_HEADER,
    OPERATOR_HEADER,
    OPERATOR_SIGNATURE_HEADER,
)
from ledger.storage.blobs import BlobMismatch

router = APIRouter(tags=["attachments"], responses=ERROR_RESPONSES)

_MEDIA_TYPE = re.compile(MEDIA_TYPE_PATTERN)


def _digest(text: str) -> bytes:
    if len(text) != 64 or text.strip("0123456789abcdef"):
        raise InvalidRequest(f"sha256 {text[:80]!r}: want 64 lowercase hex digits")
    return bytes.fromhex(text)


def _media_type(header: str | None) -> str:
    if header is None:
        raise InvalidRequest("Content-Type: say the file's media type (see filings.media)")
    media = header.split(";", 1)[0].strip().lower()
    if not _MEDIA_TYPE.match(media):
        raise InvalidRequest(f"Content-Type {media[:80]!r}: want a registered type/subtype")
    return media


def _authorise_upload(ledger: Ledger, who: Caller, sha256: str,
                      proof: OperatorProof | None) -> None:
    if who.role != "public":
        require_role(who, "inspector", "registrar")
        return
    if proof is None:
        raise InvalidToken(
            f"uploading needs an operator's {OPERATOR_SIGNATURE_HEADER} (or {OPERATOR_HEADER} "
            f"and {OPERATOR_CMS_HEADER}) or a bearer token"
        )
    authorised_uploader(ledger, sha256, proof)


@router.put("/v1/attachments/{sha256}", summary="Upload an attachment file",
            openapi_extra={"requestBody": {"required": True, "content": {"*/*": {
                "schema": {"type": "string", "format": "binary"}}}},
                "parameters": OPERATOR_PROOF_PARAMETERS},
            responses={200: {"description": "Already stored"}, 201: {"description": "Stored"}})
async def put_attachment(
    sha256: str, request: Request, ledger: LedgerDep, who: CallerDep
) -> Response:
    digest = _digest(sha256)
    media = _media_type(request.headers.get("content-type"))
    proof = None if who.role != "public" else operator_proof(request.headers)
    await asyncio.to_thread(_authorise_upload, ledger, who, sha256, proof)
    data = await read_body(request, ledger.node.settings.max_attachment_bytes)
    if hashlib.sha256(data).digest() != digest:
        raise HashMismatch(f"the bytes hash to {hashlib.sha256(data).hexdigest()}, not {sha256}")
    await asyncio.to_thread(check_media, data, media)
    try:
        created = await asyncio.to_thread(
            ledger.blobs.put, digest, data, media, int(ledger.node.clock())
        )
    except BlobMismatch as exc:
        raise HashMismatch(str(exc)) from exc
    if not created:
        media = (await asyncio.to_thread(ledger.blobs.files, [digest]))[digest][1]
    return json_response({"sha256": sha256, "size": len(data), "type": media},
                         status_code=201 if created else 200)


@router.get("/v1/attachments/{sha256}", summary="Download an attachment file",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def get_attachment(sha256: str, ledger: LedgerDep, who: CallerDep) -> Response:
    digest = _digest(sha256)
    blob = ledger.blobs.get(digest)
    if blob is None or not (who.inspector or ledger.blobs.listed_by_public_record(digest)):
        raise NotFound(f"no attachment {sha256}")
    cache = "private, max-age=31536000, immutable" if who.inspector else \
        "public, max-age=31536000, immutable"
    media = blob.media_type if blob.media_type in ACCEPTED else "application/octet-stream"
    return Response(blob.data, media_type=media, headers={
        "Cache-Control": cache, "ETag": f'"{sha256}"',
        "Content-Disposition": f'attachment; filename="{sha256}"',
        "Content-Security-Policy": ATTACHMENT_POLICY,
    })
