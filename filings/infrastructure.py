"""Infrastructure records: the bodies of `site/1` (a BTS site), `route/1` (a cable route),
`duct/1` (a cable duct or manhole) and `siteowner/1` (who owns a rooftop site's building), and
the rules each body keeps on its own.

Each record states one thing's state as of `as_of` (`YYYY-MM-DD`, not after the day it is signed
in Việt Nam's calendar: `AsOfAfterSigning`). A new state is a new record with the same subject
that supersedes the subject's latest record; who may file it is `filings.admission`'s rule.

Subjects: `site:<site_id>`, `route:<route_id>`, `duct:<duct_id>`, `siteowner:<site_id>`, the
ids being the owner's own (`[A-Z0-9][A-Z0-9._-]{0,63}`, e.g. `VNPT-HUE-00123`).

Places. `area` is the commune-level code in force on `as_of` (`filings.areas`), and the
position must lie inside that area's polygon as it stood on that day (point in polygon over the
GeoJSON polygons and multipolygons of `filings/data`, holes included; `OutsideArea`). The
project holds commune polygons from 2025-07-01 on (`areas-2025-07-01.geojson`) and the outline
of Huế for every day (`city-2025.geojson`: the territory of the province and of the city is the
same); for a day before 2025-07-01 a commune has no polygon here, and the position is checked
against the finest geometry there is, the outline of Huế. A route's points must all lie inside
the outline of Huế on `as_of`, and each of its `areas` must be a commune-level code in force.
When the project holds the polygons of the listed communes on `as_of`, the areas must be the
line's: every point lies in one of them, and each of them holds a point or is crossed by a
segment (a segment meets an edge of its polygon); else `OutsideArea`. A commune the line crosses
without listing it is not refused: the points are what is checked, as they are for a site.

VN-2000. A site or duct may carry its position as surveyed in VN-2000 (`vn2000`: `x` northing,
`y` easting in metres, `zone` the TM-3 zone named by its central meridian, `DDD-MM`; Huế's is
`107-00`, k = 0.9999, false easting 500 km, Circular 973/2001/TT-TCĐC). The body keeps it as filed;
`vn2000_to_wgs84` converts it with PROJ (pyproj): inverse transverse Mercator on the WGS84
ellipsoid, then the seven-parameter Helmert transformation of QĐ 05/2007/QĐ-BTNMT (dX
-191.90441429 m, dY -39.30318279 m, dZ -111.45032835 m, rX -0.00928836", rY 0.01975479",
rZ -0.00427372", scale +0.252906278 ppm; the parameters of EPSG's "VN-2000 to WGS 84 (2)"),
applied as PROJ's `+towgs84` (position vector). Its accuracy is of the order of 1-2 m (EPSG
states 1 m for the transformation; reading the rotations in the coordinate frame convention
instead moves a point in Huế by 0.65 m). A filed WGS84 position further than
`POSITION_TOLERANCE_M` (10 m) from the converted VN-2000 one is refused (`PositionMismatch`).

Personal data. A site record is public (`filings.kinds.REGISTRY`), so that every site on the
map and in the computed figures can be checked by anyone against the open data; it names no
owner of the building it stands on (`rooftop_owner` is null or absent, as records filed before
`siteowner/1` wrote it). The owner (`rooftop_owner` {`name`, `phone`}) is its own record,
`siteowner/1` (a kind's name is lowercase letters only), subject `siteowner:<site_id>`, always
restricted (salted), filed by the site's owner for a site in the log (`filings.admission`); it
never reaches the map, the export or a public body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Annotated, Any, Final, Literal

from pydantic import BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError
from pyproj import CRS, Geod, Transformer
from pyproj.enums import TransformDirection

from filings.areas import Area, load_areas
from filings.errors import AsOfAfterSigning, OutsideArea, PositionMismatch, SchemaViolation
from filings.periods import issued_day
from filings.schema import (
    AreaCode,
    IsoDate,
    KindBody,
    Name,
    Part,
    RecordContext,
    Text,
    require_subject,
)
from ledger.entry import is_checksum_address

__all__ = [
    "INFRASTRUCTURE_KINDS",
    "POSITION_TOLERANCE_M",
    "SITE_OWNER_KIND",
    "DuctBody",
    "RouteBody",
    "SiteBody",
    "SiteOwnerBody",
    "area_on",
    "contains",
    "route_length_m",
    "site_of",
    "vn2000_to_wgs84",
]

SITE_KIND: Final = "site"
ROUTE_KIND: Final = "route"
DUCT_KIND: Final = "duct"
INFRASTRUCTURE_KINDS: Final = (SITE_KIND, ROUTE_KIND, DUCT_KIND)
"""The kinds of the things themselves: public records, read by the map and the figures."""
SITE_OWNER_KIND: Final = "siteowner"
"""Who owns a rooftop site's building: restricted records, never read by the public side."""
THING_ID_PATTERN: Final = r"^[A-Z0-9][A-Z0-9._-]{0,63}$"
ZONE_PATTERN: Final = r"^10[2-9]-(00|15|30|45)$"
"""A VN-2000 TM-3 zone by its central meridian, degrees and minutes (102°00' to 109°45')."""
POSITION_TOLERANCE_M: Final = 10.0
"""How far (metres) a filed WGS84 position may be from its filed VN-2000 coordinates."""
CITY_CODE: Final = "46"
MAX_TENANTS: Final = 16
MAX_ROUTE_POINTS: Final = 10_000
MAX_ROUTE_AREAS: Final = 40
MAX_HEIGHT_M: Final = 300.0
HELMERT_QD_05_2007: Final = ("-191.90441429,-39.30318279,-111.45032835,"
                             "-0.00928836,0.01975479,-0.00427372,0.252906278")
