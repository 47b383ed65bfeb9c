"""The one module of the package that asks the network: evidence gathering and time-stamping.

The HTTP itself is passed in: a `Transport` (GET and POST returning the body of a 200 answer, or
None) that the server's shell provides, so the domain imports no HTTP client.

At acceptance `EvidenceCollector` fetches what `chains` says a signature rests on: missing
intermediates from AIA caIssuers (DER, PEM or a PKCS#7 bundle, as the NEAC root's `.p7b`), an OCSP
response for each certificate with a responder (RFC 6960 §4.1, SHA-1 CertID as RFC 5019 §2.1.1),
else its CRL (RFC 5280 §5), and the CRL of a delegated OCSP responder without id-pkix-ocsp-nocheck.
It judges nothing: what cannot be fetched is left out and the pure check refuses the signature
(`revocation_unavailable`, `cert_untrusted`). The clock is passed in and read once, before any
fetch: that reading is the acceptance time (`Evidence.validated_at`).

The URLs come from certificates a submitter sent, so the collector guards against being made to
fetch from inside the network: OCSP and CRL locations are used only once a chain reaches a pinned
root (they were then written by a licensed CA); caIssuers locations of a chain not yet anchored
are followed at most `MAX_DEPTH` times; and every URL must pass `url_allowed` (by default
`public_url`: http(s), no `localhost`, no IP literal outside the public range). Host names are not
resolved here: deployments should also send this traffic through an egress proxy or firewall.

`accept_cms` / `accept_pdf` are the acceptance path: gather, then check with `cms` / `pades`.
`HttpTimeStamper` asks an RFC 3161 TSA for a token over HTTP (RFC 3161 §3.4), for
`signing.sign_detached`.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Final, Protocol
from urllib.parse import urlsplit

from asn1crypto import cms as asn1_cms
from asn1crypto import tsp as asn1_tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509 import ocsp
from pyhanko.sign.timestamps.api import TimeStamper

from filings.errors import CmsInvalid, EvidenceInvalid, PdfInvalid
from filings.signatures.chains import (
    MAX_DEPTH,
    build_chain,
    ca_issuer_urls,
    crl_urls,
    has_ocsp_nocheck,
    ocsp_urls,
)
from filings.signatures.cms import parse_detached, verify_cms
from filings.signatures.evidence import Evidence, EvidenceItem, EvidenceKind
from filings.signatures.pades import first_refusal, read_signatures, verify_pdf
from filings.signatures.policy import DEFAULT_POLICY, OperatorIdentity, SignaturePolicy
from filings.signatures.results import SignatureResult
from filings.signatures.roots import TrustRoots, fingerprint
from filings.signatures.timestamps import signature_timestamps

LOG = logging.getLogger(__name__)
MAX_RESPONSE_BYTES: Final = 16 * 1024 * 1024
"""The largest answer a transport should read (CRLs of a large CA run to megabytes)."""

Leaf = tuple[x509.Certificate, list[x509.Certificate]]
"""A certificate to anchor, and the certificates that came with it."""


def public_url(url: str) -> bool:
    """Whether `url` is http(s) to a host name other than localhost or to a public IP address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host or host.lower() == "localhost":
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return True


def utc_now() -> datetime:
    """The system clock, timezone-aware UTC."""
    return datetime.now(UTC)


class Transport(Protocol):
    """HTTP for the collector and the time-stamper, provided by the caller.

    Each method returns the body of a `200` answer, or None when there is none (refused,
    unreachable, timed out, another status, or larger than `MAX_RESPONSE_BYTES`); it logs why and
    never raises.
    """

    def get(self, url: str) -> bytes | None:
        """GET `url`."""

    def post(self, url: str, body: bytes, content_type: str) -> bytes | None:
        """POST `body` as `content_type` to `url`."""


def _certificates_of(body: bytes) -> list[x509.Certificate]:
    """Certificates in a caIssuers answer: DER, PEM, or a PKCS#7 certs-only bundle."""
    loaders: tuple[Callable[[bytes], list[x509.Certificate]], ...] = (
        lambda b: [x509.load_der_x509_certificate(b)],
        x509.load_pem_x509_certificates,
        pkcs7.load_der_pkcs7_certificates,
        pkcs7.load_pem_pkcs7_certificates,
    )
    for load in loaders:
        try:
            return load(body)
        except ValueError:
            continue
    return []


def _crl_der(body: bytes) -> bytes | None:
    for load in (x509.load_der_x509_crl, x509.load_pem_x509_crl):
        try:
            return load(body).public_bytes(serialization.Encoding.DER)
        except ValueError:
            continue
    return None


