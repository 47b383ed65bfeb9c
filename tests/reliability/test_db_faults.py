"""Database faults under load: the PostgreSQL server restarted (a crash-like immediate stop),
and SQLite on a filesystem that fills up.

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
from tests.reliability.harness import Load, LoadStats, ServerProcess, check_log, log_key, wait_for
from tests.reliability.own_postgres import OwnPostgres

REFUSED = "503 store_unavailable"


def outage(settings: Settings, domain: SubmissionDomain, workdir: Path, *,
           env: dict[str, str] | None = None, fail: Callable[[], None],
           repair: Callable[[], None], down: float = 3.0) -> tuple[LoadStats, dict[str, int]]:
    """Load the server, `fail` the database for `down` seconds (at least until the first
    refusal), `repair` it, and wait until records are acknowledged again; return the load's
    record and what the server answered while the database was away."""
    server = ServerProcess(settings, workdir / "server.log", env=env)
    server.start()
    try:
        vkey = log_key(server.url)
        load = Load(server.url, domain, batch=5, workers=2, timeout=15).start()
        wait_for(lambda: len(load.stats.acknowledged) >= 50, 30,
                 lambda: f"no record acknowledged: {load.stats.statuses}")
        fail()
        before = dict(load.stats.statuses)
        failed_at = time.monotonic()
        wait_for(lambda: load.stats.statuses[REFUSED] > 0, 60,
                 lambda: f"no refusal while the database is away: {load.stats.statuses}")
        time.sleep(max(0.0, down - (time.monotonic() - failed_at)))
        during = {status: count - before.get(status, 0)
                  for status, count in load.stats.statuses.items()}
        repair()
        resumed = len(load.stats.acknowledged)
        wait_for(lambda: len(load.stats.acknowledged) >= resumed + 50, 60,
                 lambda: f"service did not resume: {load.stats.statuses}")
        stats = load.stop()
        assert server.process is not None and server.process.poll() is None
        report = check_log(settings, vkey, stats)
        assert report.tree_size >= len(stats.acknowledged)
        return stats, during
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

    stats, during = outage(ledger_settings, ledger_domain, tmp_path,
                           fail=lambda: own_postgres.stop("immediate"), repair=repair)
    _only_refusals(stats, during)
    print(f"while away: {during}; in all: {dict(stats.statuses)}; {stats.examples}")


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
        filler: list[Path] = []
        stats, during = outage(settings, ledger_domain, tmp_path, env=env,
                               fail=lambda: filler.append(_fill(mounted)),
                               repair=lambda: os.remove(filler[0]))
    _only_refusals(stats, during)
    print(f"while away: {during}; in all: {dict(stats.statuses)}; {stats.examples}")
