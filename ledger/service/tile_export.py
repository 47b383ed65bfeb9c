"""The log's read path as static files: a C2SP tlog-tiles directory (c2sp.org/tlog-tiles) kept
current with the latest signed checkpoint, for any web server, object store or CDN to serve.

    DIR/checkpoint                   the latest signed checkpoint note
    DIR/tile/<L>/<N>[.p/<W>]         Merkle tree tiles
    DIR/tile/entries/<N>[.p/<W>]     entry bundles

The layout, names and bytes are those the API serves under `/tlog/` (`ledger.tiles`). One export
(`TileExporter.run_once`) holds an exclusive lock on `DIR/.lock` (one exporter at a time, so the
checkpoint never goes back) and follows this protocol:

1. The directory's checkpoint, if any, must be a checkpoint this store signed: the same note at
   its size. Otherwise `TileExportError`, and nothing is written: the directory belongs to
   another log, or to a history this store does not hold (a newer one, or a fork).
2. Every tile and entry bundle that the latest checkpoint needs and the directory's checkpoint
   did not (`ledger.tiles.tiles_grown`) is written once: to a temporary name in its directory,
   flushed to disk, renamed into place. A file already there is never rewritten: its path fixes
   its contents (the level, index and width of a tile). Full tiles are thus written once, and a
   growing partial tile gets a new file per width beside the narrower ones.
3. Only then is the checkpoint replaced, the same way (write, flush, rename over the old one):
   a reader sees the old note or the new, never a mix, and finds every tile the note needs.
4. The partial tiles of an index are removed `partial_grace` seconds after its full tile was
   written. C2SP lets a log delete partial tiles once the full tile is available; the grace
   leaves readers of an older checkpoint (an audit in progress, a CDN's copy) time to finish.

A process that exported before (a restart) finds the partial tiles still to remove by walking
the directory once, on its first run.
"""

from __future__ import annotations

import fcntl
import heapq
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from apscheduler.schedulers.base import BaseScheduler

from ledger.checkpoint import Checkpoint
from ledger.errors import LedgerError, NoteError
from ledger.storage.store import LogStore, StoredCheckpoint
from ledger.tiles import CHECKPOINT_PATH, parse_tile_path, tiles_grown

TILE_EXPORT_JOB: Final = "tile-export"
PARTIAL_GRACE: Final = 600.0
"""Seconds the partial tiles of an index stay after its full tile was written."""
LOCK_FILE: Final = ".lock"


class TileExportError(LedgerError):
    """The directory cannot be made the export of this log (see the module docstring, step 1)."""


@dataclass(frozen=True, slots=True)
class TileExport:
    """What one export did: the checkpoint size the directory now holds, the files written
    (tiles, bundles and the checkpoint) and the partial-tile directories removed."""

    size: int
    written: int
    pruned: int


