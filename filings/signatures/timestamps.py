"""RFC 3161 signature time-stamps: the trusted signing time of CAdES-T and PAdES B-T.

A signature time-stamp is an unsigned attribute (id-aa-signatureTimeStampToken) whose token's
messageImprint is the hash of the SignerInfo's signature value (ETSI EN 319 122-1 §5.3;
RFC 3161 §2.4.2). `verify_signature_timestamp` checks, in order:

1. the token is a SignedData over a TSTInfo (RFC 3161 §2.4.2) with one SignerInfo whose
   certificate is in the token, and a signing-certificate(-v2) attribute naming it
   (RFC 3161 §2.4.1, RFC 5816);
2. the imprint's digest algorithm is accepted and the imprint is that of the signature value;
3. the token's own signature verifies (RFC 5652 §5.6);
4. the TSA certificate has the id-kp-timeStamping extended key usage, marked critical
   (RFC 3161 §2.3), and a key of the policy's strength;
5. its path to a pinned root is valid at genTime with the stored evidence (`paths`).

Any failure is a `TimestampInvalid` whose details name the underlying reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.general import (
    CMSExtractionError,
    CMSStructuralError,
    extract_certificate_info,
)
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import get_signing_cert_attr, validate_sig_integrity

from filings.errors import SignatureRefused, TimestampInvalid
from filings.signatures.evidence import Evidence
from filings.signatures.paths import validate_path
from filings.signatures.policy import SignaturePolicy, check_key_strength
from filings.signatures.roots import TrustRoots


@dataclass(frozen=True)
class Timestamp:
    """A verified signature time-stamp: genTime, the TSA's certificate and the token's DER."""

    gen_time: datetime
    tsa: x509.Certificate
    token: bytes = field(repr=False)

    @property
    def sha256(self) -> str:
        """The token's evidence address."""
        return hashlib.sha256(self.token).hexdigest()


def signature_timestamps(signer_info: asn1_cms.SignerInfo) -> list[asn1_cms.ContentInfo]:
    """The signature time-stamp tokens among a SignerInfo's unsigned attributes."""
    unsigned = signer_info["unsigned_attrs"]
    if isinstance(unsigned, asn1_core.Void):
        return []
    return [token for attribute in unsigned
            if attribute["type"].native == "signature_time_stamp_token"
            for token in attribute["values"]]


def verify_signature_timestamp(token: asn1_cms.ContentInfo, signature_value: bytes, *,
                               roots: TrustRoots, evidence: Evidence,
                               policy: SignaturePolicy) -> Timestamp:
    """Verify one signature time-stamp token over `signature_value` (the module's checks).

    Raises `TimestampInvalid`.
    """
    try:
        signed_data, info, tsa = _parse(token)
    except (CMSExtractionError, CMSStructuralError, ValueError, KeyError, TypeError) as exc:
        raise TimestampInvalid(f"malformed time-stamp token: {exc}",
                               details={"reason": "malformed"}) from exc
    algorithm = info["message_imprint"]["hash_algorithm"]["algorithm"].native
    if algorithm not in policy.digest_algorithms:
        raise TimestampInvalid(f"time-stamp imprint digest {algorithm}: want one of "
                               f"{sorted(policy.digest_algorithms)}",
                               details={"reason": "weak_algorithm"})
    imprint = info["message_imprint"]["hashed_message"].native
    if imprint != hashlib.new(algorithm, signature_value).digest():
        raise TimestampInvalid("the time-stamp is not over this signature's value",
                               details={"reason": "imprint_mismatch"})
    signer_info = signed_data["signer_infos"][0]
    content = bytes(signed_data["encap_content_info"]["content"])
    digest_algorithm = signer_info["digest_algorithm"]["algorithm"].native
    if digest_algorithm not in policy.digest_algorithms:
        raise TimestampInvalid(f"time-stamp token digest {digest_algorithm} is not accepted",
                               details={"reason": "weak_algorithm"})
    try:
        intact, valid = validate_sig_integrity(
            signer_info, tsa, "tst_info",
            hashlib.new(digest_algorithm, content).digest())
    except (SignatureValidationError, CMSStructuralError, ValueError) as exc:
        raise TimestampInvalid(f"time-stamp token: {exc}", details={"reason": "malformed"}) \
            from exc
    if not (intact and valid):
        raise TimestampInvalid("the time-stamp token's signature does not verify",
                               details={"reason": "signature_invalid"})
    gen_time: datetime = info["gen_time"].native
    tsa_cert = x509.load_der_x509_certificate(tsa.dump())
    _check_tsa_certificate(tsa_cert, policy)
    try:
        validate_path(tsa, _other_certs(signed_data, tsa), at=gen_time, roots=roots,
                      evidence=evidence, policy=policy)
    except SignatureRefused as exc:
        raise TimestampInvalid(f"time-stamping authority: {exc.message}",
                               details={"reason": exc.code, **exc.details}) from exc
    return Timestamp(gen_time, tsa_cert, token.dump())


def _parse(token: asn1_cms.ContentInfo) -> tuple[asn1_cms.SignedData, asn1_tsp.TSTInfo,
                                                 asn1_x509.Certificate]:
    if token["content_type"].native != "signed_data":
        raise ValueError("the token is not a SignedData")
    signed_data = token["content"]
    encapsulated = signed_data["encap_content_info"]
    if encapsulated["content_type"].native != "tst_info":
        raise ValueError("the token does not encapsulate a TSTInfo")
    info = encapsulated["content"].parsed
    if not isinstance(info, asn1_tsp.TSTInfo):
        raise ValueError("the token does not encapsulate a TSTInfo")
    if len(signed_data["signer_infos"]) != 1:
        raise ValueError(f"{len(signed_data['signer_infos'])} SignerInfos in the token; want 1")
    tsa = extract_certificate_info(signed_data).signer_cert
    if get_signing_cert_attr(signed_data["signer_infos"][0]["signed_attrs"]) is None:
        raise ValueError("no signing-certificate attribute (RFC 3161 §2.4.1)")
    return signed_data, info, tsa


def _other_certs(signed_data: asn1_cms.SignedData,
                 leaf: asn1_x509.Certificate) -> Sequence[asn1_x509.Certificate]:
    return [choice.chosen for choice in signed_data["certificates"] or ()
            if choice.name == "certificate" and choice.chosen.dump() != leaf.dump()]


def _check_tsa_certificate(certificate: x509.Certificate, policy: SignaturePolicy) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.critical or ExtendedKeyUsageOID.TIME_STAMPING not in usage.value:
        raise TimestampInvalid("the TSA certificate lacks a critical id-kp-timeStamping "
                               "extended key usage (RFC 3161 §2.3)",
                               details={"reason": "cert_key_usage"})
    try:
        check_key_strength(certificate, policy)
    except SignatureRefused as exc:
        raise TimestampInvalid(f"time-stamping authority: {exc.message}",
                               details={"reason": exc.code, **exc.details}) from exc
