"""`infraledger log rotate-key`: give the log a new signing key that every verifier can follow.

Run with the server stopped (docs/operations.md, "Key rotation"). It makes a new Ed25519 key of
the same name (the origin) and writes a rotation statement (`ledger.rotation`) signed by the old
key and by the new one, saying that the new key signs every checkpoint from the size after the
latest signed checkpoint. Then, each step atomic and in this order, so that an interrupted run
leaves either the old state or one the server names at start: the old key is kept aside as
`log-<key id>.skey.retired` (mode 0600), the new key is written beside the key file, the
statement is appended to `log-rotations.txt`, and the new key replaces the key file. Keys are
never printed: the output names key ids only.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from api.admin.anchor import SQLITE_PREFIX, NoLedger
from api.admin.messages import option_help, say
from api.node import load_key_history, load_log_key, log_rotations_path
from api.settings import Settings, SettingsError
from client.keys import write_secret
from client.messages import Lang, OperatorParser
from ledger.note import Signer
from ledger.rotation import KeyRotation
from ledger.storage.store import LogStore


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `log rotate-key`, its help in `lang`."""
    parser = groups.add_parser(
        "log", lang=lang, common=common, help=option_help(lang, "log"),
        description=say(lang, "log_description"),
    )
    commands = parser.add_subparsers(dest="log_command", metavar="COMMAND", required=True)
    rotate = commands.add_parser(
        "rotate-key", lang=lang, common=common, help=option_help(lang, "log_rotate_key"),
        description=say(lang, "log_rotate_key_description"),
    )
    rotate.set_defaults(handler=rotate_key)


@dataclass(frozen=True, slots=True)
class RotatedKey:
    """What a rotation did: the statement and where the files went."""

    rotation: KeyRotation
    statements: Path
    retired: Path


def rotate_log_key(settings: Settings, *, now: int) -> RotatedKey:
    """Rotate the log key of `settings` at unix time `now` (see the module docstring).

    Raises `SettingsError` when there is no log key yet or the existing rotations do not hold,
    `NoLedger` when there is no database.
    """
    key_path = settings.log_key_path()
    if not key_path.exists():
        raise SettingsError(f"no log key at {key_path}: start the ledger once first")
    old = load_log_key(settings)
    _, notes = load_key_history(settings, old)
    from_size = _next_checkpoint_size(settings)
    new = Signer.generate(settings.origin)
    rotation = KeyRotation(settings.origin, old.verifier, new.verifier, from_size, now)
    statement = rotation.sign(old, new)
    retired = key_path.with_name(f"log-{old.verifier.key_id.hex()}.skey.retired")
    staged = staged_key_path(settings)
    statements = log_rotations_path(settings)
    try:
        if not retired.exists():  # else kept by a run interrupted before it wrote anything else
            write_secret(retired, old.skey())
        staged.unlink(missing_ok=True)
        write_secret(staged, new.skey())
        _replace(statements, "".join(notes) + statement)
        os.replace(staged, key_path)
    except OSError as exc:
        raise SettingsError(f"the log key was not rotated: {exc.strerror}: {exc.filename}"
                            ) from exc
    return RotatedKey(rotation, statements, retired)


def staged_key_path(settings: Settings) -> Path:
    """Where a rotation writes the new key before it installs it."""
    key_path = settings.log_key_path()
    return key_path.with_name(f".{key_path.name}.new")


def _next_checkpoint_size(settings: Settings) -> int:
    """The smallest size the log's next checkpoint may have: one past the latest signed one."""
    url = settings.database()
    sqlite_file = Path(url.removeprefix(SQLITE_PREFIX))
    if url.startswith(SQLITE_PREFIX) and not sqlite_file.exists():
        raise NoLedger(f"no ledger database: {sqlite_file} does not exist")
    store = LogStore(url, settings.origin, now=int(time.time()))
    try:
        latest = store.latest_checkpoint()
    finally:
        store.close()
    return 0 if latest is None else latest.checkpoint.size + 1


def _replace(path: Path, content: str) -> None:
    """Write `path` whole, atomically (a reader sees the old file or the new one)."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False, prefix=f".{path.name}."
    ) as file:
        file.write(content)
    os.chmod(file.name, 0o644)
    os.replace(file.name, path)


def rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    """Rotate the log key; print the key ids, the first size and the files written."""
    done = rotate_log_key(settings, now=int(time.time()))
    rotation = done.rotation
    print(f"log key rotated: {rotation.old_key.key_id.hex()} -> {rotation.new_key.key_id.hex()}, "
          f"signing checkpoints from size {rotation.from_size}")
    print(f"statement appended to {done.statements} (served at GET /v1/log/rotations)")
    print(f"old key kept in {done.retired} (mode 0600); start the server to sign with the new key")
    return 0
