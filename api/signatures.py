"""CA signatures in the server's shell: pinned roots, the HTTP that gathers evidence, and
`POST /v1/signatures/evidence`.

With the setting `ca_signatures` on, the roots of `signing_roots_file` (a PEM bundle: the NEAC
national roots in production) are read once per node and never fetched; OCSP responses, CRLs,
missing intermediates (AIA caIssuers) and time-stamps are fetched over HTTP by `HttpxTransport`
(timeouts, at most `MAX_RESPONSE_BYTES` an answer), never by `filings/`.

`POST /v1/signatures/evidence` gathers the evidence of one signature, before the operator signs
the record with EIP-712:

    {"cms": "<base64 of the detached CMS DER>"}  or  {"pdf": "<sha256 of an uploaded PDF>"}

authorised like an upload (`authorised_uploader`): `X-Operator-Signature` over the SHA-256 of
the CMS or PDF, or `X-Operator` and `X-Operator-Cms`, by an active operator or a registrar (the
department signs its yearly report, `infraledger report`).
The ledger stores the CMS, every evidence item and the evidence document (`filings.bindings`)
as content-addressed blobs and answers 201 with the attachment to list:
`{"sha256", "size", "type": "application/vnd.infraledger.evidence+json", "name", "evidence"}`.
Nothing is judged here: the signature is checked, from the stored evidence alone, when the
record is submitted (`filings.bindings.ca_refusal`, in the admission thread, off the
sequencer).

**Uploads authorised by a CMS** (`X-Operator` + `X-Operator-Cms`, `api.http.auth`), for an
operator that signs with its organisation certificate only: the CMS must sign the ASCII text
`InfraLedger attachment <sha256 hex>` and is checked like a record's, online and now: the
ledger's evidence collector fetches its OCSP responses or CRLs, and the certificate must chain
to a pinned root, carry the identity of the address's newest `binding/1` record, have
nonRepudiation, and be valid and unrevoked at the time of the request (a time-stamped CMS is
refused: a time-stamp would let an upload be judged at an earlier time). The cheap checks come
first, so nothing is fetched for an address the ledger would refuse anyway: malformed headers
(401 `bad_operator_signature`, reason `operator_headers`: `api.http.auth`), CA signatures off
(403 `ca_signatures_disabled`), an address that is neither an active operator nor a registrar
(403 `inactive_operator`), no binding (401, reason `operator_not_bound`). A refused CMS is 401
`bad_operator_signature` with `details.reason` its CA status code (`cert_revoked`,
`cert_identity`, `signature_invalid`, ...) and `details.message` that status in Vietnamese and
English. The evidence gathered for the check is not kept: it authorised one request, and
proves nothing of the record.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import logging
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

import httpx
import orjson
from fastapi import APIRouter, Request, Response

from api.errors import (
    BadOperatorSignature,
    CaUploadsDisabled,
    InvalidRequest,
    InvalidToken,
    NotFound,
    SigningRootsUnavailable,
)
from api.http.auth import (
    OPERATOR_PROOF_PARAMETERS,
    OperatorProof,
    UploadCms,
    UploadSignature,
    attachment_signer,
    operator_proof,
)
from api.http.deps import Ledger, LedgerDep, json_response
from api.http.limits import read_body
from api.http.openapi import ERROR_RESPONSES
from api.node import Node
from api.settings import Settings
from filings.admission import Verdict
from filings.bindings import (
    BINDING_KIND,
    BINDING_SCHEMA,
    CMS_MEDIA_TYPE,
    CaTrust,
    EvidenceDocument,
    FiledBinding,
    binding_subject,
    ca_checked,
    ca_refusal,
    evidence_documents,
    identity_for,
    listed_signatures,
    parse_binding,
    verify_record_signatures,
)
from filings.errors import (
    CaSignaturesDisabled,
    FilingError,
    InactiveOperator,
    SigningTimeInvalid,
    TrustConfigInvalid,
)
from filings.signatures import (
    EvidenceCollector,
    EvidenceKind,
    TrustRoots,
    accept_cms,
    public_url,
    status_messages,
)
from filings.signatures.online import MAX_RESPONSE_BYTES
from filings.signing import (
    EVIDENCE_TYPE,
    OPERATOR_CMS_HEADER,
    OPERATOR_HEADER,
    OPERATOR_SIGNATURE_HEADER,
    AttachmentRef,
    SubmissionDomain,
    attachment_message,
)
from filings.submission import PreparedSubmission
from ledger.entry import Entry
from ledger.merkle import LeafHash
from ledger.storage.records import MAX_PAGE, RecordFilter

LOG = logging.getLogger(__name__)
router = APIRouter(tags=["signatures"], responses=ERROR_RESPONSES)

FETCH_TIMEOUT: Final = 10.0
"""Seconds an OCSP, CRL, AIA or TSA request may take in all."""
ITEM_TYPES: Final = {
    EvidenceKind.CERTIFICATE: "application/pkix-cert",
    EvidenceKind.OCSP: "application/ocsp-response",
    EvidenceKind.CRL: "application/pkix-crl",
    EvidenceKind.TIMESTAMP: "application/timestamp-token",
}
"""The media types evidence items are stored under (RFC 2585, RFC 6960, RFC 3161)."""
MAX_CACHED_RESULTS: Final = 1024


class HttpxTransport:
    """`filings.signatures.Transport` over `httpx`: the body of a 200 answer of at most
    `max_bytes`, redirects followed; any failure logged and answered None."""

    def __init__(self, client: httpx.Client, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self._client = client
        self._max = max_bytes

    def get(self, url: str) -> bytes | None:
        return self._send("GET", url, None, None)

    def post(self, url: str, body: bytes, content_type: str) -> bytes | None:
        return self._send("POST", url, body, content_type)

    def _send(self, method: str, url: str, body: bytes | None,
              content_type: str | None) -> bytes | None:
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            with self._client.stream(method, url, content=body, headers=headers) as response:
                if response.status_code != 200:
                    LOG.warning("%s %s: HTTP %d", method, url, response.status_code)
                    return None
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max:
                        LOG.warning("%s %s: over %d bytes", method, url, self._max)
                        return None
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            LOG.warning("%s %s: %s", method, url, exc)
            return None


def loopback_url(url: str) -> bool:
    """http(s) to 127.0.0.1 or localhost only: the test and demo PKIs' services."""
    host = httpx.URL(url).host
    return url.startswith(("http://", "https://")) and host in ("127.0.0.1", "localhost")