"""VN-2000 to WGS84, QĐ 05/2007/QĐ-BTNMT: three shifts (m), three rotations ("), scale (ppm)."""
_GEOD: Final = Geod(ellps="WGS84")
_BANDS: Final = 64
"""Latitude bands of a polygon's edge index (each point tests the edges of its band only)."""

ThingId = Annotated[str, StringConstraints(pattern=THING_ID_PATTERN)]
Address = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
Tenants = Annotated[list[Address], Field(max_length=MAX_TENANTS)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Technology = Literal["2G", "3G", "4G", "5G"]
Structure = Literal["ground_tower", "rooftop", "camouflaged", "pole"]
SiteStatus = Literal["planned", "in_service", "out_of_service", "removed"]
Status = Literal["planned", "in_service", "removed"]
OutageReason = Literal["flood", "power", "fibre_cut", "equipment", "other"]


class Position(Part):
    """A WGS84 position in decimal degrees."""

    lat: Latitude
    lon: Longitude


class Vn2000(Part):
    """Coordinates as surveyed in VN-2000: `x` northing, `y` easting (metres), TM-3 `zone`."""

    x: Annotated[float, Field(ge=0, le=10_000_000)]
    y: Annotated[float, Field(ge=0, le=1_000_000)]
    zone: Annotated[str, StringConstraints(pattern=ZONE_PATTERN)]


class SitePermit(Part):
    """The construction permit of a site: its number, date and issuing authority."""

    number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ./_-]{0,63}$")]
    date: IsoDate
    issuer: Text


class Outage(Part):
    """Why and since when a site is out of service, and when it is expected back (null: not
    known). The day it came back is the `as_of` of the site's next version in service."""

    reason: OutageReason
    since: IsoDate
    expected_back: IsoDate | None = None
    note: Text | None = None


class RooftopOwner(Part):
    """Who owns the building a rooftop site stands on: personal data, `siteowner/1` only."""

    name: Text
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{6,20}$")] | None = None


def _no_owner(value: object) -> object:
    """A site record's `rooftop_owner`: null only; an owner is refused, naming its record."""
    if value is not None:
        raise PydanticCustomError(
            "owner_in_site", "a site record names no owner: file the building's owner as a "
            "restricted siteowner/1 record")
    return value


NoOwner = Annotated[None, BeforeValidator(_no_owner)]


class LineString(Part):
    """An RFC 7946 LineString of [longitude, latitude] positions."""

    type: Literal["LineString"]
    coordinates: Annotated[
        list[Annotated[list[float], Field(min_length=2, max_length=2)]],
        Field(min_length=2, max_length=MAX_ROUTE_POINTS),
    ]


