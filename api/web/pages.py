"""The public pages (DESIGN section 6): the plans in force and every indicator's history against
its targets (who declared each figure, compiled or computed area figures, contradictions
flagged; `api.web.indicator_table`), a page per record that verifies it in the visitor's
browser, and a page to find a record by id or by file.

Pages are rendered on the server from Jinja2 templates (`api/web/templates`), in Vietnamese and
English at once (the visitor's choice shows, without a reload); the verification runs in the
browser from the ES modules under `/static` (`api/web/static`), reading the JSON API and the
chain's JSON-RPC. Restricted bodies are never shown here.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.errors import InvalidRequest
from api.http.deps import Ledger, LedgerDep
from api.http.security import map_page_policy
from api.infrastructure import InfrastructureBook
from api.routes.records import attachment_list, parse_id
from api.signatures import record_signatures
from api.web import record_view, wording
from api.web.indicator_table import (
    LEVEL_NAMES,
    computed_views,
    figures_of,
    plan_views,
    unplanned,
)
from api.web.templating import STATIC_PATH, environment
from filings.areas import load_areas
from filings.figures import FORMULAS
from filings.periods import VIETNAM_TIME
from filings.plans import PlanBook
from filings.signing import AttachmentRef
from ledger.entry import Entry
from ledger.merkle import LeafHash
from ledger.storage.anchors import StoredAnchor
from ledger.storage.indicators import standing_indicator_records
from ledger.storage.records import StoredRecord
from ledger.storage.store import LogStore

MAX_HISTORY: Final = 50
"""How many earlier and later versions a record page lists."""

CHECKS: Final = tuple(
    (name, *wording.page_text(f"check.{name}"))
    for name in ("body_content_hash", "attachments_hash", "leaf_hash", "signature",
                 "operator_active", "inclusion", "checkpoint_signature", "anchored_root")
)
"""The browser's checks, in the order `static/verify.mjs` runs them: (name, Vietnamese,
English)."""
REGISTRAR_CHECKS: Final = tuple(
    (name, *wording.page_text("check.registrar_role")) if name == "operator_active"
    else (name, vi, en) for name, vi, en in CHECKS)
"""`CHECKS` for a record the department signed: `verify.mjs` checks there that the signer held
REGISTRAR_ROLE at the anchor's block, not that an operator was active."""

router = APIRouter(include_in_schema=False)
mimetypes.add_type("text/javascript", ".mjs")
router.mount(
    STATIC_PATH,
    StaticFiles(directory=Path(str(resources.files("api.web") / "static"))),
    name="static",
)


def _page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = environment().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status_code)


# -- the indicator table ----------------------------------------------------------------------


@lru_cache(maxsize=4)
def _home_html(store: LogStore, book: PlanBook, anchored_size: int,
               names: tuple[tuple[str, str], ...], anchor: StoredAnchor | None,
               infrastructure: InfrastructureBook, day: date) -> str:
    """The home page of the log in `store` at one anchored size on one day (it changes only
    when an anchor lands, a plan is filed, the registry changes or the day turns): rendered
    once, served from memory."""
    figures = figures_of(standing_indicator_records(store, anchored_size))
    computed = computed_views(infrastructure, anchored_size, day, figures, dict(names))
    views = plan_views(book.up_to(anchored_size), figures, load_areas(), dict(names), computed)
    return environment().get_template("home.html").render(
        plans=views, formulas=FORMULAS, level_names=LEVEL_NAMES, anchored_size=anchored_size,
        anchor=anchor, computed=unplanned(views, computed),
    )


