"""`site/1`, `route/1`, `duct/1` and `siteowner/1` on their own: the bodies, point in polygon
against the area of the record's date, a route's areas against its line, the VN-2000 conversion
against a published point, the tolerance, and a rooftop site's owner kept out of the site."""

from __future__ import annotations

import json
import math
import random
from datetime import date
from importlib import resources
from itertools import pairwise
from typing import Any

import pytest
from shapely.geometry import Point, shape

from filings.areas import load_areas
from filings.errors import FilingError, SchemaViolation
from filings.infrastructure import (
    POSITION_TOLERANCE_M,
    RouteBody,
    SiteBody,
    SiteOwnerBody,
    area_on,
    contains,
    distance_m,
    polygons,
    route_length_m,
    site_of,
    vn2000_to_wgs84,
)
from filings.kinds import REGISTRY
from filings.schema import RecordContext
from tests.filings.factories import OPERATOR, OTHER_OPERATOR
from tests.filings.infra_factories import ISSUED, PHU_XUAN, POSITION, THUAN_HOA, VN2000, body

SUBJECTS = {"site": "site:VNPT-HUE-00123", "route": "route:VNPT-HUE-R001",
            "duct": "duct:VNPT-HUE-D001", "siteowner": "siteowner:VNPT-HUE-00123"}
AN_CUU, THANH_THUY, VY_DA = "19815", "19969", "19777"
"""Phường An Cựu, Thanh Thuỷ and Vỹ Dạ (from 2025-07-01)."""
ACROSS_AN_CUU = [[107.5909, 16.4637], [107.62, 16.43]]
"""From Thuận Hoá to Thanh Thuỷ: the segment crosses An Cựu, where no point of it is."""


def check(kind: str, filed: dict[str, Any], *, restricted: bool = False,
          issued_at: int = ISSUED) -> Any:
    context = RecordContext(SUBJECTS[kind], OPERATOR, restricted, 0, issued_at)
    return REGISTRY[f"{kind}/1"].validate(filed, context)


def refused(kind: str, filed: dict[str, Any], **context: Any) -> FilingError:
    with pytest.raises(FilingError) as caught:
        check(kind, filed, **context)
    return caught.value


@pytest.mark.parametrize("kind", ["site", "route", "duct"])
def test_the_sample_bodies_pass(kind: str) -> None:
    checked = check(kind, body(kind))
    assert checked.subject() == SUBJECTS[kind]


def test_the_vn2000_coordinates_are_kept_as_filed() -> None:
    checked = check("site", body())
    assert isinstance(checked, SiteBody) and checked.vn2000 is not None
    assert (checked.vn2000.x, checked.vn2000.y, checked.vn2000.zone) == (
        VN2000["x"], VN2000["y"], VN2000["zone"])


# --- point in polygon ---------------------------------------------------------------------------

def test_a_site_in_a_neighbouring_ward_is_outside_its_area() -> None:
    error = refused("site", body(area=PHU_XUAN))
    assert error.code == "outside_area"
    assert error.details["area"] == PHU_XUAN


def test_a_site_outside_every_area_of_its_date_is_refused() -> None:
    """Đà Nẵng's centre, filed in a ward of Huế (without VN-2000 to compare)."""
    error = refused("site", body(position={"lat": 16.0544, "lon": 108.2022}, vn2000=None))
    assert error.code == "outside_area"


def test_before_2025_07_01_the_city_outline_is_the_finest_polygon() -> None:
    """Xã Lộc Tiến (20152) until 2025-06-30 has no polygon here: a point in Huế passes, a point
    in Đà Nẵng does not."""
    early = {"as_of": "2025-03-01", "area": "20152", "vn2000": None}
    check("site", body(**early))
    error = refused("site", body(**early, position={"lat": 16.0544, "lon": 108.2022}))
    assert error.code == "outside_area"
    assert error.details["polygon"].startswith("vn:46:p46@")


def test_point_in_polygon_agrees_with_shapely_on_every_area() -> None:
    """20,000 random points over Huế, against each of the 40 units' and the city's polygons."""
    text = resources.files("filings.data").joinpath("areas-2025-07-01.geojson").read_text()
    features = json.loads(text)["features"]
    day = date(2025, 11, 2)
    catalogue = load_areas()
    rng = random.Random(17)
    points = [(rng.uniform(15.95, 16.8), rng.uniform(107.0, 108.25)) for _ in range(500)]
    checked = 0
    for feature in features:
        area, geometry = catalogue.resolve(feature["id"], day), shape(feature["geometry"])
        for lat, lon in points:
            assert contains(area, lat, lon) == geometry.contains(Point(lon, lat)), (
                feature["id"], lat, lon)
            checked += 1
    assert checked == 20_000


def test_a_hole_is_outside() -> None:
    ring = [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]]
    hole = [[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0], [1.0, 1.0]]
    square = polygons({"type": "Polygon", "coordinates": [ring, hole]})
    assert square.contains(0.5, 0.5)
    assert not square.contains(2.0, 2.0)
    assert not square.contains(5.0, 2.0)
    twice = polygons({"type": "MultiPolygon", "coordinates": [
        [ring, hole], [[[1.5, 1.5], [2.5, 1.5], [2.5, 2.5], [1.5, 1.5]]]]})
    assert twice.contains(1.8, 2.2)  # lat, lon: an island in the hole
    assert not twice.contains(2.2, 1.8)


