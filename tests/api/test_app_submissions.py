"""`POST /v1/submissions` through the real app, on SQLite and on PostgreSQL: what is accepted,
what is refused with which code, and that a refusal stores nothing."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from filings.signing import SubmissionDomain, submission_message
from filings.submission import Attachment
from ledger.note import Verifier
from ledger.receipt import Receipt
from tests.filings.factories import (
    ATTACHMENTS,
    CITY,
    INDICATOR_BODY,
    INDICATOR_SUBJECT,
    ISSUED_AT,
    REPORT_BODY,
    REPORT_SUBJECT,
    SALT,
    figure,
    plan,
    signed,
)
from tests.filings.test_eip712_equivalence import run_ethers
from tests.server_fixtures import PLANS, SAMPLE, asgi_client, sign_indicator, started


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


@pytest.fixture
async def client(ledger_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ledger_settings, jobs=False)
    async with started(app), asgi_client(app) as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


def app_of(client: httpx.AsyncClient) -> FastAPI:
    app: FastAPI = client.app  # type: ignore[attr-defined]
    return app


async def tree_size(client: httpx.AsyncClient) -> int:
    size: int = (await client.get("/v1/log")).json()["tree_size"]
    return size


async def test_accepted_then_duplicate(client: httpx.AsyncClient,
                                       ledger_domain: SubmissionDomain) -> None:
    submission = sign_indicator(ledger_domain)
    first = await client.post("/v1/submissions", json=submission)
    assert first.status_code == 202, first.text
    [result] = first.json()["results"]
    assert result["status"] == "accepted" and result["index"] == PLANS
    assert result["error"] is None
    receipt = Receipt.parse(_receipt_body(first.json()["receipt"], app_of(client)))
    assert [(i, leaf.hex()) for i, leaf in receipt.leaves] == [(PLANS, result["record_id"])]

    again = await client.post("/v1/submissions", json=submission)
    assert again.status_code == 202
    assert again.json()["results"] == [{**result, "status": "duplicate"}]
    assert await tree_size(client) == PLANS + 1

    record = (await client.get(f"/v1/records/{result['record_id']}")).json()
    assert record["index"] == PLANS and record["status"] == "sequenced"
    assert record["body"] == INDICATOR_BODY and record["entry"]["subject"] == INDICATOR_SUBJECT
    assert record["entry"]["operator"] == SAMPLE.active.address


def _receipt_body(note: str, app: FastAPI) -> str:
    from ledger.note import open_note

    verifier = Verifier.from_vkey(app.state.node.verifier_key)
    return open_note(note, verifier)


def _altered(domain: SubmissionDomain, **changes: Any) -> dict[str, Any]:
    submission = sign_indicator(domain)
    submission.update(changes)
    return submission


REJECTIONS: list[tuple[str, Any, int, str]] = [
    ("changed body", lambda d: _altered(d, body={**INDICATOR_BODY, "value": 32.5}),
     422, "operator_mismatch"),
    ("changed issued_at", lambda d: _altered(d, issued_at=ISSUED_AT + 1), 422,
     "operator_mismatch"),
    ("salt added", lambda d: _altered(d, salt="0x" + SALT.hex()), 422, "schema_violation"),
    ("other operator named", lambda d: _altered(d, operator=SAMPLE.other.address), 422,
     "operator_mismatch"),
    ("supersedes added", lambda d: _altered(d, supersedes="ab" * 32), 422, "operator_mismatch"),
    ("signature v changed", lambda d: _altered(
        d, signature=sign_indicator(d)["signature"][:-2] + "1d"), 422, "bad_signature"),
    ("wrong chain id", lambda d: sign_indicator(
        SubmissionDomain(d.chain_id + 1, d.verifying_contract)), 422, "operator_mismatch"),
    ("wrong contract", lambda d: sign_indicator(
        SubmissionDomain(d.chain_id, "0x" + "11" * 20)), 422, "operator_mismatch"),
    ("unregistered operator", lambda d: sign_indicator(d, key=SAMPLE.unregistered.key),
     403, "inactive_operator"),
    ("revoked operator", lambda d: sign_indicator(d, key=SAMPLE.revoked.key),
     403, "inactive_operator"),
    ("unknown field", lambda d: _altered(d, extra=1), 422, "invalid_submission"),
    ("subject of another figure", lambda d: sign_indicator(
        d, subject="indicator:bts_shared_ratio:478:2024-Q4"), 422, "subject_mismatch"),
    ("retired schema", lambda d: figure(domain=d, schema="indicator/1"), 422, "retired_schema"),
    ("a district in 2026", lambda d: figure(domain=d, period="2025"), 422, "area_not_valid"),
    ("an unknown code", lambda d: figure(domain=d, area="99"), 422, "unknown_area"),
    ("a period no plan covers", lambda d: figure(domain=d, area=CITY, period="2026-01",
                                                 issued_at=NOW), 422, "no_target"),
    ("an indicator no plan names", lambda d: figure(domain=d, indicator="fifth_generation"),
     422, "no_target"),
    ("a province-level target", lambda d: figure(domain=d, indicator="internet_user_ratio"),
     422, "area_level_not_reported"),
    ("another unit", lambda d: figure(domain=d, unit="count", value=31), 422,
     "unit_mismatch"),
    ("an unknown unit", lambda d: figure(domain=d, unit="percent"), 422, "unknown_unit"),
    ("a share over 100", lambda d: figure(domain=d, value=100.5), 422, "value_out_of_range"),
    ("counts that disagree", lambda d: figure(domain=d, extra={"numerator": 3,
                                                              "denominator": 4}),
     422, "ratio_mismatch"),
    ("a control character", lambda d: figure(domain=d, extra={"note": "a\x07b"}), 422,
     "control_character"),
    ("signed in the future", lambda d: figure(domain=d, issued_at=NOW + 3600), 422,
     "issued_in_future"),
    ("signed in 2100", lambda d: figure(domain=d, issued_at=4_102_444_800), 422,
     "issued_in_future"),
    ("signed at 0", lambda d: figure(domain=d, issued_at=0), 422, "invalid_submission"),
    ("signed before the period", lambda d: figure(domain=d, issued_at=ISSUED_AT - 86_400 * 7),
     422, "issued_before_period"),
    ("signed before the plan", lambda d: figure(domain=d, area=CITY, period="2023",
                                                issued_at=1_672_600_000 - 86_400 * 2),
     422, "issued_before_period"),
    ("a plan by an operator", lambda d: plan(domain=d, key=SAMPLE.active.key,
                                             issued_at=ISSUED_AT), 403, "not_registrar"),
    ("an svg attachment", lambda d: signed("report", "report/2", REPORT_SUBJECT, REPORT_BODY,
                                           domain=d, attachments=[{**ATTACHMENTS[0],
                                                                   "type": "image/svg+xml"}]),
     415, "media_type_not_accepted"),
]
NOW = int(time.time())


async def test_rejected_and_nothing_stored(client: httpx.AsyncClient,
                                           ledger_domain: SubmissionDomain) -> None:
    """Every case in one app (a fresh ledger per case would cost a second each)."""
    for name, make, status, code in REJECTIONS:
        answer = await client.post("/v1/submissions", json=make(ledger_domain))
        assert (answer.status_code, answer.json()["code"]) == (status, code), name
        assert answer.json()["message"], name
    assert await tree_size(client) == PLANS
    metrics = (await client.get("/metrics")).text
    assert 'infraledger_rejected_submissions_total{code="inactive_operator"} 2.0' in metrics


async def test_bulk_with_mixed_items(client: httpx.AsyncClient,
                                     ledger_domain: SubmissionDomain) -> None:
    good = sign_indicator(ledger_domain, 1)
    items = [good, sign_indicator(ledger_domain, 2, key=SAMPLE.revoked.key), good,
             {"kind": "indicator"}, sign_indicator(ledger_domain, 3, key=SAMPLE.other.key)]
    answer = await client.post("/v1/submissions", json={"submissions": items})
    assert answer.status_code == 202, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [
        "accepted", "rejected", "duplicate", "rejected", "accepted"]
    assert results[1]["error"]["code"] == "inactive_operator"
    assert results[3]["error"]["code"] == "invalid_submission"
    assert results[0]["record_id"] == results[2]["record_id"]
    assert [r["index"] for r in results] == [1, None, 1, None, 2]
    receipt = Receipt.parse(_receipt_body(answer.json()["receipt"], app_of(client)))
    assert [i for i, _ in receipt.leaves] == [1, 1, 2]
    assert await tree_size(client) == PLANS + 2


async def test_bulk_all_rejected(client: httpx.AsyncClient,
                                 ledger_domain: SubmissionDomain) -> None:
    items = [sign_indicator(ledger_domain, n, key=SAMPLE.unregistered.key) for n in range(2)]
    answer = await client.post("/v1/submissions", json={"submissions": items})
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "all_rejected"
    assert [r["error"]["code"] for r in body["details"]["results"]] == ["inactive_operator"] * 2
    assert await tree_size(client) == PLANS


async def test_corrections(client: httpx.AsyncClient, ledger_domain: SubmissionDomain) -> None:
    first = (await client.post("/v1/submissions", json=sign_indicator(ledger_domain))).json()
    old = first["results"][0]["record_id"]
    body = {**INDICATOR_BODY, "value": 33.0}
    fix = sign_indicator(ledger_domain, 1, body=body, supersedes=old)
    answer = await client.post("/v1/submissions", json=fix)
    assert answer.status_code == 202, answer.text
    new = answer.json()["results"][0]["record_id"]
    assert (await client.get(f"/v1/records/{old}")).json()["superseded_by"] == [new]

    foreign = sign_indicator(ledger_domain, 2, body=body, supersedes=old, key=SAMPLE.other.key)
    refused = await client.post("/v1/submissions", json=foreign)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_record")
    unknown = sign_indicator(ledger_domain, 3, body=body, supersedes="cd" * 32)
    refused = await client.post("/v1/submissions", json=unknown)
    assert (refused.status_code, refused.json()["code"]) == (422, "unknown_record")
    assert await tree_size(client) == PLANS + 2


async def test_ethers_signed_submission_accepted(client: httpx.AsyncClient,
                                                 ledger_domain: SubmissionDomain) -> None:
    message = submission_message(
        kind="indicator", schema="indicator/2", subject=INDICATOR_SUBJECT, body=INDICATOR_BODY,
        attachments=list[Attachment](), issued_at=ISSUED_AT,
    )
    [by_ethers] = run_ethers(ledger_domain, [(SAMPLE.other.key, message)])
    submission = {
        "kind": "indicator", "schema": "indicator/2", "subject": INDICATOR_SUBJECT,
        "operator": by_ethers["address"], "body": INDICATOR_BODY, "attachments": [],
        "supersedes": None, "issued_at": ISSUED_AT, "signature": by_ethers["signature"],
    }
    answer = await client.post("/v1/submissions", json=submission)
    assert answer.status_code == 202, answer.text
    assert answer.json()["results"][0]["status"] == "accepted"
    record = (await client.get(f"/v1/records/{answer.json()['results'][0]['record_id']}")).json()
    assert record["entry"]["operator"] == SAMPLE.other.address
