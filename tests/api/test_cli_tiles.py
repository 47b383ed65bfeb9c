"""`infraledger tiles export DIR` on a real ledger's data directory: the C2SP tlog-tiles of its
latest checkpoint, then only what the log grew; refusals are one line and exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from api.node import load_log_key
from api.settings import Settings
from ledger.merkle import Frontier
from ledger.service.checkpointer import Checkpointer
from ledger.storage.store import LogStore
from ledger.tiles import CHECKPOINT_PATH, tile_ids
from tests.api.test_read_path import entries


def _grow(settings: Settings, start: int, count: int) -> str:
    """Append `count` entries and sign a checkpoint, as the server would; return its note."""
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        frontier: Frontier = store.frontier()
        store.append(entries(start, count), frontier, 1)
        Checkpointer(store, load_log_key(settings)).run_once()
        latest = store.latest_checkpoint()
        assert latest is not None
        return latest.note
    finally:
        store.close()


def test_export_writes_the_tiles_then_only_what_grew(
    ledger_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tlog"
    data = ("--data-dir", str(ledger_settings.data_dir))
    note = _grow(ledger_settings, 0, 260)
    assert main(["tiles", "export", str(out), *data]) == 0
    size = int(note.split("\n")[1])
    assert f"checkpoint size {size}, {len(tile_ids(size)) + 1} files written" in \
        capsys.readouterr().out
    assert (out / CHECKPOINT_PATH).read_text() == note
    assert all((out / tile.path()).is_file() for tile in tile_ids(size))

    assert main(["tiles", "export", str(out), *data]) == 0
    assert f"up to date at checkpoint size {size}" in capsys.readouterr().out
    note = _grow(ledger_settings, 260, 10)
    assert main(["tiles", "export", str(out), *data]) == 0
    assert (out / CHECKPOINT_PATH).read_text() == note
    assert "files written" in capsys.readouterr().out


def test_export_refuses_a_missing_ledger_and_another_logs_directory(
    ledger_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tlog"
    assert main(["tiles", "export", str(out), "--data-dir", str(tmp_path / "none")]) == 1
    assert "no ledger database" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()
    out.mkdir()
    (out / CHECKPOINT_PATH).write_text(f"{ledger_settings.origin}\n7\n{'A' * 43}=\n\n")
    _grow(ledger_settings, 0, 3)
    assert main(["tiles", "export", str(out), "--data-dir", str(ledger_settings.data_dir)]) == 1
    assert "did not sign" in capsys.readouterr().err
