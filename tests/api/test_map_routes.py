"""The map's GeoJSON routes through the real app, on SQLite and PostgreSQL: genuine signed
`site/1` records filed through the API and anchored on the embedded chain; RFC 7946 shapes
(FeatureCollection, lon/lat order, the record id as feature id, written as `GET /v1/records`
writes it), tenants named as the operator registry names them, the areas of a past day, a
site's state on a past day, the cable routes of a past day with their lengths, removed and
unanchored versions left out, bad dates refused."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any, Final

import httpx
import pytest
from fastapi import FastAPI

from filings.infrastructure import RouteBody, route_length_m
from filings.periods import VIETNAM_TIME
from filings.signing import SubmissionDomain
from tests.filings.factories import signed
from tests.server_fixtures import SAMPLE

ISSUED: Final = 1_764_547_200
"""2025-12-01 00:00 UTC: after every `as_of` below."""
VNPT, VIETTEL = SAMPLE.active, SAMPLE.other
PHU_XUAN, VY_DA, KIM_LONG, THUAN_HOA = "19753", "19777", "19774", "19789"
"""Commune codes in force from 2025-07-01 (19753 was Phường Thuận Lộc until 2025-06-30)."""
POINTS: Final = {PHU_XUAN: (16.481, 107.5795), VY_DA: (16.4764, 107.6108),
                 KIM_LONG: (16.4029, 107.5407), THUAN_HOA: (16.4526, 107.5832)}
"""A point inside each commune's polygon (lat, lon)."""


def site_body(site_id: str, as_of: str, area: str, *, technologies: tuple[str, ...] = ("4G",),
              status: str = "in_service", tenants: tuple[str, ...] = (),
              outage: dict[str, Any] | None = None, nudge: float = 0.0) -> dict[str, Any]:
    """A valid `site/1` body at the test point of `area` (moved north by `nudge` degrees)."""
    lat, lon = POINTS[area]
    return {
        "site_id": site_id, "as_of": as_of, "area": area,
        "position": {"lat": round(lat + nudge, 6), "lon": lon},
        "structure": "ground_tower", "height_m": 42.5, "technologies": sorted(technologies),
        "tenants": list(tenants),
        "permit": {"number": "125/GP-STTTT", "date": "2024-03-01", "issuer": "Sở KH&CN Huế"},
        "exemption": None, "status": status, "out_of_service": outage,
        "commissioned": None if status == "planned" else "2024-05-10", "rooftop_owner": None,
    }


def site_submission(domain: SubmissionDomain, key: bytes, body: dict[str, Any], n: int,
                    supersedes: str | None = None) -> dict[str, Any]:
    return signed("site", "site/1", f"site:{body['site_id']}", body, key=key, domain=domain,
                  issued_at=ISSUED + n, supersedes=supersedes)


FLOOD: Final = {"reason": "flood", "since": "2025-10-28", "note": "Lũ cuối tháng 10/2025"}


def site_history(domain: SubmissionDomain) -> list[tuple[str, bytes, dict[str, Any], str | None]]:
    """The sites the tests file, in order: (name, key, body, name of the version superseded).

    On 2025-06-30 only A stands (4G, in the old Phường Thuận Lộc, code 19753); on 2025-12-01 A
    (4G+5G, shared with Viettel), B (out of service since the flood), C (planned, 5G); D was
    removed on 2025-11-01, so it shows on 2025-09-01 but not on 2025-12-01."""
    return [
        ("a1", VNPT.key, site_body("VNPT-HUE-00001", "2025-06-01", PHU_XUAN), None),
        ("a2", VNPT.key, site_body("VNPT-HUE-00001", "2025-08-01", PHU_XUAN,
                                   technologies=("4G", "5G"), tenants=(VIETTEL.address,)), "a1"),
        ("b", VIETTEL.key, site_body("VTL-HUE-0002", "2025-10-29", VY_DA, status="out_of_service",
                                     outage=FLOOD), None),
        ("c", VNPT.key, site_body("VNPT-HUE-00003", "2025-09-01", KIM_LONG, technologies=("5G",),
                                  status="planned"), None),
        ("d1", VIETTEL.key, site_body("VTL-HUE-0004", "2025-08-01", THUAN_HOA), None),
        ("d2", VIETTEL.key, site_body("VTL-HUE-0004", "2025-11-01", THUAN_HOA,
                                      status="removed"), "d1"),
    ]


