"""Serving an app from a background thread: the demo's server, and tests' live servers."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from api.errors import ApiError

START_TIMEOUT = 60.0


class ServerDidNotStart(ApiError):
    """The server thread stopped or timed out before it listened (a port in use, a failed
    start-up: its log says which)."""

    code = "server_did_not_start"
    http_status = 500


class ServerThread:
    """uvicorn serving `app` on `host`:`port` (0: a free port) in a daemon thread.

    `with ServerThread(app) as url:` starts it, waits until it listens (its lifespan has run),
    and stops it on exit, running the app's shutdown.

    The main thread waits for the server thread on an event, never in `Thread.join` or
    `Thread.is_alive`: on Python 3.11 a KeyboardInterrupt (Ctrl-C, or SIGTERM turned into one)
    raised inside those marks the thread stopped while it still runs, and the process would
    exit without the app's shutdown.
    """

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.server = uvicorn.Server(uvicorn.Config(
            app, host=host, port=port, log_level="warning", log_config=None,
        ))
        self._finished = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="ledger-server", daemon=True)
        self.url = ""

    def _serve(self) -> None:
        try:
            self.server.run()
        finally:
            self._finished.set()

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started:
            if self._finished.is_set() or time.monotonic() > deadline:
                self.stop()
                raise ServerDidNotStart("the server did not start: see its log above")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{self.host}:{port}"
        return self.url

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt here)."""
        while not self._finished.wait(0.5):
            pass

    def stop(self) -> None:
        """Ask the server to stop and wait (up to 30 s) until its app has shut down."""
        self.server.should_exit = True
        self._finished.wait(30)
