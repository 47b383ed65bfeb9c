"""The content-addressed blob store (DESIGN section 2): files found by their SHA-256.

A blob is written once under the SHA-256 of its bytes and never changed; writing the same bytes
again is a no-op. Two kinds of blob live here: the attachment files operators upload, and the
attachment list of each record (the RFC 8785 bytes whose SHA-256 is the entry's `attachments`
commitment), so a record's list can be served back exactly as it was hashed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.errors import StorageError, StoreUnavailable
from ledger.storage.store import LogStore
from ledger.storage.tables import ATTACHMENT_REFS, BLOBS, ENTRIES


class BlobMismatch(StorageError):
    """The bytes given do not hash to the SHA-256 they are stored under."""


@dataclass(frozen=True, slots=True)
class Blob:
    """One stored file: its SHA-256, size, media type and bytes."""

    sha256: bytes
    size: int
    media_type: str
    data: bytes


class BlobStore:
    """The blobs of the ledger in `store`."""

    def __init__(self, store: LogStore) -> None:
        self._store = store

    def put(self, sha256: bytes, data: bytes, media_type: str, now: int) -> bool:
        """Store `data` under `sha256`; True when it is new, False when it was already stored.

        Raises `BlobMismatch` when SHA-256(data) is not `sha256`, `StoreUnavailable` when the
        database fails.
        """
        if hashlib.sha256(data).digest() != sha256:
            raise BlobMismatch(f"the bytes hash to {hashlib.sha256(data).hexdigest()}, "
                               f"not {sha256.hex()}")
        try:
            with self._store.writer.begin() as conn:
                if conn.execute(select(BLOBS.c.size).where(BLOBS.c.sha256 == sha256)).first():
                    return False
                conn.execute(insert(BLOBS).values(
                    sha256=sha256, size=len(data), media_type=media_type, data=data,
                    created_at=now,
                ))
            return True
        except IntegrityError:  # another writer stored the same bytes first
            return False
        except DBAPIError as exc:
            raise StoreUnavailable(f"storing the blob failed: {exc.orig}") from exc

    def get(self, sha256: bytes) -> Blob | None:
        """The blob stored under `sha256`, or None."""
        with self._store.reader.connect() as conn:
            row = conn.execute(
                select(BLOBS.c.size, BLOBS.c.media_type, BLOBS.c.data)
                .where(BLOBS.c.sha256 == sha256)
            ).first()
        if row is None:
            return None
        return Blob(sha256, int(row.size), str(row.media_type), bytes(row.data))

    def files(self, digests: Iterable[bytes]) -> dict[bytes, tuple[int, str]]:
        """The size and media type of each stored blob among `digests` (one query)."""
        wanted = set(digests)
        if not wanted:
            return {}
        with self._store.reader.connect() as conn:
            rows = conn.execute(
                select(BLOBS.c.sha256, BLOBS.c.size, BLOBS.c.media_type)
                .where(BLOBS.c.sha256.in_(wanted))
            ).all()
        return {bytes(row.sha256): (int(row.size), str(row.media_type)) for row in rows}

    def listed_by_public_record(self, sha256: bytes) -> bool:
        """Whether a record whose body is public lists `sha256` among its attachments, or
        among the evidence of its CA signatures (the CMS, OCSP responses, CRLs, certificates
        and time-stamps its evidence documents name: listed beside its attachments when it was
        accepted)."""
        query = select(exists().where(
            ATTACHMENT_REFS.c.sha256 == sha256,
            ENTRIES.c.idx == ATTACHMENT_REFS.c.idx,
            ENTRIES.c.salt.is_(None),
        ))
        with self._store.reader.connect() as conn:
            return bool(conn.execute(query).scalar())
