"""The proof service: proofs, tiles and entry bundles for checkpointed sizes, from stored hashes.

Only sizes the log has signed a checkpoint for are served, so every proof handed out can be
checked against a signed root.
"""

from __future__ import annotations

from typing import Final

from ledger.errors import ProofError
from ledger.merkle import Hash
from ledger.storage.store import LogStore, StoredCheckpoint
from ledger.tiles import TileId

_CHECKPOINTED_SIZES: Final = 4096
"""How many checkpointed sizes a service remembers (it forgets them all past that)."""


class ProofService:
    """Read-only proofs over a `LogStore`.

    A stored checkpoint is never removed, so the sizes found checkpointed are remembered and the
    proofs at them ask the store for node hashes only.
    """

    def __init__(self, store: LogStore) -> None:
        self._store = store
        self._checkpointed: set[int] = set()

    def checkpoint(self, size: int | None = None) -> StoredCheckpoint:
        """The checkpoint at `size` (default: the latest); raises `ProofError` if none."""
        found = (self._store.latest_checkpoint() if size is None
                 else self._store.checkpoint(size))
        if found is None:
            raise ProofError("no checkpoint yet" if size is None
                             else f"no checkpoint at size {size}")
        return found

    def inclusion(self, index: int, size: int) -> list[Hash]:
        """RFC 9162 inclusion proof of leaf `index` at the checkpointed `size`."""
        self._require_checkpoint(size)
        return self._store.inclusion_proof(index, size)

    def consistency(self, old_size: int, new_size: int) -> list[Hash]:
        """RFC 9162 consistency proof between two checkpointed sizes."""
        self._require_checkpoint(old_size)
        self._require_checkpoint(new_size)
        return self._store.consistency_proof(old_size, new_size)

    def _require_checkpoint(self, size: int) -> None:
        if size in self._checkpointed:
            return
        self.checkpoint(size)
        if len(self._checkpointed) >= _CHECKPOINTED_SIZES:
            self._checkpointed.clear()
        self._checkpointed.add(size)

    def tile(self, tile: TileId) -> bytes:
        """A C2SP tile or entry bundle of the tree at the latest checkpoint."""
        return self._store.tile(tile, self.checkpoint().checkpoint.size)
