"""The `infraledger-verify` command line: output, exit codes 0 verified / 1 a finding / 2 could
not check, one-line errors, records not in the ledger and corrected records, `--help`."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from tests.verifier.conftest import PUBLIC_WITH_FILES, RESTRICTED, World
from tests.verifier.ledger_double import (
    ChainDouble,
    LedgerHttp,
    LogDouble,
    NoteKey,
    make_record,
    serve_get,
    serve_rpc,
)
from verifier.bundle_verification import CHECKS
from verifier.cli import _build_parser, main


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
        ["trust", "init", "--ledger", "http://127.0.0.1:9", "--trust", "{tmp}/new.json"],
        ["trust", "init", "--ledger", "http://127.0.0.1:9", "--trust", "a", "--out", "b"],
        ["audit", "--trust", "{trust}"],
        ["bundle", "{bundle}", "--lang", "fr"],
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
    code, out, err = run(capsys, "trust", "init", "--ledger", ledger.url, "--trust", str(out_file))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        f"Trusted on first use: wrote {out_file} from {ledger.url}/v1/log."
    )
    assert "out of band" in out
    assert world.log.key.vkey() in out
    pinned = json.loads(out_file.read_text())
    assert pinned == world.log.trust([ledger.rpc])
    code, _, err = run(capsys, "trust", "init", "--ledger", ledger.url, "--trust", str(out_file))
    assert code == 2
    assert err == (
        f"infraledger-verify: error: {out_file} exists; pass --force to replace the pinned trust\n"
    )
    code, _, _ = run(
        capsys, "trust", "init", "--ledger", ledger.url, "--trust", str(out_file), "--force"
    )
    assert code == 0


def test_trust_init_keeps_out_as_a_deprecated_alias(world, ledger, tmp_path, capsys) -> None:
    out_file = tmp_path / "pinned.json"
    code, out, err = run(capsys, "trust", "init", "--ledger", ledger.url, "--out", str(out_file))
    assert code == 0
    assert err == "infraledger-verify: --out is deprecated: use --trust FILE\n"
    assert out.startswith(f"Trusted on first use: wrote {out_file} ")
    assert json.loads(out_file.read_text()) == world.log.trust([ledger.rpc])


def test_trust_init_json(world, ledger, tmp_path, capsys) -> None:
    out_file = tmp_path / "pinned.json"
    code, out, _ = run(
        capsys, "trust", "init", "--ledger", ledger.url, "--trust", str(out_file), "--json"
    )
    result = json.loads(out)
    assert (code, result["result"], result["exit_code"]) == (0, "pinned", 0)
    assert result["trust"] == world.log.trust([ledger.rpc]) == json.loads(out_file.read_text())
    assert result["message"].startswith("Trusted on first use: ")


def test_trust_init_resolves_relative_rpc_urls(world, tmp_path, capsys) -> None:
    http = LedgerHttp(world.log, rpc_urls=["/chain/rpc"])
    with serve_get(http.answer) as url:
        code, _, _ = run(capsys, "trust", "init", "--ledger", url, "--trust", str(tmp_path / "t"))
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


def test_a_record_not_in_this_ledger_is_a_finding(world, ledger, trust_file, capsys) -> None:
    argv = ["record", "ab" * 32, "--ledger", ledger.url, "--trust", str(trust_file), "--offline"]
    code, out, err = run(capsys, *argv)
    assert (code, err) == (1, "")
    assert out == (
        f"NOT FOUND: record {'ab' * 32} is not in this ledger (ledger.example.vn/hue-infra): "
        "the pinned log answered HTTP 404\n"
    )
    assert "/v1/log" in ledger.http.requests  # the 404 came from the pinned log
    code, out, _ = run(capsys, *argv, "--json")
    result = json.loads(out)
    assert code == 1
    assert (result["result"], result["exit_code"], result["verified"]) == ("not-found", 1, False)
    assert result["message"].startswith("NOT FOUND: record ")


def test_a_404_from_another_log_could_not_be_checked(world, ledger, tmp_path, capsys) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps({**world.log.trust([ledger.rpc]), "vkey": NoteKey().vkey()}))
    code, out, err = run(
        capsys, "record", "ab" * 32, "--ledger", ledger.url, "--trust", str(trust), "--offline"
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"infraledger-verify: error: {ledger.url} serves the log ")
    assert "not the pinned log ledger.example.vn/hue-infra" in err
    assert len(err.splitlines()) == 1


def test_a_record_not_checkpointed_yet_could_not_be_checked(world, ledger, trust_file, capsys):
    record_id = world.log.records[3].leaf.hex()
    ledger.http.errors[f"/v1/records/{record_id}/proof"] = (404, "not_checkpointed")
    code, out, err = run(
        capsys, "record", record_id, "--ledger", ledger.url, "--trust", str(trust_file), "--offline"
    )
    assert (code, out) == (2, "")
    assert err == (
        f"infraledger-verify: error: could not check: record {record_id} is in the ledger, but "
        "no signed checkpoint covers it yet: retry in a few seconds\n"
    )


def test_json_always_prints_a_result(world, tmp_path, trust_file, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "bundle", "missing.json", "--trust", str(trust_file), "--json")
    result = json.loads(out)
    assert code == 2
    assert result == {
        "result": "could-not-check",
        "exit_code": 2,
        "error": "file",
        "message": "No such file or directory: missing.json",
    }
    assert err == "infraledger-verify: error: No such file or directory: missing.json\n"
    code, out, _ = run(capsys, "bundle", "--json")
    assert (code, json.loads(out)["error"]) == (2, "usage")
    bundle = write_bundle(world, tmp_path, 0)
    code, out, _ = run(
        capsys, "bundle", str(bundle), "--trust", str(trust_file), "--offline", "--json"
    )
    result = json.loads(out)
    assert (code, result["result"], result["exit_code"]) == (0, "verified", 0)
    assert result["message"] == (
        f"VERIFIED: record {world.log.records[0].leaf.hex()} "
        "(documents, operator_active, anchored_root not checked)"
    )


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


# Corrected records: a record the ledger says is superseded is named so, and the claim is checked.


@dataclass
class Corrected:
    """A served log of four anchored records: record 2 corrects record 0; record 3, signed by
    another operator, claims to correct record 1 (the server would refuse it; a lying one
    would not)."""

    url: str
    http: LedgerHttp
    log: LogDouble
    trust: Path
    ids: list[str]
    operator: str
    other: str

    def record(self, capsys, index: int, *options: str) -> tuple[int, str, str]:
        argv = ["record", self.ids[index], "--ledger", self.url, "--trust", str(self.trust)]
        return run(capsys, *argv, *options)

    def claim(self, index: int, superseded_by: list[str]) -> None:
        """Make the ledger's record answer of `index` claim these corrections."""
        record = self.log.records[index]
        self.http.overrides[f"/v1/records/{self.ids[index]}"] = json.dumps(
            {
                "id": self.ids[index],
                "index": index,
                "entry": record.entry,
                "body": record.body,
                "status": "anchored",
                "superseded_by": superseded_by,
            }
        ).encode()


