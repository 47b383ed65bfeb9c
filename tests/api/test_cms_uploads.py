"""Uploads and evidence requests authorised by an organisation certificate (`X-Operator` +
`X-Operator-Cms`), through the real app on SQLite, against the test PKI's live OCSP responder,
CRL repository and AIA on 127.0.0.1: an operator bound to its tax code uploads a file and asks
the evidence of a CMS with a CMS over `InfraLedger attachment <sha256>`; each refused
certificate, a CMS over other bytes, a time-stamped CMS, an unbound operator and malformed
headers are 401 `bad_operator_signature` with the CA status code as `details.reason` and its
message in Vietnamese and English, and store nothing; an operator the registry does not allow is
403 `inactive_operator`; a ledger with CA signatures off answers 403 `ca_signatures_disabled`;
an EIP-191 upload is accepted as before."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from client.certificates import CertificateKey, TsaClient, sign_cms
from client.ledger import CertificateOperator
from filings.bindings import binding_subject
from filings.signatures import STATUS_MESSAGES
from filings.signing import (
    OPERATOR_CMS_HEADER,
    OPERATOR_HEADER,
    OPERATOR_SIGNATURE_HEADER,
    SubmissionDomain,
    attachment_message,
    sign_attachment,
)
from tests.filings.factories import ISSUED_AT, as_json, signed
from tests.filings.signatures.pki import MST_A, TestPki
from tests.filings.signatures.services import PkiServices
from tests.server_fixtures import SAMPLE, asgi_client, auth, ca_settings, registrar_key, started

OPERATOR = SAMPLE.active
SCAN = b"%PDF-1.4 annual infrastructure report, signed for by certificate"


@pytest.fixture
async def app(ledger_settings: Settings, pki: TestPki, tmp_path: Path
              ) -> AsyncIterator[FastAPI]:
    """The ledger with CA signatures on, and SAMPLE.active bound to tax code MST_A."""
    settings = ca_settings(ledger_settings, pki, tmp_path).model_copy(update={
        "checkpoint_interval": 3600.0, "anchor_interval": 3600.0})
    async with started(create_app(settings)) as running:
        domain: SubmissionDomain = running.state.node.domain
        body = {"operator": OPERATOR.address, "organisation": "VNPT Thừa Thiên Huế",
                "tax_code": MST_A, "fingerprints": []}
        binding = signed("binding", "binding/1", binding_subject(OPERATOR.address), body,
                         key=registrar_key(settings), domain=domain, issued_at=ISSUED_AT)
        async with asgi_client(running) as client:
            answer = await client.post("/v1/submissions", content=as_json(binding))
        assert answer.status_code == 202, answer.text
        yield running


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as running:
        yield running


def certificate(pki: TestPki, who: str, address: str = OPERATOR.address) -> CertificateOperator:
    """`address` signing with the PKI's operator certificate `who` (chain: the public CA)."""
    issued = pki.operators[who]
    return CertificateOperator(address, CertificateKey(issued.key, issued.cert, (pki.ca.cert,)))


async def put(client: httpx.AsyncClient, data: bytes, headers: dict[str, str]
              ) -> httpx.Response:
    digest = hashlib.sha256(data).hexdigest()
    return await client.put(f"/v1/attachments/{digest}", content=data,
                      headers={"Content-Type": "application/pdf", **headers})


async def stored(client: httpx.AsyncClient, digest: str, inspector_token: str) -> bool:
    """Whether the ledger holds the blob `digest` (an inspector sees every stored file)."""
    answer = await client.get(f"/v1/attachments/{digest}", headers=auth(inspector_token))
    assert answer.status_code in (200, 404), answer.text
    return answer.status_code == 200


def assert_refused(answer: httpx.Response, reason: str) -> None:
    assert answer.status_code == 401, answer.text
    error = answer.json()
    assert error["code"] == "bad_operator_signature", error
    assert error["details"]["reason"] == reason, error
    message = error["details"]["message"]
    assert set(message) == {"vi", "en"} and message["vi"] != message["en"]
    if reason in STATUS_MESSAGES:
        assert (message["vi"], message["en"]) == STATUS_MESSAGES[reason]


async def test_a_bound_operator_uploads_with_its_certificate(
        client: httpx.AsyncClient, pki: TestPki, inspector_token: str) -> None:
    digest = hashlib.sha256(SCAN).hexdigest()
    answer = await put(client, SCAN, certificate(pki, "rsa").upload_headers(digest))
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"sha256": digest, "size": len(SCAN), "type": "application/pdf"}
    assert await stored(client, digest, inspector_token)
    again = await put(client, SCAN, certificate(pki, "crl_only").upload_headers(digest))
    assert again.status_code == 200, again.text


async def test_a_bound_operator_asks_evidence_with_its_certificate(
        client: httpx.AsyncClient, pki: TestPki, inspector_token: str) -> None:
    signer = certificate(pki, "rsa")
    cms = sign_cms(b"the bytes of some record", signer.signer)
    target = hashlib.sha256(cms).hexdigest()
    answer = await client.post("/v1/signatures/evidence",
                               json={"cms": base64.b64encode(cms).decode()},
                               headers=signer.upload_headers(target))
    assert answer.status_code == 201, answer.text
    assert answer.json()["evidence"]["items"]
    assert await stored(client, target, inspector_token)


