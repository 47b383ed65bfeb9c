"""Certification path validation at a given time, from stored evidence only (RFC 5280 §6).

`validate_path` runs pyhanko-certvalidator's RFC 5280 §6.1 algorithm with the pinned roots as the
only trust anchors, at the signing time (point-in-time validation, ETSI EN 319 102-1 §5.2.6), and
with revocation checked against the given OCSP responses (RFC 6960) and CRLs (RFC 5280 §6.3)
alone: it never fetches. Rules:

* every certificate on the path, the root excepted, must have a status from the evidence (OCSP
  or CRL: "eithercheck" of ETSI TS 119 172-4), and the CA's OCSP responder must itself validate;
* revocation data gathered after the signing time counts (retroactive use: a certificate good at
  acceptance was good at the earlier signing time); a revocation dated at or before the signing
  time refuses the signature, a later one does not (ETSI EN 319 102-1 §5.2.6);
* each non-root certificate must also be unexpired at acceptance (`Evidence.validated_at`): CAs
  may drop expired certificates from their CRLs (RFC 5280 §3.3) and OCSP responders may stop
  answering for them (RFC 6960 §4.4.4), so status gathered after expiry proves nothing.

certvalidator's errors are translated here, once, into `FilingError`s.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    DisallowedAlgorithmError,
    ExpiredError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.policy_decl import (
    REQUIRE_REVINFO,
    CertRevTrustPolicy,
    DisallowWeakAlgorithmsPolicy,
)

from filings.errors import (
    CertExpired,
    CertNotYetValid,
    CertRevoked,
    CertUntrusted,
    RevocationUnavailable,
    SignatureRefused,
    WeakAlgorithm,
)
from filings.signatures.evidence import Evidence, EvidenceKind
from filings.signatures.policy import SignaturePolicy
from filings.signatures.roots import TrustRoots

TIME_TOLERANCE: Final = timedelta(seconds=1)
_T = TypeVar("_T")
_LOCAL = threading.local()
_REVINFO_POLICY: Final = CertRevTrustPolicy(REQUIRE_REVINFO, retroactive_revinfo=True)


def run_sync(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion on an event loop of its own, closed afterwards.

    certvalidator's API is async although, with fetching off, nothing in it waits for I/O. A
    loop costs tens of microseconds beside a signature check's milliseconds, and one closed
    at once leaves no socket behind when the worker thread that ran it ends. Requires that no
    loop is running on the calling thread: call from a worker thread (`asyncio.to_thread`),
    never from a coroutine.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def validate_path(certificate: asn1_x509.Certificate,
                  intermediates: Sequence[asn1_x509.Certificate], *, at: datetime,
                  roots: TrustRoots, evidence: Evidence,
                  policy: SignaturePolicy) -> list[x509.Certificate]:
    """The validated path of `certificate` at time `at`, leaf first, pinned root last.

    Intermediates come from `intermediates` (the signature's own certificates) and the evidence.
    Raises `CertUntrusted` (no path to a pinned root, or the leaf is a root), `CertExpired` /
    `CertNotYetValid` (outside validity at `at`, or expired at acceptance), `CertRevoked`,
    `RevocationUnavailable` (no usable OCSP/CRL for a certificate), `WeakAlgorithm` (MD5/SHA-1 or
    a short RSA key signing a certificate or status).
    """
    if any(certificate.dump() == root.dump() for root in roots.asn1):
        raise CertUntrusted("the signer's certificate is itself a trust root",
                            details={"subject": certificate.subject.human_friendly})
    others = [_parsed(asn1_x509.Certificate, der) for der in dict.fromkeys(
        [*(c.dump() for c in intermediates), *evidence.of_kind(EvidenceKind.CERTIFICATE)])]
    context = ValidationContext(
        trust_roots=list(roots.asn1),
        other_certs=others,
        moment=at,
        allow_fetching=False,
        crls=[_parsed(asn1_crl.CertificateList, der)
              for der in evidence.of_kind(EvidenceKind.CRL)],
        ocsps=[_parsed(asn1_ocsp.OCSPResponse, der)
               for der in evidence.of_kind(EvidenceKind.OCSP)],
        revinfo_policy=_REVINFO_POLICY,
        time_tolerance=TIME_TOLERANCE,
        algorithm_usage_policy=DisallowWeakAlgorithmsPolicy(  # type: ignore[no-untyped-call]
            rsa_key_size_threshold=policy.min_rsa_bits),
    )
    validator = CertificateValidator(certificate, others, validation_context=context)
    try:
        path = run_sync(validator.async_validate_path())
    except (ValidationError, PathError) as exc:
        raise _translate(exc, at) from exc
    except (ValueError, TypeError, KeyError) as exc:
        raise CertUntrusted(f"a certificate, CRL or OCSP response on the path is malformed: "
                            f"{exc}", details={"validation_time": at.isoformat()}) from exc
    chain = [x509.load_der_x509_certificate(c.dump()) for c in path.iter_certs(include_root=True)]
    chain.reverse()
    _check_unexpired_at_acceptance(chain[:-1], evidence.validated_at)
    return chain


# The same CA certificates, CRLs and OCSP responses recur across signatures; asn1crypto objects
# keep what they have parsed (names prepared for comparison, RFC 5280 §7.1, are most of the
# cost), so each DER is parsed once per thread (asn1crypto parses lazily, so objects are not
# shared between threads).
_CACHE_LIMIT: Final = 2048


def _parsed(kind: Any, der: bytes) -> Any:
    """`kind.load(der)` (an asn1crypto class), from this thread's cache."""
    cache: dict[tuple[Any, bytes], Any] | None = getattr(_LOCAL, "parsed", None)
    if cache is None or len(cache) > _CACHE_LIMIT:
        cache = _LOCAL.parsed = {}
    key = (kind, der)
    if key not in cache:
        cache[key] = kind.load(der)
    return cache[key]


def _check_unexpired_at_acceptance(chain: Sequence[x509.Certificate],
                                   accepted_at: datetime) -> None:
    for cert in chain:
        if cert.not_valid_after_utc + TIME_TOLERANCE < accepted_at:
            raise CertExpired(
                f"{cert.subject.rfc4514_string()} expired at {cert.not_valid_after_utc}, before "
                f"acceptance at {accepted_at}; its status then proves nothing",
                details={"subject": cert.subject.rfc4514_string(), "at": "acceptance",
                         "not_after": cert.not_valid_after_utc.isoformat()})


def _translate(exc: ValidationError | PathError, at: datetime) -> SignatureRefused:
    """The `FilingError` for a certvalidator error."""
    when = {"validation_time": at.isoformat()}
    if isinstance(exc, RevokedError):
        return CertRevoked(exc.failure_msg, details={
            **when, "revoked_at": exc.revocation_dt.isoformat(),
            "reason": exc.reason.native, "ca": not exc.is_ee_cert})
    if isinstance(exc, ExpiredError):
        return CertExpired(exc.failure_msg, details={
            **when, "at": "signing", "not_after": exc.expired_dt.isoformat()})
    if isinstance(exc, NotYetValidError):
        return CertNotYetValid(exc.failure_msg, details={
            **when, "not_before": exc.valid_from.isoformat()})
    if isinstance(exc, InsufficientRevinfoError):
        return RevocationUnavailable(exc.failure_msg, details=when)
    if isinstance(exc, DisallowedAlgorithmError):
        return WeakAlgorithm(exc.failure_msg, details=when)
    if isinstance(exc, PathBuildingError | InvalidCertificateError):
        return CertUntrusted(f"no certification path to a pinned root: {exc}", details=when)
    return CertUntrusted(str(exc), details=when)

