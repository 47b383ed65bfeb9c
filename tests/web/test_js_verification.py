"""The page's JavaScript verification code, run under node against the shared vectors.

`node --test` runs tests/web/js/*.test.mjs: the RFC 9162 probes, the signed-note vectors, the
RFC 8785 examples, and (from the fixture written here) JCS values canonicalised by the ledger's
own verifier, EIP-712 digests and signatures made by eth-account and judged by the ledger's own
submission check (`filings.signing`), and proof bundles made by the ledger test double, checked
against JSON-RPC endpoints served over HTTP: honest ones, liars and one that is not there; and
log key rotation statements and checkpoints signed by the ledger's own `ledger.rotation`.

The committed bundle of `@noble/curves` and `@noble/hashes` the page imports must be what
`api/web/build_vendor.mjs` makes of the pinned packages.
"""

from __future__ import annotations

import json
import posixpath
import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import eth_abi
import pytest
from eth_account import Account
from eth_utils.crypto import keccak

from filings.errors import BadSignature
from filings.signing import SubmissionDomain, SubmissionMessage, recover_address
from ledger.checkpoint import Checkpoint
from ledger.entry import Entry, to_checksum_address
from ledger.merkle import Hash
from ledger.note import Signer
from ledger.rotation import KeyRotation
from tests.verifier.ledger_double import (
    OPERATOR_OF_RETURNS,
    OPERATOR_REGISTRY,
    REGISTERED_AT,
    ChainDouble,
    LogDouble,
    NoteKey,
    OperatorTimes,
    make_record,
    serve_raw_rpc,
    serve_rpc,
    sign_submission,
    signing_domain,
)
from verifier.canonical_json import canonicalize

ROOT = Path(__file__).resolve().parents[2]
JS_TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))
STATIC = ROOT / "api" / "web" / "static"
ANCHOR_ARTIFACT = ROOT / "contracts" / "artifacts" / "LedgerAnchor.json"
REGISTRY_ARTIFACT = ROOT / "contracts" / "artifacts" / "OperatorRegistry.json"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
VIETNAM = timezone(timedelta(hours=7))
FIRST_ANCHOR_TIME = 1_735_700_100
"""The block time of the test double's first anchor (`ChainDouble.anchor`)."""
CA_ONLY = 3
"""The record of the fixture's log signed with a CA certificate only: no EIP-712 signature."""
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


def _eip712_cases(rng: random.Random) -> list[dict[str, Any]]:
    """Entries signed with eth-account over varied domains and members (non-BMP subjects, a
    supersedes or none, issued_at up to 2^53 - 1), with the digest the ledger computes."""
    domains = [(31337, OPERATOR_REGISTRY), (1, to_checksum_address("0x" + rng.randbytes(20).hex())),
               (2**53 - 1, to_checksum_address("0x" + rng.randbytes(20).hex()))]
    cases = []
    for number in range(24):
        account = Account.from_key(rng.randbytes(32))
        chain_id, registry = domains[number % len(domains)]
        supersedes = None if number % 2 else "0x" + rng.randbytes(32).hex()
        entry = {"kind": rng.choice(["indicator", "permit", "report"]),
                 "schema": rng.choice(["indicator/1", "permit/1", "báo-cáo/1"]),
                 "subject": "x" + _random_text(rng), "operator": account.address,
                 "content": "0x" + rng.randbytes(32).hex(),
                 "attachments": "0x" + rng.randbytes(32).hex(), "supersedes": supersedes,
                 "issued_at": rng.choice([0, 1_735_689_600 + number, 2**53 - 1])}
        domain = signing_domain(chain_id, registry)
        entry["signature"] = "0x" + sign_submission(account.key, entry, domain).hex()
        message = SubmissionMessage(
            entry["kind"], entry["schema"], entry["subject"], bytes.fromhex(entry["content"][2:]),
            bytes.fromhex(entry["attachments"][2:]),
            None if supersedes is None else bytes.fromhex(supersedes[2:]), entry["issued_at"])
        digest = SubmissionDomain(chain_id, registry).digest(message)
        signer = to_checksum_address("0x" + recover_address(digest, entry["signature"]).hex())
        assert signer == account.address
        cases.append({"entry": entry, "digest": digest.hex(), "signer": signer,
                      "domain": {"chainId": chain_id, "verifyingContract": registry}})
    return cases


