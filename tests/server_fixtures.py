"""Fixtures for tests that run the real ledger server (loaded by tests/conftest.py).

    ledger_database_url  None (SQLite in the data directory); override it in a module with
                         `def ledger_database_url(database_url): return database_url` to run
                         the module's tests on SQLite and on PostgreSQL
    ledger_settings      a fresh data directory: the embedded chain with the contracts deployed,
                         the SAMPLE operators in the OperatorRegistry (ACTIVE and
                         OTHER registered, REVOKED registered then revoked, UNREGISTERED never)
                         and plan 254 filed by the registrar as record 0 (so a test's first
                         record has index 1 and the log size counts the plan); checkpoints every
                         0.2 s, anchors every 0.5 s when the jobs run
    ledger_domain        the EIP-712 domain of that deployment (sign with it)
    running_app          the FastAPI app of `ledger_settings`, started (lifespan running, jobs
                         on); its node is `running_app.state.node`
    app_client           an httpx.AsyncClient on `running_app` (ASGI, no network); async tests
    manual_app           like `running_app`, but its jobs never run by themselves: the test runs
                         `node.checkpointer.run_once` and `node.anchorer.run_once` when it wants
    manual_client        an httpx.AsyncClient on `manual_app`
    live_server          real uvicorn on 127.0.0.1 and a free port in a background thread;
                         yields the base URL ("http://127.0.0.1:PORT")
    inspector_token      a bearer token of role inspector (for `Authorization: Bearer ...`)
    registrar_token      a bearer token of role registrar

Helpers: `SAMPLE` (the operator keys), `sign_indicator(domain, n=0, key=...)` (a valid signed
`indicator/2` submission; each `n` gives another record), `registrar_key(settings)` (the key
holding REGISTRAR_ROLE), `file_plan(settings, submission)` (sequence a signed plan directly),
`PLANS` (records the fixture files before any test: 1), `auth(token)` (the header dict),
`started(app)` (an async context manager running an app's lifespan), `asgi_client(app)`,
`free_port()`.
"""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI

from anchoring.embedded.node import DevAccounts
from api.app import create_app
from api.node import Node
from api.serving import ServerThread
from api.settings import Settings, load_settings
from filings.signing import SubmissionDomain, signer_address
from filings.submission import prepare
from ledger.storage.store import LogStore, PendingEntry
from ledger.storage.tokens import TokenStore
from tests.filings.factories import ISSUED_AT, KEY, OTHER_KEY, as_json, plan, signed
from tests.filings.signatures.pki import TestPki

__all__ = [
    "PLANS",
    "SAMPLE",
    "SampleOperator",
    "app_client",
    "asgi_client",
    "auth",
    "file_plan",
    "free_port",
    "inspector_token",
    "ledger_database_url",
    "ledger_domain",
    "ledger_settings",
    "live_server",
    "manual_app",
    "manual_client",
    "registrar_key",
    "registrar_token",
    "running_app",
    "sign_indicator",
    "started",
]


@dataclass(frozen=True)
class SampleOperator:
    """A test operator: its private key, address and registry name."""

    key: bytes
    name: str

    @property
    def address(self) -> str:
        return signer_address(self.key)


@dataclass(frozen=True)
class SampleOperators:
    active: SampleOperator
    other: SampleOperator
    revoked: SampleOperator
    unregistered: SampleOperator