@pytest.fixture
def corrected(world: World, tmp_path: Path) -> Iterator[Corrected]:
    other = Account.from_key(bytes.fromhex("ab" * 32))
    chain = ChainDouble(active={world.operator.address, other.address})
    log = LogDouble(world.log.key, chain)
    first, second = make_record(world.operator, 500), make_record(world.operator, 501)
    log.append(first)
    log.append(second)
    log.append(make_record(world.operator, 502, supersedes="0x" + first.leaf.hex()))
    log.append(make_record(other, 503, supersedes="0x" + second.leaf.hex()))
    log.anchor()
    with serve_rpc(chain) as rpc:
        http = LedgerHttp(log, rpc_urls=[rpc])
        with serve_get(http.answer) as url:
            trust = tmp_path / "corrected-trust.json"
            trust.write_text(json.dumps(log.trust([rpc])))
            ids = [record.leaf.hex() for record in log.records]
            yield Corrected(url, http, log, trust, ids, world.operator.address, other.address)


def test_a_superseded_record_verifies_and_names_its_correction(corrected, capsys) -> None:
    ids = corrected.ids
    code, out, err = corrected.record(capsys, 0)
    lines = out.splitlines()
    assert (code, err) == (0, ""), out
    assert "PASS anchored_root: rootAt(4) on chain is the checkpoint root, anchored by " in out
    assert lines[-2] == f"VERIFIED: record {ids[0]} (documents not checked)"
    assert lines[-1] == (
        f"SUPERSEDED: record {ids[0]} was corrected by record {ids[2]} (the correction verifies)"
    )
    assert f"/v1/records/{ids[2]}/proof" in corrected.http.requests  # the correction is checked
    code, out, _ = corrected.record(capsys, 0, "--json")
    result = json.loads(out)
    assert (code, result["result"], result["exit_code"], result["verified"]) == (
        0,
        "verified",
        0,
        True,
    )
    assert result["superseded_by"] == [
        {
            "record_id": ids[2],
            "status": "confirmed",
            "code": None,
            "message": f"SUPERSEDED: record {ids[0]} was corrected by record {ids[2]} "
            "(the correction verifies)",
        }
    ]


