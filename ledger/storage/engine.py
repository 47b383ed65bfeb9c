"""Database engines for the store: SQLite (WAL, BEGIN IMMEDIATE for writers) or PostgreSQL."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ledger.errors import StorageError

SQLITE_PRAGMAS: Final = ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000",
                          "foreign_keys=ON")
"""Every SQLite connection: WAL, and a commit is on disk (fsync) before it returns."""
SQLITE_WRITER_PRAGMAS: Final = ("cache_size=-65536", "wal_autocheckpoint=10000")
"""The writer's: a 64 MiB page cache holds a batch's dirty index pages without spilling them to
the WAL before the commit; a checkpoint every 10,000 WAL pages (40 MB) instead of 1,000 copies an
index page that consecutive batches rewrite into the database once per checkpoint, not per batch."""


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for PostgreSQL URLs given without one."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend != "sqlite":
        raise StorageError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return url


def writer_engine(url: str) -> Engine:
    """An engine whose transactions hold the write lock from their first statement.

    SQLite: WAL journal, synchronous=FULL (an acknowledged batch survives power loss), and
    BEGIN IMMEDIATE so two writers never deadlock on a lock upgrade. PostgreSQL: READ COMMITTED;
    the log head row lock serialises appends across processes.
    """
    url = normalise_url(url)
    if is_postgres(url):
        return create_engine(url, pool_pre_ping=True, pool_size=4, max_overflow=4)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                           pool_size=1, max_overflow=0)
    _configure_sqlite(engine, SQLITE_PRAGMAS + SQLITE_WRITER_PRAGMAS, immediate=True)
    return engine


def reader_engine(url: str) -> Engine:
    """An engine for reads: on SQLite, deferred transactions that never block the writer."""
    url = normalise_url(url)
    if is_postgres(url):
        return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                           pool_size=8, max_overflow=8)
    _configure_sqlite(engine, SQLITE_PRAGMAS, immediate=False)
    return engine


def _configure_sqlite(engine: Engine, pragmas: tuple[str, ...], *, immediate: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
