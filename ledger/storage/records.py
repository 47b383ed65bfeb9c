"""Reads of records for the API: by id, by filters with an index cursor, by SHA-256, the
corrections that supersede a record, and what a proof bundle needs. Every read is one query on
one connection (two for one record by id: the record with its status sizes, then the records
that supersede it). Statements are built once, at import; the proof read, the API's busiest,
is plain SQL handed to the driver, with no statement compilation per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

from sqlalchemy import ColumnElement, Select, func, or_, select

from ledger.entry import NewestOfSubject
from ledger.merkle import LeafHash
from ledger.storage.anchors import StoredAnchor, _stored_anchor
from ledger.storage.store import LogStore, StoredCheckpoint, _stored_checkpoint, newest_of_subject
from ledger.storage.tables import ANCHORS, ATTACHMENT_REFS, CHECKPOINTS, ENTRIES

Status = Literal["sequenced", "checkpointed", "anchored"]
MAX_PAGE: Final = 500


@dataclass(frozen=True, slots=True)
class LogSizes:
    """How far the log, its latest checkpoint and its latest anchor reach."""

    tree_size: int
    checkpoint_size: int
    anchored_size: int


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One record as stored: its place, leaf bytes, body and salt, and how far it is proven.

    `checkpoint_size` and `anchored_size` are the latest checkpoint's and anchor's sizes when
    the record was read; `superseded_by` is filled only by `RecordStore.get`.
    """

    index: int
    leaf_hash: LeafHash
    data: bytes
    body: bytes | None
    salt: bytes | None
    sequenced_at: int
    checkpoint_size: int
    anchored_size: int
    superseded_by: tuple[LeafHash, ...] = ()

    @property
    def restricted(self) -> bool:
        return self.salt is not None

    @property
    def status(self) -> Status:
        """`anchored` once an anchored checkpoint holds it, else `checkpointed` once a signed
        checkpoint does, else `sequenced`."""
        if self.index < self.anchored_size:
            return "anchored"
        if self.index < self.checkpoint_size:
            return "checkpointed"
        return "sequenced"


@dataclass(frozen=True, slots=True)
class FiledEntry:
    """What a correction is checked against: a stored record's kind, schema, subject and
    operator, and the first record that supersedes it (None when none does)."""

    kind: str
    schema: str
    subject: str
    operator: str
    superseded_by: LeafHash | None


@dataclass(frozen=True, slots=True)
class ProofSource:
    """What the proof bundle of a record is made of, read in one query.

    `anchor` is the anchor of the smallest anchored tree that holds the record (None while none
    does); `checkpoint` is that tree's signed checkpoint, or the latest checkpoint when the
    record is not anchored yet (None before the first checkpoint).
    """

    record: StoredRecord
    anchor: StoredAnchor | None
    checkpoint: StoredCheckpoint | None


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Filters of a record listing (None: any), the first index to return and the page size."""

    kind: str | None = None
    subject: str | None = None
    operator: str | None = None
    start: int = 0
    limit: int = 100


_CHECKPOINT_SIZE: Final = select(func.coalesce(func.max(CHECKPOINTS.c.size), 0))
_ANCHORED_SIZE: Final = select(func.coalesce(func.max(ANCHORS.c.tree_size), 0))
_RECORDS: Final[Select[Any]] = select(
    ENTRIES.c.idx, ENTRIES.c.leaf_hash, ENTRIES.c.data, ENTRIES.c.body, ENTRIES.c.salt,
    ENTRIES.c.sequenced_at, _CHECKPOINT_SIZE.scalar_subquery().label("checkpoint_size"),
    _ANCHORED_SIZE.scalar_subquery().label("anchored_size"),
)
_SIZES: Final = select(
    select(func.coalesce(func.max(ENTRIES.c.idx) + 1, 0)).scalar_subquery(),
    _CHECKPOINT_SIZE.scalar_subquery(), _ANCHORED_SIZE.scalar_subquery(),
)
_PROOF_SOURCE: Final = """
SELECT e.idx, e.leaf_hash, e.data, e.body, e.salt, e.sequenced_at,
       (SELECT COALESCE(MAX(size), 0) FROM checkpoints) AS checkpoint_size,
       (SELECT COALESCE(MAX(tree_size), 0) FROM anchors) AS anchored_size,
       a.tree_size, a.root, a.chain_id, a.contract, a.tx_hash, a.block_number, a.block_hash,
       a.block_time, a.anchored_at, c.note, c.created_at
