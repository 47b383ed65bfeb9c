"""A returning visitor's record page across a log key rotation, in real headless Chromium against
the real server restarted on the same address: after `infraledger log rotate-key` the page
follows the statement signed by the pinned key, says so, and verifies records proven before and
after; a server that swaps its key with a statement signed by a stranger key stays NOT verified,
names the key change and leaves the pin alone."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from api.node import load_log_key, log_rotations_path
from api.settings import Settings
from filings.periods import VIETNAM_TIME
from filings.signing import SubmissionDomain
from ledger.rotation import KeyRotation, split_statements
from tests.api.test_key_rotation import file_and_anchor, forge_rotation, rotate, serving
from tests.server_fixtures import PLANS, free_port
from tests.web.test_pages import (  # noqa: F401 (fixtures)
    CHECKS,
    browser,
    page,
    screenshot,
    verify_in_browser,
)

NOTICE_VI = "Khóa của nhật ký đã được đổi ngày"
REFUSAL_VI = "Khóa của máy chủ đã đổi mà không có tuyên bố đổi khóa được khóa đã ghim ký"


def pinned(opened: Page, url: str) -> dict[str, Any]:
    """What the browser pinned for the ledger at `url`."""
    key = f"infraledger.trust:{url.removeprefix('http://')}"
    value: dict[str, Any] = json.loads(opened.evaluate("key => localStorage.getItem(key)", key))
    return value


def short(vkey: str) -> str:
    return "+".join(vkey.split("+")[:2])


def test_a_returning_visitor_follows_a_legitimate_rotation_and_is_told(
    ledger_settings: Settings, ledger_domain: SubmissionDomain, page: Page,  # noqa: F811
    browser: Browser, capsys: pytest.CaptureFixture[str],  # noqa: F811
) -> None:
    """The returning visitor is told and verifies records proven before and after; a first-time
    visitor after the rotation pins the replaced key as well, so older records verify for them
    too."""
    port = free_port()
    old = load_log_key(ledger_settings).verifier.vkey()
    with serving(ledger_settings, port) as url:
        before = file_and_anchor(url, ledger_domain, 1, PLANS + 1)
        verify_in_browser(page, url, before, "passed")
        assert pinned(page, url)["vkey"] == old
    rotate(ledger_settings, capsys)
    new = load_log_key(ledger_settings).verifier.vkey()
    (note,) = split_statements(log_rotations_path(ledger_settings).read_text())
    rotation = KeyRotation.parse(note[: note.rfind("\n\n") + 1])
    day = datetime.fromtimestamp(rotation.time, VIETNAM_TIME).strftime("%d/%m/%Y")

    with serving(ledger_settings, port) as url:
        after = file_and_anchor(url, ledger_domain, 2, PLANS + 2)
        assert verify_in_browser(page, url, after, "passed") == dict.fromkeys(CHECKS, "passed")
        verdict = page.locator("#verdict")
        expect(verdict).to_contain_text(
            f"{NOTICE_VI} {day} (giờ Việt Nam, UTC+7), có hiệu lực từ kích thước "
            f"{rotation.from_size}", use_inner_text=True)
        expect(verdict).to_contain_text(f"ký bằng khóa trước đó {short(old)}", use_inner_text=True)
        expect(verdict).to_contain_text(f"Khóa mới: {short(new)}", use_inner_text=True)
        assert pinned(page, url)["vkey"] == new
        assert pinned(page, url)["earlier_keys"] == [
            {"vkey": old, "until_size": rotation.from_size}]
        screenshot(page, "record-key-rotation", verdict)
        page.get_by_role("button", name="English").click()
        expect(verdict).to_contain_text("The log's key was changed on", use_inner_text=True)
        expect(verdict).to_contain_text("announced and signed by the previous key",
                                        use_inner_text=True)
        page.get_by_role("button", name="Tiếng Việt").click()

        assert verify_in_browser(page, url, before, "passed") == dict.fromkeys(CHECKS, "passed")
        expect(page.locator('#checks li[data-check="checkpoint_signature"] .message')
               ).to_contain_text(short(old), use_inner_text=True)
        expect(verdict).not_to_contain_text(NOTICE_VI, use_inner_text=True)

        newcomer = browser.new_context().new_page()
        try:
            assert verify_in_browser(newcomer, url, before, "passed") == dict.fromkeys(
                CHECKS, "passed")
            assert pinned(newcomer, url) == {**pinned(page, url),
                                             "since": pinned(newcomer, url)["since"]}
        finally:
            newcomer.context.close()


def test_a_key_swapped_with_a_statement_signed_by_a_stranger_stays_not_verified(
    ledger_settings: Settings, ledger_domain: SubmissionDomain, page: Page,  # noqa: F811
) -> None:
    port = free_port()
    old = load_log_key(ledger_settings).verifier.vkey()
    with serving(ledger_settings, port) as url:
        before = file_and_anchor(url, ledger_domain, 1, PLANS + 1)
        verify_in_browser(page, url, before, "passed")
    forge_rotation(ledger_settings)
    with serving(ledger_settings.model_copy(update={"selfcheck": "off"}), port) as url:
        after = file_and_anchor(url, ledger_domain, 2, PLANS + 2)
        states = verify_in_browser(page, url, after, "failed")
        assert states == {**dict.fromkeys(CHECKS, "passed"), "checkpoint_signature": "failed"}
        verdict = page.locator("#verdict")
        expect(verdict).to_contain_text("KHÔNG kiểm chứng được", use_inner_text=True)
        expect(verdict).to_contain_text(REFUSAL_VI, use_inner_text=True)
        expect(verdict).to_contain_text(f"không phải khóa đã ghim {short(old)}",
                                        use_inner_text=True)
        screenshot(page, "record-key-swapped", verdict)
        page.get_by_role("button", name="English").click()
        expect(verdict).to_contain_text(
            "The server's key changed without a rotation signed by the pinned key",
            use_inner_text=True)
        assert pinned(page, url)["vkey"] == old
        assert "earlier_keys" not in pinned(page, url)
