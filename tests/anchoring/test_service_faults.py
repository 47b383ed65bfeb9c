"""The anchor service through chain outages: anvil stopped and restarted with its state, the
embedded chain closed and reopened; failures back off and one anchor covers the gap."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from anchoring import (
    AnchorService,
    Chain,
    ChainUnavailable,
    EmbeddedChain,
    LedgerAnchor,
    deploy,
    schedule_anchoring,
)
from ledger.service.jobs import schedule_checkpointer
from tests.anchoring.ledger_log import Clock, Log, assert_database_matches_chain
from tests.chain_fixtures import anvil_chain_env, start_anvil


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _checkpointed(log: Log) -> int:
    latest = log.store.latest_checkpoint()
    return 0 if latest is None else latest.checkpoint.size


def test_anvil_restarted_with_its_state_gets_one_anchor_for_the_gap(
    sqlite_url: str, tmp_path: Path
) -> None:
    state = tmp_path / "anvil-state.json"
    node = start_anvil(options=["--state", str(state)])
    port = int(node.url.rsplit(":", 1)[1])
    log = Log(sqlite_url)
    scheduler = BackgroundScheduler()
    try:
        env = anvil_chain_env(node)
        contract = env.anchor_contract()
        service = AnchorService(log.store, log.anchors, contract, retry_min=0.05, retry_max=0.4)
        schedule_checkpointer(scheduler, log.checkpointer, interval=0.05)
        schedule_anchoring(scheduler, service, interval=0.1)
        scheduler.start()
        log.append(100)
        _wait_for(lambda: log.anchors.backlog().anchored_size == 100, "the first anchor")

        node.stop()  # anvil writes its state file on the way out
        for _ in range(5):  # entries keep arriving and checkpoints keep being signed
            log.append(50)
            time.sleep(0.15)
        _wait_for(lambda: _checkpointed(log) == 350, "the checkpointer during the outage")
        _wait_for(lambda: service.failures >= 2, "failed attempts")
        assert service.last_error is not None and "ChainUnavailable" in service.last_error
        assert log.anchors.backlog().anchored_size == 100

        node = start_anvil(port=port, options=["--state", str(state)])
        _wait_for(lambda: log.anchors.backlog().anchored_size == 350, "the catch-up anchor")
        scheduler.shutdown()
        assert service.failures == 0 and service.last_error is None
        assert [anchor.tree_size for anchor in contract.history()] == [100, 350]
        assert_database_matches_chain(log, contract)
    finally:
        if scheduler.running:
            scheduler.shutdown()
        node.stop()
        log.close()


def _open_deployed(directory: Path) -> tuple[EmbeddedChain, LedgerAnchor]:
    embedded = EmbeddedChain.open(directory)
    chain = Chain.embedded(embedded)
    accounts = embedded.accounts
    deployment = deploy(chain, accounts.admin, anchorer=accounts.anchorer.address,
                        registrar=accounts.registrar.address)
    return embedded, LedgerAnchor(chain, deployment.ledger_anchor, accounts.anchorer)


def test_failures_back_off_exponentially_up_to_the_bound(sqlite_url: str, tmp_path: Path) -> None:
    embedded, contract = _open_deployed(tmp_path / "chain")
    log = Log(sqlite_url)
    clock = Clock()
    service = AnchorService(log.store, log.anchors, contract, clock=clock, retry_min=1,
                            retry_max=60)
    log.grow(5)
    embedded.close()
    delays = []
    for _ in range(9):
        with pytest.raises(ChainUnavailable):
            service.run_once()
        assert service.retry_at is not None
        delays.append(service.retry_at - clock.now)
        clock.now = service.retry_at - 0.01
        assert service.run_once() is None  # inside the backoff: the chain is not even asked
        clock.now = service.retry_at
    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert service.failures == 9
    log.close()


def test_the_embedded_chain_reopened_keeps_its_anchors(sqlite_url: str, tmp_path: Path) -> None:
    directory = tmp_path / "chain"
    embedded, contract = _open_deployed(directory)
    log = Log(sqlite_url)
    service = AnchorService(log.store, log.anchors, contract)
    log.grow(10)
    service.run_once()
    log.grow(10)
    service.run_once()
    embedded.close()
    log.grow(5)
    log.grow(5)
    with pytest.raises(ChainUnavailable, match="closed"):
        service.run_once()

    with EmbeddedChain.open(directory) as reopened:
        chain = Chain.embedded(reopened)
        again = LedgerAnchor(chain, contract.address, reopened.accounts.anchorer)
        assert [anchor.tree_size for anchor in again.history()] == [10, 20]
        restarted = AnchorService(log.store, log.anchors, again)
        assert restarted.reconcile() == []
        anchored = restarted.run_once()
        assert anchored is not None and anchored.tree_size == 30
        assert [anchor.tree_size for anchor in again.history()] == [10, 20, 30]
        assert_database_matches_chain(log, again)
    log.close()
