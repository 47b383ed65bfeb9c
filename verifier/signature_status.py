"""The status of a CA signature (CMS or PAdES), and the errors that give it.

A status is `valid` or the stable code of the reason a signature does not count: the codes the
ledger itself reports in `GET /v1/records/{id}` (`cert_expired`, `cert_revoked`, ...), so the two
can be compared. `SignatureRefused` carries a code and an English diagnostic; `EvidenceMissing`
is the one reason that is not a finding: the files needed to check were not given.
"""

from __future__ import annotations

from typing import Final

from verifier.errors import SignatureError, VerificationError
from verifier.messages import Text, text

VALID: Final = "valid"
STATUS_TEXTS: Final[dict[str, Text]] = {
    VALID: text("sig.status_valid"),
    "cms_invalid": text("sig.status_cms_invalid"),
    "signature_invalid": text("sig.status_signature_invalid"),
    "pdf_invalid": text("sig.status_pdf_invalid"),
    "pdf_modified": text("sig.status_pdf_modified"),
    "weak_key": text("sig.status_weak_key"),
    "weak_algorithm": text("sig.status_weak_algorithm"),
    "cert_untrusted": text("sig.status_cert_untrusted"),
    "cert_expired": text("sig.status_cert_expired"),
    "cert_not_yet_valid": text("sig.status_cert_not_yet_valid"),
    "cert_revoked": text("sig.status_cert_revoked"),
    "revocation_unavailable": text("sig.status_revocation_unavailable"),
    "cert_key_usage": text("sig.status_cert_key_usage"),
    "cert_identity": text("sig.status_cert_identity"),
    "timestamp_invalid": text("sig.status_timestamp_invalid"),
    "signing_time_invalid": text("sig.status_signing_time_invalid"),
    "evidence_invalid": text("sig.status_evidence_invalid"),
    "evidence_missing": text("sig.status_evidence_missing"),
    "no_signing_roots": text("sig.status_no_signing_roots"),
}
"""Every status and its one-line description (`sig.status_<code>` in each catalogue)."""


class SignatureRefused(SignatureError):
    """A CA signature does not count: `code` says why (a key of `STATUS_TEXTS`), `detail`
    names what was compared, in English."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(text("sig.refused", status=STATUS_TEXTS[code], detail=detail))


class EvidenceMissing(VerificationError):
    """A file a CA signature is checked from (the evidence document, the CMS, an evidence
    item, the signed PDF, the binding) was not given: the signature could not be checked."""

    code: Final = "evidence_missing"

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(text("sig.missing", detail=detail))
