"""A ledger anchoring on an anvil node reached by URL, as on a real network, for the fault tests.

    AnvilProcess     the pinned npm anvil on a fixed port, its state kept in a file across
                     restarts (`--state`); stopped (SIGTERM: it writes its state), paused
                     (SIGSTOP: it answers nothing, connections hang) and resumed (SIGCONT)
    AnvilLedger      a data directory set up for it: contracts deployed, the service keys in
                     0600 files, the SAMPLE active operator registered, the registrar's plan
                     filed (the figures the load signs belong to it)
    anvil_ledger_in  context manager making both in a directory (the `anvil_ledger` fixture
                     of tests/reliability/conftest.py uses it)
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from anchoring import Chain, LedgerAnchor, OperatorRegistry, TransactionPolicy, deploy
from api.settings import Settings, load_settings
from client.keys import write_secret
from filings.signing import SubmissionDomain
from ledger.storage.store import LogStore
from tests.chain_fixtures import ANVIL, ANVIL_CHAIN_ID, rpc_request
from tests.filings.factories import plan
from tests.server_fixtures import SAMPLE, file_plan, free_port


@dataclass
class AnvilProcess:
    """anvil on a fixed port, its state kept in `state` across restarts (`--state`)."""

    port: int
    state: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(ANVIL), "--host", "127.0.0.1", "--port", str(self.port), "--chain-id",
                 str(ANVIL_CHAIN_ID), "--accounts", "0", "--state", str(self.state)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"anvil exited with {self.process.returncode}"
            try:
                self.call("eth_chainId")
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("anvil did not answer")

    def stop(self) -> None:
        """SIGTERM: anvil writes its state file and exits (resumed first if paused)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGCONT)
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def pause(self) -> None:
        """SIGSTOP: the process stops; the kernel still accepts connections, nothing answers."""
        assert self.process is not None and self.process.poll() is None
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT: it answers what queued up meanwhile, then runs on."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGCONT)

    def call(self, method: str, *params: object) -> object:
        answer = rpc_request(self.url, method, list(params), timeout=5)
        assert "error" not in answer, answer
        return answer["result"]

    def nonces(self, address: str) -> tuple[int, int]:
        """(mined, pending) transaction counts of `address`."""
        return (int(str(self.call("eth_getTransactionCount", address, "latest")), 16),
                int(str(self.call("eth_getTransactionCount", address, "pending")), 16))


@dataclass
class AnvilLedger:
    anvil: AnvilProcess
    settings: Settings
    domain: SubmissionDomain
    anchorer: LocalAccount

    @property
    def contract(self) -> str:
        assert self.settings.deployment is not None
        return str(self.settings.deployment["ledger_anchor"])

    def anchored_size(self) -> int:
        return LedgerAnchor(Chain.connect(self.anvil.url), self.contract).latest().tree_size


@contextmanager
def anvil_ledger_in(directory: Path, *, database_url: str | None = None) -> Iterator[AnvilLedger]:
    """An anvil node and a data directory configured for it by URL (in `directory`), with the
    store at `database_url` (None: SQLite in the data directory); anvil is stopped after."""
    anvil = AnvilProcess(free_port(), directory / "anvil-state.json", directory / "anvil.log")
    anvil.start()
    try:
        chain = Chain.connect(anvil.url, expected_chain_id=ANVIL_CHAIN_ID,
                              policy=TransactionPolicy(poll_interval=0.01))
        admin, anchorer, registrar = (Account.from_key(secrets.token_bytes(32))
                                      for _ in range(3))
        for account in (admin, anchorer, registrar):
            anvil.call("anvil_setBalance", account.address, hex(10**24))
        deployment = deploy(chain, admin, anchorer=anchorer.address,
                            registrar=registrar.address)
        OperatorRegistry(chain, deployment.operator_registry, registrar,
                         start_block=deployment.block_number).register(
            SAMPLE.active.address, SAMPLE.active.name, "GP-VNPT")
        data_dir = directory / "ledger"
        keys: dict[str, object] = {}
        for role, account in (("admin", admin), ("anchorer", anchorer),
                              ("registrar", registrar)):
            path = data_dir / "keys" / f"{role}.key"
            write_secret(path, "0x" + bytes(account.key).hex())
            keys[f"{role}_key_file"] = str(path)
        load_settings(data_dir).save(rpc_urls=[anvil.url], deployment=deployment.to_json(),
                                     **keys)
        settings = load_settings(data_dir, database_url=database_url)
        domain = SubmissionDomain(deployment.chain_id, deployment.operator_registry)
        store = LogStore(settings.database(), settings.origin, now=int(time.time()))
        try:
            file_plan(store, domain, plan(key=bytes(registrar.key), domain=domain))
        finally:
            store.close()
        yield AnvilLedger(anvil, settings, domain, anchorer)
    finally:
        anvil.stop()
