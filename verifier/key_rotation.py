"""Log key rotation statements (FORMAT.md, "Key rotation"): parsing, and following a chain of
them from the key a trust file pins.

A statement is a signed note whose text is six lines: `infraledger-key-rotation/1`,
`origin <origin>`, `old <vkey>`, `new <vkey>`, `from <size>`, `time <unix seconds>`. It is valid
for a verifier that pins `old` when it carries a valid signature by `old` (only the holder of the
pinned key may name its successor) and one by `new` (its holder has it). From tree size `from`
on, `new` signs the log's checkpoints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from verifier.errors import MalformedNote, MalformedVerifierKey, NoteSignatureError, TrustMismatch
from verifier.messages import Time, text
from verifier.signed_note import SignedNote, VerifierKey

HEADER: Final = "infraledger-key-rotation/1"
LABELS: Final = ("origin", "old", "new", "from", "time")
_DECIMAL: Final = re.compile(r"(0|[1-9][0-9]{0,19})\Z")


@dataclass(frozen=True, slots=True)
class KeyRotation:
    """From tree size `from_size` on, `new_key` signs the checkpoints of `origin`, in place of
    `old_key` (announced at unix time `time`); `note` carries the signatures, not yet checked."""

    origin: str
    old_key: VerifierKey
    new_key: VerifierKey
    from_size: int
    time: int
    note: SignedNote

    @staticmethod
    def parse(note: str) -> KeyRotation:
        """Parse a signed statement (signatures not verified).

        Raises `MalformedNote` unless its text is the six lines of the module docstring with
        keys named after the origin, two different keys, and decimal uint64 size and time.
        """
        signed = SignedNote.parse(note)
        lines = signed.text[:-1].split("\n")
        if len(lines) != 6 or lines[0] != HEADER:
            raise MalformedNote(f"key rotation: want six lines starting with {HEADER}")
        fields: dict[str, str] = {}
        for line, label in zip(lines[1:], LABELS, strict=True):
            if not line.startswith(label + " ") or len(line) == len(label) + 1:
                raise MalformedNote(f"key rotation: got {line[:40]!r}, want '{label} ...'")
            fields[label] = line[len(label) + 1 :]
        try:
            old_key, new_key = VerifierKey.parse(fields["old"]), VerifierKey.parse(fields["new"])
        except MalformedVerifierKey as exc:
            raise MalformedNote(f"key rotation: {exc}") from exc
        origin = fields["origin"]
        if old_key.name != origin or new_key.name != origin:
            raise MalformedNote(f"key rotation: keys must be named after the origin {origin!r}")
        if old_key == new_key:
            raise MalformedNote("key rotation: the new key is the old key")
        return KeyRotation(origin, old_key, new_key, _uint64(fields["from"], "from"),
                           _uint64(fields["time"], "time"), signed)

    def verify(self, number: int, *, origin: str, pinned: VerifierKey) -> None:
        """Check that this statement, the `number`th the ledger lists, replaces the `pinned` key
        of `origin`: signed by it and by the new key.

        Raises `TrustMismatch` naming what is wrong (another origin, another key replaced, a
        signature missing or invalid).
        """
        if self.origin != origin:
            raise TrustMismatch(
                text("rotation.other_origin", number=number, origin=self.origin, pinned=origin)
            )
        if self.old_key != pinned:
            raise TrustMismatch(text("rotation.unknown_key", number=number,
                                     key=short_key(self.old_key), pinned=short_key(pinned)))
        try:
            self.note.verify(self.old_key)
        except NoteSignatureError as exc:
            raise TrustMismatch(text("rotation.not_signed", number=number,
                                     key=short_key(self.old_key), problem=exc.text)) from exc
        try:
            self.note.verify(self.new_key)
        except NoteSignatureError as exc:
            raise TrustMismatch(text("rotation.no_possession", number=number,
                                     key=short_key(self.new_key), problem=exc.text)) from exc

    def describe(self) -> dict[str, str | int | Time]:
        """The message parameters that name this rotation."""
        return {"old": short_key(self.old_key), "new": short_key(self.new_key),
                "size": self.from_size, "time": Time(self.time)}


def short_key(key: VerifierKey) -> str:
    """`name+keyid`: how messages name a key."""
    return f"{key.name}+{key.key_id.hex()}"


def _uint64(value: str, what: str) -> int:
    if not _DECIMAL.match(value) or int(value) >= 2**64:
        raise MalformedNote(f"key rotation: {what} {value[:30]!r} is not a decimal uint64")
    return int(value)
