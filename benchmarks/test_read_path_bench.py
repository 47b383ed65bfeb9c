"""The read path under `wrk`: the C2SP checkpoint, tiles and entry bundles, and proof bundles,
each against a bare uvicorn worker measured in the same run.

The limit is the cost of the HTTP server itself: a no-op ASGI application (no framework, two
headers and an empty body) on one uvicorn worker, as the ledger is served (httptools and uvloop,
which uvicorn picks up by itself), without access log. The ledger runs as shipped on the demo's
defaults: `infraledger serve` in a subprocess, one worker, SQLite and the embedded chain in a
temporary data directory, checkpointer and anchor jobs running, access log on. Its log holds
20,000 indicator records with their bodies, appended to the store before the server starts (the
read path serves what is stored; how records arrive is `test_http_bench`'s subject): the server
checkpoints and anchors them, and every figure starts from what it then holds in memory. Each
ledger figure is measured twice, on two copies of that ledger: as shipped, and with the access
log off (`INFRALEDGER_ACCESS_LOG=false`, the figures marked "[access log off]"): one log line
per request costs the server about as much as the rest of an answer from memory.

The client is `wrk` (Debian package `wrk`; `make system-deps` installs it), one thread and 16
keep-alive connections on 127.0.0.1, with a Lua script (`WRK_SCRIPT`) that asks the paths of a
file in turn and stops its thread after a fixed number of 200 answers (any other status fails
the benchmark). A round is timed from the moment wrk's connections are started to its last
answer: the wrk process start and exit are outside the timing. Figures, each a round's count at
the median round time:

- the bare worker: `GET /`;
- `GET /tlog/checkpoint`;
- full Merkle tiles: every full level-0 tile of the log in turn (the first round, a warm-up,
  is the first request of each);
- full entry bundles: every one in turn, likewise;
- the partial level-0 tile of the checkpoint;
- proof bundles of records asked before: the same 2,000 older records round after round;
- proof bundles, first request of a recently anchored record (the newest 8,192 of the log,
  `bundle_warm_records` set to 8,192):
  each record asked once in the whole run;
- proof bundles, first request of an older record (beyond those): each asked once;
- nginx (one worker, deploy/nginx's configuration) serving the directory that the ledger's
  tiles were exported to (`ledger.service.tile_export`): the checkpoint and the full tiles.

The aims are those of the read-path issue: the checkpoint and tiles at no less than half the
bare worker's rate, proof bundles at no less than a third. Each benchmark also records the
server's CPU time per round and the load average when it started.

Run: `.venv/bin/python -m pytest benchmarks/test_read_path_bench.py --benchmark-only -q`.
`INFRALEDGER_BENCH_TREE=DIR` serves the ledger from another source tree with the same virtual
environment (the code before a change, beside this one in the same conditions).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import pytest
from pytest_benchmark.fixture import BenchmarkFixture
from starlette.types import Receive, Scope, Send

from api.node import Node
from api.settings import load_settings
from benchmarks.conftest import NOW, RateBoard
from benchmarks.test_http_bench import HOST, ROOT, CpuMeter, Server
from filings.signing import NO_ATTACHMENTS
from ledger.canonical import canonical_json
from ledger.entry import Entry, to_checksum_address
from ledger.merkle import Frontier
from ledger.service.tile_export import TileExporter
from ledger.storage.store import LogStore, PendingEntry
from ledger.tiles import ENTRIES_LEVEL, tile_ids
from tests.test_nginx_tiles import nginx

TREE: Final = Path(os.environ.get("INFRALEDGER_BENCH_TREE", str(ROOT)))
WRK: Final = "/usr/bin/wrk"
STDBUF: Final = "/usr/bin/stdbuf"
CONNECTIONS: Final = 16
ROUNDS: Final = 5
"""Timed rounds, after one warm-up round."""
REQUESTS: Final = 20_000
"""Requests a round of the bare worker, the checkpoint, tiles and bundles asked before."""
BUNDLE_REQUESTS: Final = 2_000
"""Requests a round of entry bundles (each 256 entries)."""
COLD_REQUESTS: Final = 1_000
"""Requests a round of first requests of older records (read from the store each)."""
RECORDS: Final = 20_000
RECENT: Final = 8_192
"""The newest records, whose bundles the served ledger builds ahead when their anchor lands
(its `bundle_warm_records` setting: the default, 0, is for ingest; this is for a ledger that
serves mostly reads)."""
RECENT_REQUESTS: Final = 1_000
"""Requests a round of first requests of recent records (each asked once in the run)."""
REPEATED: Final = 2_000
ANCHOR_WAIT_SECONDS: Final = 180.0
SETTLE_SECONDS: Final = 120.0

BARE = "bare uvicorn worker, no-op ASGI app"
CHECKPOINT = "GET /tlog/checkpoint"
FULL_TILE = "GET /tlog/tile/0/<N>, full tiles"
ENTRY_BUNDLE = "GET /tlog/tile/entries/<N>, full bundles"
PARTIAL_TILE = "GET /tlog/tile/0/<N>.p/<W>"
PROOFS_REPEATED = "proof bundles, records asked before"
PROOFS_RECENT = "proof bundles, first request, recent record"
PROOFS_OLDER = "proof bundles, first request, older record"
NGINX_CHECKPOINT = "nginx, the exported directory: GET /tlog/checkpoint"
NGINX_FULL_TILE = "nginx, the exported directory: full tiles"
HALF = ">= 0.5x the bare worker"
THIRD = ">= 0.33x the bare worker"

def wrk_script(request: str, status: int) -> str:
    """The Lua script of a round: `request` (a Lua expression of `line`) made of each line of
    the file args[1], sent in turn; after args[2] answers, report how many were not `status`
    and stop."""
    return f"""\
