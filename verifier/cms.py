"""CMS signatures (RFC 5652) as the ledger accepts them: CAdES-BES/-T and PAdES signer infos.

`verify_signer` checks one SignedData whose content is detached, given the digest of the signed
bytes, in the order the ledger checks it at acceptance (filings/signatures/validation.py), and
returns the facts of the signature or raises the `SignatureRefused` of the first failure:

1. structure: one SignerInfo; its certificate (by issuer and serial, or subject key identifier)
   among the SignedData's; signed attributes with content-type id-data and a message digest; a
   signing-certificate-v2 (or v1) attribute naming that certificate, required for CAdES
   (ETSI EN 319 122-1 §5.2.2) -> `cms_invalid`;
2. algorithms: SHA-2 or SHA-3 digests; RSA PKCS#1 v1.5, RSASSA-PSS or ECDSA -> `weak_algorithm`;
3. the signature value over the DER of the signed attributes (RFC 5652 §5.4) verifies with the
   certificate's key -> `signature_invalid`; the message digest is that of the signed bytes ->
   `signature_invalid` for a record's CMS, `pdf_modified` for a PDF's byte range;
4. the certificate: key strength, nonRepudiation, the operator's identity (`certificates`);
5. an RFC 3161 signature time-stamp when present (unsigned attribute
   id-aa-signatureTimeStampToken, ETSI EN 319 122-1 §5.3): a token over a TSTInfo whose imprint
   is the hash of the signature value, signed by a TSA certificate with a critical
   id-kp-timeStamping, whose path and status hold at genTime, and one the evidence lists ->
   `timestamp_invalid` / `evidence_invalid`;
6. the signing time is the time-stamp's genTime, else the acceptance time; it may not be after
   acceptance, nor a claimed signingTime after it (with the clock skew) -> `signing_time_invalid`;
   the verifier's clock may not precede acceptance -> `evidence_invalid`;
7. the path to a pinned root at the signing time, and every status on it (`revocation`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from verifier import der
from verifier.certificates import (
    SigningRoots,
    check_key_strength,
    check_key_usage,
    fingerprint,
    tax_code_of,
    validate_path,
)
from verifier.der import MalformedDer, Node
from verifier.evidence import Evidence
from verifier.revocation import CLOCK_SKEW, check_path_status
from verifier.signature_status import SignatureRefused

SIGNED_DATA: Final = "1.2.840.113549.1.7.2"
DATA: Final = "1.2.840.113549.1.7.1"
TST_INFO: Final = "1.2.840.113549.1.9.16.1.4"
CONTENT_TYPE: Final = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST: Final = "1.2.840.113549.1.9.4"
SIGNING_TIME: Final = "1.2.840.113549.1.9.5"
SIGNING_CERTIFICATE: Final = "1.2.840.113549.1.9.16.2.12"
SIGNING_CERTIFICATE_V2: Final = "1.2.840.113549.1.9.16.2.47"
SIGNATURE_TIMESTAMP: Final = "1.2.840.113549.1.9.16.2.14"
DIGESTS: Final = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
    "2.16.840.1.101.3.4.2.8": "sha3_256",
    "2.16.840.1.101.3.4.2.9": "sha3_384",
    "2.16.840.1.101.3.4.2.10": "sha3_512",
}
"""Accepted digest algorithms, by OID, named as `hashlib` names them (SHA-1 and MD5 refused)."""
SHA1: Final = "1.3.14.3.2.26"
RSA_ENCRYPTION: Final = "1.2.840.113549.1.1.1"
RSASSA_PSS: Final = "1.2.840.113549.1.1.10"
MGF1: Final = "1.2.840.113549.1.1.8"
BOUND_RSA: Final = {
    "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384",
    "1.2.840.113549.1.1.13": "sha512",
}
BOUND_ECDSA: Final = {
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}
_HASHES: Final[dict[str, Callable[[], hashes.HashAlgorithm]]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}

ContentDigest = Callable[[str], bytes]
"""The digest of the signed bytes under a `hashlib` algorithm name."""
TimeSource = Literal["timestamp", "acceptance"]


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """The parts of a CMS SignerInfo (RFC 5652 §5.3) the checks read."""

    sid: Node
    digest_algorithm: str
    signed_attributes: Node
    signature_algorithm: tuple[str, Node | None]
    signature: bytes
    unsigned_attributes: Node | None

    def attribute(self, oid: str, *, unsigned: bool = False) -> list[Node]:
        """The values of the attributes of type `oid` (RFC 5652 §5.3 Attribute)."""
        attributes = self.unsigned_attributes if unsigned else self.signed_attributes
        if attributes is None:
            return []
        values = []
        for attribute in attributes.children():
            kind, *rest = attribute.children(tag=der.SEQUENCE)
            if der.oid(kind) == oid and len(rest) == 1:
                values.extend(rest[0].children(tag=der.SET))
        return values


@dataclass(frozen=True, slots=True)
class SignedData:
    """A parsed CMS SignedData (RFC 5652 §5.1)."""

    content_type: str
    content: bytes | None
    certificates: tuple[x509.Certificate, ...]
    signer_infos: tuple[SignerInfo, ...]


@dataclass(frozen=True, slots=True)
class Timestamp:
    """A verified signature time-stamp: genTime, the TSA's certificate, the token's SHA-256."""

    gen_time: datetime
    tsa: x509.Certificate
    sha256: str


@dataclass(frozen=True, slots=True)
class VerifiedSigner:
    """The facts of a signature that passed every check."""

    certificate: x509.Certificate
    signed_at: datetime
    time_source: TimeSource
    path: tuple[x509.Certificate, ...]


def parse_signed_data(data: bytes) -> SignedData:
    """The SignedData of a DER ContentInfo (RFC 5652 §3). Raises `SignatureRefused`
    (`cms_invalid`)."""
    try:
        return _parse_signed_data(der.read(data, tag=der.SEQUENCE))
    except MalformedDer as exc:
        raise SignatureRefused("cms_invalid", f"not a DER CMS SignedData: {exc}") from exc


def _parse_signed_data(info: Node) -> SignedData:
    parts = info.children()
    if len(parts) != 2 or der.oid(parts[0]) != SIGNED_DATA:
        raise MalformedDer("the ContentInfo is not of type signedData")
    (body,) = _explicit(parts[1], 0)
    members = body.children(tag=der.SEQUENCE)
    if len(members) < 4:
        raise MalformedDer(f"SignedData of {len(members)} members")
    der.integer(members[0])
    members[1].expect(der.SET)
    encapsulated = members[2].children(tag=der.SEQUENCE)
    if not 1 <= len(encapsulated) <= 2:
        raise MalformedDer("EncapsulatedContentInfo of the wrong shape")
    content = None
    if len(encapsulated) == 2:
        (inner,) = _explicit(encapsulated[1], 0)
        content = der.octets(inner)
    certificates: list[x509.Certificate] = []
    rest = members[3:]
    if rest and rest[0].tag == der.context(0):
        for choice in rest[0].children():
            if choice.tag == der.SEQUENCE:
                try:
                    certificates.append(x509.load_der_x509_certificate(choice.raw))
                except ValueError as exc:
                    raise MalformedDer(f"a certificate of the SignedData: {exc}") from exc
        rest = rest[1:]
    if rest and rest[0].tag == der.context(1):
        rest = rest[1:]
    if len(rest) != 1:
        raise MalformedDer("SignedData members after signerInfos")
    infos = tuple(_signer_info(node) for node in rest[0].children(tag=der.SET))
    return SignedData(der.oid(encapsulated[0]), content, tuple(certificates), infos)


def _explicit(node: Node, number: int) -> list[Node]:
    children = node.children(tag=der.context(number))
    if len(children) != 1:
        raise MalformedDer(f"[{number}] EXPLICIT holds {len(children)} values")
    return children


def _signer_info(node: Node) -> SignerInfo:
    parts = node.children(tag=der.SEQUENCE)
    if len(parts) < 5:
        raise MalformedDer(f"SignerInfo of {len(parts)} members")
    der.integer(parts[0])
    sid, digest = parts[1], der.algorithm(parts[2])[0]
    if parts[3].tag != der.context(0):
        raise SignatureRefused(
            "cms_invalid",
            "no signed attributes: want content-type, "
            "message-digest and signing-certificate-v2 (ETSI EN 319 122-1 §5.2)",
        )
    signed, rest = parts[3], parts[4:]
    if len(rest) not in (2, 3):
        raise MalformedDer("SignerInfo of the wrong shape")
    unsigned = None
    if len(rest) == 3:
        unsigned = rest[2].expect(der.context(1))
    return SignerInfo(
        sid=sid,
        digest_algorithm=digest,
        signed_attributes=signed,
        signature_algorithm=der.algorithm(rest[0]),
        signature=der.octets(rest[1]),
        unsigned_attributes=unsigned,
    )


def signer_certificate(signed_data: SignedData) -> x509.Certificate | None:
    """The signer's certificate if it can be found, for a report of a refused signature."""
    try:
        return _signer_certificate(signed_data, signed_data.signer_infos[0])
    except (SignatureRefused, MalformedDer, IndexError):
        return None


