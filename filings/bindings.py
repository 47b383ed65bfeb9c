"""Operators bound to organisation certificates, and the CA signatures admitted against them.

**The binding** is a record in the log, filed by the registrar like a plan: kind `binding`,
schema `binding/1`, subject `binding:<operator address, EIP-55>`, body

    {"operator": "0x<EIP-55>", "organisation": "<name>", "tax_code": "<MST>" | null,
     "fingerprints": ["<SHA-256 of the certificate DER, 64 lowercase hex>", ...]}

with a tax code (mã số thuế, as the certificate subject carries it: `filings.signatures.policy`)
and/or pinned certificate fingerprints. To change it the registrar files a correction that
supersedes it. Kept in the log rather than the OperatorRegistry contract: no contract change,
and every binding gets the log's inclusion proofs and anchors for free, so a verifier proves who
could sign for an operator with the same machinery as the record itself.

The binding **in force** for a record is the binding of its operator sequenced last before
the record (the greatest log index below the record's). Not the one chosen by the record's
`issued_at`: the operator sets that, and could backdate a record to pick an older binding still
pinning a certificate the registrar dropped. A correction takes over from its own place in the
log on. Admission judges a record by the bindings sequenced by then, which precede it, and
names the newest of them (`PreparedSubmission.judged_by`); the append writes the record only if
that is still the operator's newest binding, checked under the log's head lock, so a binding
the registrar files while the record waits for the sequencer (or earlier in the same batch)
refuses it `binding_changed` instead of leaving a record its binding in force no longer allows.

**A CMS instead of EIP-712.** A record whose `signature` is null is signed with a CA
certificate only: its CMS, over bytes that name its operator, is then what proves who filed it,
so it must carry one that admission accepts for that operator.

**The bytes a CMS signs** (`filings.signing.ca_signed_bytes`): the RFC 8785 form of

    {"type": "infraledger-cms/1",
     "domain": {"name": "InfraLedger", "version": "1", "chainId": "<decimal>",
                "verifyingContract": "0x<EIP-55>"},
     "kind", "schema", "subject", "operator": "0x<EIP-55>", "content": "0x<64 hex>",
     "attachments": "0x<64 hex>",
     "supersedes": "0x<64 hex>" (zero when absent, as EIP-712 signs it), "issuedAt": <int>}

the fields EIP-712 signs and the operator (which EIP-712 recovers and a CMS cannot), with one
difference: `attachments` commits to the attachment list **less its evidence documents** (they
are made after the CMS, from it).

**Evidence documents** (`filings.signing.EVIDENCE_TYPE`,
`application/vnd.infraledger.evidence+json`) are attachments of the record: the RFC 8785 JSON

    {"format": "infraledger-evidence/1",
     "signature": {"format": "cms", "sha256": "<hex of the CMS DER>"}
                | {"format": "pades", "attachment": "<hex of the signed PDF>"},
     "evidence": <the manifest of `filings.signatures.Evidence`>}

made by the ledger when it gathered the signature's OCSP responses, CRLs, certificates and
time-stamps (`POST /v1/signatures/evidence`); the CMS and each item are content-addressed blobs.
Listing the document in the attachment list puts it under the EIP-712 signature and the leaf,
so the log commits to the evidence the signature was accepted on.

`ca_refusal` is the admission rule: each evidence document of a record is checked from the
stored evidence alone (no network), with the binding in force, and every listed PDF that
carries a signature must have its own; refusals are the signature's own codes (`cert_expired`,
`cert_revoked`, `cert_key_usage`, `cert_untrusted`, `cert_identity`, `signature_invalid`,
`pdf_modified`, ...), `operator_not_bound` when no binding is in force, `evidence_invalid` when
a document or blob is missing or malformed, `no_record_signature` for a record without an
EIP-712 signature (`signature` null: signed with a CA certificate only) whose signatures include
no CMS over its fields (a PAdES signature signs a PDF, not the record),
`pdf_signature_unchecked` for a signed PDF listed without evidence, and
`ca_signatures_disabled` when the ledger does not accept CA signatures
(it then reads no PDF's signature: a signed PDF is a plain file it vouches nothing for). Each
refusal carries its status message in Vietnamese and English in `details.message`
(`filings.signatures.results`), as `GET /v1/records/{id}` shows a signature's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, Protocol

from pydantic import Field, StringConstraints

from filings.errors import (
    BindingChanged,
    CaSignaturesDisabled,
    EvidenceInvalid,
    FilingError,
    NoRecordSignature,
    OperatorNotBound,
    PdfSignatureUnchecked,
    SchemaViolation,
    TrustConfigInvalid,
)
from filings.media import PDF
from filings.schema import NO_CONTROLS, KindBody, RecordContext, require_subject
from filings.signatures.cms import verify_cms
from filings.signatures.evidence import Evidence
from filings.signatures.pades import carries_signature, first_refusal, verify_pdf
from filings.signatures.policy import DEFAULT_POLICY, OperatorIdentity, SignaturePolicy
from filings.signatures.results import SignatureFormat, SignatureResult, status_messages
from filings.signatures.roots import TrustRoots
from filings.signing import (
    EVIDENCE_TYPE,
    AttachmentRef,
    SubmissionDomain,
    SubmissionMessage,
    attachment_list,
    attachments_commitment,
    ca_signed_bytes,
    checksum_address,
    supersedes_bytes,
)
from ledger.canonical import canonical_json
from ledger.entry import Entry

BINDING_KIND: Final = "binding"
BINDING_SCHEMA: Final = "binding/1"
SUBJECT_PREFIX: Final = "binding:"
MAX_FINGERPRINTS: Final = 16
EVIDENCE_FORMAT: Final = "infraledger-evidence/1"
CMS_MEDIA_TYPE: Final = "application/pkcs7-signature"
"""The media type the CMS blob is stored under (RFC 8551 §3.2.1)."""

Address = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class BindingBody(KindBody):
    """`binding/1`: who may sign for an operator with an organisation certificate."""

    operator: Address
    organisation: Annotated[str, StringConstraints(min_length=1, max_length=200,
                                                   pattern=NO_CONTROLS)]
    tax_code: str | None = None
    fingerprints: Annotated[list[Fingerprint],
                            Field(default_factory=list, max_length=MAX_FINGERPRINTS)]

    def identity(self) -> OperatorIdentity:
        """The identity a certificate must carry; raises `SchemaViolation` when it names
        nothing or a bad tax code."""
        try:
            return OperatorIdentity(self.tax_code, frozenset(self.fingerprints))
        except TrustConfigInvalid as exc:
            raise SchemaViolation(f"body: {exc.message}") from exc

    def check(self, context: RecordContext) -> None:
        """The subject names the bound operator; the identity is usable."""
        require_subject(context, SUBJECT_PREFIX + checksum_address(self.operator))
        self.identity()


def binding_subject(operator: str) -> str:
    """The subject of the bindings of the EIP-55 address `operator`."""
    return SUBJECT_PREFIX + operator


@dataclass(frozen=True, slots=True)
class FiledBinding:
    """A binding record of the log: its log index, and its body."""

    index: int
    body: BindingBody


def binding_in_force(bindings: Iterable[FiledBinding], before: int | None
                     ) -> FiledBinding | None:
    """The binding sequenced last before log index `before` (module doc), or None; `before`
    None for a record not sequenced yet, which every stored binding precedes."""
    earlier = [item for item in bindings if before is None or item.index < before]
    return max(earlier, key=lambda item: item.index, default=None)


def parse_binding(body: bytes) -> BindingBody:
    """A stored `binding/1` body."""
    return BindingBody.model_validate_json(body)


def signed_files(attachments: Sequence[AttachmentRef]) -> list[AttachmentRef]:
    """The attachments a CMS covers: all but the evidence documents (sorted as given)."""
    return [item for item in attachments if item.type != EVIDENCE_TYPE]


def record_cms_bytes(domain: SubmissionDomain, entry: Entry,
                     attachments: Sequence[AttachmentRef]) -> bytes:
    """The exact bytes a record's CMS signatures sign (`filings.signing.ca_signed_bytes`);
    `attachments` is the record's sorted attachment list."""
    files = attachments_commitment(attachment_list(signed_files(attachments)))
    return ca_signed_bytes(domain, SubmissionMessage(
        kind=entry.kind, schema=entry.schema, subject=entry.subject,
        content=bytes.fromhex(entry.content[2:]), attachments=files,
        supersedes=supersedes_bytes(entry.supersedes), issued_at=entry.issued_at), entry.operator)


