"""Property: any single-character change to any field of a genuine bundle is rejected, and the
first failed check is the one that field maps to (FORMAT.md, "Checks").

Offline, the anchor's transaction pointers (tx_hash, block_number, block_hash, block_time) are
not bound to anything the verifier holds; `anchored_root` binds them online, which
test_chain_reads.py covers. "format" is always a possible outcome: a change can make any field
unparsable (a control character, a bad checksum, non-canonical base64).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verifier.conftest import PUBLIC_WITH_FILES, RESTRICTED, World
from verifier.bundle_verification import verify_bundle

Path = tuple[str | int, ...]
OFFLINE_UNBOUND = {"tx_hash", "block_number", "block_hash", "block_time"}

FIELD_CHECKS: dict[Path, set[str]] = {
    ("format",): set(),
    ("record_id",): {"leaf_hash"},
    ("log", "origin"): {"checkpoint_origin"},
    ("log", "vkey"): {"checkpoint_signature"},
    ("entry", "v"): set(),
    ("entry", "kind"): set(),
    ("entry", "schema"): {"leaf_hash"},
    ("entry", "subject"): {"leaf_hash"},
    ("entry", "operator"): {"leaf_hash"},
    ("entry", "content"): {"body_content_hash"},
    ("entry", "attachments"): {"attachments_hash"},
    ("entry", "issued_at"): {"leaf_hash"},
    ("entry", "signature"): {"leaf_hash"},
    ("salt",): {"body_content_hash"},
    ("anchor", "chain_id"): {"anchor_chain"},
    ("anchor", "contract"): {"anchor_chain"},
    ("anchor", "tree_size"): {"checkpoint_size"},
    ("anchor", "root"): {"checkpoint_size"},
    ("operator_registry", "chain_id"): {"signature"},
    ("operator_registry", "contract"): {"signature"},
}
"""The check each field maps to, besides "format"."""


def expected_checks(path: Path, proof: str, position: int) -> set[str]:
    """The checks a change at `position` of the value at `path` maps to (besides "format");
    `proof` is the genuine tlog-proof text."""
    if path[0] == "body":
        return {"body_content_hash"}
    if path[0] == "attachments":
        return {"attachments_hash"}
    if path[0] == "proof":
        return proof_region_checks(proof, position)
    return FIELD_CHECKS[path]


def proof_region_checks(proof: str, position: int) -> set[str]:
    """The checks a change at `position` of the tlog-proof text maps to."""
    if proof[position] == "\n":
        return set()  # a line break: the structure breaks
    lines = proof.split("\n")
    number = proof.count("\n", 0, position)
    hash_count = lines.index("", 2) - 2
    origin_line = 2 + hash_count + 1
    region = {
        1: {"index_in_range", "proof_length", "inclusion"},
        origin_line: {"checkpoint_signature"},
        origin_line + 1: {"index_in_range", "proof_length", "inclusion"},
        origin_line + 2: {"inclusion"},
        origin_line + 4: {"checkpoint_signature"},
    }
    if 2 <= number < 2 + hash_count:
        return {"inclusion"}
    return region.get(number, set())


def scalar_paths(value: Any, path: Path = ()) -> list[Path]:
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in scalar_paths(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in scalar_paths(item, (*path, i))]
    if value is None or isinstance(value, bool):
        return []
    if path[0] == "anchor" and path[-1] in OFFLINE_UNBOUND:
        return []
    return [path]


def get(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def put(value: Any, path: Path, new: Any) -> None:
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new


@st.composite
def tampered(draw: st.DrawFn, world: World) -> tuple[bytes, Path, set[str]]:
    bundle = world.log.bundle(draw(st.sampled_from([PUBLIC_WITH_FILES, RESTRICTED, 0])))
    path = draw(st.sampled_from(scalar_paths(bundle)))
    old = get(bundle, path)
    text = repr(old) if isinstance(old, float) else str(old)
    alphabet = "0123456789" if isinstance(old, (int, float)) else None
    candidates = [i for i, c in enumerate(text) if alphabet is None or c in alphabet]
    position = draw(st.sampled_from(candidates))
    replacement = draw(
        st.sampled_from(alphabet) if alphabet else st.characters(min_codepoint=0, max_codepoint=127)
    )
    if replacement == text[position]:
        replacement = "5" if text[position] != "5" else "6"
    changed = text[:position] + replacement + text[position + 1 :]
    new: Any = changed if isinstance(old, str) else type(old)(changed)
    expected = {"format"} | expected_checks(path, bundle["proof"], position)
    put(bundle, path, new)
    return json.dumps(bundle).encode(), path, expected


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_change_fails_its_own_check(world: World, data: st.DataObject) -> None:
    blob, path, expected = data.draw(tampered(world))
    result = verify_bundle(blob, world.trust(), chain=None)
    assert not result.verified, path
    assert result.failed[0].name in expected, (path, result.failed[0])


def test_every_field_of_a_genuine_bundle_is_covered(world: World) -> None:
    for index in (PUBLIC_WITH_FILES, RESTRICTED):
        for path in scalar_paths(world.log.bundle(index)):
            if path[0] not in ("body", "attachments", "proof"):
                assert path in FIELD_CHECKS, path
