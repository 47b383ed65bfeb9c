"""Signed bulk ingest over HTTP under `wrk`, beside the raw secp256k1 recovery limit of the
same run, on two served ledgers one after the other.

One worker, as the demo ships it: `infraledger serve` in a subprocess, one uvicorn worker
(httptools and uvloop), SQLite and the embedded chain in a temporary data directory, the
checkpointer and anchor jobs running, access log on, the check pool on every CPU.

Two workers, as a deployment scales it: `infraledger serve --workers 2` on a fresh PostgreSQL
database (the benchmarks' `postgres_databases`; skipped when PostgreSQL is not reachable), the
chain an anvil node reached by URL with the contracts deployed and the service keys in files
(`tests.reliability.anvil.anvil_ledger_in`, which also files the registrar's plan 254 first and
registers one more operator). `serve` starts the two API workers, each with its own check pool
on every CPU, and one scheduler process (`infraledger jobs`) for the checkpointer and anchor
jobs; the workers append to the one store under the log's head lock.

On both, four operators are registered and the demo's plans filed through a node of the
ledger's settings, so every record is an `indicator/2` figure judged by plan 254. The client is
`wrk` (Debian package `wrk`), one thread and 4 keep-alive connections, with a Lua script that
posts the bodies of a file in turn (one bulk of 100 distinct signed submissions a line, each
body sent once in the whole run) and stops after a fixed number of answers, every one of which
must be 202 with each record `accepted` (checked afterwards from the log's size). A round is
timed from the moment wrk's connections are open to its last answer.

The limit is what the machine can do of the one step no implementation can skip: recovering the
signer's key, `coincurve.PublicKey.from_signature_and_message` on 32-byte digests, in one
process per CPU started together (what the check pool could reach if a record cost nothing
else). The ratio of the ingest rate to it is the figure to compare between runs; the server's
CPU time per record is reported beside it: its process group, which holds every process `serve`
starts (the two-worker test checks that the scheduler, both workers and their check pools are
in it). The PostgreSQL server is not in that group: the CPU time of the backends serving the
ledger's database is reported apart, and is a lower bound (a backend that closes during a round
is not counted); anvil's is not counted at all.

Run: `.venv/bin/python -m pytest benchmarks/test_ingest_wrk_bench.py --benchmark-only -q`.
`INFRALEDGER_BENCH_TREE=DIR` serves both ledgers from another source tree with the same virtual
environment (the code before a change, in the same conditions);
`INFRALEDGER_BENCH_CONNECTIONS=N` opens N connections instead of 4.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Final

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from api.node import Node
from api.settings import Settings, load_settings
from benchmarks.conftest import RateBoard
from benchmarks.test_http_bench import (
    BULK,
    KEYS,
    ROOT,
    CpuMeter,
    Server,
    bulk_body,
    file_plans,
    signed_submissions,
)
from benchmarks.test_read_path_bench import STDBUF, WRK, WrkRound, wrk_script
from filings.signing import SubmissionDomain, signer_address
from tests.reliability.anvil import anvil_ledger_in
from tests.reliability.harness import ProcessEntry, descendants

TREE: Final = Path(os.environ.get("INFRALEDGER_BENCH_TREE", str(ROOT)))
CONNECTIONS: Final = int(os.environ.get("INFRALEDGER_BENCH_CONNECTIONS", "4"))
"""wrk's keep-alive connections (4 by default; more show the CPU bound behind the latency)."""
ROUNDS: Final = 3
"""Timed rounds, after one warm-up round."""
REQUESTS: Final = 120
"""Bulk requests of 100 answered per round: 12,000 records."""
RECOVERIES: Final = 20_000
"""Signatures each recovery process recovers."""

INGEST = f"wrk: signed ingest, bulks of 100, {CONNECTIONS} connections"
INGEST_TWO_WORKERS = "wrk: ingest, 2 workers, PostgreSQL, anvil"
RECOVERY = "raw secp256k1 recovery, one process per CPU"

WRK_SCRIPT: Final = wrk_script(
    'wrk.format("POST", "/v1/submissions", {["Content-Type"] = "application/json"}, line)', 202)
"""POST the bodies of the file, one a line."""

RECOVER: Final = """
import os, sys, time
from coincurve import PrivateKey, PublicKey
count = int(sys.argv[1])
key = PrivateKey(bytes([7]) * 32)
pairs = []
for n in range(count):
    digest = os.urandom(32)
    pairs.append((key.sign_recoverable(digest, hasher=None), digest))
print("ready", flush=True)
sys.stdin.readline()
start = time.perf_counter()
for signature, digest in pairs:
    PublicKey.from_signature_and_message(signature, digest, hasher=None)
print(time.perf_counter() - start, flush=True)
"""
"""One recovery process: sign `argv[1]` random digests, wait for a line, recover them all,
print the seconds it took."""


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    if not (Path(WRK).exists() and Path(STDBUF).exists()):
        pytest.skip(f"{WRK} is missing: `make system-deps` installs the Debian package wrk")
    with tempfile.TemporaryDirectory(prefix="infraledger-ingest-wrk-") as root:
        yield Path(root)


