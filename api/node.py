"""One running ledger assembled from its settings: store, log key, sequencer, jobs and chain.

`Node.open` does the blocking set-up (database migration, chain connection, contract check);
`start` and `close` run inside the server's event loop. A process started with `jobs=False`
(an API worker beside a scheduler process) appends and serves but neither checkpoints nor
anchors.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Literal, TypeVar, cast

from apscheduler.schedulers.background import BackgroundScheduler
from eth_account import Account
from eth_account.signers.local import LocalAccount

from anchoring.chain import Chain, TransactionPolicy
from anchoring.deploy import Deployment, deploy
from anchoring.embedded import EmbeddedChain
from anchoring.errors import AnchoringError, ChainUnavailable
from anchoring.ledger_anchor import LedgerAnchor
from anchoring.registry import OperatorRegistry
from anchoring.service import AnchorService, schedule_anchoring
from api.errors import ApiError
from api.plan_shelf import PlanShelf
from api.settings import Settings, SettingsError, check_key_file
from client.keys import write_secret
from filings.signing import SubmissionDomain
from ledger.errors import KeyRotationError, NoteError
from ledger.note import Signer
from ledger.rotation import KeyHistory, chain_history, split_statements
from ledger.service.checkpointer import Checkpointer
from ledger.service.jobs import schedule_checkpointer
from ledger.service.proofs import ProofService
from ledger.service.selfcheck import run_selfcheck
from ledger.service.sequencer import Sequencer
from ledger.service.tile_export import TileExporter, schedule_tile_export
from ledger.storage.anchors import AnchorStore
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore

Role = Literal["admin", "anchorer", "registrar"]
log = logging.getLogger(__name__)


class NotDeployed(ApiError):
    """The ledger's contracts are not on its chain yet."""

    code = "not_deployed"
    http_status = 503


@dataclass
class ChainAccess:
    """The chain a ledger anchors on, and the embedded chain when it runs one in-process."""

    chain: Chain
    embedded: EmbeddedChain | None

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.close()


def open_chain(settings: Settings, *, expected_chain_id: int | None = None) -> ChainAccess:
    """Open the embedded chain in the data directory, or connect to the first RPC URL.

    Raises an `AnchoringError` when the chain cannot be reached or is not the expected one.
    """
    policy = TransactionPolicy(confirmations=settings.confirmations)
    if settings.embedded:
        embedded = EmbeddedChain.open(settings.chain_dir())
        return ChainAccess(Chain.embedded(embedded, policy=policy), embedded)
    return ChainAccess(
        Chain.connect(settings.rpc_urls[0], expected_chain_id=expected_chain_id, policy=policy),
        None,
    )


def service_account(
    settings: Settings, role: Role, embedded: EmbeddedChain | None
) -> LocalAccount | None:
    """The key of a service role: its key file, else the embedded chain's dev account."""
    path = {
        "admin": settings.admin_key_file,
        "anchorer": settings.anchorer_key_file,
        "registrar": settings.registrar_key_file,
    }[role]
    if path is not None:
        text = check_key_file(path, f"{role} key", production=settings.production)
        try:
            account: LocalAccount = Account.from_key(text)
        except (ValueError, TypeError) as exc:
            raise SettingsError(f"the {role} key file {path} holds no private key") from exc
        return account
    if embedded is not None:
        dev: LocalAccount = getattr(embedded.accounts, role)
        return dev
    return None


def load_deployment(settings: Settings) -> Deployment:
    """The deployment recorded in the settings; raises `NotDeployed` when there is none."""
    if settings.deployment is None:
        raise NotDeployed(
            "the contracts are not deployed: run `infraledger chain deploy` first"
        )
    try:
        return Deployment.from_json(settings.deployment)
    except AnchoringError as exc:
        raise SettingsError(f"the recorded deployment is unusable: {exc}") from exc


def deploy_embedded(settings: Settings, access: ChainAccess) -> Settings:
    """Deploy the contracts on the embedded chain if they are not yet; return the settings
    that record them."""
    if settings.deployment is not None or access.embedded is None:
        return settings
    accounts = access.embedded.accounts
    deployment = deploy(
        access.chain, accounts.admin,
        anchorer=accounts.anchorer.address, registrar=accounts.registrar.address,
    )
    return settings.save(deployment=deployment.to_json())


