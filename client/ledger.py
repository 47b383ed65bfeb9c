"""A client of a ledger's HTTP API (DESIGN section 6), for operators' tools and the demo.

    with LedgerClient("https://ledger.example.vn") as ledger:
        domain = ledger.domain()
        scan = ledger.upload_attachment(Path("report.pdf"), "application/pdf", key)
        submission = prepare_submission(
            key, domain, kind="report", schema="report/2", subject="report:2024:annual",
            body={...}, attachments=[scan], issued_at=1735689600,
        )
        [result] = ledger.submit([submission])
        print(result.status, result.record_id, result.index)

`submit` sends submissions in bulk, in as few requests as the server's limits allow (at most
`max_items` items and `max_request_bytes` bytes a request), and answers one `SubmissionResult` per
submission, in order. Refusals of single submissions are results with status `rejected`, not
exceptions (also when every item of a request is rejected, which the server answers with 422
`all_rejected`). A request the server refuses as a whole (another 4xx or 5xx with
`{"code", "message"}`) raises `LedgerRefused` with the server's code, message and HTTP status; a
server that cannot be reached raises `LedgerUnreachable`. Both are `ClientError`s.

Attachments are uploaded before the submission that lists them: `PUT /v1/attachments/<sha256>`
with the raw file, its media type, and the header `X-Operator-Signature`, an EIP-191
`personal_sign` by an active operator of the text `InfraLedger attachment <sha256 hex>`.

An operator that signs with its organisation certificate only (no secp256k1 key) is a
`CertificateOperator`: its uploads and evidence requests carry `X-Operator` (its address) and
`X-Operator-Cms` (a detached CAdES-BES over the same text), which the ledger checks online
against the address's binding; its records are `ca_only_submission`s, `"signature": null`,
signed by the CMS whose evidence document they list.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self, cast

import httpx

from client.certificates import CertificateSigner, sign_cms
from client.errors import LedgerRefused, LedgerUnreachable, bilingual
from filings.errors import FilingError, InvalidSubmission
from filings.signing import (
    OPERATOR_CMS_HEADER,
    OPERATOR_HEADER,
    OPERATOR_SIGNATURE_HEADER,
    AttachmentRef,
    SubmissionDomain,
    attachment_message,
    checked_attachment,
    checksum_address,
    sign_attachment,
    sign_submission,
    signer_address,
    submission_message,
)

DEFAULT_MAX_ITEMS: Final = 1000
DEFAULT_MAX_REQUEST_BYTES: Final = 4 * 1024 * 1024
DEFAULT_TIMEOUT: Final = 60.0
LISTING_PAGE: Final = 500
"""Records a page of `GET /v1/records` asks for: the most the ledger serves at once."""

ALL_REJECTED: Final = "all_rejected"
"""The error code of a bulk request whose every item was rejected (results in its details)."""
_BULK_OPEN: Final = b'{"submissions":['
_BULK_CLOSE: Final = b"]}"
_RECORD_ID: Final = re.compile(r"[0-9a-f]{64}")

Status = Literal["accepted", "duplicate", "rejected"]


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    """The ledger's answer for one submission.

    `record_id` and `index` are set when the submission was accepted or was a duplicate of a
    record already in the log; `error` (`{"code", "message", ...}`) when it was rejected.
    `receipt` is the signed receipt note (`ledger.receipt`) of the request that carried it,
    and `time` the unix time of that request's durable commit.
    """

    status: Status
    record_id: str | None
    index: int | None
    error: dict[str, Any] | None
    receipt: str | None
    time: int | None

    @property
    def ok(self) -> bool:
        """True when the record is in the log (accepted now or before)."""
        return self.status != "rejected"


@dataclass(frozen=True)
class CertificateOperator:
    """An operator that signs with its organisation certificate instead of a key: its EIP-55
    `address` (registered in the OperatorRegistry and bound to the certificate's identity by a
    `binding/1` record) and the certificate's `signer` (a file or a PKCS#11 token)."""

    address: str
    signer: CertificateSigner

    def upload_headers(self, sha256_hex: str) -> dict[str, str]:
        """`X-Operator` and `X-Operator-Cms`: a detached CAdES-BES over the ASCII text
        `InfraLedger attachment <sha256 hex>`, never time-stamped (the ledger judges it at the
        time of the request)."""
        cms = sign_cms(attachment_message(sha256_hex).encode("ascii"), self.signer)
        return {OPERATOR_HEADER: self.address,
                OPERATOR_CMS_HEADER: base64.b64encode(cms).decode("ascii")}


UploadSigner = bytes | CertificateOperator
"""Who authorises an upload or an evidence request: the operator's secp256k1 private key
(`X-Operator-Signature`), or its organisation certificate."""