@dataclass
class CaService:
    """The CA-signature machinery of one node: the trust, and the evidence collector."""

    trust: CaTrust
    collector: EvidenceCollector
    results: OrderedDict[bytes, list[dict[str, Any]]]


_SERVICES: dict[int, tuple[weakref.ref[Node], CaService | None]] = {}
"""Each live node's service, by `id` (a node is not hashable); dropped with the node."""


def load_roots(settings: Settings) -> TrustRoots:
    """The pinned roots of `signing_roots_file`; raises `TrustConfigInvalid` (an absent, empty
    or unreadable bundle)."""
    if settings.signing_roots_file is None:
        raise TrustConfigInvalid("ca_signatures is on: set INFRALEDGER_SIGNING_ROOTS_FILE")
    return TrustRoots.load(settings.signing_roots_file)


def ca_service(node: Node) -> CaService | None:
    """The node's CA service, built once (roots read then); None when `ca_signatures` is off.

    Raises `SigningRootsUnavailable` (503) when the roots cannot be used, which production
    refuses at start (`Settings.check_production`); the reason, naming the server's file, is
    logged and never answered."""
    known = _SERVICES.get(id(node))
    if known is not None and known[0]() is node:
        return known[1]
    settings = node.settings
    service = None
    if settings.ca_signatures:
        try:
            roots = load_roots(settings)
        except TrustConfigInvalid as exc:
            LOG.error("CA signatures are on but the signing roots are unusable: %s", exc.message)
            raise SigningRootsUnavailable(
                "CA signatures cannot be checked now: the server's signing roots are "
                "misconfigured", details={"message": {
                    "vi": "Hiện chưa kiểm tra được chữ ký số: máy chủ cấu hình sai chứng thư "
                          "số gốc tin cậy",
                    "en": "CA signatures cannot be checked now: the server's signing roots are "
                          "misconfigured"}}) from exc
        client = httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=True, trust_env=True)
        allowed = loopback_url if settings.signing_loopback_urls else public_url
        collector = EvidenceCollector(roots, HttpxTransport(client), url_allowed=allowed)
        service = CaService(CaTrust(roots), collector, OrderedDict())
    key = id(node)
    _SERVICES[key] = (weakref.ref(node, lambda _: _SERVICES.pop(key, None)), service)
    return service