FROM entries AS e
LEFT JOIN anchors AS a
  ON a.tree_size = (SELECT MIN(tree_size) FROM anchors WHERE tree_size > e.idx)
LEFT JOIN checkpoints AS c
  ON c.size = COALESCE(a.tree_size, (SELECT MAX(size) FROM checkpoints))
WHERE e.leaf_hash = {leaf}
"""
"""The record, the anchor of the smallest anchored tree holding it, and that tree's checkpoint
(the latest checkpoint when no anchor holds it yet); `{leaf}` is the driver's placeholder."""
_LATEST_OF_KIND: Final = "SELECT MAX(idx) FROM entries WHERE kind = {kind}"
"""The newest index of a kind, one seek of the `(kind, idx)` index; plain SQL, as the plan
shelf asks it on every submission request."""
_PLACEHOLDERS: Final = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class RecordStore:
    """Record reads over the reader engine of `store`."""

    def __init__(self, store: LogStore) -> None:
        self._store = store
        placeholder = _PLACEHOLDERS[store.reader.dialect.paramstyle]
        self._proof_source = _PROOF_SOURCE.format(leaf=placeholder)
        self._latest_of_kind = _LATEST_OF_KIND.format(kind=placeholder)

    def get(self, leaf: LeafHash) -> StoredRecord | None:
        """The record whose leaf hash is `leaf`, with the records that supersede it."""
        with self._store.reader.connect() as conn:
            row = conn.execute(_RECORDS.where(ENTRIES.c.leaf_hash == leaf)).first()
            if row is None:
                return None
            newer = conn.execute(
                select(ENTRIES.c.leaf_hash).where(ENTRIES.c.supersedes == leaf)
                .order_by(ENTRIES.c.idx)
            ).scalars().all()
        record = _record(row)
        return StoredRecord(
            record.index, record.leaf_hash, record.data, record.body, record.salt,
            record.sequenced_at, record.checkpoint_size, record.anchored_size,
            tuple(LeafHash(bytes(h)) for h in newer),
        )

    def proof_source(self, leaf: LeafHash) -> ProofSource | None:
        """The record whose leaf hash is `leaf` (without `superseded_by`) and the anchor and
        checkpoint to prove it to, or None when the log holds no such record."""
        with self._store.reader.connect() as conn:
            row = conn.exec_driver_sql(self._proof_source, (leaf,)).first()
        if row is None:
            return None
        return ProofSource(
            record=_record(row),
            anchor=None if row.tree_size is None else _stored_anchor(row),
            checkpoint=None if row.note is None else _stored_checkpoint(row),
        )

    def find(self, query: RecordFilter) -> list[StoredRecord]:
        """Records matching every filter, from index `query.start` up, at most `query.limit`
        (capped at 500), in index order."""
        conditions: list[ColumnElement[bool]] = [ENTRIES.c.idx >= query.start]
        if query.kind is not None:
            conditions.append(ENTRIES.c.kind == query.kind)
        if query.subject is not None:
            conditions.append(ENTRIES.c.subject == query.subject)
        if query.operator is not None:
            conditions.append(ENTRIES.c.operator == query.operator)
        statement = (_RECORDS.where(*conditions).order_by(ENTRIES.c.idx)
                     .limit(max(1, min(query.limit, MAX_PAGE))))
        with self._store.reader.connect() as conn:
            return [_record(row) for row in conn.execute(statement).all()]

    def with_sha256(self, digest: bytes, limit: int = MAX_PAGE) -> list[StoredRecord]:
        """Records whose public body has content hash `digest`, or that list an attachment
        (or a blob of a CA signature's evidence) with that SHA-256, in index order. A restricted
        record's content hash never matches: its salted commitment is not the hash of anything
        a caller could hold."""
        statement = (
            _RECORDS.where(or_(
                (ENTRIES.c.content == digest) & ENTRIES.c.salt.is_(None),
                ENTRIES.c.idx.in_(
                    select(ATTACHMENT_REFS.c.idx).where(ATTACHMENT_REFS.c.sha256 == digest)
                ),
            ))
            .order_by(ENTRIES.c.idx).limit(limit)
        )
        with self._store.reader.connect() as conn:
            return [_record(row) for row in conn.execute(statement).all()]

    def filed(self, leaves: Iterable[LeafHash]) -> dict[LeafHash, FiledEntry]:
        """The kind, schema, subject and operator of each stored record among `leaves`, and
        the first record that supersedes it (absent ones are left out; one query)."""
        wanted = set(leaves)
        if not wanted:
            return {}
        newer = ENTRIES.alias("newer")
        first_newer = (select(newer.c.leaf_hash).where(newer.c.supersedes == ENTRIES.c.leaf_hash)
                       .order_by(newer.c.idx).limit(1).scalar_subquery())
        with self._store.reader.connect() as conn:
            rows = conn.execute(
                select(ENTRIES.c.leaf_hash, ENTRIES.c.kind, ENTRIES.c.schema_name,
                       ENTRIES.c.subject, ENTRIES.c.operator, first_newer.label("newer"))
                .where(ENTRIES.c.leaf_hash.in_(wanted))
            ).all()
        return {
            LeafHash(bytes(row.leaf_hash)): FiledEntry(
                str(row.kind), str(row.schema_name), str(row.subject), str(row.operator),
                None if row.newer is None else LeafHash(bytes(row.newer)))
            for row in rows
        }

    def newest_of_subject(self, subject: str) -> NewestOfSubject:
        """Where the newest record of `subject` sits now, for `PendingEntry.unchanged`."""
        with self._store.reader.connect() as conn:
            return newest_of_subject(conn, subject)

    def latest_index(self, kind: str) -> int:
        """The index of the newest record of `kind`, -1 when there is none (one index seek)."""
        with self._store.reader.connect() as conn:
            found = conn.exec_driver_sql(self._latest_of_kind, (kind,)).scalar()
        return -1 if found is None else int(found)

    def of_kind(self, kind: str, below: int | None = None) -> list[StoredRecord]:
        """Every record of `kind` (with an index below `below` when given), in index order.
        For the kinds with few records (plans): there is no page limit."""
        conditions: list[ColumnElement[bool]] = [ENTRIES.c.kind == kind]
        if below is not None:
            conditions.append(ENTRIES.c.idx < below)
        with self._store.reader.connect() as conn:
            rows = conn.execute(_RECORDS.where(*conditions).order_by(ENTRIES.c.idx)).all()
        return [_record(row) for row in rows]

    def sizes(self) -> LogSizes:
        """The log's size and the sizes of its latest checkpoint and anchor (one query)."""
        with self._store.reader.connect() as conn:
            tree, checkpoint, anchored = conn.execute(_SIZES).one()
        return LogSizes(int(tree), int(checkpoint), int(anchored))


def _record(row: Any) -> StoredRecord:
    return StoredRecord(
        index=int(row.idx), leaf_hash=LeafHash(bytes(row.leaf_hash)), data=bytes(row.data),
        body=None if row.body is None else bytes(row.body),
        salt=None if row.salt is None else bytes(row.salt),
        sequenced_at=int(row.sequenced_at), checkpoint_size=int(row.checkpoint_size),
        anchored_size=int(row.anchored_size),
    )
