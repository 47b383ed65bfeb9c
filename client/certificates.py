"""Signing a record with an organisation certificate: `infraledger submit --cert-key`.

The operator's certificate and key come from a PKCS#12 file (`.p12`/`.pfx`, as Vietnamese
public CAs issue them, with its password in a file) or a PEM file holding the private key, the
signer's certificate and then its chain; or from a PKCS#11 token (`client.token`), where the key
stays. The signature is a detached CAdES-BES (ETSI EN 319 122-1 §5.2) over
`filings.signing.ca_signed_bytes`: a CMS SignedData (RFC 5652) with the signed attributes
content-type, message-digest (SHA-256), signing-time and signing-certificate-v2 (RFC 5035),
signed with RSA PKCS#1 v1.5 or ECDSA over SHA-256, the signer's certificate and chain embedded.
`sign_cms` builds it around any `CertificateSigner`, which makes the one signature value; built
with `cryptography` and `asn1crypto` only, both in the client install. An operator without a
key signs its uploads the same way, over the text `InfraLedger attachment <sha256 hex>`
(`client.ledger.CertificateOperator`).

With a `Timestamper` (`infraledger submit --tsa URL`: `TsaClient`) the signature becomes
CAdES-T (§5.3): the unsigned attribute signature-time-stamp holds an RFC 3161 token over the
signature value, so the signing time the ledger shows is the TSA's, not the time it accepted
the record. The client checks only that the answer is a granted token over this value with its
nonce (RFC 3161 §2.4.2); the ledger checks the TSA's signature and certificate.

A PDF attachment may carry its own PAdES signatures; `carries_pdf_signature` tells the client to
have the ledger gather their evidence. The client holds no PDF reader (the server's pyHanko is
not in its install), and needs none: a signature's `/ByteRange` and `/Contents` are in the
file's clear bytes, since the byte range is taken over the raw file (ISO 32000-1 §12.8.1).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final, Protocol, Self

import httpx
from asn1crypto import algos, cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from client.errors import BadKeyFile, ClientError, bilingual

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
Timestamper = Callable[[bytes], bytes]
"""Gives the DER RFC 3161 TimeStampToken (a CMS ContentInfo) over a signature value."""
TSA_TIMEOUT: Final = 30.0
"""Seconds a time-stamping authority may take to answer."""
TSA_GRANTED: Final = frozenset({"granted", "granted_with_mods"})
PDF_MEDIA_TYPE: Final = "application/pdf"
_PDF_HEADER_WITHIN: Final = 1024
"""Bytes from the start within which a PDF's `%PDF-` header may be (ISO 32000-1 §7.5.2)."""
_BYTE_RANGE: Final = re.compile(rb"/ByteRange\s*\[\s*\d+\s+\d+\s+\d+\s+\d+\s*\]")
_DOCUMENT_TIME_STAMP: Final = re.compile(rb"/Type\s*/DocTimeStamp\b|/SubFilter\s*/ETSI\.RFC3161\b")


class TimestampUnavailable(ClientError):
    """The time-stamping authority could not be reached, refused, or answered no usable token
    over the signature."""

    code = "timestamp_unavailable"


class CertificateSigner(Protocol):
    """Who signs a CMS: the signer's certificate, the intermediates to embed, and the one
    operation on the certificate's private key."""

    @property
    def certificate(self) -> x509.Certificate: ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]: ...

    def sign(self, message: bytes) -> bytes:
        """The signature of `message` with SHA-256 by the certificate's key: RSA PKCS#1 v1.5
        (RFC 8017 §8.2) for an RSA certificate, else ECDSA as a DER Ecdsa-Sig-Value (RFC 3279
        §2.2.3)."""
        ...