class SignatureState:
    """`filings.bindings.SignatureState` over a ledger's stores."""

    def __init__(self, ledger: Ledger, page: int = MAX_PAGE) -> None:
        self._ledger = ledger
        self._page = min(page, MAX_PAGE)

    def blob(self, digest: bytes) -> bytes | None:
        found = self._ledger.blobs.get(digest)
        return None if found is None else found.data

    def bindings(self, operator: str) -> Sequence[FiledBinding]:
        """Every binding record of `operator`, in log order, read `page` records at a time:
        the one in force may be the latest of many corrections."""
        filed = []
        start = 0
        while True:
            records = self._ledger.records.find(RecordFilter(
                kind=BINDING_KIND, subject=binding_subject(operator), start=start,
                limit=self._page))
            for record in records:
                entry = Entry.from_json(orjson.loads(record.data))
                if entry.schema == BINDING_SCHEMA and record.body is not None:
                    filed.append(FiledBinding(record.index, parse_binding(record.body)))
            if len(records) < self._page:
                return filed
            start = records[-1].index + 1


def _requested(data: bytes) -> tuple[str, bytes | None, str]:
    """(form, CMS bytes or None, SHA-256 of the signed object) of an evidence request."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"the body is not JSON: {exc}") from exc
    if not isinstance(value, dict) or len(value) != 1 or not ({"cms", "pdf"} & set(value)):
        raise InvalidRequest('want {"cms": "<base64 DER>"} or {"pdf": "<sha256>"}')
    if "cms" in value:
        try:
            der = base64.b64decode(str(value["cms"]), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequest(f"cms: not base64: {exc}") from exc
        return "cms", der, hashlib.sha256(der).hexdigest()
    digest = value["pdf"]
    if not isinstance(digest, str) or len(digest) != 64 or digest.strip("0123456789abcdef"):
        raise InvalidRequest("pdf: want the SHA-256 of an uploaded PDF, 64 lowercase hex")
    return "pades", None, digest


def gather_evidence(ledger: Ledger, form: str, cms: bytes | None, target: str
                    ) -> dict[str, Any]:
    """Gather, store and describe the evidence of one signature (module doc). Blocking."""
    service = ca_service(ledger.node)
    if service is None:
        raise CaSignaturesDisabled("this ledger does not accept CA signatures")
    now = int(ledger.node.clock())
    if cms is not None:
        evidence = service.collector.for_cms(cms)
        ledger.blobs.put(bytes.fromhex(target), cms, CMS_MEDIA_TYPE, now)
    else:
        pdf = ledger.blobs.get(bytes.fromhex(target))
        if pdf is None or pdf.media_type != "application/pdf":
            raise NotFound(f"no uploaded PDF {target}: PUT /v1/attachments/{target} first")
        evidence = service.collector.for_pdf(pdf.data)
    for item in evidence.items:
        ledger.blobs.put(bytes.fromhex(item.sha256), item.der, ITEM_TYPES[item.kind], now)
    document = EvidenceDocument("cms" if cms is not None else "pades", target,
                                evidence.manifest()).to_bytes()
    digest = hashlib.sha256(document).digest()
    ledger.blobs.put(digest, document, EVIDENCE_TYPE, now)
    return {"sha256": digest.hex(), "size": len(document), "type": EVIDENCE_TYPE,
            "name": f"evidence-{target[:16]}.json", "evidence": evidence.manifest()}


def authorised_uploader(ledger: Ledger, sha256_hex: str, proof: OperatorProof) -> str:
    """The EIP-55 address that `proof` authorises to upload (or ask evidence for) the file of
    SHA-256 `sha256_hex`: an active operator or a registrar, whose EIP-191 signature recovers
    it or whose CMS is accepted now (module doc). Blocking (a CMS fetches its OCSP responses or
    CRLs). Raises `CaUploadsDisabled`, `BadOperatorSignature` or `InactiveOperator`."""
    if isinstance(proof, UploadSignature):
        signer = attachment_signer(sha256_hex, proof.signature)
        _require_uploader(ledger, signer)
        return signer
    service = ca_service(ledger.node)
    if service is None:
        raise CaUploadsDisabled(
            f"this ledger does not accept CA signatures: send {OPERATOR_SIGNATURE_HEADER}",
            details={"message": status_messages(CaSignaturesDisabled.code)})
    _require_uploader(ledger, proof.operator)
    _accept_upload_cms(ledger, service, sha256_hex, proof)
    return proof.operator


def _require_uploader(ledger: Ledger, address: str) -> None:
    if not (ledger.node.operators.is_active(address)
            or ledger.node.registrars.is_registrar(address)):
        raise InactiveOperator(f"{address} is neither an active operator nor a registrar")


def _accept_upload_cms(ledger: Ledger, service: CaService, sha256_hex: str,
                       proof: UploadCms) -> None:
    """Accept the CMS of `proof` over the upload text of `sha256_hex` now, by the identity of
    the operator's newest binding; raises `BadOperatorSignature` naming the CA status code."""
    try:
        identity = identity_for(proof.operator, SignatureState(ledger), None)
        result, _ = accept_cms(attachment_message(sha256_hex).encode("ascii"), proof.cms,
                               identity=identity, collector=service.collector,
                               policy=service.trust.policy)
        if result.time_source != "acceptance":
            raise SigningTimeInvalid("an upload's CMS carries no time-stamp: it is judged at "
                                     "the time of the request")
    except FilingError as exc:
        raise BadOperatorSignature(f"{OPERATOR_CMS_HEADER}: {exc.message}", details={
            **exc.details, "reason": exc.code,
            "message": status_messages(exc.code)}) from exc


