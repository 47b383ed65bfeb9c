"""The operator's side: `infraledger keys new`, `infraledger submit` and
`client.ledger.LedgerClient`, against a real ledger server (uvicorn on loopback, SQLite, the
embedded chain)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.cli import main
from client.errors import ClientError
from client.keys import load_operator_key
from client.ledger import (
    LedgerClient,
    LedgerRefused,
    LedgerUnreachable,
    prepare_submission,
)
from filings.signing import SubmissionDomain, signer_address
from ledger.entry import parse_record_id
from ledger.note import Verifier
from ledger.receipt import open_receipt
from tests.filings.factories import (
    INDICATOR_BODY,
    INDICATOR_SUBJECT,
    ISSUED_AT,
    PERMIT_BODY,
    REPORT_BODY,
)
from tests.server_fixtures import PLANS, SAMPLE, auth, free_port, sign_indicator

PERMIT_DRAFT_BODY = {**PERMIT_BODY, "personal_data": {"name": "Trần Thị Bích",
                                                      "id_number": "046190001234"}}


def _draft(subject: str = INDICATOR_SUBJECT, **fields: Any) -> dict[str, Any]:
    return {"kind": "indicator", "schema": "indicator/2", "subject": subject,
            "body": INDICATOR_BODY, **fields}


def _write(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def _key_file(path: Path, key: bytes) -> Path:
    path.write_text("0x" + key.hex() + "\n")
    path.chmod(0o600)
    return path


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def _said(err: str) -> list[str]:
    """The command's own lines on stderr (the in-process server logs there too)."""
    return [line for line in _lines(err) if line.startswith("infraledger")]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`main` points the root logger at this test's captured stderr: undo it afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


# -- keys new ------------------------------------------------------------------------------------


def test_keys_new_writes_a_private_key_file_and_prints_only_the_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "keys" / "viettel.key"
    assert main(["keys", "new", "--out", str(out)]) == 0
    printed = capsys.readouterr()
    key = load_operator_key(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text() == "0x" + key.hex() + "\n"
    assert _lines(printed.out) == [signer_address(key)]
    assert key.hex() not in printed.out + printed.err


def test_keys_new_prints_the_key_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "wallet.key"
    assert main(["keys", "new", "--out", str(out), "--print"]) == 0
    key = load_operator_key(out)
    assert _lines(capsys.readouterr().out) == [signer_address(key), "0x" + key.hex()]


def test_keys_new_never_overwrites_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _key_file(tmp_path / "operator.key", SAMPLE.active.key)
    assert main(["keys", "new", "--out", str(out)]) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert _lines(printed.err) == [f"infraledger keys new: {out} đã có; hãy chọn --out khác / "
                                   f"{out} exists; choose another --out"]
    assert load_operator_key(out) == SAMPLE.active.key


# -- submit: refusals before anything is sent ------------------------------------------------


@pytest.mark.parametrize(("content", "fault"), [
    (None, "cannot read the key file"),
    ("not a key\n", "holds no private key"),
    ("0x" + "00" * 32, "outside the secp256k1 key range"),
    ("0x" + "ab" * 31, "holds no private key"),
])
def test_submit_refuses_a_bad_key_file_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, fault: str
) -> None:
    key_file = tmp_path / "operator.key"
    if content is not None:
        key_file.write_text(content)
    draft = _write(tmp_path / "draft.json", _draft())
    code = main(["submit", str(draft), "--key", str(key_file),
                 "--url", f"http://127.0.0.1:{free_port()}"])
    printed = capsys.readouterr()
    assert code == 2
    assert printed.out == ""
    [line] = _lines(printed.err)
    assert line.startswith("infraledger submit: ") and fault in line and str(key_file) in line


