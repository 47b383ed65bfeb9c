"""Sites, routes and ducts through the real app, on SQLite and PostgreSQL: each refusal with its
code and the log unchanged; the infrastructure book's versions; the computed indicators equal
to a recount of the records filed here, beside the figure an operator declared; a rooftop site
public on the map and in the export while its owner's restricted record reaches no public
answer; a route's areas checked against its line."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from typing import Any, Final

import httpx
import pytest
from fastapi import FastAPI

from api.infrastructure import InfrastructureBook
from filings.infrastructure import RouteBody, route_length_m
from filings.signing import SubmissionDomain
from tests.filings.factories import SALT, figure
from tests.filings.infra_factories import (
    ISSUED,
    OWNER_NAME,
    OWNER_PHONE,
    PHU_XUAN,
    THUAN_HOA,
    VN2000,
    body,
    thing,
)
from tests.server_fixtures import PLANS, SAMPLE, auth
from verifier.entry import Entry

OWNER, OTHER = SAMPLE.active, SAMPLE.other
DAY = "2025-11-03"
EXPORT_FILES: Final = ("catalog.jsonld", "datapackage.json", "indicators.csv", "permits.csv",
                       "plans.csv", "sites.csv", "sites.geojson", "routes.geojson", "ducts.csv")
VY_DA: Final = "19777"
"""Phường Vỹ Dạ (from 2025-07-01): the sample route touches it nowhere."""


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


async def tree_size(client: httpx.AsyncClient) -> int:
    size: int = (await client.get("/v1/log")).json()["tree_size"]
    return size


async def accepted(client: httpx.AsyncClient, *items: dict[str, Any]) -> list[str]:
    answer = await client.post("/v1/submissions", json={"submissions": list(items)})
    assert answer.status_code == 202, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(items), results
    return [r["record_id"] for r in results]


async def refused(client: httpx.AsyncClient, item: dict[str, Any]) -> tuple[int, str]:
    before = await tree_size(client)
    answer = await client.post("/v1/submissions", json=item)
    assert await tree_size(client) == before, "a refused record changed the log"
    return answer.status_code, answer.json()["code"]


async def test_each_refusal_has_its_code_and_leaves_the_log_unchanged(
    client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
) -> None:
    def site(**changes: Any) -> dict[str, Any]:
        changes.setdefault("key", OWNER.key)
        changes.setdefault("tenants", [OTHER.address])
        return thing(domain=ledger_domain, **changes)

    [first] = await accepted(client, site())
    assert await refused(client, site(site_id="S-OUT", area=PHU_XUAN)) == (422, "outside_area")
    assert await refused(client, site(site_id="S-FAR", vn2000={**VN2000, "y": VN2000["y"] + 15})
                         ) == (422, "position_mismatch")
    assert await refused(client, site(site_id="S-TENANT", tenants=[SAMPLE.unregistered.address])
                         ) == (422, "unknown_tenant")
    assert await refused(client, site(site_id="S-REVOKED", tenants=[SAMPLE.revoked.address])
                         ) == (422, "unknown_tenant")
    down = {"status": "out_of_service", "out_of_service": {"reason": "flood",
                                                           "since": "2025-10-28"}}
    assert await refused(client, site(key=OTHER.key, tenants=[], supersedes=first, **down)
                         ) == (403, "not_owner")
    assert await refused(client, site(height_m=45.0)) == (409, "already_filed")
    assert await tree_size(client) == PLANS + 1
    [second] = await accepted(client, site(supersedes=first, issued_at=ISSUED + 60, **down))
    listed = (await client.get("/v1/records", params={"subject": "site:VNPT-HUE-00123"})).json()
    assert [r["id"] for r in listed["records"]] == [first, second]


async def test_the_book_holds_every_version_and_the_state_on_a_day(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
) -> None:
    book: InfrastructureBook = app.state.ledger.infrastructure
    [first] = await accepted(client, thing(key=OWNER.key, tenants=[], domain=ledger_domain,
                                           as_of="2025-10-01"))
    assert [s.record_id for s in book.on(date(2025, 10, 15))] == ["0x" + first]
    [second] = await accepted(client, thing(key=OWNER.key, tenants=[], domain=ledger_domain,
                                            supersedes=first, as_of="2025-11-01",
                                            status="removed", issued_at=ISSUED + 60))
    history = book.history("site", "VNPT-HUE-00123")
    assert [(s.record_id, s.body.status, s.operator) for s in history] == [
        ("0x" + first, "in_service", OWNER.address), ("0x" + second, "removed", OWNER.address)]
    assert [s.record_id for s in book.on(date(2025, 10, 15))] == ["0x" + first]
    assert [s.record_id for s in book.on(date(2025, 11, 2))] == ["0x" + second]
    assert book.on(date(2025, 9, 30)) == []
    assert book.on(date(2025, 11, 2), "route") == []


async def test_computed_indicators_equal_a_recount_of_the_records(
    client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
) -> None:
    sites = [
        dict(site_id="A1", key=OWNER.key, tenants=[OTHER.address], technologies=["4G", "5G"]),
        dict(site_id="A2", key=OWNER.key, tenants=[], technologies=["2G", "4G"]),
        dict(site_id="A3", key=OTHER.key, tenants=[OWNER.address], technologies=["4G"],
             area=PHU_XUAN, position={"lat": 16.4797, "lon": 107.5743}, vn2000=None),
        dict(site_id="A4", key=OTHER.key, tenants=[], technologies=["5G"], area=PHU_XUAN,
             position={"lat": 16.4797, "lon": 107.5743}, vn2000=None),
        dict(site_id="A5", key=OWNER.key, tenants=[OTHER.address], technologies=["4G"],
             status="out_of_service",
             out_of_service={"reason": "flood", "since": "2025-10-28"}),
        dict(site_id="A6", key=OWNER.key, tenants=[], technologies=["5G"], status="planned",
             commissioned=None),
        dict(site_id="A7", key=OWNER.key, tenants=[], technologies=["4G"],
             as_of="2025-11-10", issued_at=ISSUED + 7 * 86_400),  # after the day: not counted
    ]
    ids = await accepted(client, *(thing(domain=ledger_domain, **s) for s in sites))
    routes = [dict(route_id="R1", shared="poles"), dict(route_id="R2", shared=None),
              dict(route_id="R3", shared="ducts", placement="underground")]
    route_ids = await accepted(client, *(thing("route", key=OWNER.key, domain=ledger_domain,
                                               **r) for r in routes))
    ducts = [dict(duct_id="D1", tenants=[OTHER.address]), dict(duct_id="D2", tenants=[]),
             dict(duct_id="D3", tenants=[OTHER.address], type="manhole")]
    duct_ids = await accepted(client, *(thing("duct", key=OWNER.key, domain=ledger_domain,
                                              **d) for d in ducts))
    await accepted(client, figure(area="46", period="2025", value=50.0, key=OWNER.key,
                                  domain=ledger_domain, issued_at=1_768_500_000))

    answer = await client.get("/v1/indicators/computed", params={"on": DAY})
    assert answer.status_code == 200, answer.text
    got = {(f["formula"], a["area"]): a for f in answer.json()["formulas"] for a in f["areas"]}

    # the recount, from the bodies filed above
    record = dict(zip([s["site_id"] for s in sites], ids, strict=True))
    day = date.fromisoformat(DAY)
    standing = [s for s in sites if date.fromisoformat(str(s.get("as_of", "2025-11-02"))) <= day]
    for where in ("46", THUAN_HOA, PHU_XUAN):
        here = [s for s in standing if where == "46" or s.get("area", THUAN_HOA) == where]
        serving = [s for s in here if s.get("status", "in_service") == "in_service"]
        shared = [s for s in serving if s["tenants"]]
        with_4g = [s for s in serving if "4G" in s["technologies"]]
        with_5g = [s for s in serving if "5G" in s["technologies"]]
        down = [s for s in here if s.get("status") == "out_of_service"]
        for key, taken, counted, percent in (
                ("bts_shared_ratio@1", serving, shared, True),
                ("sites_4g_share@1", serving, with_4g, True),
                ("sites_5g@1", with_5g, with_5g, False),
                ("sites_out_of_service@1", down, down, False)):
            if not taken:
                assert (key, where) not in got or where == "46"
                continue
            cell = got[(key, where)]
            want = 100 * len(counted) / len(taken) if percent else len(counted)
            assert cell["value"] == pytest.approx(want), (key, where)
            assert set(cell["records"]) == {record[str(s["site_id"])] for s in taken}
            assert set(cell["counted"]) == {record[str(s["site_id"])] for s in counted}
    assert got[("bts_shared_ratio@1", "46")]["value"] == pytest.approx(100 * 2 / 4)
    declared = got[("bts_shared_ratio@1", "46")]["declared"]
    assert [(d["declarant"], d["value"], d["period"]) for d in declared] == [
        (OWNER.address, 50.0, "2025")]

    poles = got[("cable_pole_shared_ratio@1", "46")]
    lengths = {r: route_length_m(route(r)) for r in ("R1", "R2")}
    assert poles["value"] == pytest.approx(100 * lengths["R1"] / (lengths["R1"] + lengths["R2"]))
    assert set(poles["records"]) == set(route_ids[:2])
    assert poles["counted"] == [route_ids[0]]
    ducts_city = got[("cable_duct_shared_ratio@1", "46")]
    assert (ducts_city["value"], ducts_city["counted"]) == (50.0, [duct_ids[0]])
    assert set(ducts_city["records"]) == set(duct_ids[:2])
    for record_id in got[("bts_shared_ratio@1", "46")]["records"]:
        assert (await client.get(f"/v1/records/{record_id}")).status_code == 200


def route(route_id: str) -> RouteBody:
    return RouteBody.model_validate(body("route", route_id=route_id))


async def _anchor(app: FastAPI) -> None:
    node = app.state.node
    await asyncio.to_thread(node.checkpointer.run_once)
    assert await asyncio.to_thread(node.anchorer.run_once) is not None


async def test_a_site_owner_and_a_route_off_its_areas_are_refused_and_the_log_unchanged(
    client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
) -> None:
    def signed(kind: str = "site", **changes: Any) -> dict[str, Any]:
        changes.setdefault("key", OWNER.key)
        if kind == "site":
            changes.setdefault("tenants", [OTHER.address])
        return thing(kind, domain=ledger_domain, **changes)

    assert await refused(client, signed("siteowner", salt=SALT)) == (422, "unknown_site")
    [site] = await accepted(client, signed(structure="rooftop"))
    assert await refused(client, signed("siteowner")) == (422, "personal_data_public")
    assert await refused(client, signed("siteowner", key=OTHER.key, salt=SALT)
                         ) == (403, "not_owner")
    assert await refused(client, signed(site_id="S-SALTED", salt=SALT)
                         ) == (422, "schema_violation")
    answer = await client.post("/v1/submissions", json=signed(
        site_id="S-OWNER", structure="rooftop",
        rooftop_owner={"name": OWNER_NAME, "phone": OWNER_PHONE}))
    assert (answer.status_code, answer.json()["code"]) == (422, "schema_violation")
    assert "siteowner/1" in answer.text and OWNER_NAME not in answer.text
    assert await refused(client, signed("route", areas=[THUAN_HOA, PHU_XUAN, VY_DA])
                         ) == (422, "outside_area")
    assert await refused(client, signed("route", areas=[THUAN_HOA])) == (422, "outside_area")
    assert await tree_size(client) == PLANS + 1
    [owner, route] = await accepted(client, signed("siteowner", salt=SALT), signed("route"))
    assert await refused(client, signed("siteowner", as_of="2025-11-01", salt=SALT)
                         ) == (409, "already_filed")
    listed = (await client.get("/v1/records", params={"kind": "siteowner"})).json()
    assert [r["id"] for r in listed["records"]] == [owner]
    assert site != route


async def test_a_rooftop_site_is_public_and_its_owner_reaches_no_public_answer(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
    inspector_token: str,
) -> None:
    """The site and its owner filed in one request; once anchored, the site is on the map, in
    its history, in the computed figures and in every export file, and the bytes of no public
    answer hold the owner's name or phone; an inspector reads the owner's record."""
    [site, owner] = await accepted(
        client, thing(key=OWNER.key, tenants=[OTHER.address], domain=ledger_domain,
                      structure="rooftop", height_m=12.0),
        thing("siteowner", key=OWNER.key, domain=ledger_domain, salt=SALT))
    await _anchor(app)

    public: dict[str, bytes] = {}
    for path in ("/v1/map/sites.geojson?on=" + DAY, "/v1/map/sites/VNPT-HUE-00123/history",
                 "/v1/indicators/computed?on=" + DAY, f"/v1/records/{site}",
                 f"/v1/records/{owner}", f"/v1/records/{owner}/proof",
                 "/v1/records?kind=siteowner", "/v1/records?subject=siteowner:VNPT-HUE-00123",
                 f"/records/{site}", f"/records/{owner}",
                 *(f"/v1/export/{name}" for name in EXPORT_FILES)):
        answer = await client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        public[path] = answer.content
    for path, data in public.items():
        for secret in (OWNER_NAME, OWNER_PHONE, SALT.hex()):
            assert secret.encode() not in data, (path, secret)
        assert b"rooftop_owner\":{" not in data and b'"rooftop_owner":{' not in data, path

    [feature] = json.loads(public["/v1/map/sites.geojson?on=" + DAY])["features"]
    assert (feature["id"], feature["properties"]["structure"]) == (site, "rooftop")
    assert site.encode() in public["/v1/export/sites.csv"]
    assert site.encode() in public["/v1/export/sites.geojson"]
    assert owner.encode() not in b"".join(public[f"/v1/export/{name}"] for name in EXPORT_FILES)
    computed = json.loads(public["/v1/indicators/computed?on=" + DAY])
    shared = next(f for f in computed["formulas"] if f["formula"] == "bts_shared_ratio@1")
    assert [a["records"] for a in shared["areas"] if a["area"] == "46"] == [[site]]

    seen = (await client.get(f"/v1/records/{owner}")).json()
    assert (seen["restricted"], seen["body"]) == (True, None)
    assert Entry.parse(seen["entry"]).signers == "operator"
    inspected = (await client.get(f"/v1/records/{owner}", headers=auth(inspector_token))).json()
    assert inspected["body"]["rooftop_owner"] == {"name": OWNER_NAME, "phone": OWNER_PHONE}
    assert (await client.get(f"/v1/records/{site}")).json()["body"]["rooftop_owner"] is None


async def test_the_book_holds_public_records_only(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
) -> None:
    """A salted route counts for who owns it, never on the map or in the figures; a site's
    owner record is no version of the site."""
    book: InfrastructureBook = app.state.ledger.infrastructure
    [site, owner, route] = await accepted(
        client, thing(key=OWNER.key, tenants=[], domain=ledger_domain),
        thing("siteowner", key=OWNER.key, domain=ledger_domain, salt=SALT),
        thing("route", key=OWNER.key, domain=ledger_domain, salt=SALT))
    day = date.fromisoformat(DAY)
    assert [s.record_id for s in book.on(day)] == ["0x" + site]
    assert book.on(day, "route") == [] and book.on(day, "siteowner") == []
    heads = book.heads(["site:VNPT-HUE-00123", "siteowner:VNPT-HUE-00123",
                        "route:VNPT-HUE-R001"])
    assert {subject: "0x" + head.first.hex() for subject, head in heads.items()} == {
        "site:VNPT-HUE-00123": "0x" + site, "siteowner:VNPT-HUE-00123": "0x" + owner,
        "route:VNPT-HUE-R001": "0x" + route}
