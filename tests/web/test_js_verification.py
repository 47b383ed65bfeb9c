"""The page's JavaScript verification code, run under node against the shared vectors.

`node --test` runs tests/web/js/*.test.mjs: the RFC 9162 probes, the signed-note vectors, the
RFC 8785 examples, and (from the fixture written here) JCS values canonicalised by the ledger's
own verifier and proof bundles made by the ledger test double, checked against a JSON-RPC
endpoint served over HTTP.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from tests.verifier.ledger_double import (
    ChainDouble,
    LogDouble,
    NoteKey,
    make_record,
    serve_rpc,
)
from verifier.canonical_json import canonicalize

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))
STATIC = ROOT / "api" / "web" / "static"
ANCHOR_ARTIFACT = ROOT / "contracts" / "artifacts" / "LedgerAnchor.json"
FILES = [("report.pdf", b"%PDF-1.7 coverage\n" * 30, "application/pdf"),
         ("map.geojson", b'{"type":"FeatureCollection"}', "application/geo+json")]


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value with the shapes JCS must get right: floats, escapes, non-BMP keys."""
    choice = rng.randrange(9 if depth < 4 else 6)
    if choice == 0:
        return rng.choice([None, True, False])
    if choice == 1:
        return rng.randint(-(2**53) + 1, 2**53 - 1)
    if choice == 2:
        return rng.choice([rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randint(-320, 300),
                           -0.0, 0.1 + 0.2, 5e-324, 1e21, 1e-7])
    if choice == 3:
        return rng.randint(-1000, 1000) / 8
    if choice in (4, 5):
        return _random_text(rng)
    if choice in (6, 7):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_random_text(rng): _random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def _random_text(rng: random.Random) -> str:
    alphabet = ("aZ09 \"\\/\x00\x1f\x7f\u00e9\u0111\u1ebf\u2028\u20ac\ufb33"
                "\U0001f600\U00010000\r\n\t")
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(6)))


def _jcs_cases(count: int) -> list[dict[str, str]]:
    rng = random.Random(254)
    cases = []
    for _ in range(count):
        value = _random_value(rng)
        cases.append({"json": json.dumps(value), "canonical": canonicalize(value).decode()})
    return cases


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Bundles of a small genuine log (anchored at 6, one record after), and two endpoints."""
    operator = Account.from_key(bytes(range(1, 33)))
    chain = ChainDouble(active={operator.address})
    log = LogDouble(NoteKey(seed=bytes(32)), chain)
    for number in range(6):
        log.append(make_record(operator, number, restricted=number == 2,
                               files=FILES if number == 1 else None))
    log.anchor()
    log.append(make_record(operator, 6))
    liar = ChainDouble(anchors=dict(chain.anchors), lies={6: b"\x11" * 32})
    path = tmp_path_factory.mktemp("web-js") / "fixture.json"
    with ExitStack() as stack:
        fixture = {
            "trust": log.trust([]),
            "other_vkey": NoteKey(seed=bytes([9]) * 32).vkey(),
            "rpc_url": stack.enter_context(serve_rpc(chain)),
            "lying_rpc_url": stack.enter_context(serve_rpc(liar)),
            "bundles": {
                "with_files": log.bundle(1),
                "restricted_withheld": log.bundle(2, show_body=False),
                "restricted_shown": log.bundle(2),
                "unanchored": log.bundle(6),
            },
            "jcs": _jcs_cases(300),
        }
        path.write_text(json.dumps(fixture))
        yield path


def test_the_javascript_verification_passes_under_node(fixture_file: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is not on PATH: the page's verification code cannot be tested"
    assert len(JS_TESTS) == 4
    result = subprocess.run(
        [node, "--test", *map(str, JS_TESTS)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"PATH": str(Path(node).parent), "INFRALEDGER_WEB_FIXTURE": str(fixture_file)},
    )
    summary = dict(re.findall(r"^# (tests|pass|fail) (\d+)$", result.stdout, re.MULTILINE))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert summary["fail"] == "0"
    assert int(summary["pass"]) >= 130, summary


def test_the_root_at_selector_is_the_contracts() -> None:
    """chain.mjs calls LedgerAnchor.rootAt(uint64) by this 4-byte selector."""
    source = (STATIC / "chain.mjs").read_text()
    match = re.search(r'ROOT_AT_SELECTOR = "0x([0-9a-f]{8})"', source)
    assert match is not None
    selector = match.group(1)
    assert selector == keccak(text="rootAt(uint64)")[:4].hex()
    artifact = json.loads(ANCHOR_ARTIFACT.read_text())
    assert artifact["methodIdentifiers"]["rootAt(uint64)"] == selector
    (root_at,) = [item for item in artifact["abi"] if item.get("name") == "rootAt"]
    assert [o["type"] for o in root_at["outputs"]] == ["bytes32", "uint64"]
