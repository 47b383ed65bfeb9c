"""The checks every CA signature passes, in CMS files and PDFs alike.

`verify_signer` takes a CMS SignedData (RFC 5652 §5) whose content is detached, a function giving
the digest of the signed bytes under a named algorithm, and the stored evidence, and either
returns the verified facts or raises the `FilingError` of the first failed check:

1. one SignerInfo, its certificate among the SignedData's certificates (RFC 5652 §5.3), signed
   attributes present, eContentType id-data; for CAdES, a signing-certificate-v2 (or v1)
   attribute naming that certificate (ETSI EN 319 122-1 §5.2.2) -> `CmsInvalid`;
2. digest and signature algorithms accepted (SHA-2/SHA-3; RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA)
   -> `WeakAlgorithm`;
3. the signature value verifies over the signed attributes -> `SignatureInvalid`; the
   message-digest attribute equals the digest of the bytes (RFC 5652 §5.4, §11.2) -> `tampered`
   (`SignatureInvalid` for data, `PdfModified` for a PDF's byte range);
4. the signer's certificate passes `policy.check_signer` (key strength, nonRepudiation,
   operator identity);
5. a signature time-stamp, when present, verifies (`timestamps`), and is one the evidence lists;
   absent while the policy requires one -> `TimestampMissing`;
6. the signing time is the time-stamp's genTime, else the acceptance time
   (`Evidence.validated_at`): with no trusted time a signature is only known to exist once the
   ledger holds it (ETSI EN 319 102-1 §5.3). It may not be later than acceptance, and a claimed
   signingTime may not be later than it (both with `policy.clock_skew`) -> `SigningTimeInvalid`;
7. the signer's path validates at the signing time from the evidence alone (`paths`).

Pure but for CPU: no network, no clock. `now` is only checked not to precede the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core
from cryptography import x509
from pyhanko.sign.general import (
    CMSExtractionError,
    CMSStructuralError,
    SignedDataCerts,
    extract_certificate_info,
)
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import (
    extract_self_reported_ts,
    get_signing_cert_attr,
    validate_sig_integrity,
)

from filings.errors import (
    CmsInvalid,
    EvidenceInvalid,
    FilingError,
    SignatureInvalid,
    SignatureRefused,
    SigningTimeInvalid,
    TimestampMissing,
    WeakAlgorithm,
)
from filings.signatures.evidence import Evidence, EvidenceKind
from filings.signatures.paths import validate_path
from filings.signatures.policy import OperatorIdentity, SignaturePolicy, check_signer, tax_code_of
from filings.signatures.results import VALID, SignatureFormat, SignatureResult, TimeSource
from filings.signatures.roots import TrustRoots, fingerprint
from filings.signatures.timestamps import (
    Timestamp,
    signature_timestamps,
    verify_signature_timestamp,
)

SIGNATURE_ALGORITHMS: Final = frozenset({"rsassa_pkcs1v15", "rsassa_pss", "ecdsa"})
"""Signature mechanisms accepted on a SignerInfo (RSA or ECDSA, per Circular 15/2025)."""

ContentDigest = Callable[[str], bytes]
"""Digest of the signed bytes under a digest algorithm named as asn1crypto names it."""


@dataclass(frozen=True)
class VerifiedSigner:
    """The facts of a signature that passed every check."""

    certificate: x509.Certificate
    signed_at: datetime
    time_source: TimeSource
    claimed_at: datetime | None
    timestamp: Timestamp | None
    path: tuple[x509.Certificate, ...]


def signer_certificate(signed_data: asn1_cms.SignedData) -> x509.Certificate | None:
    """The signer's certificate of a SignedData, or None when it cannot be found."""
    try:
        return x509.load_der_x509_certificate(_certificates(signed_data).signer_cert.dump())
    except (CmsInvalid, ValueError):
        return None


def claimed_signing_time(signed_data: asn1_cms.SignedData) -> datetime | None:
    """The signer's own signingTime attribute (RFC 5652 §11.3), if any: a claim, not proof."""
    try:
        moment: datetime | None = extract_self_reported_ts(signed_data["signer_infos"][0])
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return moment


