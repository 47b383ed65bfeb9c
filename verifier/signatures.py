"""CA signatures of a record, checked offline from the stored evidence (verifier/FORMAT.md).

A record carries a CA signature when its attachment list holds an evidence document
(`verifier.evidence`): of a detached CMS (CAdES-BES/-T) over the record, or of the PAdES
signatures of a listed PDF. `check_record_signatures` checks each one from files alone, the
bundle, the evidence document, the CMS or PDF and the evidence items the document names, with no
network, exactly as the ledger checked it at acceptance:

* **the bytes a CMS signs** are the RFC 8785 form of the record's EIP-712 fields and domain
  and its operator, with `attachments` committing to the list less its evidence documents
  (docs/submitting.md): `cms_signed_bytes`. The operator is named because a CMS, unlike
  EIP-712, recovers no address: it says whom it signs for, and a record signed with a CA
  certificate only (entry `signature` null) is signed by its CMS alone;
* **who may sign**: the `binding/1` record in force for the operator, the one sequenced last
  before the record (the greatest log index below the record's; never chosen by `issued_at`,
  which the operator sets), as the ledger takes it; the bindings come from the log itself as
  proof bundles that verify (`binding_of`); the certificate must carry its tax code and/or be
  one of its fingerprints;
* **the signature, its certificate, its time-stamp, path and revocation at the signing time**:
  `verifier.cms`, `verifier.certificates`, `verifier.revocation`, `verifier.pdf_signature`.

`now` is the verifier's clock (`--at`): nothing is checked against it but that it does not
precede the evidence, so a signature verifies years after its certificate expired.

A file that is not given makes a signature "could not check" (`evidence_missing`, and
`no_signing_roots` when the trust file pins none); everything else that does not hold is a
finding, including an evidence document that contradicts the record (a PDF it does not list).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from cryptography import x509

from verifier.address import parse_address
from verifier.bundle import ProofBundle
from verifier.canonical_json import canonicalize, parse_json
from verifier.certificates import SigningRoots, normalise_tax_code, organisation_of, tax_code_of
from verifier.cms import (
    SignedData,
    VerifiedSigner,
    parse_signed_data,
    signer_certificate,
    verify_signer,
)
from verifier.commitments import attachment_list_hash
from verifier.eip712 import DOMAIN_NAME, DOMAIN_VERSION, SigningDomain
from verifier.encodings import encode_hex
from verifier.errors import MalformedInput
from verifier.evidence import EVIDENCE_TYPE, EvidenceDocument, Files
from verifier.messages import Lang, Param, Text, Time, text
from verifier.pdf_signature import pdf_signatures
from verifier.signature_status import (
    STATUS_TEXTS,
    VALID,
    EvidenceMissing,
    SignatureRefused,
)

CMS_BYTES_TYPE: Final = "infraledger-cms/1"
BINDING_SCHEMA: Final = "binding/1"
BINDING_SUBJECT_PREFIX: Final = "binding:"
BINDING_FIELDS: Final = frozenset({"operator", "organisation", "tax_code", "fingerprints"})
COULD_NOT_CHECK: Final = frozenset({"evidence_missing", "no_signing_roots"})
"""Statuses that are not findings: the signature could not be checked."""


@dataclass(frozen=True, slots=True)
class Binding:
    """A `binding/1` record of the log: its log index, and whom it lets sign."""

    record_id: str
    operator: str
    index: int
    organisation: str
    tax_code: str | None
    fingerprints: frozenset[str]


def binding_of(bundle: ProofBundle) -> Binding:
    """The binding a proof bundle holds; the bundle must have verified.

    Raises `MalformedInput` when it is not a `binding/1` record with its body shown, carries no
    EIP-712 signature (the ledger takes a binding only with the registrar's: it is what CA
    signatures are checked against), the body does not name the subject's operator, or names
    neither a valid tax code nor a fingerprint.
    """
    entry = bundle.entry
    if entry.kind != "binding" or entry.schema != BINDING_SCHEMA or bundle.body is None:
        raise MalformedInput(
            f"record {bundle.record_id.hex()} is not a binding/1 record with its body"
        )
    if entry.signature is None:
        raise MalformedInput(
            f"binding {bundle.record_id.hex()} carries no EIP-712 signature by the registrar"
        )
    body = parse_json(bundle.body, what="binding body")
    if not isinstance(body, dict) or not set(body) <= BINDING_FIELDS or "operator" not in body:
        raise MalformedInput(f"binding body: want members {sorted(BINDING_FIELDS)}")
    operator = parse_address(body["operator"], what="binding operator")
    if entry.subject != BINDING_SUBJECT_PREFIX + operator:
        raise MalformedInput(f"binding subject {entry.subject!r} does not name {operator}")
    tax_code = body.get("tax_code")
    fingerprints = body.get("fingerprints") or []
    if tax_code is not None and (
        not isinstance(tax_code, str) or normalise_tax_code(tax_code) is None
    ):
        raise MalformedInput(f"binding tax_code {tax_code!r}: want a valid tax code")
    if not isinstance(fingerprints, list) or not all(
        isinstance(f, str) and len(f) == 64 and not f.strip("0123456789abcdef")
        for f in fingerprints
    ):
        raise MalformedInput("binding fingerprints: want SHA-256 as 64 lowercase hex")
    if tax_code is None and not fingerprints:
        raise MalformedInput("binding: names neither a tax code nor a fingerprint")
    return Binding(
        record_id=bundle.record_id.hex(),
        operator=operator,
        index=bundle.proof.index,
        organisation=str(body.get("organisation", "")),
        tax_code=None if tax_code is None else normalise_tax_code(tax_code),
        fingerprints=frozenset(fingerprints),
    )


def binding_in_force(bindings: Sequence[Binding], operator: str, before: int) -> Binding | None:
    """The binding of `operator` sequenced last before log index `before`, or None."""
    earlier = [b for b in bindings if b.operator == operator and b.index < before]
    return max(earlier, key=lambda binding: binding.index, default=None)


@dataclass(frozen=True, slots=True)
class SignatureInputs:
    """What CA signatures are checked from: the pinned roots (None: none pinned), the files
    given, the verified bindings, and the verifier's clock."""

    roots: SigningRoots | None
    files: Files
    bindings: tuple[Binding, ...]
    now: datetime


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """One CA signature of a record and its status (`valid`, a refusal code, or one of
    `COULD_NOT_CHECK`). The certificate's facts are None where they could not be read."""

    format: Literal["cms", "pades"]
    status: str
    evidence: str
    """The SHA-256 of the evidence document."""
    detail: str | None = None
    subject: str | None = None
    organisation: str | None = None
    tax_code: str | None = None
    issuer: str | None = None
    serial: str | None = None
    signed_at: datetime | None = None
    time_source: Literal["timestamp", "acceptance"] | None = None
    attachment: str | None = None
    """The SHA-256 of the signed PDF, for `pades`."""

    @property
    def valid(self) -> bool:
        return self.status == VALID

    @property
    def could_not_check(self) -> bool:
        return self.status in COULD_NOT_CHECK

    def describe(self) -> Text:
        """The report as one line for people."""
        facts: dict[str, Param] = {
            "format": self.format.upper() if self.format == "cms" else "PAdES",
            "subject": self.subject or "-",
            "organisation": self.organisation or "-",
            "tax_code": self.tax_code or "-",
            "issuer": self.issuer or "-",
            "serial": self.serial or "-",
            "status": self.status_text(),
        }
        if self.subject is None:
            return text(
                "sig.report_unread",
                format=facts["format"],
                evidence=self.evidence,
                status=facts["status"],
            )
        if self.signed_at is None:
            return text("sig.report_untimed", **facts)
        source = (
            text("sig.source_timestamp")
            if self.time_source == "timestamp"
            else text("sig.source_acceptance")
        )
        return text(
            "sig.report", **facts, time=Time(int(self.signed_at.timestamp())), source=source
        )

    def status_text(self) -> Text:
        """The status's description, and the detail of a refusal."""
        described = STATUS_TEXTS[self.status]
        if self.detail is None:
            return described
        return text("sig.status_detail", status=described, detail=self.detail)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        """The report as JSON: language-neutral facts and codes, the message in `lang`."""
        body: dict[str, Any] = {
            "format": self.format,
            "status": self.status,
            "signer": self.subject,
            "organisation": self.organisation,
            "tax_code": self.tax_code,
            "issuer": self.issuer,
            "serial": self.serial,
            "signed_at": None if self.signed_at is None else self.signed_at.isoformat(),
            "time_source": self.time_source,
            "evidence": self.evidence,
            "detail": self.detail,
            "message": self.status_text().render(lang),
        }
        if self.format == "pades":
            body["attachment"] = self.attachment
        return body


