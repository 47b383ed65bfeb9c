"""The ledger's HTTP API as the verifier reads it (DESIGN section 6, C2SP tlog-tiles).

Nothing it returns is trusted: answers are parsed strictly here and proven elsewhere. Only the
standard library speaks HTTP. I/O and HTTP errors raise `LedgerUnavailable`: `LedgerNotFound` for
HTTP 404, `NotCheckpointed` for a 404 whose error code (the JSON `{"code", "message"}` the ledger
answers errors with) is `not_checkpointed`. Answers that break their contract raise
`MalformedLedgerResponse`.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Final, Protocol

from verifier.canonical_json import MAX_SAFE_INTEGER, parse_json
from verifier.encodings import decode_hex
from verifier.entry import parse_record_id
from verifier.errors import (
    LedgerNotFound,
    LedgerUnavailable,
    MalformedInput,
    MalformedLedgerResponse,
    NotCheckpointed,
)
from verifier.messages import text
from verifier.rfc9162 import HASH_SIZE, NodeHash, RootHash
from verifier.tiles import entry_bundle_path, tile_path

MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
MAX_ERROR_BYTES: Final = 64 * 1024
NOT_CHECKPOINTED: Final = "not_checkpointed"
ANCHOR_FIELDS: Final = frozenset(
    {"tree_size", "root", "chain_id", "tx_hash", "block_number", "block_hash", "block_time"}
)


@dataclass(frozen=True, slots=True)
class ListedAnchor:
    """One anchor of `GET /v1/anchors`: a tree size and root posted on chain."""

    tree_size: int
    root: RootHash
    chain_id: int
    block_time: int


class LogSource(Protocol):
    """Where an audit reads a log from: the ledger's API (`LedgerApi`) or a local tile mirror
    (`verifier.mirror.TileMirror`). `serves_records` says whether `record` and
    `consistency_proof` can be asked (a mirror without a ledger holds neither)."""

    @property
    def serves_records(self) -> bool:
        """True when `record` and `consistency_proof` answer."""

    def checkpoint(self) -> str:
        """Return the signed checkpoint note."""

    def tile(self, level: int, index: int, width: int | None) -> bytes:
        """Return a Merkle tree tile."""

    def entry_bundle(self, index: int, width: int | None) -> bytes:
        """Return an entry bundle."""

    def anchors(self) -> list[ListedAnchor]:
        """Return the listed anchors, sorted by tree size."""

    def record(self, record_id: str) -> dict[str, Any]:
        """Return a record's JSON, with at least `entry` and `body`."""

    def consistency_proof(self, size1: int, size2: int) -> list[NodeHash]:
        """Return the consistency proof between two tree sizes."""


