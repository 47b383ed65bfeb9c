"""The trust file: what the user pins about a ledger, so nothing else has to be taken on trust.

    {"origin": str, "vkey": "<C2SP verifier key>", "chain_id": int,
     "anchor_contract": "0x<EIP-55>", "operator_registry": "0x<EIP-55>",
     "rpc_urls": ["http(s)://..."], "quorum": "all" | k}

`infraledger-verify trust init` writes it from the ledger's `GET /v1/log` on first use (TOFU);
the user should then compare the key with one published out of band.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from verifier.address import Address, parse_address
from verifier.canonical_json import MAX_SAFE_INTEGER
from verifier.checkpoint import Checkpoint, SignedCheckpoint
from verifier.eip712 import SigningDomain
from verifier.errors import MalformedAddress, MalformedTrust, MalformedVerifierKey
from verifier.jsonrpc import Quorum
from verifier.signed_note import VerifierKey

TRUST_FIELDS: Final = frozenset(
    {"origin", "vkey", "chain_id", "anchor_contract", "operator_registry", "rpc_urls", "quorum"}
)
LOG_INFO_FIELDS: Final = frozenset(
    {"origin", "vkey", "tree_size", "chain_id", "rpc_urls", "anchor_contract", "operator_registry"}
)


@dataclass(frozen=True, slots=True)
class Trust:
    """The pinned identity of one ledger: log origin and key, chain, contracts, endpoints."""

    origin: str
    vkey: VerifierKey
    chain_id: int
    anchor_contract: Address
    operator_registry: Address
    rpc_urls: tuple[str, ...]
    quorum: Quorum

    @staticmethod
    def parse(value: object) -> Trust:
        """Parse a trust file's JSON value; raises `MalformedTrust` naming the bad member."""
        if not isinstance(value, dict) or set(value) != TRUST_FIELDS:
            raise MalformedTrust(f"trust file: want an object with members {sorted(TRUST_FIELDS)}")
        rpc_urls = _urls(value["rpc_urls"], base=None)
        return _pinned(value, rpc_urls, Quorum.parse(value["quorum"], len(rpc_urls)))

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
        return Trust(
            origin=self.origin,
            vkey=self.vkey,
            chain_id=self.chain_id,
            anchor_contract=self.anchor_contract,
            operator_registry=self.operator_registry,
            rpc_urls=urls,
            quorum=Quorum.parse(self.quorum.to_json(), len(urls)),
        )

    def open_checkpoint(self, note: str) -> Checkpoint:
        """Parse a signed checkpoint note and check it is this log's (origin and key).

        Raises a `VerificationError` subclass naming what is wrong."""
        return SignedCheckpoint.parse(note).verify(origin=self.origin, key=self.vkey)

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
