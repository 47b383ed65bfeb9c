"""C2SP tlog-tiles (c2sp.org/tlog-tiles) under `/tlog/`: the checkpoint, tiles and entry
bundles, so any tlog client can rebuild proofs without the JSON API.

Tiles are served within the latest checkpoint. A full tile never changes: it is cached for a
year as immutable; a partial tile (`.p/<W>`) or the checkpoint may be replaced by a larger one.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Response

from api.errors import NotFound
from api.http.deps import LedgerDep
from api.http.openapi import ERROR_RESPONSES
from ledger.errors import ProofError
from ledger.tiles import TILE_WIDTH, parse_tile_path

router = APIRouter(prefix="/tlog", tags=["tlog-tiles"], responses=ERROR_RESPONSES)

IMMUTABLE: Final = "public, max-age=31536000, immutable"
SHORT_LIVED: Final = "public, max-age=1"


@router.get("/checkpoint", summary="The latest signed checkpoint note (text/plain)",
            response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
def checkpoint(ledger: LedgerDep) -> Response:
    stored = ledger.node.store.latest_checkpoint()
    if stored is None:
        raise NotFound("the log has no checkpoint yet")
    return Response(stored.note, media_type="text/plain; charset=utf-8",
                    headers={"Cache-Control": SHORT_LIVED})


@router.get("/tile/{path:path}", summary="A Merkle tile or an entry bundle",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def tile(path: str, ledger: LedgerDep) -> Response:
    try:
        tile_id = parse_tile_path("tile/" + path)
        data = ledger.node.proofs.tile(tile_id)
    except ProofError as exc:
        raise NotFound(str(exc)) from exc
    cache = IMMUTABLE if tile_id.width == TILE_WIDTH else SHORT_LIVED
    return Response(data, media_type="application/octet-stream",
                    headers={"Cache-Control": cache})
