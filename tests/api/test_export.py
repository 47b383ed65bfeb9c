"""The open-data export through the real server, on SQLite and PostgreSQL: records filed through
the API (figures and a correction, a public and a restricted permit, the plan), then the
catalogue and its files at the anchored checkpoint: the Frictionless package validates with
`frictionless`, the DCAT catalogue names the checkpoint, the sites, cable routes and ducts are
there as CSV and GeoJSON (a route with its computed length), no restricted body appears anywhere
(a rooftop site is there, its owner's name not), and `infraledger export DIR` writes the same
bytes."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
import rdflib
from fastapi import FastAPI
from frictionless import validate
from rdflib.namespace import RDF

from api.app import create_app
from api.cli import main
from api.serving import ServerThread
from api.settings import Settings
from filings.infrastructure import RouteBody, route_length_m
from filings.signing import SubmissionDomain
from tests.filings.factories import (
    CITY,
    OTHER_KEY,
    PERMIT_BODY,
    PERMIT_SUBJECT,
    PLAN_254,
    SALT,
    figure,
    signed,
)
from tests.filings.infra_factories import DUCT_BODY, ISSUED, POSITION, ROUTE_BODY, VN2000, thing
from tests.server_fixtures import SAMPLE, sign_indicator

DCAT: Final = "http://www.w3.org/ns/dcat#"
SPDX: Final = "http://spdx.org/rdf/terms#"

FILED_2024: Final = 1_737_000_000  # 2025-01-16
FILES: Final = ("catalog.jsonld", "datapackage.json", "indicators.csv", "permits.csv",
                "plans.csv", "sites.csv", "sites.geojson", "routes.geojson", "ducts.csv")
PRIVATE_NAME: Final = "Nguyễn Thị Chủ Nhà"
PRIVATE_PHONE: Final = "+84 234 3822 119"
RESTRICTED_NUMBER: Final = "777/GP-KIN"
ROOFTOP_SITE: Final = "VNPT-HUE-ROOF-9"


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


@dataclass(frozen=True)
class Sample:
    """The records `file_sample` filed: their ids."""

    figure: str
    correction: str
    other_figure: str
    city_figure: str
    permit: str
    restricted_permit: str
    site: str
    site_down: str
    rooftop_site: str
    rooftop_owner: str
    route: str
    duct: str

    @property
    def last(self) -> str:
        return self.site_down


def _submit(url: str, *items: dict[str, Any]) -> list[str]:
    answer = httpx.post(f"{url}/v1/submissions", json={"submissions": list(items)})
    assert answer.status_code == 202, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(items), results
    return [r["record_id"] for r in results]


def file_sample(url: str, domain: SubmissionDomain) -> Sample:
    """File figures (one corrected), a public and a restricted permit through the API, and wait
    until an anchored checkpoint holds them all."""
    [first] = _submit(url, figure(domain=domain))
    [correction, other, city] = _submit(
        url,
        figure(value=32.0, domain=domain, supersedes=first, issued_at=1_720_000_100),
        figure(value=30.5, key=OTHER_KEY, domain=domain),
        figure(area=CITY, period="2024", value=27.0, domain=domain, issued_at=FILED_2024,
               extra={"numerator": 27, "denominator": 100}),
    )
    restricted_body = {**PERMIT_BODY, "number": RESTRICTED_NUMBER,
                       "personal_data": {"name": PRIVATE_NAME, "phone": PRIVATE_PHONE}}
    [permit, restricted] = _submit(
        url,
        signed("permit", "permit/2", PERMIT_SUBJECT, PERMIT_BODY, domain=domain),
        signed("permit", "permit/2", f"permit:20152:{RESTRICTED_NUMBER}", restricted_body,
               domain=domain, salt=SALT),
    )
    down = {"status": "out_of_service",
            "out_of_service": {"reason": "flood", "since": "2025-10-28"}}
    [site, rooftop, owner, route, duct] = _submit(
        url,
        thing(domain=domain),
        thing(domain=domain, site_id=ROOFTOP_SITE, structure="rooftop"),
        thing("siteowner", domain=domain, site_id=ROOFTOP_SITE, salt=SALT,
              rooftop_owner={"name": PRIVATE_NAME, "phone": PRIVATE_PHONE}),
        thing("route", domain=domain),
        thing("duct", domain=domain),
    )
    [site_down] = _submit(url, thing(domain=domain, supersedes=site, issued_at=ISSUED + 60,
                                     **down))
    sample = Sample(first, correction, other, city, permit, restricted, site, site_down,
                    rooftop, owner, route, duct)
    wait_anchored(url, sample.last)
    return sample


def wait_anchored(url: str, record_id: str) -> None:
    for _ in range(400):
        if httpx.get(f"{url}/v1/records/{record_id}").json()["status"] == "anchored":
            return
        time.sleep(0.05)
    raise AssertionError(f"record {record_id} was not anchored")


def download(url: str, directory: Path) -> dict[str, bytes]:
    """Every file of the export at `url`, written into `directory` too."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in FILES:
        answer = httpx.get(f"{url}/v1/export/{name}")
        assert answer.status_code == 200, (name, answer.text)
        files[name] = answer.content
        (directory / name).write_bytes(answer.content)
    return files


