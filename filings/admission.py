"""Admission: the rules a prepared submission must pass against the ledger's state.

`filings.submission.prepare` checks what needs nothing but the submission; the rules here need
to know the ledger, which the caller passes in as a `LedgerState`:

- the signer is an active operator in the OperatorRegistry (`InactiveOperator`);
- a correction supersedes a record the log holds (`UnknownRecord`) of the same operator
  (`NotYourRecord`);
- every listed file is uploaded (`MissingAttachment`).

`admit` decides, item by item, and changes nothing: storing what an admitted item needs
beside it is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from filings.errors import (
    FilingError,
    InactiveOperator,
    MissingAttachment,
    NotYourRecord,
    UnknownRecord,
)
from filings.signing import SubmissionDomain
from filings.submission import PreparedSubmission, prepare
from ledger.entry import parse_record_id

Verdict = PreparedSubmission | FilingError
"""An item's fate: prepared (and, after `admit`, admitted), or the reason it is refused."""


class LedgerState(Protocol):
    """What the rules read of the ledger; each call may block on a store or a chain."""

    def is_active(self, operator: str) -> bool:
        """Whether the EIP-55 address `operator` is an active operator."""
        ...

    def record_operators(self, records: Iterable[bytes]) -> Mapping[bytes, str]:
        """The operator of each record (by leaf hash) the log holds; absent ones left out."""
        ...

    def missing_files(self, digests: Iterable[bytes]) -> set[bytes]:
        """Those SHA-256 digests whose files are not uploaded."""
        ...


def admit(verdicts: Sequence[Verdict], state: LedgerState) -> list[Verdict]:
    """Apply the rules of the module doc to every prepared item; refusals stay as they are.

    One question to `state` per rule for the whole batch (the registry cache aside).
    """
    result = list(verdicts)
    for position, item in enumerate(result):
        if isinstance(item, PreparedSubmission) and not state.is_active(item.entry.operator):
            result[position] = InactiveOperator(
                f"{item.entry.operator} is not an active operator in the registry"
            )
    _check_superseded(result, state)
    _check_files(result, state)
    return result


def _check_superseded(verdicts: list[Verdict], state: LedgerState) -> None:
    corrections = {
        position: parse_record_id(item.entry.supersedes)
        for position, item in enumerate(verdicts)
        if isinstance(item, PreparedSubmission) and item.entry.supersedes is not None
    }
    if not corrections:
        return
    owners = state.record_operators(set(corrections.values()))
    for position, superseded in corrections.items():
        item = verdicts[position]
        assert isinstance(item, PreparedSubmission)
        owner = owners.get(superseded)
        if owner is None:
            verdicts[position] = UnknownRecord(
                f"supersedes {item.entry.supersedes}: the log holds no such record"
            )
        elif owner != item.entry.operator:
            verdicts[position] = NotYourRecord(
                f"supersedes a record of {owner}: only its own operator may correct it"
            )


def _check_files(verdicts: list[Verdict], state: LedgerState) -> None:
    digests = {digest for item in verdicts if isinstance(item, PreparedSubmission)
               for digest in item.attachment_digests}
    if not digests:
        return
    missing = state.missing_files(digests)
    if not missing:
        return
    for position, item in enumerate(verdicts):
        if isinstance(item, PreparedSubmission):
            absent = sorted(d.hex() for d in item.attachment_digests if d in missing)
            if absent:
                verdicts[position] = MissingAttachment(
                    f"attachment {absent[0]} is not uploaded: PUT /v1/attachments/{absent[0]} "
                    "first", details={"missing": absent},
                )


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