def load_log_key(settings: Settings) -> Signer:
    """The log's signer key; a fresh one is made on first start (never in production)."""
    path = settings.log_key_path()
    if not path.exists() and not settings.production:
        write_secret(path, Signer.generate(settings.origin).skey())
    text = check_key_file(path, "log key", production=settings.production)
    try:
        signer = Signer.from_skey(text)
    except NoteError as exc:
        raise SettingsError(f"the log key file {path} is not a signer key: {exc}") from exc
    if signer.name != settings.origin:
        raise SettingsError(
            f"the log key in {path} is named {signer.name!r}, the origin is {settings.origin!r}"
        )
    return signer


def log_rotations_path(settings: Settings) -> Path:
    """The log's key rotation statements (`ledger.rotation`), one after another, beside its key
    file; absent until the first rotation."""
    return settings.log_key_path().with_name("log-rotations.txt")


def load_key_history(settings: Settings, signer: Signer) -> tuple[KeyHistory, tuple[str, ...]]:
    """The log's key history and its signed rotation statements, in order.

    Raises `SettingsError` when the statements do not chain (each signed by the key before it
    and by the key it installs) or end at another key than `signer`'s: the server would sign
    checkpoints no verifier could follow.
    """
    path = log_rotations_path(settings)
    if not path.exists():
        return KeyHistory.of(signer.verifier), ()
    try:
        notes = split_statements(path.read_text(encoding="utf-8"))
        if not notes:
            return KeyHistory.of(signer.verifier), ()
        history, _ = chain_history(settings.origin, notes)
    except (OSError, UnicodeDecodeError, KeyRotationError) as exc:
        raise SettingsError(f"the key rotations in {path} do not hold: {exc}") from exc
    if history.current != signer.verifier:
        raise SettingsError(
            f"the key rotations in {path} end at key {history.current.key_id.hex()}, the log key "
            f"in {settings.log_key_path()} is {signer.verifier.key_id.hex()}: install the key "
            "the last rotation names (a rotation interrupted before installing it left it in "
            f".{settings.log_key_path().name}.new beside the key file)"
        )
    return history, tuple(notes)


def check_rotation_size(history: KeyHistory, store: LogStore, path: Path) -> None:
    """Refuse a last rotation from a size beyond the log's next checkpoint: checkpoints below
    it would be signed by the new key and attributed to the old one. Raises `SettingsError`."""
    latest = store.latest_checkpoint()
    next_size = 0 if latest is None else latest.checkpoint.size + 1
    if history.periods[-1].from_size > next_size:
        raise SettingsError(
            f"the last key rotation in {path} starts at size {history.periods[-1].from_size}, "
            f"the log's next checkpoint may be of size {next_size}"
        )


T = TypeVar("T")