def _authorise(ledger: Ledger, target: str, proof: OperatorProof | None) -> None:
    if proof is None:
        raise InvalidToken(f"gathering evidence needs an operator's {OPERATOR_SIGNATURE_HEADER}"
                           f" (or {OPERATOR_HEADER} and {OPERATOR_CMS_HEADER}) over the SHA-256 "
                           "of the CMS or PDF")
    authorised_uploader(ledger, target, proof)


@router.post("/v1/signatures/evidence", status_code=201,
             summary="Gather and store the evidence of a CA signature (CMS or PAdES)",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": {"type": "object", "properties": {
                     "cms": {"type": "string", "contentEncoding": "base64"},
                     "pdf": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}}}},
                 "parameters": OPERATOR_PROOF_PARAMETERS},
             responses={201: {"description": "The evidence document to list as an attachment"}})
async def post_evidence(request: Request, ledger: LedgerDep) -> Response:
    data = await read_body(request, ledger.node.settings.max_attachment_bytes)
    form, cms, target = _requested(data)
    await asyncio.to_thread(_authorise, ledger, target, operator_proof(request.headers))
    answer = await asyncio.to_thread(gather_evidence, ledger, form, cms, target)
    return json_response(answer, status_code=201)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def record_signatures(ledger: Ledger, leaf: bytes, entry: Entry,
                      attachments: Sequence[AttachmentRef]) -> list[dict[str, Any]]:
    """`signatures` of `GET /v1/records/{id}`: the EIP-712 signature (none for a record signed
    with a CA certificate only), then each CA signature as checked again from the stored evidence
    at acceptance time (cached per record)."""
    shown: list[dict[str, Any]] = [] if entry.signature is None else [{
        "format": "eip712", "signer": entry.operator, "issuer": None, "serial": None,
        "signed_at": _iso(datetime.fromtimestamp(entry.issued_at, UTC)), "status": "valid",
    }]
    if not evidence_documents(attachments):
        return shown
    service = ca_service(ledger.node)
    if service is None:
        return [*shown, *_unchecked(ledger, attachments, CaSignaturesDisabled.code)]
    cached = service.results.get(leaf)
    if cached is None:
        cached = _checked(ledger, service, leaf, entry, attachments)
        service.results[leaf] = cached
        while len(service.results) > MAX_CACHED_RESULTS:
            service.results.popitem(last=False)
    return [*shown, *cached]


