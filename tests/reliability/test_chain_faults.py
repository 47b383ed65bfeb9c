"""Chain faults under load: the ledger anchors on an anvil node reached by URL (as on a real
network) while a real `infraledger serve` takes signed submissions, and the node

1. stops answering: SIGSTOP (the kernel still accepts connections, nothing is answered, every
   call waits for its timeout), then SIGCONT;
2. is killed and started again with its state on the same port (SIGTERM: anvil writes its state
   file as it exits, as a real node keeps its blocks);
3. loses the anchor transaction the ledger had sent (mining off, the pool dropped, restarted).

`make test` holds the chain unresponsive for 15 s (longer than the 10 s RPC timeout); `make soak`
holds each outage 60 s (`--outage-seconds`) and runs the kill and the dropped transaction.
Throughout, every submission is answered 202 (no 5xx, no refusal). After each outage one catch-up
anchor covers the backlog: nothing checkpointed while the chain was away is anchored on its own,
the first anchor past what was checkpointed when the chain went away covers everything checkpointed
until it came back. At the end no size is anchored twice (the anchors table equals the contract's
history), the full self-check passes, and `infraledger-verify audit` verifies the whole log and its
anchors through the server.

With a chain by URL, `serve --workers 2` runs two API worker processes and one scheduler
process (`infraledger jobs`), which anchors what the workers append, and stops them all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import httpx
import pytest

from api.settings import Settings
from ledger.storage.anchors import AnchorStore
from ledger.storage.store import LogStore
from tests.reliability.anvil import AnvilLedger
from tests.reliability.harness import (
    Load,
    LoadStats,
    ServerProcess,
    anchored_history,
    audit,
    check_anchors,
    check_log,
    in_session,
    log_key,
    percentile,
    wait_for,
)
from tests.server_fixtures import sign_indicator

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""

SETTLE = 2.0
"""Seconds into an outage after which no anchor sent before it can still be on its way: any
anchor the chain records later of a size checkpointed by then was sent before the outage."""
CATCH_UP = 120.0
"""Seconds the anchorer may take to cover the backlog once the chain is back (its backoff after
failures doubles up to a minute)."""


def _checkpoint_size(settings: Settings) -> int:
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        latest = store.latest_checkpoint()
        return 0 if latest is None else latest.checkpoint.size
    finally:
        store.close()


def _recorded_anchor(settings: Settings) -> int:
    """The largest anchored size the ledger's own table records."""
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        latest = AnchorStore(store).latest()
        return 0 if latest is None else latest.tree_size
    finally:
        store.close()


def _catch_up(ledger: AnvilLedger, what: str, stats: LoadStats, target: int) -> float:
    """Seconds until the chain anchors at least `target`."""
    return wait_for(lambda: ledger.anchored_size() >= target, CATCH_UP,
                    lambda: f"{what}: the anchorer did not catch up to {target} (chain at "
                            f"{ledger.anchored_size()}; {stats.statuses})")


def _outage(ledger: AnvilLedger, stats: LoadStats, what: str, held: float,
            fail: Callable[[], None], repair: Callable[[], None]) -> str:
    """`fail` the chain for `held` seconds under the running load, `repair` it, wait for the
    catch-up, and check it was one anchor; returns what happened."""
    assert ledger.settings.deployment is not None
    from_block = int(ledger.settings.deployment["block_number"])
    before = _rate(stats, min(held, 10.0))
    acknowledged, requests = len(stats.acknowledged), len(stats.latencies)
    fail()
    failed = time.monotonic()
    time.sleep(SETTLE)
    sent_before = _checkpoint_size(ledger.settings)
    time.sleep(max(0.0, held - (time.monotonic() - failed)))
    accepted = len(stats.acknowledged) - acknowledged
    backlog = _checkpoint_size(ledger.settings)
    behind = backlog - _recorded_anchor(ledger.settings)
    repair()
    away = time.monotonic() - failed
    assert backlog > sent_before, (
        f"{what}: the log did not grow while the chain was away ({accepted} records accepted "
        f"in {away:.0f} s, {before:.0f}/s before; {stats.statuses})")
    caught = _catch_up(ledger, what, stats, backlog)
    sizes = [size for size, _, _ in anchored_history(ledger.anvil.url, ledger.contract,
                                                     from_block)]
    later = [size for size in sizes if size > sent_before]
    assert later[0] >= backlog, (
        f"{what}: sizes checkpointed while the chain was away were anchored on their own: "
        f"checkpointed {sent_before} when it went away, {backlog} when it came back; anchored "
        f"since: {later}")
    latencies = [took for _, took in stats.latencies[requests:]]
    return (f"{what}, {away:.0f} s: {accepted} records accepted meanwhile, "
            f"{accepted / away:.1f}/s against {before:.1f}/s just before "
            f"(ratio {accepted / away / max(before, 1e-9):.2f}); {len(latencies)} requests "
            f"answered 202 since it began, p50 {percentile(latencies, 0.5):.2f} s, p99 "
            f"{percentile(latencies, 0.99):.1f} s, max {max(latencies):.1f} s; {behind} entries "
            f"checkpointed past the last anchor; one anchor of size {later[0]} covered them "
            f"{caught:.1f} s after the chain was back")


def _rate(stats: LoadStats, seconds: float) -> float:
    """Records acknowledged per second over the last `seconds` (sleeps that long)."""
    count = len(stats.acknowledged)
    time.sleep(seconds)
    return (len(stats.acknowledged) - count) / seconds