def test_a_superseded_record_in_vietnamese(corrected, capsys) -> None:
    ids = corrected.ids
    code, out, _ = corrected.record(capsys, 0, "--lang", "vi")
    assert code == 0
    assert out.splitlines()[-2:] == [
        f"ĐÃ XÁC MINH: bản ghi {ids[0]} (chưa kiểm tra documents)",
        f"ĐÃ BỊ THAY THẾ: bản ghi {ids[0]} đã được đính chính bằng bản ghi {ids[2]} (bản đính "
        "chính đã được xác minh)",
    ]
    code, out, _ = corrected.record(capsys, 1, "--lang", "vi")
    assert code == 1
    assert out.splitlines()[-1] == (
        f"ĐÍNH CHÍNH KHÔNG ĐÚNG: sổ cái nêu bản ghi {ids[3]} là bản đính chính của bản ghi "
        f"{ids[1]}, nhưng bản ghi đó được ký bởi {corrected.other}, không phải bởi đơn vị vận "
        f"hành của bản ghi này {corrected.operator}"
    )


def test_the_correction_itself_is_not_superseded(corrected, capsys) -> None:
    code, out, _ = corrected.record(capsys, 2)
    assert code == 0
    assert out.splitlines()[-1] == f"VERIFIED: record {corrected.ids[2]} (documents not checked)"


def test_a_correction_by_another_operator_is_a_finding(corrected, capsys) -> None:
    ids = corrected.ids
    code, out, _ = corrected.record(capsys, 1)
    lines = out.splitlines()
    assert code == 1
    assert lines[-2] == f"VERIFIED: record {ids[1]} (documents not checked)"
    assert lines[-1] == (
        f"FALSE CORRECTION: the ledger names record {ids[3]} as a correction of record {ids[1]}, "
        f"but it is signed by {corrected.other}, not by the record's operator {corrected.operator}"
    )
    result = json.loads(corrected.record(capsys, 1, "--json")[1])
    assert (result["result"], result["exit_code"]) == ("verified", 1)
    assert [(c["status"], c["code"]) for c in result["superseded_by"]] == [
        ("disproved", "out.correction_other_operator")
    ]


@pytest.mark.parametrize(
    ("claimed", "found"),
    [
        (2, "its signed entry supersedes {0}, not this record"),
        (None, "the ledger does not hold it (HTTP 404)"),
    ],
)
def test_a_correction_claim_that_does_not_hold_is_a_finding(
    corrected, capsys, claimed, found
) -> None:
    """Record 1 is claimed to be corrected by record 2 (which corrects record 0), or by a record
    the ledger does not hold."""
    ids = corrected.ids
    by = "cd" * 32 if claimed is None else ids[claimed]
    corrected.claim(1, [by])
    code, out, _ = corrected.record(capsys, 1)
    assert code == 1
    assert out.splitlines()[-1] == (
        f"FALSE CORRECTION: the ledger names record {by} as a correction of record {ids[1]}, "
        f"but {found.format(ids[0])}"
    )


def test_a_correction_that_does_not_verify_is_a_finding(world, corrected, capsys) -> None:
    ids = corrected.ids
    bundle = corrected.log.bundle(2)
    bundle["body"]["value"] = 1.0
    corrected.http.overrides[f"/v1/records/{ids[2]}/proof"] = json.dumps(bundle).encode()
    code, out, _ = corrected.record(capsys, 0)
    assert code == 1
    assert out.splitlines()[-1] == (
        f"FALSE CORRECTION: the ledger names record {ids[2]} as a correction of record {ids[0]}, "
        "but it does not verify: failed body_content_hash"
    )


