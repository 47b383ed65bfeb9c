"""Plans, areas and indicator histories through the real app, on SQLite and PostgreSQL: a plan
corrected after some figures judges only the later ones; the city figure is the department's,
which no operator moves; contradictions are flagged; the verifier proves a figure and the plan
record of its target against the chain."""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from anchoring.contract import REGISTRAR_ROLE
from anchoring.registry import OperatorRegistry
from api.app import create_app
from api.node import service_account
from api.serving import ServerThread
from api.settings import Settings
from filings.signing import SubmissionDomain, signer_address
from tests.filings.factories import CITY, PLAN_254, figure, plan
from tests.server_fixtures import PLANS, SAMPLE, registrar_key
from verifier import ChainReader, LedgerApi, Status, Trust, verify_bundle

FILED_2024 = 1_737_000_000  # 2025-01-16
FILED_2025 = 1_768_500_000  # 2026-01-15


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


async def anchor(app: FastAPI) -> None:
    node = app.state.node
    await asyncio.to_thread(node.checkpointer.run_once)
    assert await asyncio.to_thread(node.anchorer.run_once) is not None


async def submit(client: httpx.AsyncClient, *items: dict[str, Any]) -> list[str]:
    answer = await client.post("/v1/submissions", json={"submissions": list(items)})
    assert answer.status_code == 202, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(items), results
    return [r["record_id"] for r in results]