@router.get("/", response_class=HTMLResponse)
def home(ledger: LedgerDep) -> HTMLResponse:
    """The plans in force, every indicator's anchored history and who declared it, and
    charts."""
    node = ledger.node
    anchored = ledger.records.sizes().anchored_size
    names = tuple(sorted(node.directory.names().items()))
    return HTMLResponse(_home_html(node.store, node.plans.book(), anchored, names,
                                   ledger.anchors.latest(), ledger.infrastructure,
                                   datetime.fromtimestamp(node.clock(), VIETNAM_TIME).date()))


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a record in its supersedes chain."""

    record_id: str
    index: int
    issued_at: int
    status: str
    current: bool


def _entry(record: StoredRecord) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads(record.data)
    return entry


def _version(record: StoredRecord, current: bool = False) -> Version:
    return Version(record.leaf_hash.hex(), record.index, _entry(record)["issued_at"],
                   record.status, current)


def _older(ledger: Ledger, entry: dict[str, Any]) -> Iterator[StoredRecord]:
    """The records `entry` corrects, newest first, following `supersedes` back."""
    previous = entry["supersedes"]
    for _ in range(MAX_HISTORY):
        if previous is None:
            return
        record = ledger.records.get(LeafHash(bytes.fromhex(previous[2:])))
        if record is None:
            return
        yield record
        previous = _entry(record)["supersedes"]


def _newer(ledger: Ledger, record: StoredRecord) -> list[StoredRecord]:
    """The records that correct `record`, and those that correct them, in index order."""
    found: dict[LeafHash, StoredRecord] = {}
    waiting = list(record.superseded_by)
    while waiting and len(found) < MAX_HISTORY:
        leaf = waiting.pop(0)
        later = ledger.records.get(leaf)
        if later is None or leaf in found:
            continue
        found[leaf] = later
        waiting.extend(later.superseded_by)
    return sorted(found.values(), key=lambda item: item.index)


def _history(ledger: Ledger, record: StoredRecord, entry: dict[str, Any]) -> list[Version]:
    older = [_version(item) for item in _older(ledger, entry)]
    newer = [_version(item) for item in _newer(ledger, record)]
    return [*reversed(older), _version(record, current=True), *newer]


def _not_found(message: str, status_code: int, query: str = "") -> Response:
    """The lookup page again, saying why with the catalogue's `message`."""
    error_vi, error_en = wording.page_text(message)
    return _page("verify.html", status_code, query=query, error_vi=error_vi, error_en=error_en)


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(record_id: str, ledger: LedgerDep) -> Response:
    """A record: its entry, public body, signatures, versions and anchor, and the in-browser
    verification (its registry check labelled for the department's records); for a record
    signed with a CA certificate only, the command that checks its CMS, which the browser
    does not."""
    try:
        record = ledger.records.get(parse_id(record_id))
    except InvalidRequest:
        return _not_found("error.not_a_record_id", 400, record_id[:80])
    if record is None:
        return _not_found("error.not_in_ledger", 404, record_id)
    entry = _entry(record)
    body = None if record.restricted or record.body is None else json.loads(record.body)
    anchor: StoredAnchor | None = ledger.anchors.covering(record.index)
    attachments = orjson.loads(orjson.dumps(attachment_list(ledger, entry["attachments"])))
    summary = record_view.view(ledger.node.plans.book(), ledger.node.directory.names(),
                               record.index, entry, body, attachments, record.restricted)
    refs = [AttachmentRef(item["sha256"], item["size"], item["name"], item["type"])
            for item in attachments]
    signatures = [record_view.signature_view(item, summary.signer) for item in
                  record_signatures(ledger, bytes(record.leaf_hash), Entry.from_json(entry), refs)]
    return _page(
        "record.html",
        record_id=record_id,
        record=record,
        entry=entry,
        summary=summary,
        body_json=None if body is None else json.dumps(body, ensure_ascii=False, indent=2),
        history=_history(ledger, record, entry),
        anchor=anchor,
        signatures=signatures,
        checks=REGISTRAR_CHECKS if summary.signer.department else CHECKS,
        verify_command=verify_command(record.leaf_hash.hex(),
                                      ledger.node.settings.public_base_url()),
    )


def verify_command(record_id: str, ledger_url: str) -> str:
    """The command-line check of the record `record_id` against the ledger at `ledger_url`:
    the one that checks its CA signatures, which the browser does not."""
    return f"infraledger-verify record {record_id} --ledger {ledger_url}"


# -- the map ---------------------------------------------------------------------------------


@router.get("/map", response_class=HTMLResponse)
def map_page(ledger: LedgerDep) -> HTMLResponse:
    """The map of sites and area boundaries on a day (`static/map.mjs` draws it from
    `/v1/map/*.geojson`); images may come from the configured basemap's origin too."""
    settings = ledger.node.settings
    today = datetime.fromtimestamp(ledger.node.clock(), VIETNAM_TIME).date()
    response = _page("map.html", today=today.isoformat(), tiles_url=settings.map_tiles_url,
                     tiles_attribution=settings.map_tiles_attribution)
    response.headers["content-security-policy"] = map_page_policy(settings.map_tiles_url)
    return response


# -- an unknown page -------------------------------------------------------------------------

API_PREFIXES: Final = ("/v1/", "/tlog/", "/tile/", "/chain/", "/static/", "/checkpoint",
                       "/metrics", "/healthz", "/docs/")
"""Paths that answer machines: an unknown one is a JSON error even to a browser."""


def wants_page(path: str, accept: str | None) -> bool:
    """Whether a refusal of `path` is shown as an HTML page: a page path (not an API path) asked
    for by a client that accepts text/html (a browser)."""
    return not path.startswith(API_PREFIXES) and path != "/v1" and \
        "text/html" in (accept or "").lower()


def not_found_page() -> HTMLResponse:
    """The 404 page, in Vietnamese and English, pointing to the pages that exist."""
    return _page("not_found.html", 404)


# -- finding a record -------------------------------------------------------------------------


@router.get("/verify", response_class=HTMLResponse)
def verify_page(
    ledger: LedgerDep, record: Annotated[str | None, Query(alias="id", max_length=200)] = None
) -> Response:
    """Find a record by id (sent here by the form) or by a file hashed in the browser."""
    if record is None or not record.strip():
        return _page("verify.html", query="", error_vi=None, error_en=None)
    text = record.strip().lower().removeprefix("0x")
    try:
        found = ledger.records.get(parse_id(text))
    except InvalidRequest:
        return _not_found("error.record_id_format", 400, record)
    if found is None:
        return _not_found("error.not_in_ledger", 404, record)
    return RedirectResponse(f"/records/{text}", status_code=303)
