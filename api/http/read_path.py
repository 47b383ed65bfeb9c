"""The read path from memory: the C2SP tlog-tiles resources (c2sp.org/tlog-tiles) and anonymous
proof bundles answered by a small ASGI layer in front of FastAPI, so that what every verifier,
monitor and page polls costs little more than the HTTP server's own work.

FastAPI's handling of a request (its telemetry check, the middleware stack, routing, the
endpoint's dependencies) costs about three times a bare uvicorn worker's whole work: measured
here under wrk, a FastAPI no-op route took about 100 µs of CPU a request, a bare ASGI no-op
25-30 (`benchmarks/test_read_path_bench.py` measures the read path against the latter). So the
layer runs first: the app is a `ReadPathApp`, whose `__call__` sends what `ReadPath` keeps in
memory at once (its access-log line written directly, no other layer run) and hands the rest to
`ReadPath`, which keeps the answers below and passes what it does not answer to FastAPI
unchanged.

- `GET`/`HEAD /tlog/checkpoint` and `/tlog/tile/...`: the layer keeps the 200 answers the app
  gave (status, every header, bytes: the routes of `api.routes.tlog` are their origin, the
  app's middleware add theirs) by path and scheme, up to `TLOG_CACHE_BYTES`, the least recently
  used going first. A tile's path fixes its contents (level, index, width), so a kept tile is
  never stale. The checkpoint is the one resource that changes: its answer is dropped as soon
  as the head watch sees another checkpoint size (an answer read before that is not kept).
  `If-None-Match` naming the answer's ETag is answered 304. Refusals are never kept.
- `GET /v1/records/{id}/proof` without `Authorization`: answered from the bundle cache
  (`api.http.bundle_cache`) when it holds the record's public bundle, with the headers the
  route's own answers carry (learned from its first 200, per scheme). A caller with a token,
  whose role decides what the bundle shows, always goes to the route.
- The head watch, one per worker process: every `WATCH_INTERVAL` seconds one query
  (`RecordStore.sizes`) reads the latest checkpoint and anchored sizes. API workers share
  nothing but the database, so each watches it: a checkpoint signed by any process is served
  by every worker within `WATCH_INTERVAL` and one query. When the anchored size grows, the
  public bundles of the records the new anchors cover are built ahead in a worker thread (the
  `warm` function given to `mount_read_path`: `api.routes.records.warm_bundles`), so that their
  first request is answered from memory too; at start, those of the newest anchored records.

Answers from memory are counted in the request counter (`infraledger_http_requests_total`)
under their route, in a batch every `WATCH_INTERVAL`; they take microseconds and are left out
of the latency histogram, which stays the measure of the requests the app handles.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.http.access_log import AccessLog, logged
from api.http.deps import Ledger
from api.metrics import LedgerMetrics
from ledger.merkle import LeafHash
from ledger.tiles import CHECKPOINT_PATH

TLOG_PREFIX: Final = "/tlog/"
TLOG_CACHE_BYTES: Final = 64 << 20
"""Default budget of the kept tlog answers: 8,192 full level-0 tiles, or a few hundred entry
bundles, beside the smaller tiles of the levels above."""
WATCH_INTERVAL: Final = 0.5
"""Seconds between two reads of the log's head by a worker."""
PROOF_PREFIX: Final = "/v1/records/"
PROOF_SUFFIX: Final = "/proof"
_PROOF_PATH_LENGTH: Final = len(PROOF_PREFIX) + 64 + len(PROOF_SUFFIX)
_HEX: Final = "0123456789abcdef"
_PER_ANSWER: Final = frozenset({b"content-length", b"etag", b"last-modified"})
"""Headers of a proof route answer that are not the same for every bundle."""

Warm = Callable[[Ledger, int, int], int]
"""Build and keep the public bundles of the anchored records [start, end); returns how many."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """An answer to send again: its status, headers and bytes, and the template of the route
    that made it (for the request counter)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: str


