"""Typed access to one deployed InfraLedger contract: ABI encoding, reads, signed writes, roles.

:class:`BoundContract` is the base of :class:`~anchoring.ledger_anchor.LedgerAnchor` and
:class:`~anchoring.registry.OperatorRegistry`: the ABI comes from the committed artifact, calls
go through :class:`~anchoring.chain.Chain`, writes are signed by the contract's ``signer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Final

from eth_abi.exceptions import DecodingError
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3.types import TxReceipt

from anchoring.abi import functions_of
from anchoring.chain import Chain
from anchoring.errors import ChainDataError, ContractNotDeployed, InvalidRequest
from contracts import load_artifact

__all__ = [
    "ANCHORER_ROLE",
    "DEFAULT_ADMIN_ROLE",
    "REGISTRAR_ROLE",
    "BoundContract",
    "MinedTransaction",
]

#: The role administering every role (OpenZeppelin's value).
DEFAULT_ADMIN_ROLE: Final = bytes(32)
#: keccak256("ANCHORER_ROLE"): may call LedgerAnchor.anchor.
ANCHORER_ROLE: Final = keccak(text="ANCHORER_ROLE")
#: keccak256("REGISTRAR_ROLE"): may register and revoke operators.
REGISTRAR_ROLE: Final = keccak(text="REGISTRAR_ROLE")


@dataclass(frozen=True)
class MinedTransaction:
    """A transaction mined with status 1: where it is on the chain."""

    tx_hash: bytes
    block_number: int
    block_hash: bytes
    gas_used: int

    @classmethod
    def from_receipt(cls, receipt: TxReceipt) -> MinedTransaction:
        """The fields of a web3 receipt."""
        return cls(
            tx_hash=bytes(receipt["transactionHash"]),
            block_number=receipt["blockNumber"],
            block_hash=bytes(receipt["blockHash"]),
            gas_used=receipt["gasUsed"],
        )


class BoundContract:
    """One deployed contract named ``contract_name`` (a subclass sets it) at ``address``.

    ``signer`` signs the writes; reads need none. Construction does not touch the chain:
    :meth:`verify_code` checks that the address holds exactly the artifact's runtime code.
    """

    contract_name: ClassVar[str]

    def __init__(self, chain: Chain, address: str, signer: LocalAccount | None = None) -> None:
        self.chain = chain
        self.address: ChecksumAddress = to_checksum_address(address)
        self.signer = signer
        self._functions = functions_of(self.contract_name)

    def verify_code(self) -> None:
        """Raise :class:`ContractNotDeployed` unless the code at the address is the
        committed artifact's runtime bytecode (the contracts have no immutables)."""
        code = self.chain.code(self.address)
        if not code:
            raise ContractNotDeployed(
                f"no contract at {self.address} on chain {self.chain.chain_id}"
            )
        if code != load_artifact(self.contract_name).deployed_bytecode:
            raise ContractNotDeployed(
                f"the code at {self.address} is not this version of {self.contract_name}"
            )

    # Roles (AccessControl.sol)

    def has_role(self, role: bytes, account: str) -> bool:
        """Whether ``account`` holds ``role``."""
        (member,) = self._read("hasRole", role, to_checksum_address(account))
        return bool(member)

    def grant_role(self, role: bytes, account: str) -> MinedTransaction:
        """Grant ``role`` to ``account``; the signer must hold DEFAULT_ADMIN_ROLE."""
        return self._write("grantRole", role, to_checksum_address(account))

    def revoke_role(self, role: bytes, account: str) -> MinedTransaction:
        """Revoke ``role`` from ``account``; the signer must hold DEFAULT_ADMIN_ROLE."""
        return self._write("revokeRole", role, to_checksum_address(account))

    # Plumbing for the subclasses

    def _encode(self, function: str, *args: Any) -> bytes:
        return self._functions[function].encode_call(*args)

    def _read(self, function: str, *args: Any) -> tuple[Any, ...]:
        """eth_call ``function(*args)`` and decode its outputs."""
        output = self.chain.call(self.address, self._encode(function, *args))
        try:
            return self._functions[function].decode_result(output)
        except DecodingError as exc:
            if not output:
                raise ContractNotDeployed(
                    f"no contract answers at {self.address} on chain {self.chain.chain_id}"
                ) from exc
            raise ChainDataError(
                f"{self.contract_name}.{function} at {self.address} answered "
                f"{len(output)} bytes that do not decode"
            ) from exc

    def _write(self, function: str, *args: Any) -> MinedTransaction:
        """Send ``function(*args)`` signed by the signer; return where it was mined."""
        receipt = self.chain.send(
            self._require_signer(), to=self.address, data=self._encode(function, *args)
        )
        return MinedTransaction.from_receipt(receipt)

    def _simulate(self, function: str, *args: Any) -> None:
        """eth_call ``function(*args)`` from the signer: raises TransactionReverted if the
        transaction would revert now, changes nothing."""
        self.chain.call(
            self.address,
            self._encode(function, *args),
            sender=self._require_signer().address,
        )

    def _require_signer(self) -> LocalAccount:
        if self.signer is None:
            raise InvalidRequest(f"{self.contract_name} at {self.address} has no signer")
        return self.signer
