"""Stopping by signal: SIGTERM and SIGINT stop `infraledger demo`, `infraledger serve` and
`infraledger serve --workers 2` together with every process they started, with the data
consistent.

Each case runs the command as a real subprocess in a session of its own and loads it with signed
requests of 40 submissions, so its check workers start (`api.http.check_pool.POOL_MIN_ITEMS`);
with `--workers 2` until each API worker has its own. Its whole process tree is read from /proc:
the check workers, the multiprocessing resource tracker, and with `--workers 2` the two uvicorn
worker processes and the scheduler process (`infraledger jobs`). The signal goes to the
command's own process only, as `kill PID`, `docker stop` and systemd's stop of the main process
send it, while the load runs. Then:

- the command exits within `STOP_WITHIN` seconds, with the status of a clean stop;
- no process of its tree, and no live process of its session, is left;
- its log holds no traceback and no leaked-resource warning;
- every acknowledged record is in the log at its index, once, and the full self-check of the
  store passes; on anvil the anchors table equals the contract's history.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group instead: the demo is
stopped that way too. `make test` sends SIGTERM to all three and SIGINT to `serve`; the Ctrl-C
of `demo` and SIGINT to `serve --workers 2` run in `make soak` (marked `soak`).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.settings import Settings, load_settings
from filings.signing import SubmissionDomain
from tests.reliability.anvil import AnvilLedger, anvil_ledger_in
from tests.reliability.harness import (
    Load,
    ProcessEntry,
    ServerProcess,
    check_anchors,
    check_log,
    descendants,
    in_session,
    log_key,
    still_running,
    wait_for,
)
from tests.server_fixtures import SAMPLE

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""

STOP_WITHIN = 20.0
"""Seconds from the signal until the command and everything it started have exited."""
BULK = 40
"""Submissions per request: at least `POOL_MIN_ITEMS`, so the check workers take them."""
_FIRST = itertools.count(1_000_000, 1_000_000)
"""Record numbers of each run's load (a new range per run: every record is new)."""


@pytest.fixture(scope="module")
def anvil_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilLedger]:
    """One anvil ledger for the module's `--workers 2` cases."""
    with anvil_ledger_in(tmp_path_factory.mktemp("anvil")) as ledger:
        yield ledger


def _api_processes(server: ServerProcess, workers: int) -> list[int]:
    """The processes serving HTTP: the server itself, or its uvicorn worker processes."""
    if workers == 1:
        return [server.pid()]
    return [entry.pid for entry in descendants(server.pid())
            if entry.parent == server.pid() and "spawn_main" in entry.command]


def _describe(entries: list[ProcessEntry]) -> str:
    unique = {entry.pid: entry for entry in entries}.values()
    return "; ".join(f"{entry.pid} (parent {entry.parent}) {entry.command[:90]}"
                     for entry in unique)


