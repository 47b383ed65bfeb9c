"""`infraledger-verify trust update` against the real server across a log key rotation: the
statements are followed from the pinned key, bundles signed before and after the rotation both
verify, and a swapped key announced by anything but the pinned key is a finding."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import httpx
import pytest

from api.node import load_log_key
from api.settings import Settings
from filings.signing import SubmissionDomain
from ledger.note import Signer
from ledger.rotation import KeyRotation
from tests.api.test_key_rotation import file_and_anchor, forge_rotation, rotate, serving
from tests.server_fixtures import PLANS, free_port
from verifier.cli import main
from verifier.errors import TrustMismatch
from verifier.key_rotation import KeyRotation as VerifierRotation
from verifier.signed_note import VerifierKey
from verifier.trust import Trust

EXIT_VERIFIED, EXIT_FINDING = 0, 1


def verify(trust: Path, *args: str) -> int:
    return main([*args, "--trust", str(trust), "--lang", "en"])


def test_after_trust_update_bundles_before_and_after_the_rotation_verify(
    ledger_settings: Settings, ledger_domain: SubmissionDomain, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trust, saved, port = tmp_path / "trust.json", tmp_path / "before.json", free_port()
    old = load_log_key(ledger_settings)
    with serving(ledger_settings, port) as url:
        before = file_and_anchor(url, ledger_domain, 1, PLANS + 1)
        saved.write_bytes(httpx.get(f"{url}/v1/records/{before}/proof").content)
        assert main(["trust", "init", "--ledger", url, "--trust", str(trust)]) == EXIT_VERIFIED
        assert verify(trust, "trust", "update", "--ledger", url) == EXIT_VERIFIED
        assert "is up to date" in capsys.readouterr().out
    rotate(ledger_settings, capsys)
    new = load_log_key(ledger_settings)
    with serving(ledger_settings, port) as url:
        after = file_and_anchor(url, ledger_domain, 2, PLANS + 2)
        assert verify(trust, "record", after, "--ledger", url) == EXIT_FINDING
        assert "checkpoint_key" in capsys.readouterr().out

        assert verify(trust, "trust", "update", "--ledger", url) == EXIT_VERIFIED
        printed = capsys.readouterr().out
        assert f"the log key is {new.name}+{new.verifier.key_id.hex()}" in printed
        assert f"in place of {old.name}+{old.verifier.key_id.hex()}" in printed
        pinned = Trust.parse(json.loads(trust.read_text()))
        assert str(pinned.vkey) == new.verifier.vkey()
        assert [(str(e.vkey), e.until_size) for e in pinned.earlier_keys] == [
            (old.verifier.vkey(), PLANS + 2)]

        for record_id in (before, after):
            assert verify(trust, "record", record_id, "--ledger", url) == EXIT_VERIFIED
        assert "PASS checkpoint_key" in capsys.readouterr().out
        assert verify(trust, "bundle", str(saved)) == EXIT_VERIFIED
        assert f"below size {PLANS + 2}" in capsys.readouterr().out
        assert verify(trust, "trust", "update", "--ledger", url) == EXIT_VERIFIED
        assert "is up to date" in capsys.readouterr().out

        first_use = tmp_path / "first-use.json"
        assert main(["trust", "init", "--ledger", url, "--trust", str(first_use),
                     "--lang", "en"]) == EXIT_VERIFIED
        assert f"earlier  {old.verifier.vkey()} (signed the checkpoints below size" in \
            capsys.readouterr().out
        assert verify(first_use, "bundle", str(saved)) == EXIT_VERIFIED
    assert Trust.parse(json.loads(trust.read_text())) == pinned
    assert Trust.parse(json.loads(first_use.read_text())) == pinned


def test_a_key_swapped_with_a_statement_signed_by_a_stranger_is_a_finding(
    ledger_settings: Settings, ledger_domain: SubmissionDomain, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    trust, port = tmp_path / "trust.json", free_port()
    with serving(ledger_settings, port) as url:
        file_and_anchor(url, ledger_domain, 1, PLANS + 1)
        assert main(["trust", "init", "--ledger", url, "--trust", str(trust)]) == EXIT_VERIFIED
    pinned = trust.read_text()
    forge_rotation(ledger_settings)
    capsys.readouterr()
    with serving(ledger_settings.model_copy(update={"selfcheck": "off"}), port) as url:
        assert verify(trust, "trust", "update", "--ledger", url) == EXIT_FINDING
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("NOT updated: rotation statement 1 replaces")
    assert trust.read_text() == pinned


def test_follow_refuses_a_statement_for_the_pinned_key_signed_by_another(tmp_path: Path) -> None:
    origin = "ledger.example.vn/hue-infra"
    old, new, stranger = (Signer(origin, bytes([n]) * 32) for n in (1, 2, 3))
    trust = Trust.parse({
        "origin": origin, "vkey": old.verifier.vkey(), "chain_id": 1,
        "anchor_contract": "0x" + "11" * 20, "operator_registry": "0x" + "22" * 20,
        "rpc_urls": ["http://127.0.0.1:1/"], "quorum": "all",
    })
    text = KeyRotation(origin, old.verifier, new.verifier, 5, 1).text()
    for signers, problem in (((stranger, new), "not signed by the pinned key"),
                             ((old,), "not signed by the key it installs")):
        forged = text + "\n" + "".join(s.signature_line(text) for s in signers)
        with pytest.raises(TrustMismatch, match=problem):
            trust.follow([forged])
    genuine = KeyRotation(origin, old.verifier, new.verifier, 5, 1).sign(old, new)
    followed, rotations = trust.follow([genuine])
    assert len(rotations) == 1 and str(followed.key_at(4)) == old.verifier.vkey()
    assert str(followed.key_at(5)) == new.verifier.vkey()
    assert Trust.parse(followed.to_json()) == followed
    assert followed.follow([genuine]) == (followed, ())
    first_use = dataclasses.replace(trust, vkey=followed.vkey)
    assert first_use.with_history([genuine]) == followed
    with pytest.raises(TrustMismatch, match="its rotation statements lead to"):
        trust.with_history([genuine])


def test_the_format_example_is_what_the_ledger_signs_and_what_the_verifier_follows() -> None:
    """verifier/FORMAT.md's example statement, made again from its seeds."""
    origin = "ledger.example.vn/hue-infra"
    old, new = Signer(origin, bytes([1]) * 32), Signer(origin, bytes([2]) * 32)
    note = KeyRotation(origin, old.verifier, new.verifier, 1500, 1_780_000_000).sign(old, new)
    shown = "".join(f"    {line}\n" if line else "\n" for line in note.splitlines())
    assert shown in (Path(__file__).parents[2] / "verifier" / "FORMAT.md").read_text()
    rotation = VerifierRotation.parse(note)
    rotation.verify(1, origin=origin, pinned=VerifierKey.parse(old.verifier.vkey()))
    assert (str(rotation.new_key), rotation.from_size) == (new.verifier.vkey(), 1500)
