"""A real log for the anchoring tests: a LogStore with its checkpointer and anchor table, the
check that the database's anchors are exactly the chain's, and a clock moved by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from anchoring import LedgerAnchor
from ledger.merkle import Frontier
from ledger.note import Signer
from ledger.service.checkpointer import Checkpointer
from ledger.storage.anchors import AnchorStore
from ledger.storage.store import LogStore, PendingEntry
from tests.ledger.appender import ORIGIN, make_entry


class Clock:
    """A clock the test moves by hand (unix seconds)."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Log:
    """A log store on `url` with a checkpointer and the anchors table; `worker` keeps the entries
    of two logs in one test apart."""

    url: str
    worker: int = 7
    store: LogStore = field(init=False)
    checkpointer: Checkpointer = field(init=False)
    anchors: AnchorStore = field(init=False)
    _frontier: Frontier = field(init=False, default_factory=Frontier)

    def __post_init__(self) -> None:
        self.store = LogStore(self.url, ORIGIN, now=0)
        self.checkpointer = Checkpointer(self.store, Signer.generate(ORIGIN))
        self.anchors = AnchorStore(self.store)
        self._frontier = self.store.frontier()

    def append(self, count: int, now: int = 1_000) -> int:
        """Append `count` new entries directly to the store; return the new tree size."""
        start = self._frontier.size
        items = [PendingEntry.of(make_entry(self.worker, n)) for n in range(start, start + count)]
        _, self._frontier = self.store.append(items, self._frontier, now)
        return self._frontier.size

    def grow(self, count: int) -> int:
        """Append `count` entries and checkpoint them; return the checkpointed size."""
        self.append(count)
        stored = self.checkpointer.run_once()
        assert stored is not None
        return stored.checkpoint.size

    def close(self) -> None:
        self.store.close()


def assert_database_matches_chain(log: Log, contract: LedgerAnchor) -> None:
    """Every anchor on chain is recorded once, with the log's root at its size and the
    transaction and block of its `Anchored` event; the database holds no other."""
    history = contract.history()
    rows = log.anchors.all()
    assert [(row.tree_size, row.root) for row in rows] == \
        [(anchor.tree_size, anchor.root) for anchor in history]
    events = {event.tree_size: event for event in contract.anchored_events(history[0].block_number)}
    assert sorted(events) == [row.tree_size for row in rows]
    for row, anchor in zip(rows, history, strict=True):
        assert row.root == log.store.root(row.tree_size)
        event = events[row.tree_size]
        assert (row.tx_hash, row.block_number, row.block_hash) == \
            (event.tx_hash, event.block_number, event.block_hash)
        assert row.block_time == anchor.timestamp
        assert (row.chain_id, row.contract) == (contract.chain.chain_id, contract.address)