def verify_signer(
    signed_data: SignedData,
    content_digest: ContentDigest,
    *,
    cades: bool,
    tampered: str,
    roots: SigningRoots,
    tax_code: str | None,
    fingerprints: frozenset[str],
    evidence: Evidence,
    now: datetime,
) -> VerifiedSigner:
    """Run the checks 1-7 of the module docstring on `signed_data`.

    `tampered` is the code of a message digest that is not the signed bytes'. `tax_code` and
    `fingerprints` are the operator's binding (each one given must hold). Raises
    `SignatureRefused`.
    """
    if now + CLOCK_SKEW < evidence.validated_at:
        raise SignatureRefused(
            "evidence_invalid",
            f"checking at {now}, before the evidence was gathered at {evidence.validated_at}",
        )
    try:
        return _verify_signer(
            signed_data,
            content_digest,
            cades=cades,
            tampered=tampered,
            roots=roots,
            tax_code=tax_code,
            fingerprints=fingerprints,
            evidence=evidence,
        )
    except MalformedDer as exc:
        raise SignatureRefused("cms_invalid", f"malformed signature: {exc}") from exc


def _verify_signer(
    signed_data: SignedData,
    content_digest: ContentDigest,
    *,
    cades: bool,
    tampered: str,
    roots: SigningRoots,
    tax_code: str | None,
    fingerprints: frozenset[str],
    evidence: Evidence,
) -> VerifiedSigner:
    if len(signed_data.signer_infos) != 1:
        raise SignatureRefused(
            "cms_invalid", f"{len(signed_data.signer_infos)} SignerInfos: want 1"
        )
    if signed_data.content_type != DATA:
        raise SignatureRefused(
            "cms_invalid", f"eContentType {signed_data.content_type}: want id-data"
        )
    info = signed_data.signer_infos[0]
    signer = _signer_certificate(signed_data, info)
    if not _signing_certificate_named(info, signer) and cades:
        raise SignatureRefused(
            "cms_invalid", "no signing-certificate-v2 attribute (ETSI EN 319 122-1 §5.2.2.3)"
        )
    digest_name = _digest_name(info.digest_algorithm)
    _check_signed_attributes(info, signer, DATA, content_digest(digest_name), tampered)
    check_key_strength(signer)
    check_key_usage(signer)
    _check_identity(signer, tax_code, fingerprints)
    timestamp = _signature_timestamp(info, roots=roots, evidence=evidence)
    signed_at = evidence.validated_at if timestamp is None else timestamp.gen_time
    source: TimeSource = "acceptance" if timestamp is None else "timestamp"
    if signed_at > evidence.validated_at + CLOCK_SKEW:
        raise SignatureRefused(
            "signing_time_invalid",
            f"time-stamped at {signed_at}, after acceptance at {evidence.validated_at}",
        )
    for claimed in info.attribute(SIGNING_TIME):
        if der.time(claimed) > signed_at + CLOCK_SKEW:
            raise SignatureRefused(
                "signing_time_invalid",
                f"claims to be signed at {der.time(claimed)}, after {signed_at} ({source})",
            )
    pool = [*signed_data.certificates, *evidence.certificates]
    path = validate_path(signer, pool, roots, at=signed_at)
    check_path_status(path, at=signed_at, revocation=evidence.revocation)
    return VerifiedSigner(signer, signed_at, source, tuple(path))


