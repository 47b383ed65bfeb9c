"""The embedded chain: a single-node py-evm chain in this process, persisted in a data directory.

:class:`EmbeddedChain` is the node (:mod:`anchoring.embedded.node`); :class:`JsonRpcHandler`
answers JSON-RPC over it (:mod:`anchoring.embedded.rpc`), both for web3 in this process
(:class:`EmbeddedProvider`) and, read-only, for verifiers and the page (``POST /chain/rpc``).
"""

from anchoring.embedded.node import CHAIN_ID, CallRequest, DevAccounts, EmbeddedChain, LogEntry
from anchoring.embedded.provider import EmbeddedProvider
from anchoring.embedded.rpc import (
    NODE_METHODS,
    READ_ONLY_METHODS,
    JsonRpcHandler,
    read_only_handler,
)

__all__ = [
    "CHAIN_ID",
    "NODE_METHODS",
    "READ_ONLY_METHODS",
    "CallRequest",
    "DevAccounts",
    "EmbeddedChain",
    "EmbeddedProvider",
    "JsonRpcHandler",
    "LogEntry",
    "read_only_handler",
]
