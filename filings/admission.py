"""Admission: the rules a prepared submission must pass against the ledger's state.

`filings.submission.prepare` checks what needs nothing but the submission (it runs in check
worker processes too); the rules here need the ledger, which the caller passes in as a
`LedgerState`. In order, each refusal with its own code:

1. Who may sign (the OperatorRegistry, through the state's caches): a plan or an operator's
   certificate binding (`filings.bindings`) only a holder of REGISTRAR_ROLE (`NotRegistrar`);
   a figure an active operator (a per-operator figure) or a registrar (the department's
   compiled figure); a report an active operator or a registrar (the department's yearly
   report to the People's Committee); a permit an active operator. Anyone else is refused
   as `InactiveOperator`.
2. The clock: `issued_at` at most `CLOCK_TOLERANCE` (300 s) ahead of the server's clock
   (`IssuedInFuture`). The receipt's time is the server's, never `issued_at`.
3. A plan whose subject is in the log must be a correction of it (`PlanAlreadyFiled`).
4. A figure is judged by the current plans (`filings.plans.PlanBook.target`): there must be a
   target for its indicator in a plan whose period holds its reference date (`NoTarget`), in
   the figure's unit (`UnitMismatch`), reported at the level of its area
   (`AreaLevelNotReported`), and the figure may not be signed before that plan's period starts
   (`IssuedBeforePlan`). A plan filed in the same request does not judge it yet: file plans
   first.
5. A correction (`supersedes`) names a record the log holds (`UnknownRecord`) of the same kind,
   schema and subject (`CorrectionMismatch`), by the same declarant (`NotYourRecord`), that no
   record corrects yet, in the log or earlier in the request (`AlreadySuperseded`).
6. A site, route or duct (`filings.infrastructure`): each tenant is an active operator
   (`UnknownTenant`); the first record of a subject supersedes nothing and is the only one
   (`AlreadyFiled`, also for two in one request); every later version is signed by the owner,
   the operator of the subject's first record (`NotOwner`), and supersedes the latest version
   (rule 5 refuses any other: `AlreadySuperseded`). A rooftop site's owner (`siteowner/1`,
   subject `siteowner:<site_id>`) is about a site the log holds, or that an earlier item of the
   request files first (`UnknownSite`), and is signed by that site's owner (`NotOwner`); its
   own versions follow the same rules as a site's.
7. Every listed file is uploaded (`MissingAttachment`) with the listed size and media type
   (`AttachmentMismatch`).

A record sent again exactly as it is in the log (a retry) passes 3, 5 and 6, so that the sequencer
answers it `duplicate` with its first index. `admit` decides, item by item, and changes
nothing: storing what an admitted item needs beside it is the caller's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from filings.errors import (
    AlreadyFiled,
    AlreadySuperseded,
    AreaLevelNotReported,
    AttachmentMismatch,
    CorrectionMismatch,
    FilingError,
    InactiveOperator,
    IssuedBeforePlan,
    IssuedInFuture,
    MissingAttachment,
    NoTarget,
    NotOwner,
    NotRegistrar,
    NotYourRecord,
    PlanAlreadyFiled,
    UnitMismatch,
    UnknownRecord,
    UnknownSite,
    UnknownTenant,
)
from filings.infrastructure import INFRASTRUCTURE_KINDS, SITE_OWNER_KIND, site_of
from filings.kinds import FigureClaim
from filings.periods import issued_day
from filings.plans import PLAN_KIND, PlanBook
from filings.signing import SubmissionDomain
from filings.submission import REGISTRAR_KINDS, PreparedSubmission, prepare
from ledger.entry import parse_record_id

REPORT_KIND: Final = "report"
"""Reports: an operator's, or the department's own (signed by a registrar)."""
VERSIONED_KINDS: Final = frozenset({*INFRASTRUCTURE_KINDS, SITE_OWNER_KIND})
"""Kinds whose subject is one thing of one owner, filed once and then in new versions (rule 6)."""
CLOCK_TOLERANCE: Final = 300
"""How many seconds `issued_at` may be ahead of the server's clock (signers' clocks drift)."""

Verdict = PreparedSubmission | FilingError
"""An item's fate: prepared (and, after `admit`, admitted), or the reason it is refused."""


@dataclass(frozen=True, slots=True)
class FiledRecord:
    """What a correction is checked against: a stored record's kind, schema, subject and
    declarant, and the first record that supersedes it (None when none does)."""

    kind: str
    schema: str
    subject: str
    operator: str
    superseded_by: bytes | None


