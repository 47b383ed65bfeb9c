"""Auditing a whole log and watching it, against the ledger double over HTTP."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_hash.auto import keccak

from tests.verifier.conftest import World
from tests.verifier.ledger_double import (
    REGISTERED_AT,
    ChainDouble,
    LedgerHttp,
    LogDouble,
    NoteKey,
    OperatorTimes,
    make_record,
    serve_get,
    serve_rpc,
)
from verifier.audit import AUDIT_CHECKS, audit_log
from verifier.audit_entries import BATCH_ENTRIES
from verifier.cli import _ProgressBar, main
from verifier.errors import MalformedMonitorState
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import LedgerApi
from verifier.monitor import Monitor, MonitorState
from verifier.tiles import tile_index_path
from verifier.trust import Trust


@dataclass
class Served:
    url: str
    rpc: str
    http: LedgerHttp
    trust_file: Path


@pytest.fixture
def served(world: World, tmp_path: Path) -> Iterator[Served]:
    with serve_rpc(world.chain) as rpc:
        http = LedgerHttp(world.log, rpc_urls=[rpc])
        with serve_get(http.answer) as url:
            trust_file = tmp_path / "trust.json"
            trust_file.write_text(json.dumps(world.log.trust([rpc])))
            yield Served(url, rpc, http, trust_file)


def audit(served: Served, world: World, *, online: bool = True) -> dict[str, dict[str, object]]:
    trust = world.trust([served.rpc])
    chain = ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id) if online else None
    stages: list[str] = []
    report = audit_log(
        LedgerApi(served.url),
        trust,
        chain=chain,
        progress=lambda stage, done, total: stages.append(stage),
    )
    assert {"entries", "tiles", "anchors"} <= set(stages) or not report.verified
    return {check["name"]: check for check in report.to_json()["checks"]}


def test_tile_paths() -> None:
    assert tile_index_path(0) == "000"
    assert tile_index_path(1234067) == "x001/x234/067"
    assert tile_index_path(1000) == "x001/000"


def test_genuine_log_passes_every_audit_check(world: World, served: Served) -> None:
    checks = audit(served, world)
    assert list(checks) == list(AUDIT_CHECKS)
    assert all(c["status"] == "passed" for c in checks.values()), checks
    assert checks["entries"]["checked"] == 301
    assert checks["signatures"]["checked"] == 301
    assert checks["bodies"]["checked"] == 300  # the restricted body is withheld
    assert checks["tiles"]["checked"] == 3  # 0/000, 0/001.p/45, 1/000.p/1
    assert checks["anchor_roots"]["checked"] == 2
    assert checks["anchor_consistency"]["checked"] == 2  # 256 to 300, 300 to 301
    assert "/tlog/tile/1/000.p/1" in served.http.requests


def test_offline_audit_skips_the_chain(world: World, served: Served) -> None:
    checks = audit(served, world, online=False)
    assert checks["anchors_on_chain"]["status"] == "not-checked"
    assert checks["root"]["status"] == "passed"


def test_doctored_tile_is_caught(world: World, served: Served) -> None:
    tile = bytearray(world.log.tile(0, 0, 256))
    tile[100] ^= 1
    served.http.overrides["/tlog/tile/0/000"] = bytes(tile)
    checks = audit(served, world)
    assert checks["tiles"]["failed"] == 1
    assert "tile 0/0: 1 hash(es) differ, first at 3" in checks["tiles"]["messages"][0]


def test_doctored_body_is_caught(world: World, served: Served) -> None:
    record = world.log.records[5]
    answer = {
        "id": record.leaf.hex(),
        "index": 5,
        "entry": record.entry,
        "body": {**record.body, "value": 100.0},
        "status": "anchored",
    }
    served.http.overrides[f"/v1/records/{record.leaf.hex()}"] = json.dumps(answer).encode()
    checks = audit(served, world)
    assert checks["bodies"]["failed"] == 1
    assert "hashes to" in checks["bodies"]["messages"][0]


def test_truncated_entry_bundle_stops_the_rebuild(world: World, served: Served) -> None:
    served.http.overrides["/tlog/tile/entries/001.p/45"] = world.log.entry_bundle(1, 45)[:-3]
    checks = audit(served, world)
    assert checks["entry_bundles"]["failed"] == 1
    assert checks["root"]["status"] == "not-checked"


def test_history_rewritten_after_an_anchor_is_caught(world: World, served: Served) -> None:
    rewritten = LogDouble(world.log.key, world.chain)  # the chain keeps the true anchors
    for record in world.log.records[:255]:
        rewritten.append(record)
    rewritten.append(make_record(world.operator, 9999))
    for record in world.log.records[256:]:
        rewritten.append(record)
    served.http.log = rewritten  # same key and size, another history
    checks = audit(served, world)
    assert checks["anchor_roots"]["failed"] == 2
    assert checks["anchors_on_chain"]["status"] == "passed"


def test_audit_cli_prints_a_summary_table(world: World, served: Served, capsys) -> None:
    code = main(["audit", "--ledger", served.url, "--trust", str(served.trust_file)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS signatures: 301 checked" in out
    assert "check                 checked   failed" in out
    assert out.splitlines()[-1] == "VERIFIED: log of size 301"
    served.http.overrides["/tlog/tile/1/000.p/1"] = bytes(32)
    assert main(["audit", "--ledger", served.url, "--trust", str(served.trust_file)]) == 1
    assert "NOT VERIFIED: log of size 301: failed tiles" in capsys.readouterr().out


def utc(seconds: int) -> str:
    """A block time as the English messages show it."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def monitor(world: World, served: Served, clock: Clock) -> Monitor:
    trust = world.trust([served.rpc])
    chain = ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id)
    return Monitor(LedgerApi(served.url), trust, chain, anchor_deadline=30, clock=clock)


