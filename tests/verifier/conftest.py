"""Shared fixtures: one genuine log, built once per session from the ledger double."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from tests.verifier.ledger_double import ChainDouble, LogDouble, NoteKey, make_record
from verifier.trust import Trust

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
OFFLINE_RPC = "http://127.0.0.1:9/rpc"
"""A URL nothing listens on: offline tests must never reach it."""


@dataclass
class World:
    """A genuine log of 300 records, anchored at size 256 and 300."""

    log: LogDouble
    chain: ChainDouble
    operator: Any
    files: dict[str, bytes]

    def trust(self, rpc_urls: list[str] | None = None, quorum: str | int = "all") -> Trust:
        return Trust.parse(self.log.trust(rpc_urls or [OFFLINE_RPC], quorum))

    def bundle_bytes(self, index: int, **options: Any) -> bytes:
        return json.dumps(self.log.bundle(index, **options)).encode()


PUBLIC_WITH_FILES = 7
"""Index of a public record with two attachments."""
RESTRICTED = 11
"""Index of a restricted (salted) record."""
UNANCHORED = 300
"""Index of the one record appended after the last anchor."""


@pytest.fixture(autouse=True)
def english_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verifier's messages follow LC_ALL, LC_MESSAGES and LANG: tests run in English unless
    they choose otherwise (child processes inherit this environment)."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture(scope="session")
def world() -> World:
    operator = Account.from_key(
        bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe512961708279f23efb3c6a1e3c5f0b")
    )
    chain = ChainDouble(active={operator.address})
    log = LogDouble(NoteKey(seed=bytes(range(32))), chain)
    files = {"report.pdf": b"%PDF-1.7 coverage report\n" * 40, "map.geojson": b'{"type":"x"}'}
    for number in range(301):
        attached = [(name, data, "application/octet-stream") for name, data in files.items()]
        record = make_record(
            operator,
            number,
            restricted=number == RESTRICTED,
            files=attached if number == PUBLIC_WITH_FILES else None,
        )
        log.append(record)
        if log.size in (256, 300):
            log.anchor()
    return World(log=log, chain=chain, operator=operator, files=files)
