"""Revocation at the signing time, from the stored OCSP responses and CRLs alone.

`check_path_status` takes a validated path (leaf first, pinned root last) and the evidence the
ledger stored at acceptance, and raises the `SignatureRefused` of the first failure. Rules, those
the ledger applies at acceptance (and pyhanko-certvalidator with retroactive revocation data):

* every certificate on the path but the root needs a status from the evidence: an OCSP response
  (RFC 6960) whose CertID names it and its issuer, or a CRL (RFC 5280 §5) of its issuer
  (`revocation_unavailable` without one);
* a status counts when it was gathered by acceptance (`thisUpdate` <= acceptance, with the
  clock skew) and speaks for the signing time: issued at or after it (retroactive use: a
  certificate good at acceptance was good at the earlier signing time), or with a `nextUpdate`
  not before it;
* revoked at or before the signing time refuses the signature (`cert_revoked`); revoked later
  does not (ETSI EN 319 102-1 §5.2.6);
* each certificate but the root must be unexpired at acceptance: CAs drop expired certificates
  from their CRLs (RFC 5280 §3.3) and responders may stop answering for them (RFC 6960 §4.4.4),
  so a status gathered after expiry proves nothing (`cert_expired`);
* the evidence itself must hold: an OCSP response naming a certificate of the path must be signed
  by that certificate's issuer, or by a responder the issuer certified directly with
  id-kp-OCSPSigning, valid when the response was produced, and either carrying
  id-pkix-ocsp-nocheck or shown unrevoked by a CRL of the issuer (RFC 6960 §4.2.2.2); a CRL of
  the issuer must verify with the issuer's key. Anything else in the evidence for the path is a
  forgery (`evidence_invalid`), never merely skipped.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from verifier.certificates import TIME_TOLERANCE
from verifier.signature_status import SignatureRefused

CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far evidence and time-stamps may lie after acceptance (the ledger's default policy)."""


@dataclass(frozen=True, slots=True)
class RevocationData:
    """The parsed OCSP responses and CRLs of one evidence document, and its acceptance time."""

    accepted_at: datetime
    ocsp: tuple[ocsp.OCSPResponse, ...]
    crls: tuple[x509.CertificateRevocationList, ...]


def check_path_status(
    path: Sequence[x509.Certificate], *, at: datetime, revocation: RevocationData
) -> None:
    """Check every certificate of `path` but its root at the signing time `at` (module doc).

    Requires `path` leaf first, each certificate issued by the next. Raises `SignatureRefused`.
    """
    for cert, issuer in itertools.pairwise(path):
        if cert.not_valid_after_utc + TIME_TOLERANCE < revocation.accepted_at:
            raise SignatureRefused(
                "cert_expired",
                f"{cert.subject.rfc4514_string()} expired at {cert.not_valid_after_utc}, before "
                f"acceptance at {revocation.accepted_at}: its status then proves nothing",
            )
        found = _ocsp_status(cert, issuer, at=at, revocation=revocation)
        found = _crl_status(cert, issuer, at=at, revocation=revocation) or found
        if not found:
            raise SignatureRefused(
                "revocation_unavailable",
                f"no OCSP response or CRL in the evidence gives the status of "
                f"{cert.subject.rfc4514_string()} (serial {cert.serial_number:x}) at {at}",
            )


def _speaks_for(
    this_update: datetime, next_update: datetime | None, *, at: datetime, accepted_at: datetime
) -> bool:
    """Whether a status issued at `this_update` counts for the signing time `at`."""
    if this_update > accepted_at + CLOCK_SKEW:
        return False
    return this_update + TIME_TOLERANCE >= at or next_update is None or next_update >= at


def _ocsp_status(
    cert: x509.Certificate, issuer: x509.Certificate, *, at: datetime, revocation: RevocationData
) -> bool:
    """Whether an OCSP response gives `cert` a status good at `at`; raises on a revocation or
    a response that names `cert` but is not its issuer's."""
    found = False
    for response in revocation.ocsp:
        for single in _naming(response, cert, issuer):
            _check_responder(response, issuer, revocation=revocation)
            if not _speaks_for(
                single.this_update_utc,
                single.next_update_utc,
                at=at,
                accepted_at=revocation.accepted_at,
            ):
                continue
            status = single.certificate_status
            if status is ocsp.OCSPCertStatus.REVOKED:
                revoked_at = single.revocation_time_utc
                if revoked_at is None or revoked_at <= at + TIME_TOLERANCE:
                    raise SignatureRefused(
                        "cert_revoked",
                        f"{cert.subject.rfc4514_string()} was revoked at {revoked_at} "
                        f"({single.revocation_reason}), by the signing time {at} (OCSP)",
                    )
                found = True
            elif status is ocsp.OCSPCertStatus.GOOD:
                found = True
    return found


