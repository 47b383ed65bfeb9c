"""Records, proof bundles, tiles and lookups through the real app, on SQLite and PostgreSQL;
bundles and tiles are checked with the independent `verifier` package, offline and against the
embedded chain through the server's own `/chain/rpc`."""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from fastapi import FastAPI

from filings.signing import SubmissionDomain, attachment_message
from tests.filings.factories import PERMIT_BODY, PERMIT_SUBJECT, SALT, signed
from tests.server_fixtures import PLANS, SAMPLE, auth, sign_indicator
from verifier import ChainReader, LedgerApi, Status, Trust, audit_log, verify_bundle


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


async def checkpoint(app: FastAPI) -> None:
    await asyncio.to_thread(app.state.node.checkpointer.run_once)


async def anchor(app: FastAPI) -> None:
    await checkpoint(app)
    assert await asyncio.to_thread(app.state.node.anchorer.run_once) is not None


async def submit(client: httpx.AsyncClient, *items: dict[str, Any]) -> list[str]:
    answer = await client.post("/v1/submissions", json={"submissions": list(items)})
    assert answer.status_code == 202, answer.text
    return [r["record_id"] for r in answer.json()["results"]]


async def trust_of(client: httpx.AsyncClient) -> Trust:
    return Trust.from_log_info((await client.get("/v1/log")).json(), "http://ledger.test")


def statuses(result: Any) -> dict[str, Status]:
    return {check.name: check.status for check in result.checks}


async def test_status_and_bundles_through_anchoring(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain
) -> None:
    [first, second] = await submit(client, sign_indicator(ledger_domain, 0),
                                   sign_indicator(ledger_domain, 1))
    refused = await client.get(f"/v1/records/{first}/proof")
    assert (refused.status_code, refused.json()["code"]) == (404, "not_checkpointed")

    await checkpoint(app)
    assert (await client.get(f"/v1/records/{first}")).json()["status"] == "checkpointed"
    bundle = (await client.get(f"/v1/records/{first}/proof")).json()
    assert bundle["anchor"] is None
    trust = await trust_of(client)
    result = verify_bundle((await client.get(f"/v1/records/{first}/proof")).content, trust,
                           chain=None)
    assert result.verified, result.to_json()

    await anchor(app)
    [third] = await submit(client, sign_indicator(ledger_domain, 2))
    await anchor(app)
    assert (await client.get(f"/v1/records/{second}")).json()["status"] == "anchored"
    log = (await client.get("/v1/log")).json()
    # The plan every test ledger holds is record 0 (`tests.server_fixtures.PLANS`).
    assert (log["tree_size"], log["checkpoint_size"], log["anchored_size"]) == (4, 4, 4)

    # The bundle of an early record is proven to the first anchor that covers it.
    early = (await client.get(f"/v1/records/{first}/proof")).json()
    assert early["anchor"]["tree_size"] == 3
    late = (await client.get(f"/v1/records/{third}/proof")).json()
    assert late["anchor"]["tree_size"] == 4
    anchors = (await client.get("/v1/anchors")).json()["anchors"]
    assert [a["tree_size"] for a in anchors] == [3, 4]
    assert anchors[0]["root"] == early["anchor"]["root"]
    for record in (first, third):
        data = (await client.get(f"/v1/records/{record}/proof")).content
        assert verify_bundle(data, trust, chain=None).verified

    consistency = (await client.get("/v1/proofs/consistency", params={"from": 3, "to": 4}))
    assert consistency.json()["from"] == 3 and len(consistency.json()["proof"]) >= 1
    inclusion = (await client.get("/v1/proofs/inclusion", params={"index": 1, "size": 4}))
    assert inclusion.json()["size"] == 4 and len(inclusion.json()["proof"]) == 2
    missing = await client.get("/v1/proofs/consistency", params={"from": 1, "to": 4})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


async def test_restricted_bodies_and_attachments(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
    inspector_token: str,
) -> None:
    document = b"%PDF-1.4\n" + "Giấy phép xây dựng trạm BTS".encode() * 10
    digest = hashlib.sha256(document).hexdigest()
    files = [{"sha256": digest, "size": len(document), "name": "giay-phep.pdf",
              "type": "application/pdf"}]
    permit = signed("permit", "permit/2", PERMIT_SUBJECT, PERMIT_BODY, domain=ledger_domain,
                    salt=SALT, attachments=files)
    refused = await client.post("/v1/submissions", json=permit)
    assert (refused.status_code, refused.json()["code"]) == (422, "missing_attachment")

    signature = Account.sign_message(encode_defunct(text=attachment_message(digest)),
                                     SAMPLE.active.key).signature.hex()
    headers = {"X-Operator-Signature": "0x" + signature.removeprefix("0x"),
               "Content-Type": "application/pdf"}
    wrong = await client.put(f"/v1/attachments/{'0' * 64}", content=document, headers=headers)
    assert wrong.json()["code"] == "inactive_operator"  # signed for another file
    mismatch = await client.put(f"/v1/attachments/{digest}", content=document + b"x",
                                headers=headers)
    assert (mismatch.status_code, mismatch.json()["code"]) == (422, "hash_mismatch")
    stored = await client.put(f"/v1/attachments/{digest}", content=document, headers=headers)
    assert stored.status_code == 201, stored.text
    again = await client.put(f"/v1/attachments/{digest}", content=document, headers=headers)
    assert again.status_code == 200

    [record_id] = await submit(client, permit)
    public = (await client.get(f"/v1/records/{record_id}")).json()
    assert public["body"] is None and "salt" not in public and public["restricted"] is True
    assert public["attachments"] == files
    inspector = (await client.get(f"/v1/records/{record_id}",
                                  headers=auth(inspector_token))).json()
    assert inspector["body"] == PERMIT_BODY and inspector["salt"] == "0x" + SALT.hex()

    # A restricted record's files stay with the inspectors; its salted hash finds nothing.
    assert (await client.get(f"/v1/attachments/{digest}")).status_code == 404
    shown = await client.get(f"/v1/attachments/{digest}", headers=auth(inspector_token))
    assert shown.content == document and shown.headers["content-type"] == "application/pdf"
    content = public["entry"]["content"][2:]
    assert (await client.get(f"/v1/lookup/sha256/{content}")).json()["records"] == []
    by_file = (await client.get(f"/v1/lookup/sha256/{digest}")).json()["records"]
    assert [r["id"] for r in by_file] == [record_id]

    await checkpoint(app)
    trust = await trust_of(client)
    withheld = (await client.get(f"/v1/records/{record_id}/proof")).content
    result = verify_bundle(withheld, trust, chain=None)
    assert result.verified and statuses(result)["body_content_hash"] is Status.NOT_CHECKED
    full = (await client.get(f"/v1/records/{record_id}/proof",
                             headers=auth(inspector_token))).content
    result = verify_bundle(full, trust, chain=None)
    assert statuses(result)["body_content_hash"] is Status.PASSED
    assert statuses(result)["attachments_hash"] is Status.PASSED and result.verified