@dataclass(frozen=True, slots=True)
class KeptTlogAnswer:
    """A tlog route's 200 answer, with the 304 that answers a request naming its ETag."""

    answer: KeptAnswer
    etag: bytes | None
    not_modified: KeptAnswer


TlogKey = tuple[bool, str]
"""Whether the request came over TLS (the app's headers may differ), and the path below /tlog/."""


class TlogAnswers:
    """The kept answers of the tlog routes, up to `budget` bytes of content.

    Used from the event loop only (not thread-safe). `generation` counts the checkpoint
    changes: an answer of the checkpoint read in an older generation is not kept.
    """

    def __init__(self, budget: int = TLOG_CACHE_BYTES) -> None:
        self._budget = budget
        self._bytes = 0
        self._answers: OrderedDict[TlogKey, KeptTlogAnswer] = OrderedDict()
        self.generation = 0

    def get(self, key: TlogKey) -> KeptTlogAnswer | None:
        kept = self._answers.get(key)
        if kept is not None:
            self._answers.move_to_end(key)
        return kept

    def put(self, key: TlogKey, kept: KeptTlogAnswer, generation: int) -> None:
        """Keep `kept` for `key` (read from the app in `generation`)."""
        size = len(kept.answer.body)
        if size > self._budget or (key[1] == CHECKPOINT_PATH and generation != self.generation):
            return
        self._drop(key)
        self._answers[key] = kept
        self._bytes += size
        while self._bytes > self._budget:
            _, gone = self._answers.popitem(last=False)
            self._bytes -= len(gone.answer.body)

    def checkpoint_changed(self) -> None:
        """Drop the kept checkpoints: the next requests read the new one."""
        self.generation += 1
        for tls in (False, True):
            self._drop((tls, CHECKPOINT_PATH))

    def clear(self) -> None:
        self._answers.clear()
        self._bytes = 0
        self.generation += 1

    def _drop(self, key: TlogKey) -> None:
        gone = self._answers.pop(key, None)
        if gone is not None:
            self._bytes -= len(gone.answer.body)

    def __len__(self) -> int:
        return len(self._answers)


@dataclass
class Reads:
    """What the layer and the head watch of one app share; `ledger` is set while it runs."""

    answers: TlogAnswers
    ledger: Ledger | None = None


