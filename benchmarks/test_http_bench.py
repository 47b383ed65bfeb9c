"""The HTTP API under load: signed durable ingest, single-record submissions and proof bundles,
against the stages and the framework floor measured in the same run.

The ledger runs as it does in production, one uvicorn worker in a subprocess (`infraledger
serve` on loopback, SQLite and the embedded chain in a temporary data directory, checkpointer
and anchor jobs running), and the load comes from this process over several keep-alive
connections: a small asyncio HTTP/1.1 client that writes pre-built requests and reads the
answers, so the client costs far less than the server and the figures are the server's.
Submissions are signed before any timing.

Peers and limits, in file order (the rate board compares each figure with the earlier ones):
- EIP-712 checking: `build_entry` (shape, JCS, record kind and catalogue, signature recovery)
  on submissions like the ingest's, in-process, one thread: what the route does per record.
- The sequencer: concurrent appends of 100 prepared entries into a fresh SQLite store, one
  durable transaction per window, in-process: the commit stage alone.
- A no-op FastAPI app served the same way: `GET` answering `{}`, and `POST` reading a body of
  100 submissions and answering a fixed 202: the framework's floor per request.

Each benchmark also reports the CPU time its rounds cost the processes doing the work (the server
with the check worker processes it starts, or this process for the in-process peers), as a rate
per CPU-second: on a shared machine the wall-clock rates fall with the load, the CPU cost of a
request much less.

Proof bundles are measured twice: records never asked before (every bundle read, proven and
serialised), and the same 2,000 records round after round (the server keeps bundles proven to
an anchored checkpoint in memory).

Run: `.venv/bin/python -m pytest benchmarks/test_http_bench.py --benchmark-only -q`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
from fastapi import FastAPI, Request, Response
from pytest_benchmark.fixture import BenchmarkFixture

from api.demo.sample import plan_drafts
from api.node import Node
from api.settings import load_settings
from benchmarks.conftest import RateBoard
from client.ledger import prepare_submission
from filings.signing import SubmissionDomain, signer_address
from filings.submission import PreparedSubmission, build_entry, parse_submission, prepare
from ledger.note import Signer
from ledger.service.sequencer import Sequencer
from ledger.storage.store import LogStore, PendingEntry

ROOT: Final = Path(__file__).resolve().parents[1]
HOST: Final = "127.0.0.1"
KEYS: Final = tuple(bytes([n]) * 32 for n in range(1, 5))
"""Four operators' keys (benchmark only; never a real key)."""
BULK: Final = 100
BULK_REQUESTS: Final = 30
"""Bulk requests of 100 per round: 3,000 records."""
BULK_CONNECTIONS: Final = 4
SINGLE_REQUESTS: Final = 1_000
SINGLE_CONNECTIONS: Final = 32
PROOF_REQUESTS: Final = 2_000
PROOF_CONNECTIONS: Final = 16
NOOP_REQUESTS: Final = 4_000
NOOP_CONNECTIONS: Final = 16
NOOP_BULK_REPEAT: Final = 10
"""The 30 bodies of 100 are sent 10 times a round, so a round lasts long enough to time."""
ROUNDS: Final = 5
STARTUP_SECONDS: Final = 90.0
ANCHOR_WAIT_SECONDS: Final = 90.0

INGEST = "HTTP ingest, bulk requests of 100"
SINGLE = "HTTP ingest, single-record requests"
PROOFS = "HTTP proof bundles, records asked before"
PROOFS_FIRST = "HTTP proof bundles, first request of each record"
VERIFY = "build_entry (EIP-712 check), one thread"
SEQUENCE = "Sequencer, appends of 100, SQLite"
NOOP_GET = "no-op FastAPI GET"
NOOP_BULK = "no-op FastAPI POST of 100 submissions"


# -- the peer app (served by uvicorn from this module) ---------------------------------------


