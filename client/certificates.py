"""Signing a record with an organisation certificate: `infraledger submit --cert-key`.

The operator's certificate and key come from a PKCS#12 file (`.p12`/`.pfx`, as Vietnamese
public CAs issue them, with its password in a file) or a PEM file holding the private key, the
signer's certificate and then its chain; or from a PKCS#11 token (`client.token`), where the key
stays. The signature is a detached CAdES-BES (ETSI EN 319 122-1 §5.2) over
`filings.signing.ca_signed_bytes`: a CMS SignedData (RFC 5652) with the signed attributes
content-type, message-digest (SHA-256), signing-time and signing-certificate-v2 (RFC 5035),
signed with RSA PKCS#1 v1.5 or ECDSA over SHA-256, the signer's certificate and chain embedded.
`sign_cms` builds it around any `CertificateSigner`, which makes the one signature value; built
with `cryptography` and `asn1crypto` only, both in the client install.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from asn1crypto import algos, cms
from asn1crypto import tsp as _tsp  # registers the signing-certificate-v2 attribute type
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from client.errors import BadKeyFile

assert _tsp  # imported for its side effect

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


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
        raise BadKeyFile(f"cannot read {exc.filename if isinstance(exc, OSError) else path}: "
                         f"{exc.strerror if isinstance(exc, OSError) else 'not UTF-8'}") \
            from exc
    try:
        key: object
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password)
            certificates = x509.load_pem_x509_certificates(data)
        else:
            key, first, others = pkcs12.load_key_and_certificates(data, password)
            certificates = ([] if first is None else [first]) + list(others)
    except (ValueError, TypeError) as exc:
        raise BadKeyFile(f"{path}: not a PKCS#12 or PEM key and certificate, or a wrong "
                         f"password: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise BadKeyFile(f"{path}: want an RSA or ECDSA private key")
    if not certificates:
        raise BadKeyFile(f"{path}: holds no certificate")
    signer, *chain = certificates
    if signer.public_key() != key.public_key():
        raise BadKeyFile(f"{path}: the first certificate is not the key's")
    return CertificateKey(key, signer, tuple(chain))


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def sign_cms(data: bytes, signer: CertificateSigner,
             signing_time: datetime | None = None) -> bytes:
    """The DER detached CAdES-BES signature of `data` by `signer` (module doc).

    Requires the signer's certificate to hold an RSA or EC key (the file and token loaders
    check it); the signature algorithm is named after that key.
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
    signed_data = cms.SignedData({
        "version": "v1",
        "digest_algorithms": [sha256],
        "encap_content_info": {"content_type": "data"},
        "certificates": [cert, *(_asn1(c) for c in signer.chain)],
        "signer_infos": [signer_info],
    })
    der: bytes = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    return der
