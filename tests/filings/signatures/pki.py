"""A test PKI in the shape of Vietnam's: a national root, a licensed public CA under it, a
time-stamping authority under the root, and operator organisation certificates with a tax code.

Built once per session with `cryptography`, its URLs pointing at the services of
`tests.filings.signatures.services`. Validity windows are set around the real clock at build
time, so a signature made during the tests is made "now".

Operator certificates (`TestPki.operators`), all from the public CA unless said otherwise:

    rsa         RSA-2048, UID=MST:3301001235, valid for a year: the good one
    ec          P-256, organizationIdentifier VATVN-3302004567 (operator B)
    expired     P-256, expired a year ago
    revoked     P-256, revoked an hour ago (keyCompromise), on OCSP and the CRL
    key_usage   P-256, digitalSignature + keyEncipherment only (no nonRepudiation)
    weak        RSA-1024
    untrusted   P-256, from a root that is not pinned
    crl_only    P-256, no OCSP responder in its AIA: its status is on the CRL alone
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import (
    AuthorityInformationAccessOID,
    ExtendedKeyUsageOID,
    NameOID,
    ObjectIdentifier,
)

from filings.signatures import OperatorIdentity, TrustRoots

MST_A = "3301001235"
MST_B = "3302004567"
ORGANIZATION_IDENTIFIER = ObjectIdentifier("2.5.4.97")
YEAR = timedelta(days=365)
_SERIALS = itertools.count(0x5401_0000_0000_0001)

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def rsa_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@dataclass
class Issued:
    """A certificate, its key, and its status at its CA."""

    name: str
    key: Key
    cert: x509.Certificate
    revoked_at: datetime | None = None
    reason: x509.ReasonFlags | None = None


@dataclass
class Authority:
    """A CA: its key and certificate, what it issued, and where its CRL is served."""

    name: str
    key: Key
    cert: x509.Certificate
    crl_url: str
    issued: dict[int, Issued] = field(default_factory=dict)
    crl_number: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def crl(self, now: datetime) -> bytes:
        """A fresh DER CRL: thisUpdate a minute ago, nextUpdate in a day (RFC 5280 §5)."""
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(self.cert.subject)
                   .last_update(now - timedelta(minutes=1))
                   .next_update(now + timedelta(days=1))
                   .add_extension(x509.CRLNumber(next(self.crl_number)), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       self.key.public_key()), critical=False))
        for serial, issued in self.issued.items():
            if issued.revoked_at is not None:
                entry = (x509.RevokedCertificateBuilder().serial_number(serial)
                         .revocation_date(issued.revoked_at))
                if issued.reason is not None:
                    entry = entry.add_extension(x509.CRLReason(issued.reason), critical=False)
                builder = builder.add_revoked_certificate(entry.build())
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _name(common: str, *, organisation: str | None = None, tax_code: str | None = None,
          organisation_id: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Thành phố Huế")]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    if organisation_id:
        parts.append(x509.NameAttribute(ORGANIZATION_IDENTIFIER, organisation_id))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    if tax_code:
        parts.append(x509.NameAttribute(NameOID.USER_ID, f"MST:{tax_code}"))
    return x509.Name(parts)


def _certificate(subject: x509.Name, key: Key, issuer: Authority | None, *, not_before: datetime,
                 not_after: datetime, ca: bool = False, usage: x509.KeyUsage | None = None,
                 eku: list[ObjectIdentifier] | None = None, eku_critical: bool = False,
                 ca_issuers: str | None = None, ocsp_url: str | None = None,
                 crl_url: str | None = None, nocheck: bool = False,
                 signing_key: Key | None = None) -> x509.Certificate:
    issuer_name = subject if issuer is None else issuer.cert.subject
    signer = signing_key or (key if issuer is None else issuer.key)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(next(_SERIALS))
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   signer.public_key()), critical=False))
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=eku_critical)
    access = []
    if ca_issuers:
        access.append(x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                                             x509.UniformResourceIdentifier(ca_issuers)))
    if ocsp_url:
        access.append(x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                             x509.UniformResourceIdentifier(ocsp_url)))
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
    if nocheck:
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    return builder.sign(signer, hashes.SHA256())


def _usage(*, signature: bool = True, commitment: bool = True, encipherment: bool = True,
           cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signature, content_commitment=commitment,
                         key_encipherment=encipherment, data_encipherment=False,
                         key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         encipher_only=False, decipher_only=False)


@dataclass
class Urls:
    """Where the services listen: the CA repository (certificates and CRLs), OCSP, the TSA."""

    repository: str
    ocsp: str
    tsa: str


class TestPki:
    """The whole PKI (see the module docstring). `built_at` is the real time it was made."""

    __test__ = False

    def __init__(self, urls: Urls) -> None:
        now = self.built_at = datetime.now(UTC).replace(microsecond=0)
        self.urls = urls
        repo = urls.repository
        root_key = rsa_key()
        self.root = Authority("root", root_key, _certificate(
            _name("Test Vietnam National Root CA", organisation="Test NEAC"), root_key, None,
            not_before=now - 10 * YEAR, not_after=now + 25 * YEAR, ca=True,
            usage=_usage(signature=False, commitment=False, encipherment=False,
                         cert_sign=True)), f"{repo}/crl/root.crl")
        ca_key = rsa_key()
        self.ca = Authority("ca", ca_key, _certificate(
            _name("Test Public CA SHA-256", organisation="Test Public CA JSC"), ca_key,
            self.root, not_before=now - 5 * YEAR, not_after=now + 15 * YEAR, ca=True,
            usage=_usage(signature=False, commitment=False, encipherment=False, cert_sign=True),
            ca_issuers=f"{repo}/certs/root.cer", crl_url=self.root.crl_url),
            f"{repo}/crl/ca.crl")
        self.root.issued[self.ca.cert.serial_number] = Issued("ca", ca_key, self.ca.cert)
        foreign_key = ec_key()
        self.foreign = Authority("foreign", foreign_key, _certificate(
            _name("Unpinned Root CA", organisation="Elsewhere"), foreign_key, None,
            not_before=now - 10 * YEAR, not_after=now + 25 * YEAR, ca=True,
            usage=_usage(signature=False, commitment=False, encipherment=False,
                         cert_sign=True)), f"{repo}/crl/foreign.crl")

        responder_key = ec_key()
        self.responder = Issued("ocsp", responder_key, _certificate(
            _name("Test Public CA OCSP Responder", organisation="Test Public CA JSC"),
            responder_key, self.ca, not_before=now - timedelta(days=1), not_after=now + 2 * YEAR,
            usage=_usage(commitment=False, encipherment=False),
            eku=[ExtendedKeyUsageOID.OCSP_SIGNING], nocheck=True))
        tsa_key = rsa_key()
        self.tsa = Issued("tsa", tsa_key, _certificate(
            _name("Test NEAC Time-Stamping Authority", organisation="Test NEAC"), tsa_key,
            self.root, not_before=now - YEAR, not_after=now + 10 * YEAR,
            usage=_usage(encipherment=False), eku=[ExtendedKeyUsageOID.TIME_STAMPING],
            eku_critical=True, crl_url=self.root.crl_url))
        self.root.issued[self.tsa.cert.serial_number] = self.tsa

        self.operators: dict[str, Issued] = {}
        self._operator("rsa", rsa_key(), tax_code=MST_A)
        self._operator("ec", ec_key(), organisation_id=f"VATVN-{MST_B}")
        self._operator("expired", ec_key(), tax_code=MST_A, not_before=now - 2 * YEAR,
                       not_after=now - YEAR)
        self._operator("revoked", ec_key(), tax_code=MST_A)
        revoked = self.operators["revoked"]
        revoked.revoked_at = now - timedelta(hours=1)
        revoked.reason = x509.ReasonFlags.key_compromise
        self._operator("key_usage", ec_key(), tax_code=MST_A,
                       usage=_usage(commitment=False))
        self._operator("weak", rsa_key(1024), tax_code=MST_A)
        self._operator("untrusted", ec_key(), tax_code=MST_A, issuer=self.foreign)
        self._operator("crl_only", ec_key(), tax_code=MST_A, ocsp=False)

    def _operator(self, name: str, key: Key, *, tax_code: str | None = None,
                  organisation_id: str | None = None, not_before: datetime | None = None,
                  not_after: datetime | None = None, usage: x509.KeyUsage | None = None,
                  issuer: Authority | None = None, ocsp: bool = True) -> None:
        ca = issuer or self.ca
        repo = self.urls.repository
        cert = _certificate(
            _name(f"CÔNG TY VIỄN THÔNG THỬ NGHIỆM {name.upper()}",
                  organisation="Công ty Viễn thông Thử nghiệm", tax_code=tax_code,
                  organisation_id=organisation_id),
            key, ca, not_before=not_before or self.built_at - timedelta(days=30),
            not_after=not_after or self.built_at + YEAR, usage=usage or _usage(),
            eku=[ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION],
            ca_issuers=f"{repo}/certs/{ca.name}.cer",
            ocsp_url=self.urls.ocsp if ocsp and ca is self.ca else None, crl_url=ca.crl_url)
        issued = Issued(name, key, cert)
        ca.issued[cert.serial_number] = issued
        self.operators[name] = issued

    # -- what the services serve ----------------------------------------------------------------

    def certificate(self, name: str) -> bytes | None:
        """The DER certificate of a CA by name, for AIA caIssuers."""
        authority = {"root": self.root, "ca": self.ca, "foreign": self.foreign}.get(name)
        return None if authority is None else authority.cert.public_bytes(
            serialization.Encoding.DER)

    def crl(self, name: str) -> bytes | None:
        authority = {"root": self.root, "ca": self.ca, "foreign": self.foreign}.get(name)
        return None if authority is None else authority.crl(datetime.now(UTC))

    def ocsp_response(self, request_der: bytes) -> bytes:
        """The responder's answer to a DER OCSP request (RFC 6960 §4.2), for the public CA."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
        except ValueError:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST).public_bytes(
                serialization.Encoding.DER)
        issued = self.ca.issued.get(request.serial_number)
        if issued is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(serialization.Encoding.DER)
        now = datetime.now(UTC)
        status = (ocsp.OCSPCertStatus.GOOD if issued.revoked_at is None
                  else ocsp.OCSPCertStatus.REVOKED)
        builder = ocsp.OCSPResponseBuilder().add_response(
            cert=issued.cert, issuer=self.ca.cert, algorithm=request.hash_algorithm,
            cert_status=status, this_update=now - timedelta(seconds=5),
            next_update=now + timedelta(days=1), revocation_time=issued.revoked_at,
            revocation_reason=issued.reason if issued.revoked_at else None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder.cert).certificates(
            [self.responder.cert])
        return builder.sign(self.responder.key, hashes.SHA256()).public_bytes(
            serialization.Encoding.DER)

    # -- what the tests use ---------------------------------------------------------------------

    def roots(self) -> TrustRoots:
        """The pinned roots: the national root only (the foreign root is not pinned)."""
        return TrustRoots.from_pem(self.root.cert.public_bytes(serialization.Encoding.PEM))

    @staticmethod
    def identity(tax_code: str = MST_A) -> OperatorIdentity:
        return OperatorIdentity(tax_code=tax_code)
