"""The log store: append-only entries, node hashes and checkpoints on SQLite or PostgreSQL.

The only I/O the log needs. Every append is one transaction that takes the log head lock, so
several processes may append to one PostgreSQL log; node hashes are stored as runs (the nodes of
one level a batch completed), from which any proof for any stored size can be assembled.
PostgreSQL appends write with COPY (binary) inside that transaction.

Proofs read node runs through a bounded in-process cache: a committed run never changes, and the
log never shrinks, so neither the cached runs nor a tree size seen once need asking again.
"""

from __future__ import annotations

import sys
import threading
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

import psycopg
from sqlalchemy import Connection, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from ledger.checkpoint import Checkpoint
from ledger.entry import Entry, NewestOfSubject
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

NODE_CACHE_BYTES: Final = 64 << 20
"""Default budget of a store's node-run cache: all the node hashes of a log of a million."""
_ENTRY_COLUMNS: Final = ("idx", "leaf_hash", "data", "kind", "schema_name", "subject", "operator",
                        "content", "supersedes", "issued_at", "sequenced_at", "body", "salt")
"""The `entries` columns in the order `LogStore` writes them."""
_ENTRY_TYPES: Final = ("int8", "bytea", "bytea", "text", "text", "text", "text", "bytea", "bytea",
                       "int8", "int8", "bytea", "bytea")
_SQLITE_MAX_PARAMS: Final = 10_000
_NEWEST_OF_SUBJECT: Final = text("SELECT max(idx) FROM entries WHERE subject = :subject")
"""Leaf hashes per dedup query on SQLite (its limit is 32,766 bound parameters)."""
_Run = tuple[int, int, bytes]
"""A stored node run: level, first position, the concatenated hashes."""


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """A validated entry ready to be sequenced, with what is stored beside it."""

    entry: Entry
    leaf_data: bytes
    leaf_hash: LeafHash
    body: bytes | None = None
    salt: bytes | None = None
    attachments: tuple[bytes, ...] = ()
    unchanged: NewestOfSubject | None = None
    """Write the entry only if that subject's newest entry is still where the caller saw it
    (what the entry was judged by has not changed since): else it is `refused`."""

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


def newest_of_subject(conn: Connection, subject: str) -> NewestOfSubject:
    """Where the newest entry of `subject` sits (one seek on `ix_entries_subject`)."""
    newest = conn.execute(_NEWEST_OF_SUBJECT, {"subject": subject}).scalar()
    return NewestOfSubject(subject, -1 if newest is None else int(newest))


@dataclass(frozen=True, slots=True)
class Sequenced:
    """Where an appended entry sits; `duplicate` when the log already held the same leaf;
    `refused` (and no index: -1) when its `unchanged` subject moved, and nothing was written."""

    index: int
    leaf_hash: LeafHash
    duplicate: bool
    refused: bool = False


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    checkpoint: Checkpoint
    note: str
    created_at: int


