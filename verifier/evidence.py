"""The evidence document of a CA signature, and the evidence it names (verifier/FORMAT.md).

An attachment of type `application/vnd.infraledger.evidence+json` is the RFC 8785 JSON

    {"format": "infraledger-evidence/1",
     "signature": {"format": "cms", "sha256": "<hex of the CMS DER>"}
                | {"format": "pades", "attachment": "<hex of the signed PDF>"},
     "evidence": {"version": 1, "validated_at": "<RFC 3339 UTC>",
                  "items": [{"kind": "certificate" | "ocsp" | "crl" | "timestamp",
                             "sha256": "<hex of the DER>"}, ...]}}

Every file is named by its SHA-256, so the verifier takes them from any files the user gives
(`Files`) and trusts none: a file is used only under the hash of its own bytes, and the record
commits to the document's hash in its attachment list.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from cryptography import x509
from cryptography.x509 import ocsp

from verifier.canonical_json import canonicalize, parse_json
from verifier.errors import MalformedInput
from verifier.revocation import RevocationData
from verifier.signature_status import EvidenceMissing, SignatureRefused

EVIDENCE_TYPE: Final = "application/vnd.infraledger.evidence+json"
EVIDENCE_FORMAT: Final = "infraledger-evidence/1"
MANIFEST_VERSION: Final = 1
KINDS: Final = ("certificate", "ocsp", "crl", "timestamp")
_HEX64: Final = re.compile(r"[0-9a-f]{64}\Z")


class Files:
    """Files given by the user, by the SHA-256 of their bytes."""

    def __init__(self, contents: Iterable[bytes] = ()) -> None:
        self._by_hash = {hashlib.sha256(data).hexdigest(): data for data in contents}

    def get(self, sha256: str, what: str) -> bytes:
        """The file whose SHA-256 is `sha256`; raises `EvidenceMissing` naming `what`."""
        found = self._by_hash.get(sha256)
        if found is None:
            raise EvidenceMissing(f"{what} {sha256} was not given")
        return found


@dataclass(frozen=True, slots=True)
class Evidence:
    """The items of one evidence document, parsed, and the time they were gathered."""

    validated_at: datetime
    certificates: tuple[x509.Certificate, ...]
    revocation: RevocationData
    timestamps: frozenset[str]
    """The SHA-256 of each stored time-stamp token."""


@dataclass(frozen=True, slots=True)
class EvidenceDocument:
    """A parsed evidence document: what it is the evidence of, and its manifest."""

    format: Literal["cms", "pades"]
    target: str
    """The CMS's SHA-256 for `cms`, the signed PDF's for `pades` (64 lowercase hex)."""
    manifest: Mapping[str, Any]

    @staticmethod
    def parse(data: bytes) -> EvidenceDocument:
        """Read a document; raises `SignatureRefused` (`evidence_invalid`) when it is not an
        `infraledger-evidence/1` document in RFC 8785 form."""
        try:
            value = parse_json(data, what="evidence document")
            if not isinstance(value, dict) or set(value) != {"format", "signature", "evidence"}:
                raise ValueError("want members format, signature, evidence")
            signature = value["signature"]
            form = signature["format"] if isinstance(signature, dict) else None
            member = "sha256" if form == "cms" else "attachment"
            if (
                value["format"] != EVIDENCE_FORMAT
                or form not in ("cms", "pades")
                or set(signature) != {"format", member}
            ):
                raise ValueError(f"not an {EVIDENCE_FORMAT} document")
            target = signature[member]
            if not isinstance(target, str) or not _HEX64.match(target):
                raise ValueError(f"signature.{member}: want 64 lowercase hex")
            if not isinstance(value["evidence"], dict):
                raise ValueError("evidence: want an object")
            if canonicalize(value) != data:
                raise ValueError("not in RFC 8785 form")
        except (MalformedInput, ValueError, KeyError, TypeError) as exc:
            raise SignatureRefused("evidence_invalid", f"evidence document: {exc}") from exc
        return EvidenceDocument(format=form, target=target, manifest=value["evidence"])

    def evidence(self, files: Files) -> Evidence:
        """The items the manifest names, taken from `files` and parsed.

        Raises `EvidenceMissing` for an item not given, `SignatureRefused` (`evidence_invalid`)
        for a malformed manifest or an item that is not DER of its kind."""
        manifest = self.manifest
        try:
            if set(manifest) != {"version", "validated_at", "items"}:
                raise ValueError("want members version, validated_at, items")
            if manifest["version"] != MANIFEST_VERSION:
                raise ValueError(f"version {manifest['version']!r}: want {MANIFEST_VERSION}")
            validated_at = datetime.fromisoformat(str(manifest["validated_at"]))
            if validated_at.utcoffset() is None:
                raise ValueError("validated_at has no time zone")
            entries = [(str(item["kind"]), str(item["sha256"])) for item in manifest["items"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise SignatureRefused("evidence_invalid", f"evidence manifest: {exc}") from exc
        certificates, responses, crls, timestamps = [], [], [], set()
        for kind, address in entries:
            if kind not in KINDS or not _HEX64.match(address):
                raise SignatureRefused("evidence_invalid", f"evidence item {kind} {address[:64]}")
            der = files.get(address, f"evidence item ({kind})")
            try:
                if kind == "certificate":
                    certificates.append(x509.load_der_x509_certificate(der))
                elif kind == "ocsp":
                    response = ocsp.load_der_ocsp_response(der)
                    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
                        raise ValueError("the OCSP response is not successful")
                    responses.append(response)
                elif kind == "crl":
                    crls.append(x509.load_der_x509_crl(der))
                else:
                    timestamps.add(address)
            except ValueError as exc:
                raise SignatureRefused(
                    "evidence_invalid", f"evidence item {kind} {address}: {exc}"
                ) from exc
        return Evidence(
            validated_at=validated_at,
            certificates=tuple(certificates),
            revocation=RevocationData(validated_at, tuple(responses), tuple(crls)),
            timestamps=frozenset(timestamps),
        )
