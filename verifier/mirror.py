"""A local mirror of a log's tiles, so that an audit reads them from disk instead of the network.

The mirror is a directory in the static layout of C2SP tlog-tiles, byte for byte what the
ledger serves under `/tlog/` (and what a static web server could serve again):

    DIR/checkpoint                   the signed checkpoint note
    DIR/tile/<L>/<N>[.p/<W>]         Merkle tree tiles
    DIR/tile/entries/<N>[.p/<W>]     entry bundles
    DIR/anchors.json                 the answer of `GET /v1/anchors`

With a ledger, the mirror is a read-through cache: the checkpoint and the anchors are fetched
afresh and saved, tiles and entry bundles are read from disk when there and otherwise fetched and
saved (a tile's contents never change: its path names its width), and records and consistency
proofs come from the ledger. Without a ledger everything comes from the directory, and
`serves_records` is false. Nothing read from the mirror is trusted more than the ledger's
answers: the audit proves it all the same.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from verifier.errors import LedgerUnavailable, MalformedLedgerResponse
from verifier.ledger_api import LedgerApi, ListedAnchor, parse_anchors
from verifier.rfc9162 import NodeHash
from verifier.tiles import entry_bundle_path, tile_path

CHECKPOINT: Final = "checkpoint"
ANCHORS: Final = "anchors.json"


@dataclass(frozen=True, slots=True)
class TileMirror:
    """The tile mirror in `directory`, filled from `ledger` when one is given."""

    directory: Path
    ledger: LedgerApi | None

    @property
    def serves_records(self) -> bool:
        """Records and consistency proofs are only available through the ledger."""
        return self.ledger is not None

    def checkpoint(self) -> str:
        """Return the ledger's checkpoint (saved), or the mirror's without a ledger."""
        if self.ledger is not None:
            text = self.ledger.checkpoint()
            self._save(CHECKPOINT, text.encode("utf-8"))
            return text
        try:
            return self._read(CHECKPOINT).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedLedgerResponse(f"{self._file(CHECKPOINT)} is not UTF-8") from exc

    def anchors(self) -> list[ListedAnchor]:
        """Return the ledger's anchors (saved), or the mirror's `anchors.json`."""
        if self.ledger is not None:
            data = self.ledger.get("/v1/anchors")
            listed = parse_anchors(data, what="/v1/anchors")
            self._save(ANCHORS, data)
            return listed
        return parse_anchors(self._read(ANCHORS), what=str(self._file(ANCHORS)))

    def tile(self, level: int, index: int, width: int | None) -> bytes:
        """Return a tile from the mirror, fetching and saving it when missing."""
        return self._tile(tile_path(level, index, width))

    def entry_bundle(self, index: int, width: int | None) -> bytes:
        """Return an entry bundle from the mirror, fetching and saving it when missing."""
        return self._tile(entry_bundle_path(index, width))

    def record(self, record_id: str) -> dict[str, Any]:
        """Return the ledger's record; raises `LedgerUnavailable` without a ledger."""
        return self._ledger(f"record {record_id}").record(record_id)

    def consistency_proof(self, size1: int, size2: int) -> list[NodeHash]:
        """Return the ledger's consistency proof; raises `LedgerUnavailable` without a ledger."""
        return self._ledger("a consistency proof").consistency_proof(size1, size2)

    def _tile(self, path: str) -> bytes:
        file = self._file(path)
        if file.exists() or self.ledger is None:
            return self._read(path)
        data = self.ledger.get("/tlog/" + path)
        self._save(path, data)
        return data

    def _ledger(self, what: str) -> LedgerApi:
        if self.ledger is None:
            raise LedgerUnavailable(f"the mirror {self.directory} holds no {what}: give a ledger")
        return self.ledger

    def _file(self, path: str) -> Path:
        return self.directory.joinpath(*path.split("/"))

    def _read(self, path: str) -> bytes:
        try:
            return self._file(path).read_bytes()
        except OSError as exc:
            raise LedgerUnavailable(f"mirror: cannot read {self._file(path)}: {exc}") from exc

    def _save(self, path: str, data: bytes) -> None:
        """Write a file of the mirror atomically (a reader never sees half a tile)."""
        file = self._file(path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                dir=file.parent, prefix=f".{file.name}.", delete=False
            ) as temporary:
                temporary.write(data)
            os.replace(temporary.name, file)
        except OSError as exc:
            raise LedgerUnavailable(f"mirror: cannot write {file}: {exc}") from exc
