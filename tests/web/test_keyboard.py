"""The verification flows by keyboard alone, in real headless Chromium against the real server
(records filed through the API and anchored: the fixtures of `tests.web.test_pages`), at 390 px
(a phone-wide window) and 1280 px.

Only `Tab`, `Shift+Tab`, `Enter`, `Space` and typed text drive the pages: the skip link, the
record page's "Verify in my browser", adding and removing a chain endpoint, the verify page's
record-id form and its file control. Every element that takes focus on the way must show it (a
computed outline or box shadow), and inside the main content once the skip link was followed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, FileChooser, Page, ViewportSize, expect

from tests.server_fixtures import free_port
from tests.web.test_pages import (  # noqa: F401 (fixtures)
    CHECKS,
    REPORT_FILE,
    Filed,
    browser,
    filed,
    watched_page,
)

WIDTHS: dict[str, ViewportSize] = {"390px": {"width": 390, "height": 844},
                                   "1280px": {"width": 1280, "height": 900}}
MOST_TABS = 40
"""More stops than any page has between the skip link's target and the control sought."""
FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return {
        tag: element.tagName.toLowerCase(), id: element.id, text: element.textContent.trim(),
        outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== "none",
        on_screen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
            && box.top < innerHeight && box.left < innerWidth,
        in_main: document.getElementById("main").contains(element),
    };
}"""


@pytest.fixture(params=list(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Browser  # noqa: F811 (the fixture)
         ) -> Iterator[Page]:
    """A Vietnamese visitor's page at one width; no script error may happen."""
    with watched_page(browser.new_context(viewport=WIDTHS[request.param], locale="vi-VN")
                      ) as opened:
        yield opened


def focused(page: Page) -> dict[str, Any]:
    """The focused element: tag, id, text, whether it shows focus, is on screen, is in main."""
    found: dict[str, Any] = page.evaluate(FOCUSED)
    return found


def assert_shows_focus(page: Page) -> dict[str, Any]:
    """The focused element, which must be drawn with a focus indicator, on screen."""
    now = focused(page)
    assert now["outline"] or now["shadow"], f"no visible focus: {now}"
    assert now["on_screen"], f"focused off screen: {now}"
    return now


def tab_to(page: Page, selector: str, key: str = "Tab") -> None:
    """Press `key` until the element of `selector` has focus, every stop inside the main
    content and showing its focus."""
    for _ in range(MOST_TABS):
        page.keyboard.press(key)
        now = assert_shows_focus(page)
        assert now["in_main"], f"focus left the main content: {now}"
        if page.locator(selector).evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} not reached in {MOST_TABS} presses of {key}")


def skip_to_main(page: Page) -> None:
    """From the top of the page: the first Tab is the skip link; Enter follows it."""
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    assert_shows_focus(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")


def test_a_record_verifies_and_its_endpoints_change_by_keyboard_alone(
        filed: Filed, page: Page) -> None:  # noqa: F811 (the fixture)
    page.goto(f"{filed.url}/records/{filed.ids['bts_phu_vang']}")
    button = page.locator("#verify-button")
    expect(button).to_be_enabled()  # the page's module has loaded
    skip_to_main(page)
    tab_to(page, "#verify-button")
    verdict = page.locator("#verdict")
    assert verdict.get_attribute("role") == "status"  # announced when it changes, not focused
    page.keyboard.press("Enter")
    expect(verdict).to_have_attribute("data-verification", "passed", timeout=20_000)
    expect(verdict.locator("[data-step]")).to_have_count(len(CHECKS))
    expect(button).to_be_focused()  # focus stays where the visitor pressed, to run it again
    assert_shows_focus(page)

    unreachable = f"http://127.0.0.1:{free_port()}/rpc"
    tab_to(page, "#endpoint-url")
    page.keyboard.type(unreachable)
    page.keyboard.press("Enter")
    added = page.locator(f'#endpoints li[data-endpoint="{unreachable}"]')
    expect(added).to_have_attribute("data-status", "pending")
    expect(added).to_have_attribute("data-source", "added")
    expect(page.locator("#endpoint-url")).to_be_focused()
    expect(page.locator("#endpoint-url")).to_have_value("")
    assert page.get_by_role("list", name="Các nút JSON-RPC của chuỗi khối được hỏi").locator(
        f'[data-endpoint="{unreachable}"]').count() == 1

    tab_to(page, f'#endpoints button[data-remove="{unreachable}"]', key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(added).to_have_count(0)
    expect(page.locator("#endpoint-url")).to_be_focused()  # not lost to the page's body
    assert_shows_focus(page)


def test_the_verify_page_looks_up_an_id_and_a_file_by_keyboard_alone(
        filed: Filed, page: Page) -> None:  # noqa: F811 (the fixture)
    page.goto(f"{filed.url}/verify")
    expect(page.locator("#file")).to_be_enabled()  # the page's module has loaded
    skip_to_main(page)
    tab_to(page, "#record-id")
    page.keyboard.type(filed.ids["internet_users"])
    tab_to(page, "#record-id + button")
    tab_to(page, "#record-id", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{filed.url}/records/{filed.ids['internet_users']}")

    # Listening for the file chooser asks Chromium to hand it over rather than open a dialog;
    # asked before the page loads, it is in place when Space opens it.
    def choose(chooser: FileChooser) -> None:
        chooser.set_files(files={"name": "bao-cao.pdf", "mimeType": "application/pdf",
                                 "buffer": REPORT_FILE})

    page.once("filechooser", choose)
    page.goto(f"{filed.url}/verify")
    expect(page.locator("#file")).to_be_enabled()
    skip_to_main(page)
    tab_to(page, "#file")
    page.keyboard.press("Space")
    result = page.locator("#lookup-result")
    expect(result).to_have_attribute("data-state", "found")
    expect(result).to_contain_text(hashlib.sha256(REPORT_FILE).hexdigest())
    assert result.get_attribute("aria-live") == "polite"
    tab_to(page, f'#lookup-result a[href="/records/{filed.ids["report"]}"]')
    page.keyboard.press("Enter")
    page.wait_for_url(f"{filed.url}/records/{filed.ids['report']}")
