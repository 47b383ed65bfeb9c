"""Sustained load: signed ingest into a real `infraledger serve` process for many minutes, on
SQLite and on PostgreSQL (`make soak`; `--soak-minutes M` for a shorter run).

Each run first measures the server's capacity (closed loop: as fast as answers come, 30 s after
a 5 s warm-up), then holds an open-loop load at 90% of it for the soak: every second is
scheduled, so a server that slows down shows as latency, not as a politely slower client. It
reports throughput (against the capacity measured in the same run), p50/p99 latency of the
answered requests, refusals, the chain's lag, and the server's RSS sampled every 5 s with the
number of records acknowledged so far. The RSS curve is reported at 1, 5, 10, 20 and 30 minutes
(those the run reaches) and as two slopes in bytes per record, least squares of RSS on records:
over the first and over the last 10 minutes (thirds of a run shorter than 30 minutes). While the
node-run cache fills (`NODE_CACHE_BYTES`, 64 MiB: about a million entries at 64 bytes each) RSS
grows with the records; once it is full the last slope is what any other growth would show.
`--node-cache-mib B` runs the server with a budget of B MiB instead
(`tests.reliability.cache_budget`), so a machine too slow to log a million records in the run
still fills it. It ends with the full self-check of the whole store and the check that every
acknowledged record is in the log, and reports the store's size per table and per record.

The load generator signs every submission (EIP-712, a new record each) in this process, on
the same 2-core machine as the server: the figures are the capacity of server and client
together. The results are printed and written to `.benchmarks/soak-<database>.json`
(`soak-<database>-cache<B>mib.json` with `--node-cache-mib`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from api.settings import Settings
from filings.signing import SubmissionDomain
from ledger.storage.store import NODE_CACHE_BYTES
from tests.reliability.harness import Load, ServerProcess, check_log, log_key, percentile
from tests.server_fixtures import ledger_domain, ledger_settings

__all__ = ["ledger_domain", "ledger_settings"]

ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 5.0
CAPACITY_SECONDS = 30.0
LOAD_FRACTION = 0.9
RSS_EVERY = 5.0
RSS_MARKS = (1, 5, 10, 20, 30)
"""Minutes at which the RSS curve is reported."""
SLOPE_MINUTES = 10.0
"""The span of the first and of the last slope (a third of a shorter run)."""
HASH_BYTES_PER_ENTRY = 64
"""A log of N entries has 2N - 1 node hashes of 32 bytes: the node-run cache's bytes per entry."""
BATCH = 20
WORKERS = 16


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_database_url(request: pytest.FixtureRequest) -> str | None:
    """The soak runs once on SQLite (in the data directory) and once on PostgreSQL."""
    if request.param == "sqlite":
        return None
    create: Callable[[], str] = request.getfixturevalue("postgres_databases")
    return create()


@dataclass
class SoakResult:
    database: str
    minutes: float
    capacity: float
    """Records per second acknowledged in the closed-loop capacity run."""
    offered: float
    """Records per second the open loop was scheduled to send (90% of the capacity)."""
    throughput: float
    """Records per second acknowledged during the soak."""
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    refusals: dict[str, int]
    records: int
    rss_first_minute_mb: float
    rss_last_minute_mb: float
    rss_max_mb: float
    rss_at: dict[str, tuple[float, int]]
    """RSS (MB) and records acknowledged at each mark of `RSS_MARKS` the run reached."""
    slope_first_bytes_per_record: float
    slope_last_bytes_per_record: float
    """Least-squares slopes of RSS on records acknowledged, over the first and the last
    `SLOPE_MINUTES` of the soak (a third of a shorter run); the second over the first is the
    ratio of growth once the node-run cache is full to growth while it fills."""
    log_size_at_last_slope: int
    """Records in the log when the last slope starts: past `cache_entries` the cache is full."""
    node_cache_bytes: int
    """The server's node-run cache budget."""
    cache_entries: int
    """Entries whose node hashes fill that budget (`HASH_BYTES_PER_ENTRY` each)."""
    anchored_behind: int
    """Entries past the latest anchor when the soak ended."""
    store_bytes: dict[str, int]
    """Bytes of each table of the store at the end, its indexes and TOAST included (SQLite:
    `total`, the database file after a WAL checkpoint, and per table where `dbstat` exists)."""
    log_bytes_per_record: float
    """`entries`, `nodes` and `attachment_refs` over the records: what the log itself costs."""
    entry_bytes: float
    """Mean length of a record's entry (the leaf data the entry bundles carry)."""
    server_cpu: float
    client_cpu: float
    """CPU seconds per second of the server process and of this one (the load generator)
    during the soak: 1.0 is one core busy."""