def _checked(ledger: Ledger, service: CaService, leaf: bytes, entry: Entry,
             attachments: Sequence[AttachmentRef]) -> list[dict[str, Any]]:
    state = SignatureState(ledger)
    domain: SubmissionDomain = ledger.node.domain
    record = ledger.records.get(LeafHash(leaf))
    assert record is not None, "record_signatures is given a stored record"
    try:
        identity = identity_for(entry.operator, state, record.index)
        results = verify_record_signatures(entry, attachments, identity, state, service.trust,
                                           domain)
    except FilingError as exc:
        return _unchecked(ledger, attachments, exc.code)
    shown = []
    for result in results:
        item: dict[str, Any] = {
            "format": result.format, "signer": result.signer, "issuer": result.issuer,
            "serial": result.serial, "signed_at": _iso(result.signed_at),
            "status": result.status, "tax_code": result.tax_code,
            "message": {"vi": result.message("vi"), "en": result.message("en")},
        }
        if result.format == "pades":
            item["attachment"] = result.attachment
        shown.append(item)
    return shown


def _unchecked(ledger: Ledger, attachments: Sequence[AttachmentRef], status: str
               ) -> list[dict[str, Any]]:
    """One item per evidence document whose signatures could not be checked, of its format
    (`pades` with its PDF's `attachment`)."""
    shown = []
    for form, attachment in listed_signatures(attachments, SignatureState(ledger)):
        item: dict[str, Any] = {
            "format": form, "signer": None, "issuer": None, "serial": None, "signed_at": None,
            "status": status,
            "message": status_messages(status),
        }
        if form == "pades":
            item["attachment"] = attachment
        shown.append(item)
    return shown


def admit_ca_signatures(ledger: Ledger, verdicts: Sequence[Verdict]) -> list[Verdict]:
    """`filings.bindings.ca_refusal` for every admitted item: a refused CA signature refuses
    its record, an accepted one names its evidence (`PreparedSubmission.evidence`) and the
    binding head it was judged by (`PreparedSubmission.judged_by`, which the append checks
    again under the log's head lock: a binding filed meanwhile refuses it). Blocking
    (blob and record reads, ~20-100 ms of CPU a signature)."""
    result = list(verdicts)
    service: CaService | None = None
    state = SignatureState(ledger)
    for position, item in enumerate(result):
        if not isinstance(item, PreparedSubmission) or not ca_checked(item.attachments):
            continue
        service = service or ca_service(ledger.node)
        # read before the bindings the check reads: a binding sequenced in between moves it
        judged_by = (ledger.records.newest_of_subject(binding_subject(item.entry.operator))
                     if evidence_documents(item.attachments) else None)
        refusal = ca_refusal(item.entry, item.attachments, state,
                             None if service is None else service.trust, ledger.node.domain)
        result[position] = refusal or replace(
            item, evidence=evidence_named(item.attachments, state), judged_by=judged_by)
    return result


def evidence_named(attachments: Sequence[AttachmentRef], state: SignatureState
                   ) -> tuple[bytes, ...]:
    """The blobs the evidence documents of an accepted record name: each CMS and each item.

    Only documents the ledger built count: admission requires a listed file's type to be the
    stored one, and only `gather_evidence` stores `EVIDENCE_TYPE` (no upload may), so a file an
    operator uploaded is never published through a document of its own making. Call it after
    `ca_refusal` accepted the record: the documents are then stored and well formed.
    """
    named: list[bytes] = []
    for reference in evidence_documents(attachments):
        data = state.blob(bytes.fromhex(reference.sha256))
        assert data is not None, "ca_refusal accepted a document that is not stored"
        document = EvidenceDocument.parse(data)
        if document.format == "cms":
            named.append(bytes.fromhex(document.target))
        named += [bytes.fromhex(item["sha256"]) for item in document.manifest["items"]]
    return tuple(named)