def city_figures(history: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [city] = [s for s in history["series"] if s["level"] == "province"]
    return {f["period"]: f for f in city["figures"]}


async def test_a_corrected_target_judges_only_the_figures_after_it(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
    ledger_settings: Settings,
) -> None:
    registrar = registrar_key(ledger_settings)
    [first_plan] = (await client.get("/v1/plans")).json()["plans"]
    assert (first_plan["index"], first_plan["current"]) == (0, True)
    [before] = await submit(client, figure(area=CITY, period="2024", value=27.0,
                                           key=SAMPLE.active.key, domain=ledger_domain,
                                           issued_at=FILED_2024,
                                           extra={"numerator": 27, "denominator": 100}))
    body = copy.deepcopy(PLAN_254)
    bts = next(t for t in body["targets"] if t["indicator"] == "bts_shared_ratio")
    bts["value"] = 25
    [corrected] = await submit(client, plan(body, key=registrar, domain=ledger_domain,
                                            supersedes=first_plan["record_id"],
                                            issued_at=FILED_2024 + 100))
    [after] = await submit(client, figure(area=CITY, period="2025", value=27.0,
                                          key=SAMPLE.active.key, domain=ledger_domain,
                                          issued_at=FILED_2025,
                                          extra={"numerator": 27, "denominator": 100}))
    await anchor(app)

    plans = (await client.get("/v1/plans")).json()["plans"]
    assert [(p["record_id"], p["current"], p["superseded_by"]) for p in plans] == [
        (first_plan["record_id"], False, corrected), (corrected, True, None)]
    history = (await client.get("/v1/indicators/bts_shared_ratio")).json()
    assert history["anchored_size"] == PLANS + 3 and history["periods"] == ["2024", "2025"]
    figures = city_figures(history)
    early, late = figures["2024"], figures["2025"]
    assert early["operators"][0]["record_id"] == before
    assert (early["target"]["value"], early["target"]["plan_record"], early["met"]) == (
        30, first_plan["record_id"], False)
    assert late["operators"][0]["record_id"] == after
    assert (late["target"]["value"], late["target"]["plan_record"], late["met"]) == (
        25, corrected, True)
    assert (late["value"], late["source"], late["computed"]["formula"]) == (27.0, "computed",
                                                                         "ratio/1")
    assert history["target"]["plan_record"] == corrected

    page = (await client.get("/")).text
    article = page[page.index('data-indicator="bts_shared_ratio"'):]
    article = article[:article.index("</article>")]
    target_row = article[article.index('data-row="target"'):]
    target_row = target_row[:target_row.index("</tr>")]
    assert target_row.index("30") < target_row.index("25")
    assert f'href="/records/{first_plan["record_id"]}"' in target_row
    assert f'href="/records/{corrected}"' in target_row


async def test_no_operator_moves_the_city_figure(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
    ledger_settings: Settings,
) -> None:
    registrar = registrar_key(ledger_settings)
    [compiled] = await submit(client, figure(area=CITY, period="2025", value=27.9,
                                             key=registrar, domain=ledger_domain,
                                             issued_at=FILED_2025))
    [claimed] = await submit(client, figure(area=CITY, period="2025", value=99.0,
                                            key=SAMPLE.other.key, domain=ledger_domain,
                                            issued_at=FILED_2025 + 10,
                                            extra={"numerator": 99, "denominator": 100}))
    await submit(client, figure("internet_user_ratio", CITY, "2025", 99.0,
                                key=SAMPLE.other.key, domain=ledger_domain,
                                issued_at=FILED_2025))
    await anchor(app)
    city = city_figures((await client.get("/v1/indicators/bts_shared_ratio")).json())["2025"]
    assert (city["value"], city["source"], city["met"]) == (27.9, "compiled", False)
    assert city["compiled"]["record_id"] == compiled and city["compiled"]["compiled"] is True
    assert city["compiled"]["name"] == "Sở Khoa học và Công nghệ thành phố Huế"
    [operator] = city["operators"]
    assert (operator["record_id"], operator["value"], operator["name"]) == (
        claimed, 99.0, SAMPLE.other.name)
    users = city_figures((await client.get("/v1/indicators/internet_user_ratio")).json())
    assert users["2025"]["value"] is None and users["2025"]["source"] is None
    assert users["2025"]["computed"]["formula"] == "declared/1"
    page = (await client.get("/")).text
    row = page[page.index('data-indicator="internet_user_ratio"'):]
    assert 'data-source="none"' in row[:row.index("</article>")]
    missing = await client.get("/v1/indicators/fifth_generation_ratio")
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_indicator")


async def test_a_city_figure_against_its_districts_is_flagged(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
    ledger_settings: Settings,
) -> None:
    registrar = registrar_key(ledger_settings)
    districts = ("474", "476", "477", "478", "479", "480", "481", "482", "483")
    items = [figure(area=code, period="2024", value=90.0 + n, key=registrar,
                    domain=ledger_domain, issued_at=FILED_2024)
             for n, code in enumerate(districts)]
    items.append(figure(area=CITY, period="2024", value=100.0, key=registrar,
                        domain=ledger_domain, issued_at=FILED_2024))
    await submit(client, *items)
    await anchor(app)
    history = (await client.get("/v1/indicators/bts_shared_ratio")).json()
    [flag] = city_figures(history)["2024"]["flags"]
    assert (flag["code"], flag["low"], flag["high"]) == ("outside_sub_area_range", 90, 98)
    assert flag["sub_areas"] == list(districts)
    assert len([s for s in history["series"] if s["level"] == "district"]) == 9
    page = (await client.get("/")).text
    assert 'data-flag="outside_sub_area_range"' in page


def test_the_verifier_proves_a_figure_and_the_plan_of_its_target(
    live_server: str, ledger_domain: SubmissionDomain,
) -> None:
    """Online, against the embedded chain through the server's /chain/rpc: the figure (an
    operator's) and the plan record of its target (the registrar's) both verify."""
    item = figure(area=CITY, period="2024", value=27.0, key=SAMPLE.active.key,
                  domain=ledger_domain, issued_at=FILED_2024,
                  extra={"numerator": 27, "denominator": 100})
    answer = httpx.post(f"{live_server}/v1/submissions", json=item)
    assert answer.status_code == 202, answer.text
    record = answer.json()["results"][0]["record_id"]
    for _ in range(200):
        if httpx.get(f"{live_server}/v1/records/{record}").json()["status"] == "anchored":
            break
        time.sleep(0.05)
    history = httpx.get(f"{live_server}/v1/indicators/bts_shared_ratio").json()
    plan_record = city_figures(history)["2024"]["operators"][0]["target"]["plan_record"]
    api = LedgerApi(live_server)
    trust = Trust.from_log_info(api.log_info(), live_server)
    chain = ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id)
    for record_id in (record, plan_record):
        result = verify_bundle(api.proof_bundle(record_id), trust, chain=chain)
        assert result.verified, result.to_json()
        checks = {check.name: check.status for check in result.checks}
        assert checks["operator_active"] is Status.PASSED
        assert checks["anchored_root"] is Status.PASSED


