"""Read-only scans of the stored log, raw as the rows are, for the start-up self-check.

Unlike `LogStore`, nothing here trusts one column to describe another: entries come back with
every stored column, checkpoints with their `size` and `root` columns beside the signed note,
node runs as stored. `ledger.service.selfcheck` compares them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ledger.merkle import NodeRun
from ledger.storage.store import LogStore
from ledger.storage.tables import ANCHORS, CHECKPOINTS, ENTRIES, NODES

_CHUNK = 500
"""Rows fetched per query when a scan names its rows one by one."""


@dataclass(frozen=True, slots=True)
class EntrySpan:
    """How many entry rows there are, and their lowest and highest index (None when empty)."""

    count: int
    first: int | None
    last: int | None


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """Every stored column of one entry row."""

    idx: int
    leaf_hash: bytes
    data: bytes
    kind: str
    schema_name: str
    subject: str
    operator: str
    content: bytes
    supersedes: bytes | None
    issued_at: int
    body: bytes | None
    salt: bytes | None


@dataclass(frozen=True, slots=True)
class CheckpointRecord:
    """The stored columns of one checkpoint row: `size` and `root` beside the signed `note`."""

    size: int
    root: bytes
    note: str


class StoreScan:
    """Raw reads of the log tables of `store`, through its reader engine."""

    def __init__(self, store: LogStore) -> None:
        self._store = store

    def entry_span(self) -> EntrySpan:
        """The number of entry rows and their index range."""
        with self._store.reader.connect() as conn:
            count, first, last = conn.execute(
                select(func.count(), func.min(ENTRIES.c.idx), func.max(ENTRIES.c.idx))
            ).one()
        return EntrySpan(int(count), _int_or_none(first), _int_or_none(last))

    def entries_at(self, indices: Sequence[int]) -> list[EntryRecord]:
        """The entry rows of `indices` that exist, in index order."""
        found: list[EntryRecord] = []
        wanted = sorted(set(indices))
        with self._store.reader.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                part = wanted[start : start + _CHUNK]
                rows = conn.execute(
                    select(ENTRIES).where(ENTRIES.c.idx.in_(part)).order_by(ENTRIES.c.idx)
                ).all()
                found += [_entry(row) for row in rows]
        return found

    def entry_range(self, begin: int, end: int) -> list[EntryRecord]:
        """The entry rows with index in [begin, end), in index order."""
        with self._store.reader.connect() as conn:
            rows = conn.execute(
                select(ENTRIES).where(ENTRIES.c.idx >= begin, ENTRIES.c.idx < end)
                .order_by(ENTRIES.c.idx)
            ).all()
        return [_entry(row) for row in rows]

    def node_levels(self) -> list[int]:
        """The tree levels that have stored node runs, lowest first."""
        with self._store.reader.connect() as conn:
            rows = conn.execute(select(NODES.c.level).distinct().order_by(NODES.c.level))
            return [int(level) for level in rows.scalars()]

    def node_runs(self, level: int) -> Iterator[NodeRun]:
        """The stored runs of one level, by start, one query per `_CHUNK` runs."""
        after = -1
        while True:
            with self._store.reader.connect() as conn:
                rows = conn.execute(
                    select(NODES.c.start, NODES.c.hashes)
                    .where(NODES.c.level == level, NODES.c.start > after)
                    .order_by(NODES.c.start).limit(_CHUNK)
                ).all()
            for start, blob in rows:
                data = bytes(blob)
                yield NodeRun(level, int(start),
                              tuple(data[i : i + 32] for i in range(0, len(data), 32)))
            if len(rows) < _CHUNK:
                return
            after = int(rows[-1][0])

    def checkpoint_sizes(self) -> list[int]:
        """Every stored checkpoint size, smallest first."""
        with self._store.reader.connect() as conn:
            rows = conn.execute(select(CHECKPOINTS.c.size).order_by(CHECKPOINTS.c.size))
            return [int(size) for size in rows.scalars()]

    def checkpoints_at(self, sizes: Sequence[int]) -> list[CheckpointRecord]:
        """The checkpoint rows of `sizes` that exist, smallest first."""
        found: list[CheckpointRecord] = []
        wanted = sorted(set(sizes))
        with self._store.reader.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                rows = conn.execute(
                    select(CHECKPOINTS.c.size, CHECKPOINTS.c.root, CHECKPOINTS.c.note)
                    .where(CHECKPOINTS.c.size.in_(wanted[start : start + _CHUNK]))
                    .order_by(CHECKPOINTS.c.size)
                ).all()
                found += [CheckpointRecord(int(s), bytes(r), str(n)) for s, r, n in rows]
        return found

    def anchor_sizes(self) -> list[int]:
        """Every anchored tree size recorded in the anchors table, smallest first."""
        with self._store.reader.connect() as conn:
            rows = conn.execute(select(ANCHORS.c.tree_size).order_by(ANCHORS.c.tree_size))
            return [int(size) for size in rows.scalars()]


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _entry(row: Any) -> EntryRecord:
    return EntryRecord(
        idx=int(row.idx), leaf_hash=bytes(row.leaf_hash), data=bytes(row.data),
        kind=str(row.kind), schema_name=str(row.schema_name), subject=str(row.subject),
        operator=str(row.operator), content=bytes(row.content),
        supersedes=None if row.supersedes is None else bytes(row.supersedes),
        issued_at=int(row.issued_at),
        body=None if row.body is None else bytes(row.body),
        salt=None if row.salt is None else bytes(row.salt),
    )
