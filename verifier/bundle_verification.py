"""Verifying a proof bundle: the seventeen named checks of FORMAT.md, in their fixed order.

record ▶ leaf ▶ inclusion proof ▶ signed checkpoint ▶ on-chain anchor (DESIGN sections 1 and 7).
Every check runs and reports passed, failed or not checked, with a message; a check whose input
an earlier check already found broken is reported as not checked, naming that check. Offline
(no chain reader), `operator_active` and `anchored_root` are not checked. The verdict fails if any
check failed. Only `Unavailable` (a server that did not answer) escapes as an exception.
The last check, `ca_signatures`, verifies the record's CA signatures offline from files the
caller gives (`verifier.signatures`); one it could not check makes the result `could_not_check`.

A record signed with a CA certificate only (entry `signature` null) has no EIP-712 signature:
`signature` checks the registry against the trust file and is then not checked, and the signer
is proven by `ca_signatures` or not at all. That check fails when the record lists no evidence
document, when a CA signature is refused, or when none of its valid ones is a CMS (a PAdES
signature signs a PDF, not the record's fields); left unchecked (nothing given to check it
from, a file missing, no pinned roots) it makes the result `could_not_check`, never verified.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from verifier.bundle import FORMAT, ProofBundle
from verifier.canonical_json import canonicalize, parse_json
from verifier.commitments import match_document, verify_attachments, verify_body
from verifier.eip712 import verify_submission_signature
from verifier.entry import record_id
from verifier.errors import (
    AnchorMismatch,
    IndexOutOfRange,
    MalformedInput,
    OperatorInactive,
    RecordIdMismatch,
    RootMismatch,
    SignatureError,
    TrustMismatch,
    Unavailable,
    VerificationError,
    WrongProofLength,
)
from verifier.jsonrpc import ChainReader
from verifier.messages import Lang, Param, Text, Time, text
from verifier.onchain import REGISTRAR_ROLE, LedgerAnchor, OperatorRegistry
from verifier.rfc9162 import LeafHash, inclusion_proof_length, root_from_inclusion_proof
from verifier.signatures import (
    SignatureInputs,
    SignatureReport,
    check_record_signatures,
    has_ca_signatures,
)
from verifier.trust import Trust

CHECKS: Final = (
    "format",
    "body_content_hash",
    "attachments_hash",
    "documents",
    "leaf_hash",
    "signature",
    "operator_active",
    "index_in_range",
    "proof_length",
    "inclusion",
    "checkpoint_signature",
    "checkpoint_origin",
    "checkpoint_key",
    "checkpoint_size",
    "anchor_chain",
    "anchored_root",
    "ca_signatures",
)


class Status(Enum):
    """The outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_CHECKED = "not-checked"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One named check, its outcome and a message saying what was (or was not) established."""

    name: str
    status: Status
    text: Text

    @property
    def message(self) -> str:
        """The message in English."""
        return self.text.render("en")

    def to_json(self, lang: Lang = "en") -> dict[str, Any]:
        """Return the check as JSON: name, status and message `code` are language-neutral,
        `message` is in `lang`."""
        return {
            "name": self.name,
            "status": self.status.value,
            "code": self.text.key,
            "message": self.text.render(lang),
        }


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Every check of one bundle, in order; `verified` iff none failed."""

    record_id: str | None
    checks: tuple[CheckResult, ...]
    signatures: tuple[SignatureReport, ...] = ()
    """The record's CA signatures (`ca_signatures`), one report each."""
    ca_signed_only: bool = False
    """The record has no EIP-712 signature: its CMS alone proves its signer."""

    @property
    def verified(self) -> bool:
        """True iff no check failed (not-checked checks do not fail the verdict; see
        `could_not_check` for the one that leaves it incomplete)."""
        return not self.failed

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The failed checks, in order."""
        return tuple(c for c in self.checks if c.status is Status.FAILED)

    @property
    def could_not_check(self) -> bool:
        """True when nothing failed but a CA signature could not be checked (a file it is
        checked from was not given), or, for a record signed with a CA certificate only,
        `ca_signatures` did not run: the verdict is then incomplete (exit code 2)."""
        if not self.verified:
            return False
        if any(s.could_not_check for s in self.signatures):
            return True
        return self.ca_signed_only and any(
            c.name == "ca_signatures" and c.status is Status.NOT_CHECKED for c in self.checks
        )

    def to_json(self, lang: Lang = "en") -> dict[str, Any]:
        """Return the result as JSON for machines (`--json`), messages in `lang`."""
        return {
            "record_id": self.record_id,
            "verified": self.verified,
            "ca_signed_only": self.ca_signed_only,
            "failed": [c.name for c in self.failed],
            "checks": [c.to_json(lang) for c in self.checks],
            "signatures": [s.to_json(lang) for s in self.signatures],
        }


@dataclass(frozen=True, slots=True)
class Document:
    """A file the user holds: its name (for messages), SHA-256 and size in bytes."""

    name: str
    sha256: bytes
    size: int


@dataclass(frozen=True, slots=True)
class SuppliedBody:
    """A body (and salt, for a restricted record) the user supplies for a withheld body."""

    body: Any
    salt: bytes | None


_PREREQUISITES: Final = {
    "proof_length": ("index_in_range",),
    "inclusion": ("index_in_range", "proof_length"),
    "ca_signatures": ("attachments_hash",),
}
"""Checks that cannot run once another failed: they would only repeat its failure."""


@dataclass(frozen=True, slots=True)
class _NotChecked:
    reason: Text


_Outcome = Text | _NotChecked


def verify_bundle(
    data: bytes | str,
    trust: Trust,
    *,
    chain: ChainReader | None,
    documents: Sequence[Document] = (),
    supplied_body: SuppliedBody | None = None,
    expected_record_id: LeafHash | None = None,
    signatures: SignatureInputs | None = None,
) -> VerificationResult:
    """Run every check of FORMAT.md on a bundle's JSON text against the pinned `trust`.

    `chain` reads the chain for the online checks (None: offline). `documents` must each match
    one attachment. `supplied_body` replaces a withheld (or shown) body. `expected_record_id`
    is the record the caller asked for: a bundle for another record fails `leaf_hash`.
    Raises only `Unavailable`, when the chain endpoints cannot be reached.
    """
    results: list[CheckResult] = []
    try:
        bundle = ProofBundle.parse(parse_json(data, what="bundle"))
    except MalformedInput as exc:
        results.append(CheckResult("format", Status.FAILED, exc.text))
        results.extend(_blocked(name, ("format",)) for name in CHECKS[1:])
        return VerificationResult(record_id=None, checks=tuple(results))
    results.append(CheckResult("format", Status.PASSED, text("check.format", format=FORMAT)))
    checks = _BundleChecks(
        bundle, trust, chain, documents, supplied_body, expected_record_id, signatures, []
    )
    failed: set[str] = set()
    for name in CHECKS[1:]:
        blocked = [needed for needed in _PREREQUISITES.get(name, ()) if needed in failed]
        if blocked:
            results.append(_blocked(name, blocked))
            continue
        results.append(_run(name, getattr(checks, name)))
        if results[-1].status is Status.FAILED:
            failed.add(name)
    return VerificationResult(
        record_id=record_id(bundle.record_id),
        checks=tuple(results),
        signatures=tuple(checks.reports),
        ca_signed_only=bundle.entry.ca_signed_only,
    )


def _blocked(name: str, failed: Sequence[str]) -> CheckResult:
    """`name` not checked because the checks `failed` failed."""
    reason = text("check.blocked", checks=", ".join(failed))
    return CheckResult(name, Status.NOT_CHECKED, text("check.not_checked", reason=reason))


def _run(name: str, check: Callable[[], _Outcome]) -> CheckResult:
    try:
        outcome = check()
    except Unavailable:
        raise
    except VerificationError as exc:
        return CheckResult(name, Status.FAILED, exc.text)
    if isinstance(outcome, _NotChecked):
        reason = text("check.not_checked", reason=outcome.reason)
        return CheckResult(name, Status.NOT_CHECKED, reason)
    return CheckResult(name, Status.PASSED, outcome)


@dataclass(frozen=True, slots=True)
class _BundleChecks:
    """The checks after `format`, one method each, named as in CHECKS."""

    bundle: ProofBundle
    trust: Trust
    chain: ChainReader | None
    held_documents: Sequence[Document]
    supplied_body: SuppliedBody | None
    expected_record_id: LeafHash | None
    signature_inputs: SignatureInputs | None
    reports: list[SignatureReport]

    def body_content_hash(self) -> _Outcome:
        body, salt = self.bundle.body, self.bundle.salt
        if self.supplied_body is not None:
            body = canonicalize(self.supplied_body.body)
            salt = self.supplied_body.salt or salt
        if body is None:
            return _NotChecked(text("check.body_withheld"))
        verify_body(body, salt, self.bundle.entry.content)
        return text("check.salted_body_matches") if salt else text("check.body_matches")

    def attachments_hash(self) -> _Outcome:
        verify_attachments(self.bundle.attachments, self.bundle.entry.attachments)
        return text("check.attachments_match", count=len(self.bundle.attachments))

    def documents(self) -> _Outcome:
        if not self.held_documents:
            return _NotChecked(text("check.no_documents"))
        matched = [
            match_document(d.name, d.sha256, d.size, self.bundle.attachments).name
            for d in self.held_documents
        ]
        return text("check.documents_match", names=", ".join(repr(name) for name in matched))

    def leaf_hash(self) -> _Outcome:
        computed = self.bundle.entry.leaf_hash()
        if computed != self.bundle.record_id:
            raise RecordIdMismatch(
                text(
                    "check.leaf_hash_differs",
                    computed=computed.hex(),
                    record_id=self.bundle.record_id.hex(),
                )
            )
        wanted = self.expected_record_id
        if wanted is not None and wanted != computed:
            raise RecordIdMismatch(
                text("check.other_record", record_id=computed.hex(), want=wanted.hex())
            )
        return text("check.leaf_hash", record_id=computed.hex())

    def signature(self) -> _Outcome:
        registry = self.bundle.operator_registry
        if (registry.chain_id, registry.contract) != (
            self.trust.chain_id,
            self.trust.operator_registry,
        ):
            raise TrustMismatch(
                text(
                    "check.registry_differs",
                    registry=registry.contract,
                    chain=registry.chain_id,
                    want=self.trust.operator_registry,
                    want_chain=self.trust.chain_id,
                )
            )
        if self.bundle.entry.ca_signed_only:
            return _NotChecked(text("signature.ca_only"))
        verify_submission_signature(self.bundle.entry, self.trust.signing_domain())
        return text("check.signature", operator=self.bundle.entry.operator)

    def operator_active(self) -> _Outcome:
        if self.chain is None:
            return _NotChecked(text("check.offline"))
        registry = OperatorRegistry(self.chain, self.trust.operator_registry)
        operator = self.bundle.entry.operator
        signers = self.bundle.entry.signers
        anchor = self.bundle.anchor
        where: dict[str, Param] = {"operator": operator, "registry": registry.address}
        if anchor is None:
            # Not anchored yet: nothing dates the record, so its signer must be one who may sign
            # it now (`verifier.entry.signers_of`): an active operator, or for a plan or a
            # compiled figure a holder of REGISTRAR_ROLE (the department).
            if signers != "registrar" and registry.is_active(operator):
                return text("check.active_now", **where)
            if signers == "operator":
                raise OperatorInactive(text("check.inactive_now", **where))
            if registry.has_role(REGISTRAR_ROLE, operator):
                return text("check.registrar_now", **where)
            if signers == "registrar":
                raise OperatorInactive(text("check.not_registrar_now", **where))
            raise OperatorInactive(text("check.inactive_nor_registrar_now", **where))
        # The record entered the log before its anchor, and the log takes each record only from
        # a signer who may sign it: an operator must have been active at the anchor's block
        # time; a registrar must have held REGISTRAR_ROLE at the anchor's block (its last
        # RoleGranted or RoleRevoked log through that block is a grant). The role is read only
        # for a plan, or for a compiled figure's signer that was no active operator then.
        facts: dict[str, Param] = {**where, "time": Time(anchor.block_time)}
        if signers != "registrar":
            registration = registry.registration(operator)
            facts["registration"] = registration.describe()
            if registration.active_at(anchor.block_time):
                return text("check.active_at_anchor", **facts)
            if signers == "operator":
                raise OperatorInactive(text("check.inactive_at_anchor", **facts))
        facts["block"] = anchor.block_number
        history = registry.role_history(REGISTRAR_ROLE, operator, anchor.block_number)
        grant = history.grant_in_force(anchor.block_number)
        if grant is not None:
            return text("check.registrar_at_anchor", **where, block=anchor.block_number,
                        granted=grant.block_number)
        if signers == "registrar":
            raise OperatorInactive(
                text("check.not_registrar_at_anchor", **where, block=anchor.block_number)
            )
        raise OperatorInactive(text("check.inactive_nor_registrar_at_anchor", **facts))

    def index_in_range(self) -> _Outcome:
        index, size = self.bundle.proof.index, self.bundle.proof.checkpoint.checkpoint.size
        if not index < size:
            raise IndexOutOfRange(text("check.index_out_of_range", index=index, size=size))
        return text("check.index_in_range", index=index, size=size)

    def proof_length(self) -> _Outcome:
        index, size = self.bundle.proof.index, self.bundle.proof.checkpoint.checkpoint.size
        got, want = len(self.bundle.proof.hashes), inclusion_proof_length(index, size)
        if got != want:
            raise WrongProofLength(text("check.proof_length_differs", got=got, want=want))
        return text("check.proof_length", count=got)

    def inclusion(self) -> _Outcome:
        proof = self.bundle.proof
        checkpoint = proof.checkpoint.checkpoint
        computed = root_from_inclusion_proof(
            proof.index, checkpoint.size, self.bundle.entry.leaf_hash(), proof.hashes
        )
        if computed != checkpoint.root:
            raise RootMismatch(
                text(
                    "check.inclusion_differs",
                    computed=computed.hex(),
                    root=checkpoint.root.hex(),
                )
            )
        return text("check.inclusion", index=proof.index, size=checkpoint.size)

    def checkpoint_signature(self) -> _Outcome:
        self.bundle.proof.checkpoint.note.verify(self.bundle.log.vkey)
        key = self.bundle.log.vkey
        return text("check.checkpoint_signature", key=f"{key.name}+{key.key_id.hex()}")

    def checkpoint_origin(self) -> _Outcome:
        origin = self.bundle.proof.checkpoint.checkpoint.origin
        if origin != self.bundle.log.origin:
            raise TrustMismatch(
                text("check.origin_not_log", origin=repr(origin), log=repr(self.bundle.log.origin))
            )
        if origin != self.trust.origin:
            raise TrustMismatch(
                text(
                    "check.origin_not_trusted", origin=repr(origin), trusted=repr(self.trust.origin)
                )
            )
        return text("check.checkpoint_origin", origin=origin)

    def checkpoint_key(self) -> _Outcome:
        size = self.bundle.proof.checkpoint.checkpoint.size
        trusted = self.trust.key_at(size)
        if self.bundle.log.vkey != trusted:
            raise TrustMismatch(
                text("check.key_differs", key=str(self.bundle.log.vkey), trusted=str(trusted))
            )
        key = f"{trusted.name}+{trusted.key_id.hex()}"
        if trusted != self.trust.vkey:
            until = next(e.until_size for e in self.trust.earlier_keys if e.vkey == trusted)
            return text("check.checkpoint_key_earlier", key=key, size=size, until=until)
        return text("check.checkpoint_key", key=key)

    def checkpoint_size(self) -> _Outcome:
        anchor = self.bundle.anchor
        checkpoint = self.bundle.proof.checkpoint.checkpoint
        if anchor is None:
            return _NotChecked(text("check.no_anchor"))
        if (anchor.tree_size, anchor.root) != (checkpoint.size, checkpoint.root):
            raise AnchorMismatch(
                text(
                    "check.anchor_differs",
                    anchor_size=anchor.tree_size,
                    anchor_root=anchor.root.hex(),
                    size=checkpoint.size,
                    root=checkpoint.root.hex(),
                )
            )
        return text("check.checkpoint_size", size=checkpoint.size)

    def anchor_chain(self) -> _Outcome:
        anchor = self.bundle.anchor
        if anchor is None:
            return _NotChecked(text("check.no_anchor"))
        if (anchor.chain_id, anchor.contract) != (self.trust.chain_id, self.trust.anchor_contract):
            raise TrustMismatch(
                text(
                    "check.anchor_chain_differs",
                    contract=anchor.contract,
                    chain=anchor.chain_id,
                    want=self.trust.anchor_contract,
                    want_chain=self.trust.chain_id,
                )
            )
        return text("check.anchor_chain", contract=anchor.contract, chain=anchor.chain_id)

    def anchored_root(self) -> _Outcome:
        if self.chain is None:
            return _NotChecked(text("check.offline"))
        checkpoint = self.bundle.proof.checkpoint.checkpoint
        contract = LedgerAnchor(self.chain, self.trust.anchor_contract)
        onchain = contract.root_at(checkpoint.size)
        if onchain.root != checkpoint.root:
            if not any(onchain.root):
                raise AnchorMismatch(text("check.not_anchored", size=checkpoint.size))
            raise AnchorMismatch(
                text(
                    "check.anchored_root_differs",
                    size=checkpoint.size,
                    onchain=onchain.root.hex(),
                    root=checkpoint.root.hex(),
                )
            )
        anchor = self.bundle.anchor
        if anchor is None:
            return text("check.anchored_root_unlisted", size=checkpoint.size)
        if onchain.timestamp != anchor.block_time:
            raise AnchorMismatch(
                text(
                    "check.anchor_time_differs",
                    size=checkpoint.size,
                    onchain=Time(onchain.timestamp),
                    claimed=Time(anchor.block_time),
                )
            )
        tx = contract.transaction(anchor.tx_hash)
        claimed = (anchor.block_number, anchor.block_hash, checkpoint.size, checkpoint.root)
        if tx is None or (tx.block_number, tx.block_hash, tx.tree_size, tx.root) != claimed:
            raise AnchorMismatch(
                text(
                    "check.transaction_differs",
                    tx="0x" + anchor.tx_hash.hex(),
                    size=checkpoint.size,
                    block=anchor.block_number,
                    block_hash="0x" + anchor.block_hash.hex(),
                )
            )
        return text(
            "check.anchored_root",
            size=checkpoint.size,
            tx="0x" + anchor.tx_hash.hex(),
            block=anchor.block_number,
        )

    def ca_signatures(self) -> _Outcome:
        ca_only = self.bundle.entry.ca_signed_only
        if not has_ca_signatures(self.bundle):
            if ca_only:
                raise SignatureError(text("check.ca_only_no_evidence"))
            return text("check.no_ca_signatures")
        if self.signature_inputs is None:
            if ca_only:
                return _NotChecked(text("check.ca_only_not_asked"))
            return _NotChecked(text("check.ca_signatures_not_asked"))
        reports = check_record_signatures(
            self.bundle, self.trust.signing_domain(), self.signature_inputs
        )
        self.reports.extend(reports)
        refused = [r.status for r in reports if not r.valid and not r.could_not_check]
        if refused:
            raise SignatureError(
                text("check.ca_signatures_refused", count=len(reports), codes=", ".join(refused))
            )
        unchecked = [r.status for r in reports if r.could_not_check]
        if unchecked:
            codes = ", ".join(unchecked)
            return _NotChecked(
                text("check.ca_signatures_unchecked", count=len(reports), codes=codes)
            )
        if not ca_only:
            return text("check.ca_signatures", count=len(reports))
        if not any(r.format == "cms" for r in reports):
            raise SignatureError(text("check.ca_only_pades", count=len(reports)))
        return text(
            "check.ca_only_signatures", count=len(reports), operator=self.bundle.entry.operator
        )
