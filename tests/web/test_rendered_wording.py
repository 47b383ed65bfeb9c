"""Nothing English in the Vietnamese view: every public page, walked in real headless Chromium
against the real server (the records and fixtures of `tests.web.test_accessibility`), shows
only Vietnamese words and Vietnamese numbers while the page is in Vietnamese.

What a visitor reads is the page's `innerText` (the hidden English half of each text is not
in it), the text of its charts, and its readable attributes (title, aria-label, alt,
placeholder), with every folded section opened except the signed JSON (data, not words). An
attribute cannot hold two spans, so the pages write it as "Vietnamese · English": only the
part before the middle " · " is the Vietnamese view's.

A word is English when the English catalogue (`api.web.wording.EN`, which holds the scripts'
`static/wording/en.json`) or the English names of the units uses it and the Vietnamese
catalogue never does; proper names and notations shared by both languages are listed in
`NAMES`. A figure written with an English thousands separator (1,000) or decimal point (31.5)
is a leak too.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from functools import cache

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page, Route, expect

from api.web import wording
from filings.units import UNITS
from tests.server_fixtures import SAMPLE
from tests.web.test_accessibility import VERIFY_BUTTON, Visit, in_language, verified, visits
from tests.web.test_pages import (  # noqa: F401 (fixtures)
    ANCHOR_TIMEOUT,
    PHU_VANG,
    REPORT_FILE,
    Filed,
    browser,
    filed,
    indicator,
    submit,
)

NAMES = frozenset({
    "english",  # the language switch names the other language in its own words
    "infraledger",
    "blockchain",  # a loanword of the plans' own Vietnamese text ("AI, blockchain, IoT")
})
"""Words of the English catalogue that the Vietnamese view may show: names and loanwords."""
WORD = re.compile(r"[^\W\d_]+")
CODE = re.compile(r"\S*(?:://|[\d_@])\S*|\S*[^\W\d_]\.[^\W\d_]\S*|infraledger-\w+")
"""A token that is an address, a host or file name, an id, a hash, a code (a contract's
function: LedgerAnchor.rootAt) or a command's name, not a word."""
ENGLISH_NUMBER = re.compile(r"(?<![\d.,:/\w])\d{1,3}(?:,\d{3})+(?![\d,])|"
                            r"(?<![\d.,:/\w])\d+\.\d{1,2}(?![\d.\w])")
"""1,000 or 12,345,678 (English thousands) and 31.5 or 0.25 (an English decimal point); not a
date (dd/mm/yyyy), a clock (16:46), a version or an address (1.2.3, v1.2, 127.0.0.1)."""
REPORT = FilePayload(name="bao-cao.pdf", mimeType="application/pdf", buffer=REPORT_FILE)
"""A file to look up on the verify page."""
ADDRESS = re.compile(r"\S*(?:://|@)\S*")
"""A URL or a pinned name (…@cd580632): its digits are no figure."""
READ_PAGE = """() => {
  for (const folded of document.querySelectorAll("details:not(.raw)")) folded.open = true;
  const said = [document.body.innerText];
  for (const node of document.querySelectorAll("svg text")) {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    let shown = "";
    while (walker.nextNode()) {
      const style = getComputedStyle(walker.currentNode.parentElement);
      if (style.display !== "none") shown += walker.currentNode.data;
    }
    said.push(shown);
  }
  for (const node of document.querySelectorAll("[title], [aria-label], [alt], [placeholder]")) {
    if (node.closest(".l-en")) continue;
    for (const name of ["title", "aria-label", "alt", "placeholder"]) {
      const value = node.getAttribute(name);
      if (value) said.push("@" + name + " " + value);
    }
  }
  return said;
}"""


def words(text: str) -> set[str]:
    """The words of `text`, lowercased; codes, ids and addresses are not words."""
    return {word.lower() for word in WORD.findall(CODE.sub(" ", text)) if len(word) > 1}


def message_words(messages: Iterable[str]) -> set[str]:
    return set().union(*(words(re.sub(r"\{[a-z_]+\}", " ", message)) for message in messages))