@dataclass(frozen=True)
class EvidenceDocument:
    """An evidence document (module doc): what was signed, and the evidence manifest."""

    format: Literal["cms", "pades"]
    target: str
    """The CMS's SHA-256 for `cms`, the PDF's for `pades` (64 lowercase hex)."""
    manifest: dict[str, Any]

    def to_bytes(self) -> bytes:
        """The document's RFC 8785 bytes, as stored and listed."""
        member = "sha256" if self.format == "cms" else "attachment"
        return canonical_json({"format": EVIDENCE_FORMAT,
                               "signature": {"format": self.format, member: self.target},
                               "evidence": self.manifest})

    @classmethod
    def parse(cls, data: bytes) -> EvidenceDocument:
        """Read a stored document; raises `EvidenceInvalid` when it is not one."""
        try:
            value = json.loads(data)
            signature = value["signature"]
            form = signature["format"]
            target = signature["sha256" if form == "cms" else "attachment"]
            manifest = value["evidence"]
            if (value["format"] != EVIDENCE_FORMAT or form not in ("cms", "pades")
                    or not isinstance(target, str) or not isinstance(manifest, dict)):
                raise ValueError("not an infraledger-evidence/1 document")
        except (ValueError, KeyError, TypeError) as exc:
            raise EvidenceInvalid(f"evidence document: {exc}") from exc
        return cls(form, target, manifest)