@dataclass(frozen=True)
class CertificateKey:
    """A signer whose key is in a file: its private key, its certificate, and the intermediates
    to embed."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]

    def sign(self, message: bytes) -> bytes:
        """See `CertificateSigner.sign`."""
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        return self.key.sign(message, ec.ECDSA(hashes.SHA256()))


def load_certificate_key(path: Path, password_file: Path | None = None) -> CertificateKey:
    """Read a PKCS#12 file, or a PEM file with the key then the certificates (signer first).

    Raises `BadKeyFile` naming the fault: unreadable, wrong password, no certificate, or a key
    that is neither RSA nor ECDSA or does not belong to the certificate.
    """
    try:
        data = path.read_bytes()
        password = None if password_file is None else \
            password_file.read_text(encoding="utf-8").rstrip("\r\n").encode()
    except (OSError, UnicodeDecodeError) as exc:
        name, vietnamese, english = (exc.filename, exc.strerror, exc.strerror) \
            if isinstance(exc, OSError) else (path, "không phải UTF-8", "not UTF-8")
        raise BadKeyFile(bilingual(f"không đọc được {name}: {vietnamese}",
                                   f"cannot read {name}: {english}")) from exc
    try:
        key: object
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password)
            certificates = x509.load_pem_x509_certificates(data)
        else:
            key, first, others = pkcs12.load_key_and_certificates(data, password)
            certificates = ([] if first is None else [first]) + list(others)
    except (ValueError, TypeError) as exc:
        raise BadKeyFile(f"{path}: " + bilingual(
            "không phải khóa và chứng thư số PKCS#12 hay PEM, hoặc sai mật khẩu",
            f"not a PKCS#12 or PEM key and certificate, or a wrong password: {exc}")) from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise BadKeyFile(f"{path}: " + bilingual("cần khóa bí mật RSA hoặc ECDSA",
                                                 "want an RSA or ECDSA private key"))
    if not certificates:
        raise BadKeyFile(f"{path}: " + bilingual("không chứa chứng thư số nào",
                                                 "holds no certificate"))
    signer, *chain = certificates
    if signer.public_key() != key.public_key():
        raise BadKeyFile(f"{path}: " + bilingual("chứng thư số đầu tiên không phải của khóa này",
                                                 "the first certificate is not the key's"))
    return CertificateKey(key, signer, tuple(chain))


def carries_pdf_signature(pdf: bytes) -> bool:
    """Whether `pdf` is a PDF with a signature dictionary: an object with a `/ByteRange` of
    four integers that is not a document time-stamp (ETSI EN 319 142-1 §5.4: those are not
    signatures, and the ledger does not count them). The ledger reads the file properly."""
    if b"%PDF-" not in pdf[:_PDF_HEADER_WITHIN]:
        return False
    for found in _BYTE_RANGE.finditer(pdf):
        start = pdf.rfind(b"obj", 0, found.start())
        end = pdf.find(b"endobj", found.end())
        if not _DOCUMENT_TIME_STAMP.search(pdf, max(start, 0), len(pdf) if end < 0 else end):
            return True
    return False


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def sign_cms(data: bytes, signer: CertificateSigner,
             signing_time: datetime | None = None,
             timestamper: Timestamper | None = None) -> bytes:
    """The DER detached CAdES-BES signature of `data` by `signer`, CAdES-T with a
    `timestamper` (module doc).

    Requires the signer's certificate to hold an RSA or EC key (the file and token loaders
    check it); the signature algorithm is named after that key. Raises `TimestampUnavailable`
    when the `timestamper` does.
    """
    cert = _asn1(signer.certificate)
    issuer_serial = {"issuer": [asn1_x509.GeneralName({"directory_name": cert.issuer})],
                     "serial_number": cert.serial_number}
    attributes = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [
            cms.Time({"utc_time": signing_time or datetime.now(UTC)})]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(data).digest()]}),
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [{"certs": [{
            "cert_hash": hashlib.sha256(cert.dump()).digest(),
            "issuer_serial": issuer_serial}]}]}),
    ])
    value = signer.sign(attributes.dump())
    mechanism = "rsassa_pkcs1v15" if isinstance(signer.certificate.public_key(),
                                                rsa.RSAPublicKey) else "sha256_ecdsa"
    sha256 = algos.DigestAlgorithm({"algorithm": "sha256"})
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": cert.issuer, "serial_number": cert.serial_number}}),
        "digest_algorithm": sha256,
        "signed_attrs": attributes,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": mechanism}),
        "signature": value,
    })
    if timestamper is not None:
        token = cms.ContentInfo.load(timestamper(value))
        signer_info["unsigned_attrs"] = cms.CMSAttributes([cms.CMSAttribute(
            {"type": "signature_time_stamp_token", "values": [token]})])
    signed_data = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [sha256],
        "encap_content_info": {"content_type": "data"},
        "certificates": [cert, *(_asn1(c) for c in signer.chain)],
        "signer_infos": [signer_info],
    })
    der: bytes = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    return der


def timestamp_request(signature_value: bytes, nonce: int) -> bytes:
    """The DER RFC 3161 TimeStampReq (§2.4.1) for a signature time-stamp over
    `signature_value`: a SHA-256 imprint, the `nonce`, and the TSA's certificate asked for (the
    ledger needs it to check the token)."""
    request = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"},
                            "hashed_message": hashlib.sha256(signature_value).digest()},
        "nonce": nonce,
        "cert_req": True,
    })
    der: bytes = request.dump()
    return der


def timestamp_token(response: bytes, signature_value: bytes, nonce: int, source: str) -> bytes:
    """The DER token of a TSA's TimeStampResp (RFC 3161 §2.4.2) to `timestamp_request`.

    Raises `TimestampUnavailable` naming `source` when the answer is not DER, not granted, or
    its token is not a SignedData over a TSTInfo with this value's SHA-256 imprint and `nonce`.
    """
    try:
        answer = tsp.TimeStampResp.load(response, strict=True)
        status = answer["status"]["status"].native
        if status not in TSA_GRANTED:
            text = answer["status"]["status_string"].native
            raise TimestampUnavailable(
                f"{source} từ chối cấp dấu thời gian / refused the time-stamp: {status}"
                + (f" ({'; '.join(text)})" if text else ""))
        token = answer["time_stamp_token"]
        if token["content_type"].native != "signed_data":
            raise ValueError("the token is not a SignedData")
        content = token["content"]["encap_content_info"]
        info = content["content"].parsed if content["content_type"].native == "tst_info" \
            else None
        if not isinstance(info, tsp.TSTInfo):
            raise ValueError("the token holds no TSTInfo")
        imprint = info["message_imprint"]
        if (imprint["hash_algorithm"]["algorithm"].native != "sha256"
                or imprint["hashed_message"].native != hashlib.sha256(signature_value).digest()):
            raise ValueError("the token is not over this signature")
        if info["nonce"].native != nonce:
            raise ValueError("the token does not carry the request's nonce")
        der: bytes = token.dump()
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise TimestampUnavailable(f"{source} trả về dữ liệu không phải dấu thời gian hợp lệ / "
                                   f"answered no usable time-stamp: {exc}") from exc
    return der


class TsaClient:
    """A `Timestamper` asking an RFC 3161 time-stamping authority over HTTP POST
    (`application/timestamp-query`, RFC 3161 §3.4), a fresh random nonce each time. Use it as a
    context manager.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(timeout=TSA_TIMEOUT)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __call__(self, signature_value: bytes) -> bytes:
        """The token over `signature_value`; raises `TimestampUnavailable`."""
        nonce = secrets.randbits(63)
        try:
            answer = self._http.post(
                self.url, content=timestamp_request(signature_value, nonce),
                headers={"Content-Type": "application/timestamp-query"})
        except (httpx.TransportError, httpx.InvalidURL) as exc:
            raise TimestampUnavailable(f"không kết nối được đơn vị cấp dấu thời gian / cannot "
                                       f"reach the time-stamping authority {self.url}: {exc}") \
                from exc
        if answer.status_code != 200:
            raise TimestampUnavailable(f"{self.url}: HTTP {answer.status_code}: không cấp dấu "
                                       "thời gian / no time-stamp")
        return timestamp_token(answer.content, signature_value, nonce, self.url)