def chain_faults(ledger: AnvilLedger, workdir: Path, fault: Literal["pause", "kill"],
                 held: float, *, drop: bool = False) -> list[str]:
    """The scenario of the module docstring through a real server, with one outage of `held`
    seconds (`pause`: SIGSTOP; `kill`: killed and restarted) and, with `drop`, the dropped
    anchor transaction after it; returns its notes."""
    server = ServerProcess(ledger.settings, workdir / "server.log")
    server.start()
    notes: list[str] = []
    try:
        vkey = log_key(server.url)
        # While the chain hangs a request may wait for the registry read of its operator
        # check (the RPC timeout is 10 s); the client waits well beyond that.
        with Load(server.url, ledger.domain, batch=5, workers=2, timeout=60) as load:
            stats = load.stats
            wait_for(lambda: len(stats.acknowledged) >= 50, 60, lambda: str(stats.statuses))
            first = _catch_up(ledger, "start", stats, _checkpoint_size(ledger.settings))
            notes.append(f"first anchors in {first:.1f} s")
            if fault == "pause":
                notes.append(_outage(ledger, stats, "chain unresponsive (SIGSTOP)", held,
                                     ledger.anvil.pause, ledger.anvil.resume))
            else:
                notes.append(_outage(ledger, stats, "chain killed and restarted", held,
                                     ledger.anvil.stop, ledger.anvil.start))
            if drop:
                notes.append(_dropped_transaction(ledger, stats))
            took = time.monotonic() - stats.latencies[0][0]
        notes.append(f"{len(stats.acknowledged)} records acknowledged in all, "
                     f"{len(stats.acknowledged) / took:.0f}/s")
        unexpected = {s: n for s, n in stats.statuses.items() if s != "202"}
        assert not unexpected, (unexpected, stats.examples)
        report = check_log(ledger.settings, vkey, stats)
        anchors = check_anchors(ledger.settings, ledger.anvil.url)
        notes.append(f"{report.tree_size} entries, {report.checkpoints} checkpoints, {anchors} "
                     f"anchors, each size once, the anchors table equal to the chain's history")
        audited = time.monotonic()
        result = audit(server.url, workdir)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert json.loads(result.stdout)["verified"] is True
        notes.append(f"audit verified in {time.monotonic() - audited:.1f} s")
    finally:
        server.stop()
    return notes


def _dropped_transaction(ledger: AnvilLedger, stats: LoadStats) -> str:
    """The node stops mining, the service sends its anchor, and the node restarts without it
    in its pool: the service notices, reads the nonce again and sends the anchor again."""
    ledger.anvil.call("evm_setAutomine", False)
    address = ledger.anchorer.address
    wait_for(lambda: ledger.anvil.nonces(address)[1] > ledger.anvil.nonces(address)[0], 30,
             lambda: "the anchorer sent nothing")
    ledger.anvil.call("anvil_dropAllTransactions")
    ledger.anvil.stop()
    ledger.anvil.start()
    mined, pending = ledger.anvil.nonces(address)
    assert mined == pending, "the restarted node still holds the transaction"
    caught = _catch_up(ledger, "after the drop", stats, _checkpoint_size(ledger.settings))
    return f"anchor transaction dropped: sent again and mined in {caught:.1f} s"


def test_chain_unresponsive_under_load(anvil_ledger: AnvilLedger, tmp_path: Path) -> None:
    print("\n".join(chain_faults(anvil_ledger, tmp_path, "pause", 15)))


@pytest.mark.soak
def test_chain_unresponsive_for_a_minute(anvil_ledger: AnvilLedger, tmp_path: Path,
                                         request: pytest.FixtureRequest) -> None:
    held = float(request.config.getoption("outage_seconds", default=60.0))
    print("\n".join(chain_faults(anvil_ledger, tmp_path, "pause", held)))


@pytest.mark.soak
def test_chain_killed_for_a_minute_and_a_dropped_anchor_transaction(
        anvil_ledger: AnvilLedger, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    held = float(request.config.getoption("outage_seconds", default=60.0))
    print("\n".join(chain_faults(anvil_ledger, tmp_path, "kill", held, drop=True)))


def test_serve_with_two_workers_and_one_scheduler_process(anvil_ledger: AnvilLedger,
                                                          tmp_path: Path) -> None:
    ledger = anvil_ledger
    server = ServerProcess(ledger.settings, tmp_path / "server.log",
                           env={"INFRALEDGER_WORKERS": "2"})
    server.start()
    try:
        commands = [entry.command for entry in in_session(server.pid())]
        assert sum(" jobs" in command for command in commands) == 1, commands
        assert sum("multiprocessing" in command for command in commands) >= 2, commands
        size = 0
        for n in range(8):
            answer = httpx.post(server.url + "/v1/submissions", timeout=30, json={
                "submissions": [sign_indicator(ledger.domain, 10 * n + k) for k in range(10)]})
            assert answer.status_code == 202, answer.text
            size = max(size, 1 + max(item["index"] for item in answer.json()["results"]))
        assert size == 1 + 80  # the registrar's plan (record 0), then the 80 figures
        wait_for(lambda: ledger.anchored_size() == size, 45,
                 lambda: f"not anchored by the scheduler process: chain at "
                         f"{ledger.anchored_size()}, log of {size}: {server.log_tail()}")
    finally:
        server.stop()
    assert in_session(server.pid()) == []
