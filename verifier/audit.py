"""Auditing a whole log: rebuild it from its entries and hold every published hash against it.

From the signed checkpoint of `/tlog/checkpoint` the audit fetches every entry bundle, rebuilds
the tree, and checks (DESIGN section 7). It reads the log from the ledger's API or from a local
tile mirror (`verifier.mirror`); a mirror without a ledger has no records and no consistency
proofs, so `bodies` and `anchor_consistency` are not checked then (every anchor root is still
held against the tree rebuilt from the leaves). Entries can be checked in worker processes
(`jobs`, see `verifier.audit_entries`).

- `checkpoint`: the checkpoint is signed by the pinned key, with the pinned origin;
- `entry_bundles`: every bundle parses and holds as many entries as its tile says;
- `entries`: every leaf is the RFC 8785 form of a valid entry;
- `signatures`: every entry's EIP-712 signature recovers its operator; online, that signer may
  also sign the entry (`verifier.entry.signers_of`, as `operator_active` checks one record) at
  the block time of the first listed anchor that covers the entry, or now for an entry past the
  last anchor: an operator was active in the OperatorRegistry then (`registeredAt <= block_time
  < revokedAt`; `operatorOf` is read once per operator); a plan's signer held REGISTRAR_ROLE
  then; an `indicator/2` figure's signer was either (the department's compiled figures). The
  role's RoleGranted and RoleRevoked logs are read once per signer, and only for a plan or for
  a figure whose signer was no active operator then (`hasRole` for an entry past the last
  anchor);
- entries signed with a CA certificate only (`signature` null) are counted apart
  (`AuditReport.ca_signed_only`, and a note): their CMS is checked by `record`, not by the
  audit, so they are neither passed nor failed by `signatures` for their signature; online, an
  operator who may not sign one is still a failure of `signatures`;
- `bodies`: every public body (`GET /v1/records/{id}`) hashes to its entry's content;
- `tiles`: every tile at every level equals the rebuilt one;
- `root`: the rebuilt root is the checkpoint root;
- `anchor_roots`: every anchor of `GET /v1/anchors` up to the checkpoint size is the rebuilt
  root at its size, on the pinned chain;
- `anchor_consistency`: the ledger's consistency proofs between successive anchors (and from
  the last anchor to the checkpoint) verify;
- `anchors_on_chain`: `rootAt(size)` on chain is each anchor's root and time (online only).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from verifier.address import Address
from verifier.audit_entries import BATCH_ENTRIES, CheckedBatch, EntryChecker
from verifier.canonical_json import canonicalize
from verifier.checkpoint import Checkpoint
from verifier.commitments import verify_body
from verifier.encodings import decode_hex
from verifier.entry import Signers
from verifier.errors import (
    LedgerNotFound,
    MalformedLedgerResponse,
    Unavailable,
    VerificationError,
)
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import ListedAnchor, LogSource
from verifier.messages import Lang, Text, Time, text
from verifier.onchain import (
    REGISTRAR_ROLE,
    LedgerAnchor,
    OperatorRegistry,
    Registration,
    held_at,
)
from verifier.rfc9162 import EMPTY_ROOT, NodeHash, RootHash, leaf_hash
from verifier.rfc9162 import verify_consistency as verify_consistency_proof
from verifier.tiles import TILE_WIDTH, bundle_widths, expected_tiles, parse_entry_bundle, parse_tile
from verifier.tree import Frontier
from verifier.trust import Trust

AUDIT_CHECKS: Final = (
    "checkpoint",
    "entry_bundles",
    "entries",
    "signatures",
    "bodies",
    "tiles",
    "root",
    "anchor_roots",
    "anchor_consistency",
    "anchors_on_chain",
)
MAX_MESSAGES: Final = 10
"""Failure messages kept per check; the count covers all of them."""

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total) as the audit advances."""


