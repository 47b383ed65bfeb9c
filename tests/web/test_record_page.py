"""The record page as a citizen reads it: on a phone (390 px wide), in Vietnamese, in real
headless Chromium against the real server (the fixtures of `tests.web.test_pages`: records filed
through the API and anchored). The heading says what the record is in words, the signer is named,
numbers are written the Vietnamese way, attachments can be downloaded, nothing scrolls sideways;
an unknown page is an HTML 404 while an unknown API path stays JSON. A record signed with an
organisation certificate names the organisation and its CA; one signed with a CA certificate
only says so, and its browser verification does not pass the EIP-712 check it has none for.
Screenshots go to `test-artifacts/web/`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.app import create_app
from api.http.security import PAGE_POLICY
from api.serving import ServerThread
from api.settings import Settings
from api.web import wording
from filings.bindings import binding_subject
from filings.periods import VIETNAM_TIME
from filings.signatures import sign_detached
from filings.signing import SubmissionDomain, sign_attachment
from tests.api.test_ca_signatures import (
    OPERATOR,
    cms_bytes,
    report,
    tsa_transport,
)
from tests.filings.factories import ISSUED_AT, PERMIT_BODY, REPORT_BODY, as_json, signed
from tests.filings.signatures.pki import MST_A, TestPki
from tests.filings.signatures.services import PkiServices
from tests.server_fixtures import SAMPLE, ca_settings, registrar_key
from tests.web.test_pages import (  # noqa: F401 (fixtures)
    ANCHOR_TIMEOUT,
    ARTIFACTS,
    CHECKS,
    ISSUED,
    PERSONAL,
    REPORT_FILE,
    Filed,
    browser,
    filed,
    screenshot,
    submit,
    watched_page,
)

PHONE = {"width": 390, "height": 844}
DEPARTMENT = "Sở Khoa học và Công nghệ thành phố Huế"


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:  # noqa: F811 (the imported fixture)
    """A phone-sized page (390 x 844, touch, Vietnamese); no script error may happen on it."""
    with watched_page(browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                          device_scale_factor=2, locale="vi-VN")) as opened:
        yield opened


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

    with httpx.Client(base_url=filed.url, timeout=30) as http:
        public = submit(http, signed(
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


def signatures_section(html: str) -> str:
    """The text of the record page's list of signatures, tags and spaces collapsed."""
    found = re.search(r'<ul class="signatures" id="signatures">(.*?)</ul>', html, re.S)
    assert found is not None, "the page lists no signatures"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.fixture
def ca_client(ledger_settings: Settings, pki: TestPki, tmp_path: Path
              ) -> Iterator[httpx.Client]:
    """A client of the app with CA signatures on and the test PKI's root pinned, served on
    127.0.0.1, neither checkpointing nor anchoring."""
    settings = ca_settings(ledger_settings, pki, tmp_path).model_copy(update={
        "checkpoint_interval": 3600.0, "anchor_interval": 3600.0})
    with ServerThread(create_app(settings)) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        yield client


@pytest.fixture
def anchoring_ca_url(ledger_settings: Settings, pki: TestPki, tmp_path: Path
                     ) -> Iterator[str]:
    """The URL of the app of `ca_client` checkpointing and anchoring as it goes, as a record
    page's browser verification needs."""
    with ServerThread(create_app(ca_settings(ledger_settings, pki, tmp_path))) as url:
        yield url


def file_binding(client: httpx.Client, settings: Settings, domain: SubmissionDomain) -> str:
    """The department's binding of `OPERATOR` to the organisation of tax code `MST_A`, filed;
    its record id."""
    binding = signed("binding", "binding/1", binding_subject(OPERATOR.address),
                     {"operator": OPERATOR.address, "organisation": "VNPT Thừa Thiên Huế",
                      "tax_code": MST_A, "fingerprints": []},
                     key=registrar_key(settings), domain=domain, issued_at=ISSUED_AT - 3600)
    bound = client.post("/v1/submissions", content=as_json(binding))
    assert bound.status_code == 202, bound.text
    record_id: str = bound.json()["results"][0]["record_id"]
    return record_id


