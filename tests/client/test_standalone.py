"""The operator's client stands alone: `pip install "infraledger[client]"` into a fresh virtual
environment (no system site-packages) brings the base install, httpx, the RFC 8785 reference and
python-pkcs11, nothing of the server, and there `infraledger keys new` and `infraledger submit`
file a record to a live server, reading a key file that carries a comment line as the demo
writes them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.filings.factories import INDICATOR_BODY, INDICATOR_SUBJECT
from tests.server_fixtures import auth

ROOT = Path(__file__).resolve().parents[2]
CLIENT_INSTALL = {
    "infraledger", "cryptography", "cffi", "pycparser", "coincurve", "asn1crypto", "eth-hash",
    "pycryptodome", "pip", "setuptools", "httpx", "httpcore", "h11", "anyio", "idna",
    "certifi", "sniffio", "typing-extensions", "typing_extensions", "rfc8785", "python-pkcs11",
}
"""The distributions a client install may hold."""
SERVER_MODULES = ("fastapi", "pydantic", "sqlalchemy", "web3", "eth_account", "uvicorn", "rich",
                  "orjson", "msgspec")


@pytest.fixture(scope="module")
def client_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding `infraledger[client]` installed from a copy of the source tree;
    returns its `bin` directory."""
    root = tmp_path_factory.mktemp("client-install")
    source = root / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "node_modules", "build", "dist", "*.egg-info", "__pycache__", "tests",
        ".hypothesis", ".benchmarks", ".bench-cache", ".infraledger", "test-artifacts",
    ))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    bin_dir = venv / "bin"
    install = subprocess.run([bin_dir / "pip", "install", "--quiet", f"{source}[client]"],
                             capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stderr
    return bin_dir


def test_client_install_holds_nothing_of_the_server(client_install: Path) -> None:
    for module in SERVER_MODULES:
        probe = subprocess.run([client_install / "python", "-c", f"import {module}"],
                               capture_output=True, check=False)
        assert probe.returncode != 0, f"{module} is importable in the client install"
    listed = subprocess.run([client_install / "pip", "list", "--format=json"],
                            capture_output=True, text=True, check=True).stdout
    installed = {item["name"].lower() for item in json.loads(listed)}
    assert installed <= CLIENT_INSTALL, installed - CLIENT_INSTALL
    imported = subprocess.run([client_install / "python", "-c", "import client; print('ok')"],
                              capture_output=True, text=True, check=False)
    assert imported.stdout == "ok\n", imported.stderr


def test_client_install_files_a_record_with_a_commented_key_file(
    client_install: Path, live_server: str, registrar_token: str, tmp_path: Path,
) -> None:
    made = subprocess.run(
        [client_install / "infraledger", "keys", "new", "--out", str(tmp_path / "new.key")],
        capture_output=True, text=True, check=False,
    )
    assert made.returncode == 0, made.stderr
    address = made.stdout.strip()
    key_text = (tmp_path / "new.key").read_text()
    key_file = tmp_path / "operator.key"
    key_file.write_text(f"# SAMPLE operator key of a test operator\n{key_text}")
    registered = httpx.post(f"{live_server}/v1/operators", headers=auth(registrar_token),
                            json={"address": address, "name": "VNPT Huế", "licence": "GP-7"})
    assert registered.status_code == 201, registered.text
    draft = tmp_path / "figure.json"
    draft.write_text(json.dumps({"kind": "indicator", "schema": "indicator/2",
                                 "subject": INDICATOR_SUBJECT, "body": INDICATOR_BODY}))
    submitted = subprocess.run(
        [client_install / "infraledger", "submit", str(draft), "--key", str(key_file),
         "--url", live_server],
        capture_output=True, text=True, check=False,
    )
    assert submitted.returncode == 0, submitted.stderr
    record_id, index, status, label = submitted.stdout.split()
    assert (index, status, label) == ("1", "accepted", str(draft))
    record = httpx.get(f"{live_server}/v1/records/{record_id}").json()
    assert record["entry"]["operator"] == address
    unknown = subprocess.run([client_install / "infraledger", "serve"],
                             capture_output=True, text=True, check=False)
    assert unknown.returncode != 0
    assert "server" in unknown.stderr and "Traceback" not in unknown.stderr
