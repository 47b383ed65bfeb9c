"""Signed receipts: the log's promise of the index it gave each leaf, as a C2SP signed note.

One receipt covers the entries one `append` call (one request) placed, duplicates included, and
not those it refused (`ledger.storage.store.Sequenced.refused`). Its text cannot be mistaken for
a checkpoint, whose second line is a bare decimal size:

    infraledger-receipt/v1
    origin <log origin>
    time <unix seconds of the durable commit>
    <index> <base64 leaf hash>
    ...
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final

from ledger.errors import NoteError
from ledger.merkle import HASH_SIZE, LeafHash
from ledger.note import Signer, Verifier, open_note

HEADER: Final = "infraledger-receipt/v1"


@dataclass(frozen=True, slots=True)
class Receipt:
    """The log's statement that each leaf hash sits at its index since `time`."""

    origin: str
    time: int
    leaves: tuple[tuple[int, LeafHash], ...]

    def text(self) -> str:
        lines = [HEADER, f"origin {self.origin}", f"time {self.time}"]
        lines += [f"{index} {base64.b64encode(leaf).decode()}" for index, leaf in self.leaves]
        return "".join(line + "\n" for line in lines)

    def sign(self, signer: Signer) -> str:
        return signer.sign(self.text())

    @staticmethod
    def parse(text: str) -> Receipt:
        """Parse a receipt body; raises `NoteError` on any malformation."""
        lines = text.removesuffix("\n").split("\n")
        if len(lines) < 4 or lines[0] != HEADER:
            raise NoteError(f"receipt: want a {HEADER} note with at least one leaf")
        if not lines[1].startswith("origin ") or not lines[2].startswith("time "):
            raise NoteError("receipt: want 'origin' and 'time' lines")
        try:
            time = int(lines[2][5:])
            leaves = []
            for line in lines[3:]:
                index_text, leaf_text = line.split(" ")
                leaf = base64.b64decode(leaf_text, validate=True)
                if len(leaf) != HASH_SIZE:
                    raise NoteError("receipt: a leaf hash is not 32 bytes")
                leaves.append((int(index_text), LeafHash(leaf)))
        except (ValueError, binascii.Error) as exc:
            raise NoteError(f"receipt: malformed line ({exc})") from exc
        return Receipt(lines[1][7:], time, tuple(leaves))


def open_receipt(note: str, origin: str, verifier: Verifier) -> Receipt:
    """Verify a signed receipt and its origin; raises `NoteError`."""
    receipt = Receipt.parse(open_note(note, verifier))
    if receipt.origin != origin:
        raise NoteError(f"receipt: origin {receipt.origin!r}, want {origin!r}")
    return receipt