def noop_app() -> FastAPI:
    """A FastAPI app that does nothing: the framework's and uvicorn's cost per request."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    answer = b'{"results":[],"receipt":"","time":0}'

    @app.get("/noop")
    async def noop() -> Response:
        return Response(b"{}", media_type="application/json")

    @app.post("/noop")
    async def swallow(request: Request) -> Response:
        await request.body()
        return Response(answer, status_code=202, media_type="application/json")

    return app


# -- a small HTTP/1.1 load generator ---------------------------------------------------------


def raw_request(method: str, path: str, body: bytes = b"") -> bytes:
    """One HTTP/1.1 request, keep-alive, with a JSON body when `body` is given."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\n"
    if body:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    start = lower.find(b"\r\ncontent-length:")
    if start >= 0:
        end = lower.index(b"\r\n", start + 2)
        return status, await reader.readexactly(int(lower[start + 17:end]))
    if b"transfer-encoding: chunked" not in lower:
        raise AssertionError(f"an answer with no length: {head!r}")
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
        chunks.append(await reader.readexactly(size + 2))
        if size == 0:
            return status, b"".join(chunks)


async def _drive(port: int, requests: Sequence[bytes], connections: int
                 ) -> list[tuple[int, bytes]]:
    """Send every request over `connections` keep-alive connections; answers in order."""
    answers: list[tuple[int, bytes]] = [(0, b"")] * len(requests)
    work = iter(range(len(requests)))

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            for position in work:
                writer.write(requests[position])
                answers[position] = await _read_response(reader)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    await asyncio.gather(*(connection() for _ in range(connections)))
    return answers


def drive(port: int, requests: Sequence[bytes], connections: int) -> list[tuple[int, bytes]]:
    return asyncio.run(_drive(port, requests, connections))


# -- servers -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """A server subprocess on loopback, in its own process group."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @classmethod
    @contextlib.contextmanager
    def run(cls, command: list[str], log: Path, env: dict[str, str] | None = None,
            ready_path: str = "/", cwd: Path = ROOT) -> Iterator[Server]:
        port = _free_port()
        with log.open("wb") as output:
            process = subprocess.Popen(
                [*command, "--port", str(port)], cwd=cwd, stdout=output,
                stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                start_new_session=True,
            )
        server = cls(port, process, log)
        try:
            server.wait_ready(ready_path)
            yield server
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                if drive(self.port, [raw_request("GET", path)], 1)[0][0] == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not start: {self.log.read_text()[-2000:]}")

    def cpu_seconds(self) -> float:
        """User and system CPU time so far of the server and of every process it started (its
        process group: the check workers), all their threads."""
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.process.pid:
                    ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def get_json(self, path: str) -> Any:
        [(status, body)] = drive(self.port, [raw_request("GET", path)], 1)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)


# -- CPU time ------------------------------------------------------------------------------------


class CpuMeter:
    """CPU seconds spent per timed round by a process (the server, or this one).

    The machine is often shared: wall-clock rates then fall with the load, while the CPU time
    a request costs the server barely moves. Each benchmark reports both.
    """

    def __init__(self, read: Callable[[], float], warmup: int = 0) -> None:
        self._read = read
        self._warmup = warmup
        self.rounds: list[float] = []

    def measure(self, run: Callable[..., None]) -> Callable[..., None]:
        """`run`, wrapped to record the CPU time it costs."""
        def measured(*args: Any) -> None:
            start = self._read()
            run(*args)
            self.rounds.append(self._read() - start)
        return measured

    def report(self, benchmark: BenchmarkFixture, rates: RateBoard, name: str, count: int,
               unit: str) -> None:
        """Put the median CPU cost into `extra_info` and the rate per CPU-second on the board."""
        timed = self.rounds[self._warmup:]
        if not timed:
            return
        per_round = statistics.median(timed)
        benchmark.extra_info["cpu_seconds_per_round"] = round(per_round, 4)
        benchmark.extra_info["rate_per_cpu_second"] = round(count / per_round, 1)
        rates.note(f"{name} [per CPU-second]", count / per_round, unit)


def server_meter(server: Server, warmup: int = 0) -> CpuMeter:
    return CpuMeter(server.cpu_seconds, warmup)


def own_meter() -> CpuMeter:
    return CpuMeter(time.process_time)


# -- data ----------------------------------------------------------------------------------------

