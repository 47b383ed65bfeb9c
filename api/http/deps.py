"""What every route reaches through the app: the running ledger and its stores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

import orjson
from fastapi import Depends, Query, Request, Response

from anchoring.embedded import JsonRpcHandler
from api.http.bundle_cache import BundleCache
from api.http.check_pool import CheckPool
from api.infrastructure import InfrastructureBook
from api.node import Node
from filings.admission import FiledRecord, StoredFile, SubjectHead
from filings.plans import PlanBook
from ledger.merkle import LeafHash
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.blobs import BlobStore
from ledger.storage.records import RecordStore
from ledger.storage.tokens import TokenStore


@dataclass(frozen=True)
class Ledger:
    """The node and the stores the routes read and write."""

    node: Node
    records: RecordStore
    blobs: BlobStore
    tokens: TokenStore
    anchors: AnchorStore
    rpc: JsonRpcHandler | None
    """The read-only JSON-RPC handler of the embedded chain; None on an external network."""
    checks: CheckPool
    """The worker processes that check large submission requests."""
    bundles: BundleCache = field(default_factory=BundleCache)
    """Serialised proof bundles proven to an anchored checkpoint."""
    infrastructure: InfrastructureBook = field(init=False)
    """The sites, routes and ducts of the log (`api.infrastructure`)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "infrastructure", InfrastructureBook(self.records))

    def is_active(self, operator: str) -> bool:
        """`filings.admission.LedgerState`: the operator is active in the registry (cached)."""
        return self.node.operators.is_active(operator)

    def is_registrar(self, address: str) -> bool:
        """`filings.admission.LedgerState`: the address holds REGISTRAR_ROLE (cached)."""
        return self.node.registrars.is_registrar(address)

    def filed_records(self, records: Iterable[bytes]) -> Mapping[bytes, FiledRecord]:
        """`filings.admission.LedgerState`: kind, schema, subject, operator and first
        correction of the stored records."""
        found = self.records.filed(LeafHash(record) for record in records)
        return {bytes(leaf): FiledRecord(item.kind, item.schema, item.subject, item.operator,
                                         None if item.superseded_by is None
                                         else bytes(item.superseded_by))
                for leaf, item in found.items()}

    def stored_files(self, digests: Iterable[bytes]) -> Mapping[bytes, StoredFile]:
        """`filings.admission.LedgerState`: size and media type of the uploaded files."""
        return {digest: StoredFile(size, media)
                for digest, (size, media) in self.blobs.files(digests).items()}

    def plan_book(self) -> PlanBook:
        """`filings.admission.LedgerState`: the plans of the log now."""
        return self.node.plans.book()

    def infrastructure_heads(self, subjects: Iterable[str]) -> Mapping[str, SubjectHead]:
        """`filings.admission.LedgerState`: owner, first and latest record of each site, route
        or duct subject in the log."""
        return self.infrastructure.heads(subjects)

    def now(self) -> float:
        """`filings.admission.LedgerState`: the server's clock."""
        return self.node.clock()

    @classmethod
    def of(cls, node: Node, rpc: JsonRpcHandler | None) -> Ledger:
        """The stores of `node`; the check pool has `settings.check_workers` processes (0: none,
        None: one per CPU)."""
        store = node.store
        return cls(node, RecordStore(store), BlobStore(store), TokenStore(store),
                   node.anchors, rpc, CheckPool(node.settings.check_workers))


def ledger(request: Request) -> Ledger:
    """The ledger of the app serving `request`."""
    state: Ledger = request.app.state.ledger
    return state


async def _ledger_dependency(request: Request) -> Ledger:
    """`ledger` as a dependency. Async, so FastAPI calls it inline: a plain function would cost
    worker-thread hops on every request for a dictionary lookup."""
    return ledger(request)


LedgerDep = Annotated[Ledger, Depends(_ledger_dependency)]

STORED_INT_MAX: Final = 2**63 - 1
"""The largest tree size or index the stores hold (a signed 64-bit integer in SQLite and
PostgreSQL): a query above it is a 422, not a driver's overflow."""

CheckpointSize = Annotated[int | None, Query(
    ge=1, le=STORED_INT_MAX, description="a signed checkpoint's tree size (default: the latest "
    "anchored one)")]
"""`?size=N` of the documents made at one checkpoint (the yearly report, the export)."""


def json_response(value: Any, status_code: int = 200, headers: dict[str, str] | None = None
                  ) -> Response:
    """`value` serialised once with orjson (`orjson.Fragment` splices stored JSON bytes)."""
    return Response(orjson.dumps(value), status_code=status_code, headers=headers,
                    media_type="application/json")


def hex32(value: bytes) -> str:
    """A hash as JSON APIs write it: 0x + lowercase hex."""
    return "0x" + value.hex()


def anchor_json(anchor: StoredAnchor) -> dict[str, Any]:
    """An anchor as `GET /v1/anchors` lists it and a proof bundle carries it (FORMAT.md)."""
    return {
        "tree_size": anchor.tree_size,
        "root": hex32(anchor.root),
        "chain_id": anchor.chain_id,
        "contract": anchor.contract,
        "tx_hash": hex32(anchor.tx_hash),
        "block_number": anchor.block_number,
        "block_hash": hex32(anchor.block_hash),
        "block_time": anchor.block_time,
    }
