"""`infraledger serve`: the API for a real deployment.

One process (the default, and the only choice with the embedded chain) serves the API and runs
the checkpointer and anchor jobs. With `--workers N` (N > 1, a chain reached by URL), N API
worker processes append and serve, and one scheduler process (`infraledger jobs`, started and
stopped by `serve`) runs the jobs: the log's head lock lets the workers append to one store.
Unsafe production settings are refused before anything starts.

SIGTERM and SIGINT stop `serve` with everything it started: requests in flight get
`GRACEFUL_SHUTDOWN` seconds to be answered, then each API process shuts its app down (the check
workers, the sequencer, the jobs, the store); the worker processes are stopped by uvicorn's
supervisor, and the scheduler process by `serve`, which kills it if it has not stopped within
`SCHEDULER_STOP` seconds (a job waiting on a chain that does not answer; the anchor service
reconciles with the chain when it starts again). `serve` then waits for the multiprocessing
resource tracker that starting the worker processes started (on Python 3.11 it would outlive
`serve` for a moment), so that nothing it started runs once it has exited.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import subprocess
import sys
import threading
from multiprocessing import resource_tracker
from typing import Final

import uvicorn
from fastapi import FastAPI

from api.admin.messages import option_help, say
from api.app import create_app
from api.errors import ApiError
from api.node import Node
from api.settings import ENV_PREFIX, Settings, load_settings
from client.messages import Lang, OperatorParser

log = logging.getLogger(__name__)

GRACEFUL_SHUTDOWN: Final = 10
"""Seconds requests in flight get to be answered after SIGTERM or SIGINT; then they are
cancelled (an append already committed stays: the client's retry is answered duplicate)."""
SCHEDULER_STOP: Final = 15.0
"""Seconds the scheduler process gets to stop after SIGTERM before it is killed."""
TRACKER_STOP: Final = 10.0
"""Seconds `serve` waits for the resource tracker to exit once the workers have stopped."""


class WorkersNeedNetwork(ApiError):
    """Several workers cannot share the embedded chain (it lives in one process)."""

    code = "workers_need_network"
    http_status = 500


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `serve` and `jobs`, their help in `lang`."""
    serve = groups.add_parser(
        "serve", lang=lang, common=common, help=option_help(lang, "serve"),
        description=say(lang, "serve_description"),
    )
    serve.add_argument("--host", help=option_help(lang, "serve_host"))
    serve.add_argument("--port", type=int, help=option_help(lang, "serve_port"))
    serve.add_argument("--workers", type=int, help=option_help(lang, "serve_workers"))
    serve.add_argument("--production", action="store_true", default=None,
                       help=option_help(lang, "serve_production"))
    serve.set_defaults(handler=run_serve)
    jobs = groups.add_parser(
        "jobs", lang=lang, common=common, help=option_help(lang, "jobs"),
        description=say(lang, "jobs_description"),
    )
    jobs.set_defaults(handler=run_jobs)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    changes = {name: value for name, value in (
        ("host", args.host), ("port", args.port), ("workers", args.workers),
        ("production", args.production)) if value is not None}
    settings = settings.model_copy(update=changes)
    settings.check_production()
    if settings.workers == 1:
        uvicorn.run(create_app(settings, access_log=settings.access_log), host=settings.host,
                    port=settings.port, log_config=None, proxy_headers=False, access_log=False,
                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN)
        return 0
    if settings.embedded:
        raise WorkersNeedNetwork(
            "--workers > 1 needs a chain reached by URL (INFRALEDGER_RPC_URLS): the embedded "
            "chain lives in one process"
        )
    environment = {**os.environ, **_environment(settings)}
    scheduler = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "jobs"], env=environment
    )
    try:
        os.environ.update(_environment(settings))
        uvicorn.run("api.admin.serve:worker_app", factory=True, host=settings.host,
                    port=settings.port, workers=settings.workers, log_config=None,
                    access_log=False,
                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN)
    finally:
        _stop_scheduler(scheduler)
        _stop_resource_tracker()
    return 0


def _stop_scheduler(scheduler: subprocess.Popen[bytes]) -> None:
    """SIGTERM the scheduler process (it may have stopped already: a Ctrl-C reaches the whole
    process group) and wait; SIGKILL it after `SCHEDULER_STOP` seconds."""
    scheduler.send_signal(signal.SIGTERM)
    try:
        scheduler.wait(timeout=SCHEDULER_STOP)
    except subprocess.TimeoutExpired:
        log.warning("the scheduler process did not stop within %.0f s of SIGTERM: killed",
                    SCHEDULER_STOP)
        scheduler.kill()
        scheduler.wait()


def _stop_resource_tracker() -> None:
    """Close this process's end of the multiprocessing resource tracker's pipe and wait (up to
    `TRACKER_STOP` seconds) until the tracker has exited.

    Spawning the worker processes started the tracker here and gave them its pipe; it exits
    when every end is closed, that is once the workers (and their check workers) have stopped.
    Python 3.11 never waits for it: without this it can still run when `serve` has exited.
    The wait runs in a daemon thread, so a tracker held open by a process that did not stop
    cannot hold `serve` up longer than `TRACKER_STOP`."""
    stop_tracker = getattr(resource_tracker._resource_tracker, "_stop", None)  # 3.11: private
    if stop_tracker is None:
        return
    stopped = threading.Event()

    def stop() -> None:
        try:
            stop_tracker()
        finally:
            stopped.set()

    threading.Thread(target=stop, name="resource-tracker-stop", daemon=True).start()
    if not stopped.wait(TRACKER_STOP):
        log.warning("the multiprocessing resource tracker did not exit within %.0f s",
                    TRACKER_STOP)


def worker_app() -> FastAPI:
    """The app of one API worker process: settings from the environment, no jobs."""
    settings = load_settings()
    return create_app(settings, jobs=False, access_log=settings.access_log)


def run_jobs(args: argparse.Namespace, settings: Settings) -> int:
    """Run the scheduled jobs until SIGTERM or SIGINT."""
    settings.check_production()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    async def main() -> None:
        node = await asyncio.to_thread(Node.open, settings, jobs=True)
        await node.start()
        log.info("jobs running: checkpoint every %.1f s, anchor every %.1f s",
                 settings.checkpoint_interval, settings.anchor_interval)
        try:
            await asyncio.to_thread(stop.wait)
        finally:
            await node.close()

    asyncio.run(main())
    return 0


def _environment(settings: Settings) -> dict[str, str]:
    """The settings a child process needs that may have come from the command line."""
    return {
        ENV_PREFIX + "DATA_DIR": str(settings.data_dir),
        ENV_PREFIX + "PRODUCTION": "true" if settings.production else "false",
    }
