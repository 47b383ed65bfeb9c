"""EIP-712 submission verification: our fast path against eth-account, and the coincurve limit.

Each round verifies one signature over a fresh message (a new subject each time, as in real
traffic; kind and schema names repeat). Run with `make bench`; compare ops/s within one run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from coincurve import PublicKey
from eth_account import Account
from eth_account.messages import encode_typed_data

from filings.signing import (
    SubmissionDomain,
    SubmissionMessage,
    recover_signer,
    sign_submission,
    signer_address,
    submission_message,
)
from filings.submission import build_entry, parse_submission

POOL = 256
_T = TypeVar("_T")
KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
DOMAIN = SubmissionDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
OPERATOR = signer_address(KEY)


def _message(n: int) -> SubmissionMessage:
    return SubmissionMessage(
        kind="indicator", schema="indicator/1",
        subject=f"indicator:bts_shared_ratio:phu_vang:{2000 + n % 100}-Q{1 + n % 4}",
        content=n.to_bytes(32, "big"), attachments=bytes(32), supersedes=None,
        issued_at=1_720_000_000 + n,
    )


def _signed_pool() -> list[tuple[SubmissionMessage, str]]:
    return [(m, sign_submission(KEY, DOMAIN, m)) for m in map(_message, range(POOL))]


def _cycle(items: list[_T]) -> Callable[[], _T]:
    it: Iterator[_T] = itertools.cycle(items)
    return lambda: next(it)


@pytest.mark.benchmark(group="eip712-verify")
def test_fast_path(benchmark: Any) -> None:
    """digest (hand-rolled keccak) + coincurve recovery + address + EIP-55."""
    following = _cycle(_signed_pool())

    def verify() -> None:
        message, signature = following()
        assert recover_signer(DOMAIN, message, signature) == OPERATOR

    benchmark(verify)


@pytest.mark.benchmark(group="eip712-verify")
def test_eth_account(benchmark: Any) -> None:
    """eth-account's encode_typed_data + recover_message (coincurve backend)."""
    following = _cycle([(DOMAIN.typed_data(m), bytes.fromhex(s[2:])) for m, s in _signed_pool()])

    def verify() -> None:
        typed, signature = following()
        signable = encode_typed_data(full_message=typed)
        assert Account.recover_message(signable, signature=signature) == OPERATOR

    benchmark(verify)


@pytest.mark.benchmark(group="eip712-verify")
def test_coincurve_recovery_limit(benchmark: Any) -> None:
    """Raw libsecp256k1 public key recovery of a precomputed digest: the ceiling."""
    pool = [
        (DOMAIN.digest(m), bytes.fromhex(s[2:130]) + bytes((int(s[130:], 16) - 27,)))
        for m, s in _signed_pool()
    ]
    following = _cycle(pool)

    def recover() -> None:
        digest, signature = following()
        PublicKey.from_signature_and_message(signature, digest, hasher=None)

    benchmark(recover)


@pytest.mark.benchmark(group="submission")
def test_build_entry(benchmark: Any) -> None:
    """A whole indicator submission: JCS, body schema, catalogue, entry, signature."""
    submissions = []
    for n in range(POOL):
        body = {"indicator": "bts_shared_ratio", "area": "phu_vang", "period": "2024-Q3",
                "value": n % 101, "unit": "%"}
        subject = "indicator:bts_shared_ratio:phu_vang:2024-Q3"
        message = submission_message(kind="indicator", schema="indicator/1", subject=subject,
                                     body=body, issued_at=1_720_000_000 + n)
        submissions.append(parse_submission({
            "kind": "indicator", "schema": "indicator/1", "subject": subject,
            "operator": OPERATOR, "body": body, "issued_at": 1_720_000_000 + n,
            "signature": sign_submission(KEY, DOMAIN, message),
        }))
    following = _cycle(submissions)
    benchmark(lambda: build_entry(following(), DOMAIN))