@dataclass(frozen=True, slots=True)
class SubjectHead:
    """A site, route, duct or site owner in the log: its owner (the operator of its first
    record), its first record and its latest version (leaf hashes)."""

    owner: str
    first: bytes
    latest: bytes


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An uploaded file as the blob store holds it."""

    size: int
    media_type: str


class LedgerState(Protocol):
    """What the rules read of the ledger; each call may block on a store or a chain."""

    def is_active(self, operator: str) -> bool:
        """Whether the EIP-55 address `operator` is an active operator."""
        ...

    def is_registrar(self, address: str) -> bool:
        """Whether the EIP-55 address `address` holds REGISTRAR_ROLE."""
        ...

    def filed_records(self, records: Iterable[bytes]) -> Mapping[bytes, FiledRecord]:
        """Each record (by leaf hash) the log holds; absent ones left out."""
        ...

    def stored_files(self, digests: Iterable[bytes]) -> Mapping[bytes, StoredFile]:
        """Each uploaded file among the SHA-256 `digests`; absent ones left out."""
        ...

    def plan_book(self) -> PlanBook:
        """The plans of the log as they stand now."""
        ...

    def infrastructure_heads(self, subjects: Iterable[str]) -> Mapping[str, SubjectHead]:
        """Each site, route, duct or siteowner subject the log holds, with its owner and
        versions; absent ones left out."""
        ...

    def now(self) -> float:
        """The server's clock, unix seconds."""
        ...


def admit(verdicts: Sequence[Verdict], state: LedgerState) -> list[Verdict]:
    """Apply the rules of the module doc to every prepared item; refusals stay as they are.

    One question to `state` per rule for the whole batch, and one per signer or tenant.
    """
    result = list(verdicts)
    book = state.plan_book()
    deadline = state.now() + CLOCK_TOLERANCE
    roles = _Roles(state)
    for position, item in enumerate(result):
        if isinstance(item, PreparedSubmission):
            refusal = (_signer_refusal(item, roles) or _clock_refusal(item, deadline)
                       or _plan_refusal(item, book))
            if refusal is not None:
                result[position] = refusal
    _check_infrastructure(result, state, roles)
    _check_superseded(result, state)
    _check_files(result, state)
    return result


class _Roles:
    """The registry's answers of one `admit` call, each address asked once: a bulk request has
    few signers, and each question to the state takes its cache's lock."""

    __slots__ = ("_active", "_registrar", "_state")

    def __init__(self, state: LedgerState) -> None:
        self._state = state
        self._active: dict[str, bool] = {}
        self._registrar: dict[str, bool] = {}

    def is_active(self, address: str) -> bool:
        found = self._active.get(address)
        if found is None:
            found = self._active[address] = self._state.is_active(address)
        return found

    def is_registrar(self, address: str) -> bool:
        found = self._registrar.get(address)
        if found is None:
            found = self._registrar[address] = self._state.is_registrar(address)
        return found


def _signer_refusal(item: PreparedSubmission, roles: _Roles) -> FilingError | None:
    entry = item.entry
    signer = entry.operator
    if entry.kind in REGISTRAR_KINDS:
        if roles.is_registrar(signer):
            return None
        return NotRegistrar(f"{signer} does not hold REGISTRAR_ROLE: only the department files "
                            f"{entry.kind} records")
    if roles.is_active(signer):
        return None
    departmental = item.figure is not None or entry.kind == REPORT_KIND
    if departmental and roles.is_registrar(signer):
        return None
    also = " nor a registrar" if departmental else ""
    return InactiveOperator(f"{signer} is not an active operator in the registry{also}")


def _clock_refusal(item: PreparedSubmission, deadline: float) -> FilingError | None:
    issued = item.entry.issued_at
    if issued <= deadline:
        return None
    return IssuedInFuture(
        f"issued_at {issued} is {issued - deadline + CLOCK_TOLERANCE:.0f} s ahead of the "
        f"server's clock, at most {CLOCK_TOLERANCE} s allowed",
        details={"issued_at": issued, "server_time": int(deadline - CLOCK_TOLERANCE),
                 "tolerance": CLOCK_TOLERANCE},
    )


