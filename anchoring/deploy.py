"""Deploying the two contracts and granting their roles; the record of where they are.

:func:`deploy` is run once per chain (``make demo`` on the embedded chain, the operator of a
Besu network by hand); its :class:`Deployment` is saved with the server's configuration and
checked on every start with :meth:`Deployment.verify`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from anchoring.chain import Chain
from anchoring.contract import ANCHORER_ROLE, REGISTRAR_ROLE
from anchoring.errors import ChainDataError, WrongChain
from anchoring.ledger_anchor import LedgerAnchor
from anchoring.registry import OperatorRegistry
from contracts import load_artifact

__all__ = ["Deployment", "deploy", "deploy_contract"]


@dataclass(frozen=True)
class Deployment:
    """Where the contracts of one ledger live. ``block_number`` is the block of the first
    deployment transaction: event scans start there."""

    chain_id: int
    ledger_anchor: ChecksumAddress
    operator_registry: ChecksumAddress
    block_number: int

    def to_json(self) -> dict[str, Any]:
        """A JSON object (addresses EIP-55, numbers as integers)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        """Parse :meth:`to_json`'s output; raises :class:`ChainDataError` when malformed."""
        try:
            return cls(
                chain_id=int(data["chain_id"]),
                ledger_anchor=to_checksum_address(data["ledger_anchor"]),
                operator_registry=to_checksum_address(data["operator_registry"]),
                block_number=int(data["block_number"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ChainDataError(f"not a deployment record: {exc}") from exc

    def save(self, path: Path) -> None:
        """Write the record to ``path`` as JSON."""
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Deployment:
        """Read a record written by :meth:`save`."""
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ChainDataError(f"{path} is not JSON: {exc}") from exc

    def verify(self, chain: Chain) -> None:
        """Check that ``chain`` is this deployment's chain and holds exactly the committed
        runtime code at both addresses. Raises :class:`WrongChain` or
        :class:`~anchoring.errors.ContractNotDeployed`."""
        if chain.chain_id != self.chain_id:
            raise WrongChain(self.chain_id, chain.chain_id)
        LedgerAnchor(chain, self.ledger_anchor).verify_code()
        OperatorRegistry(chain, self.operator_registry).verify_code()


def deploy_contract(chain: Chain, deployer: LocalAccount, name: str, *args: Any) -> tuple[
    ChecksumAddress, int
]:
    """Deploy the artifact ``name`` with constructor ``args`` (ABI types from the artifact);
    return its address and the deployment block."""
    artifact = load_artifact(name)
    constructor = next((item for item in artifact.abi if item["type"] == "constructor"), None)
    types = [argument["type"] for argument in constructor["inputs"]] if constructor else []
    receipt = chain.send(
        deployer, to=None, data=artifact.bytecode + abi_encode(types, list(args))
    )
    address = receipt["contractAddress"]
    if address is None:
        raise ChainDataError(f"deployment of {name} has no contract address in its receipt")
    return to_checksum_address(address), receipt["blockNumber"]


def deploy(chain: Chain, admin: LocalAccount, *, anchorer: str, registrar: str) -> Deployment:
    """Deploy LedgerAnchor and OperatorRegistry with ``admin`` as DEFAULT_ADMIN_ROLE, grant
    ANCHORER_ROLE to ``anchorer`` and REGISTRAR_ROLE to ``registrar``, verify the code.

    ``admin`` keeps the admin role (it can grant and revoke roles later): on a shared network
    make it a key held offline or a multisig, distinct from the two service keys.
    """
    anchor_address, first_block = deploy_contract(chain, admin, "LedgerAnchor", admin.address)
    registry_address, _ = deploy_contract(chain, admin, "OperatorRegistry", admin.address)
    LedgerAnchor(chain, anchor_address, admin).grant_role(ANCHORER_ROLE, anchorer)
    OperatorRegistry(chain, registry_address, admin).grant_role(REGISTRAR_ROLE, registrar)
    deployment = Deployment(chain.chain_id, anchor_address, registry_address, first_block)
    deployment.verify(chain)
    return deployment