def file_sites_with(post: Any, domain: SubmissionDomain) -> dict[str, str]:
    """File `site_history` through `post(submission) -> record id`."""
    ids: dict[str, str] = {}
    for n, (name, key, body, older) in enumerate(site_history(domain)):
        ids[name] = post(site_submission(domain, key, body, n,
                                         None if older is None else ids[older]))
    return ids


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


async def _anchor(app: FastAPI) -> None:
    node = app.state.node
    await asyncio.to_thread(node.checkpointer.run_once)
    assert await asyncio.to_thread(node.anchorer.run_once) is not None


async def _file(client: httpx.AsyncClient, submission: dict[str, Any]) -> str:
    answer = await client.post("/v1/submissions", json=submission)
    assert answer.status_code == 202, answer.text
    result = answer.json()["results"][0]
    assert result["status"] == "accepted", result
    record_id: str = result["record_id"]
    return record_id


async def _file_all(client: httpx.AsyncClient, domain: SubmissionDomain) -> dict[str, str]:
    ids: dict[str, str] = {}
    for n, (name, key, body, older) in enumerate(site_history(domain)):
        ids[name] = await _file(client, site_submission(domain, key, body, n,
                                                        None if older is None else ids[older]))
    return ids


async def _geojson(client: httpx.AsyncClient, path: str) -> dict[str, Any]:
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/geo+json"
    collection: dict[str, Any] = answer.json()
    assert collection["type"] == "FeatureCollection"
    return collection


def _bare(record_id: str) -> str:
    """A record id as `GET /v1/records` and the export write it (64 hex digits)."""
    return record_id.removeprefix("0x")


async def test_the_areas_of_a_day_with_the_geometry_there_is(
        manual_client: httpx.AsyncClient) -> None:
    after = await _geojson(manual_client, "/v1/map/areas.geojson?on=2025-07-01")
    before = await _geojson(manual_client, "/v1/map/areas.geojson?on=2025-06-30")
    assert len(after["features"]) == 41  # the city and its 40 commune-level units
    assert len(before["features"]) == 143  # the city, 9 district-level units, 133 communes
    assert after["geometry_source"] == "commune_boundaries"
    assert before["geometry_source"] == "city_outline_only"
    assert [f["id"] for f in before["features"] if f["geometry"] is not None] == ["46"]
    assert "thanglequoc/vietnamese-provinces-database" in after["source"]
    assert after["licence"].startswith("MIT")
    phu_xuan = next(f for f in after["features"] if f["id"] == PHU_XUAN)
    assert phu_xuan["properties"] == {
        "code": PHU_XUAN, "name_vi": "Phường Phú Xuân", "name_en": "Phú Xuân Ward",
        "level": "commune", "valid_from": "2025-07-01", "valid_until": None}
    assert phu_xuan["geometry"]["type"] in ("Polygon", "MultiPolygon")
    ring = phu_xuan["geometry"]["coordinates"][0]
    ring = ring[0] if phu_xuan["geometry"]["type"] == "MultiPolygon" else ring
    assert ring[0] == ring[-1]
    lon, lat = ring[0]  # RFC 7946 section 3.1.1: longitude first
    assert 107 < lon < 109 and 15.9 < lat < 16.8
    thuan_loc = next(f for f in before["features"] if f["id"] == PHU_XUAN)
    assert thuan_loc["properties"]["name_vi"] == "Phường Thuận Lộc"
    assert thuan_loc["properties"]["valid_until"] == "2025-06-30"
    assert thuan_loc["geometry"] is None