Sample = tuple[float, float, int]
"""Seconds into the soak, server RSS (MB), records acknowledged so far."""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (`/proc/<pid>/stat`)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _slope(samples: list[Sample]) -> float:
    """Least-squares slope of RSS (bytes) on records acknowledged; 0 with fewer than 2."""
    if len(samples) < 2:
        return 0.0
    xs = [float(records) for _, _, records in samples]
    ys = [mb * (1 << 20) for _, mb, _ in samples]
    mean_x, mean_y = statistics.mean(xs), statistics.mean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def _curve(samples: list[Sample], took: float, base: int
           ) -> tuple[dict[str, tuple[float, int]], float, float, int]:
    """RSS and log size at each mark, the first and last slopes, and the log size where the
    last slope starts (`base`: records in the log before the soak)."""
    marks = {}
    for minute in RSS_MARKS:
        after = [sample for sample in samples if sample[0] >= minute * 60 - RSS_EVERY]
        if minute * 60 <= took and after:
            _, mb, records = after[0]
            marks[f"{minute} min"] = (round(mb, 1), base + records)
    span = min(SLOPE_MINUTES * 60, took / 3)
    first = [sample for sample in samples if sample[0] <= span]
    last = [sample for sample in samples if sample[0] >= took - span]
    start = base + (last[0][2] if last else 0)
    return marks, _slope(first), _slope(last), start


LOG_TABLES = ("entries", "nodes", "attachment_refs")
"""The tables that grow with the records (checkpoints and anchors grow with time)."""


def _storage(settings: Settings) -> tuple[dict[str, int], float]:
    """Bytes per table of the store, and the mean entry length."""
    url = settings.database()
    if url.startswith("postgresql"):
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            rows = conn.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN "
                "pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND "
                "n.nspname = current_schema()").fetchall()
            sizes = {str(name): int(size) for name, size in rows}
            mean = conn.execute("SELECT avg(length(data)) FROM entries").fetchone()
    else:
        path = url.removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            sizes = {"total": Path(path).stat().st_size}
            with contextlib.suppress(sqlite3.OperationalError):
                for name, size in conn.execute(
                        "SELECT s.name, sum(s.pgsize) FROM dbstat s GROUP BY s.name"):
                    sizes[str(name)] = int(size)
            mean = conn.execute("SELECT avg(length(data)) FROM entries").fetchone()
    return sizes, float(mean[0] or 0.0) if mean is not None else 0.0


def _log_bytes(sizes: dict[str, int]) -> int:
    """The log's own bytes: its tables, and on SQLite their indexes (`dbstat` names each)."""
    if not any(name in sizes for name in LOG_TABLES):
        return sizes["total"]
    return sum(size for name, size in sizes.items()
               if name in LOG_TABLES or name.startswith(("ix_entries", "sqlite_autoindex_entries",
                                                          "sqlite_autoindex_nodes")))


def _rate(load: Load, seconds: float) -> float:
    before = len(load.stats.acknowledged)
    time.sleep(seconds)
    return (len(load.stats.acknowledged) - before) / seconds


