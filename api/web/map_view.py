"""The map's layers as RFC 7946 GeoJSON: Huế's areas in force on a day, and the sites and cable
routes standing on a day, drawn by the map page (`/map`, `static/map.mjs`) and served by
`api.routes.map`.

Areas: every area in force on the day is a feature (`id` its code), with the boundary the
project holds for it (`filings.areas.Geometry`: the 40 commune-level units from 2025-07-01 and
the city's outline); an area with no boundary on file (the units before 2025-07-01) is a feature
with `"geometry": null`, which RFC 7946 section 3.2 allows. The top-level `geometry_source` says
which: `commune_boundaries` (every commune in force has its own) or `city_outline_only`.

Sites: each site's latest version with `as_of` on or before the day, among the records covered
by an anchor (the map shows what anyone can verify, as the home page does); a removed site is
left out. Routes: the same rule for `route/1`, each a LineString with its geodesic length
(`filings.infrastructure.route_length_m`). Each layer is serialised once per (areas in force) or
(anchored size, day) and served from memory.

Names and ids. A feature's `id`, and every `record_id`, is the record id as `GET /v1/records`
writes it (64 hex digits, no `0x`). Beside each 0x address, the name the operator registry gives
it: `operator_name` (a site's operator), `owner_name` (a route's owner) and `tenant_names` (one
per `tenants` entry, in the same order), None for an address the registry does not name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

import orjson

from api.infrastructure import InfraState, InfrastructureBook
from filings.areas import Area, load_areas
from filings.infrastructure import ROUTE_KIND, SITE_KIND, RouteBody, route_length_m

GEOJSON_MEDIA_TYPE: Final = "application/geo+json"
BOUNDARY_SOURCE_URL: Final = "https://github.com/thanglequoc/vietnamese-provinces-database"
BOUNDARY_LICENCE: Final = "MIT, © 2021 Thang Le Quoc"
"""The licence of the boundary data (`filings/data/sources/hue-areas/LICENSE`)."""
REMOVED: Final = "removed"
LENGTH_DECIMALS: Final = 1
"""A route's length on the map, in metres to the decimetre."""


# -- areas ------------------------------------------------------------------------------------


@cache
def _boundaries(file: str) -> Mapping[str, Any]:
    """The geometries of the packaged GeoJSON file `filings/data/<file>`, by feature id."""
    text = resources.files("filings.data").joinpath(file).read_text(encoding="utf-8")
    return {str(feature["id"]): feature["geometry"] for feature in json.loads(text)["features"]}


def _area_feature(area: Area) -> dict[str, Any]:
    geometry = None if area.geometry is None else \
        _boundaries(area.geometry.file)[area.geometry.feature]
    return {
        "type": "Feature",
        "id": area.code,
        "properties": {
            "code": area.code,
            "name_vi": area.name_vi,
            "name_en": area.name_en,
            "level": area.level,
            "valid_from": None if area.valid_from is None else area.valid_from.isoformat(),
            "valid_until": None if area.valid_to is None else area.valid_to.isoformat(),
        },
        "geometry": geometry,
    }


@lru_cache(maxsize=8)
def _areas_geojson(areas: tuple[Area, ...]) -> bytes:
    communes = [area for area in areas if area.level == "commune"]
    complete = bool(communes) and all(area.geometry is not None for area in communes)
    sources = sorted({area.geometry.source for area in areas if area.geometry is not None})
    return orjson.dumps({
        "type": "FeatureCollection",
        "geometry_source": "commune_boundaries" if complete else "city_outline_only",
        "source": "; ".join(sources),
        "source_url": BOUNDARY_SOURCE_URL,
        "licence": BOUNDARY_LICENCE,
        "features": [_area_feature(area) for area in areas],
    })


def areas_geojson(day: date) -> bytes:
    """The areas in force on `day` as a FeatureCollection (module doc), serialised; the same
    bytes for every day with the same areas."""
    return _areas_geojson(load_areas().on(day))


# -- sites ------------------------------------------------------------------------------------


def bare_id(record_id: str) -> str:
    """A record id as `GET /v1/records` and the export write it: 64 hex digits, no `0x`."""
    return record_id.removeprefix("0x")


def record_path(record_id: str) -> str:
    """The record page of a record id (with or without `0x`)."""
    return f"/records/{bare_id(record_id)}"


