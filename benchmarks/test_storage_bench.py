"""The durable log: appends through the sequencer and proofs from storage, SQLite and PostgreSQL.

Each append figure is set against the storage limit measured in the same run: the same rows
written by the bare driver, one transaction per 1,000 rows, with the durability and settings the
store uses (SQLite: the store's writer pragmas, WAL with synchronous=FULL; PostgreSQL:
synchronous_commit=on).
Run: .venv/bin/python -m pytest benchmarks/test_storage_bench.py --benchmark-only -q
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from sqlalchemy import Table, create_engine
from sqlalchemy.schema import CreateIndex, CreateTable

from ledger.merkle import Frontier
from ledger.note import Signer
from ledger.service.sequencer import Appended, Sequencer
from ledger.storage.engine import SQLITE_PRAGMAS, SQLITE_WRITER_PRAGMAS
from ledger.storage.store import LogStore, PendingEntry
from ledger.storage.tables import EntryRow

if TYPE_CHECKING:
    from benchmarks.conftest import EntryMaker, RateBoard

BATCH = 1_000
APPEND_BATCHES = 50
ORIGIN = "bench.infraledger.example/log"
NOW = 1_735_689_600

ENTRIES: Table = EntryRow.__table__
COLUMNS = (
    ("idx", "int8"), ("leaf_hash", "bytea"), ("data", "bytea"), ("kind", "text"),
    ("schema_name", "text"), ("subject", "text"), ("operator", "text"), ("content", "bytea"),
    ("supersedes", "bytea"), ("issued_at", "int8"), ("sequenced_at", "int8"), ("body", "bytea"),
    ("salt", "bytea"),
)
"""The `entries` columns in the order `LogStore` writes them, with their PostgreSQL COPY types."""
assert {name for name, _ in COLUMNS} == set(ENTRIES.columns.keys()), "entries changed columns"


def _rows(batches: list[list[PendingEntry]]) -> list[list[tuple[Any, ...]]]:
    """The `entries` rows the store writes for these batches, appended from index 0."""
    out, index = [], 0
    for batch in batches:
        rows = []
        for item in batch:
            e = item.entry
            rows.append((
                index, item.leaf_hash, item.leaf_data, e.kind, e.schema, e.subject, e.operator,
                bytes.fromhex(e.content[2:]),
                bytes.fromhex(e.supersedes[2:]) if e.supersedes else None,
                e.issued_at, NOW, item.body, item.salt,
            ))
            index += 1
        out.append(rows)
    return out


def _ddl(dialect_url: str, *, indexed: bool) -> list[str]:
    """`entries` as `tables.py` declares it (indexed) or the same columns without constraints."""
    dialect = create_engine(dialect_url).dialect
    if indexed:
        return [str(CreateTable(ENTRIES).compile(dialect=dialect))] + [
            str(CreateIndex(index).compile(dialect=dialect)) for index in ENTRIES.indexes]
    columns = ", ".join(f"{c.name} {c.type.compile(dialect)}" for c in ENTRIES.columns)
    return [f"CREATE TABLE entries ({columns})"]


@pytest.fixture(scope="module")
def append_batches(entry_maker: EntryMaker) -> list[list[PendingEntry]]:
    """50 batches of 1,000 distinct realistic entries (about 500 bytes of leaf data each)."""
    return list(entry_maker.batches(APPEND_BATCHES * BATCH, BATCH))


@pytest.fixture(scope="module")
def append_rows(append_batches: list[list[PendingEntry]]) -> list[list[tuple[Any, ...]]]:
    return _rows(append_batches)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.generate(ORIGIN)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Callable[[], Path]]:
    """Fresh directories for SQLite files, all removed when the module ends."""
    with tempfile.TemporaryDirectory(prefix="infraledger-bench-") as root:
        numbers = itertools.count()

        def fresh() -> Path:
            path = Path(root, str(next(numbers)))
            path.mkdir()
            return path

        yield fresh


async def _sequence(
    store: LogStore, signer: Signer, batches: list[list[PendingEntry]]
) -> list[Appended]:
    """Every batch as one concurrent `append` call, as many API requests would arrive."""
    sequencer = Sequencer(store, signer)
    await sequencer.start()
    try:
        return await asyncio.gather(*(sequencer.append(batch) for batch in batches))
    finally:
        await sequencer.close()


def _bench_sequencer(
    benchmark: BenchmarkFixture, open_store: Callable[[], LogStore], signer: Signer,
    batches: list[list[PendingEntry]],
) -> None:
    def setup() -> tuple[tuple[LogStore], dict[str, Any]]:
        return (open_store(),), {}

    def run(store: LogStore) -> None:
        answers = asyncio.run(_sequence(store, signer, batches))
        last = answers[-1].results[-1]
        assert last.index == len(batches) * BATCH - 1 and not last.duplicate

    benchmark.pedantic(run, setup=setup, teardown=LogStore.close, rounds=3)


# -- 3a. SQLite: raw executemany limits, then the sequencer ----------------------------------

SQLITE_BARE = "sqlite3 executemany, bare table"
SQLITE_INDEXED = "sqlite3 executemany, entries schema"


def _sqlite_limit(
    benchmark: BenchmarkFixture, scratch: Callable[[], Path], rows: list[list[tuple[Any, ...]]],
    *, indexed: bool,
) -> None:
    ddl = _ddl("sqlite://", indexed=indexed)
    insert = (f"INSERT INTO entries ({', '.join(n for n, _ in COLUMNS)}) "
              f"VALUES ({', '.join('?' * len(COLUMNS))})")

    def setup() -> tuple[tuple[sqlite3.Connection], dict[str, Any]]:
        conn = sqlite3.connect(scratch() / "raw.db", isolation_level=None)
        for pragma in SQLITE_PRAGMAS + SQLITE_WRITER_PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        for statement in ddl:
            conn.execute(statement)
        return (conn,), {}

    def run(conn: sqlite3.Connection) -> None:
        for batch in rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert, batch)
            conn.execute("COMMIT")

    benchmark.pedantic(run, setup=setup, teardown=sqlite3.Connection.close, rounds=3)


def test_sqlite_executemany_bare(
    benchmark: BenchmarkFixture, rates: RateBoard, scratch: Callable[[], Path],
    append_rows: list[list[tuple[Any, ...]]],
) -> None:
    """The limit without indexes: the same rows into a table of the same columns only."""
    _sqlite_limit(benchmark, scratch, append_rows, indexed=False)
    rates.record(benchmark, SQLITE_BARE, APPEND_BATCHES * BATCH, "entries")


def test_sqlite_executemany_entries_schema(
    benchmark: BenchmarkFixture, rates: RateBoard, scratch: Callable[[], Path],
    append_rows: list[list[tuple[Any, ...]]],
) -> None:
    """The limit of the real schema: `entries` with its primary key, unique and four indexes."""
    _sqlite_limit(benchmark, scratch, append_rows, indexed=True)
    rates.record(benchmark, SQLITE_INDEXED, APPEND_BATCHES * BATCH, "entries")


def test_sequencer_sqlite(
    benchmark: BenchmarkFixture, rates: RateBoard, scratch: Callable[[], Path],
    signer: Signer, append_batches: list[list[PendingEntry]],
) -> None:
    """50 concurrent appends of 1,000 through the `Sequencer` into a fresh SQLite store."""

    def open_store() -> LogStore:
        return LogStore(f"sqlite:///{scratch() / 'log.db'}", ORIGIN, now=NOW)

    _bench_sequencer(benchmark, open_store, signer, append_batches)
    rates.record(benchmark, "Sequencer on SQLite (batches of 1,000)", APPEND_BATCHES * BATCH,
                 "entries", peers=[SQLITE_INDEXED, SQLITE_BARE], aim=">= 50k/s")


# -- 3b. PostgreSQL: raw COPY limits, then the sequencer --------------------------------------

POSTGRES_BARE = "psycopg COPY binary, bare table"
POSTGRES_INDEXED = "psycopg COPY binary, entries schema"


def _postgres_limit(
    benchmark: BenchmarkFixture, url: str, rows: list[list[tuple[Any, ...]]], *, indexed: bool
) -> None:
    ddl = _ddl("postgresql+psycopg://", indexed=indexed)
    copy = f"COPY entries ({', '.join(n for n, _ in COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    types = [t for _, t in COLUMNS]

    def setup() -> tuple[tuple[psycopg.Connection[Any]], dict[str, Any]]:
        conn = psycopg.connect(url)
        conn.execute("DROP TABLE IF EXISTS entries")
        for statement in ddl:
            conn.execute(statement)
        conn.commit()
        return (conn,), {}

    def run(conn: psycopg.Connection[Any]) -> None:
        for batch in rows:
            with conn.cursor() as cursor, cursor.copy(copy) as writer:
                writer.set_types(types)
                for row in batch:
                    writer.write_row(row)
            conn.commit()

    def teardown(conn: psycopg.Connection[Any]) -> None:
        conn.execute("DROP TABLE entries")
        conn.commit()
        conn.close()

    benchmark.pedantic(run, setup=setup, teardown=teardown, rounds=3)


def test_postgres_copy_bare(
    benchmark: BenchmarkFixture, rates: RateBoard, postgres_url: str,
    append_rows: list[list[tuple[Any, ...]]],
) -> None:
    """The limit without indexes: COPY of the same rows into a table of the same columns."""
    _postgres_limit(benchmark, postgres_url, append_rows, indexed=False)
    rates.record(benchmark, POSTGRES_BARE, APPEND_BATCHES * BATCH, "entries")


def test_postgres_copy_entries_schema(
    benchmark: BenchmarkFixture, rates: RateBoard, postgres_url: str,
    append_rows: list[list[tuple[Any, ...]]],
) -> None:
    """The limit of the real schema: COPY into `entries` with all its constraints and indexes."""
    _postgres_limit(benchmark, postgres_url, append_rows, indexed=True)
    rates.record(benchmark, POSTGRES_INDEXED, APPEND_BATCHES * BATCH, "entries")


def test_sequencer_postgres(
    benchmark: BenchmarkFixture, rates: RateBoard, postgres_databases: Callable[[], str],
    signer: Signer, append_batches: list[list[PendingEntry]],
) -> None:
    """50 concurrent appends of 1,000 through the `Sequencer` into a fresh PostgreSQL database."""

    def open_store() -> LogStore:
        return LogStore(postgres_databases(), ORIGIN, now=NOW)

    _bench_sequencer(benchmark, open_store, signer, append_batches)
    rates.record(benchmark, "Sequencer on PostgreSQL (batches of 1,000)", APPEND_BATCHES * BATCH,
                 "entries", peers=[POSTGRES_INDEXED, POSTGRES_BARE], aim=">= 30k/s")


# -- 4. proofs from a stored log of a million entries ------------------------------------------
# Both logs hold a million entries, built through `LogStore.append` by one thread each.

LOG_SIZE = 1_000_000
PROOFS = 1_000
"""Proofs per round, of leaves drawn afresh for every round."""
IN_MEMORY_PROOFS = "ours inclusion proofs (at 1M, every node in memory)"
"""The in-memory ceiling, from test_merkle_bench.py when it ran earlier in the session."""


@pytest.fixture(scope="module")
def logs(
    request: pytest.FixtureRequest, entry_maker: EntryMaker, rates: RateBoard,
    scratch: Callable[[], Path], postgres_reachable: bool,
) -> Iterator[dict[str, LogStore]]:
    """The logs, built through `LogStore.append` in batches of 1,000: one thread per store
    appends batch k while the main thread makes batch k + 1. The build rates go to the board.
    Each store keeps the node runs it wrote in its cache (64 MiB: all of them), as the store of
    a server process whose sequencer appends does."""
    stores = {"sqlite": LogStore(f"sqlite:///{scratch() / 'log.db'}", ORIGIN, now=NOW)}
    if postgres_reachable:
        url = request.getfixturevalue("postgres_databases")()
        stores["postgres"] = LogStore(url, ORIGIN, now=NOW)
    try:
        _build(stores, entry_maker, rates)
        yield stores
    finally:
        for store in stores.values():
            store.close()


def _build(stores: dict[str, LogStore], entry_maker: EntryMaker, rates: RateBoard) -> None:
    frontiers = {name: Frontier() for name in stores}
    # Per store: seconds in `append` over the whole build, and over its last tenth.
    seconds = {name: [0.0, 0.0] for name in stores}

    def append(name: str, batch: Sequence[PendingEntry]) -> None:
        start = time.perf_counter()
        _, frontiers[name] = stores[name].append(batch, frontiers[name], NOW)
        elapsed = time.perf_counter() - start
        seconds[name][0] += elapsed
        if frontiers[name].size > LOG_SIZE * 9 // 10:
            seconds[name][1] += elapsed

    with ThreadPoolExecutor(len(stores)) as pool:
        running: list[Future[None]] = []
        for batch in entry_maker.batches(LOG_SIZE, BATCH):
            for done in running:
                done.result()
            running = [pool.submit(append, name, batch) for name in stores]
        for done in running:
            done.result()
    for name, store in stores.items():
        assert frontiers[name].size == LOG_SIZE == store.tree_size()
        rates.note(f"{name} LogStore.append, build 0 to {LOG_SIZE:,}", LOG_SIZE / seconds[name][0],
                   "entries")
        rates.note(f"{name} LogStore.append, last tenth of the build",
                   LOG_SIZE / 10 / seconds[name][1], "entries")


def _store_of(logs: dict[str, LogStore], backend: str, *, cached: bool) -> LogStore:
    """The log's store (its cache filled by the build), or a new one without a node cache."""
    if backend not in logs:
        pytest.skip(f"no {backend} store")
    store = logs[backend]
    return store if cached else LogStore(store.url, ORIGIN, now=NOW, node_cache_bytes=0)


