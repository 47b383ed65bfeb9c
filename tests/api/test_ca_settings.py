"""The CA-signature settings: the production start refuses CA signatures without pinned roots
(absent, empty or not CA certificates) or with loopback fetching, and `serve` says so in one
line with exit code 1; the environment variables name them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from api.cli import main
from api.settings import Settings, UnsafeSettings, load_settings
from tests.api.test_settings import _production
from tests.filings.signatures.pki import TestPki, Urls

URLS = Urls(repository="http://ca.example.vn", ocsp="http://ocsp.example.vn",
            tsa="http://tsa.example.vn")


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("INFRALEDGER_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def pki() -> TestPki:
    return TestPki(URLS)


def _ca(tmp_path: Path, pki: TestPki, bundle: str) -> dict[str, Any]:
    values = _production(tmp_path)
    roots = tmp_path / "roots.pem"
    if bundle == "roots":
        roots.write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    elif bundle == "not_ca":
        roots.write_bytes(pki.operators["rsa"].cert.public_bytes(serialization.Encoding.PEM))
    elif bundle == "empty":
        roots.write_bytes(b"")
    values.update(ca_signatures=True,
                  signing_roots_file=None if bundle == "unset" else roots)
    return values


def test_production_with_pinned_roots_passes(tmp_path: Path, pki: TestPki) -> None:
    Settings(**_ca(tmp_path, pki, "roots")).check_production()


@pytest.mark.parametrize(("bundle", "message"), [
    ("unset", "INFRALEDGER_SIGNING_ROOTS_FILE"),
    ("missing", "cannot read the trust root bundle"),
    ("empty", "not PEM certificates"),
    ("not_ca", "is not a CA certificate"),
])
def test_production_refuses_ca_signatures_without_usable_roots(
        tmp_path: Path, pki: TestPki, bundle: str, message: str) -> None:
    with pytest.raises(UnsafeSettings, match=message):
        Settings(**_ca(tmp_path, pki, bundle)).check_production()


def test_production_refuses_loopback_fetching(tmp_path: Path, pki: TestPki) -> None:
    values = _ca(tmp_path, pki, "roots") | {"signing_loopback_urls": True}
    with pytest.raises(UnsafeSettings, match="SIGNING_LOOPBACK_URLS"):
        Settings(**values).check_production()


def test_roots_are_not_checked_when_ca_signatures_are_off(tmp_path: Path,
                                                          pki: TestPki) -> None:
    values = _ca(tmp_path, pki, "unset") | {"ca_signatures": False}
    Settings(**values).check_production()


def test_the_environment_names_the_settings(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFRALEDGER_CA_SIGNATURES", "true")
    monkeypatch.setenv("INFRALEDGER_SIGNING_ROOTS_FILE", str(tmp_path / "roots.pem"))
    settings = load_settings(tmp_path)
    assert settings.ca_signatures and settings.signing_roots_file == tmp_path / "roots.pem"


def test_serve_refuses_ca_signatures_without_roots_in_one_line(
        tmp_path: Path, pki: TestPki, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    values = _ca(tmp_path, pki, "unset")
    for name in ("production", "ca_signatures"):
        monkeypatch.setenv(f"INFRALEDGER_{name.upper()}", "true")
    monkeypatch.setenv("INFRALEDGER_RPC_URLS", '["http://127.0.0.1:8545"]')
    monkeypatch.setenv("INFRALEDGER_DATABASE_URL", values["database_url"])
    monkeypatch.setenv("INFRALEDGER_DEPLOYMENT", '{"chain_id": 1337, "ledger_anchor": '
                       '"0x5FbDB2315678afecb367f032d93F642f64180aa3", "operator_registry": '
                       '"0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", "block_number": 1}')
    monkeypatch.setenv("INFRALEDGER_ANCHORER_KEY_FILE", str(values["anchorer_key_file"]))
    monkeypatch.setenv("INFRALEDGER_LOG_KEY_FILE", str(tmp_path / "keys" / "log.skey"))
    code = main(["serve", "--data-dir", str(tmp_path), "--port", "0"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and "INFRALEDGER_SIGNING_ROOTS_FILE" in err[0], err