def cms_evidence(client: httpx.Client, domain: SubmissionDomain, pki: TestPki,
                 services: PkiServices) -> dict[str, Any]:
    """A CAdES-T signature by the PKI's organisation certificate over the fields of the report
    `report(domain, [])`, its evidence document made by the ledger; the document as listed."""
    with ThreadPoolExecutor(1) as apart:  # off the thread whose event loop Playwright holds
        der = apart.submit(sign_detached, cms_bytes(domain, []), pki.operators["rsa"].key,
                           pki.operators["rsa"].cert, [pki.ca.cert], services.urls.tsa,
                           transport=tsa_transport()).result()
    evidence = client.post("/v1/signatures/evidence",
                           json={"cms": base64.b64encode(der).decode()},
                           headers={"X-Operator-Signature": sign_attachment(
                               OPERATOR.key, hashlib.sha256(der).hexdigest())})
    assert evidence.status_code == 201, evidence.text
    return {key: evidence.json()[key] for key in ("sha256", "size", "name", "type")}


def test_a_cms_signed_record_shows_its_signer_organisation_and_ca(
        ca_client: httpx.Client, ledger_settings: Settings, ledger_domain: SubmissionDomain,
        pki: TestPki, services: PkiServices) -> None:
    """A report carrying a CAdES-T signature by an organisation certificate of the test PKI (its
    OCSP responder, CRLs and time-stamper live on 127.0.0.1): its page names the organisation,
    its tax code, the CA, the signing time in Vietnam time and the result, in both languages;
    the department's binding record labels the registry check as the registrar's role."""
    client = ca_client
    binding = file_binding(client, ledger_settings, ledger_domain)
    listed = cms_evidence(client, ledger_domain, pki, services)
    answer = client.post("/v1/submissions", content=as_json(report(ledger_domain, [listed])))
    assert answer.status_code == 202, answer.text
    record_id = answer.json()["results"][0]["record_id"]
    api = client.get(f"/v1/records/{record_id}").json()
    cms = next(item for item in api["signatures"] if item["format"] == "cms")

    page = client.get(f"/records/{record_id}")
    assert page.status_code == 200
    shown = signatures_section(page.text)
    assert "Chữ ký số CMS (CAdES) bằng chứng thư số của tổ chức" in shown
    assert "CMS (CAdES) digital signature with an organisation certificate" in shown
    assert "Tổ chức ký Signing organisation Công ty Viễn thông Thử nghiệm" in shown
    assert f"Mã số thuế Tax code {MST_A}" in shown
    assert "Test Public CA JSC" in shown and cms["serial"] in shown
    signed_at = int(datetime.fromisoformat(cms["signed_at"]).timestamp())
    vietnam = datetime.fromtimestamp(signed_at, VIETNAM_TIME)
    assert vietnam.strftime("%H:%M:%S ngày %d/%m/%Y") + " (giờ Việt Nam)" in shown
    assert vietnam.strftime("%Y-%m-%d %H:%M:%S") + " Việt Nam time (UTC+7)" in shown
    assert shown.count("✓ Hợp lệ Valid") == 2  # the EIP-712 and the CMS signature
    assert 'data-format="cms" data-status="valid"' in page.text
    assert 'id="ca-only"' not in page.text and 'id="verify-command"' not in page.text

    binding_page = client.get(f"/records/{binding}").text
    assert "Signer holds REGISTRAR_ROLE in the OperatorRegistry at the anchor&#39;s block" in \
        binding_page
    assert "Operator active in the OperatorRegistry" not in binding_page
    assert "Operator active in the OperatorRegistry" in page.text


def anchored(client: httpx.Client) -> None:
    """Wait until every record of the log is anchored."""
    wanted = client.get("/v1/log").json()["tree_size"]
    deadline = time.monotonic() + ANCHOR_TIMEOUT
    while client.get("/v1/log").json()["anchored_size"] < wanted:
        assert time.monotonic() < deadline, "not anchored in time"
        time.sleep(0.1)


