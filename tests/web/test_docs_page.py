"""`/docs` in real headless Chromium: the API reference renders from this server alone (every
request goes to the ledger's origin), under the pages' security policy, with no policy
violation and no script error."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


def test_the_api_reference_works_offline_under_the_policy(browser: Browser,
                                                          live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    origins: set[str] = set()
    problems: list[str] = []
    page.on("request", lambda request: origins.add(
        "{0.scheme}://{0.netloc}".format(urlsplit(request.url))))
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text else None)
    response = page.goto(f"{live_server}/docs")
    assert response is not None and response.status == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    expect(page.get_by_text("/v1/submissions").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/v1/records/{record_id}/proof").first).to_be_visible()
    assert origins == {live_server}, origins
    assert problems == [], problems
    context.close()