def upload_headers(signer: UploadSigner, sha256_hex: str) -> dict[str, str]:
    """The headers that authorise the upload of the file of SHA-256 `sha256_hex`."""
    if isinstance(signer, CertificateOperator):
        return signer.upload_headers(sha256_hex)
    return {OPERATOR_SIGNATURE_HEADER: sign_attachment(signer, sha256_hex)}


def prepare_submission(
    private_key: bytes,
    domain: SubmissionDomain,
    *,
    kind: str,
    schema: str,
    subject: str,
    body: Mapping[str, Any],
    issued_at: int,
    salt: bytes | None = None,
    attachments: Iterable[AttachmentRef] = (),
    supersedes: str | None = None,
) -> dict[str, Any]:
    """A signed submission, ready for `LedgerClient.submit`.

    Hashes the body (with the 32-byte `salt` of a restricted record) and the attachment list,
    and signs the EIP-712 message in `domain`. Raises `InvalidSubmission` when the body cannot
    be canonicalised or an attachment is listed twice.
    """
    listed = list(attachments)
    message = submission_message(
        kind=kind, schema=schema, subject=subject, body=body, salt=salt,
        attachments=listed, supersedes=supersedes, issued_at=issued_at,
    )
    return _submission(signer_address(private_key), sign_submission(private_key, domain, message),
                       kind=kind, schema=schema, subject=subject, body=body, issued_at=issued_at,
                       salt=salt, attachments=listed, supersedes=supersedes)


def ca_only_submission(
    operator: str,
    *,
    kind: str,
    schema: str,
    subject: str,
    body: Mapping[str, Any],
    issued_at: int,
    salt: bytes | None = None,
    attachments: Iterable[AttachmentRef] = (),
    supersedes: str | None = None,
) -> dict[str, Any]:
    """A submission signed with a CA certificate only: `"signature": null`, by `operator`.

    `attachments` must list the evidence document of a CMS over `filings.signing.
    ca_signed_bytes(domain, message, operator)` (the message's attachments being the list less
    its evidence documents): the ledger refuses the record `no_record_signature` otherwise.
    Raises `InvalidSubmission` for a bad address, a body that cannot be canonicalised or an
    attachment listed twice.
    """
    listed = list(attachments)
    submission_message(kind=kind, schema=schema, subject=subject, body=body, salt=salt,
                       attachments=listed, supersedes=supersedes, issued_at=issued_at)
    return _submission(checksum_address(operator), None, kind=kind, schema=schema,
                       subject=subject, body=body, issued_at=issued_at, salt=salt,
                       attachments=listed, supersedes=supersedes)


def _submission(operator: str, signature: str | None, *, kind: str, schema: str, subject: str,
                body: Mapping[str, Any], issued_at: int, salt: bytes | None,
                attachments: Sequence[AttachmentRef], supersedes: str | None
                ) -> dict[str, Any]:
    submission: dict[str, Any] = {
        "kind": kind,
        "schema": schema,
        "subject": subject,
        "operator": operator,
        "body": dict(body),
        "attachments": [item.to_json() for item in attachments],
        "supersedes": supersedes,
        "issued_at": issued_at,
        "signature": signature,
    }
    if salt is not None:
        submission["salt"] = "0x" + salt.hex()
    return submission


