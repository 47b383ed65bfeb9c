"""The node refuses to start on a store that fails its self-check, unless told not to check."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from api.app import create_app
from api.node import Node
from api.settings import Settings
from filings.signing import SubmissionDomain
from ledger.service.selfcheck import SelfCheckFailed
from tests.server_fixtures import asgi_client, sign_indicator, started


async def _file_and_checkpoint(settings: Settings, domain: SubmissionDomain) -> None:
    async with started(create_app(settings, jobs=False)) as app:
        async with asgi_client(app) as client:
            answer = await client.post("/v1/submissions", json={
                "submissions": [sign_indicator(domain, n) for n in range(5)]})
            assert answer.status_code == 202
        assert await asyncio.to_thread(app.state.node.checkpointer.run_once) is not None


async def test_a_tampered_body_stops_the_start(
    ledger_settings: Settings, ledger_domain: SubmissionDomain
) -> None:
    await _file_and_checkpoint(ledger_settings, ledger_domain)
    node = Node.open(ledger_settings, jobs=False)  # genuine: starts
    await node.close()
    path = ledger_settings.database().removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET body = ? WHERE idx = 4", (b'{"value":99}',))
    with pytest.raises(SelfCheckFailed, match="4"):
        Node.open(ledger_settings, jobs=False)
    unchecked = Node.open(ledger_settings.model_copy(update={"selfcheck": "off"}), jobs=False)
    await unchecked.close()
