"""CA signatures in the submission path, through the real app on SQLite and PostgreSQL, against
the test PKI's live OCSP responder, CRL repository and TSA on 127.0.0.1: the registrar binds an
operator to its tax code; a CMS-signed report is accepted and `GET /v1/records/{id}` shows its
signatures; each bad certificate is refused with its own code, its message in Vietnamese and
English, and the log unchanged; a PAdES-signed PDF report is accepted, the same PDF changed by
one byte refused; a signed PDF listed without evidence is refused, changed or not; the binding
in force is the one sequenced last before the record, whatever its `issued_at`, for the server
and the verifier alike; misconfigured roots answer 503 without the server's paths."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI

from api.app import create_app
from api.settings import Settings
from api.signatures import HttpxTransport, SignatureState
from filings.bindings import binding_in_force, binding_subject, record_cms_bytes
from filings.signatures import STATUS_MESSAGES, sign_detached, sign_pdf
from filings.signing import EVIDENCE_TYPE, SubmissionDomain, sign_attachment
from filings.submission import prepare
from tests.filings.factories import ISSUED_AT, REPORT_BODY, REPORT_SUBJECT, as_json, signed
from tests.filings.signatures.documents import TITLE, report_pdf
from tests.filings.signatures.pki import MST_A, MST_B, TestPki
from tests.filings.signatures.services import PkiServices
from tests.server_fixtures import SAMPLE, asgi_client, auth, ca_settings, registrar_key, started
from verifier.address import parse_address
from verifier.bundle import ProofBundle
from verifier.canonical_json import parse_json
from verifier.certificates import SigningRoots
from verifier.eip712 import SigningDomain
from verifier.evidence import Files
from verifier.signatures import SignatureInputs, binding_of, check_record_signatures

OPERATOR = SAMPLE.active


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


@pytest.fixture
async def app(ledger_settings: Settings, pki: TestPki, tmp_path: Path
              ) -> AsyncIterator[FastAPI]:
    settings = ca_settings(ledger_settings, pki, tmp_path).model_copy(update={
        "checkpoint_interval": 3600.0, "anchor_interval": 3600.0})
    async with started(create_app(settings)) as running:
        yield running


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as running:
        yield running


def domain_of(app: FastAPI) -> SubmissionDomain:
    domain: SubmissionDomain = app.state.node.domain
    return domain


async def tree_size(client: httpx.AsyncClient) -> int:
    answer = await client.get("/v1/log")
    size: int = answer.json()["tree_size"]
    return size


def binding(app: FastAPI, operator: str = OPERATOR.address, tax_code: str = MST_A,
            issued_at: int = ISSUED_AT - 3600, supersedes: str | None = None
            ) -> dict[str, Any]:
    """The registrar's `binding/1` of `operator` to `tax_code` (by default signed before the
    test records)."""
    body = {"operator": operator, "organisation": "VNPT Thừa Thiên Huế", "tax_code": tax_code,
            "fingerprints": []}
    return signed("binding", "binding/1", binding_subject(operator), body,
                  key=registrar_key(app.state.node.settings), domain=domain_of(app),
                  issued_at=issued_at, supersedes=supersedes)


async def bind(client: httpx.AsyncClient, app: FastAPI, operator: str = OPERATOR.address,
               tax_code: str = MST_A, issued_at: int = ISSUED_AT - 3600,
               supersedes: str | None = None) -> str:
    """`binding` filed; its record id."""
    submission = binding(app, operator, tax_code, issued_at, supersedes)
    answer = await client.post("/v1/submissions", content=as_json(submission))
    assert answer.status_code == 202, answer.text
    record_id: str = answer.json()["results"][0]["record_id"]
    return record_id


async def upload(client: httpx.AsyncClient, data: bytes, media: str) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    answer = await client.put(f"/v1/attachments/{digest}", content=data, headers={
        "Content-Type": media, "X-Operator-Signature": sign_attachment(OPERATOR.key, digest)})
    assert answer.status_code in (200, 201), answer.text
    return {"sha256": digest, "size": len(data), "name": "bao-cao.pdf", "type": media}


async def evidence(client: httpx.AsyncClient, request: dict[str, str], target: str
                   ) -> dict[str, Any]:
    answer = await client.post("/v1/signatures/evidence", json=request, headers={
        "X-Operator-Signature": sign_attachment(OPERATOR.key, target)})
    assert answer.status_code == 201, answer.text
    listed = answer.json()
    assert listed["type"] == EVIDENCE_TYPE and listed["evidence"]["items"]
    return {key: listed[key] for key in ("sha256", "size", "name", "type")}


def report(domain: SubmissionDomain, files: list[dict[str, Any]], **fields: Any
           ) -> dict[str, Any]:
    return signed("report", "report/2", REPORT_SUBJECT, REPORT_BODY, key=OPERATOR.key,
                  domain=domain, attachments=files, **fields)


def cms_bytes(domain: SubmissionDomain, files: list[dict[str, Any]]) -> bytes:
    """The bytes a CMS over the report with `files` signs (`filings.bindings`)."""
    item = prepare(as_json(report(domain, files)), domain)
    return record_cms_bytes(domain, item.entry, item.attachments)


async def cms_report(client: httpx.AsyncClient, app: FastAPI, pki: TestPki,
                     services: PkiServices, who: str, *, data: bytes | None = None
                     ) -> dict[str, Any]:
    """A report carrying a CAdES-T signature by the PKI's `who`, with its evidence listed."""
    domain = domain_of(app)
    issued = pki.operators[who]
    signer = pki.foreign if who == "untrusted" else pki.ca
    der = await asyncio.to_thread(sign_detached, data or cms_bytes(domain, []), issued.key,
                                  issued.cert, [signer.cert], services.urls.tsa,
                                  transport=tsa_transport())
    listed = await evidence(client, {"cms": base64.b64encode(der).decode()},
                            hashlib.sha256(der).hexdigest())
    return report(domain, [listed])


