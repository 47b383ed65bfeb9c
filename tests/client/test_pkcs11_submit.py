"""`infraledger submit --cert-key pkcs11:…`, end to end: a SoftHSM 2 token in a temporary
directory holds the test PKI's RSA-2048 and P-256 operator keys, their certificates and the
public CA's; the token signs each report, and the live server (the file-key tests' fixtures:
uvicorn on loopback, the embedded chain, the PKI's OCSP/CRL services) accepts the record with
its CMS signature valid; without `--key` (`--operator` instead) the token alone signs the
uploads, the evidence request and the record, whose entry carries no EIP-712 signature. Then
each bad input is one line and exit code 2, with its own error: no such token, a wrong PIN, no
such object, no module, a key that is not the certificate's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from client.cli import main
from client.token import (
    MODULE_ENV,
    TokenError,
    TokenKeyMismatch,
    TokenModuleNotFound,
    TokenNotFound,
    TokenObjectNotFound,
    TokenPinRefused,
    open_token_signer,
)
from tests.client import test_cert_submit as file_key
from tests.client.softhsm import SoftHsm
from tests.client.test_cert_submit import (
    OPERATOR,
    _accepted_ca_only,
    _files,
    _record_signatures,
)
from tests.filings.signatures.documents import report_pdf
from tests.filings.signatures.pki import MST_A, TestPki

TOKEN = "VNPT-CA token"
PIN = "246810"
ABSENT_URL = "http://127.0.0.1:9"
"""Never contacted: each bad input is caught before the ledger is."""

ca_server = file_key.ca_server
"""The file-key tests' live ledger bound to MST_A (the PKI and its services: the module
fixtures of `tests.filings.signatures.live`)."""
ledger_requests = file_key.ledger_requests
"""The requests `ca_server` answers."""


@pytest.fixture(scope="module")
def token(pki: TestPki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    """One token `TOKEN`: `org-rsa` (the MST_A RSA-2048 key and certificate, id 01), `org-ec`
    (the MST_A P-256 one, id 02), `ca` (the public CA's certificate), `bare` (the RSA key with
    no certificate), and `mismatch` (the `ec` operator's key under `crl_only`'s certificate)."""
    hsm = SoftHsm(tmp_path_factory.mktemp("softhsm"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOFTHSM2_CONF", str(hsm.config))
        env.delenv(MODULE_ENV, raising=False)
        hsm.init_token(TOKEN, PIN)
        rsa_signer, ec_signer = pki.operators["rsa"], pki.operators["crl_only"]
        for label, object_id, issued in (("org-rsa", b"\x01", rsa_signer),
                                         ("org-ec", b"\x02", ec_signer)):
            hsm.import_key(TOKEN, PIN, label, object_id, issued.key)
            hsm.add_certificate(TOKEN, PIN, label, object_id, issued.cert)
        hsm.add_certificate(TOKEN, PIN, "ca", b"\xca", pki.ca.cert)
        hsm.import_key(TOKEN, PIN, "bare", b"\x03", rsa_signer.key)
        hsm.import_key(TOKEN, PIN, "mismatch", b"\x04", pki.operators["ec"].key)
        hsm.add_certificate(TOKEN, PIN, "mismatch", b"\x04", ec_signer.cert)
        yield hsm


@pytest.fixture
def pin_file(tmp_path: Path) -> Path:
    secret = tmp_path / "token.pin"
    secret.write_text(PIN + "\n")
    secret.chmod(0o600)
    return secret


def _submit(draft: Path, key: Path, url: str, uri: str, *options: str) -> int:
    return main(["submit", str(draft), "--key", str(key), "--url", url, "--cert-key", uri,
                 *options])


@pytest.mark.parametrize(("label", "who"), [("org-rsa", "rsa"), ("org-ec", "crl_only")])
def test_a_token_signs_a_record_the_ledger_accepts(
        ca_server: str, pki: TestPki, token: SoftHsm, pin_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], label: str, who: str) -> None:
    key, draft = _files(tmp_path, f"report:2024:token-{label}")
    code = _submit(draft, key, ca_server, f"pkcs11:token={TOKEN.replace(' ', '%20')};"
                   f"object={label}", "--pkcs11-module", token.module,
                   "--cert-pin-file", str(pin_file))
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert printed.out.split()[2] == "accepted"
    eip712, cms = _record_signatures(ca_server, printed.out)
    assert eip712["signer"] == OPERATOR.address
    assert cms["format"] == "cms" and cms["status"] == "valid" and cms["tax_code"] == MST_A
    assert cms["signer"] == pki.operators[who].cert.subject.rfc4514_string()
    assert cms["issuer"] == pki.ca.cert.subject.rfc4514_string()
    assert PIN not in printed.out + printed.err


def test_a_token_alone_signs_the_uploads_and_the_record(
        ca_server: str, pki: TestPki, token: SoftHsm, pin_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "scan.pdf").write_bytes(report_pdf())
    _, draft = _files(tmp_path, "report:2024:token-only", ("scan.pdf",))
    code = main(["submit", str(draft), "--url", ca_server, "--operator", OPERATOR.address,
                 "--cert-key", f"pkcs11:token={TOKEN.replace(' ', '%20')};object=org-ec",
                 "--pkcs11-module", token.module, "--cert-pin-file", str(pin_file)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    _accepted_ca_only(ca_server, printed.out, pki.operators["crl_only"].cert)
    assert PIN not in printed.out + printed.err


def test_the_chain_from_the_token_and_the_module_from_the_environment(
        pki: TestPki, token: SoftHsm, pin_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The key found by `id`, the module by $INFRALEDGER_PKCS11_MODULE, the public CA's
    certificate read from the token as the chain."""
    monkeypatch.setenv(MODULE_ENV, token.module)
    with open_token_signer("pkcs11:id=%01", module=None, pin_file=pin_file) as signer:
        assert signer.certificate == pki.operators["rsa"].cert
        assert signer.chain == (pki.ca.cert,)