def _names_of(addresses: list[str], names: Mapping[str, str]) -> list[str | None]:
    """The registry name of each address, None where it has none: clients show names."""
    return [names.get(address) for address in addresses]


def _site_feature(state: InfraState, body: Mapping[str, Any], names: Mapping[str, str]
                  ) -> dict[str, Any]:
    position = body["position"]
    return {
        "type": "Feature",
        "id": bare_id(state.record_id),
        "properties": {
            "site_id": body["site_id"],
            "operator": state.operator,
            "operator_name": names.get(state.operator),
            "tenants": body["tenants"],
            "tenant_names": _names_of(body["tenants"], names),
            "status": body["status"],
            "technologies": body["technologies"],
            "structure": body["structure"],
            "height_m": body["height_m"],
            "area": body["area"],
            "as_of": body["as_of"],
            "commissioned": body["commissioned"],
            "out_of_service": body["out_of_service"],
            "record": record_path(state.record_id),
        },
        "geometry": {"type": "Point", "coordinates": [position["lon"], position["lat"]]},
    }


def standing(book: InfrastructureBook, day: date, anchored_size: int,
             kind: str = SITE_KIND) -> list[InfraState]:
    """Each thing's latest version with `as_of` <= `day` among records with an index below
    `anchored_size`: where the book's latest is not anchored yet, the latest one that is."""
    found = []
    for state in book.on(day, kind):
        if state.index >= anchored_size:
            earlier = [item for item in book.history(kind, state.thing_id)
                       if item.index < anchored_size and item.body.as_of <= day]
            if not earlier:
                continue
            state = max(earlier, key=lambda item: (item.body.as_of, item.index))
        found.append(state)
    return found


@lru_cache(maxsize=16)
def sites_geojson(book: InfrastructureBook, anchored_size: int, day: date,
                  names: tuple[tuple[str, str], ...]) -> bytes:
    """The sites standing on `day` in the log at `anchored_size` as a FeatureCollection
    (module doc), serialised once per (book, anchored size, day, operator names)."""
    named = dict(names)
    features = []
    for state in standing(book, day, anchored_size):
        if state.body.status != REMOVED:
            features.append(_site_feature(state, state.body.model_dump(mode="json"), named))
    return orjson.dumps({"type": "FeatureCollection", "on": day.isoformat(),
                         "anchored_size": anchored_size, "features": features})


def _route_feature(state: InfraState, body: RouteBody, names: Mapping[str, str]
                   ) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": bare_id(state.record_id),
        "properties": {
            "route_id": body.route_id,
            "owner": state.operator,
            "owner_name": names.get(state.operator),
            "kind": body.placement,
            "shared": body.shared,
            "tenants": body.tenants,
            "tenant_names": _names_of(body.tenants, names),
            "status": body.status,
            "areas": body.areas,
            "as_of": body.as_of.isoformat(),
            "length_m": round(route_length_m(body), LENGTH_DECIMALS),
            "record": record_path(state.record_id),
        },
        "geometry": body.geometry.model_dump(mode="json"),
    }


@lru_cache(maxsize=16)
def routes_geojson(book: InfrastructureBook, anchored_size: int, day: date,
                   names: tuple[tuple[str, str], ...]) -> bytes:
    """The cable routes standing on `day` in the log at `anchored_size` as a FeatureCollection
    of LineStrings (`api.routes.map`), serialised once per (book, anchored size, day, names)."""
    named = dict(names)
    features = [_route_feature(state, state.body, named)
                for state in standing(book, day, anchored_size, ROUTE_KIND)
                if isinstance(state.body, RouteBody) and state.body.status != REMOVED]
    return orjson.dumps({"type": "FeatureCollection", "on": day.isoformat(),
                         "anchored_size": anchored_size, "features": features})


def site_history(book: InfrastructureBook, site_id: str, anchored_size: int) -> dict[str, Any]:
    """Every anchored version of one site, oldest first: record id and page, `as_of`, status
    and when it was filed."""
    return {"site_id": site_id, "versions": [
        {"record_id": bare_id(state.record_id), "record": record_path(state.record_id),
         "as_of": state.body.as_of.isoformat(), "status": state.body.status,
         "filed_at": state.filed_at}
        for state in book.history(SITE_KIND, site_id) if state.index < anchored_size]}
