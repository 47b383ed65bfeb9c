"""The map at 5,000 sites and 500 cable routes: the sites and routes GeoJSON (size, time to build
and to serve again) beside the areas GeoJSON of the same day, and the map page in headless
Chromium to "markers drawn" beside the same page fetching its three layers only.

The ledger: 5,000 `site/1` records (four operators, spread over the 40 commune-level units at
the units' test points with a deterministic jitter, statuses and technologies mixed) and 500
`route/1` records of 50 points each (between two communes' test points, aerial and underground),
appended to the store directly as `test_indicator_pages_bench.py` does (bodies valid, signatures
random: reading does not check them), with an anchor row covering them, served by uvicorn on
SQLite.

    .venv/bin/python -m pytest benchmarks/test_map_bench.py --benchmark-only -q -s
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import Final

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright
from pytest_benchmark.fixture import BenchmarkFixture

from api.app import create_app
from api.demo.sample import SAMPLE_OPERATORS
from api.node import Node
from api.serving import ServerThread
from api.settings import Settings, load_settings
from benchmarks.test_http_bench import file_plans
from filings.signing import signer_address
from ledger.canonical import canonical_json
from ledger.entry import Entry
from ledger.merkle import Hash
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.store import PendingEntry
from tests.api.test_map_routes import POINTS, route_body, site_body

SITES: Final = 5_000
ROUTES: Final = 500
ROUTE_POINTS: Final = 50
BATCH: Final = 1_000
KEYS: Final = [hashlib.sha256(f"map-bench-{n}".encode()).digest() for n in range(4)]
CHROMIUM: Final = "/usr/bin/chromium"
FIRST_DAY: Final = date(2025, 12, 1)


def _entry(kind: str, subject: str, body: dict[str, object], operator: str, n: int,
           rnd: random.Random) -> PendingEntry:
    data = canonical_json(body)
    entry = Entry(kind=kind, schema=f"{kind}/1", subject=subject, operator=operator,
                  content="0x" + hashlib.sha256(data).hexdigest(),
                  attachments="0x" + hashlib.sha256(b"[]").hexdigest(), supersedes=None,
                  issued_at=1_764_547_200 + n, signature="0x" + rnd.randbytes(65).hex())
    return PendingEntry.of(entry, body=data)


def site_entries(sites: int = SITES, keys: Sequence[bytes] = KEYS) -> Iterator[PendingEntry]:
    """`sites` stored `site/1` records of the module doc, filed by the four `keys`."""
    rnd = random.Random(2026)
    operators = [signer_address(key) for key in keys]
    areas = sorted(POINTS)
    for n in range(sites):
        area = areas[n % len(areas)]
        status = ("in_service", "in_service", "out_of_service", "planned")[n % 4]
        body = site_body(f"BENCH-{n:05d}", "2025-11-01", area, status=status,
                         technologies=("4G", "5G") if n % 3 == 0 else ("4G",),
                         outage={"reason": "flood", "since": "2025-10-28", "note": None}
                         if status == "out_of_service" else None,
                         nudge=rnd.uniform(-0.004, 0.004))
        yield _entry("site", f"site:{body['site_id']}", body, operators[n % 4], n, rnd)


def route_entries(routes: int = ROUTES, keys: Sequence[bytes] = KEYS) -> Iterator[PendingEntry]:
    """`routes` stored `route/1` records of the module doc, filed by the four `keys`."""
    rnd = random.Random(2027)
    operators = [signer_address(key) for key in keys]
    ends = [POINTS[code] for code in sorted(POINTS)]
    for n in range(routes):
        (lat1, lon1), (lat2, lon2) = ends[n % len(ends)], ends[(n + 1) % len(ends)]
        body = route_body(f"BENCH-R{n:04d}", "2025-11-01",
                          placement=("aerial", "underground")[n % 2],
                          shared=("poles", "ducts")[n % 2] if n % 3 else None)
        body["geometry"] = {"type": "LineString", "coordinates": [
            [round(lon1 + (lon2 - lon1) * k / (ROUTE_POINTS - 1) + rnd.uniform(-1e-4, 1e-4), 6),
             round(lat1 + (lat2 - lat1) * k / (ROUTE_POINTS - 1) + rnd.uniform(-1e-4, 1e-4), 6)]
            for k in range(ROUTE_POINTS)]}
        yield _entry("route", f"route:{body['route_id']}", body, operators[n % 4], SITES + n, rnd)


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="infraledger-map-bench-") as root:
        data_dir = Path(root) / "ledger"
        node = Node.open(load_settings(data_dir), jobs=False, deploy=True)
        try:
            for operator, key in zip(SAMPLE_OPERATORS, KEYS, strict=True):
                node.registry.register(signer_address(key), operator.name, operator.licence)
            file_plans(node)
            frontier = node.store.frontier()
            items = [*site_entries(), *route_entries()]
            for start in range(0, len(items), BATCH):
                _, frontier = node.store.append(items[start:start + BATCH], frontier, now=0)
            size = node.store.tree_size()
            AnchorStore(node.store).add(StoredAnchor(
                tree_size=size, root=Hash(node.store.root(size)),
                chain_id=node.deployment.chain_id, contract=node.deployment.ledger_anchor,
                tx_hash=bytes(32), block_number=1, block_hash=bytes(32),
                block_time=1_767_225_600, anchored_at=1_767_225_600))
        finally:
            asyncio.run(node.close())
        settings: Settings = load_settings(data_dir, selfcheck="off", map_tiles_url="")
        with ServerThread(create_app(settings, jobs=False)) as url:
            yield url


def _get(client: httpx.Client, path: str) -> bytes:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    return answer.content


@pytest.mark.benchmark(group="map-geojson")
def test_areas_geojson(benchmark: BenchmarkFixture, served: str) -> None:
    """The peer: the 41 areas of the same day (served from memory)."""
    with httpx.Client(base_url=served, timeout=60) as client:
        data = benchmark(_get, client, "/v1/map/areas.geojson?on=2025-12-01")
    benchmark.extra_info["bytes"] = len(data)
    print(f"areas GeoJSON: {len(data):,} bytes")


@pytest.mark.benchmark(group="map-geojson")
def test_sites_geojson_built(benchmark: BenchmarkFixture, served: str) -> None:
    """5,000 sites, built for a day not asked before (each round another day)."""
    days = (FIRST_DAY + timedelta(days=n) for n in count())
    with httpx.Client(base_url=served, timeout=60) as client:
        _get(client, "/v1/map/sites.geojson?on=2025-11-30")  # the book read once
        data = benchmark.pedantic(  # type: ignore[no-untyped-call]
            lambda: _get(client, f"/v1/map/sites.geojson?on={next(days)}"),
            rounds=10, iterations=1)
    assert data.count(b'"Feature"') == SITES  # planned and out-of-service sites stand too
    benchmark.extra_info["bytes"] = len(data)
    print(f"sites GeoJSON: {len(data):,} bytes")


@pytest.mark.benchmark(group="map-geojson")
def test_routes_geojson_built(benchmark: BenchmarkFixture, served: str) -> None:
    """500 routes of 50 points, built for a day not asked before (each round another day)."""
    days = (FIRST_DAY + timedelta(days=n) for n in count())
    with httpx.Client(base_url=served, timeout=60) as client:
        _get(client, "/v1/map/routes.geojson?on=2025-11-30")  # the book read once
        data = benchmark.pedantic(  # type: ignore[no-untyped-call]
            lambda: _get(client, f"/v1/map/routes.geojson?on={next(days)}"),
            rounds=10, iterations=1)
    assert data.count(b'"LineString"') == ROUTES
    benchmark.extra_info["bytes"] = len(data)
    print(f"routes GeoJSON: {len(data):,} bytes")


@pytest.mark.benchmark(group="map-geojson")
def test_routes_geojson_again(benchmark: BenchmarkFixture, served: str) -> None:
    """The same day again: served from memory."""
    with httpx.Client(base_url=served, timeout=60) as client:
        _get(client, "/v1/map/routes.geojson?on=2025-12-01")
        benchmark(_get, client, "/v1/map/routes.geojson?on=2025-12-01")


@pytest.mark.benchmark(group="map-geojson")
def test_sites_geojson_again(benchmark: BenchmarkFixture, served: str) -> None:
    """The same day again: served from memory."""
    with httpx.Client(base_url=served, timeout=60) as client:
        _get(client, "/v1/map/sites.geojson?on=2025-12-01")
        benchmark(_get, client, "/v1/map/sites.geojson?on=2025-12-01")


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
        yield context.new_page()
        browser.close()


@pytest.mark.benchmark(group="map-page")
def test_map_page_to_markers_drawn(benchmark: BenchmarkFixture, served: str,
                                   browser_page: Page) -> None:
    """Load /map until every site is in the cluster layer and the markers are on screen."""
    def load() -> None:
        browser_page.goto(f"{served}/map")
        browser_page.wait_for_function(
            "() => document.querySelector('#map').dataset.state === 'ready'"
            " && document.querySelectorAll('.marker-cluster, .site-marker').length > 0",
            timeout=60_000)
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        load, rounds=5, iterations=1, warmup_rounds=1)
    assert browser_page.locator("#map").get_attribute("data-sites") == str(SITES)
    assert browser_page.locator("#map").get_attribute("data-routes") == str(ROUTES)


@pytest.mark.benchmark(group="map-page")
def test_map_page_layers_fetched(benchmark: BenchmarkFixture, served: str,
                                 browser_page: Page) -> None:
    """The peer: the same page's three layers fetched and parsed by the browser, nothing
    drawn."""
    browser_page.goto(f"{served}/verify")

    def fetch() -> None:
        browser_page.evaluate("""() => Promise.all([
          fetch('/v1/map/areas.geojson?on=2026-12-07').then(r => r.json()),
          fetch('/v1/map/sites.geojson?on=2026-12-07').then(r => r.json()),
          fetch('/v1/map/routes.geojson?on=2026-12-07').then(r => r.json())])
          .then(layers => layers[1].features.length)""")
    benchmark.pedantic(  # type: ignore[no-untyped-call]
        fetch, rounds=5, iterations=1, warmup_rounds=1)
