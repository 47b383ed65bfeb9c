"""The home page and `GET /v1/indicators/{code}` over a ledger of 100,000 figures.

The ledger (SQLite, the embedded chain with the contracts deployed, the four sample operators
registered) holds plans 254/KH-UBND and 455/KH-UBND filed by the registrar, then 100,000
`indicator/2` figures, newest period first, of plan 254's eight indicators reported down to
communes, for every month, quarter, half and year of 2023-2025, for the province or city, each
district and each commune in force on the period's last day (the 40 communes from 2025-07-01,
the 2025-H1 units, the 2024 units, until 100,000), each by two of the four operators, with the
counts behind each percentage. The figures go into the
store directly (their signatures are not checked on this path: the pages read the stored
records) and one anchor row covers them all, as after the anchor service's next run. The app runs
in-process behind uvicorn in a thread; the load comes from httpx in this process.

- `GET /` after an anchor: the first request at a new anchored size, which reads and judges
  every standing figure (the page's data is then kept per anchored size); and the next ones.
- `GET /v1/indicators/bts_shared_ratio`: one indicator's whole history (an eighth of the
  figures), read and judged at each new anchored size, then kept; first and next requests.
- The peer: reading and decoding every standing figure from the store, which any first request
  after an anchor needs.

Run: `.venv/bin/python -m pytest benchmarks/test_indicator_pages_bench.py --benchmark-only -q`.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import tempfile
from collections.abc import Iterator
from datetime import datetime, time
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from api.app import create_app
from api.demo.sample import SAMPLE_OPERATORS
from api.node import Node
from api.routes import indicators
from api.serving import ServerThread
from api.settings import Settings, load_settings
from api.web import pages
from benchmarks.conftest import RateBoard
from benchmarks.test_http_bench import file_plans
from filings.areas import load_areas
from filings.periods import VIETNAM_TIME, parse_period
from filings.signing import signer_address
from ledger.canonical import canonical_json
from ledger.entry import Entry
from ledger.merkle import Hash
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.indicators import standing_indicator_records
from ledger.storage.store import PendingEntry

FIGURES: Final = 100_000
INDICATORS: Final = ("village_mobile_broadband_ratio", "village_ftth_ratio", "bts_shared_ratio",
                     "cable_pole_shared_ratio", "cable_duct_shared_ratio",
                     "commune_dedicated_network_ratio", "household_fibre_access_ratio",
                     "household_internet_ratio")
KEYS: Final = tuple(hashlib.sha256(f"bench operator {o.slug}".encode()).digest()
                    for o in SAMPLE_OPERATORS)
ROUNDS: Final = 5
BATCH: Final = 1_000


def _periods() -> list[str]:
    """Every month, quarter, half and year of plan 254 (2023-2025), newest first."""
    years = (2023, 2024, 2025)
    texts = [f"{y}-{m:02d}" for y in years for m in range(1, 13)]
    texts += [f"{y}-Q{q}" for y in years for q in range(1, 5)]
    texts += [f"{y}-H{h}" for y in years for h in (1, 2)] + [str(y) for y in years]
    return sorted(texts, key=lambda t: (parse_period(t).end, parse_period(t).start),
                  reverse=True)


def _figures() -> Iterator[PendingEntry]:
    """`FIGURES` figures (module doc), deterministic."""
    areas = load_areas()
    operators = [signer_address(key) for key in KEYS]
    rnd = random.Random(2026)
    made = 0
    for text in _periods():
        period = parse_period(text)
        filed = int(datetime.combine(period.end, time(9), VIETNAM_TIME).timestamp())
        for indicator in INDICATORS:
            for position, area in enumerate(areas.on(period.as_of)):
                for operator in (operators[position % 4], operators[(position + 1) % 4]):
                    if made == FIGURES:
                        return
                    denominator = rnd.randint(20, 400)
                    numerator = rnd.randint(0, denominator)
                    body = {"indicator": indicator, "area": area.code, "period": text,
                            "value": round(100 * numerator / denominator, 1), "unit": "%",
                            "numerator": numerator, "denominator": denominator}
                    data = canonical_json(body)
                    entry = Entry(
                        kind="indicator", schema="indicator/2",
                        subject=f"indicator:{indicator}:{area.code}:{text}",
                        operator=operator, content="0x" + hashlib.sha256(data).hexdigest(),
                        attachments="0x" + hashlib.sha256(b"[]").hexdigest(), supersedes=None,
                        issued_at=filed + 86_400 * 10 + made % 86_400,
                        signature="0x" + rnd.randbytes(65).hex(),
                    )
                    made += 1
                    yield PendingEntry.of(entry, body=data)


@pytest.fixture(scope="module")
def ledger() -> Iterator[Settings]:
    """The data directory of the module doc, built once."""
    with tempfile.TemporaryDirectory(prefix="infraledger-pages-bench-") as root:
        data_dir = Path(root) / "ledger"
        node = Node.open(load_settings(data_dir), jobs=False, deploy=True)
        try:
            for operator, key in zip(SAMPLE_OPERATORS, KEYS, strict=True):
                node.registry.register(signer_address(key), operator.name, operator.licence)
            file_plans(node)
            batch: list[PendingEntry] = []
            frontier = node.store.frontier()
            for item in _figures():
                batch.append(item)
                if len(batch) == BATCH:
                    _, frontier = node.store.append(batch, frontier, now=0)
                    batch = []
            if batch:
                node.store.append(batch, frontier, now=0)
            size = node.store.tree_size()
            AnchorStore(node.store).add(StoredAnchor(
                tree_size=size, root=Hash(node.store.root(size)), chain_id=node.deployment.chain_id,
                contract=node.deployment.ledger_anchor, tx_hash=bytes(32), block_number=1,
                block_hash=bytes(32), block_time=1_767_225_600, anchored_at=1_767_225_600))
            assert size == FIGURES + 2
        finally:
            asyncio.run(node.close())
        yield load_settings(data_dir, selfcheck="off")


@pytest.fixture(scope="module")
def served(ledger: Settings) -> Iterator[str]:
    with ServerThread(create_app(ledger, jobs=False)) as url:
        yield url


def _get(client: httpx.Client, path: str) -> bytes:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    return answer.content


READ: Final = "reading every standing figure, 100k figures"


@pytest.mark.benchmark(group="indicator-pages")
def test_reading_every_figure(benchmark: BenchmarkFixture, rates: RateBoard,
                              ledger: Settings) -> None:
    """The peer: the query and decoding that any page over the figures needs, alone."""
    node = Node.open(ledger, jobs=False)
    try:
        size = node.store.tree_size()
        records = benchmark.pedantic(standing_indicator_records, args=(node.store, size),
                                     rounds=ROUNDS, warmup_rounds=1)
        assert len(records) == FIGURES
    finally:
        asyncio.run(node.close())
    rates.record(benchmark, READ, 1, "reads")


@pytest.mark.benchmark(group="indicator-pages")
def test_home_after_an_anchor(benchmark: BenchmarkFixture, rates: RateBoard,
                              served: str) -> None:
    """The first `GET /` at a new anchored size: every figure read, judged and laid out."""
    with httpx.Client(base_url=served, timeout=600) as client:
        _get(client, "/")  # start-up: the registry read, templates compiled

        def cold() -> tuple[tuple[httpx.Client, str], dict[str, Any]]:
            pages._home_html.cache_clear()
            return (client, "/"), {}

        body = benchmark.pedantic(_get, setup=cold, rounds=ROUNDS)
    benchmark.extra_info["html_bytes"] = len(body)
    rates.record(benchmark, "GET / after an anchor, 100k figures", 1, "pages", peers=[READ])


@pytest.mark.benchmark(group="indicator-pages")
def test_home_again(benchmark: BenchmarkFixture, rates: RateBoard, served: str) -> None:
    """`GET /` at an anchored size already laid out."""
    with httpx.Client(base_url=served, timeout=600) as client:
        _get(client, "/")
        benchmark.pedantic(_get, args=(client, "/"), rounds=ROUNDS * 4)
    rates.record(benchmark, "GET / again, 100k figures", 1, "pages")


@pytest.mark.benchmark(group="indicator-pages")
def test_indicator_history_after_an_anchor(benchmark: BenchmarkFixture, rates: RateBoard,
                                           served: str) -> None:
    """The first `GET /v1/indicators/bts_shared_ratio` at a new anchored size: an eighth of the
    figures read and judged (the answer is then kept per anchored size)."""
    with httpx.Client(base_url=served, timeout=600) as client:
        def cold() -> tuple[tuple[httpx.Client, str], dict[str, Any]]:
            indicators._history_json.cache_clear()
            return (client, "/v1/indicators/bts_shared_ratio"), {}

        body = benchmark.pedantic(_get, setup=cold, rounds=ROUNDS)
    benchmark.extra_info["json_bytes"] = len(body)
    rates.record(benchmark, "GET /v1/indicators/{code} after an anchor, 100k figures", 1,
                 "requests", peers=[READ])


@pytest.mark.benchmark(group="indicator-pages")
def test_indicator_history_again(benchmark: BenchmarkFixture, rates: RateBoard,
                                 served: str) -> None:
    """`GET /v1/indicators/bts_shared_ratio` at an anchored size already answered."""
    with httpx.Client(base_url=served, timeout=600) as client:
        _get(client, "/v1/indicators/bts_shared_ratio")
        benchmark.pedantic(_get, args=(client, "/v1/indicators/bts_shared_ratio"),
                           rounds=ROUNDS * 4)
    rates.record(benchmark, "GET /v1/indicators/{code} again, 100k figures", 1, "requests")