@dataclass(frozen=True)
class CaTrust:
    """What CA signatures are checked against: the pinned roots and the policy."""

    roots: TrustRoots
    tsa_roots: TrustRoots | None = None
    policy: SignaturePolicy = DEFAULT_POLICY


class SignatureState(Protocol):
    """What the CA rule reads of the ledger (blocking)."""

    def blob(self, digest: bytes) -> bytes | None:
        """The stored bytes of a content-addressed blob, or None."""
        ...

    def bindings(self, operator: str) -> Sequence[FiledBinding]:
        """Every binding record the log holds for the EIP-55 address `operator`."""
        ...


def listed_signatures(attachments: Sequence[AttachmentRef], state: SignatureState
                      ) -> list[tuple[SignatureFormat, str | None]]:
    """The format of each evidence document of a record and, for `pades`, its PDF's SHA-256:
    what is known of signatures that could not be checked. `cms` for a document that cannot be
    read (its form is then unknown)."""
    shown: list[tuple[SignatureFormat, str | None]] = []
    for reference in evidence_documents(attachments):
        data = state.blob(bytes.fromhex(reference.sha256))
        try:
            document = None if data is None else EvidenceDocument.parse(data)
        except EvidenceInvalid:
            document = None
        if document is None or document.format == "cms":
            shown.append(("cms", None))
        else:
            shown.append(("pades", document.target))
    return shown


def evidence_documents(attachments: Sequence[AttachmentRef]) -> list[AttachmentRef]:
    """The evidence documents of an attachment list."""
    return [item for item in attachments if item.type == EVIDENCE_TYPE]


def _loader(state: SignatureState) -> Callable[[str], bytes]:
    def load(address: str) -> bytes:
        data = state.blob(bytes.fromhex(address)) if len(address) == 64 else None
        if data is None:
            raise EvidenceInvalid(f"evidence blob {address[:64]} is not stored",
                                  details={"sha256": address[:64]})
        return data
    return load


