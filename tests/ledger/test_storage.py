"""The log store on SQLite and PostgreSQL: appends, proofs, tiles, checkpoints, versions."""

from __future__ import annotations

import asyncio
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from ledger.checkpoint import open_checkpoint
from ledger.entry import Entry
from ledger.errors import (
    LedgerError,
    LogIntegrityError,
    ProofError,
    SchemaVersionError,
    StorageError,
)
from ledger.merkle import Frontier, leaf_hash, root_of, verify_consistency, verify_inclusion
from ledger.note import Signer
from ledger.service.checkpointer import Checkpointer
from ledger.service.sequencer import Sequencer
from ledger.storage.migrations import CURRENT_VERSION
from ledger.storage.store import LogStore, PendingEntry
from ledger.tiles import TileId, parse_entry_bundle, tile_ids
from tests.ledger import reference
from tests.ledger.appender import ORIGIN, make_entry


def fill(store: LogStore, count: int, seed: int = 1) -> list[bytes]:
    """Append `count` entries in random batch sizes; return their leaf hashes in order."""
    rng = random.Random(seed)
    frontier, leaves, n = store.frontier(), [], 0
    while n < count:
        size = min(rng.randint(1, 90), count - n)
        items = [PendingEntry.of(make_entry(seed, k)) for k in range(n, n + size)]
        results, frontier = store.append(items, frontier, now=1000 + n)
        leaves += [r.leaf_hash for r in results]
        n += size
    return leaves


def test_appends_and_proofs(database_url: str) -> None:
    store = LogStore(database_url, ORIGIN, now=0)
    leaves = fill(store, 700)
    assert store.tree_size() == 700
    for size in (1, 2, 255, 256, 257, 700):
        assert store.root(size) == reference.mth(leaves[:size])
    rng = random.Random(7)
    for _ in range(40):
        size = rng.randint(1, 700)
        index = rng.randrange(size)
        proof = store.inclusion_proof(index, size)
        assert proof == reference.path(index, leaves[:size])
        verify_inclusion(index, size, leaves[index], proof, reference.mth(leaves[:size]))
        old = rng.randint(1, size)
        assert store.consistency_proof(old, size) == reference.proof(old, leaves[:size])
    with pytest.raises(ProofError):
        store.inclusion_proof(3, 701)
    store.close()


def test_duplicates_keep_their_first_index(database_url: str) -> None:
    store = LogStore(database_url, ORIGIN, now=0)
    a, b = PendingEntry.of(make_entry(1, 1)), PendingEntry.of(make_entry(1, 2))
    results, frontier = store.append([a, b, a], Frontier(), now=1)
    assert [(r.index, r.duplicate) for r in results] == [(0, False), (1, False), (0, True)]
    results, frontier = store.append([b, PendingEntry.of(make_entry(1, 3))], frontier, now=2)
    assert [(r.index, r.duplicate) for r in results] == [(1, True), (2, False)]
    assert store.tree_size() == 3
    store.close()


def test_a_failed_batch_writes_nothing(database_url: str) -> None:
    store = LogStore(database_url, ORIGIN, now=0)
    fill(store, 10)
    good = PendingEntry.of(make_entry(2, 1))
    broken = PendingEntry(good.entry, None, leaf_hash(b"other"))  # type: ignore[arg-type]
    with pytest.raises(StorageError):
        store.append([good, broken], store.frontier(), now=5)
    assert store.tree_size() == 10
    results, _ = store.append([good], store.frontier(), now=6)
    assert results[0].index == 10
    store.close()


def test_stale_frontier_is_reloaded(database_url: str) -> None:
    """Another process appended since: the cached head is refreshed under the lock."""
    one, two = LogStore(database_url, ORIGIN, now=0), LogStore(database_url, ORIGIN, now=0)
    fill(one, 5, seed=1)
    results, frontier = two.append([PendingEntry.of(make_entry(9, 0))], Frontier(), now=1)
    assert results[0].index == 5
    assert frontier.root() == one.root(6)
    one.close()
    two.close()


def test_tiles_and_entry_bundles(database_url: str) -> None:
    store = LogStore(database_url, ORIGIN, now=0)
    leaves = fill(store, 600)
    data = store.entries(0, 600)
    assert [leaf_hash(d) for d in data] == leaves
    for tile in tile_ids(600):
        content = store.tile(tile, 600)
        level, begin, end = tile.node_range()
        if tile.level < 0:
            assert parse_entry_bundle(content) == data[begin:end]
        elif level == 0:
            assert content == b"".join(leaves[begin:end])
        else:
            assert content == b"".join(
                reference.mth(leaves[i * 256:(i + 1) * 256]) for i in range(begin, end))
    with pytest.raises(ProofError):
        store.tile(TileId(0, 2), 600)
    store.close()