def verify_signer(signed_data: asn1_cms.SignedData, content_digest: ContentDigest, *,
                  cades: bool, tampered: type[SignatureRefused], roots: TrustRoots,
                  tsa_roots: TrustRoots, identity: OperatorIdentity, evidence: Evidence,
                  policy: SignaturePolicy, now: datetime,
                  claimed_at: datetime | None = None) -> VerifiedSigner:
    """Run the module's checks 1-7 on `signed_data`; `tsa_roots` anchor time-stamps.

    `claimed_at` defaults to the signingTime attribute. Raises the `FilingError` of the first
    failed check, or `EvidenceInvalid` when `now` precedes `evidence.validated_at` (less skew).
    """
    if now + policy.clock_skew < evidence.validated_at:
        raise EvidenceInvalid(f"checking at {now}, before the evidence was gathered at "
                              f"{evidence.validated_at}")
    signer_info, certs = _structure(signed_data, cades=cades)
    digest_algorithm = _check_algorithms(signer_info, policy)
    _check_integrity(signer_info, certs, content_digest(digest_algorithm), tampered)
    signer = x509.load_der_x509_certificate(certs.signer_cert.dump())
    check_signer(signer, policy, identity)
    timestamp = _timestamp(signer_info, tsa_roots=tsa_roots, evidence=evidence, policy=policy)
    signed_at = evidence.validated_at if timestamp is None else timestamp.gen_time
    source: TimeSource = "acceptance" if timestamp is None else "timestamp"
    if signed_at > evidence.validated_at + policy.clock_skew:
        raise SigningTimeInvalid(f"time-stamped at {signed_at}, after acceptance at "
                                 f"{evidence.validated_at}",
                                 details={"signed_at": signed_at.isoformat()})
    claimed = claimed_at if claimed_at is not None else claimed_signing_time(signed_data)
    if claimed is not None and claimed > signed_at + policy.clock_skew:
        raise SigningTimeInvalid(f"claims to be signed at {claimed}, after {signed_at} ({source})",
                                 details={"claimed_at": claimed.isoformat(),
                                          "signed_at": signed_at.isoformat()})
    path = validate_path(certs.signer_cert, list(certs.other_certs), at=signed_at, roots=roots,
                         evidence=evidence, policy=policy)
    return VerifiedSigner(signer, signed_at, source, claimed, timestamp, tuple(path))


def _certificates(signed_data: asn1_cms.SignedData) -> SignedDataCerts:
    try:
        return extract_certificate_info(signed_data)
    except (CMSExtractionError, ValueError, KeyError, TypeError) as exc:
        raise CmsInvalid("the signer's certificate is not in the signature "
                         "(RFC 5652 §5.3 sid)") from exc


def _structure(signed_data: asn1_cms.SignedData, *,
               cades: bool) -> tuple[asn1_cms.SignerInfo, SignedDataCerts]:
    try:
        infos = signed_data["signer_infos"]
        count = len(infos)
        content_type = signed_data["encap_content_info"]["content_type"].native
    except (ValueError, KeyError, TypeError) as exc:
        raise CmsInvalid(f"malformed SignedData: {exc}") from exc
    if count != 1:
        raise CmsInvalid(f"{count} SignerInfos: want 1", details={"signer_infos": count})
    if content_type != "data":
        raise CmsInvalid(f"eContentType {content_type}: want id-data")
    signer_info = infos[0]
    certs = _certificates(signed_data)
    attributes = signer_info["signed_attrs"]
    if isinstance(attributes, asn1_core.Void):
        raise CmsInvalid("no signed attributes: want content-type, message-digest and "
                         "signing-certificate-v2 (ETSI EN 319 122-1 §5.2)")
    try:
        essential = get_signing_cert_attr(attributes)
    except SignatureValidationError as exc:
        raise CmsInvalid(str(exc)) from exc
    if cades and essential is None:
        raise CmsInvalid("no signing-certificate-v2 attribute (ETSI EN 319 122-1 §5.2.2.3)")
    return signer_info, certs


