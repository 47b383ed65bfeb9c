"""The `infraledger-verify` command line: output, exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.verifier.conftest import PUBLIC_WITH_FILES, RESTRICTED, World
from tests.verifier.ledger_double import LedgerHttp, serve_get, serve_rpc
from verifier.bundle_verification import CHECKS
from verifier.cli import main


@dataclass
class Ledger:
    url: str
    rpc: str
    http: LedgerHttp


@pytest.fixture
def ledger(world: World) -> Iterator[Ledger]:
    with serve_rpc(world.chain) as rpc:
        http = LedgerHttp(world.log, rpc_urls=[rpc])
        with serve_get(http.answer) as url:
            yield Ledger(url=url, rpc=rpc, http=http)


@pytest.fixture
def trust_file(world: World, tmp_path: Path) -> Path:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(world.log.trust(["http://127.0.0.1:9/rpc"])))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_bundle(world: World, tmp_path: Path, index: int, **options: object) -> Path:
    path = tmp_path / f"bundle-{index}.json"
    path.write_bytes(world.bundle_bytes(index, **options))
    return path


def test_genuine_bundle_exits_0(world, tmp_path, trust_file, capsys) -> None:
    bundle = write_bundle(world, tmp_path, 0)
    code, out, err = run(capsys, "bundle", str(bundle), "--trust", str(trust_file), "--offline")
    lines = out.splitlines()
    assert code == 0, out
    assert err == ""
    assert [line.split()[1].rstrip(":") for line in lines[: len(CHECKS)]] == list(CHECKS)
    assert lines[0] == "PASS format: infraledger-proof/1"
    assert "SKIP anchored_root: not checked: offline" in lines
    assert lines[-1].startswith("VERIFIED: record " + world.log.records[0].leaf.hex())


def test_doctored_bundle_exits_1_naming_the_check(world, tmp_path, trust_file, capsys) -> None:
    bundle = world.log.bundle(0)
    bundle["entry"]["subject"] += "-forged"
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(bundle))
    code, out, _ = run(capsys, "bundle", str(path), "--trust", str(trust_file), "--offline")
    assert code == 1
    assert any(line.startswith("FAIL leaf_hash: entry hashes to ") for line in out.splitlines())
    assert out.splitlines()[-1].startswith("NOT VERIFIED: failed leaf_hash")


def test_json_output(world, tmp_path, trust_file, capsys) -> None:
    bundle = write_bundle(world, tmp_path, 1)
    code, out, _ = run(
        capsys, "bundle", str(bundle), "--trust", str(trust_file), "--offline", "--json"
    )
    report = json.loads(out)
    assert code == 0 and report["verified"] is True
    assert [c["name"] for c in report["checks"]] == list(CHECKS)


@pytest.mark.parametrize(
    "argv",
    [
        ["bundle"],
        ["bundle", "missing.json", "--offline"],
        ["frobnicate"],
        ["bundle", "{bundle}", "--trust", "missing-trust.json"],
        ["bundle", "{bundle}", "--trust", "{bad_trust}"],
        ["bundle", "{bundle}", "--trust", "{trust}", "--offline", "--salt", "0x00"],
        ["bundle", "{bundle}", "--trust", "{trust}", "--offline", "--body", "missing-body.json"],
        ["bundle", "{bundle}", "--trust", "{trust}", "--offline", "--document", "missing.pdf"],
        ["bundle", "{bundle}", "--trust", "{trust}", "--block", "yesterday"],
        ["bundle", "{bundle}", "--trust", "{trust}"],
        ["record", "not-an-id", "--ledger", "http://127.0.0.1:9", "--trust", "{trust}"],
        ["record", "ab" * 32, "--ledger", "http://127.0.0.1:9", "--trust", "{trust}"],
        ["monitor", "--ledger", "http://127.0.0.1:9", "--interval", "-1"],
        ["trust", "init", "--ledger", "http://127.0.0.1:9", "--out", "{tmp}/new.json"],
    ],
)
def test_usage_and_io_errors_exit_2_with_one_line(
    world, tmp_path, trust_file, capsys, monkeypatch, argv
) -> None:
    monkeypatch.chdir(tmp_path)
    bad_trust = tmp_path / "bad.json"
    bad_trust.write_text('{"origin": "x"}')
    bundle = write_bundle(world, tmp_path, 0)
    argv = [
        a.format(bundle=bundle, trust=trust_file, bad_trust=bad_trust, tmp=tmp_path) for a in argv
    ]
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("infraledger-verify: error: "), err
    assert "Traceback" not in err


def test_withheld_body_supplied_with_its_salt(world, tmp_path, trust_file, capsys) -> None:
    record = world.log.records[RESTRICTED]
    bundle = write_bundle(world, tmp_path, RESTRICTED, show_body=False)
    body = tmp_path / "body.json"
    body.write_text(json.dumps(record.body))
    base = ["bundle", str(bundle), "--trust", str(trust_file), "--offline"]
    code, out, _ = run(capsys, *base)
    assert code == 0 and "SKIP body_content_hash: not checked: body withheld" in out
    code, out, _ = run(capsys, *base, "--body", str(body), "--salt", "0x" + record.salt.hex())
    assert code == 0 and "PASS body_content_hash: salted body matches entry.content" in out
    code, out, _ = run(capsys, *base, "--body", str(body), "--salt", "0x" + "11" * 32)
    assert code == 1 and "NOT VERIFIED: failed body_content_hash" in out


def test_documents(world, tmp_path, trust_file, capsys) -> None:
    bundle = write_bundle(world, tmp_path, PUBLIC_WITH_FILES)
    files = []
    for name, data in world.files.items():
        files.append(tmp_path / name)
        files[-1].write_bytes(data)
    base = ["bundle", str(bundle), "--trust", str(trust_file), "--offline", "--document"]
    code, out, _ = run(capsys, *base, *map(str, files))
    assert code == 0 and "PASS documents: documents match attachments" in out
    files[0].write_bytes(b"edited after the fact")
    code, out, _ = run(capsys, *base, *map(str, files))
    assert code == 1 and "FAIL documents: document" in out


def test_trust_init_pins_the_ledger_on_first_use(world, ledger, tmp_path, capsys) -> None:
    out_file = tmp_path / "pinned.json"
    code, out, _ = run(capsys, "trust", "init", "--ledger", ledger.url, "--out", str(out_file))
    assert code == 0
    assert "Trusted on first use" in out and "out of band" in out
    assert world.log.key.vkey() in out
    pinned = json.loads(out_file.read_text())
    assert pinned == world.log.trust([ledger.rpc])
    code, _, err = run(capsys, "trust", "init", "--ledger", ledger.url, "--out", str(out_file))
    assert code == 2 and "--force" in err
    code, _, _ = run(
        capsys, "trust", "init", "--ledger", ledger.url, "--out", str(out_file), "--force"
    )
    assert code == 0


def test_trust_init_resolves_relative_rpc_urls(world, tmp_path, capsys) -> None:
    http = LedgerHttp(world.log, rpc_urls=["/chain/rpc"])
    with serve_get(http.answer) as url:
        code, _, _ = run(capsys, "trust", "init", "--ledger", url, "--out", str(tmp_path / "t"))
    assert code == 0
    assert json.loads((tmp_path / "t").read_text())["rpc_urls"] == [url + "/chain/rpc"]


def test_record_online(world, ledger, tmp_path, capsys) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(world.log.trust([ledger.rpc])))
    record_id = world.log.records[42].leaf.hex()
    code, out, _ = run(
        capsys, "record", record_id.upper(), "--ledger", ledger.url, "--trust", str(trust)
    )
    assert code == 0, out
    assert "PASS operator_active:" in out and "PASS anchored_root:" in out
    assert f"/v1/records/{record_id}/proof" in ledger.http.requests


def test_record_answered_with_another_records_bundle(world, ledger, tmp_path, capsys) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(world.log.trust([ledger.rpc])))
    asked = world.log.records[42].leaf.hex()
    ledger.http.overrides[f"/v1/records/{asked}/proof"] = world.bundle_bytes(43)
    code, out, _ = run(
        capsys, "record", asked, "--ledger", ledger.url, "--trust", str(trust), "--offline"
    )
    assert code == 1
    assert f"FAIL leaf_hash: bundle is for record {world.log.records[43].leaf.hex()}" in out


def test_unknown_record_is_an_io_error(world, ledger, trust_file, capsys) -> None:
    code, out, err = run(
        capsys, "record", "ab" * 32, "--ledger", ledger.url, "--trust", str(trust_file), "--offline"
    )
    assert code == 2 and out == ""
    assert "HTTP 404" in err and len(err.splitlines()) == 1


def test_rpc_override_and_quorum(world, ledger, trust_file, tmp_path, capsys) -> None:
    bundle = write_bundle(world, tmp_path, 3)
    code, out, _ = run(
        capsys,
        "bundle",
        str(bundle),
        "--trust",
        str(trust_file),
        "--rpc",
        ledger.rpc,
        "--block",
        "latest",
    )
    assert code == 0, out


def test_console_script_never_prints_a_traceback(world, tmp_path, trust_file) -> None:
    script = Path(sys.executable).with_name("infraledger-verify")
    bundle = write_bundle(world, tmp_path, 0)
    ok = subprocess.run(
        [script, "bundle", str(bundle), "--trust", str(trust_file), "--offline"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    bundle.write_text("{")
    bad = subprocess.run(
        [script, "bundle", str(bundle), "--trust", str(trust_file), "--offline"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1 and "FAIL format:" in bad.stdout
    missing = subprocess.run(
        [script, "bundle", "nope.json"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr
