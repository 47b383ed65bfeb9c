"""What a signer's certificate must be, and its certification path at the signing time.

* **Pinned roots** (`SigningRoots`): the PEM bundle of the trust file, CA certificates only.
* **Key strength** (Circular 15/2025/TT-BKHCN): RSA of at least 2048 bits or ECDSA on a curve of
  at least 256 bits (`weak_key`).
* **Key usage** (RFC 5280 §4.2.1.3): keyUsage present with nonRepudiation (contentCommitment),
  as the ledger requires of a filing's signer (`cert_key_usage`).
* **The tax code** (mã số thuế) the subject carries, read as the ledger reads it: `UID=MST:<code>`,
  `organizationIdentifier=VATVN-<code>` / `NTRVN-<code>`, or an `MST:<code>` token in an OU or
  CN; 10 digits with a check digit (weights 31, 29, 23, 19, 17, 13, 7, 5, 3, mod 11), or 10-3 for
  a branch. Two different codes are ambiguous (`cert_identity`).
* **The path** (`validate_path`): `cryptography.x509.verification`'s RFC 5280 path building and
  validation, with the pinned roots as the only store and the validation time set to the signing
  time (point-in-time validation, ETSI EN 319 102-1 §5.2.6), so an expired certificate is
  checked as it was when it signed. The CA certificates are held to the library's CA profile
  (basicConstraints, keyCertSign, path length, name chaining, signatures); the end certificate to
  none of its web profile (`ExtensionPolicy.permit_all`), since signers, time-stamping
  authorities and OCSP responders carry their own usages, which are checked here and in
  `revocation` and `cms` instead.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID, ObjectIdentifier
from cryptography.x509.verification import (
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from verifier.errors import MalformedTrust
from verifier.signature_status import SignatureRefused

MIN_RSA_BITS: Final = 2048
MIN_EC_BITS: Final = 256
MAX_CHAIN_DEPTH: Final = 8
TIME_TOLERANCE: Final = timedelta(seconds=1)
ORGANIZATION_IDENTIFIER: Final = ObjectIdentifier("2.5.4.97")
_MST: Final = re.compile(r"^(\d{10})-?(\d{3})?$")
_MST_TOKEN: Final = re.compile(r"\bMST\s*[:=]\s*(\d{10}(?:-?\d{3})?)\b", re.IGNORECASE)
_UID_VALUE: Final = re.compile(r"^\s*MST\s*[:=]\s*(\S+)\s*$", re.IGNORECASE)
_ORG_ID_VALUE: Final = re.compile(r"^(?:VAT|NTR)VN-(\S+)$", re.IGNORECASE)
_WEIGHTS: Final = (31, 29, 23, 19, 17, 13, 7, 5, 3)


@dataclass(frozen=True, slots=True)
class SigningRoots:
    """The pinned roots CA signatures must chain to, and the PEM text they were read from."""

    pem: str
    certificates: tuple[x509.Certificate, ...]

    @staticmethod
    def parse(pem: str) -> SigningRoots:
        """Read a PEM bundle of CA certificates. Raises `MalformedTrust` when it holds none, a
        block that is not a certificate, or a certificate that is not a CA."""
        try:
            certificates = tuple(x509.load_pem_x509_certificates(pem.encode("ascii")))
        except (ValueError, UnicodeEncodeError) as exc:
            raise MalformedTrust(f"signing_roots: not a PEM bundle of certificates: {exc}") from exc
        for certificate in certificates:
            try:
                constraints = certificate.extensions.get_extension_for_class(
                    x509.BasicConstraints
                ).value
            except x509.ExtensionNotFound:
                constraints = None
            if constraints is None or not constraints.ca:
                raise MalformedTrust(
                    f"signing_roots: {certificate.subject.rfc4514_string()} is not a CA"
                )
        return SigningRoots(pem=pem, certificates=certificates)

    def holds(self, certificate: x509.Certificate) -> bool:
        """Whether `certificate` is one of the pinned roots."""
        return certificate in self.certificates


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER, 64 lowercase hex (how a binding pins one)."""
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def normalise_tax_code(value: str) -> str | None:
    """`value` as a canonical tax code (`0100109106` or `0100109106-001`), or None when it is
    not 10 or 10-3 digits with a good check digit."""
    match = _MST.match(value.strip())
    if match is None:
        return None
    head, branch = match.group(1), match.group(2)
    if head[2:9] == "0000000" or branch == "000":
        return None
    remainder = sum(w * int(d) for w, d in zip(_WEIGHTS, head, strict=False)) % 11
    if str(10 - remainder) != head[9]:
        return None
    return head if branch is None else f"{head}-{branch}"


