"""The map's layers (`api.web.map_view`), as RFC 7946 GeoJSON (`application/geo+json`).

`GET /v1/map/areas.geojson?on=YYYY-MM-DD`: the areas of Huế in force that day, each feature's
`id` its code, properties `code`, `name_vi`, `name_en`, `level`, `valid_from`, `valid_until`;
top-level `geometry_source` (`commune_boundaries` or `city_outline_only`), `source`,
`source_url` and `licence` of the boundaries.

`GET /v1/map/sites.geojson?on=YYYY-MM-DD`: the sites standing that day in the anchored log, each
feature's `id` its record id (64 hex digits, as `GET /v1/records` writes it), properties
`site_id`, `operator`, `operator_name`, `tenants`, `tenant_names` (the registry's name of each
tenant, null where it has none), `status`, `technologies`, `structure`, `height_m`, `area`,
`as_of`, `commissioned`, `out_of_service`, `record` (the record page's path); removed sites are
left out.

`GET /v1/map/routes.geojson?on=YYYY-MM-DD`: the cable routes standing that day in the anchored
log, each a LineString feature whose `id` is its record id, properties `route_id`, `owner`,
`owner_name`, `kind` (`aerial` or `underground`), `shared` (`poles`, `ducts` or null), `tenants`,
`tenant_names`, `status`, `areas`, `as_of`, `length_m` (geodesic, WGS84) and `record`; removed
routes are left out.

`GET /v1/map/sites/{site_id}/history`: every anchored version of a site, oldest first, each with
its `record_id` (64 hex digits) and record page; 404 `not_found` when the log holds no anchored
version of it.

`on` defaults to today in Việt Nam; a value that is not a calendar date `YYYY-MM-DD` is a 400
`invalid_date`.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Path, Query, Response

from api.errors import ApiError, NotFound
from api.http.days import DESCRIPTION, requested_day
from api.http.deps import LedgerDep, json_response
from api.http.openapi import ERROR_RESPONSES
from api.web.map_view import (
    GEOJSON_MEDIA_TYPE,
    areas_geojson,
    routes_geojson,
    site_history,
    sites_geojson,
)

router = APIRouter(tags=["map"], responses=ERROR_RESPONSES)

SITE_ID_PATTERN: Final = r"^[A-Z0-9][A-Z0-9._-]{0,63}$"

OnDay = Annotated[str | None, Query(alias="on", max_length=40, description=DESCRIPTION)]
"""`on`, its form checked by `requested_day`: a malformed one is a 400 `invalid_date`."""


class InvalidDay(ApiError):
    """The `on` parameter is not a calendar date written YYYY-MM-DD."""

    code = "invalid_date"
    http_status = 400


def _geojson(data: bytes) -> Response:
    return Response(data, media_type=GEOJSON_MEDIA_TYPE)


@router.get("/v1/map/areas.geojson", summary="Huế's areas in force on a day, as GeoJSON")
def map_areas(ledger: LedgerDep, on: OnDay = None) -> Response:
    return _geojson(areas_geojson(requested_day(on, ledger.node.clock(), InvalidDay)))


@router.get("/v1/map/sites.geojson", summary="The sites standing on a day, as GeoJSON")
def map_sites(ledger: LedgerDep, on: OnDay = None) -> Response:
    day = requested_day(on, ledger.node.clock(), InvalidDay)
    anchored = ledger.records.sizes().anchored_size
    names = tuple(sorted(ledger.node.directory.names().items()))
    return _geojson(sites_geojson(ledger.infrastructure, anchored, day, names))


@router.get("/v1/map/routes.geojson", summary="The cable routes standing on a day, as GeoJSON")
def map_routes(ledger: LedgerDep, on: OnDay = None) -> Response:
    day = requested_day(on, ledger.node.clock(), InvalidDay)
    anchored = ledger.records.sizes().anchored_size
    names = tuple(sorted(ledger.node.directory.names().items()))
    return _geojson(routes_geojson(ledger.infrastructure, anchored, day, names))


@router.get("/v1/map/sites/{site_id}/history", summary="Every anchored version of a site")
def map_site_history(
    ledger: LedgerDep, site_id: Annotated[str, Path(pattern=SITE_ID_PATTERN)]
) -> Response:
    anchored = ledger.records.sizes().anchored_size
    history = site_history(ledger.infrastructure, site_id, anchored)
    if not history["versions"]:
        raise NotFound(f"no anchored site {site_id} in this ledger")
    return json_response(history)
