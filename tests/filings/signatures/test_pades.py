"""PAdES-signed PDF reports against the live test PKI."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import BytesIO

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner

from api.signatures import HttpxTransport
from filings.errors import PdfModified
from filings.signatures import (
    Evidence,
    EvidenceCollector,
    accept_pdf,
    sign_pdf,
    verify_pdf,
)
from filings.signatures.paths import run_sync
from filings.signatures.signing import _signer
from tests.filings.signatures.documents import TITLE, report_pdf
from tests.filings.signatures.pki import MST_B, TestPki
from tests.filings.signatures.services import PkiServices


@pytest.fixture(scope="module")
def signed_pdf(pki: TestPki, services: PkiServices, http: HttpxTransport) -> bytes:
    op = pki.operators["rsa"]
    return sign_pdf(report_pdf(), op.key, op.cert, [pki.ca.cert], services.urls.tsa,
                    transport=http)


def test_a_pades_report_is_accepted_and_its_result_shown(
        pki: TestPki, signed_pdf: bytes, collector: EvidenceCollector) -> None:
    results, evidence = accept_pdf(signed_pdf, identity=pki.identity(), collector=collector)
    (result,) = results
    assert result.valid and result.format == "pades" and result.field_name == "Signature1"
    assert result.attachment == hashlib.sha256(signed_pdf).hexdigest()
    assert result.signer == pki.operators["rsa"].cert.subject.rfc4514_string()
    assert result.time_source == "timestamp" and result.signed_at is not None
    assert result.to_json()["attachment"] == result.attachment
    print("\n" + result.describe("vi") + "\n" + result.describe("en"))
    later = pki.built_at + timedelta(days=5 * 365)
    stored = Evidence.from_manifest(evidence.manifest(), evidence.blobs().__getitem__)
    (again,) = verify_pdf(signed_pdf, roots=pki.roots(), identity=pki.identity(),
                          evidence=stored, now=later)
    assert again.valid and again.signed_at == result.signed_at


def test_one_byte_changed_after_signing_is_refused(
        pki: TestPki, signed_pdf: bytes, collector: EvidenceCollector) -> None:
    at = signed_pdf.index(TITLE) + TITLE.index(b"Hue")
    changed = signed_pdf[:at] + b"J" + signed_pdf[at + 1:]
    assert len(changed) == len(signed_pdf)
    with pytest.raises(PdfModified, match="digest"):
        accept_pdf(changed, identity=pki.identity(), collector=collector)


def test_an_update_appended_after_signing_is_refused(
        pki: TestPki, signed_pdf: bytes, collector: EvidenceCollector) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    writer.root[generic.pdf_name("/Lang")] = generic.TextStringObject("vi-VN")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    (result,) = verify_pdf(out.getvalue(), roots=pki.roots(), identity=pki.identity(),
                           evidence=collector.for_pdf(out.getvalue()))
    assert result.status == "pdf_modified"
    assert result.error is not None and result.error.details["coverage"] == "ENTIRE_REVISION"


def test_unsigned_unreadable_and_foreign_pdfs(
        pki: TestPki, signed_pdf: bytes, collector: EvidenceCollector) -> None:
    for pdf in (report_pdf(), b"%PDF-1.7\n garbage"):
        (result,) = verify_pdf(pdf, roots=pki.roots(), identity=pki.identity(),
                               evidence=collector.for_pdf(pdf))
        assert result.status == "pdf_invalid" and result.attachment is not None
    (result,) = verify_pdf(signed_pdf, roots=pki.roots(), identity=pki.identity(MST_B),
                           evidence=collector.for_pdf(signed_pdf))
    assert result.status == "cert_identity"


def test_every_signature_counts(pki: TestPki, signed_pdf: bytes, services: PkiServices,
                                http: HttpxTransport, collector: EvidenceCollector) -> None:
    op = pki.operators["expired"]
    twice = sign_pdf(signed_pdf, op.key, op.cert, [pki.ca.cert], field_name="Signature2",
                     transport=http)
    results = verify_pdf(twice, roots=pki.roots(), identity=pki.identity(),
                         evidence=collector.for_pdf(twice))
    assert [r.status for r in results] == ["valid", "cert_expired"]
    assert [r.field_name for r in results] == ["Signature1", "Signature2"]


def test_the_pkcs7_form_of_vietnamese_signing_tools_is_accepted(
        pki: TestPki, collector: EvidenceCollector) -> None:
    op = pki.operators["ec"]
    writer = IncrementalPdfFileWriter(BytesIO(report_pdf()))
    meta = PdfSignatureMetadata(field_name="Signature1",
                                subfilter=SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    out = BytesIO()
    run_sync(PdfSigner(meta, _signer(op.key, op.cert, [pki.ca.cert])).async_sign_pdf(
        writer, output=out))
    (result,) = verify_pdf(out.getvalue(), roots=pki.roots(), identity=pki.identity(MST_B),
                           evidence=collector.for_pdf(out.getvalue()))
    assert result.valid, result.to_json()
    assert result.time_source == "acceptance"
