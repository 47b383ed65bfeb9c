"""Checking a log's entries for an audit: RFC 8785 form and EIP-712 signature, in order.

An entry signed with a CA certificate only (`signature` null) has no EIP-712 signature to
recover: it is set apart (`CheckedBatch.ca_signed_only`), its CMS is checked record by record
(`verifier.signatures`), never by the audit.

Signature recovery bounds a whole-log audit (about 50 µs a signature), so the checks can run in
worker processes: `EntryChecker(domain, jobs)` takes the entry bundles as the log serves them
(raw bytes: the cheapest thing to send to a process), groups them into batches of about
`BATCH_ENTRIES` entries, keeps up to `2 * jobs` batches in flight and hands back their results
in log order, while the caller rebuilds the tree. With `jobs == 1` everything runs in the
calling process, bundle by bundle. Workers are spawned, not forked, and import only the verifier.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from types import TracebackType
from typing import Final

from verifier.address import Address
from verifier.eip712 import SigningDomain, verify_submission_signature
from verifier.entry import Entry, Signers
from verifier.errors import VerificationError
from verifier.messages import Text, text
from verifier.tiles import parse_entry_bundle

BATCH_ENTRIES: Final = 4096
"""Entries sent to a worker process at once: few enough to keep the workers busy, many enough
that sending them costs little next to checking them."""


@dataclass(frozen=True, slots=True)
class CheckedBatch:
    """The checks of entries [first, first + len(operators)), in log order.

    For each entry, its operator (its signer), who may sign it (`signers`, by its kind and
    schema) and its body commitment (`content`) when it is a valid entry in RFC 8785 form, else
    None for all three. `entry_errors` maps the offset of each entry that is not
    one to the message saying why (its signature is then not checked); `signature_errors` maps
    the offset of each valid entry whose signature does not recover its operator;
    `ca_signed_only` holds the offsets of the valid entries signed with a CA certificate only.
    """

    first: int
    operators: tuple[Address | None, ...]
    signers: tuple[Signers | None, ...]
    contents: tuple[bytes | None, ...]
    entry_errors: dict[int, Text]
    signature_errors: dict[int, Text]
    ca_signed_only: frozenset[int]


def check_entries(
    first: int, bundles: list[tuple[bytes, int]], domain: SigningDomain
) -> CheckedBatch:
    """Check the entries of consecutive entry bundles, each given with its entry count, the
    first entry being leaf `first`.

    Each bundle must hold its count of entries (the caller has split it already); raises
    `MalformedLedgerResponse` otherwise.
    """
    operators: list[Address | None] = []
    signers: list[Signers | None] = []
    contents: list[bytes | None] = []
    entry_errors: dict[int, Text] = {}
    signature_errors: dict[int, Text] = {}
    ca_signed_only: set[int] = set()
    offset = 0
    for bundle, count in bundles:
        for raw in parse_entry_bundle(bundle, count, what=f"entry bundle at leaf {first + offset}"):
            try:
                entry = Entry.from_leaf_data(raw)
            except VerificationError as exc:
                entry_errors[offset] = text("audit.entry", index=first + offset, problem=exc.text)
                operators.append(None)
                signers.append(None)
                contents.append(None)
            else:
                if entry.ca_signed_only:
                    ca_signed_only.add(offset)
                else:
                    try:
                        verify_submission_signature(entry, domain)
                    except VerificationError as exc:
                        signature_errors[offset] = text(
                            "audit.entry", index=first + offset, problem=exc.text
                        )
                operators.append(entry.operator)
                signers.append(entry.signers)
                contents.append(entry.content)
            offset += 1
    return CheckedBatch(first, tuple(operators), tuple(signers), tuple(contents), entry_errors,
                        signature_errors, frozenset(ca_signed_only))


class EntryChecker:
    """Checks entry bundles, in `jobs` worker processes when `jobs` > 1.

    Use as a context manager; `submit` returns the batches finished so far, in order, and
    `finish` the rest.
    """

    def __init__(self, domain: SigningDomain, jobs: int,
                 batch_entries: int = BATCH_ENTRIES) -> None:
        """Requires jobs >= 1. A worker gets bundles of at least `batch_entries` entries."""
        if jobs < 1:
            raise VerificationError(f"jobs: got {jobs}, want at least 1")
        self.domain = domain
        self.batch_limit = batch_entries
        self.window = 2 * jobs
        self.pool = (
            None
            if jobs == 1
            else ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"))
        )
        self.pending: deque[Future[CheckedBatch]] = deque()
        self.batch: list[tuple[bytes, int]] = []
        self.batch_first = 0
        self.batch_entries = 0

    def __enter__(self) -> EntryChecker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, first: int, bundle: bytes, count: int) -> Iterator[CheckedBatch]:
        """Queue the entry bundle holding the `count` entries from leaf `first` on (it must
        follow the bundles queued before); yield the batches that are due, in order."""
        if self.pool is None:
            yield check_entries(first, [(bundle, count)], self.domain)
            return
        if not self.batch:
            self.batch_first = first
        self.batch.append((bundle, count))
        self.batch_entries += count
        if self.batch_entries >= self.batch_limit:
            self._send(self.pool)
        while len(self.pending) > self.window:
            yield self.pending.popleft().result()

    def finish(self) -> Iterator[CheckedBatch]:
        """Yield every batch still queued or in flight, in order."""
        if self.pool is not None and self.batch:
            self._send(self.pool)
        while self.pending:
            yield self.pending.popleft().result()

    def _send(self, pool: ProcessPoolExecutor) -> None:
        self.pending.append(pool.submit(check_entries, self.batch_first, self.batch, self.domain))
        self.batch, self.batch_entries = [], 0