def verify_record_signatures(
    entry: Entry, attachments: Sequence[AttachmentRef], identity: OperatorIdentity,
    state: SignatureState, trust: CaTrust, domain: SubmissionDomain,
) -> list[SignatureResult]:
    """Check every evidence document of a record from stored evidence alone, at acceptance
    time; one result per signature (a PDF may carry several). Raises `EvidenceInvalid` when a
    document, its evidence or the signed object is missing or malformed."""
    load = _loader(state)
    listed = {item.sha256 for item in attachments}
    results: list[SignatureResult] = []
    for reference in evidence_documents(attachments):
        document = EvidenceDocument.parse(load(reference.sha256))
        evidence = Evidence.from_manifest(document.manifest, load)
        signed = load(document.target)
        if document.format == "cms":
            results.append(verify_cms(
                record_cms_bytes(domain, entry, attachments), signed, roots=trust.roots,
                tsa_roots=trust.tsa_roots, identity=identity, evidence=evidence,
                policy=trust.policy))
            continue
        if document.target not in listed:
            raise EvidenceInvalid(f"evidence for PDF {document.target}, which the record does "
                                  "not list", details={"attachment": document.target})
        results.extend(verify_pdf(signed, roots=trust.roots, tsa_roots=trust.tsa_roots,
                                  identity=identity, evidence=evidence, policy=trust.policy))
    return results


def identity_for(operator: str, state: SignatureState, index: int | None) -> OperatorIdentity:
    """The identity of the binding in force for EIP-55 `operator` at log index `index` (None:
    now, for a record not sequenced yet or an upload); raises `OperatorNotBound`."""
    binding = binding_in_force(state.bindings(operator), index)
    if binding is None:
        raise OperatorNotBound(
            f"{operator} has no binding/1 record in force: the registrar binds an operator to "
            "its certificate identity first",
            details={"subject": binding_subject(operator)})
    return binding.body.identity()


def ca_checked(attachments: Sequence[AttachmentRef]) -> bool:
    """Whether admission looks at a record's CA signatures: it lists an evidence document, or a
    PDF, which may carry one."""
    return any(item.type in (EVIDENCE_TYPE, PDF) for item in attachments)


def ca_refusal(entry: Entry, attachments: Sequence[AttachmentRef], state: SignatureState,
               trust: CaTrust | None, domain: SubmissionDomain) -> FilingError | None:
    """Why a record's CA signatures are refused, or None (none carried, or all valid), with
    its message in both languages (module doc). Judged before the record is sequenced."""
    documents = evidence_documents(attachments)
    if trust is None:
        return None if not documents else bilingual(CaSignaturesDisabled(
            f"this ledger does not accept CA signatures: drop the {EVIDENCE_TYPE} attachments"))
    try:
        results = verify_record_signatures(
            entry, attachments, identity_for(entry.operator, state, None), state, trust, domain,
        ) if documents else []
        refusal = first_refusal(results)
        if refusal is None:
            _require_checked_pdfs(attachments, results, state)
            if entry.signature is None and not any(r.format == "cms" for r in results):
                refusal = NoRecordSignature(
                    "a record without an EIP-712 signature must carry a CMS signature over its "
                    "fields: a PAdES signature signs its PDF, not the record")
    except FilingError as exc:
        refusal = exc
    return None if refusal is None else bilingual(refusal)


def _require_checked_pdfs(attachments: Sequence[AttachmentRef],
                          results: Sequence[SignatureResult], state: SignatureState) -> None:
    """Raise `PdfSignatureUnchecked` for the first listed PDF that carries a signature no
    evidence document checked (one not stored, which admission refused before, too)."""
    checked = {result.attachment for result in results if result.format == "pades"}
    for item in attachments:
        if item.type != PDF or item.sha256 in checked:
            continue
        data = state.blob(bytes.fromhex(item.sha256))
        if data is None or carries_signature(data):
            raise PdfSignatureUnchecked(
                f"attachment {item.sha256} is a signed PDF listed without its evidence "
                f'document: ask POST /v1/signatures/evidence with {{"pdf": "{item.sha256}"}} '
                "and list the document it answers beside the PDF",
                details={"attachment": item.sha256})


def binding_changed() -> FilingError:
    """The refusal of a record whose append found its operator's binding moved since admission
    judged it (`PreparedSubmission.judged_by`), in both languages."""
    return bilingual(BindingChanged(
        "the operator's binding/1 record changed while this record's CA signatures were "
        "checked: submit it again to have it judged by the new binding"))


def bilingual(error: FilingError) -> FilingError:
    """`error` with its status message in Vietnamese and English as `details.message`
    (`{"vi", "en"}`, the form the API gives bilingual text in); `message` is unchanged."""
    return type(error)(error.message,
                       details={**error.details, "message": status_messages(error.code)})
