"""`infraledger chain deploy`, `operators ...` and `anchor status`, run in-process through
`api.cli.main` against a data directory with the embedded chain (and anvil for key files)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from anchoring import (
    ANCHORER_ROLE,
    REGISTRAR_ROLE,
    AnchorService,
    Chain,
    Deployment,
    EmbeddedChain,
    LedgerAnchor,
    OperatorRegistry,
)
from api.cli import main
from api.settings import load_settings
from client.keys import write_secret
from ledger.note import Signer
from ledger.service.checkpointer import Checkpointer
from ledger.storage.anchors import AnchorStore
from ledger.storage.store import LogStore, PendingEntry
from tests.chain_fixtures import AnvilNode, anvil_node
from tests.ledger.appender import make_entry

__all__ = ["anvil_node"]

OPERATOR = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("INFRALEDGER_"):
            monkeypatch.delenv(name)


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    """Run one command; return (exit code, stdout, stderr)."""
    code = main(["--data-dir", str(data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _recorded(data_dir: Path) -> Deployment:
    deployment = load_settings(data_dir).deployment
    assert deployment is not None
    return Deployment.from_json(deployment)


def test_deploy_on_the_embedded_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, tmp_path, "chain", "deploy")
    assert (code, err) == (0, "")
    printed = json.loads(out)
    deployment = _recorded(tmp_path)
    assert printed["ledger_anchor"] == deployment.ledger_anchor
    with EmbeddedChain.open(tmp_path / "chain") as embedded:
        chain = Chain.embedded(embedded)
        deployment.verify(chain)
        accounts = embedded.accounts
        assert printed["anchorer"] == accounts.anchorer.address
        assert LedgerAnchor(chain, deployment.ledger_anchor).has_role(
            ANCHORER_ROLE, accounts.anchorer.address)
        assert OperatorRegistry(chain, deployment.operator_registry).has_role(
            REGISTRAR_ROLE, accounts.registrar.address)

    code, out, err = run(capsys, tmp_path, "chain", "deploy")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "already deployed" in err and "--force" in err
    assert _recorded(tmp_path) == deployment

    code, out, err = run(capsys, tmp_path, "chain", "deploy", "--force")
    assert code == 0
    redeployed = _recorded(tmp_path)
    assert redeployed.ledger_anchor != deployment.ledger_anchor
    assert json.loads(out)["ledger_anchor"] == redeployed.ledger_anchor


def _key_file(path: Path) -> Any:
    """A fresh account whose key is written to `path` (0x + 64 hex digits, mode 0600)."""
    key = secrets.token_bytes(32)
    write_secret(path, "0x" + key.hex())
    return Account.from_key(key)


def test_deploy_on_a_network_from_key_files(
    anvil_node: AnvilNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    admin, anchorer, registrar = (_key_file(keys / f"{role}.key")
                                  for role in ("admin", "anchorer", "registrar"))
    anvil_node.fund(admin.address)
    (tmp_path / "config.json").write_text(json.dumps({
        "rpc_urls": [anvil_node.url],
        "anchorer_key_file": str(keys / "anchorer.key"),
        "registrar_key_file": str(keys / "registrar.key"),
    }))
    code, out, err = run(capsys, tmp_path, "chain", "deploy")
    assert code == 1 and "no admin key" in err and err.count("\n") == 1
    assert load_settings(tmp_path).deployment is None

    code, out, err = run(capsys, tmp_path, "chain", "deploy", "--admin-key",
                         str(keys / "admin.key"))
    assert (code, err) == (0, "")
    deployment = _recorded(tmp_path)
    chain = Chain.connect(anvil_node.url, expected_chain_id=anvil_node.chain_id)
    deployment.verify(chain)
    anchor = LedgerAnchor(chain, deployment.ledger_anchor)
    assert anchor.has_role(ANCHORER_ROLE, anchorer.address)
    assert not anchor.has_role(ANCHORER_ROLE, admin.address)
    assert OperatorRegistry(chain, deployment.operator_registry).has_role(
        REGISTRAR_ROLE, registrar.address)
    assert json.loads(out)["admin"] == admin.address


def test_operators_register_list_revoke(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, tmp_path, "operators", "list")
    assert code == 1 and "chain deploy" in err
    assert run(capsys, tmp_path, "chain", "deploy")[0] == 0

    code, out, err = run(capsys, tmp_path, "operators", "register", OPERATOR,
                         "--name", "VNPT Thừa Thiên Huế", "--licence", "532/GP-BTTTT")
    assert (code, err) == (0, "") and "registered 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf" in out
    code, out, err = run(capsys, tmp_path, "operators", "list")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["address", "name", "licence", "active"]
    assert row.split() == ["0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf", "VNPT", "Thừa",
                           "Thiên", "Huế", "532/GP-BTTTT", "yes"]

    code, _, err = run(capsys, tmp_path, "operators", "register", OPERATOR, "--name", "again",
                       "--licence", "1")
    assert code == 1 and err.count("\n") == 1 and "is already registered" in err
    other = Account.from_key(secrets.token_bytes(32)).address
    code, _, err = run(capsys, tmp_path, "operators", "register", other, "--name", "",
                       "--licence", "1")
    assert code == 1 and "1 to 256 bytes" in err

    assert run(capsys, tmp_path, "operators", "revoke", OPERATOR)[0] == 0
    code, out, _ = run(capsys, tmp_path, "operators", "list")
    assert out.splitlines()[1].split()[-1] == "no"
    code, _, err = run(capsys, tmp_path, "operators", "revoke", OPERATOR)
    assert code == 1 and "is not an active operator" in err

    code, _, err = run(capsys, tmp_path, "operators", "revoke", "0x1234")
    assert code == 2 and "not an Ethereum address" in err


def test_anchor_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, tmp_path, "anchor", "status")
    assert code == 1 and out == "" and "no ledger database" in err and err.count("\n") == 1
    assert not (tmp_path / "ledger.sqlite3").exists()  # nothing made by asking
    assert run(capsys, tmp_path, "chain", "deploy")[0] == 0

    settings = load_settings(tmp_path)
    store = LogStore(settings.database(), settings.origin, now=0)
    frontier = store.frontier()
    _, frontier = store.append([PendingEntry.of(make_entry(1, n)) for n in range(10)], frontier,
                               now=1_000)
    Checkpointer(store, Signer.generate(settings.origin)).run_once()
    code, out, _ = run(capsys, tmp_path, "anchor", "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["anchor"] is None
    assert (status["checkpoint_size"], status["tree_size"], status["lag"]["entries"]) == \
        (10, 10, 10)
    code, out, _ = run(capsys, tmp_path, "anchor", "status")
    assert "nothing anchored yet" in out
    with EmbeddedChain.open(settings.chain_dir()) as embedded:
        contract = LedgerAnchor(Chain.embedded(embedded), _recorded(tmp_path).ledger_anchor,
                                embedded.accounts.anchorer)
        anchored = AnchorService(store, AnchorStore(store), contract).run_once()
    assert anchored is not None
    store.append([PendingEntry.of(make_entry(1, n)) for n in range(10, 15)], frontier, now=2_000)
    store.close()

    code, out, _ = run(capsys, tmp_path, "anchor", "status", "--json")
    status = json.loads(out)
    assert code == 0
    assert status["anchor"]["tree_size"] == 10
    assert status["anchor"]["tx_hash"] == "0x" + anchored.tx_hash.hex()
    assert status["anchor"]["contract"] == contract.address
    assert (status["checkpoint_size"], status["tree_size"], status["lag"]["entries"]) == \
        (10, 15, 5)
    assert status["lag"]["seconds"] > 1_000  # the first unanchored entry was sequenced at 2000

    code, out, _ = run(capsys, tmp_path, "anchor", "status")
    lines = dict(line.split("  ", 1) for line in out.splitlines())
    assert code == 0
    assert lines["anchored size"].strip() == "10"
    assert lines["transaction"].strip() == "0x" + anchored.tx_hash.hex()
    assert lines["lag"].strip().startswith("5 entries, ")