def _stop_under_load(server: ServerProcess, domain: SubmissionDomain, key: bytes,
                     signum: signal.Signals, *, workers: int = 1, group: bool = False,
                     anvil_url: str | None = None) -> str:
    """Load `server` until each API process has check workers, send `signum` (to its process
    group when `group`), and check what the module docstring says; returns a summary."""
    vkey = log_key(server.url)
    log_start = server.log_path.stat().st_size
    load = Load(server.url, domain, first=next(_FIRST), batch=BULK, workers=2 * workers,
                timeout=30, key=key, reconnect=workers > 1).start()
    try:
        def loaded() -> bool:
            """Records acknowledged, and check workers beside every API process."""
            apis = _api_processes(server, workers)
            tree = descendants(server.pid())
            return len(load.stats.acknowledged) >= 4 * BULK and len(apis) == workers and all(
                any(entry.parent == api and "spawn_main" in entry.command for entry in tree)
                for api in apis)

        wait_for(loaded, 90, lambda: f"no load, or check workers did not start: "
                 f"{_describe(descendants(server.pid()))}; {load.stats.statuses}")
        tree = descendants(server.pid())
        assert any("resource_tracker" in entry.command for entry in tree), _describe(tree)
        if workers > 1:
            assert sum(" jobs" in entry.command for entry in tree) == 1, _describe(tree)
        sent = time.monotonic()
        if group:
            os.killpg(server.pid(), signum)
        else:
            server.signal(signum)
        assert server.process is not None
        try:
            code = server.process.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running {STOP_WITHIN} s after {signum.name}: "
                                 f"{_describe(descendants(server.pid()))}") from None
        exited = time.monotonic() - sent
        wait_for(lambda: not still_running(tree) and not in_session(server.pid()),
                 max(1.0, STOP_WITHIN - exited),
                 lambda: f"left after {signum.name}: "
                         f"{_describe(still_running(tree) + in_session(server.pid()))}")
        gone = time.monotonic() - sent
    finally:
        stats = load.stop()
    assert code in (0, 130, -signum), f"exit status {code}: {server.log_tail()}"
    output = server.log_path.read_bytes()[log_start:].decode(errors="replace")
    assert "Traceback" not in output and "leaked" not in output, output[-3000:]
    assert stats.acknowledged, stats.statuses
    report = check_log(server.settings, vkey, stats)
    anchors = "" if anvil_url is None else (
        f", {check_anchors(server.settings, anvil_url)} anchors as on chain")
    return (f"{signum.name}{' to the group' if group else ''}: {len(tree)} processes "
            f"({_describe(tree)}); exit {code} in {exited:.1f} s, all gone in {gone:.1f} s; "
            f"{len(stats.acknowledged)} acknowledged, log {report.tree_size} entries verified"
            f"{anchors}")


SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="SIGINT")]


SOAK_SIGINT = pytest.param(signal.SIGINT, id="SIGINT", marks=pytest.mark.soak)
"""SIGINT where SIGTERM already runs in `make test`: the same stop path (`make soak` runs it)."""


@pytest.mark.parametrize(("signum", "group"), [
    pytest.param(signal.SIGTERM, False, id="SIGTERM"),
    pytest.param(signal.SIGINT, True, id="Ctrl-C", marks=pytest.mark.soak)])
def test_demo_stops_with_everything_it_started(tmp_path: Path, signum: signal.Signals,
                                               group: bool) -> None:
    """The demo on a new directory: it deploys, files its sample, and serves; then the load
    is signed by its sample operator VNPT."""
    settings = load_settings(tmp_path / "demo")
    server = ServerProcess(settings, tmp_path / "demo.log", command=("demo",),
                           env={"PYTHONUNBUFFERED": "1"})
    server.start(timeout=180,
                 ready=lambda: "Serving until Ctrl-C." in server.log_path.read_text())
    try:
        deployment = load_settings(settings.data_dir).deployment
        assert deployment is not None
        domain = SubmissionDomain(int(deployment["chain_id"]),
                                  str(deployment["operator_registry"]))
        key_file = settings.data_dir / "keys" / "operators" / "vnpt.key"
        key = bytes.fromhex(key_file.read_text().splitlines()[-1].removeprefix("0x"))
        print(_stop_under_load(server, domain, key, signum, group=group))
    finally:
        server.kill()


@pytest.mark.parametrize("signum", SIGNALS)
def test_serve_stops_with_everything_it_started(ledger_settings: Settings,
                                                ledger_domain: SubmissionDomain,
                                                tmp_path: Path, signum: signal.Signals) -> None:
    server = ServerProcess(ledger_settings, tmp_path / "serve.log")
    server.start()
    try:
        print(_stop_under_load(server, ledger_domain, SAMPLE.active.key, signum))
    finally:
        server.kill()


@pytest.mark.parametrize("signum", [SIGNALS[0], SOAK_SIGINT])
def test_serve_with_two_workers_stops_with_everything_it_started(
    anvil_module: AnvilLedger, tmp_path: Path, signum: signal.Signals
) -> None:
    ledger = anvil_module
    server = ServerProcess(ledger.settings, tmp_path / "serve.log",
                           env={"INFRALEDGER_WORKERS": "2"})
    server.start()
    try:
        print(_stop_under_load(server, ledger.domain, SAMPLE.active.key, signum, workers=2,
                               anvil_url=ledger.anvil.url))
    finally:
        server.kill()
