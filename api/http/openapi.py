"""The OpenAPI document's shared parts: the error body every 4xx/5xx answers with, and the
schemas of the bodies the routes parse themselves (raw-body validation keeps FastAPI out of
the hot path, so their schemas are declared here)."""

from __future__ import annotations

from typing import Any, Final, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from filings.submission import Submission

REF_TEMPLATE: Final = "#/components/schemas/{model}"


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer: a stable machine-readable `code`, a human `message`, and
    `details` when there is more to say (per-item results, validation errors, missing parts)."""

    code: str = Field(examples=["invalid_submission"])
    message: str
    details: dict[str, Any] | None = None


class SubmissionBatch(BaseModel):
    """Several submissions in one request (at most `max_items`)."""

    submissions: list[Submission]


class ItemError(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None


class SubmissionResult(BaseModel):
    """The fate of one submitted item."""

    status: Literal["accepted", "duplicate", "rejected"]
    record_id: str | None = Field(description="64 lowercase hex: the entry's leaf hash")
    index: int | None
    error: ItemError | None


class SubmissionAnswer(BaseModel):
    """The answer to `POST /v1/submissions` once the batch is durably committed."""

    results: list[SubmissionResult]
    receipt: str = Field(description="signed infraledger-receipt/v1 note (C2SP signed note)")
    time: int


ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    "4XX": {"model": ErrorBody, "description": "Refused: see `code`"},
    "5XX": {"model": ErrorBody, "description": "Server or dependency failure: see `code`"},
}

_DECLARED: Final = (Submission, SubmissionBatch, SubmissionAnswer, ErrorBody)


def schema_ref(name: str) -> dict[str, str]:
    """A `$ref` to a schema declared in the document's components."""
    return {"$ref": REF_TEMPLATE.format(model=name)}


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, with the raw-body schemas added to its components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for model in _DECLARED:
                schema = model.model_json_schema(by_alias=True, ref_template=REF_TEMPLATE)
                schemas.update(schema.pop("$defs", {}))
                schemas[model.__name__] = schema
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
