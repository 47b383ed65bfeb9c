"""What a signer's certificate must be for its signature to count for an operator.

Three checks on the signer's certificate, made before any path is built (all pure):

* **Key strength** (Circular 15/2025/TT-BKHCN): RSA of at least 2048 bits or ECDSA on a curve of
  at least 256 bits; other key types are refused (`WeakKey`).
* **Key usage** (RFC 5280 §4.2.1.3): the keyUsage extension must be present with the
  nonRepudiation bit (renamed contentCommitment in X.509 2008). A filing is a commitment to its
  content, which is what that bit certifies (ETSI EN 319 412-2 §4.3.2: certificates for
  commitment to signed content set contentCommitment). digitalSignature is not required: EU-style
  signing certificates carry nonRepudiation alone; the Vietnamese public-CA organisation
  certificates seen in published signatures carry both (digitalSignature, nonRepudiation,
  keyEncipherment under SAFE-CA and LCS-CA, chained to the NEAC root). This matches pyHanko's
  default signer constraint. Extended key usage is not constrained: those certificates list
  clientAuth and emailProtection, and no Vietnamese CA uses id-kp-documentSigning (RFC 9336).
  Missing or wrong: `CertKeyUsage`.
* **Identity**: the certificate carries the operator's tax code (mã số thuế, MST) and/or its
  SHA-256 fingerprint is pinned for the operator (`CertIdentity`).

Where the tax code is in a certificate (`tax_code_of`):

1. `UID` (userId, 0.9.2342.19200300.100.1.1) with the value `MST:<code>`: the form in the
   certificates of SAFE-CA, LCS-CA, Viettel-CA, FPT-CA, NC-CA, WINCA, HILO-CA and the tax
   department's own, as published in signed e-invoices and PDF reports (printed by Windows as
   `OID.0.9.2342.19200300.100.1.1=MST:0106324653`). Other UIDs sit beside it (`CCCD:`, `CMND:`,
   `MNS:` budget codes) and are ignored.
2. `organizationIdentifier` (2.5.4.97) as `VATVN-<code>` or `NTRVN-<code>` (ETSI EN 319 412-1
   §5.1.4); the enterprise code is the tax code (Law on Enterprises 59/2020/QH14, Art. 29).
3. A `MST:<code>` token inside an OU or CN (older profiles). Only with the `MST` prefix: bare
   digits in a name are never taken for a tax code.

A code is 10 digits, or 10 + `-` + 3 for a dependent unit (branch); the 10th digit is a check
digit over the first nine, weights 31, 29, 23, 19, 17, 13, 7, 5, 3 (mod 11). Two different codes
in one certificate are refused as ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from filings.errors import CertIdentity, CertKeyUsage, TrustConfigInvalid, WeakKey
from filings.signatures.roots import fingerprint

MIN_RSA_BITS: Final = 2048
"""The floor of Circular 15/2025/TT-BKHCN for RSA keys."""
MIN_EC_BITS: Final = 256
"""The floor of Circular 15/2025/TT-BKHCN for ECDSA keys."""

DIGEST_ALGORITHMS: Final = frozenset({"sha256", "sha384", "sha512", "sha3_256", "sha3_384",
                                      "sha3_512"})
"""Message digests accepted on a SignerInfo (asn1crypto names); SHA-1 and MD5 are refused."""

PDF_SUBFILTERS: Final = frozenset({"/ETSI.CAdES.detached", "/adbe.pkcs7.detached"})
"""PAdES baseline (ETSI EN 319 142-1 §5.1) and the PKCS#7 form Vietnamese signing tools make."""

ORGANIZATION_IDENTIFIER: Final = ObjectIdentifier("2.5.4.97")
_MST = re.compile(r"^(\d{10})-?(\d{3})?$")
_MST_TOKEN = re.compile(r"\bMST\s*[:=]\s*(\d{10}(?:-?\d{3})?)\b", re.IGNORECASE)
_UID_VALUE = re.compile(r"^\s*MST\s*[:=]\s*(\S+)\s*$", re.IGNORECASE)
_ORG_ID_VALUE = re.compile(r"^(?:VAT|NTR)VN-(\S+)$", re.IGNORECASE)
_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class SignaturePolicy:
    """The tunable parts of acceptance. The defaults are the legal floor; lower ones are refused.

    `require_timestamp`: refuse signatures without an RFC 3161 signature time-stamp (accept only
    CAdES-T / PAdES B-T and above); off by default, when the acceptance time is the signing time.
    `clock_skew`: how far a time-stamp or a claimed signing time may lie after acceptance.
    """

    min_rsa_bits: int = MIN_RSA_BITS
    min_ec_bits: int = MIN_EC_BITS
    digest_algorithms: frozenset[str] = DIGEST_ALGORITHMS
    pdf_subfilters: frozenset[str] = PDF_SUBFILTERS
    require_timestamp: bool = False
    clock_skew: timedelta = timedelta(minutes=5)

    def __post_init__(self) -> None:
        if self.min_rsa_bits < MIN_RSA_BITS or self.min_ec_bits < MIN_EC_BITS:
            raise TrustConfigInvalid(
                f"key size floor RSA {self.min_rsa_bits}/EC {self.min_ec_bits}: want at least "
                f"RSA {MIN_RSA_BITS}/EC {MIN_EC_BITS} (Circular 15/2025/TT-BKHCN)")
        if not self.digest_algorithms or {"sha1", "md5"} & self.digest_algorithms:
            raise TrustConfigInvalid(f"digest algorithms {sorted(self.digest_algorithms)}: want "
                                     "a non-empty set without sha1 and md5")
        if not timedelta(0) <= self.clock_skew <= timedelta(hours=1):
            raise TrustConfigInvalid(f"clock skew {self.clock_skew}: want 0 to 1 hour")


