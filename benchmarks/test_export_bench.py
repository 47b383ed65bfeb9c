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
- Verifying an export of `VERIFIED` signed figures from its directory against the ledger served
  on a local port, offline (`infraledger-verify export DIR --ledger URL --offline`): every row's
  proof bundle, then the pass over the log's entry bundles that proves each file complete.

Run: `.venv/bin/python -m pytest benchmarks/test_export_bench.py --benchmark-only -q`
(`-k verifying` for the verification alone).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from api.app import create_app
from api.demo.sample import SAMPLE_OPERATORS
from api.node import Node
from api.open_data import ExportCheckpoint, ExportRecord, export_files, read_export
from api.serving import ServerThread
from api.settings import Settings, load_settings
from benchmarks.conftest import RateBoard
from benchmarks.test_http_bench import file_plans
from benchmarks.test_indicator_pages_bench import FIGURES, KEYS, _figures
from benchmarks.test_map_bench import ROUTES, SITES, route_entries, site_entries
from client.ledger import prepare_submission
from filings.signing import signer_address
from filings.submission import prepare
from ledger.storage.anchors import AnchorStore
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore, PendingEntry
from verifier.ledger_api import LedgerApi
from verifier.open_data import ExportDirectory, ExportReport, verify_export
from verifier.trust import Trust

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


VERIFIED: Final = 2_000
"""Figures of the verified export: each row costs a bundle fetched and verified."""


@dataclass(frozen=True)
class ServedExport:
    """A ledger of `VERIFIED` signed figures served on a local port, and its export's
    directory."""

    url: str
    trust: Trust
    export: Path


@pytest.fixture(scope="module")
def served_export() -> Iterator[ServedExport]:
    """The figures of `_figures`, signed by their operators' keys (a bundle checks the
    signature), sequenced and checkpointed, exported to a directory, the ledger served."""
    with tempfile.TemporaryDirectory(prefix="infraledger-export-verify-bench-") as root:
        data_dir = Path(root) / "ledger"
        node = Node.open(load_settings(data_dir), jobs=False, deploy=True)
        keys = {signer_address(key): key for key in KEYS}
        try:
            file_plans(node)
            signed = []
            for item in itertools.islice(_figures(), VERIFIED):
                entry = item.entry
                assert item.body is not None
                submission = prepare_submission(
                    keys[entry.operator], node.domain, kind=entry.kind, schema=entry.schema,
                    subject=entry.subject, body=json.loads(item.body),
                    issued_at=entry.issued_at)
                ready = prepare(submission, node.domain)
                signed.append(PendingEntry(ready.entry, ready.leaf_data, ready.leaf_hash,
                                           ready.body_bytes))
            node.store.append(signed, node.store.frontier(), now=0)
            node.checkpointer.run_once()
            found, checkpoint = _read(node.store)
        finally:
            asyncio.run(node.close())
        export = Path(root) / "export"
        export.mkdir()
        for name, data in export_files(found, checkpoint, NAMES).items():
            (export / name).write_bytes(data)
        with ServerThread(create_app(load_settings(data_dir, selfcheck="off"))) as url:
            trust = Trust.from_log_info(LedgerApi(url).log_info(), url)
            yield ServedExport(url, trust, export)


def _verify(served: ServedExport) -> ExportReport:
    return verify_export(ExportDirectory(served.export), served.trust, LedgerApi(served.url),
                         None)


@pytest.mark.benchmark(group="open-data-export")
def test_verifying_the_export(benchmark: BenchmarkFixture, rates: RateBoard,
                              served_export: ServedExport) -> None:
    """`infraledger-verify export DIR --offline` on the export of `VERIFIED` figures: the
    checkpoint, the files, every row against its bundle, and every file complete against the
    log's entries. The warm-up round fills the ledger's bundle cache, as earlier downloaders
    would have."""
    report = benchmark.pedantic(_verify, args=(served_export,), rounds=ROUNDS, warmup_rounds=1)
    assert report.verified, [f.to_json("en") for f in report.findings]
    targets = (served_export.export / "plans.csv").read_bytes().count(b"\r\n") - 1
    assert report.rows == VERIFIED + targets  # a row per figure, per target of the two plans
    rates.record(benchmark, "verifying an export of 2k figures, offline", report.rows, "rows")
