"""The Besu deployment files under deploy/: they parse, and they agree with each other and with
the contracts (docs/deploy-besu.md). Besu itself does not run here; these are the checks that
can be made without it."""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import coincurve
import pytest
import yaml
from eth_hash.auto import keccak

from contracts import load_artifact

ROOT = Path(__file__).resolve().parents[1]
BESU = ROOT / "deploy" / "besu"
CHAIN_ID = 2542025
VALIDATORS = 4
QBFT_MIX_HASH = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
"""The mixHash every QBFT block carries (ASCII "ctical byzantine fault tolerance"): public."""
LATER_FORKS = ("shanghaiTime", "cancunTime", "pragueTime", "osakaTime")
SECRET = re.compile(r"(?<![0-9A-Fa-f])(?:0x)?([0-9A-Fa-f]{64})(?![0-9A-Fa-f])")


def _generator_config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads((BESU / "qbft-config.json").read_text())
    return config


def _toml(name: str) -> dict[str, Any]:
    with (BESU / "config" / name).open("rb") as file:
        return tomllib.load(file)


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((BESU / "docker-compose.yml").read_text())
    return compose


def _validators(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if name.startswith("besu-")}


def _network_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("besu_network", BESU / "network.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_config_is_a_qbft_genesis_for_four_validators() -> None:
    config = _generator_config()
    genesis = config["genesis"]
    assert "extraData" not in genesis, "besu operator generate-blockchain-config writes extraData"
    qbft = genesis["config"]["qbft"]
    assert qbft["blockperiodseconds"] >= 1
    assert qbft["requesttimeoutseconds"] >= 2 * qbft["blockperiodseconds"]
    assert qbft["epochlength"] > 0
    assert genesis["mixHash"] == QBFT_MIX_HASH
    assert int(genesis["gasLimit"], 16) >= 10_000_000
    nodes = config["blockchain"]["nodes"]
    assert nodes["generate"] is False, "each party generates its own key; only public keys here"
    assert len(nodes["keys"]) == VALIDATORS


def test_the_genesis_is_free_gas_and_stops_at_the_contracts_evm() -> None:
    """The contracts are built for paris (London's instruction set, no PUSH0); the genesis
    schedules London and no timestamp fork, and a zero base fee."""
    settings = _generator_config()["genesis"]["config"]
    assert settings["chainId"] == CHAIN_ID
    assert settings["londonBlock"] == 0
    assert settings["zeroBaseFee"] is True
    assert not set(LATER_FORKS) & set(settings)
    for name in ("LedgerAnchor", "OperatorRegistry"):
        assert load_artifact(name).evm_version == "paris"


@pytest.mark.parametrize("name", ["validator.toml", "rpc-node.toml"])
def test_node_configs_agree_with_the_genesis(name: str) -> None:
    node = _toml(name)
    assert node["network-id"] == CHAIN_ID
    assert node["genesis-file"] == "/besu/network/genesis.json"
    assert node["data-path"].startswith("/besu/node/")
    assert node["rpc-http-enabled"] is True
    assert {"ETH", "NET"} <= set(node["rpc-http-api"])
    assert not {"ADMIN", "DEBUG", "PERM", "TXPOOL", "MINER"} & set(node["rpc-http-api"])
    assert "*" not in node["host-allowlist"] and "all" not in node["host-allowlist"]
    assert node["min-gas-price"] == 0
    assert node["tx-pool-min-gas-price"] == 0
    assert node["permissions-nodes-config-file-enabled"] is True
    assert node["permissions-nodes-config-file"] == "/besu/network/permissions_config.toml"
    assert node["static-nodes-file"] == "/besu/network/static-nodes.json"
    assert node["discovery-enabled"] is False


def test_the_reading_node_keeps_every_state() -> None:
    node = _toml("rpc-node.toml")
    assert node["data-storage-format"] == "FOREST"
    assert node["sync-mode"] == "FULL"


def test_the_compose_file_runs_four_validators_and_postgres() -> None:
    compose = _compose()
    validators = _validators(compose)
    assert sorted(validators) == [f"besu-{i}" for i in range(1, VALIDATORS + 1)]
    assert "postgres" in compose["services"]
    subnet = ipaddress.ip_network(compose["networks"]["chain"]["ipam"]["config"][0]["subnet"])
    addresses = set()
    for number, (name, service) in enumerate(sorted(validators.items()), start=1):
        assert service["command"] == ["--config-file=/besu/config/validator.toml"], name
        assert "./config:/besu/config:ro" in service["volumes"]
        assert "./network:/besu/network:ro" in service["volumes"]
        assert f"./network/node-{number}:/besu/node" in service["volumes"]
        address = service["networks"]["chain"]["ipv4_address"]
        assert ipaddress.ip_address(address) in subnet
        assert service["environment"]["BESU_P2P_HOST"] == address
        addresses.add(address)
        assert name in _toml("validator.toml")["host-allowlist"]
    assert len(addresses) == VALIDATORS
    assert "hyperledger/besu:" in validators["besu-1"]["image"]


def test_the_compose_file_publishes_on_loopback_only_and_holds_no_password() -> None:
    compose = _compose()
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port}"
    password = compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")