def test_monitor_follows_a_growing_log(world: World, served: Served) -> None:
    clock = Clock()
    watcher = monitor(world, served, clock)
    served.http.checkpoint_size = 200
    assert watcher.poll().alerts == ()
    served.http.checkpoint_size = 290
    assert watcher.poll().alerts == ()
    served.http.checkpoint_size = None  # 301: anchored only up to 300
    assert watcher.poll().alerts == ()
    clock.now += 31
    alerts = watcher.poll().alerts
    assert [a.name for a in alerts] == ["anchor_deadline"]
    assert "checkpoint size 301 seen 31 s ago is not anchored (chain has size 300" in (
        alerts[0].message
    )
    assert watcher.poll().alerts == ()  # alerted once


def test_monitor_catches_rollback_and_fork(world: World, served: Served) -> None:
    clock = Clock()
    watcher = monitor(world, served, clock)
    assert watcher.poll().alerts == ()
    served.http.checkpoint_size = 290
    assert [a.name for a in watcher.poll().alerts] == ["rollback"]
    forked = LogDouble(world.log.key, ChainDouble())
    for number in range(301):
        forked.append(make_record(world.operator, 10_000 + number))
    served.http.log, served.http.checkpoint_size = forked, None
    assert [a.name for a in watcher.poll().alerts] == ["fork"]


def test_monitor_catches_an_inconsistent_extension(world: World, served: Served) -> None:
    clock = Clock()
    watcher = monitor(world, served, clock)
    served.http.checkpoint_size = 100
    assert watcher.poll().alerts == ()
    rewritten = LogDouble(world.log.key, ChainDouble())
    for number in range(301):
        rewritten.append(
            world.log.records[number] if number != 50 else make_record(world.operator, 5050)
        )
    served.http.log, served.http.checkpoint_size = rewritten, 200
    assert [a.name for a in watcher.poll().alerts] == ["consistency"]


def test_monitor_catches_a_checkpoint_by_another_key(world: World, served: Served) -> None:
    impostor = LogDouble(NoteKey(), world.chain)
    for record in world.log.records:
        impostor.append(record)
    served.http.log = impostor
    seen = monitor(world, served, Clock()).poll()
    assert [a.name for a in seen.alerts] == ["checkpoint"]
    assert seen.checkpoint is None
    assert seen.alerts[0].message.startswith("the server's checkpoint is not the pinned log's: ")


def test_monitor_state_round_trips(world: World, served: Served) -> None:
    watcher = monitor(world, served, Clock())
    watcher.poll()
    saved = json.loads(json.dumps(watcher.state.to_json()))
    assert MonitorState.parse(saved) == watcher.state
    for bad in (
        {},
        {"last": 1, "anchored": None, "pending": []},
        {"last": None, "anchored": None, "pending": [{"size": 1}]},
    ):
        with pytest.raises(MalformedMonitorState):
            MonitorState.parse(bad)


