"""The trust file: what the user pins about a ledger, so nothing else has to be taken on trust.

    {"origin": str, "vkey": "<C2SP verifier key>", "chain_id": int,
     "anchor_contract": "0x<EIP-55>", "operator_registry": "0x<EIP-55>",
     "rpc_urls": ["http(s)://..."], "quorum": "all" | k,
     "earlier_keys": [{"vkey": "<C2SP verifier key>", "until_size": int}, ...],
     "signing_roots": "<PEM bundle>"}

`infraledger-verify trust init` writes it from the ledger's `GET /v1/log` on first use (TOFU);
the user should then compare the key with one published out of band. `earlier_keys` (absent until
the log rotated its key) lists the keys the log replaced, oldest first, each with the tree size
from which its successor signs: `trust update` appends to it after checking each rotation
statement of `GET /v1/log/rotations` against the key pinned before it (`verifier.key_rotation`).
`signing_roots` (absent unless `trust init --signing-roots FILE.pem` gave them) are the roots CA
signatures must chain to (`verifier.signatures`): the NEAC national roots, pinned like the log
key, never fetched.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from verifier.address import Address, parse_address
from verifier.canonical_json import MAX_SAFE_INTEGER
from verifier.certificates import SigningRoots
from verifier.checkpoint import Checkpoint, SignedCheckpoint
from verifier.eip712 import SigningDomain
from verifier.errors import MalformedAddress, MalformedTrust, MalformedVerifierKey, TrustMismatch
from verifier.jsonrpc import Quorum
from verifier.key_rotation import KeyRotation
from verifier.messages import text
from verifier.signed_note import VerifierKey

TRUST_FIELDS: Final = frozenset(
    {"origin", "vkey", "chain_id", "anchor_contract", "operator_registry", "rpc_urls", "quorum"}
)
OPTIONAL_TRUST_FIELDS: Final = frozenset({"earlier_keys", "signing_roots"})
LOG_INFO_FIELDS: Final = frozenset(
    {"origin", "vkey", "tree_size", "chain_id", "rpc_urls", "anchor_contract", "operator_registry"}
)


@dataclass(frozen=True, slots=True)
class EarlierKey:
    """A log key its log replaced: it signed the checkpoints below `until_size` (and from the
    `until_size` of the key before it)."""

    vkey: VerifierKey
    until_size: int


@dataclass(frozen=True, slots=True)
class Trust:
    """The pinned identity of one ledger: log origin and key (and the keys it replaced), chain,
    contracts, endpoints."""

    origin: str
    vkey: VerifierKey
    chain_id: int
    anchor_contract: Address
    operator_registry: Address
    rpc_urls: tuple[str, ...]
    quorum: Quorum
    earlier_keys: tuple[EarlierKey, ...] = ()
    signing_roots: SigningRoots | None = None

    @staticmethod
    def parse(value: object) -> Trust:
        """Parse a trust file's JSON value; raises `MalformedTrust` naming the bad member."""
        if not isinstance(value, dict) or not TRUST_FIELDS <= set(value) <= (
            TRUST_FIELDS | OPTIONAL_TRUST_FIELDS
        ):
            raise MalformedTrust(f"trust file: want an object with members {sorted(TRUST_FIELDS)}"
                                 f" (and optionally {sorted(OPTIONAL_TRUST_FIELDS)})")
        rpc_urls = _urls(value["rpc_urls"], base=None)
        trust = _pinned(value, rpc_urls, Quorum.parse(value["quorum"], len(rpc_urls)))
        roots = value.get("signing_roots")
        if roots is not None and not isinstance(roots, str):
            raise MalformedTrust("signing_roots: want the text of a PEM bundle")
        return dataclasses.replace(
            trust,
            earlier_keys=_earlier_keys(value.get("earlier_keys", [])),
            signing_roots=None if roots is None else SigningRoots.parse(roots),
        )

    @staticmethod
    def from_log_info(value: object, ledger_url: str) -> Trust:
        """Build a trust file from a `GET /v1/log` answer, with quorum "all".

        Relative RPC URLs are resolved against `ledger_url`. Raises `MalformedTrust`.
        """
        if not isinstance(value, dict) or not set(value) >= LOG_INFO_FIELDS:
            raise MalformedTrust(f"/v1/log: want an object with members {sorted(LOG_INFO_FIELDS)}")
        return _pinned(value, _urls(value["rpc_urls"], base=ledger_url), Quorum(required=None))

    def with_endpoints(self, rpc_urls: Sequence[str]) -> Trust:
        """Return this trust with other RPC endpoints (the quorum must still be reachable).

        Raises `MalformedTrust`.
        """
        urls = _urls(list(rpc_urls), base=None)
        return dataclasses.replace(
            self, rpc_urls=urls, quorum=Quorum.parse(self.quorum.to_json(), len(urls))
        )

    def key_at(self, size: int) -> VerifierKey:
        """The pinned key that signs the log's checkpoint of tree size `size`: the earlier key
        whose `until_size` is the first above `size`, else the current key."""
        for earlier in self.earlier_keys:
            if size < earlier.until_size:
                return earlier.vkey
        return self.vkey

    def open_checkpoint(self, note: str) -> Checkpoint:
        """Parse a signed checkpoint note and check it is this log's (origin, and the key of
        its size).

        Raises a `VerificationError` subclass naming what is wrong."""
        signed = SignedCheckpoint.parse(note)
        return signed.verify(origin=self.origin, key=self.key_at(signed.checkpoint.size))

    def with_history(self, notes: Sequence[str]) -> Trust:
        """This trust, pinned on first use, with the keys the log replaced before it: the
        statements `notes` must chain from the first one's old key (each signed by the key
        before it and by the key it installs, `follow`) to the pinned key. Trusted as the pinned
        key is: on first use, since that key signed the last of them.

        Raises `MalformedNote` or `TrustMismatch` (see `follow`; `rotation.key_unreached` when
        they lead to another key).
        """
        if not notes:
            return self
        first = KeyRotation.parse(notes[0]).old_key
        followed, _ = dataclasses.replace(self, vkey=first, earlier_keys=()).follow(notes)
        if followed.vkey != self.vkey:
            raise TrustMismatch(
                text("rotation.key_unreached", key=str(self.vkey), pinned=str(followed.vkey))
            )
        return dataclasses.replace(self, earlier_keys=followed.earlier_keys)

    def follow(self, notes: Sequence[str]) -> tuple[Trust, tuple[KeyRotation, ...]]:
        """Follow the ledger's rotation statements `notes` (`GET /v1/log/rotations`, in order)
        from the pinned key; return the trust that pins the key they lead to, and the rotations
        followed.

        A statement whose new key is already pinned (here or among the earlier keys) was
        followed before, or installed the key pinned on first use: it is passed over. Every
        other one must replace the key pinned at that point, signed by it and by its new key
        (`KeyRotation.verify`), from a size no lower than the previous rotation's. Raises
        `MalformedNote` for a malformed statement and `TrustMismatch` for one that does not
        verify.
        """
        trust, followed = self, []
        for number, note in enumerate(notes, 1):
            rotation = KeyRotation.parse(note)
            if rotation.new_key in {trust.vkey, *(e.vkey for e in trust.earlier_keys)}:
                continue
            rotation.verify(number, origin=trust.origin, pinned=trust.vkey)
            floor = trust.earlier_keys[-1].until_size if trust.earlier_keys else 0
            if rotation.from_size < floor:
                raise TrustMismatch(text("rotation.size_back", number=number,
                                         size=rotation.from_size, previous=floor))
            trust = dataclasses.replace(
                trust,
                vkey=rotation.new_key,
                earlier_keys=(*trust.earlier_keys, EarlierKey(trust.vkey, rotation.from_size)),
            )
            followed.append(rotation)
        return trust, tuple(followed)

    def signing_domain(self) -> SigningDomain:
        """Return the EIP-712 domain of this ledger's submissions."""
        return SigningDomain(chain_id=self.chain_id, verifying_contract=self.operator_registry)

    def to_json(self) -> dict[str, Any]:
        """Return the trust file's JSON value."""
        return {
            "origin": self.origin,
            "vkey": str(self.vkey),
            "chain_id": self.chain_id,
            "anchor_contract": self.anchor_contract,
            "operator_registry": self.operator_registry,
            "rpc_urls": list(self.rpc_urls),
            "quorum": self.quorum.to_json(),
            **({"earlier_keys": [{"vkey": str(e.vkey), "until_size": e.until_size}
                                 for e in self.earlier_keys]} if self.earlier_keys else {}),
            **({"signing_roots": self.signing_roots.pem} if self.signing_roots else {}),
        }