def test_a_record_signed_with_a_ca_certificate_only_says_so_and_no_eip712_pass_is_claimed(
        anchoring_ca_url: str, ledger_settings: Settings, ledger_domain: SubmissionDomain,
        pki: TestPki, services: PkiServices, phone: Page) -> None:
    """A report whose only signature is a CMS by an organisation certificate (`"signature":
    null`): on a phone, in Vietnamese, its page says it is signed with a CA certificate only,
    names the organisation, the CA, the serial and the signing time as the ledger's
    `signatures` reports them, and says the browser does not check CMS signatures while
    `infraledger-verify record` does; the browser's checks run, the EIP-712 one is not checked,
    and the verdict is not a pass; the same in English."""
    with httpx.Client(base_url=anchoring_ca_url, timeout=60) as client:
        file_binding(client, ledger_settings, ledger_domain)
        listed = cms_evidence(client, ledger_domain, pki, services)
        ca_only = {**report(ledger_domain, [listed]), "signature": None}
        answer = client.post("/v1/submissions", content=as_json(ca_only))
        assert answer.status_code == 202, answer.text
        record_id = answer.json()["results"][0]["record_id"]
        api = client.get(f"/v1/records/{record_id}").json()
        anchored(client)
    assert api["entry"]["signature"] is None
    (cms,) = api["signatures"]
    assert cms["format"] == "cms" and cms["status"] == "valid"

    phone.goto(f"{anchoring_ca_url}/records/{record_id}")
    expect(phone.locator("#ca-only")).to_have_text(wording.VI["record.ca_only"],
                                                   use_inner_text=True)
    above_the_fold(phone, "#ca-only")
    signatures = phone.locator("#signatures > li")
    expect(signatures).to_have_count(1)
    item = phone.locator('#signatures > li[data-format="cms"][data-status="valid"]')
    expect(item.locator("h3")).to_have_text(wording.VI["signature.format_cms"],
                                            use_inner_text=True)
    expect(item.locator(".signer")).to_have_text("Công ty Viễn thông Thử nghiệm",
                                                 use_inner_text=True)
    expect(item.locator(".issuer")).to_have_text("Test Public CA JSC", use_inner_text=True)
    expect(item).to_contain_text(f"{wording.VI['signature.serial']}\n{cms['serial']}",
                                 use_inner_text=True)
    signed_at = datetime.fromtimestamp(
        int(datetime.fromisoformat(cms["signed_at"]).timestamp()), VIETNAM_TIME)
    expect(item.locator(".signed-at")).to_have_text(
        signed_at.strftime("%H:%M:%S ngày %d/%m/%Y") + " (giờ Việt Nam)", use_inner_text=True)
    expect(item.locator(".tax-code")).to_have_text(MST_A)
    note = phone.locator("#ca-only-check")
    expect(note).to_contain_text(wording.VI["record.ca_only_browser"], use_inner_text=True)
    command = f"infraledger-verify record {record_id} --ledger {ledger_settings.public_base_url()}"
    expect(phone.locator("#verify-command")).to_have_text(command)
    entry = phone.locator("#entry-heading + dl.fields")
    expect(entry).to_contain_text(f"{wording.VI['record.eip_712_signature']}\n"
                                  f"{wording.VI['record.no_eip712_signature']}",
                                  use_inner_text=True)
    no_sideways_scroll(phone)
    fold(phone, "record-ca-only-vi-390px-fold")

    phone.get_by_role("button", name=wording.VI["record.verify_my_browser"]).click()
    verdict = phone.locator("#verdict")
    expect(verdict).to_have_attribute("data-verification", "incomplete", timeout=20_000)
    for name in CHECKS:
        expect(phone.locator(f'#checks li[data-check="{name}"]')).to_have_attribute(
            "data-status", "not-checked" if name == "signature" else "passed")
    signature = phone.locator('#checks li[data-check="signature"]')
    expect(signature.locator(".status")).to_have_text(wording.VI["browser.check_not_checked"],
                                                      use_inner_text=True)
    expect(signature.locator(".message")).to_have_text(wording.VI["proof.signature_ca_only"],
                                                       use_inner_text=True)
    expect(verdict.locator("p").first).to_have_text(wording.page_text(
        "browser.verdict_incomplete", passed=7, total=8, not_checked=1)[0], use_inner_text=True)
    expect(verdict.locator('[data-step="signature"]')).to_have_attribute("data-status",
                                                                         "not-checked")
    expect(verdict.locator('[data-status="passed"][data-step="signature"]')).to_have_count(0)
    no_sideways_scroll(phone)
    screenshot(phone, "record-ca-only-verified-vi-390px")

    phone.get_by_role("button", name="English").click()
    expect(phone.locator("#ca-only")).to_have_text(wording.EN["record.ca_only"],
                                                   use_inner_text=True)
    expect(note).to_contain_text(wording.EN["record.ca_only_browser"], use_inner_text=True)
    expect(item.locator(".signed-at")).to_have_text(
        signed_at.strftime("%Y-%m-%d %H:%M:%S") + " Việt Nam time (UTC+7)", use_inner_text=True)
    expect(signature.locator(".message")).to_have_text(wording.EN["proof.signature_ca_only"],
                                                       use_inner_text=True)
    expect(verdict.locator("p").first).to_have_text(wording.page_text(
        "browser.verdict_incomplete", passed=7, total=8, not_checked=1)[1], use_inner_text=True)
    no_sideways_scroll(phone)
