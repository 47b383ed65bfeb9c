"""Records: by id, listed by filters, looked up by SHA-256, and their proof bundles.

`GET /v1/records/{id}`:

    {"id", "index", "entry": {...}, "body": {...} | null, "salt": "0x.." (restricted records
     shown to inspectors only), "restricted": bool, "attachments": [...],
     "status": "sequenced" | "checkpointed" | "anchored", "superseded_by": [ids], "sequenced_at",
     "signatures": [{"format": "eip712" | "cms" | "pades", "signer", "issuer", "serial",
                     "signed_at", "status": "valid" | <refusal code>, "attachment"? (pades),
                     "tax_code"?, "message"?: {"vi", "en"}}]}

`signatures` lists the EIP-712 signature (signer: the operator's address; none when the entry's
`signature` is null, a record signed with a CA certificate only) and each CA signature the
record's evidence documents name, checked again from the stored evidence (`api.signatures`).

A restricted record's body is null for everyone but inspectors. Listings and lookups give
`{"id", "index", "entry", "restricted", "status", "sequenced_at"}` per record; listings page by
index with an opaque `cursor` (`next_cursor` is null on the last page).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Query, Response

from api.errors import InvalidRequest, NotCheckpointed, NotFound
from api.http.auth import CallerDep
from api.http.deps import Ledger, LedgerDep, anchor_json, hex32, json_response
from api.http.openapi import ERROR_RESPONSES
from api.signatures import record_signatures
from filings.errors import InvalidSubmission
from filings.signing import NO_ATTACHMENTS, AttachmentRef, checksum_address
from ledger.entry import Entry
from ledger.errors import LedgerError, LogIntegrityError
from ledger.merkle import LeafHash
from ledger.storage.records import MAX_PAGE, ProofSource, RecordFilter, StoredRecord

router = APIRouter(tags=["records"], responses=ERROR_RESPONSES)

PROOF_FORMAT: Final = "infraledger-proof/1"
TLOG_PROOF_HEADER: Final = "c2sp.org/tlog-proof@v1"
EMPTY_LIST_COMMITMENT: Final = "0x" + NO_ATTACHMENTS.hex()
_CURSOR_PREFIX: Final = "i:"

RecordIdPath = Annotated[str, "64 lowercase hex digits"]


def parse_id(text: str) -> LeafHash:
    """A record id from a path: 64 lowercase hex digits; raises `InvalidRequest`."""
    if len(text) != 64 or text.strip("0123456789abcdef"):
        raise InvalidRequest(f"record id {text[:80]!r}: want 64 lowercase hex digits")
    return LeafHash(bytes.fromhex(text))


def _found(ledger: Ledger, record_id: str) -> StoredRecord:
    record = ledger.records.get(parse_id(record_id))
    if record is None:
        raise NotFound(f"no record {record_id}")
    return record


def attachment_list(ledger: Ledger, commitment: str) -> Any:
    """The attachment list whose JCS SHA-256 is `commitment`, as stored JSON bytes."""
    if commitment == EMPTY_LIST_COMMITMENT:
        return []
    blob = ledger.blobs.get(bytes.fromhex(commitment[2:]))
    if blob is None:
        raise LogIntegrityError(f"the attachment list {commitment} is not stored")
    return orjson.Fragment(blob.data)


def _visible(record: StoredRecord, inspector: bool) -> bool:
    """Whether the body is shown: public bodies to all, restricted ones to inspectors only."""
    return record.body is not None and (not record.restricted or inspector)


def summary(record: StoredRecord) -> dict[str, Any]:
    """A record as listings show it."""
    return {
        "id": record.leaf_hash.hex(),
        "index": record.index,
        "entry": orjson.Fragment(record.data),
        "restricted": record.restricted,
        "status": record.status,
        "sequenced_at": record.sequenced_at,
    }


def _signatures(ledger: Ledger, record: StoredRecord, entry: dict[str, Any]) -> Any:
    """The record's signatures (`api.signatures.record_signatures`)."""
    commitment = entry["attachments"]
    blob = None if commitment == EMPTY_LIST_COMMITMENT else \
        ledger.blobs.get(bytes.fromhex(commitment[2:]))
    items = [] if blob is None else orjson.loads(blob.data)
    refs = [AttachmentRef(i["sha256"], i["size"], i["name"], i["type"]) for i in items]
    return record_signatures(ledger, bytes(record.leaf_hash), Entry.from_json(entry), refs)


@router.get("/v1/records/{record_id}", summary="One record, its body and its status")
def get_record(record_id: RecordIdPath, ledger: LedgerDep, who: CallerDep) -> Response:
    record = _found(ledger, record_id)
    entry = orjson.loads(record.data)
    shown = _visible(record, who.inspector)
    answer: dict[str, Any] = {
        "id": record_id,
        "index": record.index,
        "entry": orjson.Fragment(record.data),
        "body": orjson.Fragment(record.body) if shown and record.body is not None else None,
        "restricted": record.restricted,
        "attachments": attachment_list(ledger, entry["attachments"]),
        "status": record.status,
        "superseded_by": [leaf.hex() for leaf in record.superseded_by],
        "sequenced_at": record.sequenced_at,
        "signatures": _signatures(ledger, record, entry),
    }
    if shown and record.salt is not None:
        answer["salt"] = hex32(record.salt)
    return json_response(answer)