class RegistryView(Generic[T]):
    """A value read from the registry and kept for `max_age` seconds.

    The first read, and the first after `invalidate`, waits for the chain. After that, a value
    older than `max_age` is read again in a background thread while the last value keeps
    answering: a chain that hangs (each read waits for the RPC timeout) never holds up a
    request, and a chain that fails leaves the last value standing, tried again every
    `max_age` from the end of the failed read. Raises the chain's `AnchoringError` only while
    it never answered.
    """

    def __init__(self, read: Callable[[], T], max_age: float, what: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._read, self._max_age, self._what, self._clock = read, max_age, what, clock
        self._value: T | None = None
        self._read_at: float | None = None
        self._generation = 0
        self._refreshing = False
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if self._read_at is None:
                try:
                    self._value = self._read()
                except AnchoringError:
                    if self._value is None:
                        raise
                    log.warning("%s could not be read from the registry; the last read stands",
                                self._what)
                self._read_at = self._clock()
            elif self._clock() - self._read_at > self._max_age and not self._refreshing:
                self._refreshing = True
                threading.Thread(target=self._refresh, args=(self._generation,), daemon=True,
                                 name=f"registry read: {self._what}").start()
            return cast(T, self._value)

    def invalidate(self) -> None:
        """Read again, waiting for the chain, on the next `get` (after this process changed
        the registry); a background read already under way is discarded."""
        with self._lock:
            self._read_at = None
            self._generation += 1
            self._refreshing = False

    def _refresh(self, generation: int) -> None:
        try:
            value: T | None = self._read()
        except AnchoringError:
            log.warning("%s could not be read from the registry; the last read stands",
                        self._what)
            value = None
        with self._lock:
            if generation != self._generation:
                return
            self._refreshing = False
            self._read_at = self._clock()
            if value is not None:
                self._value = value


class ActiveOperators:
    """The registry's active operators (`RegistryView`: at most `max_age` seconds old while the
    chain answers, the last read while it does not)."""

    def __init__(self, registry: OperatorRegistry, max_age: float) -> None:
        self._view = RegistryView(lambda: frozenset(registry.active_operators()), max_age,
                                  "the active operators")

    def is_active(self, address: str) -> bool:
        """Whether `address` (EIP-55) is an active operator; raises `ChainUnavailable` if the
        registry never answered."""
        return address in self._view.get()

    def invalidate(self) -> None:
        """Read the registry again before the next answer (after this process registered or
        revoked an operator)."""
        self._view.invalidate()


class OperatorDirectory:
    """Every address ever registered as an operator, with its registry name (`RegistryView`;
    an empty directory while the registry never answered)."""

    def __init__(self, registry: OperatorRegistry, max_age: float) -> None:
        self._view = RegistryView(lambda: {str(o.address): o.name for o in registry.operators()},
                                  max_age, "the operator directory")

    def names(self) -> dict[str, str]:
        """Address (EIP-55) to registry name, of every operator ever registered."""
        try:
            return dict(self._view.get())
        except AnchoringError:
            log.warning("the operator directory could not be read from the registry")
            return {}


@dataclass
class Registrars:
    """Who holds REGISTRAR_ROLE, asked of the registry (`hasRole`) per address and cached for
    at most `max_age` seconds, like `ActiveOperators`."""

    registry: OperatorRegistry
    max_age: float
    clock: Callable[[], float] = time.monotonic
    _known: dict[str, tuple[bool, float]] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def is_registrar(self, address: str) -> bool:
        """Whether `address` (EIP-55) holds REGISTRAR_ROLE, as of at most `max_age` ago, or as
        of the last answer while the chain does not answer; raises `ChainUnavailable` if it
        never answered for this address."""
        with self._lock:
            now = self.clock()
            known = self._known.get(address)
            if known is not None and now - known[1] <= self.max_age:
                return known[0]
        try:
            answer = self.registry.is_registrar(address)
        except ChainUnavailable:
            if known is None:
                raise
            answer = known[0]
        with self._lock:
            self._known[address] = (answer, now)
        return answer

    def invalidate(self) -> None:
        """Forget the cache (after this process granted or revoked the role)."""
        with self._lock:
            self._known.clear()


@dataclass
class Node:
    """A ledger's parts, wired together; see the module docstring."""

    settings: Settings
    store: LogStore
    signer: Signer
    sequencer: Sequencer
    proofs: ProofService
    checkpointer: Checkpointer
    anchors: AnchorStore
    anchorer: AnchorService | None
    access: ChainAccess
    deployment: Deployment
    ledger_anchor: LedgerAnchor
    registry: OperatorRegistry
    operators: ActiveOperators
    registrars: Registrars
    directory: OperatorDirectory
    plans: PlanShelf
    domain: SubmissionDomain
    jobs: bool
    keys: KeyHistory
    """Which key signed the checkpoints of which sizes (one period until a key rotation)."""
    rotations: tuple[str, ...]
    """The signed key rotation statements, in order (`GET /v1/log/rotations`)."""
    clock: Callable[[], float] = time.time
    scheduler: BackgroundScheduler | None = None
    tile_exporter: TileExporter | None = None
    """Keeps `settings.tiles_dir` the log's C2SP tlog-tiles export (jobs process only)."""

    @property
    def chain(self) -> Chain:
        return self.access.chain

    @property
    def embedded(self) -> EmbeddedChain | None:
        return self.access.embedded

    @property
    def verifier_key(self) -> str:
        """The log's C2SP verifier key (`name+hex8+base64`)."""
        return self.signer.verifier.vkey()

    def verifier_key_at(self, size: int) -> str:
        """The C2SP verifier key that signed (or signs) the checkpoint of tree size `size`."""
        return self.keys.key_at(size).vkey()

    @classmethod
    def open(cls, settings: Settings, *, jobs: bool = True, deploy: bool = False) -> Node:
        """Open the store and the chain and check the contracts.

        `deploy`: deploy the contracts on the embedded chain when they are not yet there (the
        demo and tests); otherwise a missing deployment raises `NotDeployed`.
        """
        settings.check_production()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        signer = load_log_key(settings)
        keys, rotations = load_key_history(settings, signer)
        expected = settings.deployment.get("chain_id") if settings.deployment else None
        access = open_chain(settings, expected_chain_id=expected)
        store: LogStore | None = None
        try:
            if deploy:
                settings = deploy_embedded(settings, access)
            deployment = load_deployment(settings)
            deployment.verify(access.chain)
            store = LogStore(settings.database(), settings.origin, now=int(time.time()))
            anchors = AnchorStore(store)
            check_rotation_size(keys, store, log_rotations_path(settings))
            if settings.selfcheck != "off":
                report = run_selfcheck(store, keys, anchors,
                                       full=settings.selfcheck == "full")
                log.info(
                    "self-check (%s) passed: size %d, %d entries, %d checkpoints and %d anchors "
                    "checked", settings.selfcheck, report.tree_size, report.entries,
                    report.checkpoints, report.anchors,
                )
            ledger_anchor = LedgerAnchor(
                access.chain, deployment.ledger_anchor,
                service_account(settings, "anchorer", access.embedded),
            )
            anchorer = None
            if jobs and ledger_anchor.signer is not None:
                anchorer = AnchorService(
                    store, anchors, ledger_anchor, confirmations=settings.confirmations
                )
            tile_exporter = None
            if jobs and settings.tiles_dir is not None:
                tile_exporter = TileExporter(store, settings.tiles_dir)
                tile_exporter.check()
            registry = OperatorRegistry(
                access.chain, deployment.operator_registry,
                service_account(settings, "registrar", access.embedded),
                start_block=deployment.block_number,
            )
            return cls(
                settings=settings,
                store=store,
                signer=signer,
                sequencer=Sequencer(
                    store, signer, max_batch=settings.batch_size, max_delay=settings.batch_window
                ),
                proofs=ProofService(store),
                checkpointer=Checkpointer(store, signer),
                anchors=anchors,
                anchorer=anchorer,
                access=access,
                deployment=deployment,
                ledger_anchor=ledger_anchor,
                registry=registry,
                operators=ActiveOperators(registry, settings.operator_refresh),
                registrars=Registrars(registry, settings.operator_refresh),
                directory=OperatorDirectory(registry, settings.operator_refresh),
                plans=PlanShelf(RecordStore(store)),
                domain=SubmissionDomain(deployment.chain_id, deployment.operator_registry),
                jobs=jobs,
                keys=keys,
                rotations=rotations,
                tile_exporter=tile_exporter,
            )
        except BaseException:
            if store is not None:
                store.close()
            access.close()
            raise

    async def start(self) -> None:
        """Start the sequencer and, in the jobs process, the checkpointer and anchor jobs (and
        the tile export, when `tiles_dir` is set)."""
        await self.sequencer.start()
        if self.jobs:
            self.scheduler = BackgroundScheduler(daemon=True)
            schedule_checkpointer(
                self.scheduler, self.checkpointer, self.settings.checkpoint_interval
            )
            if self.anchorer is not None:
                schedule_anchoring(self.scheduler, self.anchorer, self.settings.anchor_interval)
            if self.tile_exporter is not None:
                schedule_tile_export(self.scheduler, self.tile_exporter,
                                     self.settings.checkpoint_interval)
            self.scheduler.start()

    async def close(self) -> None:
        """Stop the jobs, drain the sequencer, close the store and the chain."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        await self.sequencer.close()
        self.store.close()
        self.access.close()
