"""The verifier stands alone: stdlib + cryptography + coincurve + pycryptodome, nothing of ours.

One test walks the imports of every module of `verifier/`; the others install the distribution
into a fresh virtual environment (no system site-packages) with its base dependencies only (once
per session), and run `infraledger-verify` there: a bundle verification and an audit.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.verifier.conftest import World
from tests.verifier.ledger_double import LedgerHttp, serve_get

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "verifier"
ALLOWED = {"cryptography", "coincurve", "Crypto", "verifier"}
BASE_INSTALL = {
    "infraledger",
    "cryptography",
    "cffi",
    "pycparser",
    "coincurve",
    "asn1crypto",
    "eth-hash",
    "pycryptodome",
    "pip",
    "setuptools",
}
"""The distributions a base install may hold: the verifier's dependencies and theirs."""
FORBIDDEN = {
    "ledger",
    "api",
    "anchoring",
    "contracts",
    "web3",
    "eth_account",
    "eth_abi",
    "eth_utils",
    "eth_keys",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "httpx",
    "requests",
    "rfc8785",
    "orjson",
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            names.add(node.module or "")
    return names


def test_verifier_imports_only_stdlib_and_its_three_dependencies() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 10
    for path in modules:
        for name in imported_modules(path):
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{path.name} imports {name}"
            assert top in ALLOWED or top in sys.stdlib_module_names, f"{path.name} imports {name}"


@pytest.fixture(scope="session")
def verifier_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (no system site-packages) holding the base install, as a
    verifier user makes it: `pip install infraledger` (here from a copy of the source tree),
    which brings the base dependencies only; the server's are the `server` extra. Built once
    per session; returns its `bin` directory."""
    root = tmp_path_factory.mktemp("verifier-install")
    source = root / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "node_modules",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            "tests",
            ".hypothesis",
            ".benchmarks",
            ".bench-cache",
            ".infraledger",
        ),
    )
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    bin_dir = venv / "bin"
    install = subprocess.run(
        [bin_dir / "pip", "install", "--quiet", source], capture_output=True, text=True, check=False
    )
    assert install.returncode == 0, install.stderr
    return bin_dir


def test_base_install_holds_the_verifier_and_nothing_of_the_server(
    verifier_install: Path,
) -> None:
    help_text = subprocess.run(
        [verifier_install / "infraledger-verify", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "bundle" in help_text and "audit" in help_text
    for module in ("web3", "fastapi", "sqlalchemy", "eth_account", "rfc8785", "pydantic"):
        probe = subprocess.run(
            [verifier_install / "python", "-c", f"import {module}"],
            capture_output=True,
            check=False,
        )
        assert probe.returncode != 0, f"{module} is importable in the base install"
    listed = subprocess.run(
        [verifier_install / "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    installed = {item["name"].lower() for item in json.loads(listed)}
    assert installed <= BASE_INSTALL, installed - BASE_INSTALL


def test_base_install_verifies_a_bundle_and_audits_a_log(
    verifier_install: Path, world: World, tmp_path: Path
) -> None:
    bundle, trust = tmp_path / "bundle.json", tmp_path / "trust.json"
    bundle.write_bytes(world.bundle_bytes(0))
    trust.write_text(json.dumps(world.log.trust(["http://127.0.0.1:9/rpc"])))
    verified = subprocess.run(
        [verifier_install / "infraledger-verify", "bundle", bundle, "--trust", trust, "--offline"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.splitlines()[-1].startswith("VERIFIED: record ")
    http = LedgerHttp(world.log)
    with serve_get(http.answer) as url:
        audited = subprocess.run(
            [
                verifier_install / "infraledger-verify",
                "audit",
                "--ledger",
                url,
                "--trust",
                trust,
                "--offline",
                "--jobs",
                "2",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert audited.stdout.splitlines()[-1] == "VERIFIED: log of size 301"


def test_public_api_is_sorted_and_resolves() -> None:
    import verifier

    assert verifier.__all__ == sorted(verifier.__all__, key=lambda n: (not n.isupper(), n))
    for exported in verifier.__all__:
        assert getattr(verifier, exported) is not None
