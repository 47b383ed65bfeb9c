"""The test PKI with its live services (OCSP, CRL, time-stamping, AIA) on 127.0.0.1, as
module fixtures: a module that imports them gets its own PKI and services, started once for its
tests, so that no two modules share the services' request counters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.filings.signatures.pki import TestPki
from tests.filings.signatures.services import PkiServices


@pytest.fixture(scope="module")
def services() -> Iterator[PkiServices]:
    running = PkiServices()
    running.start(TestPki(running.urls))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def pki(services: PkiServices) -> TestPki:
    assert services.pki is not None
    return services.pki
