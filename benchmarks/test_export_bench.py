"""The open-data export (`api.open_data`) of a ledger of 100,000 figures, 5,000 sites and 500
cable routes.

The ledger (SQLite, the embedded chain with the contracts deployed, the four sample operators
registered) holds plans 254/KH-UBND and 455/KH-UBND filed by the registrar, then the 100,000
`indicator/2` figures of `benchmarks/test_indicator_pages_bench.py` and the 5,000 `site/1` and
500 `route/1` records of `benchmarks/test_map_bench.py` (50 points each), appended to the store
directly (their signatures are not checked on this path: the export reads stored records), and
one signed checkpoint over them all. The files: the three CSVs of figures, permits and plans,
`sites.csv`, `sites.geojson`, `routes.geojson` (each route's geodesic length computed) and
`ducts.csv` (empty here), the Data Package and the catalogue.

- The peer: reading and decoding every record the export holds from the store
  (`read_export`), which any export needs.
- Building the files from the decoded records (`export_files`: CSV, Data Package, catalogue).
- The whole export as `GET /v1/export/...` and `infraledger export` make it: read, then build.

Run: `.venv/bin/python -m pytest benchmarks/test_export_bench.py --benchmark-only -q`.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from api.demo.sample import SAMPLE_OPERATORS
from api.node import Node
from api.open_data import ExportCheckpoint, ExportRecord, export_files, read_export
from api.settings import Settings, load_settings
from benchmarks.conftest import RateBoard
from benchmarks.test_http_bench import file_plans
from benchmarks.test_indicator_pages_bench import FIGURES, KEYS, _figures
from benchmarks.test_map_bench import ROUTES, SITES, route_entries, site_entries
from filings.signing import signer_address
from ledger.storage.anchors import AnchorStore
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore, PendingEntry

ROUNDS: Final = 3
BATCH: Final = 1_000
RECORDS: Final = FIGURES + SITES + ROUTES
READ: Final = "reading and decoding the export's records, 100k figures, 5k sites, 500 routes"


@pytest.fixture(scope="module")
def ledger() -> Iterator[Settings]:
    """The data directory of the module doc, built once."""
    with tempfile.TemporaryDirectory(prefix="infraledger-export-bench-") as root:
        data_dir = Path(root) / "ledger"
        node = Node.open(load_settings(data_dir), jobs=False, deploy=True)
        try:
            for operator, key in zip(SAMPLE_OPERATORS, KEYS, strict=True):
                node.registry.register(signer_address(key), operator.name, operator.licence)
            file_plans(node)
            batch: list[PendingEntry] = []
            frontier = node.store.frontier()
            for item in (*_figures(), *site_entries(SITES, KEYS), *route_entries(ROUTES, KEYS)):
                batch.append(item)
                if len(batch) == BATCH:
                    _, frontier = node.store.append(batch, frontier, now=0)
                    batch = []
            if batch:
                node.store.append(batch, frontier, now=0)
            node.checkpointer.run_once()
            assert node.store.tree_size() == RECORDS + 2
        finally:
            asyncio.run(node.close())
        yield load_settings(data_dir, selfcheck="off")


@pytest.fixture(scope="module")
def store(ledger: Settings) -> Iterator[LogStore]:
    opened = LogStore(ledger.database(), ledger.origin, now=0)
    yield opened
    opened.close()


def _read(store: LogStore) -> tuple[list[ExportRecord], ExportCheckpoint]:
    return read_export(RecordStore(store), store, AnchorStore(store), store.tree_size())


NAMES: Final = {signer_address(key): o.name for o, key in zip(SAMPLE_OPERATORS, KEYS,
                                                               strict=True)}


@pytest.mark.benchmark(group="open-data-export")
def test_reading_the_records(benchmark: BenchmarkFixture, rates: RateBoard,
                             store: LogStore) -> None:
    """The peer: every record of the export read from the store and decoded."""
    found, _ = benchmark.pedantic(_read, args=(store,), rounds=ROUNDS, warmup_rounds=1)
    assert len(found) == RECORDS + 2
    rates.record(benchmark, READ, RECORDS, "records")


@pytest.mark.benchmark(group="open-data-export")
def test_building_the_files(benchmark: BenchmarkFixture, rates: RateBoard,
                            store: LogStore) -> None:
    """The CSV files, the Data Package and the catalogue from the decoded records."""
    found, checkpoint = _read(store)
    files = benchmark.pedantic(export_files, args=(found, checkpoint, NAMES), rounds=ROUNDS,
                               warmup_rounds=1)
    benchmark.extra_info["bytes"] = {name: len(data) for name, data in files.items()}
    rates.record(benchmark, "building the export files, 105.5k records", RECORDS, "records",
                 peers=[READ])


def _export(store: LogStore) -> dict[str, bytes]:
    found, checkpoint = _read(store)
    return export_files(found, checkpoint, NAMES)


@pytest.mark.benchmark(group="open-data-export")
def test_the_whole_export(benchmark: BenchmarkFixture, rates: RateBoard,
                          store: LogStore) -> None:
    """Read and build: what the first `GET /v1/export/...` after an anchor, or `infraledger
    export`, does (the command also reads the registry's names)."""
    files = benchmark.pedantic(_export, args=(store,), rounds=ROUNDS)
    assert files["indicators.csv"].count(b"\r\n") == FIGURES + 1
    assert files["sites.csv"].count(b"\r\n") == SITES + 1
    assert files["routes.geojson"].count(b'"LineString"') == ROUTES
    benchmark.extra_info["bytes"] = {name: len(data) for name, data in files.items()}
    rates.record(benchmark, "the whole export, 105.5k records", RECORDS, "records",
                 peers=[READ])
