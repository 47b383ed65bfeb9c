"""`infraledger submit --cert-key`, end to end against a live server (uvicorn on loopback,
SQLite, the embedded chain) that accepts CA signatures, with the test PKI's OCSP responder,
CRL repository and TSA on 127.0.0.1: a PKCS#12 certificate (password in a file) and a PEM key
with its chain each sign a report whose record then shows a valid CMS signature; a wrong
password is a usage error in one line; a certificate of another tax code is refused. With
`--tsa` the CMS is CAdES-T and the record's signing time is the TSA's; a TSA that is down or
answers garbage is one line, exit 2, nothing filed. A PAdES-signed PDF attachment is filed with
its evidence and shows a valid `pades` signature (an unsigned PDF changes nothing); a ledger
that refuses its evidence is one line, exit 1, nothing filed.

Without `--key`, `--cert-key` with `--operator` files CA-only records: the attachments are
uploaded and the evidence asked with a CMS, the entry's `signature` is null and the record shows
its `cms` signature valid and no `eip712`; a restricted draft needs `--receipts`, which keeps its
random salt, the one the record's content commits to. Options
that do not choose one signer are a usage error in one line, before any server is asked.

A CA-signed draft sent again (with `--key --cert-key`, with `--cert-key --operator`, or a draft
listing a PAdES-signed PDF) is reported `duplicate` of the record the first run filed: exit 0,
the log unchanged, no CMS time-stamped, no evidence asked, nothing submitted (counted from the
requests the server answers); a draft whose body or attachment changed is filed as new."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from fastapi import Request, Response
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from api.app import create_app
from api.serving import ServerThread
from api.settings import Settings
from client.certificates import carries_pdf_signature, load_certificate_key
from client.cli import main
from client.errors import BadKeyFile
from filings.bindings import binding_subject
from filings.signatures import STATUS_MESSAGES, sign_pdf
from filings.signatures.paths import run_sync
from filings.signing import EVIDENCE_TYPE, SubmissionDomain, canonical_body, content_commitment
from tests.filings.factories import ISSUED_AT, REPORT_BODY, as_json, signed
from tests.filings.signatures.documents import report_pdf
from tests.filings.signatures.pki import MST_A, TestPki
from tests.filings.signatures.services import PkiServices, Service
from tests.server_fixtures import SAMPLE, auth, free_port, registrar_key

OPERATOR = SAMPLE.active


@pytest.fixture
def ledger_requests() -> list[str]:
    """`METHOD /path` of each request `ca_server` answers, in order."""
    return []


@pytest.fixture
def ca_server(ledger_settings: Settings, pki: TestPki, tmp_path: Path,
              ledger_requests: list[str]) -> Iterator[str]:
    """The ledger served with CA signatures on, and SAMPLE.active bound to tax code MST_A; the
    requests it answers are listed in `ledger_requests`."""
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    settings = ledger_settings.model_copy(update={
        "ca_signatures": True, "signing_roots_file": roots, "signing_loopback_urls": True})
    app = create_app(settings)

    @app.middleware("http")
    async def listed(request: Request,
                     answer: Callable[[Request], Awaitable[Response]]) -> Response:
        ledger_requests.append(f"{request.method} {request.url.path}")
        return await answer(request)

    with ServerThread(app) as url:
        domain = httpx.get(f"{url}/v1/log").json()
        ledger_domain = SubmissionDomain(int(domain["chain_id"]), domain["operator_registry"])
        body = {"operator": OPERATOR.address, "organisation": "VNPT Thừa Thiên Huế",
                "tax_code": MST_A, "fingerprints": []}
        binding = signed("binding", "binding/1", binding_subject(OPERATOR.address), body,
                         key=registrar_key(settings), domain=ledger_domain,
                         issued_at=ISSUED_AT - 3600)
        answer = httpx.post(f"{url}/v1/submissions", content=as_json(binding))
        assert answer.status_code == 202, answer.text
        yield url


def _files(tmp_path: Path, subject: str, attachments: tuple[str, ...] = (),
           *, salt: bool = False) -> tuple[Path, Path]:
    key = tmp_path / "operator.key"
    key.write_text("0x" + OPERATOR.key.hex() + "\n")
    key.chmod(0o600)
    draft = tmp_path / f"{subject.rsplit(':', 1)[-1]}.json"
    draft.write_text(json.dumps({"kind": "report", "schema": "report/2", "subject": subject,
                                 "body": REPORT_BODY, "issued_at": ISSUED_AT,
                                 "attachments": list(attachments), "salt": salt},
                                ensure_ascii=False), encoding="utf-8")
    return key, draft


def _p12(tmp_path: Path, pki: TestPki, who: str, password: bytes) -> tuple[Path, Path]:
    issued = pki.operators[who]
    bundle = tmp_path / f"{who}.p12"
    bundle.write_bytes(pkcs12.serialize_key_and_certificates(
        b"operator", issued.key, issued.cert, [pki.ca.cert],
        serialization.BestAvailableEncryption(password)))
    secret = tmp_path / f"{who}.password"
    secret.write_text(password.decode() + "\n")
    return bundle, secret


def _record_signatures(url: str, out: str) -> list[dict[str, object]]:
    record_id = out.split()[0]
    answer = httpx.get(f"{url}/v1/records/{record_id}")
    assert answer.status_code == 200, answer.text
    shown: list[dict[str, object]] = answer.json()["signatures"]
    return shown


def test_submit_with_a_pkcs12_certificate_files_a_cms_signed_record(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:annual-infrastructure")
    bundle, secret = _p12(tmp_path, pki, "rsa", b"mat-khau-2026")
    code = main(["submit", str(draft), "--key", str(key), "--url", ca_server,
                 "--cert-key", str(bundle), "--cert-password-file", str(secret)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.split()[2] == "accepted"
    eip712, cms = _record_signatures(ca_server, out)
    assert eip712["format"] == "eip712" and eip712["signer"] == OPERATOR.address
    assert cms["format"] == "cms" and cms["status"] == "valid" and cms["tax_code"] == MST_A
    assert cms["signer"] == pki.operators["rsa"].cert.subject.rfc4514_string()


def test_submit_with_a_pem_key_and_chain(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:pem-signed")
    issued = pki.operators["crl_only"]
    pem = tmp_path / "signer.pem"
    pem.write_bytes(issued.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
        + issued.cert.public_bytes(serialization.Encoding.PEM)
        + pki.ca.cert.public_bytes(serialization.Encoding.PEM))
    code = main(["submit", str(draft), "--key", str(key), "--url", ca_server,
                 "--cert-key", str(pem), "--operator", OPERATOR.address.lower()])
    out = capsys.readouterr().out
    assert code == 0, out
    assert _record_signatures(ca_server, out)[1]["status"] == "valid"


def test_a_certificate_of_another_tax_code_is_refused(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:other-company")
    bundle, secret = _p12(tmp_path, pki, "ec", b"khac")
    code = main(["submit", str(draft), "--key", str(key), "--url", ca_server,
                 "--cert-key", str(bundle), "--cert-password-file", str(secret)])
    printed = capsys.readouterr()
    assert code == 1
    assert "rejected" in printed.out
    assert "cert_identity" in printed.err


def test_a_wrong_password_is_a_usage_error_in_one_line(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:wrong-password")
    bundle, _ = _p12(tmp_path, pki, "rsa", b"dung")
    wrong = tmp_path / "wrong.password"
    wrong.write_text("sai\n")
    code = main(["submit", str(draft), "--key", str(key), "--url", ca_server,
                 "--cert-key", str(bundle), "--cert-password-file", str(wrong)])
    said = [line for line in capsys.readouterr().err.splitlines()
            if line.startswith("infraledger")]
    assert code == 2
    assert len(said) == 1 and said[0].startswith("infraledger submit: ") and str(bundle) in said[0]
    with pytest.raises(BadKeyFile):
        load_certificate_key(bundle, wrong)


def _record(url: str, line: str) -> dict[str, Any]:
    answer = httpx.get(f"{url}/v1/records/{line.split()[0]}")
    assert answer.status_code == 200, answer.text
    record: dict[str, Any] = answer.json()
    return record


def _tree_size(url: str) -> int:
    size: int = httpx.get(f"{url}/v1/log").json()["tree_size"]
    return size


def _signed_pdf(tmp_path: Path, pki: TestPki, name: str = "signed.pdf") -> Path:
    issued = pki.operators["rsa"]
    pdf = tmp_path / name
    pdf.write_bytes(sign_pdf(report_pdf(), issued.key, issued.cert, [pki.ca.cert]))
    return pdf


def test_a_pades_signed_pdf_is_filed_with_its_evidence_and_an_unsigned_one_as_before(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    pdf = _signed_pdf(tmp_path, pki)
    (tmp_path / "plain.pdf").write_bytes(report_pdf())
    key, signed_draft = _files(tmp_path, "report:2024:signed-scan", ("signed.pdf",))
    _, plain_draft = _files(tmp_path, "report:2024:plain-scan", ("plain.pdf",))
    code = main(["submit", str(signed_draft), str(plain_draft), "--key", str(key),
                 "--url", ca_server])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    signed_line, plain_line = printed.out.splitlines()
    assert signed_line.split()[2] == plain_line.split()[2] == "accepted"
    eip712, pades = _record_signatures(ca_server, signed_line)
    assert eip712["format"] == "eip712"
    assert pades["format"] == "pades" and pades["status"] == "valid", pades
    assert pades["attachment"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert pades["tax_code"] == MST_A
    assert pades["signer"] == pki.operators["rsa"].cert.subject.rfc4514_string()
    plain = _record(ca_server, plain_line)
    assert [s["format"] for s in plain["signatures"]] == ["eip712"]
    assert [a["type"] for a in plain["attachments"]] == ["application/pdf"]


def test_a_pades_pdf_beside_a_cms_carries_both_signatures(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _signed_pdf(tmp_path, pki)
    key, draft = _files(tmp_path, "report:2024:both-signed", ("signed.pdf",))
    bundle, secret = _p12(tmp_path, pki, "rsa", b"ca-hai")
    code = main(["submit", str(draft), "--key", str(key), "--url", ca_server,
                 "--cert-key", str(bundle), "--cert-password-file", str(secret)])
    out = capsys.readouterr().out
    assert code == 0, out
    shown = {s["format"]: s["status"] for s in _record_signatures(ca_server, out)}
    assert shown == {"eip712": "valid", "pades": "valid", "cms": "valid"}


def test_a_ledger_refusing_the_pdf_evidence_is_one_line_and_files_nothing(
        live_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`live_server` does not accept CA signatures: the signed PDF's evidence is refused."""
    _signed_pdf(tmp_path, pki)
    key, plain = _files(tmp_path, "report:2024:before-the-scan")
    _, draft = _files(tmp_path, "report:2024:refused-scan", ("signed.pdf",))
    before = _tree_size(live_server)
    code = main(["submit", str(plain), str(draft), "--key", str(key), "--url", live_server])
    printed = capsys.readouterr()
    said = [line for line in printed.err.splitlines() if line.startswith("infraledger")]
    assert code == 1 and printed.out == ""
    assert len(said) == 1 and said[0].startswith("infraledger submit: ca_signatures_disabled")
    assert str(draft) in said[0]
    assert _tree_size(live_server) == before


