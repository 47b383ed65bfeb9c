"""The ledger's one error family: every failure of the core and its storage is a `LedgerError`."""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every error raised by the `ledger` package."""


class InvalidEntry(LedgerError):
    """An entry (or a value to canonicalise) breaks the rules of DESIGN section 2."""


class EntryTooLarge(InvalidEntry):
    """The canonical entry is over the 64 KiB limit."""


class ProofError(LedgerError):
    """A proof request or a proof is out of range or does not verify (RFC 9162 section 2.1)."""


class NoteError(LedgerError):
    """A C2SP signed note, key string or checkpoint is malformed or does not verify."""


class KeyRotationError(NoteError):
    """A log key rotation statement is malformed, not signed by the key it replaces or by the key
    it installs, or a chain of them does not lead from one key to the next."""


class StorageError(LedgerError):
    """The store failed, or holds data that breaks the log's invariants."""


class StoreUnavailable(StorageError):
    """The database cannot be reached or refused the write (disk full, connection lost)."""


class SchemaVersionError(StorageError):
    """The database was written by an unknown (newer) schema version."""


class LogIntegrityError(StorageError):
    """The stored log is inconsistent with itself (a hash, an index or a checkpoint disagrees)."""
