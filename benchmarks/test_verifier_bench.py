"""Offline proof bundle verifications per second, set against their limit: secp256k1 recovery.

Run: `.venv/bin/python -m pytest benchmarks/test_verifier_bench.py --benchmark-only`. Every
bundle is a different record (its own entry, EIP-712 signature and inclusion proof) of one
1024-leaf log. "Shared checkpoint" bundles all carry the anchored checkpoint, as bundles of one
log mostly do, so its Ed25519 verification is remembered after the first; "own checkpoint"
bundles each carry a checkpoint of another size, so every verification pays Ed25519 too. Raw
coincurve recovery, measured first in the same run, is the ceiling of the EIP-712 check.
"""

from __future__ import annotations

import itertools
import json

import coincurve
import pytest
from eth_account import Account
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.conftest import RateBoard
from tests.verifier.ledger_double import ChainDouble, LogDouble, NoteKey, make_record
from verifier.bundle_verification import verify_bundle
from verifier.eip712 import TypedDataDigest, recover_signer, submission_digest
from verifier.entry import Entry
from verifier.trust import Trust

RECORDS = 1024
RAW = "verifier: raw coincurve recovery"
EIP712 = "verifier: EIP-712 signer recovery"


@pytest.fixture(scope="module")
def log() -> LogDouble:
    operator = Account.from_key(b"\x01" * 32)
    log = LogDouble(NoteKey(seed=bytes(32)), ChainDouble(active={operator.address}))
    for number in range(RECORDS):
        log.append(make_record(operator, number))
    log.anchor()
    return log


@pytest.fixture(scope="module")
def trust(log: LogDouble) -> Trust:
    return Trust.parse(log.trust(["http://127.0.0.1:9/rpc"]))


@pytest.fixture(scope="module")
def signatures(log: LogDouble, trust: Trust) -> list[tuple[TypedDataDigest, bytes]]:
    entries = [Entry.parse(record.entry) for record in log.records]
    return [(submission_digest(e, trust.signing_domain()), e.signature) for e in entries]


def test_raw_coincurve_recovery(
    benchmark: BenchmarkFixture, rates: RateBoard, signatures: list[tuple[bytes, bytes]]
) -> None:
    raw = [(digest, sig[:64] + bytes([sig[64] - 27])) for digest, sig in signatures]
    cycle = itertools.cycle(raw)

    def recover() -> bytes:
        digest, signature = next(cycle)
        key = coincurve.PublicKey.from_signature_and_message(signature, digest, hasher=None)
        return key.format(compressed=False)

    benchmark(recover)
    rates.record(benchmark, RAW, 1, "recoveries")


def test_eip712_signer_recovery(
    benchmark: BenchmarkFixture,
    rates: RateBoard,
    signatures: list[tuple[TypedDataDigest, bytes]],
) -> None:
    cycle = itertools.cycle(signatures)
    benchmark(lambda: recover_signer(*next(cycle)))
    rates.record(benchmark, EIP712, 1, "signatures", peers=[RAW])


def test_offline_bundle_verification_shared_checkpoint(
    benchmark: BenchmarkFixture, rates: RateBoard, log: LogDouble, trust: Trust
) -> None:
    bundles = [json.dumps(log.bundle(index)).encode() for index in range(RECORDS)]
    cycle = itertools.cycle(bundles)
    assert benchmark(lambda: verify_bundle(next(cycle), trust, chain=None).verified)
    rates.record(
        benchmark,
        "verifier: offline bundles, shared checkpoint",
        1,
        "bundles",
        peers=[RAW, EIP712],
        aim=">= 5,000",
    )


def test_offline_bundle_verification_own_checkpoint(
    benchmark: BenchmarkFixture, rates: RateBoard, log: LogDouble, trust: Trust
) -> None:
    bundles = [json.dumps(log.bundle(index, size=index + 1)).encode() for index in range(RECORDS)]
    cycle = itertools.cycle(bundles)
    assert benchmark(lambda: verify_bundle(next(cycle), trust, chain=None).verified)
    rates.record(
        benchmark, "verifier: offline bundles, own checkpoint", 1, "bundles", peers=[RAW, EIP712]
    )
