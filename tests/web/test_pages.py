"""The public pages in real headless Chromium (/usr/bin/chromium) against the real server.

Each test starts the ledger (`live_server`: uvicorn, SQLite, the embedded chain with the
contracts deployed and the sample operators registered), files genuine signed records through
the API, waits until the chain anchors them, and drives the pages. A JSON-RPC endpoint that
lies is a proxy of the ledger's own endpoint on another loopback port (answering CORS, as a
public node does) that rewrites one answer. Screenshots go to `test-artifacts/web/`
(git-ignored); the path is printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import rfc8785
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from api.settings import Settings
from filings.signing import SubmissionDomain, SubmissionMessage, sign_submission
from tests.filings.factories import (
    PERMIT_BODY,
    PERMIT_SUBJECT,
    REPORT_BODY,
    REPORT_SUBJECT,
    SALT,
    signed,
)
from tests.server_fixtures import SAMPLE, auth, free_port

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ANCHOR_TIMEOUT = 30.0
CHECKS = ("body_content_hash", "attachments_hash", "leaf_hash", "signature", "operator_active",
          "inclusion", "checkpoint_signature", "anchored_root")
ROOT_AT = "0xeaa38b41"
"""The selector of LedgerAnchor.rootAt(uint64), whose answers the lying endpoint rewrites."""
LIE = "ab" * 32
REPORT_FILE = b"%PDF-1.7\n% Bao cao ha tang vien thong 2024\n" + bytes(range(256)) * 8
INDICATORS_IN_PLAN = 22
PERSONAL = {"name": "Nguyễn Văn Riêng", "phone": "+84 234 3822 999"}
OTHER_LOG_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"


@dataclass(frozen=True)
class Filed:
    """What the tests filed: the server URL, record ids by name, the ledger's settings and its
    EIP-712 domain."""

    url: str
    ids: dict[str, str]
    settings: Settings
    domain: SubmissionDomain


def indicator(domain: SubmissionDomain, key: bytes, code: str, area: str, period: str,
              value: float, n: int, supersedes: str | None = None) -> dict[str, Any]:
    body = {"indicator": code, "area": area, "period": period, "value": value, "unit": "%"}
    return signed(subject=f"indicator:{code}:{area}:{period}", body=body, key=key,
                  domain=domain, issued_at=1_720_000_000 + n, supersedes=supersedes)


def submit(client: httpx.Client, submission: dict[str, Any]) -> str:
    answer = client.post("/v1/submissions", json=submission)
    assert answer.status_code == 202, answer.text
    result = answer.json()["results"][0]
    assert result["status"] == "accepted", result
    record_id: str = result["record_id"]
    return record_id


def file_records(url: str, domain: SubmissionDomain, token: str) -> dict[str, str]:
    """File a small plan 254 history through the API and wait until all of it is anchored."""
    active, other = SAMPLE.active.key, SAMPLE.other.key
    ids: dict[str, str] = {}
    with httpx.Client(base_url=url, timeout=30) as client:
        ids["bts_phu_vang_first"] = submit(client, indicator(
            domain, active, "bts_shared_ratio", "phu_vang", "2024-Q3", 27.0, 1))
        ids["bts_phu_vang"] = submit(client, indicator(
            domain, active, "bts_shared_ratio", "phu_vang", "2024-Q3", 31.5, 2,
            supersedes=ids["bts_phu_vang_first"]))
        ids["bts_hue_old"] = submit(client, indicator(
            domain, other, "bts_shared_ratio", "hue", "2024-Q2", 35.0, 3))
        ids["bts_hue"] = submit(client, indicator(
            domain, other, "bts_shared_ratio", "hue", "2024-Q4", 24.0, 4))
        ids["bts_province"] = submit(client, indicator(
            domain, other, "bts_shared_ratio", "tthue", "2024", 28.4, 5))
        ids["internet_users"] = submit(client, indicator(
            domain, active, "internet_user_ratio", "tthue", "2024", 96.0, 6))
        digest = hashlib.sha256(REPORT_FILE).hexdigest()
        upload = client.put(f"/v1/attachments/{digest}", content=REPORT_FILE,
                            headers={**auth(token), "Content-Type": "application/pdf"})
        assert upload.status_code == 201, upload.text
        attachment = {"sha256": digest, "size": len(REPORT_FILE), "name": "báo cáo 2024.pdf",
                      "type": "application/pdf"}
        ids["report"] = submit(client, signed(
            "report", "report/1", REPORT_SUBJECT, REPORT_BODY, key=active, domain=domain,
            attachments=[attachment], issued_at=1_720_000_007))
        ids["permit"] = submit(client, signed(
            "permit", "permit/1", PERMIT_SUBJECT, {**PERMIT_BODY, "personal_data": PERSONAL},
            key=active, domain=domain, salt=SALT, issued_at=1_720_000_008))
        deadline = time.monotonic() + ANCHOR_TIMEOUT
        while True:
            log = client.get("/v1/log").json()
            if log["anchored_size"] == len(ids):
                return ids
            assert time.monotonic() < deadline, f"not anchored in {ANCHOR_TIMEOUT} s: {log}"
            time.sleep(0.1)


@pytest.fixture
def filed(live_server: str, ledger_settings: Settings, ledger_domain: SubmissionDomain,
          inspector_token: str) -> Filed:
    return Filed(live_server, file_records(live_server, ledger_domain, inspector_token),
                 ledger_settings, ledger_domain)


@contextlib.contextmanager
def lying_rpc(honest: str) -> Iterator[str]:
    """A JSON-RPC endpoint on another port that forwards to `honest` but answers every `rootAt`
    call with the root 0xabab…; it answers CORS preflights, so a page may call it."""

    class Handler(BaseHTTPRequestHandler):
        def _cors(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            self._cors()
            self.end_headers()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            forwarded = urllib.request.Request(
                honest, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(forwarded, timeout=10) as response:
                answer = json.loads(response.read())
            request = json.loads(body)
            if request["method"] == "eth_call" and request["params"][0]["data"].startswith(ROOT_AT):
                answer["result"] = "0x" + LIE + answer["result"][66:]
            reply = json.dumps(answer).encode()
            self.send_response(200)
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rpc"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


def screenshot(page: Page, name: str, element: Locator | None = None) -> None:
    """Save the whole page, or one element of it, under test-artifacts/web/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if element is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        element.screenshot(path=str(path))
    print(f"screenshot: {path}")


