"""The server's settings: defaults, then the data directory's `config.json`, then `INFRALEDGER_*`
environment variables, then explicit overrides (each wins over the one before).

The data directory holds everything one ledger needs on disk:

    config.json       settings written by commands (`infraledger chain deploy` adds `deployment`)
    ledger.sqlite3    the log store, unless `database_url` names PostgreSQL
    keys/log.skey     the log's Ed25519 signer key (C2SP signed-note key string), mode 0600
    chain/            the embedded py-evm chain, unless `rpc_urls` names a network
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    JsonConfigSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from api.errors import ApiError
from filings.errors import TrustConfigInvalid
from filings.signatures.roots import TrustRoots

ENV_PREFIX = "INFRALEDGER_"
DEFAULT_DATA_DIR = Path(".infraledger")
CONFIG_FILE = "config.json"
SAMPLE_KEY_MARKER = "SAMPLE"
EMBEDDED_RPC_PATH = "/chain/rpc"
MAP_TILES_PATTERN = r"^$|^https?://[A-Za-z0-9.{}:-]+/[^\s\"'<>]*\{z\}[^\s\"'<>]*$"
"""The map's basemap: empty (no basemap), or an http(s) tile URL template with `{z}`, `{x}`,
`{y}` (and optionally `{s}`, a subdomain, in the host)."""


class UnsafeSettings(ApiError):
    """A setting that must never reach production (refused at start)."""

    code = "unsafe_settings"
    http_status = 500


class SettingsError(ApiError):
    """The settings or a file they name cannot be used."""

    code = "settings_error"
    http_status = 500


class Settings(BaseSettings):
    """Everything a ledger server reads at start; see `docs/operations.md` for each setting."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    origin: str = "ledger.example.vn/hue-infra"
    log_key_file: Path | None = None
    rpc_urls: list[str] = Field(default_factory=list)
    public_rpc_urls: list[str] = Field(default_factory=list)
    deployment: dict[str, Any] | None = None
    anchorer_key_file: Path | None = None
    registrar_key_file: Path | None = None
    admin_key_file: Path | None = None
    checkpoint_interval: float = Field(default=1.0, gt=0)
    anchor_interval: float = Field(default=2.0, gt=0)
    confirmations: int = Field(default=1, ge=1)
    batch_size: int = Field(default=1000, ge=1)
    batch_window: float = Field(default=0.01, ge=0)
    max_request_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    max_items: int = Field(default=1000, ge=1)
    max_attachment_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    operator_refresh: float = Field(default=2.0, ge=0)
    check_workers: int | None = Field(default=None, ge=0)
    access_log: bool = True
    bundle_warm_records: int = Field(default=0, ge=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    workers: int = Field(default=1, ge=1)
    production: bool = False
    selfcheck: Literal["quick", "full", "off"] = "quick"
    tiles_dir: Path | None = None
    log_format: Literal["text", "json"] = "text"
    ca_signatures: bool = False
    signing_roots_file: Path | None = None
    signing_loopback_urls: bool = False
    map_tiles_url: str = Field(default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                               pattern=MAP_TILES_PATTERN)
    map_tiles_attribution: str = Field(default="© OpenStreetMap contributors", max_length=300)
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s?#]+$")
    """Where the public pages are read (links and QR codes of the yearly report); None:
    `https://<origin>`."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Overrides, then environment, then `<data_dir>/config.json`."""
        given = getattr(init_settings, "init_kwargs", {}).get("data_dir")
        config = JsonConfigSettingsSource(settings_cls, json_file=_data_dir(given) / CONFIG_FILE)
        return init_settings, env_settings, config

    def public_base_url(self) -> str:
        """The public pages' base URL, without a trailing slash (`public_url`)."""
        return (self.public_url or f"https://{self.origin}").rstrip("/")

    # -- derived paths -------------------------------------------------------------------------

    def database(self) -> str:
        """The store's URL: `database_url`, or SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'ledger.sqlite3'}"

    def config_path(self) -> Path:
        return self.data_dir / CONFIG_FILE

    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def log_key_path(self) -> Path:
        return self.log_key_file or self.keys_dir() / "log.skey"

    def chain_dir(self) -> Path:
        """Where the embedded chain lives (unused when `rpc_urls` names a network)."""
        return self.data_dir / "chain"

    @property
    def embedded(self) -> bool:
        """True when the ledger runs its own in-process chain rather than a network's."""
        return not self.rpc_urls

    def advertised_rpc_urls(self) -> list[str]:
        """The chain's JSON-RPC URLs that `/v1/log` gives verifiers."""
        if self.public_rpc_urls:
            return list(self.public_rpc_urls)
        return [EMBEDDED_RPC_PATH] if self.embedded else list(self.rpc_urls)

    # -- writing -------------------------------------------------------------------------------

    def save(self, **changes: Any) -> Settings:
        """Merge `changes` into `config.json` and return the settings with them applied."""
        path = self.config_path()
        current: dict[str, Any] = {}
        if path.exists():
            current = _read_json(path)
        current.update(changes)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
        return self.model_copy(update=changes)

    # -- production guard ----------------------------------------------------------------------

    def check_production(self) -> None:
        """Refuse what must never run in production; raises `UnsafeSettings` naming the fault."""
        if not self.production:
            return
        if self.embedded:
            raise UnsafeSettings(
                "production needs a chain run by several parties: set INFRALEDGER_RPC_URLS "
                "(the embedded chain is for a single machine's demo)"
            )
        if self.deployment is None:
            raise UnsafeSettings(
                "no contracts: run `infraledger chain deploy` or set INFRALEDGER_DEPLOYMENT"
            )
        if self.database_url is None or not self.database_url.startswith("postgresql"):
            raise UnsafeSettings("production needs PostgreSQL: set INFRALEDGER_DATABASE_URL")
        check_key_file(self.log_key_path(), "log key", production=True)
        if self.anchorer_key_file is None:
            raise UnsafeSettings(
                "production needs the anchorer key file: set INFRALEDGER_ANCHORER_KEY_FILE"
            )
        anchorer = check_key_file(self.anchorer_key_file, "anchorer key", production=True)
        self._check_signing_roots()
        if self.registrar_key_file is not None:
            registrar = check_key_file(self.registrar_key_file, "registrar key", production=True)
            if registrar == anchorer:
                raise UnsafeSettings(
                    "the registrar key is the anchorer key: whoever holds the server's anchoring "
                    "key could then register operators; give the registrar its own key"
                )

    def _check_signing_roots(self) -> None:
        """With CA signatures on, production needs a readable, non-empty PEM bundle of roots
        and fetches evidence from public addresses only."""
        if not self.ca_signatures:
            return
        if self.signing_roots_file is None:
            raise UnsafeSettings("CA signatures are on without pinned roots: set "
                                 "INFRALEDGER_SIGNING_ROOTS_FILE to the NEAC root bundle (PEM)")
        if self.signing_loopback_urls:
            raise UnsafeSettings("INFRALEDGER_SIGNING_LOOPBACK_URLS fetches OCSP and CRLs from "
                                 "this machine: for tests and the demo only")
        try:
            TrustRoots.load(self.signing_roots_file)
        except TrustConfigInvalid as exc:
            raise UnsafeSettings(f"CA signatures are on: {exc.message}") from exc


def check_key_file(path: Path, what: str, *, production: bool) -> str:
    """Read a key file (lines starting with `#` are comments); refuse a missing file, and in
    production a sample key or a file others may read. Returns the key text."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SettingsError(f"cannot read the {what} file {path}: {exc.strerror}") from exc
    if production:
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise UnsafeSettings(
                f"the {what} file {path} is readable by others (mode {stat.filemode(mode)}): "
                f"chmod 600 it"
            )
        if SAMPLE_KEY_MARKER in text:
            raise UnsafeSettings(f"the {what} file {path} holds a sample key: make a real one")
    return "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()


def load_settings(data_dir: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings of the ledger in `data_dir` (or `INFRALEDGER_DATA_DIR`, or the default).

    Raises `SettingsError` with the offending setting named when a value is invalid.
    """
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    config = _data_dir(overrides.get("data_dir")) / CONFIG_FILE
    if config.exists():
        _read_json(config)  # a clear error naming the file, before pydantic's own
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise SettingsError(f"invalid settings: {exc}") from exc


def _data_dir(given: Path | str | None) -> Path:
    """The data directory: given, else `INFRALEDGER_DATA_DIR`, else the default."""
    return Path(given or os.environ.get(ENV_PREFIX + "DATA_DIR") or DEFAULT_DATA_DIR)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    if not isinstance(value, dict):
        raise SettingsError(f"{path} must hold a JSON object")
    return value