def test_monitor_once_with_a_state_file(world: World, served: Served, tmp_path, capsys) -> None:
    state = tmp_path / "state.json"
    argv = [
        "monitor",
        "--ledger",
        served.url,
        "--trust",
        str(served.trust_file),
        "--once",
        "--state",
        str(state),
        "--anchor-deadline",
        "0.001",
    ]
    assert main(argv) == 0
    assert "seen size 301" in capsys.readouterr().out
    assert json.loads(state.read_text())["pending"][0]["size"] == 301
    assert main(argv) == 1
    assert "ALERT anchor_deadline: checkpoint size 301" in capsys.readouterr().out


def watch(served: Served, state: Path, *options: str) -> list[str]:
    return [
        "monitor",
        "--ledger",
        served.url,
        "--trust",
        str(served.trust_file),
        "--once",
        "--state",
        str(state),
        *options,
    ]


def root(world: World, size: int) -> str:
    return world.log.tree.root(size).hex()


def test_monitor_prints_what_the_server_showed_after_an_alert(
    world: World, served: Served, tmp_path, capsys
) -> None:
    state = tmp_path / "state.json"
    assert main(watch(served, state)) == 0
    assert capsys.readouterr().out == (
        f"seen size 301 root {root(world, 301)}; anchored on chain: size 300\n"
    )
    served.http.checkpoint_size = 290
    assert main(watch(served, state)) == 1
    assert capsys.readouterr().out == (
        "ALERT rollback: checkpoint size 290 after size 301\n"
        f"seen size 290 root {root(world, 290)}; anchored on chain: size 300\n"
    )
    assert json.loads(state.read_text())["last"]["size"] == 301  # the state does not go back
    assert main(watch(served, state, "--lang", "vi")) == 1
    assert capsys.readouterr().out == (
        "CẢNH BÁO rollback: checkpoint kích thước 290 xuất hiện sau checkpoint kích thước 301\n"
        f"máy chủ cho thấy kích thước 290 gốc {root(world, 290)}; đã neo trên chuỗi khối: "
        "kích thước 300\n"
    )


def test_monitor_json_prints_a_result_for_every_poll(
    world: World, served: Served, tmp_path, capsys
) -> None:
    state = tmp_path / "state.json"
    assert main(watch(served, state, "--json")) == 0
    poll = json.loads(capsys.readouterr().out)
    assert poll == {
        "result": "ok",
        "time": poll["time"],
        "checkpoint": {"size": 301, "root": "0x" + root(world, 301)},
        "anchored": {"size": 300, "root": "0x" + root(world, 300)},
        "alerts": [],
        "message": f"seen size 301 root {root(world, 301)}; anchored on chain: size 300",
    }
    forked = LogDouble(world.log.key, ChainDouble())
    for number in range(301):
        forked.append(make_record(world.operator, 20_000 + number))
    served.http.log = forked
    assert main(watch(served, state, "--json")) == 1
    poll = json.loads(capsys.readouterr().out)
    assert (poll["result"], poll["checkpoint"]["root"]) == (
        "alert",
        "0x" + forked.tree.root(301).hex(),
    )
    assert poll["alerts"] == [
        {
            "alert": "fork",
            "code": "alert.fork",
            "message": (
                f"size 301 has root {forked.tree.root(301).hex()}, earlier {root(world, 301)}"
            ),
        }
    ]


def rolled_back(world: World, size: int) -> LogDouble:
    """The world's log cut back to `size` entries, beside the same chain (anchored at 300)."""
    log = LogDouble(world.log.key, world.chain)
    for record in world.log.records[:size]:
        log.append(record)
    return log


