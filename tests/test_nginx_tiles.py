"""The log's C2SP tlog-tiles export served by a real nginx (Debian `nginx`, `make system-deps`)
with the files of deploy/nginx/, in front of a real ledger: the independent verifier audits the
log through it and the record page verifies a record through it in real Chromium.

The ledger is the server fixtures' (uvicorn, SQLite, the embedded chain, the sample operators)
with `tiles_dir` set, so its jobs keep the export current; 300 genuine signed records fill a
full tile, a full entry bundle and partial ones. nginx runs as its own process on a free
loopback port and a temporary prefix, with the shipped site file (its listen address, root,
upstream and snippet path replaced, nothing else) inside a minimal main configuration.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from api.app import create_app
from api.serving import ServerThread
from api.settings import Settings
from filings.signing import SubmissionDomain
from ledger.tiles import CHECKPOINT_PATH, ENTRIES_LEVEL, tile_ids
from tests.server_fixtures import free_port, sign_indicator
from verifier.cli import main as verify

NGINX: Final = "/usr/sbin/nginx"
CHROMIUM: Final = "/usr/bin/chromium"
DEPLOY: Final = Path(__file__).resolve().parents[1] / "deploy" / "nginx"
RECORDS: Final = 300
WAIT_SECONDS: Final = 60.0
IMMUTABLE: Final = "public, max-age=31536000, immutable"
SHORT_LIVED: Final = "public, max-age=2"


@contextmanager
def nginx(root: Path, upstream: str, prefix: Path) -> Iterator[str]:
    """nginx serving `root` and proxying the rest to `upstream` (host:port); its base URL."""
    port = free_port()
    site = (DEPLOY / "infraledger.conf").read_text()
    for shipped, here in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("server 127.0.0.1:8000;", f"server {upstream};"),
        ("root /var/lib/infraledger/public;", f"root {root};"),
        ("include /etc/nginx/snippets/infraledger-tlog-tiles.conf;",
         f"include {DEPLOY / 'tlog-tiles.conf'};"),
    ):
        assert site.count(shipped) == 1, f"deploy/nginx/infraledger.conf lost {shipped!r}"
        site = site.replace(shipped, here)
    prefix.mkdir(parents=True)
    (prefix / "site.conf").write_text(site)
    temporary = " ".join(f"{kind}_temp_path {prefix / kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (prefix / "nginx.conf").write_text(f"""
daemon off;
worker_processes 1;
pid {prefix / 'nginx.pid'};
{'user root;' if os.geteuid() == 0 else ''}
events {{ worker_connections 128; }}
http {{
    access_log {prefix / 'access.log'};
    {temporary}
    include {prefix / 'site.conf'};
}}
""")
    with (prefix / "nginx.out").open("wb") as output:
        process = subprocess.Popen(
            [NGINX, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"),
             "-e", str(prefix / "error.log")], stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, (prefix / "nginx.out").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not listen"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _size(note: bytes) -> int:
    return int(note.split(b"\n")[1])


@dataclass(frozen=True)
class Exported:
    """The ledger's URL, the root holding its export as tlog/, and the records filed."""

    api: str
    public: Path
    records: list[str]


@pytest.fixture
def exported(ledger_settings: Settings, ledger_domain: SubmissionDomain,
             tmp_path: Path) -> Iterator[Exported]:
    """The ledger with `tiles_dir` = <public>/tlog, 300 records filed, anchored and exported."""
    public = tmp_path / "public"
    settings = ledger_settings.model_copy(update={"tiles_dir": public / "tlog"})
    with ServerThread(create_app(settings)) as url:
        answer = httpx.post(f"{url}/v1/submissions", timeout=60, json={
            "submissions": [sign_indicator(ledger_domain, n) for n in range(RECORDS)]})
        assert answer.status_code == 202, answer.text
        records = [result["record_id"] for result in answer.json()["results"]]
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            log = httpx.get(f"{url}/v1/log").json()
            checkpoint = public / "tlog" / CHECKPOINT_PATH
            if (log["anchored_size"] == log["tree_size"] >= RECORDS and checkpoint.exists()
                    and _size(checkpoint.read_bytes()) == log["tree_size"]):
                break
            assert time.monotonic() < deadline, f"not anchored and exported in time: {log}"
            time.sleep(0.1)
        yield Exported(url, public, records)


def test_nginx_serves_the_export_and_the_verifier_audits_through_it(
    exported: Exported, tmp_path: Path
) -> None:
    api, public = exported.api, exported.public
    with nginx(public, api.removeprefix("http://"), tmp_path / "nginx") as url:
        note = httpx.get(f"{url}/tlog/checkpoint")
        assert note.status_code == 200 and note.content == (public / "tlog/checkpoint").read_bytes()
        assert note.content == httpx.get(f"{api}/tlog/checkpoint").content
        assert note.headers["content-type"] == "text/plain; charset=utf-8"
        assert note.headers["cache-control"] == SHORT_LIVED
        assert note.headers["access-control-allow-origin"] == "*"
        size = _size(note.content)
        for tile in tile_ids(size):
            served = httpx.get(f"{url}/tlog/{tile.path()}", headers={"Accept-Encoding": "gzip"})
            assert served.status_code == 200, tile
            assert served.content == httpx.get(f"{api}/tlog/{tile.path()}").content, tile
            assert served.headers["cache-control"] == (IMMUTABLE if tile.full else SHORT_LIVED)
            assert served.headers["content-type"] == "application/octet-stream"
            if tile.level == ENTRIES_LEVEL:
                assert served.headers["content-encoding"] == "gzip"
        etag = httpx.get(f"{url}/tlog/tile/0/000").headers["etag"]
        again = httpx.get(f"{url}/tlog/tile/0/000", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["cache-control"] == IMMUTABLE
        for hidden in (".lock", "tile/0/00", "tile/0/000.p/256", "tile/00/000", "tile/x/000"):
            answer = httpx.get(f"{url}/tlog/{hidden}")
            assert answer.status_code == 404 and "cache-control" not in answer.headers, hidden
        assert httpx.get(f"{url}/v1/log").json()["tree_size"] == size

        trust = tmp_path / "trust.json"
        assert verify(["trust", "init", "--ledger", url, "--trust", str(trust)]) == 0
        assert verify(["audit", "--ledger", url, "--trust", str(trust)]) == 0
    by_verifier = [line for line in (tmp_path / "nginx" / "access.log").read_text().splitlines()
                   if "Python-urllib" in line]
    assert any("GET /tlog/tile/entries/000 " in line for line in by_verifier), by_verifier
    assert any("GET /tlog/checkpoint " in line for line in by_verifier), by_verifier


def test_the_record_page_verifies_through_nginx(exported: Exported, tmp_path: Path) -> None:
    """The page reads `/v1/log`, the proof bundle and `/chain/rpc` (it reads no tile): all of
    them through nginx, which proxies them to the ledger; the verdict is "passed"."""
    api, record = exported.api, exported.records[-1]
    with nginx(exported.public, api.removeprefix("http://"), tmp_path / "nginx") as url, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page()
            asked: list[str] = []
            page.on("request", lambda request: asked.append(request.url))
            page.goto(f"{url}/records/{record}")
            page.locator("#verify-button").click()
            expect(page.locator("#verdict")).to_have_attribute("data-verification", "passed",
                                                              timeout=30_000)
        finally:
            browser.close()
    assert f"{url}/v1/records/{record}/proof" in asked and f"{url}/v1/log" in asked, asked
    assert all(seen.startswith(url) for seen in asked), asked