def test_tsa_makes_the_cms_cades_t_signed_at_the_tsa_time(
        ca_server: str, pki: TestPki, services: PkiServices, inspector_token: str,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:time-stamped")
    bundle, secret = _p12(tmp_path, pki, "rsa", b"dau-thoi-gian")
    asked = sum(services.tsa.hits.values())
    code = main(["submit", str(draft), "--key", str(key), "--url", ca_server,
                 "--cert-key", str(bundle), "--cert-password-file", str(secret),
                 "--tsa", services.urls.tsa])
    out = capsys.readouterr().out
    assert code == 0, out
    assert sum(services.tsa.hits.values()) == asked + 1
    _, cms = _record_signatures(ca_server, out)
    assert cms["format"] == "cms" and cms["status"] == "valid", cms
    [document] = [a for a in _record(ca_server, out)["attachments"]
                  if a["type"] == EVIDENCE_TYPE]
    evidence = httpx.get(f"{ca_server}/v1/attachments/{document['sha256']}").json()
    [stamp] = [i for i in evidence["evidence"]["items"] if i["kind"] == "timestamp"]
    token = httpx.get(f"{ca_server}/v1/attachments/{stamp['sha256']}",
                      headers=auth(inspector_token))
    assert token.status_code == 200, token.text
    info = asn1_cms.ContentInfo.load(token.content)["content"]["encap_content_info"]
    gen_time: datetime = info["content"].parsed["gen_time"].native
    signed_at = datetime.fromisoformat(str(cms["signed_at"]))
    assert signed_at == gen_time
    assert signed_at < datetime.fromisoformat(evidence["evidence"]["validated_at"])


@pytest.fixture
def garbage_tsa() -> Iterator[str]:
    """A service that answers every time-stamp request 200 with bytes that are not one."""
    service = Service("garbage-tsa")
    service.app = lambda method, path, body: (200, "application/timestamp-reply",
                                              b"\x30\x03\x02\x01\x00")
    service.start()
    try:
        yield service.url
    finally:
        service.stop()


@pytest.mark.parametrize("tsa", ["down", "garbage"])
def test_a_tsa_down_or_answering_garbage_is_one_line_exit_2_and_files_nothing(
        ca_server: str, pki: TestPki, garbage_tsa: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], tsa: str) -> None:
    key, draft = _files(tmp_path, f"report:2024:tsa-{tsa}")
    bundle, secret = _p12(tmp_path, pki, "rsa", b"khong-co-dau")
    url = f"http://127.0.0.1:{free_port()}/" if tsa == "down" else garbage_tsa
    before = _tree_size(ca_server)
    code = main(["submit", str(draft), "--key", str(key), "--url", ca_server,
                 "--cert-key", str(bundle), "--cert-password-file", str(secret),
                 "--tsa", url])
    printed = capsys.readouterr()
    said = [line for line in printed.err.splitlines() if line.startswith("infraledger")]
    assert code == 2 and printed.out == ""
    assert len(said) == 1 and said[0].startswith("infraledger submit: ") and url in said[0]
    assert _tree_size(ca_server) == before