def test_checkpoints_are_consistent_and_signed(database_url: str) -> None:
    store = LogStore(database_url, ORIGIN, now=0)
    signer = Signer.generate(ORIGIN)
    checkpointer = Checkpointer(store, signer, clock=lambda: 5000.0)
    assert checkpointer.run_once() is None
    leaves = fill(store, 300)
    first = checkpointer.run_once()
    assert first is not None and first.checkpoint.size == 300
    assert checkpointer.run_once() is None
    fill(store, 50, seed=2)
    second = checkpointer.run_once()
    assert second is not None
    latest = store.latest_checkpoint()
    assert latest is not None and latest.checkpoint == second.checkpoint
    parsed = open_checkpoint(latest.note, ORIGIN, signer.verifier)
    assert parsed.root == store.root(350)
    assert store.root(300) == reference.mth(leaves)
    verify_consistency(300, 350, first.checkpoint.root, parsed.root,
                       store.consistency_proof(300, 350))
    covering = store.checkpoint_covering(299)
    assert covering is not None and covering.checkpoint.size == 300
    store.close()


def test_a_rewritten_node_stops_the_checkpointer(sqlite_url: str) -> None:
    store = LogStore(sqlite_url, ORIGIN, now=0)
    checkpointer = Checkpointer(store, Signer.generate(ORIGIN))
    fill(store, 64)
    assert checkpointer.run_once() is not None
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE nodes SET hashes = zeroblob(length(hashes)) WHERE level = 6"))
    fill(store, 10, seed=3)
    with pytest.raises(LogIntegrityError):
        checkpointer.run_once()
    engine.dispose()
    store.close()


def test_schema_versions(database_url: str) -> None:
    store = LogStore(database_url, ORIGIN, now=0)
    store.close()
    engine = create_engine(store.url)
    with engine.begin() as conn:
        versions = conn.execute(text("SELECT version FROM schema_migrations")).scalars().all()
        assert versions == list(range(1, CURRENT_VERSION + 1))
        conn.execute(text("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)"))
    engine.dispose()
    with pytest.raises(SchemaVersionError, match="999"):
        LogStore(database_url, ORIGIN, now=0)


def test_the_store_belongs_to_one_log(sqlite_url: str) -> None:
    LogStore(sqlite_url, ORIGIN, now=0).close()
    with pytest.raises(StorageError, match="holds the log"):
        LogStore(sqlite_url, "another.example/log", now=0)


def test_sequencer_answers_after_commit_with_receipts(database_url: str) -> None:
    from ledger.receipt import open_receipt

    async def scenario() -> None:
        store = LogStore(database_url, ORIGIN, now=0)
        signer = Signer.generate(ORIGIN)
        sequencer = Sequencer(store, signer, max_delay=0.005)
        await sequencer.start()
        calls = [[PendingEntry.of(make_entry(3, k)) for k in range(i * 10, i * 10 + 10)]
                 for i in range(20)]
        answers = await asyncio.gather(*(sequencer.append(items) for items in calls))
        indices = sorted(r.index for a in answers for r in a.results)
        assert indices == list(range(200))
        assert store.tree_size() == 200
        for items, answer in zip(calls, answers, strict=True):
            receipt = open_receipt(answer.receipt, ORIGIN, signer.verifier)
            assert [leaf for _, leaf in receipt.leaves] == [i.leaf_hash for i in items]
            assert [i for i, _ in receipt.leaves] == [r.index for r in answer.results]
        again = await sequencer.append(calls[0])
        assert all(r.duplicate for r in again.results)
        assert [r.index for r in again.results] == [r.index for r in answers[0].results]
        await sequencer.close()
        data = store.entries(0, 200)
        assert root_of([leaf_hash(d) for d in data]) == store.root(200)
        store.close()

    asyncio.run(scenario())


