"""The pure rules: tax codes in certificate subjects, identities, key policy, root bundles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

import filings.signatures as signatures
from filings.errors import CertIdentity, CertKeyUsage, TrustConfigInvalid, WeakKey
from filings.signatures import (
    OperatorIdentity,
    SignaturePolicy,
    TrustRoots,
    fingerprint,
    normalise_tax_code,
    tax_code_of,
)
from filings.signatures.policy import check_identity, check_key_usage, check_signer
from tests.filings.signatures.pki import MST_A, MST_B, TestPki

_KEY = ec.generate_private_key(ec.SECP256R1())
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _cert(*attributes: tuple[ObjectIdentifier, str], ca: bool = False,
          usage: x509.KeyUsage | None = None) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      *(x509.NameAttribute(oid, value) for oid, value in attributes)])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(_KEY.public_key()).serial_number(1)
               .not_valid_before(_NOW).not_valid_after(_NOW + timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    return builder.sign(_KEY, hashes.SHA256())


def _usage(commitment: bool) -> x509.KeyUsage:
    return x509.KeyUsage(True, commitment, True, False, False, False, False, False, False)


UID, OU, CN = NameOID.USER_ID, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.COMMON_NAME
ORG_ID = ObjectIdentifier("2.5.4.97")


def test_the_public_surface_is_sorted() -> None:
    """Constants, then classes, then functions, each alphabetical (ruff's RUF022 order)."""
    def rank(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)
    assert signatures.__all__ == sorted(signatures.__all__, key=rank)
    assert all(hasattr(signatures, name) for name in signatures.__all__)


@pytest.mark.parametrize(("text", "want"), [
    ("0100109106", "0100109106"), (" 3301001235 ", "3301001235"),
    ("0100686209-199", "0100686209-199"), ("3301001235-001", "3301001235-001"),
    ("3301001235001", "3301001235-001"), ("3301001236", None), ("330100123", None),
    ("3301001235-000", None), ("3300000000", None), ("MST:3301001235", None),
])
def test_tax_codes_are_checked_and_normalised(text: str, want: str | None) -> None:
    assert normalise_tax_code(text) == want


@pytest.mark.parametrize(("attributes", "want"), [
    (((UID, f"MST:{MST_A}"),), MST_A),
    (((UID, "CCCD:046090001234"), (UID, f"MST:{MST_A}")), MST_A),
    (((UID, f"mst: {MST_A}-001"),), f"{MST_A}-001"),
    (((ORG_ID, f"VATVN-{MST_B}"),), MST_B),
    (((ORG_ID, f"NTRVN-{MST_B}"),), MST_B),
    (((OU, f"Phòng Kế toán - MST:{MST_A}"),), MST_A),
    (((CN, f"CÔNG TY A (MST: {MST_A})"),), MST_A),
    (((CN, f"CÔNG TY A {MST_A}"),), None),
    (((UID, f"MST:{MST_A}"), (ORG_ID, f"VATVN-{MST_A}")), MST_A),
    (((UID, "CMND:012345678"),), None),
])
def test_the_tax_code_forms_of_vietnamese_certificates(
        attributes: tuple[tuple[ObjectIdentifier, str], ...], want: str | None) -> None:
    assert tax_code_of(_cert(*attributes)) == want


def test_two_tax_codes_in_one_certificate_are_refused() -> None:
    cert = _cert((UID, f"MST:{MST_A}"), (ORG_ID, f"VATVN-{MST_B}"))
    with pytest.raises(CertIdentity) as caught:
        tax_code_of(cert)
    assert caught.value.details["tax_codes"] == sorted([MST_A, MST_B])


def test_identity_by_tax_code_fingerprint_or_both() -> None:
    cert = _cert((UID, f"MST:{MST_A}"))
    check_identity(cert, OperatorIdentity(tax_code=MST_A))
    check_identity(cert, OperatorIdentity(fingerprints=frozenset({fingerprint(cert)})))
    check_identity(cert, OperatorIdentity(MST_A, frozenset({fingerprint(cert)})))
    with pytest.raises(CertIdentity, match=f"want {MST_B}"):
        check_identity(cert, OperatorIdentity(tax_code=MST_B))
    with pytest.raises(CertIdentity, match="not one pinned"):
        check_identity(cert, OperatorIdentity(MST_A, frozenset({"0" * 64})))


@pytest.mark.parametrize("kwargs", [
    {}, {"tax_code": "3301001236"}, {"fingerprints": frozenset({"ABC"})},
])
def test_unusable_identities_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(TrustConfigInvalid):
        OperatorIdentity(**kwargs)  # type: ignore[arg-type]


def test_key_usage_needs_non_repudiation() -> None:
    check_key_usage(_cert(usage=_usage(commitment=True)))
    with pytest.raises(CertKeyUsage) as caught:
        check_key_usage(_cert(usage=_usage(commitment=False)))
    assert caught.value.details["key_usage"] == ["digitalSignature", "keyEncipherment"]
    with pytest.raises(CertKeyUsage):
        check_key_usage(_cert())


def test_checks_run_key_then_usage_then_identity() -> None:
    cert = _cert((UID, f"MST:{MST_B}"), usage=_usage(commitment=False))
    with pytest.raises(CertKeyUsage):
        check_signer(cert, SignaturePolicy(), OperatorIdentity(tax_code=MST_A))
    strict = SignaturePolicy(min_ec_bits=384)
    with pytest.raises(WeakKey, match="256 bits: want at least 384"):
        check_signer(cert, strict, OperatorIdentity(tax_code=MST_A))


@pytest.mark.parametrize("kwargs", [
    {"min_rsa_bits": 1024}, {"min_ec_bits": 192}, {"digest_algorithms": frozenset({"sha1"})},
    {"clock_skew": timedelta(hours=2)},
])
def test_policies_below_the_legal_floor_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(TrustConfigInvalid):
        SignaturePolicy(**kwargs)  # type: ignore[arg-type]


def test_root_bundles(pki: TestPki) -> None:
    pem = pki.root.cert.public_bytes(serialization.Encoding.PEM)
    roots = TrustRoots.from_pem(pem + pem)
    assert len(roots.certificates) == 1 and roots.is_root(pki.root.cert)
    assert not roots.is_root(pki.ca.cert)
    for bad in (b"", b"not pem", pki.ca.cert.public_bytes(serialization.Encoding.PEM),
                _cert().public_bytes(serialization.Encoding.PEM)):
        with pytest.raises(TrustConfigInvalid):
            TrustRoots.from_pem(bad)