requests, limit, done, bad, sent = {{}}, 0, 0, 0, 0
function init(args)
  for line in io.lines(args[1]) do requests[#requests + 1] = {request} end
  limit = tonumber(args[2])
end
function request()
  sent = sent + 1
  return requests[(sent - 1) % #requests + 1]
end
function response(status, headers, body)
  done = done + 1
  if status ~= {status} then bad = bad + 1 end
  if done == limit then
    io.write(string.format("infraledger-wrk done %d bad %d sent %d\\n", done, bad, sent))
    io.flush()
    wrk.thread:stop()
  end
end
"""


WRK_SCRIPT: Final = wrk_script('wrk.format("GET", line)', 200)
"""Ask the paths of the file, one a line."""
_DONE = re.compile(r"infraledger-wrk done (\d+) bad (\d+) sent (\d+)")
_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")


# -- the limit: a bare ASGI application ---------------------------------------------------------


async def bare_app(scope: Scope, receive: Receive, send: Send) -> None:
    """A no-op ASGI application: 200, an empty body, nothing else."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


# -- wrk -------------------------------------------------------------------------------------------


@dataclass
class WrkRound:
    """One wrk run: started by `start` (its connections open), timed until `wait` returns."""

    process: subprocess.Popen[str]
    output: list[str]

    @classmethod
    def start(cls, script: Path, port: int, lines: Path, limit: int, *,
              connections: int = CONNECTIONS, seconds: int = 120) -> WrkRound:
        process = subprocess.Popen(  # stdbuf: wrk's own lines come as it prints them
            [STDBUF, "-oL", WRK, "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
             f"http://{HOST}:{port}", "--", str(lines), str(limit)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        started = cls(process, [])
        started._read_until("connections")
        return started

    def wait(self) -> None:
        self._read_until("infraledger-wrk done")

    def finish(self) -> tuple[int, int, float]:
        """Stop wrk; return the answers counted, the non-200 answers, wrk's own rate."""
        self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=30)
        text = "".join(self.output) + rest
        done, rate = _DONE.search(text), _RATE.search(text)
        assert done is not None and rate is not None, text
        return int(done[1]), int(done[2]), float(rate[1])

    def _read_until(self, marker: str) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            if marker in line:
                return
        raise AssertionError("wrk stopped: " + "".join(self.output))


class Served(Protocol):
    """A server under load: its port, and the CPU time its processes used so far."""

    port: int

    def cpu_seconds(self) -> float: ...


@dataclass
class ProcessGroup:
    """Processes led by `leader` (a server started in a session of its own) on `port`."""

    port: int
    leader: int

    def cpu_seconds(self) -> float:
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.leader:
                    ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """Runs fixed-count wrk rounds against a server and records them on the rate board."""

    script: Path
    workdir: Path
    rates: RateBoard

    def measure(self, benchmark: BenchmarkFixture, server: Served, name: str,
                rounds: Sequence[Sequence[str]], limit: int, *, aim: str | None = None) -> None:
        """One warm-up and `ROUNDS` timed rounds; round k asks `rounds[k]`'s paths in turn,
        `limit` answers, all of which must be 200."""
        assert len(rounds) == ROUNDS + 1
        files = []
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower())
        for number, paths in enumerate(rounds):
            path = self.workdir / f"{slug}-{number}.txt"
            path.write_text("\n".join(paths) + "\n")
            files.append(path)
        queue = iter(files)
        seen: list[tuple[int, int, float]] = []
        benchmark.extra_info["load_average"] = [round(x, 2) for x in os.getloadavg()]

        def setup() -> tuple[tuple[WrkRound], dict[str, Any]]:
            return (WrkRound.start(self.script, server.port, next(queue), limit),), {}

        def teardown(run: WrkRound) -> None:
            seen.append(run.finish())

        cpu = CpuMeter(server.cpu_seconds, warmup=1)
        benchmark.pedantic(cpu.measure(WrkRound.wait), setup=setup, teardown=teardown,
                           rounds=ROUNDS, warmup_rounds=1)
        bad = [(done, refused) for done, refused, _ in seen if refused or done != limit]
        assert not bad, f"{name}: rounds with answers other than 200: {bad}"
        rates = sorted(rate for _, _, rate in seen[1:])
        benchmark.extra_info["wrk_requests_per_second"] = rates[len(rates) // 2]
        peers = [BARE] if name != BARE else []
        self.rates.record(benchmark, name, limit, "requests", peers=peers, aim=aim)
        cpu.report(benchmark, self.rates, name, limit, "requests")


def _same(paths: Sequence[str]) -> list[list[str]]:
    return [list(paths)] * (ROUNDS + 1)


def _each_once(paths: Sequence[str], limit: int) -> list[list[str]]:
    """Rounds that ask each path at most once in the whole run (a round sends at most `limit`
    and one request per connection beyond it)."""
    share = limit + CONNECTIONS
    assert len(paths) >= share * (ROUNDS + 1), (len(paths), share)
    return [list(paths[k * share:(k + 1) * share]) for k in range(ROUNDS + 1)]


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    if not Path(WRK).exists():
        pytest.skip(f"{WRK} is missing: `make system-deps` installs the Debian package wrk")
    with tempfile.TemporaryDirectory(prefix="infraledger-read-bench-") as root:
        yield Path(root)


@pytest.fixture(scope="module")
def load(workdir: Path, rates: RateBoard) -> Load:
    script = workdir / "rounds.lua"
    script.write_text(WRK_SCRIPT)
    return Load(script, workdir, rates)


@pytest.fixture(scope="module")
def bare_server(workdir: Path) -> Iterator[Server]:
    command = [sys.executable, "-m", "uvicorn", "benchmarks.test_read_path_bench:bare_app",
               "--host", HOST, "--workers", "1", "--no-access-log", "--log-level", "warning"]
    with Server.run(command, workdir / "bare.log", ready_path="/") as server:
        yield server


@dataclass(frozen=True)
class Filed:
    """The records of the log in index order, and its checkpointed size."""

    records: list[str]
    size: int


_AREAS: Final = ("phu_vang", "phu_loc", "huong_tra", "quang_dien", "phong_dien", "a_luoi")


def indicator_records(start: int, count: int) -> list[PendingEntry]:
    """`count` distinct indicator entries with their public bodies, as the store keeps filed
    records (the content commitment is the body's; the signatures are random bytes: the read
    path never checks them, and the server's start-up self-check does not either)."""
    rnd = random.Random(start)
    operators = [to_checksum_address("0x" + random.Random(n).randbytes(20).hex())
                 for n in range(4)]
    items = []
    for n in range(start, start + count):
        area, period = _AREAS[n % len(_AREAS)], f"{2021 + n // 24 % 5}-Q{n // 6 % 4 + 1}"
        body = canonical_json({"indicator": "bts_shared_ratio", "area": area, "period": period,
                               "value": round(rnd.uniform(10, 60), 1), "unit": "%", "n": n})
        entry = Entry(
            kind="indicator", schema="indicator/1",
            subject=f"indicator:bts_shared_ratio:{area}:{period}", operator=operators[n % 4],
            content="0x" + hashlib.sha256(body).hexdigest(),
            attachments="0x" + NO_ATTACHMENTS.hex(), supersedes=None,
            issued_at=NOW - 86_400 + n, signature="0x" + rnd.randbytes(65).hex(),
        )
        items.append(PendingEntry.of(entry, body=body))
    return items


@pytest.fixture(scope="module")
def data_dir(workdir: Path) -> Path:
    """A ledger with its contracts deployed and `RECORDS` records in its store (each served
    ledger runs on a copy: the embedded chain is one process's)."""
    data_dir = workdir / "ledger"
    settings = load_settings(data_dir)
    asyncio.run(Node.open(settings, jobs=False, deploy=True).close())
    store = LogStore(settings.database(), settings.origin, now=NOW)
    try:
        frontier = Frontier()
        for start in range(0, RECORDS, 1_000):
            _, frontier = store.append(indicator_records(start, 1_000), frontier, NOW)
    finally:
        store.close()
    return data_dir


WARMED: Final = {"INFRALEDGER_BUNDLE_WARM_RECORDS": str(RECENT)}
SERVED: Final = {"": WARMED, " [access log off]": {**WARMED, "INFRALEDGER_ACCESS_LOG": "false"}}
"""The ledger as shipped but for `bundle_warm_records` (`RECENT`), and with `access_log` false
as well: the suffix of its figures' names and its environment."""


@pytest.fixture(scope="module", params=list(SERVED))
def served(request: pytest.FixtureRequest) -> str:
    suffix: str = request.param
    return suffix


@pytest.fixture(scope="module")
def ledger_server(data_dir: Path, workdir: Path, served: str) -> Iterator[Server]:
    """The ledger served, once its jobs have checkpointed and anchored the whole log and it has
    settled (its CPU time flat for a second: what it builds ahead is built)."""
    copy = _served_dir(workdir, served)
    shutil.copytree(data_dir, copy)
    command = [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(copy)]
    with Server.run(command, copy.with_suffix(".log"), env=SERVED[served], ready_path="/v1/log",
                    cwd=TREE) as server:
        deadline = time.monotonic() + ANCHOR_WAIT_SECONDS
        while (log := server.get_json("/v1/log"))["anchored_size"] < log["tree_size"]:
            assert time.monotonic() < deadline, "the records were not anchored in time"
            time.sleep(0.5)
        used = server.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = server.cpu_seconds()
            if now - used < 0.05:
                break
            used = now
        yield server


def _served_dir(workdir: Path, served: str) -> Path:
    return workdir / ("served" + re.sub(r"[^a-z]+", "-", served))


@pytest.fixture(scope="module")
def nginx_server(ledger_server: Server, workdir: Path, served: str) -> Iterator[ProcessGroup]:
    """nginx (one worker) serving the log's tiles exported from the ledger as shipped, with
    deploy/nginx's files (as `tests/test_nginx_tiles.py` runs them)."""
    if served or TREE != ROOT:
        pytest.skip("measured once, with this tree's export")
    settings = load_settings(_served_dir(workdir, served))
    store = LogStore(settings.database(), settings.origin, now=NOW)
    try:
        TileExporter(store, workdir / "public" / "tlog").run_once()
    finally:
        store.close()
    prefix = workdir / "nginx"
    with nginx(workdir / "public", f"{HOST}:{ledger_server.port}", prefix) as url:
        yield ProcessGroup(int(url.rsplit(":", 1)[1]), int((prefix / "nginx.pid").read_text()))


@pytest.fixture(scope="module")
def filed(ledger_server: Server) -> Filed:
    """The records of the served log in index order (from its listing pages)."""
    records: list[str] = []
    cursor = None
    while True:
        page = ledger_server.get_json(
            "/v1/records?limit=500" + (f"&cursor={cursor}" if cursor else ""))
        records += [record["id"] for record in page["records"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    size = int(ledger_server.get_json("/v1/log")["checkpoint_size"])
    assert len(records) == size >= RECORDS
    return Filed(records, size)


# -- the limit -------------------------------------------------------------------------------------


@pytest.mark.benchmark(group="read-path")
def test_bare_worker(benchmark: BenchmarkFixture, load: Load, bare_server: Server) -> None:
    load.measure(benchmark, bare_server, BARE, _same(["/"]), REQUESTS)


# -- C2SP tlog-tiles -------------------------------------------------------------------------------


@pytest.mark.benchmark(group="read-path")
def test_checkpoint(benchmark: BenchmarkFixture, load: Load, ledger_server: Server,
                    served: str) -> None:
    load.measure(benchmark, ledger_server, CHECKPOINT + served, _same(["/tlog/checkpoint"]),
                 REQUESTS, aim=HALF)


def _tiles(size: int, level: int, full: bool) -> list[str]:
    return ["/tlog/" + t.path() for t in tile_ids(size) if t.level == level and t.full == full]


@pytest.mark.benchmark(group="read-path")
def test_full_tiles(benchmark: BenchmarkFixture, load: Load, ledger_server: Server,
                    filed: Filed, served: str) -> None:
    load.measure(benchmark, ledger_server, FULL_TILE + served,
                 _same(_tiles(filed.size, 0, True)), REQUESTS, aim=HALF)


@pytest.mark.benchmark(group="read-path")
def test_entry_bundles(benchmark: BenchmarkFixture, load: Load, ledger_server: Server,
                       filed: Filed, served: str) -> None:
    load.measure(benchmark, ledger_server, ENTRY_BUNDLE + served,
                 _same(_tiles(filed.size, ENTRIES_LEVEL, True)), BUNDLE_REQUESTS, aim=HALF)


@pytest.mark.benchmark(group="read-path")
def test_partial_tile(benchmark: BenchmarkFixture, load: Load, ledger_server: Server,
                      filed: Filed, served: str) -> None:
    partial = next(t for t in tile_ids(filed.size) if t.level >= 0 and not t.full)
    load.measure(benchmark, ledger_server, PARTIAL_TILE + served,
                 _same(["/tlog/" + partial.path()]), REQUESTS, aim=HALF)


# -- proof bundles ---------------------------------------------------------------------------------


def _proof(record: str) -> str:
    return f"/v1/records/{record}/proof"


@pytest.mark.benchmark(group="read-path")
def test_proof_bundles_asked_before(benchmark: BenchmarkFixture, load: Load,
                                    ledger_server: Server, filed: Filed, served: str) -> None:
    """The same 2,000 older records every round (built by the route in the warm-up round)."""
    older = filed.records[:len(filed.records) - RECENT]
    asked = random.Random(7).sample(older[-REPEATED * 2:], REPEATED)
    load.measure(benchmark, ledger_server, PROOFS_REPEATED + served,
                 _same([_proof(r) for r in asked]), REQUESTS, aim=THIRD)


@pytest.mark.benchmark(group="read-path")
def test_proof_bundles_first_recent(benchmark: BenchmarkFixture, load: Load,
                                    ledger_server: Server, filed: Filed, served: str) -> None:
    """Each of the newest records asked once (their bundles built ahead by the server)."""
    recent = filed.records[len(filed.records) - RECENT:]
    load.measure(benchmark, ledger_server, PROOFS_RECENT + served,
                 _each_once([_proof(r) for r in recent], RECENT_REQUESTS), RECENT_REQUESTS,
                 aim=THIRD)


@pytest.mark.benchmark(group="read-path")
def test_proof_bundles_first_older(benchmark: BenchmarkFixture, load: Load,
                                   ledger_server: Server, filed: Filed, served: str) -> None:
    """Each of the older records asked once: read from the store, proven and serialised."""
    older = filed.records[:len(filed.records) - RECENT - REPEATED * 2]
    load.measure(benchmark, ledger_server, PROOFS_OLDER + served,
                 _each_once([_proof(r) for r in older], COLD_REQUESTS), COLD_REQUESTS,
                 aim=THIRD)


# -- the exported directory behind nginx -----------------------------------------------------------


@pytest.mark.benchmark(group="read-path")
def test_nginx_checkpoint(benchmark: BenchmarkFixture, load: Load,
                          nginx_server: ProcessGroup) -> None:
    load.measure(benchmark, nginx_server, NGINX_CHECKPOINT, _same(["/tlog/checkpoint"]),
                 REQUESTS, aim=HALF)


@pytest.mark.benchmark(group="read-path")
def test_nginx_full_tiles(benchmark: BenchmarkFixture, load: Load, nginx_server: ProcessGroup,
                          filed: Filed) -> None:
    load.measure(benchmark, nginx_server, NGINX_FULL_TILE, _same(_tiles(filed.size, 0, True)),
                 REQUESTS, aim=HALF)