def cms_signed_bytes(bundle: ProofBundle, domain: SigningDomain) -> bytes:
    """The exact bytes a CMS over the bundle's record signs (module docstring)."""
    entry = bundle.entry
    signed_files = [item for item in bundle.attachments if item.type != EVIDENCE_TYPE]
    return canonicalize(
        {
            "type": CMS_BYTES_TYPE,
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": str(domain.chain_id),
                "verifyingContract": domain.verifying_contract,
            },
            "kind": entry.kind,
            "schema": entry.schema,
            "subject": entry.subject,
            "operator": entry.operator,
            "content": encode_hex(entry.content, prefixed=True),
            "attachments": encode_hex(attachment_list_hash(signed_files), prefixed=True),
            "supersedes": encode_hex(entry.supersedes or bytes(32), prefixed=True),
            "issuedAt": entry.issued_at,
        }
    )


def has_ca_signatures(bundle: ProofBundle) -> bool:
    """Whether the record lists an evidence document, i.e. carries a CA signature."""
    return any(item.type == EVIDENCE_TYPE for item in bundle.attachments)


def check_record_signatures(
    bundle: ProofBundle, domain: SigningDomain, inputs: SignatureInputs
) -> tuple[SignatureReport, ...]:
    """One report per CA signature of the record (none when it lists no evidence document):
    a CMS document gives one, a PDF's document one per signature of the PDF."""
    reports: list[SignatureReport] = []
    for reference in bundle.attachments:
        if reference.type != EVIDENCE_TYPE:
            continue
        address = reference.sha256.hex()
        try:
            reports.extend(_check_document(bundle, domain, inputs, address))
        except (EvidenceMissing, SignatureRefused) as exc:  # the document itself: form unknown
            reports.append(
                SignatureReport(format="cms", status=exc.code, evidence=address, detail=exc.detail)
            )
    return tuple(reports)


