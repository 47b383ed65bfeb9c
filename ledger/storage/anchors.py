"""The anchors table: where each anchored checkpoint sits on the chain (DESIGN sections 5 and 6).

One row per anchored tree size, written once by the anchor service when the chain confirmed the
transaction (or when it recovers an anchor the chain holds and the table lacks), never updated
or deleted. `GET /v1/anchors`, the proof bundle and `infraledger anchor status` read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.errors import StorageError, StoreUnavailable
from ledger.merkle import Hash
from ledger.storage.store import LogStore
from ledger.storage.tables import ANCHORS, ENTRIES


class DuplicateAnchor(StorageError):
    """The table already holds an anchor of this tree size (each size is anchored once)."""


@dataclass(frozen=True, slots=True)
class StoredAnchor:
    """One anchored checkpoint: its (tree size, root), the chain and contract that hold it, the
    transaction and its block (number, hash, timestamp), and when the row was written
    (`anchored_at`, unix seconds of the service's clock)."""

    tree_size: int
    root: Hash
    chain_id: int
    contract: str
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    block_time: int
    anchored_at: int


@dataclass(frozen=True, slots=True)
class AnchorBacklog:
    """What the chain does not cover yet: the log's size, the latest anchored size, and when the
    oldest entry past it was sequenced (None when every entry is anchored)."""

    tree_size: int
    anchored_size: int
    oldest_unanchored_at: int | None


class AnchorStore:
    """The anchors of the log in `store`, through the store's writer and reader engines."""

    def __init__(self, store: LogStore) -> None:
        self._store = store

    def add(self, anchor: StoredAnchor) -> None:
        """Insert `anchor`. Raises `DuplicateAnchor` when its tree size is already stored (the
        stored row is left as it is), `StoreUnavailable` when the database fails."""
        try:
            with self._store.writer.begin() as conn:
                conn.execute(insert(ANCHORS).values(
                    tree_size=anchor.tree_size, root=anchor.root, chain_id=anchor.chain_id,
                    contract=anchor.contract, tx_hash=anchor.tx_hash,
                    block_number=anchor.block_number, block_hash=anchor.block_hash,
                    block_time=anchor.block_time, anchored_at=anchor.anchored_at,
                ))
        except IntegrityError as exc:
            raise DuplicateAnchor(f"tree size {anchor.tree_size} is already anchored") from exc
        except DBAPIError as exc:
            raise StoreUnavailable(f"storing the anchor failed: {exc.orig}") from exc

    def all(self) -> list[StoredAnchor]:
        """Every anchor, smallest tree size first."""
        with self._store.reader.connect() as conn:
            rows = conn.execute(select(ANCHORS).order_by(ANCHORS.c.tree_size)).all()
        return [_stored_anchor(row) for row in rows]

    def latest(self) -> StoredAnchor | None:
        """The anchor of the largest tree size, or None before the first."""
        return self._first(select(ANCHORS).order_by(ANCHORS.c.tree_size.desc()).limit(1))

    def at(self, tree_size: int) -> StoredAnchor | None:
        """The anchor of exactly `tree_size`, or None."""
        return self._first(select(ANCHORS).where(ANCHORS.c.tree_size == tree_size))

    def covering(self, index: int) -> StoredAnchor | None:
        """The anchor of the smallest tree that holds leaf `index` (tree size > index), or None
        while the leaf is not anchored yet."""
        return self._first(
            select(ANCHORS).where(ANCHORS.c.tree_size > index)
            .order_by(ANCHORS.c.tree_size).limit(1)
        )

    def backlog(self) -> AnchorBacklog:
        """The latest anchored size, the sequencing time of the first entry past it, and the
        log's size (read last: anchors never pass it)."""
        with self._store.reader.connect() as conn:
            anchored = int(conn.execute(
                select(func.coalesce(func.max(ANCHORS.c.tree_size), 0))
            ).scalar_one())
            oldest = conn.execute(
                select(ENTRIES.c.sequenced_at).where(ENTRIES.c.idx == anchored)
            ).scalar()
        size = self._store.tree_size()
        return AnchorBacklog(size, anchored, None if oldest is None else int(oldest))

    def _first(self, query: Any) -> StoredAnchor | None:
        with self._store.reader.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _stored_anchor(row)


def _stored_anchor(row: Any) -> StoredAnchor:
    return StoredAnchor(
        tree_size=int(row.tree_size), root=Hash(bytes(row.root)), chain_id=int(row.chain_id),
        contract=str(row.contract), tx_hash=bytes(row.tx_hash),
        block_number=int(row.block_number), block_hash=bytes(row.block_hash),
        block_time=int(row.block_time), anchored_at=int(row.anchored_at),
    )
