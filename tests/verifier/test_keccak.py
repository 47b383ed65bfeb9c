"""Keccak-256 against eth-hash (pycryptodome's `Crypto.Hash.keccak` behind it) and known digests."""

from __future__ import annotations

import threading

from eth_hash.auto import keccak
from hypothesis import given
from hypothesis import strategies as st

from verifier.keccak import keccak256


def test_known_digests() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )
    assert keccak256(b"isActive(address)")[:4].hex() == "9f8a13d7"
    assert keccak256(b"Transfer(address,address,uint256)").hex() == (
        "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    )


def test_every_length_across_several_blocks() -> None:
    """Lengths around the 136-byte rate, where padding spills into another block."""
    for length in range(0, 3 * 136 + 2):
        data = bytes((7 * i + length) % 256 for i in range(length))
        assert keccak256(data) == keccak(data), length


@given(st.binary(max_size=2048))
def test_matches_eth_hash(data: bytes) -> None:
    assert keccak256(data) == keccak(data)


def test_threads_hash_independently() -> None:
    """Each thread has its own sponge: interleaved calls never mix their inputs."""
    failures: list[int] = []

    def work(seed: int) -> None:
        for i in range(2_000):
            data = bytes([seed]) * (i % 300)
            if keccak256(data) != keccak(data):
                failures.append(seed)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