def _check_document(
    bundle: ProofBundle, domain: SigningDomain, inputs: SignatureInputs, address: str
) -> list[SignatureReport]:
    document = EvidenceDocument.parse(inputs.files.get(address, "the evidence document"))
    form = document.format
    listed = {item.sha256.hex() for item in bundle.attachments}
    attachment = document.target if form == "pades" else None
    if attachment is not None and attachment not in listed:
        detail = f"evidence for PDF {attachment}, which the record does not list"
        return [
            SignatureReport(
                format=form,
                status="evidence_invalid",
                evidence=address,
                detail=detail,
                attachment=attachment,
            )
        ]
    try:
        if inputs.roots is None:
            raise EvidenceMissing("pin them with trust init --signing-roots FILE.pem")
        evidence = document.evidence(inputs.files)
        entry = bundle.entry
        binding = binding_in_force(inputs.bindings, entry.operator, bundle.proof.index)
        if binding is None:
            raise EvidenceMissing(
                f"no binding/1 record of {entry.operator} sequenced before the record "
                f"(index {bundle.proof.index}) was given (--binding)"
            )
        what = "the CMS" if form == "cms" else "the signed PDF"
        signed = inputs.files.get(document.target, what)
    except (EvidenceMissing, SignatureRefused) as exc:
        status = "no_signing_roots" if inputs.roots is None else exc.code
        return [
            SignatureReport(
                format=form,
                status=status,
                evidence=address,
                detail=exc.detail,
                attachment=attachment,
            )
        ]
    roots = inputs.roots

    def check(
        signed_data: SignedData, data: bytes, *, cades: bool, tampered: str
    ) -> VerifiedSigner:
        return verify_signer(
            signed_data,
            lambda name: hashlib.new(name, data).digest(),
            cades=cades,
            tampered=tampered,
            roots=roots,
            tax_code=binding.tax_code,
            fingerprints=binding.fingerprints,
            evidence=evidence,
            now=inputs.now,
        )

    if form == "cms":
        signed_data: SignedData | None = None
        try:
            signed_data = parse_signed_data(signed)
            if signed_data.content is not None:
                raise SignatureRefused(
                    "cms_invalid",
                    "the content is encapsulated: want a detached signature (RFC 5652 §5.2)",
                )
            verified = check(
                signed_data,
                cms_signed_bytes(bundle, domain),
                cades=True,
                tampered="signature_invalid",
            )
        except SignatureRefused as exc:
            return [_refused("cms", exc, address, signed_data, None)]
        return [_verified("cms", verified, address, None)]
    try:
        signatures = pdf_signatures(signed)
    except SignatureRefused as exc:
        return [_refused("pades", exc, address, None, attachment)]
    reports = []
    for signature in signatures:
        parsed: SignedData | None = None
        try:
            parsed = parse_signed_data(signature.cms)
            verified = check(
                parsed,
                signature.signed_bytes(signed),
                cades=signature.cades,
                tampered="pdf_modified",
            )
        except SignatureRefused as exc:
            reports.append(_refused("pades", exc, address, parsed, attachment))
            continue
        reports.append(_verified("pades", verified, address, attachment))
    return reports


def _refused(
    form: Literal["cms", "pades"],
    error: SignatureRefused,
    address: str,
    signed_data: SignedData | None,
    attachment: str | None,
) -> SignatureReport:
    certificate = None if signed_data is None else signer_certificate(signed_data)
    facts = _certificate_facts(certificate)
    return SignatureReport(
        format=form,
        status=error.code,
        evidence=address,
        detail=error.detail,
        attachment=attachment,
        **facts,
    )


def _verified(
    form: Literal["cms", "pades"], verified: VerifiedSigner, address: str, attachment: str | None
) -> SignatureReport:
    return SignatureReport(
        format=form,
        status=VALID,
        evidence=address,
        attachment=attachment,
        signed_at=verified.signed_at,
        time_source=verified.time_source,
        **_certificate_facts(verified.certificate),
    )


def _certificate_facts(certificate: x509.Certificate | None) -> dict[str, Any]:
    if certificate is None:
        return {}
    try:
        tax_code = tax_code_of(certificate)
    except SignatureRefused:
        tax_code = None
    return {
        "subject": certificate.subject.rfc4514_string(),
        "organisation": organisation_of(certificate),
        "tax_code": tax_code,
        "issuer": certificate.issuer.rfc4514_string(),
        "serial": format(certificate.serial_number, "x"),
    }
