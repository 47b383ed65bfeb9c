"""Canonical JSON: RFC 8785 (JSON Canonicalization Scheme).

Every hash of a JSON value in InfraLedger is over these bytes. The fast path is the standard
library encoder with sorted keys and no whitespace, which is byte-identical to RFC 8785 as long as
the value holds no float Python writes otherwise than ECMAScript, no integer outside +/-(2^53 - 1)
and no object key outside the Basic Multilingual Plane (RFC 8785 sorts keys by UTF-16 code units,
Python by code points). Both write a float as its shortest round-trip digits; they differ only in
the form: Python writes integral floats with `.0` and uses an exponent outside [1e-4, 1e16),
ECMAScript outside [1e-6, 1e21). Values with such floats take the `rfc8785` reference encoder;
large integers and lone surrogates are refused, since they cannot round-trip through every JSON
reader.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from ledger.errors import InvalidEntry

MAX_SAFE_INTEGER = 2**53 - 1
MAX_DEPTH = 32

_encode = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


def canonical_json(value: Any, *, max_depth: int = MAX_DEPTH) -> bytes:
    """Return the RFC 8785 bytes of `value`.

    Accepts dict (str keys), list, str, int, float, bool and None, nested at most `max_depth`.
    Raises `InvalidEntry` for any other type, non-finite floats, integers beyond 2^53 - 1, lone
    surrogates, or deeper nesting.
    """
    if not _flat_and_exact(value) and _needs_reference_encoder(value, max_depth):
        try:
            return rfc8785.dumps(value)
        except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
            raise InvalidEntry(f"value cannot be canonicalised: {exc}") from exc
    try:
        return _encode(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidEntry("string holds a lone surrogate") from exc


def _flat_and_exact(value: Any) -> bool:
    """Tell whether `value` is an object of ASCII keys and str, None, bool or safe int values.

    Such a value (a log entry is one) is valid and the fast path encodes it exactly: the check
    costs a third of the general walk. False says nothing: the walk decides.
    """
    if type(value) is not dict:
        return False
    for key, item in value.items():
        if type(key) is not str or not key.isascii():
            return False
        kind = type(item)
        if not (kind is str or item is None or kind is bool
                or (kind is int and -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER)):
            return False
    return True


def _needs_reference_encoder(value: Any, max_depth: int) -> bool:
    """Validate `value` and tell whether it holds something the fast path cannot encode exactly."""
    slow = False
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                raise InvalidEntry(f"integer {item} is outside +/-(2^53 - 1)")
            continue
        if kind is float:
            if item != item or item in (float("inf"), float("-inf")):
                raise InvalidEntry("NaN and infinite numbers have no JSON form")
            if item.is_integer() or not 1e-4 <= abs(item) < 1e16:
                slow = True
            continue
        if depth >= max_depth:
            raise InvalidEntry(f"JSON nesting deeper than {max_depth}")
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    raise InvalidEntry(f"object key {key!r} is not a string")
                if not key.isascii() and any(ord(c) > 0xFFFF for c in key):
                    slow = True
                stack.append((child, depth + 1))
        elif kind is list:
            stack.extend((child, depth + 1) for child in item)
        else:
            raise InvalidEntry(f"{kind.__name__} is not a JSON type")
    return slow


def parse_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text strictly: no NaN/Infinity, no duplicate keys, bounded depth.

    Raises `InvalidEntry` on malformed text.
    """
    try:
        value = json.loads(data, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidEntry(f"malformed JSON: {exc}") from exc
    _needs_reference_encoder(value, max_depth)
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate object key")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
