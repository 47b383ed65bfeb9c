"""Log key rotation statements: how a log announces, in a way every verifier can check, that a
new key signs its checkpoints from some tree size on (verifier/FORMAT.md, "Key rotation").

A statement is a C2SP signed note (c2sp.org/signed-note) whose text is exactly six lines:

    infraledger-key-rotation/1
    origin <origin>
    old <verifier key of the key it replaces>
    new <verifier key of the key it installs>
    from <tree size>
    time <unix seconds>

signed by the old key (the authority: only the holder of the pinned key can name its successor)
and by the new key (proof that the successor's holder has it). Both keys are named after the
origin. The new key signs every checkpoint of size `from` and above; the old key signed those
below. Statements chain: each one's old key is the previous one's new key, and `from` never goes
down. The first line keeps a statement from ever parsing as a checkpoint (whose second line is a
decimal size) and a checkpoint from parsing as a statement.

The log keeps its statements in order, one after another, in one file
(`split_statements`); `KeyHistory` is what a chain of them proves: which key signs which sizes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ledger.errors import KeyRotationError, NoteError
from ledger.note import Signer, Verifier, open_note

HEADER: Final = "infraledger-key-rotation/1"
_DECIMAL: Final = re.compile(r"(0|[1-9][0-9]{0,19})\Z")
_STATEMENT_START: Final = re.compile(rf"(?m)^(?={re.escape(HEADER)}$)")


@dataclass(frozen=True, slots=True)
class KeyRotation:
    """The claim "from tree size `from_size` on, `new_key` signs the checkpoints of `origin`
    in place of `old_key`", made at unix time `time`."""

    origin: str
    old_key: Verifier
    new_key: Verifier
    from_size: int
    time: int

    def text(self) -> str:
        """The statement's note text, each line ending in a newline."""
        lines = [HEADER, f"origin {self.origin}", f"old {self.old_key.vkey()}",
                 f"new {self.new_key.vkey()}", f"from {self.from_size}", f"time {self.time}"]
        return "".join(line + "\n" for line in lines)

    def sign(self, old: Signer, new: Signer) -> str:
        """The signed statement: signed by `old` and by `new`, in that order.

        Requires `old` and `new` to be the signers of `old_key` and `new_key`; raises
        `KeyRotationError` otherwise.
        """
        if (old.verifier, new.verifier) != (self.old_key, self.new_key):
            raise KeyRotationError("key rotation: sign with the old and the new key it names")
        text = self.text()
        return f"{text}\n{old.signature_line(text)}{new.signature_line(text)}"

    @staticmethod
    def parse(text: str) -> KeyRotation:
        """Parse a statement's note text (not yet verified); raises `KeyRotationError` unless
        it is the six lines of the module docstring, with well-formed keys named after the
        origin, two different keys, and decimal uint64 size and time."""
        if not text.endswith("\n"):
            raise KeyRotationError("key rotation: text must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) != 6 or lines[0] != HEADER:
            raise KeyRotationError(f"key rotation: want six lines starting with {HEADER}")
        fields: dict[str, str] = {}
        for line, label in zip(lines[1:], ("origin", "old", "new", "from", "time"), strict=True):
            prefix = label + " "
            if not line.startswith(prefix) or not line[len(prefix):]:
                raise KeyRotationError(f"key rotation: got {line[:40]!r}, want '{label} ...'")
            fields[label] = line[len(prefix):]
        origin = fields["origin"]
        try:
            old_key, new_key = Verifier.from_vkey(fields["old"]), Verifier.from_vkey(fields["new"])
        except NoteError as exc:
            raise KeyRotationError(f"key rotation: {exc}") from exc
        if old_key.name != origin or new_key.name != origin:
            raise KeyRotationError(f"key rotation: keys must be named after the origin {origin!r}")
        if old_key == new_key:
            raise KeyRotationError("key rotation: the new key is the old key")
        return KeyRotation(origin, old_key, new_key, _uint64(fields["from"], "from"),
                           _uint64(fields["time"], "time"))


def _uint64(text: str, what: str) -> int:
    if not _DECIMAL.match(text) or int(text) >= 2**64:
        raise KeyRotationError(f"key rotation: {what} {text[:30]!r} is not a decimal uint64")
    return int(text)


def open_rotation(note: str, origin: str, pinned: Verifier) -> KeyRotation:
    """Verify a signed statement that replaces the `pinned` key of `origin`; return it.

    Requires signatures by `pinned` (the statement's old key) and by the new key it names.
    Raises `KeyRotationError` naming what is wrong: malformed, another origin, another old key,
    a signature missing or invalid.
    """
    split = note.rfind("\n\n")
    if split < 0:
        raise KeyRotationError("key rotation: no blank line before the signatures")
    rotation = KeyRotation.parse(note[: split + 1])
    if rotation.origin != origin:
        raise KeyRotationError(f"key rotation: origin {rotation.origin!r}, want {origin!r}")
    if rotation.old_key != pinned:
        raise KeyRotationError(
            f"key rotation: replaces {_short(rotation.old_key)}, the key in force is "
            f"{_short(pinned)}"
        )
    for key, role in ((rotation.old_key, "old"), (rotation.new_key, "new")):
        try:
            open_note(note, key)
        except NoteError as exc:
            raise KeyRotationError(f"key rotation: not signed by its {role} key: {exc}") from exc
    return rotation


def _short(key: Verifier) -> str:
    return f"{key.name}+{key.key_id.hex()}"


def split_statements(text: str) -> list[str]:
    """The signed statements of a file that holds them one after another (each starts with
    the header line); raises `KeyRotationError` if anything precedes the first."""
    parts = _STATEMENT_START.split(text)
    if parts[0].strip():
        raise KeyRotationError("key rotations: the file must start with a statement")
    return [part for part in parts[1:] if part]


@dataclass(frozen=True, slots=True)
class KeyPeriod:
    """One key of a log and the first tree size whose checkpoint it signs."""

    key: Verifier
    from_size: int


@dataclass(frozen=True, slots=True)
class KeyHistory:
    """A log's keys in order, each signing the checkpoints from its `from_size` up to the next
    one's (the last: every size from its own). Requires a first period from size 0 and sizes
    that never go down (`follow` builds only such)."""

    periods: tuple[KeyPeriod, ...]

    @staticmethod
    def of(key: Verifier) -> KeyHistory:
        """A log that never rotated its key."""
        return KeyHistory((KeyPeriod(key, 0),))

    @property
    def current(self) -> Verifier:
        """The key that signs the next checkpoint."""
        return self.periods[-1].key

    def key_at(self, size: int) -> Verifier:
        """The key that signs the checkpoint of tree size `size`."""
        chosen = self.periods[0].key
        for period in self.periods:
            if period.from_size <= size:
                chosen = period.key
        return chosen

    def follow(self, origin: str, notes: Sequence[str]) -> tuple[KeyHistory, list[KeyRotation]]:
        """Extend this history by the signed statements `notes`, in order, each verified with
        the key in force before it (`open_rotation`); returns the history and the rotations.

        Raises `KeyRotationError` for a statement that does not verify or whose `from` is below
        the one before it.
        """
        periods, rotations = list(self.periods), []
        for number, note in enumerate(notes, 1):
            try:
                rotation = open_rotation(note, origin, periods[-1].key)
            except KeyRotationError as exc:
                raise KeyRotationError(f"key rotation {number}: {exc}") from exc
            if rotation.from_size < periods[-1].from_size:
                raise KeyRotationError(
                    f"key rotation {number}: from size {rotation.from_size} is below the "
                    f"previous key's first size {periods[-1].from_size}"
                )
            periods.append(KeyPeriod(rotation.new_key, rotation.from_size))
            rotations.append(rotation)
        return KeyHistory(tuple(periods)), rotations


def chain_history(origin: str, notes: Sequence[str]) -> tuple[KeyHistory, list[KeyRotation]]:
    """The history a log's own statements prove, starting from the old key of the first (the
    log's first key, signing from size 0). A log without statements has no history here: the
    caller uses `KeyHistory.of(its key)`. Raises `KeyRotationError` (see `KeyHistory.follow`).
    """
    if not notes:
        raise KeyRotationError("key rotations: no statement")
    split = notes[0].rfind("\n\n")
    if split < 0:
        raise KeyRotationError("key rotation 1: no blank line before the signatures")
    try:
        first = KeyRotation.parse(notes[0][: split + 1]).old_key
    except KeyRotationError as exc:
        raise KeyRotationError(f"key rotation 1: {exc}") from exc
    return KeyHistory.of(first).follow(origin, notes)
