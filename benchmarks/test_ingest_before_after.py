"""Bulk HTTP ingest of this tree beside an earlier commit's, in one run.

The earlier tree is a detached git worktree of `INFRALEDGER_BENCH_BEFORE` (default `ea00dbb`,
the last commit before the single submission path), served exactly as this tree is (`python -m
api.cli serve` from its own directory, one uvicorn worker, SQLite, the embedded chain, the same
virtual environment), each with a data directory of its own. Both receive the same rounds: 30
requests of 100 signed submissions over 4 connections, the same benchmark as
`test_http_bench.test_ingest_bulk`: `indicator/1` figures for the earlier tree (its schema;
`INFRALEDGER_BENCH_BEFORE_SCHEMA` to change), `indicator/2` ones judged by the plans this tree's
ledger holds (filed before the rounds). Run it alone on a quiet machine:

    .venv/bin/python -m pytest benchmarks/test_ingest_before_after.py --benchmark-only -q
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from api.node import Node
from api.settings import load_settings
from benchmarks.conftest import RateBoard
from benchmarks.test_http_bench import (
    BULK,
    BULK_REQUESTS,
    KEYS,
    ROOT,
    Server,
    bulk_ingest,
    file_plans,
)
from filings.signing import SubmissionDomain, signer_address

SCHEMAS: Final = {"before": os.environ.get("INFRALEDGER_BENCH_BEFORE_SCHEMA", "indicator/1"),
                  "after": "indicator/2"}


SET_UP: Final = """
import asyncio, sys
from api.node import Node
from api.settings import load_settings
from filings.signing import signer_address
node = Node.open(load_settings(sys.argv[1]), jobs=False, deploy=True)
try:
    for number, key in enumerate(sys.argv[2:], start=1):
        node.registry.register(signer_address(bytes.fromhex(key)), f"Bench operator {number}",
                               f"BENCH-{number}")
finally:
    asyncio.run(node.close())
"""
"""Deploy and register the operators with an earlier tree's own code (argv: data dir, keys)."""


@pytest.fixture(scope="module")
def servers(trees: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[dict[str, Server]]:
    """Both trees served, each on a data directory with the operators registered."""
    running: dict[str, Server] = {}
    contexts = []
    try:
        for name, tree in trees.items():
            data_dir = tmp_path_factory.mktemp(f"ledger-{name}")
            if tree == ROOT:
                node = Node.open(load_settings(data_dir), jobs=False, deploy=True)
                try:
                    for number, key in enumerate(KEYS, start=1):
                        node.registry.register(signer_address(key), f"Bench operator {number}",
                                               f"BENCH-{number}")
                    if SCHEMAS[name] == "indicator/2":
                        file_plans(node)
                finally:
                    asyncio.run(node.close())
            else:  # deployed by the tree's own code: its contracts may be other versions
                subprocess.run([sys.executable, "-c", SET_UP, str(data_dir),
                                *(key.hex() for key in KEYS)], cwd=tree, check=True,
                               env={**os.environ, "PYTHONPATH": str(tree)})
            context = Server.run(
                [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(data_dir)],
                data_dir / "server.log", ready_path="/v1/log", cwd=tree,
                env={"PYTHONPATH": str(tree)},
            )
            running[name] = context.__enter__()
            contexts.append(context)
        yield running
    finally:
        for context in reversed(contexts):
            context.__exit__(None, None, None)


@pytest.mark.parametrize("tree", ["before", "after"])
@pytest.mark.benchmark(group="ingest-before-after")
def test_ingest_bulk(benchmark: BenchmarkFixture, rates: RateBoard,
                     servers: dict[str, Server], tree: str) -> None:
    server = servers[tree]
    info = server.get_json("/v1/log")
    domain = SubmissionDomain(info["chain_id"], info["operator_registry"])
    cpu, _ = bulk_ingest(benchmark, server, domain, 0, SCHEMAS[tree])
    name = f"HTTP ingest, bulk requests of 100 ({tree})"
    rates.record(benchmark, name, BULK * BULK_REQUESTS, "records")
    cpu.report(benchmark, rates, name, BULK * BULK_REQUESTS, "records")
