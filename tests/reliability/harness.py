"""The pieces of the reliability tests: a real server process, a load generator of signed
records, and the checks every fault scenario ends with.

    ServerProcess   `infraledger --data-dir DIR serve --port P` (or `demo`) as a child process
                    (its own session), started, waited for, killed with SIGKILL, stopped with
                    SIGTERM, or sent any signal
    Load            threads posting batches of signed `indicator/2` submissions; remembers every
                    acknowledged record (202: record id and index), every refusal by status and
                    code, every latency
    processes       the processes of this machine from /proc (pid, parent, session, state,
                    start time), to find what a server left behind: `descendants`, `in_session`,
                    `still_running`; `accepted`: which of them hold a connection on a port
    file_sample_plan  file the registrar's plan 254 into a settings' store (a store the
                    `ledger_settings` fixture did not set up: the load's figures need it)
    check_log       every acknowledged record is in the log at its index, no index missing or
                    doubled, and the full self-check passes (every entry, node, checkpoint and
                    anchor row recomputed)
    check_anchors   the anchors table and the contract's history agree: each size once, same
                    roots and transactions
    audit           the independent verifier's `infraledger-verify audit` against the server
    wait_for        poll a condition with a deadline
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from anchoring import Chain, LedgerAnchor
from api.settings import Settings
from filings.signing import SubmissionDomain
from ledger.merkle import leaf_hash
from ledger.service.selfcheck import SelfCheckReport, run_selfcheck
from ledger.storage.anchors import AnchorStore
from ledger.storage.store import LogStore
from tests.filings.factories import plan
from tests.server_fixtures import SAMPLE, file_plan, free_port, registrar_key, sign_indicator

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FAST_JOBS: Mapping[str, str] = {
    "INFRALEDGER_CHECKPOINT_INTERVAL": "0.2",
    "INFRALEDGER_ANCHOR_INTERVAL": "0.5",
}


class ServerProcess:
    """`infraledger serve` for the ledger of `settings`, in a child process of its own session.

    The server reads the data directory's config.json; `settings.database_url` and `env` (more
    `INFRALEDGER_*` settings) reach it through its environment. Its output goes to `log_path`.
    `command` is the subcommand and its options (before `--port`); `module` what runs it.
    """

    def __init__(self, settings: Settings, log_path: Path,
                 env: Mapping[str, str] | None = None, port: int | None = None,
                 command: Sequence[str] = ("serve",), module: str = "api.cli") -> None:
        self.settings = settings
        self.command = list(command)
        self.module = module
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        store = ({} if settings.database_url is None
                 else {"INFRALEDGER_DATABASE_URL": settings.database_url})
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **FAST_JOBS, **store, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *, timeout: float = 90.0,
              ready: Callable[[], bool] | None = None) -> None:
        """Start the server and wait until `GET /v1/log` answers 200 and `ready()` holds."""
        assert self.process is None or self.process.poll() is not None
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts} ---\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, "--data-dir", str(self.settings.data_dir),
                 *self.command, "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}: "
                                     f"{self.log_tail()}")
            try:
                if (httpx.get(self.url + "/v1/log", timeout=2).status_code == 200
                        and (ready is None or ready())):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"the server did not answer within {timeout} s: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def wait_workers(self, count: int, timeout: float = 90.0) -> None:
        """Wait until `count` uvicorn worker processes of `serve --workers N` serve requests:
        each has accepted one of the connections this opens (kept alive, closed after). A
        worker accepts only once its app has started."""
        clients: list[httpx.Client] = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                workers = [entry.pid for entry in descendants(self.pid())
                           if entry.parent == self.pid() and "spawn_main" in entry.command]
                if len(accepted(workers, self.port)) >= count:
                    return
                assert time.monotonic() < deadline and len(clients) < 200, (
                    f"{len(accepted(workers, self.port))} of {count} workers serving: "
                    f"{self.log_tail()}")
                client = httpx.Client(timeout=10)
                clients.append(client)
                with contextlib.suppress(httpx.HTTPError):
                    client.get(self.url + "/v1/log")
                time.sleep(0.1)
        finally:
            for client in clients:
                client.close()

    def signal(self, signum: int) -> None:
        """Send `signum` to the server's own process (not its group), as `kill PID` does."""
        assert self.process is not None
        os.kill(self.process.pid, signum)

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


@dataclass
class LoadStats:
    """What a load run saw."""

    acknowledged: dict[str, int] = field(default_factory=dict)
    """record id (hex) -> index, for every item a 202 answered accepted or duplicate."""
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    """`<HTTP status> <code>` per request (`connection` when no answer came)."""
    latencies: list[tuple[float, float]] = field(default_factory=list)
    """(time sent, seconds) of each 202."""
    conflicts: list[str] = field(default_factory=list)
    """Record ids acknowledged at two different indices (must stay empty)."""
    examples: dict[str, str] = field(default_factory=dict)
    """The first error message seen per status."""


