"""The open-data export (`api.open_data`, docs/open-data.md), taken at the latest anchored
checkpoint: `GET /v1/export/catalog.jsonld` (DCAT 3, `application/ld+json`) and
`GET /v1/export/{name}` for each of its distributions (CSV as a `text/csv` attachment, GeoJSON
as `application/geo+json`: `sites.geojson`, `routes.geojson`; the Frictionless
`datapackage.json`). `?size=N` takes them at the signed checkpoint of that tree size instead,
so that a downloader fetches every file of one catalogue at its size even when an anchor lands
in between (`infraledger-verify export` does). The files of one size are built once and kept
(the last `EXPORTS_KEPT` sizes); 404 `export_not_ready` before the first anchor or for a size
with no signed checkpoint, 404 `not_found` for another name.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Final

from fastapi import APIRouter, Response

from api.errors import NotFound
from api.http.deps import CheckpointSize, Ledger, LedgerDep
from api.http.openapi import ERROR_RESPONSES
from api.open_data import CATALOG, ExportNotReady, export_files, media_type, read_export
from ledger.storage.anchors import AnchorStore
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore

router = APIRouter(tags=["open data"], responses=ERROR_RESPONSES)

EXPORTS_KEPT: Final = 2
"""Exports kept in memory, each for one anchored size."""


def _files(ledger: Ledger, size: int | None) -> dict[str, bytes]:
    if size is None:
        latest = ledger.anchors.latest()
        if latest is None:
            raise ExportNotReady("no anchored checkpoint yet: nothing to export")
        size = latest.tree_size
    names = tuple(sorted(ledger.node.directory.names().items()))
    anchored = ledger.anchors.at(size) is not None
    return _export(ledger.records, ledger.node.store, ledger.anchors, size, anchored, names)


@lru_cache(maxsize=EXPORTS_KEPT)
def _export(records: RecordStore, store: LogStore, anchors: AnchorStore, size: int,
            anchored: bool, names: tuple[tuple[str, str], ...]) -> dict[str, bytes]:
    """Every file of the export at `size` (one size's files change only when its checkpoint
    gets its anchor, hence `anchored` in the key, or with a change of the registry's names)."""
    found, checkpoint = read_export(records, store, anchors, size)
    return export_files(found, checkpoint, dict(names))


def _file(name: str, files: dict[str, bytes]) -> Response:
    data = files.get(name)
    if data is None:
        raise NotFound(f"no export file {name[:80]!r}: see {CATALOG}")
    media = media_type(name)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'} \
        if media == "text/csv" else None
    return Response(data, media_type=media, headers=headers)


@router.get("/v1/export/catalog.jsonld",
            summary="The DCAT 3 catalogue of the open data, naming its signed checkpoint")
async def catalog(ledger: LedgerDep, size: CheckpointSize = None) -> Response:
    return _file(CATALOG, await asyncio.to_thread(_files, ledger, size))


@router.get("/v1/export/{name}", summary="One distribution of the open-data catalogue")
async def distribution(name: str, ledger: LedgerDep, size: CheckpointSize = None) -> Response:
    return _file(name, await asyncio.to_thread(_files, ledger, size))