class EvidenceCollector:
    """Gathers the evidence of signatures at acceptance (see the module docstring).

    `transport` does the HTTP; `clock` gives the acceptance time; `url_allowed` vets every URL
    before it is fetched. `tsa_roots` anchor time-stamping authorities (default: `roots`).
    """

    def __init__(self, roots: TrustRoots, transport: Transport, *,
                 tsa_roots: TrustRoots | None = None, clock: Callable[[], datetime] = utc_now,
                 url_allowed: Callable[[str], bool] = public_url) -> None:
        self.roots = roots
        self._allowed = url_allowed
        self.tsa_roots = tsa_roots or roots
        self._anchors = roots if tsa_roots is None else TrustRoots(
            (*roots.certificates, *tsa_roots.certificates))
        self._transport = transport
        self._clock = clock

    def for_cms(self, signature: bytes) -> Evidence:
        """Evidence for a detached CMS signature. A malformed one gives empty evidence (the
        check refuses it)."""
        validated_at = self._clock()
        try:
            signed_data = parse_detached(signature)
        except CmsInvalid:
            return Evidence(validated_at)
        return self._gather(validated_at, [signed_data])

    def for_pdf(self, pdf: bytes) -> Evidence:
        """Evidence for every signature of a PDF (empty when it cannot be read)."""
        validated_at = self._clock()
        try:
            signatures = read_signatures(pdf)
        except PdfInvalid:
            return Evidence(validated_at)
        return self._gather(validated_at, [s.signed_data for s in signatures])

    def _gather(self, validated_at: datetime,
                signed_datas: Sequence[asn1_cms.SignedData]) -> Evidence:
        leaves: list[Leaf] = []
        found: list[tuple[EvidenceKind, bytes]] = []
        try:
            for signed_data in signed_datas:
                leaves.extend(_leaves(signed_data))
                for info in signed_data["signer_infos"]:
                    for token in signature_timestamps(info):
                        found.append((EvidenceKind.TIMESTAMP, token.dump()))
                        leaves.extend(_leaves(token["content"]))
        except (ValueError, TypeError, KeyError) as exc:
            LOG.warning("malformed signature, gathering what was read: %s", exc)
        seen_urls: set[str] = set()
        for leaf, pool in leaves:
            try:
                found.extend(self._chain_evidence(leaf, pool, seen_urls))
            except (ValueError, TypeError, KeyError) as exc:
                LOG.warning("malformed certificate %s: %s", leaf.serial_number, exc)
        items = []
        for kind, der in found:
            try:
                items.append(EvidenceItem(kind, der))
            except EvidenceInvalid as exc:
                LOG.warning("left out: %s", exc.message)
        return Evidence(validated_at, tuple(items))

    def _chain_evidence(self, leaf: x509.Certificate, pool: list[x509.Certificate],
                        seen_urls: set[str]) -> Iterable[tuple[EvidenceKind, bytes]]:
        chain = build_chain(leaf, pool, self._anchors)
        for _ in range(MAX_DEPTH):
            if chain.anchored:
                break
            fetched = [cert for url in ca_issuer_urls(chain.top) if url not in seen_urls
                       for cert in self._fetch_issuers(url, seen_urls)]
            if not fetched:
                break
            pool = [*pool, *fetched]
            chain = build_chain(leaf, pool, self._anchors)
        if not chain.anchored:
            LOG.info("no chain to a pinned root for %s", leaf.subject.rfc4514_string())
            return
        for cert in chain.certificates:
            if not self._anchors.is_root(cert):
                yield _der_item(cert)
        for cert, issuer in chain.links():
            status = self._ocsp(cert, issuer)
            if status is None:
                yield from self._crls(cert, seen_urls)
                continue
            yield EvidenceKind.OCSP, status.public_bytes(serialization.Encoding.DER)
            for responder in status.certificates:
                yield _der_item(responder)
                if not has_ocsp_nocheck(responder):
                    yield from self._crls(responder, seen_urls)

    def _fetch(self, url: str, body: bytes | None = None,
               content_type: str = "application/octet-stream") -> bytes | None:
        if not self._allowed(url):
            LOG.warning("%s: not an allowed URL", url)
            return None
        if body is None:
            return self._transport.get(url)
        return self._transport.post(url, body, content_type)

    def _fetch_issuers(self, url: str, seen_urls: set[str]) -> list[x509.Certificate]:
        seen_urls.add(url)
        body = self._fetch(url)
        return [] if body is None else _certificates_of(body)

    def _ocsp(self, cert: x509.Certificate,
              issuer: x509.Certificate) -> ocsp.OCSPResponse | None:
        request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1()).build()
        body = request.public_bytes(serialization.Encoding.DER)
        for url in ocsp_urls(cert):
            answer = self._fetch(url, body, "application/ocsp-request")
            if answer is None:
                continue
            try:
                response = ocsp.load_der_ocsp_response(answer)
            except ValueError as exc:
                LOG.warning("OCSP %s: unreadable answer: %s", url, exc)
                continue
            if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
                LOG.warning("OCSP %s: %s", url, response.response_status.name)
                continue
            if any(single.serial_number == cert.serial_number for single in response.responses):
                return response
        return None

    def _crls(self, cert: x509.Certificate,
              seen_urls: set[str]) -> Iterable[tuple[EvidenceKind, bytes]]:
        for url in crl_urls(cert):
            if url in seen_urls:
                continue
            seen_urls.add(url)
            body = self._fetch(url)
            der = None if body is None else _crl_der(body)
            if der is not None:
                yield EvidenceKind.CRL, der
                return


