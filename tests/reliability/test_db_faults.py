"""Database faults under load: the PostgreSQL server restarted (a crash-like immediate stop)
under one server process and under `serve --workers 2` (two API workers and the scheduler
process on a chain by URL; down 3 s here, 60 s in `make soak`), and SQLite on a filesystem that
fills up.

While the database is away, submissions are refused with a clear 503 `store_unavailable` (the
server itself stays up, no other error); nothing is half-stored (every acknowledged record is in
the log, the full self-check passes); and service resumes by itself once the database is back.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from api.settings import Settings
from filings.signing import SubmissionDomain
from ledger.storage.store import LogStore
from tests.reliability.anvil import AnvilLedger, anvil_ledger_in
from tests.reliability.harness import (
    Load,
    LoadStats,
    ServerProcess,
    check_anchors,
    check_log,
    file_sample_plan,
    log_key,
    wait_for,
)
from tests.reliability.own_postgres import OwnPostgres

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""

REFUSED = "503 store_unavailable"


def outage(settings: Settings, domain: SubmissionDomain, workdir: Path, *,
           env: dict[str, str] | None = None, fail: Callable[[], None],
           repair: Callable[[], None], down: float = 3.0, workers: int = 1,
           settled: Callable[[], str] | None = None
           ) -> tuple[LoadStats, dict[str, int], list[str]]:
    """Load the server (`workers` API processes, each request on a new connection when more
    than one), `fail` the database for `down` seconds (at least until the first refusal),
    `repair` it, and wait until records are acknowledged again; then, the load stopped and the
    server still running, `settled()` (a note). Returns the load's record, what the server
    answered while the database was away, and notes."""
    env = {**(env or {}), **({"INFRALEDGER_WORKERS": str(workers)} if workers > 1 else {})}
    server = ServerProcess(settings, workdir / "server.log", env=env)
    server.start()
    if workers > 1:
        server.wait_workers(workers)
    notes: list[str] = []
    try:
        vkey = log_key(server.url)
        load = Load(server.url, domain, batch=5, workers=2 * workers, timeout=15,
                    reconnect=workers > 1).start()
        wait_for(lambda: len(load.stats.acknowledged) >= 50, 30,
                 lambda: f"no record acknowledged: {load.stats.statuses}")
        fail()
        before = dict(load.stats.statuses)
        failed_at = time.monotonic()
        wait_for(lambda: load.stats.statuses[REFUSED] > 0, 60,
                 lambda: f"no refusal while the database is away: {load.stats.statuses}")
        first_refusal = time.monotonic() - failed_at
        time.sleep(max(0.0, down - (time.monotonic() - failed_at)))
        during = {status: count - before.get(status, 0)
                  for status, count in load.stats.statuses.items()}
        repair()
        repaired = time.monotonic()
        resumed = len(load.stats.acknowledged)
        wait_for(lambda: len(load.stats.acknowledged) > resumed, 60,
                 lambda: f"service did not resume: {load.stats.statuses}")
        notes.append(f"database away {repaired - failed_at:.1f} s: first refusal after "
                     f"{first_refusal:.1f} s, {during.get(REFUSED, 0)} requests refused 503, "
                     f"acknowledging again {time.monotonic() - repaired:.1f} s after it was back")
        wait_for(lambda: len(load.stats.acknowledged) >= resumed + 50, 60,
                 lambda: f"service did not resume: {load.stats.statuses}")
        stats = load.stop()
        assert server.process is not None and server.process.poll() is None
        if settled is not None:
            notes.append(settled())
        report = check_log(settings, vkey, stats)
        assert report.tree_size >= len(stats.acknowledged)
        notes.append(f"{len(stats.acknowledged)} acknowledged records, each once at its index; "
                     f"log of {report.tree_size} entries verified")
        return stats, during, notes
    finally:
        server.stop()


def _only_refusals(stats: LoadStats, during: dict[str, int]) -> None:
    assert during.get(REFUSED, 0) > 0, during
    unexpected = {status: count for status, count in stats.statuses.items()
                  if count and status not in ("202", REFUSED)}
    assert not unexpected, (unexpected, stats.examples)
    message = stats.examples[REFUSED]
    assert message.startswith("the store is unavailable"), message


# -- PostgreSQL restarted --------------------------------------------------------------------


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    try:
        server.start()
        server.create_database()
        yield server
    finally:
        server.destroy()


@pytest.fixture
def ledger_database_url(own_postgres: OwnPostgres) -> str:
    return own_postgres.url


def test_postgres_restart_under_load(own_postgres: OwnPostgres, ledger_settings: Settings,
                                     ledger_domain: SubmissionDomain, tmp_path: Path) -> None:
    def repair() -> None:
        own_postgres.start()
        own_postgres.wait_ready()

    stats, during, notes = outage(ledger_settings, ledger_domain, tmp_path,
                                  fail=lambda: own_postgres.stop("immediate"), repair=repair)
    _only_refusals(stats, during)
    print("\n".join(notes))
    print(f"while away: {during}; in all: {dict(stats.statuses)}; {stats.examples}")


def _restart_with_two_workers(own_postgres: OwnPostgres, ledger: AnvilLedger, workdir: Path,
                              down: float) -> list[str]:
    """`serve --workers 2` on the test's PostgreSQL and anvil; the server restarted under
    load; the scheduler process checkpoints and anchors again once it is back."""
    def repair() -> None:
        own_postgres.start()
        own_postgres.wait_ready()

    def settled() -> str:
        waited = wait_for(lambda: ledger.anchored_size() >= _log_size(ledger.settings), 120,
                          lambda: f"not anchored again: chain at {ledger.anchored_size()}")
        anchors = check_anchors(ledger.settings, ledger.anvil.url)
        return (f"the scheduler process anchored the whole log {waited:.1f} s after the load "
                f"stopped; {anchors} anchors, each size once, as on chain")

    stats, during, notes = outage(ledger.settings, ledger.domain, workdir, workers=2,
                                  fail=lambda: own_postgres.stop("immediate"), repair=repair,
                                  down=down, settled=settled)
    _only_refusals(stats, during)
    return [*notes, f"while away: {during}; in all: {dict(stats.statuses)}"]


def _log_size(settings: Settings) -> int:
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        return store.tree_size()
    finally:
        store.close()


@pytest.fixture
def postgres_anvil_ledger(own_postgres: OwnPostgres, tmp_path: Path) -> Iterator[AnvilLedger]:
    """A ledger on the test's own PostgreSQL, anchoring on an anvil node by URL."""
    with anvil_ledger_in(tmp_path, database_url=own_postgres.url) as ledger:
        yield ledger


