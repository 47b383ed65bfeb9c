"""Signed bulk ingest over HTTP under `wrk`, beside the raw secp256k1 recovery limit of the
same run.

The ledger runs as the demo ships it: `infraledger serve` in a subprocess, one uvicorn worker
(httptools and uvloop), SQLite and the embedded chain in a temporary data directory, the
checkpointer and anchor jobs running, access log on, the check pool on every CPU. Four operators
are registered and the demo's plans filed, so every record is an `indicator/2` figure judged by
plan 254. The client is `wrk` (Debian package `wrk`), one thread and 4 keep-alive connections,
with a Lua script that posts the bodies of a file in turn (one bulk of 100 distinct signed
submissions a line, each body sent once in the whole run) and stops after a fixed number of
answers, every one of which must be 202 with each record `accepted` (checked afterwards from
the log's size). A round is timed from the moment wrk's connections are open to its last answer.

The limit is what the machine can do of the one step no implementation can skip: recovering the
signer's key, `coincurve.PublicKey.from_signature_and_message` on 32-byte digests, in one
process per CPU started together (what the check pool could reach if a record cost nothing
else). The ratio of the ingest rate to it is the figure to compare between runs; the server's
CPU time per record (its process group: the check workers too) is reported beside it.

Run: `.venv/bin/python -m pytest benchmarks/test_ingest_wrk_bench.py --benchmark-only -q`.
`INFRALEDGER_BENCH_TREE=DIR` serves the ledger from another source tree with the same virtual
environment (the code before a change, in the same conditions).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Final

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from api.node import Node
from api.settings import load_settings
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

TREE: Final = Path(os.environ.get("INFRALEDGER_BENCH_TREE", str(ROOT)))
CONNECTIONS: Final = 4
ROUNDS: Final = 3
"""Timed rounds, after one warm-up round."""
REQUESTS: Final = 120
"""Bulk requests of 100 answered per round: 12,000 records."""
RECOVERIES: Final = 20_000
"""Signatures each recovery process recovers."""

INGEST = "wrk: signed ingest, bulks of 100, 4 connections"
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


@pytest.fixture(scope="module")
def ledger(workdir: Path) -> Iterator[Server]:
    """The served ledger, its operators registered and the demo's plans filed."""
    data_dir = workdir / "ledger"
    node = Node.open(load_settings(data_dir), jobs=False, deploy=True)
    try:
        for number, key in enumerate(KEYS, start=1):
            node.registry.register(signer_address(key), f"Bench operator {number}",
                                   f"BENCH-{number}")
        file_plans(node)
    finally:
        asyncio.run(node.close())
    command = [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data_dir)]
    with Server.run(command, workdir / "ledger.log", ready_path="/v1/log", cwd=TREE,
                    env={"PYTHONPATH": str(TREE)}) as server:
        yield server


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
    info = ledger.get_json("/v1/log")
    domain = SubmissionDomain(info["chain_id"], info["operator_registry"])
    share = REQUESTS + CONNECTIONS
    with ProcessPoolExecutor(os.cpu_count()) as signing:
        parts = list(signing.map(_signed_bodies, [domain] * (ROUNDS + 1),
                                 [k * share * BULK for k in range(ROUNDS + 1)],
                                 [share] * (ROUNDS + 1)))
    files = []
    for number, bodies in enumerate(parts):
        path = workdir / f"bodies-{number}.txt"
        path.write_text("\n".join(bodies) + "\n")
        files.append(path)
    script = workdir / "ingest.lua"
    script.write_text(WRK_SCRIPT)
    queue = iter(files)
    seen: list[tuple[int, int, float]] = []
    benchmark.extra_info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    size_before = int(info["tree_size"])

    def setup() -> tuple[tuple[WrkRound], dict[str, Any]]:
        return (WrkRound.start(script, ledger.port, next(queue), REQUESTS,
                               connections=CONNECTIONS, seconds=300),), {}

    def teardown(run: WrkRound) -> None:
        seen.append(run.finish())

    cpu = CpuMeter(ledger.cpu_seconds, warmup=1)
    benchmark.pedantic(cpu.measure(WrkRound.wait), setup=setup, teardown=teardown,
                       rounds=ROUNDS, warmup_rounds=1)
    bad = [(done, refused) for done, refused, _ in seen if refused or done != REQUESTS]
    assert not bad, f"rounds with answers other than 202: {bad}"
    grown = int(ledger.get_json("/v1/log")["tree_size"]) - size_before
    # every answered record is new; the requests in flight when a round stops are committed too
    assert REQUESTS * (ROUNDS + 1) * BULK <= grown <= share * (ROUNDS + 1) * BULK, grown
    count = REQUESTS * BULK
    rates.record(benchmark, INGEST, count, "records", peers=[RECOVERY], aim=">= 12,000/s")
    cpu.report(benchmark, rates, INGEST, count, "records")
    if cpu.rounds[1:]:
        per_record = sorted(cpu.rounds[1:])[len(cpu.rounds[1:]) // 2] / count * 1e6
        benchmark.extra_info["server_cpu_us_per_record"] = round(per_record, 1)
    benchmark.extra_info["tree"] = str(TREE)
    benchmark.extra_info["wrk"] = json.dumps(seen)