class LedgerClient:
    """A synchronous client of one ledger server (see the module docstring).

    `token`: a bearer token (inspector or registrar) sent with every request. `transport`: an
    httpx transport to use instead of the network (tests, in-process servers). Use it as a
    context manager, or call `close`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_items: int = DEFAULT_MAX_ITEMS,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if max_items < 1 or max_request_bytes < len(_BULK_OPEN) + len(_BULK_CLOSE) + 2:
            raise ValueError("max_items and max_request_bytes must leave room for one item")
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.base_url = base_url.rstrip("/")
        self.max_items = max_items
        self.max_request_bytes = max_request_bytes
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    # -- reading --------------------------------------------------------------------------------

    def log_info(self) -> dict[str, Any]:
        """`GET /v1/log`: origin, verifier key, tree size, chain id, RPC URLs and contracts."""
        return self._json("GET", "/v1/log")

    def domain(self) -> SubmissionDomain:
        """The EIP-712 domain submissions to this ledger are signed in (from `/v1/log`).

        Raises `LedgerRefused` when the server's answer does not name a valid domain.
        """
        info = self.log_info()
        try:
            return SubmissionDomain(info["chain_id"], info["operator_registry"])
        except (KeyError, FilingError) as exc:
            raise LedgerRefused("bad_log_info", bilingual(
                "/v1/log không nêu miền EIP-712", f"/v1/log names no EIP-712 domain: {exc}"
            ), 200) from exc

    def record(self, record_id: str) -> dict[str, Any]:
        """`GET /v1/records/<id>`: the record, its entry, its status and (if visible) its body."""
        return self._json("GET", f"/v1/records/{record_id}")

    def records(self, *, kind: str | None = None, subject: str | None = None,
                operator: str | None = None) -> Iterator[dict[str, Any]]:
        """`GET /v1/records` with the filters given: each record's summary (`{"id", "index",
        "entry", "restricted", "status", "sequenced_at"}`), in index order, page after page
        (`next_cursor`) as the iteration goes on.

        Raises `LedgerRefused` when a page is refused or is not a listing, or
        `LedgerUnreachable`."""
        filters = {name: value for name, value in
                   (("kind", kind), ("subject", subject), ("operator", operator))
                   if value is not None}
        cursor: str | None = None
        while True:
            page = self._json("GET", "/v1/records", params={
                **filters, "limit": LISTING_PAGE, **({} if cursor is None else {"cursor": cursor}),
            })
            found = page.get("records")
            following = page.get("next_cursor")
            if not isinstance(found, list) or not all(_is_summary(item) for item in found) \
                    or not (following is None or isinstance(following, str)):
                raise LedgerRefused("bad_response", bilingual(
                    "GET /v1/records không trả về một danh sách bản ghi",
                    "GET /v1/records answered no record listing"), 200)
            yield from found
            if following is None:
                return
            cursor = following

    def proof(self, record_id: str) -> dict[str, Any]:
        """`GET /v1/records/<id>/proof`: the `infraledger-proof/1` bundle of the record."""
        return self._json("GET", f"/v1/records/{record_id}/proof")

    # -- writing --------------------------------------------------------------------------------

    def upload_attachment(
        self,
        path_or_bytes: Path | bytes,
        media_type: str,
        signer: UploadSigner,
        *,
        name: str | None = None,
    ) -> AttachmentRef:
        """Upload a file to the ledger's blob store, authorised by `signer` (the operator's
        key, or its `CertificateOperator`).

        `name` defaults to the file's name (it is required for bytes). Returns the attachment
        to list in a submission. Raises `InvalidSubmission` when the name or the media type is
        not acceptable, `OSError` when the file cannot be read, `LedgerRefused` when the server
        refuses the upload (a signer who is not an active operator, a certificate it refuses:
        `bad_operator_signature` with `details.reason`, a file over the limit).
        """
        if isinstance(path_or_bytes, Path):
            data = path_or_bytes.read_bytes()
            name = path_or_bytes.name if name is None else name
        else:
            data = path_or_bytes
        if name is None:
            raise InvalidSubmission("attachment name: required when uploading bytes")
        sha256 = hashlib.sha256(data).hexdigest()
        attachment = checked_attachment(sha256, len(data), name, media_type)
        self._send(
            "PUT", f"/v1/attachments/{sha256}", content=data,
            headers={"Content-Type": media_type, **upload_headers(signer, sha256)},
        )
        return attachment

    def signature_evidence(self, cms: bytes, signer: UploadSigner) -> AttachmentRef:
        """Have the ledger gather and store the evidence of a detached CMS signature
        (`POST /v1/signatures/evidence`, authorised by `signer` over the CMS's SHA-256).

        Returns the evidence document to list as an attachment of the record the CMS signs.
        Raises `LedgerRefused` when the ledger does not accept CA signatures or the signer.
        """
        return self._evidence({"cms": base64.b64encode(cms).decode()},
                              hashlib.sha256(cms).hexdigest(), signer)

    def pdf_evidence(self, pdf: AttachmentRef, signer: UploadSigner) -> AttachmentRef:
        """Have the ledger gather and store the evidence of the PAdES signatures of an uploaded
        PDF (`POST /v1/signatures/evidence` with `{"pdf": <its SHA-256>}`, authorised by
        `signer` as its upload was).

        Returns the evidence document to list beside the PDF. Raises `LedgerRefused` as
        `signature_evidence` does, and when the PDF is not uploaded as `application/pdf`.
        """
        return self._evidence({"pdf": pdf.sha256}, pdf.sha256, signer)

    def _evidence(self, request: dict[str, str], sha256: str,
                  signer: UploadSigner) -> AttachmentRef:
        answer = self._json(
            "POST", "/v1/signatures/evidence", json=request,
            headers=upload_headers(signer, sha256),
        )
        try:
            return checked_attachment(str(answer["sha256"]), int(answer["size"]),
                                      str(answer["name"]), str(answer["type"]))
        except (KeyError, TypeError, ValueError, FilingError) as exc:
            raise LedgerRefused("bad_response", bilingual(
                "POST /v1/signatures/evidence không trả về tài liệu bằng chứng",
                f"POST /v1/signatures/evidence answered no evidence document: {exc}",
            ), 201) from exc

    def submit(
        self,
        submissions: Sequence[Mapping[str, Any]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> list[SubmissionResult]:
        """Send signed submissions in bulk requests; one result per submission, in order.

        `progress` is called with the number of submissions each request carried, once it is
        answered. Raises `LedgerRefused` when a request is refused as a whole (the results of
        the requests before it are then lost to the caller, but not to the log: sending them
        again answers `duplicate`), or `LedgerUnreachable`.
        """
        results: list[SubmissionResult] = []
        for chunk in self._chunks(submissions):
            body = _BULK_OPEN + b",".join(chunk) + _BULK_CLOSE
            try:
                reply = self._json(
                    "POST", "/v1/submissions", content=body,
                    headers={"Content-Type": "application/json"},
                )
            except LedgerRefused as exc:
                if exc.code != ALL_REJECTED:
                    raise
                reply = {"results": exc.details.get("results")}
            results.extend(_results(reply, len(chunk)))
            if progress is not None:
                progress(len(chunk))
        return results

    def _chunks(
        self, submissions: Sequence[Mapping[str, Any]]
    ) -> Iterator[list[bytes]]:
        """The submissions as JSON, grouped under the item and byte limits of one request."""
        room = self.max_request_bytes - len(_BULK_OPEN) - len(_BULK_CLOSE)
        chunk: list[bytes] = []
        size = 0
        for item in submissions:
            encoded = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
            added = len(encoded) + (1 if chunk else 0)
            if chunk and (len(chunk) == self.max_items or size + added > room):
                yield chunk
                chunk, size, added = [], 0, len(encoded)
            chunk.append(encoded)
            size += added
        if chunk:
            yield chunk

    # -- transport ------------------------------------------------------------------------------

    def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = self._send(method, path, **kwargs)
        try:
            value = response.json()
        except ValueError as exc:
            raise LedgerRefused("bad_response", bilingual(
                f"{method} {path} trả về dữ liệu không phải JSON",
                f"{method} {path} answered something that is not JSON",
            ), response.status_code) from exc
        if not isinstance(value, dict):
            raise LedgerRefused("bad_response", bilingual(
                f"{method} {path} trả về JSON không phải một đối tượng",
                f"{method} {path} answered JSON that is not an object",
            ), response.status_code)
        return value

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise LedgerUnreachable(bilingual(f"không kết nối được sổ cái {self.base_url}",
                                              f"{method} {self.base_url}{path}: {exc}")) from exc
        if response.is_success:
            return response
        raise _refusal(response)


def _is_summary(item: Any) -> bool:
    """Whether `item` of a listing has a record id and an entry object."""
    return isinstance(item, dict) and isinstance(item.get("id"), str) \
        and _RECORD_ID.fullmatch(item["id"]) is not None and isinstance(item.get("entry"), dict)


def _refusal(response: httpx.Response) -> LedgerRefused:
    """The server's `{"code", "message"}` error as an exception (or the bare HTTP status)."""
    try:
        error = response.json()
    except ValueError:
        error = None
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        details = error.get("details")
        return LedgerRefused(
            error["code"], str(error.get("message", "")), response.status_code,
            details=details if isinstance(details, dict) else None,
        )
    return LedgerRefused(
        f"http_{response.status_code}", response.reason_phrase or "error", response.status_code
    )


def _results(reply: Mapping[str, Any], count: int) -> Iterator[SubmissionResult]:
    """Read the `results` of one bulk request; raises `LedgerRefused` on a malformed answer."""
    results = reply.get("results")
    if not isinstance(results, list) or len(results) != count:
        got = len(results) if isinstance(results, list) else type(results).__name__
        raise LedgerRefused("bad_response", bilingual(
            f"câu trả lời cần có {count} kết quả, nhưng có {got}",
            f"want {count} results in the answer, got {got}"), 202)
    receipt = reply.get("receipt")
    time = reply.get("time")
    for item in results:
        status = item.get("status") if isinstance(item, dict) else None
        if status not in ("accepted", "duplicate", "rejected"):
            raise LedgerRefused("bad_response", bilingual(
                f"trạng thái kết quả không rõ {status!r}", f"unknown result status {status!r}"
            ), 202)
        yield SubmissionResult(
            status=cast(Status, status),
            record_id=item.get("record_id"),
            index=item.get("index"),
            error=item.get("error"),
            receipt=receipt if isinstance(receipt, str) else None,
            time=time if isinstance(time, int) else None,
        )
