"""The validation evidence of an accepted signature, kept so it can be checked again for ever.

At acceptance the ledger gathers what the signature's validity rests on: the intermediate
certificates of each path, an OCSP response (RFC 6960 §4.2) or a CRL (RFC 5280 §5) for every
non-root certificate on it, and the RFC 3161 time-stamp tokens that fixed the signing time. This
is the content of a PAdES B-LT/LTA DSS (ETSI EN 319 142-1 §5.4) or of CAdES-LT values
(ETSI EN 319 122-1 §5.5), kept beside the record instead of inside the signature.

Each item is content-addressed by the SHA-256 of its DER bytes, so the blob store holds it once
and anyone can tell it is unchanged. The manifest (`Evidence.manifest`) lists the items by kind and
hash with the acceptance time; its digest (`Evidence.digest`) is what a record commits to. The
record's inclusion in the anchored Merkle log then proves the evidence existed at acceptance, the
part an archive time-stamp plays in PAdES-LTA. Re-validation years later needs only the
signature, the signed bytes, these items and the pinned roots (`cms.verify_cms`,
`pades.verify_pdf` with `now=`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from asn1crypto import cms as asn1_cms
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509

from filings.errors import EvidenceInvalid

MANIFEST_VERSION: Final = 1


class EvidenceKind(StrEnum):
    """What an evidence item is; the value is its name in the manifest."""

    CERTIFICATE = "certificate"
    OCSP = "ocsp"
    CRL = "crl"
    TIMESTAMP = "timestamp"


def _check_certificate(der: bytes) -> None:
    if not isinstance(asn1_x509.Certificate.load(der, strict=True).serial_number, int):
        raise ValueError("no serial number")


def _check_ocsp(der: bytes) -> None:
    if asn1_ocsp.OCSPResponse.load(der, strict=True)["response_status"].native != "successful":
        raise ValueError("the OCSP response status is not successful")


def _check_crl(der: bytes) -> None:
    if not asn1_crl.CertificateList.load(der, strict=True).issuer.human_friendly:
        raise ValueError("no issuer")


def _check_timestamp(der: bytes) -> None:
    if asn1_cms.ContentInfo.load(der, strict=True)["content_type"].native != "signed_data":
        raise ValueError("a time-stamp token is a CMS SignedData (RFC 3161 §2.4.2)")


_CHECKS: Final[Mapping[EvidenceKind, Callable[[bytes], None]]] = {
    EvidenceKind.CERTIFICATE: _check_certificate,
    EvidenceKind.OCSP: _check_ocsp,
    EvidenceKind.CRL: _check_crl,
    EvidenceKind.TIMESTAMP: _check_timestamp,
}


@dataclass(frozen=True, order=True)
class EvidenceItem:
    """One DER object of a kind. Its address is `sha256`.

    Raises `EvidenceInvalid` when `der` does not parse as that kind (an OCSP response must be
    `successful`, RFC 6960 §4.2.1; a time-stamp token is a SignedData, RFC 3161 §2.4.2).
    """

    kind: EvidenceKind
    der: bytes = field(repr=False)

    def __post_init__(self) -> None:
        try:
            _CHECKS[self.kind](self.der)
        except (ValueError, TypeError, KeyError) as exc:
            raise EvidenceInvalid(f"{self.kind} item does not parse as DER: {exc}",
                                  details={"kind": str(self.kind)}) from exc

    @property
    def sha256(self) -> str:
        """The item's address: SHA-256 of the DER bytes, 64 lowercase hex digits."""
        return hashlib.sha256(self.der).hexdigest()


@dataclass(frozen=True)
class Evidence:
    """The items gathered for one signature (or one PDF) and the time they were gathered.

    `validated_at` is the acceptance time, timezone-aware; items are deduplicated and sorted by
    (kind, sha256) so that equal evidence has equal manifests.
    """

    validated_at: datetime
    items: tuple[EvidenceItem, ...] = ()

    def __post_init__(self) -> None:
        if self.validated_at.utcoffset() is None:
            raise EvidenceInvalid("validated_at is a naive datetime; want a timezone")
        unique = {(item.kind, item.sha256): item for item in self.items}
        object.__setattr__(self, "items", tuple(unique[key] for key in sorted(unique)))

    def of_kind(self, kind: EvidenceKind) -> list[bytes]:
        """The DER bytes of the items of `kind`, in manifest order."""
        return [item.der for item in self.items if item.kind is kind]

    def with_items(self, items: Iterable[EvidenceItem]) -> Evidence:
        """A copy with `items` added."""
        return Evidence(self.validated_at, (*self.items, *items))

    def manifest(self) -> dict[str, Any]:
        """The JSON form stored with the record: version, acceptance time and item addresses."""
        return {
            "version": MANIFEST_VERSION,
            "validated_at": self.validated_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "items": [{"kind": str(item.kind), "sha256": item.sha256} for item in self.items],
        }

    def digest(self) -> bytes:
        """SHA-256 of the manifest as compact, key-sorted UTF-8 JSON (what a record commits to)."""
        text = json.dumps(self.manifest(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).digest()

    def blobs(self) -> dict[str, bytes]:
        """The items' bytes by address, for the content-addressed blob store."""
        return {item.sha256: item.der for item in self.items}

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any],
                      load: Callable[[str], bytes]) -> Evidence:
        """Rebuild evidence from a stored manifest and a blob loader (address -> bytes).

        Raises `EvidenceInvalid` when the manifest is malformed, of another version, names an
        unknown kind, or a blob does not hash to its address; the loader's own errors pass
        through.
        """
        try:
            version = manifest["version"]
            validated_at = datetime.fromisoformat(manifest["validated_at"])
            entries = [(EvidenceKind(e["kind"]), str(e["sha256"])) for e in manifest["items"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise EvidenceInvalid(f"malformed evidence manifest: {exc}") from exc
        if version != MANIFEST_VERSION:
            raise EvidenceInvalid(f"evidence manifest version {version}: want "
                                  f"{MANIFEST_VERSION}")
        items = []
        for kind, address in entries:
            der = load(address)
            got = hashlib.sha256(der).hexdigest()
            if got != address:
                raise EvidenceInvalid(f"evidence blob {address} hashes to {got}",
                                      details={"sha256": address, "got": got})
            items.append(EvidenceItem(kind, der))
        return cls(validated_at, tuple(items))
