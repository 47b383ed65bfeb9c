"""Chain fixtures shared by tests/contracts, tests/anchoring and the gas benchmark.

Two real chains, never mocks: the embedded py-evm chain in a temporary data directory, and an
anvil node (the pinned npm binary) on 127.0.0.1 and a free port, started once per session and
stopped with its whole process group. `chain_env` runs a test on each of them, with the
contracts deployed and four funded accounts: admin, anchorer, registrar and a fourth one that
holds no role.

Import the fixtures into a conftest with `from tests.chain_fixtures import *`.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from anchoring import (
    ANCHORER_ROLE,
    Chain,
    Deployment,
    EmbeddedChain,
    LedgerAnchor,
    OperatorRegistry,
    TransactionPolicy,
    deploy,
)
from anchoring.deploy import deploy_contract

__all__ = [
    "ANVIL_CHAIN_ID",
    "AnvilNode",
    "ChainEnv",
    "anvil_chain_env",
    "anvil_env",
    "anvil_node",
    "chain_env",
    "embedded_chain",
    "embedded_env",
    "fresh_anchor",
    "rpc_request",
    "start_anvil",
]

ROOT = Path(__file__).resolve().parents[1]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
#: Chain id given to anvil: not the embedded chain's, so a mix-up shows.
ANVIL_CHAIN_ID = 31337
_FUNDING_WEI = 10**24


def rpc_request(url: str, method: str, params: list[Any], timeout: float = 5.0) -> Any:
    """One JSON-RPC call over HTTP with the standard library; returns the whole response."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class AnvilNode:
    """A running anvil process and its URL."""

    url: str
    chain_id: int
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it if it lingers."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def fund(self, address: str, wei: int = _FUNDING_WEI) -> None:
        """Give ``address`` a balance (anvil's test-only anvil_setBalance)."""
        answer = rpc_request(self.url, "anvil_setBalance", [address, hex(wei)])
        assert "error" not in answer, answer


def start_anvil(
    chain_id: int = ANVIL_CHAIN_ID,
    *,
    hardfork: str | None = None,
    timeout: float = 30.0,
    port: int | None = None,
    options: Sequence[str] = (),
) -> AnvilNode:
    """Start anvil on ``port`` (default: a free one) at ``hardfork`` (default its latest), with
    extra command-line ``options``, and wait until it answers eth_chainId."""
    if not ANVIL.exists():
        pytest.fail(f"{ANVIL} is missing: run `make install` (npm ci)")
    port = _free_port() if port is None else port
    options = [*(["--hardfork", hardfork] if hardfork else []), *options]
    process = subprocess.Popen(
        [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id),
         "--accounts", "0", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    node = AnvilNode(f"http://127.0.0.1:{port}", chain_id, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"anvil exited with status {process.returncode}")
        try:
            if rpc_request(node.url, "eth_chainId", [], timeout=1.0).get("result") == hex(chain_id):
                return node
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    node.stop()
    pytest.fail(f"anvil did not answer within {timeout} s")


@dataclass(frozen=True)
class ChainEnv:
    """A chain with the contracts deployed and funded accounts (``other`` holds no role)."""

    name: str
    chain: Chain
    admin: LocalAccount
    anchorer: LocalAccount
    registrar: LocalAccount
    other: LocalAccount
    deployment: Deployment

    def anchor_contract(self, signer: LocalAccount | None = None) -> LedgerAnchor:
        """The session's LedgerAnchor, signed by the anchorer unless told otherwise."""
        return LedgerAnchor(self.chain, self.deployment.ledger_anchor, signer or self.anchorer)

    def registry(self, signer: LocalAccount | None = None) -> OperatorRegistry:
        """The session's OperatorRegistry, signed by the registrar unless told otherwise."""
        return OperatorRegistry(
            self.chain,
            self.deployment.operator_registry,
            signer or self.registrar,
            start_block=self.deployment.block_number,
        )

    def new_anchor(self) -> LedgerAnchor:
        """A freshly deployed LedgerAnchor (nothing anchored), the anchorer holding its role."""
        address, _ = deploy_contract(self.chain, self.admin, "LedgerAnchor", self.admin.address)
        LedgerAnchor(self.chain, address, self.admin).grant_role(
            ANCHORER_ROLE, self.anchorer.address
        )
        return LedgerAnchor(self.chain, address, self.anchorer)


@pytest.fixture(scope="session")
def anvil_node() -> Iterator[AnvilNode]:
    """An anvil node for the whole session."""
    node = start_anvil()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def embedded_chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedChain]:
    """An embedded chain in a temporary data directory for the whole session."""
    chain = EmbeddedChain.open(tmp_path_factory.mktemp("embedded-chain"))
    try:
        yield chain
    finally:
        chain.close()


def _embedded_env(embedded: EmbeddedChain) -> ChainEnv:
    chain = Chain.embedded(embedded)
    accounts = embedded.accounts
    # The fourth account gets funds from the admin, like any new key on the chain would.
    other = Account.from_key(secrets.token_bytes(32))
    chain.send(accounts.admin, to=other.address, data=b"", value=10**21)
    deployment = deploy(
        chain, accounts.admin, anchorer=accounts.anchorer.address,
        registrar=accounts.registrar.address,
    )
    return ChainEnv("embedded", chain, accounts.admin, accounts.anchorer, accounts.registrar,
                    other, deployment)


def anvil_chain_env(node: AnvilNode) -> ChainEnv:
    """Deploy the contracts on anvil ``node`` for four fresh funded accounts."""
    chain = Chain.connect(node.url, expected_chain_id=node.chain_id,
                          policy=TransactionPolicy(poll_interval=0.01))
    admin, anchorer, registrar, other = (Account.from_key(secrets.token_bytes(32))
                                         for _ in range(4))
    for account in (admin, anchorer, registrar, other):
        node.fund(account.address)
    deployment = deploy(chain, admin, anchorer=anchorer.address, registrar=registrar.address)
    return ChainEnv("anvil", chain, admin, anchorer, registrar, other, deployment)


@pytest.fixture(scope="session")
def embedded_env(embedded_chain: EmbeddedChain) -> ChainEnv:
    """The session's embedded chain with the contracts deployed."""
    return _embedded_env(embedded_chain)


@pytest.fixture(scope="session")
def anvil_env(anvil_node: AnvilNode) -> ChainEnv:
    """The session's anvil node with the contracts deployed."""
    return anvil_chain_env(anvil_node)


@pytest.fixture(scope="session", params=["embedded", "anvil"])
def chain_env(request: pytest.FixtureRequest) -> ChainEnv:
    """Each test using it runs on the embedded chain and on anvil."""
    env: ChainEnv = request.getfixturevalue(f"{request.param}_env")
    return env


@pytest.fixture
def fresh_anchor(chain_env: ChainEnv) -> LedgerAnchor:
    """A LedgerAnchor with nothing anchored yet, on the chain of `chain_env`."""
    return chain_env.new_anchor()