def test_tsa_without_a_certificate_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:no-certificate")
    code = main(["submit", str(draft), "--key", str(key), "--url",
                 f"http://127.0.0.1:{free_port()}", "--tsa", "http://127.0.0.1:9/"])
    said = capsys.readouterr().err.splitlines()
    assert code == 2 and len(said) == 1 and "--tsa" in said[0]


def test_only_a_signature_makes_a_pdf_signed(
        pki: TestPki, tmp_path: Path) -> None:
    """Unsigned and document-time-stamped PDFs carry no signature; a PAdES one does."""
    plain = report_pdf()
    assert not carries_pdf_signature(plain)
    assert carries_pdf_signature(_signed_pdf(tmp_path, pki).read_bytes())
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(pki.tsa.cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(pki.tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())))
    stamped = BytesIO()
    run_sync(PdfTimeStamper(stamper).async_timestamp_pdf(
        IncrementalPdfFileWriter(BytesIO(plain)), "sha256", output=stamped))
    assert b"/DocTimeStamp" in stamped.getvalue()
    assert not carries_pdf_signature(stamped.getvalue())
    assert not carries_pdf_signature(b"not a PDF /ByteRange [0 10 20 30]")


def _ca_only(record: dict[str, Any]) -> dict[str, Any]:
    """The one signature of a record signed with a certificate only, once its entry is checked
    to carry no EIP-712 signature."""
    assert record["entry"]["signature"] is None
    assert record["entry"]["operator"] == OPERATOR.address
    [cms] = record["signatures"]
    assert cms["format"] == "cms" and cms["status"] == "valid", cms
    return cms


