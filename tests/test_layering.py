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
    """ledger imports none of ours; filings only ledger; anchoring no api, domain or client."""
    ours = {"api", "anchoring", "verifier", "filings", "client"}
    rules = {"ledger": ours, "filings": ours - {"filings"}, "anchoring": ours - {"anchoring"},
             "client": {"api", "anchoring", "verifier"}}
    for package, forbidden in rules.items():
        for path in (ROOT / package).rglob("*.py"):
            bad = _imports(path) & forbidden
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


SERVER_LIBRARIES = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "sqlmodel", "psycopg", "web3",
                    "eth_account", "eth_tester", "eth", "apscheduler", "prometheus_client"}


def _modules(package: str) -> list[Path]:
    paths = sorted((ROOT / package).rglob("*.py"))
    assert paths, package
    return paths


def test_the_domain_knows_no_http_database_or_chain() -> None:
    """filings/: the domain imports no web framework, database, chain library or shell of ours."""
    for path in _modules("filings"):
        bad = _imports(path) & (SERVER_LIBRARIES | {"httpx", "api", "anchoring", "client"})
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
        shell = {m for m in _full_imports(path)
                 if m.startswith(("ledger.storage", "ledger.service"))}
        assert not shell, f"{path.relative_to(ROOT)} imports {sorted(shell)}"


def test_the_operator_client_imports_nothing_of_the_server() -> None:
    """client/: no api, anchoring, storage or server library; of the domain only what signs."""
    for path in _modules("client"):
        bad = _imports(path) & (SERVER_LIBRARIES | {"api", "anchoring", "pydantic", "rich"})
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
        domain = {m for m in _full_imports(path) if m.startswith("filings")}
        assert domain <= {"filings.signing", "filings.errors"}, (path.name, domain)
        shell = {m for m in _full_imports(path)
                 if m.startswith(("ledger.storage", "ledger.service"))}
        assert not shell, f"{path.relative_to(ROOT)} imports {sorted(shell)}"
    signing = _imports(ROOT / "filings" / "signing.py") | _imports(ROOT / "filings" / "errors.py")
    assert not signing & {"pydantic"}, "the signing code must run on the base install"


def test_only_anchoring_talks_to_a_chain() -> None:
    for package in ("ledger", "filings", "client", "api", "verifier"):
        for path in _modules(package):
            bad = _imports(path) & {"web3", "eth_tester", "eth"}
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_api_modules_import_no_cycle() -> None:
    """No module of api/ imports, directly or not, a module that imports it."""
    graph: dict[str, set[str]] = {}
    for path in _modules("api"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = {m for m in _full_imports(path) if m.startswith("api.")}
    for start in graph:
        seen: set[str] = set()
        stack = [m for m in graph[start] if m in graph]
        while stack:
            module = stack.pop()
            assert module != start, f"{start} imports itself through {sorted(seen)}"
            if module not in seen:
                seen.add(module)
                stack.extend(m for m in graph.get(module, ()) if m in graph)


def test_routes_holds_only_routers() -> None:
    for path in _modules("api/routes"):
        if path.name != "__init__.py":
            assert "router = APIRouter(" in path.read_text(), f"{path.name} is not a router"