def row(page: Page, indicator_code: str, area: str) -> Any:
    return page.locator(f'article[data-indicator="{indicator_code}"] tr[data-area="{area}"]')


def verify_in_browser(page: Page, url: str, record_id: str, verdict: str) -> dict[str, str]:
    """Open a record page, press "Verify in my browser", wait for `verdict`; the checks' states.

    The verdict must name every check under its outcome (`data-step`), in the page's order."""
    page.goto(f"{url}/records/{record_id}")
    page.get_by_role("button", name="Kiểm tra trong trình duyệt của tôi").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verification", verdict,
                                                       timeout=20_000)
    checks = page.locator("#checks li")
    names = [checks.nth(i).get_attribute("data-check") or "" for i in range(checks.count())]
    assert tuple(names) == CHECKS
    states = {name: checks.nth(i).get_attribute("data-status") or ""
              for i, name in enumerate(names)}
    steps = page.locator("#verdict [data-step]")
    named = {steps.nth(i).get_attribute("data-step") or "": steps.nth(i).get_attribute(
        "data-status") or "" for i in range(steps.count())}
    assert steps.count() == len(CHECKS) and named == states, (named, states)
    return states


def endpoint_states(page: Page) -> dict[str, str]:
    """Each endpoint listed on the record page and what it did: agreed, disagreed, ..."""
    rows = page.locator("#endpoints li[data-endpoint]")
    return {rows.nth(i).get_attribute("data-endpoint") or "": rows.nth(i).get_attribute(
        "data-status") or "" for i in range(rows.count())}


def add_endpoint(page: Page, url: str) -> None:
    page.get_by_label("Thêm một nút JSON-RPC của cùng chuỗi khối", exact=False).fill(url)
    page.get_by_role("button", name="Thêm nút").click()


