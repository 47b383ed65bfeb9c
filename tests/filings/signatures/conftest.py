"""Session fixtures: the test PKI and its live services on 127.0.0.1, built and started once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import httpx
import pytest

from api.signatures import HttpxTransport
from filings.signatures import EvidenceCollector
from tests.filings.signatures.pki import TestPki
from tests.filings.signatures.services import PkiServices


@pytest.fixture(scope="session")
def services() -> Iterator[PkiServices]:
    running = PkiServices()
    pki = TestPki(running.urls)
    running.start(pki)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def pki(services: PkiServices) -> TestPki:
    assert services.pki is not None
    return services.pki


@pytest.fixture(scope="session")
def http() -> Iterator[HttpxTransport]:
    """HTTP that ignores proxy settings: the services are on loopback."""
    with httpx.Client(timeout=10, trust_env=False, follow_redirects=True) as client:
        yield HttpxTransport(client)


def loopback(url: str) -> bool:
    """The URL vetting of the tests: the services are on 127.0.0.1, which `public_url` refuses."""
    return url.startswith("http://127.0.0.1:")


@pytest.fixture
def collector(pki: TestPki, http: HttpxTransport) -> EvidenceCollector:
    return EvidenceCollector(pki.roots(), http, url_allowed=loopback)


@pytest.fixture
def make_collector(pki: TestPki, http: HttpxTransport) -> Callable[[datetime], EvidenceCollector]:
    """A collector whose clock reads a fixed time."""
    def make(at: datetime) -> EvidenceCollector:
        return EvidenceCollector(pki.roots(), http, clock=lambda: at,
                                 url_allowed=loopback)
    return make
