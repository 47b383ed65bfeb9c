"""C2SP tlog-tiles (c2sp.org/tlog-tiles) with tile height 8: paths, tiles and entry bundles.

A tile at level L holds up to 256 consecutive hashes of level L: leaf hashes at level 0, and at
level L > 0 the roots of the full tiles of level L - 1. The rightmost tile of a level is partial
(width 1..255) when the level's hash count is not a multiple of 256. Entry bundles hold the
leaves of a level-0 tile as big-endian uint16 length-prefixed entries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from verifier.errors import MalformedLedgerResponse
from verifier.rfc9162 import HASH_SIZE, NodeHash, node_hash

TILE_WIDTH: Final = 256
"""Hashes in a full tile: 2^8, tile height 8."""


@dataclass(frozen=True, slots=True)
class Tile:
    """The expected content of one tile: `width` is None for a full tile."""

    level: int
    index: int
    width: int | None
    hashes: tuple[NodeHash, ...]


def tile_index_path(index: int) -> str:
    """Encode a tile index as 3-digit path elements, all but the last prefixed with `x`.

    1234067 becomes `x001/x234/067`.
    """
    groups = [f"{index % 1000:03d}"]
    index //= 1000
    while index:
        groups.append(f"x{index % 1000:03d}")
        index //= 1000
    return "/".join(reversed(groups))


def tile_path(level: int, index: int, width: int | None) -> str:
    """Return `tile/<L>/<N>[.p/<W>]`."""
    partial = "" if width is None else f".p/{width}"
    return f"tile/{level}/{tile_index_path(index)}{partial}"


def entry_bundle_path(index: int, width: int | None) -> str:
    """Return `tile/entries/<N>[.p/<W>]`."""
    partial = "" if width is None else f".p/{width}"
    return f"tile/entries/{tile_index_path(index)}{partial}"


def bundle_widths(size: int) -> Iterator[tuple[int, int | None]]:
    """Yield (index, width or None) of the entry bundles that hold a tree of `size` leaves."""
    full, rest = divmod(size, TILE_WIDTH)
    for index in range(full):
        yield index, None
    if rest:
        yield full, rest


def parse_entry_bundle(data: bytes, count: int, *, what: str) -> list[bytes]:
    """Split an entry bundle into exactly `count` entries; raises `MalformedLedgerResponse`."""
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise MalformedLedgerResponse(f"{what}: truncated length prefix at byte {offset}")
        length = int.from_bytes(data[offset : offset + 2], "big")
        offset += 2
        if offset + length > len(data):
            raise MalformedLedgerResponse(f"{what}: entry {len(entries)} is truncated")
        entries.append(data[offset : offset + length])
        offset += length
    if len(entries) != count:
        raise MalformedLedgerResponse(f"{what}: got {len(entries)} entries, want {count}")
    return entries


def parse_tile(data: bytes, width: int, *, what: str) -> list[NodeHash]:
    """Split a tile into `width` hashes; raises `MalformedLedgerResponse` for another length."""
    if len(data) != width * HASH_SIZE:
        raise MalformedLedgerResponse(f"{what}: got {len(data)} bytes, want {width * HASH_SIZE}")
    return [NodeHash(data[i : i + HASH_SIZE]) for i in range(0, len(data), HASH_SIZE)]


def expected_tiles(leaves: Sequence[NodeHash]) -> Iterator[Tile]:
    """Yield every tile of the tree whose leaf hashes are `leaves`, level by level."""
    hashes = list(leaves)
    level = 0
    while hashes:
        full, rest = divmod(len(hashes), TILE_WIDTH)
        for index in range(full):
            chunk = hashes[index * TILE_WIDTH : (index + 1) * TILE_WIDTH]
            yield Tile(level, index, None, tuple(chunk))
        if rest:
            yield Tile(level, full, rest, tuple(hashes[full * TILE_WIDTH :]))
        hashes = [_perfect_root(hashes[i * TILE_WIDTH : (i + 1) * TILE_WIDTH]) for i in range(full)]
        level += 1


def _perfect_root(hashes: Sequence[NodeHash]) -> NodeHash:
    """Return the root of a perfect subtree whose bottom level is `hashes` (2^k of them)."""
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]