async def test_listing_and_lookup(client: httpx.AsyncClient,
                                  ledger_domain: SubmissionDomain) -> None:
    ids = await submit(client, *(sign_indicator(ledger_domain, n) for n in range(5)),
                       sign_indicator(ledger_domain, 9, key=SAMPLE.other.key))
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"kind": "indicator", "operator": SAMPLE.active.address.lower(),
                                  "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/records", params=params)).json()
        seen += [record["id"] for record in page["records"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[:5]
    other = (await client.get("/v1/records", params={"operator": SAMPLE.other.address})).json()
    assert [r["id"] for r in other["records"]] == ids[5:]
    bad = await client.get("/v1/records", params={"cursor": "nonsense"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_request")
    too_many = await client.get("/v1/records", params={"limit": 501})
    assert too_many.status_code == 422

    record = (await client.get(f"/v1/records/{ids[0]}")).json()
    found = (await client.get(f"/v1/lookup/sha256/{record['entry']['content']}")).json()
    assert {r["id"] for r in found["records"]} >= {ids[0]}
    assert (await client.get(f"/v1/records/{'0' * 64}")).json()["code"] == "not_found"
    assert (await client.get("/v1/records/XYZ")).json()["code"] == "invalid_request"


async def test_tiles_agree_with_proofs(app: FastAPI, client: httpx.AsyncClient,
                                       ledger_domain: SubmissionDomain) -> None:
    await submit(client, *(sign_indicator(ledger_domain, n) for n in range(257 - PLANS)))
    await checkpoint(app)
    note = (await client.get("/tlog/checkpoint")).text
    assert note.split("\n")[1] == "257"
    full = await client.get("/tlog/tile/0/000")
    assert len(full.content) == 256 * 32 and "immutable" in full.headers["cache-control"]
    partial = await client.get("/tlog/tile/0/001.p/1")
    assert len(partial.content) == 32 and "immutable" not in partial.headers["cache-control"]
    first = (await client.get("/v1/records", params={"limit": 1})).json()["records"][0]
    assert full.content[:32] == bytes.fromhex(first["id"])
    last = (await client.get("/v1/records", params={"cursor": _cursor_at(256)})).json()
    bundle = (await client.get("/tlog/tile/entries/001.p/1")).content
    assert int.from_bytes(bundle[:2], "big") == len(bundle) - 2
    leaf = hashlib.sha256(b"\x00" + bundle[2:]).hexdigest()
    assert leaf == last["records"][0]["id"]
    assert partial.content == bytes.fromhex(leaf)
    assert (await client.get("/tlog/tile/0/002")).json()["code"] == "not_found"
    assert (await client.get("/tlog/tile/0/x1")).json()["code"] == "not_found"


def _cursor_at(index: int) -> str:
    from api.routes.records import cursor_for

    return cursor_for(index)


@pytest.mark.parametrize("ledger_database_url", [None])
def test_live_server_verifies_online_and_audits(
    live_server: str, ledger_domain: SubmissionDomain
) -> None:
    """The verifier against a real HTTP server: bundles online through `/chain/rpc`, and a
    whole-log audit from the tiles and anchors (jobs on: checkpoints and anchors come by
    themselves)."""
    answer = httpx.post(f"{live_server}/v1/submissions", json={"submissions": [
        sign_indicator(ledger_domain, n) for n in range(3)]})
    assert answer.status_code == 202
    record_id = answer.json()["results"][2]["record_id"]
    api = LedgerApi(live_server)
    trust = Trust.from_log_info(api.log_info(), live_server)
    for _ in range(200):
        if httpx.get(f"{live_server}/v1/records/{record_id}").json()["status"] == "anchored":
            break
        time.sleep(0.05)
    chain = ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id)
    result = verify_bundle(api.proof_bundle(record_id), trust, chain=chain)
    assert result.verified, result.to_json()
    assert statuses(result)["anchored_root"] is Status.PASSED
    assert statuses(result)["operator_active"] is Status.PASSED
    report = audit_log(api, trust, chain=chain, progress=lambda *_: None)
    assert report.verified, report.to_json()
