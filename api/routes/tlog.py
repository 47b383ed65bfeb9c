"""C2SP tlog-tiles (c2sp.org/tlog-tiles) under `/tlog/`: the checkpoint, tiles and entry
bundles, so any tlog client can rebuild proofs without the JSON API.

Tiles are served within the latest checkpoint. A full tile never changes: it is cached for a
year as immutable; a partial tile (`.p/<W>`) or the checkpoint may be superseded by a larger
one, so they are cached for 2 seconds ("Checkpoints": "headers SHOULD prevent caching beyond a
few seconds"). Every answer carries an ETag of its bytes. These routes are the origin of
`api.http.read_path`, which keeps their answers in memory and answers from there.
"""

from __future__ import annotations

import hashlib
from typing import Final

from fastapi import APIRouter, Response

from api.errors import NotFound
from api.http.deps import LedgerDep
from api.http.openapi import ERROR_RESPONSES
from ledger.errors import ProofError
from ledger.tiles import parse_tile_path

router = APIRouter(prefix="/tlog", tags=["tlog-tiles"], responses=ERROR_RESPONSES)

IMMUTABLE: Final = "public, max-age=31536000, immutable"
SHORT_LIVED: Final = "public, max-age=2"
CHECKPOINT_TYPE: Final = "text/plain; charset=utf-8"
TILE_TYPE: Final = "application/octet-stream"


def etag(data: bytes) -> str:
    """A strong ETag of an answer's bytes (the first 128 bits of their SHA-256, quoted)."""
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


@router.get("/checkpoint", summary="The latest signed checkpoint note (text/plain)",
            response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def checkpoint(ledger: LedgerDep) -> Response:
    stored = ledger.node.store.latest_checkpoint()
    if stored is None:
        raise NotFound("the log has no checkpoint yet")
    data = stored.note.encode()
    return Response(data, media_type=CHECKPOINT_TYPE,
                    headers={"Cache-Control": SHORT_LIVED, "ETag": etag(data)})


@router.get("/tile/{path:path}", summary="A Merkle tile or an entry bundle",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def tile(path: str, ledger: LedgerDep) -> Response:
    try:
        tile_id = parse_tile_path("tile/" + path)
        data = ledger.node.proofs.tile(tile_id)
    except ProofError as exc:
        raise NotFound(str(exc)) from exc
    cache = IMMUTABLE if tile_id.full else SHORT_LIVED
    return Response(data, media_type=TILE_TYPE,
                    headers={"Cache-Control": cache, "ETag": etag(data)})
