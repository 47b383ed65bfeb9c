"""The record page as a citizen reads it: on a phone (390 px wide), in Vietnamese, in real
headless Chromium against the real server (the fixtures of `tests.web.test_pages`: records filed
through the API and anchored). The heading says what the record is in words, the signer is named,
numbers are written the Vietnamese way, attachments can be downloaded, nothing scrolls sideways;
an unknown page is an HTML 404 while an unknown API path stays JSON. Screenshots go to
`test-artifacts/web/`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.http.security import PAGE_POLICY
from tests.filings.factories import PERMIT_BODY, REPORT_BODY, signed
from tests.server_fixtures import SAMPLE
from tests.web.test_pages import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    ISSUED,
    PERSONAL,
    REPORT_FILE,
    Filed,
    browser,
    filed,
    screenshot,
    submit,
)

PHONE = {"width": 390, "height": 844}
DEPARTMENT = "Sở Khoa học và Công nghệ thành phố Huế"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811 (the imported fixture)
    """A phone-sized page (390 x 844, touch, Vietnamese); no script error may happen on it."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="vi-VN")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def fold(page: Page, name: str) -> None:
    """Save what the phone shows before any scrolling, under test-artifacts/web/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")


def above_the_fold(page: Page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], (selector, box)


def test_a_figure_reads_as_a_sentence_with_its_value_and_target(filed: Filed,  # noqa: F811
                                                               phone: Page) -> None:
    record = filed.ids["bts_province"]
    phone.goto(f"{filed.url}/records/{record}")
    assert phone.locator("html").get_attribute("lang") == "vi"
    heading = phone.get_by_role("heading", level=1)
    expect(heading).to_have_text(
        "Tỷ lệ dùng chung vị trí trạm BTS · Tỉnh Thừa Thiên Huế · Năm 2024", use_inner_text=True)
    figure = phone.locator("#figure")
    expect(figure.locator(".value")).to_have_text("28,4\u00a0%", use_inner_text=True)
    expect(figure).to_contain_text("mục tiêu ≥ 30\u00a0%", use_inner_text=True)
    expect(figure.locator(".status.not-met")).to_have_text("✗ Chưa đạt", use_inner_text=True)
    expect(phone.locator(".record-head .kind")).to_contain_text("Số liệu chỉ tiêu indicator/2",
                                                                use_inner_text=True)
    signer = phone.locator("#signer")
    expect(signer.locator("strong")).to_have_text(SAMPLE.other.name, use_inner_text=True)
    expect(signer.locator(".address")).to_have_text(SAMPLE.other.address)
    for selector in ("#record-title", "#figure", "#signer"):
        above_the_fold(phone, selector)
    record_id = phone.locator("#record-id")
    expect(record_id).to_have_text(record)
    assert record_id.evaluate("element => getComputedStyle(element).overflowWrap") == "anywhere"
    expect(phone.locator(".counts")).to_contain_text("284 / 1.000", use_inner_text=True)
    raw = phone.locator("#body")
    expect(raw).to_be_hidden()  # the signed JSON is there, folded away
    assert json.loads(raw.text_content() or "")["value"] == 28.4
    expect(phone.get_by_role("button", name="Kiểm tra trong trình duyệt của tôi")).to_be_visible()
    for name in ("#verdict", "#checks li[data-check]", "#endpoints", "#pinned"):
        assert phone.locator(name).count() >= 1, name
    no_sideways_scroll(phone)
    screenshot(phone, "record-figure-vi-390px")
    fold(phone, "record-figure-vi-390px-fold")

    phone.get_by_role("button", name="English").click()
    expect(heading).to_have_text(
        "BTS sites shared between operators · Thừa Thiên Huế Province · 2024",
        use_inner_text=True)
    expect(figure.locator(".value")).to_have_text("28.4\u00a0%", use_inner_text=True)
    expect(figure).to_contain_text("target ≥ 30\u00a0%", use_inner_text=True)
    expect(phone.locator(".counts")).to_contain_text("284 / 1,000", use_inner_text=True)
    no_sideways_scroll(phone)
    phone.get_by_role("button", name="Tiếng Việt").click()

    phone.goto(f"{filed.url}/records/{filed.ids['bts_phu_vang']}")
    expect(heading).to_have_text("Tỷ lệ dùng chung vị trí trạm BTS · Huyện Phú Vang · Quý III/2024",
                                 use_inner_text=True)
    expect(figure.locator(".value")).to_have_text("31,5\u00a0%", use_inner_text=True)
    expect(figure.locator(".status.met")).to_have_text("✓ Đạt", use_inner_text=True)
    expect(signer.locator("strong")).to_have_text(SAMPLE.active.name, use_inner_text=True)
    no_sideways_scroll(phone)

    states = phone.get_by_role("button", name="Kiểm tra trong trình duyệt của tôi")
    states.click()
    expect(phone.locator("#verdict")).to_have_attribute("data-verification", "passed",
                                                        timeout=20_000)
    no_sideways_scroll(phone)
    screenshot(phone, "record-figure-verified-vi-390px")


def test_a_report_a_permit_and_a_plan_read_in_words(filed: Filed,  # noqa: F811
                                                    phone: Page) -> None:
    digest = hashlib.sha256(REPORT_FILE).hexdigest()
    phone.goto(f"{filed.url}/records/{filed.ids['report']}")
    heading = phone.get_by_role("heading", level=1)
    expect(heading).to_have_text(REPORT_BODY["title"], use_inner_text=True)
    expect(phone.locator(".record-head .kind")).to_contain_text("Báo cáo", use_inner_text=True)
    expect(phone.locator("dl.summary")).to_contain_text("Năm 2024", use_inner_text=True)
    quoted = phone.locator("table.quoted tbody tr")
    expect(quoted).to_have_count(2)
    expect(quoted.first).to_have_text(
        "Tỷ lệ dùng chung vị trí trạm BTS\tTỉnh Thừa Thiên Huế\t28,4\u00a0%", use_inner_text=True)
    expect(quoted.nth(1).locator("td.num")).to_have_text("91\u00a0%", use_inner_text=True)
    expect(phone.locator("#body")).to_be_hidden()
    assert json.loads(phone.locator("#body").text_content() or "") == REPORT_BODY
    attachment = phone.locator(f'ul.attachments li[data-sha256="{digest}"]')
    expect(attachment).to_contain_text("báo cáo 2024.pdf · 2,1\u00a0kB · application/pdf",
                                       use_inner_text=True)
    download = attachment.get_by_role("link", name="Tải về báo cáo 2024.pdf")
    expect(download).to_have_attribute("href", f"/v1/attachments/{digest}")
    served = httpx.get(f"{filed.url}/v1/attachments/{digest}")
    assert served.status_code == 200 and served.content == REPORT_FILE
    assert served.headers["content-disposition"].startswith("attachment")
    with phone.expect_download() as started:
        download.click()
    saved = started.value.path()  # the server names the file by its hash (Content-Disposition)
    assert saved.read_bytes() == REPORT_FILE
    no_sideways_scroll(phone)
    screenshot(phone, "record-report-vi-390px")
    fold(phone, "record-report-vi-390px-fold")
    phone.get_by_text("Nội dung gốc (JSON đã ký)").click()
    expect(phone.locator("#body")).to_be_visible()
    no_sideways_scroll(phone)  # the JSON scrolls in its box, not the page

    phone.goto(f"{filed.url}/records/{filed.ids['permit']}")
    expect(heading).to_have_text("Giấy phép 125/GP-STTTT · Xã Lộc Tiến", use_inner_text=True)
    expect(phone.locator("#body")).to_have_count(0)
    expect(phone.locator("#main")).to_contain_text("không công khai", use_inner_text=True)
    html = phone.content()
    assert PERSONAL["name"] not in html and str(PERMIT_BODY["location"]["lat"]) not in html
    no_sideways_scroll(phone)
    screenshot(phone, "record-permit-restricted-vi-390px")
    fold(phone, "record-permit-restricted-vi-390px-fold")

    with httpx.Client(base_url=filed.url, timeout=30) as client:
        public = submit(client, signed(
            "permit", "permit/2", "permit:20152:126/GP-STTTT",
            {**PERMIT_BODY, "number": "126/GP-STTTT"}, key=SAMPLE.active.key,
            domain=filed.domain, issued_at=ISSUED + 20))
    phone.goto(f"{filed.url}/records/{public}")
    expect(heading).to_have_text(
        "Giấy phép 126/GP-STTTT · Trạm thu phát sóng di động (BTS) · Xã Lộc Tiến",
        use_inner_text=True)
    summary = phone.locator("dl.summary")
    expect(summary).to_contain_text("từ 15/01/2024 đến 14/01/2034", use_inner_text=True)
    expect(summary).to_contain_text(f"{SAMPLE.active.name}, {SAMPLE.other.name}",
                                    use_inner_text=True)
    expect(summary).to_contain_text("16,2745; 107,9312", use_inner_text=True)
    no_sideways_scroll(phone)
    screenshot(phone, "record-permit-vi-390px")
    fold(phone, "record-permit-vi-390px-fold")

    plan = httpx.get(f"{filed.url}/v1/plans").json()["plans"][0]["record_id"]
    phone.goto(f"{filed.url}/records/{plan}")
    expect(heading).to_have_text(
        "Kế hoạch 254/KH-UBND · Phát triển hạ tầng số trên địa bàn tỉnh Thừa Thiên Huế giai "
        "đoạn 2023-2025", use_inner_text=True)
    expect(phone.locator("#signer strong")).to_have_text(DEPARTMENT, use_inner_text=True)
    expect(phone.locator("dl.summary")).to_contain_text("từ 01/01/2023 đến 31/12/2025",
                                                        use_inner_text=True)
    no_sideways_scroll(phone)
    screenshot(phone, "record-plan-vi-390px")
    fold(phone, "record-plan-vi-390px-fold")
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("#signer strong")).to_have_text(
        "Huế City Department of Science and Technology", use_inner_text=True)
    expect(heading).to_contain_text("Plan 254/KH-UBND · Digital infrastructure development",
                                    use_inner_text=True)
    no_sideways_scroll(phone)
    # The department signs plans: the page checks REGISTRAR_ROLE at the anchor's block, not the
    # operator registry the department's key is not in.
    phone.get_by_role("button", name="Verify in my browser").click()
    expect(phone.locator("#verdict")).to_have_attribute("data-verification", "passed",
                                                        timeout=20_000)


def test_an_unknown_page_is_an_html_404_and_an_unknown_api_path_stays_json(
        live_server: str, phone: Page) -> None:
    answer = phone.goto(f"{live_server}/nothing")
    assert answer is not None and answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["content-security-policy"] == PAGE_POLICY
    expect(phone.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang này",
                                                               use_inner_text=True)
    expect(phone.get_by_role("link", name="Tìm một hồ sơ theo mã hoặc theo tệp")).to_have_attribute(
        "href", "/verify")
    no_sideways_scroll(phone)
    screenshot(phone, "not-found-vi-390px")
    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Page not found",
                                                               use_inner_text=True)

    browser_accept = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path in ("/v1/nothing", "/v1/records/" + "0" * 64, "/tlog/nothing"):
        api = httpx.get(live_server + path, headers=browser_accept)
        assert api.status_code == 404, path
        assert api.headers["content-type"].startswith("application/json"), path
        assert set(api.json()) >= {"code", "message"} and api.json()["code"] == "not_found"
    machine = httpx.get(f"{live_server}/nothing")  # no text/html asked for: JSON
    assert machine.status_code == 404 and machine.json()["code"] == "not_found"