async def test_the_sites_of_a_day_from_anchored_records(
        manual_app: FastAPI, manual_client: httpx.AsyncClient,
        ledger_domain: SubmissionDomain) -> None:
    ids = await _file_all(manual_client, ledger_domain)
    empty = await _geojson(manual_client, "/v1/map/sites.geojson?on=2025-12-01")
    assert empty["features"] == []  # nothing anchored yet: the map shows what can be verified
    await _anchor(manual_app)

    now = await _geojson(manual_client, "/v1/map/sites.geojson?on=2025-12-01")
    by_site = {f["properties"]["site_id"]: f for f in now["features"]}
    assert sorted(by_site) == ["VNPT-HUE-00001", "VNPT-HUE-00003", "VTL-HUE-0002"]
    a = by_site["VNPT-HUE-00001"]
    assert a["id"] == _bare(ids["a2"])
    assert a["geometry"] == {"type": "Point", "coordinates": [107.5795, 16.481]}
    assert a["properties"] == {
        "site_id": "VNPT-HUE-00001", "operator": VNPT.address, "operator_name": VNPT.name,
        "tenants": [VIETTEL.address], "tenant_names": [VIETTEL.name], "status": "in_service",
        "technologies": ["4G", "5G"],
        "structure": "ground_tower", "height_m": 42.5, "area": PHU_XUAN, "as_of": "2025-08-01",
        "commissioned": "2024-05-10", "out_of_service": None,
        "record": "/records/" + _bare(ids["a2"])}
    listed = (await manual_client.get("/v1/records", params={"subject": "site:VNPT-HUE-00001"})
              ).json()["records"]
    assert a["id"] in {record["id"] for record in listed}  # the same id as /v1/records
    assert re.fullmatch("[0-9a-f]{64}", a["id"])
    assert by_site["VTL-HUE-0002"]["properties"]["out_of_service"] == {**FLOOD,
                                                                       "expected_back": None}
    assert by_site["VTL-HUE-0002"]["properties"]["operator_name"] == VIETTEL.name

    september = await _geojson(manual_client, "/v1/map/sites.geojson?on=2025-09-01")
    assert sorted(f["properties"]["site_id"] for f in september["features"]) == [
        "VNPT-HUE-00001", "VNPT-HUE-00003", "VTL-HUE-0004"]  # D not yet removed, B not filed
    june = await _geojson(manual_client, "/v1/map/sites.geojson?on=2025-06-30")
    assert [f["id"] for f in june["features"]] == [_bare(ids["a1"])]
    assert june["features"][0]["properties"]["technologies"] == ["4G"]

    history = (await manual_client.get("/v1/map/sites/VNPT-HUE-00001/history")).json()
    assert [(v["record_id"], v["as_of"], v["status"]) for v in history["versions"]] == [
        (_bare(ids["a1"]), "2025-06-01", "in_service"),
        (_bare(ids["a2"]), "2025-08-01", "in_service")]
    for version in history["versions"]:
        page = await manual_client.get(version["record"])
        assert page.status_code == 200


async def test_a_newer_version_shows_once_anchored_and_the_older_meanwhile(
        manual_app: FastAPI, manual_client: httpx.AsyncClient,
        ledger_domain: SubmissionDomain) -> None:
    domain = ledger_domain
    first = await _file(manual_client, site_submission(
        domain, VNPT.key, site_body("VNPT-HUE-00009", "2025-08-01", VY_DA), 0))
    await _anchor(manual_app)
    later = site_body("VNPT-HUE-00009", "2025-10-29", VY_DA, status="out_of_service",
                      outage=FLOOD)
    second = await _file(manual_client, site_submission(domain, VNPT.key, later, 1, first))
    shown = await _geojson(manual_client, "/v1/map/sites.geojson?on=2025-12-01")
    assert [f["id"] for f in shown["features"]] == [_bare(first)]
    await _anchor(manual_app)
    shown = await _geojson(manual_client, "/v1/map/sites.geojson?on=2025-12-01")
    assert [f["id"] for f in shown["features"]] == [_bare(second)]
    assert shown["features"][0]["properties"]["status"] == "out_of_service"


def route_body(route_id: str, as_of: str, *, placement: str = "aerial", shared: str | None = None,
               tenants: tuple[str, ...] = (), status: str = "in_service") -> dict[str, Any]:
    """A valid `route/1` body from the test point of Phú Xuân to that of Vỹ Dạ."""
    return {
        "route_id": route_id, "as_of": as_of, "areas": [PHU_XUAN, VY_DA],
        "geometry": {"type": "LineString", "coordinates": [
            [POINTS[PHU_XUAN][1], POINTS[PHU_XUAN][0]], [107.595, 16.479],
            [POINTS[VY_DA][1], POINTS[VY_DA][0]]]},
        "placement": placement, "shared": shared, "tenants": list(tenants), "status": status,
    }


def route_submission(domain: SubmissionDomain, key: bytes, body: dict[str, Any], n: int,
                     supersedes: str | None = None) -> dict[str, Any]:
    return signed("route", "route/1", f"route:{body['route_id']}", body, key=key, domain=domain,
                  issued_at=ISSUED + 100 + n, supersedes=supersedes)


