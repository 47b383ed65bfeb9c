"""The demo's sample infrastructure: BTS sites, two cable routes and their ducts (sample data).

Eight sites in each of the 40 commune-level units of 2025-07-01, by the three mobile operators in
turn, each at a point drawn inside its commune's polygon; about a third shared with another
mobile operator (`tenants`), 5G on some, rooftop sites in the wards (three owners filed apart,
in restricted `siteowner/1` records), poles with a permit exemption. Every site is first filed as
of 2025-08-01; then the floods of late October 2025 take 24 of them out of service
(`out_of_service`, reason `flood`, since 2025-10-28), 20 come back on 2025-11-05 and four stay
out; in March 2026 some sites gain 5G. Each new state supersedes the site's previous record.
FPT Telecom files a site in every fourth commune too (numbered after the mobile operators'), so
all four operators file sites; every tenth site also gives its position as surveyed in VN-2000
(`vn2000`, zone 107-00), converted from its WGS84 one. VNPT files an aerial route on shared poles
and FPT Telecom an underground one in shared ducts, with two manholes and two duct sections
along it (both shared with VNPT, so `cable_duct_shared_ratio@1` has a value). Positions, ids,
owners and dates are generated (seeded), not real.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any, Final

from api.demo.drafts import Draft, sample_timestamp
from filings.areas import Area, load_areas
from filings.infrastructure import SITE_OWNER_KIND, contains, wgs84_to_vn2000
from filings.kinds import BOUNDING_BOX

FIRST_STATE: Final = date(2025, 8, 1)
"""The day every sample site is first filed as of (the 40 units are in force)."""
FLOOD: Final = date(2025, 10, 28)
RESTORED: Final = date(2025, 11, 5)
UPGRADE: Final = date(2026, 3, 2)
SITES_PER_COMMUNE: Final = 8
FLOODED: Final = 24
STILL_OUT: Final = 4
MOBILE_IDS: Final = (("vnpt", "VNPT"), ("viettel", "VTL"), ("mobifone", "MBF"))
ISSUER: Final = "Sở Khoa học và Công nghệ thành phố Huế"
POLE_EXEMPTION: Final = ("Cột ăng-ten thân đơn trên cột điện, miễn giấy phép xây dựng "
                         "(dữ liệu mẫu / sample data)")
FLOOD_NOTE: Final = "Ngập lụt cuối tháng 10/2025 (dữ liệu mẫu). Flooding, late October 2025."
FPT_EVERY: Final = 4
"""FPT Telecom files a site in every fourth commune of the list (10 sites)."""
SURVEYED_EVERY: Final = 10
"""Every tenth first site also gives its VN-2000 coordinates."""
VN2000_ZONE: Final = "107-00"
"""Huế's VN-2000 TM-3 zone (`filings.infrastructure`)."""
OWNED: Final = (7, 101, 202)
"""The numbers of the rooftop sites whose building's owner is filed (`siteowner/1`)."""


def infrastructure_drafts(addresses: Mapping[str, str]) -> list[Draft]:
    """Every sample site, route and duct, each thing's states in the order they are filed.

    `addresses` maps each sample operator's slug to its EIP-55 address.
    """
    sites = _first_sites(addresses)
    drafts = list(sites) + [_owner(site) for site in sites
                            if int(site.body["site_id"][-5:]) in OWNED]
    latest = {draft.subject: draft for draft in sites}
    rng = random.Random("sample sites/flood")
    flooded = rng.sample(sorted(latest), FLOODED)
    for subject in flooded:
        drafts.append(_next(latest, subject, FLOOD, status="out_of_service", out_of_service={
            "reason": "flood", "since": FLOOD.isoformat(), "note": FLOOD_NOTE}))
    for subject in flooded[STILL_OUT:]:
        drafts.append(_next(latest, subject, RESTORED, status="in_service", out_of_service=None))
    for subject in sorted(latest):
        body = latest[subject].body
        if (body["status"] == "in_service" and "5G" not in body["technologies"]
                and rng.random() < 0.15):
            drafts.append(_next(latest, subject, UPGRADE,
                                technologies=sorted({*body["technologies"], "5G"})))
    drafts += _routes_and_ducts(addresses)
    return drafts


