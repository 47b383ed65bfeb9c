"""Where a certificate's issuer and status can be found: the plan the evidence collector follows.

Pure lookups over `cryptography` certificates. `build_chain` walks from a leaf to a pinned root
through the certificates at hand (issuer name and signature, RFC 5280 §4.1.2.4 and §6.1.3 (a)(1));
where it stops short, `ca_issuer_urls` says where to fetch the next issuer (AIA caIssuers,
RFC 5280 §4.2.2.1). For each link, `ocsp_urls` (AIA id-ad-ocsp, RFC 6960 §3.1) and `crl_urls`
(cRLDistributionPoints, RFC 5280 §4.2.1.13) say where its status is. This only plans the
fetching; the path that counts is the one validated in `validation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import AuthorityInformationAccessOID

from filings.signatures.roots import TrustRoots, fingerprint

MAX_DEPTH: Final = 8
"""The longest chain walked, leaf and root included."""


@dataclass(frozen=True)
class Chain:
    """Certificates from a leaf upwards, each issued by the next. `anchored` when the last is a
    pinned root."""

    certificates: tuple[x509.Certificate, ...]
    anchored: bool

    @property
    def top(self) -> x509.Certificate:
        return self.certificates[-1]

    def links(self) -> list[tuple[x509.Certificate, x509.Certificate]]:
        """(certificate, issuer) pairs below the top: the certificates that need a status."""
        return list(zip(self.certificates, self.certificates[1:], strict=False))


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer`'s name and key made `certificate`."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def issuer_of(certificate: x509.Certificate,
              pool: Iterable[x509.Certificate]) -> x509.Certificate | None:
    """The first certificate of `pool` that issued `certificate`, if any."""
    for candidate in pool:
        if candidate.subject == certificate.issuer and issued_by(certificate, candidate):
            return candidate
    return None


def build_chain(leaf: x509.Certificate, pool: Sequence[x509.Certificate],
                roots: TrustRoots) -> Chain:
    """Walk from `leaf` through `pool` and the roots until a pinned root, a self-issued
    certificate, a missing issuer or `MAX_DEPTH`."""
    chain = [leaf]
    seen = {fingerprint(leaf)}
    candidates = [*roots.certificates, *pool]
    while len(chain) < MAX_DEPTH:
        current = chain[-1]
        if roots.is_root(current) or current.issuer == current.subject:
            break
        issuer = issuer_of(current, candidates)
        if issuer is None or fingerprint(issuer) in seen:
            break
        chain.append(issuer)
        seen.add(fingerprint(issuer))
    return Chain(tuple(chain), roots.is_root(chain[-1]))


def _access_urls(certificate: x509.Certificate, method: x509.ObjectIdentifier) -> list[str]:
    try:
        access = certificate.extensions.get_extension_for_class(
            x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [d.access_location.value for d in access
            if d.access_method == method
            and isinstance(d.access_location, x509.UniformResourceIdentifier)
            and d.access_location.value.lower().startswith(("http://", "https://"))]


def ca_issuer_urls(certificate: x509.Certificate) -> list[str]:
    """HTTP(S) caIssuers locations of the certificate's AIA extension."""
    return _access_urls(certificate, AuthorityInformationAccessOID.CA_ISSUERS)


def ocsp_urls(certificate: x509.Certificate) -> list[str]:
    """HTTP(S) OCSP responder locations of the certificate's AIA extension."""
    return _access_urls(certificate, AuthorityInformationAccessOID.OCSP)


def crl_urls(certificate: x509.Certificate) -> list[str]:
    """HTTP(S) full-name locations of the certificate's CRL distribution points."""
    try:
        points = certificate.extensions.get_extension_for_class(
            x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [name.value for point in points for name in point.full_name or ()
            if isinstance(name, x509.UniformResourceIdentifier)
            and name.value.lower().startswith(("http://", "https://"))]


def has_ocsp_nocheck(certificate: x509.Certificate) -> bool:
    """Whether the certificate carries id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1)."""
    try:
        certificate.extensions.get_extension_for_class(x509.OCSPNoCheck)
    except x509.ExtensionNotFound:
        return False
    return True