@cache
def english() -> frozenset[str]:
    """The words only the English pages use."""
    used = message_words([*wording.EN.values(), *(unit.name_en for unit in UNITS.values()),
                          *(code for code in UNITS if code not in wording.UNIT_SYMBOLS)])
    shared = message_words([*wording.VI.values(), *(unit.name_vi for unit in UNITS.values())])
    return frozenset(used - shared - NAMES)


def vietnamese_view(said: str) -> str:
    """What the Vietnamese view shows of an attribute "@name Vietnamese · English"."""
    if not said.startswith("@"):
        return said
    value = said.split(" ", 1)[1]
    parts = value.split(" · ")
    return " · ".join(parts[:(len(parts) + 1) // 2]) if len(parts) % 2 == 0 else value


def leaks(page: Page) -> list[str]:
    """The English words and English-written figures the page shows in Vietnamese."""
    found: list[str] = []
    for said in page.evaluate(READ_PAGE):
        shown = vietnamese_view(said)
        for line in shown.splitlines():
            english_words = sorted(words(line) & english())
            numbers = ENGLISH_NUMBER.findall(ADDRESS.sub(" ", line))
            if english_words or numbers:
                found.append(f"{line.strip()[:160]!r}: {english_words + numbers}")
    return found


def failed_lookup(page: Page) -> None:
    """The file lookup, its request answered by the real server's refusal of a malformed hash."""
    def malformed(route: Route) -> None:
        route.continue_(url=route.request.url.rsplit("/", 1)[0] + "/not-a-hash")

    page.route("**/v1/lookup/sha256/*", malformed)
    page.locator("#file").set_input_files(files=[REPORT])
    expect(page.locator("#lookup-result")).to_have_attribute("data-state", "error",
                                                              timeout=10_000)
    expect(page.locator("#lookup-result")).to_contain_text(wording.VI["api.invalid_request"],
                                                           use_inner_text=True)


def unreachable_lookup(page: Page) -> None:
    """The file lookup when the server cannot be reached."""
    page.route("**/v1/lookup/sha256/*", lambda route: route.abort("connectionfailed"))
    page.locator("#file").set_input_files(files=[REPORT])
    expect(page.locator("#lookup-result")).to_have_attribute("data-state", "error",
                                                              timeout=10_000)
    expect(page.locator("#lookup-result")).to_contain_text(wording.VI["api.network"],
                                                           use_inner_text=True)


def unknown_proof(page: Page) -> None:
    """"Verify in my browser", the proof asked of the real server for a record it does not
    hold: its refusal (not found) in the catalogue's words."""
    def unknown(route: Route) -> None:
        records = route.request.url.rsplit("/", 2)[0]
        route.continue_(url=f"{records}/{'ab' * 32}/proof")

    page.route("**/v1/records/*/proof", unknown)
    page.get_by_role("button", name=VERIFY_BUTTON).click()
    expect(page.locator("#verdict")).to_have_attribute("data-verification", "incomplete",
                                                       timeout=20_000)
    expect(page.locator("#verdict")).to_contain_text(wording.VI["api.not_found"],
                                                     use_inner_text=True)


def file_more(filed: Filed) -> None:  # noqa: F811 (not the fixture)
    """A figure with decimals in the period the home page charts (2024 Q4), so the chart has a
    number whose separator the language decides, and a share declared without its counts
    (2024 Q2), so a cell says why it has no figure; both anchored."""
    with httpx.Client(base_url=filed.url, timeout=30) as client:
        submit(client, indicator(filed.domain, SAMPLE.active.key, "bts_shared_ratio", PHU_VANG,
                                 "2024-Q4", 27.5, 20, counts=(55, 200)))
        submit(client, indicator(filed.domain, SAMPLE.active.key, "bts_shared_ratio", PHU_VANG,
                                 "2024-Q2", 30.0, 21))
        wanted = client.get("/v1/log").json()["tree_size"]
        deadline = time.monotonic() + ANCHOR_TIMEOUT
        while client.get("/v1/log").json()["anchored_size"] < wanted:
            assert time.monotonic() < deadline, "not anchored in time"
            time.sleep(0.1)


def walk(filed: Filed) -> list[Visit]:  # noqa: F811 (not the fixture)
    """Every public page and the states its scripts draw, errors included."""
    pages = visits(filed)
    plan = next(visit.path for visit in pages if visit.name == "record-plan")
    return [
        *pages,
        Visit("record-plan-verified", plan, verified),
        Visit("record-proof-refused", f"/records/{filed.ids['bts_hue']}", unknown_proof),
        Visit("verify-file-refused", "/verify", failed_lookup),
        Visit("verify-file-unreachable", "/verify", unreachable_lookup),
    ]


@pytest.fixture
def vietnamese(browser: Browser) -> Iterator[Page]:  # noqa: F811 (the fixture)
    """A Vietnamese visitor's page; no script error may happen on it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def test_the_dictionary_knows_english_and_leaves_vietnamese_and_names_alone() -> None:
    assert {"verify", "record", "target", "accounts", "inhabitant"} <= english()
    assert not {"kiểm", "tra", "checkpoint", "json", "rpc", "english"} & english()
    assert words("0xeaa38b41 /v1/log bts_shared_ratio 5G https://a.example/b ledger.example.vn "
                 "LedgerAnchor.rootAt Huế account/person") == {"huế", "account", "person"}
    assert ENGLISH_NUMBER.findall("1,000 và 31.5 và 0.25") == ["1,000", "31.5", "0.25"]
    assert ENGLISH_NUMBER.findall("1.000,5 · 31,5 · 02/11/2025 · 16:46 · 127.0.0.1 · 1.2.3") == []
    assert vietnamese_view("@title đạt · met") == "đạt"
    assert vietnamese_view("@title no data") == "no data"


def test_no_public_page_shows_english_in_the_vietnamese_view(
        filed: Filed, vietnamese: Page) -> None:  # noqa: F811 (the fixture)
    page = vietnamese
    found: dict[str, list[str]] = {}
    file_more(filed)
    page.goto(filed.url + "/")
    expect(page.locator('table.areas tr[data-area="478"] td[data-period="2024-Q2"]')).to_have_text(
        "–")
    expect(page.locator('article[data-indicator="bts_shared_ratio"] svg.chart')).to_contain_text(
        re.compile(r"27[.,]5"))
    for visit in walk(filed):
        page.unroute_all(behavior="ignoreErrors")
        page.goto(filed.url + visit.path)
        in_language(page, "vi")
        visit.then(page)
        if visit.name == "map":
            expect(page.locator("#map")).to_have_attribute("data-state", "ready", timeout=20_000)
        shown = leaks(page)
        if shown:
            found[visit.name] = shown
    page.goto(filed.url + "/docs")  # the API reference itself is in English; its header is not
    header = page.locator("header.site").inner_text()
    if words(header) & english():
        found["docs"] = sorted(words(header) & english())
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_the_yearly_report_page_shows_no_english_in_the_vietnamese_view(
        filed: Filed, vietnamese: Page) -> None:  # noqa: F811 (the fixture)
    vietnamese.goto(filed.url + "/reports/2024")
    assert leaks(vietnamese) == []


def test_a_record_the_department_signed_names_the_department_as_its_signer(
        filed: Filed, vietnamese: Page) -> None:  # noqa: F811 (the fixture)
    plan = next(visit.path for visit in visits(filed) if visit.name == "record-plan")
    vietnamese.goto(filed.url + plan)
    signature = vietnamese.locator('#signatures li[data-format="eip712"] h3')
    expect(signature).to_have_text(wording.VI["signature.format_eip712_department"],
                                   use_inner_text=True)
    in_language(vietnamese, "en")
    expect(signature).to_have_text(wording.EN["signature.format_eip712_department"],
                                   use_inner_text=True)
    vietnamese.goto(filed.url + f"/records/{filed.ids['bts_hue']}")
    expect(vietnamese.locator('#signatures li[data-format="eip712"] h3')).to_have_text(
        wording.EN["signature.format_eip712"], use_inner_text=True)