@pytest.mark.soak
def test_sustained_signed_ingest(ledger_settings: Settings, ledger_domain: SubmissionDomain,
                                 tmp_path: Path, request: pytest.FixtureRequest) -> None:
    minutes = float(request.config.getoption("soak_minutes", default=30.0))
    cache_mib = request.config.getoption("node_cache_mib", default=None)
    budget = NODE_CACHE_BYTES if cache_mib is None else int(cache_mib) << 20
    database = "sqlite" if ledger_settings.database_url is None else "postgresql"
    server = (ServerProcess(ledger_settings, tmp_path / "server.log") if cache_mib is None else
              ServerProcess(ledger_settings, tmp_path / "server.log",
                            env={"SOAK_NODE_CACHE_BYTES": str(budget)},
                            module="tests.reliability.cache_budget"))
    server.start()
    try:
        vkey = log_key(server.url)
        with Load(server.url, ledger_domain, batch=BATCH, workers=WORKERS) as closed:
            time.sleep(WARM_UP)
            capacity = _rate(closed, CAPACITY_SECONDS)
        offered = LOAD_FRACTION * capacity
        soak = Load(server.url, ledger_domain, first=10_000_000, batch=BATCH,
                    workers=WORKERS * 2, rate=offered, stats=closed.stats)
        acknowledged_before = len(soak.stats.acknowledged)
        requests_before = len(soak.stats.latencies)
        refusals_before = dict(soak.stats.statuses)
        rss: list[Sample] = []
        cpu = (_cpu_seconds(server.pid()), _cpu_seconds(os.getpid()))
        started = time.monotonic()
        soak.start()
        while (elapsed := time.monotonic() - started) < minutes * 60:
            rss.append((elapsed, _rss_mb(server.pid()),
                        len(soak.stats.acknowledged) - acknowledged_before))
            time.sleep(min(RSS_EVERY, max(0.0, minutes * 60 - elapsed)))
        stats = soak.stop()
        took = time.monotonic() - started
        server_cpu = (_cpu_seconds(server.pid()) - cpu[0]) / took
        client_cpu = (_cpu_seconds(os.getpid()) - cpu[1]) / took
        anchors = httpx.get(server.url + "/v1/anchors", timeout=30).json()["anchors"]
        size = int(httpx.get(server.url + "/v1/log", timeout=30).json()["tree_size"])
    finally:
        server.stop()
    report = check_log(ledger_settings, vkey, stats)
    sizes, entry_bytes = _storage(ledger_settings)
    latencies = [took_ for _, took_ in stats.latencies[requests_before:]]
    first = [mb for at, mb, _ in rss if at < 60] or [rss[0][1]]
    last = [mb for at, mb, _ in rss if at >= took - 60] or [rss[-1][1]]
    marks, slope_first, slope_last, last_start = _curve(rss, took, acknowledged_before)
    result = SoakResult(
        database=database, minutes=round(took / 60, 2), capacity=round(capacity, 1),
        offered=round(offered, 1),
        throughput=round((len(stats.acknowledged) - acknowledged_before) / took, 1),
        p50_ms=round(1000 * percentile(latencies, 0.5), 1),
        p99_ms=round(1000 * percentile(latencies, 0.99), 1),
        max_ms=round(1000 * max(latencies), 1), requests=len(latencies),
        refusals={status: count - refusals_before.get(status, 0)
                  for status, count in stats.statuses.items()
                  if status != "202" and count > refusals_before.get(status, 0)},
        records=report.tree_size,
        rss_first_minute_mb=round(statistics.mean(first), 1),
        rss_last_minute_mb=round(statistics.mean(last), 1),
        rss_max_mb=round(max(mb for _, mb, _ in rss), 1),
        rss_at=marks, slope_first_bytes_per_record=round(slope_first, 2),
        slope_last_bytes_per_record=round(slope_last, 2), log_size_at_last_slope=last_start,
        node_cache_bytes=budget, cache_entries=budget // HASH_BYTES_PER_ENTRY,
        anchored_behind=size - max((int(a["tree_size"]) for a in anchors), default=0),
        store_bytes=sizes, log_bytes_per_record=round(_log_bytes(sizes) / report.tree_size, 1),
        entry_bytes=round(entry_bytes, 1),
        server_cpu=round(server_cpu, 2), client_cpu=round(client_cpu, 2),
    )
    _publish(result, rss)
    assert not result.refusals, result
    assert report.tree_size >= len(stats.acknowledged)


def _publish(result: SoakResult, rss: list[Sample]) -> None:
    budget = ("" if result.node_cache_bytes == NODE_CACHE_BYTES
              else f"-cache{result.node_cache_bytes >> 20}mib")
    out = ROOT / ".benchmarks" / f"soak-{result.database}{budget}.json"
    out.parent.mkdir(exist_ok=True)
    document: dict[str, Any] = {**asdict(result), "rss_samples": rss}
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nsoak {result.database}: {json.dumps(asdict(result))}")
