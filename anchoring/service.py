"""The anchor service: the log's newest checkpoint on the LedgerAnchor contract (DESIGN 1, 5).

Each run anchors the newest stored checkpoint when it is larger than the last anchored size,
with the RFC 9162 consistency proof from that size (empty for the first anchor), and stores the
transaction's place as an anchor row. The contract is the arbiter: it refuses a size that does
not increase and a proof that does not link to its latest anchor, so the same size is never
anchored twice, whoever sends it.

Before anchoring, the service reconciles the database with the chain: an anchor the chain holds
and the database lacks (a receipt lost to a crash or a timeout between the transaction and the
insert) is recovered from the contract and its ``Anchored`` event, so every on-chain anchor is
recorded exactly once; a chain that is behind the database, or holds other roots, stops the
service with :class:`~anchoring.errors.AnchorMismatch` instead of anchoring history again.

A failed run (chain down, database down) is retried with exponential backoff; runs inside the
backoff return at once, so a dead chain never ties up the scheduler. When the chain is back,
one anchor covers every checkpoint that accumulated meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from apscheduler.schedulers.base import BaseScheduler

from anchoring.errors import (
    AnchoringError,
    AnchorMismatch,
    ChainDataError,
    ContractNotDeployed,
    InvalidRequest,
    ReceiptTimeout,
    TransactionReverted,
)
from anchoring.ledger_anchor import AnchoredCheckpoint, AnchorReceipt, LedgerAnchor, TreeHead
from ledger.errors import LedgerError
from ledger.storage.anchors import AnchorStore, DuplicateAnchor, StoredAnchor
from ledger.storage.store import LogStore

__all__ = [
    "ANCHOR_JOB",
    "AnchorLag",
    "AnchorService",
    "anchor_lag",
    "schedule_anchoring",
]

#: The scheduler id of the anchoring job.
ANCHOR_JOB: Final = "anchor"

#: Reverts meaning the contract's latest anchor moved since the service read it: another
#: anchorer, or an earlier transaction of this one whose receipt never arrived.
_HEAD_MOVED: Final = frozenset(
    {"LedgerAnchor__SizeNotIncreasing", "LedgerAnchor__InconsistentProof"}
)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnchorLag:
    """How far the chain is behind the log: ``entries`` sequenced past the latest anchored
    size, and ``seconds`` since the oldest of them was sequenced (0 when all are anchored)."""

    tree_size: int
    anchored_size: int
    entries: int
    seconds: float


def anchor_lag(anchors: AnchorStore, now: float) -> AnchorLag:
    """The lag of the chain behind the log at unix time ``now``, from the database alone."""
    backlog = anchors.backlog()
    oldest = backlog.oldest_unanchored_at
    return AnchorLag(
        tree_size=backlog.tree_size,
        anchored_size=backlog.anchored_size,
        entries=max(0, backlog.tree_size - backlog.anchored_size),
        seconds=0.0 if oldest is None else max(0.0, now - oldest),
    )


class AnchorService:
    """Anchors the checkpoints of ``store`` through ``ledger_anchor`` (bound to a key holding
    ANCHORER_ROLE) and records them in ``anchors``.

    ``confirmations``: blocks, the anchor's own included, before an anchor is recorded (the
    chain's :class:`~anchoring.chain.TransactionPolicy` waits for them on the service's own
    transactions, so it must ask for at least as many; anchors recovered from the chain are
    checked here). ``clock``: unix seconds, for ``anchored_at``, the backoff and the lag.
    ``retry_min`` and ``retry_max`` bound the backoff after failures, in seconds.

    Thread-safe: runs and reconciliations are serialised; :meth:`lag` and the status
    properties may be read from any thread.
    """

    def __init__(
        self,
        store: LogStore,
        anchors: AnchorStore,
        ledger_anchor: LedgerAnchor,
        *,
        confirmations: int = 1,
        clock: Callable[[], float] = time.time,
        retry_min: float = 1.0,
        retry_max: float = 60.0,
    ) -> None:
        if ledger_anchor.signer is None:
            raise InvalidRequest("the anchor service needs the LedgerAnchor bound to a signer")
        if confirmations < 1:
            raise InvalidRequest(f"confirmations must be >= 1, got {confirmations}")
        policy = ledger_anchor.chain.policy
        if policy.confirmations < confirmations:
            raise InvalidRequest(
                f"the chain's transaction policy waits for {policy.confirmations} "
                f"confirmation(s), the anchor service needs {confirmations}"
            )
        if not 0 < retry_min <= retry_max:
            raise InvalidRequest(f"want 0 < retry_min <= retry_max, got {retry_min}, {retry_max}")
        self._store = store
        self._anchors = anchors
        self._anchor = ledger_anchor
        self._confirmations = confirmations
        self._clock = clock
        self._retry_min = retry_min
        self._retry_max = retry_max
        self._lock = threading.Lock()
        # The chain's latest anchor once the database is known to record it (and everything
        # before it); None until a reconciliation establishes that.
        self._head: TreeHead | None = None
        self._failures = 0
        self._retry_at: float | None = None
        self._last_error: str | None = None

    # -- status ------------------------------------------------------------------------------

    @property
    def failures(self) -> int:
        """Consecutive failed runs (0 after a successful one)."""
        return self._failures

    @property
    def last_error(self) -> str | None:
        """The error of the last failed run, while failures continue; None otherwise."""
        return self._last_error

    @property
    def retry_at(self) -> float | None:
        """Unix time before which runs are skipped (backoff), or None."""
        return self._retry_at

    def lag(self) -> AnchorLag:
        """How far the chain is behind the log now (see :func:`anchor_lag`)."""
        return anchor_lag(self._anchors, self._clock())

    # -- work --------------------------------------------------------------------------------

    def reconcile(self) -> list[StoredAnchor]:
        """Bring the database up to the chain: record every anchor the contract holds and the
        database lacks (with its transaction, from the ``Anchored`` event); return them.

        Raises :class:`AnchorMismatch` when the chain is behind the database, holds another
        root at a recorded size, or anchors a size the log does not have; an anchor with fewer
        than ``confirmations`` blocks is left for a later run (and nothing is anchored until
        it is recorded).
        """
        with self._lock:
            return self._reconcile()

    def run_once(self) -> StoredAnchor | None:
        """Anchor the newest checkpoint if it is larger than the latest anchor; return its row,
        or None when there was nothing to do, the backoff is running, or the chain's latest
        anchor changed under this run (it is recorded, and the next run anchors on it).

        A failure is recorded (:attr:`failures`, :attr:`last_error`, :attr:`retry_at`: retry
        after ``retry_min`` seconds, doubling up to ``retry_max``) and raised:
        :class:`AnchoringError` from the chain, ``LedgerError`` from the store.
        """
        with self._lock:
            now = self._clock()
            if self._retry_at is not None and now < self._retry_at:
                return None
            try:
                anchored = self._anchor_newest()
            except (AnchoringError, LedgerError) as exc:
                self._failed(exc)
                raise
            self._failures = 0
            self._retry_at = None
            self._last_error = None
            return anchored

    def run_scheduled(self) -> None:
        """:meth:`run_once` for the scheduler: a failure becomes one log line (the backoff
        retries it), never an exception in the scheduler's thread."""
        try:
            self.run_once()
        except (AnchoringError, LedgerError) as exc:
            _log.warning(
                "anchoring failed (%d in a row, next attempt in %.0f s): %s",
                self._failures, max(0.0, (self._retry_at or 0.0) - self._clock()), exc,
            )

    # -- internals ---------------------------------------------------------------------------

    def _anchor_newest(self) -> StoredAnchor | None:
        head = self._chain_head()
        if head != self._head:
            self._reconcile()
            if self._head is None:
                return None
            head = self._head
        checkpoint = self._store.latest_checkpoint()
        if checkpoint is None or checkpoint.checkpoint.size <= head.tree_size:
            return None
        size, root = checkpoint.checkpoint.size, checkpoint.checkpoint.root
        proof = [] if head.tree_size == 0 else self._store.consistency_proof(head.tree_size, size)
        try:
            receipt = self._anchor.anchor(size, root, proof)
        except TransactionReverted as exc:
            if exc.error not in _HEAD_MOVED:
                raise
            # Not retried blindly: record what the chain holds now; the next run anchors on it.
            self._reconcile()
            if self._head == head:
                raise  # the chain did not move: the log really is not consistent with it
            return None
        except ReceiptTimeout:
            self._head = None  # it may still be mined: the next run reconciles first
            raise
        row = self._record(self._row(receipt))
        self._head = TreeHead(size, root)
        return row

    def _reconcile(self) -> list[StoredAnchor]:
        self._head = None
        # The database first: a row is written only after its anchor is mined, so the chain
        # read next is at least as far, even while another anchorer shares the database.
        recorded = self._anchors.latest()
        head = self._chain_head()
        if recorded is not None:
            self._check_recorded(head, recorded)
        missing = self._unrecorded(head, 0 if recorded is None else recorded.tree_size)
        if not missing:
            self._head = head
            return []
        last_block = self._anchor.chain.block_number()
        recovered: list[StoredAnchor] = []
        for checkpoint in missing:
            if last_block - checkpoint.block_number + 1 < self._confirmations:
                return recovered  # not final yet: recorded by a later run
            recovered.append(self._record(self._recover(checkpoint)))
        _log.info("recorded %d anchor(s) found on the chain, up to tree size %d",
                  len(recovered), head.tree_size)
        self._head = head
        return recovered

    def _chain_head(self) -> TreeHead:
        """The contract's latest anchor; a contract gone from an address where the database
        recorded anchors means the chain was reset: :class:`AnchorMismatch`."""
        try:
            return self._anchor.latest()
        except ContractNotDeployed as exc:
            recorded = self._anchors.latest()
            if recorded is None:
                raise
            raise self._behind(0, recorded) from exc

    def _record(self, row: StoredAnchor) -> StoredAnchor:
        """Insert ``row``; a row of the same transaction already there (written by another
        anchorer sharing the database) is the same record. Returns the stored row."""
        try:
            self._anchors.add(row)
        except DuplicateAnchor:
            stored = self._anchors.at(row.tree_size)
            if stored is None or (stored.root, stored.tx_hash) != (row.root, row.tx_hash):
                raise
            return stored
        return row

    def _check_recorded(self, head: TreeHead, recorded: StoredAnchor) -> None:
        """The database's latest anchor must be on this contract, and on its chain."""
        chain_id, contract = self._anchor.chain.chain_id, self._anchor.address
        if (recorded.chain_id, recorded.contract.lower()) != (chain_id, contract.lower()):
            raise AnchorMismatch(
                f"the database's anchors are on chain {recorded.chain_id}, contract "
                f"{recorded.contract}; the service is configured for chain {chain_id}, "
                f"contract {contract}"
            )
        if head.tree_size < recorded.tree_size:
            raise self._behind(head.tree_size, recorded)
        on_chain = self._anchor.root_at(recorded.tree_size)
        if on_chain is None or on_chain[0] != recorded.root:
            raise AnchorMismatch(
                f"contract {contract} on chain {chain_id} does not hold the root the database "
                f"recorded for tree size {recorded.tree_size} (0x{recorded.root.hex()})"
            )

    def _behind(self, chain_size: int, recorded: StoredAnchor) -> AnchorMismatch:
        return AnchorMismatch(
            f"the chain is behind the database: contract {self._anchor.address} on chain "
            f"{self._anchor.chain.chain_id} holds anchors up to tree size {chain_size}, the "
            f"database recorded tree size {recorded.tree_size} (block {recorded.block_number}); "
            "a new or reset chain is never re-anchored: restore the chain's state, or point "
            "the ledger at the chain that holds its anchors"
        )

    def _unrecorded(self, head: TreeHead, recorded_size: int) -> list[AnchoredCheckpoint]:
        """The chain's anchors after ``recorded_size``, oldest first, walked back from the
        head through each anchor's previous size."""
        found: list[AnchoredCheckpoint] = []
        size = head.tree_size
        while size > recorded_size:
            checkpoint = self._anchor.anchor_at(size)
            if checkpoint is None:
                raise ChainDataError(f"anchor of size {size} is referenced but not stored")
            found.append(checkpoint)
            size = checkpoint.previous_size
        if size != recorded_size:
            raise AnchorMismatch(
                f"the chain anchored tree size {found[-1].tree_size} after size {size}; the "
                f"database recorded size {recorded_size}, which the chain never anchored"
            )
        found.reverse()
        return found

    def _recover(self, checkpoint: AnchoredCheckpoint) -> StoredAnchor:
        """The row of an anchor found on the chain, after checking its root is the log's."""
        size = checkpoint.tree_size
        log_size = self._store.tree_size()
        if size > log_size:
            raise AnchorMismatch(
                f"the chain anchored tree size {size}, the log holds {log_size} entries"
            )
        if self._store.root(size) != checkpoint.root:
            raise AnchorMismatch(
                f"the chain anchored tree size {size} with root 0x{checkpoint.root.hex()}, "
                f"which is not the log's root at that size"
            )
        events = [
            event
            for event in self._anchor.anchored_events(checkpoint.block_number,
                                                      checkpoint.block_number)
            if event.tree_size == size
        ]
        if len(events) != 1 or events[0].root != checkpoint.root:
            raise ChainDataError(
                f"block {checkpoint.block_number} has no Anchored event for tree size {size}"
            )
        event = events[0]
        return StoredAnchor(
            tree_size=size,
            root=checkpoint.root,
            chain_id=self._anchor.chain.chain_id,
            contract=self._anchor.address,
            tx_hash=event.tx_hash,
            block_number=event.block_number,
            block_hash=event.block_hash,
            block_time=checkpoint.timestamp,
            anchored_at=int(self._clock()),
        )

    def _row(self, receipt: AnchorReceipt) -> StoredAnchor:
        return StoredAnchor(
            tree_size=receipt.tree_size,
            root=receipt.root,
            chain_id=receipt.chain_id,
            contract=receipt.contract,
            tx_hash=receipt.tx_hash,
            block_number=receipt.block_number,
            block_hash=receipt.block_hash,
            block_time=receipt.block_time,
            anchored_at=int(self._clock()),
        )

    def _failed(self, exc: Exception) -> None:
        self._failures += 1
        delay = min(self._retry_max, self._retry_min * 2 ** (self._failures - 1))
        self._retry_at = self._clock() + delay
        self._last_error = f"{type(exc).__name__}: {exc}"


def schedule_anchoring(
    scheduler: BaseScheduler, service: AnchorService, interval: float = 2.0
) -> None:
    """Run ``service.run_scheduled`` every ``interval`` seconds; a late run is merged, never
    doubled (like the checkpointer's job, :func:`ledger.service.jobs.schedule_checkpointer`)."""
    scheduler.add_job(
        service.run_scheduled, "interval", seconds=interval, id=ANCHOR_JOB,
        max_instances=1, coalesce=True, replace_existing=True,
    )
