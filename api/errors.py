"""The API's one error family: every refusal the API makes is an `ApiError`.

Each class carries a stable machine-readable `code` (what clients branch on; never renamed) and
the HTTP status the boundary answers with; the instance carries a human `message` and optional
`details`. Errors of the pure core (`ledger.errors.LedgerError`) and of third-party libraries
(pydantic, coincurve) are translated into these where the API calls them, with `raise ... from`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import ValidationError

MAX_REPORTED_ERRORS = 20


class ApiError(Exception):
    """Base of every error raised by the `api` package."""

    code: ClassVar[str] = "api_error"
    http_status: ClassVar[int] = 500

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


class InvalidSubmission(ApiError):
    """The submission is malformed: a field is missing, of the wrong type, or out of its limits."""

    code = "invalid_submission"
    http_status = 422

    @classmethod
    def from_validation_error(cls, exc: ValidationError, *, where: str = "") -> Self:
        """Translate a pydantic error: the first fault in the message, up to 20 in `details`.

        The offending input values are never echoed back (a body may hold personal data).
        """
        errors = [
            {"loc": ".".join([where, *map(str, error["loc"])]).strip("."),
             "type": error["type"], "msg": error["msg"]}
            for error in exc.errors(include_url=False, include_input=False)
        ]
        first = errors[0] if errors else {"loc": where, "msg": "invalid"}
        return cls(f"{first['loc'] or 'value'}: {first['msg']}",
                   details={"errors": errors[:MAX_REPORTED_ERRORS]})


class BodyTooLarge(InvalidSubmission):
    """The canonical (RFC 8785) body is over the 48 KiB limit."""

    code = "body_too_large"
    http_status = 413


class UnknownSchema(InvalidSubmission):
    """The kind/schema pair is not a record kind the API accepts."""

    code = "unknown_schema"


class SchemaViolation(InvalidSubmission):
    """The body, subject or attachments break the rules of the record kind."""

    code = "schema_violation"


class SubjectMismatch(SchemaViolation):
    """The subject is not the one the body determines (see `api.kinds`)."""

    code = "subject_mismatch"


class UnknownIndicator(SchemaViolation):
    """The indicator code is not in the plan 254 catalogue."""

    code = "unknown_indicator"


class UnknownArea(SchemaViolation):
    """The area code is not the province or one of its district-level units, or does not fit."""

    code = "unknown_area"


class InvalidDomain(ApiError):
    """The EIP-712 domain is misconfigured (chain id or registry address): a server fault."""

    code = "invalid_domain"
    http_status = 500


class BadSignature(ApiError):
    """The EIP-712 signature is malformed, not canonical (high s, v not 27/28) or unrecoverable."""

    code = "bad_signature"
    http_status = 422


class OperatorMismatch(BadSignature):
    """The signature is valid but recovers another address than the submission's `operator`.

    Usually the signer hashed a different body, salt or attachment list than the server did.
    """

    code = "operator_mismatch"


# --- Refusals of the HTTP server --------------------------------------------------------------


class MalformedRequest(ApiError):
    """The request body is not JSON, or not the shape the endpoint takes."""

    code = "malformed_request"
    http_status = 400


class InvalidRequest(ApiError):
    """A path or query parameter is out of its range or malformed."""

    code = "invalid_request"
    http_status = 422


class RequestTooLarge(ApiError):
    """The request body is over the server's byte limit (checked while it streams in)."""

    code = "request_too_large"
    http_status = 413


class TooManyItems(ApiError):
    """A bulk submission holds more items than the server takes in one request."""

    code = "too_many_items"
    http_status = 413


class TooDeep(ApiError):
    """The JSON nests deeper than the server parses (checked before parsing)."""

    code = "too_deep"
    http_status = 422


class AllRejected(ApiError):
    """Every item of a bulk submission was rejected; `details.results` says why, item by item."""

    code = "all_rejected"
    http_status = 422


class InactiveOperator(ApiError):
    """The signer is not an active operator in the OperatorRegistry (never registered, or
    revoked)."""

    code = "inactive_operator"
    http_status = 403


class UnknownRecord(ApiError):
    """A correction supersedes a record id the log does not hold."""

    code = "unknown_record"
    http_status = 422


class NotYourRecord(ApiError):
    """A correction supersedes a record of another operator."""

    code = "not_your_record"
    http_status = 403


class MissingAttachment(ApiError):
    """A listed attachment is not in the blob store: upload it first (`PUT /v1/attachments`)."""

    code = "missing_attachment"
    http_status = 422


class HashMismatch(ApiError):
    """The uploaded bytes do not hash to the SHA-256 in the URL."""

    code = "hash_mismatch"
    http_status = 422


class NotFound(ApiError):
    """No such resource (or none the caller may see)."""

    code = "not_found"
    http_status = 404


class NotCheckpointed(NotFound):
    """The record is sequenced but no signed checkpoint covers it yet: retry in a few seconds."""

    code = "not_checkpointed"


class MethodNotAllowed(ApiError):
    """The resource exists but does not answer this HTTP method."""

    code = "method_not_allowed"
    http_status = 405


class InvalidToken(ApiError):
    """The bearer token is missing where one is required, unknown, or revoked."""

    code = "invalid_token"
    http_status = 401


class Forbidden(ApiError):
    """The caller is authenticated but its role may not do this."""

    code = "forbidden"
    http_status = 403


class BadOperatorSignature(ApiError):
    """The `X-Operator-Signature` header is malformed or does not recover an address."""

    code = "bad_operator_signature"
    http_status = 401


class OperatorConflict(ApiError):
    """The registry refused the change: the address is already registered, or not active."""

    code = "operator_conflict"
    http_status = 409


class StoreDown(ApiError):
    """The database cannot be reached; nothing was stored. Retry later."""

    code = "store_unavailable"
    http_status = 503


class ChainDown(ApiError):
    """The chain cannot be reached, or refused the transaction for a reason of its own."""

    code = "chain_unavailable"
    http_status = 503


class Unhealthy(ApiError):
    """A part of the server is down; `details` names which."""

    code = "unhealthy"
    http_status = 503
