"""Options of the long reliability runs (a pytest plugin: `pytest -p tests.reliability.soak`,
as `make soak` does).

    --soak-minutes M   minutes of sustained load per database in benchmarks/test_soak.py (30)
    --crash-rounds N   SIGKILLs in the long crash test (20)
    --node-cache-mib B the soak's server with a node-run cache of B MiB instead of its 64
                       (`tests.reliability.cache_budget`), so a slow run fills it in time
    --outage-seconds S how long the long chain and database faults last (60)
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("soak", "long reliability runs")
    group.addoption("--soak-minutes", type=float, default=30.0, dest="soak_minutes",
                    help="minutes of sustained load per database (default 30)")
    group.addoption("--crash-rounds", type=int, default=20, dest="crash_rounds",
                    help="SIGKILLs in the long crash test (default 20)")
    group.addoption("--node-cache-mib", type=int, default=None, dest="node_cache_mib",
                    help="node-run cache budget of the soak's server in MiB (default: its 64)")
    group.addoption("--outage-seconds", type=float, default=60.0, dest="outage_seconds",
                    help="seconds the long chain and database faults last (default 60)")
