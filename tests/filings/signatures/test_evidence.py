"""Evidence is content-addressed and survives a round trip through a blob store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from filings.errors import EvidenceInvalid
from filings.signatures import Evidence, EvidenceItem, EvidenceKind
from tests.filings.signatures.pki import TestPki

AT = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)


def _evidence(pki: TestPki) -> Evidence:
    der = pki.ca.cert.public_bytes(serialization.Encoding.DER)
    return Evidence(AT, (EvidenceItem(EvidenceKind.CRL, pki.ca.crl(AT)),
                         EvidenceItem(EvidenceKind.CERTIFICATE, der),
                         EvidenceItem(EvidenceKind.CERTIFICATE, der)))


def test_manifest_round_trip_through_a_blob_store(pki: TestPki) -> None:
    evidence = _evidence(pki)
    assert [item.kind for item in evidence.items] == [EvidenceKind.CERTIFICATE, EvidenceKind.CRL]
    manifest = evidence.manifest()
    assert manifest["validated_at"] == "2026-06-01T08:30:00Z"
    store = evidence.blobs()
    again = Evidence.from_manifest(manifest, store.__getitem__)
    assert again == evidence and again.digest() == evidence.digest()
    assert len(evidence.digest()) == 32


def test_a_changed_blob_or_manifest_is_refused(pki: TestPki) -> None:
    evidence = _evidence(pki)
    store = evidence.blobs()
    address = evidence.items[0].sha256
    store[address] = store[address][:-1] + bytes([store[address][-1] ^ 1])
    with pytest.raises(EvidenceInvalid, match="hashes to"):
        Evidence.from_manifest(evidence.manifest(), store.__getitem__)
    manifests: list[dict[str, object]] = [
        {**evidence.manifest(), "version": 2}, {"items": []},
        {**evidence.manifest(), "items": [{"kind": "photo", "sha256": address}]}]
    for manifest in manifests:
        with pytest.raises(EvidenceInvalid):
            Evidence.from_manifest(manifest, evidence.blobs().__getitem__)


def test_items_must_parse_as_their_kind(pki: TestPki) -> None:
    der = pki.ca.cert.public_bytes(serialization.Encoding.DER)
    for kind in (EvidenceKind.CRL, EvidenceKind.OCSP, EvidenceKind.TIMESTAMP):
        with pytest.raises(EvidenceInvalid):
            EvidenceItem(kind, der)
    with pytest.raises(EvidenceInvalid):
        EvidenceItem(EvidenceKind.CERTIFICATE, der + b"\x00")
    with pytest.raises(EvidenceInvalid, match="naive"):
        Evidence(datetime(2026, 1, 1))
    assert Evidence(AT).with_items([EvidenceItem(EvidenceKind.CERTIFICATE, der)]).of_kind(
        EvidenceKind.CERTIFICATE) == [der]
    assert Evidence(AT + timedelta(0)).manifest()["items"] == []