class ReadPath:
    """The ASGI layer of the module docstring, in front of `app` (FastAPI's own `__call__`)."""

    def __init__(self, app: ASGIApp, reads: Reads, metrics: LedgerMetrics | None) -> None:
        self.app = app
        self.reads = reads
        self._metrics = metrics
        self._sent: Counter[tuple[str, str, int]] = Counter()
        """Answers sent from memory since `count_sent`, by method, route template and status."""
        self._proof_headers: dict[bool, tuple[list[tuple[bytes, bytes]], str]] = {}
        """Per scheme, the headers of the proof route's answers but those of `_PER_ANSWER`,
        and the route's template."""

    def count_sent(self) -> None:
        """Add the answers sent from memory since the last call to the request counter."""
        sent, self._sent = self._sent, Counter()
        if self._metrics is not None:
            for (method, route, status), count in sent.items():
                self._metrics.requests.labels(method, route, str(status)).inc(count)

    def from_memory(self, scope: Scope) -> KeptAnswer | None:
        """The answer kept in memory for the HTTP request `scope`, if there is one: a tlog
        route's kept 200 (or its 304 when the request names its ETag), or a public proof
        bundle of the bundle cache once the route's headers are learned."""
        tlog = _tlog_path(scope)
        if tlog is not None:
            kept = self.reads.answers.get((scope["scheme"] == "https", tlog))
            if kept is None:
                return None
            etag = kept.etag
            if etag is not None and etag == _header(scope, b"if-none-match"):
                return kept.not_modified
            return kept.answer
        record = _proof_record(scope)
        if record is None:
            return None
        ledger, learned = self.reads.ledger, self._proof_headers.get(scope["scheme"] == "https")
        if (ledger is None or learned is None or record.strip(_HEX)
                or _header(scope, b"authorization") is not None):
            return None
        data = ledger.bundles.get((LeafHash(bytes.fromhex(record)), False))
        if data is None:
            return None
        headers, route = learned
        return KeptAnswer(200, [(b"content-length", b"%d" % len(data)), *headers], data, route)

    async def reply(self, scope: Scope, send: Send, answer: KeptAnswer,
                    access_log: AccessLog | None) -> None:
        """Send `answer` from memory (no body to a HEAD request), count it, and write its line
        to `access_log` when there is one."""
        arrived, started = time.time(), time.perf_counter()
        method = scope["method"]
        body = b"" if method == "HEAD" else answer.body
        await send({"type": "http.response.start", "status": answer.status,
                    "headers": answer.headers})
        await send({"type": "http.response.body", "body": body})
        self._sent[method, answer.route, answer.status] += 1
        if access_log is not None:
            access_log.answered(scope, arrived, started, answer.status, len(body))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The requests `from_memory` does not answer: a tlog route's first answer is kept, a
        public proof bundle's first 200 teaches the headers; the rest go to the app."""
        if scope["type"] == "http":
            tlog = _tlog_path(scope)
            if tlog is not None:
                await self._tlog(scope, receive, send, tlog)
                return
            if _proof_record(scope) is not None:
                await self._learn_proof_headers(scope, receive, send, scope["scheme"] == "https")
                return
        await self.app(scope, receive, send)

    async def _tlog(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        if scope["method"] == "HEAD" or self.reads.ledger is None:
            await self.app(scope, receive, send)
            return
        answers = self.reads.answers
        generation = answers.generation
        answer = await _origin(self.app, scope, receive, send)
        if answer is None:
            return
        kept = _tlog_answer(answer)
        answers.put((scope["scheme"] == "https", path), kept, generation)
        await _send(send, kept.answer)

    async def _learn_proof_headers(self, scope: Scope, receive: Receive, send: Send,
                                   tls: bool) -> None:
        """Pass the request to the app; keep its headers if it is a public bundle's 200."""
        if tls in self._proof_headers or _header(scope, b"authorization") is not None:
            await self.app(scope, receive, send)
            return

        async def learn(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])
                           if bytes(k).lower() not in _PER_ANSWER]
                self._proof_headers[tls] = (headers, _template(scope))
            await send(message)

        await self.app(scope, receive, learn)


def _tlog_path(scope: Scope) -> str | None:
    """The path below /tlog/ of a GET or HEAD of the tlog routes, else None."""
    path: str = scope["path"]
    method = scope["method"]
    if path.startswith(TLOG_PREFIX) and (method == "GET" or method == "HEAD"):
        return path[len(TLOG_PREFIX):]
    return None


def _proof_record(scope: Scope) -> str | None:
    """The record named by a GET of /v1/records/<64 characters>/proof, else None."""
    path: str = scope["path"]
    if (scope["method"] == "GET" and len(path) == _PROOF_PATH_LENGTH
            and path.startswith(PROOF_PREFIX) and path.endswith(PROOF_SUFFIX)):
        return path[len(PROOF_PREFIX):-len(PROOF_SUFFIX)]
    return None


def _header(scope: Scope, name: bytes) -> bytes | None:
    value: bytes
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def _template(scope: Scope) -> str:
    """The template of the route the app matched (as the request metrics label it)."""
    return getattr(scope.get("route"), "path", None) or "unmatched"


