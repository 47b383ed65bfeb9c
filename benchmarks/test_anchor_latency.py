"""Latency from append to anchored, with the default job intervals, on the embedded chain and on
anvil, beside the bare anchor transaction measured in the same run.

A steady stream of appends (10 entries every 0.1 s, for 30 s) goes through the real Sequencer
on SQLite while the checkpointer (every 1 s) and the anchor service (every 2 s) run as the
server runs them, in a BackgroundScheduler. For each append, the latency is the time from the
sequencer's answer until the anchors table holds an anchor covering its last index (a watcher
polls the table every 5 ms). The stream's p50, p90, p99 and max go into the latency benchmark's
``extra_info`` (its own timing is the stream's duration). The references are the intervals
themselves and the bare anchor transaction (estimate, signing, mining, receipt, block read),
timed by ``test_bare_anchor_transaction`` in the same run.

Run with ``.venv/bin/python -m pytest benchmarks/test_anchor_latency.py --benchmark-only -q``.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from pytest_benchmark.fixture import BenchmarkFixture

from anchoring import AnchorService, schedule_anchoring
from benchmarks.conftest import EntryMaker
from ledger.note import Signer
from ledger.service.checkpointer import Checkpointer
from ledger.service.jobs import schedule_checkpointer
from ledger.service.sequencer import Sequencer
from ledger.storage.anchors import AnchorStore
from ledger.storage.store import LogStore
from tests.chain_fixtures import (
    ChainEnv,
    anvil_env,
    anvil_node,
    embedded_chain,
    embedded_env,
)
from tests.merkle_trees import MemoryTree

__all__ = ["anvil_env", "anvil_node", "embedded_chain", "embedded_env"]

CHECKPOINT_INTERVAL = 1.0
ANCHOR_INTERVAL = 2.0
"""The server's defaults (`Settings.checkpoint_interval`, `Settings.anchor_interval`)."""
STREAM_SECONDS = 30.0
APPEND_EVERY = 0.1
ENTRIES_PER_APPEND = 10
WATCH_EVERY = 0.005
ORIGIN = "bench.example/anchor-latency"
BARE_ROUNDS = 20

_BARE_SECONDS: dict[str, float] = {}
"""Median bare anchor transaction per chain, for the latency benchmark's extra_info."""


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class AnchorWatcher(threading.Thread):
    """Polls the anchors table; remembers when each anchored size was first seen."""

    def __init__(self, anchors: AnchorStore) -> None:
        super().__init__(daemon=True)
        self._anchors = anchors
        self.seen: list[tuple[int, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        size = 0
        while not self.stop.is_set():
            latest = self._anchors.latest()
            if latest is not None and latest.tree_size > size:
                size = latest.tree_size
                self.seen.append((size, time.monotonic()))
            time.sleep(WATCH_EVERY)

    def anchored_after(self, index: int) -> float:
        """When an anchor covering leaf `index` was first seen."""
        return next(seen for size, seen in self.seen if size > index)


async def _stream(store: LogStore, signer: Signer, maker: EntryMaker) -> list[tuple[int, float]]:
    """Append at a steady pace for STREAM_SECONDS; return (last index, answer time) per append."""
    sequencer = Sequencer(store, signer)
    await sequencer.start()
    answered: list[tuple[int, float]] = []
    start = time.monotonic()
    for n in count():
        slot = start + n * APPEND_EVERY
        if slot - start >= STREAM_SECONDS:
            break
        await asyncio.sleep(max(0.0, slot - time.monotonic()))
        appended = await sequencer.append(maker.pending(n * ENTRIES_PER_APPEND,
                                                        ENTRIES_PER_APPEND))
        answered.append((appended.results[-1].index, time.monotonic()))
    await sequencer.close()
    return answered


def _latencies(env: ChainEnv, directory: Path, maker: EntryMaker) -> list[float]:
    store = LogStore(f"sqlite:///{directory / 'latency.db'}", ORIGIN, now=0)
    signer = Signer.generate(ORIGIN)
    anchors = AnchorStore(store)
    service = AnchorService(store, anchors, env.new_anchor())
    scheduler = BackgroundScheduler()
    schedule_checkpointer(scheduler, Checkpointer(store, signer), CHECKPOINT_INTERVAL)
    schedule_anchoring(scheduler, service, ANCHOR_INTERVAL)
    watcher = AnchorWatcher(anchors)
    watcher.start()
    scheduler.start()
    try:
        answered = asyncio.run(_stream(store, signer, maker))
        deadline = time.monotonic() + 4 * (CHECKPOINT_INTERVAL + ANCHOR_INTERVAL)
        while service.lag().entries and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.lag().entries == 0, f"the stream was not anchored: {service.lag()}"
        time.sleep(2 * WATCH_EVERY)
    finally:
        scheduler.shutdown()
        watcher.stop.set()
        watcher.join()
        store.close()
    return [watcher.anchored_after(index) - at for index, at in answered]


@pytest.mark.parametrize("chain_name", ["embedded", "anvil"])
def test_bare_anchor_transaction(
    benchmark: BenchmarkFixture, request: pytest.FixtureRequest, chain_name: str
) -> None:
    """One `LedgerAnchor.anchor` call with a consistency proof: the floor under the latency."""
    env: ChainEnv = request.getfixturevalue(f"{chain_name}_env")
    tree = MemoryTree.of_size(20 * (BARE_ROUNDS + 2), b"latency/")
    contract = env.new_anchor()
    sizes = count(start=20, step=20)
    previous = 0

    def anchor_next() -> None:
        nonlocal previous
        size = next(sizes)
        contract.anchor(size, tree.root(size),
                        tree.consistency_proof(previous, size) if previous else [])
        previous = size

    benchmark.pedantic(  # type: ignore[no-untyped-call]
        anchor_next, rounds=BARE_ROUNDS, iterations=1, warmup_rounds=1
    )
    if benchmark.stats is not None:
        _BARE_SECONDS[chain_name] = benchmark.stats.stats.median


@pytest.mark.parametrize("chain_name", ["embedded", "anvil"])
def test_append_to_anchored_latency(
    benchmark: BenchmarkFixture,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    entry_maker: EntryMaker,
    chain_name: str,
) -> None:
    """p50/p99 of append → anchored over a 30 s stream, in extra_info with the references."""
    env: ChainEnv = request.getfixturevalue(f"{chain_name}_env")
    result: dict[str, Any] = {}

    def stream() -> None:
        result["latencies"] = _latencies(env, tmp_path, entry_maker)

    benchmark.pedantic(stream, rounds=1, iterations=1)  # type: ignore[no-untyped-call]
    latencies: list[float] = result["latencies"]
    benchmark.extra_info.update({
        "appends": len(latencies),
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p90_s": round(_percentile(latencies, 0.90), 3),
        "latency_p99_s": round(_percentile(latencies, 0.99), 3),
        "latency_max_s": round(max(latencies), 3),
        "latency_min_s": round(min(latencies), 3),
        "checkpoint_interval_s": CHECKPOINT_INTERVAL,
        "anchor_interval_s": ANCHOR_INTERVAL,
        "aim": "p50 <= 3 s",
    })
    if chain_name in _BARE_SECONDS:
        benchmark.extra_info["bare_anchor_tx_s"] = round(_BARE_SECONDS[chain_name], 4)
