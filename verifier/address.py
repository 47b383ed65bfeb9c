"""Ethereum addresses in their EIP-55 mixed-case checksum form.

EIP-55: hex digit i of the address is uppercase iff nibble i of keccak256(lowercase hex) >= 8.
"""

from __future__ import annotations

import functools
import re
from typing import Final, NewType

from verifier.errors import MalformedAddress
from verifier.keccak import keccak256

Address = NewType("Address", str)
"""A 0x-prefixed 20-byte address in EIP-55 checksum case."""

_ADDRESS: Final = re.compile(r"0x[0-9a-fA-F]{40}\Z")


@functools.lru_cache(maxsize=4096)
def checksum_address(raw: bytes) -> Address:
    """Return the EIP-55 form of a 20-byte address."""
    lower = raw.hex()
    digest = keccak256(lower.encode("ascii")).hex()
    # A nibble >= 8 is a hex digit above "7".
    cased = (c.upper() if d > "7" else c for c, d in zip(lower, digest, strict=False))
    return Address("0x" + "".join(cased))


def parse_address(text: object, *, what: str) -> Address:
    """Parse an address that must be written in EIP-55 checksum case.

    Raises `MalformedAddress`, naming `what`, for a non-string, a wrong length or alphabet, or
    a case that fails the checksum (all-lowercase and all-uppercase forms are refused too, so an
    address has exactly one spelling).
    """
    if not isinstance(text, str) or not _ADDRESS.match(text):
        raise MalformedAddress(f"{what}: got {str(text)[:60]!r}, want 0x and 40 hex digits")
    expected = checksum_address(bytes.fromhex(text[2:]))
    if text != expected:
        raise MalformedAddress(f"{what}: {text} fails its EIP-55 checksum, want {expected}")
    return expected


def address_bytes(address: Address) -> bytes:
    """Return the 20 bytes of an address."""
    return bytes.fromhex(address[2:])
