"""C2SP tlog-tiles (c2sp.org/tlog-tiles): tile paths, tile contents and entry bundles.

A tile at level L and index N holds the hashes of tree level 8L, nodes [256N, 256N + W); a full
tile has W = 256, a partial one is addressed with a `.p/W` suffix. Entry bundles hold the leaf
data of 256 consecutive entries, each prefixed with its length as a big-endian uint16.

Paths are relative to the log's prefix (`/tlog/` on the API, the exported directory on disk):
`checkpoint`, `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`. A path fixes its contents:
a tile at a given level, index and width never changes, so it is written or cached once; only
the checkpoint is replaced (spec sections "Checkpoints", "Merkle Tree", "Log entries").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from ledger.errors import ProofError
from ledger.merkle import NodeId

TILE_HEIGHT: Final = 8
TILE_WIDTH: Final = 1 << TILE_HEIGHT
ENTRIES_LEVEL: Final = -1
"""The level used in `TileId` for entry bundles (`tile/entries/...`)."""
CHECKPOINT_PATH: Final = "checkpoint"
"""The signed checkpoint's path below the log's prefix (C2SP tlog-tiles, "Checkpoints")."""

_INDEX = re.compile(r"(?:x[0-9]{3}/)*[0-9]{3}\Z")


@dataclass(frozen=True, slots=True)
class TileId:
    """A tile (level >= 0) or an entry bundle (level == ENTRIES_LEVEL), `width` in 1..256."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def full(self) -> bool:
        """True for a full tile (256 hashes or entries), False for a partial one."""
        return self.width == TILE_WIDTH

    def path(self) -> str:
        """The path below the log's prefix, e.g. `tile/0/x001/x234/067.p/8`."""
        suffix = "" if self.full else f".p/{self.width}"
        return f"{self._full_path()}{suffix}"

    def partials_path(self) -> str:
        """The directory below the log's prefix that holds the partial tiles of this index,
        e.g. `tile/0/x001/x234/067.p` (each width is a file in it)."""
        return f"{self._full_path()}.p"

    def _full_path(self) -> str:
        level = "entries" if self.level == ENTRIES_LEVEL else str(self.level)
        return f"tile/{level}/{encode_index(self.index)}"

    def node_range(self) -> tuple[int, int, int]:
        """The tree level and the node index range [begin, end) the tile holds."""
        begin = self.index * TILE_WIDTH
        level = 0 if self.level == ENTRIES_LEVEL else self.level * TILE_HEIGHT
        return level, begin, begin + self.width

    def node_ids(self) -> list[NodeId]:
        level, begin, end = self.node_range()
        return [NodeId(level, i) for i in range(begin, end)]

    def check_within(self, tree_size: int) -> None:
        """Raise `ProofError` unless this tile exists in a tree of `tree_size` leaves."""
        level, _, end = self.node_range()
        if end > tree_size >> level:
            raise ProofError(f"{self.path()} is beyond tree size {tree_size}")


def encode_index(index: int) -> str:
    """C2SP tlog-tiles index encoding: groups of three digits, all but the last with 'x'."""
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*("x" + g for g in groups[:-1]), groups[-1]])


def parse_tile_path(path: str) -> TileId:
    """Parse `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`; raises `ProofError`."""
    parts = path.split("/", 2)
    if len(parts) != 3 or parts[0] != "tile":
        raise ProofError(f"tile path {path[:80]!r}: want tile/<level>/<index>")
    _, level_text, rest = parts
    width = TILE_WIDTH
    if ".p/" in rest:
        rest, width_text = rest.split(".p/", 1)
        if not width_text.isdigit() or not 1 <= int(width_text) < TILE_WIDTH \
                or width_text != str(int(width_text)):
            raise ProofError(f"tile path {path[:80]!r}: partial width must be 1..255")
        width = int(width_text)
    if not _INDEX.match(rest):
        raise ProofError(f"tile path {path[:80]!r}: malformed index")
    index = int(rest.replace("x", "").replace("/", ""))
    if encode_index(index) != rest:
        raise ProofError(f"tile path {path[:80]!r}: non-canonical index")
    if level_text == "entries":
        return TileId(ENTRIES_LEVEL, index, width)
    if not level_text.isdigit() or level_text != str(int(level_text)) or int(level_text) > 63:
        raise ProofError(f"tile path {path[:80]!r}: malformed level")
    return TileId(int(level_text), index, width)


def tile_ids(tree_size: int) -> list[TileId]:
    """Every tile and entry bundle of a tree of `tree_size` leaves (full and partial)."""
    ids: list[TileId] = []
    level = 0
    while (count := tree_size >> (level * TILE_HEIGHT)) > 0:
        ids += _tiles_of(level, count)
        level += 1
    ids += [TileId(ENTRIES_LEVEL, t.index, t.width) for t in _tiles_of(0, tree_size)]
    return ids


def tiles_grown(old_size: int, new_size: int) -> list[TileId]:
    """The tiles and entry bundles of a tree of `new_size` leaves that one of `old_size` lacks.

    These are what a log publishing a checkpoint of `new_size` after one of `old_size` must add:
    every tile that became full in between, and the rightmost partial tile of each level whose
    width changed. Equal to `set(tile_ids(new_size)) - set(tile_ids(old_size))`, in the order
    of `tile_ids`, in time proportional to the answer. Requires 0 <= old_size <= new_size;
    raises `ProofError` otherwise.
    """
    if not 0 <= old_size <= new_size:
        raise ProofError(f"tiles grown from size {old_size} to {new_size}: want "
                         f"0 <= old size <= new size")
    ids: list[TileId] = []
    level = 0
    while (count := new_size >> (level * TILE_HEIGHT)) > (old := old_size >> (level * TILE_HEIGHT)):
        ids += _grown_of(level, old, count)
        level += 1
    if new_size > old_size:
        ids += [TileId(ENTRIES_LEVEL, t.index, t.width) for t in _grown_of(0, old_size, new_size)]
    return ids


def _grown_of(level: int, old_count: int, count: int) -> list[TileId]:
    """The tiles of a level with `count` hashes that the same level with `old_count` lacks
    (requires old_count < count: the rightmost partial tile always changes)."""
    full, rest = divmod(count, TILE_WIDTH)
    ids = [TileId(level, i) for i in range(old_count // TILE_WIDTH, full)]
    if rest:
        ids.append(TileId(level, full, rest))
    return ids


def _tiles_of(level: int, count: int) -> list[TileId]:
    full, rest = divmod(count, TILE_WIDTH)
    ids = [TileId(level, i) for i in range(full)]
    if rest:
        ids.append(TileId(level, full, rest))
    return ids


def entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Concatenate entries, each prefixed with its big-endian uint16 length."""
    out = bytearray()
    for data in entries:
        if len(data) > 0xFFFF:
            raise ProofError(f"entry of {len(data)} bytes does not fit an entry bundle")
        out += len(data).to_bytes(2, "big") + data
    return bytes(out)


def parse_entry_bundle(bundle: bytes) -> list[bytes]:
    """Split an entry bundle into entries; raises `ProofError` if it is truncated."""
    entries, offset = [], 0
    while offset < len(bundle):
        if offset + 2 > len(bundle):
            raise ProofError("entry bundle: truncated length prefix")
        length = int.from_bytes(bundle[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(bundle):
            raise ProofError("entry bundle: truncated entry")
        entries.append(bundle[offset : offset + length])
        offset += length
    return entries
