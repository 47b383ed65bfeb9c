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
