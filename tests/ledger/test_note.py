"""C2SP signed notes, checkpoints and receipts."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.errors import NoteError
from ledger.merkle import Hash, LeafHash
from ledger.note import Signer, Verifier, open_note
from ledger.receipt import Receipt, open_receipt

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "signed-note.json").read_text())
NOTES: list[dict[str, Any]] = VECTORS["notes"]


@pytest.mark.parametrize("vector", NOTES, ids=lambda v: v["name"])
def test_golden_notes_verify(vector: dict[str, Any]) -> None:
    verifier = Verifier.from_vkey(vector["verifier_key"])
    assert verifier.vkey() == vector["verifier_key"]
    note = vector["text"] + "\n" + vector["signature_line"]
    assert open_note(note, verifier) == vector["text"]


@pytest.mark.parametrize("vector", [v for v in NOTES if "signer_key" in v], ids=lambda v: v["name"])
def test_resigning_reproduces_the_golden_line(vector: dict[str, Any]) -> None:
    signer = Signer.from_skey(vector["signer_key"])
    assert signer.skey() == vector["signer_key"]
    assert signer.verifier.vkey() == vector["verifier_key"]
    assert signer.signature_line(vector["text"]) == vector["signature_line"]
    assert signer.sign(vector["text"]) == vector["text"] + "\n" + vector["signature_line"]


@pytest.mark.parametrize("vkey", VECTORS["bad_verifier_keys"])
def test_bad_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        Verifier.from_vkey(vkey)


def test_tampered_or_foreign_notes_fail() -> None:
    vector = NOTES[0]
    verifier = Verifier.from_vkey(vector["verifier_key"])
    good = vector["text"] + "\n" + vector["signature_line"]
    with pytest.raises(NoteError, match="does not verify"):
        open_note(good.replace("answer", "Answer"), verifier)
    with pytest.raises(NoteError, match="no signature by"):
        open_note(good, Verifier.from_vkey(NOTES[1]["verifier_key"]))
    for broken in ("no blank line\n", vector["text"] + "\n— x !!!\n", vector["text"] + "\n"):
        with pytest.raises(NoteError):
            open_note(broken, verifier)


def test_checkpoint_round_trip_and_origin() -> None:
    signer = Signer.generate("ledger.example.vn/hue-infra")
    checkpoint = Checkpoint("ledger.example.vn/hue-infra", 42, Hash(bytes(range(32))))
    note = checkpoint.sign(signer)
    assert note.startswith("ledger.example.vn/hue-infra\n42\n")
    assert open_checkpoint(note, "ledger.example.vn/hue-infra", signer.verifier) == checkpoint
    with pytest.raises(NoteError, match="origin"):
        open_checkpoint(note, "another.example/log", signer.verifier)


@pytest.mark.parametrize("text", [
    "origin\n",
    "origin\n042\n" + base64.b64encode(bytes(32)).decode() + "\n",
    "origin\n-1\n" + base64.b64encode(bytes(32)).decode() + "\n",
    "origin\n1\n" + base64.b64encode(bytes(31)).decode() + "\n",
    "origin\n1\nnot base64!\n",
    "\n1\n" + base64.b64encode(bytes(32)).decode() + "\n",
])
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


def test_receipt_is_signed_and_never_a_checkpoint() -> None:
    signer = Signer.generate("log.example")
    receipt = Receipt("log.example", 1_700_000_000,
                      ((7, LeafHash(bytes(32))), (8, LeafHash(b"\x01" * 32))))
    note = receipt.sign(signer)
    assert open_receipt(note, "log.example", signer.verifier) == receipt
    with pytest.raises(NoteError):
        open_checkpoint(note, "log.example", signer.verifier)
    with pytest.raises(NoteError):
        Checkpoint.parse(receipt.text())


def test_signer_repr_hides_the_key() -> None:
    signer = Signer.generate("log.example")
    assert "PRIVATE" not in repr(signer)
    assert signer.skey().split("+")[-1] not in repr(signer)
