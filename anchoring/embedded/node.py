"""The embedded chain: a py-evm chain in this process, persisted in a data directory.

A single-node EVM chain (Prague rules, chain id :data:`CHAIN_ID`) that mines one block per
transaction, the way eth-tester's auto-mining does, and keeps every block, receipt and state
trie node in SQLite, so a new process opening the same directory sees the whole chain.
:mod:`anchoring.embedded` serves it as a JSON-RPC node; :class:`anchoring.chain.Chain` talks to it
through web3 exactly as to a node by URL.

Layout of the directory (created on first open)::

    chain.sqlite3   py-evm's key-value database (one SQLite transaction per block)
    accounts.json   the private keys of the funded dev accounts, mode 0600
    chain.lock      held (flock) while a process has the chain open

Why py-evm directly and not eth-tester's ``PyEVMBackend``: the backend always builds a fresh
in-memory genesis (no way to pass a base database or reopen one), finds transactions by
scanning every block, drops revert data in ``call`` and numbers logs per receipt. This module
uses py-evm the way the backend does (post-merge genesis, constant gas limit, random
``mix_hash``) and fixes those four points.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, cast

import rlp
from eth.abc import (
    BlockAPI,
    BlockHeaderAPI,
    ReceiptAPI,
    SignedTransactionAPI,
    StateAPI,
)
from eth.chains.base import MiningChain
from eth.constants import POST_MERGE_DIFFICULTY, POST_MERGE_MIX_HASH, POST_MERGE_NONCE
from eth.db.atomic import AtomicDB
from eth.db.backends.base import BaseDB
from eth.db.schema import SchemaV1
from eth.estimators.gas import binary_gas_search_1000_tolerance
from eth.exceptions import (
    BlockNotFound,
    HeaderNotFound,
    Revert,
    TransactionNotFound,
    VMError,
)
from eth.typing import AccountDetails, AccountState
from eth.vm.forks.prague import PragueVM
from eth.vm.spoof import SpoofTransaction
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_bloom.bloom import BloomFilter
from eth_typing import Address, BlockNumber, Hash32
from eth_utils.exceptions import ValidationError as EthValidationError

from anchoring.errors import (
    ChainDataError,
    ChainUnavailable,
    ExecutionReverted,
    RejectedTransaction,
)

__all__ = [
    "CHAIN_ID",
    "CallRequest",
    "DevAccounts",
    "EmbeddedChain",
    "LogEntry",
]

#: Chain id of every embedded chain: 254 for plan 254/KH-UBND, 2023 for its year. It is not a
#: public network's id (checked against the chain-id registry when chosen); production Besu
#: networks have their own.
CHAIN_ID: Final = 2542023

#: Block gas limit, constant like eth-tester's (the London-fork mainnet value).
GAS_LIMIT: Final = 30_029_122

#: Genesis balance of each dev account, in wei (a million ether: never runs out).
DEV_BALANCE: Final = 10**24

_DB_FILE: Final = "chain.sqlite3"
_ACCOUNTS_FILE: Final = "accounts.json"
_LOCK_FILE: Final = "chain.lock"
_ROLES: Final = ("admin", "anchorer", "registrar")
_BLOB_TX_TYPE: Final = 3


class _SqliteStore(BaseDB):
    """py-evm key-value database in one SQLite table.

    Writes go into an open SQLite transaction that :meth:`commit` closes once a block is fully
    persisted, or :meth:`rollback` discards: a crash never leaves half a block on disk.
    """

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID"
        )
        self._conn.execute("BEGIN")

    def __getitem__(self, key: bytes) -> bytes:
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value: bytes = row[0]
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._conn.execute("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", (key, value))

    def __delitem__(self, key: bytes) -> None:
        if self._conn.execute("DELETE FROM kv WHERE k = ?", (key,)).rowcount == 0:
            raise KeyError(key)

    def _exists(self, key: bytes) -> bool:
        return self._conn.execute("SELECT 1 FROM kv WHERE k = ?", (key,)).fetchone() is not None

    def commit(self) -> None:
        self._conn.execute("COMMIT")
        self._conn.execute("BEGIN")

    def rollback(self) -> None:
        self._conn.execute("ROLLBACK")
        self._conn.execute("BEGIN")

    def close(self) -> None:
        self._conn.execute("ROLLBACK")
        self._conn.close()


def _estimate_gas(state: StateAPI, transaction: SignedTransactionAPI) -> int:
    """The gas limit ``transaction`` needs, in two or three executions where py-evm's binary
    search takes fifteen: run it with the whole block gas, then try what it consumed (with
    the EIP-150 1/64 margin if needed); fall back to the binary search in odd cases.

    Raises the VMError of the run with the block gas when the transaction fails anyway.
    """

    def fails_with(gas: int) -> VMError | None:
        snapshot = state.snapshot()
        try:
            computation = state.apply_transaction(_with_gas(transaction, gas))
            return computation.error if computation.is_error else None
        finally:
            state.revert(snapshot)

    snapshot = state.snapshot()
    try:
        full = state.apply_transaction(_with_gas(transaction, state.gas_limit))
        if full.is_error:
            raise full.error
        consumed = transaction.intrinsic_gas + full.get_gas_used()
    finally:
        state.revert(snapshot)
    for candidate in (consumed, consumed * 64 // 63 + 1):
        if candidate <= state.gas_limit and fails_with(candidate) is None:
            return candidate
    searched: int = binary_gas_search_1000_tolerance(state, transaction)
    return searched


def _with_gas(transaction: SignedTransactionAPI, gas: int) -> SignedTransactionAPI:
    return cast(SignedTransactionAPI, SpoofTransaction(transaction, gas=gas))


class _LedgerChain(MiningChain):
    """py-evm chain class of the embedded chain: Prague from genesis, constant gas limit."""

    chain_id = CHAIN_ID
    vm_configuration = ((BlockNumber(0), PragueVM),)
    gas_estimator = staticmethod(_estimate_gas)

    def create_header_from_parent(
        self, parent_header: BlockHeaderAPI, **header_params: Any
    ) -> BlockHeaderAPI:
        header_params["gas_limit"] = parent_header.gas_limit
        return super().create_header_from_parent(parent_header, **header_params)


@dataclass(frozen=True)
class DevAccounts:
    """The funded accounts of an embedded chain, generated on its first start.

    ``admin`` deploys the contracts and holds DEFAULT_ADMIN_ROLE; ``anchorer`` holds
    ANCHORER_ROLE; ``registrar`` holds REGISTRAR_ROLE. Their keys live only in the data
    directory's ``accounts.json`` (mode 0600): never well-known keys.
    """

    admin: LocalAccount
    anchorer: LocalAccount
    registrar: LocalAccount

    @classmethod
    def load_or_create(cls, path: Path) -> DevAccounts:
        """Read ``path``, or write it with fresh random keys when it does not exist.

        Raises :class:`ChainDataError` when the file exists but is not a valid key file.
        """
        if not path.exists():
            keys = {role: "0x" + secrets.token_bytes(32).hex() for role in _ROLES}
            text = json.dumps({"chain_id": CHAIN_ID, "keys": keys}, indent=2) + "\n"
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            tmp.replace(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            accounts = {role: Account.from_key(raw["keys"][role]) for role in _ROLES}
        except (ValueError, KeyError, TypeError) as exc:
            raise ChainDataError(f"{path} is not a valid dev account file: {exc}") from exc
        return cls(**accounts)

    def all(self) -> tuple[LocalAccount, ...]:
        """The three accounts, in the order admin, anchorer, registrar."""
        return (self.admin, self.anchorer, self.registrar)


@dataclass(frozen=True)
class CallRequest:
    """A message call to execute without mining (eth_call, eth_estimateGas).

    ``to`` is None for contract creation; ``gas`` None means the block gas limit.
    """

    sender: bytes | None = None
    to: bytes | None = None
    data: bytes = b""
    value: int = 0
    gas: int | None = None


@dataclass(frozen=True)
class LogEntry:
    """One log of a mined transaction, with its position (``log_index`` counts in the block)."""

    block: BlockAPI
    transaction_index: int
    transaction_hash: bytes
    log_index: int
    address: bytes
    topics: tuple[bytes, ...]
    data: bytes


class EmbeddedChain:
    """A persisted single-node chain. Open with :meth:`open`; thread-safe (one lock).

    Block numbers given to the methods must exist (``0 <= number <= head().block_number``);
    :mod:`anchoring.embedded.rpc` resolves tags such as ``"latest"``.
    """

    def __init__(
        self,
        directory: Path,
        store: _SqliteStore,
        chain: _LedgerChain,
        accounts: DevAccounts,
        lock_file: IO[bytes],
    ) -> None:
        self.directory = directory
        self.accounts = accounts
        self.chain_id: int = CHAIN_ID
        self._store = store
        self._chain = chain
        self._lock_file: IO[bytes] | None = lock_file
        self._lock = threading.RLock()

    @classmethod
    def open(cls, directory: Path | str) -> EmbeddedChain:
        """Open the chain in ``directory``, creating directory, keys and genesis on first use.

        Raises :class:`ChainUnavailable` when another process has it open or it cannot be
        created, :class:`ChainDataError` when the files are not a chain this module wrote (or
        the key file of an existing chain is gone).
        """
        path = Path(directory)
        try:
            path.mkdir(parents=True, exist_ok=True)
            lock_file = (path / _LOCK_FILE).open("ab")
        except OSError as exc:
            raise ChainUnavailable(f"cannot use {path} as a chain directory: {exc}") from exc
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            lock_file.close()
            raise ChainUnavailable(
                f"the embedded chain in {path} is open in another process"
            ) from exc
        try:
            if (path / _DB_FILE).exists() and not (path / _ACCOUNTS_FILE).exists():
                raise ChainDataError(
                    f"{path / _ACCOUNTS_FILE} is missing: the chain's funded keys are lost"
                )
            accounts = DevAccounts.load_or_create(path / _ACCOUNTS_FILE)
            store = _SqliteStore(path / _DB_FILE)
            db = AtomicDB(store)
            if SchemaV1.make_canonical_head_hash_lookup_key() in store:
                chain = _LedgerChain(db)
            else:
                chain = cls._create_genesis(db, accounts)
                store.commit()
        except sqlite3.Error as exc:
            lock_file.close()
            raise ChainUnavailable(f"cannot open {path / _DB_FILE}: {exc}") from exc
        except BaseException:
            lock_file.close()
            raise
        return cls(path, store, chain, accounts, lock_file)

    @staticmethod
    def _create_genesis(db: AtomicDB, accounts: DevAccounts) -> _LedgerChain:
        genesis_params: dict[str, Any] = {
            "coinbase": b"\x00" * 20,
            "difficulty": POST_MERGE_DIFFICULTY,
            "extra_data": b"InfraLedger embedded chain",
            "gas_limit": GAS_LIMIT,
            "mix_hash": POST_MERGE_MIX_HASH,
            "nonce": POST_MERGE_NONCE,
            "timestamp": int(time.time()),
        }
        genesis_state: AccountState = {
            Address(bytes.fromhex(account.address[2:])): AccountDetails(
                balance=DEV_BALANCE, nonce=0, code=b"", storage={}
            )
            for account in accounts.all()
        }
        chain = _LedgerChain.from_genesis(db, genesis_params, genesis_state)
        assert isinstance(chain, _LedgerChain)
        return chain

    def close(self) -> None:
        """Close the database and release the directory; idempotent."""
        with self._lock:
            if self._lock_file is None:
                return
            self._store.close()
            self._lock_file.close()
            self._lock_file = None

    def __enter__(self) -> EmbeddedChain:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._lock_file is None

    def _check_open(self) -> None:
        if self._lock_file is None:
            raise ChainUnavailable(f"the embedded chain in {self.directory} is closed")

    # Reads

    def head(self) -> BlockHeaderAPI:
        """The header of the latest mined block."""
        with self._lock:
            self._check_open()
            return self._chain.get_canonical_head()

    def block_by_number(self, number: int) -> BlockAPI | None:
        """The canonical block ``number``, or None past the head."""
        with self._lock:
            self._check_open()
            try:
                return self._chain.get_canonical_block_by_number(BlockNumber(number))
            except (HeaderNotFound, BlockNotFound):
                return None

    def block_by_hash(self, block_hash: bytes) -> BlockAPI | None:
        """The canonical block with hash ``block_hash``, or None."""
        with self._lock:
            self._check_open()
            try:
                header = self._chain.get_block_header_by_hash(Hash32(block_hash))
                block = self._chain.get_canonical_block_by_number(header.block_number)
            except (HeaderNotFound, BlockNotFound, EthValidationError):
                return None
            return block if block.hash == block_hash else None

    def locate_transaction(self, tx_hash: bytes) -> tuple[BlockAPI, int] | None:
        """The block holding mined transaction ``tx_hash`` and its index there, or None."""
        with self._lock:
            self._check_open()
            try:
                number, index = self._chain.chaindb.get_transaction_index(Hash32(tx_hash))
            except TransactionNotFound:
                return None
            return self._chain.get_canonical_block_by_number(number), index

    def receipts(self, block: BlockAPI) -> tuple[ReceiptAPI, ...]:
        """The receipts of ``block``'s transactions, in order."""
        with self._lock:
            self._check_open()
            return tuple(block.get_receipts(self._chain.chaindb))

    def iter_logs(
        self,
        first: int,
        last: int,
        addresses: frozenset[bytes] | None,
        topics: Sequence[frozenset[bytes] | None],
    ) -> Iterator[LogEntry]:
        """The logs of blocks ``first..last`` (inclusive) matching the eth_getLogs filter:
        an address in ``addresses`` (any when None), and for each position i of ``topics``
        a topic in ``topics[i]`` (any when None). Blocks whose bloom rules out a match are
        skipped without reading their receipts.
        """
        for number in range(first, last + 1):
            with self._lock:
                self._check_open()
                header = self._chain.get_canonical_block_header_by_number(BlockNumber(number))
                if not _bloom_may_match(header.bloom, addresses, topics):
                    continue
                block = self._chain.get_canonical_block_by_number(header.block_number)
                receipts = block.get_receipts(self._chain.chaindb)
            log_index = 0
            for tx_index, (transaction, receipt) in enumerate(
                zip(block.transactions, receipts, strict=True)
            ):
                for log in receipt.logs:
                    log_topics = tuple(topic.to_bytes(32, "big") for topic in log.topics)
                    if _log_matches(log.address, log_topics, addresses, topics):
                        yield LogEntry(
                            block=block,
                            transaction_index=tx_index,
                            transaction_hash=transaction.hash,
                            log_index=log_index,
                            address=log.address,
                            topics=log_topics,
                            data=log.data,
                        )
                    log_index += 1

    def code(self, address: bytes, block_number: int) -> bytes:
        """The contract code at ``address`` after block ``block_number``."""
        with self._lock:
            return self._state_at(block_number).get_code(Address(address))

    def nonce(self, address: bytes, block_number: int) -> int:
        """The transaction count of ``address`` after block ``block_number``."""
        with self._lock:
            return self._state_at(block_number).get_nonce(Address(address))

    def balance(self, address: bytes, block_number: int) -> int:
        """The balance in wei of ``address`` after block ``block_number``."""
        with self._lock:
            return self._state_at(block_number).get_balance(Address(address))

    def base_fee(self) -> int:
        """The base fee per gas of the next block."""
        with self._lock:
            self._check_open()
            header = self._chain.create_header_from_parent(self._chain.get_canonical_head())
            return header.base_fee_per_gas or 0

    def _state_at(self, block_number: int) -> StateAPI:
        self._check_open()
        header = self._chain.get_canonical_block_header_by_number(BlockNumber(block_number))
        return self._chain.get_vm(header).state

    # Execution without mining

    def call(self, request: CallRequest, block_number: int) -> bytes:
        """Execute ``request`` on the state after block ``block_number``, in the context of
        the block after it, without fees; return the output.

        Raises :class:`ExecutionReverted` with the revert data when it reverts or fails.
        """
        result: bytes = self._execute(self._chain.get_transaction_result, request, block_number)
        return result

    def estimate_gas(self, request: CallRequest, block_number: int) -> int:
        """The gas limit ``request`` needs on the state after block ``block_number``.
        Raises :class:`ExecutionReverted` when it fails at any gas."""
        gas: int = self._execute(self._chain.estimate_gas, request, block_number)
        return gas

    def _execute(
        self, run: Callable[[Any, BlockHeaderAPI], Any], request: CallRequest, block_number: int
    ) -> Any:
        """Run ``run(transaction, header)`` without mining; failures become ExecutionReverted."""
        with self._lock:
            header, spoof = self._spoof(request, block_number)
            try:
                return run(spoof, header)
            except VMError as exc:
                raise _execution_error(exc) from exc
            except EthValidationError as exc:
                raise ExecutionReverted(b"", f"invalid transaction: {exc}") from exc

    def _spoof(self, request: CallRequest, block_number: int) -> tuple[BlockHeaderAPI, Any]:
        self._check_open()
        header = self._chain.get_canonical_block_header_by_number(BlockNumber(block_number))
        vm = self._chain.get_vm(header)
        sender = request.sender if request.sender is not None else b"\x00" * 20
        unsigned = vm.create_unsigned_transaction(
            nonce=vm.state.get_nonce(Address(sender)),
            gas_price=0,
            gas=request.gas if request.gas is not None else header.gas_limit,
            to=Address(request.to if request.to is not None else b""),
            value=request.value,
            data=request.data,
        )
        return header, SpoofTransaction(unsigned, from_=sender)

    # Mining

    def send_raw_transaction(self, raw: bytes) -> bytes:
        """Validate the signed transaction ``raw``, mine it in a new block, persist the block
        and return the transaction hash. A transaction that reverts is mined too (receipt
        status 0), as on any chain.

        Raises :class:`RejectedTransaction` (nothing mined) when it cannot be decoded, is
        signed for another chain or without EIP-155 replay protection, is a blob transaction,
        or fails validation (nonce, balance, fees, intrinsic gas).
        """
        with self._lock:
            self._check_open()
            transaction = self._decode(raw)
            head = self._chain.get_canonical_head()
            try:
                self._chain.mine_all(
                    [transaction], parent_header=head, mix_hash=secrets.token_bytes(32)
                )
                self._store.commit()
            except EthValidationError as exc:
                self._abort()
                raise RejectedTransaction(f"invalid transaction: {exc}") from exc
            except BaseException:
                self._abort()
                raise
            return transaction.hash

    def _decode(self, raw: bytes) -> SignedTransactionAPI:
        builder = self._chain.get_vm().get_transaction_builder()
        if raw[:1] == bytes([_BLOB_TX_TYPE]):
            raise RejectedTransaction("blob transactions are not supported")
        try:
            transaction = builder.decode(raw)
            transaction.check_signature_validity()
        except (rlp.DecodingError, rlp.DeserializationError, EthValidationError, ValueError) as exc:
            raise RejectedTransaction(f"undecodable transaction: {exc}") from exc
        if transaction.chain_id is None:
            raise RejectedTransaction(
                "only replay-protected (EIP-155) transactions are accepted"
            )
        if transaction.chain_id != self.chain_id:
            raise RejectedTransaction(
                f"invalid chain id: transaction signed for {transaction.chain_id}, "
                f"this chain is {self.chain_id}"
            )
        return transaction

    def _abort(self) -> None:
        self._store.rollback()
        self._chain.header = self._chain.create_header_from_parent(
            self._chain.get_canonical_head()
        )


def _execution_error(exc: VMError) -> ExecutionReverted:
    if isinstance(exc, Revert):
        data = exc.args[0] if exc.args and isinstance(exc.args[0], bytes) else b""
        return ExecutionReverted(data)
    return ExecutionReverted(b"", f"execution failed: {type(exc).__name__}")


def _bloom_may_match(
    bloom: int,
    addresses: frozenset[bytes] | None,
    topics: Sequence[frozenset[bytes] | None],
) -> bool:
    block_bloom = BloomFilter(bloom)
    if addresses is not None and not any(address in block_bloom for address in addresses):
        return False
    return all(
        alternatives is None or any(topic in block_bloom for topic in alternatives)
        for alternatives in topics
    )


def _log_matches(
    address: bytes,
    log_topics: tuple[bytes, ...],
    addresses: frozenset[bytes] | None,
    topics: Sequence[frozenset[bytes] | None],
) -> bool:
    if addresses is not None and address not in addresses:
        return False
    if len(topics) > len(log_topics):
        return False
    return all(
        alternatives is None or log_topics[position] in alternatives
        for position, alternatives in enumerate(topics)
    )
