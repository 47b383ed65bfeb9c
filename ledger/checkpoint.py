"""C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed statement of a log's size and root.

Body: the origin line, the decimal tree size, the base64 root hash, then optional extension lines.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from ledger.errors import NoteError
from ledger.merkle import HASH_SIZE, Hash
from ledger.note import Signer, Verifier, open_note

_DECIMAL = re.compile(r"(0|[1-9][0-9]{0,19})\Z")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's origin, tree size and root hash (plus extension lines, usually none)."""

    origin: str
    size: int
    root: Hash
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        """The checkpoint body, each line ending in a newline."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(),
                 *self.extensions]
        return "".join(line + "\n" for line in lines)

    def sign(self, signer: Signer) -> str:
        """The signed note of this checkpoint."""
        return signer.sign(self.text())

    @staticmethod
    def parse(text: str) -> Checkpoint:
        """Parse a checkpoint body; raises `NoteError` on any malformation."""
        if not text.endswith("\n"):
            raise NoteError("checkpoint: text must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError(f"checkpoint: got {len(lines)} lines, want at least 3")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise NoteError("checkpoint: empty origin")
        if not _DECIMAL.match(size_text) or int(size_text) >= 2**64:
            raise NoteError(f"checkpoint: size {size_text[:30]!r} is not a decimal uint64")
        try:
            root = base64.b64decode(root_text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise NoteError("checkpoint: root is not base64") from exc
        if len(root) != HASH_SIZE:
            raise NoteError(f"checkpoint: root is {len(root)} bytes, want {HASH_SIZE}")
        if any(not line for line in extensions):
            raise NoteError("checkpoint: empty extension line")
        return Checkpoint(origin, int(size_text), Hash(root), tuple(extensions))


def open_checkpoint(note: str, origin: str, verifier: Verifier) -> Checkpoint:
    """Verify a signed checkpoint note by `verifier` and check its origin; raises `NoteError`."""
    checkpoint = Checkpoint.parse(open_note(note, verifier))
    if checkpoint.origin != origin:
        raise NoteError(f"checkpoint: origin {checkpoint.origin!r}, want {origin!r}")
    return checkpoint