def _register_and_file(settings: Settings) -> None:
    """Register the four bench operators and file the demo's plans, through a node of
    `settings` (the contracts deployed first on an embedded chain)."""
    node = Node.open(settings, jobs=False, deploy=True)
    try:
        for number, key in enumerate(KEYS, start=1):
            node.registry.register(signer_address(key), f"Bench operator {number}",
                                   f"BENCH-{number}")
        file_plans(node)
    finally:
        asyncio.run(node.close())


@pytest.fixture
def ledger(workdir: Path) -> Iterator[Server]:
    """The served ledger as the demo ships it, its operators registered and plans filed."""
    data_dir = workdir / "ledger"
    _register_and_file(load_settings(data_dir))
    command = [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data_dir)]
    with Server.run(command, workdir / "ledger.log", ready_path="/v1/log", cwd=TREE,
                    env={"PYTHONPATH": str(TREE)}) as server:
        yield server


@pytest.fixture
def two_worker_ledger(workdir: Path,
                      postgres_databases: Callable[[], str]) -> Iterator[tuple[Server, str]]:
    """`serve --workers 2` on a fresh PostgreSQL database, anchoring on an anvil node by URL,
    the same operators registered and plans filed; with the database's URL."""
    directory = workdir / "two-workers"
    directory.mkdir()
    database = postgres_databases()
    with anvil_ledger_in(directory, database_url=database) as chain_ledger:
        _register_and_file(chain_ledger.settings)
        command = [sys.executable, "-m", "api.cli", "serve", "--data-dir",
                   str(chain_ledger.settings.data_dir), "--workers", "2"]
        with Server.run(command, directory / "ledger.log", ready_path="/v1/log", cwd=TREE,
                        env={"PYTHONPATH": str(TREE),
                             "INFRALEDGER_DATABASE_URL": database}) as server:
            yield server, database


def _signed_bodies(domain: SubmissionDomain, start: int, count: int) -> list[str]:
    items = signed_submissions(domain, count * BULK, start)
    return [bulk_body(items[i:i + BULK]).decode() for i in range(0, len(items), BULK)]