def test_postgres_restart_under_load_with_two_workers(
    own_postgres: OwnPostgres, postgres_anvil_ledger: AnvilLedger, tmp_path: Path
) -> None:
    print("\n".join(_restart_with_two_workers(own_postgres, postgres_anvil_ledger, tmp_path,
                                               down=3.0)))


@pytest.mark.soak
def test_postgres_away_for_a_minute_with_two_workers(
    own_postgres: OwnPostgres, postgres_anvil_ledger: AnvilLedger, tmp_path: Path,
    request: pytest.FixtureRequest
) -> None:
    held = float(request.config.getoption("outage_seconds", default=60.0))
    print("\n".join(_restart_with_two_workers(own_postgres, postgres_anvil_ledger, tmp_path,
                                               down=held)))


# -- SQLite on a full filesystem -------------------------------------------------------------


@contextlib.contextmanager
def small_filesystem(path: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of `megabytes` mounted at `path` (needs the right to mount)."""
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(path)],
                   check=True, capture_output=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def _fill(directory: Path) -> Path:
    """Take every free byte of the filesystem of `directory`; return the filler file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            block = b"\0" * size
            with contextlib.suppress(OSError):
                while os.write(fd, block):
                    pass
    finally:
        os.close(fd)
    return filler


def test_sqlite_on_a_full_filesystem(ledger_settings: Settings,
                                     ledger_domain: SubmissionDomain, tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    with small_filesystem(disk, 64) as mounted:
        database = mounted / "ledger.sqlite3"
        env = {"INFRALEDGER_DATABASE_URL": f"sqlite:///{database}"}
        settings = ledger_settings.model_copy(update={"database_url": env[
            "INFRALEDGER_DATABASE_URL"]})
        file_sample_plan(settings, ledger_domain)  # a new store: the plan the figures need
        filler: list[Path] = []
        stats, during, notes = outage(settings, ledger_domain, tmp_path, env=env,
                                      fail=lambda: filler.append(_fill(mounted)),
                                      repair=lambda: os.remove(filler[0]))
    _only_refusals(stats, during)
    print("\n".join(notes))
    print(f"while away: {during}; in all: {dict(stats.statuses)}; {stats.examples}")