async def _send(send: Send, answer: KeptAnswer) -> None:
    await send({"type": "http.response.start", "status": answer.status,
                "headers": answer.headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _origin(app: ASGIApp, scope: Scope, receive: Receive, send: Send
                  ) -> KeptAnswer | None:
    """Call the app; return its 200 answer (not sent yet), or None once any other answer has
    been passed on to `send`."""
    start: Message | None = None
    chunks: list[bytes] = []
    passing = False

    async def capture(message: Message) -> None:
        nonlocal start, passing
        if passing:
            await send(message)
        elif message["type"] == "http.response.start":
            if message["status"] == 200:
                start = message
            else:
                passing = True
                await send(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    if passing or start is None:
        return None
    headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
    return KeptAnswer(200, headers, b"".join(chunks), _template(scope))


def _tlog_answer(answer: KeptAnswer) -> KeptTlogAnswer:
    etag = next((value for key, value in answer.headers if key == b"etag"), None)
    unchanged = [(k, v) for k, v in answer.headers if k not in (b"content-length",
                                                                  b"content-type")]
    return KeptTlogAnswer(answer, etag, KeptAnswer(304, unchanged, b"", answer.route))


class HeadWatch:
    """Reads the log's head for one worker every `interval` seconds (module docstring)."""

    def __init__(self, ledger: Ledger, answers: TlogAnswers, warm: Warm,
                 tick: Callable[[], None], interval: float = WATCH_INTERVAL) -> None:
        self._ledger = ledger
        self._answers = answers
        self._warm = warm
        self._tick = tick
        """Called every interval, and once at the end (the layer counts what it sent)."""
        self._interval = interval
        self._checkpoint_size: int | None = None
        self._warmed = 0
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._warming: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="head-watch")

    async def stop(self) -> None:
        """Stop watching; a warm-up in progress runs to its end first."""
        self._stop.set()
        for task in (self._task, self._warming):
            if task is not None:
                await task
        self._tick()

    async def _run(self) -> None:
        while not self._stop.is_set():
            self._tick()
            try:
                sizes = await asyncio.to_thread(self._ledger.records.sizes)
            except Exception as exc:  # the watch outlives a store that is down for a while
                _log.warning("the head watch cannot read the log: %s", exc)
            else:
                if sizes.checkpoint_size != self._checkpoint_size:
                    self._checkpoint_size = sizes.checkpoint_size
                    self._answers.checkpoint_changed()
                if sizes.anchored_size > self._warmed and (
                        self._warming is None or self._warming.done()):
                    self._warming = asyncio.create_task(
                        self._warm_up(self._warmed, sizes.anchored_size), name="bundle-warm-up")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._interval)

    async def _warm_up(self, start: int, end: int) -> None:
        try:
            kept = await asyncio.to_thread(self._warm, self._ledger, start, end)
        except Exception as exc:  # those bundles are built when asked, as without warming
            _log.warning("building the bundles of records %d..%d ahead failed: %s",
                         start, end, exc)
        else:
            _log.debug("built %d bundles of records %d..%d ahead", kept, start, end)
        self._warmed = end


class ReadPathApp(FastAPI):
    """A FastAPI app whose requests go through its `ReadPath` first, once `mount_read_path`
    gave it one (before that, it is FastAPI unchanged), and are written to its `access_log`
    when it has one (`api.http.access_log`; `infraledger serve` gives it one)."""

    read_path: ReadPath | None = None
    access_log: AccessLog | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read_path = self.read_path
        if scope["type"] == "http":
            if read_path is not None:
                answer = read_path.from_memory(scope)
                if answer is not None:
                    await read_path.reply(scope, send, answer, self.access_log)
                    return
            if self.access_log is not None:
                await logged(self._answer, self.access_log, scope, receive, send)
                return
        await self._answer(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.read_path is None:
            await super().__call__(scope, receive, send)
        else:
            await self.read_path(scope, receive, send)


def mount_read_path(app: ReadPathApp, warm: Warm) -> None:
    """Answer the read path from memory in front of `app` (module docstring), and run the head
    watch while the app's lifespan runs, on the `state.ledger` it opens. The request metrics
    are `app.state.metrics` when the app has them."""
    reads = Reads(TlogAnswers())
    read_path = app.read_path = ReadPath(functools.partial(FastAPI.__call__, app), reads,
                                         getattr(app.state, "metrics", None))
    opened = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        async with opened(served) as state:
            ledger: Ledger = served.state.ledger
            reads.answers.clear()
            reads.ledger = ledger
            watch = HeadWatch(ledger, reads.answers, warm, read_path.count_sent)
            watch.start()
            try:
                yield state
            finally:
                reads.ledger = None
                await watch.stop()
                if app.access_log is not None:
                    app.access_log.flush()

    app.router.lifespan_context = lifespan