@dataclass
class AuditCheck:
    """One audit check: how many items it checked, which failed, or why it did not run."""

    name: str
    checked: int = 0
    failed: int = 0
    messages: list[Text] = field(default_factory=list)
    not_checked: Text | None = None

    def passed_one(self) -> None:
        """Count one item that passed."""
        self.checked += 1

    def passed_many(self, count: int) -> None:
        """Count `count` items that passed."""
        self.checked += count

    def failed_one(self, message: Text) -> None:
        """Count one item that failed, keeping the first few messages."""
        self.checked += 1
        self.failed += 1
        if len(self.messages) < MAX_MESSAGES:
            self.messages.append(message)

    def to_json(self, lang: Lang = "en") -> dict[str, Any]:
        """Return the check as JSON for machines, its messages in `lang`."""
        status = "not-checked" if self.not_checked else "failed" if self.failed else "passed"
        shown = self.messages if self.not_checked is None else [self.not_checked]
        return {
            "name": self.name,
            "status": status,
            "checked": self.checked,
            "failed": self.failed,
            "codes": [message.key for message in shown],
            "messages": [message.render(lang) for message in shown],
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The audit of the log at `tree_size`; `verified` iff no check failed."""

    tree_size: int
    checks: tuple[AuditCheck, ...]
    notes: tuple[Text, ...]
    ca_signed_only: int = 0
    """How many entries are signed with a CA certificate only (their CMS is not audited)."""

    @property
    def verified(self) -> bool:
        """True iff no check failed."""
        return not any(check.failed for check in self.checks)

    def to_json(self, lang: Lang = "en") -> dict[str, Any]:
        """Return the report as JSON for machines, its messages in `lang`."""
        return {
            "tree_size": self.tree_size,
            "verified": self.verified,
            "failed": [c.name for c in self.checks if c.failed],
            "checks": [c.to_json(lang) for c in self.checks],
            "ca_signed_only": self.ca_signed_only,
            "notes": [note.render(lang) for note in self.notes],
        }


def audit_log(
    api: LogSource,
    trust: Trust,
    *,
    chain: ChainReader | None,
    progress: Progress,
    jobs: int = 1,
    batch_entries: int = BATCH_ENTRIES,
) -> AuditReport:
    """Audit the whole log read from `api` against `trust`; offline when `chain` is None.

    `jobs` (>= 1) processes check the entries' form and signatures, each sent batches of at
    least `batch_entries` entries. Raises only `Unavailable` (the ledger, the mirror or the
    chain did not answer).
    """
    return _Audit(api, trust, chain, progress, jobs, batch_entries).run()


class _Audit:
    def __init__(
        self,
        api: LogSource,
        trust: Trust,
        chain: ChainReader | None,
        progress: Progress,
        jobs: int,
        batch_entries: int,
    ) -> None:
        self.api, self.trust, self.chain, self.progress = api, trust, chain, progress
        self.jobs, self.batch_entries = jobs, batch_entries
        self.checks = {name: AuditCheck(name) for name in AUDIT_CHECKS}
        self.notes: list[Text] = []
        self.leaves: list[NodeHash] = []
        self.frontier = Frontier()
        self.rebuilt_roots: dict[int, RootHash] = {0: EMPTY_ROOT}
        self.registry = None if chain is None else OperatorRegistry(chain, trust.operator_registry)
        self.anchors: list[ListedAnchor] = []
        self.anchor_sizes: list[int] = []
        self.registrations: dict[Address, Registration | Text] = {}
        self.registrar_times: dict[Address, tuple[tuple[int, bool], ...] | Text] = {}
        self.registrar_now: dict[Address, bool | Text] = {}
        self.operator_problems: dict[tuple[Address, Signers, int], Text | None] = {}
        self.ca_signed_only = 0

    def run(self) -> AuditReport:
        checkpoint = self._checkpoint()
        if checkpoint is None:
            return self._report(0, "checkpoint")
        listed = self.api.anchors()
        anchors = [a for a in listed if a.tree_size <= checkpoint.size]
        if len(anchors) < len(listed):
            self.notes.append(
                text(
                    "audit.anchors_beyond",
                    count=len(listed) - len(anchors),
                    size=checkpoint.size,
                )
            )
        self.anchors, self.anchor_sizes = anchors, [a.tree_size for a in anchors]
        if not self._entries(checkpoint.size):
            return self._report(checkpoint.size, "entry_bundles")
        self._tiles()
        self._root(checkpoint)
        self._anchors(anchors, checkpoint)
        return self._report(checkpoint.size, None)

    def _report(self, size: int, stopped: str | None) -> AuditReport:
        """The report; `stopped`: the check whose failure ended the audit early."""
        for check in self.checks.values():
            if stopped and not check.checked and not check.not_checked:
                check.not_checked = _not_checked(text("check.blocked", checks=stopped))
        notes = list(self.notes)
        if self.ca_signed_only:
            notes.append(text("audit.ca_only", count=self.ca_signed_only))
        return AuditReport(
            tree_size=size,
            checks=tuple(self.checks.values()),
            notes=tuple(notes),
            ca_signed_only=self.ca_signed_only,
        )

    def _checkpoint(self) -> Checkpoint | None:
        check = self.checks["checkpoint"]
        try:
            checkpoint = self.trust.open_checkpoint(self.api.checkpoint())
        except Unavailable:
            raise
        except VerificationError as exc:
            check.failed_one(exc.text)
            return None
        check.passed_one()
        return checkpoint

    def _entries(self, size: int) -> bool:
        """Fetch every entry bundle, rebuild the leaves, check each entry; False if a bundle
        is unusable (the tree cannot be rebuilt then)."""
        frontier, leaves = self.frontier, self.leaves
        anchor_sizes = set(self.anchor_sizes)
        if self.registry is None:
            self.notes.append(text("audit.offline_operators"))
        if not self.api.serves_records:
            self.checks["bodies"].not_checked = _not_checked(text("audit.mirror_no_records"))
        with EntryChecker(self.trust.signing_domain(), self.jobs,
                          self.batch_entries) as checker:
            for tile_index, width in bundle_widths(size):
                count = width or TILE_WIDTH
                what = f"entry bundle {tile_index}"
                try:
                    bundle = self.api.entry_bundle(tile_index, width)
                    raw_entries = parse_entry_bundle(bundle, count, what=what)
                except MalformedLedgerResponse as exc:
                    self.checks["entry_bundles"].failed_one(exc.text)
                    return False
                self.checks["entry_bundles"].passed_one()
                first = frontier.size
                for raw in raw_entries:
                    leaf = leaf_hash(raw)
                    frontier.append(leaf)
                    leaves.append(NodeHash(leaf))
                    if frontier.size in anchor_sizes:
                        self.rebuilt_roots[frontier.size] = frontier.root()
                for batch in checker.submit(first, bundle, count):
                    self._verdicts(batch)
                self.progress("entries", frontier.size, size)
            for batch in checker.finish():
                self._verdicts(batch)
        return True

    def _verdicts(self, batch: CheckedBatch) -> None:
        entries, signatures = self.checks["entries"], self.checks["signatures"]
        valid = len(batch.operators) - len(batch.entry_errors)
        for message in batch.entry_errors.values():
            entries.failed_one(message)
        entries.passed_many(valid)
        self.ca_signed_only += len(batch.ca_signed_only)
        if self.registry is None and not self.api.serves_records:
            # Nothing to look at entry by entry: count the batch at once.
            for message in batch.signature_errors.values():
                signatures.failed_one(message)
            signatures.passed_many(
                valid - len(batch.signature_errors) - len(batch.ca_signed_only)
            )
            return
        for offset, (operator, signers, content) in enumerate(
            zip(batch.operators, batch.signers, batch.contents, strict=True)
        ):
            if operator is None or signers is None or content is None:
                continue
            index = batch.first + offset
            problem = batch.signature_errors.get(offset) or self._operator_problem(
                index, operator, signers
            )
            if problem is not None:
                signatures.failed_one(problem)
            elif offset not in batch.ca_signed_only:
                signatures.passed_one()
            if self.api.serves_records:
                self._body(index, content)

    def _operator_problem(self, index: int, operator: Address, signers: Signers) -> Text | None:
        """Why `operator` may not have signed entry `index`, or None (always None offline).

        The rule depends only on the signer, on who may sign the entry and on the anchor that
        covers the entry, so it is worked out once per triple: the entries of one operator
        between two anchors cost a lookup.
        """
        if self.registry is None:
            return None
        covering = bisect_right(self.anchor_sizes, index)
        key = (operator, signers, covering)
        if key not in self.operator_problems:
            anchor = self.anchors[covering] if covering < len(self.anchors) else None
            self.operator_problems[key] = self._operator_rule(
                self.registry, operator, signers, anchor
            )
        problem = self.operator_problems[key]
        return None if problem is None else text("audit.entry", index=index, problem=problem)

    def _operator_rule(
        self,
        registry: OperatorRegistry,
        operator: Address,
        signers: Signers,
        anchor: ListedAnchor | None,
    ) -> Text | None:
        """Why entries that `signers` may sign, signed by `operator` and covered by `anchor`
        (None: past the last anchor), fail."""
        registration: Registration | None = None
        if signers != "registrar":
            read = self._registration(registry, operator)
            if isinstance(read, Text):
                return read
            registration = read
            if registration.active if anchor is None else registration.active_at(
                anchor.block_time
            ):
                return None
            if signers == "operator":
                if anchor is None:
                    return text(
                        "audit.inactive_now",
                        operator=operator,
                        registration=registration.describe(),
                    )
                return text(
                    "audit.inactive_at_anchor",
                    operator=operator,
                    time=Time(anchor.block_time),
                    size=anchor.tree_size,
                    registration=registration.describe(),
                )
        held = self._registrar_held(registry, operator, anchor)
        if isinstance(held, Text):
            return held
        if held:
            return None
        if registration is None:  # a plan
            if anchor is None:
                return text("audit.not_registrar_now", operator=operator)
            return text(
                "audit.not_registrar_at_anchor",
                operator=operator,
                time=Time(anchor.block_time),
                size=anchor.tree_size,
            )
        if anchor is None:
            return text(
                "audit.inactive_nor_registrar_now",
                operator=operator,
                registration=registration.describe(),
            )
        return text(
            "audit.inactive_nor_registrar_at_anchor",
            operator=operator,
            time=Time(anchor.block_time),
            size=anchor.tree_size,
            registration=registration.describe(),
        )

    def _registration(self, registry: OperatorRegistry, operator: Address) -> Registration | Text:
        """`operatorOf(operator)`, read once, or why it could not be read."""
        if operator not in self.registrations:
            try:
                self.registrations[operator] = registry.registration(operator)
            except Unavailable:
                raise
            except VerificationError as exc:
                self.registrations[operator] = text(
                    "audit.operator_unread", operator=operator, problem=exc.text
                )
        return self.registrations[operator]

    def _registrar_held(
        self, registry: OperatorRegistry, operator: Address, anchor: ListedAnchor | None
    ) -> bool | Text:
        """Whether `operator` held REGISTRAR_ROLE at `anchor`'s block time (None: now), or why
        that could not be read. The role's history is read once per signer, `hasRole` once."""
        try:
            if anchor is None:
                if operator not in self.registrar_now:
                    self.registrar_now[operator] = registry.has_role(REGISTRAR_ROLE, operator)
                return self.registrar_now[operator]
            if operator not in self.registrar_times:
                self.registrar_times[operator] = registry.role_times(REGISTRAR_ROLE, operator)
        except Unavailable:
            raise
        except VerificationError as exc:
            problem = text("audit.role_unread", operator=operator, problem=exc.text)
            if anchor is None:
                self.registrar_now[operator] = problem
            else:
                self.registrar_times[operator] = problem
            return problem
        times = self.registrar_times[operator]
        return times if isinstance(times, Text) else held_at(times, anchor.block_time)

    def _body(self, index: int, content: bytes) -> None:
        check = self.checks["bodies"]
        record_id = self.leaves[index].hex()
        try:
            record = self.api.record(record_id)
            if NodeHash(leaf_hash(canonicalize(record["entry"]))) != self.leaves[index]:
                check.failed_one(text("audit.other_entry", record_id=record_id, index=index))
                return
            if record["body"] is None:
                return
            salt_text = record.get("salt")
            salt = (
                None
                if salt_text is None
                else decode_hex(salt_text, what="salt", size=32, prefixed=True)
            )
            verify_body(canonicalize(record["body"]), salt, content)
        except LedgerNotFound:
            check.failed_one(text("audit.record_not_served", record_id=record_id, index=index))
            return
        except Unavailable:
            raise
        except VerificationError as exc:
            check.failed_one(
                text("audit.record_problem", record_id=record_id, index=index, problem=exc.text)
            )
            return
        check.passed_one()

    def _tiles(self) -> None:
        check = self.checks["tiles"]
        tiles = list(expected_tiles(self.leaves))
        for done, tile in enumerate(tiles, start=1):
            width = tile.width or TILE_WIDTH
            what = f"tile {tile.level}/{tile.index}" + (f".p/{tile.width}" if tile.width else "")
            try:
                served = parse_tile(
                    self.api.tile(tile.level, tile.index, tile.width), width, what=what
                )
            except MalformedLedgerResponse as exc:
                check.failed_one(exc.text)
                continue
            wrong = [i for i, (a, b) in enumerate(zip(served, tile.hashes, strict=True)) if a != b]
            if wrong:
                check.failed_one(
                    text("audit.tile_differs", tile=what, count=len(wrong), first=wrong[0])
                )
            else:
                check.passed_one()
            self.progress("tiles", done, len(tiles))

    def _root(self, checkpoint: Checkpoint) -> None:
        rebuilt = self.rebuilt_roots[checkpoint.size] = self.frontier.root()
        check = self.checks["root"]
        if rebuilt != checkpoint.root:
            check.failed_one(
                text("audit.root_differs", rebuilt=rebuilt.hex(), root=checkpoint.root.hex())
            )
        else:
            check.passed_one()

    def _anchors(self, anchors: list[ListedAnchor], checkpoint: Checkpoint) -> None:
        roots, consistency = self.checks["anchor_roots"], self.checks["anchor_consistency"]
        previous: tuple[int, RootHash] | None = None
        contract = (
            None if self.chain is None else LedgerAnchor(self.chain, self.trust.anchor_contract)
        )
        if contract is None:
            self.checks["anchors_on_chain"].not_checked = _not_checked(text("check.offline"))
        if not self.api.serves_records:
            consistency.not_checked = _not_checked(text("audit.mirror_no_proofs"))
        targets: list[tuple[int, RootHash, ListedAnchor | None]] = [
            (a.tree_size, a.root, a) for a in anchors
        ]
        if not anchors or anchors[-1].tree_size != checkpoint.size:
            targets.append((checkpoint.size, checkpoint.root, None))
        for done, (size, root, anchor) in enumerate(targets, start=1):
            if anchor is not None:
                if anchor.chain_id != self.trust.chain_id:
                    roots.failed_one(
                        text(
                            "audit.anchor_chain_differs",
                            size=size,
                            chain=anchor.chain_id,
                            want=self.trust.chain_id,
                        )
                    )
                elif self.rebuilt_roots[size] != root:
                    roots.failed_one(
                        text(
                            "audit.anchor_root_differs",
                            size=size,
                            root=root.hex(),
                            rebuilt=self.rebuilt_roots[size].hex(),
                        )
                    )
                else:
                    roots.passed_one()
                if contract is not None:
                    self._on_chain(contract, anchor)
            if previous is not None and 0 < previous[0] < size and self.api.serves_records:
                try:
                    proof = self.api.consistency_proof(previous[0], size)
                    verify_consistency_proof(previous[0], size, proof, previous[1], root)
                except Unavailable:
                    raise
                except VerificationError as exc:
                    consistency.failed_one(
                        text("audit.consistency", old=previous[0], new=size, problem=exc.text)
                    )
                else:
                    consistency.passed_one()
            previous = (size, root)
            self.progress("anchors", done, len(targets))

    def _on_chain(self, contract: LedgerAnchor, anchor: ListedAnchor) -> None:
        check = self.checks["anchors_on_chain"]
        try:
            onchain = contract.root_at(anchor.tree_size)
        except Unavailable:
            raise
        except VerificationError as exc:
            check.failed_one(text("audit.root_at_failed", size=anchor.tree_size, problem=exc.text))
            return
        if (onchain.root, onchain.timestamp) != (anchor.root, anchor.block_time):
            check.failed_one(
                text(
                    "audit.root_at_differs",
                    size=anchor.tree_size,
                    onchain=onchain.root.hex(),
                    onchain_time=Time(onchain.timestamp),
                    listed=anchor.root.hex(),
                    listed_time=Time(anchor.block_time),
                )
            )
        else:
            check.passed_one()


def _not_checked(reason: Text) -> Text:
    return text("check.not_checked", reason=reason)