def _signer_certificate(signed_data: SignedData, info: SignerInfo) -> x509.Certificate:
    """The certificate the SignerInfo's sid names (RFC 5652 §5.3)."""
    for cert in signed_data.certificates:
        if info.sid.tag == der.SEQUENCE:
            issuer, serial = info.sid.children()
            if (
                issuer.raw == cert.issuer.public_bytes()
                and der.integer(serial) == cert.serial_number
            ):
                return cert
        elif info.sid.tag == der.context(0, constructed=False):
            try:
                identifier = cert.extensions.get_extension_for_class(
                    x509.SubjectKeyIdentifier
                ).value.digest
            except x509.ExtensionNotFound:
                continue
            if identifier == info.sid.content:
                return cert
    raise SignatureRefused(
        "cms_invalid", "the signer's certificate is not in the signature (RFC 5652 §5.3 sid)"
    )


def _signing_certificate_named(info: SignerInfo, cert: x509.Certificate) -> bool:
    """Whether a signing-certificate(-v2) attribute is present; raises `cms_invalid` when one
    names another certificate (RFC 5035 §3)."""
    encoded = cert.public_bytes(Encoding.DER)
    for version, values in (
        (2, info.attribute(SIGNING_CERTIFICATE_V2)),
        (1, info.attribute(SIGNING_CERTIFICATE)),
    ):
        for value in values:
            first = value.children(tag=der.SEQUENCE)[0].children(tag=der.SEQUENCE)[0]
            members = first.children(tag=der.SEQUENCE)
            name = "sha1"
            if version == 2 and members[0].tag == der.SEQUENCE:
                oid = der.algorithm(members[0])[0]
                name = DIGESTS.get(oid, "")
                members = members[1:]
            elif version == 2:
                name = "sha256"
            if not name or der.octets(members[0]) != hashlib.new(name, encoded).digest():
                raise SignatureRefused(
                    "cms_invalid",
                    "the signing-certificate attribute names another certificate than the signer's",
                )
            return True
    return False


