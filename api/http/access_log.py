"""The access log: one line per HTTP request answered, written to the log stream in batches.

uvicorn's own access log goes through `logging` for every request (a record, the formatter, a
write and a flush on stderr each time): measured under wrk on the read path, that cost about as
much as the rest of an answer from memory. Here a request adds a tuple to a list, and every
`FLUSH_INTERVAL` seconds (or at `FLUSH_LINES` lines) the lines are formatted and written in one
call; the last are written when the app shuts down. A process killed with SIGKILL loses at most
the lines of its last interval, never a record: the access log is not the ledger's.

Each line names the client's address, the method, the request target as sent (percent-encoded,
so no line can be split or forged by a path), the HTTP version, the status, the bytes of the
body and the time to the last byte; as text in the format of the other log lines, or as one
JSON object (`log_format` "json"). No header is logged: an `Authorization` token never is.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

FLUSH_INTERVAL: Final = 0.5
FLUSH_LINES: Final = 4096
LOGGER: Final = "access"

Request = tuple[float, str, str, str, str, int, int, float]
"""When it arrived (unix time), the client, the method, the target, the HTTP version, the
status, the body's bytes, the seconds to the last byte."""


def request_target(scope: Scope) -> str:
    """The path and query as the client sent them, in ASCII (anything else escaped)."""
    raw: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
    query: bytes = scope.get("query_string", b"")
    target = raw + b"?" + query if query else raw
    return target.decode("ascii", "backslashreplace")


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


class AccessLog:
    """The lines of requests answered since the last flush, and where they go.

    Used from the event loop only: `record` schedules the flush on the running loop.
    """

    def __init__(self, write: Callable[[str], object], log_format: str = "text",
                 batch: int = FLUSH_LINES) -> None:
        self._write = write
        self._json = log_format == "json"
        self._batch = batch
        self._pending: list[Request] = []
        self._flush_due: asyncio.TimerHandle | None = None
        self._second = -1
        self._stamp = ""

    def record(self, request: Request) -> None:
        self._pending.append(request)
        if len(self._pending) >= self._batch:
            self.flush()
        elif self._flush_due is None:
            self._flush_due = asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self.flush)

    def answered(self, scope: Scope, arrived: float, started: float, status: int,
                 size: int) -> None:
        """Record the answer to `scope`: `arrived` its unix time, `started` its
        `time.perf_counter()`, the status and the body's bytes sent."""
        self.record((arrived, client_of(scope), scope["method"], request_target(scope),
                     scope.get("http_version", "1.1"), status, size,
                     time.perf_counter() - started))

    def flush(self) -> None:
        """Write the pending lines in one call."""
        if self._flush_due is not None:
            self._flush_due.cancel()
            self._flush_due = None
        pending, self._pending = self._pending, []
        if pending:
            self._write("".join(map(self._line, pending)))

    def _line(self, request: Request) -> str:
        at, client, method, target, version, status, size, seconds = request
        if self._json:
            return json.dumps({
                "time": round(at, 3), "level": "info", "logger": LOGGER,
                "message": f'{client} - "{method} {target} HTTP/{version}" {status}',
                "client": client, "method": method, "target": target, "status": status,
                "bytes": size, "duration_ms": round(seconds * 1000, 3),
            }) + "\n"
        return (f'{self._time(at)} INFO {LOGGER}: {client} - "{method} {target} HTTP/{version}" '
                f"{status} {size} {seconds * 1000:.1f}ms\n")

    def _time(self, at: float) -> str:
        """`at` as the other log lines write it (logging's default: local time, milliseconds)."""
        second = int(at)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._stamp},{int((at - second) * 1000):03d}"


async def logged(app: ASGIApp, log: AccessLog, scope: Scope, receive: Receive,
                 send: Send) -> None:
    """Run `app` on an HTTP request and record its line once the answer is sent (or failed:
    then with the status sent, or 500 if none was)."""
    started = time.perf_counter()
    arrived = time.time()
    status = 0
    size = 0

    async def sending(message: Message) -> None:
        nonlocal status, size
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            size += len(message.get("body", b""))
        await send(message)

    try:
        await app(scope, receive, sending)
    finally:
        log.answered(scope, arrived, started, status or 500, size)
