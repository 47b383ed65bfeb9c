"""`infraledger serve`: the API for a real deployment.

One process (the default, and the only choice with the embedded chain) serves the API and runs
the checkpointer and anchor jobs. With `--workers N` (N > 1, a chain reached by URL), N API
worker processes append and serve, and one scheduler process (`infraledger jobs`, started and
stopped by `serve`) runs the jobs: the log's head lock lets the workers append to one store.
Unsafe production settings are refused before anything starts.
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

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.errors import ApiError
from api.node import Node
from api.settings import ENV_PREFIX, Settings, load_settings

log = logging.getLogger(__name__)


class WorkersNeedNetwork(ApiError):
    """Several workers cannot share the embedded chain (it lives in one process)."""

    code = "workers_need_network"
    http_status = 500


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    serve = groups.add_parser(
        "serve", parents=[common], help="serve the API and run the jobs (production use)",
        description="Serve the ledger's API. Settings come from $INFRALEDGER_* variables and "
        "the data directory's config.json; --production refuses unsafe settings (the embedded "
        "chain, SQLite, sample or world-readable keys, a registrar key shared with the "
        "anchorer).",
    )
    serve.add_argument("--host", help="address to listen on (default: the host setting)")
    serve.add_argument("--port", type=int, help="port to listen on (default: the port setting)")
    serve.add_argument("--workers", type=int, help="API worker processes (default: 1)")
    serve.add_argument("--production", action="store_true", default=None,
                       help="refuse unsafe settings (also INFRALEDGER_PRODUCTION=true)")
    serve.set_defaults(handler=run_serve)
    jobs = groups.add_parser(
        "jobs", parents=[common], help="run only the checkpointer and anchor jobs",
        description="Run the checkpointer and the anchor service without serving HTTP (the "
        "scheduler process `serve --workers N` starts).",
    )
    jobs.set_defaults(handler=run_jobs)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    changes = {name: value for name, value in (
        ("host", args.host), ("port", args.port), ("workers", args.workers),
        ("production", args.production)) if value is not None}
    settings = settings.model_copy(update=changes)
    settings.check_production()
    if settings.workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                    log_config=None, proxy_headers=False, access_log=settings.access_log)
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
                    access_log=settings.access_log)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=30)
    return 0


def worker_app() -> FastAPI:
    """The app of one API worker process: settings from the environment, no jobs."""
    return create_app(load_settings(), jobs=False)


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
