"""The API's errors: the refusals of the HTTP server (`ApiError`), and the one table that gives
the domain's refusals (`filings.errors.FilingError`) their HTTP status.

Each class carries a stable machine-readable `code` (what clients branch on; never renamed); the
instance carries a human `message` and optional `details`. An `ApiError` knows its HTTP status;
a `FilingError` does not, and `STATUS` maps each of its classes (the nearest listed base
applies). Errors of the pure core (`ledger.errors.LedgerError`) and of third-party libraries are
translated where the API calls them, with `raise ... from`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, Final

from filings import errors as filing
from filings.errors import Refusal


class ApiError(Refusal):
    """Base of every error raised by the `api` package: a refusal with its HTTP status."""

    code = "api_error"
    http_status: ClassVar[int] = 500


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


class HashMismatch(ApiError):
    """The uploaded bytes do not hash to the SHA-256 in the URL."""

    code = "hash_mismatch"
    http_status = 422


class NotFound(ApiError):
    """No such resource (or none the caller may see)."""

    code = "not_found"
    http_status = 404


class AreaNotFound(NotFound):
    """No area has this code on that day (`details` names the areas the code had, with their
    successors and predecessors, when there were any)."""

    code = "unknown_area"


class IndicatorNotFound(NotFound):
    """No plan in the anchored log names this indicator."""

    code = "unknown_indicator"


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
    """The `X-Operator-Signature` header is malformed or does not recover an address, or the
    `X-Operator` and `X-Operator-Cms` headers are malformed or their CMS is refused
    (`details.reason`: the CA status code; `details.message`: `{"vi", "en"}`)."""

    code = "bad_operator_signature"
    http_status = 401


class CaUploadsDisabled(ApiError):
    """An upload or evidence request authorised by a CMS (`X-Operator-Cms`) to a ledger that
    does not accept CA signatures: a credential it does not take (the code of the domain's
    `ca_signatures_disabled`, which refuses a record's CA signatures with 422)."""

    code = "ca_signatures_disabled"
    http_status = 403


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


class SigningRootsUnavailable(ApiError):
    """CA signatures are on but the server's pinned signing roots cannot be used: a
    misconfiguration (logged, never shown: it names the server's files). Retry once fixed."""

    code = "signing_roots_unavailable"
    http_status = 503


class Unhealthy(ApiError):
    """A part of the server is down; `details` names which."""

    code = "unhealthy"
    http_status = 503


STATUS: Final[Mapping[type[filing.FilingError], int]] = MappingProxyType({
    filing.FilingError: 422,
    filing.BodyTooLarge: 413,
    filing.InvalidDomain: 500,
    filing.InactiveOperator: 403,
    filing.NotRegistrar: 403,
    filing.NotYourRecord: 403,
    filing.AlreadySuperseded: 409,
    filing.PlanAlreadyFiled: 409,
    filing.NotOwner: 403,
    filing.AlreadyFiled: 409,
    filing.BindingChanged: 409,
    filing.UnknownTenant: 422,
    filing.MediaTypeNotAccepted: 415,
})
"""The HTTP status of each domain refusal; a class not listed takes its nearest listed base's."""


def filing_status(error: filing.FilingError) -> int:
    """The HTTP status the API answers `error` with (see `STATUS`)."""
    for cls in type(error).__mro__:
        status = STATUS.get(cls)
        if status is not None:
            return status
    return 500
