"""Making CA signatures the ledger accepts: for operators' tooling, samples and tests.

`sign_detached` makes a detached CAdES-BES signature over exact bytes (ETSI EN 319 122-1 §5.2:
content-type, message-digest, signing-certificate-v2, signing-time), or CAdES-T when a TSA is
named (a signature time-stamp over the signature value, §5.3). `sign_pdf` makes a PAdES B-B/B-T
signature (`ETSI.CAdES.detached`, ETSI EN 319 142-1 §5.1) covering the whole file. Both use
pyHanko's signer with the key in memory; `sign_pdf` also takes a `HeldKey`, a key this process
cannot read (a PKCS#11 token's, `client.token`), which then makes the signature's one signature
value, over SHA-256.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from typing import Final, Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import (
    PdfCMSSignedAttributes,
    Signer,
    SimpleSigner,
    select_suitable_signing_md,
)
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from filings.signatures.online import HttpTimeStamper, Transport
from filings.signatures.paths import run_sync

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
HELD_KEY_DIGEST: Final = "sha256"
HELD_KEY_RESERVE: Final = 512
"""Bytes a held key's signature value is given while pyHanko sizes the CMS (its dry run): an
RSA-4096 value, more than any ECDSA one."""


class HeldKey(Protocol):
    """A private key kept where this process cannot read it (a PKCS#11 token), as the one
    operation it offers (`client.certificates.CertificateSigner.sign`)."""

    def sign(self, message: bytes) -> bytes:
        """The signature of `message` with SHA-256 by the key: RSA PKCS#1 v1.5 for an RSA
        certificate, else ECDSA as a DER Ecdsa-Sig-Value."""
        ...


class _HeldKeySigner(Signer):
    """pyHanko's signer role for a `HeldKey`: SHA-256 only, and the dry run that sizes the CMS
    does not use the key, so the key signs once per signature."""

    def __init__(self, key: HeldKey, cert: asn1_x509.Certificate,
                 store: SimpleCertificateStore) -> None:
        super().__init__(signing_cert=cert, cert_registry=store, embed_roots=False)
        self._key = key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if digest_algorithm != HELD_KEY_DIGEST:
            raise ValueError(f"a held key signs over SHA-256, not {digest_algorithm}")
        return bytes(HELD_KEY_RESERVE) if dry_run else self._key.sign(data)


def _signer(key: SigningKey | HeldKey, cert: x509.Certificate,
            chain: Sequence[x509.Certificate]) -> Signer:
    store = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in chain])
    certificate = asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER))
    if not isinstance(key, SigningKey):
        return _HeldKeySigner(key, certificate, store)
    pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return SimpleSigner(
        signing_cert=certificate, signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8),
        cert_registry=store, embed_roots=False)


def _timestamper(tsa_url: str | None, transport: Transport | None) -> HttpTimeStamper | None:
    if tsa_url is None:
        return None
    if transport is None:
        raise ValueError(f"time-stamping at {tsa_url} needs a transport")
    return HttpTimeStamper(tsa_url, transport)


def sign_detached(data: bytes, key: SigningKey, cert: x509.Certificate,
                  chain: Sequence[x509.Certificate] = (), tsa_url: str | None = None, *,
                  signing_time: datetime | None = None,
                  transport: Transport | None = None) -> bytes:
    """A DER detached CAdES-BES (CAdES-T with `tsa_url`) signature of `data` by `key`.

    `cert` is the signer's certificate and `chain` the intermediates to embed (roots are never
    embedded). The digest is SHA-256 for RSA up to 2048 bits and P-256, larger for larger keys.
    `signing_time` is the claimed signingTime (default: now). With `tsa_url`, `transport`
    carries the request (`ValueError` without one); raises `OSError` when the TSA does not
    answer and pyHanko's `TimestampRequestError` when it refuses.
    """
    signer = _signer(key, cert, chain)
    digest = select_suitable_signing_md(
        asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)).public_key)
    content = run_sync(signer.async_sign_general_data(
        data, digest, detached=True, use_cades=True,
        timestamper=_timestamper(tsa_url, transport),
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=signing_time)))
    der: bytes = content.dump()
    return der


def sign_pdf(pdf: bytes, key: SigningKey | HeldKey, cert: x509.Certificate,
             chain: Sequence[x509.Certificate] = (), tsa_url: str | None = None, *,
             field_name: str = "Signature1", transport: Transport | None = None) -> bytes:
    """`pdf` with a PAdES signature by `key` in a new field `field_name` (B-T with `tsa_url`,
    `transport` carrying the request as for `sign_detached`, and raising as it does).

    A `HeldKey` signs SHA-256 (the digest chosen for a key in memory is `sign_detached`'s) and
    raises what it raises.
    """
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
    signer = _signer(key, cert, chain)
    meta = PdfSignatureMetadata(
        field_name=field_name, subfilter=SigSeedSubFilter.PADES,
        md_algorithm=HELD_KEY_DIGEST if isinstance(signer, _HeldKeySigner) else None)
    pdf_signer = PdfSigner(meta, signer, timestamper=_timestamper(tsa_url, transport))
    output = BytesIO()
    run_sync(pdf_signer.async_sign_pdf(writer, output=output))
    return output.getvalue()