def test_an_anchor_ahead_of_the_server_is_an_alert(
    world: World, served: Served, tmp_path, capsys
) -> None:
    served.http.log = rolled_back(world, 200)
    state = tmp_path / "state.json"
    alert = (
        "ALERT anchor_ahead: the chain has anchored size 300, the server shows size 200 and "
        "does not prove that it extends to the anchored tree: the ledger gives no consistency "
        f"proof (GET {served.url}/v1/proofs/consistency?from=200&to=300: HTTP 404 Not Found)\n"
    )
    assert main(watch(served, state)) == 1  # a first look
    assert capsys.readouterr().out == (
        alert + f"seen size 200 root {root(world, 200)}; anchored on chain: size 300\n"
    )
    saved = json.loads(state.read_text())
    assert (saved["last"]["size"], saved["anchored"]["size"]) == (200, 300)
    assert main(watch(served, state)) == 1  # the stored anchor is ahead: still an alert
    assert capsys.readouterr().out.startswith(alert)


def test_an_anchor_ahead_of_a_checkpoint_the_server_can_extend_is_no_alert(
    world: World, served: Served, tmp_path, capsys
) -> None:
    """The checkpoint was read just before the anchored one was published: the server proves
    that it extends to the anchored tree."""
    served.http.checkpoint_size = 200
    assert main(watch(served, tmp_path / "state.json")) == 0
    assert capsys.readouterr().out == (
        f"seen size 200 root {root(world, 200)}; anchored on chain: size 300\n"
    )
    assert "/v1/proofs/consistency?from=200&to=300" in served.http.requests


