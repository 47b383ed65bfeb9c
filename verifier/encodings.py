"""Strict decoders for the two byte encodings our formats use.

JSON documents write hashes as lowercase hex (0x-prefixed, except record ids: DESIGN section 6);
the C2SP text formats write standard base64 with padding (RFC 4648 section 4). Both decoders accept
exactly one spelling of each byte string, so a value can be compared as text and as bytes alike.
"""

from __future__ import annotations

import binascii
import re
from typing import Final

from verifier.errors import MalformedBase64, MalformedHex

_LOWER_HEX: Final = re.compile(r"[0-9a-f]*\Z")


def decode_hex(text: object, *, what: str, size: int, prefixed: bool) -> bytes:
    """Decode lowercase hex of exactly `size` bytes, with a `0x` prefix iff `prefixed`.

    `what` names the field in the error message. Raises `MalformedHex` for a non-string, another
    prefix, uppercase or non-hex characters, or another length.
    """
    if not isinstance(text, str):
        raise MalformedHex(f"{what}: got {type(text).__name__}, want a hex string")
    digits = text
    if prefixed:
        if not text.startswith("0x"):
            raise MalformedHex(f"{what}: got {_shown(text)}, want 0x-prefixed hex")
        digits = text[2:]
    if len(digits) != 2 * size or not _LOWER_HEX.match(digits):
        want = ("0x and " if prefixed else "") + f"{2 * size} lowercase hex digits"
        raise MalformedHex(f"{what}: got {_shown(text)}, want {want}")
    return bytes.fromhex(digits)


def encode_hex(data: bytes, *, prefixed: bool) -> str:
    """Encode bytes as lowercase hex, with a `0x` prefix iff `prefixed`."""
    return ("0x" if prefixed else "") + data.hex()


def decode_base64(text: str, *, what: str, size: int | None = None) -> bytes:
    """Decode canonical standard base64 (RFC 4648 section 4, padded), of `size` bytes if given.

    Raises `MalformedBase64` for other alphabets, missing or extra padding, non-zero padding bits
    (a second spelling of the same bytes), or another decoded length.
    """
    if not text.isascii():
        raise MalformedBase64(f"{what}: {_shown(text)} is not padded standard base64")
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except binascii.Error as exc:
        raise MalformedBase64(
            f"{what}: {_shown(text)} is not padded standard base64: {exc}"
        ) from exc
    if binascii.b2a_base64(data, newline=False) != text.encode("ascii"):
        raise MalformedBase64(f"{what}: {_shown(text)} is not canonical base64")
    if size is not None and len(data) != size:
        raise MalformedBase64(f"{what}: got {len(data)} bytes, want {size}")
    return data


def encode_base64(data: bytes) -> str:
    """Encode bytes as standard padded base64."""
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _shown(text: str) -> str:
    """Quote at most 80 characters of an untrusted value for an error message."""
    return repr(text[:80]) + ("..." if len(text) > 80 else "")