class SiteBody(KindBody):
    """`site/1`: one BTS site as of a day."""

    site_id: ThingId
    as_of: IsoDate
    area: AreaCode
    position: Position
    vn2000: Vn2000 | None = None
    structure: Structure
    height_m: Annotated[float, Field(gt=0, le=MAX_HEIGHT_M)]
    technologies: Annotated[list[Technology], Field(min_length=1, max_length=4)]
    tenants: Tenants
    permit: SitePermit | None
    exemption: Name | None
    status: SiteStatus
    out_of_service: Outage | None
    commissioned: IsoDate | None
    rooftop_owner: NoOwner = None
    """Null or absent (module doc: the owner is a `siteowner/1` record)."""

    def subject(self) -> str:
        return f"site:{self.site_id}"

    def check(self, context: RecordContext) -> None:
        _check_as_of(self.as_of, context)
        if self.technologies != sorted(set(self.technologies)):
            raise SchemaViolation("technologies: list each once, sorted (2G, 3G, 4G, 5G)")
        _check_tenants(self.tenants, context)
        if (self.permit is None) == (self.exemption is None):
            raise SchemaViolation("permit, exemption: give the permit or the legal basis of the "
                                  "exemption (the other null)")
        if (self.status == "out_of_service") != (self.out_of_service is not None):
            raise SchemaViolation("out_of_service: give the reason and date exactly when the "
                                  "status is out_of_service")
        if self.status in ("in_service", "out_of_service") and self.commissioned is None:
            raise SchemaViolation(f"commissioned: a site {self.status} has a commissioning date")
        for name, day in (("commissioned", self.commissioned),
                          ("permit.date", self.permit and self.permit.date),
                          ("out_of_service.since", self.out_of_service and
                           self.out_of_service.since)):
            if day and day > self.as_of:
                raise SchemaViolation(f"{name}: {day} is after as_of {self.as_of}")
        outage = self.out_of_service
        if outage and outage.expected_back and outage.expected_back < outage.since:
            raise SchemaViolation(f"out_of_service.expected_back: {outage.expected_back} is "
                                  f"before since {outage.since}")
        _check_place(self.area, self.as_of, self.position, self.vn2000)
        require_subject(context, self.subject())


class RouteBody(KindBody):
    """`route/1`: one cable route as of a day; its length is computed (`route_length_m`)."""

    route_id: ThingId
    as_of: IsoDate
    areas: Annotated[list[AreaCode], Field(min_length=1, max_length=MAX_ROUTE_AREAS)]
    geometry: LineString
    placement: Literal["aerial", "underground"]
    shared: Literal["poles", "ducts"] | None
    tenants: Tenants
    status: Status

    def subject(self) -> str:
        return f"route:{self.route_id}"

    def check(self, context: RecordContext) -> None:
        _check_as_of(self.as_of, context)
        _check_tenants(self.tenants, context)
        if len(set(self.areas)) != len(self.areas):
            raise SchemaViolation("areas: an area is listed twice")
        catalogue = load_areas()
        for position, code in enumerate(self.areas):
            _require_commune(catalogue.resolve(code, self.as_of), f"areas.{position}")
        city = catalogue.resolve(CITY_CODE, self.as_of)
        for position, (lon, lat) in enumerate(self.geometry.coordinates):
            if not contains(city, lat, lon):
                raise OutsideArea(
                    f"geometry.coordinates.{position}: ({lat}, {lon}) is outside {city.name_vi} "
                    f"on {self.as_of}", details={"point": position, "area": CITY_CODE})
        listed = [catalogue.resolve(code, self.as_of) for code in self.areas]
        if all(area.geometry is not None for area in listed):
            _check_route_areas(listed, self.geometry.coordinates, self.as_of)
        require_subject(context, self.subject())


