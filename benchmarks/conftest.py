"""Shared benchmark fixtures: realistic entries, leaf hashes, PostgreSQL databases, and a board of
the rates measured in this run, so each figure is reported beside its peer or limit.

Figures vary by ±25% between runs on the 2-core machine (DESIGN section 8); the ratio of a figure
to the peer measured in the same run is what to trust, so every benchmark records its rate here
and the session ends with a summary of rates and ratios.
"""

from __future__ import annotations

import os
import random
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import psycopg
import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from ledger.entry import Entry, to_checksum_address
from ledger.merkle import LeafHash, leaf_hash
from ledger.storage.store import PendingEntry

POSTGRES_ADMIN = os.environ.get(
    "INFRALEDGER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"
)
NOW = 1_735_689_600
"""2025-01-01T00:00:00Z: entries are issued during the day before."""

MILLION = 1_000_000
BATCH = 1_000
"""Entries per append, as the sequencer batches them (`max_batch`)."""

_METRICS = ("bts_shared_ratio", "fibre_coverage", "tower_permits", "outage_minutes",
            "backhaul_capacity", "site_sharing")
_PLACES = ("hue", "hanoi", "da_nang", "hai_phong", "can_tho", "nha_trang", "vinh", "hcmc")
_OPERATORS = 64


# -- data -------------------------------------------------------------------------------------


class EntryMaker:
    """Deterministic, distinct, realistic indicator entries, batch by batch.

    Operators come from a pool of 64 EIP-55 addresses and subjects from 1,200 of metric x place x
    year, as on a real registry; content, attachments and signature are random bytes seeded by the
    batch's start, so the same batches come back on every run and every leaf differs.
    """

    def __init__(self, seed: int = 0) -> None:
        self._seed = seed
        rnd = random.Random(seed)
        self._operators = [to_checksum_address("0x" + rnd.randbytes(20).hex())
                           for _ in range(_OPERATORS)]

    def _entry(self, index: int, rnd: random.Random) -> Entry:
        metric = _METRICS[index % len(_METRICS)]
        place = _PLACES[index // len(_METRICS) % len(_PLACES)]
        year = 2000 + index // (len(_METRICS) * len(_PLACES)) % 25
        return Entry(
            kind="indicator",
            schema="indicator/1",
            subject=f"indicator:{metric}:{place}:{year}",
            operator=self._operators[index % _OPERATORS],
            content="0x" + rnd.randbytes(32).hex(),
            attachments="0x" + rnd.randbytes(32).hex(),
            supersedes=None,
            issued_at=NOW - 86_400 + index % 86_400,
            signature="0x" + rnd.randbytes(65).hex(),
        )

    def pending(self, start: int, count: int) -> list[PendingEntry]:
        """Entries [start, start + count) ready for `LogStore.append`."""
        rnd = random.Random(self._seed * 2**40 + start)
        return [PendingEntry.of(self._entry(index, rnd)) for index in range(start, start + count)]

    def batches(self, count: int, size: int = BATCH) -> Iterator[list[PendingEntry]]:
        """`count` entries in batches of `size`, made one batch at a time."""
        for start in range(0, count, size):
            yield self.pending(start, min(size, count - start))


@pytest.fixture(scope="session")
def entry_maker() -> EntryMaker:
    return EntryMaker()


@pytest.fixture(scope="session")
def leaf_data() -> list[bytes]:
    """A million distinct small leaves (the data; see `leaf_hashes` for their RFC 9162 hashes)."""
    return [b"infraledger bench leaf %d" % i for i in range(MILLION)]


@pytest.fixture(scope="session")
def leaf_hashes(leaf_data: list[bytes]) -> list[LeafHash]:
    """The RFC 9162 leaf hashes of `leaf_data`, precomputed."""
    return [leaf_hash(data) for data in leaf_data]


# -- PostgreSQL -------------------------------------------------------------------------------


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(f"{POSTGRES_ADMIN}/postgres", autocommit=True)


@pytest.fixture(scope="session")
def postgres_reachable() -> bool:
    try:
        _admin().close()
    except psycopg.OperationalError:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_databases(postgres_reachable: bool) -> Iterator[Callable[[], str]]:
    """A factory of fresh PostgreSQL databases (`infraledger_bench_<pid>_<n>`), each returned as a
    URL; all are dropped when the session ends. Skips when the server is not reachable."""
    if not postgres_reachable:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}")
    names: list[str] = []

    def create() -> str:
        name = f"infraledger_bench_{os.getpid()}_{len(names)}"
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return f"{POSTGRES_ADMIN}/{name}"

    try:
        yield create
    finally:
        with _admin() as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url(postgres_databases: Callable[[], str]) -> str:
    """One PostgreSQL database shared by the session's benchmarks (dropped at the end)."""
    return postgres_databases()


