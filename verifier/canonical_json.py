"""RFC 8785 JSON Canonicalization Scheme (JCS), and the strict JSON reader it relies on.

Every hash of a JSON value in InfraLedger is over its JCS bytes (DESIGN section 2). This is the
verifier's own encoder: object members sorted by the UTF-16 code units of their names (section
3.2.3), strings escaped as section 3.2.2.2 says, numbers written as ECMAScript's
Number.prototype.toString writes IEEE 754 doubles (section 3.2.2.3), no whitespace, UTF-8 output.
"""

from __future__ import annotations

import json
import json.encoder
import math
import re
from collections.abc import Callable
from typing import Any, Final, NoReturn

from verifier.errors import MalformedJSON, NotCanonicalizable

MAX_SAFE_INTEGER: Final = 2**53 - 1
MAX_DEPTH: Final = 64

_string: Final[Callable[[str], str]] = json.encoder.encode_basestring
"""Quote a string as section 3.2.2.2 says: escape '"', '\\' and U+0000..U+001F, with the short
forms \\b \\t \\n \\f \\r and otherwise \\u00xx in lowercase hex; every other character as
itself. The standard library's non-ASCII JSON string encoder does exactly that (a lone surrogate
passes through it and is refused when the text is encoded to UTF-8)."""

_BRACKETS: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def canonicalize(value: object) -> bytes:
    """Return the RFC 8785 bytes of a JSON value, nested at most 64 deep: dict with str keys,
    list, str, int, float, bool or None, exactly those types (as `json.loads` makes them).

    Integers must be within +/-(2^53 - 1), where an IEEE 754 double holds them exactly (I-JSON,
    RFC 7493 section 2.2). Raises `NotCanonicalizable` for other types, NaN or infinities,
    unsafe integers, lone surrogates and deeper nesting.
    """
    parts: list[str] = []
    try:
        _write(value, parts, 0)
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NotCanonicalizable("string holds a lone surrogate") from exc


def parse_json(data: str | bytes, *, what: str = "JSON") -> Any:
    """Parse JSON text strictly: UTF-8, no duplicate member names, no NaN or Infinity.

    Raises `MalformedJSON`, naming `what`, for anything else.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        _check_nesting(text)
        return json.loads(text, object_pairs_hook=_unique_members, parse_constant=_reject_constant)
    except MalformedJSON as exc:
        raise MalformedJSON(f"{what}: {exc}") from exc
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, overlong integers
        raise MalformedJSON(f"{what}: {exc}") from exc


def _check_nesting(text: str) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH before parsing it.

    The standard library parser recurses on the C stack: a hostile document of a few hundred
    kilobytes of brackets must be refused up front, not left to exhaust it. Brackets inside
    strings are skipped with the strings.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return  # too few brackets to nest deeper, whatever the strings hold
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise MalformedJSON(f"nested deeper than {MAX_DEPTH}")
        elif token in "]}":
            depth -= 1


def _write(value: object, parts: list[str], depth: int) -> None:
    """Append the canonical text of `value` to `parts` (exact JSON types only)."""
    if type(value) is str:
        parts.append(_string(value))
    elif type(value) is dict:
        _write_object(value, parts, depth)
    elif type(value) is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise NotCanonicalizable(f"integer {value} is outside +/-(2^53 - 1)")
        parts.append(str(value))
    elif type(value) is list:
        _write_array(value, parts, depth)
    elif value is None:
        parts.append("null")
    elif type(value) is bool:
        parts.append("true" if value else "false")
    elif type(value) is float:
        parts.append(_number(value))
    else:
        raise NotCanonicalizable(f"{type(value).__name__} is not a JSON type")


def _write_object(value: dict[Any, Any], parts: list[str], depth: int) -> None:
    """Append an object, its members sorted by the UTF-16 code units of their names."""
    if depth >= MAX_DEPTH:
        raise NotCanonicalizable(f"JSON nesting deeper than {MAX_DEPTH}")
    names: list[str] = []
    for key in value:
        if type(key) is not str:
            raise NotCanonicalizable(f"object member name {key!r} is not a string")
        names.append(key)
    # Below U+10000, code points and UTF-16 code units sort alike; ASCII is the common case.
    names.sort(key=None if all(name.isascii() for name in names) else _utf16_order)
    parts.append("{")
    for position, name in enumerate(names):
        if position:
            parts.append(",")
        parts.append(_string(name))
        parts.append(":")
        _write(value[name], parts, depth + 1)
    parts.append("}")


def _write_array(value: list[Any], parts: list[str], depth: int) -> None:
    """Append an array, its items in order."""
    if depth >= MAX_DEPTH:
        raise NotCanonicalizable(f"JSON nesting deeper than {MAX_DEPTH}")
    parts.append("[")
    for position, item in enumerate(value):
        if position:
            parts.append(",")
        _write(item, parts, depth + 1)
    parts.append("]")


def _utf16_order(key: str) -> bytes:
    """Sort key: big-endian UTF-16 bytes compare as the code units do (section 3.2.3)."""
    return key.encode("utf-16-be")


def _number(value: float) -> str:
    """Write a double as ECMAScript Number.prototype.toString does (ECMA-262 7.1.12.1).

    `repr` gives the shortest digit string that round-trips (the same digits ECMAScript picks);
    only the placement of the decimal point and the exponent differ.
    """
    if not math.isfinite(value):
        raise NotCanonicalizable(f"{value} has no JSON form")
    if value == 0:
        return "0"  # also -0.0
    sign = "-" if value < 0 else ""
    mantissa, _, exponent_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    # The value is 0.<digits> x 10^point once leading zeros are dropped.
    point = len(whole) + (int(exponent_text) if exponent_text else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    exponent = point - 1
    exponent_part = ("e+" if exponent >= 0 else "e-") + str(abs(exponent))
    if count == 1:
        return sign + digits + exponent_part
    return sign + digits[0] + "." + digits[1:] + exponent_part


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object, refusing a member name that appears twice (RFC 7493 section 2.3)."""
    result: dict[str, Any] = {}
    for key, item in pairs:
        if key in result:
            raise MalformedJSON(f"duplicate member name {key[:40]!r}")
        result[key] = item
    return result


def _reject_constant(name: str) -> NoReturn:
    """Refuse NaN, Infinity and -Infinity, which are not JSON."""
    raise MalformedJSON(f"{name} is not JSON")