def test_home_lists_the_plan_with_the_latest_anchored_figures(filed: Filed, page: Page) -> None:
    page.goto(filed.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    expect(page.get_by_role("heading", name="Tỷ lệ dùng chung vị trí trạm BTS")).to_be_visible()
    assert page.locator("article[data-indicator]").count() == INDICATORS_IN_PLAN
    corrected = row(page, "bts_shared_ratio", "phu_vang")
    expect(corrected.locator(".value")).to_have_text("31.5\u00a0%")
    expect(corrected.locator(".period")).to_have_text("2024-Q3")
    expect(corrected.locator(".status")).to_have_text("✓ Đạt", use_inner_text=True)
    badge = corrected.get_by_role("link")
    assert badge.get_attribute("href") == f"/records/{filed.ids['bts_phu_vang']}"
    latest = row(page, "bts_shared_ratio", "hue")
    expect(latest.locator(".value")).to_have_text("24\u00a0%")
    expect(latest.locator(".status")).to_have_text("✗ Chưa đạt", use_inner_text=True)
    expect(row(page, "bts_shared_ratio", "tthue").locator(".value")).to_have_text("28.4\u00a0%")
    expect(row(page, "internet_user_ratio", "tthue").locator(".value")).to_have_text("96\u00a0%")
    expect(row(page, "bts_shared_ratio", "a_luoi")).to_contain_text("chưa có", use_inner_text=True)
    chart = page.locator('article[data-indicator="bts_shared_ratio"] svg.chart')
    assert chart.locator("rect.bar").count() == 2
    assert chart.locator("rect.bar.met").count() == 1
    expect(chart.locator("text").filter(has_text="≥30")).to_have_count(1)
    screenshot(page, "home-vi")

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="BTS sites shared between operators")).to_be_visible()
    expect(page.get_by_role("heading", name="Tỷ lệ dùng chung vị trí trạm BTS")).to_have_count(0)
    expect(corrected.locator(".status")).to_have_text("✓ Met", use_inner_text=True)
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("button", name="Tiếng Việt")).to_be_visible()

    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    table = page.locator('article[data-indicator="bts_shared_ratio"] .scroll')
    assert table.evaluate("element => element.scrollWidth <= element.clientWidth")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    screenshot(page, "home-en-360px-bts",
               page.locator('article[data-indicator="bts_shared_ratio"]'))


def test_a_genuine_record_verifies_and_an_altered_body_fails(filed: Filed, page: Page) -> None:
    rpc = f"{filed.url}/chain/rpc"
    for name in ("bts_phu_vang", "bts_phu_vang_first", "report"):
        states = verify_in_browser(page, filed.url, filed.ids[name], "passed")
        assert states == dict.fromkeys(CHECKS, "passed"), (name, states)
        assert endpoint_states(page) == {rpc: "agreed"}
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("cả 8 bước đều đạt", use_inner_text=True)
    expect(verdict).to_contain_text(f"Đọc từ chuỗi khối qua: {rpc}", use_inner_text=True)
    expect(page.locator('#checks li[data-check="anchored_root"] .message')).to_contain_text(
        f"đọc từ {rpc}: LedgerAnchor.rootAt(", use_inner_text=True)
    expect(page.locator('#checks li[data-check="signature"] .message')).to_contain_text(
        f"khôi phục ra {SAMPLE.active.address}", use_inner_text=True)
    screenshot(page, "record-verified")
    page.get_by_role("button", name="English").click()
    expect(verdict).to_contain_text("Verified: all 8 checks passed.", use_inner_text=True)
    expect(verdict).to_contain_text(f"Read from the chain through: {rpc}", use_inner_text=True)
    expect(verdict.locator('[data-step="operator_active"]')).to_have_text(
        "Operator active in the OperatorRegistry at the anchor's time", use_inner_text=True)
    expect(page.locator('#checks li[data-check="operator_active"] .message')).to_contain_text(
        f"{SAMPLE.active.address} was active in {filed.settings.deployment['operator_registry']}"
        " at the anchor's block time", use_inner_text=True)
    expect(page.locator("#main")).not_to_contain_text("from the blockchain itself")
    screenshot(page, "record-verified-en")
    page.get_by_role("button", name="Tiếng Việt").click()

    states = verify_in_browser(page, filed.url, filed.ids["permit"], "incomplete")
    assert states == {**dict.fromkeys(CHECKS, "passed"), "body_content_hash": "not-checked"}
    expect(page.locator('#checks li[data-check="body_content_hash"] .message')).to_contain_text(
        "withheld")
    expect(verdict).to_contain_text("Chưa kiểm chứng đầy đủ: 7 trong 8 bước đạt",
                                    use_inner_text=True)
    expect(verdict.locator('[data-step="body_content_hash"]')).to_have_attribute(
        "data-status", "not-checked")
    html = page.content()
    assert PERSONAL["name"] not in html and PERSONAL["phone"] not in html
    assert PERMIT_BODY["location"]["commune"] not in html

    pin = f"infraledger.trust:{filed.url.removeprefix('http://')}"
    pinned = json.loads(page.evaluate("key => localStorage.getItem(key)", pin))
    assert pinned["anchor_contract"] == filed.settings.deployment["ledger_anchor"]
    page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                  [pin, json.dumps({**pinned, "vkey": OTHER_LOG_KEY})])
    states = verify_in_browser(page, filed.url, filed.ids["bts_phu_vang"], "failed")
    assert states == {**dict.fromkeys(CHECKS, "passed"), "checkpoint_signature": "failed"}
    expect(page.locator("#pinned")).to_contain_text(OTHER_LOG_KEY)
    page.evaluate("key => localStorage.removeItem(key)", pin)

    page.goto(f"{filed.url}/records/{filed.ids['bts_phu_vang_first']}")
    expect(page.get_by_role("status").first).to_contain_text("đã được đính chính",
                                                             use_inner_text=True)
    newer = page.locator(f'a[href="/records/{filed.ids["bts_phu_vang"]}"]')
    expect(newer).to_have_count(1)

    target = filed.ids["bts_hue"]
    altered = rfc8785.dumps({"indicator": "bts_shared_ratio", "area": "hue",
                             "period": "2024-Q4", "value": 34.0, "unit": "%"})
    database = filed.settings.database().removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        changed = conn.execute("UPDATE entries SET body = ? WHERE leaf_hash = ?",
                               (altered, bytes.fromhex(target))).rowcount
    assert changed == 1
    states = verify_in_browser(page, filed.url, target, "failed")
    assert states == {**dict.fromkeys(CHECKS, "passed"), "body_content_hash": "failed"}
    failed = page.locator('#checks li[data-check="body_content_hash"]')
    expect(failed.locator(".status")).to_have_text("✗ không đạt", use_inner_text=True)
    expect(failed.locator(".message")).to_contain_text("the entry commits to 0x")
    expect(page.locator("#body")).to_contain_text("\"value\": 34")
    screenshot(page, "record-altered-body")


