"""C2SP signed notes, checkpoints and tlog-proofs, pinned to the published vectors."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.verifier.conftest import VECTORS
from tests.verifier.ledger_double import NoteKey, b64, checkpoint_text
from verifier.checkpoint import Checkpoint, SignedCheckpoint
from verifier.errors import (
    MalformedCheckpoint,
    MalformedNote,
    MalformedTlogProof,
    MalformedVerifierKey,
    NoteSignatureError,
    TrustMismatch,
)
from verifier.signed_note import SignedNote, VerifierKey, key_id
from verifier.tlog_proof import TlogProof

VECTOR = json.loads((VECTORS / "signed-note.json").read_text())


@pytest.mark.parametrize("case", VECTOR["notes"], ids=lambda case: case["name"])
def test_vector_notes_verify(case: dict[str, str]) -> None:
    key = VerifierKey.parse(case["verifier_key"])
    assert key.name == case["name"]
    assert str(key) == case["verifier_key"]
    note = SignedNote.parse(case["text"] + "\n" + case["signature_line"])
    note.verify(key)
    assert note.text == case["text"]


def test_signing_with_the_vector_seed_reproduces_the_signature_line() -> None:
    case = VECTOR["notes"][0]
    _, _, name, id_hex, encoded = case["signer_key"].split("+", 4)
    seed = base64.b64decode(encoded)[1:]
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes_raw()
    assert key_id(name, public).hex() == id_hex
    signature = private.sign(case["text"].encode())
    line = f"\u2014 {name} {b64(key_id(name, public) + signature)}\n"
    assert line == case["signature_line"]


@pytest.mark.parametrize("bad", VECTOR["bad_verifier_keys"])
def test_bad_verifier_keys_are_rejected(bad: str) -> None:
    with pytest.raises(MalformedVerifierKey):
        VerifierKey.parse(bad)


def test_key_whose_id_is_not_its_hash_is_rejected() -> None:
    good = VECTOR["notes"][0]["verifier_key"]
    with pytest.raises(MalformedVerifierKey, match="want c74f20a3"):
        VerifierKey.parse(good.replace("c74f20a3", "c74f20a4"))


def test_base64_keys_with_plus_signs_parse() -> None:
    for seed in range(40):
        key = NoteKey(name="example.com/log", seed=bytes([seed]) * 32)
        assert str(VerifierKey.parse(key.vkey())) == key.vkey()


def test_signature_by_another_key_is_ignored_and_one_by_ours_is_required() -> None:
    peter, enoch = VECTOR["notes"][0], VECTOR["notes"][1]
    both = SignedNote.parse(
        peter["text"] + "\n" + peter["signature_line"] + enoch["signature_line"]
    )
    both.verify(VerifierKey.parse(enoch["verifier_key"]))
    only_enoch = SignedNote.parse(peter["text"] + "\n" + enoch["signature_line"])
    with pytest.raises(NoteSignatureError, match="no signature by PeterNeumann"):
        only_enoch.verify(VerifierKey.parse(peter["verifier_key"]))


def test_altered_text_fails() -> None:
    case = VECTOR["notes"][2]
    note = SignedNote.parse(case["text"].upper() + "\n" + case["signature_line"])
    with pytest.raises(NoteSignatureError, match="does not verify"):
        note.verify(VerifierKey.parse(case["verifier_key"]))


@pytest.mark.parametrize(
    "note",
    [
        "no blank line\n\u2014 a AAAAAAAA\n",
        "text\n\n",
        "text\n\n\u2014 a AAAAAAAA",
        "text\n\n- a AAAAAAAA\n",
        "text\n\n\u2014 a+b AAAAAAAA\n",
        "text\n\n\u2014 a AAAA\n",
        "text\n\n\u2014 a AAAAAAAA!\n",
        "te\x07xt\n\n\u2014 a AAAAAAAA\n",
    ],
)
def test_malformed_notes(note: str) -> None:
    with pytest.raises(MalformedNote):
        SignedNote.parse(note)


def test_checkpoint_parses() -> None:
    root = bytes(range(32))
    text = checkpoint_text("example.com/log", 20852163, root) + "ext one\n"
    checkpoint = Checkpoint.parse(text)
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (
        "example.com/log",
        20852163,
        root,
    )
    assert checkpoint.extensions == ("ext one",)


@pytest.mark.parametrize(
    "text",
    [
        "origin\n12\n",
        "\n12\n" + b64(bytes(32)) + "\n",
        "origin\n012\n" + b64(bytes(32)) + "\n",
        "origin\n-1\n" + b64(bytes(32)) + "\n",
        "origin\n18446744073709551616\n" + b64(bytes(32)) + "\n",
        "origin\n12\n" + b64(bytes(31)) + "\n",
        "origin\n12\n" + b64(bytes(32)).rstrip("=") + "\n",
        "origin\n12\n" + b64(bytes(32)) + "\n\n",
        "origin\n12\n" + b64(bytes(32)),
    ],
)
def test_malformed_checkpoints(text: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.parse(text)


def test_signed_checkpoint_checks_origin_and_key() -> None:
    key = NoteKey(name="example.com/log", seed=bytes(32))
    note = key.sign(checkpoint_text("example.com/log", 5, bytes(32)))
    signed = SignedCheckpoint.parse(note)
    vkey = VerifierKey.parse(key.vkey())
    assert signed.verify(origin="example.com/log", key=vkey).size == 5
    with pytest.raises(TrustMismatch, match="checkpoint origin"):
        signed.verify(origin="example.com/other", key=vkey)
    with pytest.raises(NoteSignatureError):
        signed.verify(origin="example.com/log", key=VerifierKey.parse(NoteKey().vkey()))


def test_tlog_proof_with_extra_line() -> None:
    key = NoteKey(name="example.com/log", seed=bytes(32))
    note = key.sign(checkpoint_text("example.com/log", 109482, bytes(32)))
    hashes = [bytes([i]) * 32 for i in range(3)]
    text = (
        "c2sp.org/tlog-proof@v1\nextra "
        + b64(b"opaque")
        + "\nindex 73894\n"
        + "".join(b64(h) + "\n" for h in hashes)
        + "\n"
        + note
    )
    proof = TlogProof.parse(text)
    assert (proof.index, list(proof.hashes), proof.extra) == (73894, hashes, b"opaque")
    assert proof.checkpoint.checkpoint.size == 109482
    bare = TlogProof.parse("c2sp.org/tlog-proof@v1\nindex 0\n\n" + note)
    assert (bare.index, bare.hashes, bare.extra) == (0, (), None)


@pytest.mark.parametrize(
    "head",
    [
        "c2sp.org/tlog-proof@v2\nindex 1\n\n",
        "c2sp.org/tlog-proof@v1\nindex 01\n\n",
        "c2sp.org/tlog-proof@v1\nindex -1\n\n",
        "c2sp.org/tlog-proof@v1\nextra !!\nindex 1\n\n",
        "c2sp.org/tlog-proof@v1\nindex 1\n" + b64(bytes(31)) + "\n\n",
        "c2sp.org/tlog-proof@v1\nindex 1\n" + (b64(bytes(32)) + "\n") * 65 + "\n",
        "c2sp.org/tlog-proof@v1\nindex 1",
    ],
)
def test_malformed_tlog_proofs(head: str) -> None:
    note = NoteKey().sign(checkpoint_text("o", 5, bytes(32)))
    with pytest.raises(MalformedTlogProof):
        TlogProof.parse(head + note)
