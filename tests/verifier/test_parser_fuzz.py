"""Fuzz: malformed input of any parser raises a VerificationError subclass, and nothing else."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verifier.conftest import RESTRICTED, World
from tests.verifier.ledger_double import NoteKey, checkpoint_text
from verifier.address import parse_address
from verifier.bundle import ProofBundle
from verifier.bundle_verification import Status, verify_bundle
from verifier.canonical_json import parse_json
from verifier.checkpoint import Checkpoint, SignedCheckpoint
from verifier.commitments import parse_attachment_list
from verifier.encodings import decode_base64, decode_hex
from verifier.entry import Entry
from verifier.errors import VerificationError
from verifier.monitor import MonitorState
from verifier.signed_note import SignedNote, VerifierKey
from verifier.tiles import parse_entry_bundle, parse_tile
from verifier.tlog_proof import TlogProof
from verifier.trust import Trust

FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

NOTE = NoteKey(seed=bytes(32)).sign(checkpoint_text("example.com/log", 7, bytes(range(32))))
HASH = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
PROOF = f"c2sp.org/tlog-proof@v1\nindex 3\n{HASH}\n\n{NOTE}"

TEXT_PARSERS: dict[str, tuple[Callable[[str], object], str]] = {
    "signed note": (SignedNote.parse, NOTE),
    "checkpoint": (Checkpoint.parse, NOTE.split("\n\n")[0] + "\n"),
    "signed checkpoint": (SignedCheckpoint.parse, NOTE),
    "tlog-proof": (TlogProof.parse, PROOF),
    "verifier key": (VerifierKey.parse, NoteKey(seed=bytes(32)).vkey()),
    "json": (parse_json, '{"a": [1, 2.5, "x", null, true]}'),
    "hex": (lambda t: decode_hex(t, what="x", size=4, prefixed=True), "0x0a0b0c0d"),
    "base64": (lambda t: decode_base64(t, what="x", size=4), "AQIDBA=="),
    "address": (lambda t: parse_address(t, what="x"), "0x5FbDB2315678afecb367f032d93F642f64180aa3"),
}


def mutations(seed: str) -> st.SearchStrategy[str]:
    """Truncations, single replacements, insertions and deletions of a valid input."""
    positions = st.integers(min_value=0, max_value=len(seed))
    chars = st.characters(max_codepoint=0x2FFF)
    return st.one_of(
        positions.map(lambda i: seed[:i]),
        st.tuples(positions, chars).map(lambda p: seed[: p[0]] + p[1] + seed[p[0] + 1 :]),
        st.tuples(positions, st.text(max_size=4)).map(lambda p: seed[: p[0]] + p[1] + seed[p[0] :]),
        st.tuples(positions, positions).map(lambda p: seed[: min(p)] + seed[max(p) :]),
        st.text(max_size=200),
    )


@pytest.mark.parametrize("name", sorted(TEXT_PARSERS))
@FUZZ
@given(data=st.data())
def test_text_parsers_raise_only_verification_errors(name: str, data: st.DataObject) -> None:
    parse, seed = TEXT_PARSERS[name]
    parse(seed)
    text = data.draw(mutations(seed))
    with contextlib.suppress(VerificationError):
        parse(text)


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3)
    ),
    max_leaves=8,
)

VALUE_PARSERS: dict[str, Callable[[Any], object]] = {
    "entry": Entry.parse,
    "bundle": ProofBundle.parse,
    "trust": Trust.parse,
    "log info": lambda v: Trust.from_log_info(v, "http://127.0.0.1:9"),
    "monitor state": MonitorState.parse,
    "attachments": lambda v: parse_attachment_list(v, what="attachments"),
}


@pytest.mark.parametrize("name", sorted(VALUE_PARSERS))
@FUZZ
@given(value=json_values)
def test_value_parsers_raise_only_verification_errors(name: str, value: Any) -> None:
    with contextlib.suppress(VerificationError):
        VALUE_PARSERS[name](value)


def paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        found += [p for key, item in value.items() for p in paths(item, (*path, key))]
    elif isinstance(value, list):
        found += [p for i, item in enumerate(value) for p in paths(item, (*path, i))]
    return found


@FUZZ
@given(data=st.data())
def test_bundle_with_any_member_replaced_fails_without_raising(
    world: World, data: st.DataObject
) -> None:
    bundle = world.log.bundle(RESTRICTED)
    path = data.draw(st.sampled_from(paths(bundle)[1:]))
    replacement = data.draw(json_values)
    target = bundle
    for key in path[:-1]:
        target = target[key]
    if target[path[-1]] == replacement or path[0] == "body" or path == ("anchor",):
        return  # an equal value, another body, or no anchor at all can be genuine
    target[path[-1]] = replacement
    try:
        blob = json.dumps(bundle, allow_nan=True)
    except ValueError:
        return
    result = verify_bundle(blob, world.trust(), chain=None)
    if path[0] != "anchor" or path[-1] not in (
        "tx_hash",
        "block_number",
        "block_hash",
        "block_time",
    ):
        assert not result.verified, path
    assert all(c.status in Status for c in result.checks)


@FUZZ
@given(blob=st.binary(max_size=300))
def test_bundle_bytes_never_raise(world: World, blob: bytes) -> None:
    result = verify_bundle(blob, world.trust(), chain=None)
    assert result.failed[0].name == "format"


@FUZZ
@given(blob=st.binary(max_size=600), count=st.integers(min_value=1, max_value=256))
def test_tiles_and_entry_bundles(blob: bytes, count: int) -> None:
    for parse in (parse_entry_bundle, parse_tile):
        with contextlib.suppress(VerificationError):
            parse(blob, count, what="fuzz")
