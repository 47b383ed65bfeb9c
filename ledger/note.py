"""C2SP signed notes with Ed25519 (c2sp.org/signed-note), as golang.org/x/mod/sumdb/note does.

A note is UTF-8 text ending in a newline, a blank line, then signature lines
`— <key name> <base64(key id || signature)>`. The key id is the first four bytes of
SHA-256(key name || 0x0A || 0x01 || public key); 0x01 is the Ed25519 algorithm byte.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from ledger.errors import NoteError

ED25519: Final = 0x01
SIGNATURE_PREFIX: Final = "— "
_PRIVATE_PREFIX: Final = "PRIVATE+KEY+"


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key id of an Ed25519 key (c2sp.org/signed-note, "Signatures")."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() or c == "+" for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


@dataclass(frozen=True, slots=True)
class Verifier:
    """An Ed25519 note verifier: a key name and its public key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def vkey(self) -> str:
        """The verifier key string `name+hex(key id)+base64(0x01 || public key)`."""
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @staticmethod
    def from_vkey(vkey: str) -> Verifier:
        """Parse a verifier key string; raises `NoteError` unless it is a well-formed Ed25519 key
        whose key id matches its name and public key."""
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise NoteError("verifier key: want name+keyid+key")
        name, hash_hex, key_b64 = parts
        _check_name(name)
        key = _b64(key_b64, "verifier key")
        if len(key) != 33 or key[0] != ED25519:
            raise NoteError("verifier key: not an Ed25519 key")
        verifier = Verifier(name, key[1:])
        if hash_hex != verifier.key_id.hex():
            raise NoteError(f"verifier key: key id {hash_hex!r} does not match the key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """An Ed25519 note signer. Never log or print it: `skey()` is the secret."""

    __slots__ = ("_key", "name", "verifier")

    def __init__(self, name: str, seed: bytes) -> None:
        _check_name(name)
        if len(seed) != 32:
            raise NoteError("signer key: an Ed25519 seed is 32 bytes")
        self.name = name
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, public)

    def __repr__(self) -> str:
        return f"Signer({self.name!r}, key id {self.verifier.key_id.hex()})"

    @staticmethod
    def generate(name: str) -> Signer:
        seed = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        return Signer(name, seed)

    @staticmethod
    def from_skey(skey: str) -> Signer:
        """Parse `PRIVATE+KEY+name+hex(key id)+base64(0x01 || seed)`; raises `NoteError`."""
        if not skey.startswith(_PRIVATE_PREFIX):
            raise NoteError("signer key: want PRIVATE+KEY+name+keyid+key")
        parts = skey[len(_PRIVATE_PREFIX):].strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("signer key: want PRIVATE+KEY+name+keyid+key")
        name, hash_hex, key_b64 = parts
        key = _b64(key_b64, "signer key")
        if len(key) != 33 or key[0] != ED25519:
            raise NoteError("signer key: not an Ed25519 key")
        signer = Signer(name, key[1:])
        if hash_hex != signer.verifier.key_id.hex():
            raise NoteError("signer key: key id does not match the key")
        return signer

    def skey(self) -> str:
        """The signer key string (secret)."""
        seed = self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        encoded = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"{_PRIVATE_PREFIX}{self.name}+{self.verifier.key_id.hex()}+{encoded}"

    def signature_line(self, text: str) -> str:
        """The signature line for `text` (which must end in a newline)."""
        signature = self._key.sign(text.encode())
        encoded = base64.b64encode(self.verifier.key_id + signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"

    def sign(self, text: str) -> str:
        """Return the signed note: `text`, a blank line, the signature line."""
        _check_text(text)
        return f"{text}\n{self.signature_line(text)}"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    if "\n\n" in text:
        raise NoteError("note text must not hold a blank line")


def open_note(note: str, verifier: Verifier) -> str:
    """Verify a signed note against `verifier`; return its text.

    Splits at the last blank line. Requires at least one signature line by the verifier's name and
    key id that verifies; signatures by unknown keys are ignored, as C2SP says. Raises `NoteError`.
    """
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note: no blank line before the signatures")
    text, signatures = note[: split + 1], note[split + 2 :]
    _check_text(text)
    if not signatures.endswith("\n"):
        raise NoteError("note: signature block must end in a newline")
    verified = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError(f"note: malformed signature line {line[:60]!r}")
        fields = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(fields) != 2:
            raise NoteError("note: malformed signature line")
        name, encoded = fields
        blob = _b64(encoded, "signature")
        if len(blob) < 5:
            raise NoteError("note: signature too short")
        if name != verifier.name or blob[:4] != verifier.key_id:
            continue
        if not verifier.verify(text.encode(), blob[4:]):
            raise NoteError(f"note: signature by {name} does not verify")
        verified = True
    if not verified:
        raise NoteError(f"note: no signature by {verifier.name}+{verifier.key_id.hex()}")
    return text


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise NoteError(f"{what}: bad base64") from exc
