"""The demo's sample PKI, in the shape of Việt Nam's, and the loopback service that publishes it.

SAMPLE, NOT NEAC. Every subject says so: a root standing in for the national root
("InfraLedger SAMPLE root — not NEAC"), a public CA under it standing in for a licensed one
(VNPT-CA, Viettel-CA, ...), a time-stamping authority under the root, and one organisation
certificate for each sample operator that has a tax code (`api.demo.sample.SampleOperator`).

Made fresh at each run, in memory: no private key of it is ever written to disk, and it is gone
when the demo stops. Its root is pinned by `pin_root`, which adds it to the demo's roots file
(`<data dir>/signing-roots.pem`, its comment saying the roots are samples); the roots of earlier
runs stay pinned there, since the records signed then rest on them.

The certificates, as Vietnamese public CAs issue them (`filings.signatures.policy`):

    root          P-256, keyCertSign + cRLSign, valid 10 years
    public CA     P-256, under the root; AIA caIssuers and a CRL at the root's repository
    TSA           RSA-2048 (the sample TSA signs with RSA only), under the root; extended key
                  usage timeStamping (critical)
    organisation  C=VN, ST=Thành phố Huế, O and CN the operator's name, UID=MST:<tax code>;
                  keyUsage digitalSignature, nonRepudiation, keyEncipherment; extended key usage
                  clientAuth, emailProtection; RSA-2048 and P-256 in turn (both key types
                  Circular 15/2025/TT-BKHCN allows); valid a year from an hour ago

Revocation is published as CRLs (RFC 5280 §5), signed afresh at each request, that revoke
nothing; the ledger fetches them when it gathers a signature's evidence (the setting
`signing_loopback_urls`, on for the demo's own run only). `SamplePkiService` serves, on a free
port of 127.0.0.1:

    GET  /certs/<root|ca>.cer    the CA certificates (DER), for AIA caIssuers
    GET  /crl/<root|ca>.crl      the CRLs (DER)
    POST /tsa                    RFC 3161 time-stamps (§3.4), by pyHanko's DummyTimeStamper
                                 with the TSA's key: the sample TSA
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Final

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from filings.periods import VIETNAM_TIME
from filings.signatures import fingerprint

ROOT_NAME: Final = "InfraLedger SAMPLE root — not NEAC"
CA_NAME: Final = "InfraLedger SAMPLE public CA — not a licensed CA"
TSA_NAME: Final = "InfraLedger SAMPLE time-stamping authority — not NEAC"
SAMPLE_ORGANISATION: Final = "InfraLedger demo (SAMPLE PKI)"
ROOTS_FILE: Final = "signing-roots.pem"
ROOTS_COMMENT: Final = (
    "# SAMPLE trust roots of `infraledger demo`: NOT the NEAC national root.\n"
    "# Each is the root of the sample PKI of one demo run, made in memory and gone with it;\n"
    "# the records signed under it rest on it, so it stays pinned. Never pin these in a real\n"
    "# deployment: pin the NEAC root bundle (docs/submitting.md).\n"
)
YEAR: Final = timedelta(days=365)

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Organisation:
    """What an organisation certificate is made for: an operator's slug, name and tax code."""

    slug: str
    name: str
    tax_code: str


@dataclass(frozen=True)
class Holder:
    """A certificate and its private key."""

    key: SigningKey
    certificate: x509.Certificate


@dataclass
class Authority:
    """A CA of the sample PKI: its key and certificate, and the numbers of its CRLs."""

    holder: Holder
    crl_numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def crl(self, now: datetime) -> bytes:
        """A fresh DER CRL revoking nothing: thisUpdate a minute ago, nextUpdate in a day."""
        return (x509.CertificateRevocationListBuilder()
                .issuer_name(self.holder.certificate.subject)
                .last_update(now - timedelta(minutes=1))
                .next_update(now + timedelta(days=1))
                .add_extension(x509.CRLNumber(next(self.crl_numbers)), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.holder.key.public_key()), critical=False)
                .sign(self.holder.key, hashes.SHA256())
                .public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class SamplePki:
    """The sample PKI of one run (module doc), made at `made_at`, its services at `url`."""

    url: str
    made_at: datetime
    root: Authority
    ca: Authority
    tsa: Holder
    organisations: dict[str, Holder]
    """Organisation certificates by operator slug."""

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/tsa"

    def root_pem(self) -> bytes:
        return self.root.holder.certificate.public_bytes(serialization.Encoding.PEM)


def _name(common: str, organisation: str, tax_code: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Thành phố Huế"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
             x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if tax_code is not None:
        parts.append(x509.NameAttribute(NameOID.USER_ID, f"MST:{tax_code}"))
    return x509.Name(parts)


def _usage(*, signing: bool = False, encipherment: bool = False) -> x509.KeyUsage:
    """keyUsage: keyCertSign + cRLSign for a CA; with `signing`, digitalSignature +
    nonRepudiation (and keyEncipherment with `encipherment`) instead."""
    return x509.KeyUsage(digital_signature=signing, content_commitment=signing,
                         key_encipherment=encipherment, data_encipherment=False,
                         key_agreement=False, key_cert_sign=not signing, crl_sign=not signing,
                         encipher_only=False, decipher_only=False)


def _issue(subject: x509.Name, key: SigningKey, issuer: Holder | None, *, now: datetime,
           lifetime: timedelta, usage: x509.KeyUsage, ca: bool = False,
           eku: x509.ExtendedKeyUsage | None = None, repository: str | None = None,
           issuer_slug: str | None = None) -> x509.Certificate:
    """A certificate of `subject` for `key`, by `issuer` (self-signed when None), whose AIA and
    CRL distribution point name `<repository>/certs|crl/<issuer_slug>`."""
    signer = key if issuer is None else issuer.key
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(subject if issuer is None else issuer.certificate.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + lifetime)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(usage, critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   signer.public_key()), critical=False))
    if eku is not None:
        builder = builder.add_extension(eku, critical=ExtendedKeyUsageOID.TIME_STAMPING in eku)
    if repository is not None and issuer_slug is not None:
        builder = builder.add_extension(x509.AuthorityInformationAccess([x509.AccessDescription(
            AuthorityInformationAccessOID.CA_ISSUERS,
            x509.UniformResourceIdentifier(f"{repository}/certs/{issuer_slug}.cer"))]),
            critical=False)
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(f"{repository}/crl/{issuer_slug}.crl")],
            None, None, None)]), critical=False)
    return builder.sign(signer, hashes.SHA256())


