"""Limits, roles and tokens, the registrar's operations, errors, health, metrics, OpenAPI and
the embedded chain's JSON-RPC, through the real app."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.cli import main
from api.settings import Settings
from filings.signing import SubmissionDomain
from tests.server_fixtures import PLANS, SAMPLE, asgi_client, auth, sign_indicator, started


@pytest.fixture
async def small_limits(ledger_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    limited = ledger_settings.model_copy(update={
        "max_request_bytes": 4096, "max_items": 2, "max_attachment_bytes": 10,
    })
    async with started(create_app(limited, jobs=False)) as app, asgi_client(app) as c:
        yield c


async def test_limits(small_limits: httpx.AsyncClient, ledger_domain: SubmissionDomain,
                      inspector_token: str) -> None:
    client = small_limits
    big = json.dumps({"submissions": [sign_indicator(ledger_domain, n) for n in range(20)]})
    answer = await client.post("/v1/submissions", content=big)
    assert (answer.status_code, answer.json()["code"]) == (413, "request_too_large")
    three = {"submissions": [sign_indicator(ledger_domain, n) for n in range(3)]}
    answer = await client.post("/v1/submissions", json=three)
    assert (answer.status_code, answer.json()["code"]) == (413, "too_many_items")
    deep = "[" * 33 + "]" * 33
    answer = await client.post("/v1/submissions", content=deep)
    assert (answer.status_code, answer.json()["code"]) == (422, "too_deep")
    for nesting, code in ((29, "all_rejected"), (30, "too_deep")):
        # the request's object and list, the item's object and `nesting` arrays in it
        item = '{"kind":' + "[" * nesting + "]" * nesting + "}"
        answer = await client.post("/v1/submissions", content=f'{{"submissions":[{item}]}}')
        assert (answer.status_code, answer.json()["code"]) == (422, code), nesting
    past_the_parser = '{"submissions":[' + "[" * 2000 + "]" * 2000 + "]}"
    answer = await client.post("/v1/submissions", content=past_the_parser)
    assert (answer.status_code, answer.json()["code"]) == (422, "too_deep")
    strings = json.dumps({"kind": "[" * 100})
    answer = await client.post("/v1/submissions", content=strings)
    assert answer.json()["code"] == "invalid_submission"  # brackets in strings do not nest
    answer = await client.post("/v1/submissions", content=b"{not json")
    assert (answer.status_code, answer.json()["code"]) == (400, "malformed_request")
    answer = await client.post("/v1/submissions", json=[1, 2])
    assert (answer.status_code, answer.json()["code"]) == (400, "malformed_request")
    upload = await client.put(f"/v1/attachments/{'a' * 64}", content=b"x" * 11,
                              headers={**auth(inspector_token), "Content-Type": "text/plain"})
    assert (upload.status_code, upload.json()["code"]) == (413, "request_too_large")
    assert (await client.get("/v1/log")).json()["tree_size"] == PLANS


async def test_tokens_and_registrar(
    app_client: httpx.AsyncClient, running_app: FastAPI, ledger_settings: Settings,
    ledger_domain: SubmissionDomain, registrar_token: str, inspector_token: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = app_client
    new = {"address": SAMPLE.unregistered.address, "name": "FPT Telecom", "licence": "42/GP"}
    public = await client.post("/v1/operators", json=new)
    assert (public.status_code, public.json()["code"]) == (401, "invalid_token")
    wrong_role = await client.post("/v1/operators", json=new, headers=auth(inspector_token))
    assert (wrong_role.status_code, wrong_role.json()["code"]) == (403, "forbidden")
    unknown = await client.post("/v1/operators", json=new, headers=auth("ilt_nonsense"))
    assert (unknown.status_code, unknown.json()["code"]) == (401, "invalid_token")

    made = await client.post("/v1/operators", json=new, headers=auth(registrar_token))
    assert made.status_code == 201, made.text
    assert made.json()["operator"]["active"] is True
    twice = await client.post("/v1/operators", json=new, headers=auth(registrar_token))
    assert (twice.status_code, twice.json()["code"]) == (409, "operator_conflict")
    listed = (await client.get("/v1/operators")).json()["operators"]
    assert {o["address"]: o["active"] for o in listed}[SAMPLE.unregistered.address] is True
    submission = sign_indicator(ledger_domain, key=SAMPLE.unregistered.key)
    accepted = await client.post("/v1/submissions", json=submission)
    assert accepted.status_code == 202
    record = f"/v1/records/{accepted.json()['results'][0]['record_id']}"

    gone = await client.delete(f"/v1/operators/{SAMPLE.unregistered.address}",
                               headers=auth(registrar_token))
    assert gone.status_code == 200 and gone.json()["operator"]["active"] is False
    later = sign_indicator(ledger_domain, 1, key=SAMPLE.unregistered.key)
    refused = await client.post("/v1/submissions", json=later)
    assert (refused.status_code, refused.json()["code"]) == (403, "inactive_operator")

    # The CLI issues, lists and revokes tokens in the same store; a revoked token is 401.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        await _token_commands(client, str(ledger_settings.data_dir), record, capsys)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


async def _token_commands(client: httpx.AsyncClient, data_dir: str, record: str,
                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tokens", "create", "--role", "inspector", "--label", "Phú Vang",
                 "--data-dir", data_dir]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("ilt_")
    assert (await client.get(record, headers=auth(token))).status_code == 200
    assert main(["tokens", "list", "--data-dir", data_dir]) == 0
    lines = capsys.readouterr().out.splitlines()
    mine = next(line for line in lines if line.endswith("Phú Vang"))
    assert "inspector" in mine and "active" in mine
    assert main(["tokens", "revoke", mine.split()[0], "--data-dir", data_dir]) == 0
    assert "revoked" in capsys.readouterr().out
    revoked = await client.get(record, headers=auth(token))
    assert (revoked.status_code, revoked.json()["code"]) == (401, "invalid_token")
    assert main(["tokens", "revoke", "zz", "--data-dir", data_dir]) == 1


async def test_errors_health_metrics_docs_and_rpc(
    app_client: httpx.AsyncClient, running_app: FastAPI, ledger_domain: SubmissionDomain
) -> None:
    client = app_client
    assert (await client.get("/v1/nowhere")).json()["code"] == "not_found"
    wrong = await client.put("/v1/log")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")
    invalid = await client.get("/v1/proofs/inclusion", params={"index": "x", "size": 1})
    assert (invalid.status_code, invalid.json()["code"]) == (422, "invalid_request")
    assert invalid.json()["details"]["errors"][0]["loc"] == "query.index"

    await client.post("/v1/submissions", json=sign_indicator(ledger_domain))
    health = await client.get("/healthz")
    assert health.status_code == 200 and set(health.json()["checks"]) == {
        "store", "chain", "jobs"}
    metrics = (await client.get("/metrics")).text
    assert "infraledger_appended_entries_total 1.0" in metrics
    assert f"infraledger_tree_size {PLANS + 1}.0" in metrics
    assert "infraledger_sequencer_batch_size_sum 1.0" in metrics
    assert 'route="/v1/submissions",status="202"' in metrics
    assert "infraledger_anchor_lag_entries" in metrics

    rpc = await client.post("/chain/rpc", json={"jsonrpc": "2.0", "id": 1,
                                                "method": "eth_chainId", "params": []})
    assert int(rpc.json()["result"], 16) == ledger_domain.chain_id
    write = await client.post("/chain/rpc", json={"jsonrpc": "2.0", "id": 2, "method":
                                                  "eth_sendRawTransaction", "params": ["0x00"]})
    assert write.json()["error"]["code"] == -32601

    document = (await client.get("/openapi.json")).json()
    assert "ErrorBody" in document["components"]["schemas"]
    assert "Submission" in document["components"]["schemas"]
    for path in ("/v1/submissions", "/v1/records/{record_id}/proof", "/v1/log", "/tlog/tile/{path}",
                 "/v1/attachments/{sha256}", "/v1/operators", "/healthz", "/chain/rpc"):
        assert path in document["paths"], path
    assert (await client.get("/docs")).status_code == 200

    running_app.state.node.access.embedded.close()  # the chain goes away
    down = await client.get("/healthz")
    assert (down.status_code, down.json()["code"]) == (503, "unhealthy")
    assert down.json()["details"]["checks"]["chain"].startswith("failed")