class TileExporter:
    """Keeps `directory` the C2SP tlog-tiles export of the log in `store` (module docstring)."""

    def __init__(
        self,
        store: LogStore,
        directory: Path,
        *,
        partial_grace: float = PARTIAL_GRACE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._directory = directory
        self._grace = partial_grace
        self._clock = clock
        self._pending: list[tuple[float, str]] = []
        """Partial-tile directories (paths below the directory) by the time they may go."""
        self._walked = False

    @property
    def directory(self) -> Path:
        return self._directory

    def check(self) -> int:
        """The checkpoint size the directory holds (0: none yet) after step 1 of the protocol;
        raises `TileExportError` if it is not this log's, `StoreUnavailable` if the store
        cannot be read. Creates the directory if missing."""
        with self._locked():
            return self._exported_size()

    def run_once(self) -> TileExport | None:
        """Export the latest checkpoint (steps 1 to 4); None when there was nothing to do.

        Raises `TileExportError` as `check` does, `OSError` if a file cannot be written (the
        directory's checkpoint is then the previous one, and the next run completes it).
        """
        with self._locked():
            old_size = self._exported_size()
            if not self._walked:
                self._walk_partials()
                self._walked = True
            latest = self._store.latest_checkpoint()
            size, written = old_size, 0
            if latest is not None and latest.checkpoint.size > old_size:
                written = self._export(old_size, latest)
                size = latest.checkpoint.size
            pruned = self._prune()
        if not written and not pruned:
            return None
        return TileExport(size, written, pruned)

    # -- steps -------------------------------------------------------------------------------

    def _exported_size(self) -> int:
        path = self._directory / CHECKPOINT_PATH
        try:
            note = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return 0
        except (OSError, UnicodeDecodeError) as exc:
            raise TileExportError(f"cannot read the exported checkpoint {path}: {exc}") from exc
        try:
            checkpoint = Checkpoint.parse(note[: note.rfind("\n\n") + 1])
        except NoteError as exc:
            raise TileExportError(f"{path} is not a checkpoint note: {exc}") from exc
        stored = self._store.checkpoint(checkpoint.size)
        if stored is None or stored.note != note:
            raise TileExportError(
                f"{path} holds a checkpoint of size {checkpoint.size} for {checkpoint.origin!r} "
                f"that this log ({self._store.origin!r}) did not sign: export another log "
                f"into another directory"
            )
        return checkpoint.size

    def _export(self, old_size: int, latest: StoredCheckpoint) -> int:
        size = latest.checkpoint.size
        written, parents = 0, set()
        for tile in tiles_grown(old_size, size):
            path = self._directory / tile.path()
            if path.exists():
                continue
            _write_once(path, self._store.tile(tile, size))
            parents.add(path.parent)
            written += 1
            if tile.full and (self._directory / tile.partials_path()).is_dir():
                heapq.heappush(self._pending, (self._clock() + self._grace,
                                               tile.partials_path()))
        for parent in parents:
            _sync_directory(parent)
        _write_once(self._directory / CHECKPOINT_PATH, latest.note.encode("utf-8"))
        _sync_directory(self._directory)
        return written + 1

    def _prune(self) -> int:
        now, pruned = self._clock(), 0
        while self._pending and self._pending[0][0] <= now:
            _, partials = heapq.heappop(self._pending)
            shutil.rmtree(self._directory / partials, ignore_errors=True)
            pruned += 1
        return pruned

    def _walk_partials(self) -> None:
        """Queue the partial-tile directories left by an earlier process whose full tile is
        there, due `partial_grace` after the full tile's modification time."""
        tiles = self._directory / "tile"
        for top, directories, _ in os.walk(tiles):
            for name in directories:
                if not name.endswith(".p"):
                    continue
                full = Path(top) / name.removesuffix(".p")
                relative = full.relative_to(self._directory).as_posix()
                try:
                    tile = parse_tile_path(relative)
                    written = full.stat().st_mtime
                except (LedgerError, OSError):
                    continue
                heapq.heappush(self._pending, (written + self._grace, tile.partials_path()))
            directories[:] = [d for d in directories if not d.endswith(".p")]

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self._directory.mkdir(parents=True, exist_ok=True)
        with (self._directory / LOCK_FILE).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _write_once(path: Path, data: bytes) -> None:
    """Write `data` to a temporary name beside `path`, flush it to disk, rename it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(path)


def _sync_directory(path: Path) -> None:
    """Flush a directory's entries (the renames into it) to disk."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def schedule_tile_export(
    scheduler: BaseScheduler, exporter: TileExporter, interval: float = 1.0
) -> None:
    """Run `exporter.run_once` every `interval` seconds beside the checkpointer, one run at a
    time, a late run merged; a failed run is logged and retried at the next interval."""
    scheduler.add_job(
        exporter.run_once, "interval", seconds=interval, id=TILE_EXPORT_JOB,
        max_instances=1, coalesce=True, replace_existing=True,
    )
