"""The verifier against the real ledger server: uvicorn, the embedded chain, SQLite (and
PostgreSQL in `test_real_server_postgres.py`).

Genuine signed records are filed through `POST /v1/submissions`, checkpointed and anchored on the
embedded chain by the server's own jobs, and checked with the `infraledger-verify` entry point.
Then the server's database is tampered with, one table at a time, behind the server's back: each
change must be caught, by the check that names it.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text

from api.app import create_app
from api.settings import Settings
from filings.signing import SubmissionDomain, signer_address
from tests.filings.factories import INDICATOR_BODY, PERMIT_BODY, PERMIT_SUBJECT
from tests.server_fixtures import PLANS, SAMPLE, auth, free_port, registrar_key, sign_indicator
from verifier.bundle_verification import verify_bundle
from verifier.cli import main
from verifier.jsonrpc import ChainReader
from verifier.onchain import ROOT_AT
from verifier.trust import Trust

RESTRICTED = 3
"""The position in `Ledger.record_ids` of the one restricted (salted) record: its body is withheld
from the public."""
FILED = 6
"""The records the `ledger` fixture files, after the fixture's `PLANS` (plan 254, index 0, signed
by the registrar): the log holds `PLANS + FILED` entries, `record_ids[n]` is at index
`PLANS + n`."""


@dataclass
class Ledger:
    """A running ledger with plan 254 and six anchored records, and a trust file pinned from
    it."""

    url: str
    settings: Settings
    domain: SubmissionDomain
    record_ids: list[str]
    trust_file: Path
    plan_id: str = ""
    """The record id of plan 254, signed by the registrar (REGISTRAR_ROLE, no operator)."""

    @property
    def rpc(self) -> str:
        return self.url + "/chain/rpc"

    def get(self, path: str) -> Any:
        answer = httpx.get(self.url + path, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def file(self, submissions: list[dict[str, Any]]) -> list[str]:
        """File submissions; wait until every one is anchored and the served checkpoint covers
        them (the read path serves the checkpoint it keeps in memory until its head watch sees
        a new size, `api.http.read_path.WATCH_INTERVAL` later); return their record ids."""
        answer = httpx.post(
            self.url + "/v1/submissions", json={"submissions": submissions}, timeout=30
        )
        assert answer.status_code == 202, answer.text
        results = answer.json()["results"]
        assert all(item["status"] == "accepted" for item in results), results
        ids = [item["record_id"] for item in results]
        deadline = time.monotonic() + 60
        while any(self.get(f"/v1/records/{i}")["status"] != "anchored" for i in ids):
            assert time.monotonic() < deadline, "records were not anchored within 60 s"
            time.sleep(0.1)
        covered = 1 + max(item["index"] for item in results)
        while self.checkpoint_size() < covered:
            assert time.monotonic() < deadline, "the checkpoint was not served within 60 s"
            time.sleep(0.1)
        return ids

    def checkpoint_size(self) -> int:
        """The tree size of the checkpoint `/tlog/checkpoint` serves."""
        answer = httpx.get(self.url + "/tlog/checkpoint", timeout=10)
        answer.raise_for_status()
        return int(answer.text.split("\n")[1])


def verify(*argv: str) -> tuple[int, str, str]:
    """Run `infraledger-verify` in-process; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def verify_json(*argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = verify(*argv, "--json")
    assert code in (0, 1), err
    return code, json.loads(out)


def utc(seconds: int) -> str:
    """A block time as the English messages show it."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {check["name"]: check["status"] for check in report["checks"]}


@pytest.fixture
def ledger(
    live_server: str, ledger_settings: Settings, ledger_domain: SubmissionDomain, tmp_path: Path
) -> Ledger:
    """Plan 254 (filed by the fixtures), four records anchored, then two more by another
    operator anchored later: two anchors or more."""
    trust_file = tmp_path / "trust.json"
    served = Ledger(live_server, ledger_settings, ledger_domain, [], trust_file)
    [plan] = served.get("/v1/plans")["plans"]
    assert plan["index"] == 0 and plan["signer"] == signer_address(registrar_key(ledger_settings))
    served.plan_id = plan["record_id"]
    first = [sign_indicator(ledger_domain, n) for n in range(RESTRICTED)]
    first.append(
        sign_indicator(
            ledger_domain,
            RESTRICTED,
            kind="permit",
            schema="permit/2",
            subject=PERMIT_SUBJECT,
            body=PERMIT_BODY,
            salt=bytes(range(32)),
        )
    )
    served.record_ids += served.file(first)
    served.record_ids += served.file(
        [sign_indicator(ledger_domain, n, key=SAMPLE.other.key) for n in (4, 5)]
    )
    assert len(served.record_ids) == FILED
    code, out, err = verify("trust", "init", "--ledger", live_server, "--trust", str(trust_file))
    assert code == 0, err
    assert "Trusted on first use" in out
    return served


def test_trust_init_pins_what_the_server_publishes(ledger: Ledger) -> None:
    pinned = json.loads(ledger.trust_file.read_text())
    log = ledger.get("/v1/log")
    assert pinned == {
        "origin": ledger.settings.origin,
        "vkey": log["vkey"],
        "chain_id": log["chain_id"],
        "anchor_contract": log["anchor_contract"],
        "operator_registry": log["operator_registry"],
        "rpc_urls": [ledger.rpc],
        "quorum": "all",
    }
    again = ("trust", "init", "--ledger", ledger.url, "--trust", str(ledger.trust_file))
    assert verify(*again)[0] == 2


def test_bundle_from_the_server_verifies_offline_and_on_chain(
    ledger: Ledger, tmp_path: Path
) -> None:
    trust = ("--trust", str(ledger.trust_file))
    for index, record_id in enumerate(ledger.record_ids):
        verify_one(ledger, record_id, restricted=index == RESTRICTED, tmp_path=tmp_path)
    code, out, _ = verify("record", ledger.record_ids[0], "--ledger", ledger.url, *trust)
    assert code == 0
    last = out.splitlines()[-1]
    assert last == f"VERIFIED: record {ledger.record_ids[0]} (documents not checked)"


def test_the_registrars_plan_verifies_by_its_role(ledger: Ledger, tmp_path: Path) -> None:
    """Plan 254 is signed by the registrar, which is no operator: it verifies online because the
    registry's RoleGranted log shows REGISTRAR_ROLE held at the anchor's block."""
    online = verify_one(ledger, ledger.plan_id, restricted=False, tmp_path=tmp_path)
    registrar = signer_address(registrar_key(ledger.settings))
    check = next(c for c in online["checks"] if c["name"] == "operator_active")
    assert check["message"].startswith(
        f"{registrar} held REGISTRAR_ROLE in {ledger.get('/v1/log')['operator_registry']} at "
        "the anchor's block "
    )
    assert verify_json("record", ledger.plan_id, "--ledger", ledger.url, "--trust",
                       str(ledger.trust_file), "--lang", "vi")[0] == 0


def verify_one(ledger: Ledger, record_id: str, *, restricted: bool,
               tmp_path: Path) -> dict[str, Any]:
    """Verify one record's bundle offline and online, and by its id; return the online
    report."""
    trust = ("--trust", str(ledger.trust_file))
    bundle = tmp_path / f"{record_id}.json"
    bundle.write_bytes(httpx.get(f"{ledger.url}/v1/records/{record_id}/proof").content)
    code, offline = verify_json("bundle", str(bundle), *trust, "--offline")
    assert code == 0, offline
    skipped = {"documents", "operator_active", "anchored_root"}
    if restricted:
        skipped.add("body_content_hash")
    assert {n for n, s in statuses(offline).items() if s == "not-checked"} == skipped
    code, online = verify_json("bundle", str(bundle), *trust)
    assert code == 0, online
    assert statuses(online)["anchored_root"] == "passed"
    assert statuses(online)["operator_active"] == "passed"
    code, fetched = verify_json("record", record_id, "--ledger", ledger.url, *trust)
    assert code == 0, fetched
    assert fetched["record_id"] == record_id
    return online


def test_audit_passes_on_the_genuine_log_and_from_a_mirror(ledger: Ledger, tmp_path: Path) -> None:
    trust = ("--trust", str(ledger.trust_file))
    code, report = verify_json("audit", "--ledger", ledger.url, *trust)
    assert code == 0, report
    checks = {check["name"]: check for check in report["checks"]}
    assert all(check["status"] == "passed" for check in checks.values()), checks
    assert report["tree_size"] == PLANS + FILED
    assert checks["signatures"]["checked"] == PLANS + FILED  # the plan by the registrar's role
    # The restricted body is withheld from the public.
    assert checks["bodies"]["checked"] == PLANS + FILED - 1
    anchors = len(ledger.get("/v1/anchors")["anchors"])
    assert anchors >= 2
    assert checks["anchor_roots"]["checked"] == checks["anchors_on_chain"]["checked"] == anchors
    assert checks["anchor_consistency"]["checked"] >= anchors - 1

    mirror = tmp_path / "mirror"
    code, filled = verify_json("audit", "--ledger", ledger.url, "--mirror", str(mirror), *trust)
    assert code == 0, filled
    assert (mirror / "tile" / "entries" / "000.p" / str(PLANS + FILED)).is_file()
    code, local = verify_json("audit", "--mirror", str(mirror), "--jobs", "2", *trust)
    assert code == 0, local
    assert statuses(local)["bodies"] == statuses(local)["anchor_consistency"] == "not-checked"
    assert statuses(local)["anchors_on_chain"] == "passed"


# An operator revoked after its records were anchored.


def test_records_anchored_before_a_revocation_still_verify(
    ledger: Ledger, registrar_token: str, tmp_path: Path
) -> None:
    """The registrar revokes the operator of `record_ids[0..3]` after they were anchored: they still
    verify, and the log still audits; a bundle claiming an anchor after the revocation fails."""
    trust = ("--trust", str(ledger.trust_file))
    record_id = ledger.record_ids[0]
    bundle = json.loads(httpx.get(f"{ledger.url}/v1/records/{record_id}/proof").content)
    anchored = bundle["anchor"]["block_time"]
    operator = SAMPLE.active.address
    answer = httpx.delete(
        f"{ledger.url}/v1/operators/{operator}", headers=auth(registrar_token), timeout=30
    )
    assert answer.status_code == 200, answer.text
    revoked = answer.json()["operator"]
    assert not revoked["active"] and revoked["revoked_at"] > anchored

    code, result = verify_json("record", record_id, "--ledger", ledger.url, *trust)
    assert code == 0, result
    check = next(c for c in result["checks"] if c["name"] == "operator_active")
    assert check["status"] == "passed"
    assert check["message"].startswith(f"{operator} was active in ")
    assert check["message"].endswith(
        f"at the anchor's block time {utc(anchored)}: {SAMPLE.active.name!r} registered at "
        f"{utc(revoked['registered_at'])}, revoked at {utc(revoked['revoked_at'])}"
    )
    code, report = verify_json("audit", "--ledger", ledger.url, *trust)
    assert code == 0, report

    # The same record, claimed to be anchored at the very time of the revocation.
    bundle["anchor"]["block_time"] = revoked["revoked_at"]
    pinned = Trust.parse(json.loads(ledger.trust_file.read_text()))
    late = verify_bundle(
        json.dumps(bundle),
        pinned,
        chain=ChainReader(pinned.rpc_urls, pinned.quorum, pinned.chain_id),
    )
    assert [c.name for c in late.failed] == ["operator_active", "anchored_root"]
    # An `indicator/2` figure may also be the department's (a registrar's): the message says
    # the operator was revoked then and that it held no REGISTRAR_ROLE either.
    assert late.failed[0].message == (
        f"{operator} was not active in {pinned.operator_registry} at the anchor's block time "
        f"{utc(revoked['revoked_at'])} ({SAMPLE.active.name!r} registered at "
        f"{utc(revoked['registered_at'])}, revoked at {utc(revoked['revoked_at'])}) and did not "
        f"hold REGISTRAR_ROLE at its block {bundle['anchor']['block_number']}"
    )


def test_a_corrected_record_and_one_not_in_the_ledger(ledger: Ledger) -> None:
    """The operator of record 0 files a correction of it: record 0 still verifies and is named
    superseded by the correction; an id the ledger does not hold is a finding."""
    trust = ("--trust", str(ledger.trust_file))
    original = ledger.record_ids[0]
    fix = sign_indicator(
        ledger.domain, 10, body={**INDICATOR_BODY, "value": 33.0}, supersedes=original
    )
    [correction] = ledger.file([fix])
    assert ledger.get(f"/v1/records/{original}")["superseded_by"] == [correction]
    code, out, err = verify("record", original, "--ledger", ledger.url, *trust)
    assert (code, err) == (0, ""), out
    assert out.splitlines()[-2:] == [
        f"VERIFIED: record {original} (documents not checked)",
        f"SUPERSEDED: record {original} was corrected by record {correction} "
        "(the correction verifies)",
    ]
    code, result = verify_json("record", correction, "--ledger", ledger.url, *trust)
    assert (code, result["result"], result["superseded_by"]) == (0, "verified", [])
    code, out, err = verify("record", "ab" * 32, "--ledger", ledger.url, *trust)
    assert (code, err) == (1, "")
    assert out == (
        f"NOT FOUND: record {'ab' * 32} is not in this ledger ({ledger.settings.origin}): "
        "the pinned log answered HTTP 404\n"
    )


# Tampering with the database behind the server's back.


@dataclass(frozen=True)
class Tampering:
    """An SQL change of one table, and the checks that must name it."""

    name: str
    change: Callable[[Any, Ledger], None]
    audit_fails: set[str]
    record: int
    record_fails: set[str]


def _replace_body(conn: Any, ledger: Ledger) -> None:
    """Another value in the body of `record_ids[0]`."""
    body = json.dumps({**INDICATOR_BODY, "value": 99.5}, separators=(",", ":"), sort_keys=True)
    conn.execute(
        text("UPDATE entries SET body = :body WHERE idx = :idx"),
        {"body": body.encode(), "idx": PLANS + 0},
    )


def _replace_entry_data(conn: Any, ledger: Ledger) -> None:
    """Another subject in the entry of `record_ids[1]`."""
    index = PLANS + 1
    data = conn.execute(
        text("SELECT data FROM entries WHERE idx = :idx"), {"idx": index}
    ).scalar_one()
    entry = json.loads(bytes(data))
    entry["subject"] += "-rewritten"
    rewritten = json.dumps(entry, separators=(",", ":"), sort_keys=True).encode()
    conn.execute(
        text("UPDATE entries SET data = :data WHERE idx = :idx"), {"data": rewritten, "idx": index}
    )


def _flip_leaf_hash(conn: Any, ledger: Ledger) -> None:
    """Flip one bit of the stored hash of the leaf next to `record_ids[0]`'s (its sibling in
    the tree, so the inclusion proof of `record_ids[0]` carries it) in its node run (level 0)."""
    leaf = (PLANS + 0) ^ 1
    start, hashes = conn.execute(
        text(
            "SELECT start, hashes FROM nodes WHERE level = 0 AND start <= :leaf "
            "ORDER BY start DESC LIMIT 1"
        ),
        {"leaf": leaf},
    ).one()
    changed = bytearray(hashes)
    changed[(leaf - start) * 32] ^= 1
    conn.execute(
        text("UPDATE nodes SET hashes = :h WHERE level = 0 AND start = :s"),
        {"h": bytes(changed), "s": start},
    )


def _rewrite_checkpoint_root(conn: Any, ledger: Ledger) -> None:
    """Put another root into the latest checkpoint note, keeping its signature line."""
    size, note = conn.execute(
        text("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1")
    ).one()
    origin, size_line, _root, rest = note.split("\n", 3)
    forged = "\n".join([origin, size_line, "A" * 43 + "=", rest])
    conn.execute(text("UPDATE checkpoints SET note = :n WHERE size = :s"), {"n": forged, "s": size})


def _rewrite_anchor_root(conn: Any, ledger: Ledger) -> None:
    """Another root in the first anchor that covers `record_ids[0]` (an anchor of the plan alone,
    size `PLANS`, may come before it when the anchoring job runs before the first filing)."""
    conn.execute(
        text(
            "UPDATE anchors SET root = :r WHERE tree_size = "
            "(SELECT MIN(tree_size) FROM anchors WHERE tree_size > :covered)"
        ),
        {"r": bytes(range(32)), "covered": PLANS + 0},
    )


TAMPERINGS = [
    Tampering("entries.body", _replace_body, {"bodies"}, 0, {"body_content_hash"}),
    # The rewritten entry's record id is not one the server knows: `bodies` finds it unserved.
    Tampering(
        "entries.data",
        _replace_entry_data,
        {"signatures", "bodies", "tiles", "root", "anchor_roots"},
        1,
        {"leaf_hash", "signature", "inclusion"},
    ),
    Tampering("nodes.hashes", _flip_leaf_hash, {"tiles"}, 0, {"inclusion"}),
    Tampering(
        "checkpoints.note",
        _rewrite_checkpoint_root,
        {"checkpoint"},
        5,
        {"inclusion", "checkpoint_signature", "checkpoint_size", "anchored_root"},
    ),
    Tampering(
        "anchors.root",
        _rewrite_anchor_root,
        {"anchor_roots", "anchor_consistency", "anchors_on_chain"},
        0,
        {"checkpoint_size"},
    ),
]


@contextlib.contextmanager
def serving(ledger: Ledger) -> Iterator[str]:
    """Another server over the same database, without jobs, reading the chain through the first
    one's RPC: it reads the database afresh (the running server keeps node runs it has read in
    memory, as a committed run never changes). Its own start-up self-check is off: the test is
    that the independent verifier catches what the server serves."""
    port = free_port()
    settings = ledger.settings.model_copy(
        update={"rpc_urls": [ledger.rpc], "selfcheck": "off"})
    config = uvicorn.Config(
        create_app(settings, jobs=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def tampered(ledger: Ledger, tampering: Tampering) -> Iterator[str]:
    """Apply one tampering in a transaction of its own and serve the tampered log (its base URL);
    put the rows back afterwards."""
    engine = create_engine(ledger.settings.database())
    tables = {
        "entries.body": "entries",
        "entries.data": "entries",
        "nodes.hashes": "nodes",
        "checkpoints.note": "checkpoints",
        "anchors.root": "anchors",
    }
    table = tables[tampering.name]
    try:
        with engine.begin() as conn:
            saved = [dict(row._mapping) for row in conn.execute(text(f"SELECT * FROM {table}"))]
            tampering.change(conn, ledger)
        with serving(ledger) as url:
            yield url
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {table}"))
            for row in saved:
                names = ", ".join(row)
                marks = ", ".join(f":{name}" for name in row)
                conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), row)
        engine.dispose()


def test_tampering_with_the_database_is_caught_by_the_right_check(ledger: Ledger) -> None:
    trust = ("--trust", str(ledger.trust_file))
    for tampering in TAMPERINGS:
        record_id = ledger.record_ids[tampering.record]
        with tampered(ledger, tampering) as url:
            code, report = verify_json("audit", "--ledger", url, *trust)
            assert code == 1, tampering.name
            assert set(report["failed"]) == tampering.audit_fails, (tampering.name, report)
            code, result = verify_json("record", record_id, "--ledger", url, *trust)
            assert code == 1, tampering.name
            assert set(result["failed"]) == tampering.record_fails, (tampering.name, result)
        assert verify_json("audit", "--ledger", ledger.url, *trust)[0] == 0, tampering.name


# A lying JSON-RPC endpoint.


@contextlib.contextmanager
def lying_rpc(honest: str) -> Iterator[str]:
    """A JSON-RPC proxy of `honest` that answers every `rootAt` call with a wrong root."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            forwarded = urllib.request.Request(
                honest, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(forwarded, timeout=10) as response:
                answer = json.loads(response.read())
            request = json.loads(body)
            if request["method"] == "eth_call" and request["params"][0]["data"].startswith(
                "0x" + ROOT_AT.hex()
            ):
                answer["result"] = "0x" + "ab" * 32 + answer["result"][66:]
            reply = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rpc"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_lying_endpoint_is_caught_when_every_endpoint_must_agree(
    ledger: Ledger, tmp_path: Path
) -> None:
    pinned = json.loads(ledger.trust_file.read_text())
    record_id = ledger.record_ids[0]
    with lying_rpc(ledger.rpc) as liar:

        def check(rpc_urls: list[str], quorum: str | int) -> tuple[int, dict[str, Any]]:
            trust_file = tmp_path / "trust-quorum.json"
            trust_file.write_text(json.dumps({**pinned, "rpc_urls": rpc_urls, "quorum": quorum}))
            return verify_json(
                "record", record_id, "--ledger", ledger.url, "--trust", str(trust_file)
            )

        code, result = check([ledger.rpc, liar], "all")
        assert code == 1 and result["failed"] == ["anchored_root"]
        message = next(c["message"] for c in result["checks"] if c["name"] == "anchored_root")
        assert "endpoints disagree" in message and liar in message
        code, result = check([ledger.rpc, liar], 2)
        assert code == 1 and result["failed"] == ["anchored_root"]
        # Quorum k takes the first k equal answers, asking in order: 1 trusts the first endpoint.
        assert check([ledger.rpc, liar], 1)[0] == 0
        code, result = check([liar, ledger.rpc], 1)
        assert code == 1 and result["failed"] == ["anchored_root"]


def test_monitor_sees_new_checkpoints_consistent_and_anchored(
    ledger: Ledger, tmp_path: Path
) -> None:
    state = tmp_path / "monitor.json"
    watch = (
        "monitor",
        "--ledger",
        ledger.url,
        "--trust",
        str(ledger.trust_file),
        "--state",
        str(state),
        "--once",
        "--anchor-deadline",
        "30",
    )
    code, out, err = verify(*watch)
    assert code == 0, out + err
    assert out.splitlines()[-1].startswith(f"seen size {PLANS + FILED} root ")
    ledger.file([sign_indicator(ledger.domain, n) for n in (6, 7)])
    code, out, err = verify(*watch)
    assert code == 0, out + err
    assert "ALERT" not in out
    seen = json.loads(state.read_text())
    assert seen["last"]["size"] == PLANS + FILED + 2
    assert seen["anchored"]["size"] == PLANS + FILED + 2
    assert seen["pending"] == []