_PERIODS: Final = tuple(f"{year}-Q{quarter}" for year in range(2023, 2026)
                        for quarter in range(1, 5))[:10]
"""2023-Q1 to 2025-Q2: plan 254's period, while the district level still existed."""
_AREAS: Final = {"478": "phu_vang", "482": "phu_loc", "480": "huong_tra", "477": "quang_dien",
                 "476": "phong_dien", "481": "a_luoi"}
"""District codes of every one of those quarters, with the slugs `indicator/1` named them by."""
ISSUED_AT: Final = 1_752_000_000
"""2025-07-08: after every period the submissions report on."""


def signed_submissions(domain: SubmissionDomain, count: int, start: int,
                       schema: str = "indicator/2") -> list[dict[str, Any]]:
    """`count` distinct, valid indicator submissions, signed round-robin by the four keys:
    `indicator/2` figures (official area codes) for a ledger holding plan 254, or the
    `indicator/1` form (district slugs) an earlier tree takes."""
    rnd = random.Random(start)
    codes = list(_AREAS)
    items = []
    for n in range(start, start + count):
        code = codes[n % len(codes)]
        area = code if schema == "indicator/2" else _AREAS[code]
        period = _PERIODS[n // len(codes) % len(_PERIODS)]
        body = {"indicator": "bts_shared_ratio", "area": area, "period": period,
                "value": round(rnd.uniform(10, 60), 1), "unit": "%"}
        items.append(prepare_submission(
            KEYS[n % len(KEYS)], domain, kind="indicator", schema=schema,
            subject=f"indicator:bts_shared_ratio:{area}:{period}", body=body,
            issued_at=ISSUED_AT + n,
        ))
    return items


def file_plans(node: Node) -> None:
    """Sequence the demo's plans (254/KH-UBND, 455/KH-UBND), signed by the node's registrar
    (the embedded chain's, or the registrar key file's), straight into the store: the figures
    are judged by them."""
    assert node.registry.signer is not None
    key = bytes(node.registry.signer.key)
    items = [prepare(json.dumps(prepare_submission(
        key, node.domain, kind=draft.kind, schema=draft.schema, subject=draft.subject,
        body=draft.body, issued_at=draft.issued_at), ensure_ascii=False), node.domain)
        for draft in plan_drafts()]
    node.store.append([PendingEntry(i.entry, i.leaf_data, i.leaf_hash, i.body_bytes)
                       for i in items], node.store.frontier(), now=int(time.time()))


def bulk_body(items: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps({"submissions": list(items)}, ensure_ascii=False).encode()


def _answers(answers: list[tuple[int, bytes]], status: int) -> list[dict[str, Any]]:
    bad = [(code, body[:300]) for code, body in answers if code != status]
    assert not bad, f"{len(bad)} answers were not {status}, e.g. {bad[0]}"
    return [json.loads(body) for _, body in answers]


def _accepted(answers: list[tuple[int, bytes]]) -> list[str]:
    """The record ids of ingest answers, all of which must be `accepted`."""
    results = [result for reply in _answers(answers, 202) for result in reply["results"]]
    statuses = Counter(result["status"] for result in results)
    assert statuses == {"accepted": len(results)}, statuses
    return [result["record_id"] for result in results]


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="infraledger-http-bench-") as root:
        yield Path(root)


@pytest.fixture(scope="module")
def ledger_dir(workdir: Path) -> Path:
    """A data directory with the contracts deployed and the four operators registered."""
    data_dir = workdir / "ledger"
    node = Node.open(load_settings(data_dir), jobs=False, deploy=True)
    try:
        for number, key in enumerate(KEYS, start=1):
            node.registry.register(signer_address(key), f"Bench operator {number}",
                                   f"BENCH-{number}")
        file_plans(node)
    finally:
        asyncio.run(node.close())
    return data_dir


@pytest.fixture(scope="module")
def ledger_server(ledger_dir: Path, workdir: Path) -> Iterator[Server]:
    command = [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(ledger_dir)]
    with Server.run(command, workdir / "ledger.log", ready_path="/v1/log") as server:
        yield server


@pytest.fixture(scope="module")
def domain(ledger_server: Server) -> SubmissionDomain:
    info = ledger_server.get_json("/v1/log")
    return SubmissionDomain(info["chain_id"], info["operator_registry"])


@pytest.fixture(scope="module")
def noop_server(workdir: Path) -> Iterator[Server]:
    command = [sys.executable, "-m", "uvicorn", "benchmarks.test_http_bench:noop_app",
               "--factory", "--host", HOST, "--workers", "1", "--no-access-log",
               "--log-level", "warning"]
    with Server.run(command, workdir / "noop.log", ready_path="/noop") as server:
        yield server


@pytest.fixture(scope="module")
def numbers() -> Iterator[int]:
    """Where the next batch of distinct submissions starts."""
    return itertools.count(0, 1_000_000)


# -- peers: the stages and the framework floor ---------------------------------------------


@pytest.mark.benchmark(group="http-peers")
def test_eip712_check_peer(benchmark: BenchmarkFixture, rates: RateBoard,
                           domain: SubmissionDomain, numbers: Iterator[int]) -> None:
    """`build_entry` on 1,000 submissions: the per-record check of the ingest route."""
    items = signed_submissions(domain, 1_000, next(numbers))

    def run() -> None:
        for item in items:
            build_entry(parse_submission(item), domain)

    cpu = own_meter()
    benchmark.pedantic(cpu.measure(run), rounds=ROUNDS)
    rates.record(benchmark, VERIFY, len(items), "records")
    cpu.report(benchmark, rates, VERIFY, len(items), "records")


@pytest.mark.benchmark(group="http-peers")
def test_sequencer_peer(benchmark: BenchmarkFixture, rates: RateBoard, workdir: Path,
                        domain: SubmissionDomain, numbers: Iterator[int]) -> None:
    """30 concurrent appends of 100 prepared entries into a fresh SQLite store."""
    items = signed_submissions(domain, BULK * BULK_REQUESTS, next(numbers))
    pending = [_pending(build_entry(parse_submission(item), domain)) for item in items]
    batches = [pending[i:i + BULK] for i in range(0, len(pending), BULK)]
    signer = Signer.generate("bench.infraledger.example/http")
    fresh = itertools.count()

    def setup() -> tuple[tuple[LogStore], dict[str, Any]]:
        path = workdir / f"sequencer-{next(fresh)}.sqlite3"
        return (LogStore(f"sqlite:///{path}", signer.name, now=1_735_689_600),), {}

    async def sequence(store: LogStore) -> None:
        sequencer = Sequencer(store, signer)
        await sequencer.start()
        try:
            await asyncio.gather(*(sequencer.append(batch) for batch in batches))
        finally:
            await sequencer.close()

    cpu = own_meter()
    benchmark.pedantic(cpu.measure(lambda store: asyncio.run(sequence(store))), setup=setup,
                       teardown=LogStore.close, rounds=ROUNDS)
    rates.record(benchmark, SEQUENCE, len(pending), "records")
    cpu.report(benchmark, rates, SEQUENCE, len(pending), "records")


@pytest.mark.benchmark(group="http-peers")
def test_noop_get(benchmark: BenchmarkFixture, rates: RateBoard, noop_server: Server) -> None:
    requests = [raw_request("GET", "/noop")] * NOOP_REQUESTS

    def run() -> None:
        _answers(drive(noop_server.port, requests, NOOP_CONNECTIONS), 200)

    cpu = server_meter(noop_server)
    benchmark.pedantic(cpu.measure(run), rounds=ROUNDS)
    rates.record(benchmark, NOOP_GET, NOOP_REQUESTS, "requests")
    cpu.report(benchmark, rates, NOOP_GET, NOOP_REQUESTS, "requests")


@pytest.mark.benchmark(group="http-peers")
def test_noop_bulk_body(benchmark: BenchmarkFixture, rates: RateBoard, noop_server: Server,
                        domain: SubmissionDomain, numbers: Iterator[int]) -> None:
    """POSTs of bodies like the ingest benchmark's, to an endpoint that only reads them."""
    items = signed_submissions(domain, BULK * BULK_REQUESTS, next(numbers))
    requests = [raw_request("POST", "/noop", bulk_body(items[i:i + BULK]))
                for i in range(0, len(items), BULK)] * NOOP_BULK_REPEAT

    def run() -> None:
        _answers(drive(noop_server.port, requests, BULK_CONNECTIONS), 202)

    cpu = server_meter(noop_server)
    benchmark.pedantic(cpu.measure(run), rounds=ROUNDS)
    count = len(requests) * BULK
    rates.record(benchmark, NOOP_BULK, count, "records", peers=[NOOP_GET])
    cpu.report(benchmark, rates, NOOP_BULK, count, "records")


# -- the ledger ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def accepted() -> list[str]:
    """Record ids accepted by the ingest benchmarks (the proof benchmark asks for them)."""
    return []


@pytest.mark.benchmark(group="http-ledger")
def test_ingest_bulk(benchmark: BenchmarkFixture, rates: RateBoard, ledger_server: Server,
                     domain: SubmissionDomain, numbers: Iterator[int],
                     accepted: list[str]) -> None:
    """Rounds of 30 bulk requests of 100 signed submissions, 4 connections: every record is
    checked, sequenced and durably committed before its request is answered."""
    cpu, ids = bulk_ingest(benchmark, ledger_server, domain, next(numbers))
    accepted.extend(ids)
    rates.record(benchmark, INGEST, BULK * BULK_REQUESTS, "records",
                 peers=[VERIFY, SEQUENCE, NOOP_BULK], aim=">= 5,000/s")
    cpu.report(benchmark, rates, INGEST, BULK * BULK_REQUESTS, "records")


def bulk_ingest(benchmark: BenchmarkFixture, server: Server, domain: SubmissionDomain,
                start: int, schema: str = "indicator/2") -> tuple[CpuMeter, list[str]]:
    """`ROUNDS` timed rounds (and one warm-up) of `BULK_REQUESTS` requests of `BULK` signed
    submissions (of `schema`, see `signed_submissions`) to `server` over `BULK_CONNECTIONS`
    connections; every record must be accepted. Returns the server's CPU meter and the accepted
    record ids."""
    per_round = BULK * BULK_REQUESTS
    items = signed_submissions(domain, per_round * (ROUNDS + 1), start, schema)
    rounds = iter([raw_request("POST", "/v1/submissions", bulk_body(items[i:i + BULK]))
                   for i in range(first, first + per_round, BULK)]
                  for first in range(0, len(items), per_round))
    answers: list[list[tuple[int, bytes]]] = []

    def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
        return (next(rounds),), {}

    def run(requests: list[bytes]) -> None:
        answers.append(drive(server.port, requests, BULK_CONNECTIONS))

    cpu = server_meter(server, warmup=1)
    benchmark.pedantic(cpu.measure(run), setup=setup, rounds=ROUNDS, warmup_rounds=1)
    ids = [record for answer in answers for record in _accepted(answer)]
    assert len(ids) == len(items)
    return cpu, ids


@pytest.mark.benchmark(group="http-ledger")
def test_ingest_single(benchmark: BenchmarkFixture, rates: RateBoard, ledger_server: Server,
                       domain: SubmissionDomain, numbers: Iterator[int],
                       accepted: list[str]) -> None:
    """Rounds of 1,000 requests of one submission each over 32 connections."""
    items = signed_submissions(domain, SINGLE_REQUESTS * (ROUNDS + 1), next(numbers))
    rounds = iter([raw_request("POST", "/v1/submissions", json.dumps(item).encode())
                   for item in items[start:start + SINGLE_REQUESTS]]
                  for start in range(0, len(items), SINGLE_REQUESTS))
    answers: list[list[tuple[int, bytes]]] = []

    def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
        return (next(rounds),), {}

    def run(requests: list[bytes]) -> None:
        answers.append(drive(ledger_server.port, requests, SINGLE_CONNECTIONS))

    cpu = server_meter(ledger_server, warmup=1)
    benchmark.pedantic(cpu.measure(run), setup=setup, rounds=ROUNDS, warmup_rounds=1)
    for answer in answers:
        accepted.extend(_accepted(answer))
    rates.record(benchmark, SINGLE, SINGLE_REQUESTS, "requests",
                 peers=[NOOP_GET, VERIFY, SEQUENCE], aim=">= 1,000/s")
    cpu.report(benchmark, rates, SINGLE, SINGLE_REQUESTS, "requests")


@pytest.mark.benchmark(group="http-ledger")
def test_proof_bundles_first(benchmark: BenchmarkFixture, rates: RateBoard,
                             ledger_server: Server, accepted: list[str]) -> None:
    """Proof bundles of anchored records never asked before: each one is read from the store,
    proven and serialised (no bundle cache can answer)."""
    if not accepted:
        pytest.skip("needs the records of the ingest benchmarks (run the whole file)")
    _wait_anchored(ledger_server, accepted[-1])
    fresh = random.Random(11).sample(accepted, PROOF_REQUESTS * (ROUNDS + 1))
    rounds = iter([raw_request("GET", f"/v1/records/{record}/proof")
                   for record in fresh[start:start + PROOF_REQUESTS]]
                  for start in range(0, len(fresh), PROOF_REQUESTS))
    samples: list[bytes] = []

    def setup() -> tuple[tuple[list[bytes]], dict[str, Any]]:
        return (next(rounds),), {}

    def run(requests: list[bytes]) -> None:
        bundles = drive(ledger_server.port, requests, PROOF_CONNECTIONS)
        assert all(status == 200 for status, _ in bundles)
        samples.append(bundles[0][1])

    cpu = server_meter(ledger_server, warmup=1)
    benchmark.pedantic(cpu.measure(run), setup=setup, rounds=ROUNDS, warmup_rounds=1)
    sample = json.loads(samples[-1])
    assert sample["format"] == "infraledger-proof/1" and sample["anchor"] is not None, sample
    rates.record(benchmark, PROOFS_FIRST, PROOF_REQUESTS, "requests", peers=[NOOP_GET],
                 aim=">= 1,000/s")
    cpu.report(benchmark, rates, PROOFS_FIRST, PROOF_REQUESTS, "requests")


@pytest.mark.benchmark(group="http-ledger")
def test_proof_bundles(benchmark: BenchmarkFixture, rates: RateBoard, ledger_server: Server,
                       accepted: list[str]) -> None:
    """Proof bundles of random accepted records, once the log holding them is anchored; every
    round asks the same 2,000, so after the warm-up round they are records asked before."""
    if not accepted:
        pytest.skip("needs the records of the ingest benchmarks (run the whole file)")
    _wait_anchored(ledger_server, accepted[-1])
    rnd = random.Random(7)
    requests = [raw_request("GET", f"/v1/records/{record}/proof")
                for record in rnd.choices(accepted, k=PROOF_REQUESTS)]

    def run() -> None:
        bundles = drive(ledger_server.port, requests, PROOF_CONNECTIONS)
        assert all(status == 200 for status, _ in bundles)

    cpu = server_meter(ledger_server, warmup=1)
    benchmark.pedantic(cpu.measure(run), rounds=ROUNDS, warmup_rounds=1)
    sample = json.loads(drive(ledger_server.port, requests[:1], 1)[0][1])
    assert sample["format"] == "infraledger-proof/1", sample
    assert sample["anchor"] is not None, sample
    rates.record(benchmark, PROOFS, PROOF_REQUESTS, "requests", peers=[NOOP_GET, PROOFS_FIRST],
                 aim=">= 1,000/s")
    cpu.report(benchmark, rates, PROOFS, PROOF_REQUESTS, "requests")


def _wait_anchored(server: Server, record: str) -> None:
    deadline = time.monotonic() + ANCHOR_WAIT_SECONDS
    while time.monotonic() < deadline:
        if server.get_json(f"/v1/records/{record}")["status"] == "anchored":
            return
        time.sleep(0.5)
    raise AssertionError(f"record {record} was not anchored within {ANCHOR_WAIT_SECONDS} s")


def _pending(prepared: PreparedSubmission) -> PendingEntry:
    return PendingEntry(prepared.entry, prepared.leaf_data, prepared.leaf_hash,
                        prepared.body_bytes, prepared.salt, prepared.attachment_digests)