def _accepted_ca_only(url: str, out: str, signer: x509.Certificate) -> None:
    """Check that `submit` printed the record accepted, signed by `signer`'s certificate only,
    with its PDF and the CMS's evidence document listed."""
    assert out.split()[2] == "accepted"
    record = _record(url, out)
    cms = _ca_only(record)
    assert cms["tax_code"] == MST_A
    assert cms["signer"] == signer.subject.rfc4514_string()
    assert sorted(a["type"] for a in record["attachments"]) == ["application/pdf", EVIDENCE_TYPE]


def test_a_certificate_alone_files_a_record_without_an_eip712_signature(
        ca_server: str, pki: TestPki, services: PkiServices, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "scan.pdf").write_bytes(report_pdf())
    _, draft = _files(tmp_path, "report:2024:certificate-only", ("scan.pdf",))
    bundle, secret = _p12(tmp_path, pki, "rsa", b"chi-chung-thu")
    asked = sum(services.ocsp.hits.values())
    code = main(["submit", str(draft), "--url", ca_server, "--operator", OPERATOR.address,
                 "--cert-key", str(bundle), "--cert-password-file", str(secret)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    _accepted_ca_only(ca_server, printed.out, pki.operators["rsa"].cert)
    assert sum(services.ocsp.hits.values()) >= asked + 3, "upload, evidence request, evidence"


def test_a_restricted_draft_without_a_key_keeps_its_random_salt_in_the_receipts(
        ca_server: str, pki: TestPki, inspector_token: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, draft = _files(tmp_path, "report:2024:restricted-certificate-only", salt=True)
    bundle, secret = _p12(tmp_path, pki, "rsa", b"muoi")
    command = ["submit", str(draft), "--url", ca_server, "--operator", OPERATOR.address,
               "--cert-key", str(bundle), "--cert-password-file", str(secret)]
    before = _tree_size(ca_server)
    assert main(command) == 2
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 1 and "--receipts" in said[0] and str(draft) in said[0], said
    assert _tree_size(ca_server) == before
    receipts = tmp_path / "receipts"
    assert main([*command, "--receipts", str(receipts)]) == 0
    first = capsys.readouterr().out.split()
    assert first[2] == "accepted"
    kept = json.loads((receipts / f"{first[0]}.json").read_text(encoding="utf-8"))
    salt = kept["submission"]["salt"]
    assert kept["submission"]["signature"] is None and len(salt) == 66
    shown = httpx.get(f"{ca_server}/v1/records/{first[0]}", headers=auth(inspector_token))
    assert shown.json()["restricted"] is True and shown.json()["body"] == REPORT_BODY
    commitment = content_commitment(canonical_body(REPORT_BODY), bytes.fromhex(salt[2:]))
    _ca_only(shown.json())
    assert shown.json()["entry"]["content"] == "0x" + commitment.hex()
    assert main([*command, "--receipts", str(receipts)]) == 0
    assert capsys.readouterr().out.split() == [*first[:2], "duplicate", str(draft)], \
        "the receipt's salt opens the record filed"
    assert _tree_size(ca_server) == before + 1
    elsewhere = tmp_path / "other-receipts"
    assert main([*command, "--receipts", str(elsewhere)]) == 0
    again = capsys.readouterr().out.split()
    assert again[2] == "accepted", "without its receipt the record filed cannot be recognised"
    other = json.loads((elsewhere / f"{again[0]}.json").read_text(encoding="utf-8"))
    assert other["submission"]["salt"] != salt, "drawn afresh: nothing secret to derive it from"


def _sent_again(ledger_requests: list[str], command: list[str],
                capsys: pytest.CaptureFixture[str]) -> tuple[list[str], list[str]]:
    """Run `command` twice: the lines each run printed, the second's requests of a CMS's or a
    PDF's evidence and of submissions."""
    assert main(command) == 0
    first = capsys.readouterr().out.split()
    del ledger_requests[:]
    assert main(command) == 0, capsys.readouterr().err
    again = capsys.readouterr().out.split()
    assert "GET /v1/records" in ledger_requests, "the second run looks the record up"
    made = [request for request in ledger_requests
            if request in ("POST /v1/signatures/evidence", "POST /v1/submissions")]
    return [*first, *again], made


@pytest.mark.parametrize("alone", [False, True], ids=["--key --cert-key", "--cert-key alone"])
def test_a_ca_signed_draft_sent_again_is_its_duplicate_and_asks_no_evidence(
        ca_server: str, ledger_requests: list[str], pki: TestPki, services: PkiServices,
        tmp_path: Path, capsys: pytest.CaptureFixture[str], alone: bool) -> None:
    (tmp_path / "scan.pdf").write_bytes(report_pdf())
    key, draft = _files(tmp_path, "report:2024:sent-twice", ("scan.pdf",))
    bundle, secret = _p12(tmp_path, pki, "rsa", b"gui-lai")
    signer = ["--operator", OPERATOR.address] if alone else ["--key", str(key)]
    command = ["submit", str(draft), "--url", ca_server, *signer, "--cert-key", str(bundle),
               "--cert-password-file", str(secret), "--tsa", services.urls.tsa]
    before = _tree_size(ca_server)
    stamped = sum(services.tsa.hits.values())
    printed, made = _sent_again(ledger_requests, command, capsys)
    record_id, index = printed[:2]
    assert printed == [record_id, index, "accepted", str(draft),
                       record_id, index, "duplicate", str(draft)]
    assert _tree_size(ca_server) == before + 1
    assert sum(services.tsa.hits.values()) == stamped + 1, "the second run signs no CMS"
    assert made == [], "the second run asks no evidence and submits nothing"


def test_a_draft_listing_a_pades_pdf_sent_again_is_its_duplicate(
        ca_server: str, ledger_requests: list[str], pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _signed_pdf(tmp_path, pki)
    key, draft = _files(tmp_path, "report:2024:signed-scan-twice", ("signed.pdf",))
    before = _tree_size(ca_server)
    printed, made = _sent_again(
        ledger_requests, ["submit", str(draft), "--key", str(key), "--url", ca_server], capsys)
    assert printed[2::4] == ["accepted", "duplicate"] and printed[0] == printed[4]
    assert _tree_size(ca_server) == before + 1
    assert made == []


def test_a_changed_body_or_attachment_is_filed_as_a_new_record(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(report_pdf())
    _, draft = _files(tmp_path, "report:2024:changed", ("scan.pdf",))
    bundle, secret = _p12(tmp_path, pki, "rsa", b"doi-noi-dung")
    command = ["submit", str(draft), "--url", ca_server, "--operator", OPERATOR.address,
               "--cert-key", str(bundle), "--cert-password-file", str(secret)]

    def filed() -> tuple[str, str]:
        assert main(command) == 0, capsys.readouterr().err
        record_id, _, status, _ = capsys.readouterr().out.split()
        return record_id, status

    original, status = filed()
    assert status == "accepted"
    value = json.loads(draft.read_text(encoding="utf-8"))
    value["body"] = {**REPORT_BODY, "title": "Báo cáo hạ tầng viễn thông năm 2024 (sửa)"}
    draft.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    retitled, status = filed()
    assert status == "accepted" and retitled != original
    scan.write_bytes(report_pdf() + b"%revised scan")
    rescanned, status = filed()
    assert status == "accepted" and rescanned not in (original, retitled)
    assert filed() == (rescanned, "duplicate")


def test_a_certificate_the_ledger_refuses_uploads_nothing_and_files_nothing(
        ca_server: str, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The certificate of another tax code: its upload is refused in one line, exit 1."""
    (tmp_path / "scan.pdf").write_bytes(report_pdf() + b"%another company")
    _, draft = _files(tmp_path, "report:2024:other-certificate-only", ("scan.pdf",))
    bundle, secret = _p12(tmp_path, pki, "ec", b"cong-ty-khac")
    before = _tree_size(ca_server)
    code = main(["submit", str(draft), "--url", ca_server, "--operator", OPERATOR.address,
                 "--cert-key", str(bundle), "--cert-password-file", str(secret)])
    printed = capsys.readouterr()
    said = [line for line in printed.err.splitlines() if line.startswith("infraledger")]
    assert code == 1 and printed.out == ""
    assert len(said) == 1 and said[0].startswith("infraledger submit: bad_operator_signature")
    assert str(draft) in said[0] and "cert_identity" in said[0]
    vietnamese, english = STATUS_MESSAGES["cert_identity"]
    assert f"{vietnamese} / {english}" in said[0]
    assert _tree_size(ca_server) == before


@pytest.mark.parametrize(("options", "named"), [
    ([], "--key"),
    (["--cert-key", "signer.p12"], "--operator"),
    (["--key", "operator.key", "--operator", SAMPLE.other.address], SAMPLE.other.address),
    (["--cert-key", "signer.p12", "--operator", "0x1234"], "0x1234"),
])
def test_options_that_choose_no_one_signer_are_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str],
        named: str) -> None:
    _, draft = _files(tmp_path, "report:2024:which-signer")
    given = [str(tmp_path / option) if option.endswith((".p12", ".key")) else option
             for option in options]
    code = main(["submit", str(draft), "--url", f"http://127.0.0.1:{free_port()}", *given])
    printed = capsys.readouterr()
    said = printed.err.splitlines()
    assert code == 2 and printed.out == ""
    assert len(said) == 1 and said[0].startswith("infraledger submit: ") and " / " in said[0]
    assert named in said[0]