def test_a_forged_signature_fails_in_the_browser_at_the_signature_step(filed: Filed,
                                                                      page: Page) -> None:
    """The stored entry of a record by one operator is given, by SQL, another operator's genuine
    signature over the same submission: the page recovers the other address from it."""
    target = filed.ids["internet_users"]
    database = filed.settings.database().removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        (data,) = conn.execute("SELECT data FROM entries WHERE leaf_hash = ?",
                               (bytes.fromhex(target),)).fetchone()
        entry = json.loads(data)
        assert entry["operator"] == SAMPLE.active.address and entry["supersedes"] is None
        message = SubmissionMessage(
            entry["kind"], entry["schema"], entry["subject"], bytes.fromhex(entry["content"][2:]),
            bytes.fromhex(entry["attachments"][2:]), None, entry["issued_at"])
        forged = {**entry, "signature": sign_submission(SAMPLE.other.key, filed.domain, message)}
        changed = conn.execute("UPDATE entries SET data = ? WHERE leaf_hash = ?",
                               (rfc8785.dumps(forged), bytes.fromhex(target))).rowcount
    assert changed == 1
    states = verify_in_browser(page, filed.url, target, "failed")
    # The signature is part of the leaf: the leaf hash and the inclusion proof break with it.
    assert states == {**dict.fromkeys(CHECKS, "passed"), "signature": "failed",
                      "leaf_hash": "failed", "inclusion": "failed"}
    failed = page.locator('#checks li[data-check="signature"]')
    expect(failed.locator(".status")).to_have_text("✗ không đạt", use_inner_text=True)
    expect(failed.locator(".message")).to_contain_text(
        f"the signature recovers {SAMPLE.other.address}, the entry's operator is "
        f"{SAMPLE.active.address}")
    expect(failed.locator(".message")).to_have_text(
        f"chữ ký khôi phục ra {SAMPLE.other.address}, doanh nghiệp của bản ghi là "
        f"{SAMPLE.active.address}", use_inner_text=True)
    expect(page.locator('#verdict [data-step="signature"]')).to_have_attribute(
        "data-status", "failed")
    expect(page.locator("#verdict")).to_contain_text("KHÔNG kiểm chứng được: 3 trong 8 bước",
                                                     use_inner_text=True)
    screenshot(page, "record-forged-signature")


