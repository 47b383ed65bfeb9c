"""The ledger's HTTP server (DESIGN section 6): `create_app(settings)` builds the FastAPI app.

The app opens its `Node` when it starts (blocking set-up in a worker thread) and closes it when
it stops. Every refusal is JSON `{"code", "message", "details"?}` with the status of its
`ApiError` class (`api.errors.STATUS` for the domain's `FilingError`s); the framework's own
refusals (validation, unknown path, wrong method) and the store or chain being down are mapped
to the same shape here, once. The one exception: an unknown page path asked for by a browser
(`Accept: text/html`, outside the API's paths) gets the HTML 404 page (`api.web.pages`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from anchoring.embedded import read_only_handler
from anchoring.errors import AnchoringError
from api import signatures
from api.errors import (
    ApiError,
    ChainDown,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    StoreDown,
    filing_status,
)
from api.http.access_log import AccessLog
from api.http.deps import Ledger, json_response
from api.http.openapi import install_openapi
from api.http.read_path import ReadPathApp, mount_read_path
from api.http.security import SecurityHeaders
from api.metrics import LedgerMetrics, RequestMetrics
from api.node import Node
from api.routes import (
    areas,
    attachments,
    computed,
    export,
    indicators,
    log,
    operators,
    plans,
    records,
    reports,
    service,
    submissions,
    tlog,
)
from api.routes import map as map_layers
from api.settings import Settings
from api.web import docs, pages
from filings.errors import FilingError
from ledger.errors import LedgerError, StoreUnavailable
from ledger.storage.store import UNREACHABLE, unreachable_reason

_log = logging.getLogger(__name__)

DESCRIPTION: Final = """\
InfraLedger: signed infrastructure records in an RFC 9162 Merkle log, with C2SP checkpoints
anchored on an EVM chain. Operators submit EIP-712-signed records; anyone reads records,
proofs and tiles; inspectors see restricted bodies; the registrar manages operators.

Every 4xx/5xx answer is `{"code", "message", "details"?}`: branch on `code`.
"""


def _error(exc: ApiError | FilingError) -> Response:
    status = exc.http_status if isinstance(exc, ApiError) else filing_status(exc)
    return json_response(exc.to_json(), status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    async def refused(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError | FilingError)
        return _error(exc)

    async def validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {"loc": ".".join(map(str, error.get("loc", ()))), "type": error.get("type", ""),
             "msg": error.get("msg", "")}
            for error in exc.errors()
        ]
        first = errors[0] if errors else {"loc": "request", "msg": "invalid"}
        return _error(InvalidRequest(f"{first['loc']}: {first['msg']}",
                                     details={"errors": errors[:20]}))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            if pages.wants_page(request.url.path, request.headers.get("accept")):
                return pages.not_found_page()  # a browser on a page path: an HTML page
            return _error(NotFound("no such resource"))
        if exc.status_code == 405:
            response = _error(MethodNotAllowed("this resource does not answer this method"))
            response.headers.update(exc.headers or {})
            return response
        return json_response({"code": f"http_{exc.status_code}", "message": str(exc.detail)},
                             status_code=exc.status_code)

    async def store_down(_: Request, exc: Exception) -> Response:
        _log.warning("store unavailable: %s", exc)
        return _error(StoreDown(f"the store is unavailable: {exc}"))

    async def store_read_failed(_: Request, exc: Exception) -> Response:
        # A read the store layer does not map itself (`ledger.storage.store.UNREACHABLE`);
        # never a 500 without JSON.
        reason = unreachable_reason(exc)
        _log.warning("store unavailable: reading failed: %s", reason)
        return _error(StoreDown(f"the store is unavailable: reading failed: {reason}"))

    async def ledger_error(_: Request, exc: Exception) -> Response:
        _log.error("ledger error", exc_info=exc)
        return json_response({"code": "ledger_error", "message": str(exc)}, status_code=500)

    async def chain_down(_: Request, exc: Exception) -> Response:
        _log.warning("chain error: %s", exc)
        return _error(ChainDown(f"the chain is unavailable: {exc}"))

    app.add_exception_handler(ApiError, refused)
    app.add_exception_handler(FilingError, refused)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(StoreUnavailable, store_down)
    for unreachable in UNREACHABLE:
        app.add_exception_handler(unreachable, store_read_failed)
    app.add_exception_handler(LedgerError, ledger_error)
    app.add_exception_handler(AnchoringError, chain_down)


def create_app(settings: Settings, *, jobs: bool = True, access_log: bool = False) -> FastAPI:
    """The ledger's app for `settings`; `jobs`: run the checkpointer and anchor jobs in this
    process (an API worker beside a scheduler process passes False); `access_log`: write a line
    per request to stderr (`api.http.access_log`; `serve` passes the `access_log` setting)."""
    metrics = LedgerMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        node = await asyncio.to_thread(Node.open, settings, jobs=jobs)
        state = Ledger.of(node, None if node.embedded is None
                          else read_only_handler(node.embedded))
        try:
            await node.start()
            app.state.node = node
            app.state.ledger = state
            metrics.watch(state.records, state.anchors, node.clock)
            node.sequencer.observe_flushes(metrics.sequencer_batch.observe)
            # what start-up made (modules, the node, its caches) lives as long as the process:
            # out of the collector's generations, a full collection walks only what requests made
            gc.freeze()
            yield
        finally:
            metrics.unwatch()
            await asyncio.to_thread(state.checks.close)
            await node.close()

    app = ReadPathApp(
        title="InfraLedger",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    _install_error_handlers(app)
    for module in (submissions, records, log, tlog, attachments, operators, areas, plans,
                   computed, indicators, export, map_layers, service, reports, pages, docs):
        app.include_router(module.router)
    app.include_router(signatures.router)
    install_openapi(app)
    mount_read_path(app, records.warm_bundles)
    if access_log:
        app.access_log = AccessLog(sys.stderr.write, settings.log_format)
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.add_middleware(SecurityHeaders)
    return app