def _recovery_rate(processes: int) -> float:
    """Signatures recovered per second by `processes` processes started together."""
    workers = [subprocess.Popen([sys.executable, "-c", RECOVER, str(RECOVERIES)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(processes)]
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    seconds = [float(worker.communicate()[0]) for worker in workers]
    return processes * RECOVERIES / max(seconds)


@pytest.mark.benchmark(group="ingest-wrk")
def test_recovery_limit(benchmark: BenchmarkFixture, rates: RateBoard) -> None:
    """The limit: raw recovery on every CPU at once."""
    processes = os.cpu_count() or 1
    measured: list[float] = []
    benchmark.pedantic(lambda: measured.append(_recovery_rate(processes)), rounds=ROUNDS)
    best = sorted(measured)[len(measured) // 2]
    benchmark.extra_info.update({"processes": processes, "recoveries_per_second": round(best)})
    rates.note(RECOVERY, best, "signatures")


@pytest.mark.benchmark(group="ingest-wrk")
def test_ingest_bulk_wrk(benchmark: BenchmarkFixture, rates: RateBoard, ledger: Server,
                         workdir: Path) -> None:
    """Rounds of `REQUESTS` bulks of 100 under wrk: every record checked, sequenced and durably
    committed before its request is answered."""
    _ingest_under_wrk(benchmark, rates, ledger, workdir / "one-worker", INGEST,
                      peers=[RECOVERY], aim=">= 12,000/s")


@pytest.mark.benchmark(group="ingest-wrk")
def test_ingest_bulk_wrk_two_workers_postgres(
        benchmark: BenchmarkFixture, rates: RateBoard, two_worker_ledger: tuple[Server, str],
        workdir: Path) -> None:
    """The same rounds against `serve --workers 2` on PostgreSQL with the chain by URL, beside
    the one-worker figure and the limit; the server's CPU meter covers the scheduler process,
    both workers and their check pools."""
    server, database = two_worker_ledger
    backends = CpuMeter(lambda: _backend_cpu_seconds(database), warmup=1)
    _ingest_under_wrk(benchmark, rates, server, workdir / "two-workers" / "load",
                      INGEST_TWO_WORKERS, peers=[RECOVERY, INGEST], also=backends)
    roles = _served_processes(server)
    assert len(roles["scheduler"]) == 1 and len(roles["workers"]) == 2, roles
    benchmark.extra_info["processes"] = {role: len(entries) for role, entries in roles.items()}
    per_record = _per_record_us(backends)
    if per_record is not None:
        benchmark.extra_info["database_cpu_us_per_record_at_least"] = per_record


def _ingest_under_wrk(benchmark: BenchmarkFixture, rates: RateBoard, server: Server,
                      directory: Path, name: str, *, peers: Sequence[str],
                      aim: str | None = None, also: CpuMeter | None = None) -> None:
    """One warm-up and `ROUNDS` timed rounds of `REQUESTS` bulks from wrk against `server`
    (the bodies written in `directory`), checked (every answer 202, the log grown by what was
    sent) and recorded on the board as `name` beside `peers`, with the server's CPU time per
    record; `also` meters the same rounds (another process's CPU time)."""
    directory.mkdir(parents=True)
    info = server.get_json("/v1/log")
    domain = SubmissionDomain(info["chain_id"], info["operator_registry"])
    share = REQUESTS + CONNECTIONS
    with ProcessPoolExecutor(os.cpu_count()) as signing:
        parts = list(signing.map(_signed_bodies, [domain] * (ROUNDS + 1),
                                 [k * share * BULK for k in range(ROUNDS + 1)],
                                 [share] * (ROUNDS + 1)))
    files = []
    for number, bodies in enumerate(parts):
        path = directory / f"bodies-{number}.txt"
        path.write_text("\n".join(bodies) + "\n")
        files.append(path)
    script = directory / "ingest.lua"
    script.write_text(WRK_SCRIPT)
    queue = iter(files)
    seen: list[tuple[int, int, float]] = []
    benchmark.extra_info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    size_before = int(info["tree_size"])

    def setup() -> tuple[tuple[WrkRound], dict[str, Any]]:
        return (WrkRound.start(script, server.port, next(queue), REQUESTS,
                               connections=CONNECTIONS, seconds=300),), {}

    def teardown(run: WrkRound) -> None:
        seen.append(run.finish())

    cpu = CpuMeter(server.cpu_seconds, warmup=1)
    timed = cpu.measure(WrkRound.wait if also is None else also.measure(WrkRound.wait))
    benchmark.pedantic(timed, setup=setup, teardown=teardown, rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    bad = [(done, refused) for done, refused, _ in seen if refused or done != REQUESTS]
    assert not bad, f"rounds with answers other than 202: {bad}"
    grown = int(server.get_json("/v1/log")["tree_size"]) - size_before
    # every answered record is new; the requests in flight when a round stops are committed too
    assert REQUESTS * (ROUNDS + 1) * BULK <= grown <= share * (ROUNDS + 1) * BULK, grown
    count = REQUESTS * BULK
    rates.record(benchmark, name, count, "records", peers=peers, aim=aim)
    cpu.report(benchmark, rates, name, count, "records")
    per_record = _per_record_us(cpu)
    if per_record is not None:
        benchmark.extra_info["server_cpu_us_per_record"] = per_record
    benchmark.extra_info["tree"] = str(TREE)
    benchmark.extra_info["wrk"] = json.dumps(seen)


def _per_record_us(meter: CpuMeter) -> float | None:
    """The median CPU µs per record of the timed rounds `meter` saw, None before any."""
    timed = meter.rounds[1:]
    if not timed:
        return None
    return round(sorted(timed)[len(timed) // 2] / (REQUESTS * BULK) * 1e6, 1)


def _served_processes(server: Server) -> dict[str, list[ProcessEntry]]:
    """The processes `serve --workers N` started, by role (`scheduler`, `workers`, `check
    pools`, `other`: the resource tracker); asserts that every one of them is in the process
    group `Server.cpu_seconds` reads."""
    leader = server.process.pid
    started = descendants(leader)
    outside = [entry for entry in started if _group_of(entry.pid) not in (leader, None)]
    assert not outside, f"processes outside the measured group: {outside}"
    workers = [entry for entry in started
               if entry.parent == leader and "spawn_main" in entry.command]
    worker_pids = {entry.pid for entry in workers}
    return {
        "scheduler": [entry for entry in started
                      if entry.parent == leader and "api.cli jobs" in entry.command],
        "workers": workers,
        "check pools": [entry for entry in started if entry.parent in worker_pids],
        "other": [entry for entry in started if entry.parent == leader
                  and entry not in workers and "api.cli jobs" not in entry.command],
    }


def _group_of(pid: int) -> int | None:
    """The process group of `pid`; None when it has exited meanwhile."""
    with contextlib.suppress(ProcessLookupError):
        return os.getpgid(pid)
    return None


def _backend_cpu_seconds(database: str) -> float:
    """User and system CPU time so far of the PostgreSQL backends connected to `database`
    (this query's own left out), read from /proc: the server runs on this machine."""
    with psycopg.connect(database) as conn:
        pids = [int(row[0]) for row in conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")]
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
