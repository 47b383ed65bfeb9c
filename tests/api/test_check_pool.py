"""The check worker processes: the same verdicts as checking in this process, item for item;
large requests through the real app use them, and a worker that dies costs no request."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import pickle
import signal
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from api.app import create_app
from api.http.check_pool import CheckPool, prepare_part, verdicts_of
from api.settings import Settings
from filings.admission import Verdict, prepare_all
from filings.errors import FilingError
from filings.signing import SubmissionDomain
from tests.filings.factories import (
    ATTACHMENTS,
    DOMAIN,
    OTHER_KEY,
    PERMIT_BODY,
    PERMIT_SUBJECT,
    SALT,
    signed,
)
from tests.server_fixtures import SAMPLE, asgi_client, sign_indicator, started


def mixed_items(domain: SubmissionDomain) -> list[Any]:
    """Valid items of every shape (attachments, salt) among items each check refuses."""
    good = sign_indicator(domain, 1)
    return [
        good,
        signed("permit", "permit/2", PERMIT_SUBJECT, PERMIT_BODY, domain=domain, salt=SALT,
               attachments=ATTACHMENTS),
        {**sign_indicator(domain, 2), "signature": "0x" + "11" * 65},
        {"kind": "indicator"},
        "not an object",
        {**sign_indicator(domain, 3), "operator": signed(key=OTHER_KEY)["operator"]},
        sign_indicator(domain, 4, key=SAMPLE.other.key),
        good,
    ]


def raw(items: list[Any]) -> list[bytes]:
    """The items as a request body carries them: JSON bytes each."""
    return [json.dumps(item, ensure_ascii=False).encode() for item in items]


def verdicts(checked: list[Verdict]) -> list[Any]:
    """Prepared items as they are; refusals as their class and JSON (exceptions are unequal)."""
    return [(type(item), item.to_json()) if isinstance(item, FilingError) else item
            for item in checked]


@pytest.fixture
def pool() -> Iterator[CheckPool]:
    checks = CheckPool(workers=2, min_items=1)
    try:
        yield checks
    finally:
        checks.close()


async def test_the_pool_gives_the_verdicts_of_this_process(pool: CheckPool) -> None:
    items = raw(mixed_items(DOMAIN) * 3)
    here = prepare_all(DOMAIN, items)
    assert [type(item).__name__ for item in here[:8]] == [
        "PreparedSubmission", "PreparedSubmission", "BadSignature", "InvalidSubmission",
        "InvalidSubmission", "OperatorMismatch", "PreparedSubmission", "PreparedSubmission"]
    assert verdicts(await pool.prepare(DOMAIN, items)) == verdicts(here)


def test_a_part_comes_back_as_the_verdicts_it_was() -> None:
    """The wire form of a checked part (MessagePack of the prepared items, the refusals
    pickled with their positions) gives back every verdict, in order, whatever the mix."""
    items = raw(mixed_items(DOMAIN))
    for part in (items, items[:1], items[2:6], items[::-1], items[3:5] * 2):
        wire = pickle.loads(pickle.dumps(prepare_part(DOMAIN, part)))
        assert verdicts(verdicts_of(wire)) == verdicts(prepare_all(DOMAIN, part))
    assert verdicts_of(prepare_part(DOMAIN, [])) == []


def test_small_requests_stay_in_this_process() -> None:
    checks = CheckPool(workers=2, min_items=32)
    assert not checks.takes(31) and checks.takes(32)
    assert not CheckPool(workers=0).takes(1000)
    assert CheckPool().workers == os.cpu_count()


@pytest.fixture
async def app(ledger_settings: Settings) -> AsyncIterator[FastAPI]:
    async with started(create_app(ledger_settings, jobs=False)) as running:
        running.state.ledger.checks.min_items = 4
        yield running


async def test_bulk_requests_use_the_pool_and_survive_a_dead_worker(
    app: FastAPI, ledger_domain: SubmissionDomain
) -> None:
    async with asgi_client(app) as client:
        items = [*mixed_items(ledger_domain)[2:],
                 sign_indicator(ledger_domain, 5, key=SAMPLE.revoked.key),
                 sign_indicator(ledger_domain, 6)]
        answer = await client.post("/v1/submissions", json={"submissions": items})
        assert answer.status_code == 202, answer.text
        results = answer.json()["results"]
        assert [r["status"] if r["error"] is None else r["error"]["code"] for r in results] == [
            "bad_signature", "invalid_submission", "invalid_submission", "operator_mismatch",
            "accepted", "accepted", "inactive_operator", "accepted"]
        workers = multiprocessing.active_children()
        assert len(workers) == app.state.ledger.checks.workers

        for worker in workers:
            assert worker.pid is not None
            with contextlib.suppress(ProcessLookupError):  # gone already: as good as killed
                os.kill(worker.pid, signal.SIGKILL)
            worker.join()
        again = await client.post("/v1/submissions", json={"submissions": items})
        assert [r["status"] for r in again.json()["results"]][4:] == [
            "duplicate", "duplicate", "rejected", "duplicate"]
        later = [sign_indicator(ledger_domain, n) for n in range(10, 14)]
        fresh = await client.post("/v1/submissions", json={"submissions": later})
        assert {r["status"] for r in fresh.json()["results"]} == {"accepted"}
        assert len(multiprocessing.active_children()) == app.state.ledger.checks.workers
