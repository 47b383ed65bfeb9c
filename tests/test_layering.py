"""The import rules of the architecture, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STDLIB_IO = {"sqlite3", "socket", "http", "urllib", "asyncio", "time", "datetime", "os",
             "subprocess", "threading", "random"}
PURE_ALLOWED = {"__future__", "base64", "binascii", "collections", "dataclasses", "hashlib",
                "json", "re", "typing", "cryptography", "eth_hash", "rfc8785", "ledger"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _full_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_ledger_core_is_pure() -> None:
    """ledger/*.py: no storage, clock, network or web imports, and nothing from the shell."""
    core = sorted((ROOT / "ledger").glob("*.py"))
    assert core
    for path in core:
        outside = _imports(path) - PURE_ALLOWED
        assert not outside, f"{path.name} imports {sorted(outside)}"
        shell = {m for m in _full_imports(path)
                 if m.startswith(("ledger.storage", "ledger.service"))}
        assert not shell, f"{path.name} imports {sorted(shell)}"


def test_only_the_storage_package_touches_sqlalchemy() -> None:
    for path in ROOT.glob("*/**/*.py"):
        if path.is_relative_to(ROOT / ".venv") or path.is_relative_to(ROOT / "tests") \
                or path.is_relative_to(ROOT / "benchmarks") \
                or path.is_relative_to(ROOT / "node_modules"):
            continue
        if {"sqlalchemy", "sqlmodel"} & _imports(path):
            assert path.is_relative_to(ROOT / "ledger" / "storage"), path


def test_dependencies_point_inward() -> None:
    """ledger imports none of api/anchoring/verifier; anchoring imports no api."""
    rules = {"ledger": {"api", "anchoring", "verifier"}, "anchoring": {"api", "verifier"}}
    for package, forbidden in rules.items():
        for path in (ROOT / package).rglob("*.py"):
            bad = _imports(path) & forbidden
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
