"""The evidence of a public record's CA signature is public, and `infraledger-verify record`
checks the signature from what the ledger serves: a real server on 127.0.0.1 with the test PKI's
live OCSP responder, CRL repository and TSA, on SQLite and PostgreSQL, a bound operator, one
public and one restricted CMS-signed report. The public record verifies with `--ledger` alone
and its evidence is served to anyone; the restricted record's own evidence stays 404 for the
public (so its signature could not be checked without `--evidence`); no one may upload an
evidence document; a server that changes an evidence file fails the check."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from api.app import create_app
from api.serving import ServerThread
from api.settings import Settings
from filings.bindings import record_cms_bytes
from filings.signatures import sign_detached
from filings.signing import EVIDENCE_TYPE, sign_attachment
from filings.submission import prepare
from tests.api.test_ca_signatures import bind, domain_of, evidence, report, tsa_transport
from tests.filings.factories import as_json
from tests.filings.signatures.pki import TestPki
from tests.filings.signatures.services import PkiServices
from tests.server_fixtures import SAMPLE, auth
from verifier.cli import main as verify

SALT = bytes(range(32))
EXIT_VERIFIED, EXIT_FINDING, EXIT_COULD_NOT_CHECK = 0, 1, 2


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


@dataclass
class Filed:
    """A served ledger with a public and a restricted CMS-signed report, and a pinned trust."""

    url: str
    trust: Path
    public: str
    restricted: str
    inspector: str

    def names(self, record_id: str) -> list[str]:
        """The evidence of a record, read as an inspector: each document it lists, then the
        CMS and the items each one names."""
        record = httpx.get(f"{self.url}/v1/records/{record_id}", headers=auth(self.inspector))
        found = []
        for listed in record.json()["attachments"]:
            if listed["type"] != EVIDENCE_TYPE:
                continue
            document = httpx.get(f"{self.url}/v1/attachments/{listed['sha256']}",
                                 headers=auth(self.inspector)).json()
            found += [listed["sha256"], document["signature"]["sha256"],
                      *(item["sha256"] for item in document["evidence"]["items"])]
        return found


async def _signed_report(client: httpx.AsyncClient, domain: Any, pki: TestPki,
                         services: PkiServices, salt: bytes | None) -> dict[str, Any]:
    """A report (restricted with `salt`) carrying a CAdES-T signature, its evidence listed."""
    issued = pki.operators["rsa"]
    item = prepare(as_json(report(domain, [], salt=salt)), domain)
    der = await asyncio.to_thread(
        sign_detached, record_cms_bytes(domain, item.entry, item.attachments), issued.key,
        issued.cert, [pki.ca.cert], services.urls.tsa, transport=tsa_transport())
    listed = await evidence(client, {"cms": base64.b64encode(der).decode()},
                            hashlib.sha256(der).hexdigest())
    return report(domain, [listed], salt=salt)


@pytest.fixture
async def filed(ledger_settings: Settings, services: PkiServices, inspector_token: str,
                tmp_path: Path) -> AsyncIterator[Filed]:
    pki = services.pki
    assert pki is not None
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    settings = ledger_settings.model_copy(update={
        "ca_signatures": True, "signing_roots_file": roots, "signing_loopback_urls": True})
    app = create_app(settings)
    with ServerThread(app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            await bind(client, app)
            ids = []
            for salt in (None, SALT):
                submission = await _signed_report(client, domain_of(app), pki, services, salt)
                answer = await client.post("/v1/submissions", content=as_json(submission))
                assert answer.status_code == 202, answer.text
                ids.append(answer.json()["results"][0]["record_id"])
            for record_id in ids:
                await _checkpointed(client, record_id)
        trust = tmp_path / "trust.json"
        assert verify(["trust", "init", "--ledger", url, "--trust", str(trust),
                       "--signing-roots", str(roots)]) == EXIT_VERIFIED
        yield Filed(url, trust, ids[0], ids[1], inspector_token)


async def _checkpointed(client: httpx.AsyncClient, record_id: str) -> None:
    deadline = time.monotonic() + 30
    while (await client.get(f"/v1/records/{record_id}/proof")).status_code != 200:
        assert time.monotonic() < deadline, f"no checkpoint covers {record_id}"
        await asyncio.sleep(0.1)


def _verified(url: str, filed: Filed, record_id: str, capsys: pytest.CaptureFixture[str],
              *extra: str) -> tuple[int, dict[str, Any]]:
    """Run `infraledger-verify record` with `--ledger url` and nothing else to check CA
    signatures from; its exit code and JSON report."""
    capsys.readouterr()
    code = verify(["record", record_id, "--ledger", url, "--trust", str(filed.trust),
                   "--offline", "--json", *extra])
    shown: dict[str, Any] = json.loads(capsys.readouterr().out)
    return code, shown


def _status(report: dict[str, Any]) -> str:
    [check] = [item for item in report["checks"] if item["name"] == "ca_signatures"]
    status: str = check["status"]
    return status


def test_a_public_ca_signed_record_verifies_with_the_ledger_alone(
        filed: Filed, capsys: pytest.CaptureFixture[str]) -> None:
    code, shown = _verified(filed.url, filed, filed.public, capsys)
    assert code == EXIT_VERIFIED, shown["message"]
    assert _status(shown) == "passed"
    [signature] = shown["signatures"]
    assert (signature["format"], signature["status"]) == ("cms", "valid")


def test_a_public_records_evidence_is_served_to_anyone(filed: Filed) -> None:
    names = filed.names(filed.public)
    kinds = {"ocsp", "crl", "certificate", "timestamp"}
    assert len(names) >= 2 + len(kinds) - 1  # the document, the CMS and the items
    for name in names:
        answer = httpx.get(f"{filed.url}/v1/attachments/{name}")
        assert answer.status_code == 200, name
        assert hashlib.sha256(answer.content).hexdigest() == name
        assert answer.headers["cache-control"].startswith("public")


def test_a_restricted_records_evidence_stays_for_inspectors(
        filed: Filed, capsys: pytest.CaptureFixture[str]) -> None:
    own = set(filed.names(filed.restricted)) - set(filed.names(filed.public))
    assert len(own) >= 3  # its document, its CMS, its time-stamp (a CA's CRL may be shared)
    for name in own:
        assert httpx.get(f"{filed.url}/v1/attachments/{name}").status_code == 404, name
        assert httpx.get(f"{filed.url}/v1/attachments/{name}",
                         headers=auth(filed.inspector)).status_code == 200, name
    code, shown = _verified(filed.url, filed, filed.restricted, capsys)
    assert code == EXIT_COULD_NOT_CHECK and shown["result"] == "could-not-check", shown
    assert _status(shown) == "not-checked"
    [signature] = shown["signatures"]
    assert signature["status"] == "evidence_missing"
    assert signature["evidence"] in signature["detail"]  # names the file it could not fetch


async def test_no_one_uploads_an_evidence_document(client: httpx.AsyncClient) -> None:
    """Only the ledger stores evidence documents, so none it publishes evidence through is an
    operator's own making."""
    document = b'{"format":"infraledger-evidence/1"}'
    digest = hashlib.sha256(document).hexdigest()
    answer = await client.put(f"/v1/attachments/{digest}", content=document, headers={
        "Content-Type": EVIDENCE_TYPE,
        "X-Operator-Signature": sign_attachment(SAMPLE.active.key, digest)})
    assert answer.status_code == 415, answer.text