def spherical_length(points: list[list[float]]) -> float:
    """A line's length on the sphere of the Earth's mean radius (haversine): within 0.5 % of
    the ellipsoid's geodesic length, an independent recount of a route's length."""
    total = 0.0
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(points):
        a = (math.sin(math.radians(lat2 - lat1) / 2) ** 2 + math.cos(math.radians(lat1))
             * math.cos(math.radians(lat2)) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
        total += 2 * 6_371_008.8 * math.asin(math.sqrt(a))
    return total


def assert_dcat_graph(data: bytes, base: str, datasets: int) -> None:
    """The catalogue read as RDF (rdflib's JSON-LD parser, no network): one dcat:Catalog whose
    datasets are dcat:Dataset, each distribution a dcat:Distribution with a download IRI under
    the export, a media-type IRI, a byte size and a SHA-256 checksum."""
    with warnings.catch_warnings():  # rdflib 7.6's JSON-LD parser uses its deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Graph().parse(data=data, format="json-ld", base=base)
    dcat, spdx = rdflib.Namespace(DCAT), rdflib.Namespace(SPDX)
    [catalog] = graph.subjects(RDF.type, dcat.Catalog)
    found = list(graph.objects(catalog, dcat.dataset))
    assert len(found) == datasets
    distributions = [d for dataset in found for d in graph.objects(dataset, dcat.distribution)]
    assert all((dataset, RDF.type, dcat.Dataset) in graph for dataset in found)
    assert len(distributions) >= datasets
    for distribution in distributions:
        assert (distribution, RDF.type, dcat.Distribution) in graph
        [download] = graph.objects(distribution, dcat.downloadURL)
        assert isinstance(download, rdflib.URIRef)
        assert str(download).startswith(base.rsplit("/", 1)[0] + "/"), download
        [media] = graph.objects(distribution, dcat.mediaType)
        assert str(media).startswith("https://www.iana.org/assignments/media-types/"), media
        [size] = graph.objects(distribution, dcat.byteSize)
        assert int(size) > 0
        [checksum] = graph.objects(distribution, spdx.checksum)
        [value] = graph.objects(checksum, spdx.checksumValue)
        assert len(str(value)) == 64


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_export_validates_names_its_checkpoint_and_holds_no_restricted_body(
    ledger_settings: Settings, ledger_domain: SubmissionDomain, tmp_path: Path,
    ledger_database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with ServerThread(create_app(ledger_settings)) as url:
        sample = file_sample(url, ledger_domain)
        served = download(url, tmp_path / "served")
        catalog_answer = httpx.get(f"{url}/v1/export/catalog.jsonld")
        csv_answer = httpx.get(f"{url}/v1/export/indicators.csv")
        geojson_answer = httpx.get(f"{url}/v1/export/sites.geojson")
        anchored = httpx.get(f"{url}/v1/anchors").json()["anchors"][-1]
        missing = httpx.get(f"{url}/v1/export/secrets.csv")

    assert catalog_answer.headers["content-type"] == "application/ld+json"
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.headers["content-disposition"] == 'attachment; filename="indicators.csv"'
    assert geojson_answer.headers["content-type"] == "application/geo+json"
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")

    report = validate(str(tmp_path / "served" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])

    catalogue = json.loads(served["catalog.jsonld"])
    assert {"dcat", "dct", "foaf", "prov", "spdx"} <= set(catalogue["@context"])
    assert_dcat_graph(served["catalog.jsonld"], f"{url}/v1/export/catalog.jsonld",
                      len(catalogue["dcat:dataset"]))
    assert catalogue["@type"] == "dcat:Catalog"
    claim = catalogue["prov:wasDerivedFrom"]
    assert claim["infraledger:treeSize"] == anchored["tree_size"]
    assert claim["infraledger:rootHash"] == anchored["root"]
    assert claim["infraledger:signedNote"].split("\n")[:2] == [
        ledger_settings.origin, str(anchored["tree_size"])]
    assert claim["infraledger:anchor"]["infraledger:transaction"] == anchored["tx_hash"]
    datasets = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert datasets["permits"]["infraledger:restrictedWithheld"] == 1
    assert datasets["indicators"]["infraledger:records"] == 4
    [csv_distribution] = datasets["indicators"]["dcat:distribution"]
    assert csv_distribution["dcat:mediaType"]["@id"].endswith("/text/csv")
    assert csv_distribution["dcat:byteSize"]["@value"] == str(len(served["indicators.csv"]))

    figures = {row["record"]: row for row in rows(served["indicators.csv"])}
    assert set(figures) == {sample.figure, sample.correction, sample.other_figure,
                            sample.city_figure}
    assert figures[sample.figure]["superseded_by"] == sample.correction
    assert figures[sample.correction]["supersedes"] == "0x" + sample.figure
    assert figures[sample.other_figure]["operator_name"] == SAMPLE.other.name
    assert figures[sample.city_figure]["issued_at"] == "2025-01-16T11:00:00+07:00"
    assert (figures[sample.city_figure]["numerator"], figures[sample.city_figure]["area_name"]) \
        == ("27", "Tỉnh Thừa Thiên Huế")  # the name on the period's last day, 2024-12-31
    [permit] = rows(served["permits.csv"])
    assert (permit["record"], permit["commune_name"]) == (sample.permit, "Xã Lộc Tiến")
    targets = rows(served["plans.csv"])
    assert len(targets) == len(PLAN_254["targets"])
    assert targets[0]["operator_name"] == "Sở Khoa học và Công nghệ thành phố Huế"

    assert datasets["sites"]["infraledger:restrictedWithheld"] == 0
    assert [d["dcat:downloadURL"]["@id"] for d in datasets["sites"]["dcat:distribution"]] == [
        "sites.csv", "sites.geojson"]
    assert datasets["routes"]["dcat:distribution"][0]["dct:conformsTo"][0]["@id"] == \
        "https://www.rfc-editor.org/rfc/rfc7946"
    sites = {row["record"]: row for row in rows(served["sites.csv"])}
    assert set(sites) == {sample.site, sample.site_down, sample.rooftop_site}
    assert sites[sample.site]["superseded_by"] == sample.site_down
    assert (sites[sample.site]["lat"], sites[sample.site]["vn2000_x"],
            sites[sample.site]["area_name"]) == (str(POSITION["lat"]), str(VN2000["x"]),
                                                  "Phường Thuận Hoá")
    assert sites[sample.site]["tenants"] == SAMPLE.other.address
    assert (sites[sample.site_down]["status"], sites[sample.site_down]["outage_reason"],
            sites[sample.site_down]["outage_since"]) == ("out_of_service", "flood",
                                                         "2025-10-28")
    [duct] = rows(served["ducts.csv"])
    assert (duct["record"], duct["capacity"], duct["used"]) == (sample.duct, "4", "2")

    points = json.loads(served["sites.geojson"])
    assert points["infraledger:checkpoint"] == {k: v for k, v in claim.items() if k != "@id"}
    first_site = next(f for f in points["features"] if f["id"] == sample.site)
    assert first_site["geometry"] == {"type": "Point",
                                      "coordinates": [POSITION["lon"], POSITION["lat"]]}
    assert first_site["properties"]["superseded_by"] == [sample.site_down]
    assert first_site["properties"]["technologies"] == ["4G", "5G"]
    [line] = json.loads(served["routes.geojson"])["features"]
    assert (line["id"], line["geometry"]) == (sample.route, ROUTE_BODY["geometry"])
    length = route_length_m(RouteBody.model_validate(ROUTE_BODY))
    assert line["properties"]["length_m"] == round(length, 2)
    assert abs(length / spherical_length(ROUTE_BODY["geometry"]["coordinates"]) - 1) < 0.005
    assert (line["properties"]["placement"], line["properties"]["shared"]) == ("aerial", "poles")
    assert DUCT_BODY["duct_id"] in served["ducts.csv"].decode()

    for name, data in served.items():
        text = data.decode("utf-8")
        for secret in (PRIVATE_NAME, PRIVATE_PHONE, RESTRICTED_NUMBER, sample.restricted_permit,
                       SALT.hex(), sample.rooftop_owner):
            assert secret not in text, (name, secret)

    monkeypatch.setenv("INFRALEDGER_DATABASE_URL", ledger_database_url)
    written = tmp_path / "written"
    assert main(["export", str(written), "--data-dir", str(ledger_settings.data_dir)]) == 0
    assert f"checkpoint size {anchored['tree_size']}" in capsys.readouterr().out
    assert {path.name: path.read_bytes() for path in written.iterdir()} == served


async def test_nothing_to_export_before_the_first_anchor_then_the_export_at_it(
    manual_app: FastAPI, manual_client: httpx.AsyncClient,
) -> None:
    before = await manual_client.get("/v1/export/catalog.jsonld")
    assert (before.status_code, before.json()["code"]) == (404, "export_not_ready")
    node = manual_app.state.node
    node.checkpointer.run_once()
    assert node.anchorer.run_once() is not None
    after = await manual_client.get("/v1/export/plans.csv")
    assert after.status_code == 200
    assert len(rows(after.content)) == len(PLAN_254["targets"])


def test_the_command_refuses_a_size_with_no_checkpoint(
    ledger_settings: Settings, ledger_database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INFRALEDGER_DATABASE_URL", ledger_database_url)
    code = main(["export", str(tmp_path / "out"), "--size", "7",
                 "--data-dir", str(ledger_settings.data_dir)])
    assert code == 1
    assert capsys.readouterr().err.strip() == ("infraledger export: không xuất được dữ liệu mở / "
                                               "no signed checkpoint of size 7")
    assert not (tmp_path / "out").exists()


async def test_a_size_holds_every_file_at_one_checkpoint_while_anchors_land(
    manual_app: FastAPI, manual_client: httpx.AsyncClient,
) -> None:
    """A downloader that fetched the catalogue at one size gets its files at that size, though
    a later anchor changed what the export without `?size` is."""
    node = manual_app.state.node
    node.checkpointer.run_once()
    assert node.anchorer.run_once() is not None
    first = (await manual_client.get("/v1/export/catalog.jsonld")).json()
    size = first["prov:wasDerivedFrom"]["infraledger:treeSize"]
    plans = (await manual_client.get("/v1/export/plans.csv")).content
    answer = await manual_client.post("/v1/submissions", json=sign_indicator(
        node.domain, key=SAMPLE.active.key))
    assert answer.status_code == 202, answer.text
    node.checkpointer.run_once()
    assert node.anchorer.run_once() is not None
    latest = (await manual_client.get("/v1/export/catalog.jsonld")).json()
    assert latest["prov:wasDerivedFrom"]["infraledger:treeSize"] == size + 1
    pinned = await manual_client.get("/v1/export/catalog.jsonld", params={"size": size})
    assert pinned.json() == first
    held = await manual_client.get("/v1/export/indicators.csv", params={"size": size})
    assert rows(held.content) == []
    assert len(rows((await manual_client.get("/v1/export/indicators.csv")).content)) == 1
    assert (await manual_client.get("/v1/export/plans.csv", params={"size": size})
            ).content == plans
    unknown = await manual_client.get("/v1/export/catalog.jsonld", params={"size": size + 7})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "export_not_ready")
    bad = await manual_client.get("/v1/export/catalog.jsonld", params={"size": 0})
    assert bad.status_code == 422