def make_sample_pki(url: str, organisations: Sequence[Organisation], now: datetime) -> SamplePki:
    """A fresh sample PKI whose certificates point at services served at `url` (module doc)."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = Holder(root_key, _issue(_name(ROOT_NAME, SAMPLE_ORGANISATION), root_key, None,
                                   now=now, lifetime=10 * YEAR, usage=_usage(), ca=True))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = Holder(ca_key, _issue(_name(CA_NAME, SAMPLE_ORGANISATION), ca_key, root, now=now,
                               lifetime=5 * YEAR, usage=_usage(), ca=True,
                               repository=url, issuer_slug="root"))
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tsa = Holder(tsa_key, _issue(
        _name(TSA_NAME, SAMPLE_ORGANISATION), tsa_key, root, now=now, lifetime=5 * YEAR,
        usage=_usage(signing=True), eku=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
        repository=url, issuer_slug="root"))
    issued = {}
    for position, organisation in enumerate(organisations):
        key: SigningKey = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
                           if position % 2 == 0 else ec.generate_private_key(ec.SECP256R1()))
        issued[organisation.slug] = Holder(key, _issue(
            _name(organisation.name, organisation.name, organisation.tax_code), key, ca,
            now=now, lifetime=YEAR, usage=_usage(signing=True, encipherment=True),
            eku=x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH,
                                       ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            repository=url, issuer_slug="ca"))
    return SamplePki(url, now, Authority(root), Authority(ca), tsa, issued)


def pin_root(roots_file: Path, pki: SamplePki) -> None:
    """Add the run's root to the demo's roots file (made with its SAMPLE comment), keeping the
    roots already pinned there. The file stays ASCII, as PEM tools expect."""
    pinned = roots_file.read_bytes() if roots_file.exists() else ROOTS_COMMENT.encode()
    certificate = pki.root.holder.certificate
    made = pki.made_at.astimezone(VIETNAM_TIME)
    roots_file.write_bytes(pinned + (
        f"\n# SAMPLE root (not NEAC) of the demo run of {made:%d/%m/%Y %H:%M} (UTC+7), "
        f"SHA-256 {fingerprint(certificate)}\n").encode() + pki.root_pem())


def _asn1_tsa(tsa: Holder) -> DummyTimeStamper:
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(
            tsa.certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())))


class SamplePkiService:
    """The sample PKI's repository, CRLs and TSA over HTTP on 127.0.0.1 (module doc).

    The server binds its port first, so that the PKI can name its URL; `publish` attaches the
    PKI and starts serving.
    """

    def __init__(self) -> None:
        self._pki: SamplePki | None = None
        self._stamper: DummyTimeStamper | None = None
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._reply(service.get(self.path))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._reply(service.post(self.path, self.rfile.read(length)))

            def _reply(self, answer: tuple[int, str, bytes]) -> None:
                status, content_type, payload = answer
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,),
                                        name="sample-pki", daemon=True)

    def publish(self, pki: SamplePki) -> None:
        self._pki, self._stamper = pki, _asn1_tsa(pki.tsa)
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def get(self, path: str) -> tuple[int, str, bytes]:
        """A CA certificate or a fresh CRL, by path."""
        kind, _, name = path.strip("/").partition("/")
        authority = None if self._pki is None else {
            "root": self._pki.root, "ca": self._pki.ca}.get(name.rsplit(".", 1)[0])
        if authority is None:
            return 404, "text/plain", b"not found"
        if kind == "certs" and name.endswith(".cer"):
            return 200, "application/pkix-cert", authority.holder.certificate.public_bytes(
                serialization.Encoding.DER)
        if kind == "crl" and name.endswith(".crl"):
            return 200, "application/pkix-crl", authority.crl(datetime.now(UTC))
        return 404, "text/plain", b"not found"

    def post(self, path: str, body: bytes) -> tuple[int, str, bytes]:
        """An RFC 3161 time-stamp reply to a time-stamp query at `/tsa`."""
        if path != "/tsa" or self._stamper is None:
            return 404, "text/plain", b"not found"
        try:
            request = asn1_tsp.TimeStampReq.load(body, strict=True)
            reply = self._stamper.request_tsa_response(request)
        except ValueError:
            return 400, "text/plain", b"not a time-stamp query"
        return 200, "application/timestamp-reply", reply.dump()


@contextmanager
def serve_sample_pki(organisations: Sequence[Organisation]) -> Iterator[SamplePki]:
    """A fresh sample PKI for `organisations`, served on loopback until the block ends."""
    service = SamplePkiService()
    try:
        pki = make_sample_pki(service.url, organisations, datetime.now(UTC))
        service.publish(pki)
        yield pki
    finally:
        service.close()