@dataclass(frozen=True, slots=True)
class LedgerApi:
    """The ledger server at `base_url` (scheme, host and any path prefix)."""

    base_url: str
    timeout: float = 30.0

    @property
    def serves_records(self) -> bool:
        """The API serves records and consistency proofs."""
        return True

    def log_info(self) -> Any:
        """Return the JSON of `GET /v1/log` (parsed by `Trust.from_log_info`)."""
        return self.get_json("/v1/log")

    def proof_bundle(self, record_id: str) -> bytes:
        """Return the raw `GET /v1/records/{id}/proof` (a bundle, checked by the caller)."""
        return self.get(f"/v1/records/{record_id}/proof")

    def record(self, record_id: str) -> dict[str, Any]:
        """Return `GET /v1/records/{id}`: an object with at least `entry` and `body`."""
        answer = self.get_json(f"/v1/records/{record_id}")
        if not isinstance(answer, dict) or not {"entry", "body"} <= set(answer):
            raise MalformedLedgerResponse(f"record {record_id}: want an object with entry, body")
        return answer

    def superseded_by(self, record_id: str) -> tuple[str, ...]:
        """Return the ids of the records the ledger says correct `record_id`: the
        `superseded_by` of `GET /v1/records/{id}` (a list of record ids, or null or absent for
        none). Unproven: the caller checks each one. Raises `MalformedLedgerResponse` for
        another value."""
        value = self.record(record_id).get("superseded_by")
        if value is None:
            return ()
        if not isinstance(value, list):
            raise MalformedLedgerResponse(f"record {record_id} superseded_by: want null or a list")
        try:
            ids = [parse_record_id(item).hex() for item in value]
        except MalformedInput as exc:
            raise MalformedLedgerResponse(f"record {record_id} superseded_by: {exc}") from exc
        return tuple(dict.fromkeys(ids))

    def checkpoint(self) -> str:
        """Return the signed checkpoint note of `GET /tlog/checkpoint`."""
        try:
            return self.get("/tlog/checkpoint").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedLedgerResponse(f"/tlog/checkpoint is not UTF-8: {exc}") from exc

    def tile(self, level: int, index: int, width: int | None) -> bytes:
        """Return a Merkle tree tile (`/tlog/tile/<L>/<N>[.p/<W>]`)."""
        return self.get("/tlog/" + tile_path(level, index, width))

    def entry_bundle(self, index: int, width: int | None) -> bytes:
        """Return an entry bundle (`/tlog/tile/entries/<N>[.p/<W>]`)."""
        return self.get("/tlog/" + entry_bundle_path(index, width))

    def anchors(self) -> list[ListedAnchor]:
        """Return `GET /v1/anchors`, sorted by tree size."""
        return parse_anchors(self.get("/v1/anchors"), what="/v1/anchors")

    def consistency_proof(self, size1: int, size2: int) -> list[NodeHash]:
        """Return the hashes of `GET /v1/proofs/consistency?from=size1&to=size2`."""
        query = urllib.parse.urlencode({"from": size1, "to": size2})
        answer = self.get_json(f"/v1/proofs/consistency?{query}")
        if (
            not isinstance(answer, dict)
            or type(answer.get("from")) is not int
            or type(answer.get("to")) is not int
            or (answer["from"], answer["to"]) != (size1, size2)
            or not isinstance(answer.get("proof"), list)
        ):
            raise MalformedLedgerResponse(
                f"consistency proof {size1}..{size2}: want {{from, to, proof}} for these sizes"
            )
        return [NodeHash(_hash(item, "consistency proof hash")) for item in answer["proof"]]

    def get_json(self, path: str) -> Any:
        """GET `path` and parse the answer as strict JSON."""
        try:
            return parse_json(self.get(path), what=path)
        except MalformedInput as exc:
            raise MalformedLedgerResponse(str(exc)) from exc

    def get(self, path: str) -> bytes:
        """GET `path` (relative to the base URL) and return the body of a 200 answer."""
        url = self.base_url.rstrip("/") + path
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                data: bytes = response.read(MAX_RESPONSE_BYTES + 1)
        except urllib.error.HTTPError as exc:
            message = text("ledger.http_error", url=url, status=exc.code, reason=str(exc.reason))
            if exc.code != 404:
                raise LedgerUnavailable(message) from exc
            if _error_code(exc) == NOT_CHECKPOINTED:
                raise NotCheckpointed(message) from exc
            raise LedgerNotFound(message) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise LedgerUnavailable(text("ledger.unreachable", url=url, reason=str(exc))) from exc
        if len(data) > MAX_RESPONSE_BYTES:
            raise MalformedLedgerResponse(f"GET {url}: answer over {MAX_RESPONSE_BYTES} bytes")
        return data


def _error_code(error: urllib.error.HTTPError) -> str | None:
    """The `code` of the ledger's JSON error answer, or None when it has none."""
    try:
        answer = parse_json(error.read(MAX_ERROR_BYTES), what="error answer")
    except (MalformedInput, OSError):
        return None
    code = answer.get("code") if isinstance(answer, dict) else None
    return code if isinstance(code, str) else None


def parse_anchors(data: bytes, *, what: str) -> list[ListedAnchor]:
    """Parse a `GET /v1/anchors` answer, sorted by tree size; raises `MalformedLedgerResponse`."""
    try:
        answer = parse_json(data, what=what)
    except MalformedInput as exc:
        raise MalformedLedgerResponse(str(exc)) from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("anchors"), list):
        raise MalformedLedgerResponse(f'{what}: want {{"anchors": [...]}}')
    listed = [_listed_anchor(item) for item in answer["anchors"]]
    return sorted(listed, key=lambda anchor: anchor.tree_size)


def _listed_anchor(item: object) -> ListedAnchor:
    if not isinstance(item, dict) or not set(item) >= ANCHOR_FIELDS:
        raise MalformedLedgerResponse(f"/v1/anchors item: want members {sorted(ANCHOR_FIELDS)}")
    numbers = [item[name] for name in ("tree_size", "chain_id", "block_time")]
    if any(type(n) is not int or not 0 <= n <= MAX_SAFE_INTEGER for n in numbers):
        raise MalformedLedgerResponse("/v1/anchors item: sizes, chain id and time are integers")
    tree_size, chain_id, block_time = numbers
    return ListedAnchor(
        tree_size=tree_size,
        root=RootHash(_hash(item["root"], "anchor root")),
        chain_id=chain_id,
        block_time=block_time,
    )


def _hash(value: object, what: str) -> bytes:
    try:
        return decode_hex(value, what=what, size=HASH_SIZE, prefixed=True)
    except MalformedInput as exc:
        raise MalformedLedgerResponse(str(exc)) from exc
