"""Worker processes that run the stateless checks of large submission requests.

`filings.admission.prepare_all` is the CPU-bound stage of ingest (one parse, the record kind,
areas and periods, signature recovery). An event loop uses one core, so a request of at least
`POOL_MIN_ITEMS` items is split into one part per worker process (default: one per CPU): each
part goes out as the raw JSON bytes of its items and comes back as one MessagePack blob of its
prepared submissions (`msgspec` builds the dataclasses in C: 4 us a record both ways, against 10
to 14 for pickling them) beside the refusals, which are rare, pickled with their positions.
Smaller requests are checked in the server's process: for them the hop to another process costs
more than it saves. A worker that dies breaks only the request in flight: the pool is replaced
and that request checked in the server's process.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Final

import msgspec

from filings.admission import Verdict, prepare_all
from filings.errors import FilingError
from filings.signing import SubmissionDomain
from filings.submission import PreparedSubmission

_log = logging.getLogger(__name__)

POOL_MIN_ITEMS: Final = 32
"""Requests with fewer items are checked in the server's process."""


_ENCODER: Final = msgspec.msgpack.Encoder()
_DECODER: Final = msgspec.msgpack.Decoder(list[PreparedSubmission])

Part = tuple[bytes, list[tuple[int, FilingError]]]
"""A checked part as a worker sends it back: the prepared items (MessagePack, in order) and
each refusal with its position in the part."""


def prepare_part(domain: SubmissionDomain, items: Sequence[bytes]) -> Part:
    """`prepare_all` of `items` in the wire form of `Part` (run in a worker process)."""
    prepared: list[PreparedSubmission] = []
    refused: list[tuple[int, FilingError]] = []
    for position, verdict in enumerate(prepare_all(domain, items)):
        if isinstance(verdict, PreparedSubmission):
            prepared.append(verdict)
        else:
            refused.append((position, verdict))
    return _ENCODER.encode(prepared), refused


def verdicts_of(part: Part) -> list[Verdict]:
    """The verdicts of a part sent back by `prepare_part`, in the order of its items."""
    blob, refused = part
    prepared = iter(_DECODER.decode(blob))
    verdicts: list[Verdict] = []
    for position, refusal in refused:
        verdicts.extend(itertools.islice(prepared, position - len(verdicts)))
        verdicts.append(refusal)
    verdicts.extend(prepared)
    return verdicts


def _ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the server, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class CheckPool:
    """Worker processes for the stateless checks of large requests, started on first use.

    `workers` 0 turns the pool off: every request is then checked in the server's process.
    """

    def __init__(self, workers: int | None = None, min_items: int = POOL_MIN_ITEMS) -> None:
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self.min_items = min_items
        self._executor: ProcessPoolExecutor | None = None

    def takes(self, count: int) -> bool:
        """Whether a request of `count` items is checked by the pool."""
        return self.workers > 0 and count >= self.min_items

    async def prepare(self, domain: SubmissionDomain, items: Sequence[bytes]) -> list[Verdict]:
        """`prepare_all` of `items`, split over the worker processes."""
        loop = asyncio.get_running_loop()
        size = -(-len(items) // self.workers)
        parts = [items[start:start + size] for start in range(0, len(items), size)]
        executor = self._running()
        try:
            done = await asyncio.gather(*(
                loop.run_in_executor(executor, prepare_part, domain, part) for part in parts
            ))
        except BrokenProcessPool:
            _log.warning("a check worker process died: starting new ones")
            self._replace(executor)
            return await asyncio.to_thread(prepare_all, domain, items)
        return [item for part in done for item in verdicts_of(part)]

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
