"""web3's view of the embedded chain: a provider that answers JSON-RPC in this process."""

from __future__ import annotations

from typing import Any, cast

from web3.providers.base import JSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

from anchoring.embedded.node import EmbeddedChain
from anchoring.embedded.rpc import NODE_METHODS, JsonRpcHandler
from anchoring.errors import ChainDataError, ChainUnavailable


class EmbeddedProvider(JSONBaseProvider):
    """web3 provider for an :class:`EmbeddedChain`: each request is encoded to JSON bytes as
    web3's HTTP provider does, answered by :class:`JsonRpcHandler` with :data:`NODE_METHODS`,
    and decoded back, so web3 sees a JSON-RPC node and nothing else."""

    def __init__(self, chain: EmbeddedChain) -> None:
        super().__init__()
        self.chain = chain
        self._handler = JsonRpcHandler(chain, NODE_METHODS)

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        if self.chain.closed:
            raise ChainUnavailable(f"the embedded chain in {self.chain.directory} is closed")
        answer = self._handler.handle_bytes(self.encode_rpc_request(method, params))
        if answer is None:
            raise ChainDataError(f"no answer to {method}")
        return self.decode_rpc_response(answer)

    def make_batch_request(
        self, requests: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        if self.chain.closed:
            raise ChainUnavailable(f"the embedded chain in {self.chain.directory} is closed")
        answer = self._handler.handle_bytes(self.encode_batch_rpc_request(requests))
        if answer is None:
            raise ChainDataError("no answer to a batch")
        response = self.decode_rpc_response(answer)
        if isinstance(response, list):
            return sorted(response, key=lambda item: cast(int, item["id"]))
        return response

    def is_connected(self, show_traceback: bool = False) -> bool:
        return not self.chain.closed
