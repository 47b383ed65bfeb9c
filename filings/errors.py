"""The domain's one error family: every refusal of a filing is a `FilingError`.

Each class carries a stable machine-readable `code` (what clients branch on; never renamed); the
instance carries a human `message` and optional `details`. The domain knows nothing of HTTP: the
API maps each class to a status in one table (`api.errors.STATUS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class Refusal(Exception):
    """What every refusal of ours carries: a stable `code`, a human `message`, `details`.

    The shared shape of the packages' error bases (`FilingError` here, `api.errors.ApiError`,
    `client.errors.ClientError`), so each answers and pickles the same way.
    """

    code: ClassVar[str] = "refused"

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def to_json(self) -> dict[str, Any]:
        """Return `{"code", "message"}` plus `"details"` when there are any."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle with the details (check workers send refusals back to the server)."""
        return (_restored, (type(self), self.message, self.details))


def _restored(cls: type[Refusal], message: str, details: dict[str, Any]) -> Refusal:
    return cls(message, details=details)


class FilingError(Refusal):
    """Base of every error raised by the `filings` package."""

    code = "filing_error"


class InvalidSubmission(FilingError):
    """The submission is malformed: a field is missing, of the wrong type, or out of its limits."""

    code = "invalid_submission"


class BodyTooLarge(InvalidSubmission):
    """The canonical (RFC 8785) body is over the 48 KiB limit."""

    code = "body_too_large"


class UnknownSchema(InvalidSubmission):
    """The kind/schema pair is not a record kind the ledger accepts."""

    code = "unknown_schema"


class SchemaViolation(InvalidSubmission):
    """The body, subject or attachments break the rules of the record kind."""

    code = "schema_violation"


class SubjectMismatch(SchemaViolation):
    """The subject is not the one the body determines (see `filings.kinds`)."""

    code = "subject_mismatch"


class UnknownIndicator(SchemaViolation):
    """The indicator code is not in the catalogue."""

    code = "unknown_indicator"


class UnknownArea(SchemaViolation):
    """The area code is not in the catalogue, or not one the figure may be reported for."""

    code = "unknown_area"


class InvalidDomain(FilingError):
    """The EIP-712 domain is misconfigured (chain id or registry address): a server fault."""

    code = "invalid_domain"


class BadSignature(FilingError):
    """The EIP-712 signature is malformed, not canonical (high s, v not 27/28) or unrecoverable."""

    code = "bad_signature"


class OperatorMismatch(BadSignature):
    """The signature is valid but recovers another address than the submission's `operator`.

    Usually the signer hashed a different body, salt or attachment list than the server did.
    """

    code = "operator_mismatch"


class InactiveOperator(FilingError):
    """The signer is not an active operator in the OperatorRegistry (never registered, or
    revoked)."""

    code = "inactive_operator"


class UnknownRecord(FilingError):
    """A correction supersedes a record id the log does not hold."""

    code = "unknown_record"


class NotYourRecord(FilingError):
    """A correction supersedes a record of another operator."""

    code = "not_your_record"


class MissingAttachment(FilingError):
    """A listed attachment is not in the blob store: upload it first (`PUT /v1/attachments`)."""

    code = "missing_attachment"


class TrustConfigInvalid(FilingError):
    """The signature trust configuration is unusable (an empty or non-CA root bundle, an operator
    identity that names neither a tax code nor a fingerprint): a server fault."""

    code = "trust_config_invalid"


class EvidenceInvalid(FilingError):
    """Stored validation evidence is malformed or a blob does not hash to its address."""

    code = "evidence_invalid"


class SignatureRefused(FilingError):
    """A CA-certificate signature (CMS/CAdES or PAdES) is not accepted; the subclass says why."""

    code = "signature_refused"


class CmsInvalid(SignatureRefused):
    """The CMS SignedData is malformed, not detached, or lacks a mandatory CAdES attribute."""

    code = "cms_invalid"


class SignatureInvalid(SignatureRefused):
    """The signature value does not verify, or the signed digest is not that of the data."""

    code = "signature_invalid"


class PdfInvalid(SignatureRefused):
    """The PDF cannot be read, carries no signature, or a signature has an unsupported form."""

    code = "pdf_invalid"


class PdfModified(SignatureRefused):
    """The PDF was changed after it was signed, or a signature does not cover the whole file."""

    code = "pdf_modified"


class WeakKey(SignatureRefused):
    """The signer's key is below RSA 2048 / ECDSA 256 bits, or of another kind."""

    code = "weak_key"


class WeakAlgorithm(SignatureRefused):
    """A digest or signature algorithm on the signature or its path is not accepted."""

    code = "weak_algorithm"


class CertUntrusted(SignatureRefused):
    """No valid certification path from the certificate to a pinned root."""

    code = "cert_untrusted"


class CertExpired(SignatureRefused):
    """A certificate on the path had expired at the signing time (or at acceptance)."""

    code = "cert_expired"


class CertNotYetValid(SignatureRefused):
    """A certificate on the path was not yet valid at the signing time."""

    code = "cert_not_yet_valid"


class CertRevoked(SignatureRefused):
    """A certificate on the path was revoked at or before the signing time."""

    code = "cert_revoked"


class RevocationUnavailable(SignatureRefused):
    """No usable OCSP response or CRL for a certificate on the path."""

    code = "revocation_unavailable"


class CertKeyUsage(SignatureRefused):
    """The signer's certificate lacks the nonRepudiation (contentCommitment) key usage."""

    code = "cert_key_usage"


class CertIdentity(SignatureRefused):
    """The signer's certificate carries neither the operator's tax code nor a pinned
    fingerprint."""

    code = "cert_identity"


class TimestampInvalid(SignatureRefused):
    """The RFC 3161 signature time-stamp is malformed, not over this signature, or untrusted."""

    code = "timestamp_invalid"


class TimestampMissing(SignatureRefused):
    """The policy requires a signature time-stamp (CAdES-T / PAdES B-T) and there is none."""

    code = "timestamp_missing"


class SigningTimeInvalid(SignatureRefused):
    """The signing time is later than acceptance, or the claimed time is later than the
    time-stamp."""

    code = "signing_time_invalid"


class AreaNotValid(UnknownArea):
    """The area code names a unit of Huế, but not on that day or not for the whole period: the
    unit was renamed, merged, split or recoded (NQ 1314/NQ-UBTVQH15 from 2025-01-01,
    NQ 1675/NQ-UBTVQH15 from 2025-07-01). The message and `details` name its successors or
    predecessors (`filings.areas`)."""

    code = "area_not_valid"


class InvalidPeriod(SchemaViolation):
    """A period that is not `YYYY`, `YYYY-Hn`, `YYYY-Qn` or `YYYY-MM` (years 2000-2099)."""

    code = "invalid_period"