class LogStore:
    """The log's tables behind one database URL (`sqlite:///path` or `postgresql://...`)."""

    def __init__(
        self, url: str, origin: str, *, now: int, node_cache_bytes: int = NODE_CACHE_BYTES
    ) -> None:
        """Open (creating and migrating as needed) the store of the log called `origin`.

        Node runs read for proofs are kept in a cache of up to `node_cache_bytes` (0: none).
        Raises `StorageError` if the database holds another log, `SchemaVersionError` if it is
        newer than this release, `StoreUnavailable` if it cannot be reached.
        """
        self.url = normalise_url(url)
        self.origin = origin
        self.postgres = is_postgres(self.url)
        self.writer = writer_engine(self.url)
        self.reader = reader_engine(self.url)
        self._runs = RunCache(node_cache_bytes)
        self._known_size = 0
        """A tree size the log has reached: it never shrinks, so proofs up to it need no query."""
        self._run_sql: dict[int, str] = {}
        try:
            migrate(self.writer, now)
            with self.writer.begin() as conn:
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
        self.writer.dispose()
        self.reader.dispose()

    # -- appends ---------------------------------------------------------------------------

    def append(
        self, items: Sequence[PendingEntry], frontier: Frontier, now: int
    ) -> tuple[list[Sequenced], Frontier]:
        """Sequence `items` in one transaction; return their places and the new frontier.

        Takes the head lock, drops duplicates (same leaf hash, in the log or earlier in `items`),
        assigns the next indices, writes entries and the nodes they complete, and commits. The
        given `frontier` is a cache of the head: it is reloaded when another process has
        appended since. Nothing is written if anything fails (`StoreUnavailable`, `StorageError`).

        Duplicates of logged entries are rare, so the batch is first written as if there were
        none, in a savepoint: the unique `leaf_hash` index refuses it if one is logged already,
        and only then are the logged ones looked up and the batch written without them. Both
        happen under the head lock, so the answer is exact. Once committed, the node runs written
        go to the node cache, where proofs of recent entries find them.
        """
        try:
            with self.writer.begin() as conn:
                size = self._lock_head(conn)
                if frontier.size != size:
                    frontier = self._frontier(conn, size)
                try:
                    with conn.begin_nested():
                        results, work, runs = self._place(conn, items, size, frontier, now, {})
                except (IntegrityError, psycopg.IntegrityError):
                    existing = self._indices_of(conn, {item.leaf_hash for item in items})
                    results, work, runs = self._place(conn, items, size, frontier, now, existing)
        except (IntegrityError, psycopg.IntegrityError) as exc:
            raise StorageError(f"append refused by the database: {_reason(exc)}") from exc
        except (DBAPIError, psycopg.Error) as exc:
            raise StoreUnavailable(f"append failed: {_reason(exc)}") from exc
        self._runs.add(runs)
        self._saw_size(work.size)
        return results, work

    def _place(
        self, conn: Connection, items: Sequence[PendingEntry], size: int, frontier: Frontier,
        now: int, existing: dict[LeafHash, int],
    ) -> tuple[list[Sequenced], Frontier, list[_Run]]:
        """Give each item its index (that of `existing` or an earlier item for a duplicate, the
        next one otherwise) and write the new ones; return the places, the new frontier and the
        node runs written."""
        results: list[Sequenced] = []
        fresh: list[PendingEntry] = []
        for item in items:
            index = existing.get(item.leaf_hash)
            if index is not None:
                results.append(Sequenced(index, item.leaf_hash, True))
                continue
            if item.unchanged is not None and self._moved(conn, item.unchanged, fresh):
                results.append(Sequenced(-1, item.leaf_hash, False, refused=True))
                continue
            index = size + len(fresh)
            existing[item.leaf_hash] = index
            fresh.append(item)
            results.append(Sequenced(index, item.leaf_hash, False))
        work = Frontier(frontier.size, frontier.hashes)
        runs = self._write(conn, size, fresh, work, now) if fresh else []
        return results, work, runs

    def _moved(self, conn: Connection, head: NewestOfSubject, fresh: list[PendingEntry]
               ) -> bool:
        """Whether `head.subject` has an entry past `head.index`: in the log (read under the
        head lock, so no other append comes between) or earlier in this batch."""
        if any(item.entry.subject == head.subject for item in fresh):
            return True
        return newest_of_subject(conn, head.subject) != head

    def _saw_size(self, size: int) -> None:
        if size > self._known_size:
            self._known_size = size

    def _lock_head(self, conn: Connection) -> int:
        if self.postgres:
            conn.execute(text("SELECT id FROM log WHERE id = 1 FOR UPDATE"))
        return _size(conn)

    def _indices_of(self, conn: Connection, hashes: set[LeafHash]) -> dict[LeafHash, int]:
        """Indices of the leaves already in the log (the unique `leaf_hash` index answers)."""
        if not hashes:
            return {}
        if self.postgres:
            rows: Iterable[Any] = conn.exec_driver_sql(
                "SELECT leaf_hash, idx FROM entries WHERE leaf_hash = ANY(%s)", (list(hashes),))
        else:
            wanted, rows = list(hashes), []
            for at in range(0, len(wanted), _SQLITE_MAX_PARAMS):
                part = wanted[at : at + _SQLITE_MAX_PARAMS]
                rows += conn.exec_driver_sql(
                    f"SELECT leaf_hash, idx FROM entries WHERE leaf_hash IN "
                    f"({','.join('?' * len(part))})", tuple(part)).all()
        return {LeafHash(bytes(h)): int(i) for h, i in rows}

    def _write(
        self, conn: Connection, size: int, fresh: list[PendingEntry], work: Frontier, now: int
    ) -> list[_Run]:
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
            if item.attachments:
                refs += [(digest, index) for digest in dict.fromkeys(item.attachments)]
        nodes = [(run.level, run.start, b"".join(run.hashes)) for run in runs]
        if self.postgres:
            _copy(conn, "entries", _ENTRY_COLUMNS, _ENTRY_TYPES, rows)
            _copy(conn, "attachment_refs", ("sha256", "idx"), ("bytea", "int8"), refs)
            _copy(conn, "nodes", ("level", "start", "hashes"), ("int4", "int8", "bytea"), nodes)
            return nodes
        conn.exec_driver_sql(
            f"INSERT INTO entries ({', '.join(_ENTRY_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_ENTRY_COLUMNS))})", rows)
        if refs:
            conn.exec_driver_sql("INSERT INTO attachment_refs (sha256, idx) VALUES (?, ?)", refs)
        conn.exec_driver_sql("INSERT INTO nodes (level, start, hashes) VALUES (?, ?, ?)", nodes)
        return nodes

    # -- reads of the tree -----------------------------------------------------------------

    def tree_size(self) -> int:
        """The number of entries sequenced so far."""
        with self.reader.connect() as conn:
            size = _size(conn)
        self._saw_size(size)
        return size

    def frontier(self, size: int | None = None) -> Frontier:
        """The frontier of the tree of `size` leaves (default: the whole log)."""
        with self.reader.connect() as conn:
            return self._frontier(conn, _size(conn) if size is None else size)

    def _frontier(self, conn: Connection, size: int) -> Frontier:
        ids = Frontier.node_ids(size)
        hashes = self._node_hashes(ids, conn, cached=False)
        return Frontier(size, [hashes[node] for node in ids])

    def root(self, size: int) -> Hash:
        """RFC 9162 root of the first `size` leaves, from stored nodes."""
        return self.frontier(size).root()

    def node_hashes(self, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
        """Hashes of stored perfect subtrees; raises `LogIntegrityError` if one is missing."""
        return self._node_hashes(ids)

    def _node_hashes(
        self, ids: Iterable[NodeId], conn: Connection | None = None, *, cached: bool = True
    ) -> dict[NodeId, bytes]:
        """Node hashes from the run cache, reading the runs that hold the others (one query).

        The head (`frontier`, `root`) is read with `cached=False`, from the database alone: the
        checkpointer then signs only what is stored, and finds a rewritten node when the cached
        proofs no longer match it.
        """
        found, missing = self._runs.lookup(ids) if cached else ({}, list(dict.fromkeys(ids)))
        if missing:
            if conn is None:
                with self.reader.connect() as reader:
                    runs = self._read_runs(reader, missing)
            else:
                runs = self._read_runs(conn, missing)
            if cached:
                self._runs.add(runs)
            fetched = RunCache(sys.maxsize)
            fetched.add(runs)
            read, lacking = fetched.lookup(missing)
            if lacking:
                raise LogIntegrityError(f"node hashes not stored: {lacking[:4]}")
            found.update(read)
        return found

    def _read_runs(self, conn: Connection, nodes: list[NodeId]) -> list[_Run]:
        """The stored runs holding `nodes`, in one query: per span of consecutive wanted nodes
        of a level, the runs from the one holding its first node to the one holding its last."""
        spans: list[tuple[int, int, int]] = []
        for level, position in sorted(nodes):
            if spans and spans[-1][0] == level and spans[-1][2] + 1 == position:
                spans[-1] = (level, spans[-1][1], position)
            else:
                spans.append((level, position, position))
        if self.postgres:
            rows = conn.exec_driver_sql(
                "SELECT n.level, n.start, n.hashes "
                "FROM unnest(%s::int4[], %s::int8[], %s::int8[]) AS q(level, low, high) "
                "CROSS JOIN LATERAL (SELECT level, start, hashes FROM nodes "
                "WHERE nodes.level = q.level AND nodes.start <= q.high AND nodes.start >= "
                "(SELECT max(m.start) FROM nodes AS m WHERE m.level = q.level AND m.start <= q.low)"
                ") AS n",
                tuple(list(column) for column in zip(*spans, strict=True)),
            )
        else:
            params: list[int] = []
            for level, low, high in spans:
                params += [level, high, level, low]
            rows = conn.exec_driver_sql(self._runs_query(len(spans)), tuple(params))
        return [(int(level), int(start), bytes(hashes)) for level, start, hashes in rows]

    def _runs_query(self, levels: int) -> str:
        sql = self._run_sql.get(levels)
        if sql is None:
            one = ("SELECT level, start, hashes FROM nodes WHERE level = ? AND start <= ? AND "
                   "start >= (SELECT max(start) FROM nodes WHERE level = ? AND start <= ?)")
            sql = self._run_sql[levels] = " UNION ALL ".join([one] * levels)
        return sql

    def inclusion_proof(self, index: int, size: int) -> list[Hash]:
        """RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
        self._check_size(size)
        plan = inclusion_plan(index, size)
        return plan.assemble(self._node_hashes(plan.node_ids()))

    def consistency_proof(self, old_size: int, new_size: int) -> list[Hash]:
        """RFC 9162 consistency proof between the trees of `old_size` and `new_size` leaves."""
        self._check_size(new_size)
        plan = consistency_plan(old_size, new_size)
        return plan.assemble(self._node_hashes(plan.node_ids()))

    def _check_size(self, size: int) -> None:
        if size > self._known_size and size > self.tree_size():
            raise ProofError(f"tree size {size} is beyond the log's {self._known_size}")

    def tile(self, tile: TileId, tree_size: int) -> bytes:
        """The contents of a C2SP tile or entry bundle within the tree of `tree_size` leaves."""
        tile.check_within(tree_size)
        if tile.level == ENTRIES_LEVEL:
            _, begin, end = tile.node_range()
            return entry_bundle(self.entries(begin, end))
        ids = tile.node_ids()
        hashes = self._node_hashes(ids)
        return b"".join([hashes[node] for node in ids])

    def entries(self, begin: int, end: int) -> list[bytes]:
        """Leaf data of entries [begin, end)."""
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(ENTRIES.c.data).where(ENTRIES.c.idx >= begin, ENTRIES.c.idx < end)
                .order_by(ENTRIES.c.idx)
            ).scalars().all()
        return [bytes(r) for r in rows]

    # -- checkpoints -----------------------------------------------------------------------

    def add_checkpoint(self, checkpoint: Checkpoint, note: str, now: int) -> bool:
        """Store a signed checkpoint; False if one of that size is already stored."""
        try:
            with self.writer.begin() as conn:
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
        with self.reader.connect() as conn:
            row = conn.execute(
                select(CHECKPOINTS).order_by(CHECKPOINTS.c.size.desc()).limit(1)
            ).first()
        return None if row is None else _stored_checkpoint(row)

    def checkpoint(self, size: int) -> StoredCheckpoint | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(CHECKPOINTS).where(CHECKPOINTS.c.size == size)).first()
        return None if row is None else _stored_checkpoint(row)

    def checkpoint_covering(self, index: int) -> StoredCheckpoint | None:
        """The smallest stored checkpoint whose tree holds leaf `index`."""
        with self.reader.connect() as conn:
            row = conn.execute(
                select(CHECKPOINTS).where(CHECKPOINTS.c.size > index)
                .order_by(CHECKPOINTS.c.size).limit(1)
            ).first()
        return None if row is None else _stored_checkpoint(row)


class RunCache:
    """Node runs read from or written to the store, up to a byte budget.

    A committed run never changes (the log is append-only), so a cached run is never stale.
    Per level, the runs sit in position order and a lookup is one bisection. Past the budget,
    the least recently used runs go, down to three quarters of it, all at once. Thread-safe: one
    store serves proofs from many threads.
    """

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._bytes = 0
        self._tick = 0
        self._levels: dict[int, tuple[list[int], list[bytes], list[int]]] = {}
        """Per level: the cached runs' starts (sorted), their hashes, and when each was used."""
        self._lock = threading.Lock()

    def lookup(self, ids: Iterable[NodeId]) -> tuple[dict[NodeId, bytes], list[NodeId]]:
        """The hashes of the cached nodes among `ids`, and the others (each once)."""
        found: dict[NodeId, bytes] = {}
        missing: dict[NodeId, None] = {}
        with self._lock:
            self._tick += 1
            tick, levels = self._tick, self._levels
            for node in ids:
                level, position = node
                cached = levels.get(level)
                if cached is not None:
                    starts, runs, used = cached
                    k = bisect_right(starts, position) - 1
                    if k >= 0:
                        run = runs[k]
                        offset = (position - starts[k]) * HASH_SIZE
                        if offset + HASH_SIZE <= len(run):
                            used[k] = tick
                            found[node] = run[offset : offset + HASH_SIZE]
                            continue
                missing[node] = None
        return found, list(missing)

    def add(self, runs: Iterable[_Run]) -> None:
        """Cache stored runs, evicting the least recently used past the budget."""
        with self._lock:
            for level, start, hashes in runs:
                if len(hashes) > self._budget:
                    continue
                starts, cached, used = self._levels.setdefault(level, ([], [], []))
                k = bisect_right(starts, start)
                if k and starts[k - 1] == start:
                    continue
                starts.insert(k, start)
                cached.insert(k, hashes)
                used.insert(k, self._tick)
                self._bytes += len(hashes)
            if self._bytes > self._budget:
                self._evict(self._budget * 3 // 4)

    def _evict(self, target: int) -> None:
        by_age = sorted((used, level, start, len(hashes))
                        for level, (starts, runs, uses) in self._levels.items()
                        for start, hashes, used in zip(starts, runs, uses, strict=True))
        gone: set[tuple[int, int]] = set()
        for _, level, start, size in by_age:
            if self._bytes <= target:
                break
            gone.add((level, start))
            self._bytes -= size
        for level, (starts, runs, uses) in self._levels.items():
            kept = [k for k, start in enumerate(starts) if (level, start) not in gone]
            starts[:] = [starts[k] for k in kept]
            runs[:] = [runs[k] for k in kept]
            uses[:] = [uses[k] for k in kept]


def _copy(
    conn: Connection, table: str, columns: Sequence[str], types: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """PostgreSQL: write `rows` with COPY (binary) in the connection's transaction."""
    if not rows:
        return
    driver = cast("psycopg.Connection[Any]", conn.connection.driver_connection)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)


UNREACHABLE: Final = (OperationalError, InterfaceError)
"""The driver errors of a read from a store that cannot be reached (a connection refused or
lost, SQLite unable to read): the API answers them 503 `store_unavailable`, as
`StoreUnavailable`; any other database error is a fault."""


def unreachable_reason(exc: Exception) -> str:
    """The driver's message of an `UNREACHABLE` error."""
    return str(_reason(exc))


def _reason(exc: Exception) -> object:
    """The driver's message: SQLAlchemy wraps it in `orig`, a bare psycopg error is it."""
    return exc.orig if isinstance(exc, DBAPIError) else exc


def _size(conn: Connection) -> int:
    """The number of entries: one past the highest index (indices have no gaps)."""
    return int(conn.execute(text("SELECT COALESCE(MAX(idx) + 1, 0) FROM entries")).scalar_one())


def _stored_checkpoint(row: Any) -> StoredCheckpoint:
    note = str(row.note)
    return StoredCheckpoint(Checkpoint.parse(note[: note.rfind("\n\n") + 1]), note,
                            int(row.created_at))