async def test_the_cable_routes_of_a_past_day(
        manual_app: FastAPI, manual_client: httpx.AsyncClient,
        ledger_domain: SubmissionDomain) -> None:
    """R1 (VNPT, aerial on poles shared with Viettel) from 2025-08-01 until its removal on
    2025-11-01; R2 (Viettel, underground in shared ducts) from 2025-09-01."""
    domain = ledger_domain
    r1_body = route_body("VNPT-HUE-R1", "2025-08-01", shared="poles",
                         tenants=(VIETTEL.address,))
    r1 = await _file(manual_client, route_submission(domain, VNPT.key, r1_body, 0))
    r2_body = route_body("VTL-HUE-R2", "2025-09-01", placement="underground", shared="ducts")
    r2 = await _file(manual_client, route_submission(domain, VIETTEL.key, r2_body, 1))
    removed = await _file(manual_client, route_submission(
        domain, VNPT.key, {**r1_body, "as_of": "2025-11-01", "status": "removed"}, 2, r1))
    assert (await _geojson(manual_client, "/v1/map/routes.geojson?on=2025-10-01")
            )["features"] == []  # nothing anchored yet
    await _anchor(manual_app)

    october = await _geojson(manual_client, "/v1/map/routes.geojson?on=2025-10-01")
    assert october["on"] == "2025-10-01"
    by_route = {f["properties"]["route_id"]: f for f in october["features"]}
    assert sorted(by_route) == ["VNPT-HUE-R1", "VTL-HUE-R2"]
    line = by_route["VNPT-HUE-R1"]
    assert line["id"] == _bare(r1)
    assert line["geometry"] == r1_body["geometry"]  # [longitude, latitude], RFC 7946
    assert line["properties"] == {
        "route_id": "VNPT-HUE-R1", "owner": VNPT.address, "owner_name": VNPT.name,
        "kind": "aerial", "shared": "poles", "tenants": [VIETTEL.address],
        "tenant_names": [VIETTEL.name], "status": "in_service",
        "areas": [PHU_XUAN, VY_DA], "as_of": "2025-08-01",
        "length_m": round(route_length_m(RouteBody.model_validate(r1_body)), 1),
        "record": "/records/" + _bare(r1)}
    assert 3_000 < line["properties"]["length_m"] < 4_500
    assert (by_route["VTL-HUE-R2"]["properties"]["kind"],
            by_route["VTL-HUE-R2"]["properties"]["shared"],
            by_route["VTL-HUE-R2"]["properties"]["owner_name"]) == (
        "underground", "ducts", VIETTEL.name)

    august = await _geojson(manual_client, "/v1/map/routes.geojson?on=2025-08-15")
    assert [f["id"] for f in august["features"]] == [_bare(r1)]  # R2 not there yet
    december = await _geojson(manual_client, "/v1/map/routes.geojson?on=2025-12-01")
    assert [f["id"] for f in december["features"]] == [_bare(r2)]  # R1 removed
    assert _bare(removed) not in {f["id"] for f in december["features"]}
    sites = await _geojson(manual_client, "/v1/map/sites.geojson?on=2025-10-01")
    assert sites["features"] == []  # routes are not sites


@pytest.mark.parametrize("path", ["/v1/map/areas.geojson", "/v1/map/sites.geojson",
                                  "/v1/map/routes.geojson"])
@pytest.mark.parametrize("bad", ["2025-02-30", "2025-7-1", "yesterday", "20250701", "2025-13-01",
                                 "２０２５-07-01"])
async def test_a_bad_date_is_a_400_with_a_code(manual_client: httpx.AsyncClient, path: str,
                                               bad: str) -> None:
    answer = await manual_client.get(path, params={"on": bad})
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "invalid_date"
    assert bad in answer.json()["message"]


async def test_the_default_day_is_today_in_viet_nam(manual_app: FastAPI,
                                                    manual_client: httpx.AsyncClient) -> None:
    today = datetime.fromtimestamp(manual_app.state.node.clock(), VIETNAM_TIME).date()
    sites = await _geojson(manual_client, "/v1/map/sites.geojson")
    assert sites["on"] == today.isoformat()
    areas = await _geojson(manual_client, "/v1/map/areas.geojson")
    assert len(areas["features"]) == 41


async def test_an_unknown_site_is_not_found_and_a_bad_id_is_refused(
        manual_client: httpx.AsyncClient) -> None:
    answer = await manual_client.get("/v1/map/sites/NOPE-1/history")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    bad = await manual_client.get("/v1/map/sites/not%20an%20id/history")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"


async def test_the_map_page_allows_images_from_the_basemap_origin_only(
        manual_client: httpx.AsyncClient) -> None:
    page = await manual_client.get("/map")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert "script-src 'self';" in policy
    assert 'data-tiles-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page.text
    record_page_policy = (await manual_client.get("/verify")).headers["content-security-policy"]
    assert "openstreetmap" not in record_page_policy