@pytest.mark.parametrize(("who", "reason"), [
    ("revoked", "cert_revoked"),
    ("expired", "cert_expired"),
    ("ec", "cert_identity"),
    ("untrusted", "cert_untrusted"),
    ("key_usage", "cert_key_usage"),
])
async def test_a_refused_certificate_uploads_nothing(
        client: httpx.AsyncClient, pki: TestPki, inspector_token: str, who: str,
        reason: str) -> None:
    data = SCAN + who.encode()
    digest = hashlib.sha256(data).hexdigest()
    answer = await put(client, data, certificate(pki, who).upload_headers(digest))
    assert_refused(answer, reason)
    assert not await stored(client, digest, inspector_token)


async def test_a_refused_certificate_gathers_no_evidence(
        client: httpx.AsyncClient, pki: TestPki, inspector_token: str) -> None:
    signer = certificate(pki, "revoked")
    cms = sign_cms(b"the bytes of a record signed by a revoked certificate", signer.signer)
    target = hashlib.sha256(cms).hexdigest()
    answer = await client.post("/v1/signatures/evidence",
                               json={"cms": base64.b64encode(cms).decode()},
                               headers=signer.upload_headers(target))
    assert_refused(answer, "cert_revoked")
    assert not await stored(client, target, inspector_token)


async def test_a_cms_over_other_bytes_is_signature_invalid(
        client: httpx.AsyncClient, pki: TestPki, inspector_token: str) -> None:
    digest = hashlib.sha256(SCAN + b"!").hexdigest()
    other = certificate(pki, "rsa").upload_headers(hashlib.sha256(SCAN).hexdigest())
    answer = await put(client, SCAN + b"!", other)
    assert_refused(answer, "signature_invalid")
    assert not await stored(client, digest, inspector_token)


async def test_a_time_stamped_cms_is_refused(
        client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    """A time-stamp would have the upload judged at the TSA's time, not the request's."""
    data = SCAN + b" time-stamped"
    digest = hashlib.sha256(data).hexdigest()
    signer = certificate(pki, "rsa")
    with TsaClient(services.urls.tsa) as stamper:
        cms = sign_cms(attachment_message(digest).encode("ascii"), signer.signer,
                       timestamper=stamper)
    answer = await put(client, data, {OPERATOR_HEADER: OPERATOR.address,
                                      OPERATOR_CMS_HEADER: base64.b64encode(cms).decode()})
    assert_refused(answer, "signing_time_invalid")


async def test_an_unbound_operator_is_refused(client: httpx.AsyncClient, pki: TestPki) -> None:
    digest = hashlib.sha256(SCAN).hexdigest()
    unbound = certificate(pki, "rsa", address=SAMPLE.other.address)
    answer = await put(client, SCAN, unbound.upload_headers(digest))
    assert_refused(answer, "operator_not_bound")


@pytest.mark.parametrize("who", ["revoked", "unregistered"])
async def test_an_operator_the_registry_does_not_allow_is_forbidden(
        client: httpx.AsyncClient, pki: TestPki, services: PkiServices, who: str) -> None:
    """Refused before any certificate status is fetched."""
    address = getattr(SAMPLE, who).address
    digest = hashlib.sha256(SCAN).hexdigest()
    headers = certificate(pki, "rsa", address=address).upload_headers(digest)
    fetched = services.hits()
    answer = await put(client, SCAN, headers)
    assert answer.status_code == 403 and answer.json()["code"] == "inactive_operator", answer.text
    assert services.hits() == fetched


async def test_malformed_headers_are_refused(client: httpx.AsyncClient, pki: TestPki) -> None:
    digest = hashlib.sha256(SCAN).hexdigest()
    good = certificate(pki, "rsa").upload_headers(digest)
    cases = [
        {OPERATOR_HEADER: OPERATOR.address},
        {OPERATOR_CMS_HEADER: good[OPERATOR_CMS_HEADER]},
        {**good, OPERATOR_SIGNATURE_HEADER: sign_attachment(OPERATOR.key, digest)},
        {**good, OPERATOR_HEADER: "0x1234"},
        {**good, OPERATOR_CMS_HEADER: "not base64!"},
    ]
    for headers in cases:
        assert_refused(await put(client, SCAN, headers), "operator_headers")
    garbage = {**good, OPERATOR_CMS_HEADER: base64.b64encode(b"not a CMS").decode()}
    assert_refused(await put(client, SCAN, garbage), "cms_invalid")


async def test_an_eip191_upload_is_accepted_as_before(client: httpx.AsyncClient) -> None:
    data = SCAN + b" signed with the operator key"
    digest = hashlib.sha256(data).hexdigest()
    answer = await put(client, data,
                       {OPERATOR_SIGNATURE_HEADER: sign_attachment(OPERATOR.key, digest)})
    assert answer.status_code == 201, answer.text


async def test_a_ledger_without_ca_signatures_refuses_a_cms_upload(
        manual_client: httpx.AsyncClient, pki: TestPki, inspector_token: str) -> None:
    digest = hashlib.sha256(SCAN).hexdigest()
    headers = certificate(pki, "rsa").upload_headers(digest)
    answer = await put(manual_client, SCAN, headers)
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "ca_signatures_disabled"
    assert set(answer.json()["details"]["message"]) == {"vi", "en"}
    evidence = await manual_client.post(
        "/v1/signatures/evidence", json={"pdf": digest}, headers=headers)
    assert evidence.status_code == 403 and evidence.json()["code"] == "ca_signatures_disabled"
    assert not await stored(manual_client, digest, inspector_token)


async def test_the_api_document_names_both_ways_to_vouch_for_an_upload(
        client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for operation in (paths["/v1/attachments/{sha256}"]["put"],
                      paths["/v1/signatures/evidence"]["post"]):
        headers = {item["name"] for item in operation["parameters"] if item["in"] == "header"}
        assert headers == {"X-Operator-Signature", "X-Operator", "X-Operator-Cms"}
