"""Scheduled jobs of the log: APScheduler interval jobs, one instance at a time, coalesced."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler

from ledger.service.checkpointer import Checkpointer

CHECKPOINTER_JOB = "checkpointer"


def schedule_checkpointer(
    scheduler: BaseScheduler, checkpointer: Checkpointer, interval: float = 1.0
) -> None:
    """Run `checkpointer.run_once` every `interval` seconds; a late run is merged, never doubled."""
    scheduler.add_job(
        checkpointer.run_once, "interval", seconds=interval, id=CHECKPOINTER_JOB,
        max_instances=1, coalesce=True, replace_existing=True,
    )
