"""The PKI's public services on 127.0.0.1, each a stdlib HTTP server in a thread:

* the CA repository: `GET /certs/<ca>.cer` (DER, for AIA caIssuers) and `GET /crl/<ca>.crl`;
* the OCSP responder: `POST /` with `application/ocsp-request` (RFC 6960 Appendix A.1);
* the time-stamping authority: `POST /` with `application/timestamp-query` (RFC 3161 §3.4),
  answered by pyHanko's `DummyTimeStamper` building block with the PKI's TSA key.

Servers bind free ports first, so the certificates can name their URLs; the PKI is attached after.
Every request is counted by path, so tests can tell when nothing was fetched.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from tests.filings.signatures.pki import TestPki, Urls

Reply = tuple[int, str, bytes]
App = Callable[[str, str, bytes], Reply]
NOT_FOUND: Reply = (404, "text/plain", b"not found")


class Service:
    """One HTTP server on a free loopback port, serving `app` (set after start)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.app: App = lambda method, path, body: NOT_FOUND
        self.hits: Counter[str] = Counter()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                service.hits[self.path] += 1
                status, content_type, payload = service.app(method, self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                        name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


class PkiServices:
    """The repository, OCSP responder and TSA of a `TestPki`, started and stopped together."""

    def __init__(self) -> None:
        self.repository = Service("ca-repository")
        self.ocsp = Service("ocsp-responder")
        self.tsa = Service("tsa")
        self.urls = Urls(repository=self.repository.url, ocsp=self.ocsp.url,
                         tsa=self.tsa.url)
        self.pki: TestPki | None = None
        self.ocsp_down = False

    def start(self, pki: TestPki) -> None:
        self.pki = pki
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(
                pki.tsa.cert.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(pki.tsa.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())))

        def repository(method: str, path: str, body: bytes) -> Reply:
            kind, _, name = path.strip("/").partition("/")
            stem = name.rsplit(".", 1)[0]
            found = (pki.certificate(stem) if kind == "certs" and name.endswith(".cer") else
                     pki.crl(stem) if kind == "crl" and name.endswith(".crl") else None)
            if method != "GET" or found is None:
                return NOT_FOUND
            return 200, ("application/pkix-cert" if kind == "certs"
                         else "application/pkix-crl"), found

        def responder(method: str, path: str, body: bytes) -> Reply:
            if method != "POST" or self.ocsp_down:
                return 503, "text/plain", b"unavailable"
            return 200, "application/ocsp-response", pki.ocsp_response(body)

        def tsa(method: str, path: str, body: bytes) -> Reply:
            if method != "POST":
                return NOT_FOUND
            request = asn1_tsp.TimeStampReq.load(body)
            return 200, "application/timestamp-reply", stamper.request_tsa_response(
                request).dump()

        self.repository.app, self.ocsp.app, self.tsa.app = repository, responder, tsa
        for service in (self.repository, self.ocsp, self.tsa):
            service.start()

    def stop(self) -> None:
        for service in (self.repository, self.ocsp, self.tsa):
            service.stop()

    def hits(self) -> int:
        """Requests served so far, all services together."""
        return sum(sum(s.hits.values()) for s in (self.repository, self.ocsp, self.tsa))
