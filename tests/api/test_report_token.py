"""`infraledger report --file --cert-key pkcs11:…` and `--tsa`, end to end: a SoftHSM 2 token
(the PKCS#11 submit tests' token: the test PKI's MST_A RSA-2048 operator key and certificate,
and the public CA's certificate) signs the yearly report's PDF with PAdES on the live ledger
that takes CA signatures, the registrar bound to MST_A. The record shows the `pades` signature
valid by the token's certificate, and the PDF served is the one written; with `--tsa` (the
PKI's TSA on 127.0.0.1) the signature is a PAdES B-T whose time-stamp token is in the evidence
and whose genTime is the record's `signed_at`. A wrong PIN, a token label no token has, `--tsa`
without `--cert-key` and a TSA that does not answer are each one line and exit code 2, with
nothing filed.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import cms as asn1_cms

from api.cli import main
from filings.signing import EVIDENCE_TYPE, signer_address
from tests.api.test_yearly_report import bind_registrar, ca_filed  # noqa: F401 (the fixture)
from tests.client.softhsm import SoftHsm
from tests.client.test_pkcs11_submit import (  # noqa: F401 (the fixtures)
    PIN,
    TOKEN,
    pin_file,
    token,
)
from tests.filings.signatures.pki import MST_A, TestPki
from tests.filings.signatures.services import PkiServices
from tests.server_fixtures import auth, registrar_key
from tests.web.test_pages import Filed

URI = f"pkcs11:token={TOKEN.replace(' ', '%20')};object=org-rsa"
"""The MST_A RSA key and certificate on the token."""
ABSENT_TSA = "http://127.0.0.1:9/tsa"
"""A time-stamping authority that never answers."""
SERVER_LOG = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ")
"""How a line of the ledger's own log starts (it runs in this process, logging to stderr)."""


def _report(ledger: Filed, out: Path, *options: str) -> int:
    return main(["--data-dir", str(ledger.settings.data_dir), "report", "--year", "2024",
                 "--out", str(out), "--url", ledger.url, *options])


def _filed_record(url: str, printed: str) -> dict[str, Any]:
    record_id = printed.split("filed as record ")[1].split(":")[0]
    record: dict[str, Any] = httpx.get(f"{url}/v1/records/{record_id}", timeout=30).json()
    return record


def _pades(record: dict[str, Any]) -> dict[str, Any]:
    assert [(s["format"], s["status"]) for s in record["signatures"]] == [
        ("eip712", "valid"), ("pades", "valid")], record["signatures"]
    pades: dict[str, Any] = record["signatures"][1]
    return pades


def test_a_report_signed_on_the_token_carries_a_valid_pades_signature(
        ca_filed: Filed, pki: TestPki, token: SoftHsm, pin_file: Path,  # noqa: F811
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bind_registrar(ca_filed)
    capsys.readouterr()
    code = _report(ca_filed, tmp_path, "--file", "--cert-key", URI, "--pkcs11-module",
                   token.module, "--cert-pin-file", str(pin_file))
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "signed (PAdES) as filed" in printed.out and PIN not in printed.out + printed.err
    record = _filed_record(ca_filed.url, printed.out)
    assert record["entry"]["operator"] == signer_address(registrar_key(ca_filed.settings))
    pades = _pades(record)
    assert pades["signer"] == pki.operators["rsa"].cert.subject.rfc4514_string()
    assert pades["issuer"] == pki.ca.cert.subject.rfc4514_string()
    assert pades["tax_code"] == MST_A
    [pdf] = [a for a in record["attachments"] if a["type"] == "application/pdf"]
    written = (tmp_path / pdf["name"]).read_bytes()
    assert hashlib.sha256(written).hexdigest() == pdf["sha256"] == pades["attachment"]
    assert httpx.get(f"{ca_filed.url}/v1/attachments/{pdf['sha256']}",
                     timeout=30).content == written


def test_tsa_makes_the_token_signature_pades_b_t_signed_at_the_tsa_time(
        ca_filed: Filed, services: PkiServices, token: SoftHsm, pin_file: Path,  # noqa: F811
        inspector_token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bind_registrar(ca_filed)
    asked = sum(services.tsa.hits.values())
    capsys.readouterr()
    code = _report(ca_filed, tmp_path, "--file", "--cert-key", URI, "--pkcs11-module",
                   token.module, "--cert-pin-file", str(pin_file), "--tsa", services.urls.tsa)
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert sum(services.tsa.hits.values()) > asked
    record = _filed_record(ca_filed.url, printed.out)
    pades = _pades(record)
    [document] = [a for a in record["attachments"] if a["type"] == EVIDENCE_TYPE]
    evidence = httpx.get(f"{ca_filed.url}/v1/attachments/{document['sha256']}",
                         timeout=30).json()
    [stamp] = [i for i in evidence["evidence"]["items"] if i["kind"] == "timestamp"]
    stamp_token = httpx.get(f"{ca_filed.url}/v1/attachments/{stamp['sha256']}",
                            headers=auth(inspector_token), timeout=30)
    assert stamp_token.status_code == 200, stamp_token.text
    info = asn1_cms.ContentInfo.load(stamp_token.content)["content"]["encap_content_info"]
    gen_time: datetime = info["content"].parsed["gen_time"].native
    signed_at = datetime.fromisoformat(str(pades["signed_at"]))
    assert signed_at == gen_time
    assert signed_at < datetime.fromisoformat(evidence["evidence"]["validated_at"])


def test_each_bad_input_is_one_line_and_exit_code_2_with_nothing_filed(
        ca_filed: Filed, token: SoftHsm, tmp_path: Path,  # noqa: F811
        capsys: pytest.CaptureFixture[str]) -> None:
    url = ca_filed.url
    wrong_pin = tmp_path / "wrong.pin"
    wrong_pin.write_text("135790\n")
    right_pin = tmp_path / "right.pin"
    right_pin.write_text(PIN + "\n")

    def log_size() -> int:
        size: int = httpx.get(f"{url}/v1/log", timeout=30).json()["tree_size"]
        return size

    def refused(options: list[str], words: str, out: Path) -> None:
        before = log_size()
        capsys.readouterr()
        assert _report(ca_filed, out, "--file", *options) == 2, options
        printed = capsys.readouterr()
        said = [line for line in printed.err.splitlines() if not SERVER_LOG.match(line)]
        assert len(said) == 1 and said[0].startswith("infraledger report: "), said
        assert words in said[0] and " / " in said[0], said
        assert PIN not in printed.out + printed.err and "135790" not in printed.err
        assert log_size() == before

    on_token = ["--pkcs11-module", token.module]
    for case, (options, words) in enumerate((
            (["--cert-key", URI, *on_token, "--cert-pin-file", str(wrong_pin)],
             "refused the PIN"),
            (["--cert-key", "pkcs11:token=Viettel-CA;object=org-rsa", *on_token,
              "--cert-pin-file", str(right_pin)], "no token token=Viettel-CA"),
            (["--tsa", ABSENT_TSA], "--tsa time-stamps the --cert-key signature"))):
        out = tmp_path / f"refused-{case}"
        refused(options, words, out)
        assert not out.exists(), "nothing is made before the signer is ready"

    bind_registrar(ca_filed)
    refused(["--cert-key", URI, *on_token, "--cert-pin-file", str(right_pin),
             "--tsa", ABSENT_TSA], "no time-stamp from " + ABSENT_TSA, tmp_path / "no-tsa")
    reports = httpx.get(f"{url}/v1/records", params={
        "kind": "report", "operator": signer_address(registrar_key(ca_filed.settings))},
        timeout=30).json()["records"]
    assert reports == []
