"""The record page in real headless Chromium: its weight, and the time to its verdict.

The ledger runs in a background thread (uvicorn, SQLite, the embedded chain with the contracts
deployed and one operator registered, jobs on) and one signed indicator record is filed and
anchored before any timing. Chromium opens `/records/{id}`; a script injected into every page
(no part of the page) presses "Verify in my browser" as soon as the button is enabled and notes
when `#verdict` gets its final `data-verification`.

- Page weight: the bytes of the HTML, JavaScript and CSS the page loads (every module of the
  verification included), as served (the server does not compress) and gzip-compressed one by
  one (level 6, what a compressing proxy would send).
- Cold: a new browser context each round (empty cache, no pinned trust), from navigation start
  to the verdict. Warm: a reload in a context that has verified the record once (cached files,
  trust pinned).

Each benchmark times the whole round from Python and records in `extra_info` the medians that
the page itself measured (`performance.now()` from navigation start): `verdict_ms`, and
`verify_ms` from the press of the button to the verdict.

Run: `.venv/bin/python -m pytest benchmarks/test_page_bench.py --benchmark-only -q`.
"""

from __future__ import annotations

import gzip
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright
from pytest_benchmark.fixture import BenchmarkFixture

from api.app import create_app
from api.node import Node
from api.serving import ServerThread
from api.settings import Settings, load_settings
from benchmarks.test_http_bench import file_plans
from filings.signing import SubmissionDomain
from tests.server_fixtures import SAMPLE, sign_indicator

CHROMIUM: Final = "/usr/bin/chromium"
ROUNDS: Final = 12
ANCHOR_TIMEOUT: Final = 30.0
VERDICT_TIMEOUT_MS: Final = 30_000
PAGE_KINDS: Final = frozenset({"document", "script", "stylesheet"})

PRESS_AND_TIME: Final = """
(() => {
  const marks = (window.__pageBench = {});
  const final = new Set(["passed", "failed", "incomplete"]);
  new MutationObserver(() => {
    const button = document.getElementById("verify-button");
    if (marks.pressed === undefined && button && !button.disabled) {
      marks.pressed = performance.now();
      button.click();
    }
    const state = document.getElementById("verdict")?.dataset.verification;
    if (marks.verdict === undefined && final.has(state)) {
      marks.verdict = performance.now();
      marks.state = state;
    }
  }).observe(document, { subtree: true, childList: true, attributes: true });
})();
"""
"""Presses the button once it is enabled and notes the times; injected by the benchmark."""


@dataclass(frozen=True, slots=True)
class Timing:
    """What the page measured in one round, in milliseconds from navigation start."""

    pressed: float
    verdict: float
    state: str


@dataclass(frozen=True, slots=True)
class Weight:
    """The HTML, JS and CSS one page load fetched: count, bytes as served and gzip-compressed."""

    files: int
    raw_bytes: int
    gzip_bytes: int


@pytest.fixture(scope="module")
def ledger() -> Iterator[tuple[str, str]]:
    """A running ledger with one anchored record; yields its URL and the record's id."""
    with tempfile.TemporaryDirectory(prefix="infraledger-page-bench-") as root:
        settings = _settings(Path(root) / "ledger")
        deployment = settings.deployment
        assert deployment is not None
        domain = SubmissionDomain(int(deployment["chain_id"]), str(deployment["operator_registry"]))
        with ServerThread(create_app(settings)) as url:
            yield url, _file_one_record(url, domain)


def _settings(data_dir: Path) -> Settings:
    overrides: dict[str, Any] = {"checkpoint_interval": 0.2, "anchor_interval": 0.5}
    node = Node.open(load_settings(data_dir, **overrides), jobs=False, deploy=True)
    try:
        node.registry.register(SAMPLE.active.address, SAMPLE.active.name, "GP-BENCH")
        file_plans(node)  # the figure is judged by plan 254's target
    finally:
        node.store.close()
        node.access.close()
    return load_settings(data_dir, **overrides)


