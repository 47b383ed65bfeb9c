"""Settings: sources and their order, and the production guard `serve` runs before starting."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from api.cli import main
from api.settings import Settings, SettingsError, UnsafeSettings, load_settings
from client.keys import write_secret

PG_URL = "postgresql://postgres@127.0.0.1:5432/ledger"
DEPLOYMENT = {"chain_id": 1337, "ledger_anchor": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
              "operator_registry": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
              "block_number": 1}


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("INFRALEDGER_"):
            monkeypatch.delenv(name)


def _production(tmp_path: Path) -> dict[str, Any]:
    """Settings that pass the production guard: every test breaks one of them."""
    keys = tmp_path / "keys"
    write_secret(keys / "log.skey", "PRIVATE+KEY+ledger.example.vn/hue-infra+00000000+AQ==")
    write_secret(keys / "anchorer.key", "0x" + "11" * 32)
    write_secret(keys / "registrar.key", "0x" + "22" * 32)
    return {
        "data_dir": tmp_path, "production": True, "rpc_urls": ["http://127.0.0.1:8545"],
        "database_url": PG_URL, "deployment": DEPLOYMENT,
        "anchorer_key_file": keys / "anchorer.key", "registrar_key_file": keys / "registrar.key",
    }


def test_production_settings_that_are_safe_pass(tmp_path: Path) -> None:
    Settings(**_production(tmp_path)).check_production()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rpc_urls": []}, "INFRALEDGER_RPC_URLS"),
        ({"deployment": None}, "infraledger chain deploy"),
        ({"database_url": None}, "PostgreSQL"),
        ({"anchorer_key_file": None}, "anchorer key file"),
        ({"registrar_key_file": "anchorer"}, "registrar key is the anchorer key"),
        ({"anchorer_key_file": "sample"}, "sample key"),
        ({"anchorer_key_file": "loose"}, "readable by others"),
        ({"log_key_file": "missing"}, "cannot read the log key file"),
    ],
)
def test_each_unsafe_setting_is_refused_with_its_message(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    values = _production(tmp_path)
    for name, value in change.items():
        if value == "anchorer":
            value = values["anchorer_key_file"]
        elif value == "sample":
            value = tmp_path / "sample.key"
            write_secret(value, "# SAMPLE operator key, demo only\n0x" + "33" * 32)
        elif value == "loose":
            value = tmp_path / "loose.key"
            value.write_text("0x" + "44" * 32)
            value.chmod(0o644)
        elif value == "missing":
            value = tmp_path / "nowhere.skey"
        values[name] = value
    with pytest.raises((UnsafeSettings, SettingsError), match=message):
        Settings(**values).check_production()


def test_serve_refuses_an_unsafe_setting_with_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFRALEDGER_PRODUCTION", "true")
    code = main(["serve", "--data-dir", str(tmp_path), "--port", "0"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and "INFRALEDGER_RPC_URLS" in err[0], err


def test_sources_in_order_defaults_file_environment_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.json").write_text(json.dumps(
        {"origin": "from.file/log", "port": 8100, "anchor_interval": 5.0}))
    monkeypatch.setenv("INFRALEDGER_PORT", "8200")
    settings = load_settings(tmp_path, anchor_interval=7.5)
    assert settings.origin == "from.file/log"
    assert settings.port == 8200
    assert settings.anchor_interval == 7.5
    assert settings.checkpoint_interval == 1.0
    assert settings.database() == f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    assert settings.advertised_rpc_urls() == ["/chain/rpc"]


def test_save_merges_into_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path).save(deployment=DEPLOYMENT)
    assert settings.deployment == DEPLOYMENT
    assert load_settings(tmp_path).deployment == DEPLOYMENT
    load_settings(tmp_path).save(origin="other.example/log")
    again = load_settings(tmp_path)
    assert (again.origin, again.deployment) == ("other.example/log", DEPLOYMENT)


def test_invalid_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="anchor_interval"):
        load_settings(tmp_path, anchor_interval=-1)
    (tmp_path / "config.json").write_text("[1, 2]")
    with pytest.raises(SettingsError, match=r"config\.json"):
        load_settings(tmp_path)
