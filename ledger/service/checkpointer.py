"""The checkpointer: signs a C2SP checkpoint of the log head whenever it has grown."""

from __future__ import annotations

import time
from collections.abc import Callable

from ledger.checkpoint import Checkpoint
from ledger.errors import LogIntegrityError, ProofError
from ledger.merkle import verify_consistency
from ledger.note import Signer
from ledger.storage.store import LogStore, StoredCheckpoint


class Checkpointer:
    """Signs and stores checkpoints; never signs one inconsistent with the last it stored."""

    def __init__(
        self, store: LogStore, signer: Signer, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._signer = signer
        self._clock = clock

    def run_once(self) -> StoredCheckpoint | None:
        """Checkpoint the current head if it grew; return what was stored, else None.

        Before signing, the new root is proven consistent with the latest stored checkpoint from
        the stored node hashes; raises `LogIntegrityError` if it is not (nothing is signed).
        """
        size = self._store.tree_size()
        latest = self._store.latest_checkpoint()
        if size == 0 or (latest is not None and latest.checkpoint.size >= size):
            return None
        root = self._store.root(size)
        if latest is not None:
            old = latest.checkpoint
            proof = self._store.consistency_proof(old.size, size)
            try:
                verify_consistency(old.size, size, old.root, root, proof)
            except ProofError as exc:
                raise LogIntegrityError(
                    f"the log at size {size} is not consistent with checkpoint {old.size}: {exc}"
                ) from exc
        checkpoint = Checkpoint(self._store.origin, size, root)
        note = checkpoint.sign(self._signer)
        now = int(self._clock())
        self._store.add_checkpoint(checkpoint, note, now)
        return StoredCheckpoint(checkpoint, note, now)