def test_an_endpoint_that_lies_about_the_root_is_named_as_disagreeing(filed: Filed,
                                                                      page: Page) -> None:
    rpc = f"{filed.url}/chain/rpc"
    unreachable = f"http://127.0.0.1:{free_port()}/rpc"
    record = filed.ids["bts_phu_vang"]
    with lying_rpc(rpc) as liar:
        page.goto(f"{filed.url}/records/{record}")
        add_endpoint(page, liar)
        add_endpoint(page, unreachable)
        assert endpoint_states(page) == {liar: "pending", unreachable: "pending"}
        add_endpoint(page, "ftp://example.org/")
        expect(page.get_by_role("alert")).to_contain_text("https:// hoặc http://",
                                                          use_inner_text=True)
        add_endpoint(page, liar)
        expect(page.get_by_role("alert")).to_contain_text("đã có trong danh sách",
                                                          use_inner_text=True)

        states = verify_in_browser(page, filed.url, record, "failed")
        assert states == {**dict.fromkeys(CHECKS, "passed"), "anchored_root": "failed"}
        assert endpoint_states(page) == {rpc: "agreed", liar: "disagreed",
                                         unreachable: "unreachable"}
        expect(page.locator(f'#endpoints li[data-endpoint="{liar}"]')).to_contain_text(
            "do bạn thêm: ✗ không khớp", use_inner_text=True)
        expect(page.locator('#checks li[data-check="anchored_root"] .message')).to_contain_text(
            f"the endpoints disagree: {liar} (LedgerAnchor holds root 0x{LIE}")
        verdict = page.locator("#verdict")
        expect(verdict).to_contain_text(f"Không khớp: {liar}", use_inner_text=True)
        page.get_by_role("button", name="English").click()
        expect(verdict).to_contain_text(f"Disagreed: {liar}", use_inner_text=True)
        expect(verdict).to_contain_text(f"Read from the chain through: {rpc}",
                                        use_inner_text=True)
        expect(page.locator(f'#endpoints li[data-endpoint="{liar}"] .status')).to_have_text(
            "✗ disagreed", use_inner_text=True)
        screenshot(page, "record-lying-endpoint")
        page.set_viewport_size({"width": 360, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.set_viewport_size({"width": 1280, "height": 900})

        page.locator(f'#endpoints li[data-endpoint="{liar}"]').get_by_role(
            "button", name="Remove").click()
        page.get_by_role("button", name="Verify in my browser").click()
        expect(verdict).to_have_attribute("data-verification", "passed", timeout=20_000)
        assert endpoint_states(page) == {rpc: "agreed", unreachable: "unreachable"}
        expect(page.locator('#checks li[data-check="anchored_root"] .message')).to_contain_text(
            f"; unreachable: {unreachable} (", use_inner_text=True)


def test_a_dropped_attachment_is_found_without_uploading_it(filed: Filed, page: Page) -> None:
    page.goto(filed.url + "/verify")
    sent: list[tuple[str, str, bytes | None]] = []
    page.on("request", lambda request: sent.append(
        (request.method, request.url, request.post_data_buffer)))
    transfer = page.evaluate_handle(
        """([name, bytes]) => {
             const transfer = new DataTransfer();
             transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "application/pdf"}));
             return transfer;
           }""",
        ["báo cáo 2024.pdf", list(REPORT_FILE)],
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    result = page.locator("#lookup-result")
    expect(result).to_have_attribute("data-state", "found")
    expect(result.get_by_role("link")).to_have_attribute("href", f"/records/{filed.ids['report']}")
    expect(result).to_contain_text(hashlib.sha256(REPORT_FILE).hexdigest())
    assert [(method, url.removeprefix(filed.url)) for method, url, _ in sent] == [
        ("GET", f"/v1/lookup/sha256/{hashlib.sha256(REPORT_FILE).hexdigest()}")]
    assert all(body is None for _, _, body in sent)
    screenshot(page, "verify-file-found")

    page.get_by_label("Chọn một tệp, hoặc kéo thả tệp vào đây").set_input_files(
        files=[{"name": "other.pdf", "mimeType": "application/pdf", "buffer": b"not filed"}])
    expect(result).to_have_attribute("data-state", "not-found")
    expect(result).to_contain_text("Không có trong sổ cái", use_inner_text=True)

    field = page.get_by_label("Mã hồ sơ (64 chữ số hex)")
    field.fill("0x" + filed.ids["internet_users"].upper())
    field.press("Enter")
    page.wait_for_url(f"{filed.url}/records/{filed.ids['internet_users']}")
    page.goto(filed.url + "/verify")
    page.get_by_label("Mã hồ sơ (64 chữ số hex)").fill("not an id")
    page.get_by_role("button", name="Mở hồ sơ").click()
    expect(page.get_by_role("alert")).to_contain_text("64 chữ số hex", use_inner_text=True)
    unknown = httpx.get(f"{filed.url}/records/{'ab' * 32}")
    assert unknown.status_code == 404
    assert "not in the ledger" in unknown.text
    records = json.loads(httpx.get(f"{filed.url}/v1/log").text)
    assert records["anchored_size"] == len(filed.ids)
