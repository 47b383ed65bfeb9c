"""The anchor service on the embedded chain and on anvil: each checkpoint anchored once with its
consistency proof, lost receipts recovered, mismatched chains refused, and the whole pipeline
(sequencer, checkpointer, anchoring) running together with readers of the chain."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from anchoring import (
    AnchorMismatch,
    AnchorService,
    Chain,
    EmbeddedChain,
    InvalidRequest,
    LedgerAnchor,
    TransactionPolicy,
    deploy,
    read_only_handler,
    schedule_anchoring,
)
from anchoring.abi import functions_of
from ledger.note import Signer
from ledger.service.checkpointer import Checkpointer
from ledger.service.jobs import schedule_checkpointer
from ledger.service.sequencer import Sequencer
from ledger.storage.store import PendingEntry
from tests.anchoring.ledger_log import Clock, Log, assert_database_matches_chain
from tests.chain_fixtures import ChainEnv
from tests.ledger.appender import ORIGIN, make_entry


@pytest.fixture
def log(sqlite_url: str) -> Log:
    return Log(sqlite_url)


def test_each_new_checkpoint_is_anchored_once(log: Log, fresh_anchor: LedgerAnchor) -> None:
    service = AnchorService(log.store, log.anchors, fresh_anchor)
    assert service.run_once() is None  # no checkpoint yet
    log.grow(5)
    first = service.run_once()
    assert first is not None and (first.tree_size, first.root) == (5, log.store.root(5))
    assert service.run_once() is None  # nothing new
    log.grow(3)
    log.grow(4)
    second = service.run_once()
    assert second is not None and second.tree_size == 12  # one anchor for both checkpoints
    assert [anchor.tree_size for anchor in fresh_anchor.history()] == [5, 12]
    assert fresh_anchor.history()[1].previous_size == 5
    assert_database_matches_chain(log, fresh_anchor)
    log.close()


def test_lag_counts_entries_and_seconds(log: Log, fresh_anchor: LedgerAnchor) -> None:
    clock = Clock(2_000.0)
    service = AnchorService(log.store, log.anchors, fresh_anchor, clock=clock)
    lag = service.lag()
    assert (lag.tree_size, lag.anchored_size, lag.entries, lag.seconds) == (0, 0, 0, 0.0)
    log.append(8, now=1_990)
    log.checkpointer.run_once()
    log.append(4, now=1_995)
    lag = service.lag()
    assert (lag.tree_size, lag.anchored_size, lag.entries, lag.seconds) == (12, 0, 12, 10.0)
    service.run_once()
    lag = service.lag()
    assert (lag.tree_size, lag.anchored_size, lag.entries, lag.seconds) == (12, 8, 4, 5.0)
    log.close()


def test_a_restarted_service_anchors_nothing_twice(log: Log, fresh_anchor: LedgerAnchor) -> None:
    log.grow(10)
    assert AnchorService(log.store, log.anchors, fresh_anchor).run_once() is not None
    restarted = AnchorService(log.store, log.anchors, fresh_anchor)
    assert restarted.reconcile() == []
    assert restarted.run_once() is None
    log.grow(6)
    anchored = restarted.run_once()
    assert anchored is not None and anchored.tree_size == 16
    assert [anchor.tree_size for anchor in fresh_anchor.history()] == [10, 16]
    assert_database_matches_chain(log, fresh_anchor)
    log.close()


def test_a_lost_receipt_is_recovered_from_the_chain(log: Log, fresh_anchor: LedgerAnchor) -> None:
    clock = Clock()
    service = AnchorService(log.store, log.anchors, fresh_anchor, clock=clock)
    log.grow(10)
    service.run_once()
    # The transaction of size 15 is mined but its row never written (crash, lost receipt).
    size = log.grow(5)
    lost = fresh_anchor.anchor(size, log.store.root(size), log.store.consistency_proof(10, size))
    log.grow(5)
    clock.now += 30
    anchored = service.run_once()  # records 15 from the chain, then anchors 20 on top of it
    assert anchored is not None and anchored.tree_size == 20
    recovered = log.anchors.at(15)
    assert recovered is not None
    assert (recovered.tx_hash, recovered.block_number, recovered.block_hash,
            recovered.block_time) == (lost.tx_hash, lost.block_number, lost.block_hash,
                                      lost.block_time)
    assert recovered.anchored_at == int(clock.now)
    assert [anchor.tree_size for anchor in fresh_anchor.history()] == [10, 15, 20]
    assert_database_matches_chain(log, fresh_anchor)
    log.close()


def test_a_new_database_records_the_chains_anchors(
    log: Log, fresh_anchor: LedgerAnchor, tmp_path: Path
) -> None:
    """Restored from a backup older than the anchors: the log is there, the rows are not."""
    log.grow(7)
    log.grow(9)
    AnchorService(log.store, log.anchors, fresh_anchor).run_once()
    backup = Log(f"sqlite:///{tmp_path / 'restored.db'}")
    backup.append(16)
    recovered = AnchorService(backup.store, backup.anchors, fresh_anchor).reconcile()
    assert [row.tree_size for row in recovered] == [16]
    assert_database_matches_chain(backup, fresh_anchor)
    log.close()
    backup.close()


def test_another_logs_anchors_are_refused(
    log: Log, fresh_anchor: LedgerAnchor, tmp_path: Path
) -> None:
    log.grow(12)
    AnchorService(log.store, log.anchors, fresh_anchor).run_once()
    other = Log(f"sqlite:///{tmp_path / 'other.db'}", worker=8)
    other.grow(20)
    with pytest.raises(AnchorMismatch, match="not the log's root"):
        AnchorService(other.store, other.anchors, fresh_anchor).run_once()
    short = Log(f"sqlite:///{tmp_path / 'short.db'}")
    short.grow(3)
    with pytest.raises(AnchorMismatch, match="the log holds 3 entries"):
        AnchorService(short.store, short.anchors, fresh_anchor).reconcile()
    assert other.anchors.all() == [] and short.anchors.all() == []
    assert [anchor.tree_size for anchor in fresh_anchor.history()] == [12]
    for each in (log, other, short):
        each.close()


def test_anchors_of_another_contract_are_refused(log: Log, chain_env: ChainEnv) -> None:
    first, second = chain_env.new_anchor(), chain_env.new_anchor()
    log.grow(4)
    AnchorService(log.store, log.anchors, first).run_once()
    log.grow(4)
    with pytest.raises(AnchorMismatch, match="the service is configured for chain"):
        AnchorService(log.store, log.anchors, second).run_once()
    assert second.latest().tree_size == 0
    log.close()


def test_a_chain_behind_the_database_is_never_reanchored(sqlite_url: str, tmp_path: Path) -> None:
    """A new chain with the same keys gives the contract the same address, empty: refused."""
    log = Log(sqlite_url)
    with EmbeddedChain.open(tmp_path / "old") as embedded:
        contract = _deployed_anchor(embedded)
        log.grow(9)
        AnchorService(log.store, log.anchors, contract).run_once()
        log.grow(9)
        AnchorService(log.store, log.anchors, contract).run_once()
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "accounts.json").write_bytes((tmp_path / "old" / "accounts.json")
                                                     .read_bytes())
    with EmbeddedChain.open(tmp_path / "new") as embedded:
        chain = Chain.embedded(embedded)
        with pytest.raises(AnchorMismatch, match="holds anchors up to tree size 0") as gone:
            AnchorService(log.store, log.anchors,
                          LedgerAnchor(chain, contract.address, embedded.accounts.anchorer)
                          ).run_once()
        assert "no contract answers" in str(gone.value.__cause__)
        reset = _deployed_anchor(embedded)
        assert reset.address == contract.address
        log.grow(1)
        service = AnchorService(log.store, log.anchors, reset)
        with pytest.raises(AnchorMismatch, match="the chain is behind the database") as excinfo:
            service.run_once()
        assert "holds anchors up to tree size 0, the database recorded tree size 18" in \
            str(excinfo.value)
        assert service.failures == 1 and service.last_error is not None
        assert reset.latest().tree_size == 0
    assert [row.tree_size for row in log.anchors.all()] == [9, 18]
    log.close()


def _deployed_anchor(embedded: EmbeddedChain) -> LedgerAnchor:
    chain = Chain.embedded(embedded)
    accounts = embedded.accounts
    deployment = deploy(chain, accounts.admin, anchorer=accounts.anchorer.address,
                        registrar=accounts.registrar.address)
    return LedgerAnchor(chain, deployment.ledger_anchor, accounts.anchorer)


def test_configuration_errors(log: Log, chain_env: ChainEnv) -> None:
    with pytest.raises(InvalidRequest, match="bound to a signer"):
        AnchorService(log.store, log.anchors,
                      LedgerAnchor(chain_env.chain, chain_env.deployment.ledger_anchor))
    with pytest.raises(InvalidRequest, match="waits for 1 confirmation"):
        AnchorService(log.store, log.anchors, chain_env.anchor_contract(), confirmations=2)
    with pytest.raises(InvalidRequest, match="retry_min"):
        AnchorService(log.store, log.anchors, chain_env.anchor_contract(), retry_min=0)
    log.close()


def test_two_anchorers_on_one_database_record_each_anchor_once(
    log: Log, fresh_anchor: LedgerAnchor
) -> None:
    """Two services race for the same contract: the loser's transaction is refused by the
    contract (size not increasing, or a proof from a head that moved) and it records the
    winner's anchor instead of retrying."""
    services = [AnchorService(log.store, log.anchors, fresh_anchor) for _ in range(2)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_anchoring(service: AnchorService) -> None:
        while not stop.is_set():
            try:
                service.run_once()
            except Exception as exc:  # every failure is a test failure
                errors.append(exc)
                return

    threads = [threading.Thread(target=keep_anchoring, args=(s,)) for s in services]
    for thread in threads:
        thread.start()
    try:
        for _ in range(40):
            log.grow(3)
            time.sleep(0.01)
        deadline = time.monotonic() + 30
        while log.anchors.backlog().anchored_size < 120:
            assert time.monotonic() < deadline, "the last checkpoint was never anchored"
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert_database_matches_chain(log, fresh_anchor)
    log.close()


def _latest_request(contract: str) -> bytes:
    """The JSON-RPC request a verifier sends for `latest()` (as to `POST /chain/rpc`)."""
    data = "0x" + functions_of("LedgerAnchor")["latest"].encode_call().hex()
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_call",
                       "params": [{"to": contract, "data": data}, "latest"]}).encode()