def _first_sites(addresses: Mapping[str, str]) -> list[Draft]:
    communes = [a for a in load_areas().on(FIRST_STATE)
                if a.level == "commune" and a.geometry is not None]
    drafts = []
    number = 0
    for commune in communes:
        rng = random.Random(f"sample sites/{commune.code}")
        for _ in range(SITES_PER_COMMUNE):
            slug, prefix = MOBILE_IDS[number % len(MOBILE_IDS)]
            number += 1
            lat, lon = _point_in(commune, rng)
            drafts.append(_site(addresses, commune, slug, f"{prefix}-HUE-{number:05d}",
                                lat, lon, rng, owned=number in OWNED))
    for commune in communes[::FPT_EVERY]:
        rng = random.Random(f"sample sites/fpt/{commune.code}")
        number += 1
        lat, lon = _point_in(commune, rng)
        drafts.append(_site(addresses, commune, "fpt", f"FPT-HUE-{number:05d}", lat, lon, rng,
                            owned=False))
    return [_surveyed(draft) if n % SURVEYED_EVERY == 0 else draft
            for n, draft in enumerate(drafts)]


def _surveyed(site: Draft) -> Draft:
    """`site` with its position in VN-2000 too, as a surveyor would file it: converted from the
    WGS84 one by the inverse of the transformation the ledger checks it with
    (`filings.infrastructure.vn2000_to_wgs84`), to the millimetre, so well within the
    tolerance."""
    position = site.body["position"]
    northing, easting = wgs84_to_vn2000(position["lat"], position["lon"], VN2000_ZONE)
    return replace(site, body={**site.body, "vn2000": {
        "x": round(northing, 3), "y": round(easting, 3), "zone": VN2000_ZONE}})


def _site(addresses: Mapping[str, str], commune: Area, slug: str, site_id: str, lat: float,
          lon: float, rng: random.Random, *, owned: bool) -> Draft:
    ward = commune.type == "phường"
    structure = ("rooftop" if owned or (ward and rng.random() < 0.45)
                 else rng.choice(("ground_tower", "ground_tower", "ground_tower", "pole",
                                  "camouflaged")))
    heights = {"ground_tower": (30, 60), "rooftop": (6, 18), "pole": (12, 21),
               "camouflaged": (15, 30)}[structure]
    commissioned = date(rng.randint(2016, 2025), rng.randint(1, 6), rng.randint(1, 28))
    technologies = ["4G"] + (["2G"] if rng.random() < 0.5 else []) + (
        ["5G"] if rng.random() < (0.35 if ward else 0.1) else [])
    others = [other for other, _ in MOBILE_IDS if other != slug]
    tenants = ([addresses[rng.choice(others)]] if rng.random() < 0.35 else [])
    body: dict[str, Any] = {
        "site_id": site_id, "as_of": FIRST_STATE.isoformat(), "area": commune.code,
        "position": {"lat": lat, "lon": lon}, "structure": structure,
        "height_m": float(rng.randint(*heights)), "technologies": sorted(technologies),
        "tenants": tenants,
        "permit": None if structure == "pole" else {
            "number": f"{rng.randint(10, 999)}/GP-SAMPLE", "issuer": ISSUER,
            "date": date(commissioned.year, commissioned.month, 1).isoformat()},
        "exemption": POLE_EXEMPTION if structure == "pole" else None,
        "status": "in_service", "out_of_service": None,
        "commissioned": commissioned.isoformat(),
    }
    return Draft(key=f"site/{site_id}/1", operator=slug, kind="site", schema="site/1",
                 subject=f"site:{site_id}", body=body, issued_at=sample_timestamp(FIRST_STATE))


