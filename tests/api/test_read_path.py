"""The read path from memory (api.http.read_path) on the real app: tlog answers kept and sent
again with the routes' own headers, 304 and HEAD; a new checkpoint served within the head
watch's interval, by a worker beside the jobs process too; anonymous proof bundles built ahead
when their anchor lands and answered from memory, never for a caller with a token."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.http.read_path import WATCH_INTERVAL, ReadPathApp, TlogAnswers
from api.settings import Settings
from filings.signing import NO_ATTACHMENTS
from ledger.entry import Entry
from ledger.merkle import LeafHash
from ledger.storage.store import LogStore, PendingEntry
from ledger.tiles import tile_ids
from tests.server_fixtures import SAMPLE, asgi_client, auth, started

WARMED = 2
"""`bundle_warm_records` here: the newest two records of an anchor are built ahead."""
FRESH_WITHIN = 4 * WATCH_INTERVAL
"""How soon a new checkpoint must be served: the interval, a query, and a loaded machine."""


@pytest.fixture
def ledger_settings(ledger_settings: Settings) -> Settings:
    return ledger_settings.model_copy(update={"bundle_warm_records": WARMED})


def entries(start: int, count: int) -> list[PendingEntry]:
    """Entries as the store keeps them (the read path serves what is stored, however filed)."""
    return [PendingEntry.of(Entry(
        kind="indicator", schema="indicator/1", subject=f"indicator:read-path:{n}",
        operator=SAMPLE.active.address, content="0x" + f"{n:064x}",
        attachments="0x" + NO_ATTACHMENTS.hex(), supersedes=None, issued_at=1_700_000_000 + n,
        signature="0x" + "11" * 65,
    )) for n in range(start, start + count)]


async def append(app: FastAPI, start: int, count: int) -> list[str]:
    appended = await app.state.node.sequencer.append(entries(start, count))
    return [result.leaf_hash.hex() for result in appended.results]


async def checkpoint(app: FastAPI) -> int:
    await asyncio.to_thread(app.state.node.checkpointer.run_once)
    size: int = app.state.node.store.latest_checkpoint().checkpoint.size
    return size


def answers(app: FastAPI) -> TlogAnswers:
    assert isinstance(app, ReadPathApp) and app.read_path is not None
    return app.read_path.reads.answers


def size_of(answer: httpx.Response) -> int:
    return int(answer.text.split("\n")[1])


async def test_tlog_answers_are_kept_and_sent_again_as_the_routes_gave_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await append(app, 0, 300)
    size = await checkpoint(app)
    first = await client.get("/tlog/checkpoint")
    assert first.status_code == 200 and size_of(first) == size
    assert first.headers["cache-control"] == "public, max-age=2"
    assert first.headers["content-type"] == "text/plain; charset=utf-8"
    assert first.headers["x-content-type-options"] == "nosniff", "the app's middleware ran"
    again = await client.get("/tlog/checkpoint")
    assert (again.content, again.headers.raw) == (first.content, first.headers.raw)
    assert answers(app).get((False, "checkpoint")) is not None

    store = app.state.node.store
    for tile in tile_ids(size):
        origin = await client.get(f"/tlog/{tile.path()}")
        kept = await client.get(f"/tlog/{tile.path()}")
        assert origin.content == kept.content == store.tile(tile, size), tile
        assert origin.headers.raw == kept.headers.raw
        cache = kept.headers["cache-control"]
        assert ("immutable" in cache) == tile.full, (tile, cache)
        unchanged = await client.get(f"/tlog/{tile.path()}",
                                     headers={"If-None-Match": kept.headers["etag"]})
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged.headers["etag"] == kept.headers["etag"]
        assert unchanged.headers["cache-control"] == cache
        head = await client.head(f"/tlog/{tile.path()}")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(kept.content))
    kept_before = len(answers(app))
    for refused in ("tile/0/009", "tile/0/x1", "tile/0/000.p/0", "nothing"):
        answer = await client.get(f"/tlog/{refused}")
        assert answer.status_code == 404 and answer.json()["code"] == "not_found", refused
    assert len(answers(app)) == kept_before, "a refusal was kept"

    assert await _counted(client, "/tlog/checkpoint", "200") >= 2, "answers from memory count"
    assert await _counted(client, "/tlog/tile/{path:path}", "304") >= len(tile_ids(size))


async def _counted(client: httpx.AsyncClient, route: str, status: str) -> float:
    """`infraledger_http_requests_total` of GET `route` and `status`, once the answers sent
    from memory are in it (they are added every watch interval)."""
    labels = ('method="GET"', f'route="{route}"', f'status="{status}"')
    await asyncio.sleep(2 * WATCH_INTERVAL)
    metrics = (await client.get("/metrics")).text
    [line] = [row for row in metrics.splitlines()
              if row.startswith("infraledger_http_requests_total{")
              and all(label in row for label in labels)]
    return float(line.rsplit(" ", 1)[1])


async def _served_size(client: httpx.AsyncClient, size: int) -> float:
    """Seconds until `/tlog/checkpoint` shows `size` (asked every 20 ms)."""
    began = time.monotonic()
    while (answer := await client.get("/tlog/checkpoint")).status_code != 200 \
            or size_of(answer) != size:
        assert time.monotonic() - began < 30, f"size {size} never served"
        await asyncio.sleep(0.02)
    return time.monotonic() - began


async def test_a_new_checkpoint_is_served_within_the_watch_interval(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await append(app, 0, 5)
    old = await checkpoint(app)
    assert size_of(await client.get("/tlog/checkpoint")) == old
    await append(app, 5, 5)
    new = await checkpoint(app)
    assert new > old
    waited = await _served_size(client, new)
    assert waited < FRESH_WITHIN, f"the new checkpoint took {waited:.2f} s"


async def test_a_worker_beside_the_jobs_process_notices_a_new_checkpoint(
    live_server: str, ledger_settings: Settings
) -> None:
    """A second app on the same database without jobs (as `serve --workers N` runs them,
    reading the chain through the first one's RPC) serves the checkpoint the first one's jobs
    sign, within the head watch's interval of its signing."""
    worker = create_app(ledger_settings.model_copy(update={
        "rpc_urls": [f"{live_server}/chain/rpc"], "selfcheck": "off"}), jobs=False)
    store = LogStore(ledger_settings.database(), ledger_settings.origin, now=0)
    try:
        async with started(worker), asgi_client(worker) as client:
            old = store.latest_checkpoint()
            await asyncio.to_thread(store.append, entries(0, 20), store.frontier(), 1)
            while (signed := store.latest_checkpoint()) == old:
                await asyncio.sleep(0.01)  # the first server's checkpointer, every 0.2 s
            assert signed is not None
            waited = await _served_size(client, signed.checkpoint.size)
    finally:
        store.close()
    assert waited < FRESH_WITHIN, f"the worker served it {waited:.2f} s after it was signed"


async def _anchor(app: FastAPI) -> None:
    await checkpoint(app)
    assert await asyncio.to_thread(app.state.node.anchorer.run_once) is not None


async def test_anchored_bundles_are_built_ahead_and_answered_from_memory(
    app: FastAPI, client: httpx.AsyncClient, inspector_token: str
) -> None:
    [first, second, third] = await append(app, 0, 3)
    await _anchor(app)
    bundles = app.state.ledger.bundles
    deadline = time.monotonic() + 30
    while bundles.get((LeafHash(bytes.fromhex(third)), False)) is None:
        assert time.monotonic() < deadline, "the bundles were not built ahead"
        await asyncio.sleep(0.02)
    assert bundles.get((LeafHash(bytes.fromhex(second)), False)) is not None
    assert bundles.get((LeafHash(bytes.fromhex(first)), False)) is None, \
        f"only the newest {WARMED} are built ahead; the others when asked"

    public = [await client.get(f"/v1/records/{first}/proof") for _ in range(3)]
    built = bundles.get((LeafHash(bytes.fromhex(first)), False))
    assert all(answer.status_code == 200 and answer.content == built for answer in public)
    assert public[0].json()["anchor"] is not None
    inspector = await client.get(f"/v1/records/{first}/proof", headers=auth(inspector_token))
    assert inspector.content == built, "a public body: the inspector's bundle is the same"
    assert _headers(public[2]) == _headers(public[0]) == _headers(inspector)
    assert bundles.get((LeafHash(bytes.fromhex(first)), True)) == inspector.content

    bad = await client.get(f"/v1/records/{second}/proof", headers=auth("ilt_unknown"))
    assert (bad.status_code, bad.json()["code"]) == (401, "invalid_token")
    upper = await client.get(f"/v1/records/{second.upper()}/proof")
    assert (upper.status_code, upper.json()["code"]) == (422, "invalid_request")
    missing = await client.get(f"/v1/records/{'ab' * 32}/proof")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def _headers(answer: httpx.Response) -> dict[str, Any]:
    return dict(answer.headers)


@pytest.mark.parametrize("path", ["/tlog/checkpoint", "/tlog/tile/0/000"])
async def test_nothing_is_kept_before_the_log_has_it(
    app: FastAPI, client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == 404 and len(answers(app)) == 0
