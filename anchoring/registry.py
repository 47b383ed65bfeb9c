"""Typed wrapper of the OperatorRegistry contract: the public key directory of the operators.

The set of active operators is what every submission is checked against, many times a second,
so :meth:`OperatorRegistry.active_operators` keeps it in memory and brings it up to date from
the ``OperatorRegistered`` / ``OperatorRevoked`` events of the blocks it has not scanned yet
(it remembers the last one), in chunks so that no node refuses the log query.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Final

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from anchoring.chain import Chain
from anchoring.contract import REGISTRAR_ROLE, BoundContract, MinedTransaction
from anchoring.errors import ChainDataError

__all__ = [
    "OPERATOR_REGISTERED_TOPIC",
    "OPERATOR_REVOKED_TOPIC",
    "Operator",
    "OperatorRegistry",
]

#: Topic 0 of ``OperatorRegistered(address indexed operator, string name, string licence)``.
OPERATOR_REGISTERED_TOPIC: Final = keccak(text="OperatorRegistered(address,string,string)")
#: Topic 0 of ``OperatorRevoked(address indexed operator)``.
OPERATOR_REVOKED_TOPIC: Final = keccak(text="OperatorRevoked(address)")


@dataclass(frozen=True)
class Operator:
    """One registered operator address. ``revoked_at`` is 0 while it is active; times are
    block timestamps (unix seconds)."""

    address: ChecksumAddress
    name: str
    licence: str
    active: bool
    registered_at: int
    revoked_at: int


class OperatorRegistry(BoundContract):
    """The OperatorRegistry contract at ``address``; ``signer`` must hold REGISTRAR_ROLE to
    register or revoke. ``start_block`` is the block the event scan starts from (the
    deployment block; 0 scans from genesis). ``log_chunk`` bounds the blocks of one query."""

    contract_name = "OperatorRegistry"

    def __init__(
        self,
        chain: Chain,
        address: str,
        signer: LocalAccount | None = None,
        *,
        start_block: int = 0,
        log_chunk: int = 5_000,
    ) -> None:
        super().__init__(chain, address, signer)
        self._log_chunk = log_chunk
        self._next_block = start_block
        self._active: set[ChecksumAddress] = set()
        self._cache_lock = threading.Lock()

    def register(self, operator: str, name: str, licence: str) -> MinedTransaction:
        """Register ``operator`` as active with its ``name`` and ``licence`` number.

        Raises :class:`~anchoring.errors.TransactionReverted` with ``error`` one of
        ``OperatorRegistry__ZeroAddress``, ``OperatorRegistry__AlreadyRegistered``,
        ``OperatorRegistry__InvalidText``, ``AccessControlUnauthorizedAccount``.
        """
        return self._write("register", to_checksum_address(operator), name, licence)

    def revoke(self, operator: str) -> MinedTransaction:
        """Revoke ``operator``. Raises :class:`~anchoring.errors.TransactionReverted` with
        ``OperatorRegistry__NotActive`` or ``AccessControlUnauthorizedAccount``."""
        return self._write("revoke", to_checksum_address(operator))

    def is_active(self, operator: str) -> bool:
        """Whether ``operator`` is registered and not revoked, read from the chain now."""
        (active,) = self._read("isActive", to_checksum_address(operator))
        return bool(active)

    def is_registrar(self, address: str) -> bool:
        """Whether ``address`` holds REGISTRAR_ROLE (``hasRole``), read from the chain now: the
        department's key, which registers operators and files plans and compiled figures."""
        return self.has_role(REGISTRAR_ROLE, address)

    def operator(self, operator: str) -> Operator | None:
        """The registration of ``operator``, or None when it was never registered."""
        address = to_checksum_address(operator)
        name, licence, active, registered_at, revoked_at = self._read("operatorOf", address)
        if registered_at == 0:
            return None
        return Operator(address, name, licence, bool(active), registered_at, revoked_at)

    def operators(self) -> list[Operator]:
        """Every address ever registered, in registration order, with its current state."""
        (count,) = self._read("operatorCount")
        found: list[Operator] = []
        for index in range(count):
            (address,) = self._read("operatorAt", index)
            entry = self.operator(address)
            if entry is None:
                raise ChainDataError(f"operator {address} is listed but not registered")
            found.append(entry)
        return found

    def active_operators(self, *, refresh: bool = True) -> frozenset[ChecksumAddress]:
        """The active operator addresses: the cached set, first brought up to the head from
        the events of the blocks not scanned yet unless ``refresh`` is False."""
        if refresh:
            self.refresh()
        with self._cache_lock:
            return frozenset(self._active)

    def refresh(self) -> None:
        """Apply the registry events of the blocks after the last scanned one, up to the head."""
        with self._cache_lock:
            head = self.chain.block_number()
            while self._next_block <= head:
                last = min(head, self._next_block + self._log_chunk - 1)
                logs = self.chain.logs(
                    self.address,
                    [[OPERATOR_REGISTERED_TOPIC, OPERATOR_REVOKED_TOPIC]],
                    self._next_block,
                    last,
                )
                for log in sorted(logs, key=lambda item: (item["blockNumber"], item["logIndex"])):
                    address = to_checksum_address(bytes(log["topics"][1])[12:])
                    if bytes(log["topics"][0]) == OPERATOR_REGISTERED_TOPIC:
                        self._active.add(address)
                    else:
                        self._active.discard(address)
                self._next_block = last + 1

    @property
    def scanned_through(self) -> int:
        """The last block whose events the cached set includes (-1 before any scan)."""
        with self._cache_lock:
            return self._next_block - 1