def _owner(site: Draft) -> Draft:
    """The restricted record of who owns the building of a rooftop `site` (sample data)."""
    site_id = site.body["site_id"]
    body = {"site_id": site_id, "as_of": FIRST_STATE.isoformat(),
            "rooftop_owner": {"name": f"Hộ gia đình mẫu {site_id[-3:]} (sample)",
                              "phone": f"+84 234 3900 {site_id[-3:]}"}}
    return Draft(key=f"{SITE_OWNER_KIND}/{site_id}/1", operator=site.operator,
                 kind=SITE_OWNER_KIND, schema=f"{SITE_OWNER_KIND}/1",
                 subject=f"{SITE_OWNER_KIND}:{site_id}", body=body,
                 issued_at=sample_timestamp(FIRST_STATE), restricted=True)


def _next(latest: dict[str, Draft], subject: str, as_of: date, **changes: Any) -> Draft:
    """The next state of the thing `subject`, superseding its latest draft."""
    previous = latest[subject]
    body = {**previous.body, **changes, "as_of": as_of.isoformat()}
    version = int(previous.key.rsplit("/", 1)[1]) + 1
    draft = Draft(key=f"{previous.key.rsplit('/', 1)[0]}/{version}", operator=previous.operator,
                  kind=previous.kind, schema=previous.schema, subject=subject, body=body,
                  issued_at=sample_timestamp(as_of), restricted=previous.restricted,
                  corrects=previous.key)
    latest[subject] = draft
    return draft


def _routes_and_ducts(addresses: Mapping[str, str]) -> list[Draft]:
    catalogue = load_areas()
    drafts = []
    lines = (("VNPT-HUE-TUYEN-01", "vnpt", "aerial", "poles", ["viettel", "fpt"],
              (16.4690, 107.5790), (16.4560, 107.6050)),
             ("FPT-HUE-TUYEN-01", "fpt", "underground", "ducts", ["vnpt"],
              (16.4620, 107.5850), (16.4470, 107.5960)))
    for route_id, slug, placement, shared, tenants, start, end in lines:
        points = [(start[0] + (end[0] - start[0]) * step / 12,
                   start[1] + (end[1] - start[1]) * step / 12) for step in range(13)]
        crossed = []
        for lat, lon in points:
            for area in catalogue.on(FIRST_STATE):
                if (area.level == "commune" and area.geometry is not None
                        and area.code not in crossed and contains(area, lat, lon)):
                    crossed.append(area.code)
        body: dict[str, Any] = {
            "route_id": route_id, "as_of": FIRST_STATE.isoformat(), "areas": crossed,
            "geometry": {"type": "LineString",
                         "coordinates": [[round(lon, 5), round(lat, 5)] for lat, lon in points]},
            "placement": placement, "shared": shared,
            "tenants": [addresses[tenant] for tenant in tenants], "status": "in_service",
        }
        drafts.append(Draft(key=f"route/{route_id}/1", operator=slug, kind="route",
                            schema="route/1", subject=f"route:{route_id}", body=body,
                            issued_at=sample_timestamp(FIRST_STATE)))
        if placement == "underground":
            along = (("HG01", "manhole", points[3]), ("HG02", "manhole", points[9]),
                     ("OC01", "duct", points[6]), ("OC02", "duct", points[11]))
            for suffix, duct_type, (lat, lon) in along:
                area = next(a for a in catalogue.on(FIRST_STATE) if a.level == "commune"
                            and a.geometry is not None and contains(a, lat, lon))
                duct_id = f"{route_id}-{suffix}"
                drafts.append(Draft(
                    key=f"duct/{duct_id}/1", operator=slug, kind="duct", schema="duct/1",
                    subject=f"duct:{duct_id}", issued_at=sample_timestamp(FIRST_STATE),
                    body={"duct_id": duct_id, "as_of": FIRST_STATE.isoformat(),
                          "area": area.code, "position": {"lat": round(lat, 5),
                                                          "lon": round(lon, 5)},
                          "type": duct_type, "capacity": 6, "used": 3,
                          "tenants": [addresses[tenant] for tenant in tenants],
                          "status": "in_service"}))
    return drafts


def _point_in(commune: Area, rng: random.Random) -> tuple[float, float]:
    """A point of five decimals (about a metre) inside `commune`'s polygon."""
    south, west, north, east = BOUNDING_BOX
    while True:
        lat = round(rng.uniform(south, north), 5)
        lon = round(rng.uniform(west, east), 5)
        if contains(commune, lat, lon):
            return lat, lon