SAMPLE = SampleOperators(
    active=SampleOperator(KEY, "VNPT Thừa Thiên Huế"),
    other=SampleOperator(OTHER_KEY, "Viettel Thừa Thiên Huế"),
    revoked=SampleOperator(bytes.fromhex("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
                           "MobiFone Huế"),
    unregistered=SampleOperator(
        bytes.fromhex("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"),
        "FPT Telecom Huế",
    ),
)


PLANS = 1
"""How many records `ledger_settings` files before a test runs (plan 254)."""


def registrar_key(settings: Settings) -> bytes:
    """The private key of the embedded chain's account holding REGISTRAR_ROLE."""
    accounts = DevAccounts.load_or_create(settings.chain_dir() / "accounts.json")
    return bytes(accounts.registrar.key)


def _domain(settings: Settings) -> SubmissionDomain:
    deployment = settings.deployment
    assert deployment is not None
    return SubmissionDomain(int(deployment["chain_id"]), str(deployment["operator_registry"]))


def file_plan(store: LogStore, domain: SubmissionDomain, submission: dict[str, Any]) -> None:
    """Check `submission` statelessly and sequence it into `store` directly (no admission)."""
    item = prepare(as_json(submission), domain)
    store.append([PendingEntry(item.entry, item.leaf_data, item.leaf_hash, item.body_bytes)],
                 store.frontier(), now=int(time.time()))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def auth(token: str) -> dict[str, str]:
    """The Authorization header of a bearer token."""
    return {"Authorization": f"Bearer {token}"}


def sign_indicator(domain: SubmissionDomain, n: int = 0, *, key: bytes = KEY,
                   **fields: Any) -> dict[str, Any]:
    """A valid `indicator/2` submission signed by `key` in `domain`; `n` changes `issued_at`,
    so each `n` is another record. `fields` go to `tests.filings.factories.signed`."""
    return signed(domain=domain, key=key, issued_at=ISSUED_AT + n, **fields)


@pytest.fixture
def ledger_database_url() -> str | None:
    """The store of `ledger_settings`: None for SQLite in the data directory."""
    return None


@pytest.fixture
def ledger_settings(tmp_path: Path, ledger_database_url: str | None) -> Settings:
    """A fresh ledger: contracts deployed on its embedded chain, the SAMPLE operators set up."""
    data_dir = tmp_path / "ledger"
    overrides: dict[str, Any] = {"checkpoint_interval": 0.2, "anchor_interval": 0.5}
    if ledger_database_url is not None:
        overrides["database_url"] = ledger_database_url
    node = Node.open(load_settings(data_dir, **overrides), jobs=False, deploy=True)
    try:
        for operator in (SAMPLE.active, SAMPLE.other, SAMPLE.revoked):
            node.registry.register(operator.address, operator.name, "GP-" + operator.name[:3])
        node.registry.revoke(SAMPLE.revoked.address)
        file_plan(node.store, node.domain, plan(key=registrar_key(node.settings),
                                                 domain=node.domain))
    finally:
        node.store.close()
        node.access.close()
    return load_settings(data_dir, **overrides)


@pytest.fixture
def ledger_domain(ledger_settings: Settings) -> SubmissionDomain:
    return _domain(ledger_settings)


def _token(settings: Settings, role: str) -> str:
    store = LogStore(settings.database(), settings.origin, now=int(time.time()))
    try:
        token, _ = TokenStore(store).create(role, f"test {role}", int(time.time()))
    finally:
        store.close()
    return token


@pytest.fixture
def inspector_token(ledger_settings: Settings) -> str:
    return _token(ledger_settings, "inspector")


@pytest.fixture
def registrar_token(ledger_settings: Settings) -> str:
    return _token(ledger_settings, "registrar")


@asynccontextmanager
async def started(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run `app`'s lifespan (open and start its node) around the block."""
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def running_app(ledger_settings: Settings) -> AsyncIterator[FastAPI]:
    async with started(create_app(ledger_settings)) as app:
        yield app


@asynccontextmanager
async def asgi_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client calling `app` in-process (no network)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ledger.test") as client:
        yield client


@pytest.fixture
async def app_client(running_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(running_app) as client:
        yield client


@pytest.fixture
async def manual_app(ledger_settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its jobs built but not scheduled: tests run them by hand."""
    quiet = ledger_settings.model_copy(update={"checkpoint_interval": 3600.0,
                                               "anchor_interval": 3600.0})
    async with started(create_app(quiet)) as app:
        yield app


@pytest.fixture
async def manual_client(manual_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(manual_app) as client:
        yield client


@pytest.fixture
def live_server(ledger_settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a background thread; yields its base URL."""
    with ServerThread(create_app(ledger_settings)) as url:
        yield url


def ca_settings(settings: Settings, pki: TestPki, directory: Path) -> Settings:
    """`settings` with CA signatures on and the test PKI's root pinned (written in `directory`),
    its services on 127.0.0.1 allowed."""
    roots = directory / "roots.pem"
    roots.write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    return settings.model_copy(update={
        "ca_signatures": True, "signing_roots_file": roots, "signing_loopback_urls": True})
