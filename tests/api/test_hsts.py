"""`Strict-Transport-Security` on every kind of answer that went over TLS, and on none that
did not (`api.http.security`).

The middleware decides by the ASGI scheme alone. Served directly over TLS, the scheme is
`https`; behind a TLS-terminating proxy, uvicorn's `--proxy-headers` (its
`ProxyHeadersMiddleware`) sets it from `X-Forwarded-Proto`, but only for a proxy it trusts:
both paths are run here, with the real app, the real middleware and a real upload.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from tests.server_fixtures import auth

ONE_YEAR = 365 * 24 * 3600
PDF = b"%PDF-1.7\n% Bao cao ha tang 2025\n" + bytes(range(256))
DIGEST = hashlib.sha256(PDF).hexdigest()
HEADER = "strict-transport-security"
KINDS = ("page", "api json", "attachment", "404 page", "404 api")


@pytest.fixture
async def uploaded(client: httpx.AsyncClient, inspector_token: str) -> str:
    """A stored attachment (an inspector may always download it): its SHA-256."""
    answer = await client.put(f"/v1/attachments/{DIGEST}", content=PDF,
                              headers={**auth(inspector_token),
                                       "Content-Type": "application/pdf"})
    assert answer.status_code == 201, answer.text
    return DIGEST


Answers = Callable[[httpx.AsyncClient], AsyncIterator[tuple[str, httpx.Response]]]


@pytest.fixture
def every_kind(uploaded: str, inspector_token: str) -> Answers:
    """One answer of each kind: a page, API JSON, an attachment download, a 404 page, a 404
    API error; each is checked to be what it claims before its headers are looked at."""

    async def answers(client: httpx.AsyncClient) -> AsyncIterator[tuple[str, httpx.Response]]:
        page = await client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        yield "page", page
        log = await client.get("/v1/log")
        assert log.status_code == 200 and "tree_size" in log.json()
        yield "api json", log
        attachment = await client.get(f"/v1/attachments/{uploaded}",
                                      headers=auth(inspector_token))
        assert attachment.status_code == 200 and attachment.content == PDF
        assert attachment.headers["content-disposition"].startswith("attachment")
        yield "attachment", attachment
        missing = await client.get("/no/such/page")
        assert missing.status_code == 404
        yield "404 page", missing
        unknown = await client.get(f"/v1/records/{'ab' * 32}")
        assert unknown.status_code == 404
        yield "404 api", unknown

    return answers


def client_of(app: object, base_url: str, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    """An in-process client of the ASGI `app` at `base_url`, calling from the address `peer`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 50_000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url=base_url)


async def hsts_by_kind(answers: Answers, client: httpx.AsyncClient) -> dict[str, list[str]]:
    """The `Strict-Transport-Security` values of each kind of answer `client` gets."""
    return {kind: answer.headers.get_list(HEADER) async for kind, answer in answers(client)}


def max_age(value: str) -> int:
    directives = [part.strip() for part in value.split(";")]
    ages = [int(part.removeprefix("max-age=")) for part in directives
            if part.startswith("max-age=")]
    assert len(ages) == 1, value
    return ages[0]


async def test_every_kind_of_answer_over_https_carries_hsts_for_a_year_and_subdomains(
        app: FastAPI, every_kind: Answers) -> None:
    async with client_of(app, "https://ledger.test") as client:
        seen = await hsts_by_kind(every_kind, client)
    assert tuple(seen) == KINDS
    for kind, values in seen.items():
        assert len(values) == 1, (kind, values)
        assert max_age(values[0]) >= ONE_YEAR, (kind, values)
        assert "includesubdomains" in values[0].lower().replace(" ", ""), (kind, values)


async def test_no_answer_over_plain_http_carries_hsts(app: FastAPI,
                                                      every_kind: Answers) -> None:
    """A browser ignores HSTS over http, and a header sent there would tell a visitor's
    network nothing true: the ledger sends it only where it holds."""
    async with client_of(app, "http://ledger.test") as client:
        seen = await hsts_by_kind(every_kind, client)
    assert seen == {kind: [] for kind in KINDS}


async def test_behind_a_trusted_proxy_the_forwarded_scheme_decides(
        app: FastAPI, every_kind: Answers) -> None:
    """uvicorn `--proxy-headers`: the proxy on 127.0.0.1 terminates TLS and speaks http to the
    ledger, saying `X-Forwarded-Proto: https`; a client elsewhere saying it is not believed."""
    proxied = ProxyHeadersMiddleware(app)  # type: ignore[arg-type]
    forwarded = {"x-forwarded-proto": "https"}
    async with client_of(proxied, "http://ledger.test") as client:
        client.headers.update(forwarded)
        seen = await hsts_by_kind(every_kind, client)
    assert tuple(seen) == KINDS
    assert all(len(values) == 1 and max_age(values[0]) >= ONE_YEAR
               for values in seen.values()), seen
    async with client_of(proxied, "http://ledger.test", peer="203.0.113.9") as client:
        client.headers.update(forwarded)
        seen = await hsts_by_kind(every_kind, client)
    assert seen == {kind: [] for kind in KINDS}
    async with client_of(proxied, "http://ledger.test") as client:
        seen = await hsts_by_kind(every_kind, client)
    assert seen == {kind: [] for kind in KINDS}
