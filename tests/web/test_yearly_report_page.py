"""The yearly report's page (`/reports/{year}`) in real headless Chromium against the real
server, figures filed and anchored as the other page tests file them (`tests.web.test_pages`):
at 390 px (a phone) and 1280 px, in Vietnamese and in English (switched with the page's own
button), it has no WCAG 2.2 A or AA violation by axe-core and does not scroll sideways; it
shows the figures with their QR codes and record links, the chart, and its downloads."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.web.test_accessibility import WIDTHS, axe_violations, in_language, overflow
from tests.web.test_pages import Filed, browser, filed  # noqa: F401 (fixtures)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_report_page_is_accessible_and_fits_a_phone(
        filed: Filed, browser: Browser, width: str) -> None:  # noqa: F811 (the fixtures)
    phone = width == "phone"
    context = browser.new_context(viewport=WIDTHS[width], locale="vi-VN", is_mobile=phone,
                                  has_touch=phone)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(filed.url + "/reports/2024")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_contain_text("Báo cáo kết quả thực hiện kế hoạch")
    figure = page.locator(f'tr[data-record="{filed.ids["bts_province"]}"]')
    expect(figure).to_contain_text("28,4")
    expect(figure.locator("svg.qr")).to_have_count(1)
    expect(figure.locator("a.proof")).to_have_attribute(
        "href", f"/records/{filed.ids['bts_province']}")
    expect(page.locator('[data-indicator="bts_shared_ratio"] svg.chart')).to_have_count(1)
    size = page.locator("article").get_attribute("data-checkpoint")
    expect(page.locator('a[data-pdf="vi"]')).to_have_attribute(
        "href", f"/reports/2024.pdf?size={size}")
    found, wider = {}, {}
    for language in ("vi", "en"):
        in_language(page, language)
        violations = axe_violations(page)
        if violations:
            found[language] = violations
        if overflow(page) > 0:
            wider[language] = overflow(page)
    context.close()
    assert errors == [], errors
    assert found == {}, found
    assert wider == {}, wider
