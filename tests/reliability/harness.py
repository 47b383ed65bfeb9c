"""The pieces of the reliability tests: a real server process, a load generator of signed
records, and the checks every fault scenario ends with.

    ServerProcess   `infraledger --data-dir DIR serve --port P` as a child process (its own
                    session), started, waited for, killed with SIGKILL or stopped with SIGTERM
    Load            threads posting batches of signed `indicator/1` submissions; remembers every
                    acknowledged record (202: record id and index), every refusal by status and
                    code, every latency
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
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
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
from tests.server_fixtures import SAMPLE, free_port, sign_indicator

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
    """

    def __init__(self, settings: Settings, log_path: Path,
                 env: Mapping[str, str] | None = None, port: int | None = None) -> None:
        self.settings = settings
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        store = ({} if settings.database_url is None
                 else {"INFRALEDGER_DATABASE_URL": settings.database_url})
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **FAST_JOBS, **store, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, *, timeout: float = 90.0) -> None:
        """Start the server and wait until `GET /v1/log` answers 200."""
        assert self.process is None or self.process.poll() is not None
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts} ---\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "--data-dir", str(self.settings.data_dir),
                 "serve", "--port", str(self.port)],
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
                if httpx.get(self.url + "/v1/log", timeout=2).status_code == 200:
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
    `stop()`; each submission is a new record (numbered from `first`). `rate`: submissions
    per second in all (open loop), or None to post as fast as answers come (closed loop).
    `stats` lets several runs add to one record."""

    def __init__(self, url: str, domain: SubmissionDomain, *, first: int = 0, batch: int = 20,
                 workers: int = 4, rate: float | None = None, timeout: float = 30.0,
                 stats: LoadStats | None = None) -> None:
        self.url = url
        self.domain = domain
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
                items = [sign_indicator(self.domain, n, key=SAMPLE.active.key)
                         for n in range(first, first + self.batch)]
                self._post(client, items)

    def _post(self, client: httpx.Client, items: list[dict[str, Any]]) -> None:
        sent = time.monotonic()
        try:
            response = client.post(self.url + "/v1/submissions", json={"submissions": items})
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


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
