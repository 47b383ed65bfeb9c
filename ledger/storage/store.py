"""The log store: append-only entries, node hashes and checkpoints on SQLite or PostgreSQL.

The only I/O the log needs. Every append is one transaction that takes the log head lock, so
several processes may append to one PostgreSQL log; node hashes are stored as runs (the nodes of
one level a batch completed), from which any proof for any stored size can be assembled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ledger.checkpoint import Checkpoint
from ledger.entry import Entry
from ledger.errors import LogIntegrityError, ProofError, StorageError, StoreUnavailable
from ledger.merkle import (
    HASH_SIZE,
    Frontier,
    Hash,
    LeafHash,
    NodeId,
    consistency_plan,
    inclusion_plan,
    leaf_hash,
)
from ledger.storage.engine import is_postgres, normalise_url, reader_engine, writer_engine
from ledger.storage.migrations import migrate
from ledger.storage.tables import CHECKPOINTS, ENTRIES, LOG
from ledger.tiles import ENTRIES_LEVEL, TileId, entry_bundle


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """A validated entry ready to be sequenced, with what is stored beside it."""

    entry: Entry
    leaf_data: bytes
    leaf_hash: LeafHash
    body: bytes | None = None
    salt: bytes | None = None
    attachments: tuple[bytes, ...] = ()

    @staticmethod
    def of(
        entry: Entry,
        body: bytes | None = None,
        salt: bytes | None = None,
        attachments: tuple[bytes, ...] = (),
    ) -> PendingEntry:
        """Canonicalise a validated entry; raises `EntryTooLarge` past the size limit."""
        data = entry.leaf_data()
        return PendingEntry(entry, data, leaf_hash(data), body, salt, attachments)


@dataclass(frozen=True, slots=True)
class Sequenced:
    """Where an appended entry sits; `duplicate` when the log already held the same leaf."""

    index: int
    leaf_hash: LeafHash
    duplicate: bool


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    checkpoint: Checkpoint
    note: str
    created_at: int


class LogStore:
    """The log's tables behind one database URL (`sqlite:///path` or `postgresql://...`)."""

    def __init__(self, url: str, origin: str, *, now: int) -> None:
        """Open (creating and migrating as needed) the store of the log called `origin`.

        Raises `StorageError` if the database holds another log, `SchemaVersionError` if it is
        newer than this release, `StoreUnavailable` if it cannot be reached.
        """
        self.url = normalise_url(url)
        self.origin = origin
        self.postgres = is_postgres(self.url)
        self._writer = writer_engine(self.url)
        self._reader = reader_engine(self.url)
        self._mark = "%s" if self.postgres else "?"
        self._node_sql: dict[int, str] = {}
        try:
            migrate(self._writer, now)
            with self._writer.begin() as conn:
                found = conn.execute(select(LOG.c.origin).where(LOG.c.id == 1)).scalar()
                if found is None:
                    conn.execute(insert(LOG).values(id=1, origin=origin, created_at=now))
                elif found != origin:
                    raise StorageError(f"the database holds the log {found!r}, not {origin!r}")
        except OperationalError as exc:
            self.close()
            raise StoreUnavailable(f"cannot open the store: {exc.orig}") from exc
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._writer.dispose()
        self._reader.dispose()

    # -- appends ---------------------------------------------------------------------------

    def append(
        self, items: Sequence[PendingEntry], frontier: Frontier, now: int
    ) -> tuple[list[Sequenced], Frontier]:
        """Sequence `items` in one transaction; return their places and the new frontier.

        Takes the head lock, drops duplicates (same leaf hash, in the log or earlier in `items`),
        assigns the next indices, writes entries and the nodes they complete, and commits. The
        given `frontier` is a cache of the head: it is reloaded when another process has
        appended since. Nothing is written if anything fails (`StoreUnavailable`, `StorageError`).
        """
        try:
            with self._writer.begin() as conn:
                size = self._lock_head(conn)
                if frontier.size != size:
                    frontier = self._frontier(conn, size)
                existing = self._indices_of(conn, {item.leaf_hash for item in items})
                results: list[Sequenced] = []
                fresh: list[PendingEntry] = []
                for item in items:
                    index = existing.get(item.leaf_hash)
                    if index is not None:
                        results.append(Sequenced(index, item.leaf_hash, True))
                        continue
                    index = size + len(fresh)
                    existing[item.leaf_hash] = index
                    fresh.append(item)
                    results.append(Sequenced(index, item.leaf_hash, False))
                work = Frontier(frontier.size, frontier.hashes)
                if fresh:
                    self._write(conn, size, fresh, work, now)
            return results, work
        except IntegrityError as exc:
            raise StorageError(f"append refused by the database: {exc.orig}") from exc
        except DBAPIError as exc:
            raise StoreUnavailable(f"append failed: {exc.orig}") from exc

    def _lock_head(self, conn: Connection) -> int:
        if self.postgres:
            conn.execute(text("SELECT id FROM log WHERE id = 1 FOR UPDATE"))
        return _size(conn)

    def _indices_of(self, conn: Connection, hashes: set[LeafHash]) -> dict[LeafHash, int]:
        if not hashes:
            return {}
        marks = ",".join([self._mark] * len(hashes))
        rows = conn.exec_driver_sql(
            f"SELECT leaf_hash, idx FROM entries WHERE leaf_hash IN ({marks})", tuple(hashes)
        )
        return {LeafHash(bytes(h)): int(i) for h, i in rows}

    def _write(
        self, conn: Connection, size: int, fresh: list[PendingEntry], work: Frontier, now: int
    ) -> None:
        runs = work.extend([item.leaf_hash for item in fresh])
        rows = []
        refs = []
        for index, item in enumerate(fresh, size):
            e = item.entry
            rows.append((
                index, item.leaf_hash, item.leaf_data, e.kind, e.schema, e.subject, e.operator,
                bytes.fromhex(e.content[2:]),
                bytes.fromhex(e.supersedes[2:]) if e.supersedes else None,
                e.issued_at, now, item.body, item.salt,
            ))
            refs += [(digest, index) for digest in dict.fromkeys(item.attachments)]
        m = self._mark
        conn.exec_driver_sql(
            "INSERT INTO entries (idx, leaf_hash, data, kind, schema_name, subject, operator, "
            "content, supersedes, issued_at, sequenced_at, body, salt) "
            f"VALUES ({', '.join([m] * 13)})",
            rows,
        )
        if refs:
            conn.exec_driver_sql(f"INSERT INTO attachment_refs (sha256, idx) VALUES ({m}, {m})",
                                 refs)
        conn.exec_driver_sql(
            f"INSERT INTO nodes (level, start, hashes) VALUES ({m}, {m}, {m})",
            [(run.level, run.start, b"".join(run.hashes)) for run in runs],
        )

    # -- reads of the tree -----------------------------------------------------------------

    def tree_size(self) -> int:
        """The number of entries sequenced so far."""
        with self._reader.connect() as conn:
            return _size(conn)

    def frontier(self, size: int | None = None) -> Frontier:
        """The frontier of the tree of `size` leaves (default: the whole log)."""
        with self._reader.connect() as conn:
            return self._frontier(conn, _size(conn) if size is None else size)

    def _frontier(self, conn: Connection, size: int) -> Frontier:
        ids = Frontier.node_ids(size)
        hashes = self._node_hashes(conn, ids)
        return Frontier(size, [hashes[node] for node in ids])

    def root(self, size: int) -> Hash:
        """RFC 9162 root of the first `size` leaves, from stored nodes."""
        return self.frontier(size).root()

    def node_hashes(self, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
        """Hashes of stored perfect subtrees; raises `LogIntegrityError` if one is missing."""
        with self._reader.connect() as conn:
            return self._node_hashes(conn, list(ids))

    def _node_hashes(self, conn: Connection, ids: list[NodeId]) -> dict[NodeId, bytes]:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return {}
        params: list[Any] = []
        for node in unique:
            params += [node.index, node.index, node.level, node.index]
        rows = conn.exec_driver_sql(self._node_query(len(unique)), tuple(params)).all()
        found = {NodeId(int(level), int(index)): bytes(h) for level, index, h in rows}
        missing = [n for n in unique if len(found.get(n, b"")) != HASH_SIZE]
        if missing:
            raise LogIntegrityError(f"node hashes not stored: {missing[:4]}")
        return found

    def _node_query(self, count: int) -> str:
        sql = self._node_sql.get(count)
        if sql is None:
            mark = self._mark
            one = (
                f"SELECT * FROM (SELECT level, {mark} AS i, substr(hashes, "
                f"CAST(({mark} - start) * {HASH_SIZE} + 1 AS INTEGER), {HASH_SIZE}) AS h "
                f"FROM nodes WHERE level = {mark} AND start <= {mark} "
                f"ORDER BY start DESC LIMIT 1) AS q{{n}}"
            )
            sql = " UNION ALL ".join(one.format(n=n) for n in range(count))
            self._node_sql[count] = sql
        return sql

    def inclusion_proof(self, index: int, size: int) -> list[Hash]:
        """RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
        self._check_size(size)
        plan = inclusion_plan(index, size)
        return plan.assemble(self.node_hashes(plan.node_ids()))

    def consistency_proof(self, old_size: int, new_size: int) -> list[Hash]:
        """RFC 9162 consistency proof between the trees of `old_size` and `new_size` leaves."""
        self._check_size(new_size)
        plan = consistency_plan(old_size, new_size)
        return plan.assemble(self.node_hashes(plan.node_ids()))

    def _check_size(self, size: int) -> None:
        stored = self.tree_size()
        if size > stored:
            raise ProofError(f"tree size {size} is beyond the log's {stored}")

    def tile(self, tile: TileId, tree_size: int) -> bytes:
        """The contents of a C2SP tile or entry bundle within the tree of `tree_size` leaves."""
        tile.check_within(tree_size)
        level, begin, end = tile.node_range()
        with self._reader.connect() as conn:
            if tile.level == ENTRIES_LEVEL:
                rows = conn.execute(
                    select(ENTRIES.c.data).where(ENTRIES.c.idx >= begin, ENTRIES.c.idx < end)
                    .order_by(ENTRIES.c.idx)
                ).scalars().all()
                return entry_bundle([bytes(r) for r in rows])
            hashes = self._node_hashes(conn, [NodeId(level, i) for i in range(begin, end)])
        return b"".join(hashes[NodeId(level, i)] for i in range(begin, end))

    def entries(self, begin: int, end: int) -> list[bytes]:
        """Leaf data of entries [begin, end)."""
        with self._reader.connect() as conn:
            rows = conn.execute(
                select(ENTRIES.c.data).where(ENTRIES.c.idx >= begin, ENTRIES.c.idx < end)
                .order_by(ENTRIES.c.idx)
            ).scalars().all()
        return [bytes(r) for r in rows]

    # -- checkpoints -----------------------------------------------------------------------

    def add_checkpoint(self, checkpoint: Checkpoint, note: str, now: int) -> bool:
        """Store a signed checkpoint; False if one of that size is already stored."""
        try:
            with self._writer.begin() as conn:
                if conn.execute(select(CHECKPOINTS.c.size)
                                .where(CHECKPOINTS.c.size == checkpoint.size)).first():
                    return False
                conn.execute(insert(CHECKPOINTS).values(
                    size=checkpoint.size, root=checkpoint.root, note=note, created_at=now))
            return True
        except IntegrityError:
            return False
        except DBAPIError as exc:
            raise StoreUnavailable(f"storing the checkpoint failed: {exc.orig}") from exc

    def latest_checkpoint(self) -> StoredCheckpoint | None:
        with self._reader.connect() as conn:
            row = conn.execute(
                select(CHECKPOINTS).order_by(CHECKPOINTS.c.size.desc()).limit(1)
            ).first()
        return None if row is None else _stored_checkpoint(row)

    def checkpoint(self, size: int) -> StoredCheckpoint | None:
        with self._reader.connect() as conn:
            row = conn.execute(select(CHECKPOINTS).where(CHECKPOINTS.c.size == size)).first()
        return None if row is None else _stored_checkpoint(row)

    def checkpoint_covering(self, index: int) -> StoredCheckpoint | None:
        """The smallest stored checkpoint whose tree holds leaf `index`."""
        with self._reader.connect() as conn:
            row = conn.execute(
                select(CHECKPOINTS).where(CHECKPOINTS.c.size > index)
                .order_by(CHECKPOINTS.c.size).limit(1)
            ).first()
        return None if row is None else _stored_checkpoint(row)


def _size(conn: Connection) -> int:
    """The number of entries: one past the highest index (indices have no gaps)."""
    return int(conn.execute(text("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries")).scalar_one())


def _stored_checkpoint(row: Any) -> StoredCheckpoint:
    note = str(row.note)
    return StoredCheckpoint(Checkpoint.parse(note[: note.rfind("\n\n") + 1]), note,
                            int(row.created_at))
