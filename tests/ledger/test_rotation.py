"""Log key rotation statements (`ledger.rotation`): the text format, both signatures, chains."""

from __future__ import annotations

import pytest

from ledger.checkpoint import Checkpoint
from ledger.errors import KeyRotationError, NoteError
from ledger.merkle import Hash
from ledger.note import Signer
from ledger.rotation import (
    KeyHistory,
    KeyRotation,
    chain_history,
    open_rotation,
    split_statements,
)

ORIGIN = "ledger.example.vn/hue-infra"
K0, K1, K2 = (Signer(ORIGIN, bytes([n]) * 32) for n in (1, 2, 3))
STRANGER = Signer(ORIGIN, bytes([9]) * 32)
TIME = 1_780_000_000


def statement(old: Signer, new: Signer, size: int, *, signers: tuple[Signer, ...] | None = None
              ) -> str:
    rotation = KeyRotation(ORIGIN, old.verifier, new.verifier, size, TIME)
    if signers is None:
        return rotation.sign(old, new)
    text = rotation.text()
    return text + "\n" + "".join(signer.signature_line(text) for signer in signers)


def test_the_text_is_the_six_lines_of_the_format() -> None:
    rotation = KeyRotation(ORIGIN, K0.verifier, K1.verifier, 12, TIME)
    assert rotation.text() == (
        "infraledger-key-rotation/1\n"
        f"origin {ORIGIN}\n"
        f"old {K0.verifier.vkey()}\n"
        f"new {K1.verifier.vkey()}\n"
        "from 12\n"
        f"time {TIME}\n"
    )
    assert KeyRotation.parse(rotation.text()) == rotation


def test_a_statement_signed_by_the_old_and_the_new_key_opens_with_the_old_key() -> None:
    note = statement(K0, K1, 12)
    signatures = note.split("\n\n")[1].splitlines()
    assert len(signatures) == 2
    assert open_rotation(note, ORIGIN, K0.verifier) == KeyRotation(
        ORIGIN, K0.verifier, K1.verifier, 12, TIME)


@pytest.mark.parametrize(("signers", "missing"), [
    ((STRANGER, K1), "old"),
    ((K1,), "old"),
    ((K0,), "new"),
    ((K0, STRANGER), "new"),
])
def test_a_statement_lacking_either_signature_is_refused(signers: tuple[Signer, ...],
                                                        missing: str) -> None:
    note = statement(K0, K1, 12, signers=signers)
    with pytest.raises(KeyRotationError, match=f"not signed by its {missing} key"):
        open_rotation(note, ORIGIN, K0.verifier)


def test_a_statement_replacing_another_key_than_the_pinned_one_is_refused() -> None:
    with pytest.raises(KeyRotationError, match="the key in force is"):
        open_rotation(statement(STRANGER, K1, 12), ORIGIN, K0.verifier)


def test_a_statement_of_another_log_is_refused() -> None:
    other = Signer("other.example/log", bytes([1]) * 32)
    new = Signer("other.example/log", bytes([2]) * 32)
    note = KeyRotation("other.example/log", other.verifier, new.verifier, 1, TIME).sign(other, new)
    with pytest.raises(KeyRotationError, match="origin"):
        open_rotation(note, ORIGIN, other.verifier)


def test_sign_requires_the_signers_of_the_keys_it_names() -> None:
    with pytest.raises(KeyRotationError):
        KeyRotation(ORIGIN, K0.verifier, K1.verifier, 1, TIME).sign(K0, K2)


@pytest.mark.parametrize("text", [
    "infraledger-key-rotation/1\norigin x\n",
    f"infraledger-key-rotation/2\norigin {ORIGIN}\nold {K0.verifier.vkey()}\n"
    f"new {K1.verifier.vkey()}\nfrom 1\ntime 1\n",
    f"infraledger-key-rotation/1\norigin {ORIGIN}\nold {K0.verifier.vkey()}\n"
    f"new {K0.verifier.vkey()}\nfrom 1\ntime 1\n",
    f"infraledger-key-rotation/1\norigin {ORIGIN}\nold {K0.verifier.vkey()}\n"
    f"new {K1.verifier.vkey()}\nfrom 01\ntime 1\n",
    f"infraledger-key-rotation/1\norigin {ORIGIN}\nold {K0.verifier.vkey()}\n"
    f"new {K1.verifier.vkey()}\nfrom 1\ntime -1\n",
    f"infraledger-key-rotation/1\norigin other\nold {K0.verifier.vkey()}\n"
    f"new {K1.verifier.vkey()}\nfrom 1\ntime 1\n",
    f"infraledger-key-rotation/1\norigin {ORIGIN}\nnew {K1.verifier.vkey()}\n"
    f"old {K0.verifier.vkey()}\nfrom 1\ntime 1\n",
    f"infraledger-key-rotation/1\norigin {ORIGIN}\nold {K0.verifier.vkey()}\n"
    f"new {K1.verifier.vkey()}\nfrom 1\ntime 1",
])
def test_malformed_texts_are_refused(text: str) -> None:
    with pytest.raises(KeyRotationError):
        KeyRotation.parse(text)


def test_a_statement_never_reads_as_a_checkpoint_nor_a_checkpoint_as_a_statement() -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(KeyRotation(ORIGIN, K0.verifier, K1.verifier, 1, TIME).text())
    with pytest.raises(KeyRotationError):
        KeyRotation.parse(Checkpoint(ORIGIN, 1, Hash(bytes(32))).text())


def test_a_chain_gives_each_size_its_key() -> None:
    notes = [statement(K0, K1, 5), statement(K1, K2, 9)]
    history, rotations = chain_history(ORIGIN, notes)
    assert [r.new_key for r in rotations] == [K1.verifier, K2.verifier]
    assert history.current == K2.verifier
    assert [history.key_at(size) for size in (0, 4, 5, 8, 9, 100)] == [
        K0.verifier, K0.verifier, K1.verifier, K1.verifier, K2.verifier, K2.verifier]
    followed, _ = KeyHistory.of(K0.verifier).follow(ORIGIN, notes)
    assert followed == history


def test_a_chain_with_a_link_signed_by_a_stranger_is_refused() -> None:
    notes = [statement(K0, K1, 5), statement(K1, K2, 9, signers=(STRANGER, K2))]
    with pytest.raises(KeyRotationError, match=r"key rotation 2: .*not signed by its old key"):
        chain_history(ORIGIN, notes)


def test_a_chain_that_skips_a_key_is_refused() -> None:
    with pytest.raises(KeyRotationError, match=r"key rotation 2: .*the key in force is"):
        chain_history(ORIGIN, [statement(K0, K1, 5), statement(K0, K2, 9)])


def test_a_chain_whose_sizes_go_down_is_refused() -> None:
    with pytest.raises(KeyRotationError, match="below the previous key's first size"):
        chain_history(ORIGIN, [statement(K0, K1, 9), statement(K1, K2, 5)])


def test_statements_split_from_their_file() -> None:
    notes = [statement(K0, K1, 5), statement(K1, K2, 9)]
    assert split_statements("".join(notes)) == notes
    assert split_statements("") == []
    with pytest.raises(KeyRotationError):
        split_statements("junk\n" + notes[0])
