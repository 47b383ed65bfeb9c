"""The demo's drafts signed with organisation certificates too, through the real API.

A draft whose `ca_signature` is set (`api.demo.sample.CA_SIGNED`) is signed by its operator's
certificate of the sample PKI (`api.demo.pki`) beside the EIP-712 signature, or instead of it,
as docs/submitting.md describes for any operator:

- `cms`: a detached CAdES-T, time-stamped by the sample TSA, over the record's
  `filings.signing.ca_signed_bytes`; the ledger gathers its evidence
  (`POST /v1/signatures/evidence {"cms"}`) and the evidence document joins the attachments;
- `cms-only`: the same, and the submission's `signature` null (`api.demo.command`);
- `pades`: each PDF attachment signed PAdES B-T before it is uploaded, then its evidence
  gathered (`{"pdf": "<sha256>"}`) and listed beside it. The department's yearly report is
  signed so too (`pdf_signing`, `api.admin.report.file_report`).

A CA signature, its time-stamp and the CRLs the ledger fetches differ at each run, so such a
draft never signs to the same entry twice: `filed` finds the record an earlier run filed for it
(same kind, subject and operator), and the demo does not file it again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Final, Self

import httpx

from api.admin.report import PdfSigning
from api.demo.drafts import Draft, SampleFile
from api.demo.pki import SamplePki
from api.errors import ApiError
from api.signatures import HttpxTransport
from client.certificates import CertificateKey
from client.ledger import DEFAULT_TIMEOUT, LedgerClient, SubmissionResult
from filings.signatures import sign_detached
from filings.signing import (
    OPERATOR_SIGNATURE_HEADER,
    AttachmentRef,
    SubmissionDomain,
    ca_signed_bytes,
    checked_attachment,
    sign_attachment,
    signer_address,
    submission_message,
)

PDF: Final = "application/pdf"


class SigningRefused(ApiError):
    """The ledger refused a step of filing a sample CA signature."""

    code = "demo_signing_refused"
    http_status = 500


class CertifiedSigning:
    """Signs the demo's CA drafts with the sample PKI against the ledger at `url`."""

    def __init__(self, url: str, pki: SamplePki) -> None:
        self._pki = pki
        self._http = httpx.Client(base_url=url, timeout=DEFAULT_TIMEOUT, trust_env=False)
        self._transport = HttpxTransport(self._http)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._http.close()

    def filed(self, draft: Draft, operator: str) -> SubmissionResult | None:
        """The record an earlier run filed for CA draft `draft` of EIP-55 `operator`, as a
        duplicate; None when there is none yet (or `draft` is not a CA draft)."""
        if draft.ca_signature is None:
            return None
        answer = self._http.get("/v1/records", params={
            "kind": draft.kind, "subject": draft.subject, "operator": operator, "limit": 1})
        if answer.status_code != 200:
            raise SigningRefused(f"records of {draft.subject}: HTTP {answer.status_code}: "
                                 f"{answer.text}")
        records: list[dict[str, Any]] = answer.json()["records"]
        if not records:
            return None
        return SubmissionResult("duplicate", records[0]["id"], records[0]["index"], None, None,
                                None)

    def files(self, draft: Draft) -> tuple[SampleFile, ...]:
        """The draft's attachments, its PDFs PAdES-signed when the draft is `pades`."""
        if draft.ca_signature != "pades":
            return draft.attachments
        signing = self.pdf_signing(draft.operator)
        return tuple(dataclasses.replace(item, data=signing.sign(item.data))
                     if item.type == PDF else item for item in draft.attachments)

    def pdf_signing(self, slug: str) -> PdfSigning:
        """PAdES B-T by the organisation certificate of `slug` (an operator's, or the
        department's: `REGISTRAR`), time-stamped by the sample TSA."""
        holder = self._pki.organisations[slug]
        return PdfSigning(CertificateKey(holder.key, holder.certificate,
                                         (self._pki.ca.holder.certificate,)),
                          self._pki.tsa_url, self._transport)

    def evidence(self, client: LedgerClient, domain: SubmissionDomain, key: bytes,
                 draft: Draft, attachments: Sequence[AttachmentRef], *,
                 supersedes: str | None, salt: bytes | None) -> list[AttachmentRef]:
        """The evidence documents to list beside `attachments` (the uploaded `files`) for the
        CA signatures of `draft`, gathered by the ledger; none for an EIP-712-only draft.
        Raises `SigningRefused`, or `LedgerRefused` for a CMS the ledger refuses."""
        if draft.ca_signature == "pades":
            return [self._pdf_evidence(item.sha256, key) for item in attachments
                    if item.type == PDF]
        if draft.ca_signature not in ("cms", "cms-only"):
            return []
        message = submission_message(
            kind=draft.kind, schema=draft.schema, subject=draft.subject, body=draft.body,
            salt=salt, attachments=attachments, supersedes=supersedes,
            issued_at=draft.issued_at)
        holder = self._pki.organisations[draft.operator]
        cms = sign_detached(ca_signed_bytes(domain, message, signer_address(key)), holder.key,
                            holder.certificate, [self._pki.ca.holder.certificate],
                            self._pki.tsa_url, transport=self._transport)
        return [client.signature_evidence(cms, key)]

    def _pdf_evidence(self, sha256: str, key: bytes) -> AttachmentRef:
        answer = self._http.post("/v1/signatures/evidence", json={"pdf": sha256},
                                 headers={OPERATOR_SIGNATURE_HEADER: sign_attachment(key, sha256)})
        if answer.status_code != 201:
            raise SigningRefused(f"evidence of PDF {sha256}: HTTP {answer.status_code}: "
                                 f"{answer.text}")
        listed = answer.json()
        return checked_attachment(str(listed["sha256"]), int(listed["size"]),
                                  str(listed["name"]), str(listed["type"]))