def _bench_proofs(
    benchmark: BenchmarkFixture, prove: Callable[[int], object], seed: int, rounds: int = 11
) -> None:
    """`PROOFS` calls of `prove` a round, on arguments drawn afresh for every round."""
    rnd = random.Random(seed)

    def setup() -> tuple[tuple[list[int]], dict[str, Any]]:
        return ([rnd.randrange(1, LOG_SIZE) for _ in range(PROOFS)],), {}

    def run(arguments: list[int]) -> None:
        for argument in arguments:
            prove(argument)

    benchmark.pedantic(run, setup=setup, rounds=rounds)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_inclusion_proofs(
    benchmark: BenchmarkFixture, rates: RateBoard, logs: dict[str, LogStore], backend: str
) -> None:
    """`LogStore.inclusion_proof` of random leaves at the full size, node runs from the cache."""
    store = _store_of(logs, backend, cached=True)
    _bench_proofs(benchmark, lambda index: store.inclusion_proof(index, LOG_SIZE), 9162)
    rates.record(benchmark, f"{backend} inclusion proofs (at 1M, node cache)", PROOFS, "proofs",
                 peers=[IN_MEMORY_PROOFS], aim=">= 20k/s")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_inclusion_proofs_uncached(
    benchmark: BenchmarkFixture, rates: RateBoard, logs: dict[str, LogStore], backend: str
) -> None:
    """`LogStore.inclusion_proof` of random leaves at the full size without a node cache:
    each proof is one query reading the ~20 node runs it needs from the database."""
    store = _store_of(logs, backend, cached=False)
    try:
        _bench_proofs(benchmark, lambda index: store.inclusion_proof(index, LOG_SIZE), 9163,
                      rounds=3)
    finally:
        store.close()
    rates.record(benchmark, f"{backend} inclusion proofs (at 1M, no cache)", PROOFS, "proofs",
                 peers=[IN_MEMORY_PROOFS])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_consistency_proofs(
    benchmark: BenchmarkFixture, rates: RateBoard, logs: dict[str, LogStore], backend: str
) -> None:
    """`LogStore.consistency_proof` from random older sizes to the full size, node cache."""
    store = _store_of(logs, backend, cached=True)
    _bench_proofs(benchmark, lambda old: store.consistency_proof(old, LOG_SIZE), 6962)
    rates.record(benchmark, f"{backend} consistency proofs (to 1M, node cache)", PROOFS,
                 "proofs")
