"""Who may do what: every route of the app against every kind of caller.

`MATRIX` holds one row per route (method and path template) of the app; a route added to the
app without a row fails `test_the_matrix_covers_every_route`. Each row builds the request a
caller would send and gives the status each caller must get:

    public            no credentials
    operator          an active operator: signs submissions and uploads with its key
    revoked_operator  an operator revoked in the registry, signing with its key
    inspector         a bearer token of role inspector
    registrar         a bearer token of role registrar
    revoked_token     a bearer token that was revoked

Callers without an active operator's key sign submissions with a key the registry never saw.
Then every answer to a caller other than the inspector is searched for the restricted record's
secrets (its personal data, its salt, its restricted attachment's bytes): none may appear.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx
from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount, Route

from api.app import create_app
from api.settings import load_settings
from filings.signing import OPERATOR_SIGNATURE_HEADER, SubmissionDomain, signer_address
from filings.signing import sign_attachment as attachment_signature
from ledger.canonical import canonical_json
from tests.filings.factories import PERMIT_BODY, PERMIT_SUBJECT, REPORT_BODY, REPORT_SUBJECT, SALT
from tests.server_fixtures import PLANS, SAMPLE, auth, sign_indicator

CALLERS: Final = ("public", "operator", "revoked_operator", "inspector", "registrar",
                  "revoked_token")
PERSONAL_NAME: Final = "Lê Văn Khánh"
PERSONAL_ID: Final = "046188004321"
SECRET_FILE: Final = b"%PDF-1.4 land use agreement, restricted"
PUBLIC_FILE: Final = b"%PDF-1.4 annual report, public"
RESTRICTED_BODY: Final = {**PERMIT_BODY,
                          "personal_data": {"name": PERSONAL_NAME, "id_number": PERSONAL_ID}}
GUESSED_BODY: Final = hashlib.sha256(canonical_json(RESTRICTED_BODY)).hexdigest()
"""What someone who guessed the restricted body exactly would look up."""


@dataclass
class World:
    """What the requests refer to: records, files, tokens and addresses made in set-up."""

    domain: SubmissionDomain
    tokens: dict[str, str]
    restricted_id: str
    size: int
    spare_operator: str
    secret_sha256: str
    counter: Iterator[int] = field(default_factory=lambda: iter(range(1000, 10**6)))

    def key_of(self, caller: str) -> bytes:
        if caller == "operator":
            return SAMPLE.active.key
        if caller == "revoked_operator":
            return SAMPLE.revoked.key
        return SAMPLE.unregistered.key


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


Build = Callable[[World, str], Call]


def every(status: int, **exceptions: int) -> dict[str, int]:
    return {caller: exceptions.get(caller, status) for caller in CALLERS}


def get(url: str | Callable[[World], str]) -> Build:
    return lambda world, _: Call("GET", url if isinstance(url, str) else url(world))


def _submission(world: World, caller: str) -> Call:
    return Call("POST", "/v1/submissions",
                json=sign_indicator(world.domain, next(world.counter), key=world.key_of(caller)))


def _upload(world: World, caller: str) -> Call:
    data = f"%PDF-1.4 uploaded by {caller}".encode()
    sha256 = hashlib.sha256(data).hexdigest()
    headers = {"Content-Type": "application/pdf"}
    if caller in ("operator", "revoked_operator"):
        headers[OPERATOR_SIGNATURE_HEADER] = attachment_signature(world.key_of(caller), sha256)
    return Call("PUT", f"/v1/attachments/{sha256}", content=data, headers=headers)


def _evidence(world: World, caller: str) -> Call:
    sha256 = hashlib.sha256(f"a PDF signed by {caller}".encode()).hexdigest()
    headers = {}
    if caller in ("operator", "revoked_operator"):
        headers[OPERATOR_SIGNATURE_HEADER] = attachment_signature(world.key_of(caller), sha256)
    return Call("POST", "/v1/signatures/evidence", json={"pdf": sha256}, headers=headers)


def _register(world: World, caller: str) -> Call:
    address = signer_address(os.urandom(32))
    return Call("POST", "/v1/operators",
                json={"address": address, "name": f"Operator of {caller}", "licence": "GP-9"})


ONLY_REGISTRAR: Final = every(401, inspector=403)
TOKEN_CHECKED: Final = every(200, revoked_token=401)

MATRIX: Final[dict[tuple[str, str], tuple[Build, dict[str, int]]]] = {
    ("GET", "/openapi.json"): (get("/openapi.json"), every(200)),
    ("GET", "/docs"): (get("/docs"), every(200)),
    ("GET", "/docs/assets/{path}"): (get("/docs/assets/swagger-ui.css"), every(200)),
    ("POST", "/v1/submissions"): (_submission, every(403, operator=202)),
    ("GET", "/v1/records/{record_id}"): (
        get(lambda w: f"/v1/records/{w.restricted_id}"), TOKEN_CHECKED),
    ("GET", "/v1/records"): (get("/v1/records?kind=permit"), every(200)),
    ("GET", "/v1/areas"): (get("/v1/areas?on=2025-07-01"), every(200)),
    ("GET", "/v1/areas/{code}"): (get("/v1/areas/19753?on=2025-07-01"), every(200)),
    ("GET", "/v1/plans"): (get("/v1/plans"), every(200)),
    ("GET", "/v1/indicators/{code}"): (get("/v1/indicators/bts_shared_ratio"), every(200)),
    ("GET", "/v1/indicators/computed"): (get("/v1/indicators/computed?on=2025-07-01"),
                                         every(200)),
    ("GET", "/v1/map/areas.geojson"): (get("/v1/map/areas.geojson?on=2025-07-01"), every(200)),
    ("GET", "/v1/map/sites.geojson"): (get("/v1/map/sites.geojson?on=2025-07-01"), every(200)),
    ("GET", "/v1/map/routes.geojson"): (get("/v1/map/routes.geojson?on=2025-07-01"),
                                        every(200)),
    ("GET", "/v1/map/sites/{site_id}/history"): (get("/v1/map/sites/VNPT-HUE-00001/history"),
                                                 every(404)),
    ("GET", "/v1/export/catalog.jsonld"): (get("/v1/export/catalog.jsonld"), every(200)),
    ("GET", "/v1/export/{name}"): (get("/v1/export/permits.csv"), every(200)),
    ("POST", "/v1/signatures/evidence"): (
        _evidence, every(401, operator=422, revoked_operator=403)),
    ("GET", "/v1/lookup/sha256/{digest}"): (get(f"/v1/lookup/sha256/{GUESSED_BODY}"), every(200)),
    ("GET", "/v1/records/{record_id}/proof"): (
        get(lambda w: f"/v1/records/{w.restricted_id}/proof"), TOKEN_CHECKED),
    ("GET", "/v1/log"): (get("/v1/log"), every(200)),
    ("GET", "/v1/log/rotations"): (get("/v1/log/rotations"), every(200)),
    ("GET", "/v1/checkpoints/latest"): (get("/v1/checkpoints/latest"), every(200)),
    ("GET", "/v1/checkpoints/{size}"): (get(lambda w: f"/v1/checkpoints/{w.size}"), every(200)),
    ("GET", "/v1/proofs/consistency"): (
        get(lambda w: f"/v1/proofs/consistency?from={w.size - 1}&to={w.size}"), every(200)),
    ("GET", "/v1/proofs/inclusion"): (
        get(lambda w: f"/v1/proofs/inclusion?index=0&size={w.size}"), every(200)),
    ("GET", "/v1/anchors"): (get("/v1/anchors"), every(200)),
    ("GET", "/tlog/checkpoint"): (get("/tlog/checkpoint"), every(200)),
    ("GET", "/tlog/tile/{path:path}"): (get(lambda w: f"/tlog/tile/0/000.p/{w.size}"),
                                        every(200)),
    ("PUT", "/v1/attachments/{sha256}"): (
        _upload, every(201, public=401, revoked_operator=403, revoked_token=401)),
    ("GET", "/v1/attachments/{sha256}"): (
        get(lambda w: f"/v1/attachments/{w.secret_sha256}"),
        every(404, inspector=200, revoked_token=401)),
    ("GET", "/v1/operators"): (get("/v1/operators"), every(200)),
    ("POST", "/v1/operators"): (_register, {**ONLY_REGISTRAR, "registrar": 201}),
    ("DELETE", "/v1/operators/{address}"): (
        lambda w, _: Call("DELETE", f"/v1/operators/{w.spare_operator}"),
        {**ONLY_REGISTRAR, "registrar": 200}),
    ("POST", "/chain/rpc"): (
        lambda w, _: Call("POST", "/chain/rpc", json={
            "jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}),
        every(200)),
    ("GET", "/healthz"): (get("/healthz"), every(200)),
    ("GET", "/metrics"): (get("/metrics"), every(200)),
    ("GET", "/static/{path}"): (get("/static/site.css"), every(200)),
    ("GET", "/"): (get("/"), every(200)),
    ("GET", "/records/{record_id}"): (get(lambda w: f"/records/{w.restricted_id}"), every(200)),
    ("GET", "/verify"): (get("/verify"), every(200)),
    ("GET", "/map"): (get("/map"), every(200)),
    # The department's yearly report of a year: public, the same for every caller.
    ("GET", "/reports/{year}"): (get("/reports/2025"), every(200)),
    ("GET", "/reports/{year}.pdf"): (get("/reports/2025.pdf"), every(200)),
    ("GET", "/reports/{year}.json"): (get("/reports/2025.json"), every(200)),
}


SECURITY_HEADERS: Final = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def header_faults(response: httpx.Response) -> list[str]:
    """What is wrong with a response's security headers (`api.http.security`)."""
    faults = [f"{name}: {response.headers.get(name)!r}" for name, want in SECURITY_HEADERS.items()
              if response.headers.get(name) != want]
    policy = response.headers.get("content-security-policy", "")
    directives = {part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";")}
    if directives.get("frame-ancestors") != "frame-ancestors 'none'":
        faults.append(f"no frame-ancestors 'none' in {policy!r}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        faults.append(f"unsafe script sources in {policy!r}")
    if "script-src" in directives and directives["script-src"] != "script-src 'self'":
        faults.append(f"script-src beyond the ledger's own scripts in {policy!r}")
    if "script-src" not in directives and "sandbox" not in directives:
        faults.append(f"neither script-src 'self' nor sandbox in {policy!r}")
    return faults


def app_routes(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path template) of every route, included routers flattened, HEAD left out."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from app_routes(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            yield "GET", f"{prefix}{route.path}/{{path}}"
        elif isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield method, prefix + route.path
        else:
            raise AssertionError(f"a route of a kind the matrix does not know: {route!r}")


def test_the_matrix_covers_every_route(tmp_path: Path) -> None:
    routes = set(app_routes(create_app(load_settings(tmp_path)).routes))
    assert routes == set(MATRIX), (
        f"routes without a row: {sorted(routes - set(MATRIX))}; "
        f"rows without a route: {sorted(set(MATRIX) - routes)}"
    )


def _ok(response: httpx.Response, status: int = 202) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def _checkpointed(client: httpx.AsyncClient, size: int) -> None:
    """Wait for the checkpoint of `size` (the jobs checkpoint every 0.2 s in these tests)."""
    for _ in range(100):
        if (await client.get(f"/v1/checkpoints/{size}")).status_code == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no checkpoint of size {size}")


async def _world(client: httpx.AsyncClient, app: FastAPI, domain: SubmissionDomain,
                 inspector_token: str, registrar_token: str) -> World:
    """A public record with a public file, a restricted one with a restricted file, a revoked
    token and an operator for the registrar to revoke."""
    key = SAMPLE.active.key
    files = {}
    for data in (SECRET_FILE, PUBLIC_FILE):
        sha256 = hashlib.sha256(data).hexdigest()
        _ok(await client.put(f"/v1/attachments/{sha256}", content=data, headers={
            "Content-Type": "application/pdf",
            OPERATOR_SIGNATURE_HEADER: attachment_signature(key, sha256)}), 201)
        files[data] = {"sha256": sha256, "size": len(data), "name": "file.pdf",
                       "type": "application/pdf"}
    public = sign_indicator(domain, 0, kind="report", schema="report/2", subject=REPORT_SUBJECT,
                            body=REPORT_BODY, attachments=[files[PUBLIC_FILE]])
    restricted = sign_indicator(domain, 0, kind="permit", schema="permit/2",
                                subject=PERMIT_SUBJECT, body=RESTRICTED_BODY, salt=SALT,
                                attachments=[files[SECRET_FILE]])
    answers = []
    for size, submission in enumerate((public, restricted), start=PLANS + 1):
        answer = _ok(await client.post("/v1/submissions", json=submission))
        assert [r["status"] for r in answer["results"]] == ["accepted"]
        answers.append(answer["results"][0])
        await _checkpointed(client, size)  # two checkpoints: a consistency proof between them

    spare = signer_address(os.urandom(32))
    _ok(await client.post("/v1/operators", headers=auth(registrar_token), json={
        "address": spare, "name": "Operator to revoke", "licence": "GP-8"}), 201)
    tokens = app.state.ledger.tokens
    revoked, stored = tokens.create("inspector", "revoked", int(time.time()))
    tokens.revoke(stored.token_hash.hex(), int(time.time()))
    return World(
        domain=domain,
        tokens={"inspector": inspector_token, "registrar": registrar_token,
                "revoked_token": revoked},
        restricted_id=answers[1]["record_id"],
        size=PLANS + 2,
        spare_operator=spare,
        secret_sha256=files[SECRET_FILE]["sha256"],
    )


async def test_every_caller_gets_what_its_role_allows_and_no_secret_leaks(
    app_client: httpx.AsyncClient, running_app: FastAPI, ledger_domain: SubmissionDomain,
    inspector_token: str, registrar_token: str,
) -> None:
    world = await _world(app_client, running_app, ledger_domain, inspector_token,
                         registrar_token)
    salt_hex = SALT.hex()
    secrets = (PERSONAL_NAME, PERSONAL_ID, salt_hex, SECRET_FILE.decode())
    wrong: list[str] = []
    leaks: list[str] = []
    inspector_saw: dict[str, str] = {}
    unsafe: list[str] = []
    for (method, path), (build, expected) in MATRIX.items():
        for caller in CALLERS:
            call = build(world, caller)
            headers = dict(call.headers)
            if caller in world.tokens:
                headers.update(auth(world.tokens[caller]))
            response = await app_client.request(call.method, call.url, json=call.json,
                                                content=call.content, headers=headers)
            cell = f"{method} {path} as {caller}"
            if response.status_code != expected[caller]:
                wrong.append(f"{cell}: got {response.status_code}, want {expected[caller]}: "
                             f"{response.text[:160]}")
            if response.status_code >= 400:
                assert set(response.json()) >= {"code", "message"}, cell
            unsafe += [f"{cell}: {problem}" for problem in header_faults(response)]
            text = response.content.decode("utf-8", "replace")
            if caller == "inspector":
                inspector_saw[path] = text
            else:
                leaks += [f"{cell} shows {secret!r}" for secret in secrets if secret in text]
    assert not wrong, "\n".join(wrong)
    assert not leaks, "\n".join(leaks)
    assert not unsafe, "\n".join(unsafe)
    attachment = await app_client.get(f"/v1/attachments/{world.secret_sha256}",
                                      headers=auth(world.tokens["inspector"]))
    assert attachment.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in attachment.headers["content-security-policy"]
    # The inspector does see them: the search above looks where the secrets would be.
    for path in ("/v1/records/{record_id}", "/v1/records/{record_id}/proof"):
        shown = json.loads(inspector_saw[path])
        assert shown["body"] == RESTRICTED_BODY and shown["salt"] == "0x" + salt_hex
    assert inspector_saw["/v1/attachments/{sha256}"] == SECRET_FILE.decode()
    # A guessed body cannot be confirmed: the restricted record's hash is salted.
    assert json.loads(inspector_saw["/v1/lookup/sha256/{digest}"])["records"] == []
