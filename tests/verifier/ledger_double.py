"""A test double of the ledger server and of the chain, built from first principles.

The verifier is tested against data made here: entries signed with eth-account, a Merkle tree
computed by a deliberately naive recursive reference of RFC 9162 section 2.1 (never the verifier's
own proof code), checkpoints signed with pyca/cryptography, and the HTTP API and JSON-RPC served by
the standard library on 127.0.0.1. The tests against the real server are in `test_real_server.py`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import eth_abi
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eth_account import Account
from eth_hash.auto import keccak

from verifier.address import checksum_address
from verifier.canonical_json import canonicalize

ORIGIN = "ledger.example.vn/hue-infra"
CHAIN_ID = 31337
ANCHOR_CONTRACT = checksum_address(bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3"))
OPERATOR_REGISTRY = checksum_address(bytes.fromhex("e7f1725e7734ce288f8367e1bb143e90bb3f0512"))
OPERATOR_OF_RETURNS = ["string", "string", "bool", "uint64", "uint64"]
"""What OperatorRegistry.operatorOf returns (name, licence, active, registeredAt, revokedAt),
encoded here by eth-abi, independently of the verifier's decoder."""
SUBMISSION_TYPES = {
    "Submission": [
        {"name": "kind", "type": "string"},
        {"name": "schema", "type": "string"},
        {"name": "subject", "type": "string"},
        {"name": "content", "type": "bytes32"},
        {"name": "attachments", "type": "bytes32"},
        {"name": "supersedes", "type": "bytes32"},
        {"name": "issuedAt", "type": "uint64"},
    ]
}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# The naive RFC 9162 reference (section 2.1.1 MTH, 2.1.3.1 PATH, 2.1.4.1 PROOF/SUBPROOF).


def rfc_leaf(data: bytes) -> bytes:
    return sha256(b"\x00" + data)


