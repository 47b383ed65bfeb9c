"""C2SP transparency log proofs (c2sp.org/tlog-proof@v1): parsing.

The text is the line `c2sp.org/tlog-proof@v1`, an optional `extra <base64>` line, `index <N>`,
zero or more base64 inclusion proof hashes (leaf sibling first), a blank line, and the signed
checkpoint note verbatim ("Format").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from verifier.checkpoint import SignedCheckpoint
from verifier.encodings import decode_base64
from verifier.errors import MalformedBase64, MalformedTlogProof
from verifier.rfc9162 import HASH_SIZE, NodeHash

HEADER: Final = "c2sp.org/tlog-proof@v1"
MAX_PROOF_HASHES: Final = 64
"""A tree of fewer than 2^64 leaves has inclusion proofs of at most 64 hashes."""

_INDEX: Final = re.compile(r"index (0|[1-9][0-9]{0,19})\Z")


@dataclass(frozen=True, slots=True)
class TlogProof:
    """An entry's index, its inclusion proof, and the signed checkpoint the proof leads to.

    `extra` is the unauthenticated opaque data of the `extra` line (None when absent); the spec
    forbids trusting it and the verifier never uses it.
    """

    index: int
    hashes: tuple[NodeHash, ...]
    checkpoint: SignedCheckpoint
    extra: bytes | None = None

    @staticmethod
    def parse(text: str) -> TlogProof:
        """Parse a tlog-proof text.

        Raises `MalformedTlogProof` for a wrong header, index or hash line, more than 64 hashes,
        or a missing blank line; `MalformedNote` or `MalformedCheckpoint` for the checkpoint.
        """
        header, _, rest = text.partition("\n")
        if header != HEADER:
            raise MalformedTlogProof(f"tlog-proof header: got {header[:40]!r}, want {HEADER!r}")
        line, _, rest = rest.partition("\n")
        extra = None
        if line.startswith("extra "):
            extra = _decode(line.removeprefix("extra "), "tlog-proof extra data", None)
            line, _, rest = rest.partition("\n")
        match = _INDEX.match(line)
        if match is None:
            raise MalformedTlogProof(
                f"tlog-proof index line: got {line[:40]!r}, want 'index N' without leading zeros"
            )
        hashes: list[NodeHash] = []
        while True:
            line, newline, rest = rest.partition("\n")
            if not newline:
                raise MalformedTlogProof("tlog-proof has no blank line before its checkpoint")
            if not line:
                break
            if len(hashes) == MAX_PROOF_HASHES:
                raise MalformedTlogProof(f"tlog-proof has more than {MAX_PROOF_HASHES} hashes")
            hashes.append(NodeHash(_decode(line, f"tlog-proof hash {len(hashes)}", HASH_SIZE)))
        return TlogProof(
            index=int(match.group(1)),
            hashes=tuple(hashes),
            checkpoint=SignedCheckpoint.parse(rest),
            extra=extra,
        )


def _decode(text: str, what: str, size: int | None) -> bytes:
    """Decode base64 of a tlog-proof line, reporting errors as `MalformedTlogProof`."""
    try:
        return decode_base64(text, what=what, size=size)
    except MalformedBase64 as exc:
        raise MalformedTlogProof(str(exc)) from exc
