"""Auditing a million-entry log from local tiles, set against its limits measured in the same run.

Run: `.venv/bin/python -m pytest benchmarks/test_audit_bench.py --benchmark-only -q`.

The log is genuine and built once, then cached under `.bench-cache/` (git-ignored) by `VERSION`:
one million indicator submissions signed with EIP-712 by 16 operator keys (coincurve, in worker
processes), appended through `LogStore` on SQLite in batches of 1,000, its C2SP tiles and entry
bundles exported with `LogStore.tile` into a tlog-tiles mirror directory, a checkpoint signed by a
fresh log key, and `anchors.json` listing the tree every 100,000 entries with its stored root.
The first run builds it (about 5 minutes on 2 cores); delete `.bench-cache/` to rebuild.
For a quicker run, `INFRALEDGER_AUDIT_BENCH_ENTRIES=N` audits the log's first N entries instead:
their tiles, a checkpoint of size N and the anchors up to N are exported from the cached store
into `.bench-cache/audit-log-v1/prefix-N/` (kept too).

The audit reads that mirror (`infraledger-verify audit --mirror DIR --offline`), so downloading
is excluded: it checks the checkpoint, every entry bundle, every entry's RFC 8785 form and
EIP-712 signature, every tile at every level, the root and every listed anchor root. Its limits,
measured first: EIP-712 signer recovery times a million (signature checking bounds the audit) and
the tree rebuild alone (leaf hashes, frontier, tiles). The audit runs with one process and with
`--jobs 2` (signature checks in two worker processes).

On a machine shared with other work, wall-clock rates move with its load; the CPU time the
recovery and each audit used (all their processes, `getrusage`) moves much less, so both are
also reported per CPU second: the audit's figure over the recovery's is the share of the audit's
work that is signature recovery.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import shutil
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pytest
from coincurve import PrivateKey
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import RateBoard
from filings.signing import (
    SubmissionDomain,
    SubmissionMessage,
    attachments_commitment,
    canonical_body,
    content_commitment,
    sign_submission,
    signer_address,
)
from ledger.checkpoint import Checkpoint
from ledger.entry import Entry as LedgerEntry
from ledger.merkle import Frontier
from ledger.note import Signer
from ledger.storage.store import LogStore, PendingEntry
from ledger.tiles import tile_ids
from verifier.audit import audit_log
from verifier.eip712 import TypedDataDigest, recover_signer, submission_digest
from verifier.entry import Entry
from verifier.mirror import TileMirror
from verifier.rfc9162 import NodeHash, leaf_hash
from verifier.tiles import bundle_widths, expected_tiles, parse_entry_bundle
from verifier.tree import Frontier as RebuiltFrontier
from verifier.trust import Trust

VERSION: Final = "audit-log-v1"
"""Bump when the way the cached log is built changes: the cache is kept per version."""
SIZE: Final = 1_000_000
BATCH: Final = 1_000
ANCHOR_EVERY: Final = 100_000
OPERATORS: Final = 16
ORIGIN: Final = "bench.infraledger.example/hue-infra"
CHAIN_ID: Final = 31337
REGISTRY: Final = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
ANCHOR_CONTRACT: Final = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
NOW: Final = 1_735_689_600
CACHE: Final = Path(__file__).resolve().parents[1] / ".bench-cache" / VERSION
SAMPLE: Final = 4_000
"""Signatures in the recovery limit's sample."""
AUDITED: Final = int(os.environ.get("INFRALEDGER_AUDIT_BENCH_ENTRIES", SIZE))
"""Entries the rebuild limit and the audits read: the whole log, or its first N entries."""
if not SAMPLE <= AUDITED <= SIZE:
    raise ValueError(f"INFRALEDGER_AUDIT_BENCH_ENTRIES: got {AUDITED}, want {SAMPLE}..{SIZE}")

RECOVERY = "audit limit: EIP-712 recovery x 1M"
REBUILD = "audit limit: tree rebuild x 1M"
PER_CPU = ", per CPU second"

_METRICS: Final = ("bts_shared_ratio", "villages_with_ftth", "shared_poles_ratio",
                   "smartphone_ratio", "internet_user_ratio", "fixed_speed_mbps")
_AREAS: Final = ("phong_dien", "quang_dien", "huong_tra", "phu_vang", "huong_thuy", "phu_loc",
                 "a_luoi", "nam_dong", "hue")


