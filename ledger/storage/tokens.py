"""Bearer tokens of the inspector and registrar roles, stored as their SHA-256 only.

A token is shown once, when it is made; the table keeps SHA-256(token), its role, a label and
when it was made and revoked. Revoking sets `revoked_at` (tokens are not log data).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError

from ledger.errors import StorageError, StoreUnavailable
from ledger.storage.store import LogStore
from ledger.storage.tables import TOKENS

TOKEN_PREFIX: Final = "ilt_"
"""Every token starts with this, so a leaked one is easy to recognise (secret scanners)."""
MIN_REFERENCE_CHARS: Final = 8


_BY_HASH: Final = select(TOKENS).where(TOKENS.c.token_hash == bindparam("token_hash"))


class UnknownToken(StorageError):
    """No stored token (or more than one) matches the hash or prefix given."""


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token's record: the SHA-256 of the token, its role and label, and its times."""

    token_hash: bytes
    role: str
    label: str
    created_at: int
    revoked_at: int | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_token(token: str) -> bytes:
    """SHA-256 of the token's UTF-8 bytes: what the table stores."""
    return hashlib.sha256(token.encode()).digest()


class TokenStore:
    """The tokens of the ledger in `store`."""

    def __init__(self, store: LogStore) -> None:
        self._store = store

    def create(self, role: str, label: str, now: int) -> tuple[str, StoredToken]:
        """Make a new random token for `role`; return it (shown once) and its record."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        stored = StoredToken(hash_token(token), role, label, now, None)
        try:
            with self._store.writer.begin() as conn:
                conn.execute(insert(TOKENS).values(
                    token_hash=stored.token_hash, role=role, label=label, created_at=now,
                ))
        except DBAPIError as exc:
            raise StoreUnavailable(f"storing the token failed: {exc.orig}") from exc
        return token, stored

    def find(self, token: str) -> StoredToken | None:
        """The record of `token` (revoked or not), or None when it was never issued."""
        with self._store.reader.connect() as conn:
            row = conn.execute(_BY_HASH, {"token_hash": hash_token(token)}).first()
        return None if row is None else _stored(row)

    def all(self) -> list[StoredToken]:
        """Every token ever issued, oldest first."""
        with self._store.reader.connect() as conn:
            rows = conn.execute(select(TOKENS).order_by(TOKENS.c.created_at)).all()
        return [_stored(row) for row in rows]

    def revoke(self, reference: str, now: int) -> StoredToken:
        """Revoke the token whose hash is `reference` (hex) or starts with it (at least 8 hex
        digits). Raises `UnknownToken` when none or several match. Revoking twice keeps the
        first revocation time."""
        reference = reference.lower().removeprefix("0x")
        if len(reference) < MIN_REFERENCE_CHARS or any(
            c not in "0123456789abcdef" for c in reference
        ):
            raise UnknownToken(
                f"token reference {reference[:70]!r}: want at least {MIN_REFERENCE_CHARS} "
                f"hex digits of the token hash"
            )
        matches = [t for t in self.all() if t.token_hash.hex().startswith(reference)]
        if len(matches) != 1:
            raise UnknownToken(
                f"{len(matches)} tokens match {reference!r}: give more digits of the hash"
                if matches else f"no token hash starts with {reference!r}"
            )
        token = matches[0]
        if not token.active:
            return token
        try:
            with self._store.writer.begin() as conn:
                conn.execute(update(TOKENS).where(TOKENS.c.token_hash == token.token_hash)
                             .values(revoked_at=now))
        except DBAPIError as exc:
            raise StoreUnavailable(f"revoking the token failed: {exc.orig}") from exc
        return StoredToken(token.token_hash, token.role, token.label, token.created_at, now)


def _stored(row: Any) -> StoredToken:
    return StoredToken(
        token_hash=bytes(row.token_hash), role=str(row.role), label=str(row.label),
        created_at=int(row.created_at),
        revoked_at=None if row.revoked_at is None else int(row.revoked_at),
    )