def _cursor_start(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit():
        raise InvalidRequest("cursor: not a cursor this server gave out")
    return int(number)


def cursor_for(start: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{start}".encode()).decode().rstrip("=")


@router.get("/v1/records", summary="Records by kind, subject and operator, paged by index")
def list_records(
    ledger: LedgerDep,
    kind: Annotated[str | None, Query(max_length=32)] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    operator: Annotated[str | None, Query(max_length=42)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    if operator is not None:
        try:
            operator = checksum_address(operator)
        except InvalidSubmission as exc:
            raise InvalidRequest(f"operator: {exc.message}") from exc
    found = ledger.records.find(RecordFilter(
        kind=kind, subject=subject, operator=operator, start=_cursor_start(cursor), limit=limit,
    ))
    following = cursor_for(found[-1].index + 1) if len(found) == limit else None
    return json_response({"records": [summary(r) for r in found], "next_cursor": following})


@router.get("/v1/lookup/sha256/{digest}",
            summary="Records whose public body or an attachment has this SHA-256")
def lookup_sha256(digest: str, ledger: LedgerDep) -> Response:
    text = digest.lower().removeprefix("0x")
    if len(text) != 64 or text.strip("0123456789abcdef"):
        raise InvalidRequest(f"sha256 {digest[:80]!r}: want 64 hex digits")
    found = ledger.records.with_sha256(bytes.fromhex(text))
    return json_response({"sha256": text, "records": [summary(r) for r in found]})


@router.get("/v1/records/{record_id}/proof",
            summary="The infraledger-proof/1 bundle of a record (verifier/FORMAT.md)")
async def get_proof(record_id: RecordIdPath, ledger: LedgerDep, who: CallerDep) -> Response:
    """A bundle proven to an anchored checkpoint is served from memory once built (see
    `api.http.bundle_cache`; `api.http.read_path` answers a caller without a token from there
    before the router, and warms it with `warm_bundles`); the others are read and built in a
    worker thread."""
    key = (parse_id(record_id), who.inspector)
    data = ledger.bundles.get(key)
    if data is None:
        data = await asyncio.to_thread(_serialised_bundle, ledger, key)
    return Response(data, media_type="application/json")


def _serialised_bundle(ledger: Ledger, key: tuple[LeafHash, bool]) -> bytes:
    leaf, inspector = key
    source = ledger.records.proof_source(leaf)
    if source is None:
        raise NotFound(f"no record {leaf.hex()}")
    return _serialised(ledger, source, inspector)


def _serialised(ledger: Ledger, source: ProofSource, inspector: bool) -> bytes:
    """The bundle of `source` as the caller may see it, kept in the cache once anchored."""
    data = orjson.dumps(proof_bundle(ledger, source, show_body=_visible(source.record, inspector)))
    if source.anchor is not None:
        ledger.bundles.put((source.record.leaf_hash, inspector), data)
    return data


def warm_bundles(ledger: Ledger, start: int, end: int) -> int:
    """Build the public bundles (as a caller without a token gets them) of the anchored records
    at indices [start, end) and keep them in the bundle cache, so that even their first request
    is answered from memory: the newest `bundle_warm_records` (a setting) of them, older ones
    being built when asked. Each is the bundle `get_proof` builds: proven to the smallest
    anchored tree that holds the record. Reads 500 records a query. Returns how many were kept
    (fewer when a record is not anchored yet); raises `LogIntegrityError` if an anchored size
    has no stored checkpoint, `StoreUnavailable` if the store cannot be read."""
    index, kept = max(start, end - ledger.node.settings.bundle_warm_records), 0
    while index < end:
        anchor = ledger.anchors.covering(index)
        if anchor is None:
            return kept
        stored = ledger.node.store.checkpoint(anchor.tree_size)
        if stored is None:
            raise LogIntegrityError(f"tree size {anchor.tree_size} is anchored, not checkpointed")
        stop = min(end, anchor.tree_size)
        while index < stop:
            page = ledger.records.find(RecordFilter(start=index, limit=min(MAX_PAGE, stop - index)))
            if not page:
                return kept
            for record in page:
                _serialised(ledger, ProofSource(record, anchor, stored), inspector=False)
            kept += len(page)
            index = page[-1].index + 1
    return kept


def proof_bundle(ledger: Ledger, source: ProofSource, *, show_body: bool) -> dict[str, Any]:
    """The bundle of FORMAT.md: proven to the anchored checkpoint that first covers the record,
    else to the latest checkpoint with `anchor: null`. Raises `NotCheckpointed` while no
    checkpoint covers it."""
    node = ledger.node
    record, anchor, stored = source.record, source.anchor, source.checkpoint
    if anchor is not None and stored is None:
        raise LogIntegrityError(f"tree size {anchor.tree_size} is anchored, not checkpointed")
    if stored is None or stored.checkpoint.size <= record.index:
        raise NotCheckpointed(
            f"record {record.leaf_hash.hex()} is sequenced at index {record.index}; no signed "
            "checkpoint covers it yet"
        )
    size = stored.checkpoint.size
    try:
        hashes = node.store.inclusion_proof(record.index, size)
    except LedgerError as exc:
        raise LogIntegrityError(f"no inclusion proof at size {size}: {exc}") from exc
    proof = "".join([
        f"{TLOG_PROOF_HEADER}\nindex {record.index}\n",
        *(base64.b64encode(h).decode() + "\n" for h in hashes),
        "\n", stored.note,
    ])
    entry = orjson.loads(record.data)
    deployment = node.deployment
    return {
        "format": PROOF_FORMAT,
        "record_id": record.leaf_hash.hex(),
        "log": {"origin": node.settings.origin, "vkey": node.verifier_key_at(size)},
        "entry": orjson.Fragment(record.data),
        "body": orjson.Fragment(record.body) if show_body and record.body is not None else None,
        "salt": hex32(record.salt) if show_body and record.salt is not None else None,
        "attachments": attachment_list(ledger, entry["attachments"]),
        "proof": proof,
        "anchor": None if anchor is None else anchor_json(anchor),
        "operator_registry": {"chain_id": deployment.chain_id,
                              "contract": deployment.operator_registry},
    }
