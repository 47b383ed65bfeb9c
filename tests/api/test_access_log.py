"""The access log: a line per request answered (from memory or by the app), written in batches,
with the request target as sent and no header."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.app import create_app
from api.http import access_log
from api.http.access_log import AccessLog, logged
from api.serving import ServerThread
from api.settings import Settings


async def answer(scope: Scope, receive: Receive, send: Send) -> None:
    """A real ASGI app of three body parts."""
    await send({"type": "http.response.start", "status": 201, "headers": []})
    for part in (b"ab", b"cde", b""):
        await send({"type": "http.response.body", "body": part, "more_body": part != b""})


async def fail(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("the app failed before answering")


def scope_of(raw_path: bytes, query: bytes = b"") -> Scope:
    return {"type": "http", "method": "GET", "path": raw_path.decode(), "raw_path": raw_path,
            "query_string": query, "http_version": "1.1", "client": ("10.0.0.7", 5123),
            "headers": [(b"authorization", b"Bearer secret-token")]}


async def run(app: ASGIApp, log: AccessLog, scope: Scope) -> None:
    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    await logged(app, log, scope, receive, send)


async def test_a_line_names_client_method_target_status_and_bytes() -> None:
    written: list[str] = []
    log = AccessLog(written.append)
    await run(answer, log, scope_of(b"/v1/records/ab%0Acd", b"lang=en"))
    assert written == []  # batched: nothing until the flush
    log.flush()
    [line] = "".join(written).splitlines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO access: 10\.0\.0\.7:5123 - "
                        r'"GET /v1/records/ab%0Acd\?lang=en HTTP/1\.1" 201 5 \d+\.\dms', line)
    assert "secret-token" not in line


async def test_a_failed_request_is_logged_as_500() -> None:
    written: list[str] = []
    log = AccessLog(written.append, "json")
    with pytest.raises(RuntimeError):
        await run(fail, log, scope_of(b"/x"))
    log.flush()
    entry = json.loads(written[0])
    assert (entry["logger"], entry["status"], entry["bytes"], entry["target"]) == (
        "access", 500, 0, "/x")


async def test_lines_are_written_after_the_interval_or_when_the_batch_is_full() -> None:
    written: list[str] = []
    log = AccessLog(written.append, batch=3)
    await run(answer, log, scope_of(b"/a"))
    await asyncio.sleep(access_log.FLUSH_INTERVAL + 0.2)
    assert len(written) == 1 and written[0].count("\n") == 1
    for _ in range(3):
        await run(answer, log, scope_of(b"/b"))
    assert len(written) == 2 and written[1].count("\n") == 3


def test_serve_logs_every_request_once_with_its_status(
        ledger_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """A live server with the access log: answers from memory (the tlog read path), from the
    app, and refusals each get their line; the last ones are written at shutdown."""
    server = ServerThread(create_app(ledger_settings, access_log=True))
    with server as url, httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/v1/log").status_code == 200
        assert client.get("/no/such/page", headers={"Accept": "application/json"},
                          ).status_code == 404
        checkpoint = [client.get("/tlog/checkpoint").status_code for _ in range(3)]
    lines = [line for line in capsys.readouterr().err.splitlines() if " INFO access: " in line]
    assert sum('"GET /v1/log HTTP/1.1" 200 ' in line for line in lines) == 1
    assert sum('"GET /no/such/page HTTP/1.1" 404 ' in line for line in lines) == 1
    assert sum('"GET /tlog/checkpoint HTTP/1.1" ' in line for line in lines) == len(checkpoint)


def test_without_the_setting_nothing_is_logged(
        ledger_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    with ServerThread(create_app(ledger_settings)) as url:
        assert httpx.get(f"{url}/v1/log", timeout=30).status_code == 200
    assert " INFO access: " not in capsys.readouterr().err