def test_sequencer_close_waits_for_every_request_made_before_it(database_url: str) -> None:
    """Requests in flight or queued when `close` is called are committed and answered; one made
    after it is refused, and nothing of it is written."""

    async def scenario() -> None:
        store = LogStore(database_url, ORIGIN, now=0)
        sequencer = Sequencer(store, Signer.generate(ORIGIN), max_batch=50, max_delay=0.05)
        await sequencer.start()
        calls = [[PendingEntry.of(make_entry(5, k)) for k in range(i * 40, i * 40 + 40)]
                 for i in range(10)]
        pending = [asyncio.create_task(sequencer.append(items)) for items in calls]
        await asyncio.sleep(0)  # every request is queued; the first batch is being gathered
        await sequencer.close()
        assert all(task.done() for task in pending)
        answers = [task.result() for task in pending]
        assert sorted(r.index for a in answers for r in a.results) == list(range(400))
        assert store.tree_size() == 400
        with pytest.raises(LedgerError, match="not running"):
            await sequencer.append([PendingEntry.of(make_entry(6, 0))])
        assert store.tree_size() == 400
        store.close()

    asyncio.run(scenario())


def test_bad_entries_write_nothing(sqlite_url: str) -> None:
    from ledger.errors import InvalidEntry

    store = LogStore(sqlite_url, ORIGIN, now=0)
    fill(store, 3)
    good = make_entry(4, 0).to_json()
    for bad in ({**good, "operator": "0x" + "ab" * 20}, {**good, "issued_at": "soon"},
                {**good, "subject": "x" * 70000}, "not an object"):
        with pytest.raises(InvalidEntry):
            PendingEntry.of(Entry.from_json(bad))
    assert store.tree_size() == 3
    store.close()


@pytest.fixture(scope="module")
def shared_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[LogStore, list[bytes]]:
    path = tmp_path_factory.mktemp("shared") / "log.db"
    store = LogStore(f"sqlite:///{path}", ORIGIN, now=0)
    return store, fill(store, 1500, seed=11)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_property_proofs_through_storage(
    shared_log: tuple[LogStore, list[bytes]], data: st.DataObject
) -> None:
    store, leaves = shared_log
    size = data.draw(st.integers(1, len(leaves)))
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(1, size))
    assert store.root(size) == reference.mth(leaves[:size])
    assert store.inclusion_proof(index, size) == reference.path(index, leaves[:size])
    assert store.consistency_proof(old, size) == reference.proof(old, leaves[:size])


@pytest.mark.parametrize("cache_bytes", [0, 3000])
def test_proofs_through_a_small_node_cache(
    shared_log: tuple[LogStore, list[bytes]], cache_bytes: int
) -> None:
    """No cache, or one that holds a few runs and keeps evicting: the proofs stay exact."""
    store, leaves = shared_log
    small = LogStore(store.url, ORIGIN, now=0, node_cache_bytes=cache_bytes)
    rng = random.Random(cache_bytes)
    for _ in range(150):
        size = rng.randint(1, len(leaves))
        index = rng.randrange(size)
        assert small.inclusion_proof(index, size) == reference.path(index, leaves[:size])
        old = rng.randint(1, size)
        assert small.consistency_proof(old, size) == reference.proof(old, leaves[:size])
    assert small.tile(TileId(0, 1), len(leaves)) == b"".join(leaves[256:512])
    small.close()


def test_a_mixed_batch_keeps_logged_places(database_url: str) -> None:
    """A batch holding logged entries among new ones: the logged keep their index, the new
    ones follow the head without a gap, and a failed first attempt leaves no trace."""
    store = LogStore(database_url, ORIGIN, now=0)
    leaves = fill(store, 30)
    logged = [PendingEntry.of(make_entry(1, k)) for k in (4, 17)]
    new = [PendingEntry.of(make_entry(8, k)) for k in range(3)]
    results, _ = store.append([new[0], logged[0], new[1], logged[1], new[2], new[0]],
                              store.frontier(), now=9)
    assert [(r.index, r.duplicate) for r in results] == [
        (30, False), (4, True), (31, False), (17, True), (32, False), (30, True)]
    assert [r.leaf_hash for r in results[1::2][:2]] == [leaves[4], leaves[17]]
    assert store.tree_size() == 33
    data = store.entries(0, 33)
    assert root_of([leaf_hash(d) for d in data]) == store.root(33)
    store.close()