def test_a_server_serving_a_changed_evidence_file_fails_the_check(
        filed: Filed, capsys: pytest.CaptureFixture[str]) -> None:
    document, cms, *items = filed.names(filed.public)
    for changed in (document, cms, items[0]):
        with _changing(filed.url, f"/v1/attachments/{changed}") as url:
            code, shown = _verified(url, filed, filed.public, capsys)
        assert code == EXIT_FINDING and shown["result"] == "not-verified", shown
        assert _status(shown) == "failed"
        [signature] = shown["signatures"]
        assert signature["status"] == "evidence_invalid" and changed in signature["detail"]


class _ChangingProxy(ThreadingHTTPServer):
    upstream: str
    changed: str


class _Handler(BaseHTTPRequestHandler):
    server: _ChangingProxy

    def do_GET(self) -> None:
        try:
            with urllib.request.urlopen(self.server.upstream + self.path, timeout=10) as answer:
                status, body = answer.status, answer.read()
                media = answer.headers.get("Content-Type", "application/octet-stream")
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
            media = error.headers.get("Content-Type", "application/json")
        if self.path == self.server.changed:
            body = body[:-1] + bytes([body[-1] ^ 1])
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextlib.contextmanager
def _changing(upstream: str, path: str) -> Iterator[str]:
    """A proxy in front of the ledger at `upstream` that changes one byte of the answer to
    `path` and passes everything else through; yields its URL."""
    server = _ChangingProxy(("127.0.0.1", 0), _Handler)
    server.upstream, server.changed = upstream, path
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