def rfc_node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right)


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class NaiveTree:
    """MTH, PATH and PROOF over a list of leaf hashes, straight from the RFC's recursion."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.leaves = leaves
        self.mth = lru_cache(maxsize=None)(self._mth)

    def _mth(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:
            return sha256(b"")
        if n == 1:
            return self.leaves[start]
        k = split(n)
        return rfc_node(self.mth(start, start + k), self.mth(start + k, end))

    def root(self, size: int) -> bytes:
        return self.mth(0, size)

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = split(n)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return self.path(index, 0, size)

    def subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [self.mth(start, end)]
        k = split(n)
        if m <= k:
            return [*self.subproof(m, start, start + k, whole), self.mth(start + k, end)]
        return [*self.subproof(m - k, start + k, end, False), self.mth(start, start + k)]

    def consistency(self, m: int, n: int) -> list[bytes]:
        return self.subproof(m, 0, n, True)


# Keys.


class NoteKey:
    """An Ed25519 signed-note key (c2sp.org/signed-note)."""

    def __init__(self, name: str = ORIGIN, seed: bytes | None = None) -> None:
        self.name = name
        self.private = Ed25519PrivateKey.from_private_bytes(seed or os.urandom(32))
        self.public = self.private.public_key().public_bytes_raw()
        self.key_id = sha256(name.encode() + b"\n\x01" + self.public)[:4]

    def vkey(self) -> str:
        material = bytes([1]) + self.public
        return f"{self.name}+{self.key_id.hex()}+{b64(material)}"

    def sign(self, text: str) -> str:
        signature = self.private.sign(text.encode())
        return f"{text}\n\u2014 {self.name} {b64(self.key_id + signature)}\n"


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{b64(root)}\n"


@dataclass
class Record:
    """What the ledger stores for one record."""

    entry: dict[str, Any]
    body: Any
    salt: bytes | None
    attachments: list[dict[str, Any]]
    stored: bytes | None = None
    """The leaf data as stored, when it is not the RFC 8785 form of `entry` (a broken log)."""

    @property
    def data(self) -> bytes:
        return canonicalize(self.entry) if self.stored is None else self.stored

    @property
    def leaf(self) -> bytes:
        return rfc_leaf(self.data)


def signing_domain(chain_id: int = CHAIN_ID, registry: str = OPERATOR_REGISTRY) -> dict[str, Any]:
    return {
        "name": "InfraLedger",
        "version": "1",
        "chainId": chain_id,
        "verifyingContract": registry,
    }


def sign_submission(key: bytes, fields: dict[str, Any], domain: dict[str, Any]) -> bytes:
    message = {
        "kind": fields["kind"],
        "schema": fields["schema"],
        "subject": fields["subject"],
        "content": bytes.fromhex(fields["content"][2:]),
        "attachments": bytes.fromhex(fields["attachments"][2:]),
        "supersedes": bytes(32)
        if fields["supersedes"] is None
        else bytes.fromhex(fields["supersedes"][2:]),
        "issuedAt": fields["issued_at"],
    }
    signed = Account.sign_typed_data(key, domain, SUBMISSION_TYPES, message)
    return bytes(signed.signature)


def make_record(
    account: Any,
    number: int,
    *,
    restricted: bool = False,
    files: list[tuple[str, bytes, str]] | None = None,
    supersedes: str | None = None,
    kind: str = "indicator",
    schema: str = "indicator/1",
    ca_signed_only: bool = False,
) -> Record:
    """A signed submission (an indicator unless `kind` and `schema` say otherwise: the body is
    the same, the verifier never reads a body's schema), its body, salt and attachments.
    `ca_signed_only`: the entry's `signature` is null, as for a record signed with a CA
    certificate only (its CMS is not made here: see test_ca_signatures_offline.py)."""
    body = {
        "indicator": "villages_with_ftth",
        "district": "Phong Điền",
        "value": 87.5 + number,
        "unit": "%",
        "period": "2025-Q1",
        "n": number,
    }
    salt = os.urandom(32) if restricted else None
    attachments = sorted(
        (
            {"sha256": sha256(data).hex(), "size": len(data), "name": name, "type": media}
            for name, data, media in (files or [])
        ),
        key=lambda item: item["sha256"],
    )
    fields: dict[str, Any] = {
        "v": 1,
        "kind": kind,
        "schema": schema,
        "subject": f"hue/phong-dien/village-{number}",
        "operator": account.address,
        "content": "0x" + sha256((salt or b"") + canonicalize(body)).hex(),
        "attachments": "0x" + sha256(canonicalize(attachments)).hex(),
        "supersedes": supersedes,
        "issued_at": 1_735_689_600 + number,
    }
    fields["signature"] = None if ca_signed_only else (
        "0x" + sign_submission(account.key, fields, signing_domain()).hex())
    return Record(entry=fields, body=body, salt=salt, attachments=attachments)


# The chain.


@dataclass
class AnchorTx:
    tree_size: int
    root: bytes
    previous_size: int
    timestamp: int
    tx_hash: bytes
    block_number: int
    block_hash: bytes


REGISTERED_AT = 1_735_600_000
"""When the operators of `ChainDouble.active` were registered: before any anchor."""
BLOCK_TIME_ZERO = 1_735_700_000
"""The timestamp of block 0: block `n` is at `BLOCK_TIME_ZERO + n` (anchors are blocks 100...)."""
REGISTRAR_ROLE = keccak(b"REGISTRAR_ROLE")
ROLE_GRANTED = keccak(b"RoleGranted(bytes32,address,address)")
ROLE_REVOKED = keccak(b"RoleRevoked(bytes32,address,address)")
ADMIN = "0x" + "ad" * 20
"""The sender of every RoleGranted and RoleRevoked log."""


@dataclass(frozen=True)
class OperatorTimes:
    """An operator's interval in the registry: block timestamps, `revoked_at` 0 while active."""

    registered_at: int
    revoked_at: int = 0


@dataclass
class ChainDouble:
    """The state a JSON-RPC endpoint answers from: anchors and operators. An address in `active`
    was registered at REGISTERED_AT and never revoked; `registrations` gives other intervals."""

    chain_id: int = CHAIN_ID
    anchors: dict[int, AnchorTx] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    registrations: dict[str, OperatorTimes] = field(default_factory=dict)
    lies: dict[int, bytes] = field(default_factory=dict)
    """rootAt sizes this endpoint lies about."""
    calls: list[bytes] = field(default_factory=list)
    """The selector of every eth_call answered, in order."""
    roles: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    """REGISTRAR_ROLE changes per address: (block number, granted), in chain order, each a
    RoleGranted or RoleRevoked log of the registry."""
    head: int = 1_000
    """The latest block number."""
    methods: list[str] = field(default_factory=list)
    """Every JSON-RPC method answered, in order."""
    log_queries: list[tuple[int, int]] = field(default_factory=list)
    """The (fromBlock, toBlock) of every eth_getLogs answered."""

    def holds_role(self, address: str, block: int | None = None) -> bool:
        """Whether `address` holds REGISTRAR_ROLE at `block` (None: at the head)."""
        held = False
        for at, granted in self.roles.get(address, []):
            if block is None or at <= block:
                held = granted
        return held

    def times(self, address: str) -> OperatorTimes | None:
        """The address's interval, or None when it was never registered."""
        if address in self.registrations:
            return self.registrations[address]
        return OperatorTimes(REGISTERED_AT) if address in self.active else None

    def anchor(self, size: int, root: bytes) -> AnchorTx:
        previous = max(self.anchors, default=0)
        number = 100 + len(self.anchors)
        tx = AnchorTx(
            size,
            root,
            previous,
            self.block_time(number),
            keccak(b"tx%d" % size),
            number,
            keccak(b"block%d" % number),
        )
        self.anchors[size] = tx
        return tx

    def block_time(self, number: int) -> int:
        return BLOCK_TIME_ZERO + number

    def rpc(self, request: dict[str, Any]) -> Any:
        method, params = request["method"], request["params"]
        self.methods.append(method)
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "eth_blockNumber":
            return hex(self.head)
        if method == "eth_getBlockByNumber":
            number = int(params[0], 16)
            return None if number > self.head else {
                "number": hex(number), "timestamp": hex(self.block_time(number))
            }
        if method == "eth_getLogs":
            return self._role_logs(params[0])
        if method == "eth_call":
            return "0x" + self._call(params[0]["to"], bytes.fromhex(params[0]["data"][2:])).hex()
        if method == "eth_getTransactionReceipt":
            return self._receipt(bytes.fromhex(params[0][2:]))
        raise KeyError(method)

    def _call(self, to: str, data: bytes) -> bytes:
        selector, args = data[:4], data[4:]
        self.calls.append(selector)
        if to == ANCHOR_CONTRACT and selector == keccak(b"rootAt(uint64)")[:4]:
            size = int.from_bytes(args, "big")
            tx = self.anchors.get(size)
            root = self.lies.get(size, tx.root if tx else bytes(32))
            return root + (tx.timestamp if tx else 0).to_bytes(32, "big")
        if to == ANCHOR_CONTRACT and selector == keccak(b"latest()")[:4]:
            size = max(self.anchors, default=0)
            root = self.anchors[size].root if size else bytes(32)
            return size.to_bytes(32, "big") + root
        if to == OPERATOR_REGISTRY and selector == keccak(b"isActive(address)")[:4]:
            times = self.times(checksum_address(args[12:32]))
            return (1 if times is not None and not times.revoked_at else 0).to_bytes(32, "big")
        if to == OPERATOR_REGISTRY and selector == keccak(b"hasRole(bytes32,address)")[:4]:
            held = args[:32] == REGISTRAR_ROLE and self.holds_role(checksum_address(args[44:64]))
            return (1 if held else 0).to_bytes(32, "big")
        if to == OPERATOR_REGISTRY and selector == keccak(b"operatorOf(address)")[:4]:
            address = checksum_address(args[12:32])
            times = self.times(address)
            if times is None:
                return eth_abi.encode(OPERATOR_OF_RETURNS, ["", "", False, 0, 0])
            return eth_abi.encode(
                OPERATOR_OF_RETURNS,
                [
                    f"Operator {address[2:8]}",
                    "GP-" + address[-4:],
                    not times.revoked_at,
                    times.registered_at,
                    times.revoked_at,
                ],
            )
        return b""

    def _role_logs(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """The RoleGranted and RoleRevoked logs a filter of the registry selects (the filter
        forms `OperatorRegistry.role_history` sends: [[events], role, account])."""
        first, last = int(query["fromBlock"], 16), int(query["toBlock"], 16)
        self.log_queries.append((first, last))
        if query["address"].lower() != OPERATOR_REGISTRY.lower():
            return []
        events, role, account = query["topics"]
        wanted = {bytes.fromhex(e[2:]) for e in events}
        logs = []
        for address, changes in self.roles.items():
            topic = bytes(12) + bytes.fromhex(address[2:])
            if bytes.fromhex(role[2:]) != REGISTRAR_ROLE or bytes.fromhex(account[2:]) != topic:
                continue
            for position, (block, granted) in enumerate(changes):
                event = ROLE_GRANTED if granted else ROLE_REVOKED
                if first <= block <= last and event in wanted:
                    logs.append({
                        "address": OPERATOR_REGISTRY.lower(),
                        "topics": ["0x" + event.hex(), "0x" + REGISTRAR_ROLE.hex(),
                                   "0x" + topic.hex(),
                                   "0x" + (bytes(12) + bytes.fromhex(ADMIN[2:])).hex()],
                        "data": "0x",
                        "blockNumber": hex(block),
                        "logIndex": hex(position),
                        "removed": False,
                    })
        return logs

    def _receipt(self, tx_hash: bytes) -> Any:
        for tx in self.anchors.values():
            if tx.tx_hash == tx_hash:
                return {
                    "status": "0x1",
                    "blockNumber": hex(tx.block_number),
                    "blockHash": "0x" + tx.block_hash.hex(),
                    "logs": [
                        {
                            "address": ANCHOR_CONTRACT.lower(),
                            "topics": [
                                "0x" + keccak(b"Anchored(uint64,bytes32,uint64)").hex(),
                                "0x" + tx.tree_size.to_bytes(32, "big").hex(),
                            ],
                            "data": "0x" + (tx.root + tx.previous_size.to_bytes(32, "big")).hex(),
                        }
                    ],
                }
        return None


# The log.


class LogDouble:
    """An append-only log of records with signed checkpoints, anchors, tiles and bundles."""

    def __init__(self, key: NoteKey, chain: ChainDouble, origin: str = ORIGIN) -> None:
        self.key, self.chain, self.origin = key, chain, origin
        self.records: list[Record] = []
        self.tree = NaiveTree([])

    def append(self, record: Record) -> int:
        self.records.append(record)
        self.tree = NaiveTree([r.leaf for r in self.records])
        return len(self.records) - 1

    @property
    def size(self) -> int:
        return len(self.records)

    def checkpoint(self, size: int | None = None) -> str:
        size = self.size if size is None else size
        return self.key.sign(checkpoint_text(self.origin, size, self.tree.root(size)))

    def anchor(self, size: int | None = None) -> AnchorTx:
        size = self.size if size is None else size
        return self.chain.anchor(size, self.tree.root(size))

    def tlog_proof(self, index: int, size: int) -> str:
        hashes = "".join(b64(h) + "\n" for h in self.tree.inclusion(index, size))
        return f"c2sp.org/tlog-proof@v1\nindex {index}\n{hashes}\n{self.checkpoint(size)}"

    def bundle(
        self, index: int, *, size: int | None = None, show_body: bool = True
    ) -> dict[str, Any]:
        """The `infraledger-proof/1` bundle of record `index`, anchored at `size` if it is."""
        anchored = max((s for s in self.chain.anchors if s > index), default=None)
        size = size if size is not None else anchored if anchored is not None else self.size
        record = self.records[index]
        tx = self.chain.anchors.get(size)
        bundle = {
            "format": "infraledger-proof/1",
            "record_id": record.leaf.hex(),
            "log": {"origin": self.origin, "vkey": self.key.vkey()},
            "entry": record.entry,
            "body": record.body if show_body else None,
            "salt": "0x" + record.salt.hex() if show_body and record.salt else None,
            "attachments": record.attachments,
            "proof": self.tlog_proof(index, size),
            "anchor": None
            if tx is None
            else {
                "chain_id": self.chain.chain_id,
                "contract": ANCHOR_CONTRACT,
                "tx_hash": "0x" + tx.tx_hash.hex(),
                "block_number": tx.block_number,
                "block_hash": "0x" + tx.block_hash.hex(),
                "block_time": tx.timestamp,
                "tree_size": tx.tree_size,
                "root": "0x" + tx.root.hex(),
            },
            "operator_registry": {"chain_id": self.chain.chain_id, "contract": OPERATOR_REGISTRY},
        }
        copy: dict[str, Any] = json.loads(json.dumps(bundle))  # callers may doctor it
        return copy

    def trust(self, rpc_urls: list[str], quorum: str | int = "all") -> dict[str, Any]:
        return {
            "origin": self.origin,
            "vkey": self.key.vkey(),
            "chain_id": self.chain.chain_id,
            "anchor_contract": ANCHOR_CONTRACT,
            "operator_registry": OPERATOR_REGISTRY,
            "rpc_urls": rpc_urls,
            "quorum": quorum,
        }

    def tile(self, level: int, index: int, width: int) -> bytes:
        span = 256**level
        first = index * 256
        return b"".join(
            self.tree.mth((first + i) * span, (first + i + 1) * span) for i in range(width)
        )

    def entry_bundle(self, index: int, width: int) -> bytes:
        out = b""
        for record in self.records[index * 256 : index * 256 + width]:
            data = record.data
            out += len(data).to_bytes(2, "big") + data
        return out


# HTTP.


def tile_index(path: str) -> tuple[int, int | None]:
    """Parse `x001/x234/067[.p/W]` (the double's own reading of the tlog-tiles path)."""
    width = None
    if ".p/" in path:
        path, _, w = path.partition(".p/")
        width = int(w)
    parts = path.split("/")
    assert all(p.startswith("x") for p in parts[:-1]) and not parts[-1].startswith("x")
    return int("".join(p.lstrip("x") for p in parts)), width


class LedgerHttp:
    """Serves a LogDouble as the ledger API contract says; `overrides` replace answers with
    200 answers, `errors` with error answers (status, `{"code", "message"}`)."""

    def __init__(self, log: LogDouble, rpc_urls: list[str] | None = None) -> None:
        self.log = log
        self.rpc_urls = rpc_urls or []
        self.overrides: dict[str, bytes] = {}
        self.errors: dict[str, tuple[int, str]] = {}
        self.checkpoint_size: int | None = None
        self.requests: list[str] = []

    def answer(self, path: str) -> tuple[int, bytes]:
        self.requests.append(path)
        if path in self.overrides:
            return 200, self.overrides[path]
        if path in self.errors:
            status, code = self.errors[path]
            return _error(status, code)
        url = urllib.parse.urlsplit(path)
        parts = url.path.strip("/").split("/")
        log = self.log
        if url.path == "/v1/log":
            return _json(
                {
                    "origin": log.origin,
                    "vkey": log.key.vkey(),
                    "tree_size": log.size,
                    "chain_id": log.chain.chain_id,
                    "rpc_urls": self.rpc_urls,
                    "anchor_contract": ANCHOR_CONTRACT,
                    "operator_registry": OPERATOR_REGISTRY,
                }
            )
        if url.path == "/tlog/checkpoint":
            return 200, log.checkpoint(self.checkpoint_size).encode()
        if url.path.startswith("/tlog/tile/entries/"):
            index, width = tile_index(url.path.removeprefix("/tlog/tile/entries/"))
            return 200, log.entry_bundle(index, width or 256)
        if url.path.startswith("/tlog/tile/"):
            level, _, rest = url.path.removeprefix("/tlog/tile/").partition("/")
            index, width = tile_index(rest)
            return 200, log.tile(int(level), index, width or 256)
        if url.path == "/v1/anchors":
            return _json(
                {
                    "anchors": [
                        {
                            "tree_size": tx.tree_size,
                            "root": "0x" + tx.root.hex(),
                            "chain_id": log.chain.chain_id,
                            "tx_hash": "0x" + tx.tx_hash.hex(),
                            "block_number": tx.block_number,
                            "block_hash": "0x" + tx.block_hash.hex(),
                            "block_time": tx.timestamp,
                        }
                        for tx in log.chain.anchors.values()
                    ]
                }
            )
        if url.path == "/v1/proofs/consistency":
            query = urllib.parse.parse_qs(url.query)
            m, n = int(query["from"][0]), int(query["to"][0])
            if not m <= n <= log.size:
                return _error(404, "not_found")  # as the server: no proof beyond its tree
            return _json(
                {"from": m, "to": n, "proof": ["0x" + h.hex() for h in log.tree.consistency(m, n)]}
            )
        if parts[:2] == ["v1", "records"] and len(parts) in (3, 4):
            index = next((i for i, r in enumerate(log.records) if r.leaf.hex() == parts[2]), None)
            if index is None:
                return _error(404, "not_found")
            if len(parts) == 4 and parts[3] == "proof":
                return _json(log.bundle(index))
            record = log.records[index]
            public = record.salt is None
            return _json(
                {
                    "id": parts[2],
                    "index": index,
                    "entry": record.entry,
                    "body": record.body if public else None,
                    "status": "anchored",
                    "superseded_by": [
                        r.leaf.hex()
                        for r in log.records
                        if r.entry["supersedes"] == "0x" + parts[2]
                    ],
                }
            )
        return _error(404, "not_found")


def _json(value: Any) -> tuple[int, bytes]:
    return 200, json.dumps(value).encode()


def _error(status: int, code: str) -> tuple[int, bytes]:
    """An error answer as the server gives it: `{"code", "message"}`."""
    return status, json.dumps({"code": code, "message": f"{code} (ledger double)"}).encode()


@contextmanager
def serve_get(answer: Callable[[str], tuple[int, bytes]]) -> Iterator[str]:
    """Serve GET requests on 127.0.0.1 and a free port; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = answer(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with _running(Handler) as url:
        yield url


@contextmanager
def serve_rpc(chain: ChainDouble) -> Iterator[str]:
    """Serve JSON-RPC for `chain` on 127.0.0.1 and a free port; yields the URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            try:
                reply = {"jsonrpc": "2.0", "id": request["id"], "result": chain.rpc(request)}
            except KeyError as exc:
                reply = {
                    "jsonrpc": "2.0",
                    "id": request["id"],
                    "error": {"code": -32601, "message": f"no method {exc}"},
                }
            body = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with _running(Handler) as url:
        yield url + "/rpc"


@contextmanager
def serve_raw_rpc(answer: bytes) -> Iterator[str]:
    """A JSON-RPC endpoint of chain 31337 that answers every other call with `answer`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body = answer
            if request["method"] == "eth_chainId":
                body = json.dumps({"jsonrpc": "2.0", "id": request["id"], "result": "0x7a69"})
                body = body.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    with _running(Handler) as url:
        yield url


@contextmanager
def _running(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
