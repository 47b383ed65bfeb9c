"""Keccak-256, the hash of Ethereum (the Keccak submission's padding, not FIPS 202 SHA3-256).

An audit hashes three times per entry (EIP-712: the subject, the struct, the digest), so the cost
per call matters: `Crypto.Hash.keccak.new`, which eth-hash calls, builds and frees a sponge and
its Python wrappers every time (about 6 µs). Here each thread keeps one sponge of pycryptodome's
own Keccak library and resets it after each digest (about 2 µs): the same C code, with a capacity
of 512 bits and 24 rounds as `Crypto.Hash.keccak.new(digest_bits=256)` sets it up. That library
handle is pycryptodome's internal one (the version is pinned); the tests hold this function to
eth-hash's `keccak`.
"""

from __future__ import annotations

import threading
from typing import Any, Final

from Crypto.Hash.keccak import _raw_keccak_lib  # type: ignore[attr-defined]
from Crypto.Util._raw_api import (
    SmartPointer,
    VoidPointer,
    c_size_t,
    create_string_buffer,
    get_raw_buffer,
)

DIGEST_SIZE: Final = 32
_CAPACITY: Final = c_size_t(2 * DIGEST_SIZE)
_SIZE: Final = c_size_t(DIGEST_SIZE)
_ROUNDS: Final = 24
_PADDING: Final = 0x01
"""The Keccak padding byte (FIPS 202 SHA-3 uses 0x06)."""
_LIB: Final[Any] = _raw_keccak_lib


class _Sponge(threading.local):
    """One Keccak state and output buffer per thread."""

    def __init__(self) -> None:
        pointer = VoidPointer()
        if _LIB.keccak_init(pointer.address_of(), _CAPACITY, _ROUNDS):
            raise MemoryError("cannot allocate a Keccak state")
        self.owner = SmartPointer(pointer.get(), _LIB.keccak_destroy)
        self.state = self.owner.get()
        self.out = create_string_buffer(DIGEST_SIZE, None)


_SPONGE: Final = _Sponge()


def keccak256(data: bytes) -> bytes:
    """Return the 32-byte Keccak-256 digest of `data`."""
    sponge = _SPONGE
    state = sponge.state
    # Each call returns 0 on success; a failure would leave a stale digest in the buffer.
    if (
        _LIB.keccak_absorb(state, data, c_size_t(len(data)))
        or _LIB.keccak_digest(state, sponge.out, _SIZE, _PADDING)
        or _LIB.keccak_reset(state)
    ):
        raise RuntimeError("Keccak-256 failed in pycryptodome's Keccak library")
    return get_raw_buffer(sponge.out)
