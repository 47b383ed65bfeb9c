"""Every public page against WCAG 2.2 levels A and AA with axe-core, and against sideways
scrolling, in real headless Chromium against the real server (records filed through the API and
anchored: the fixtures of `tests.web.test_pages`).

Each page is audited as a visitor meets it at 390 px (a phone) and at 1280 px (a desktop), in
Vietnamese and then in English (switched with the page's own button), including the states
scripts draw: a record page after "Verify in my browser", the lookup page after a file was
hashed and after a wrong id. axe-core is the pinned npm package (package.json), read from
node_modules and evaluated in the page by the test: the app never serves it. `/docs` (the
bundled Swagger UI, in one language) is audited at both widths as it opens and with an
operation expanded.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from filings.areas import load_areas
from tests.filings.factories import signed
from tests.server_fixtures import SAMPLE
from tests.web.test_pages import (  # noqa: F401 (fixtures)
    ANCHOR_TIMEOUT,
    REPORT_FILE,
    Filed,
    browser,
    filed,
    submit,
)

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
WIDTHS: dict[str, ViewportSize] = {"phone": {"width": 390, "height": 844},
                                   "desktop": {"width": 1280, "height": 900}}
VERIFY_BUTTON = "Kiểm tra trong trình duyệt của tôi"
SIGNED = 1_767_300_000
"""2026-01-01, after the second half of 2025."""


@dataclass(frozen=True)
class Visit:
    """A page state to audit: its name, its path, and what to do once it has loaded."""

    name: str
    path: str
    then: Callable[[Page], None] = lambda page: None


def verified(page: Page) -> None:
    page.get_by_role("button", name=VERIFY_BUTTON).click()
    expect(page.locator("#verdict")).to_have_attribute("data-verification", "passed",
                                                       timeout=20_000)


def file_looked_up(page: Page) -> None:
    page.locator("#file").set_input_files(files=[{
        "name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": REPORT_FILE}])
    expect(page.locator("#lookup-result")).to_contain_text(
        hashlib.sha256(REPORT_FILE).hexdigest()[:16], timeout=10_000)


def visits(filed: Filed) -> list[Visit]:  # noqa: F811 (not the fixture)
    """Every page, and the states its scripts draw."""
    plan = httpx.get(f"{filed.url}/v1/plans", timeout=30).json()["plans"][0]["record_id"]
    found = [
        Visit("home", "/"),
        Visit("record-figure", f"/records/{filed.ids['bts_province']}"),
        Visit("record-figure-verified", f"/records/{filed.ids['bts_phu_vang']}", verified),
        Visit("record-report", f"/records/{filed.ids['report']}"),
        Visit("record-permit-restricted", f"/records/{filed.ids['permit']}"),
        Visit("record-plan", f"/records/{plan}"),
        Visit("verify", "/verify"),
        Visit("verify-file", "/verify", file_looked_up),
        Visit("verify-bad-id", "/verify?id=12345"),
        Visit("verify-unknown-id", "/verify?id=" + "ab" * 32),
        Visit("not-found", "/no/such/page"),
        Visit("report", "/reports/2024"),
    ]
    if httpx.get(f"{filed.url}/map", timeout=30).status_code == 200:
        found.append(Visit("map", "/map"))
    return found


def in_language(page: Page, language: str) -> None:
    """Switch the page to `language` with its own button (the page starts in Vietnamese)."""
    if page.locator("html").get_attribute("lang") != language:
        page.locator("#lang-toggle").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG A and AA violations on the page as it is now, each with its nodes."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const found = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                   resultTypes: ["violations"]});
            return found.violations.map((rule) => ({
                id: rule.id, impact: rule.impact, help: rule.help,
                nodes: rule.nodes.slice(0, 5).map((node) => node.target.join(" ")
                                                        + " :: " + node.failureSummary)}));
        }""", WCAG_TAGS)
    return result


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling). The
    layout viewport's width, not `innerWidth`: on a phone the browser zooms out to a page wider
    than the screen, and `innerWidth` grows with it."""
    width: int = page.evaluate(
        "document.scrollingElement.scrollWidth - document.documentElement.clientWidth")
    return width


@pytest.fixture(params=list(WIDTHS))
def visitor(request: pytest.FixtureRequest, browser: Browser  # noqa: F811 (the fixture)
            ) -> Iterator[tuple[str, Page]]:
    """A Vietnamese visitor's page at one width (phone: touch); no script error may happen."""
    phone = request.param == "phone"
    context = browser.new_context(viewport=WIDTHS[request.param], locale="vi-VN",
                                  is_mobile=phone, has_touch=phone)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield request.param, page
    context.close()
    assert not errors, errors


