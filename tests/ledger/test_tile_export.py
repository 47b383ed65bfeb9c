"""The C2SP tlog-tiles export (ledger.service.tile_export) on a real SQLite store: the files are
the store's tiles, each written once; the checkpoint goes last and never back; the partial tiles
of an index go `partial_grace` after its full tile; another log's directory is refused. And the
pure naming behind it (`ledger.tiles.tiles_grown`) against the naive set difference."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import ProofError
from ledger.merkle import Frontier
from ledger.note import Signer
from ledger.service.checkpointer import Checkpointer
from ledger.service.tile_export import TileExport, TileExporter, TileExportError
from ledger.storage.store import LogStore, PendingEntry
from ledger.tiles import CHECKPOINT_PATH, ENTRIES_LEVEL, TileId, tile_ids, tiles_grown
from tests.ledger.appender import make_entry

ORIGIN = "test.example/tiles"


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 70_000), st.integers(0, 70_000))
def test_tiles_grown_is_what_the_larger_tree_adds(a: int, b: int) -> None:
    old, new = min(a, b), max(a, b)
    grown = tiles_grown(old, new)
    added = set(tile_ids(new)) - set(tile_ids(old))
    assert set(grown) == added and len(grown) == len(added)
    assert grown == [tile for tile in tile_ids(new) if tile in added]


def test_tiles_grown_names_the_spec_example_and_refuses_a_shrinking_tree() -> None:
    """c2sp.org/tlog-tiles: a tree of 70,000 has 273 full level-0 tiles, a partial of 112, one
    full level-1 tile, a partial of 17 and a level-2 partial of 1."""
    grown = tiles_grown(0, 70_000)
    assert [t for t in grown if t.level == 0 and not t.full] == [TileId(0, 273, 112)]
    assert [t for t in grown if t.level == 1] == [TileId(1, 0), TileId(1, 1, 17)]
    assert [t for t in grown if t.level == 2] == [TileId(2, 0, 1)]
    assert tiles_grown(70_000, 70_000) == []
    assert tiles_grown(255, 256) == [TileId(0, 0), TileId(1, 0, 1),
                                     TileId(ENTRIES_LEVEL, 0)]
    assert TileId(0, 1_234_067, 8).path() == "tile/0/x001/x234/067.p/8"
    assert TileId(0, 1_234_067, 8).partials_path() == "tile/0/x001/x234/067.p"
    with pytest.raises(ProofError, match="want 0 <= old size <= new size"):
        tiles_grown(10, 9)


class Log:
    """A real SQLite log: entries appended in batches, checkpoints signed by the checkpointer."""

    def __init__(self, path: Path) -> None:
        self.store = LogStore(f"sqlite:///{path}", ORIGIN, now=0)
        self.frontier = Frontier()
        self.checkpointer = Checkpointer(self.store, Signer.generate(ORIGIN), clock=lambda: 1.0)
        self.size = 0

    def grow(self, count: int) -> None:
        items = [PendingEntry.of(make_entry(1, n)) for n in range(self.size, self.size + count)]
        _, self.frontier = self.store.append(items, self.frontier, now=1)
        self.size += count
        assert self.checkpointer.run_once() is not None


@pytest.fixture
def log(tmp_path: Path) -> Iterator[Log]:
    made = Log(tmp_path / "log.sqlite3")
    yield made
    made.store.close()


def _files(directory: Path) -> dict[str, bytes]:
    return {path.relative_to(directory).as_posix(): path.read_bytes()
            for path in directory.rglob("*") if path.is_file() and path.name != ".lock"}


def test_the_directory_is_the_stores_tiles_each_written_once(log: Log, tmp_path: Path) -> None:
    out = tmp_path / "tlog"
    clock = [1_000.0]
    exporter = TileExporter(log.store, out, partial_grace=60, clock=lambda: clock[0])
    assert exporter.run_once() is None and exporter.check() == 0  # no checkpoint yet

    log.grow(300)
    export = exporter.run_once()
    assert export == TileExport(size=300, written=len(tile_ids(300)) + 1, pruned=0)
    files = _files(out)
    latest = log.store.latest_checkpoint()
    assert latest is not None and files.pop(CHECKPOINT_PATH).decode() == latest.note
    assert files == {t.path(): log.store.tile(t, 300) for t in tile_ids(300)}
    assert not list(out.rglob("*.tmp"))
    assert exporter.run_once() is None

    full = out / TileId(0, 0).path()
    stamp = full.stat().st_ino, full.stat().st_mtime_ns
    log.grow(300)  # 600: level-0 tile 1 becomes full, its partial of width 44 stays
    export = exporter.run_once()
    assert export is not None and export.written == len(tiles_grown(300, 600)) + 1
    assert (full.stat().st_ino, full.stat().st_mtime_ns) == stamp, "a full tile was rewritten"
    assert (out / "tile/0/001.p/44").read_bytes() == log.store.tile(TileId(0, 1, 44), 300)
    assert set(_files(out)) >= {t.path() for t in tile_ids(300) + tile_ids(600)}

    clock[0] += 61  # past the grace: the partials of the indices now full go
    assert exporter.run_once() == TileExport(size=600, written=0, pruned=2)
    assert not (out / "tile/0/001.p").exists() and not (out / "tile/entries/001.p").exists()
    assert (out / "tile/0/002.p/88").exists(), "the partial tile of the checkpoint stays"


def test_a_restarted_exporter_finds_the_partials_to_remove(log: Log, tmp_path: Path) -> None:
    out = tmp_path / "tlog"
    log.grow(100)
    TileExporter(log.store, out).run_once()
    log.grow(200)
    TileExporter(log.store, out).run_once()
    assert (out / "tile/0/000.p/100").exists()
    full = out / "tile/0/000"
    os.utime(full, (full.stat().st_atime, full.stat().st_mtime - 700))
    later = TileExporter(log.store, out, partial_grace=600)
    assert later.run_once() == TileExport(size=300, written=0, pruned=1)
    assert not (out / "tile/0/000.p").exists() and (out / "tile/entries/000.p").exists()


def test_another_logs_directory_is_refused(log: Log, tmp_path: Path) -> None:
    out = tmp_path / "tlog"
    log.grow(5)
    TileExporter(log.store, out).run_once()
    other = Log(tmp_path / "other.sqlite3")
    try:
        other.grow(7)
        with pytest.raises(TileExportError, match="did not sign"):
            TileExporter(other.store, out).run_once()
        with pytest.raises(TileExportError, match="did not sign"):
            TileExporter(other.store, out).check()
    finally:
        other.store.close()
    (out / CHECKPOINT_PATH).write_text("not a note\n")
    with pytest.raises(TileExportError, match="not a checkpoint note"):
        TileExporter(log.store, out).run_once()