def test_a_thing_filed_under_a_retired_code_counts_where_its_position_is() -> None:
    """Filed in Xã Lộc Tiến on 2025-03-01; on 2025-11-02 that code names nothing."""
    area = area_on("20152", 16.2745, 107.9312, date(2025, 11, 2))
    assert area is not None and area.level == "commune"
    geometry = area.geometry
    assert geometry is not None and geometry.file == "areas-2025-07-01.geojson"


# --- VN-2000 ------------------------------------------------------------------------------------

def test_vn2000_converts_a_published_point_within_two_metres() -> None:
    """The worked example of the VN-2000 <-> WGS84 converter at
    github.com/guitarkhongem/vn2000towgs84tovn2000 (`vn2000towgs84tovn2000/functions.py`, the
    published result of the paper it implements): X 1855759.3584 m, Y 546151.8072 m, central
    meridian 106°15' (Quảng Trị) is B 16.77839876°, L 106.68477742°."""
    lat, lon = vn2000_to_wgs84(1855759.3584, 546151.8072, "106-15")
    assert distance_m(lat, lon, 16.77839876, 106.68477742) < 2.0


def test_the_sample_vn2000_point_converts_back_to_its_position() -> None:
    lat, lon = vn2000_to_wgs84(VN2000["x"], VN2000["y"], VN2000["zone"])
    assert distance_m(lat, lon, POSITION["lat"], POSITION["lon"]) < 0.01


def test_vn2000_and_wgs84_further_apart_than_the_tolerance_are_refused() -> None:
    """11 m north of the VN-2000 point is refused; 9 m north passes."""
    error = refused("site", body(vn2000={**VN2000, "x": VN2000["x"] - 11.0}))
    assert error.code == "position_mismatch"
    assert error.details["distance_m"] > POSITION_TOLERANCE_M
    check("site", body(vn2000={**VN2000, "x": VN2000["x"] - 9.0}))


def test_swapped_vn2000_axes_are_refused() -> None:
    error = refused("site", body(vn2000={**VN2000, "x": VN2000["y"], "y": VN2000["x"]}))
    assert error.code == "schema_violation"  # an easting of 1,820 km is out of range


# --- the other rules ----------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "code"), [
    ({"technologies": ["5G", "4G"]}, "schema_violation"),
    ({"technologies": []}, "schema_violation"),
    ({"tenants": [OPERATOR]}, "schema_violation"),
    ({"tenants": [OTHER_OPERATOR, OTHER_OPERATOR]}, "schema_violation"),
    ({"tenants": [OTHER_OPERATOR.lower()]}, "schema_violation"),
    ({"exemption": "Điều 9 Thông tư 11/2021"}, "schema_violation"),
    ({"permit": None}, "schema_violation"),
    ({"status": "out_of_service"}, "schema_violation"),
    ({"commissioned": None}, "schema_violation"),
    ({"commissioned": "2025-12-01"}, "schema_violation"),
    ({"permit": {"number": "7/GP-STTTT", "date": "2025-11-03", "issuer": "Sở KH&CN Huế"}},
     "schema_violation"),
    ({"status": "out_of_service", "out_of_service": {
        "reason": "flood", "since": "2025-10-28", "expected_back": "2025-10-27"}},
     "schema_violation"),
    ({"rooftop_owner": {"name": "Nguyễn Văn A"}, "structure": "rooftop"}, "schema_violation"),
    ({"as_of": "2025-11-05"}, "as_of_after_signing"),
    ({"area": "46"}, "schema_violation"),
    ({"height_m": "42"}, "schema_violation"),
])
def test_a_site_breaking_a_rule_is_refused(changes: dict[str, Any], code: str) -> None:
    assert refused("site", body(**changes)).code == code


def test_a_site_out_of_service_names_its_reason_or_an_exemption() -> None:
    check("site", body(status="out_of_service",
                       out_of_service={"reason": "flood", "since": "2025-10-28"}))
    check("site", body(status="out_of_service", out_of_service={
        "reason": "flood", "since": "2025-10-28", "expected_back": "2025-11-15"}))
    check("site", body(permit=None, exemption="Điều 9 Thông tư 11/2021"))


# --- a rooftop site's owner -----------------------------------------------------------------------

def test_a_site_names_no_owner_and_is_public() -> None:
    """An owner in a site record is refused, public or salted, naming the record to file; a
    salted site is refused; no owner (null, or no member at all) passes."""
    owner = {"structure": "rooftop", "rooftop_owner": {"name": "Nguyễn Văn A"}}
    error = refused("site", body(**owner))
    assert error.code == "schema_violation"
    assert "siteowner/1" in error.message and "Nguyễn" not in error.message
    assert error.details["errors"][0]["loc"] == "body.rooftop_owner"
    assert refused("site", body(**owner), restricted=True).code == "schema_violation"
    salted = refused("site", body(structure="rooftop"), restricted=True)
    assert (salted.code, salted.message) == ("schema_violation",
                                             "site/1 records are public: drop the salt")
    without = body(structure="rooftop")
    del without["rooftop_owner"]
    assert isinstance(check("site", without), SiteBody)
    assert check("site", body(rooftop_owner=None)).rooftop_owner is None


