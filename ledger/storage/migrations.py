"""Schema versions: each migration runs once, in order, in its own transaction.

A database written by a newer release (a version above `CURRENT_VERSION`) is refused rather than
touched. To change the schema, append a migration; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, inspect, select, text

from ledger.errors import SchemaVersionError
from ledger.storage.engine import is_postgres
from ledger.storage.tables import SCHEMA_MIGRATIONS, metadata


def _v1_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=[t for t in metadata.sorted_tables
                                      if t is not SCHEMA_MIGRATIONS])


MIGRATIONS: tuple[Callable[[Connection], None], ...] = (_v1_initial,)
CURRENT_VERSION = len(MIGRATIONS)


def migrate(engine: Engine, now: int) -> int:
    """Bring the schema to `CURRENT_VERSION`; return the version found before migrating.

    Raises `SchemaVersionError` if the database is newer than this release.
    """
    with engine.begin() as conn:
        if is_postgres(str(engine.url)):
            conn.execute(text("SELECT pg_advisory_xact_lock(727254)"))
        if not inspect(conn).has_table(SCHEMA_MIGRATIONS.name):
            metadata.create_all(conn, tables=[SCHEMA_MIGRATIONS])
        applied = conn.execute(select(SCHEMA_MIGRATIONS.c.version)).scalars().all()
        found = max(applied, default=0)
        if found > CURRENT_VERSION:
            raise SchemaVersionError(
                f"database schema version {found} is newer than this release's {CURRENT_VERSION}"
            )
        for version in range(found + 1, CURRENT_VERSION + 1):
            MIGRATIONS[version - 1](conn)
            conn.execute(SCHEMA_MIGRATIONS.insert().values(version=version, applied_at=now))
    return found
