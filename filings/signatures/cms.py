"""Detached CMS signatures over exact bytes: CAdES-BES and CAdES-T (ETSI EN 319 122-1).

A submission's CA signature is a DER `ContentInfo` of type signedData (RFC 5652 §3, §5) whose
encapsulated content is absent (detached, RFC 5652 §5.2) and whose message-digest attribute is
the digest of the exact bytes filed. CAdES-BES adds the signing-certificate-v2 attribute
(ETSI EN 319 122-1 §5.2.2); CAdES-T adds a signature time-stamp (RFC 3161; §5.3). The checks are
those of `validation.verify_signer`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from asn1crypto import cms as asn1_cms
from asn1crypto import core as asn1_core

from filings.errors import CmsInvalid, FilingError, SignatureInvalid
from filings.signatures.evidence import Evidence
from filings.signatures.policy import DEFAULT_POLICY, OperatorIdentity, SignaturePolicy
from filings.signatures.results import SignatureResult
from filings.signatures.roots import TrustRoots
from filings.signatures.validation import signature_result, verify_signer


def parse_detached(signature: bytes) -> asn1_cms.SignedData:
    """The SignedData of a DER CMS ContentInfo with detached content.

    Raises `CmsInvalid` when `signature` is not DER ContentInfo(signedData), has trailing bytes,
    or encapsulates its content.
    """
    try:
        info = asn1_cms.ContentInfo.load(signature, strict=True)
        if info["content_type"].native != "signed_data":
            raise CmsInvalid(f"content type {info['content_type'].native}: want signedData")
        signed_data: asn1_cms.SignedData = info["content"]
        content = signed_data["encap_content_info"]["content"]
    except CmsInvalid:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise CmsInvalid(f"not a DER CMS ContentInfo: {exc}") from exc
    if not isinstance(content, asn1_core.Void):
        raise CmsInvalid("the content is encapsulated: want a detached signature "
                         "(RFC 5652 §5.2)")
    return signed_data


def verify_cms(data: bytes, signature: bytes, *, roots: TrustRoots, identity: OperatorIdentity,
               evidence: Evidence, policy: SignaturePolicy = DEFAULT_POLICY,
               tsa_roots: TrustRoots | None = None, now: datetime | None = None
               ) -> SignatureResult:
    """Check a detached CAdES signature over `data` from `evidence` alone.

    At acceptance `now` is omitted (it is `evidence.validated_at`); years later it is the
    verifier's clock, and nothing is checked against it but that it does not precede the
    evidence. `tsa_roots` anchor the time-stamping authority (default: `roots`). Returns a
    `SignatureResult` whose status is `valid` or the code of the refusal (`result.error`);
    `result.raise_for_status()` raises it.
    """
    try:
        signed_data = parse_detached(signature)
    except CmsInvalid as exc:
        return SignatureResult(format="cms", status=exc.code, error=exc)
    digests: dict[str, bytes] = {}

    def content_digest(algorithm: str) -> bytes:
        if algorithm not in digests:
            digests[algorithm] = hashlib.new(algorithm, data).digest()
        return digests[algorithm]

    try:
        verified = verify_signer(
            signed_data, content_digest, cades=True, tampered=SignatureInvalid, roots=roots,
            tsa_roots=tsa_roots or roots, identity=identity, evidence=evidence, policy=policy,
            now=now or evidence.validated_at)
    except FilingError as exc:
        return signature_result("cms", signed_data, None, exc)
    except (ValueError, TypeError, KeyError) as exc:
        return signature_result("cms", signed_data, None,
                                CmsInvalid(f"malformed signature or certificate: {exc}"))
    return signature_result("cms", signed_data, verified, None)
