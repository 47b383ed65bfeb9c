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


class UnknownArea(SchemaViolation):
    """The area code names no unit of Huế in any code list (`filings.areas`)."""

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


class PdfSignatureUnchecked(SignatureRefused):
    """A listed PDF carries a signature but the record lists no evidence document for it: the
    ledger checks every signed PDF (`POST /v1/signatures/evidence`), so one changed after
    signing is never taken as a plain file."""

    code = "pdf_signature_unchecked"


class NoRecordSignature(SignatureRefused):
    """A record without an EIP-712 signature (`signature` null) lists no CMS signature over its
    fields: PAdES signs a PDF, not the record, so only a CMS can take EIP-712's place."""

    code = "no_record_signature"


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


class OperatorNotBound(SignatureRefused):
    """A CA signature for an operator that no `binding/1` record binds to a certificate
    identity at the record's `issued_at` (`filings.bindings`)."""

    code = "operator_not_bound"


class BindingChanged(SignatureRefused):
    """The operator's binding changed between the check of a record's CA signatures and its
    sequencing: the record would have been judged by a binding no longer the last before it.
    Nothing was stored; submitting it again judges it by the new binding."""

    code = "binding_changed"


class CaSignaturesDisabled(FilingError):
    """The record carries CA signature evidence, but this ledger does not accept CA signatures
    (setting `ca_signatures`)."""

    code = "ca_signatures_disabled"


class AreaNotValid(UnknownArea):
    """The area code names a unit of Huế, but not on that day or not for the whole period: the
    unit was renamed, merged, split or recoded (NQ 1314/NQ-UBTVQH15 from 2025-01-01,
    NQ 1675/NQ-UBTVQH15 from 2025-07-01). The message and `details` name its successors or
    predecessors (`filings.areas`)."""

    code = "area_not_valid"


class InvalidPeriod(SchemaViolation):
    """A period that is not `YYYY`, `YYYY-Hn`, `YYYY-Qn` or `YYYY-MM` (years 2000-2099)."""

    code = "invalid_period"


class RetiredSchema(UnknownSchema):
    """The schema is retired for new submissions (its records stay readable); `details` names
    the successor to file with (`indicator/1` -> `indicator/2`, `permit/1` -> `permit/2`,
    `report/1` -> `report/2`)."""

    code = "retired_schema"


class DuplicateMember(InvalidSubmission):
    """A JSON object of the submission names a member twice: parsers disagree on which one
    counts, so the signer and the server could have hashed different bodies."""

    code = "duplicate_member"


class ControlCharacter(SchemaViolation):
    """A text holds a control character: none in one-line text, only newline and tab in long
    text (C0, DEL and C1 are refused)."""

    code = "control_character"


class UnknownUnit(SchemaViolation):
    """The unit is not one of the units of `filings.units`."""

    code = "unknown_unit"


class ValueOutOfRange(SchemaViolation):
    """The value is outside its unit's bounds (`filings.units`), or not whole where the unit
    counts things."""

    code = "value_out_of_range"


class RatioMismatch(SchemaViolation):
    """A percentage with `numerator` and `denominator` is not 100 * numerator / denominator
    (to 0.05 points), or only one of the two counts is given."""

    code = "ratio_mismatch"


class MediaTypeNotAccepted(InvalidSubmission):
    """The media type is not one the ledger stores (`filings.media.ACCEPTED`): active content
    (HTML, SVG, scripts) and unknown binaries are never accepted."""

    code = "media_type_not_accepted"


class MediaTypeMismatch(FilingError):
    """The bytes are not of the declared media type (`filings.media.sniff`)."""

    code = "media_type_mismatch"


class NotRegistrar(FilingError):
    """The signer does not hold REGISTRAR_ROLE in the OperatorRegistry: only the department
    (Sở KH&CN thành phố Huế) files plans."""

    code = "not_registrar"


class IssuedAtRefused(FilingError):
    """`issued_at` is not a time the record can have been signed at; the subclass says why."""

    code = "issued_at_refused"


class IssuedInFuture(IssuedAtRefused):
    """`issued_at` is more than `filings.admission.CLOCK_TOLERANCE` seconds ahead of the
    server's clock."""

    code = "issued_in_future"


class IssuedBeforePlan(IssuedAtRefused):
    """A figure signed before the start of the plan period that judges it, or a plan signed
    before the date of its own document."""

    code = "issued_before_plan"


class IssuedBeforePeriod(IssuedAtRefused):
    """A figure or report signed before the first day of the period it reports on."""

    code = "issued_before_period"


class PlanMismatch(FilingError):
    """The figure does not fit the plan target that would judge it; the subclass says how."""

    code = "plan_mismatch"


class NoTarget(PlanMismatch):
    """No plan in force has a target for the indicator in a period holding the figure's
    reference date: file the plan first, or check the indicator code and the period."""

    code = "no_target"


class UnitMismatch(PlanMismatch):
    """The figure's unit is not the unit of the target that judges it."""

    code = "unit_mismatch"


class AreaLevelNotReported(PlanMismatch):
    """The target is reported at other levels of area than the figure's (a province-level
    target takes no commune figures)."""

    code = "area_level_not_reported"


class CorrectionMismatch(FilingError):
    """A correction supersedes a record of another kind, schema or subject: a correction
    restates the same thing."""

    code = "correction_mismatch"


class AlreadySuperseded(FilingError):
    """A correction supersedes a record that another record already corrects: correct the
    latest version (`details.superseded_by` when known)."""

    code = "already_superseded"


class PlanAlreadyFiled(FilingError):
    """A plan with this subject is in the log: file a correction that supersedes its latest
    version (`details.record_id`)."""

    code = "plan_already_filed"


class AttachmentMismatch(FilingError):
    """A listed attachment's size or media type is not the stored file's."""

    code = "attachment_mismatch"


class OutsideArea(SchemaViolation):
    """A position or route point is not inside the polygon of the area it is filed in, as that
    area stood on the record's `as_of` day (`filings.infrastructure`)."""

    code = "outside_area"


class PositionMismatch(SchemaViolation):
    """The filed WGS84 position is further than the tolerance from the filed VN-2000
    coordinates converted to WGS84 (`filings.infrastructure.POSITION_TOLERANCE_M`)."""

    code = "position_mismatch"


class AsOfAfterSigning(IssuedAtRefused):
    """An infrastructure record states a thing as of a day after the day it is signed, in
    Việt Nam's calendar."""

    code = "as_of_after_signing"


class UnknownTenant(FilingError):
    """A listed tenant of a site, route or duct is not an active operator of the registry."""

    code = "unknown_tenant"


class NotOwner(FilingError):
    """A new version of a site, route or duct is signed by another operator than its owner,
    the operator of the subject's first record."""

    code = "not_owner"


class AlreadyFiled(FilingError):
    """A first version of a site, route or duct whose subject is in the log already: file a new
    version that supersedes its latest record (`details.record_id`)."""

    code = "already_filed"


class UnknownSite(FilingError):
    """A `siteowner/1` record names a site the log does not hold (nor an earlier item of the
    same request): file the `site/1` record first."""

    code = "unknown_site"


class PersonalDataPublic(SchemaViolation):
    """A record of a kind that holds personal data only (`siteowner/1`) is sent public: it is
    always restricted (send a salt)."""

    code = "personal_data_public"
