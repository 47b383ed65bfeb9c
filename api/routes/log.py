"""The log itself: its identity, checkpoints, proofs between checkpointed sizes, and anchors.

Checkpoints are JSON here, `{"size", "root": "0x..", "note": "<signed C2SP note>",
"created_at"}`; the bare note (text/plain) is `GET /tlog/checkpoint`, for tlog clients. Proofs
are served for checkpointed sizes only, so each can be checked against a signed root. After a log
key rotation, `GET /v1/log/rotations` serves the signed statements (`ledger.rotation`) by which a
verifier that pinned an earlier key follows it to the current one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from api.errors import InvalidRequest, NotFound
from api.http.deps import STORED_INT_MAX, LedgerDep, anchor_json, hex32, json_response
from api.http.openapi import ERROR_RESPONSES
from ledger.errors import ProofError
from ledger.storage.store import StoredCheckpoint

router = APIRouter(tags=["log"], responses=ERROR_RESPONSES)

Size = Annotated[int, Query(ge=0, le=STORED_INT_MAX)]


def _checkpoint_json(stored: StoredCheckpoint) -> dict[str, Any]:
    return {
        "size": stored.checkpoint.size,
        "root": hex32(stored.checkpoint.root),
        "note": stored.note,
        "created_at": stored.created_at,
    }


@router.get("/v1/log", summary="The log's identity, sizes, chain and contracts")
def log_info(ledger: LedgerDep) -> Response:
    node = ledger.node
    sizes = ledger.records.sizes()
    return json_response({
        "origin": node.settings.origin,
        "vkey": node.verifier_key,
        "key_rotations": len(node.rotations),
        "tree_size": sizes.tree_size,
        "checkpoint_size": sizes.checkpoint_size,
        "anchored_size": sizes.anchored_size,
        "chain_id": node.deployment.chain_id,
        "rpc_urls": node.settings.advertised_rpc_urls(),
        "anchor_contract": node.deployment.ledger_anchor,
        "operator_registry": node.deployment.operator_registry,
    })


@router.get("/v1/log/rotations", summary="The log's key rotation statements, oldest first")
def key_rotations(ledger: LedgerDep) -> Response:
    return json_response({"rotations": list(ledger.node.rotations)})


@router.get("/v1/checkpoints/latest", summary="The latest signed checkpoint")
def latest_checkpoint(ledger: LedgerDep) -> Response:
    stored = ledger.node.store.latest_checkpoint()
    if stored is None:
        raise NotFound("the log has no checkpoint yet")
    return json_response(_checkpoint_json(stored))


@router.get("/v1/checkpoints/{size}", summary="The signed checkpoint of one tree size")
def checkpoint_at(size: Annotated[int, Path(ge=0, le=STORED_INT_MAX)], ledger: LedgerDep
                  ) -> Response:
    stored = ledger.node.store.checkpoint(size)
    if stored is None:
        raise NotFound(f"no checkpoint at size {size}")
    return json_response(_checkpoint_json(stored))


@router.get("/v1/proofs/consistency",
            summary="RFC 9162 consistency proof between two checkpointed sizes")
def consistency(
    ledger: LedgerDep,
    old: Annotated[int, Query(alias="from", ge=0, le=STORED_INT_MAX)],
    new: Annotated[int, Query(alias="to", ge=0, le=STORED_INT_MAX)],
) -> Response:
    if old > new:
        raise InvalidRequest(f"from {old} is after to {new}")
    try:
        proof = ledger.node.proofs.consistency(old, new)
    except ProofError as exc:
        raise NotFound(str(exc)) from exc
    return json_response({"from": old, "to": new, "proof": [hex32(h) for h in proof]})


@router.get("/v1/proofs/inclusion",
            summary="RFC 9162 inclusion proof of a leaf at a checkpointed size")
def inclusion(ledger: LedgerDep, index: Size, size: Size) -> Response:
    if index >= size:
        raise InvalidRequest(f"index {index} is not below size {size}")
    try:
        proof = ledger.node.proofs.inclusion(index, size)
    except ProofError as exc:
        raise NotFound(str(exc)) from exc
    return json_response({"index": index, "size": size, "proof": [hex32(h) for h in proof]})


@router.get("/v1/anchors", summary="Every anchored checkpoint and where the chain holds it")
def anchors(ledger: LedgerDep) -> Response:
    return json_response({"anchors": [anchor_json(a) for a in ledger.anchors.all()]})