def _file_one_record(url: str, domain: SubmissionDomain) -> str:
    with httpx.Client(base_url=url, timeout=30) as client:
        answer = client.post("/v1/submissions", json=sign_indicator(domain, key=SAMPLE.active.key))
        assert answer.status_code == 202, answer.text
        record_id: str = answer.json()["results"][0]["record_id"]
        deadline = time.monotonic() + ANCHOR_TIMEOUT
        while client.get("/v1/log").json()["anchored_size"] < 1:
            assert time.monotonic() < deadline, "the record was not anchored in time"
            time.sleep(0.1)
    return record_id


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


def _context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(PRESS_AND_TIME)
    return context


def _verdict(page: Page) -> Timing:
    page.wait_for_function("() => window.__pageBench && window.__pageBench.verdict !== undefined",
                           timeout=VERDICT_TIMEOUT_MS)
    marks = page.evaluate("window.__pageBench")
    assert marks["state"] == "passed", marks
    return Timing(marks["pressed"], marks["verdict"], marks["state"])


def _record(benchmark: BenchmarkFixture, timings: list[Timing]) -> None:
    benchmark.extra_info["verdict_ms"] = round(statistics.median(t.verdict for t in timings), 1)
    benchmark.extra_info["verify_ms"] = round(
        statistics.median(t.verdict - t.pressed for t in timings), 1)


@pytest.mark.benchmark(group="record-page")
def test_page_weight(benchmark: BenchmarkFixture, browser: Browser,
                     ledger: tuple[str, str]) -> None:
    """One cold load of the record page and its verification: the HTML, JS and CSS fetched."""
    url, record_id = ledger
    bodies: dict[str, bytes] = {}

    def load() -> Weight:
        responses: list[Response] = []
        context = _context(browser)
        try:
            page = context.new_page()
            page.on("response", lambda response: responses.append(response))
            page.goto(f"{url}/records/{record_id}")
            _verdict(page)
            bodies.update((response.url, response.body()) for response in responses
                          if response.request.resource_type in PAGE_KINDS)
        finally:
            context.close()
        return Weight(len(bodies), sum(map(len, bodies.values())),
                      sum(len(gzip.compress(body, compresslevel=6)) for body in bodies.values()))

    weight = benchmark.pedantic(load, rounds=1)
    benchmark.extra_info.update({"files": weight.files, "raw_bytes": weight.raw_bytes,
                                 "gzip_bytes": weight.gzip_bytes})
    benchmark.extra_info["by_file"] = {name.removeprefix(url): len(body)
                                       for name, body in sorted(bodies.items())}
    assert any(name.endswith("/static/record.mjs") for name in bodies)


@pytest.mark.benchmark(group="record-page")
def test_time_to_verdict_cold(benchmark: BenchmarkFixture, browser: Browser,
                              ledger: tuple[str, str]) -> None:
    """A new context each round: nothing cached, no trust pinned."""
    url, record_id = ledger
    timings: list[Timing] = []
    contexts: list[BrowserContext] = []

    def setup() -> tuple[tuple[Page], dict[str, Any]]:
        contexts.append(_context(browser))
        return (contexts[-1].new_page(),), {}

    def visit(page: Page) -> None:
        page.goto(f"{url}/records/{record_id}")
        timings.append(_verdict(page))

    try:
        benchmark.pedantic(visit, setup=setup, rounds=ROUNDS)
    finally:
        for context in contexts:
            context.close()
    _record(benchmark, timings)


@pytest.mark.benchmark(group="record-page")
def test_time_to_verdict_warm(benchmark: BenchmarkFixture, browser: Browser,
                              ledger: tuple[str, str]) -> None:
    """One context that has verified the record once: each round reloads the page."""
    url, record_id = ledger
    timings: list[Timing] = []
    context = _context(browser)
    try:
        page = context.new_page()
        page.goto(f"{url}/records/{record_id}")
        _verdict(page)

        def reload() -> None:
            page.reload()
            timings.append(_verdict(page))

        benchmark.pedantic(reload, rounds=ROUNDS)
    finally:
        context.close()
    _record(benchmark, timings)
