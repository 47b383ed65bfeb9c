"""Typed wrapper of the LedgerAnchor contract (DESIGN section 3).

The anchor service calls :meth:`LedgerAnchor.latest` to reconcile on start, then
:meth:`LedgerAnchor.anchor` with each new checkpoint and the RFC 9162 consistency proof from
the latest anchored size (empty for the first anchor); it stores the returned
:class:`AnchorReceipt` (the ``GET /v1/anchors`` fields). Verifiers use
:meth:`~LedgerAnchor.root_at` and :meth:`~LedgerAnchor.verify_inclusion`.

``anchor()`` takes packed call data, not the ABI encoding: :func:`anchor_call_data` is the one
place that writes it (the layout is ``AnchorRules.decode`` in ``contracts/AnchorRules.sol``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from eth_abi.abi import decode as abi_decode
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from hexbytes import HexBytes

from anchoring.abi import functions_of
from anchoring.contract import BoundContract
from anchoring.errors import ChainDataError, InvalidRequest
from ledger.merkle import Hash

__all__ = [
    "ANCHORED_TOPIC",
    "AnchorEvent",
    "AnchorReceipt",
    "AnchoredCheckpoint",
    "LedgerAnchor",
    "TreeHead",
    "anchor_call_data",
]

#: Topic 0 of ``Anchored(uint64 indexed treeSize, bytes32 root, uint64 previousSize)``.
ANCHORED_TOPIC: Final = keccak(text="Anchored(uint64,bytes32,uint64)")

_UINT64_LIMIT: Final = 2**64
_HASH_SIZE: Final = 32


@dataclass(frozen=True)
class TreeHead:
    """A (tree size, root) pair as the contract stores it; size 0 means nothing anchored."""

    tree_size: int
    root: Hash


@dataclass(frozen=True)
class AnchoredCheckpoint:
    """Everything the contract stores for one anchor."""

    tree_size: int
    root: Hash
    timestamp: int
    block_number: int
    previous_size: int


@dataclass(frozen=True)
class AnchorReceipt:
    """Proof of where a checkpoint was anchored: the chain, the contract, the transaction and
    its block (hash and timestamp), with the anchored (tree size, root)."""

    chain_id: int
    contract: ChecksumAddress
    tree_size: int
    root: Hash
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    block_time: int
    gas_used: int


@dataclass(frozen=True)
class AnchorEvent:
    """One ``Anchored`` event read from the chain's logs."""

    tree_size: int
    root: Hash
    previous_size: int
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    log_index: int


