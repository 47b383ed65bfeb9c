"""The public pages in real headless Chromium (/usr/bin/chromium) against the real server.

Each test starts the ledger (`live_server`: uvicorn, SQLite, the embedded chain with the
contracts deployed and the sample operators registered), files genuine signed records through
the API, waits until the chain anchors them, and drives the pages. A JSON-RPC endpoint that
lies is a proxy of the ledger's own endpoint on another loopback port (answering CORS, as a
public node does) that rewrites one answer; a server that lies about a record is the browser's
own request interception, which alters the proof bundle on its way to the page. Screenshots go
to `test-artifacts/web/` (git-ignored); the path is printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
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
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Route,
    expect,
    sync_playwright,
)

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
from tests.server_fixtures import PLANS, SAMPLE, auth, free_port

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
ISSUED = 1_740_000_000
"""2025-02-19: after every 2024 period the figures report on."""
PHU_VANG, HUE, CITY = "478", "474", "46"
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
              value: float, n: int, supersedes: str | None = None,
              counts: tuple[int, int] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"indicator": code, "area": area, "period": period, "value": value,
                            "unit": "%"}
    if counts is not None:
        body["numerator"], body["denominator"] = counts
    return signed(subject=f"indicator:{code}:{area}:{period}", body=body, key=key,
                  domain=domain, issued_at=ISSUED + n, supersedes=supersedes)


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
            domain, active, "bts_shared_ratio", PHU_VANG, "2024-Q3", 27.0, 1, counts=(54, 200)))
        ids["bts_phu_vang"] = submit(client, indicator(
            domain, active, "bts_shared_ratio", PHU_VANG, "2024-Q3", 31.5, 2,
            supersedes=ids["bts_phu_vang_first"], counts=(63, 200)))
        ids["bts_hue_old"] = submit(client, indicator(
            domain, other, "bts_shared_ratio", HUE, "2024-Q2", 35.0, 3, counts=(35, 100)))
        ids["bts_hue"] = submit(client, indicator(
            domain, other, "bts_shared_ratio", HUE, "2024-Q4", 24.0, 4, counts=(24, 100)))
        ids["bts_province"] = submit(client, indicator(
            domain, other, "bts_shared_ratio", CITY, "2024", 28.4, 5, counts=(284, 1000)))
        ids["internet_users"] = submit(client, indicator(
            domain, active, "internet_user_ratio", CITY, "2024", 96.0, 6))
        digest = hashlib.sha256(REPORT_FILE).hexdigest()
        upload = client.put(f"/v1/attachments/{digest}", content=REPORT_FILE,
                            headers={**auth(token), "Content-Type": "application/pdf"})
        assert upload.status_code == 201, upload.text
        attachment = {"sha256": digest, "size": len(REPORT_FILE), "name": "báo cáo 2024.pdf",
                      "type": "application/pdf"}
        ids["report"] = submit(client, signed(
            "report", "report/2", REPORT_SUBJECT, REPORT_BODY, key=active, domain=domain,
            attachments=[attachment], issued_at=ISSUED + 7))
        ids["permit"] = submit(client, signed(
            "permit", "permit/2", PERMIT_SUBJECT, {**PERMIT_BODY, "personal_data": PERSONAL},
            key=active, domain=domain, salt=SALT, issued_at=ISSUED + 8))
        deadline = time.monotonic() + ANCHOR_TIMEOUT
        while True:
            log = client.get("/v1/log").json()
            if log["anchored_size"] == PLANS + len(ids):
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


@contextlib.contextmanager
def watched_page(context: BrowserContext) -> Iterator[Page]:
    """A page of `context`; on leaving, the context is closed and no script error may have
    happened on the page."""
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser.new_context(viewport={"width": 1280, "height": 900})) as opened:
        yield opened


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
    corrected = row(page, "bts_shared_ratio", PHU_VANG).locator('td[data-period="2024-Q3"]')
    expect(corrected.locator(".value")).to_have_text("31,5", use_inner_text=True)
    expect(corrected.locator(".status.met")).to_have_count(1)
    hue = row(page, "bts_shared_ratio", HUE)
    expect(hue.locator('td[data-period="2024-Q4"] .value')).to_have_text("24",
                                                                         use_inner_text=True)
    expect(hue.locator('td[data-period="2024-Q4"] .status.not-met')).to_have_count(1)
    expect(hue.locator('td[data-period="2024-Q3"]')).to_have_text("")
    city = page.locator('article[data-indicator="bts_shared_ratio"] table.history')
    figure = city.locator('tr[data-row="area"] td[data-period="2024"]')
    expect(figure.locator(".value")).to_have_text("28,4\u00a0%", use_inner_text=True)
    expect(figure).to_contain_text("tính theo ratio/1 từ 1 doanh nghiệp", use_inner_text=True)
    declared = city.locator(f'tr[data-declarant="{SAMPLE.other.address}"]')
    expect(declared.locator("th")).to_have_text(SAMPLE.other.name)
    assert declared.get_by_role("link").get_attribute("href") == \
        f"/records/{filed.ids['bts_province']}"
    users = page.locator('article[data-indicator="internet_user_ratio"] table.history')
    expect(users.locator('tr[data-row="area"] td[data-source="none"]')).to_have_count(1)
    expect(users.locator(f'tr[data-declarant="{SAMPLE.active.address}"] .value')).to_have_text(
        "96\u00a0%", use_inner_text=True)
    chart = page.locator('article[data-indicator="bts_shared_ratio"] svg.chart')
    # Each area's history: Huế 2024-Q2 (35, met) and 2024-Q4 (24), Phú Vang 2024-Q3 (31.5, met).
    assert chart.locator("rect.bar").count() == 3
    assert chart.locator("rect.bar.met").count() == 2
    expect(chart.locator("text").filter(has_text="≥30")).to_have_count(1)
    screenshot(page, "home-vi")

    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="BTS sites shared between operators")).to_be_visible()
    expect(page.get_by_role("heading", name="Tỷ lệ dùng chung vị trí trạm BTS")).to_have_count(0)
    expect(corrected.locator(".value")).to_have_text("31.5", use_inner_text=True)
    expect(figure).to_contain_text("computed by ratio/1 from 1 operators", use_inner_text=True)
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("button", name="Tiếng Việt")).to_be_visible()

    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tables = page.locator('article[data-indicator="bts_shared_ratio"] .scroll')
    assert tables.count() == 2  # through time; by district
    for index in range(tables.count()):  # a wide table scrolls in its box, never the page
        assert tables.nth(index).evaluate(
            "element => element.scrollWidth <= element.clientWidth"
            " || getComputedStyle(element).overflowX === 'auto'")
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
    assert str(PERMIT_BODY["location"]["lat"]) not in html  # the subject names the commune only

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

    # Anchored bundles are served from memory, so the lie is told on the wire: the page is
    # given the record's genuine bundle with another value in its body.
    target = filed.ids["bts_hue"]

    def alter_body(route: Route) -> None:
        bundle = route.fetch().json()
        assert bundle["body"]["value"] == 24
        bundle["body"] = {**bundle["body"], "value": 34.0, "numerator": 34}
        route.fulfill(json=bundle)

    page.route(f"**/v1/records/{target}/proof", alter_body)
    states = verify_in_browser(page, filed.url, target, "failed")
    assert states == {**dict.fromkeys(CHECKS, "passed"), "body_content_hash": "failed"}
    failed = page.locator('#checks li[data-check="body_content_hash"]')
    expect(failed.locator(".status")).to_have_text("✗ không đạt", use_inner_text=True)
    expect(failed.locator(".message")).to_contain_text("the entry commits to 0x")
    screenshot(page, "record-altered-body")


def test_a_forged_signature_fails_in_the_browser_at_the_signature_step(filed: Filed,
                                                                      page: Page) -> None:
    """The bundle of a record by one operator is given, on the wire (anchored bundles are
    served from memory), another operator's genuine signature over the same submission: the
    page recovers the other address from it."""
    target = filed.ids["internet_users"]

    def forge(route: Route) -> None:
        bundle = route.fetch().json()
        entry = bundle["entry"]
        assert entry["operator"] == SAMPLE.active.address and entry["supersedes"] is None
        message = SubmissionMessage(
            entry["kind"], entry["schema"], entry["subject"], bytes.fromhex(entry["content"][2:]),
            bytes.fromhex(entry["attachments"][2:]), None, entry["issued_at"])
        bundle["entry"] = {**entry,
                           "signature": sign_submission(SAMPLE.other.key, filed.domain, message)}
        route.fulfill(json=bundle)

    page.route(f"**/v1/records/{target}/proof", forge)
    states = verify_in_browser(page, filed.url, target, "failed")
    # The signature is part of the leaf: the leaf hash and the inclusion proof break with it.
    assert states == {**dict.fromkeys(CHECKS, "passed"), "signature": "failed",
                      "leaf_hash": "failed", "inclusion": "failed"}
    failed = page.locator('#checks li[data-check="signature"]')
    expect(failed.locator(".status")).to_have_text("✗ không đạt", use_inner_text=True)
    expect(failed.locator(".message")).to_contain_text(
        f"the signature recovers {SAMPLE.other.address}, the entry names "
        f"{SAMPLE.active.address} as its signer")
    expect(failed.locator(".message")).to_have_text(
        f"chữ ký khôi phục ra {SAMPLE.other.address}, người ký ghi trong bản ghi là "
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
    assert records["anchored_size"] == PLANS + len(filed.ids)
