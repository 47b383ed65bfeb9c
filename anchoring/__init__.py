"""Anchoring: the ledger's checkpoints on an EVM chain (DESIGN sections 3 and 4).

The only package that talks to a chain. One web3 code path for the embedded chain (py-evm,
persisted in a data directory, :class:`EmbeddedChain`) and for any node by URL (anvil, Besu):
:class:`Chain`. Typed wrappers of the two contracts: :class:`LedgerAnchor` and
:class:`OperatorRegistry`; :func:`deploy` puts them on a chain. :class:`AnchorService` anchors
the log's checkpoints (:func:`schedule_anchoring` runs it as a job). :mod:`anchoring.embedded`
serves the embedded chain read-only over JSON-RPC. Every error is an :class:`AnchoringError`.
"""

from anchoring.chain import Chain, TransactionPolicy
from anchoring.contract import (
    ANCHORER_ROLE,
    DEFAULT_ADMIN_ROLE,
    REGISTRAR_ROLE,
    MinedTransaction,
)
from anchoring.deploy import Deployment, deploy
from anchoring.embedded import (
    CHAIN_ID,
    DevAccounts,
    EmbeddedChain,
    EmbeddedProvider,
    JsonRpcHandler,
    read_only_handler,
)
from anchoring.errors import (
    AnchoringError,
    AnchorMismatch,
    ChainDataError,
    ChainUnavailable,
    ContractNotDeployed,
    InvalidRequest,
    ReceiptTimeout,
    RpcError,
    TransactionDropped,
    TransactionReverted,
    WrongChain,
)
from anchoring.ledger_anchor import (
    AnchoredCheckpoint,
    AnchorEvent,
    AnchorReceipt,
    LedgerAnchor,
    TreeHead,
)
from anchoring.registry import Operator, OperatorRegistry
from anchoring.service import AnchorLag, AnchorService, schedule_anchoring

__all__ = [
    "ANCHORER_ROLE",
    "CHAIN_ID",
    "DEFAULT_ADMIN_ROLE",
    "REGISTRAR_ROLE",
    "AnchorEvent",
    "AnchorLag",
    "AnchorMismatch",
    "AnchorReceipt",
    "AnchorService",
    "AnchoredCheckpoint",
    "AnchoringError",
    "Chain",
    "ChainDataError",
    "ChainUnavailable",
    "ContractNotDeployed",
    "Deployment",
    "DevAccounts",
    "EmbeddedChain",
    "EmbeddedProvider",
    "InvalidRequest",
    "JsonRpcHandler",
    "LedgerAnchor",
    "MinedTransaction",
    "Operator",
    "OperatorRegistry",
    "ReceiptTimeout",
    "RpcError",
    "TransactionDropped",
    "TransactionPolicy",
    "TransactionReverted",
    "TreeHead",
    "WrongChain",
    "deploy",
    "read_only_handler",
    "schedule_anchoring",
]