@pytest.mark.parametrize(("text", "fault"), [
    ("{not json", "line 1: malformed JSON"),
    (json.dumps(_draft(colour="red")), "colour: not a member of a draft"),
    (json.dumps({"kind": "indicator"}), "schema: required, a string"),
    (json.dumps(_draft(attachments=["missing.pdf"])), "attachment missing.pdf is not a file"),
    (json.dumps([_draft(), _draft(salt="0x12")]), "#2: salt"),
])
def test_submit_refuses_a_malformed_draft_before_sending_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, fault: str
) -> None:
    key_file = _key_file(tmp_path / "operator.key", SAMPLE.active.key)
    draft = tmp_path / "draft.json"
    draft.write_text(text)
    # Nothing listens on the port: a draft error must come before any request.
    code = main(["submit", str(draft), "--key", str(key_file),
                 "--url", f"http://127.0.0.1:{free_port()}"])
    printed = capsys.readouterr()
    assert code == 2
    [line] = _lines(printed.err)
    assert str(draft) in line and fault in line, line


def test_submit_to_an_unreachable_ledger_is_an_io_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = _key_file(tmp_path / "operator.key", SAMPLE.active.key)
    draft = _write(tmp_path / "draft.json", _draft())
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["submit", str(draft), "--key", str(key_file), "--url", url]) == 2
    [line] = _lines(capsys.readouterr().err)
    assert line.startswith(
        f"infraledger submit: không kết nối được sổ cái {url} / GET {url}/v1/log: ")


# -- submit through a live server ------------------------------------------------------------


def _records(out: str) -> dict[str, tuple[str, str, str]]:
    """`{draft label: (record id, index, status)}` from the command's output."""
    rows = {}
    for line in _lines(out):
        record, index, status, label = line.split(" ", 3)
        rows[label] = (record, index, status)
    return rows


