"""`infraledger submit --cert-key`, end to end against a live server (uvicorn on loopback,
SQLite, the embedded chain) that accepts CA signatures, with the test PKI's OCSP responder,
CRL repository and TSA on 127.0.0.1: a PKCS#12 certificate (password in a file) and a PEM key
with its chain each sign a report whose record then shows a valid CMS signature; a wrong
password is a usage error in one line; a certificate of another tax code is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from api.app import create_app
from api.serving import ServerThread
from api.settings import Settings
from client.certificates import load_certificate_key
from client.cli import main
from client.errors import BadKeyFile
from filings.bindings import binding_subject
from filings.signing import SubmissionDomain
from tests.filings.factories import ISSUED_AT, REPORT_BODY, as_json, signed
from tests.filings.signatures.pki import MST_A, TestPki
from tests.filings.signatures.services import PkiServices
from tests.server_fixtures import SAMPLE, registrar_key

OPERATOR = SAMPLE.active


@pytest.fixture(scope="module")
def services() -> Iterator[PkiServices]:
    running = PkiServices()
    running.start(TestPki(running.urls))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def pki(services: PkiServices) -> TestPki:
    assert services.pki is not None
    return services.pki


@pytest.fixture
def ca_server(ledger_settings: Settings, pki: TestPki, tmp_path: Path) -> Iterator[str]:
    """The ledger served with CA signatures on, and SAMPLE.active bound to tax code MST_A."""
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    settings = ledger_settings.model_copy(update={
        "ca_signatures": True, "signing_roots_file": roots, "signing_loopback_urls": True})
    with ServerThread(create_app(settings)) as url:
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


def _files(tmp_path: Path, subject: str) -> tuple[Path, Path]:
    key = tmp_path / "operator.key"
    key.write_text("0x" + OPERATOR.key.hex() + "\n")
    key.chmod(0o600)
    draft = tmp_path / f"{subject.rsplit(':', 1)[-1]}.json"
    draft.write_text(json.dumps({"kind": "report", "schema": "report/2", "subject": subject,
                                 "body": REPORT_BODY, "issued_at": ISSUED_AT},
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
                 "--cert-key", str(pem)])
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