def _digest_name(oid: str) -> str:
    name = DIGESTS.get(oid)
    if name is None:
        raise SignatureRefused("weak_algorithm", f"digest algorithm {oid}: want SHA-2 or SHA-3")
    return name


def _check_signed_attributes(
    info: SignerInfo, cert: x509.Certificate, content_type: str, digest: bytes, tampered: str
) -> None:
    """The signature value verifies over the signed attributes, which hold the content type
    and the message digest (RFC 5652 §5.4, §11.1-11.2)."""
    signed = b"\x31" + info.signed_attributes.raw[1:]  # [0] IMPLICIT is signed as a SET OF
    _verify_value(cert, info.signature_algorithm, info.digest_algorithm, info.signature, signed)
    types = info.attribute(CONTENT_TYPE)
    digests = info.attribute(MESSAGE_DIGEST)
    if len(types) != 1 or der.oid(types[0]) != content_type or len(digests) != 1:
        raise SignatureRefused(
            "cms_invalid",
            f"want one content-type attribute of {content_type} and one message-digest attribute",
        )
    if der.octets(digests[0]) != digest:
        raise SignatureRefused(
            tampered, "the signed message digest is not the digest of the signed bytes"
        )


def _verify_value(
    cert: x509.Certificate,
    mechanism: tuple[str, Node | None],
    digest_oid: str,
    signature: bytes,
    data: bytes,
) -> None:
    oid, parameters = mechanism
    key = cert.public_key()
    try:
        if oid in (RSA_ENCRYPTION, *BOUND_RSA) and isinstance(key, rsa.RSAPublicKey):
            name = BOUND_RSA.get(oid) or _digest_name(digest_oid)
            key.verify(signature, data, padding.PKCS1v15(), _HASHES[name]())
        elif oid == RSASSA_PSS and isinstance(key, rsa.RSAPublicKey):
            name, salt = _pss(parameters)
            key.verify(
                signature, data, padding.PSS(padding.MGF1(_HASHES[name]()), salt), _HASHES[name]()
            )
        elif oid in BOUND_ECDSA and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(_HASHES[BOUND_ECDSA[oid]]()))
        else:
            raise SignatureRefused(
                "weak_algorithm",
                f"signature algorithm {oid} with a "
                f"{type(key).__name__}: want RSA or ECDSA with SHA-2",
            )
    except (InvalidSignature, UnsupportedAlgorithm) as exc:
        raise SignatureRefused(
            "signature_invalid", "the signature value does not verify with the signer's key"
        ) from exc


def _pss(parameters: Node | None) -> tuple[str, int]:
    """The hash and salt length of RSASSA-PSS-params (RFC 4055 §3.1), MGF1 with that hash."""
    if parameters is None:
        raise SignatureRefused("weak_algorithm", "RSASSA-PSS with the SHA-1 defaults")
    fields = {node.tag: node for node in parameters.children(tag=der.SEQUENCE)}
    if der.context(0) not in fields or der.context(1) not in fields:
        raise SignatureRefused("weak_algorithm", "RSASSA-PSS with the SHA-1 defaults")
    name = _digest_name(der.algorithm(_explicit(fields[der.context(0)], 0)[0])[0])
    mgf, mgf_hash = der.algorithm(_explicit(fields[der.context(1)], 1)[0])
    if mgf != MGF1 or mgf_hash is None or _digest_name(der.algorithm(mgf_hash)[0]) != name:
        raise SignatureRefused("weak_algorithm", "RSASSA-PSS with another mask generation")
    salt = 20
    if der.context(2) in fields:
        salt = der.integer(_explicit(fields[der.context(2)], 2)[0])
    return name, salt


