"""Crash safety: a real `infraledger serve` process killed with SIGKILL at random moments under
a load of signed submissions, restarted each time.

After every restart: every acknowledged record (a 202 answer) is in the log at the index it was
given, no index is missing or doubled, the full self-check passes (every entry, stored node,
checkpoint and anchor row recomputed: no two checkpoints inconsistent), and the anchors table
equals the contract's history, each size once. At the end the independent verifier audits the
whole log and its anchors through the server. Three kills here; `make soak` runs 20.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from api.settings import Settings
from filings.signing import SubmissionDomain
from tests.reliability.harness import (
    Load,
    LoadStats,
    ServerProcess,
    audit,
    check_anchors,
    check_log,
    log_key,
)

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""


def crash_rounds(settings: Settings, domain: SubmissionDomain, workdir: Path, rounds: int,
                 rng: random.Random) -> tuple[LoadStats, list[str]]:
    """`rounds` of: start the server, load it, SIGKILL it after a random 0.5 to 3 s, check."""
    server = ServerProcess(settings, workdir / "server.log")
    stats = LoadStats()
    notes: list[str] = []
    vkey = ""
    first = 0
    for round_ in range(rounds):
        started = time.monotonic()
        server.start()
        restart = time.monotonic() - started
        vkey = vkey or log_key(server.url)
        if round_:
            check_anchors(settings, server.url + "/chain/rpc")
        load = Load(server.url, domain, first=first, batch=5, workers=2, timeout=10,
                    stats=stats).start()
        delay = rng.uniform(0.5, 3.0)
        time.sleep(delay)
        server.kill()
        load.stop()
        first += 10_000_000
        checked = time.monotonic()
        report = check_log(settings, vkey, stats)
        notes.append(f"round {round_}: up in {restart:.1f} s, killed after {delay:.1f} s, log "
                     f"size {report.tree_size}, {len(stats.acknowledged)} acknowledged so far, "
                     f"checked in {time.monotonic() - checked:.1f} s")
    server.start()
    try:
        report = check_log(settings, vkey, stats)
        anchors = check_anchors(settings, server.url + "/chain/rpc")
        notes.append(f"after the last restart: {report.tree_size} entries, {report.checkpoints} "
                     f"checkpoints, {anchors} anchors")
        audited = time.monotonic()
        result = audit(server.url, workdir)
        notes.append(f"audit: {time.monotonic() - audited:.1f} s")
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["verified"] is True
    finally:
        server.stop()
    return stats, notes


def _check(stats: LoadStats, rounds: int, notes: list[str]) -> None:
    assert len(stats.acknowledged) >= rounds * 5, (stats.statuses, notes)
    unexpected = {status for status in stats.statuses
                  if not status.startswith(("202", "connection"))}
    assert not unexpected, (stats.statuses, notes)


def test_sigkill_under_load_loses_no_acknowledged_record(
    ledger_settings: Settings, ledger_domain: SubmissionDomain, tmp_path: Path
) -> None:
    stats, notes = crash_rounds(ledger_settings, ledger_domain, tmp_path, 3, random.Random())
    _check(stats, 3, notes)
    print("\n".join(notes))


@pytest.mark.soak
def test_sigkill_many_times(ledger_settings: Settings, ledger_domain: SubmissionDomain,
                            tmp_path: Path, request: pytest.FixtureRequest) -> None:
    rounds = int(request.config.getoption("crash_rounds", default=20))
    stats, notes = crash_rounds(ledger_settings, ledger_domain, tmp_path, rounds,
                                random.Random())
    _check(stats, rounds, notes)
    print("\n".join(notes))