class DuctBody(KindBody):
    """`duct/1`: one cable duct or manhole as of a day, with its capacity and its use."""

    duct_id: ThingId
    as_of: IsoDate
    area: AreaCode
    position: Position
    vn2000: Vn2000 | None = None
    type: Literal["duct", "manhole"]
    capacity: Annotated[int, Field(ge=1, le=10_000)]
    used: Annotated[int, Field(ge=0, le=10_000)]
    tenants: Tenants
    status: Status

    def subject(self) -> str:
        return f"duct:{self.duct_id}"

    def check(self, context: RecordContext) -> None:
        _check_as_of(self.as_of, context)
        _check_tenants(self.tenants, context)
        if self.used > self.capacity:
            raise SchemaViolation(f"used: {self.used} is more than the capacity {self.capacity}")
        _check_place(self.area, self.as_of, self.position, self.vn2000)
        require_subject(context, self.subject())


class SiteOwnerBody(KindBody):
    """`siteowner/1`: who owns the building a site stands on, as of a day. Personal data, so
    always a restricted record, apart from the public `site/1` record of the site."""

    site_id: ThingId
    as_of: IsoDate
    rooftop_owner: RooftopOwner

    def subject(self) -> str:
        return f"siteowner:{self.site_id}"

    def check(self, context: RecordContext) -> None:
        _check_as_of(self.as_of, context)
        require_subject(context, self.subject())


def site_of(owner_subject: str) -> str:
    """The subject of the site a `siteowner:<site_id>` subject is about: `site:<site_id>`."""
    return SITE_KIND + owner_subject.removeprefix(SITE_OWNER_KIND)


InfrastructureBody = SiteBody | RouteBody | DuctBody


def route_length_m(body: RouteBody) -> float:
    """The geodesic length of a route on the WGS84 ellipsoid, in metres."""
    lons = [point[0] for point in body.geometry.coordinates]
    lats = [point[1] for point in body.geometry.coordinates]
    return float(_GEOD.line_length(lons, lats))


@cache
def _transformer(zone: str) -> Transformer:
    degrees, minutes = zone.split("-")
    meridian = int(degrees) + int(minutes) / 60
    vn2000 = CRS.from_proj4(
        f"+proj=tmerc +lat_0=0 +lon_0={meridian} +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        f"+towgs84={HELMERT_QD_05_2007} +units=m +no_defs"
    )
    return Transformer.from_crs(vn2000, CRS.from_epsg(4326), always_xy=True)


def vn2000_to_wgs84(x: float, y: float, zone: str) -> tuple[float, float]:
    """The WGS84 (latitude, longitude) of VN-2000 northing `x`, easting `y` in TM-3 `zone`
    (module doc: the transformation and its accuracy)."""
    lon, lat = _transformer(zone).transform(y, x)
    return float(lat), float(lon)


def wgs84_to_vn2000(lat: float, lon: float, zone: str) -> tuple[float, float]:
    """The VN-2000 northing `x` and easting `y` in TM-3 `zone` of a WGS84 position: the inverse
    of `vn2000_to_wgs84` (a surveyor's figures, as a filer converts them)."""
    easting, northing = _transformer(zone).transform(lon, lat, direction=TransformDirection.INVERSE)
    return float(northing), float(easting)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The geodesic distance between two WGS84 positions, in metres."""
    return float(_GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --- point in polygon ---------------------------------------------------------------------------

Edge = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Polygons:
    """A (multi)polygon's edges, banded by latitude for the crossing test."""

    south: float
    north: float
    west: float
    east: float
    bands: tuple[tuple[Edge, ...], ...]

    def contains(self, lat: float, lon: float) -> bool:
        """Even-odd crossing test over every ring (holes included): a ray from the point to
        the east crosses the boundary an odd number of times when the point is inside."""
        if not (self.south <= lat <= self.north and self.west <= lon <= self.east):
            return False
        inside = False
        for x1, y1, x2, y2 in self.bands[self._band(lat)]:
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside

    def crosses(self, lat1: float, lon1: float, lat2: float, lon2: float) -> bool:
        """Whether the segment between two points meets an edge of any ring: a segment that
        passes through a polygon with neither end inside it crosses its boundary."""
        south, north = min(lat1, lat2), max(lat1, lat2)
        if (north < self.south or south > self.north or max(lon1, lon2) < self.west
                or min(lon1, lon2) > self.east):
            return False
        first, last = self._band(max(south, self.south)), self._band(min(north, self.north))
        return any(_segments_meet(lon1, lat1, lon2, lat2, *edge)
                   for band in self.bands[first:last + 1] for edge in band)

    def _band(self, lat: float) -> int:
        span = (self.north - self.south) or 1.0
        return min(_BANDS - 1, int((lat - self.south) / span * _BANDS))