# -- building the log once ----------------------------------------------------------------------


def _signed_batch(job: tuple[int, int, list[bytes]]) -> list[PendingEntry]:
    """Entries [start, start + count) signed by the operator keys, in a worker process."""
    start, count, keys = job
    domain = SubmissionDomain(CHAIN_ID, REGISTRY)
    no_attachments = attachments_commitment(())
    pending = []
    for index in range(start, start + count):
        key = keys[index % len(keys)]
        metric = _METRICS[index % len(_METRICS)]
        area = _AREAS[index // len(_METRICS) % len(_AREAS)]
        body = canonical_body({"indicator": metric, "area": area, "period": "2025-Q1",
                               "value": index % 1000 / 10, "unit": "%", "n": index})
        message = SubmissionMessage(
            kind="indicator", schema="indicator/1", subject=f"indicator:{metric}:{area}:{index}",
            content=content_commitment(body, None), attachments=no_attachments,
            supersedes=None, issued_at=NOW - 86_400 + index % 86_400,
        )
        entry = LedgerEntry(
            kind=message.kind, schema=message.schema, subject=message.subject,
            operator=signer_address(key), content="0x" + message.content.hex(),
            attachments="0x" + message.attachments.hex(), supersedes=None,
            issued_at=message.issued_at, signature=sign_submission(key, domain, message),
        )
        pending.append(PendingEntry.of(entry, body=body))
    return pending


def _build(directory: Path, rates: RateBoard) -> None:
    """Build the log into `directory`: `ledger.sqlite3`, `mirror/` and `trust.json`."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    keys = [PrivateKey().secret for _ in range(OPERATORS)]
    store = LogStore(f"sqlite:///{directory / 'ledger.sqlite3'}", ORIGIN, now=NOW)
    frontier = Frontier()
    anchors: list[dict[str, Any]] = []
    started = time.perf_counter()
    jobs = [(start, min(BATCH, SIZE - start), keys) for start in range(0, SIZE, BATCH)]
    with multiprocessing.get_context("spawn").Pool(os.cpu_count() or 1) as pool:
        for batch in pool.imap(_signed_batch, jobs, chunksize=4):
            _, frontier = store.append(batch, frontier, NOW)
            if frontier.size % ANCHOR_EVERY == 0:
                anchors.append(_listed_anchor(frontier.size, frontier.root()))
    built = time.perf_counter()
    rates.note("audit log build: sign + LogStore.append", SIZE / (built - started), "entries")
    _export(store, directory, SIZE, anchors)
    rates.note("audit log build: tile export", SIZE / (time.perf_counter() - built), "entries")
    store.close()


def _export(store: LogStore, directory: Path, size: int, anchors: list[dict[str, Any]]) -> None:
    """Write the first `size` entries of `store` as a mirror with a checkpoint signed by a fresh
    log key and `anchors`, and the trust file pinning that key, into `directory`."""
    mirror = directory / "mirror"
    for tile in tile_ids(size):
        path = mirror / tile.path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(store.tile(tile, size))
    signer = Signer.generate(ORIGIN)
    (mirror / "checkpoint").write_text(Checkpoint(ORIGIN, size, store.root(size)).sign(signer))
    (mirror / "anchors.json").write_text(json.dumps({"anchors": anchors}))
    trust = {
        "origin": ORIGIN, "vkey": signer.verifier.vkey(), "chain_id": CHAIN_ID,
        "anchor_contract": ANCHOR_CONTRACT, "operator_registry": REGISTRY,
        "rpc_urls": ["http://127.0.0.1:9/rpc"], "quorum": "all",
    }
    (directory / "trust.json").write_text(json.dumps(trust, indent=2))
    (directory / "complete").write_text(VERSION)


def _prefix(log: Path, size: int) -> Path:
    """The first `size` entries of the cached log as a log of their own, exported on first use."""
    directory = log / f"prefix-{size}"
    marker = directory / "complete"
    if not marker.exists() or marker.read_text() != VERSION:
        shutil.rmtree(directory, ignore_errors=True)
        listed = json.loads((log / "mirror" / "anchors.json").read_text())["anchors"]
        store = LogStore(f"sqlite:///{log / 'ledger.sqlite3'}", ORIGIN, now=NOW)
        try:
            _export(store, directory, size, [a for a in listed if a["tree_size"] <= size])
        finally:
            store.close()
    return directory


def _listed_anchor(size: int, root: bytes) -> dict[str, Any]:
    """A `GET /v1/anchors` item with the stored root. The log is not posted on a chain here: the
    offline audit compares listed roots with the rebuilt tree and leaves the chain fields be."""
    return {"tree_size": size, "root": "0x" + root.hex(), "chain_id": CHAIN_ID,
            "tx_hash": "0x" + bytes(32).hex(), "block_number": 0,
            "block_hash": "0x" + bytes(32).hex(), "block_time": 0}


@pytest.fixture(scope="module")
def cached_log(rates: RateBoard) -> Path:
    """The cached log's directory, built on first use."""
    marker = CACHE / "complete"
    if not marker.exists() or marker.read_text() != VERSION:
        _build(CACHE, rates)
    return CACHE


@pytest.fixture(scope="module")
def audited_log(cached_log: Path) -> Path:
    """The log the benchmarks audit: the cached log, or its first AUDITED entries."""
    return cached_log if AUDITED == SIZE else _prefix(cached_log, AUDITED)


@pytest.fixture(scope="module")
def trust(audited_log: Path) -> Trust:
    return Trust.parse(json.loads((audited_log / "trust.json").read_text()))


def _raw_entries(mirror: Path) -> Iterator[bytes]:
    source = TileMirror(mirror, None)
    for index, width in bundle_widths(AUDITED):
        yield from parse_entry_bundle(
            source.entry_bundle(index, width), width or 256, what=f"bundle {index}"
        )


# -- the limits ----------------------------------------------------------------------------------


def test_eip712_recovery_limit(
    benchmark: BenchmarkFixture, rates: RateBoard, audited_log: Path, trust: Trust
) -> None:
    """Recover the signers of a sample; the rate is scaled to a million signatures."""
    entries = []
    for raw in _raw_entries(audited_log / "mirror"):
        entries.append(Entry.parse(json.loads(raw)))
        if len(entries) == SAMPLE:
            break
    signed: list[tuple[TypedDataDigest, bytes]] = [
        (submission_digest(e, trust.signing_domain()), e.signature) for e in entries
    ]

    spent: list[float] = []

    def recover_all() -> None:
        started = _cpu_seconds()
        for digest, signature in signed:
            recover_signer(digest, signature)
        spent.append(_cpu_seconds() - started)

    benchmark.pedantic(recover_all, rounds=5)  # type: ignore[no-untyped-call]
    rates.record(benchmark, RECOVERY, SAMPLE, "signatures")
    rates.note(RECOVERY + PER_CPU, SAMPLE / statistics.median(spent), "signatures")


def test_tree_rebuild_limit(
    benchmark: BenchmarkFixture, rates: RateBoard, audited_log: Path
) -> None:
    """Leaf hashes, the frontier and every tile of the audited leaves (entries pre-read)."""
    raws = list(_raw_entries(audited_log / "mirror"))

    def rebuild() -> bytes:
        frontier = RebuiltFrontier()
        leaves = []
        for raw in raws:
            leaf = leaf_hash(raw)
            frontier.append(leaf)
            leaves.append(NodeHash(leaf))
        for _ in expected_tiles(leaves):
            pass
        return frontier.root()

    benchmark.pedantic(rebuild, rounds=3)  # type: ignore[no-untyped-call]
    rates.record(benchmark, REBUILD, AUDITED, "entries")


# -- the audit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_audit_from_mirror(
    benchmark: BenchmarkFixture, rates: RateBoard, audited_log: Path, trust: Trust, jobs: int
) -> None:
    spent: list[float] = []

    def audit() -> bool:
        started = _cpu_seconds()
        report = audit_log(
            TileMirror(audited_log / "mirror", None), trust, chain=None,
            progress=lambda stage, done, total: None, jobs=jobs,
        )
        spent.append(_cpu_seconds() - started)  # the worker processes have ended by now
        return report.verified and report.tree_size == AUDITED

    assert benchmark.pedantic(audit, rounds=1, iterations=1)  # type: ignore[no-untyped-call]
    name = f"audit of {AUDITED:,} entries from a mirror, jobs={jobs}"
    rates.record(benchmark, name, AUDITED, "entries", peers=[RECOVERY, REBUILD],
                 aim=">= 16,667 (1M in 60 s)")
    rates.note(name + PER_CPU, AUDITED / spent[0], "entries")


def _cpu_seconds() -> float:
    """User and system time of this process and of its children that have ended."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
