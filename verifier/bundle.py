"""The proof bundle `infraledger-proof/1` (verifier/FORMAT.md): parsing, the `format` check.

Parsing checks every member's type and spelling, and nothing more: whether the bundle proves
anything is for `verifier.bundle_verification`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from verifier.address import Address, parse_address
from verifier.canonical_json import MAX_SAFE_INTEGER, canonicalize
from verifier.commitments import SALT_SIZE, Attachment, parse_attachment_list
from verifier.encodings import decode_hex
from verifier.entry import Entry, parse_record_id
from verifier.errors import MalformedBundle, MalformedInput
from verifier.rfc9162 import HASH_SIZE, LeafHash, RootHash
from verifier.signed_note import VerifierKey
from verifier.tlog_proof import TlogProof

FORMAT: Final = "infraledger-proof/1"
BUNDLE_FIELDS: Final = frozenset(
    {
        "format",
        "record_id",
        "log",
        "entry",
        "body",
        "salt",
        "attachments",
        "proof",
        "anchor",
        "operator_registry",
    }
)
ANCHOR_FIELDS: Final = frozenset(
    {
        "chain_id",
        "contract",
        "tx_hash",
        "block_number",
        "block_hash",
        "block_time",
        "tree_size",
        "root",
    }
)


@dataclass(frozen=True, slots=True)
class LogIdentity:
    """The log the bundle says it comes from: its checkpoint origin and verifier key."""

    origin: str
    vkey: VerifierKey


@dataclass(frozen=True, slots=True)
class ContractRef:
    """A contract on a chain."""

    chain_id: int
    contract: Address


@dataclass(frozen=True, slots=True)
class AnchorClaim:
    """Where the bundle says the checkpoint was anchored: the transaction and its block."""

    chain_id: int
    contract: Address
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    block_time: int
    tree_size: int
    root: RootHash


@dataclass(frozen=True, slots=True)
class ProofBundle:
    """A parsed `infraledger-proof/1` bundle. `body` is the RFC 8785 bytes of the body, or None
    when it is withheld."""

    record_id: LeafHash
    log: LogIdentity
    entry: Entry
    body: bytes | None
    salt: bytes | None
    attachments: tuple[Attachment, ...]
    proof: TlogProof
    anchor: AnchorClaim | None
    operator_registry: ContractRef

    @staticmethod
    def parse(value: object) -> ProofBundle:
        """Parse a bundle's JSON value.

        Raises `MalformedBundle` naming the first bad member: a missing or extra member, another
        format, or any member of the wrong type or spelling (see FORMAT.md), including a body
        that RFC 8785 cannot encode and a salt without a body.
        """
        try:
            return _parse(value)
        except MalformedBundle:
            raise
        except MalformedInput as exc:
            raise MalformedBundle(str(exc)) from exc


def _parse(value: object) -> ProofBundle:
    root = _object(value, BUNDLE_FIELDS, "bundle")
    if root["format"] != FORMAT:
        raise MalformedBundle(f"format: got {str(root['format'])[:40]!r}, want {FORMAT!r}")
    log = _object(root["log"], frozenset({"origin", "vkey"}), "log")
    if not isinstance(log["origin"], str) or not log["origin"]:
        raise MalformedBundle("log.origin: want a non-empty string")
    body = None if root["body"] is None else canonicalize(root["body"])
    salt, salt_text = None, root["salt"]
    if salt_text is not None:
        if body is None:
            raise MalformedBundle("salt: must be null when the body is withheld")
        salt = decode_hex(salt_text, what="salt", size=SALT_SIZE, prefixed=True)
    if not isinstance(root["proof"], str):
        raise MalformedBundle("proof: want the text of a c2sp.org/tlog-proof@v1")
    registry = _object(
        root["operator_registry"], frozenset({"chain_id", "contract"}), "operator_registry"
    )
    return ProofBundle(
        record_id=parse_record_id(root["record_id"], what="record_id"),
        log=LogIdentity(origin=log["origin"], vkey=VerifierKey.parse(log["vkey"])),
        entry=Entry.parse(root["entry"]),
        body=body,
        salt=salt,
        attachments=parse_attachment_list(root["attachments"], what="attachments"),
        proof=TlogProof.parse(root["proof"]),
        anchor=None if root["anchor"] is None else _anchor(root["anchor"]),
        operator_registry=ContractRef(
            chain_id=_count(registry["chain_id"], "operator_registry.chain_id"),
            contract=parse_address(registry["contract"], what="operator_registry.contract"),
        ),
    )


def _anchor(value: object) -> AnchorClaim:
    anchor = _object(value, ANCHOR_FIELDS, "anchor")
    return AnchorClaim(
        chain_id=_count(anchor["chain_id"], "anchor.chain_id"),
        contract=parse_address(anchor["contract"], what="anchor.contract"),
        tx_hash=decode_hex(anchor["tx_hash"], what="anchor.tx_hash", size=HASH_SIZE, prefixed=True),
        block_number=_count(anchor["block_number"], "anchor.block_number"),
        block_hash=decode_hex(
            anchor["block_hash"], what="anchor.block_hash", size=HASH_SIZE, prefixed=True
        ),
        block_time=_count(anchor["block_time"], "anchor.block_time"),
        tree_size=_count(anchor["tree_size"], "anchor.tree_size"),
        root=RootHash(
            decode_hex(anchor["root"], what="anchor.root", size=HASH_SIZE, prefixed=True)
        ),
    )


def _object(value: object, fields: frozenset[str], what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedBundle(f"{what}: got {type(value).__name__}, want an object")
    if set(value) != fields:
        missing, extra = sorted(fields - set(value)), sorted(set(value) - fields)
        raise MalformedBundle(f"{what} members: missing {missing}, unexpected {extra}")
    return value


def _count(value: object, what: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_SAFE_INTEGER:
        raise MalformedBundle(f"{what}: got {str(value)[:40]!r}, want an integer >= 0")
    return value
