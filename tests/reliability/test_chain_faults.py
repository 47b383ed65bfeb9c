"""Chain faults under load: the ledger anchors on an anvil node (by URL, as on a real network)
that is stopped and restarted with its state kept, and that loses the anchor transaction the
ledger had sent (restarted without it in its pool).

Throughout, the API keeps accepting submissions (202 only); the anchorer falls behind while the
chain is away and catches up after; the lost transaction is noticed and the anchor sent again,
and no tree size is ever anchored twice (the anchors table equals the contract's history).

With a chain by URL, `serve --workers 2` runs two API worker processes and one scheduler
process (`infraledger jobs`), which anchors what the workers append, and stops them all.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from anchoring import Chain, LedgerAnchor, OperatorRegistry, TransactionPolicy, deploy
from api.settings import Settings, load_settings
from client.keys import write_secret
from filings.signing import SubmissionDomain
from ledger.storage.anchors import AnchorStore
from ledger.storage.store import LogStore
from tests.chain_fixtures import ANVIL, ANVIL_CHAIN_ID, rpc_request
from tests.reliability.harness import (
    Load,
    LoadStats,
    ServerProcess,
    check_anchors,
    check_log,
    log_key,
    wait_for,
)
from tests.server_fixtures import SAMPLE, free_port, sign_indicator


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
        """SIGTERM: anvil writes its state file and exits."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

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

    def anchored_size(self) -> int:
        assert self.settings.deployment is not None
        chain = Chain.connect(self.anvil.url)
        return LedgerAnchor(chain, str(self.settings.deployment["ledger_anchor"])).latest() \
            .tree_size


@pytest.fixture
def anvil_ledger(tmp_path: Path) -> Iterator[AnvilLedger]:
    """A data directory configured for an anvil node by URL: contracts deployed, the service
    keys in 0600 files, the SAMPLE active operator registered."""
    anvil = AnvilProcess(free_port(), tmp_path / "anvil-state.json", tmp_path / "anvil.log")
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
        data_dir = tmp_path / "ledger"
        keys: dict[str, object] = {}
        for role, account in (("admin", admin), ("anchorer", anchorer),
                              ("registrar", registrar)):
            path = data_dir / "keys" / f"{role}.key"
            write_secret(path, "0x" + bytes(account.key).hex())
            keys[f"{role}_key_file"] = str(path)
        load_settings(data_dir).save(rpc_urls=[anvil.url], deployment=deployment.to_json(),
                                     **keys)
        yield AnvilLedger(anvil, load_settings(data_dir), SubmissionDomain(
            deployment.chain_id, deployment.operator_registry), anchorer)
    finally:
        anvil.stop()


def _checkpoint_size(settings: Settings) -> int:
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        latest = store.latest_checkpoint()
        return 0 if latest is None else latest.checkpoint.size
    finally:
        store.close()


def _recorded_anchor(settings: Settings) -> int:
    """The largest anchored size the ledger's own table records."""
    store = LogStore(settings.database(), settings.origin, now=0)
    try:
        latest = AnchorStore(store).latest()
        return 0 if latest is None else latest.tree_size
    finally:
        store.close()


def _catch_up(ledger: AnvilLedger, what: str, stats: LoadStats) -> float:
    """Seconds until the chain anchors at least the checkpoint signed now."""
    target = _checkpoint_size(ledger.settings)
    return wait_for(lambda: ledger.anchored_size() >= target, 45,
                 lambda: f"{what}: the anchorer did not catch up to {target} (chain at "
                         f"{ledger.anchored_size()}; {stats.statuses})")


def test_chain_outage_and_a_dropped_anchor_transaction(anvil_ledger: AnvilLedger,
                                                       tmp_path: Path) -> None:
    ledger = anvil_ledger
    server = ServerProcess(ledger.settings, tmp_path / "server.log")
    server.start()
    notes: list[str] = []
    try:
        vkey = log_key(server.url)
        with Load(server.url, ledger.domain, batch=5, workers=2, timeout=15) as load:
            stats = load.stats
            wait_for(lambda: len(stats.acknowledged) >= 50, 30, lambda: str(stats.statuses))
            notes.append(f"first anchors in {_catch_up(ledger, 'start', stats):.1f} s")

            # 1. The chain goes away for 4 s, then comes back with its state.
            ledger.anvil.stop()
            before = len(stats.acknowledged)
            time.sleep(4)
            accepted_while_down = len(stats.acknowledged) - before
            behind = _checkpoint_size(ledger.settings) - _recorded_anchor(ledger.settings)
            ledger.anvil.start()
            notes.append(f"chain away 4 s: {accepted_while_down} records accepted, the log "
                         f"{behind} entries ahead of the chain; caught up in "
                         f"{_catch_up(ledger, 'after the outage', stats):.1f} s")
            assert accepted_while_down > 0

            # 2. The anchor transaction is lost: the node stops mining, the service sends
            # its anchor, and the node restarts without it in its pool.
            ledger.anvil.call("evm_setAutomine", False)
            address = ledger.anchorer.address
            wait_for(lambda: ledger.anvil.nonces(address)[1] > ledger.anvil.nonces(address)[0], 30,
                  lambda: "the anchorer sent nothing")
            ledger.anvil.call("anvil_dropAllTransactions")
            ledger.anvil.stop()
            ledger.anvil.start()
            mined, pending = ledger.anvil.nonces(address)
            assert mined == pending, "the restarted node still holds the transaction"
            notes.append("anchor transaction dropped: sent again and mined in "
                         f"{_catch_up(ledger, 'after the drop', stats):.1f} s")
        unexpected = {s: n for s, n in stats.statuses.items() if s != "202"}
        assert not unexpected, (unexpected, stats.examples)
        report = check_log(ledger.settings, vkey, stats)
        anchors = check_anchors(ledger.settings, ledger.anvil.url)
        notes.append(f"{report.tree_size} entries, {report.checkpoints} checkpoints, {anchors} "
                     f"anchors, each size once")
    finally:
        server.stop()
    print("\n".join(notes))


def _session_commands(session: int) -> list[str]:
    """The command lines of the live processes in a session (the server and all it started;
    zombies, waiting for the container's init to reap them, have exited)."""
    commands = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[3]) == session and fields[0] != "Z":
            commands.append(command)
    return commands


def test_serve_with_two_workers_and_one_scheduler_process(anvil_ledger: AnvilLedger,
                                                          tmp_path: Path) -> None:
    ledger = anvil_ledger
    server = ServerProcess(ledger.settings, tmp_path / "server.log",
                           env={"INFRALEDGER_WORKERS": "2"})
    server.start()
    try:
        commands = _session_commands(server.pid())
        assert sum(" jobs" in command for command in commands) == 1, commands
        assert sum("multiprocessing" in command for command in commands) >= 2, commands
        for n in range(8):
            answer = httpx.post(server.url + "/v1/submissions", timeout=30, json={
                "submissions": [sign_indicator(ledger.domain, 10 * n + k) for k in range(10)]})
            assert answer.status_code == 202, answer.text
        wait_for(lambda: ledger.anchored_size() == 80, 45,
                 lambda: f"not anchored by the scheduler process: {server.log_tail()}")
    finally:
        server.stop()
    assert _session_commands(server.pid()) == []
