"""Making CA signatures the ledger accepts: for operators' tooling, samples and tests.

`sign_detached` makes a detached CAdES-BES signature over exact bytes (ETSI EN 319 122-1 §5.2:
content-type, message-digest, signing-certificate-v2, signing-time), or CAdES-T when a TSA is
named (a signature time-stamp over the signature value, §5.3). `sign_pdf` makes a PAdES B-B/B-T
signature (`ETSI.CAdES.detached`, ETSI EN 319 142-1 §5.1) covering the whole file. Both use
pyHanko's signer with the key in memory; operators signing on USB tokens use their CA's tools,
which produce the same forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import (
    PdfCMSSignedAttributes,
    SimpleSigner,
    select_suitable_signing_md,
)
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from filings.signatures.online import HttpTimeStamper, Transport
from filings.signatures.paths import run_sync

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _signer(key: SigningKey, cert: x509.Certificate,
            chain: Sequence[x509.Certificate]) -> SimpleSigner:
    pkcs8 = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    store = SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
        [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in chain])
    return SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8), cert_registry=store,
        embed_roots=False)


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


def sign_pdf(pdf: bytes, key: SigningKey, cert: x509.Certificate,
             chain: Sequence[x509.Certificate] = (), tsa_url: str | None = None, *,
             field_name: str = "Signature1", transport: Transport | None = None) -> bytes:
    """`pdf` with a PAdES signature by `key` in a new field `field_name` (B-T with `tsa_url`)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=True)
    meta = PdfSignatureMetadata(field_name=field_name, subfilter=SigSeedSubFilter.PADES)
    pdf_signer = PdfSigner(meta, _signer(key, cert, chain),
                           timestamper=_timestamper(tsa_url, transport))
    output = BytesIO()
    run_sync(pdf_signer.async_sign_pdf(writer, output=output))
    return output.getvalue()

