"""`POST /v1/submissions`: operators' signed records into the log (DESIGN sections 1 and 6).

One submission object, or `{"submissions": [...]}` with at most `max_items`. Every item is
checked on its own (shape, record kind, areas and periods, EIP-712 signature; then the signer's
role in the registry, the clock, the plan target that judges a figure, the superseded record,
the attachments uploaded: `filings.submission` and `filings.admission`; large requests are
checked in `api.http.check_pool`; then the CA signatures a record's evidence documents name,
from the stored evidence: `api.signatures`), and
the valid items go to the sequencer in ONE append, so one signed receipt covers the request, and
the answer comes after the durable commit:

    202 {"results": [{"status": "accepted" | "duplicate" | "rejected", "record_id", "index",
                      "error": {"code", "message", "details"?} | null}, ...],
         "receipt": "<signed infraledger-receipt/v1 note>", "time": <unix seconds>}

`duplicate`: the log already held the same entry (a retry); it keeps its first index. A
rejected item stores nothing; an item the append itself refuses (its CA signatures judged by
an operator binding that a correction replaced before it was sequenced) is `rejected` with
`binding_changed`. A single object that is rejected is answered with its error's
own status and code; a bulk request whose items are all rejected is 422 `all_rejected` with the
per-item results in `details.results`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Final, NoReturn

import msgspec
from fastapi import APIRouter, Request, Response

from api.errors import AllRejected, MalformedRequest, TooDeep, TooManyItems
from api.http.deps import Ledger, LedgerDep, json_response
from api.http.limits import MAX_JSON_DEPTH, check_json_depth, read_body
from api.http.openapi import ERROR_RESPONSES, schema_ref
from api.signatures import admit_ca_signatures
from filings.admission import Verdict, admit, prepare_all
from filings.bindings import binding_changed
from filings.errors import DuplicateMember, FilingError, Refusal
from filings.submission import PreparedSubmission
from ledger.merkle import LeafHash
from ledger.storage.store import PendingEntry

router = APIRouter(tags=["submissions"], responses=ERROR_RESPONSES)

ATTACHMENT_LIST_TYPE: Final = "application/json"
_SHAPE: Final = 'want one submission object or {"submissions": [...]}'
_TOP = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ITEMS = msgspec.json.Decoder(list[msgspec.Raw])


def submission_items(data: bytes, max_items: int) -> tuple[list[bytes], bool]:
    """The raw JSON of each submission of a request body, and whether it was a single object.

    Only the request's own shape is read here (`msgspec.Raw` slices, no values built): each
    item is parsed once, where it is checked. The nesting is measured item by item (an item
    of a bulk sits two levels down, in the request's object and its list): most items hold
    fewer brackets than the limit and need no measure, where the whole body would. Raises
    `TooDeep`, `MalformedRequest`, `TooManyItems` or `DuplicateMember`.
    """
    try:
        top = _TOP.decode(data)
        if "submissions" not in top:
            check_json_depth(data)
            return [data], True
        if len(top) != 1:
            raise MalformedRequest(_SHAPE)
        items = _ITEMS.decode(top["submissions"])
    except RecursionError as exc:  # the parser's own bound, far past MAX_JSON_DEPTH
        raise TooDeep(f"the JSON nests deeper than the limit of {MAX_JSON_DEPTH}") from exc
    except msgspec.ValidationError as exc:
        check_json_depth(data)  # too deep says more than the wrong shape
        raise MalformedRequest(_SHAPE) from exc
    except msgspec.DecodeError as exc:
        check_json_depth(data)
        raise MalformedRequest(f"the body is not JSON: {exc}") from exc
    if not items:
        raise MalformedRequest("submissions: the list is empty")
    if len(items) > max_items:
        raise TooManyItems(f"{len(items)} submissions in one request, limit {max_items}")
    raw = [bytes(item) for item in items]
    for item in raw:
        check_json_depth(item, enclosing=2)
    if data.count(b":") - sum(item.count(b":") for item in raw) != 1:
        # outside its items the request's only colon is that of "submissions"
        raise DuplicateMember('the request names "submissions" twice')
    return raw, False


def store_attachment_lists(ledger: Ledger, admitted: Sequence[PreparedSubmission]) -> None:
    """Keep each record's attachment list, content-addressed by the entry's commitment, so
    records and proof bundles can give it back byte for byte."""
    now = int(ledger.node.clock())
    for item in admitted:
        if item.attachment_list is not None:
            digest = bytes.fromhex(item.entry.attachments[2:])
            ledger.blobs.put(digest, item.attachment_list, ATTACHMENT_LIST_TYPE, now)


def _admitted(ledger: Ledger, verdicts: list[Verdict]) -> list[Verdict]:
    """The stateful rules (`filings.admission`), then the attachment lists of the admitted
    items stored. Blocking (registry and store reads): run in a worker thread."""
    verdicts = admit_ca_signatures(ledger, admit(verdicts, ledger))
    store_attachment_lists(
        ledger, [item for item in verdicts if isinstance(item, PreparedSubmission)]
    )
    return verdicts


def _checked_here(ledger: Ledger, items: Sequence[bytes]) -> list[Verdict]:
    return _admitted(ledger, prepare_all(ledger.node.domain, items))


async def _checked(ledger: Ledger, items: Sequence[bytes]) -> list[Verdict]:
    """Every check of `items`: the stateless stage in the pool for a large request, else
    everything in one worker thread."""
    pool = ledger.checks
    if not pool.takes(len(items)):
        return await asyncio.to_thread(_checked_here, ledger, items)
    prepared = await pool.prepare(ledger.node.domain, items)
    return await asyncio.to_thread(_admitted, ledger, prepared)


def _refuse_all(checked: Sequence[Verdict], single: bool) -> NoReturn:
    """Answer a request whose every item was refused: a single one with its own error, a
    bulk with `all_rejected` and each item's."""
    if single:
        error = checked[0]
        assert isinstance(error, FilingError)
        raise error
    raise AllRejected(
        "every submission was rejected",
        details={"results": [_rejected(item) for item in checked
                             if isinstance(item, FilingError)]},
    )


def _rejected(error: Refusal) -> dict[str, Any]:
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
    items, single = submission_items(
        await read_body(request, settings.max_request_bytes), settings.max_items
    )
    metrics = request.app.state.metrics
    metrics.batch_items.observe(len(items))
    checked = await _checked(ledger, items)
    valid = [item for item in checked if isinstance(item, PreparedSubmission)]
    for item in checked:
        if isinstance(item, FilingError):
            metrics.rejected.labels(item.code).inc()
    if not valid:
        _refuse_all(checked, single)
    appended = await ledger.node.sequencer.append([
        PendingEntry(item.entry, item.leaf_data, item.leaf_hash, item.body_bytes, item.salt,
                     item.attachment_digests + item.evidence, item.judged_by)
        for item in valid
    ])
    places = iter(appended.results)
    results: list[dict[str, Any]] = []
    for position, item in enumerate(checked):
        if isinstance(item, FilingError):
            results.append(_rejected(item))
            continue
        place = next(places)
        if place.refused:
            checked[position] = refusal = binding_changed()
            metrics.rejected.labels(refusal.code).inc()
            results.append(_rejected(refusal))
            continue
        results.append({
            "status": "duplicate" if place.duplicate else "accepted",
            "record_id": LeafHash(place.leaf_hash).hex(),
            "index": place.index,
            "error": None,
        })
    duplicates = sum(1 for place in appended.results if place.duplicate)
    refused = sum(1 for place in appended.results if place.refused)
    metrics.appended.inc(len(appended.results) - duplicates - refused)
    metrics.duplicates.inc(duplicates)
    if appended.receipt is None:
        _refuse_all(checked, single)
    return json_response(
        {"results": results, "receipt": appended.receipt, "time": appended.time},
        status_code=202,
    )