def test_monitor_once_could_not_check_when_the_ledger_is_down(served: Served, tmp_path, capsys):
    argv = ["monitor", "--ledger", "http://127.0.0.1:9", "--trust", str(served.trust_file)]
    assert main([*argv, "--once"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(
        "infraledger-verify: error: could not check: GET http://127.0.0.1:9/tlog/checkpoint: "
    )
    assert main([*argv, "--once", "--json"]) == 2
    result = json.loads(capsys.readouterr().out)
    assert (result["result"], result["exit_code"], result["error"]) == (
        "could-not-check",
        2,
        "ledger_unavailable",
    )


def test_monitor_keeps_running_and_reports_outages(world: World, served: Served) -> None:
    script = Path(sys.executable).with_name("infraledger-verify")
    argv = [
        script,
        "monitor",
        "--ledger",
        "http://127.0.0.1:9",
        "--trust",
        str(served.trust_file),
        "--interval",
        "0.05",
        "--json",
    ]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first = json.loads(process.stdout.readline())
            second = json.loads(process.stdout.readline())
        finally:
            process.terminate()
    for poll in (first, second):
        assert (poll["result"], poll["error"]) == ("could-not-check", "ledger_unavailable")
        assert poll["message"].startswith("could not check: GET http://127.0.0.1:9/tlog/checkpoint")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = _ProgressBar(stream)
        bar.update("entries", 150, 300)
        bar.update("entries", 300, 300)
        bar.close()
    assert terminal.getvalue() == (
        "\rentries  [" + "#" * 15 + "." * 15 + "] 150/300\rentries  [" + "#" * 30 + "] 300/300\n"
    )
    assert pipe.getvalue() == ""


def test_audit_needs_a_ledger_or_a_mirror_and_a_sane_job_count(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = ["--trust", str(served.trust_file)]
    assert main(["audit", *trust]) == 2
    assert "give --ledger URL, --mirror DIR or both" in capsys.readouterr().err
    assert main(["audit", "--ledger", served.url, "--jobs", "0", *trust]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_mirror_is_filled_from_the_ledger_then_audited_alone(
    world: World, served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "mirror"
    trust = ["--trust", str(served.trust_file)]
    assert main(["audit", "--ledger", served.url, "--mirror", str(mirror), *trust]) == 0
    assert (mirror / "tile" / "1" / "000.p" / "1").read_bytes() == world.log.tile(1, 0, 1)
    capsys.readouterr()
    served.http.overrides["/tlog/tile/0/000"] = bytes(32 * 256)  # the mirror is read instead
    assert main(["audit", "--mirror", str(mirror), "--jobs", "2", *trust]) == 0
    out = capsys.readouterr().out
    assert "SKIP bodies: not checked: the mirror holds no records" in out
    assert out.splitlines()[-1] == "VERIFIED: log of size 301"
    (mirror / "tile" / "0" / "000").write_bytes(bytes(32 * 256))
    assert main(["audit", "--mirror", str(mirror), *trust]) == 1
    assert "NOT VERIFIED: log of size 301: failed tiles" in capsys.readouterr().out
    (mirror / "anchors.json").unlink()
    assert main(["audit", "--mirror", str(mirror), *trust]) == 2
    assert "anchors.json" in capsys.readouterr().err


# The operators: active when the anchor that covers each entry was posted.


def audit_against(
    world: World, served: Served, chain: ChainDouble, *, jobs: int = 1,
    batch_entries: int = BATCH_ENTRIES,
) -> dict[str, Any]:
    """Audit the served log, reading the chain from an endpoint that answers from `chain`."""
    with serve_rpc(chain) as rpc:
        trust = world.trust([rpc])
        report = audit_log(
            LedgerApi(served.url),
            trust,
            chain=ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id),
            progress=lambda stage, done, total: None,
            jobs=jobs,
            batch_entries=batch_entries,
        )
    return report.to_json()


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["name"]: check for check in report["checks"]}


def test_audit_holds_each_entry_to_the_anchor_that_covers_it(world: World, served: Served) -> None:
    """Anchor 256 covers entries 0..255, anchor 300 entries 256..299; entry 300 is not anchored.
    The operator is revoked at the block time of anchor 300."""
    second = world.chain.anchors[300].timestamp
    operator = world.operator.address
    chain = dataclasses.replace(
        world.chain, registrations={operator: OperatorTimes(REGISTERED_AT, second)}, calls=[]
    )
    report = audit_against(world, served, chain)
    signatures = by_name(report)["signatures"]
    assert (signatures["checked"], signatures["failed"]) == (301, 45)
    registration = (
        f"'Operator {operator[2:8]}' registered at {utc(REGISTERED_AT)}, revoked at {utc(second)}"
    )
    assert signatures["messages"][0] == (
        f"entry 256: {operator} was not active at the block time {utc(second)} of anchor 300: "
        + registration
    )
    assert [m.split(":")[0] for m in signatures["messages"]] == [
        f"entry {index}"
        for index in range(256, 266)  # the first ten are kept
    ]
    assert report["failed"] == ["signatures"]
    operator_of = keccak(b"operatorOf(address)")[:4]
    assert chain.calls.count(operator_of) == 1  # one operator, read once

    entry_300 = audit_against(
        world,
        served,
        dataclasses.replace(
            world.chain,
            registrations={operator: OperatorTimes(REGISTERED_AT, second + 1)},
            calls=[],
        ),
    )
    signatures = by_name(entry_300)["signatures"]
    assert signatures["failed"] == 1
    assert signatures["messages"] == [
        f"entry 300: not anchored yet, so checked now: {operator} is not active "
        f"('Operator {operator[2:8]}' registered at {utc(REGISTERED_AT)}, revoked at "
        f"{utc(second + 1)})"
    ]


def test_audit_passes_records_of_an_operator_revoked_after_the_last_anchor(
    world: World, served: Served
) -> None:
    operator = world.operator.address
    late = dataclasses.replace(
        world.chain,
        registrations={operator: OperatorTimes(REGISTERED_AT, 1_900_000_000)},
        calls=[],
    )
    # Revoked in the future of every anchor, yet revoked now: only the unanchored entry fails.
    assert by_name(audit_against(world, served, late))["signatures"]["failed"] == 1
    registered_late = dataclasses.replace(
        world.chain, registrations={operator: OperatorTimes(1_900_000_000)}, calls=[]
    )
    signatures = by_name(audit_against(world, served, registered_late))["signatures"]
    assert signatures["failed"] == 300  # every anchored entry predates the registration
    never = dataclasses.replace(world.chain, active=set(), calls=[])
    signatures = by_name(audit_against(world, served, never))["signatures"]
    assert signatures["failed"] == 301
    assert signatures["messages"][0].endswith("of anchor 256: never registered")


def test_offline_audit_says_operators_were_not_checked(world: World, served: Served) -> None:
    report = audit_log(
        LedgerApi(served.url),
        world.trust([served.rpc]),
        chain=None,
        progress=lambda stage, done, total: None,
    )
    assert report.verified
    assert "offline: signatures were checked, not the operators' registry intervals" in (
        report.to_json()["notes"]
    )


def test_worker_processes_report_what_one_process_reports(
    world: World, served: Served
) -> None:
    """Broken entries in both bundles, one batch per bundle, checked in two worker processes."""
    other = Account.from_key(bytes.fromhex("ab" * 32))
    tampered = LogDouble(world.log.key, world.chain)
    for index, record in enumerate(world.log.records):
        if index in (3, 260):
            spaced = json.dumps(record.entry, sort_keys=True).encode()
            record = dataclasses.replace(record, stored=spaced)
        elif index in (7, 299):
            forged = make_record(other, index)
            entry = {**forged.entry, "operator": world.operator.address}
            record = dataclasses.replace(forged, entry=entry)
        tampered.append(record)
    served.http.log = tampered
    alone = audit_against(world, served, world.chain, batch_entries=1)
    together = audit_against(world, served, world.chain, jobs=2, batch_entries=1)
    assert alone == together
    checks = by_name(alone)
    assert checks["entries"]["messages"] == [
        "entry 3: entry is not in RFC 8785 form",
        "entry 260: entry is not in RFC 8785 form",
    ]
    assert [m.split(":")[0] for m in checks["signatures"]["messages"]] == ["entry 7", "entry 299"]
    assert checks["signatures"]["messages"][0].endswith(f"want {world.operator.address}")
    assert (checks["entries"]["checked"], checks["signatures"]["checked"]) == (301, 299)


CA_ONLY = (4, 9)
"""The entries of `ca_only_log` signed with a CA certificate only."""


@pytest.fixture
def ca_only_served(world: World, tmp_path: Path) -> Iterator[Served]:
    """A log of twelve records, two of them signed with a CA certificate only, anchored."""
    chain = ChainDouble(active={world.operator.address})
    log = LogDouble(world.log.key, chain)
    for number in range(12):
        log.append(make_record(world.operator, number, ca_signed_only=number in CA_ONLY))
    log.anchor()
    with serve_rpc(chain) as rpc:
        http = LedgerHttp(log, rpc_urls=[rpc])
        with serve_get(http.answer) as url:
            trust_file = tmp_path / "trust.json"
            trust_file.write_text(json.dumps(log.trust([rpc])))
            yield Served(url, rpc, http, trust_file)


def test_the_audit_counts_ca_only_entries_and_does_not_call_them_bad(
        ca_only_served: Served, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trust = ["--trust", str(ca_only_served.trust_file)]
    code = main(["audit", "--ledger", ca_only_served.url, *trust, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["result"] == "verified", report
    checks = by_name(report)
    assert checks["entries"]["checked"] == 12 and checks["bodies"]["checked"] == 12
    assert (checks["signatures"]["checked"], checks["signatures"]["failed"]) == (10, 0)
    assert report["ca_signed_only"] == 2
    assert "entries signed with a CA certificate only: 2, not counted in signatures" in (
        " ".join(report["notes"]))

    assert main(["audit", "--ledger", ca_only_served.url, *trust, "--lang", "vi"]) == 0
    out = capsys.readouterr().out
    assert "số bản ghi chỉ được ký bằng chứng thư số: 2" in out
    assert main(["audit", "--ledger", ca_only_served.url, *trust, "--offline"]) == 0
    assert "entries signed with a CA certificate only: 2" in capsys.readouterr().out

    mirror = str(tmp_path / "mirror")  # offline, no records: the entries counted at once
    assert main(["audit", "--ledger", ca_only_served.url, "--mirror", mirror, *trust]) == 0
    capsys.readouterr()
    assert main(["audit", "--mirror", mirror, *trust, "--offline", "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert by_name(alone)["signatures"]["checked"] == 10 and alone["ca_signed_only"] == 2


def test_a_ca_only_entry_of_an_operator_who_may_not_sign_fails_the_audit(
        ca_only_served: Served) -> None:
    log = ca_only_served.http.log
    revoked = dataclasses.replace(log.chain, active=set(), calls=[])
    trust = Trust.parse(log.trust([ca_only_served.rpc]))
    with serve_rpc(revoked) as rpc:
        report = audit_log(
            LedgerApi(ca_only_served.url), trust,
            chain=ChainReader([rpc], trust.quorum, trust.chain_id),
            progress=lambda stage, done, total: None,
        ).to_json()
    signatures = by_name(report)["signatures"]
    assert signatures["failed"] == 12  # the CA-only entries too: their operator is named
    assert report["ca_signed_only"] == 2
