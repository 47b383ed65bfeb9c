"""Proof bundles kept in memory: only bundles proven to an anchored checkpoint, one per record
and visibility (an inspector's bundle of a restricted record never reaches the public), within
a byte budget."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct
from fastapi import FastAPI

from api.http.bundle_cache import BundleCache
from filings.signing import SubmissionDomain, attachment_message
from ledger.merkle import LeafHash
from tests.filings.factories import PERMIT_BODY, PERMIT_SUBJECT, SALT, signed
from tests.server_fixtures import PLANS, SAMPLE, auth, sign_indicator
from verifier import Trust, verify_bundle


async def anchor(app: FastAPI) -> None:
    await asyncio.to_thread(app.state.node.checkpointer.run_once)
    assert await asyncio.to_thread(app.state.node.anchorer.run_once) is not None


async def test_only_anchored_bundles_are_kept(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain
) -> None:
    cache: BundleCache = app.state.ledger.bundles
    answer = await client.post("/v1/submissions", json=sign_indicator(ledger_domain))
    record = answer.json()["results"][0]["record_id"]
    await asyncio.to_thread(app.state.node.checkpointer.run_once)
    unanchored = await client.get(f"/v1/records/{record}/proof")
    assert unanchored.json()["anchor"] is None and len(cache) == 0

    await anchor(app)
    anchored = await client.get(f"/v1/records/{record}/proof")
    assert anchored.json()["anchor"]["tree_size"] == PLANS + 1
    assert cache.get((LeafHash(bytes.fromhex(record)), False)) == anchored.content
    again = await client.get(f"/v1/records/{record}/proof")
    assert again.content == anchored.content and again.headers["content-type"] == \
        "application/json"
    trust = Trust.from_log_info((await client.get("/v1/log")).json(), "http://ledger.test")
    assert verify_bundle(again.content, trust, chain=None).verified
    missing = await client.get(f"/v1/records/{'ab' * 32}/proof")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


async def test_an_inspectors_bundle_never_reaches_the_public(
    app: FastAPI, client: httpx.AsyncClient, ledger_domain: SubmissionDomain,
    inspector_token: str,
) -> None:
    document = b"%PDF-1.4 permit scan"
    digest = hashlib.sha256(document).hexdigest()
    signature = Account.sign_message(encode_defunct(text=attachment_message(digest)),
                                     SAMPLE.active.key).signature.hex()
    stored = await client.put(f"/v1/attachments/{digest}", content=document, headers={
        "X-Operator-Signature": "0x" + signature.removeprefix("0x"),
        "Content-Type": "application/pdf"})
    assert stored.status_code == 201, stored.text
    files = [{"sha256": digest, "size": len(document), "name": "permit.pdf",
              "type": "application/pdf"}]
    permit = signed("permit", "permit/2", PERMIT_SUBJECT, PERMIT_BODY, domain=ledger_domain,
                    salt=SALT, attachments=files)
    answer = await client.post("/v1/submissions", json=permit)
    assert answer.status_code == 202, answer.text
    record = answer.json()["results"][0]["record_id"]
    await anchor(app)

    for _ in range(2):
        inspector = (await client.get(f"/v1/records/{record}/proof",
                                      headers=auth(inspector_token))).json()
        assert inspector["body"] == PERMIT_BODY and inspector["salt"] == "0x" + SALT.hex()
        public = (await client.get(f"/v1/records/{record}/proof")).json()
        assert public["body"] is None and public["salt"] is None
        assert public["attachments"] == inspector["attachments"] == files
    assert len(app.state.ledger.bundles) == 2
    bad = await client.get(f"/v1/records/{record}/proof", headers=auth("ilt_unknown"))
    assert (bad.status_code, bad.json()["code"]) == (401, "invalid_token")


def test_the_least_recently_used_go_past_the_budget() -> None:
    cache = BundleCache(budget=100)
    keys = [(LeafHash(bytes([n]) * 32), False) for n in range(4)]
    for key in keys[:3]:
        cache.put(key, b"x" * 40)
    assert cache.get(keys[0]) is None and len(cache) == 2
    assert cache.get(keys[1]) == b"x" * 40
    cache.put(keys[3], b"y" * 40)
    assert cache.get(keys[2]) is None and cache.get(keys[1]) is not None
    cache.put(keys[0], b"z" * 101)
    assert cache.get(keys[0]) is None