def _naming(
    response: ocsp.OCSPResponse, cert: x509.Certificate, issuer: x509.Certificate
) -> Iterator[ocsp.OCSPSingleResponse]:
    """The single responses of `response` whose CertID is `cert`'s under `issuer`."""
    for single in response.responses:
        if single.serial_number != cert.serial_number:
            continue
        expected = (
            ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, single.hash_algorithm).build()
        )
        if (single.issuer_key_hash, single.issuer_name_hash) == (
            expected.issuer_key_hash,
            expected.issuer_name_hash,
        ):
            yield single


def _check_responder(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, *, revocation: RevocationData
) -> None:
    """Raise `evidence_invalid` unless `response` is signed by `issuer` or by a responder it
    authorised (module doc)."""
    produced_at = response.produced_at_utc
    candidates = [issuer, *response.certificates]
    signer = next((c for c in candidates if _identifies(response, c)), None)
    if signer is None:
        raise SignatureRefused(
            "evidence_invalid",
            f"the OCSP response for {issuer.subject.rfc4514_string()}'s certificate names a "
            "responder whose certificate it does not carry",
        )
    if signer != issuer and signer.public_key() != issuer.public_key():
        _check_delegated(signer, issuer, produced_at, revocation)
    key = signer.public_key()
    algorithm = response.signature_hash_algorithm
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(
                response.signature, response.tbs_response_bytes, padding.PKCS1v15(), algorithm
            )
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(algorithm))
        else:
            raise SignatureRefused(
                "evidence_invalid", "an OCSP response signed with an unsupported algorithm"
            )
    except (InvalidSignature, UnsupportedAlgorithm) as exc:
        raise SignatureRefused(
            "evidence_invalid",
            f"the OCSP response's signature does not verify with the key of its responder "
            f"{signer.subject.rfc4514_string()}",
        ) from exc


def _identifies(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    """Whether the response's ResponderID (RFC 6960 §4.2.2.3) names `cert`."""
    if response.responder_key_hash is not None:
        digest = x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest
        return response.responder_key_hash == digest
    return response.responder_name == cert.subject


def _check_delegated(
    signer: x509.Certificate,
    issuer: x509.Certificate,
    produced_at: datetime,
    revocation: RevocationData,
) -> None:
    name = signer.subject.rfc4514_string()
    try:
        signer.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature) as exc:
        raise SignatureRefused(
            "evidence_invalid",
            f"OCSP responder {name} is not certified by {issuer.subject.rfc4514_string()}",
        ) from exc
    try:
        usages = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = x509.ExtendedKeyUsage([])
    if ExtendedKeyUsageOID.OCSP_SIGNING not in usages:
        raise SignatureRefused("evidence_invalid", f"OCSP responder {name} lacks id-kp-OCSPSigning")
    if not (
        signer.not_valid_before_utc - TIME_TOLERANCE
        <= produced_at
        <= signer.not_valid_after_utc + TIME_TOLERANCE
    ):
        raise SignatureRefused(
            "evidence_invalid", f"OCSP responder {name} was not valid at {produced_at}"
        )
    try:
        signer.extensions.get_extension_for_class(x509.OCSPNoCheck)
    except x509.ExtensionNotFound:
        if not _crl_status(signer, issuer, at=produced_at, revocation=revocation):
            raise SignatureRefused(
                "revocation_unavailable",
                f"OCSP responder {name} has no id-pkix-ocsp-nocheck and no CRL in the "
                "evidence gives its status",
            ) from None


def _crl_status(
    cert: x509.Certificate, issuer: x509.Certificate, *, at: datetime, revocation: RevocationData
) -> bool:
    """Whether a CRL of `issuer` gives `cert` a status good at `at`; raises on a revocation
    by then, or on a CRL named for `issuer` that its key did not sign."""
    found = False
    for crl in revocation.crls:
        if crl.issuer != issuer.subject:
            continue
        if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            raise SignatureRefused(
                "evidence_invalid",
                f"a CRL named for {issuer.subject.rfc4514_string()} does not verify with its key",
            )
        if not _speaks_for(
            crl.last_update_utc, crl.next_update_utc, at=at, accepted_at=revocation.accepted_at
        ):
            continue
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None and entry.revocation_date_utc <= at + TIME_TOLERANCE:
            raise SignatureRefused(
                "cert_revoked",
                f"{cert.subject.rfc4514_string()} was revoked at {entry.revocation_date_utc}, "
                f"by the signing time {at} (CRL)",
            )
        found = True
    return found