def _der_item(cert: x509.Certificate) -> tuple[EvidenceKind, bytes]:
    return EvidenceKind.CERTIFICATE, cert.public_bytes(serialization.Encoding.DER)


def _leaves(signed_data: asn1_cms.SignedData) -> list[Leaf]:
    """The signer certificate(s) of a SignedData with the other certificates it carries."""
    certs = [x509.load_der_x509_certificate(c.chosen.dump())
             for c in signed_data["certificates"] or () if c.name == "certificate"]
    leaves = []
    for info in signed_data["signer_infos"]:
        sid = info["sid"]
        for cert in certs:
            if sid.name == "issuer_and_serial_number":
                hit = (cert.serial_number == sid.chosen["serial_number"].native
                       and cert.issuer.public_bytes() == sid.chosen["issuer"].dump())
            else:
                hit = _key_identifier(cert) == sid.chosen.native
            if hit:
                leaves.append((cert, [c for c in certs if fingerprint(c) != fingerprint(cert)]))
    return leaves


def _key_identifier(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return None


def accept_cms(data: bytes, signature: bytes, *, identity: OperatorIdentity,
               collector: EvidenceCollector, policy: SignaturePolicy = DEFAULT_POLICY
               ) -> tuple[SignatureResult, Evidence]:
    """Gather the evidence of a detached CMS signature over `data` and check it.

    Returns the valid result and the evidence to store with the record; raises the
    `FilingError` that refused the signature.
    """
    evidence = collector.for_cms(signature)
    result = verify_cms(data, signature, roots=collector.roots, tsa_roots=collector.tsa_roots,
                        identity=identity, evidence=evidence, policy=policy)
    result.raise_for_status()
    return result, evidence


def accept_pdf(pdf: bytes, *, identity: OperatorIdentity, collector: EvidenceCollector,
               policy: SignaturePolicy = DEFAULT_POLICY
               ) -> tuple[tuple[SignatureResult, ...], Evidence]:
    """Gather the evidence of a PAdES-signed PDF and check every signature (as `accept_cms`)."""
    evidence = collector.for_pdf(pdf)
    results = verify_pdf(pdf, roots=collector.roots, tsa_roots=collector.tsa_roots,
                         identity=identity, evidence=evidence, policy=policy)
    refusal = first_refusal(results)
    if refusal is not None:
        raise refusal
    return results, evidence


class HttpTimeStamper(TimeStamper):
    """pyHanko's RFC 3161 client role over HTTP POST (`application/timestamp-query`,
    RFC 3161 §3.4) through `transport`. Nonces are on; pyHanko checks the answer's status and
    nonce."""

    def __init__(self, url: str, transport: Transport) -> None:
        super().__init__(include_nonce=True)  # type: ignore[no-untyped-call]
        self.url = url
        self._transport = transport

    async def async_request_tsa_response(self, req: asn1_tsp.TimeStampReq
                                         ) -> asn1_tsp.TimeStampResp:
        body = self._transport.post(self.url, req.dump(), "application/timestamp-query")
        if body is None:
            raise OSError(f"time-stamping authority {self.url} did not answer")
        try:
            return asn1_tsp.TimeStampResp.load(body, strict=True)
        except ValueError as exc:
            raise OSError(f"time-stamping authority {self.url}: unreadable answer") from exc
