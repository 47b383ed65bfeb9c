"""The package does no I/O of its own: HTTP comes in as a `Transport`, used only by `online`."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "filings" / "signatures"
IO = {"httpx", "requests", "aiohttp", "socket", "urllib", "http", "ssl", "subprocess", "os"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_reaches_the_network_itself() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) > 10
    for path in modules:
        roots = {name.split(".")[0] for name in _imports(path) - {"urllib.parse"}}
        assert not roots & IO, (path.name, sorted(roots & IO))


def test_only_online_and_signing_hold_a_transport() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        uses = {m for m in _imports(path) if m.endswith((".online", ".signing"))}
        if path.name not in {"online.py", "signing.py", "__init__.py"}:
            assert not uses, (path.name, uses)