def _check_algorithms(signer_info: asn1_cms.SignerInfo, policy: SignaturePolicy) -> str:
    digest_algorithm: str = signer_info["digest_algorithm"]["algorithm"].native
    if digest_algorithm not in policy.digest_algorithms:
        raise WeakAlgorithm(f"digest algorithm {digest_algorithm}: want one of "
                            f"{sorted(policy.digest_algorithms)}",
                            details={"digest_algorithm": digest_algorithm})
    mechanism = signer_info["signature_algorithm"]
    try:
        kind = mechanism.signature_algo
    except ValueError as exc:
        raise WeakAlgorithm(f"signature algorithm {mechanism['algorithm'].native} is not "
                            "accepted") from exc
    try:
        bound_hash = mechanism.hash_algo
    except ValueError:
        bound_hash = None
    if kind not in SIGNATURE_ALGORITHMS or (bound_hash is not None
                                            and bound_hash not in policy.digest_algorithms):
        raise WeakAlgorithm(f"signature algorithm {mechanism['algorithm'].native}: want RSA or "
                            "ECDSA with SHA-2",
                            details={"signature_algorithm": mechanism["algorithm"].native})
    return digest_algorithm


def _check_integrity(signer_info: asn1_cms.SignerInfo, certs: SignedDataCerts, digest: bytes,
                     tampered: type[SignatureRefused]) -> None:
    try:
        intact, valid = validate_sig_integrity(signer_info, certs.signer_cert, "data", digest)
    except (SignatureValidationError, CMSStructuralError, ValueError, KeyError) as exc:
        raise CmsInvalid(f"malformed signed attributes: {exc}") from exc
    if not valid:
        raise SignatureInvalid("the signature value does not verify with the signer's key")
    if not intact:
        raise tampered("the signed message digest is not the digest of the signed bytes")


def _timestamp(signer_info: asn1_cms.SignerInfo, *, tsa_roots: TrustRoots, evidence: Evidence,
               policy: SignaturePolicy) -> Timestamp | None:
    tokens = signature_timestamps(signer_info)
    if not tokens:
        if policy.require_timestamp:
            raise TimestampMissing("no signature time-stamp: the policy requires CAdES-T / "
                                   "PAdES B-T")
        return None
    signature_value = signer_info["signature"].native
    stamps = [verify_signature_timestamp(token, signature_value, roots=tsa_roots,
                                         evidence=evidence, policy=policy) for token in tokens]
    earliest = min(stamps, key=lambda stamp: stamp.gen_time)
    recorded = {item.sha256 for item in evidence.items if item.kind is EvidenceKind.TIMESTAMP}
    if earliest.sha256 not in recorded:
        raise EvidenceInvalid("the time-stamp that fixes the signing time is not in the evidence",
                              details={"sha256": earliest.sha256})
    return earliest


def signature_result(form: SignatureFormat, signed_data: asn1_cms.SignedData,
                     verified: VerifiedSigner | None, error: FilingError | None, *,
                     attachment: str | None = None,
                     field_name: str | None = None) -> SignatureResult:
    """The `SignatureResult` of a checked SignedData: the facts that could be read, and the
    status (`valid` when `error` is None)."""
    certificate = verified.certificate if verified else signer_certificate(signed_data)
    tax_code = signer = issuer = None
    if certificate is not None:
        try:
            signer = certificate.subject.rfc4514_string()
            issuer = certificate.issuer.rfc4514_string()
            tax_code = tax_code_of(certificate)
        except (FilingError, ValueError):
            tax_code = None
    return SignatureResult(
        format=form,
        status=VALID if error is None else error.code,
        signer=signer,
        issuer=issuer,
        serial=format(certificate.serial_number, "x") if certificate else None,
        signed_at=verified.signed_at if verified else None,
        time_source=verified.time_source if verified else None,
        claimed_at=verified.claimed_at if verified else claimed_signing_time(signed_data),
        tax_code=tax_code,
        fingerprint=fingerprint(certificate) if certificate else None,
        attachment=attachment,
        field_name=field_name,
        error=error,
    )
