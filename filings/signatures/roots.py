"""The pinned trust roots: the only certificates a signature may chain to (RFC 5280 §6.1.1 (d)).

Roots are configuration, read once at start-up from a PEM bundle (for production the Vietnam
National Root CA certificates published by NEAC, and the NEAC time-stamping root); they are never
fetched at run time, and a certificate found in a signature, an AIA location or stored evidence
never becomes a root. Intermediates come from the signature itself or from AIA `caIssuers`
(RFC 5280 §4.2.2.1), and must still chain to one of these.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from filings.errors import TrustConfigInvalid


def fingerprint(certificate: x509.Certificate) -> str:
    """The SHA-256 fingerprint of a certificate's DER encoding, as 64 lowercase hex digits."""
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


@dataclass(frozen=True)
class TrustRoots:
    """A non-empty set of self-signed CA certificates, deduplicated and in bundle order.

    Build it with `from_pem` or `load`; the constructor checks the same preconditions.
    """

    certificates: tuple[x509.Certificate, ...]
    _asn1: tuple[asn1_x509.Certificate, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.certificates:
            raise TrustConfigInvalid("the trust root bundle holds no certificate; want at least 1")
        unique: dict[str, x509.Certificate] = {}
        for cert in self.certificates:
            _check_root(cert)
            unique.setdefault(fingerprint(cert), cert)
        object.__setattr__(self, "certificates", tuple(unique.values()))
        object.__setattr__(self, "_asn1", tuple(
            asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in unique.values()))

    @classmethod
    def from_pem(cls, bundle: bytes) -> TrustRoots:
        """Parse a PEM bundle of root certificates.

        Raises `TrustConfigInvalid` when the bundle is unreadable or holds no certificate, or when
        a certificate is not a self-signed CA (basicConstraints cA, RFC 5280 §4.2.1.9).
        """
        try:
            certificates = x509.load_pem_x509_certificates(bundle)
        except ValueError as exc:
            raise TrustConfigInvalid(f"the trust root bundle is not PEM certificates: {exc}") \
                from exc
        return cls(tuple(certificates))

    @classmethod
    def load(cls, path: Path) -> TrustRoots:
        """Read and parse the PEM bundle at `path` (see `from_pem`)."""
        try:
            bundle = path.read_bytes()
        except OSError as exc:
            raise TrustConfigInvalid(f"cannot read the trust root bundle {path}: {exc}") from exc
        return cls.from_pem(bundle)

    @property
    def fingerprints(self) -> frozenset[str]:
        """The SHA-256 fingerprints of the roots."""
        return frozenset(fingerprint(c) for c in self.certificates)

    @property
    def asn1(self) -> tuple[asn1_x509.Certificate, ...]:
        """The roots as asn1crypto certificates, for path validation."""
        return self._asn1

    def is_root(self, certificate: x509.Certificate) -> bool:
        """Whether `certificate` is one of the pinned roots (byte for byte)."""
        return fingerprint(certificate) in self.fingerprints


def _check_root(cert: x509.Certificate) -> None:
    name = cert.subject.rfc4514_string()
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise TrustConfigInvalid(f"trust root {name!r} is not a CA certificate (basicConstraints)")
    if cert.issuer != cert.subject:
        raise TrustConfigInvalid(f"trust root {name!r} is not self-issued: issuer "
                                 f"{cert.issuer.rfc4514_string()!r}")
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise TrustConfigInvalid(f"trust root {name!r} is not validly self-signed") from exc