DEFAULT_POLICY: Final = SignaturePolicy()


def normalise_tax_code(text: str) -> str | None:
    """`text` as a canonical tax code (`0100109106` or `0100109106-001`), or None when it is not
    10 or 13 digits (optionally with the dash) with a good check digit."""
    match = _MST.match(text.strip())
    if match is None:
        return None
    head, branch = match.group(1), match.group(2)
    if head[2:9] == "0000000" or branch == "000":
        return None
    remainder = sum(w * int(d) for w, d in zip(_WEIGHTS, head, strict=False)) % 11
    if str(10 - remainder) != head[9]:
        return None
    return head if branch is None else f"{head}-{branch}"


@dataclass(frozen=True)
class OperatorIdentity:
    """Who may sign for an operator: its tax code, and/or pinned certificate fingerprints.

    Each given constraint must hold: with a tax code, the certificate must carry that code; with
    fingerprints, the certificate must be one of them; with both, both. Raises
    `TrustConfigInvalid` when neither is given, the tax code is not a valid MST, or a
    fingerprint is not 64 lowercase hex digits.
    """

    tax_code: str | None = None
    fingerprints: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.tax_code is None and not self.fingerprints:
            raise TrustConfigInvalid("an operator identity needs a tax code or a fingerprint")
        if self.tax_code is not None:
            code = normalise_tax_code(self.tax_code)
            if code is None:
                raise TrustConfigInvalid(f"tax code {self.tax_code!r}: want 10 digits (or 10-3) "
                                         "with a valid check digit")
            object.__setattr__(self, "tax_code", code)
        bad = sorted(f for f in self.fingerprints if not _HEX64.match(f))
        if bad:
            raise TrustConfigInvalid(f"fingerprints {bad}: want SHA-256 as 64 lowercase hex")


def tax_code_of(certificate: x509.Certificate) -> str | None:
    """The tax code the certificate's subject carries (see the module docstring for the forms),
    or None when it carries none.

    Raises `CertIdentity` when the subject carries two different codes.
    """
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
    for oid in (NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME):
        for attribute in subject.get_attributes_for_oid(oid):
            for token in _MST_TOKEN.findall(_text(attribute.value)):
                found.add(normalise_tax_code(token) or token)
    if len(found) > 1:
        raise CertIdentity(f"the certificate carries {len(found)} tax codes; want one",
                           details={"tax_codes": sorted(found)})
    return next(iter(found), None)


def check_key_strength(certificate: x509.Certificate, policy: SignaturePolicy) -> None:
    """Raise `WeakKey` unless the certificate's key is RSA >= `policy.min_rsa_bits` or EC on a
    curve of >= `policy.min_ec_bits`."""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        got, want, kind = key.key_size, policy.min_rsa_bits, "RSA"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        got, want, kind = key.curve.key_size, policy.min_ec_bits, "ECDSA"
    else:
        raise WeakKey(f"key type {type(key).__name__}: want RSA or ECDSA",
                      details={"key_type": type(key).__name__})
    if got < want:
        raise WeakKey(f"{kind} key of {got} bits: want at least {want}",
                      details={"key_type": kind, "bits": got, "min_bits": want})


def check_key_usage(certificate: x509.Certificate) -> None:
    """Raise `CertKeyUsage` unless keyUsage is present with nonRepudiation (contentCommitment)."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise CertKeyUsage("the certificate has no keyUsage extension; want nonRepudiation",
                           details={"key_usage": None}) from None
    if not usage.content_commitment:
        raise CertKeyUsage("the certificate's keyUsage lacks nonRepudiation (contentCommitment)",
                           details={"key_usage": key_usage_names(usage)})


def check_identity(certificate: x509.Certificate, identity: OperatorIdentity) -> None:
    """Raise `CertIdentity` unless the certificate meets each constraint of `identity`."""
    if identity.fingerprints:
        got = fingerprint(certificate)
        if got not in identity.fingerprints:
            raise CertIdentity("the certificate is not one pinned for the operator",
                               details={"fingerprint": got})
    if identity.tax_code is not None:
        code = tax_code_of(certificate)
        if code != identity.tax_code:
            raise CertIdentity(f"tax code {code}: want {identity.tax_code}",
                               details={"tax_code": code, "want": identity.tax_code})


def check_signer(certificate: x509.Certificate, policy: SignaturePolicy,
                 identity: OperatorIdentity) -> None:
    """All three checks, in order: key strength, key usage, identity."""
    check_key_strength(certificate, policy)
    check_key_usage(certificate)
    check_identity(certificate, identity)


def key_usage_names(usage: x509.KeyUsage) -> list[str]:
    """The RFC 5280 names of the bits set in a keyUsage extension."""
    names = [name for name, bit in (
        ("digitalSignature", usage.digital_signature),
        ("nonRepudiation", usage.content_commitment),
        ("keyEncipherment", usage.key_encipherment),
        ("dataEncipherment", usage.data_encipherment),
        ("keyAgreement", usage.key_agreement),
        ("keyCertSign", usage.key_cert_sign),
        ("cRLSign", usage.crl_sign)) if bit]
    return names


def _text(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
