"""Canonical JSON (RFC 8785) and the entry object."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.canonical import canonical_json, parse_json
from ledger.entry import (
    MAX_ENTRY_BYTES,
    Entry,
    entry_leaf_hash,
    is_checksum_address,
    parse_record_id,
    record_id,
    to_checksum_address,
)
from ledger.errors import EntryTooLarge, InvalidEntry

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_matches_the_rfc8785_reference(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


def test_keys_sort_by_utf16_code_units() -> None:
    value = {"\U0001f600": 1, "\ufb01": 2, "a": 3}
    assert canonical_json(value) == rfc8785.dumps(value)
    text = canonical_json(value).decode()
    assert text.index("\U0001f600") < text.index("\ufb01")


@pytest.mark.parametrize("value", [2**53, float("nan"), {1: 2}, b"bytes", {"a": {1, 2}}, "\ud800"])
def test_values_without_a_canonical_form_are_refused(value: Any) -> None:
    with pytest.raises(InvalidEntry):
        canonical_json(value)


def test_depth_is_bounded() -> None:
    deep: Any = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(InvalidEntry, match="deeper"):
        canonical_json(deep)
    with pytest.raises(InvalidEntry):
        parse_json(json.dumps(deep))


@pytest.mark.parametrize("text", ['{"a":1,"a":2}', "[NaN]", "{", '{"a":1}x'])
def test_parse_json_is_strict(text: str) -> None:
    with pytest.raises(InvalidEntry):
        parse_json(text)


OPERATOR = to_checksum_address("0x" + "ab" * 20)


def good_entry(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "v": 1, "kind": "indicator", "schema": "indicator/1",
        "subject": "indicator:bts_shared_ratio:hue:2024", "operator": OPERATOR,
        "content": "0x" + "11" * 32, "attachments": "0x" + "22" * 32, "supersedes": None,
        "issued_at": 1_700_000_000, "signature": "0x" + "33" * 65,
    }
    value.update(changes)
    return value


def test_entry_round_trip_and_record_id() -> None:
    entry = Entry.from_json(good_entry())
    assert entry.to_json() == good_entry()
    assert entry.leaf_data() == rfc8785.dumps(good_entry())
    leaf = entry_leaf_hash(entry)
    assert parse_record_id(record_id(leaf)) == leaf
    assert parse_record_id("0x" + record_id(leaf)) == leaf


def test_an_entry_signed_with_a_ca_certificate_only_has_a_null_signature() -> None:
    value = good_entry(signature=None)
    entry = Entry.from_json(value)
    assert entry.signature is None and entry.to_json() == value
    assert entry.leaf_data() == rfc8785.dumps(value)
    assert b'"signature":null' in entry.leaf_data()
    assert entry_leaf_hash(entry) != entry_leaf_hash(Entry.from_json(good_entry()))


@pytest.mark.parametrize(("changes", "message"), [
    ({"v": 2}, "version"),
    ({"v": True}, "version"),
    ({"kind": "Licence"}, "kind"),
    ({"kind": "a" * 33}, "kind"),
    ({"kind": "licence"}, "schema"),  # any kind name is the log's; it must match the schema
    ({"schema": "permit/1"}, "schema"),
    ({"schema": "indicator/01"}, "schema"),
    ({"subject": ""}, "subject"),
    ({"subject": "a\nb"}, "subject"),
    ({"subject": "x" * 201}, "subject"),
    ({"subject": 5}, "subject"),
    ({"operator": OPERATOR.lower()}, "EIP-55"),
    ({"content": "0x" + "AB" * 32}, "content"),
    ({"attachments": "11" * 32}, "attachments"),
    ({"supersedes": "0x12"}, "supersedes"),
    ({"issued_at": -1}, "issued_at"),
    ({"issued_at": 1.5}, "issued_at"),
    ({"issued_at": "1700000000"}, "issued_at"),
    ({"signature": "0x" + "33" * 64}, "signature"),
    ({"signature": ""}, "signature"),
    ({"signature": 0}, "signature"),
    ({"extra": 1}, "unexpected"),
])
def test_bad_entries_name_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidEntry, match=message):
        Entry.from_json(good_entry(**changes))


def test_missing_fields_and_wrong_types() -> None:
    value = good_entry()
    del value["content"]
    with pytest.raises(InvalidEntry, match="missing"):
        Entry.from_json(value)
    with pytest.raises(InvalidEntry, match="object"):
        Entry.from_json([good_entry()])


def test_oversized_entry_is_refused() -> None:
    entry = Entry.from_json(good_entry())
    huge = Entry("indicator", "indicator/1", "x" * MAX_ENTRY_BYTES, OPERATOR, entry.content,
                 entry.attachments, None, 1, entry.signature)
    with pytest.raises(EntryTooLarge):
        huge.leaf_data()


def test_checksum_addresses() -> None:
    assert to_checksum_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") == (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert is_checksum_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    assert not is_checksum_address("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
    with pytest.raises(InvalidEntry):
        to_checksum_address("0x123")


@settings(max_examples=300)
@given(st.binary(min_size=20, max_size=20), st.booleans())
def test_checksum_addresses_match_eth_utils(raw: bytes, upper: bool) -> None:
    """EIP-55 against the reference implementation, first seen and remembered, any input case."""
    from eth_utils.address import to_checksum_address as reference_checksum

    given_form = "0x" + (raw.hex().upper() if upper else raw.hex())
    want = reference_checksum(given_form)
    assert to_checksum_address(given_form) == want
    assert to_checksum_address(given_form) == want
    assert is_checksum_address(want)
    assert is_checksum_address(given_form) == (given_form == want)


def test_entries_with_wide_values_take_the_exact_encoder() -> None:
    """An object with a float, a big integer or a non-ASCII key skips the flat fast path."""
    assert canonical_json({"a": 1.5, "b": "x"}) == rfc8785.dumps({"a": 1.5, "b": "x"})
    assert canonical_json({"é": 1, "e": None}) == rfc8785.dumps({"é": 1, "e": None})
    with pytest.raises(InvalidEntry):
        canonical_json({"a": 2**53})
    with pytest.raises(InvalidEntry):
        canonical_json({"a": "\ud800"})


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False)
       | st.floats(1e-5, 1e17) | st.floats(-1e17, -1e-5) | st.integers(-10**17, 10**17).map(float))
def test_floats_on_the_fast_path_match_rfc8785(value: float) -> None:
    """Floats written alike by Python and ECMAScript skip the reference encoder; the others, at
    the edges of the decimal range and integral ones, still match it."""
    for document in ({"value": value, "unit": "%"}, [value, 0.1, 1e-4, 9999999999999998.0]):
        assert canonical_json(document) == rfc8785.dumps(document)