def test_submit_signs_uploads_and_files_drafts_through_a_live_server(
    live_server: str, registrar_token: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key_file = tmp_path / "viettel.key"
    assert main(["keys", "new", "--out", str(key_file)]) == 0
    address = capsys.readouterr().out.strip()
    registered = httpx.post(f"{live_server}/v1/operators", headers=auth(registrar_token),
                            json={"address": address, "name": "Viettel Huế", "licence": "GP-1"})
    assert registered.status_code == 201, registered.text

    drafts = tmp_path / "drafts"
    drafts.mkdir()
    scan = b"%PDF-1.4 scanned permit 125/GP-STTTT"
    sites = b"site,lat,lon\nLoc Tien,16.2745,107.9312\n"
    (drafts / "scan.pdf").write_bytes(scan)
    (drafts / "sites.csv").write_bytes(sites)
    indicator = _write(drafts / "indicator.json", _draft())
    permit_body = {**PERMIT_DRAFT_BODY, "operators": [address]}
    permit = _write(drafts / "permit.json", {
        "kind": "permit", "schema": "permit/2", "subject": "permit:20152:125/GP-STTTT",
        "body": permit_body, "salt": True,
        "attachments": ["scan.pdf", {"path": "sites.csv", "type": "text/csv"}],
    })
    report = {"kind": "report", "schema": "report/2", "subject": "report:2024:annual",
              "body": REPORT_BODY, "issued_at": 1_735_689_600}
    lines = drafts / "batch.jsonl"
    lines.write_text(json.dumps(report, ensure_ascii=False) + "\n\n"
                     + json.dumps(_draft("indicator:bts_shared_ratio:478:2024-Q4")) + "\n")
    files = [str(indicator), str(permit), str(lines)]
    receipts = tmp_path / "receipts"
    command = ["submit", *files, "--key", str(key_file), "--url", live_server,
               "--receipts", str(receipts)]

    assert main(command) == 1
    printed = capsys.readouterr()
    rows = _records(printed.out)
    assert {label: row[2] for label, row in rows.items()} == {
        str(indicator): "accepted", str(permit): "accepted", f"{lines}#1": "accepted",
        f"{lines}#2": "rejected",
    }
    assert rows[f"{lines}#2"][:2] == ("-", "-")
    [rejection] = _said(printed.err)
    assert rejection.startswith(f"infraledger submit: bản nháp {lines}#2 bị từ chối / "
                                f"rejected {lines}#2: subject_mismatch: ")

    log = httpx.get(f"{live_server}/v1/log").json()
    assert log["tree_size"] == PLANS + 3
    verifier = Verifier.from_vkey(log["vkey"])
    accepted = {label: row for label, row in rows.items() if row[2] == "accepted"}
    assert sorted(int(row[1]) for row in accepted.values()) == [1, 2, 3]
    assert sorted(path.name for path in receipts.iterdir()) == sorted(
        f"{row[0]}.json" for row in accepted.values())
    for label, (record, index, _) in accepted.items():
        saved = json.loads((receipts / f"{record}.json").read_text())
        assert (saved["record_id"], saved["index"], saved["draft"]) == (record, int(index), label)
        note = open_receipt(saved["receipt"], log["origin"], verifier)
        assert (int(index), parse_record_id(record)) in note.leaves
        assert saved["submission"]["operator"] == address

    # The permit is restricted: the public sees neither its body nor its salt; its files are in.
    permit_id = rows[str(permit)][0]
    public = httpx.get(f"{live_server}/v1/records/{permit_id}").json()
    assert public["restricted"] is True and public["body"] is None and "salt" not in public
    assert "Trần Thị Bích" not in json.dumps(public, ensure_ascii=False)
    assert sorted((a["name"], a["type"], a["size"]) for a in public["attachments"]) == [
        ("scan.pdf", "application/pdf", len(scan)), ("sites.csv", "text/csv", len(sites))]
    saved_permit = json.loads((receipts / f"{permit_id}.json").read_text())
    assert len(saved_permit["submission"]["salt"]) == 66

    # A retry of the same files signs the same records: duplicates, same ids and indices, exit 0.
    # The report keeps its explicit issued_at when its file is rewritten without the bad draft.
    lines.write_text(json.dumps(report, ensure_ascii=False) + "\n")
    assert main(["submit", *files, "--key", str(key_file), "--url", live_server]) == 0
    again = _records(capsys.readouterr().out)
    assert again == {
        str(indicator): (*rows[str(indicator)][:2], "duplicate"),
        str(permit): (*rows[str(permit)][:2], "duplicate"),
        str(lines): (*rows[f"{lines}#1"][:2], "duplicate"),
    }
    assert httpx.get(f"{live_server}/v1/log").json()["tree_size"] == PLANS + 3


def test_submit_names_every_rejected_draft_when_all_are_rejected(
    live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = _key_file(tmp_path / "mobifone.key", SAMPLE.revoked.key)
    drafts = [_write(tmp_path / f"{n}.json", _draft(issued_at=ISSUED_AT + n)) for n in range(2)]
    code = main(["submit", *map(str, drafts), "--key", str(key_file), "--url", live_server])
    printed = capsys.readouterr()
    assert code == 1
    assert {row[2] for row in _records(printed.out).values()} == {"rejected"}
    assert sorted(_said(printed.err)) == sorted(
        f"infraledger submit: bản nháp {draft} bị từ chối / rejected {draft}: inactive_operator: "
        f"{SAMPLE.revoked.address} is not an active operator in the registry nor a registrar"
        for draft in drafts)


def test_submit_files_many_drafts_of_one_list(
    live_server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Enough drafts for the progress bar (on stderr), all accepted in order: exit 0."""
    key_file = _key_file(tmp_path / "vnpt.key", SAMPLE.active.key)
    batch = _write(tmp_path / "quarter.json", [_draft(issued_at=ISSUED_AT + n)
                                                for n in range(25)])
    assert main(["submit", str(batch), "--key", str(key_file), "--url", live_server]) == 0
    rows = _records(capsys.readouterr().out)
    assert list(rows) == [f"{batch}#{n}" for n in range(1, 26)]
    assert [(row[1], row[2]) for row in rows.values()] == [
        (str(n + PLANS), "accepted") for n in range(25)]


# -- the client library ----------------------------------------------------------------------


def test_client_reads_the_domain_and_submits_in_bounded_chunks(
    live_server: str, ledger_domain: SubmissionDomain
) -> None:
    items = [sign_indicator(ledger_domain, n) for n in range(5)]
    items[3] = sign_indicator(ledger_domain, 3, key=SAMPLE.unregistered.key)
    with LedgerClient(live_server, max_items=2) as ledger:
        assert ledger.domain() == ledger_domain
        results = ledger.submit(items)
        vkey = ledger.log_info()["vkey"]
    assert [r.status for r in results] == ["accepted"] * 3 + ["rejected", "accepted"]
    assert [r.index for r in results] == [1, 2, 3, None, 4]
    assert results[3].error is not None and results[3].error["code"] == "inactive_operator"
    assert results[3].record_id is None and not results[3].ok
    # Three requests: [0, 1], [2, 3], [4], each answered with its own signed receipt.
    receipts = [r.receipt for r in results]
    assert receipts[0] == receipts[1] != receipts[2] == receipts[3] != receipts[4]
    for result in results:
        assert result.receipt is not None
        leaves = open_receipt(result.receipt, "ledger.example.vn/hue-infra",
                              Verifier.from_vkey(vkey)).leaves
        if result.ok:
            assert result.record_id is not None and result.index is not None
            assert (result.index, parse_record_id(result.record_id)) in leaves

    # By bytes: each request holds as many items as fit in max_request_bytes.
    more = [sign_indicator(ledger_domain, n) for n in range(10, 13)]
    one = len(json.dumps(more[0], separators=(",", ":")).encode())
    with LedgerClient(live_server, max_request_bytes=2 * one + 64) as ledger:
        results = ledger.submit(more + items[:1])
    assert [r.status for r in results] == ["accepted"] * 3 + ["duplicate"]
    assert results[0].receipt == results[1].receipt != results[2].receipt == results[3].receipt


def test_client_reports_refusals_with_the_servers_code(
    live_server: str, ledger_domain: SubmissionDomain
) -> None:
    with LedgerClient(live_server) as ledger:
        with pytest.raises(LedgerRefused) as missing:
            ledger.record("ab" * 32)
        assert (missing.value.code, missing.value.http_status) == ("not_found", 404)
        assert isinstance(missing.value, ClientError)

        with pytest.raises(LedgerRefused) as outsider:
            ledger.upload_attachment(b"%PDF-1.4", "application/pdf", SAMPLE.unregistered.key,
                                     name="x.pdf")
        assert (outsider.value.code, outsider.value.http_status) == ("inactive_operator", 403)

        # Every item rejected: the server's 422 all_rejected becomes rejected results.
        rejected = ledger.submit([sign_indicator(ledger_domain, n, signature="0x" + "11" * 65)
                                  for n in range(2)])
        assert [(r.status, r.error and r.error["code"]) for r in rejected] == [
            ("rejected", "bad_signature")] * 2

    with LedgerClient(f"http://127.0.0.1:{free_port()}") as nowhere, \
            pytest.raises(LedgerUnreachable):
        nowhere.log_info()


def test_client_uploads_files_and_reads_records_and_proofs(
    live_server: str, ledger_domain: SubmissionDomain, inspector_token: str
) -> None:
    key = SAMPLE.active.key
    data = b"%PDF-1.4 annual report 2024"
    with LedgerClient(live_server) as ledger:
        attachment = ledger.upload_attachment(data, "application/pdf", key, name="2024.pdf")
        assert (attachment.sha256, attachment.size) == (hashlib.sha256(data).hexdigest(),
                                                        len(data))
        submission = prepare_submission(
            key, ledger.domain(), kind="report", schema="report/2",
            subject="report:2024:annual-infrastructure", body=REPORT_BODY,
            issued_at=1_735_689_600, salt=os.urandom(32), attachments=[attachment],
        )
        [result] = ledger.submit([submission])
        assert result.status == "accepted" and result.record_id is not None
        record = ledger.record(result.record_id)
        assert record["body"] is None and record["attachments"] == [attachment.to_json()]
        proof = _proof_when_checkpointed(ledger, result.record_id)
        assert proof["format"] == "infraledger-proof/1" and proof["body"] is None
    with LedgerClient(live_server, token=inspector_token) as inspector:
        shown = inspector.record(result.record_id)
        assert shown["body"] == REPORT_BODY and shown["salt"] == submission["salt"]


def _proof_when_checkpointed(ledger: LedgerClient, record_id: str) -> dict[str, Any]:
    """The bundle, once a checkpoint covers the record (every 0.2 s in these tests)."""
    for _ in range(100):
        try:
            return ledger.proof(record_id)
        except LedgerRefused as exc:
            if exc.code != "not_checkpointed":
                raise
        time.sleep(0.1)
    raise AssertionError(f"record {record_id} was never checkpointed")