def test_a_key_without_a_certificate_takes_the_chain_file(
        ca_server: str, pki: TestPki, token: SoftHsm, pin_file: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:token-bare")
    chain = tmp_path / "chain.pem"
    chain.write_bytes(b"".join(cert.public_bytes(serialization.Encoding.PEM)
                               for cert in (pki.operators["rsa"].cert, pki.ca.cert)))
    code = _submit(draft, key, ca_server, f"pkcs11:object=bare?module-path={token.module}",
                   "--cert-pin-file", str(pin_file), "--cert-chain", str(chain))
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert _record_signatures(ca_server, printed.out)[1]["status"] == "valid"


def _bad_cases(token: SoftHsm, tmp_path: Path) -> dict[str, tuple[str, str, str, str]]:
    """Case → (URI, module, PIN, what the line must name)."""
    module = token.module
    return {
        "no such token": ("pkcs11:token=Viettel-CA;object=org-rsa", module, PIN,
                          "token=Viettel-CA"),
        "wrong PIN": (f"pkcs11:token={TOKEN};object=org-rsa", module, "135790", "PIN"),
        "no such object": (f"pkcs11:token={TOKEN};object=org-fpt", module, PIN, "'org-fpt'"),
        "module not found": (f"pkcs11:token={TOKEN};object=org-rsa",
                             str(tmp_path / "libvendor-pkcs11.so"), PIN, "libvendor-pkcs11.so"),
        "key/certificate mismatch": (f"pkcs11:token={TOKEN};object=mismatch", module, PIN,
                                     "CRL_ONLY"),
    }


ERRORS: dict[str, type[TokenError]] = {
    "no such token": TokenNotFound,
    "wrong PIN": TokenPinRefused,
    "no such object": TokenObjectNotFound,
    "module not found": TokenModuleNotFound,
    "key/certificate mismatch": TokenKeyMismatch,
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_each_bad_input_is_one_line_and_exit_code_2(
        token: SoftHsm, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    uri, module, pin, named = _bad_cases(token, tmp_path)[case]
    key, draft = _files(tmp_path, "report:2024:bad-token")
    pin_file = tmp_path / "given.pin"
    pin_file.write_text(pin + "\n")
    code = _submit(draft, key, ABSENT_URL, uri, "--pkcs11-module", module,
                   "--cert-pin-file", str(pin_file))
    printed = capsys.readouterr()
    said = printed.err.splitlines()
    assert code == 2 and printed.out == ""
    assert len(said) == 1 and said[0].startswith("infraledger submit: "), said
    assert named in said[0] and " / " in said[0]
    assert pin not in said[0]
    with pytest.raises(ERRORS[case]), open_token_signer(uri, module=module, pin_file=pin_file):
        pass


def test_no_module_at_all_is_refused(token: SoftHsm, pin_file: Path) -> None:
    assert os.environ.get(MODULE_ENV) is None
    with pytest.raises(TokenModuleNotFound, match=MODULE_ENV), \
            open_token_signer(f"pkcs11:token={TOKEN};object=org-rsa", module=None,
                              pin_file=pin_file):
        pass


@pytest.mark.parametrize(("uri", "error"), [
    ("pkcs11:token=x", TokenObjectNotFound),
    ("pkcs11:object=org-rsa;slot-id=1", TokenObjectNotFound),
    ("pkcs11:object=org-rsa?pin-value=246810", TokenPinRefused),
    ("pkcs11:object=org-rsa?246810", TokenObjectNotFound),
])
def test_a_uri_the_client_cannot_follow_is_refused(
        token: SoftHsm, pin_file: Path, uri: str, error: type[TokenError]) -> None:
    """Refused before the token is opened, and a PIN put in the URI is never repeated."""
    with pytest.raises(error) as refused, \
            open_token_signer(uri, module=token.module, pin_file=pin_file):
        pass
    assert PIN not in str(refused.value)


def test_token_options_with_a_key_file_are_a_usage_error(
        token: SoftHsm, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key, draft = _files(tmp_path, "report:2024:mixed-options")
    code = _submit(draft, key, ABSENT_URL, str(tmp_path / "signer.p12"),
                   "--pkcs11-module", token.module)
    said = capsys.readouterr().err.splitlines()
    assert code == 2 and len(said) == 1 and "--pkcs11-module" in said[0]

