"""The stored-script attack through attachments, tried in real headless Chromium against the real
server: an operator uploads files that are really HTML or SVG with script in them.

What the ledger does not store (HTML and SVG by their declared type, or disguised as a PDF, an
image or text) is refused at upload with its code, and nothing of it is kept. What it does store
can still carry script text: a PDF that holds HTML after its `%PDF-` header, a text file of
JavaScript. A visitor who is sent straight to such a file's download URL, at phone and desktop
width, gets a download: no script runs on the ledger's origin, no dialog opens, the trust the
record pages pinned in `localStorage` is unchanged, and the page's own origin refuses to run the
file as a script or show it in a frame.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Error, Page, ViewportSize, expect

from api.http.security import ATTACHMENT_POLICY
from api.settings import Settings
from filings.signing import OPERATOR_SIGNATURE_HEADER, SubmissionDomain, sign_attachment
from ledger.storage.blobs import BlobStore
from ledger.storage.store import LogStore
from tests.filings.factories import REPORT_BODY, REPORT_SUBJECT, signed
from tests.server_fixtures import SAMPLE, auth
from tests.web.test_pages import ISSUED, browser, submit  # noqa: F401 (fixture)

VIEWPORTS: dict[str, ViewportSize] = {"phone": {"width": 390, "height": 844},
                                      "desktop": {"width": 1280, "height": 900}}
PIN_PREFIX = "infraledger.trust:"
STEAL = "localStorage.setItem('PIN', 'stolen'); window.top.pwned = 1; alert('xss')"
HTML_PAGE = (b"<!doctype html><html><body><h1>Bao cao</h1><script>"
             + STEAL.encode() + b"</script></body></html>")
SVG_IMAGE = (b'<svg xmlns="http://www.w3.org/2000/svg"><script>' + STEAL.encode()
             + b"</script></svg>")
PDF_POLYGLOT = b"%PDF-1.7\n" + HTML_PAGE + b"\n%%EOF\n"
"""A file that opens as a PDF and holds a whole HTML page: the ledger stores it as a PDF."""
SCRIPT_TEXT = b"window.pwned = 1; alert('xss');\n"
"""JavaScript as plain text: the ledger stores it as text."""

REFUSED = [
    pytest.param(HTML_PAGE, "text/html", 415, "media_type_not_accepted", id="html"),
    pytest.param(SVG_IMAGE, "image/svg+xml", 415, "media_type_not_accepted", id="svg"),
    pytest.param(HTML_PAGE, "application/xhtml+xml", 415, "media_type_not_accepted",
                 id="xhtml"),
    pytest.param(HTML_PAGE, "application/pdf", 422, "media_type_mismatch", id="html-as-pdf"),
    pytest.param(SVG_IMAGE, "image/png", 422, "media_type_mismatch", id="svg-as-png"),
    pytest.param(HTML_PAGE, "image/jpeg", 422, "media_type_mismatch", id="html-as-jpeg"),
    pytest.param(SVG_IMAGE, "text/plain", 422, "media_type_mismatch", id="svg-as-text"),
    pytest.param(b"\xef\xbb\xbf \n\t" + HTML_PAGE, "text/csv", 422, "media_type_mismatch",
                 id="bom-html-as-csv"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + SVG_IMAGE, "application/json", 422,
                 "media_type_mismatch", id="png-as-json"),
]


def upload(client: httpx.Client, data: bytes, media_type: str) -> httpx.Response:
    """PUT `data` as the active sample operator, signing its hash (EIP-191)."""
    sha256 = hashlib.sha256(data).hexdigest()
    return client.put(f"/v1/attachments/{sha256}", content=data, headers={
        "Content-Type": media_type,
        OPERATOR_SIGNATURE_HEADER: sign_attachment(SAMPLE.active.key, sha256)})


@pytest.mark.parametrize(("data", "declared", "status", "code"), REFUSED)
def test_an_active_file_is_refused_at_upload_and_nothing_is_kept(
        live_server: str, inspector_token: str, data: bytes, declared: str, status: int,
        code: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as client:
        answer = upload(client, data, declared)
        assert answer.status_code == status, answer.text
        assert answer.json()["code"] == code
        assert answer.json()["message"]
        sha256 = hashlib.sha256(data).hexdigest()
        kept = client.get(f"/v1/attachments/{sha256}", headers=auth(inspector_token))
        assert kept.status_code == 404, kept.headers


@dataclass(frozen=True)
class Planted:
    """The server, the report that lists the planted files, and each file's download URL."""

    url: str
    report: str
    files: dict[str, str]