def tsa_transport() -> HttpxTransport:
    return HttpxTransport(httpx.Client(timeout=10, trust_env=False))


async def test_a_cms_signed_report_is_accepted_and_its_signatures_shown(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    await bind(client, app)
    submission = await cms_report(client, app, pki, services, "rsa")
    answer = await client.post("/v1/submissions", content=as_json(submission))
    assert answer.status_code == 202, answer.text
    (result,) = answer.json()["results"]
    assert result["status"] == "accepted"
    record = (await client.get(f"/v1/records/{result['record_id']}")).json()
    eip712, cms = record["signatures"]
    assert eip712 == {"format": "eip712", "signer": OPERATOR.address, "issuer": None,
                      "serial": None, "signed_at": "2024-07-03T09:46:40Z", "status": "valid"}
    cert = pki.operators["rsa"].cert
    assert cms["format"] == "cms" and cms["status"] == "valid"
    assert cms["signer"] == cert.subject.rfc4514_string()
    assert cms["issuer"] == pki.ca.cert.subject.rfc4514_string()
    assert cms["serial"] == format(cert.serial_number, "x") and cms["tax_code"] == MST_A
    assert cms["signed_at"].endswith("Z") and cms["message"]["vi"] == "Chữ ký số hợp lệ"


@pytest.mark.parametrize(("who", "code"), [
    ("expired", "cert_expired"), ("revoked", "cert_revoked"), ("key_usage", "cert_key_usage"),
    ("untrusted", "cert_untrusted"), ("ec", "cert_identity"), ("weak", "weak_key"),
])
async def test_each_bad_certificate_is_refused_with_its_code_and_the_log_unchanged(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices,
        who: str, code: str) -> None:
    await bind(client, app)
    submission = await cms_report(client, app, pki, services, who)
    before = await tree_size(client)
    answer = await client.post("/v1/submissions", content=as_json(submission))
    assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
    vi, en = STATUS_MESSAGES[code]
    refusal = answer.json()
    assert refusal["details"]["message"] == {"vi": vi, "en": en}
    assert isinstance(refusal["message"], str) and refusal["message"] != en
    assert await tree_size(client) == before


async def test_a_cms_not_over_these_bytes_or_of_an_unbound_operator_is_refused(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    before = await tree_size(client)
    unbound = await cms_report(client, app, pki, services, "rsa")
    answer = await client.post("/v1/submissions", content=as_json(unbound))
    assert answer.json()["code"] == "operator_not_bound", answer.text
    await bind(client, app)
    before = await tree_size(client)
    other = await cms_report(client, app, pki, services, "rsa", data=b"other bytes")
    answer = await client.post("/v1/submissions", content=as_json(other))
    assert answer.json()["code"] == "signature_invalid", answer.text
    assert await tree_size(client) == before


async def test_a_pades_report_is_accepted_and_one_byte_changed_is_refused(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    await bind(client, app)
    issued = pki.operators["rsa"]
    pdf = await asyncio.to_thread(sign_pdf, report_pdf(), issued.key, issued.cert,
                                  [pki.ca.cert], services.urls.tsa, transport=tsa_transport())
    domain = domain_of(app)
    file = await upload(client, pdf, "application/pdf")
    listed = await evidence(client, {"pdf": file["sha256"]}, file["sha256"])
    answer = await client.post("/v1/submissions",
                               content=as_json(report(domain, [file, listed])))
    assert answer.status_code == 202, answer.text
    record_id = answer.json()["results"][0]["record_id"]
    record = (await client.get(f"/v1/records/{record_id}")).json()
    pades = record["signatures"][1]
    assert pades["format"] == "pades" and pades["status"] == "valid"
    assert pades["attachment"] == file["sha256"] and pades["tax_code"] == MST_A

    at = pdf.index(TITLE) + TITLE.index(b"Hue")
    changed = pdf[:at] + b"J" + pdf[at + 1:]
    file = await upload(client, changed, "application/pdf")
    listed = await evidence(client, {"pdf": file["sha256"]}, file["sha256"])
    before = await tree_size(client)
    answer = await client.post("/v1/submissions", content=as_json(
        report(domain, [file, listed], issued_at=ISSUED_AT + 1)))
    assert answer.status_code == 422 and answer.json()["code"] == "pdf_modified", answer.text
    assert await tree_size(client) == before


async def test_evidence_needs_an_operator_signature(client: httpx.AsyncClient) -> None:
    request = {"cms": base64.b64encode(b"not a cms").decode()}
    answer = await client.post("/v1/signatures/evidence", json=request)
    assert answer.status_code == 401 and answer.json()["code"] == "invalid_token", answer.text


async def test_evidence_is_refused_when_ca_signatures_are_off(
        manual_client: httpx.AsyncClient) -> None:
    target = hashlib.sha256(b"not a cms").hexdigest()
    answer = await manual_client.post(
        "/v1/signatures/evidence", json={"cms": base64.b64encode(b"not a cms").decode()},
        headers={"X-Operator-Signature": sign_attachment(OPERATOR.key, target)})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "ca_signatures_disabled"


async def signed_pdf(pki: TestPki, services: PkiServices) -> bytes:
    issued = pki.operators["rsa"]
    return await asyncio.to_thread(sign_pdf, report_pdf(), issued.key, issued.cert,
                                   [pki.ca.cert], services.urls.tsa, transport=tsa_transport())


async def test_a_signed_pdf_listed_without_evidence_is_refused_changed_or_not(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    await bind(client, app)
    domain = domain_of(app)
    pdf = await signed_pdf(pki, services)
    at = pdf.index(TITLE) + TITLE.index(b"Hue")
    for data in (pdf, pdf[:at] + b"J" + pdf[at + 1:]):
        file = await upload(client, data, "application/pdf")
        before = await tree_size(client)
        answer = await client.post("/v1/submissions", content=as_json(report(domain, [file])))
        assert answer.status_code == 422, answer.text
        refusal = answer.json()
        assert refusal["code"] == "pdf_signature_unchecked"
        assert "POST /v1/signatures/evidence" in refusal["message"]
        assert refusal["details"]["attachment"] == file["sha256"]
        assert refusal["details"]["message"]["vi"].startswith("Tệp PDF có chữ ký số")
        assert await tree_size(client) == before

    plain = await upload(client, report_pdf(), "application/pdf")
    answer = await client.post("/v1/submissions", content=as_json({"submissions": [
        report(domain, [file]), report(domain, [plain])]}))
    assert answer.status_code == 202, answer.text
    refused, accepted = answer.json()["results"]
    assert refused["status"] == "rejected" and accepted["status"] == "accepted", answer.text
    error = refused["error"]
    assert error["code"] == "pdf_signature_unchecked"
    assert error["details"]["message"] == dict(zip(
        ("vi", "en"), STATUS_MESSAGES["pdf_signature_unchecked"], strict=True))


async def test_a_signed_pdf_is_a_plain_file_when_ca_signatures_are_off(
        manual_client: httpx.AsyncClient, ledger_domain: SubmissionDomain, pki: TestPki,
        services: PkiServices) -> None:
    file = await upload(manual_client, await signed_pdf(pki, services), "application/pdf")
    answer = await manual_client.post("/v1/submissions",
                                      content=as_json(report(ledger_domain, [file])))
    assert answer.status_code == 202, answer.text
    record_id = answer.json()["results"][0]["record_id"]
    record = (await manual_client.get(f"/v1/records/{record_id}")).json()
    assert [item["format"] for item in record["signatures"]] == ["eip712"]


async def test_the_binding_in_force_is_the_one_sequenced_last_not_chosen_by_issued_at(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices,
        inspector_token: str) -> None:
    """A binding to MST_A, then its correction to MST_B signed an hour after the reports: a
    report signed before the correction but sequenced after it is judged by MST_B."""
    old = await bind(client, app)
    new = await bind(client, app, tax_code=MST_B, issued_at=ISSUED_AT + 3600, supersedes=old)
    backdated = await cms_report(client, app, pki, services, "rsa")
    assert backdated["issued_at"] < ISSUED_AT + 3600
    before = await tree_size(client)
    answer = await client.post("/v1/submissions", content=as_json(backdated))
    assert answer.status_code == 422 and answer.json()["code"] == "cert_identity", answer.text
    assert await tree_size(client) == before

    answer = await client.post("/v1/submissions", content=as_json(
        await cms_report(client, app, pki, services, "ec")))
    assert answer.status_code == 202, answer.text
    record_id = answer.json()["results"][0]["record_id"]
    shown = (await client.get(f"/v1/records/{record_id}")).json()["signatures"][1]
    assert shown["status"] == "valid" and shown["tax_code"] == MST_B, shown

    await asyncio.to_thread(app.state.node.checkpointer.run_once)
    bundles = [ProofBundle.parse(parse_json(
        (await client.get(f"/v1/records/{name}/proof")).content)) for name in (old, new)]
    record = ProofBundle.parse(parse_json(
        (await client.get(f"/v1/records/{record_id}/proof")).content))
    files = await served_evidence(client, record, inspector_token)
    domain = domain_of(app)
    registry = parse_address(domain.verifying_contract, what="the registry")
    reports = check_record_signatures(
        record, SigningDomain(domain.chain_id, registry), SignatureInputs(
            roots=SigningRoots.parse(pki.root.cert.public_bytes(
                serialization.Encoding.PEM).decode()),
            files=files, bindings=tuple(binding_of(bundle) for bundle in bundles),
            now=datetime.now(UTC)))
    assert [(item.status, item.tax_code) for item in reports] == [("valid", MST_B)], reports


async def served_evidence(client: httpx.AsyncClient, bundle: ProofBundle, token: str) -> Files:
    """The record's evidence documents and every blob they name, as the ledger serves them."""
    contents = []
    for listed in bundle.attachments:
        if listed.type != EVIDENCE_TYPE:
            continue
        document = (await client.get(f"/v1/attachments/{listed.sha256.hex()}")).content
        value = parse_json(document)
        assert isinstance(value, dict)
        names = [value["signature"]["sha256"],
                 *(item["sha256"] for item in value["evidence"]["items"])]
        contents.append(document)
        for name in names:
            blob = await client.get(f"/v1/attachments/{name}", headers=auth(token))
            assert blob.status_code == 200, blob.text
            contents.append(blob.content)
    return Files(contents)


async def test_unusable_signing_roots_answer_503_without_the_servers_paths(
        ledger_settings: Settings, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "roots.pem"
    settings = ledger_settings.model_copy(update={
        "ca_signatures": True, "signing_roots_file": missing, "signing_loopback_urls": True})
    target = hashlib.sha256(b"not a cms").hexdigest()
    async with started(create_app(settings)) as running, asgi_client(running) as client:
        answer = await client.post(
            "/v1/signatures/evidence", json={"cms": base64.b64encode(b"not a cms").decode()},
            headers={"X-Operator-Signature": sign_attachment(OPERATOR.key, target)})
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "signing_roots_unavailable"
    assert str(tmp_path) not in answer.text and "roots.pem" not in answer.text
    assert answer.json()["details"]["message"]["vi"]


async def test_the_binding_in_force_is_found_past_a_page_of_corrections(
        app: FastAPI, client: httpx.AsyncClient) -> None:
    """Three bindings of one operator, each correcting the one before, read two records a
    page: the last of them is the one in force."""
    first = await bind(client, app)
    second = await bind(client, app, tax_code=MST_B, supersedes=first)
    await bind(client, app, tax_code=MST_A, issued_at=ISSUED_AT - 1800, supersedes=second)
    bindings = SignatureState(app.state.ledger, page=2).bindings(OPERATOR.address)
    assert [item.body.tax_code for item in bindings] == [MST_A, MST_B, MST_A]
    in_force = binding_in_force(bindings, None)
    assert in_force is not None and in_force.index == max(item.index for item in bindings)


async def test_a_record_judged_by_a_binding_corrected_before_it_is_sequenced_is_refused(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    """One request files a binding's correction and a CMS-signed report: both are admitted
    before either is sequenced, so the report was judged by the binding the correction
    replaces, which is no longer the last before it once sequenced. The append refuses it
    (`binding_changed`, nothing stored); the correction is kept; the report sent again is
    judged by the new binding."""
    old = await bind(client, app)
    report_ = await cms_report(client, app, pki, services, "rsa")
    correction = binding(app, tax_code=MST_B, issued_at=ISSUED_AT + 60, supersedes=old)
    before = await tree_size(client)
    answer = await client.post("/v1/submissions", content=as_json(
        {"submissions": [correction, report_]}))
    assert answer.status_code == 202, answer.text
    first, second = answer.json()["results"]
    assert first["status"] == "accepted"
    assert second["status"] == "rejected" and second["record_id"] is None
    assert second["error"]["code"] == "binding_changed"
    assert set(second["error"]["details"]["message"]) == {"vi", "en"}
    assert await tree_size(client) == before + 1
    alone = await client.post("/v1/submissions", content=as_json(report_))
    assert alone.status_code == 422 and alone.json()["code"] == "cert_identity", alone.text
    assert await tree_size(client) == before + 1


async def test_a_report_signed_with_a_certificate_only_is_accepted_without_eip712(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    await bind(client, app)
    submission = {**await cms_report(client, app, pki, services, "rsa"), "signature": None}
    answer = await client.post("/v1/submissions", content=as_json(submission))
    assert answer.status_code == 202, answer.text
    (result,) = answer.json()["results"]
    assert result["status"] == "accepted", answer.text
    record = (await client.get(f"/v1/records/{result['record_id']}")).json()
    assert record["entry"]["signature"] is None
    assert record["entry"]["operator"] == OPERATOR.address
    (cms,) = record["signatures"]
    assert cms["format"] == "cms" and cms["status"] == "valid" and cms["tax_code"] == MST_A
    assert cms["signer"] == pki.operators["rsa"].cert.subject.rfc4514_string()
    sent_again = await client.post("/v1/submissions", content=as_json(submission))
    assert sent_again.json()["results"][0]["status"] == "duplicate", sent_again.text


async def test_a_record_without_eip712_needs_a_cms_that_names_its_operator(
        app: FastAPI, client: httpx.AsyncClient, pki: TestPki, services: PkiServices) -> None:
    await bind(client, app)
    domain = domain_of(app)
    before = await tree_size(client)
    unsigned = {**report(domain, []), "signature": None}
    answer = await client.post("/v1/submissions", content=as_json(unsigned))
    assert answer.status_code == 422 and answer.json()["code"] == "no_record_signature"
    assert answer.json()["details"]["message"] == dict(zip(
        ("vi", "en"), STATUS_MESSAGES["no_record_signature"], strict=True))

    # A PAdES signature signs its PDF, not the record's fields: it cannot stand alone.
    file = await upload(client, await signed_pdf(pki, services), "application/pdf")
    listed = await evidence(client, {"pdf": file["sha256"]}, file["sha256"])
    pades_only = {**report(domain, [file, listed]), "signature": None}
    answer = await client.post("/v1/submissions", content=as_json(pades_only))
    assert answer.status_code == 422 and answer.json()["code"] == "no_record_signature"

    # The CMS names the operator it signs for: the same fields for another one do not verify.
    item = prepare(as_json(report(domain, [])), domain)
    other = SAMPLE.other.address
    wrong = record_cms_bytes(domain, dataclasses.replace(item.entry, operator=other), [])
    cms_elsewhere = {**await cms_report(client, app, pki, services, "rsa", data=wrong),
                     "signature": None}
    answer = await client.post("/v1/submissions", content=as_json(cms_elsewhere))
    assert answer.status_code == 422 and answer.json()["code"] == "signature_invalid"
    assert await tree_size(client) == before


async def test_a_record_without_eip712_is_refused_when_ca_signatures_are_off(
        manual_client: httpx.AsyncClient, ledger_domain: SubmissionDomain) -> None:
    unsigned = {**report(ledger_domain, []), "signature": None}
    answer = await manual_client.post("/v1/submissions", content=as_json(unsigned))
    assert answer.status_code == 422 and answer.json()["code"] == "no_record_signature"
