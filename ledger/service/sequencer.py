"""The batching core: many concurrent `append` calls, one durable transaction per short window.

Callers are answered only after the batch holding their entries has committed, each with its
places in the log and a signed receipt (a C2SP note, see `ledger.receipt`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ledger.errors import LedgerError
from ledger.merkle import Frontier
from ledger.note import Signer
from ledger.receipt import Receipt
from ledger.storage.store import LogStore, PendingEntry, Sequenced


@dataclass(frozen=True, slots=True)
class Appended:
    """The answer to one `append` call: a place per entry, in order, and the signed receipt."""

    results: tuple[Sequenced, ...]
    receipt: str | None
    """Over the entries placed (duplicates included); None when every entry was refused."""
    time: int


@dataclass(slots=True)
class _Request:
    items: Sequence[PendingEntry]
    future: asyncio.Future[tuple[list[Sequenced], int]] = field(repr=False)


class Sequencer:
    """Group commit for the log: flushes at `max_batch` entries or `max_delay` seconds."""

    def __init__(
        self,
        store: LogStore,
        signer: Signer,
        *,
        max_batch: int = 1000,
        max_delay: float = 0.01,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._signer = signer
        self._max_batch = max_batch
        self._max_delay = max_delay
        self._clock = clock
        self._queue: asyncio.Queue[_Request | None] = asyncio.Queue()
        """Requests in order; None asks the flush loop to stop after what came before it."""
        self._frontier = Frontier()
        self._task: asyncio.Task[None] | None = None
        self._observers: list[Callable[[int], None]] = []

    async def start(self) -> None:
        """Load the head and start the flush loop."""
        self._frontier = await asyncio.to_thread(self._store.frontier)
        self._task = asyncio.create_task(self._run(), name="sequencer")

    async def close(self) -> None:
        """Stop once every request made before this call is committed and answered (the batch
        in flight included); a request made after it gets a `LedgerError`."""
        task, self._task = self._task, None
        if task is None:
            return
        self._queue.put_nowait(None)
        await task
        while not self._queue.empty():
            request = self._queue.get_nowait()
            if request is not None:
                request.future.set_exception(LedgerError("the sequencer stopped"))

    async def append(self, items: Sequence[PendingEntry]) -> Appended:
        """Sequence `items` durably; return their places once committed.

        Raises the store's `LedgerError` if the batch failed: then none of them was written.
        """
        if self._task is None:
            raise LedgerError("the sequencer is not running")
        if not items:
            raise LedgerError("nothing to append")
        future: asyncio.Future[tuple[list[Sequenced], int]] = (
            asyncio.get_running_loop().create_future()
        )
        await self._queue.put(_Request(items, future))
        results, now = await future
        placed = tuple((r.index, r.leaf_hash) for r in results if not r.refused)
        receipt = Receipt(self._store.origin, now, placed).sign(self._signer) if placed else None
        return Appended(tuple(results), receipt, now)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            first = await self._queue.get()
            if first is None:
                return
            batch = [first]
            count = len(first.items)
            deadline = loop.time() + self._max_delay
            stopping = False
            while count < self._max_batch:
                try:
                    request = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    remaining = deadline - loop.time()
                    if remaining <= 0:
                        break
                    try:
                        request = await asyncio.wait_for(self._queue.get(), remaining)
                    except TimeoutError:
                        break
                if request is None:
                    stopping = True
                    break
                batch.append(request)
                count += len(request.items)
            await self._flush(batch)
            if stopping:
                return

    def observe_flushes(self, observer: Callable[[int], None]) -> None:
        """Call `observer` with the number of entries of every committed batch (metrics)."""
        self._observers.append(observer)

    async def _flush(self, batch: list[_Request]) -> None:
        items = [item for request in batch for item in request.items]
        now = int(self._clock())
        try:
            results, self._frontier = await asyncio.to_thread(
                self._store.append, items, self._frontier, now
            )
        except Exception as exc:  # every caller of the batch learns why; the loop goes on
            for request in batch:
                if not request.future.done():
                    request.future.set_exception(exc)
            return
        for observer in self._observers:
            observer(len(items))
        offset = 0
        for request in batch:
            part = results[offset : offset + len(request.items)]
            offset += len(request.items)
            if not request.future.done():
                request.future.set_result((part, now))