def _pinned(value: dict[str, Any], rpc_urls: tuple[str, ...], quorum: Quorum) -> Trust:
    origin, chain_id = value["origin"], value["chain_id"]
    if not isinstance(origin, str) or not origin:
        raise MalformedTrust("origin: want a non-empty string")
    if type(chain_id) is not int or not 1 <= chain_id <= MAX_SAFE_INTEGER:
        raise MalformedTrust(f"chain_id: got {chain_id!r}, want a positive integer")
    try:
        return Trust(
            origin=origin,
            vkey=VerifierKey.parse(value["vkey"]),
            chain_id=chain_id,
            anchor_contract=parse_address(value["anchor_contract"], what="anchor_contract"),
            operator_registry=parse_address(value["operator_registry"], what="operator_registry"),
            rpc_urls=rpc_urls,
            quorum=quorum,
        )
    except (MalformedVerifierKey, MalformedAddress) as exc:
        raise MalformedTrust(str(exc)) from exc


def _earlier_keys(value: object) -> tuple[EarlierKey, ...]:
    """Parse `earlier_keys`: objects `{vkey, until_size}` with sizes that never go down."""
    if not isinstance(value, list):
        raise MalformedTrust("earlier_keys: want a list")
    keys: list[EarlierKey] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"vkey", "until_size"}:
            raise MalformedTrust("earlier_keys: want objects with members until_size, vkey")
        size = item["until_size"]
        if type(size) is not int or not 0 <= size <= MAX_SAFE_INTEGER:
            raise MalformedTrust(f"earlier_keys: until_size {size!r} is not a tree size")
        if keys and size < keys[-1].until_size:
            raise MalformedTrust("earlier_keys: until_size must never go down")
        try:
            keys.append(EarlierKey(VerifierKey.parse(item["vkey"]), size))
        except MalformedVerifierKey as exc:
            raise MalformedTrust(f"earlier_keys: {exc}") from exc
    return tuple(keys)


def _urls(value: object, *, base: str | None) -> tuple[str, ...]:
    """Parse a non-empty list of http(s) URLs, resolving relative ones against `base`."""
    if not isinstance(value, list) or not value or not all(isinstance(u, str) for u in value):
        raise MalformedTrust("rpc_urls: want a non-empty list of URLs")
    urls = tuple(urllib.parse.urljoin(base, url) if base else url for url in value)
    for url in urls:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise MalformedTrust(f"rpc_urls: {url[:80]!r} is not an http(s) URL")
    return urls
