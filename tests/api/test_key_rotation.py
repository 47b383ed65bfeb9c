"""`infraledger log rotate-key` on a real data directory, and the server after it: the statement
written, the old key kept aside, the new key installed and signing, the statements served, and a
start refused when the statements do not lead to the installed key."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api.admin.log_key import rotate_log_key, staged_key_path
from api.app import create_app
from api.cli import main
from api.node import Node, load_log_key, log_rotations_path
from api.serving import ServerThread
from api.settings import Settings, SettingsError
from filings.signing import SubmissionDomain
from ledger.note import Signer
from ledger.rotation import KeyRotation, chain_history, open_rotation, split_statements
from ledger.service.checkpointer import Checkpointer
from ledger.service.selfcheck import SelfCheckFailed
from ledger.storage.store import LogStore
from tests.server_fixtures import PLANS, free_port, sign_indicator

ANCHOR_TIMEOUT = 30.0


def checkpoint_now(settings: Settings) -> int:
    """Sign a checkpoint of the log head with the installed key, as the server would; its size."""
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        Checkpointer(store, load_log_key(settings)).run_once()
        latest = store.latest_checkpoint()
        assert latest is not None
        return latest.checkpoint.size
    finally:
        store.close()


def rotate(settings: Settings, capsys: pytest.CaptureFixture[str]) -> str:
    """Run `infraledger log rotate-key` on the data directory; return what it printed."""
    assert main(["log", "rotate-key", "--data-dir", str(settings.data_dir)]) == 0
    return capsys.readouterr().out


def forge_rotation(settings: Settings) -> Signer:
    """Swap the log key for a new one "announced" by a statement signed by a stranger key, not
    by the log's key; return the new key."""
    stranger, new = Signer.generate(settings.origin), Signer.generate(settings.origin)
    note = KeyRotation(settings.origin, stranger.verifier, new.verifier,
                       checkpoint_now(settings) + 1, int(time.time())).sign(stranger, new)
    log_rotations_path(settings).write_text(note)
    settings.log_key_path().write_text(new.skey() + "\n")
    return new


@contextmanager
def serving(settings: Settings, port: int) -> Iterator[str]:
    """The ledger served on 127.0.0.1:`port` (the same port each time, so that what a visitor
    or a trust file pinned by URL stays valid across restarts)."""
    with ServerThread(create_app(settings), port=port) as url:
        yield url


def file_and_anchor(url: str, domain: SubmissionDomain, n: int, count: int) -> str:
    """File one signed record; wait until the log of `count` entries is anchored; its id."""
    with httpx.Client(base_url=url, timeout=30) as client:
        answer = client.post("/v1/submissions", json=sign_indicator(domain, n))
        assert answer.status_code == 202, answer.text
        record_id: str = answer.json()["results"][0]["record_id"]
        deadline = time.monotonic() + ANCHOR_TIMEOUT
        while client.get("/v1/log").json()["anchored_size"] < count:
            assert time.monotonic() < deadline, "not anchored in time"
            time.sleep(0.1)
        while client.get(f"/v1/records/{record_id}/proof").status_code != 200:
            assert time.monotonic() < deadline, "no proof in time"
            time.sleep(0.1)
    return record_id


