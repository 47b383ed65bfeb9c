"""The reliability tests: long (`soak`) versions run only when asked for with `-m soak`; the
`anvil_ledger` fixture (a ledger anchoring on its own anvil node by URL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.anvil import AnvilLedger, anvil_ledger_in


@pytest.fixture
def anvil_ledger(tmp_path: Path) -> Iterator[AnvilLedger]:
    """An anvil node and a data directory anchoring on it (`tests.reliability.anvil`)."""
    with anvil_ledger_in(tmp_path) as ledger:
        yield ledger


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out `soak` tests unless the marker expression names them (`make soak`)."""
    if "soak" in (config.getoption("markexpr") or ""):
        return
    soak = [item for item in items if item.get_closest_marker("soak") is not None]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [item for item in items if item.get_closest_marker("soak") is None]