def _check_identity(
    cert: x509.Certificate, tax_code: str | None, fingerprints: frozenset[str]
) -> None:
    if fingerprints and fingerprint(cert) not in fingerprints:
        raise SignatureRefused(
            "cert_identity",
            f"the certificate is not one pinned for the operator (SHA-256 {fingerprint(cert)})",
        )
    if tax_code is not None:
        found = tax_code_of(cert)
        if found != tax_code:
            raise SignatureRefused("cert_identity", f"tax code {found}: want {tax_code}")


def _signature_timestamp(
    info: SignerInfo, *, roots: SigningRoots, evidence: Evidence
) -> Timestamp | None:
    """The earliest valid signature time-stamp, or None when there is none."""
    tokens = info.attribute(SIGNATURE_TIMESTAMP, unsigned=True)
    if not tokens:
        return None
    stamps = []
    for token in tokens:
        try:
            stamps.append(
                verify_timestamp(token.raw, info.signature, roots=roots, evidence=evidence)
            )
        except MalformedDer as exc:
            raise SignatureRefused(
                "timestamp_invalid", f"malformed time-stamp token: {exc}"
            ) from exc
        except SignatureRefused as exc:
            if exc.code == "timestamp_invalid":
                raise
            raise SignatureRefused(
                "timestamp_invalid", f"time-stamp: {exc.code}: {exc.detail}"
            ) from exc
    earliest = min(stamps, key=lambda stamp: stamp.gen_time)
    if earliest.sha256 not in evidence.timestamps:
        raise SignatureRefused(
            "evidence_invalid",
            "the time-stamp that fixes the signing time "
            f"is not in the evidence (SHA-256 {earliest.sha256})",
        )
    return earliest


def verify_timestamp(
    token: bytes, signature_value: bytes, *, roots: SigningRoots, evidence: Evidence
) -> Timestamp:
    """Verify one RFC 3161 token over `signature_value` (check 5 of the module docstring).

    Raises `SignatureRefused` or `MalformedDer`."""
    signed_data = _parse_signed_data(der.read(token, tag=der.SEQUENCE))
    if signed_data.content_type != TST_INFO or signed_data.content is None:
        raise SignatureRefused("timestamp_invalid", "the token does not encapsulate a TSTInfo")
    if len(signed_data.signer_infos) != 1:
        raise SignatureRefused("timestamp_invalid", "a token with several SignerInfos")
    info = signed_data.signer_infos[0]
    tsa = _signer_certificate(signed_data, info)
    if not _signing_certificate_named(info, tsa):
        raise SignatureRefused(
            "timestamp_invalid", "no signing-certificate attribute (RFC 3161 §2.4.1)"
        )
    name = _digest_name(info.digest_algorithm)
    _check_signed_attributes(
        info, tsa, TST_INFO, hashlib.new(name, signed_data.content).digest(), "timestamp_invalid"
    )
    fields = der.read(signed_data.content, tag=der.SEQUENCE).children()
    if len(fields) < 5:
        raise MalformedDer("TSTInfo of the wrong shape")
    imprint_algorithm, imprint = fields[2].children(tag=der.SEQUENCE)
    imprint_name = _digest_name(der.algorithm(imprint_algorithm)[0])
    if der.octets(imprint) != hashlib.new(imprint_name, signature_value).digest():
        raise SignatureRefused(
            "timestamp_invalid", "the time-stamp is not over this signature's value"
        )
    gen_time = der.time(fields[4].expect(der.GENERALIZED_TIME))
    _check_tsa_certificate(tsa)
    path = validate_path(
        tsa, [*signed_data.certificates, *evidence.certificates], roots, at=gen_time
    )
    check_path_status(path, at=gen_time, revocation=evidence.revocation)
    return Timestamp(gen_time, tsa, hashlib.sha256(token).hexdigest())


def _check_tsa_certificate(cert: x509.Certificate) -> None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        usage = None
    if usage is None or not usage.critical or ExtendedKeyUsageOID.TIME_STAMPING not in usage.value:
        raise SignatureRefused(
            "timestamp_invalid",
            "the TSA certificate lacks a critical "
            "id-kp-timeStamping extended key usage (RFC 3161 §2.3)",
        )
    check_key_strength(cert)
