"""The open-data export (`api.open_data`, docs/open-data.md), taken at the latest anchored
checkpoint: `GET /v1/export/catalog.jsonld` (DCAT 3, `application/ld+json`) and
`GET /v1/export/{name}` for each of its distributions (CSV as a `text/csv` attachment, GeoJSON
as `application/geo+json`: `sites.geojson`, `routes.geojson`; the Frictionless
`datapackage.json`). The files of one anchored size are built once and kept (the
last `EXPORTS_KEPT` sizes); 404 `export_not_ready` before the first anchor, 404 `not_found` for
another name.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Final

from fastapi import APIRouter, Response

from api.errors import NotFound
from api.http.deps import Ledger, LedgerDep
from api.http.openapi import ERROR_RESPONSES
from api.open_data import CATALOG, ExportNotReady, export_files, media_type, read_export
from ledger.storage.anchors import AnchorStore
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore

router = APIRouter(tags=["open data"], responses=ERROR_RESPONSES)

EXPORTS_KEPT: Final = 2
"""Exports kept in memory, each for one anchored size."""


def _files(ledger: Ledger) -> dict[str, bytes]:
    latest = ledger.anchors.latest()
    if latest is None:
        raise ExportNotReady("no anchored checkpoint yet: nothing to export")
    names = tuple(sorted(ledger.node.directory.names().items()))
    return _export(ledger.records, ledger.node.store, ledger.anchors, latest.tree_size, names)


@lru_cache(maxsize=EXPORTS_KEPT)
def _export(records: RecordStore, store: LogStore, anchors: AnchorStore, size: int,
            names: tuple[tuple[str, str], ...]) -> dict[str, bytes]:
    """Every file of the export at anchored `size` (it changes only with a new anchor or a
    change of the registry's names)."""
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
async def catalog(ledger: LedgerDep) -> Response:
    return _file(CATALOG, await asyncio.to_thread(_files, ledger))


@router.get("/v1/export/{name}", summary="One distribution of the open-data catalogue")
async def distribution(name: str, ledger: LedgerDep) -> Response:
    return _file(name, await asyncio.to_thread(_files, ledger))