# -- the board of rates -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    name: str
    per_second: float
    unit: str
    ratios: dict[str, float]
    """This rate over each peer's, for the peers measured earlier in the run."""
    aim: str | None


class RateBoard:
    """Rates measured in this run, each set against peers or limits measured earlier in it.

    Benchmarks run in file order, so a file measures a limit before the figures compared with
    it; a peer that did not run (filtered out with -k) is left out of the ratios.
    """

    def __init__(self) -> None:
        self.rates: dict[str, Rate] = {}

    def record(
        self,
        benchmark: BenchmarkFixture,
        name: str,
        count: int,
        unit: str,
        *,
        peers: Sequence[str] = (),
        aim: str | None = None,
    ) -> Rate | None:
        """Record `count` units per round at the benchmark's median round time.

        Puts the rate and its ratio to each peer into `benchmark.extra_info`. Returns None when
        benchmarking is disabled (no timings).
        """
        if benchmark.stats is None:
            return None
        per_second = count / benchmark.stats.stats.median
        others = {peer: self.rates[peer] for peer in peers if peer in self.rates}
        ratios = {peer: per_second / other.per_second for peer, other in others.items()}
        rate = Rate(name, per_second, unit, ratios, aim)
        self.rates[name] = rate
        benchmark.extra_info.update({"rate": round(per_second, 1), "unit": f"{unit}/s",
                                     "count": count})
        if ratios:
            benchmark.extra_info["peer_rates"] = {
                peer: round(other.per_second, 1) for peer, other in others.items()}
            benchmark.extra_info["ratios"] = {peer: round(r, 3) for peer, r in ratios.items()}
        if aim:
            benchmark.extra_info["aim"] = aim
        return rate

    def note(self, name: str, per_second: float, unit: str) -> None:
        """Record a rate timed once by hand (a fixture's build), shown in the summary only."""
        self.rates[name] = Rate(name, per_second, unit, {}, None)


_BOARD = RateBoard()


@pytest.fixture(scope="session")
def rates() -> RateBoard:
    return _BOARD


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _BOARD.rates:
        return
    terminalreporter.section("rates at the median round; ratios to peers measured in this run")
    for rate in _BOARD.rates.values():
        line = f"{rate.name:<46} {rate.per_second:>12,.0f} {rate.unit}/s"
        if rate.aim:
            line += f"  (aim {rate.aim})"
        terminalreporter.write_line(line)
        for peer, ratio in rate.ratios.items():
            terminalreporter.write_line(f"{'':<8}{ratio:7.2f}x  {peer}")


BEFORE: Final = os.environ.get("INFRALEDGER_BENCH_BEFORE", "ea00dbb")
"""The earlier commit the before/after benchmarks compare this tree with: the last one before
the single submission path."""


@pytest.fixture(scope="module")
def trees() -> Iterator[dict[str, Path]]:
    """This tree ("after") and a detached git worktree of `BEFORE` ("before"), removed after."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="infraledger-before-") as scratch:
        before = Path(scratch) / "tree"
        subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", "-f",
                        str(before), BEFORE], check=True, capture_output=True)
        try:
            yield {"before": before, "after": root}
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force",
                            str(before)], check=False, capture_output=True)
