"""Limits on what a request may send, enforced before anything is parsed.

The body is read from the stream with a byte budget (a `Content-Length` over it is refused
before reading); JSON nesting is measured on the raw bytes (strings removed, brackets counted),
so a hostile document never reaches a recursive parser.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Final

from fastapi import Request

from api.errors import RequestTooLarge, TooDeep

MAX_JSON_DEPTH: Final = 32
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
"""A JSON string, escapes included (the unrolled form: runs of plain bytes, matched three times
faster than one byte per alternation)."""
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DELTA: Final = [0] * 256
for _open in b"[{":
    _DELTA[_open] = 1
for _close in b"]}":
    _DELTA[_close] = -1


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with `RequestTooLarge` as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise RequestTooLarge(f"the body is {declared} bytes, limit {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestTooLarge(f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON text (strings are skipped)."""
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    return max(accumulate(map(_DELTA.__getitem__, brackets)))


def check_json_depth(data: bytes, max_depth: int = MAX_JSON_DEPTH, *, enclosing: int = 0
                     ) -> None:
    """Raise `TooDeep` when JSON text, inside `enclosing` levels of the document it was cut
    from, nests past `max_depth`. Text with no more brackets than it has room for cannot nest
    deeper, so most of it skips the measure."""
    room = max_depth - enclosing
    depth = 0 if data.count(b"[") + data.count(b"{") <= room else json_depth(data)
    if depth > room:
        raise TooDeep(f"the JSON nests {enclosing + depth} deep, limit {max_depth}")