def test_rotate_key_writes_a_statement_keeps_the_old_key_aside_and_installs_the_new(
    ledger_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    old = load_log_key(ledger_settings)
    size = checkpoint_now(ledger_settings)
    printed = rotate(ledger_settings, capsys)
    new = load_log_key(ledger_settings)
    assert new.verifier != old.verifier and new.name == old.name == ledger_settings.origin

    (note,) = split_statements(log_rotations_path(ledger_settings).read_text())
    rotation = open_rotation(note, ledger_settings.origin, old.verifier)
    assert (rotation.new_key, rotation.from_size) == (new.verifier, size + 1)
    assert abs(rotation.time - time.time()) < 600

    retired = ledger_settings.keys_dir() / f"log-{old.verifier.key_id.hex()}.skey.retired"
    assert Signer.from_skey(retired.read_text()).verifier == old.verifier
    assert stat.S_IMODE(retired.stat().st_mode) == 0o600
    assert stat.S_IMODE(ledger_settings.log_key_path().stat().st_mode) == 0o600
    assert old.skey() not in printed and new.skey() not in printed
    assert old.verifier.key_id.hex() in printed and new.verifier.key_id.hex() in printed
    assert f"from size {size + 1}" in printed

    second = rotate(ledger_settings, capsys)
    newest = load_log_key(ledger_settings)
    history, rotations = chain_history(ledger_settings.origin,
                                       split_statements(log_rotations_path(ledger_settings)
                                                        .read_text()))
    assert [r.old_key for r in rotations] == [old.verifier, new.verifier]
    assert history.current == newest.verifier
    assert newest.verifier.key_id.hex() in second


def test_rotate_key_refuses_a_data_directory_without_a_ledger(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["log", "rotate-key", "--data-dir", str(tmp_path / "none")]) == 1
    assert "no log key" in capsys.readouterr().err


def test_the_server_after_a_rotation_signs_with_the_new_key_and_serves_the_statements(
    ledger_settings: Settings, ledger_domain: SubmissionDomain,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old, port = load_log_key(ledger_settings), free_port()
    with serving(ledger_settings, port) as url:
        before = file_and_anchor(url, ledger_domain, 1, PLANS + 1)
        old_bundle = httpx.get(f"{url}/v1/records/{before}/proof").json()
    rotate(ledger_settings, capsys)
    new = load_log_key(ledger_settings)
    with serving(ledger_settings, port) as url:
        log = httpx.get(f"{url}/v1/log").json()
        assert (log["vkey"], log["key_rotations"]) == (new.verifier.vkey(), 1)
        served = httpx.get(f"{url}/v1/log/rotations").json()["rotations"]
        assert served == split_statements(log_rotations_path(ledger_settings).read_text())
        after = file_and_anchor(url, ledger_domain, 2, PLANS + 2)
        new_bundle = httpx.get(f"{url}/v1/records/{after}/proof").json()
        again = httpx.get(f"{url}/v1/records/{before}/proof").json()
    assert old_bundle["log"]["vkey"] == again["log"]["vkey"] == old.verifier.vkey()
    assert again["proof"] == old_bundle["proof"]
    assert new_bundle["log"]["vkey"] == new.verifier.vkey()
    assert f"— {new.name} " in new_bundle["proof"]


def test_a_start_is_refused_when_the_statements_do_not_lead_to_the_installed_key(
    ledger_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    old = load_log_key(ledger_settings)
    checkpoint_now(ledger_settings)
    rotate(ledger_settings, capsys)
    key_file = ledger_settings.log_key_path()
    installed = key_file.read_text()
    key_file.write_text(old.skey() + "\n")
    with pytest.raises(SettingsError, match=r"end at key .*install the key"):
        Node.open(ledger_settings, jobs=False)

    key_file.write_text(installed)
    statements = log_rotations_path(ledger_settings)
    genuine = statements.read_text()
    (note,) = split_statements(genuine)
    rotation = open_rotation(note, ledger_settings.origin, old.verifier)
    stranger = Signer.generate(ledger_settings.origin)
    text = rotation.text()
    statements.write_text(f"{text}\n{stranger.signature_line(text)}"
                          f"{Signer.from_skey(installed).signature_line(text)}")
    with pytest.raises(SettingsError, match=r"do not hold: key rotation 1: .*old key"):
        Node.open(ledger_settings, jobs=False)

    ahead = KeyRotation(rotation.origin, rotation.old_key, rotation.new_key,
                        rotation.from_size + 5, rotation.time)
    statements.write_text(ahead.sign(old, Signer.from_skey(installed)))
    with pytest.raises(SettingsError, match=r"starts at size .*next checkpoint"):
        Node.open(ledger_settings, jobs=False)

    statements.write_text(genuine)
    node = Node.open(ledger_settings, jobs=False)
    try:
        assert node.verifier_key == Signer.from_skey(installed).verifier.vkey()
        assert node.verifier_key_at(0) == old.verifier.vkey()
    finally:
        node.store.close()
        node.access.close()


def test_a_swapped_key_with_a_forged_history_fails_the_self_check(
    ledger_settings: Settings,
) -> None:
    """The statements of a forged history chain among themselves, but the log's own checkpoints
    (signed by the real key) do not verify with the key they name."""
    forge_rotation(ledger_settings)
    with pytest.raises(SelfCheckFailed, match="does not verify with the log key of its size"):
        Node.open(ledger_settings, jobs=False)


def test_a_rotation_interrupted_before_installing_the_key_is_named_at_start(
    ledger_settings: Settings,
) -> None:
    """The last step fails on the real file system (the key file made immutable, which no
    rename may replace): the statement is written, the new key staged; the server refuses to
    start and says where the new key is; installing it lets it start."""
    checkpoint_now(ledger_settings)
    key_path = ledger_settings.log_key_path()
    subprocess.run(["chattr", "+i", str(key_path)], check=True)
    try:
        with pytest.raises(SettingsError, match="the log key was not rotated: Operation not "
                           "permitted"):
            rotate_log_key(ledger_settings, now=int(time.time()))
    finally:
        subprocess.run(["chattr", "-i", str(key_path)], check=True)
    with pytest.raises(SettingsError, match=r"left it in \.log\.skey\.new"):
        Node.open(ledger_settings, jobs=False)
    os.replace(staged_key_path(ledger_settings), key_path)
    node = Node.open(ledger_settings, jobs=False)
    node.store.close()
    node.access.close()