async def test_areas_on_a_day(client: httpx.AsyncClient) -> None:
    old = (await client.get("/v1/areas/19753", params={"on": "2024-06-01"})).json()
    new = (await client.get("/v1/areas/19753", params={"on": "2025-07-01"})).json()
    assert (old["name_vi"], old["parent"], old["level"]) == ("Phường Thuận Lộc", "474",
                                                             "commune")
    assert (new["name_vi"], new["parent"], new["code_list"]) == (
        "Phường Phú Xuân", "46", "QĐ 19/2025/QĐ-TTg")
    assert [s["code"] for s in old["successors"]] == ["19753"]
    assert old["successors"][0]["legal_basis"]["document"] == "NQ 1675/NQ-UBTVQH15"
    assert {p["code"] for p in new["predecessors"]} >= {"19753"}
    listed = (await client.get("/v1/areas", params={"on": "2025-12-31"})).json()
    assert listed["on"] == "2025-12-31" and len(listed["areas"]) == 41
    assert listed["areas"][0]["code"] == "46" and listed["areas"][0]["parent"] is None
    assert {a["type"] for a in listed["areas"][1:]} == {"phường", "xã"}
    districts = (await client.get("/v1/areas", params={"on": "2024-12-31"})).json()["areas"]
    assert len([a for a in districts if a["level"] == "district"]) == 9
    gone = await client.get("/v1/areas/483", params={"on": "2025-03-01"})
    assert (gone.status_code, gone.json()["code"]) == (404, "unknown_area")
    assert gone.json()["details"]["successors"][0]["code"] == "482"
    none = await client.get("/v1/areas/99999")
    assert (none.status_code, none.json()["code"]) == (404, "unknown_area")
    bad = await client.get("/v1/areas", params={"on": "2025-02-30"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_request")


def test_a_registrar_revoked_before_the_anchor_fails_operator_active(
    ledger_settings: Settings, ledger_domain: SubmissionDomain,
) -> None:
    """The verifier reads REGISTRAR_ROLE's history: a compiled figure whose signer held the role
    when it was filed but lost it before the anchor does not verify; the department's own key,
    holding it throughout, does."""
    quiet = ledger_settings.model_copy(update={"checkpoint_interval": 3600.0,
                                               "anchor_interval": 3600.0})
    app = create_app(quiet)
    deputy = bytes.fromhex("8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba")
    with ServerThread(app) as url:
        node = app.state.node
        admin = OperatorRegistry(node.chain, node.deployment.operator_registry,
                                 service_account(quiet, "admin", node.embedded))
        admin.grant_role(REGISTRAR_ROLE, signer_address(deputy))
        ids = []
        for key, n in ((deputy, 0), (registrar_key(quiet), 1)):
            answer = httpx.post(f"{url}/v1/submissions", json=figure(
                "internet_user_ratio", CITY, "2024", 88.0 + n, key=key, domain=ledger_domain,
                issued_at=FILED_2024 + n))
            assert answer.status_code == 202, answer.text
            ids.append(answer.json()["results"][0]["record_id"])
        admin.revoke_role(REGISTRAR_ROLE, signer_address(deputy))
        node.checkpointer.run_once()
        assert node.anchorer.run_once() is not None
        api = LedgerApi(url)
        trust = Trust.from_log_info(api.log_info(), url)
        chain = ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id)
        revoked, held = (verify_bundle(api.proof_bundle(record), trust, chain=chain)
                         for record in ids)
        assert held.verified, held.to_json()
        assert not revoked.verified
        assert [c.name for c in revoked.failed] == ["operator_active"]
