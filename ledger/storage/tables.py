"""Table models of the ledger store (SQLModel). Log data tables are append-only: the code never
updates or deletes their rows."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, MetaData, text
from sqlalchemy import Table as SATable
from sqlmodel import Field, SQLModel

metadata = MetaData()


class Table(SQLModel):
    """Base of the store's tables, bound to the store's own metadata."""

    metadata = metadata


class SchemaMigration(Table, table=True):
    """One row per applied schema version."""

    __tablename__ = "schema_migrations"
    version: int = Field(primary_key=True)
    applied_at: int = Field(sa_type=BigInteger)


class LogRow(Table, table=True):
    """The log's identity; its single row is the head lock appends take (never updated)."""

    __tablename__ = "log"
    id: int = Field(primary_key=True)
    origin: str
    created_at: int = Field(sa_type=BigInteger)


_SUPERSEDING = text("supersedes IS NOT NULL")
"""Few entries supersede another: the index holds only those (`supersedes = ?` implies it)."""


class EntryRow(Table, table=True):
    """One leaf: its index, hash and canonical bytes, the searchable fields and the body.

    On SQLite `idx` is the rowid (INTEGER PRIMARY KEY): the table is stored in index order and
    needs no separate primary-key index. Every lookup the API makes is indexed: by leaf hash
    (unique), kind (in index order), subject, operator, content, and the entry superseded.
    """

    __tablename__ = "entries"
    __table_args__ = (
        Index("ix_entries_kind", "kind", "idx"),
        Index("ix_entries_subject", "subject"),
        Index("ix_entries_operator", "operator"),
        Index("ix_entries_content", "content"),
        Index("ix_entries_supersedes", "supersedes",
              sqlite_where=_SUPERSEDING, postgresql_where=_SUPERSEDING),
    )
    idx: int = Field(sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"),
                                      primary_key=True, autoincrement=False))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False, unique=True))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    kind: str
    schema_name: str
    subject: str
    operator: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    supersedes: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    issued_at: int = Field(sa_type=BigInteger)
    sequenced_at: int = Field(sa_type=BigInteger)
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    salt: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


class AttachmentRefRow(Table, table=True):
    """Which entry names which attachment (by the file's SHA-256), or which blob of the
    evidence of its CA signatures."""

    __tablename__ = "attachment_refs"
    sha256: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


class NodeRunRow(Table, table=True):
    """Consecutive node hashes of one tree level completed by one batch (32 bytes each)."""

    __tablename__ = "nodes"
    level: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    start: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hashes: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CheckpointRow(Table, table=True):
    """A signed checkpoint of the log at `size`."""

    __tablename__ = "checkpoints"
    size: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    root: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    note: str
    created_at: int = Field(sa_type=BigInteger)


class AnchorRow(Table, table=True):
    """A checkpoint anchored on chain: the transaction and block that hold it."""

    __tablename__ = "anchors"
    tree_size: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    root: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    chain_id: int = Field(sa_type=BigInteger)
    contract: str
    tx_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    block_number: int = Field(sa_type=BigInteger)
    block_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    block_time: int = Field(sa_type=BigInteger)
    anchored_at: int = Field(sa_type=BigInteger)


class BlobRow(Table, table=True):
    """A file in the content-addressed blob store."""

    __tablename__ = "blobs"
    sha256: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    size: int = Field(sa_type=BigInteger)
    media_type: str
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: int = Field(sa_type=BigInteger)


class TokenRow(Table, table=True):
    """A bearer token, stored as its SHA-256 only."""

    __tablename__ = "tokens"
    token_hash: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    role: str
    label: str
    created_at: int = Field(sa_type=BigInteger)
    revoked_at: int | None = Field(default=None, sa_type=BigInteger)


def _table(model: type[SQLModel]) -> SATable:
    table: SATable = model.__table__  # type: ignore[attr-defined]
    return table


SCHEMA_MIGRATIONS = _table(SchemaMigration)
LOG = _table(LogRow)
ENTRIES = _table(EntryRow)
ATTACHMENT_REFS = _table(AttachmentRefRow)
NODES = _table(NodeRunRow)
CHECKPOINTS = _table(CheckpointRow)
ANCHORS = _table(AnchorRow)
BLOBS = _table(BlobRow)
TOKENS = _table(TokenRow)
