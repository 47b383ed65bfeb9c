"""C2SP transparency log checkpoints (c2sp.org/tlog-checkpoint): parsing and verification.

The note text is the origin, the decimal tree size (no leading zeros), the base64 root hash, then
optional non-empty extension lines, each line ending in a newline ("Note text").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

from verifier.encodings import decode_base64
from verifier.errors import MalformedBase64, MalformedCheckpoint, TrustMismatch
from verifier.rfc9162 import HASH_SIZE, RootHash
from verifier.signed_note import SignedNote, VerifierKey

MAX_TREE_SIZE: Final = 2**64 - 1
_DECIMAL: Final = re.compile(r"(0|[1-9][0-9]{0,19})\Z")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A log's claim that its tree of `size` leaves has Merkle root `root`."""

    origin: str
    size: int
    root: RootHash
    extensions: tuple[str, ...] = ()

    @staticmethod
    def parse(text: str) -> Checkpoint:
        """Parse a checkpoint note text (with its final newline; not the signatures).

        Raises `MalformedCheckpoint` for fewer than three lines, an empty origin, a size that is
        not canonical decimal below 2^64, a root that is not base64 of 32 bytes, or an empty
        extension line.
        """
        if not text.endswith("\n"):
            raise MalformedCheckpoint("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint(f"checkpoint has {len(lines)} lines, want at least 3")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise MalformedCheckpoint("checkpoint origin is empty")
        if not _DECIMAL.match(size_text) or int(size_text) > MAX_TREE_SIZE:
            raise MalformedCheckpoint(
                f"checkpoint size: got {size_text[:30]!r}, want decimal without leading zeros"
            )
        try:
            root = decode_base64(root_text, what="checkpoint root", size=HASH_SIZE)
        except MalformedBase64 as exc:
            raise MalformedCheckpoint(str(exc)) from exc
        if any(not line for line in extensions):
            raise MalformedCheckpoint("checkpoint extension lines must be non-empty")
        return Checkpoint(
            origin=origin, size=int(size_text), root=RootHash(root), extensions=tuple(extensions)
        )


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint with the signed note that carries it (signatures not yet verified)."""

    checkpoint: Checkpoint
    note: SignedNote

    @staticmethod
    @functools.lru_cache(maxsize=256)
    def parse(note: str) -> SignedCheckpoint:
        """Parse a signed note whose text is a checkpoint; raises `MalformedNote` or
        `MalformedCheckpoint`.

        Cached: the bundles of one log mostly carry the same few anchored checkpoints, and the
        result is immutable.
        """
        signed = SignedNote.parse(note)
        return SignedCheckpoint(checkpoint=Checkpoint.parse(signed.text), note=signed)

    def verify(self, *, origin: str, key: VerifierKey) -> Checkpoint:
        """Check the log's signature by `key` and the origin; return the checkpoint.

        Raises `NoteSignatureError` (no valid signature by the key) or `TrustMismatch` (another
        origin than the pinned one).
        """
        self.note.verify(key)
        if self.checkpoint.origin != origin:
            raise TrustMismatch(
                f"checkpoint origin: got {self.checkpoint.origin!r}, want {origin!r}"
            )
        return self.checkpoint