def tax_code_of(certificate: x509.Certificate) -> str | None:
    """The tax code the subject carries (module docstring), or None.

    Raises `SignatureRefused` (`cert_identity`) when it carries two different codes."""
    subject = certificate.subject
    found: set[str] = set()
    for attribute in subject.get_attributes_for_oid(NameOID.USER_ID):
        match = _UID_VALUE.match(_text(attribute.value))
        if match:
            found.add(normalise_tax_code(match.group(1)) or match.group(1))
    for attribute in subject.get_attributes_for_oid(ORGANIZATION_IDENTIFIER):
        match = _ORG_ID_VALUE.match(_text(attribute.value).strip())
        if match:
            found.add(normalise_tax_code(match.group(1)) or match.group(1))
    for name in (NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME):
        for attribute in subject.get_attributes_for_oid(name):
            for token in _MST_TOKEN.findall(_text(attribute.value)):
                found.add(normalise_tax_code(token) or token)
    if len(found) > 1:
        raise SignatureRefused(
            "cert_identity", f"the certificate carries tax codes {sorted(found)}"
        )
    return next(iter(found), None)


def organisation_of(certificate: x509.Certificate) -> str | None:
    """The subject's organizationName, if any."""
    names = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return _text(names[0].value) if names else None


def check_key_strength(certificate: x509.Certificate) -> None:
    """Raise `SignatureRefused` (`weak_key`) unless the key is RSA >= 2048 bits or ECDSA on a
    curve of >= 256 bits."""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        got, want, kind = key.key_size, MIN_RSA_BITS, "RSA"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        got, want, kind = key.curve.key_size, MIN_EC_BITS, "ECDSA"
    else:
        raise SignatureRefused("weak_key", f"key type {type(key).__name__}: want RSA or ECDSA")
    if got < want:
        raise SignatureRefused("weak_key", f"{kind} key of {got} bits: want at least {want}")


def check_key_usage(certificate: x509.Certificate) -> None:
    """Raise `SignatureRefused` (`cert_key_usage`) unless keyUsage has nonRepudiation."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise SignatureRefused(
            "cert_key_usage", "the certificate has no keyUsage extension; want nonRepudiation"
        ) from None
    if not usage.content_commitment:
        raise SignatureRefused(
            "cert_key_usage", "the certificate's keyUsage lacks nonRepudiation (contentCommitment)"
        )


def validate_path(
    leaf: x509.Certificate,
    pool: Sequence[x509.Certificate],
    roots: SigningRoots,
    *,
    at: datetime,
) -> list[x509.Certificate]:
    """The path of `leaf` to a pinned root valid at `at`, leaf first, root last.

    `pool` holds the intermediates at hand (the signature's certificates and the evidence's).
    Raises `SignatureRefused`: `cert_untrusted` (no path to a pinned root, or `leaf` is a root),
    `cert_expired` / `cert_not_yet_valid` (a certificate of the pool outside its validity at
    `at` that no valid path avoids).
    """
    if roots.holds(leaf):
        raise SignatureRefused("cert_untrusted", "the signer's certificate is itself a root")
    verifier = (
        PolicyBuilder()
        .store(Store(list(roots.certificates)))
        .time(at)
        .max_chain_depth(MAX_CHAIN_DEPTH)
        .extension_policies(
            ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all()
        )
        .build_client_verifier()
    )
    intermediates = [cert for cert in dict.fromkeys(pool) if cert != leaf]
    try:
        verified = verifier.verify(leaf, intermediates)
    except VerificationError as exc:
        for cert in _named_issuers(leaf, [*intermediates, *roots.certificates]):
            if cert.not_valid_after_utc + TIME_TOLERANCE < at:
                raise SignatureRefused(
                    "cert_expired",
                    f"{cert.subject.rfc4514_string()} expired at {cert.not_valid_after_utc}, "
                    f"before {at}",
                ) from exc
            if cert.not_valid_before_utc - TIME_TOLERANCE > at:
                raise SignatureRefused(
                    "cert_not_yet_valid",
                    f"{cert.subject.rfc4514_string()} is valid from {cert.not_valid_before_utc}, "
                    f"after {at}",
                ) from exc
        raise SignatureRefused(
            "cert_untrusted", f"no certification path to a pinned root at {at}: {exc}"
        ) from exc
    return list(verified.chain)


def _named_issuers(
    leaf: x509.Certificate, pool: Sequence[x509.Certificate]
) -> list[x509.Certificate]:
    """`leaf` and the certificates of `pool` above it by issuer name alone: where a path that
    failed was meant to go, so that its failure can be told as expiry when it was one."""
    chain = [leaf]
    while len(chain) < MAX_CHAIN_DEPTH:
        issuer = next((c for c in pool if c.subject == chain[-1].issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
    return chain


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
