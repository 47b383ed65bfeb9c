"""Reading leaf data as an entry: the one-expression fast path against `Entry.parse`.

`Entry.from_leaf_data` reads an entry in RFC 8785 form with one regular expression; anything
else goes through the strict JSON reader, `Entry.parse` and a re-encoding. The fast path must
never accept what that reference refuses, nor read a value differently.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.entry import Entry as LedgerEntry
from verifier.canonical_json import canonicalize, parse_json
from verifier.entry import Entry, _canonical_entry
from verifier.errors import MalformedEntry, VerificationError

OPERATORS = (
    "0xc5898d2C3dA3bf691b9db6Bd9373ACB02a466444",
    "0x5FbDB2315678afecb367f032d93F642f64180aa3",
)
PLAIN = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\'), min_size=1
).filter(lambda text: all(ord(c) >= 0x20 for c in text))
"""Strings that RFC 8785 writes without an escape."""


def entry_value(**fields: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "v": 1,
        "kind": "indicator",
        "schema": "indicator/1",
        "subject": "hue/phong-dien/village-7",
        "operator": OPERATORS[0],
        "content": "0x" + "ab" * 32,
        "attachments": "0x" + "cd" * 32,
        "supersedes": None,
        "issued_at": 1_735_689_600,
        "signature": "0x" + "ef" * 65,
    }
    value.update(fields)
    return value


def reference(data: bytes) -> Entry | type[VerificationError]:
    """What the strict path makes of `data`: the entry, or the class of the error it raises."""
    try:
        entry = Entry.parse(parse_json(data))
    except VerificationError as exc:
        return type(exc)
    return entry if entry.leaf_data() == data else MalformedEntry


entries = st.builds(
    entry_value,
    kind=st.sampled_from(["indicator", "permit", "report"]),
    schema=PLAIN,
    subject=PLAIN | st.text(min_size=1),
    operator=st.sampled_from(OPERATORS),
    content=st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()),
    supersedes=st.none() | st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()),
    issued_at=st.integers(min_value=0, max_value=2**53 - 1),
    signature=st.none() | st.binary(min_size=65, max_size=65).map(lambda b: "0x" + b.hex()),
)
"""Entries signed with EIP-712 or, signature null, with a CA certificate only."""


@settings(max_examples=400, deadline=None)
@given(entries)
def test_the_fast_path_reads_every_entry_as_parse_does(value: dict[str, Any]) -> None:
    try:
        data = canonicalize(value)
    except VerificationError:
        return  # a lone surrogate: no leaf data to read
    expected = Entry.parse(value)
    fast = _canonical_entry(data)
    plain = all('"' not in value[k] and "\\" not in value[k] for k in ("schema", "subject"))
    plain = plain and all(ord(c) >= 0x20 for c in value["schema"] + value["subject"])
    assert (fast is not None) is plain
    assert Entry.from_leaf_data(data) == expected
    assert Entry.from_leaf_data(data).leaf_data() == data
    if fast is not None:
        assert fast == expected and fast.leaf_data() == data


@st.composite
def edited_leaves(draw: st.DrawFn) -> bytes:
    """A genuine leaf with a few bytes replaced, inserted or deleted."""
    data = bytearray(canonicalize(draw(entries.filter(_encodable))))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        byte = draw(st.sampled_from(b' "\\0aAfF9:,{}x\x00\x7f\xc3\xa9\xed') | st.integers(0, 255))
        edit = draw(st.sampled_from(["replace", "insert", "delete"]))
        if edit == "replace":
            data[at] = byte
        elif edit == "insert":
            data.insert(at, byte)
        else:
            del data[at]
    return bytes(data)


def _encodable(value: dict[str, Any]) -> bool:
    try:
        canonicalize(value)
    except VerificationError:
        return False
    return True


@settings(max_examples=1500, deadline=None)
@given(edited_leaves())
def test_the_fast_path_never_accepts_what_parse_refuses(data: bytes) -> None:
    expected = reference(data)
    fast = _canonical_entry(data)
    if isinstance(expected, Entry):
        assert fast is None or fast == expected
        assert Entry.from_leaf_data(data) == expected
    else:
        assert fast is None
        with pytest.raises(expected):
            Entry.from_leaf_data(data)


@pytest.mark.parametrize(
    "data",
    [
        json.dumps(entry_value()).encode(),  # whitespace
        json.dumps(entry_value(), separators=(",", ":")).encode(),  # members out of order
        canonicalize(entry_value()).replace(b"ab", b"AB", 1),  # uppercase hex
        canonicalize(entry_value(schema="a/b")).replace(b"a/b", b"a\\/b"),  # escaped solidus
        canonicalize(entry_value()).replace(b"indicator/1", b"\\u0069ndicator/1"),
        canonicalize(entry_value()).replace(b"1735689600", b"1735689600.0"),
        canonicalize(entry_value()).replace(b"1735689600", b"01735689600"),
        canonicalize(entry_value(operator=OPERATORS[0].lower())),  # not EIP-55
        canonicalize(entry_value(issued_at=2**53 - 1)).replace(b"9007199254740991", b"9" * 16),
        canonicalize(entry_value(subject="x" * 70_000)),  # over 64 KiB
    ],
)
def test_other_forms_are_refused(data: bytes) -> None:
    assert _canonical_entry(data) is None
    with pytest.raises(VerificationError):
        Entry.from_leaf_data(data)


def test_a_form_other_than_rfc8785_is_named() -> None:
    with pytest.raises(MalformedEntry, match="not in RFC 8785 form"):
        Entry.from_leaf_data(json.dumps(entry_value(), sort_keys=True).encode())


def test_an_entry_signed_with_a_ca_certificate_only_reads_and_round_trips() -> None:
    value = entry_value(signature=None, supersedes="0x" + "12" * 32)
    data = canonicalize(value)
    assert b'"signature":null,' in data
    assert data == LedgerEntry.from_json(value).leaf_data()  # as the ledger hashes it
    fast = _canonical_entry(data)
    assert fast is not None and fast.signature is None and fast.ca_signed_only
    for entry in (fast, Entry.from_leaf_data(data), Entry.parse(value)):
        assert entry == fast and entry.leaf_data() == data and entry.to_json() == value
    assert Entry.parse(json.loads(data)).leaf_hash() == fast.leaf_hash()
    signed = Entry.parse(entry_value())
    assert signed.signature == bytes.fromhex("ef" * 65) and not signed.ca_signed_only


@pytest.mark.parametrize(
    "signature",
    ["0x", "0x" + "ef" * 64, "0x" + "ef" * 66, "0x" + "EF" * 65, "ef" * 65, "", "null", 0, False,
     [], {}],
)
def test_a_malformed_signature_is_still_refused(signature: object) -> None:
    value = entry_value(signature=signature)
    with pytest.raises(MalformedEntry, match="signature"):
        Entry.parse(value)
    data = canonicalize(value)
    assert _canonical_entry(data) is None
    with pytest.raises(MalformedEntry):
        Entry.from_leaf_data(data)