def test_a_correction_that_cannot_be_read_is_named_as_not_checked(corrected, capsys) -> None:
    ids = corrected.ids
    corrected.http.errors[f"/v1/records/{ids[2]}/proof"] = (404, "not_checkpointed")
    code, out, _ = corrected.record(capsys, 0)
    assert code == 0
    assert out.splitlines()[-1] == (
        f"SUPERSEDED, NOT CHECKED: the ledger says record {ids[0]} was corrected by record "
        f"{ids[2]}; the correction was not checked: no signed checkpoint covers it yet"
    )
    corrected.http.errors[f"/v1/records/{ids[0]}"] = (503, "store_unavailable")
    code, out, _ = corrected.record(capsys, 0)
    assert code == 0
    assert out.splitlines()[-1] == (
        f"note: whether record {ids[0]} was corrected is not known: GET {corrected.url}/v1/records/"
        f"{ids[0]}: HTTP 503 Service Unavailable"
    )


# --help: every argument described, the exit codes listed.


def parsers(parser, path=()):
    """Every parser of the command line, with its command path."""
    yield path, parser
    for action in parser._actions:
        if action.nargs == argparse.PARSER:
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_help_describes_every_argument_and_the_exit_codes(lang, capsys) -> None:
    heading = {"en": "exit codes", "vi": "mã thoát"}[lang]
    commands = {}
    for path, parser in parsers(_build_parser(lang)):
        commands[path] = parser
        for action in parser._actions:
            if action.nargs == argparse.PARSER:
                continue
            assert action.help and action.help.strip(), (path, action.option_strings)
    assert set(commands) == {
        (),
        ("trust",),
        ("trust", "init"),
        ("trust", "update"),
        ("bundle",),
        ("record",),
        ("audit",),
        ("monitor",),
        ("export",),
    }
    for path in commands:
        if path == ("trust",):
            continue
        code, out, err = run(capsys, *path, "--help", "--lang", lang)
        assert (code, err) == (0, ""), path
        epilog = out[out.index(heading) :]
        assert all(f"\n  {digit}  " in epilog for digit in "02"), (path, epilog)
        if path != ("trust", "init"):
            assert "\n  1  " in epilog, (path, epilog)
    code, out, _ = run(capsys, "record", "--help", "--lang", lang)
    usage = {"en": "usage: infraledger-verify record", "vi": "cách dùng: infraledger-verify record"}
    assert out.startswith(usage[lang])
    for option in ("--ledger", "--trust", "--rpc", "--block", "--json", "--offline", "--lang"):
        assert option in out


def test_a_correction_signed_with_a_ca_certificate_only_is_not_confirmed_unchecked(
        world: World, tmp_path: Path, capsys) -> None:
    """Its CMS is not checked while verifying the corrected record: not checked, never
    confirmed; one that lists no CMS at all does not verify."""
    chain = ChainDouble(active={world.operator.address})
    log = LogDouble(world.log.key, chain)
    evidence = [("evidence.json", b"{}", "application/vnd.infraledger.evidence+json")]
    corrected_record, bare = make_record(world.operator, 600), make_record(world.operator, 601)
    for record in (corrected_record, bare):
        log.append(record)
    log.append(make_record(world.operator, 602, files=evidence, ca_signed_only=True,
                           supersedes="0x" + corrected_record.leaf.hex()))
    log.append(make_record(world.operator, 603, ca_signed_only=True,
                           supersedes="0x" + bare.leaf.hex()))
    log.anchor()
    ids = [record.leaf.hex() for record in log.records]
    with serve_rpc(chain) as rpc, serve_get(LedgerHttp(log, rpc_urls=[rpc]).answer) as url:
        trust = tmp_path / "trust.json"
        trust.write_text(json.dumps(log.trust([rpc])))
        argv = ["--ledger", url, "--trust", str(trust)]
        code, out, _ = run(capsys, "record", ids[0], *argv)
        assert code == 0, out
        assert out.splitlines()[-1] == (
            f"SUPERSEDED, NOT CHECKED: the ledger says record {ids[0]} was corrected by record "
            f"{ids[2]}; the correction was not checked: it is signed with a CA certificate "
            f"only, and its CMS is checked by infraledger-verify record {ids[2]}"
        )
        code, out, _ = run(capsys, "record", ids[1], *argv)
        assert code == 1
        assert out.splitlines()[-1].endswith("it does not verify: failed ca_signatures")
        code, out, _ = run(capsys, "record", ids[2], *argv)
        assert code == 2 and "COULD NOT CHECK" in out.splitlines()[-1]
