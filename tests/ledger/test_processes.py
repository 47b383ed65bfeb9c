"""Several processes appending to one PostgreSQL log, and a writer killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ledger.merkle import leaf_hash, root_of
from ledger.storage.store import LogStore
from tests.ledger.appender import ORIGIN

ROOT = Path(__file__).resolve().parents[2]


def _appender(url: str, worker: int, count: int, *flags: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ledger.appender", url, str(worker), str(count), *flags],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _check_log(store: LogStore) -> list[bytes]:
    """The log has no gap, and the root from stored nodes equals a recomputation from entries."""
    size = store.tree_size()
    data = store.entries(0, size)
    assert len(data) == size
    leaves = [leaf_hash(d) for d in data]
    assert len(set(leaves)) == size
    assert root_of(leaves) == store.root(size)
    return leaves


def test_four_processes_append_to_one_postgres_log(postgres_url: str) -> None:
    LogStore(postgres_url, ORIGIN, now=0).close()
    workers = [_appender(postgres_url, w, 5000) for w in range(4)]
    acknowledged: dict[int, str] = {}
    for proc in workers:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0
        for line in out.splitlines():
            index, leaf = line.split()
            assert int(index) not in acknowledged
            acknowledged[int(index)] = leaf
    store = LogStore(postgres_url, ORIGIN, now=0)
    leaves = _check_log(store)
    assert len(leaves) == 20_000
    assert sorted(acknowledged) == list(range(20_000))
    assert all(leaves[i].hex() == leaf for i, leaf in acknowledged.items())
    store.close()


def test_sigkill_loses_no_acknowledged_entry(sqlite_url: str) -> None:
    for round_ in range(3):
        proc = _appender(sqlite_url, round_, 0, "--forever")
        assert proc.stdout is not None
        acknowledged = []
        deadline = time.monotonic() + 60
        while len(acknowledged) < 400 * (round_ + 1) and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acknowledged.append(line.split())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert acknowledged, "the appender acknowledged nothing"
        store = LogStore(sqlite_url, ORIGIN, now=0)
        leaves = _check_log(store)
        for index, leaf in acknowledged:
            assert leaves[int(index)].hex() == leaf
        store.close()
