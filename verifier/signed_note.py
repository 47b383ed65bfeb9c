"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys: parsing and verification.

A note is a text ending in a newline, a blank line, then signature lines
`— <key name> base64(key id || signature)`. A verifier key is written
`<name>+<hex key id>+base64(0x01 || 32-byte Ed25519 public key)`, where the key id is
SHA-256(name || 0x0A || 0x01 || public key)[:4] ("Signatures" and "Ed25519 signatures").
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from verifier.encodings import decode_base64, encode_base64
from verifier.errors import (
    MalformedBase64,
    MalformedNote,
    MalformedVerifierKey,
    NoteSignatureError,
)

ED25519_TYPE: Final = 0x01
KEY_ID_SIZE: Final = 4
ED25519_KEY_SIZE: Final = 32
ED25519_SIGNATURE_SIZE: Final = 64
MAX_SIGNATURES: Final = 100
"""The spec asks verifiers to accept at least 16 signatures and to bound them."""

_SIGNATURE_PREFIX: Final = "\u2014 "
_CONTROL: Final = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SPACE: Final = re.compile(r"\s")
_KEY_ID_HEX: Final = re.compile(r"[0-9a-f]{8}\Z")


def key_id(name: str, public_key: bytes) -> bytes:
    """Return the 4-byte key id SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    material = name.encode("utf-8") + b"\n" + bytes([ED25519_TYPE]) + public_key
    return hashlib.sha256(material).digest()[:KEY_ID_SIZE]


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """An Ed25519 note verifier key: its name, 4-byte key id and 32-byte public key."""

    name: str
    key_id: bytes
    public_key: bytes

    @staticmethod
    def parse(text: object) -> VerifierKey:
        """Parse `name+hex8+base64(0x01 || key)` (remembering the last few keys parsed).

        Raises `MalformedVerifierKey` for a bad name (empty, spaces, plus signs), a key id that is
        not 8 lowercase hex digits or not the hash of the name and key, a key type other than
        Ed25519 (0x01), or a public key that is not 32 bytes.
        """
        if not isinstance(text, str):
            raise MalformedVerifierKey(f"verifier key: got {type(text).__name__}, want a string")
        return _parse_verifier_key(text)

    def __str__(self) -> str:
        """Return the key in its `name+hex8+base64` text form."""
        encoded = encode_base64(bytes([ED25519_TYPE]) + self.public_key)
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: the key name, the 4-byte key id, and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A parsed, not yet verified, signed note. `text` includes its final newline."""

    text: str
    signatures: tuple[NoteSignature, ...]

    @staticmethod
    def parse(note: str) -> SignedNote:
        """Parse a signed note: text, blank line, one or more signature lines.

        The text is split from the signatures at the last blank line. Raises `MalformedNote` for
        control characters other than newline, a missing blank line or signature, a signature
        line that is not `— name base64`, a bad key name, or more than 100 signatures.
        """
        if _CONTROL.search(note):
            raise MalformedNote("note holds control characters other than newline")
        split = note.rfind("\n\n")
        if split < 0:
            raise MalformedNote("note has no blank line before its signatures")
        text, block = note[: split + 1], note[split + 2 :]
        if not block.endswith("\n"):
            raise MalformedNote("note signatures must end with a newline")
        lines = block[:-1].split("\n")
        if len(lines) > MAX_SIGNATURES:
            raise MalformedNote(f"note has {len(lines)} signatures, limit {MAX_SIGNATURES}")
        return SignedNote(text=text, signatures=tuple(_parse_signature(line) for line in lines))

    def verify(self, key: VerifierKey) -> None:
        """Check that the note carries a valid signature by `key`.

        Signatures by other keys (another name or key id) are ignored, as the spec requires.
        Raises `NoteSignatureError` if no signature is by `key`, or if one by `key` fails.
        """
        mine = [s for s in self.signatures if s.name == key.name and s.key_id == key.key_id]
        if not mine:
            found = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in self.signatures)
            raise NoteSignatureError(
                f"no signature by {key.name}+{key.key_id.hex()}; signed by {found}"
            )
        for signature in mine:
            if len(signature.signature) != ED25519_SIGNATURE_SIZE:
                raise NoteSignatureError(
                    f"signature by {key.name} is {len(signature.signature)} bytes, "
                    f"want {ED25519_SIGNATURE_SIZE}"
                )
            if not _ed25519_valid(key.public_key, signature.signature, self.text):
                raise NoteSignatureError(f"signature by {key.name} does not verify")


@functools.lru_cache(maxsize=256)
def _ed25519_valid(public_key: bytes, signature: bytes, text: str) -> bool:
    """Verify an Ed25519 signature (RFC 8032) over the UTF-8 text.

    Cached: many bundles carry the same anchored checkpoint, and a verification is a pure
    function of these three values.
    """
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, text.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=64)
def _parse_verifier_key(text: str) -> VerifierKey:
    """Parse a verifier key text (see `VerifierKey.parse`); cached, the result is immutable."""
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise MalformedVerifierKey("verifier key: want name+keyid+key")
    name, id_hex, encoded = parts
    _require_key_name(name, MalformedVerifierKey)
    if not _KEY_ID_HEX.match(id_hex):
        raise MalformedVerifierKey(f"verifier key id: got {id_hex[:20]!r}, want 8 hex digits")
    try:
        material = decode_base64(encoded, what="verifier key")
    except MalformedBase64 as exc:
        raise MalformedVerifierKey(str(exc)) from exc
    if len(material) != 1 + ED25519_KEY_SIZE or material[0] != ED25519_TYPE:
        raise MalformedVerifierKey(
            f"verifier key: got {len(material)} bytes of type {material[:1].hex() or 'none'}, "
            f"want 0x01 and a {ED25519_KEY_SIZE}-byte Ed25519 key"
        )
    public_key = material[1:]
    computed = key_id(name, public_key)
    if computed.hex() != id_hex:
        raise MalformedVerifierKey(f"verifier key id: got {id_hex}, want {computed.hex()}")
    return VerifierKey(name=name, key_id=computed, public_key=public_key)


def _parse_signature(line: str) -> NoteSignature:
    """Parse one `— name base64(key id || signature)` line (without its newline)."""
    if not line.startswith(_SIGNATURE_PREFIX):
        raise MalformedNote(f"signature line {line[:40]!r} does not start with an em dash")
    fields = line[len(_SIGNATURE_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise MalformedNote(f"signature line {line[:40]!r}: want '— name signature'")
    name, encoded = fields
    _require_key_name(name, MalformedNote)
    try:
        blob = decode_base64(encoded, what=f"signature by {name}")
    except MalformedBase64 as exc:
        raise MalformedNote(str(exc)) from exc
    if len(blob) <= KEY_ID_SIZE:
        raise MalformedNote(f"signature by {name} is {len(blob)} bytes, too short")
    return NoteSignature(name=name, key_id=blob[:KEY_ID_SIZE], signature=blob[KEY_ID_SIZE:])


def _require_key_name(name: str, error: type[MalformedNote] | type[MalformedVerifierKey]) -> None:
    """Raise `error` unless `name` is non-empty, without Unicode spaces and plus signs."""
    if not name or "+" in name or _SPACE.search(name):
        raise error(f"key name {name[:40]!r} must be non-empty, without spaces or '+'")