class LedgerAnchor(BoundContract):
    """The LedgerAnchor contract at ``address``; ``signer`` must hold ANCHORER_ROLE to anchor."""

    contract_name = "LedgerAnchor"

    #: The longest proof the contract accepts (a consistency proof between uint64 sizes has at
    #: most 65 hashes: one per level, plus one when the old size is not a power of two).
    MAX_PROOF_LENGTH: Final = 65

    def anchor(self, tree_size: int, root: bytes, proof: Sequence[bytes]) -> AnchorReceipt:
        """Anchor the checkpoint (``tree_size``, ``root``) with the RFC 9162 consistency proof
        from the latest anchored checkpoint (empty for the first anchor).

        Requires 0 < tree_size < 2^64, 32-byte root and proof hashes, at most
        MAX_PROOF_LENGTH of them; raises :class:`InvalidRequest` otherwise. Raises
        :class:`~anchoring.errors.TransactionReverted` when the contract refuses it, with
        ``error`` one of ``LedgerAnchor__SizeNotIncreasing``, ``LedgerAnchor__ZeroRoot``,
        ``LedgerAnchor__ProofNotEmpty``, ``LedgerAnchor__ProofTooLong``,
        ``LedgerAnchor__InconsistentProof``, ``AccessControlUnauthorizedAccount``.
        """
        _require_anchorable(tree_size, proof)
        data = self._encode("anchor", tree_size, root, proof)
        receipt = self.chain.send(self._require_signer(), to=self.address, data=data)
        events = [
            log
            for log in receipt["logs"]
            if log["address"] == self.address and bytes(log["topics"][0]) == ANCHORED_TOPIC
        ]
        if len(events) != 1 or _event_size(events[0]["topics"]) != tree_size:
            raise ChainDataError(
                f"anchor transaction 0x{bytes(receipt['transactionHash']).hex()} "
                "has no Anchored event for this checkpoint"
            )
        block = self.chain.block(receipt["blockHash"])
        return AnchorReceipt(
            chain_id=self.chain.chain_id,
            contract=self.address,
            tree_size=tree_size,
            root=Hash(bytes(root)),
            tx_hash=bytes(receipt["transactionHash"]),
            block_number=receipt["blockNumber"],
            block_hash=bytes(receipt["blockHash"]),
            block_time=block["timestamp"],
            gas_used=receipt["gasUsed"],
        )

    def check_anchor(self, tree_size: int, root: bytes, proof: Sequence[bytes]) -> None:
        """Ask the chain, without a transaction, whether :meth:`anchor` would succeed now.

        Returns None when it would; raises what :meth:`anchor` raises otherwise.
        """
        _require_anchorable(tree_size, proof)
        self._simulate("anchor", tree_size, root, proof)

    def latest(self) -> TreeHead:
        """The latest anchored checkpoint; tree size 0 (and a zero root) before the first."""
        tree_size, root = self._read("latest")
        return TreeHead(tree_size, Hash(root))

    def root_at(self, tree_size: int) -> tuple[Hash, int] | None:
        """The root anchored for ``tree_size`` and its block timestamp, or None."""
        root, timestamp = self._read("rootAt", _uint64(tree_size, "tree size"))
        return None if root == bytes(32) else (Hash(root), timestamp)

    def anchor_at(self, tree_size: int) -> AnchoredCheckpoint | None:
        """Everything stored for the anchor of ``tree_size``, or None when not anchored."""
        root, timestamp, block_number, previous = self._read(
            "anchorAt", _uint64(tree_size, "tree size")
        )
        if root == bytes(32):
            return None
        return AnchoredCheckpoint(tree_size, Hash(root), timestamp, block_number, previous)

    def history(self) -> list[AnchoredCheckpoint]:
        """Every anchor, oldest first, by walking back from :meth:`latest` (no log queries)."""
        checkpoints: list[AnchoredCheckpoint] = []
        size = self.latest().tree_size
        while size != 0:
            checkpoint = self.anchor_at(size)
            if checkpoint is None:
                raise ChainDataError(f"anchor of size {size} is referenced but not stored")
            checkpoints.append(checkpoint)
            size = checkpoint.previous_size
        checkpoints.reverse()
        return checkpoints

    def verify_inclusion(
        self, tree_size: int, index: int, leaf_hash: bytes, proof: Sequence[bytes]
    ) -> bool:
        """Whether the contract accepts ``proof`` as the RFC 9162 inclusion proof of leaf
        ``index`` (hash ``leaf_hash``) in the tree anchored at ``tree_size``; False when that
        size was never anchored.

        Raises :class:`InvalidRequest` for arguments the ABI cannot carry (sizes outside
        uint64, hashes that are not 32 bytes).
        """
        (verified,) = self._read(
            "verifyInclusion",
            _uint64(tree_size, "tree size"),
            _uint64(index, "index"),
            _hash(leaf_hash, "leaf hash"),
            [_hash(item, "proof hash") for item in proof],
        )
        return bool(verified)

    def anchored_events(self, from_block: int, to_block: int | None = None) -> list[AnchorEvent]:
        """The ``Anchored`` events of blocks ``from_block..to_block`` (default: the head)."""
        last = self.chain.block_number() if to_block is None else to_block
        events: list[AnchorEvent] = []
        for log in self.chain.logs(self.address, [[ANCHORED_TOPIC]], from_block, last):
            root, previous = abi_decode(["bytes32", "uint64"], bytes(log["data"]))
            events.append(
                AnchorEvent(
                    tree_size=_event_size(log["topics"]),
                    root=Hash(root),
                    previous_size=previous,
                    tx_hash=bytes(log["transactionHash"]),
                    block_number=log["blockNumber"],
                    block_hash=bytes(log["blockHash"]),
                    log_index=log["logIndex"],
                )
            )
        return events

    def _encode(self, function: str, *args: Any) -> bytes:
        """ABI call data of ``function(*args)``, except for ``anchor``, whose call data is
        packed: ``args`` are (tree size, root, proof) for :func:`anchor_call_data`."""
        if function == "anchor":
            return anchor_call_data(*args)
        return super()._encode(function, *args)


def _event_size(topics: Sequence[HexBytes | bytes]) -> int:
    return int.from_bytes(bytes(topics[1]), "big")


def anchor_call_data(tree_size: int, root: bytes, proof: Sequence[bytes]) -> bytes:
    """The call data of ``LedgerAnchor.anchor()`` for the checkpoint (``tree_size``, ``root``)
    and its consistency ``proof``: the selector, the tree size as 8 big-endian bytes, the root,
    then the proof hashes, with no ABI offsets, lengths or padding.

    Requires 0 <= tree_size < 2^64 and 32-byte hashes (what the layout can carry); raises
    :class:`InvalidRequest` otherwise. The contract's rules (a positive size larger than the
    latest, at most MAX_PROOF_LENGTH hashes) are not checked here, so that a test can send
    what the contract must refuse; :meth:`LedgerAnchor.anchor` checks what it can first.
    """
    selector = functions_of(LedgerAnchor.contract_name)["anchor"].selector
    return b"".join(
        [
            selector,
            _uint64(tree_size, "tree size").to_bytes(8, "big"),
            _hash(root, "root"),
            *(_hash(item, "proof hash") for item in proof),
        ]
    )


def _require_anchorable(tree_size: int, proof: Sequence[bytes]) -> None:
    if tree_size == 0:
        raise InvalidRequest("tree size must be positive")
    if len(proof) > LedgerAnchor.MAX_PROOF_LENGTH:
        raise InvalidRequest(
            f"proof has {len(proof)} hashes, the contract accepts {LedgerAnchor.MAX_PROOF_LENGTH}"
        )


def _uint64(value: int, what: str) -> int:
    if not 0 <= value < _UINT64_LIMIT:
        raise InvalidRequest(f"{what} {value} is outside uint64")
    return value


def _hash(value: bytes, what: str) -> bytes:
    if len(value) != _HASH_SIZE:
        raise InvalidRequest(f"{what} is {len(value)} bytes, want {_HASH_SIZE}")
    return bytes(value)
