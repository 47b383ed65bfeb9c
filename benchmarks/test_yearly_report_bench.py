"""The yearly report of 2025 over the demo's ledger, beside the home page in the same run.

The ledger is the demo's (`infraledger demo --seed-only`: plans 254 and 455, the sample
figures, sites, routes and ducts, the report of 2025 filed, all anchored), served by the app
in-process behind uvicorn in a thread (jobs off); the load comes from httpx in this process.
Each round is a first request at the anchored size (the caches of the home page and of the
report cleared before it), so it reads, judges and lays out everything:

- the peer: `GET /`, the plans' indicators over every figure;
- `GET /reports/2025`: the report's page (plans in force, the year's figures by area and
  declarant with a QR code each, charts, what is missing);
- `GET /reports/2025.pdf`: the report made again, then drawn as a PDF.

Run: `.venv/bin/python -m pytest benchmarks/test_yearly_report_bench.py --benchmark-only -q`.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from api.app import create_app
from api.cli import main
from api.routes import reports
from api.serving import ServerThread
from api.settings import load_settings
from api.web import pages
from benchmarks.conftest import RateBoard

ROUNDS: Final = 5
HOME: Final = "GET / after an anchor, demo ledger"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory: Path = tmp_path_factory.mktemp("demo")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--data-dir", str(directory), "--port", "0", "--seed-only"]) == 0
    with ServerThread(create_app(load_settings(directory), jobs=False)) as url:
        yield url


def _get(client: httpx.Client, path: str) -> bytes:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    return answer.content


def _cold() -> None:
    pages._home_html.cache_clear()
    reports._made.cache_clear()
    reports._pdf.cache_clear()


def _measure(benchmark: BenchmarkFixture, served: str, path: str) -> bytes:
    with httpx.Client(base_url=served, timeout=600) as client:
        _get(client, path)  # start-up: the registry read, templates and fonts loaded

        def cold() -> tuple[tuple[httpx.Client, str], dict[str, Any]]:
            _cold()
            return (client, path), {}

        body: bytes = benchmark.pedantic(_get, setup=cold, rounds=ROUNDS)
    benchmark.extra_info["bytes"] = len(body)
    return body


@pytest.mark.benchmark(group="yearly-report")
def test_home_page(benchmark: BenchmarkFixture, rates: RateBoard, served: str) -> None:
    """The peer: the home page at a new anchored size."""
    _measure(benchmark, served, "/")
    rates.record(benchmark, HOME, 1, "pages")


@pytest.mark.benchmark(group="yearly-report")
def test_report_page(benchmark: BenchmarkFixture, rates: RateBoard, served: str) -> None:
    """The report's page at a new anchored size."""
    body = _measure(benchmark, served, "/reports/2025")
    assert b"data-record=" in body
    rates.record(benchmark, "GET /reports/2025 made anew, demo ledger", 1, "pages",
                 peers=[HOME])


@pytest.mark.benchmark(group="yearly-report")
def test_report_pdf(benchmark: BenchmarkFixture, rates: RateBoard, served: str) -> None:
    """The report's PDF at a new anchored size."""
    body = _measure(benchmark, served, "/reports/2025.pdf")
    assert body.startswith(b"%PDF-")
    rates.record(benchmark, "GET /reports/2025.pdf made anew, demo ledger", 1, "documents",
                 peers=[HOME])