def test_no_private_key_is_committed_under_deploy() -> None:
    """No 32-byte hex value (a secp256k1 private key's shape) except the public QBFT mixHash;
    no `privateKey` members as Besu's examples carry."""
    files = [p for p in (ROOT / "deploy").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = {m.group(0).lower() for m in SECRET.finditer(text)} - {QBFT_MIX_HASH}
        assert not found, f"{path.relative_to(ROOT)} holds 64-hex values {sorted(found)}"
        assert "privatekey" not in text.lower().replace("private-key", ""), path


def test_the_generated_network_directory_is_ignored() -> None:
    assert (BESU / ".gitignore").read_text().splitlines()[-1] == "network/"


def test_the_chain_id_is_the_one_the_guide_names() -> None:
    guide = (ROOT / "docs" / "deploy-besu.md").read_text()
    assert f"chain id {CHAIN_ID}" in guide.lower()


def _public_keys(network: Path) -> list[str]:
    keys = []
    for i in range(1, VALIDATORS + 1):
        public = coincurve.PrivateKey().public_key.format(compressed=False)[1:].hex()
        (network / f"node-{i}").mkdir(parents=True)
        (network / f"node-{i}" / "key.pub").write_text(f"0x{public}\n")
        keys.append(public)
    return keys


def test_network_py_lays_out_the_shared_files(tmp_path: Path) -> None:
    keys = _public_keys(tmp_path)
    endpoints = [f"172.29.54.{10 + i}:30303" for i in range(1, VALIDATORS + 1)]
    enodes = _network_module().lay_out(tmp_path, endpoints)
    want = [f"enode://{k}@{e}" for k, e in zip(keys, endpoints, strict=True)]
    assert enodes == want
    assert json.loads((tmp_path / "static-nodes.json").read_text()) == want
    with (tmp_path / "permissions_config.toml").open("rb") as file:
        assert tomllib.load(file) == {"nodes-allowlist": want}
    filled = json.loads((tmp_path / "qbft-config.json").read_text())
    assert filled["blockchain"]["nodes"] == {"generate": False, "keys": ["0x" + k for k in keys]}
    assert filled["genesis"] == _generator_config()["genesis"]
    addresses = {keccak(bytes.fromhex(k))[-20:] for k in keys}
    assert len(addresses) == VALIDATORS


def test_network_py_refuses_bad_input(tmp_path: Path) -> None:
    _public_keys(tmp_path)
    (tmp_path / "node-3" / "key.pub").write_text("0x1234\n")
    script = [sys.executable, str(BESU / "network.py"), str(tmp_path)]
    endpoints = [f"10.0.0.{i}:30303" for i in range(1, VALIDATORS + 1)]
    bad_key = subprocess.run(script + endpoints, capture_output=True, text=True, check=False)
    assert bad_key.returncode == 1
    assert "node-3/key.pub" in bad_key.stderr and bad_key.stderr.count("\n") == 1
    usage = subprocess.run(script + endpoints[:3], capture_output=True, text=True, check=False)
    assert usage.returncode == 2
    assert not (tmp_path / "static-nodes.json").exists()
