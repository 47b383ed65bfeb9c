"""The verifier stands alone: stdlib + cryptography + coincurve + eth-hash, nothing of ours.

One test walks the imports of every module of `verifier/`; the other installs the distribution
into a fresh virtual environment (no system site-packages) with its base dependencies only, and
runs `infraledger-verify` there.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.verifier.conftest import World

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "verifier"
ALLOWED = {"cryptography", "coincurve", "eth_hash", "verifier"}
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


def test_fresh_install_runs_the_verifier_without_server_dependencies(
    world: World, tmp_path: Path
) -> None:
    source = tmp_path / "src"
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
            ".infraledger",
        ),
    )
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    bin_dir = venv / "bin"
    install = subprocess.run(
        [bin_dir / "pip", "install", "--quiet", source], capture_output=True, text=True, check=False
    )
    assert install.returncode == 0, install.stderr
    help_text = subprocess.run(
        [bin_dir / "infraledger-verify", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "bundle" in help_text and "audit" in help_text
    for module in ("web3", "fastapi", "sqlalchemy", "eth_account", "rfc8785"):
        probe = subprocess.run(
            [bin_dir / "python", "-c", f"import {module}"], capture_output=True, check=False
        )
        assert probe.returncode != 0, f"{module} is importable in the base install"
    bundle, trust = tmp_path / "bundle.json", tmp_path / "trust.json"
    bundle.write_bytes(world.bundle_bytes(0))
    trust.write_text(json.dumps(world.log.trust(["http://127.0.0.1:9/rpc"])))
    verified = subprocess.run(
        [bin_dir / "infraledger-verify", "bundle", bundle, "--trust", trust, "--offline"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_public_api_is_sorted_and_resolves() -> None:
    import verifier

    assert verifier.__all__ == sorted(verifier.__all__, key=lambda n: (not n.isupper(), n))
    for exported in verifier.__all__:
        assert getattr(verifier, exported) is not None