def test_the_pipeline_anchors_ten_thousand_entries(
    database_url: str,
    chain_env: ChainEnv,
    fresh_anchor: LedgerAnchor,
    embedded_chain: EmbeddedChain,
) -> None:
    """Sequencer, checkpointer and anchor service run together (the two jobs in a
    BackgroundScheduler) while other threads read the chain as the API does; at the end every
    anchor on chain is the log's root at its size and the database records exactly those."""
    log = Log(database_url)
    signer = Signer.generate(ORIGIN)
    service = AnchorService(log.store, log.anchors, fresh_anchor)
    scheduler = BackgroundScheduler()
    schedule_checkpointer(scheduler, Checkpointer(log.store, signer), interval=0.05)
    schedule_anchoring(scheduler, service, interval=0.1)
    reader_anchor = LedgerAnchor(fresh_anchor.chain, fresh_anchor.address)
    rpc = read_only_handler(embedded_chain) if chain_env.name == "embedded" else None
    rpc_call = _latest_request(fresh_anchor.address)
    stop = threading.Event()
    seen: list[list[tuple[int, bytes]]] = [[], []]
    errors: list[BaseException] = []

    def read_chain(seen: list[tuple[int, bytes]]) -> None:
        try:
            while not stop.is_set():
                head = reader_anchor.latest()
                seen.append((head.tree_size, head.root))
                if rpc is not None:
                    answer = json.loads(rpc.handle_bytes(rpc_call) or b"{}")
                    assert len(bytes.fromhex(answer["result"][2:])) == 64, answer
        except Exception as exc:  # reported by the test below
            errors.append(exc)

    async def append_all() -> None:
        sequencer = Sequencer(log.store, signer, max_delay=0.005)
        await sequencer.start()
        for first in range(0, 10_000, 500):
            await asyncio.gather(*(
                sequencer.append([PendingEntry.of(make_entry(3, n))
                                  for n in range(start, start + 100)])
                for start in range(first, first + 500, 100)
            ))
            await asyncio.sleep(0.05)
        await sequencer.close()

    readers = [threading.Thread(target=read_chain, args=(heads,)) for heads in seen]
    scheduler.start()
    for reader in readers:
        reader.start()
    try:
        asyncio.run(append_all())
        deadline = time.monotonic() + 60
        while service.lag().entries:
            assert time.monotonic() < deadline, f"not anchored: {service.lag()}"
            time.sleep(0.05)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        scheduler.shutdown()
    assert errors == []
    assert service.failures == 0
    assert log.store.tree_size() == 10_000
    history = fresh_anchor.history()
    assert history[-1].tree_size == 10_000 and len(history) >= 5
    assert_database_matches_chain(log, fresh_anchor)
    anchored_roots = {anchor.tree_size: anchor.root for anchor in history}
    for heads in seen:
        sizes = [size for size, _ in heads]
        assert len(sizes) > 10 and sizes == sorted(sizes)  # a reader never saw the chain go back
        assert all(size == 0 or anchored_roots[size] == root for size, root in heads)
    log.close()


def test_recovered_anchors_wait_for_their_confirmations(
    log: Log, chain_env: ChainEnv
) -> None:
    """With two confirmations, an anchor found on the chain is recorded once a second block
    is on top of it, and nothing is anchored meanwhile."""
    contract = chain_env.new_anchor()
    deep = Chain(contract.chain.w3, contract.chain.chain_id, TransactionPolicy(confirmations=2))
    service = AnchorService(log.store, log.anchors,
                            LedgerAnchor(deep, contract.address, chain_env.anchorer),
                            confirmations=2)
    size = log.grow(6)
    contract.anchor(size, log.store.root(size), [])  # its receipt is lost
    assert service.run_once() is None
    assert log.anchors.all() == []
    chain_env.chain.send(chain_env.other, to=chain_env.other.address, data=b"")  # one more block
    assert service.run_once() is None  # recorded; the log has nothing newer to anchor
    assert [row.tree_size for row in log.anchors.all()] == [6]
    assert_database_matches_chain(log, contract)
    log.close()
