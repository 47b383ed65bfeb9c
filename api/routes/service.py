"""The server's own endpoints: the embedded chain's read-only JSON-RPC, health and metrics.

`POST /chain/rpc`: JSON-RPC 2.0 with the read methods of `anchoring.embedded.READ_ONLY_METHODS`,
served only when the ledger runs the embedded chain (404 otherwise: ask the network's nodes).
`GET /healthz`: 200 `{"status": "ok", "checks": {...}}` or 503 `unhealthy` naming the failed
parts (store, chain, jobs). `GET /metrics`: Prometheus text.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from anchoring.errors import AnchoringError
from api.errors import NotFound, Unhealthy
from api.http.deps import Ledger, LedgerDep, json_response
from api.http.limits import read_body
from api.http.openapi import ERROR_RESPONSES
from api.metrics import CONTENT_TYPE, LedgerMetrics
from ledger.errors import LedgerError

router = APIRouter(tags=["service"], responses=ERROR_RESPONSES)

MAX_RPC_BYTES = 256 * 1024


@router.post("/chain/rpc", summary="Read-only JSON-RPC of the embedded chain",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def chain_rpc(request: Request, ledger: LedgerDep) -> Response:
    if ledger.rpc is None:
        raise NotFound("this ledger anchors on an external network: ask its RPC nodes")
    body = await read_body(request, MAX_RPC_BYTES)
    answer = await asyncio.to_thread(ledger.rpc.handle_bytes, body)
    if answer is None:
        return Response(status_code=204)
    return Response(answer, media_type="application/json")


def _health(ledger: Ledger) -> dict[str, str]:
    node = ledger.node
    checks: dict[str, str] = {}
    try:
        checks["store"] = f"ok: {node.store.tree_size()} entries"
    except LedgerError as exc:
        checks["store"] = f"failed: {exc}"
    try:
        checks["chain"] = f"ok: block {node.chain.block_number()}"
    except AnchoringError as exc:
        checks["chain"] = f"failed: {exc}"
    except Exception as exc:  # web3 raises its own types when a node is unreachable
        checks["chain"] = f"failed: {type(exc).__name__}: {exc}"
    if node.jobs:
        running = node.scheduler is not None and node.scheduler.running
        checks["jobs"] = "ok: running" if running else "failed: the scheduler is not running"
    else:
        checks["jobs"] = "ok: not run by this process"
    return checks


@router.get("/healthz", summary="Whether the store, the chain and the jobs are up")
async def healthz(ledger: LedgerDep) -> Response:
    checks = await asyncio.to_thread(_health, ledger)
    failed = sorted(name for name, state in checks.items() if state.startswith("failed"))
    if failed:
        raise Unhealthy(f"down: {', '.join(failed)}", details={"checks": checks})
    return json_response({"status": "ok", "checks": checks})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    registry: LedgerMetrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE)
