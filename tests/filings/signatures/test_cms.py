"""Detached CAdES signatures against the live test PKI: accepted, refused case by case, and
checked again years later from the stored evidence alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms as asn1_cms

from api.signatures import HttpxTransport
from filings.errors import FilingError, SignatureRefused
from filings.signatures import (
    Evidence,
    EvidenceCollector,
    EvidenceKind,
    OperatorIdentity,
    SignaturePolicy,
    accept_cms,
    fingerprint,
    sign_detached,
    verify_cms,
)
from filings.signatures.online import public_url
from filings.signatures.paths import run_sync
from filings.signatures.signing import _signer
from tests.filings.signatures.conftest import loopback
from tests.filings.signatures.pki import MST_A, MST_B, TestPki
from tests.filings.signatures.services import PkiServices

DATA = b'{"kind":"indicator","subject":"indicator:bts_shared_ratio:hue:2025"}'
YEARS_LATER = timedelta(days=5 * 365)


@pytest.fixture(scope="module")
def signed_t(pki: TestPki, services: PkiServices, http: HttpxTransport) -> bytes:
    """CAdES-T by the RSA-2048 operator, chain embedded."""
    op = pki.operators["rsa"]
    return sign_detached(DATA, op.key, op.cert, [pki.ca.cert], services.urls.tsa, transport=http)


def _sign(pki: TestPki, name: str, *, chain: bool = True, tsa: str | None = None,
          http: HttpxTransport | None = None, data: bytes = DATA) -> bytes:
    op = pki.operators[name]
    issuer = pki.foreign if name == "untrusted" else pki.ca
    return sign_detached(data, op.key, op.cert, [issuer.cert] if chain else [], tsa, transport=http)


def test_a_cades_t_signature_is_accepted_with_its_evidence(
        pki: TestPki, signed_t: bytes, collector: EvidenceCollector) -> None:
    before = datetime.now(UTC)
    result, evidence = accept_cms(DATA, signed_t, identity=pki.identity(), collector=collector)
    op = pki.operators["rsa"].cert
    assert result.valid and result.format == "cms"
    assert result.signer == op.subject.rfc4514_string()
    assert result.issuer == pki.ca.cert.subject.rfc4514_string()
    assert result.serial == format(op.serial_number, "x")
    assert result.tax_code == MST_A and result.fingerprint == fingerprint(op)
    assert result.time_source == "timestamp" and result.signed_at is not None
    assert before - timedelta(minutes=1) < result.signed_at <= evidence.validated_at
    kinds = [item.kind for item in evidence.items]
    assert kinds.count(EvidenceKind.OCSP) == 1 and kinds.count(EvidenceKind.TIMESTAMP) == 1
    assert kinds.count(EvidenceKind.CRL) == 1  # the root's, for the CA and the TSA
    body = result.to_json()
    assert body["status"] == "valid" and body["message"]["vi"] == "Chữ ký số hợp lệ"
    assert "Thời điểm ký" in result.describe("vi") and "(theo dấu thời gian)" in \
        result.describe("vi")
    print("\n" + result.describe("vi") + "\n" + result.describe("en"))


def test_a_bes_signature_is_dated_by_acceptance_and_its_chain_fetched_by_aia(
        pki: TestPki, services: PkiServices, collector: EvidenceCollector) -> None:
    signature = _sign(pki, "ec", chain=False)
    fetched = services.repository.hits["/certs/ca.cer"]
    result, evidence = accept_cms(DATA, signature, identity=pki.identity(MST_B),
                                  collector=collector)
    assert result.valid and result.tax_code == MST_B
    assert result.time_source == "acceptance" and result.signed_at == evidence.validated_at
    assert services.repository.hits["/certs/ca.cer"] == fetched + 1
    assert result.claimed_at is not None


@pytest.mark.parametrize(("name", "code"), [
    ("expired", "cert_expired"),
    ("revoked", "cert_revoked"),
    ("key_usage", "cert_key_usage"),
    ("weak", "weak_key"),
    ("untrusted", "cert_untrusted"),
])
def test_each_bad_certificate_is_refused_with_its_own_code(
        pki: TestPki, services: PkiServices, http: HttpxTransport,
        collector: EvidenceCollector, name: str, code: str) -> None:
    signature = _sign(pki, name, tsa=services.urls.tsa, http=http)
    with pytest.raises(SignatureRefused) as caught:
        accept_cms(DATA, signature, identity=pki.identity(), collector=collector)
    assert caught.value.code == code, caught.value.to_json()
    result = verify_cms(DATA, signature, roots=pki.roots(), identity=pki.identity(),
                        evidence=collector.for_cms(signature))
    assert result.status == code and result.signer == \
        pki.operators[name].cert.subject.rfc4514_string()
    assert result.message("en") != result.message("vi")


def test_revocation_details_are_reported(pki: TestPki, collector: EvidenceCollector) -> None:
    signature = _sign(pki, "revoked")
    result = verify_cms(DATA, signature, roots=pki.roots(), identity=pki.identity(),
                        evidence=collector.for_cms(signature))
    assert result.error is not None
    assert result.error.details["reason"] == "key_compromise"
    assert result.error.details["revoked_at"] == \
        pki.operators["revoked"].revoked_at.isoformat()  # type: ignore[union-attr]


def test_the_wrong_operator_changed_data_and_garbage(
        pki: TestPki, signed_t: bytes, collector: EvidenceCollector) -> None:
    evidence = collector.for_cms(signed_t)

    def status(data: bytes, signature: bytes, identity: OperatorIdentity) -> str:
        return verify_cms(data, signature, roots=pki.roots(), identity=identity,
                          evidence=evidence).status

    assert status(DATA, signed_t, pki.identity()) == "valid"
    assert status(DATA, signed_t, pki.identity(MST_B)) == "cert_identity"
    pinned = OperatorIdentity(fingerprints=frozenset({"ab" * 32}))
    assert status(DATA, signed_t, pinned) == "cert_identity"
    assert status(DATA + b" ", signed_t, pki.identity()) == "signature_invalid"
    assert status(DATA, b"\x30\x03\x02\x01\x01", pki.identity()) == "cms_invalid"
    assert status(DATA, signed_t + b"\x00", pki.identity()) == "cms_invalid"
    flipped = bytearray(signed_t)
    value = asn1_cms.ContentInfo.load(signed_t)["content"]["signer_infos"][0]["signature"]
    flipped[signed_t.index(value.contents) + 10] ^= 1
    assert status(DATA, bytes(flipped), pki.identity()) == "signature_invalid"


def test_an_attached_signature_is_refused(pki: TestPki) -> None:
    op = pki.operators["rsa"]
    content = run_sync(_signer(op.key, op.cert, [pki.ca.cert]).async_sign_general_data(
        DATA, "sha256", detached=False, use_cades=True)).dump()
    result = verify_cms(DATA, content, roots=pki.roots(), identity=pki.identity(),
                        evidence=Evidence(datetime.now(UTC)))
    assert result.status == "cms_invalid" and "detached" in result.error.message  # type: ignore


def test_status_comes_from_the_crl_when_there_is_no_responder_or_it_is_down(
        pki: TestPki, services: PkiServices, collector: EvidenceCollector) -> None:
    signature = _sign(pki, "crl_only")
    result, evidence = accept_cms(DATA, signature, identity=pki.identity(), collector=collector)
    assert result.valid and not evidence.of_kind(EvidenceKind.OCSP)
    assert len(evidence.of_kind(EvidenceKind.CRL)) == 2  # the CA's and the root's
    services.ocsp_down = True
    try:
        result, evidence = accept_cms(DATA, _sign(pki, "rsa"), identity=pki.identity(),
                                      collector=collector)
    finally:
        services.ocsp_down = False
    assert result.valid and not evidence.of_kind(EvidenceKind.OCSP)


def test_without_status_information_nothing_is_accepted(
        pki: TestPki, signed_t: bytes, collector: EvidenceCollector) -> None:
    evidence = collector.for_cms(signed_t)
    bare = Evidence(evidence.validated_at, tuple(
        item for item in evidence.items
        if item.kind not in (EvidenceKind.OCSP, EvidenceKind.CRL)))
    result = verify_cms(DATA, signed_t, roots=pki.roots(), identity=pki.identity(),
                        evidence=bare)
    assert result.status == "timestamp_invalid"
    assert result.error is not None
    assert result.error.details["reason"] == "revocation_unavailable"
    no_tst = Evidence(evidence.validated_at, tuple(
        item for item in evidence.items if item.kind is not EvidenceKind.TIMESTAMP))
    assert verify_cms(DATA, signed_t, roots=pki.roots(), identity=pki.identity(),
                      evidence=no_tst).status == "evidence_invalid"
    signature = _sign(pki, "rsa")
    evidence = collector.for_cms(signature)
    only_crls = Evidence(evidence.validated_at, tuple(
        item for item in evidence.items if item.kind is not EvidenceKind.OCSP))
    assert verify_cms(DATA, signature, roots=pki.roots(), identity=pki.identity(),
                      evidence=only_crls).status == "revocation_unavailable"


def test_signing_time_rules(pki: TestPki, signed_t: bytes,
                            make_collector: Callable[[datetime], EvidenceCollector]) -> None:
    early = make_collector(datetime.now(UTC) - timedelta(hours=1)).for_cms(signed_t)
    result = verify_cms(DATA, signed_t, roots=pki.roots(), identity=pki.identity(),
                        evidence=early)
    assert result.status == "signing_time_invalid"
    op = pki.operators["ec"]
    future = sign_detached(DATA, op.key, op.cert, [pki.ca.cert],
                           signing_time=datetime.now(UTC) + timedelta(hours=1))
    evidence = make_collector(datetime.now(UTC)).for_cms(future)
    assert verify_cms(DATA, future, roots=pki.roots(), identity=pki.identity(MST_B),
                      evidence=evidence).status == "signing_time_invalid"
    required = SignaturePolicy(require_timestamp=True)
    assert verify_cms(DATA, _sign(pki, "rsa"), roots=pki.roots(), identity=pki.identity(),
                      evidence=evidence, policy=required).status == "timestamp_missing"


def test_a_time_stamp_over_another_signature_is_refused(
        pki: TestPki, signed_t: bytes, collector: EvidenceCollector) -> None:
    donor = asn1_cms.ContentInfo.load(signed_t)
    target = asn1_cms.ContentInfo.load(_sign(pki, "rsa"))
    target["content"]["signer_infos"][0]["unsigned_attrs"] = \
        donor["content"]["signer_infos"][0]["unsigned_attrs"]
    grafted = target.dump(force=True)
    result = verify_cms(DATA, grafted, roots=pki.roots(), identity=pki.identity(),
                        evidence=collector.for_cms(grafted))
    assert result.status == "timestamp_invalid"
    assert result.error is not None and result.error.details["reason"] == "imprint_mismatch"


def test_years_later_offline_from_the_stored_evidence_alone(
        pki: TestPki, services: PkiServices, signed_t: bytes,
        collector: EvidenceCollector) -> None:
    _, evidence = accept_cms(DATA, signed_t, identity=pki.identity(), collector=collector)
    store = evidence.blobs()
    manifest = evidence.manifest()
    later = pki.built_at + YEARS_LATER
    assert pki.operators["rsa"].cert.not_valid_after_utc < later  # every leaf has expired
    assert pki.responder.cert.not_valid_after_utc < later
    served = services.hits()
    stored = Evidence.from_manifest(manifest, store.__getitem__)
    result = verify_cms(DATA, signed_t, roots=pki.roots(), identity=pki.identity(),
                        evidence=stored, now=later)
    assert services.hits() == served  # nothing was fetched
    assert result.valid, result.error and result.error.to_json()
    assert result.signed_at is not None and result.signed_at <= evidence.validated_at
    # The same signature with evidence only gathered now, years later: the certificate had
    # expired before its status was asked, so it proves nothing.
    late = verify_cms(DATA, signed_t, roots=pki.roots(), identity=pki.identity(),
                      evidence=replace(stored, validated_at=later), now=later)
    assert late.status == "cert_expired"
    assert late.error is not None and late.error.details["at"] == "acceptance"
    bes = _sign(pki, "rsa")
    _, bes_evidence = accept_cms(DATA, bes, identity=pki.identity(), collector=collector)
    assert verify_cms(DATA, bes, roots=pki.roots(), identity=pki.identity(),
                      evidence=bes_evidence, now=later).valid
    # Without a time-stamp the signing time is the acceptance time; were it years later, the
    # stored status (good for a day around acceptance) would not cover it.
    late_bes = replace(bes_evidence, validated_at=later)
    assert verify_cms(DATA, bes, roots=pki.roots(), identity=pki.identity(),
                      evidence=late_bes, now=later).status == "revocation_unavailable"
    with pytest.raises(FilingError):
        verify_cms(DATA, bes, roots=pki.roots(), identity=pki.identity(), evidence=bes_evidence,
                   now=evidence.validated_at - timedelta(days=1)).raise_for_status()


def test_the_collector_fetches_nothing_it_should_not(
        pki: TestPki, services: PkiServices, http: HttpxTransport) -> None:
    assert public_url("http://ocsp.vnpt-ca.vn/responder") and public_url("https://8.8.8.8/c")
    for url in ("http://127.0.0.1:80/", "http://localhost/crl", "http://10.0.0.1/ocsp",
                "http://169.254.169.254/latest", "http://[::1]/", "file:///etc/passwd",
                "ldap://dir.example/cn=ca"):
        assert not public_url(url), url
    served = services.hits()
    evidence = EvidenceCollector(pki.roots(), http).for_cms(_sign(pki, "rsa"))
    assert services.hits() == served
    assert {item.kind for item in evidence.items} == {EvidenceKind.CERTIFICATE}
    crl = services.repository.hits["/crl/foreign.crl"]
    untrusted = EvidenceCollector(pki.roots(), http, url_allowed=loopback).for_cms(
        _sign(pki, "untrusted"))
    assert services.repository.hits["/crl/foreign.crl"] == crl  # not anchored: no status asked
    assert untrusted.items == ()