@pytest.fixture
def planted(live_server: str, ledger_domain: SubmissionDomain) -> Planted:
    """The PDF polyglot and the script text uploaded by an operator and listed in its public
    report, which the chain has anchored."""
    stored = {"report.pdf": (PDF_POLYGLOT, "application/pdf"),
              "notes.txt": (SCRIPT_TEXT, "text/plain")}
    with httpx.Client(base_url=live_server, timeout=30) as client:
        listed: list[dict[str, str | int]] = []
        for name, (data, media_type) in stored.items():
            answer = upload(client, data, media_type)
            assert answer.status_code == 201, answer.text
            listed.append({"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                           "name": name, "type": media_type})
        report = submit(client, signed(
            "report", "report/2", REPORT_SUBJECT, REPORT_BODY, key=SAMPLE.active.key,
            domain=ledger_domain, attachments=listed, issued_at=ISSUED))
        deadline = time.monotonic() + 30
        while client.get(f"/v1/records/{report}").json().get("status") != "anchored":
            assert time.monotonic() < deadline, "the report was not anchored in 30 s"
            time.sleep(0.1)
    return Planted(live_server, report,
                   {str(item["name"]): f"{live_server}/v1/attachments/{item['sha256']}"
                    for item in listed})


def pins(page: Page) -> dict[str, str]:
    """Everything the ledger's origin keeps in localStorage."""
    stored: dict[str, str] = page.evaluate("Object.fromEntries(Object.entries(localStorage))")
    return stored


def pin_trust(page: Page, planted: Planted) -> dict[str, str]:
    """Open the report's page and verify it, so the log's identity is pinned; what was stored."""
    page.goto(f"{planted.url}/records/{planted.report}")
    page.get_by_role("button", name="Kiểm tra trong trình duyệt của tôi").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verification", "passed",
                                                       timeout=20_000)
    stored = pins(page)
    assert any(key.startswith(PIN_PREFIX) for key in stored), stored
    return stored


@pytest.fixture(params=list(VIEWPORTS))
def visitor(request: pytest.FixtureRequest, browser: Browser  # noqa: F811 (the fixture)
            ) -> Iterator[tuple[Page, list[str]]]:
    """A Vietnamese visitor's page at one width, and the dialogs any script tried to open."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="vi-VN",
                                  accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    context.on("dialog", refuse)
    yield page, dialogs
    context.close()


def test_opening_a_planted_file_downloads_it_and_runs_nothing(
        planted: Planted, visitor: tuple[Page, list[str]]) -> None:
    page, dialogs = visitor
    trusted = pin_trust(page, planted)
    for name, url in planted.files.items():
        with page.expect_download() as downloading, \
                pytest.raises(Error, match="Download is starting"):
            page.goto(url)
        download = downloading.value
        assert download.url == url
        assert download.suggested_filename == url.rsplit("/", 1)[1], name
        assert download.path().read_bytes() in (PDF_POLYGLOT, SCRIPT_TEXT)
        assert page.url.startswith(f"{planted.url}/records/"), (name, page.url)
        page.wait_for_timeout(300)
        assert dialogs == [], (name, dialogs)
        assert pins(page) == trusted, name
        assert page.evaluate("window.pwned") is None, name
    page.reload()
    assert pins(page) == trusted
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_the_ledger_origin_will_not_run_or_frame_a_planted_file(
        planted: Planted, visitor: tuple[Page, list[str]]) -> None:
    page, dialogs = visitor
    trusted = pin_trust(page, planted)
    for name, url in planted.files.items():
        loaded = page.evaluate("""(url) => new Promise((done) => {
            const script = document.createElement("script");
            script.src = url;
            script.onload = () => done("ran");
            script.onerror = () => done("refused");
            document.head.append(script);
        })""", url)
        assert loaded == "refused", name
        page.evaluate("""(url) => {
            const frame = document.createElement("iframe");
            frame.src = url;
            frame.id = "planted";
            document.body.append(frame);
        }""", url)
        page.wait_for_timeout(500)
        shown = page.evaluate("""() => {
            const frame = document.getElementById("planted");
            try { return frame.contentDocument?.body?.innerHTML ?? null; }
            catch { return "cross-origin"; }
        }""")
        assert not shown or "script" not in shown, (name, shown)
        page.evaluate('document.getElementById("planted").remove()')
        assert dialogs == [], (name, dialogs)
        assert page.evaluate("window.pwned") is None, name
        assert pins(page) == trusted, name


def test_a_planted_file_is_served_as_a_download_under_the_sandbox(planted: Planted) -> None:
    with httpx.Client(timeout=30) as client:
        for name, url in planted.files.items():
            answer = client.get(url)
            assert answer.status_code == 200, name
            assert answer.headers["content-disposition"].startswith("attachment"), name
            assert answer.headers["content-security-policy"] == ATTACHMENT_POLICY
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["content-type"].split(";")[0] in ("application/pdf",
                                                                     "text/plain"), name



def test_a_file_stored_under_a_type_no_longer_accepted_is_served_as_bytes(
        live_server: str, ledger_settings: Settings, inspector_token: str) -> None:
    """An HTML file that a database from before the upload checks still holds is served as
    `application/octet-stream`, never under its stored type."""
    sha256 = hashlib.sha256(HTML_PAGE).digest()
    store = LogStore(ledger_settings.database(), ledger_settings.origin, now=0)
    try:
        assert BlobStore(store).put(sha256, HTML_PAGE, "text/html", 0)
    finally:
        store.close()
    answer = httpx.get(f"{live_server}/v1/attachments/{sha256.hex()}",
                       headers=auth(inspector_token), timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"].startswith("attachment")
    assert answer.headers["content-security-policy"] == ATTACHMENT_POLICY