def _word(number: int) -> bytes:
    return number.to_bytes(32, "big")


def _signature_cases(rng: random.Random, digest: bytes, genuine: str) -> list[dict[str, Any]]:
    """Signatures over `digest` and whether the ledger accepts them (the signer) or not (None):
    the genuine one, its malleable twins, out-of-range r and s, and random r || s || v."""
    raw = bytes.fromhex(genuine[2:])
    r, s, v = raw[:32], int.from_bytes(raw[32:64], "big"), raw[64]
    candidates = [
        raw,
        r + _word(SECP256K1_N - s) + bytes([55 - v]),  # the high-s twin of the same signature
        r + _word(s) + bytes([v - 27]),
        r + _word(s) + bytes([29]),
        bytes(32) + _word(s) + bytes([v]),
        r + bytes(32) + bytes([v]),
        _word(SECP256K1_N) + _word(s) + bytes([v]),
        r + _word(SECP256K1_N // 2 + 1) + bytes([v]),
        r + _word(SECP256K1_N // 2) + bytes([v]),
    ]
    candidates += [rng.randbytes(32) + _word(rng.randrange(1, SECP256K1_N // 2))
                   + bytes([rng.choice([27, 28])]) for _ in range(40)]
    cases = []
    for signature in candidates:
        text = "0x" + signature.hex()
        try:
            signer: str | None = to_checksum_address("0x" + recover_address(digest, text).hex())
        except BadSignature:
            signer = None
        cases.append({"digest": digest.hex(), "signature": text, "signer": signer})
    assert any(case["signer"] is None for case in cases[9:]), "want random r with no point"
    return cases


def _operator_of_cases(rng: random.Random) -> list[dict[str, Any]]:
    """operatorOf return data encoded by eth-abi (not by the page's decoder's rules)."""
    cases = []
    for number in range(12):
        name = _random_text(rng) * rng.randrange(1, 12) if number else ""
        licence = rng.choice(["", "GP-123/2024", "Giấy phép số 7 " * 5])
        active = bool(number % 2)
        registered = 0 if number == 0 else rng.randrange(1, 2**64)
        revoked = rng.choice([0, rng.randrange(1, 2**64)])
        data = eth_abi.encode(OPERATOR_OF_RETURNS, [name, licence, active, registered, revoked])
        cases.append({"data": "0x" + data.hex(), "name": name, "licence": licence,
                      "active": active, "registeredAt": str(registered),
                      "revokedAt": str(revoked)})
    return cases


def _key_rotation_cases() -> dict[str, Any]:
    """Key rotation statements made by the ledger's own code (`ledger.rotation`): a chain
    k0 -> k1 (from size 1500) -> k2 (from 12000), checkpoints each key signed, and forgeries."""
    origin = "ledger.example.vn/hue-infra"
    k0, k1, k2, stranger = (Signer(origin, bytes([n]) * 32) for n in (11, 12, 13, 19))
    announced = 1_780_000_000

    def statement(old: Signer, new: Signer, size: int, *signers: Signer) -> str:
        rotation = KeyRotation(origin, old.verifier, new.verifier, size, announced)
        if not signers:
            return rotation.sign(old, new)
        body = rotation.text()
        return body + "\n" + "".join(signer.signature_line(body) for signer in signers)

    return {
        "origin": origin,
        "keys": [key.verifier.vkey() for key in (k0, k1, k2)],
        "time": announced,
        "day": [datetime.fromtimestamp(announced, VIETNAM).strftime("%d/%m/%Y"),
                datetime.fromtimestamp(announced, VIETNAM).date().isoformat()],
        "chain": [statement(k0, k1, 1500), statement(k1, k2, 12000)],
        "checkpoints": {str(size): Checkpoint(origin, size, Hash(bytes([size % 256]) * 32))
                        .sign(key) for size, key in ((1499, k0), (1500, k1), (11999, k1),
                                                     (12000, k2))},
        "forged": {
            "signed_by_a_stranger": statement(k0, k1, 1500, stranger, k1),
            "without_the_new_key": statement(k0, k1, 1500, k0),
            "of_another_key": statement(stranger, k1, 1500),
            "malformed": statement(k0, k1, 1500).replace("from 1500", "from 01500"),
        },
        "sizes_back": [statement(k0, k1, 12000), statement(k1, k2, 1500)],
    }


def _eip712_vectors() -> dict[str, Any]:
    rng = random.Random(712)
    cases = _eip712_cases(rng)
    first = cases[0]
    return {
        "cases": cases,
        "signatures": _signature_cases(rng, bytes.fromhex(first["digest"]),
                                       first["entry"]["signature"]),
        "addresses": [to_checksum_address("0x" + rng.randbytes(20).hex()) for _ in range(40)],
    }


@pytest.fixture(scope="module")
def fixture_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Bundles of a small genuine log (anchored at 9, one record after) and the endpoints to ask.

    Records 0-5 and 9 are by an operator active throughout, 3 of them signed with a CA
    certificate only (`"signature": null`, its leaf the ledger's own `Entry` bytes); 6 by one
    revoked before the anchor, 7 by one revoked after it, 8 by an address never registered. The
    liars answer as the honest endpoint does but for one thing: another root at size 9, the
    first operator revoked before the anchor, or malformed data for every call.
    """
    operator, revoked, later, stranger = (Account.from_key(bytes([n]) * 32) for n in (1, 2, 3, 4))
    registrations = {
        operator.address: OperatorTimes(REGISTERED_AT),
        revoked.address: OperatorTimes(REGISTERED_AT, revoked_at=FIRST_ANCHOR_TIME - 50),
        later.address: OperatorTimes(REGISTERED_AT, revoked_at=FIRST_ANCHOR_TIME + 50),
    }
    chain = ChainDouble(registrations=registrations)
    log = LogDouble(NoteKey(seed=bytes(32)), chain)
    for number in range(6):
        record = make_record(operator, number, restricted=number == 2,
                             files=FILES if number == 1 else None)
        if number == CA_ONLY:
            record.entry["signature"] = None
            assert Entry.from_json(record.entry).leaf_data() == record.data
        log.append(record)
    for number, account in enumerate((revoked, later, stranger), start=6):
        log.append(make_record(account, number))
    assert log.anchor().timestamp == FIRST_ANCHOR_TIME
    log.append(make_record(operator, 9))
    root_liar = ChainDouble(anchors=dict(chain.anchors), registrations=registrations,
                            lies={9: b"\x11" * 32})
    registry_liar = ChainDouble(anchors=dict(chain.anchors), registrations={
        **registrations,
        operator.address: OperatorTimes(REGISTERED_AT, revoked_at=FIRST_ANCHOR_TIME - 1)})
    path = tmp_path_factory.mktemp("web-js") / "fixture.json"
    with ExitStack() as stack:
        fixture = {
            "trust": log.trust([]),
            "other_vkey": NoteKey(seed=bytes([9]) * 32).vkey(),
            "rpc_url": stack.enter_context(serve_rpc(chain)),
            "lying_rpc_url": stack.enter_context(serve_rpc(root_liar)),
            "registry_liar_rpc_url": stack.enter_context(serve_rpc(registry_liar)),
            "malformed_rpc_url": stack.enter_context(serve_raw_rpc(
                b'{"jsonrpc": "2.0", "id": 1, "result": "0x1234"}')),
            "bundles": {
                "with_files": log.bundle(1),
                "ca_only": log.bundle(CA_ONLY),
                "restricted_withheld": log.bundle(2, show_body=False),
                "restricted_shown": log.bundle(2),
                "revoked_before_anchor": log.bundle(6),
                "revoked_after_anchor": log.bundle(7),
                "never_registered": log.bundle(8),
                "unanchored": log.bundle(9),
            },
            "jcs": _jcs_cases(300),
            "eip712": _eip712_vectors(),
            "operator_of": _operator_of_cases(random.Random(636)),
            "key_rotations": _key_rotation_cases(),
        }
        path.write_text(json.dumps(fixture))
        yield path


def test_the_javascript_verification_passes_under_node(fixture_file: Path) -> None:
    node = shutil.which("node")
    assert node is not None, "node is not on PATH: the page's verification code cannot be tested"
    assert len(JS_TESTS) == 8
    result = subprocess.run(
        [node, "--test", *map(str, JS_TESTS)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"PATH": str(Path(node).parent), "INFRALEDGER_WEB_FIXTURE": str(fixture_file)},
    )
    summary = dict(re.findall(r"^# (tests|pass|fail) (\d+)$", result.stdout, re.MULTILINE))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert summary["fail"] == "0"
    assert int(summary["pass"]) >= 200, summary


@pytest.mark.parametrize(("constant", "artifact", "signature", "outputs"), [
    ("ROOT_AT_SELECTOR", ANCHOR_ARTIFACT, "rootAt(uint64)", ["bytes32", "uint64"]),
    ("IS_ACTIVE_SELECTOR", REGISTRY_ARTIFACT, "isActive(address)", ["bool"]),
    ("OPERATOR_OF_SELECTOR", REGISTRY_ARTIFACT, "operatorOf(address)",
     ["string", "string", "bool", "uint64", "uint64"]),
])
def test_the_selectors_are_the_contracts(constant: str, artifact: Path, signature: str,
                                         outputs: list[str]) -> None:
    """chain.mjs calls each view by this 4-byte selector and decodes these return types."""
    source = (STATIC / "chain.mjs").read_text()
    match = re.search(constant + r' = "0x([0-9a-f]{8})"', source)
    assert match is not None
    selector = match.group(1)
    assert selector == keccak(text=signature)[:4].hex()
    compiled = json.loads(artifact.read_text())
    assert compiled["methodIdentifiers"][signature] == selector
    (view,) = [item for item in compiled["abi"] if item.get("name") == signature.split("(")[0]]
    assert [o["type"] for o in view["outputs"]] == outputs


def _imports(module: str) -> set[str]:
    """The modules under static/ that `module` imports, directly or not."""
    found: set[str] = set()
    waiting = [module]
    while waiting:
        current = waiting.pop()
        source = (STATIC / current).read_text()
        for target in re.findall(r'^import [^;]*? from "(\.[^"]+)";', source, re.MULTILINE):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
            if path not in found:
                found.add(path)
                waiting.append(path)
    return found


def test_the_record_page_preloads_every_module_it_imports() -> None:
    template = (ROOT / "api" / "web" / "templates" / "record.html").read_text()
    loop = re.search(r"\{% for module in \(([^)]*)\) %\}\s*<link rel=\"modulepreload\"", template)
    assert loop is not None
    preloaded = set(re.findall(r'"([^"]+)"', loop.group(1)))
    assert preloaded == _imports("record.mjs")
    assert "vendor/noble.mjs" in preloaded


def test_the_committed_vendor_bundle_is_what_the_pinned_packages_make() -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed to bundle the page's vendored code"
    result = subprocess.run(
        [node, str(ROOT / "api" / "web" / "build_vendor.mjs"), "--check"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_vendor_bundle_carries_the_licence_of_each_package_it_bundles() -> None:
    head = (STATIC / "vendor" / "noble.mjs").read_text().split("*/", 1)[0]
    package = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    for name in ("@noble/curves", "@noble/hashes"):
        assert f" * {name} {package[name]}\n" in head
    assert head.count("Permission is hereby granted, free of charge") == 2
