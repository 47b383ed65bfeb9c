"""The tampering of `test_real_server.py`, on a ledger whose store is PostgreSQL."""

from __future__ import annotations

import pytest

from tests.verifier.test_real_server import (
    ledger,
    test_tampering_with_the_database_is_caught_by_the_right_check,
)

__all__ = ["ledger", "test_tampering_with_the_database_is_caught_by_the_right_check"]

pytestmark = pytest.mark.postgres


@pytest.fixture
def ledger_database_url(postgres_url: str) -> str:
    return postgres_url
