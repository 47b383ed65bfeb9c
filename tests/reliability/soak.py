"""Options of the long reliability runs (a pytest plugin: `pytest -p tests.reliability.soak`,
as `make soak` does).

    --soak-minutes M   minutes of sustained load per database in benchmarks/test_soak.py (10)
    --crash-rounds N   SIGKILLs in the long crash test (20)
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("soak", "long reliability runs")
    group.addoption("--soak-minutes", type=float, default=10.0, dest="soak_minutes",
                    help="minutes of sustained load per database (default 10)")
    group.addoption("--crash-rounds", type=int, default=20, dest="crash_rounds",
                    help="SIGKILLs in the long crash test (default 20)")
