"""`POST /v1/submissions`: operators' signed records into the log (DESIGN sections 1 and 6).

One submission object, or `{"submissions": [...]}` with at most `max_items`. Every item is
checked on its own (shape, record kind and catalogue, EIP-712 signature, operator active in
the registry, superseded record, attachments uploaded; see `api.routes.checking` for where), and
the valid items go to the sequencer in ONE append, so one signed receipt covers the request, and
the answer comes after the durable commit:

    202 {"results": [{"status": "accepted" | "duplicate" | "rejected", "record_id", "index",
                      "error": {"code", "message", "details"?} | null}, ...],
         "receipt": "<signed infraledger-receipt/v1 note>", "time": <unix seconds>}

`duplicate`: the log already held the same entry (a retry); it keeps its first index. A
rejected item stores nothing. A single object that is rejected is answered with its error's
own status and code; a bulk request whose items are all rejected is 422 `all_rejected` with the
per-item results in `details.results`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Final

from fastapi import APIRouter, Request, Response

from api.errors import (
    AllRejected,
    ApiError,
    InactiveOperator,
    MalformedRequest,
    MissingAttachment,
    NotYourRecord,
    TooManyItems,
    UnknownRecord,
)
from api.routes.checking import Checked, CheckedItem, check_stateless
from api.routes.deps import Ledger, LedgerDep, json_response
from api.routes.limits import parse_json_body, read_body
from api.routes.openapi import ERROR_RESPONSES, schema_ref
from ledger.entry import parse_record_id
from ledger.merkle import LeafHash

router = APIRouter(tags=["submissions"], responses=ERROR_RESPONSES)

ATTACHMENT_LIST_TYPE: Final = "application/json"


def check_items(ledger: Ledger, items: Sequence[Any]) -> list[Checked]:
    """Both stages of the checks of every item, in this thread."""
    return check_state(ledger, check_stateless(ledger.node.domain, items))


def check_state(ledger: Ledger, checked: list[Checked]) -> list[Checked]:
    """The checks that ask the node and the store, and the storing of the attachment lists of
    the valid items. Blocking (a registry read when the operator cache is old, store queries
    for corrections and attachments): run in a worker thread."""
    operators = ledger.node.operators
    for position, item in enumerate(checked):
        if isinstance(item, CheckedItem) and not operators.is_active(item.entry.operator):
            checked[position] = InactiveOperator(
                f"{item.entry.operator} is not an active operator in the registry"
            )
    _check_superseded(ledger, checked)
    _check_attachments(ledger, checked)
    _store_attachment_lists(ledger, checked)
    return checked


def _check_superseded(ledger: Ledger, checked: list[Checked]) -> None:
    wanted = {
        parse_record_id(item.entry.supersedes) for item in checked
        if isinstance(item, CheckedItem) and item.entry.supersedes is not None
    }
    owners = ledger.records.operators_of(wanted)
    for position, item in enumerate(checked):
        if not isinstance(item, CheckedItem) or item.entry.supersedes is None:
            continue
        owner = owners.get(parse_record_id(item.entry.supersedes))
        if owner is None:
            checked[position] = UnknownRecord(
                f"supersedes {item.entry.supersedes}: the log holds no such record"
            )
        elif owner != item.entry.operator:
            checked[position] = NotYourRecord(
                f"supersedes a record of {owner}: only its own operator may correct it"
            )


def _check_attachments(ledger: Ledger, checked: list[Checked]) -> None:
    digests = {d for item in checked if isinstance(item, CheckedItem)
               for d in item.pending.attachments}
    missing = ledger.blobs.missing(digests)
    if not missing:
        return
    for position, item in enumerate(checked):
        if isinstance(item, CheckedItem):
            absent = sorted(d.hex() for d in item.pending.attachments if d in missing)
            if absent:
                checked[position] = MissingAttachment(
                    f"attachment {absent[0]} is not uploaded: PUT /v1/attachments/{absent[0]} "
                    "first", details={"missing": absent},
                )


def _store_attachment_lists(ledger: Ledger, checked: list[Checked]) -> None:
    """Keep each record's attachment list, content-addressed by the entry's commitment, so
    records and proof bundles can give it back byte for byte."""
    now = int(ledger.node.clock())
    for item in checked:
        if isinstance(item, CheckedItem) and item.attachment_list is not None:
            digest = bytes.fromhex(item.entry.attachments[2:])
            ledger.blobs.put(digest, item.attachment_list, ATTACHMENT_LIST_TYPE, now)


async def _checked(ledger: Ledger, items: Sequence[Any]) -> list[Checked]:
    """Check `items`: the stateless stage in the pool for a large request, else everything in
    one worker thread."""
    pool = ledger.checks
    if not pool.takes(len(items)):
        return await asyncio.to_thread(check_items, ledger, items)
    checked = await pool.check(ledger.node.domain, items)
    return await asyncio.to_thread(check_state, ledger, checked)


def _items_of(value: Any, max_items: int) -> tuple[list[Any], bool]:
    """The submissions of a request body and whether it was a single object."""
    if isinstance(value, dict) and "submissions" not in value:
        return [value], True
    if (isinstance(value, dict) and set(value) == {"submissions"}
            and isinstance(value["submissions"], list)):
        items: list[Any] = value["submissions"]
        if not items:
            raise MalformedRequest("submissions: the list is empty")
        if len(items) > max_items:
            raise TooManyItems(f"{len(items)} submissions in one request, limit {max_items}")
        return items, False
    raise MalformedRequest('want one submission object or {"submissions": [...]}')


def _rejected(error: ApiError) -> dict[str, Any]:
    return {"status": "rejected", "record_id": None, "index": None, "error": error.to_json()}


@router.post(
    "/v1/submissions",
    status_code=202,
    summary="Submit signed records (one, or a bulk list)",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"oneOf": [schema_ref("Submission"), schema_ref("SubmissionBatch")]},
    }}}},
    responses={202: {"description": "Per-item results and the signed receipt of the commit",
                     "content": {"application/json": {"schema": schema_ref("SubmissionAnswer")}}}},
)
async def submit(request: Request, ledger: LedgerDep) -> Response:
    """Validate, sequence and durably commit operator submissions (see the module doc)."""
    settings = ledger.node.settings
    items, single = _items_of(
        parse_json_body(await read_body(request, settings.max_request_bytes)),
        settings.max_items,
    )
    metrics = request.app.state.metrics
    metrics.batch_items.observe(len(items))
    checked = await _checked(ledger, items)
    valid = [item for item in checked if isinstance(item, CheckedItem)]
    for item in checked:
        if isinstance(item, ApiError):
            metrics.rejected.labels(item.code).inc()
    if not valid:
        if single:
            error = checked[0]
            assert isinstance(error, ApiError)
            raise error
        raise AllRejected(
            "every submission was rejected",
            details={"results": [_rejected(item) for item in checked
                                 if isinstance(item, ApiError)]},
        )
    appended = await ledger.node.sequencer.append([item.pending for item in valid])
    places = iter(appended.results)
    results: list[dict[str, Any]] = []
    for item in checked:
        if isinstance(item, ApiError):
            results.append(_rejected(item))
            continue
        place = next(places)
        results.append({
            "status": "duplicate" if place.duplicate else "accepted",
            "record_id": LeafHash(place.leaf_hash).hex(),
            "index": place.index,
            "error": None,
        })
    duplicates = sum(1 for place in appended.results if place.duplicate)
    metrics.appended.inc(len(appended.results) - duplicates)
    metrics.duplicates.inc(duplicates)
    return json_response(
        {"results": results, "receipt": appended.receipt, "time": appended.time},
        status_code=202,
    )
