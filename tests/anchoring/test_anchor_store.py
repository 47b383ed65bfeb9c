"""The anchors table on SQLite and PostgreSQL: append-only rows, lookups by size and by leaf."""

from __future__ import annotations

import hashlib

import pytest

from ledger.errors import LedgerError
from ledger.merkle import Hash
from ledger.storage.anchors import DuplicateAnchor, StoredAnchor
from tests.anchoring.ledger_log import Log

CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def _anchor(size: int, *, tag: bytes = b"") -> StoredAnchor:
    def digest(what: str) -> bytes:
        return hashlib.sha256(f"{what}/{size}".encode() + tag).digest()

    return StoredAnchor(
        tree_size=size, root=Hash(digest("root")), chain_id=2542023, contract=CONTRACT,
        tx_hash=digest("tx"), block_number=size // 10, block_hash=digest("block"),
        block_time=1_750_000_000 + size, anchored_at=1_750_000_002 + size,
    )


@pytest.fixture
def log(database_url: str) -> Log:
    return Log(database_url)


def test_rows_come_back_as_written(log: Log) -> None:
    assert log.anchors.all() == []
    assert log.anchors.latest() is None
    written = [_anchor(size) for size in (10, 25, 40)]
    for anchor in written:
        log.anchors.add(anchor)
    assert log.anchors.all() == written
    assert log.anchors.latest() == written[-1]
    assert log.anchors.at(25) == written[1]
    assert log.anchors.at(26) is None
    log.close()


def test_a_size_is_stored_once(log: Log) -> None:
    first = _anchor(10)
    log.anchors.add(first)
    with pytest.raises(DuplicateAnchor, match="tree size 10 is already anchored") as excinfo:
        log.anchors.add(_anchor(10, tag=b"another transaction"))
    assert isinstance(excinfo.value, LedgerError)
    assert log.anchors.all() == [first]
    log.close()


def test_covering_is_the_smallest_anchored_tree_holding_the_leaf(log: Log) -> None:
    for size in (10, 25, 40):
        log.anchors.add(_anchor(size))

    def covering(index: int) -> int | None:
        found = log.anchors.covering(index)
        return None if found is None else found.tree_size

    assert [covering(i) for i in (0, 9, 10, 24, 25, 39, 40, 1000)] == \
        [10, 10, 25, 25, 40, 40, None, None]
    log.close()


def test_backlog_names_the_first_unanchored_entry(log: Log) -> None:
    empty = log.anchors.backlog()
    assert (empty.tree_size, empty.anchored_size, empty.oldest_unanchored_at) == (0, 0, None)
    log.append(10, now=500)
    log.append(15, now=600)
    assert log.anchors.backlog().oldest_unanchored_at == 500
    log.anchors.add(_anchor(10))
    backlog = log.anchors.backlog()
    assert (backlog.tree_size, backlog.anchored_size, backlog.oldest_unanchored_at) == \
        (25, 10, 600)
    log.anchors.add(_anchor(25))
    assert log.anchors.backlog().oldest_unanchored_at is None
    log.close()
