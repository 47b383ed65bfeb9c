"""Serialised proof bundles kept in memory, so a bundle asked for again costs no query.

A bundle proven to an anchored checkpoint never changes: the record, its body, the attachment
list, the inclusion proof to that tree size, its signed checkpoint and the anchor are all
written once. Only such bundles are kept, as the route builds them or built ahead when their
anchor lands (`api.routes.records.warm_bundles`); a bundle with `anchor: null` is built anew on
every request, so the first request after the record's anchor gets the anchored bundle.
Bundles are keyed by record and by whether the caller may see restricted bodies: an inspector's
bundle of a restricted record (body and salt included) is never given to anyone else.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Final

from ledger.merkle import LeafHash

BUNDLE_CACHE_BYTES: Final = 64 << 20
"""Default budget: about 25,000 bundles of a log of a million (2.7 KB each)."""

BundleKey = tuple[LeafHash, bool]
"""A record's leaf hash, and whether the bundle shows restricted bodies (inspectors)."""


class BundleCache:
    """Serialised bundles up to a byte budget; the least recently used go first. Thread-safe."""

    def __init__(self, budget: int = BUNDLE_CACHE_BYTES) -> None:
        self._budget = budget
        self._bytes = 0
        self._bundles: OrderedDict[BundleKey, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: BundleKey) -> bytes | None:
        """The bundle stored under `key`, or None."""
        with self._lock:
            data = self._bundles.get(key)
            if data is not None:
                self._bundles.move_to_end(key)
            return data

    def put(self, key: BundleKey, data: bytes) -> None:
        """Keep `data` under `key` (a bundle proven to an anchored checkpoint only)."""
        if len(data) > self._budget:
            return
        with self._lock:
            replaced = self._bundles.pop(key, None)
            if replaced is not None:
                self._bytes -= len(replaced)
            self._bundles[key] = data
            self._bytes += len(data)
            while self._bytes > self._budget:
                _, gone = self._bundles.popitem(last=False)
                self._bytes -= len(gone)

    def __len__(self) -> int:
        return len(self._bundles)