def test_proof_service_serves_checkpointed_sizes_only(sqlite_url: str) -> None:
    from ledger.service.proofs import ProofService

    store = LogStore(sqlite_url, ORIGIN, now=0)
    proofs = ProofService(store)
    with pytest.raises(ProofError, match="no checkpoint yet"):
        proofs.tile(TileId(0, 0, 10))
    leaves = fill(store, 300)
    Checkpointer(store, Signer.generate(ORIGIN)).run_once()
    fill(store, 20, seed=5)
    assert proofs.inclusion(7, 300) == reference.path(7, leaves)
    with pytest.raises(ProofError, match="no checkpoint at size 320"):
        proofs.inclusion(7, 320)
    assert proofs.tile(TileId(0, 1, 44)) == b"".join(leaves[256:300])
    with pytest.raises(ProofError, match="beyond"):
        proofs.tile(TileId(0, 1, 60))
    store.close()


def test_scheduled_checkpointer_follows_the_head(sqlite_url: str) -> None:
    import time

    from apscheduler.schedulers.background import BackgroundScheduler

    from ledger.service.jobs import schedule_checkpointer

    store = LogStore(sqlite_url, ORIGIN, now=0)
    scheduler = BackgroundScheduler()
    schedule_checkpointer(scheduler, Checkpointer(store, Signer.generate(ORIGIN)), interval=0.05)
    scheduler.start()
    try:
        fill(store, 40)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            latest = store.latest_checkpoint()
            if latest is not None and latest.checkpoint.size == 40:
                break
            time.sleep(0.02)
        latest = store.latest_checkpoint()
        assert latest is not None and latest.checkpoint.size == 40
    finally:
        scheduler.shutdown()
        store.close()


def test_an_entry_judged_by_a_subject_head_is_written_only_while_it_holds(
        database_url: str) -> None:
    """`PendingEntry.unchanged`: written while the subject's newest entry is where the caller
    saw it; refused (nothing written, no index) once an entry of that subject came after it,
    in the log or earlier in the same batch; a retry of a logged entry stays a duplicate."""
    from dataclasses import replace

    from ledger.entry import NewestOfSubject

    store = LogStore(database_url, ORIGIN, now=0)
    watched = make_entry(4, 0)  # subject indicator:w4:0
    judged = [PendingEntry.of(make_entry(5, k)) for k in range(4)]
    empty = NewestOfSubject(watched.subject, -1)
    first = replace(judged[0], unchanged=empty)
    results, frontier = store.append([first], Frontier(), now=1)
    assert [(r.index, r.refused) for r in results] == [(0, False)]

    results, frontier = store.append(
        [PendingEntry.of(watched), replace(judged[1], unchanged=empty)], frontier, now=2)
    assert [(r.index, r.refused) for r in results] == [(1, False), (-1, True)]
    results, frontier = store.append([replace(judged[2], unchanged=empty)], frontier, now=3)
    assert [(r.index, r.refused) for r in results] == [(-1, True)]
    moved = NewestOfSubject(watched.subject, 1)
    results, frontier = store.append(
        [replace(judged[2], unchanged=moved), replace(first, unchanged=moved)], frontier, now=4)
    assert [(r.index, r.duplicate, r.refused) for r in results] == [
        (2, False, False), (0, True, False)]
    assert store.tree_size() == 3
    assert [leaf_hash(data) for data in store.entries(0, 3)] == [
        first.leaf_hash, leaf_hash(watched.leaf_data()), judged[2].leaf_hash]
    store.close()


def test_the_receipt_leaves_out_refused_entries(sqlite_url: str) -> None:
    from dataclasses import replace

    from ledger.entry import NewestOfSubject
    from ledger.receipt import open_receipt

    async def scenario() -> None:
        store = LogStore(sqlite_url, ORIGIN, now=0)
        signer = Signer.generate(ORIGIN)
        sequencer = Sequencer(store, signer, max_delay=0.001)
        await sequencer.start()
        stale = NewestOfSubject("indicator:w6:0", -1)
        kept, dropped = PendingEntry.of(make_entry(7, 0)), PendingEntry.of(make_entry(7, 1))
        answer = await sequencer.append(
            [PendingEntry.of(make_entry(6, 0)), kept, replace(dropped, unchanged=stale)])
        assert [r.refused for r in answer.results] == [False, False, True]
        assert answer.receipt is not None
        receipt = open_receipt(answer.receipt, ORIGIN, signer.verifier)
        assert [leaf for _, leaf in receipt.leaves] == [
            answer.results[0].leaf_hash, kept.leaf_hash]
        alone = await sequencer.append([replace(dropped, unchanged=stale)])
        assert alone.receipt is None and alone.results[0].refused
        assert store.tree_size() == 2
        await sequencer.close()
        store.close()

    asyncio.run(scenario())