def test_a_site_owner_record_is_always_restricted() -> None:
    checked = check("siteowner", body("siteowner"), restricted=True)
    assert isinstance(checked, SiteOwnerBody)
    assert checked.subject() == "siteowner:VNPT-HUE-00123"
    assert site_of(checked.subject()) == "site:VNPT-HUE-00123"
    error = refused("siteowner", body("siteowner"))
    assert (error.code, isinstance(error, SchemaViolation)) == ("personal_data_public", True)


@pytest.mark.parametrize(("changes", "code"), [
    ({"rooftop_owner": {"phone": "+84 234 3811 572"}}, "schema_violation"),
    ({"rooftop_owner": {"name": "Nguyễn Văn A", "phone": "call me"}}, "schema_violation"),
    ({"rooftop_owner": None}, "schema_violation"),
    ({"site_id": "vnpt-hue-00123"}, "schema_violation"),
    ({"site_id": "VNPT-HUE-00124"}, "subject_mismatch"),
    ({"as_of": "2025-11-05"}, "as_of_after_signing"),
    ({"area": THUAN_HOA}, "schema_violation"),
])
def test_a_site_owner_breaking_a_rule_is_refused(changes: dict[str, Any], code: str) -> None:
    assert refused("siteowner", body("siteowner", **changes), restricted=True).code == code


# --- a route's areas against its line ------------------------------------------------------------

def test_a_route_lists_exactly_the_communes_its_points_are_in() -> None:
    """The sample route has points in Thuận Hoá and Phú Xuân; listing only one of them leaves a
    point outside, listing Vỹ Dạ too names a commune the line does not touch."""
    check("route", body("route"))
    error = refused("route", body("route", areas=[THUAN_HOA]))
    assert (error.code, error.details["point"]) == ("outside_area", 1)
    assert PHU_XUAN in error.message  # where the point is
    error = refused("route", body("route", areas=[THUAN_HOA, PHU_XUAN, VY_DA]))
    assert (error.code, error.details["area"]) == ("outside_area", VY_DA)
    assert error.message.startswith("areas.2: ")


def test_a_commune_a_segment_crosses_may_be_listed() -> None:
    """No point of the line is in An Cựu, yet its segment crosses it: listed or not, it passes;
    a line listing a commune next to it (Vỹ Dạ) does not."""
    line = {"type": "LineString", "coordinates": ACROSS_AN_CUU}
    check("route", body("route", geometry=line, areas=[THUAN_HOA, AN_CUU, THANH_THUY]))
    check("route", body("route", geometry=line, areas=[THUAN_HOA, THANH_THUY]))
    error = refused("route", body("route", geometry=line, areas=[THUAN_HOA, THANH_THUY, VY_DA]))
    assert (error.code, error.details["area"]) == ("outside_area", VY_DA)


def test_before_2025_07_01_a_route_is_checked_against_the_city_outline_only() -> None:
    """The communes of 2025-03-01 have no polygon here: any commune-level code in force passes
    for a line inside Huế."""
    check("route", body("route", as_of="2025-03-01", areas=["20152"]))


def test_a_segment_meets_a_polygon_only_where_it_reaches_its_edges() -> None:
    square = polygons({"type": "Polygon", "coordinates": [
        [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]]]})
    assert square.crosses(2.0, -1.0, 2.0, 5.0)  # lat, lon: straight through
    assert square.crosses(-1.0, 2.0, 0.0, 2.0)  # touching the south edge
    assert square.crosses(0.0, 5.0, 0.0, 3.0)  # along the south edge
    assert not square.crosses(2.0, 5.0, 3.0, 6.0)  # beside it
    assert not square.crosses(1.0, 1.0, 3.0, 3.0)  # inside, meeting no edge
    assert not square.crosses(5.0, 3.5, 3.5, 5.0)  # a diagonal past the corner
    assert square.crosses(5.0, 3.0, 3.0, 5.0)  # through the corner


def test_a_route_point_outside_huế_is_refused_and_its_length_is_geodesic() -> None:
    filed = body("route")
    filed["geometry"]["coordinates"].append([108.2022, 16.0544])
    error = refused("route", filed)
    assert (error.code, error.details["point"]) == ("outside_area", 3)
    checked = check("route", body("route"))
    assert isinstance(checked, RouteBody)
    points = checked.geometry.coordinates
    legs = sum(_haversine_m(a[1], a[0], b[1], b[0]) for a, b in pairwise(points))
    assert route_length_m(checked) == pytest.approx(legs, rel=5e-3)  # sphere vs ellipsoid


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance on a sphere of the Earth's mean radius (6,371,008.8 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_a_duct_uses_at_most_its_capacity() -> None:
    assert refused("duct", body("duct", used=5)).code == "schema_violation"
    assert refused("duct", body("duct", areas=["19789"])).code == "schema_violation"