def test_every_page_has_no_wcag_violation_in_either_language(
        filed: Filed, visitor: tuple[str, Page]) -> None:  # noqa: F811 (the fixture)
    width, page = visitor
    found: dict[str, list[dict[str, Any]]] = {}
    for visit in visits(filed):
        page.goto(filed.url + visit.path)
        visit.then(page)
        for language in ("vi", "en"):
            in_language(page, language)
            violations = axe_violations(page)
            if violations:
                found[f"{visit.name} {width} {language}"] = violations
        in_language(page, "vi")
    assert found == {}, found


def test_the_api_reference_has_no_wcag_violation(live_server: str, browser: Browser  # noqa: F811
                                                 ) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    errors: list[str] = []
    for width, viewport in WIDTHS.items():
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(live_server + "/docs")
        operation = page.locator(".opblock-summary-control").first
        expect(operation).to_be_visible(timeout=20_000)
        for state in ("opened", "operation-expanded"):
            if state == "operation-expanded":
                operation.click()
                expect(page.locator(".opblock-body").first).to_be_visible()
            violations = axe_violations(page)
            if violations:
                found[f"docs {state} {width}"] = violations
        context.close()
    assert errors == [], errors
    assert found == {}, found


def test_no_page_scrolls_sideways_on_a_phone(filed: Filed, browser: Browser  # noqa: F811
                                             ) -> None:
    context = browser.new_context(viewport=WIDTHS["phone"], locale="vi-VN", is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    wider: dict[str, int] = {}
    for visit in visits(filed):
        page.goto(filed.url + visit.path)
        visit.then(page)
        for language in ("vi", "en"):
            in_language(page, language)
            if overflow(page) > 0:
                wider[f"{visit.name} {language}"] = overflow(page)
        in_language(page, "vi")
    page.goto(filed.url + "/docs")  # the API reference: one language, no switch
    expect(page.get_by_text("/v1/submissions").first).to_be_visible(timeout=20_000)
    if overflow(page) > 0:
        wider["docs"] = overflow(page)
    context.close()
    assert wider == {}, wider


def test_forty_units_without_a_figure_are_one_line_on_a_phone(
        filed: Filed, browser: Browser) -> None:  # noqa: F811 (the fixture)
    """An operator declares a percentage without its counts for each of the 40 commune-level
    units: none can be shown, so the breakdown is one folded line, not forty rows of dashes."""
    day = date(2025, 12, 31)
    communes = sorted(area.code for area in load_areas().areas.values()
                      if area.level == "commune" and area.valid_on(day))
    assert len(communes) == 40
    with httpx.Client(base_url=filed.url, timeout=30) as client:
        for n, code in enumerate(communes):
            submit(client, signed(
                subject=f"indicator:bts_shared_ratio:{code}:2025-H2", key=SAMPLE.active.key,
                body={"indicator": "bts_shared_ratio", "area": code, "period": "2025-H2",
                      "value": 30.0, "unit": "%"}, domain=filed.domain, issued_at=SIGNED + n))
        wanted = client.get("/v1/log").json()["tree_size"]
        deadline = time.monotonic() + ANCHOR_TIMEOUT
        while client.get("/v1/log").json()["anchored_size"] < wanted:
            assert time.monotonic() < deadline, "not anchored in time"
            time.sleep(0.1)
    context = browser.new_context(viewport=WIDTHS["phone"], locale="vi-VN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.goto(filed.url + "/")
    article = page.locator('article[data-indicator="bts_shared_ratio"]')
    expect(article.locator('table.areas[data-level="commune"]')).to_have_count(0)
    folded = article.locator('details.empty-areas[data-empty="40"]')
    expect(folded).to_have_count(1)
    expect(folded.locator("summary")).to_contain_text("40 đơn vị", use_inner_text=True)
    box = folded.bounding_box()
    assert box is not None and box["height"] < 100, box
    folded.locator("summary").click()
    assert overflow(page) <= 0
    assert axe_violations(page) == []
    context.close()