def _plan_refusal(item: PreparedSubmission, book: PlanBook) -> FilingError | None:
    entry = item.entry
    if entry.kind == PLAN_KIND:
        filed = book.latest(entry.subject)
        retried = any(plan.record_id == item.record_id for plan in book.plans)
        if filed is not None and entry.supersedes is None and not retried:
            return PlanAlreadyFiled(
                f"{entry.subject} is in the log as record {filed.record_id}: file a correction "
                "that supersedes it", details={"record_id": filed.record_id},
            )
        return None
    if item.figure is not None:
        return _judged_refusal(item.figure, item.entry.issued_at, book)
    return None


def _judged_refusal(claim: FigureClaim, issued_at: int, book: PlanBook) -> FilingError | None:
    day = claim.reference_date
    judging = book.target(claim.indicator, day)
    if judging is None:
        having = [{"plan": p.number, "record_id": p.record_id,
                   "start": p.body.period.start.isoformat(), "end": p.body.period.end.isoformat()}
                  for p in book.plans_with(claim.indicator)]
        return NoTarget(
            f"no plan in force has a target for {claim.indicator} on {day} (period "
            f"{claim.period})" + ("" if having else ": no plan names this indicator"),
            details={"indicator": claim.indicator, "reference_date": day.isoformat(),
                     "plans": having},
        )
    target, plan = judging.target, judging.plan
    where = {"plan": plan.number, "record_id": plan.record_id}
    if claim.unit != target.unit:
        return UnitMismatch(f"unit: got {claim.unit!r}, want {target.unit!r} as in plan "
                            f"{plan.number}", details={**where, "want": target.unit})
    if claim.level not in target.levels:
        return AreaLevelNotReported(
            f"area {claim.area} is a {claim.level}-level unit: plan {plan.number} reports "
            f"{claim.indicator} at {', '.join(target.levels)} level",
            details={**where, "levels": list(target.levels), "level": claim.level},
        )
    signed, start = issued_day(issued_at), plan.body.period.start
    if signed < start:
        return IssuedBeforePlan(f"issued_at: signed on {signed}, before plan {plan.number} "
                                f"starts on {start}", details={**where, "start": start.isoformat()})
    return None


def _check_superseded(verdicts: list[Verdict], state: LedgerState) -> None:
    corrections = {
        position: parse_record_id(item.entry.supersedes)
        for position, item in enumerate(verdicts)
        if isinstance(item, PreparedSubmission) and item.entry.supersedes is not None
    }
    if not corrections:
        return
    filed = state.filed_records(set(corrections.values()))
    corrected: set[bytes] = set()
    for position, superseded in corrections.items():
        item = verdicts[position]
        assert isinstance(item, PreparedSubmission)
        refusal = _correction_refusal(item, filed.get(superseded), superseded in corrected,
                                      bytes(item.leaf_hash))
        if refusal is None:
            corrected.add(superseded)
        else:
            verdicts[position] = refusal


def _correction_refusal(item: PreparedSubmission, record: FiledRecord | None,
                        corrected_here: bool, leaf: bytes) -> FilingError | None:
    entry = item.entry
    if record is None:
        return UnknownRecord(f"supersedes {entry.supersedes}: the log holds no such record")
    theirs = (record.kind, record.schema, record.subject)
    mine = (entry.kind, entry.schema, entry.subject)
    if theirs != mine:
        return CorrectionMismatch(
            f"supersedes a {record.schema} record about {record.subject!r}: a correction is of "
            f"the same kind, schema and subject (got {entry.schema} about {entry.subject!r})",
            details={"kind": record.kind, "schema": record.schema, "subject": record.subject},
        )
    if record.operator != entry.operator:
        return NotYourRecord(
            f"supersedes a record of {record.operator}: only its own declarant may correct it"
        )
    retried = record.superseded_by == leaf  # this very correction, sent again: a duplicate
    if (record.superseded_by is not None and not retried) or corrected_here:
        later = None if record.superseded_by is None else record.superseded_by.hex()
        return AlreadySuperseded(
            f"supersedes {entry.supersedes}, which is corrected already"
            + (f" by {later}: correct that version" if later else " in this request"),
            details={} if later is None else {"superseded_by": later},
        )
    return None


