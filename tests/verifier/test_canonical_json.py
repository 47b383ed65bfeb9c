"""RFC 8785 (JCS): the RFC's own examples as literal strings, and the rfc8785 package as a peer."""

from __future__ import annotations

import struct

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.canonical_json import canonicalize, parse_json
from verifier.entry import Entry
from verifier.errors import MalformedEntry, MalformedJSON, NotCanonicalizable


def test_rfc8785_section_3_2_2_example() -> None:
    source = r"""{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"""
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonicalize(parse_json(source)) == expected.encode("utf-8")


def test_rfc8785_section_3_2_3_sorting_by_utf16_code_units() -> None:
    source = r"""{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"""
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonicalize(parse_json(source)) == expected.encode("utf-8")


# RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript string form.
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), NUMBERS)
def test_rfc8785_appendix_b_numbers(bits: str, expected: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonicalize(value) == expected.encode("ascii")


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinities_are_refused(bits: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    with pytest.raises(NotCanonicalizable):
        canonicalize(value)


def test_strings_escape_only_what_rfc8785_escapes() -> None:
    assert canonicalize("\x00\x1f\x7f\u2028\t\b\f") == b'"\\u0000\\u001f\x7f\xe2\x80\xa8\\t\\b\\f"'
    assert canonicalize({"b": [], "a": {}}) == b'{"a":{},"b":[]}'
    assert canonicalize([1, -0.0, 1.0, 100, 1e21]) == b"[1,0,1,100,1e+21]"


@pytest.mark.parametrize(
    "value",
    [2**53, -(2**53), "\ud800", {"\udc00": 1}, {1: "x"}, (1, 2), b"bytes", {"a": [set()]}],
)
def test_values_outside_i_json_are_refused(value: object) -> None:
    with pytest.raises(NotCanonicalizable):
        canonicalize(value)


def test_deep_nesting_is_refused() -> None:
    value: object = 1
    for _ in range(70):
        value = [value]
    with pytest.raises(NotCanonicalizable, match="deeper"):
        canonicalize(value)


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"a":2}',
        "NaN",
        "[Infinity]",
        "-Infinity",
        "{",
        "",
        "\ufeff{}",
        "[1,]",
        b"\xff",
        "[" * 100_000,
        "1" * 5000,
    ],
)
def test_strict_json_reader(text: str | bytes) -> None:
    with pytest.raises(MalformedJSON):
        parse_json(text)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_agrees_with_the_rfc8785_package(value: object) -> None:
    assert canonicalize(value) == rfc8785.dumps(value)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_round_trip(value: float) -> None:
    assert float(canonicalize(value)) == value


@settings(max_examples=300)
@given(
    schema=st.text(min_size=1),
    subject=st.text(min_size=1),
    issued_at=st.integers(min_value=0, max_value=2**53 - 1),
    supersedes=st.none() | st.binary(min_size=32, max_size=32),
)
def test_entry_leaf_data_is_the_rfc8785_form(
    schema: str, subject: str, issued_at: int, supersedes: bytes | None
) -> None:
    """`Entry` writes its leaf with `json.dumps`: byte for byte RFC 8785, whatever its strings."""
    value = {
        "v": 1,
        "kind": "permit",
        "schema": schema,
        "subject": subject,
        "operator": "0xc5898d2C3dA3bf691b9db6Bd9373ACB02a466444",
        "content": "0x" + "ab" * 32,
        "attachments": "0x" + "cd" * 32,
        "supersedes": None if supersedes is None else "0x" + supersedes.hex(),
        "issued_at": issued_at,
        "signature": "0x" + "ef" * 65,
    }
    try:
        expected = canonicalize(value)
    except NotCanonicalizable:
        with pytest.raises(MalformedEntry):
            Entry.parse(value)
        return
    assert Entry.parse(value).leaf_data() == expected == rfc8785.dumps(value)
