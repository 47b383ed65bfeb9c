"""PAdES signatures in PDF attachments (ETSI EN 319 142-1; ISO 32000-1 §12.8).

A PDF signature is a detached CMS over the file's `/ByteRange`: everything but the `/Contents`
hole that holds the CMS itself. pyHanko reads the file, digests the byte range and judges any
incremental update after the signed revision; the signature itself gets the same checks as a CMS
file (`validation.verify_signer`). Per signature (a `/Sig` field; document time-stamps are LTA
updates, not signatures):

* the `/SubFilter` is `ETSI.CAdES.detached` (PAdES baseline, which also needs the
  signing-certificate-v2 attribute, ETSI EN 319 142-1 §5.1) or `adbe.pkcs7.detached` (ISO 32000-1
  §12.8.3.3, what many Vietnamese signing tools produce) -> else `PdfInvalid`;
* coverage: the last signature covers the whole file, or its revision followed only by LTA
  updates (a DSS, document time-stamps: ETSI EN 319 142-1 §5.4); an earlier signature may
  further be followed by form filling and later signatures -> else `PdfModified`;
* the byte-range digest is the signed one -> else `PdfModified`.

A PDF counts when it has at least one signature and every signature is valid: each must be
bound to the operator (`OperatorIdentity` can pin several certificates, e.g. a director's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from typing import Final

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult, ModificationLevel
from pyhanko.sign.validation import EmbeddedPdfSignature, SignatureCoverageLevel
from pyhanko.sign.validation.errors import SignatureValidationError

from filings.errors import FilingError, PdfInvalid, PdfModified
from filings.signatures.evidence import Evidence
from filings.signatures.policy import DEFAULT_POLICY, OperatorIdentity, SignaturePolicy
from filings.signatures.results import SignatureResult
from filings.signatures.roots import TrustRoots
from filings.signatures.validation import signature_result, verify_signer

CADES_SUBFILTER: Final = "/ETSI.CAdES.detached"


def read_signatures(pdf: bytes) -> list[EmbeddedPdfSignature]:
    """The `/Sig` signatures of a PDF in file order (document time-stamps left out).

    Raises `PdfInvalid` when the file cannot be read or has no signature.
    """
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=True)
        signatures = list(reader.embedded_regular_signatures)
    except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        raise PdfInvalid(f"the PDF cannot be read: {exc}") from exc
    if not signatures:
        raise PdfInvalid("the PDF has no signature")
    return signatures


def carries_signature(pdf: bytes) -> bool:
    """Whether a PDF holds a signature (a signed `/Sig` field), so that admission never takes a
    signed PDF as a plain file unchecked (`filings.bindings`).

    Read leniently, as a reader would; a file pyHanko cannot read at all counts as signed when
    it holds a `/ByteRange` (the mark of a signature dictionary, ISO 32000-1 §12.8.1): a reader
    that repairs a damaged file may still show its signature.
    """
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        return any(True for _ in reader.embedded_regular_signatures)
    except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError):
        return b"/ByteRange" in pdf


def verify_pdf(pdf: bytes, *, roots: TrustRoots, identity: OperatorIdentity,
               evidence: Evidence, policy: SignaturePolicy = DEFAULT_POLICY,
               tsa_roots: TrustRoots | None = None,
               now: datetime | None = None) -> tuple[SignatureResult, ...]:
    """Check every signature of `pdf` from `evidence` alone; one result per signature.

    `now` and `tsa_roots` as in `cms.verify_cms`. A file that cannot be read or has no
    signature gives a single `pdf_invalid` result. Each result carries the file's SHA-256 as
    `attachment`.
    """
    attachment = hashlib.sha256(pdf).hexdigest()
    try:
        signatures = read_signatures(pdf)
    except PdfInvalid as exc:
        return (SignatureResult(format="pades", status=exc.code, attachment=attachment,
                                error=exc),)
    results = []
    for index, embedded in enumerate(signatures):
        last = index == len(signatures) - 1
        try:
            _check_form(embedded, policy, last=last)
            verified = verify_signer(
                embedded.signed_data, embedded.compute_digest,
                cades=embedded.sig_object.get("/SubFilter") == CADES_SUBFILTER,
                tampered=PdfModified, roots=roots, tsa_roots=tsa_roots or roots,
                identity=identity, evidence=evidence, policy=policy,
                now=now or evidence.validated_at, claimed_at=embedded.self_reported_timestamp)
        except (FilingError, ValueError, TypeError, KeyError) as exc:
            error = exc if isinstance(exc, FilingError) else PdfInvalid(
                f"malformed signature or certificate: {exc}")
            results.append(signature_result("pades", embedded.signed_data, None, error,
                                            attachment=attachment,
                                            field_name=embedded.field_name))
            continue
        results.append(signature_result("pades", embedded.signed_data, verified, None,
                                        attachment=attachment, field_name=embedded.field_name))
    return tuple(results)


def first_refusal(results: Sequence[SignatureResult]) -> FilingError | None:
    """The error of the first refused result, or None when all are valid."""
    return next((r.error for r in results if r.error is not None), None)


def _check_form(embedded: EmbeddedPdfSignature, policy: SignaturePolicy, *, last: bool) -> None:
    subfilter = str(embedded.sig_object.get("/SubFilter"))
    if subfilter not in policy.pdf_subfilters:
        raise PdfInvalid(f"SubFilter {subfilter}: want one of {sorted(policy.pdf_subfilters)}",
                         details={"subfilter": subfilter})
    try:
        embedded.compute_integrity_info(  # type: ignore[no-untyped-call]
            diff_policy=DEFAULT_DIFF_POLICY)
    except (PdfError, SignatureValidationError, ValueError, KeyError) as exc:
        raise PdfInvalid(f"the signed revision cannot be analysed: {exc}") from exc
    coverage = embedded.coverage
    if coverage is None:
        raise PdfInvalid("the signature's coverage cannot be determined")
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return
    allowed = ModificationLevel.LTA_UPDATES if last else ModificationLevel.FORM_FILLING
    diff = embedded.diff_result
    level = diff.modification_level if isinstance(diff, DiffResult) else ModificationLevel.OTHER
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION or level > allowed:
        raise PdfModified(f"the file was changed after signing (coverage {coverage.name}, "
                          f"changes {level.name}; want at most {allowed.name})",
                          details={"coverage": coverage.name, "modification": level.name})