class Load:
    """`workers` threads posting `batch` signed submissions per request to `url` until
    `stop()`; each submission is a new record (numbered from `first`), signed with `key` (a
    registered operator's). `rate`: submissions per second in all (open loop), or None to post
    as fast as answers come (closed loop). `stats` lets several runs add to one record.
    `reconnect`: a new connection for every request (so each may reach another worker process
    of `serve --workers N`), instead of one kept alive per thread."""

    def __init__(self, url: str, domain: SubmissionDomain, *, first: int = 0, batch: int = 20,
                 workers: int = 4, rate: float | None = None, timeout: float = 30.0,
                 stats: LoadStats | None = None, key: bytes = SAMPLE.active.key,
                 reconnect: bool = False) -> None:
        self.url = url
        self.domain = domain
        self.key = key
        self.headers = {"Connection": "close"} if reconnect else {}
        self.batch = batch
        self.workers = workers
        self.rate = rate
        self.timeout = timeout
        self.stats = LoadStats() if stats is None else stats
        self._first = first
        self._numbers = itertools.count(first, batch)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = 0.0

    def start(self) -> Load:
        self._started = time.monotonic()
        self._threads = [threading.Thread(target=self._work, name=f"load-{i}", daemon=True)
                         for i in range(self.workers)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> LoadStats:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.timeout + 10)
        return self.stats

    def __enter__(self) -> Load:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _work(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while not self._stop.is_set():
                with self._lock:
                    first = next(self._numbers)
                if self.rate is not None:
                    due = self._started + (first - self._first) / self.rate
                    pause = due - time.monotonic()
                    if pause > 0 and self._stop.wait(pause):
                        return
                items = [sign_indicator(self.domain, n, key=self.key)
                         for n in range(first, first + self.batch)]
                self._post(client, items)

    def _post(self, client: httpx.Client, items: list[dict[str, Any]]) -> None:
        sent = time.monotonic()
        try:
            response = client.post(self.url + "/v1/submissions", json={"submissions": items},
                                   headers=self.headers)
        except httpx.HTTPError as exc:
            self._count(f"connection {type(exc).__name__}", str(exc))
            return
        took = time.monotonic() - sent
        try:
            body = response.json()
        except ValueError:
            self._count(f"{response.status_code} not-json")
            return
        if response.status_code != 202:
            self._count(f"{response.status_code} {body.get('code')}", str(body.get("message")))
            return
        with self._lock:
            self.stats.statuses["202"] += 1
            self.stats.latencies.append((sent, took))
            for result in body["results"]:
                if result["status"] not in ("accepted", "duplicate"):
                    self.stats.statuses[f"item {result['status']}"] += 1
                    continue
                known = self.stats.acknowledged.setdefault(result["record_id"], result["index"])
                if known != result["index"]:
                    self.stats.conflicts.append(result["record_id"])

    def _count(self, what: str, message: str = "") -> None:
        with self._lock:
            self.stats.statuses[what] += 1
            self.stats.examples.setdefault(what, message)


def file_sample_plan(settings: Settings, domain: SubmissionDomain) -> None:
    """File plan 254, signed by the embedded chain's registrar, into the store of `settings`,
    as the `ledger_settings` fixture does into its own store: the figures `Load` signs are
    refused `no_target` by a store holding no plan."""
    store = LogStore(settings.database(), settings.origin, now=int(time.time()))
    try:
        file_plan(store, domain, plan(key=registrar_key(settings), domain=domain))
    finally:
        store.close()


def check_log(settings: Settings, vkey: str, stats: LoadStats) -> SelfCheckReport:
    """Every acknowledged record at its index, no index missing or doubled, and the full
    self-check of the whole store passing."""
    assert not stats.conflicts, f"records acknowledged at two indices: {stats.conflicts[:5]}"
    indices = collections.Counter(stats.acknowledged.values())
    doubled = [index for index, count in indices.items() if count > 1]
    assert not doubled, f"indices acknowledged for two records: {doubled[:5]}"
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        size = store.tree_size()
        leaves = [leaf_hash(data).hex() for data in store.entries(0, size)]
        assert len(leaves) == size, f"{size - len(leaves)} indices missing below {size}"
        assert len(set(leaves)) == size, "a record stored at two indices"
        lost = [(rid, i) for rid, i in stats.acknowledged.items()
                if i >= size or leaves[i] != rid]
        assert not lost, f"{len(lost)} acknowledged records lost, e.g. {lost[:3]}"
        return run_selfcheck(store, vkey, AnchorStore(store), full=True)
    finally:
        store.close()


def anchored_history(chain_url: str, contract: str, from_block: int = 0
                     ) -> list[tuple[int, bytes, bytes]]:
    """(tree size, root, tx hash) of every `Anchored` event of the contract, oldest first."""
    anchor = LedgerAnchor(Chain.connect(chain_url), contract)
    return [(event.tree_size, bytes(event.root), bytes(event.tx_hash))
            for event in anchor.anchored_events(from_block)]


def check_anchors(settings: Settings, chain_url: str, *, timeout: float = 30.0) -> int:
    """The anchors table equals the contract's history (each size once, the same roots and
    transactions), once the anchorer has recorded the chain's latest anchor; returns the
    number of anchors."""
    assert settings.deployment is not None
    contract = str(settings.deployment["ledger_anchor"])
    from_block = int(settings.deployment["block_number"])
    deadline = time.monotonic() + timeout
    while True:
        store = LogStore(settings.database(), settings.origin, now=0)
        try:
            rows = AnchorStore(store).all()
        finally:
            store.close()
        # Read after the table: a row is written once its anchor is mined, so the history
        # read now holds every recorded anchor (and maybe newer ones).
        history = anchored_history(chain_url, contract, from_block)
        table = [(row.tree_size, bytes(row.root), bytes(row.tx_hash)) for row in rows]
        sizes = [size for size, _, _ in history]
        assert len(sizes) == len(set(sizes)), f"a size anchored twice on chain: {sizes}"
        assert sizes == sorted(sizes), f"anchored sizes not increasing: {sizes}"
        differ = [(row, event) for row, event in zip(table, history, strict=False)
                  if row != event]
        assert not differ and len(table) <= len(history), (
            f"the anchors table differs from the chain: {differ[:3]}; table sizes "
            f"{[size for size, _, _ in table]}, chain sizes {sizes}")
        if len(table) == len(history) or time.monotonic() > deadline:
            assert len(table) == len(history), (
                f"the table records {len(table)} anchors, the chain holds {len(history)}")
            return len(table)
        time.sleep(0.3)


def audit(url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """`infraledger-verify trust init` then `audit` against the server at `url`."""
    trust = workdir / "trust.json"
    verify = str(BIN / "infraledger-verify")
    subprocess.run([verify, "trust", "init", "--ledger", url, "--out", str(trust), "--force"],
                   check=True, capture_output=True, text=True, timeout=60)
    return subprocess.run([verify, "audit", "--ledger", url, "--trust", str(trust), "--json"],
                          capture_output=True, text=True, timeout=600)


def log_key(url: str) -> str:
    """The verifier key the server at `url` publishes (`GET /v1/log`)."""
    return str(httpx.get(url + "/v1/log", timeout=10).json()["vkey"])


def wait_for(condition: Callable[[], bool], timeout: float,
             message: Callable[[], str]) -> float:
    """Poll `condition` until it holds; return the seconds it took. Fails with `message()`
    after `timeout` seconds."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, message()
        time.sleep(0.05)
    return time.monotonic() - started


@dataclass(frozen=True)
class ProcessEntry:
    """One process as /proc shows it; `pid` and `started` together name it (a pid is reused)."""

    pid: int
    parent: int
    session: int
    state: str
    started: int
    """Start time, in clock ticks after boot."""
    command: str


def processes() -> list[ProcessEntry]:
    """Every process of the machine now (those gone while being read are left out)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        found.append(ProcessEntry(int(stat.parent.name), int(fields[1]), int(fields[3]),
                                  fields[0], int(fields[19]), command.strip()))
    return found


def descendants(pid: int) -> list[ProcessEntry]:
    """The children of `pid`, theirs, and so on, now."""
    children: dict[int, list[ProcessEntry]] = collections.defaultdict(list)
    for entry in processes():
        children[entry.parent].append(entry)
    found: list[ProcessEntry] = []
    parents = [pid]
    while parents:
        below = [child for parent in parents for child in children[parent]]
        found += below
        parents = [child.pid for child in below]
    return found


def in_session(session: int) -> list[ProcessEntry]:
    """The live processes of a session (zombies have exited: they only wait to be reaped)."""
    return [entry for entry in processes() if entry.session == session and entry.state != "Z"]


def accepted(pids: Iterable[int], port: int) -> set[int]:
    """Those of `pids` holding an established TCP connection on local `port` of 127.0.0.1
    (`/proc/net/tcp`, and each process's socket descriptors)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port:
            inodes.add(f"socket:[{fields[9]}]")
    owners = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir()):
                owners.add(pid)
    return owners


def still_running(entries: Iterable[ProcessEntry]) -> list[ProcessEntry]:
    """Those of `entries` that still run (same pid and start time, not a zombie)."""
    now = {(entry.pid, entry.started): entry for entry in processes()}
    return [now[key] for key in ((entry.pid, entry.started) for entry in entries)
            if key in now and now[key].state != "Z"]


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