def _check_infrastructure(verdicts: list[Verdict], state: LedgerState, roles: _Roles) -> None:
    items = {position: item for position, item in enumerate(verdicts)
             if isinstance(item, PreparedSubmission) and item.entry.kind in VERSIONED_KINDS}
    if not items:
        return
    sites = {item.entry.subject: site_of(item.entry.subject) for item in items.values()
             if item.entry.kind == SITE_OWNER_KIND}
    heads = state.infrastructure_heads({item.entry.subject for item in items.values()}
                                       | set(sites.values()))
    first_here: dict[str, str] = {}  # each subject first filed in this request: who filed it
    for position, item in items.items():
        site = sites.get(item.entry.subject)
        refusal = (_tenant_refusal(item, roles)
                   or (None if site is None else
                       _site_owner_refusal(item, site, heads.get(site), first_here))
                   or _version_refusal(item, heads.get(item.entry.subject), first_here))
        if refusal is not None:
            verdicts[position] = refusal


def _tenant_refusal(item: PreparedSubmission, roles: _Roles) -> FilingError | None:
    body = json.loads(item.body_bytes)
    for tenant in body.get("tenants", []):
        if not roles.is_active(tenant):
            return UnknownTenant(f"tenants: {tenant} is not an active operator in the registry",
                                 details={"tenant": tenant})
    return None


def _site_owner_refusal(item: PreparedSubmission, site: str, head: SubjectHead | None,
                        first_here: Mapping[str, str]) -> FilingError | None:
    owner = head.owner if head is not None else first_here.get(site)
    if owner is None:
        return UnknownSite(f"{site} is not in the log: file the site/1 record of the site "
                           "before its owner's", details={"site": site})
    if item.entry.operator != owner:
        return NotOwner(f"{site} belongs to {owner}: only the site's owner files who owns its "
                        "building", details={"owner": owner})
    return None


def _version_refusal(item: PreparedSubmission, head: SubjectHead | None,
                     first_here: dict[str, str]) -> FilingError | None:
    entry, leaf = item.entry, bytes(item.leaf_hash)
    if head is None:
        if entry.supersedes is not None:
            return None  # rule 5: it supersedes no record of this subject
        if entry.subject in first_here:
            return AlreadyFiled(f"{entry.subject} is filed earlier in this request: file one "
                                "first version")
        first_here[entry.subject] = entry.operator
        return None
    if leaf in (head.first, head.latest):
        return None  # a retry: the sequencer answers it duplicate
    if entry.operator != head.owner:
        return NotOwner(f"{entry.subject} belongs to {head.owner}: only its owner files a new "
                        "version", details={"owner": head.owner})
    if entry.supersedes is None:
        latest = "0x" + head.latest.hex()
        return AlreadyFiled(f"{entry.subject} is in the log: file a new version that supersedes "
                            f"its latest record {latest}", details={"record_id": latest})
    return None


def _check_files(verdicts: list[Verdict], state: LedgerState) -> None:
    digests = {digest for item in verdicts if isinstance(item, PreparedSubmission)
               for digest in item.attachment_digests}
    if not digests:
        return
    stored = state.stored_files(digests)
    for position, item in enumerate(verdicts):
        if isinstance(item, PreparedSubmission):
            refusal = _file_refusal(item, stored.get)
            if refusal is not None:
                verdicts[position] = refusal


def _file_refusal(item: PreparedSubmission,
                  stored: Callable[[bytes], StoredFile | None]) -> FilingError | None:
    absent = sorted(a.sha256 for a in item.attachments if stored(bytes.fromhex(a.sha256)) is None)
    if absent:
        return MissingAttachment(
            f"attachment {absent[0]} is not uploaded: PUT /v1/attachments/{absent[0]} first",
            details={"missing": absent},
        )
    for listed in item.attachments:
        held = stored(bytes.fromhex(listed.sha256))
        assert held is not None
        if (listed.size, listed.type) != (held.size, held.media_type):
            return AttachmentMismatch(
                f"attachment {listed.sha256} is listed as {listed.size} bytes of {listed.type}, "
                f"the uploaded file is {held.size} bytes of {held.media_type}",
                details={"sha256": listed.sha256, "listed": {"size": listed.size,
                                                             "type": listed.type},
                         "stored": {"size": held.size, "type": held.media_type}},
            )
    return None


def prepare_all(domain: SubmissionDomain, items: Sequence[bytes]) -> list[Verdict]:
    """`prepare` each raw submission, in order; a refusal is returned, not raised.

    The one call behind every submission, in the server's process or a check worker's.
    """
    verdicts: list[Verdict] = []
    for item in items:
        try:
            verdicts.append(prepare(item, domain))
        except FilingError as exc:
            verdicts.append(exc)
    return verdicts
