"""The checks of submitted items, and the worker processes that run them for large requests.

Checking an item has two stages. The stateless one needs nothing but the item and the EIP-712
domain: shape, canonical JSON, record kind and catalogue, signature recovery (`build_entry`).
It is the CPU-bound stage of ingest. The stateful one (`api.routes.submissions`) then asks the
node and the store: operator active in the registry, superseded record and its owner,
attachments uploaded.

An event loop uses one core. A request of at least `POOL_MIN_ITEMS` items is split into one part
per worker process of a `CheckPool` (default: one per CPU), so a server checks on every core;
each part comes back as plain values (`CheckedItem` pickles as a tuple), which cost the server
a few microseconds an item to receive. Smaller requests are checked in this process: for them
the hop to another process costs more than it saves. A worker that dies breaks only the request
in flight: the pool is replaced and that request checked in this process.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Final

from api.errors import ApiError
from api.submission import PreparedSubmission, SubmissionDomain, build_entry, parse_submission
from ledger.canonical import canonical_json
from ledger.entry import Entry
from ledger.merkle import LeafHash
from ledger.storage.store import PendingEntry

_log = logging.getLogger(__name__)

POOL_MIN_ITEMS: Final = 32
"""Requests with fewer items are checked in this process."""


@dataclass(frozen=True, slots=True)
class CheckedItem:
    """An item that passed the stateless checks: the entry as the sequencer stores it, and the
    record's attachment list (RFC 8785 bytes, None when it lists no file)."""

    pending: PendingEntry
    attachment_list: bytes | None

    @classmethod
    def of(cls, prepared: PreparedSubmission) -> CheckedItem:
        listed = None
        if prepared.attachments:
            listed = canonical_json([attachment.to_json() for attachment in prepared.attachments])
        return cls(
            PendingEntry(prepared.entry, prepared.leaf_data, prepared.leaf_hash,
                         prepared.body_bytes, prepared.salt, prepared.attachment_digests),
            listed,
        )

    @property
    def entry(self) -> Entry:
        return self.pending.entry

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as a flat tuple of plain values: slotted dataclasses unpickle field by field,
        several times slower, and the pool sends thousands of these a second."""
        pending, entry = self.pending, self.pending.entry
        return (_checked_item, (
            entry.kind, entry.schema, entry.subject, entry.operator, entry.content,
            entry.attachments, entry.supersedes, entry.issued_at, entry.signature,
            pending.leaf_data, bytes(pending.leaf_hash), pending.body, pending.salt,
            pending.attachments, self.attachment_list,
        ))


def _checked_item(
    kind: str, schema: str, subject: str, operator: str, content: str, attachments: str,
    supersedes: str | None, issued_at: int, signature: str, leaf_data: bytes, leaf: bytes,
    body: bytes | None, salt: bytes | None, digests: tuple[bytes, ...], listed: bytes | None,
) -> CheckedItem:
    entry = Entry(kind, schema, subject, operator, content, attachments, supersedes, issued_at,
                  signature)
    return CheckedItem(PendingEntry(entry, leaf_data, LeafHash(leaf), body, salt, digests), listed)


Checked = CheckedItem | ApiError
"""An item's fate so far: checked, or the reason it is rejected."""


def check_stateless(domain: SubmissionDomain, items: Sequence[Any]) -> list[Checked]:
    """The stateless checks of each item (see the module doc), in order."""
    checked: list[Checked] = []
    for item in items:
        try:
            checked.append(CheckedItem.of(build_entry(parse_submission(item), domain)))
        except ApiError as exc:
            checked.append(exc)
    return checked


def _ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the server, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class CheckPool:
    """Worker processes for the stateless checks of large requests, started on first use.

    `workers` 0 turns the pool off: every request is then checked in this process.
    """

    def __init__(self, workers: int | None = None, min_items: int = POOL_MIN_ITEMS) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.min_items = min_items
        self._executor: ProcessPoolExecutor | None = None

    def takes(self, count: int) -> bool:
        """Whether a request of `count` items is checked by the pool."""
        return self.workers > 0 and count >= self.min_items

    async def check(self, domain: SubmissionDomain, items: Sequence[Any]) -> list[Checked]:
        """`check_stateless` of `items`, split over the worker processes."""
        loop = asyncio.get_running_loop()
        size = -(-len(items) // self.workers)
        parts = [items[start:start + size] for start in range(0, len(items), size)]
        executor = self._running()
        try:
            done = await asyncio.gather(*(
                loop.run_in_executor(executor, check_stateless, domain, part) for part in parts
            ))
        except BrokenProcessPool:
            _log.warning("a check worker process died: starting new ones")
            self._replace(executor)
            return await asyncio.to_thread(check_stateless, domain, items)
        return [item for part in done for item in part]

    def close(self) -> None:
        """Stop the worker processes (work not started is dropped)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _running(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_ignore_interrupts,
            )
        return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._executor is broken:
            self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)