def _turn(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    """Twice the signed area of the triangle a, b, c: > 0 when c is left of a->b."""
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def _segments_meet(ax: float, ay: float, bx: float, by: float,
                   cx: float, cy: float, dx: float, dy: float) -> bool:
    """Whether segments a-b and c-d share a point (touching and overlapping included)."""
    c_side, d_side = _turn(ax, ay, bx, by, cx, cy), _turn(ax, ay, bx, by, dx, dy)
    a_side, b_side = _turn(cx, cy, dx, dy, ax, ay), _turn(cx, cy, dx, dy, bx, by)
    if (c_side > 0 and d_side > 0) or (c_side < 0 and d_side < 0):
        return False
    if (a_side > 0 and b_side > 0) or (a_side < 0 and b_side < 0):
        return False
    if c_side == 0 and d_side == 0:  # on one line: do their extents overlap?
        return (min(ax, bx) <= max(cx, dx) and min(cx, dx) <= max(ax, bx)
                and min(ay, by) <= max(cy, dy) and min(cy, dy) <= max(ay, by))
    return True


def _rings(geometry: dict[str, Any]) -> Iterator[Sequence[Sequence[float]]]:
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon
    else:
        raise RuntimeError(f"not a polygon: {geometry['type']}")


def polygons(geometry: dict[str, Any]) -> Polygons:
    """Index the rings of a GeoJSON Polygon or MultiPolygon."""
    edges = [(float(a[0]), float(a[1]), float(b[0]), float(b[1]))
             for ring in _rings(geometry) for a, b in pairwise(ring)]
    south = min(min(e[1], e[3]) for e in edges)
    north = max(max(e[1], e[3]) for e in edges)
    west = min(min(e[0], e[2]) for e in edges)
    east = max(max(e[0], e[2]) for e in edges)
    span = (north - south) or 1.0
    bands: list[list[Edge]] = [[] for _ in range(_BANDS)]
    for edge in edges:
        low = int((min(edge[1], edge[3]) - south) / span * _BANDS)
        high = int((max(edge[1], edge[3]) - south) / span * _BANDS)
        for band in range(max(0, low), min(_BANDS - 1, high) + 1):
            bands[band].append(edge)
    return Polygons(south, north, west, east, tuple(tuple(band) for band in bands))


@cache
def _feature_polygons(file: str, feature: str) -> Polygons:
    text = resources.files("filings.data").joinpath(file).read_text(encoding="utf-8")
    for item in json.loads(text)["features"]:
        if str(item.get("id", item["properties"].get("code"))) == feature:
            return polygons(item["geometry"])
    raise RuntimeError(f"{file}: no feature {feature!r}")


def boundary(area: Area) -> Area:
    """The area whose polygon stands for `area`: itself when the project holds its polygon,
    else the city or province in force on its first day (module doc)."""
    if area.geometry is not None:
        return area
    day = area.valid_to or date(2024, 12, 31)
    return load_areas().resolve(CITY_CODE, day)


def area_polygons(area: Area) -> Polygons:
    """The indexed polygon of `area`, or of the finest polygon the project holds for it
    (`boundary`)."""
    geometry = boundary(area).geometry
    assert geometry is not None
    return _feature_polygons(geometry.file, geometry.feature)


def contains(area: Area, lat: float, lon: float) -> bool:
    """Whether the WGS84 point lies inside `area`'s polygon, or the finest polygon the project
    holds for it (`boundary`)."""
    return area_polygons(area).contains(lat, lon)


def area_on(code: str, lat: float, lon: float, day: date) -> Area | None:
    """The commune-level area a thing filed in `code` at (`lat`, `lon`) is in on `day`: the
    unit `code` names on `day` if it names one, else the commune of `day` whose polygon holds
    the point; None when neither is known (the thing then counts for the city only)."""
    catalogue = load_areas()
    try:
        return catalogue.resolve(code, day)
    except SchemaViolation:
        pass
    for area in catalogue.on(day):
        if area.level == "commune" and area.geometry is not None and contains(area, lat, lon):
            return area
    return None


# --- rules ---------------------------------------------------------------------------------------

def _check_as_of(as_of: date, context: RecordContext) -> None:
    signed = issued_day(context.issued_at)
    if as_of > signed:
        raise AsOfAfterSigning(f"as_of: {as_of} is after the day the record is signed, {signed}",
                               details={"as_of": as_of.isoformat(), "signed": signed.isoformat()})


def _check_tenants(tenants: list[str], context: RecordContext) -> None:
    for address in tenants:
        if not is_checksum_address(address):
            raise SchemaViolation(f"tenants: {address!r} is not an EIP-55 address")
    if len(set(tenants)) != len(tenants):
        raise SchemaViolation("tenants: an operator is listed twice")
    if context.operator in tenants:
        raise SchemaViolation(f"tenants: the owner {context.operator} is not its own tenant")


def _require_commune(area: Area, where: str) -> None:
    if area.level != "commune":
        raise SchemaViolation(f"{where}: {area.code} is a {area.level}-level unit, want a "
                              "commune-level one")


def _check_route_areas(areas: Sequence[Area], line: Sequence[Sequence[float]],
                       as_of: date) -> None:
    """Every point of `line` ([lon, lat]) in one of `areas` (each with its own polygon), and
    each of `areas` holding a point or crossed by a segment (module doc)."""
    shapes = [area_polygons(area) for area in areas]
    reached = [False] * len(areas)
    last = 0
    for position, (lon, lat) in enumerate(line):
        if not shapes[last].contains(lat, lon):
            found = next((i for i, shape in enumerate(shapes) if shape.contains(lat, lon)), None)
            if found is None:
                raise OutsideArea(
                    f"geometry.coordinates.{position}: ({lat}, {lon}) is in none of the listed "
                    f"areas on {as_of}" + _located(lat, lon, as_of),
                    details={"point": position, "areas": [area.code for area in areas]})
            last = found
        reached[last] = True
    for index, area in enumerate(areas):
        if not reached[index] and not any(shapes[index].crosses(a[1], a[0], b[1], b[0])
                                          for a, b in pairwise(line)):
            raise OutsideArea(
                f"areas.{index}: the route neither has a point in nor crosses {area.name_vi} "
                f"({area.code}) on {as_of}",
                details={"area": area.code, "as_of": as_of.isoformat()})


def _located(lat: float, lon: float, day: date) -> str:
    """Where a point is on `day`, for a refusal's message: the commune that holds it."""
    for area in load_areas().on(day):
        if area.level == "commune" and area.geometry is not None and contains(area, lat, lon):
            return f": it is in {area.name_vi} ({area.code})"
    return ""


def _check_place(code: str, as_of: date, position: Position, vn2000: Vn2000 | None) -> None:
    area = load_areas().resolve(code, as_of)
    _require_commune(area, "area")
    if not contains(area, position.lat, position.lon):
        held = boundary(area)
        within = "" if held is area else f" (the polygon held for that day: {held.name_vi})"
        raise OutsideArea(
            f"position: ({position.lat}, {position.lon}) is outside {area.name_vi} ({code}) on "
            f"{as_of}{within}", details={"area": code, "as_of": as_of.isoformat(),
                                         "polygon": held.id})
    if vn2000 is not None:
        lat, lon = vn2000_to_wgs84(vn2000.x, vn2000.y, vn2000.zone)
        gap = distance_m(position.lat, position.lon, lat, lon)
        if gap > POSITION_TOLERANCE_M:
            raise PositionMismatch(
                f"position: ({position.lat}, {position.lon}) is {gap:.1f} m from the VN-2000 "
                f"coordinates, which convert to ({lat:.7f}, {lon:.7f}); at most "
                f"{POSITION_TOLERANCE_M:g} m allowed",
                details={"distance_m": round(gap, 2), "converted": {"lat": lat, "lon": lon},
                         "tolerance_m": POSITION_TOLERANCE_M})
