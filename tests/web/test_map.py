"""The map page in real headless Chromium on a phone (390 px, Vietnamese) against the real server
(uvicorn, SQLite, the embedded chain), with genuine signed `site/1` records filed through the API
and anchored (`tests.api.test_map_routes.site_history`).

The basemap is a setting: pointed at a closed local port, the tiles fail and the boundaries and
sites still draw; pointed at a small tile server on another loopback port, its PNG tiles are
requested and drawn (and the page's policy allows images from that origin). Filters change the
markers, a past date changes both layers, a site's popup names its fields in words, lists its
versions and leads to its record page, where the record verifies in the browser. Cable routes
(`tests.api.test_map_routes.route_body`) draw as lines in their own pane with a legend entry per
kind, follow the operator filter and the date, and a route's popup names its owner, kind, shared
poles, its tenants by their registry names and length and links to its record; a site's popup
names its tenants too. The view stays on Huế on a phone and on a wide screen: dragged, zoomed out
and panned east, it never reaches 110° E (Hoàng Sa begins at 111.2° E) and the basemap is never
asked for a tile east of it. No script
error, no console error other than the unreachable basemap's, nothing scrolls sideways.
Screenshots go to `test-artifacts/web/`.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, expect

from api.app import create_app
from api.serving import ServerThread
from api.settings import Settings
from api.web.wording import number_vi
from filings.signing import SubmissionDomain
from tests.api.test_map_routes import (
    VIETTEL,
    VNPT,
    file_sites_with,
    route_body,
    route_submission,
)
from tests.server_fixtures import PLANS, free_port
from tests.web.test_pages import ANCHOR_TIMEOUT, browser, screenshot, submit  # noqa: F401

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""

ROOT = Path(__file__).resolve().parents[2]
PHONE: ViewportSize = {"width": 390, "height": 844}
TODAY_SITES = 3
"""Sites standing today: A (VNPT, 4G+5G), B (Viettel, out of service), C (VNPT, planned 5G)."""


def png_tile() -> bytes:
    """A 256 x 256 PNG of one light colour, the size of a slippy-map tile."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xe8\xee\xe0" * 256 for _ in range(256))
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


@contextlib.contextmanager
def tile_server() -> Iterator[tuple[str, list[str]]]:
    """A tile server on a free loopback port: yields its URL template and the paths asked."""
    tile = png_tile()
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png", asked
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class MapLedger:
    url: str
    ids: dict[str, str]
    tiles_origin: str


@contextlib.contextmanager
def serve_map(settings: Settings, domain: SubmissionDomain, tiles_url: str) -> Iterator[MapLedger]:
    """The ledger of `settings` with the basemap `tiles_url`, the test sites filed and anchored."""
    with ServerThread(create_app(settings.model_copy(update={"map_tiles_url": tiles_url}))) as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            ids = file_sites_with(lambda submission: submit(client, submission), domain)
            deadline = time.monotonic() + ANCHOR_TIMEOUT
            while client.get("/v1/log").json()["anchored_size"] < PLANS + len(ids):
                assert time.monotonic() < deadline, "not anchored in time"
                time.sleep(0.1)
        yield MapLedger(url, ids, tiles_url.split("/{z}")[0])


@pytest.fixture
def phone(browser: Browser) -> Iterator[tuple[Page, list[ConsoleMessage]]]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="vi-VN")
    opened = context.new_page()
    errors: list[str] = []
    console: list[ConsoleMessage] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda message: console.append(message)
              if message.type == "error" else None)
    yield opened, console
    context.close()
    assert not errors, errors


def unasked(console: list[ConsoleMessage]) -> list[ConsoleMessage]:
    """Console errors but the browser's own request for /favicon.ico (the ledger serves none)."""
    return [message for message in console
            if not message.location.get("url", "").endswith("/favicon.ico")]


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


MARKERS_DRAWN = """() => {
  const single = document.querySelectorAll('.leaflet-marker-pane .site-marker').length;
  const clustered = [...document.querySelectorAll('.leaflet-marker-pane .marker-cluster')]
    .reduce((sum, cluster) => sum + Number(cluster.textContent), 0);
  return single + clustered;
}"""
"""Sites drawn on the map: single markers plus the counts written on the clusters."""


def expect_sites(page: Page, count: int) -> None:
    expect(page.locator("#map")).to_have_attribute("data-sites", str(count))
    page.wait_for_function(f"n => ({MARKERS_DRAWN})() === n", arg=count)


def choose(page: Page, field: str, value: str) -> None:
    page.select_option(f"#filter-{field}", value)


def test_the_map_draws_without_a_reachable_basemap_filters_and_goes_back_in_time(
        ledger_settings: Settings, ledger_domain: SubmissionDomain,
        phone: tuple[Page, list[ConsoleMessage]]) -> None:
    page, console = phone
    closed = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    with serve_map(ledger_settings, ledger_domain, closed) as ledger:
        page.goto(f"{ledger.url}/map")
        assert page.locator("html").get_attribute("lang") == "vi"
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Bản đồ hạ tầng viễn thông", use_inner_text=True)
        area_map = page.locator("#map")
        expect(area_map).to_have_attribute("data-state", "ready")
        expect(area_map).to_have_attribute("data-basemap", "unreachable")
        expect(page.locator("#basemap-note")).to_be_visible()
        expect(area_map).to_have_attribute("data-areas", "41")
        assert page.locator(".leaflet-overlay-pane path").count() == 41
        expect_sites(page, TODAY_SITES)
        expect(page.locator("#map-count")).to_have_text("3 trạm trên bản đồ",
                                                        use_inner_text=True)
        expect(page.locator("#map-source")).to_contain_text(
            "thanglequoc/vietnamese-provinces-database", use_inner_text=True)
        expect(page.locator(".leaflet-control-attribution")).to_contain_text(
            "Ranh giới hành chính: MIT", use_inner_text=True)
        expect(page.locator("#map-note")).to_be_hidden()
        no_sideways_scroll(page)
        screenshot(page, "map-no-basemap-vi-390px")

        choose(page, "operator", VNPT.address)
        expect_sites(page, 2)
        choose(page, "technology", "5G")
        expect_sites(page, 2)
        choose(page, "status", "planned")
        expect_sites(page, 1)
        choose(page, "operator", VIETTEL.address)
        expect_sites(page, 0)
        choose(page, "operator", "")
        choose(page, "technology", "")
        choose(page, "status", "out_of_service")
        expect_sites(page, 1)

        popup = page.locator(".site-popup")
        page.get_by_role("button", name="English").click()
        expect(page.locator("#map-count")).to_have_text("1 sites on the map", use_inner_text=True)
        assert page.locator("#filter-operator option").first.text_content() == "All"
        page.locator(".leaflet-marker-pane .site-marker").click()
        expect(popup).to_contain_text("Out of service", use_inner_text=True)
        expect(popup).to_contain_text("2025-10-28 (Flood)", use_inner_text=True)
        expect(popup.get_by_role("link", name="Verify →")).to_be_visible()
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Tiếng Việt").click()
        assert page.locator("#filter-operator option").first.text_content() == "Tất cả"

        page.locator(".leaflet-marker-pane .site-marker").click()
        expect(popup).to_contain_text("VTL-HUE-0002", use_inner_text=True)
        for words in ("Ngừng hoạt động", "28/10/2025 (Ngập lụt)", "Cột dựng dưới mặt đất",
                      "42,5 m", "Phường Vỹ Dạ", "Viettel Thừa Thiên Huế", "29/10/2025"):
            expect(popup).to_contain_text(words, use_inner_text=True)
        expect(popup.locator(".site-history a")).to_have_count(1)
        verify = popup.get_by_role("link", name="Kiểm chứng →")
        expect(verify).to_have_attribute("href", "/records/" + ledger.ids["b"].removeprefix("0x"))
        no_sideways_scroll(page)
        screenshot(page, "map-popup-vi-390px")

        choose(page, "status", "")
        page.fill("#filter-on", "2025-06-30")
        page.dispatch_event("#filter-on", "change")
        expect(area_map).to_have_attribute("data-on", "2025-06-30")
        expect(area_map).to_have_attribute("data-areas", "1")  # only the city's outline
        assert page.locator(".leaflet-overlay-pane path").count() == 1
        expect(page.locator("#map-note")).to_be_visible()
        expect_sites(page, 1)
        page.fill("#filter-on", "2025-09-01")
        page.dispatch_event("#filter-on", "change")
        expect(area_map).to_have_attribute("data-on", "2025-09-01")
        expect(area_map).to_have_attribute("data-areas", "41")
        expect_sites(page, 3)  # A, C and D (removed only on 2025-11-01)
        no_sideways_scroll(page)
        screenshot(page, "map-2025-09-01-vi-390px")

        page.fill("#filter-on", "2025-06-30")
        page.dispatch_event("#filter-on", "change")
        expect(area_map).to_have_attribute("data-on", "2025-06-30")
        page.locator(".leaflet-marker-pane .site-marker").click()
        expect(popup).to_contain_text("Phường Thuận Lộc", use_inner_text=True)
        expect(popup.locator(".site-history a")).to_have_count(2)
        popup.get_by_role("link", name="Kiểm chứng →").click()
        expect(page).to_have_url(f"{ledger.url}/records/{ledger.ids['a1'].removeprefix('0x')}")
        page.get_by_role("button", name="Kiểm tra trong trình duyệt của tôi").click()
        expect(page.locator("#verdict")).to_have_attribute("data-verification", "passed",
                                                           timeout=20_000)
    unexpected = [(message.text, message.location) for message in unasked(console)
                  if not message.location.get("url", "").startswith(ledger.tiles_origin)]
    assert not unexpected, unexpected


def expect_routes(page: Page, count: int) -> None:
    expect(page.locator("#map")).to_have_attribute("data-routes", str(count))
    expect(page.locator(".leaflet-routes-pane path.route-line")).to_have_count(count)


def test_the_map_draws_the_cable_routes_of_a_day_with_a_legend(
        ledger_settings: Settings, ledger_domain: SubmissionDomain,
        phone: tuple[Page, list[ConsoleMessage]]) -> None:
    page, console = phone
    closed = f"http://127.0.0.1:{free_port()}/{{z}}/{{x}}/{{y}}.png"
    with serve_map(ledger_settings, ledger_domain, closed) as ledger:
        aerial = route_body("VNPT-HUE-R1", "2025-08-01", shared="poles",
                            tenants=(VIETTEL.address,))
        with httpx.Client(base_url=ledger.url, timeout=30) as client:
            r1 = submit(client, route_submission(ledger_domain, VNPT.key, aerial, 0))
            submit(client, route_submission(ledger_domain, VIETTEL.key, route_body(
                "VTL-HUE-R2", "2025-09-01", placement="underground", shared="ducts"), 1))
            submit(client, route_submission(ledger_domain, VNPT.key, {
                **aerial, "as_of": "2025-11-01", "status": "removed"}, 2, r1))
            deadline = time.monotonic() + ANCHOR_TIMEOUT
            while client.get("/v1/log").json()["anchored_size"] < PLANS + len(ledger.ids) + 3:
                assert time.monotonic() < deadline, "not anchored in time"
                time.sleep(0.1)
        page.goto(f"{ledger.url}/map")
        area_map = page.locator("#map")
        expect(area_map).to_have_attribute("data-state", "ready")
        expect_routes(page, 1)  # today R1 is removed
        assert page.locator(".leaflet-routes-pane path.route-underground").count() == 1
        expect_sites(page, TODAY_SITES)
        legend = page.locator(".map-legend")
        expect(legend).to_be_visible()
        for name, words in (("sites", "Trạm BTS"), ("route-aerial", "Tuyến cáp treo"),
                            ("route-underground", "Tuyến cáp ngầm")):
            expect(legend.locator(f'[data-legend="{name}"]')).to_have_text(
                words, use_inner_text=True)
        dashes = page.locator(".leaflet-routes-pane path.route-underground").get_attribute(
            "stroke-dasharray")
        assert dashes and dashes.replace(",", " ").split() == ["8", "6"]

        page.fill("#filter-on", "2025-10-01")
        page.dispatch_event("#filter-on", "change")
        expect(area_map).to_have_attribute("data-on", "2025-10-01")
        expect_routes(page, 2)
        choose(page, "operator", VIETTEL.address)
        expect_routes(page, 1)
        assert page.locator(".leaflet-routes-pane path.route-underground").count() == 1
        choose(page, "operator", VNPT.address)
        expect_routes(page, 1)
        no_sideways_scroll(page)
        screenshot(page, "map-routes-vi-390px")

        page.evaluate("""() => {
          const path = document.querySelector('.leaflet-routes-pane path.route-aerial');
          const middle = path.getPointAtLength(path.getTotalLength() / 2);
          const matrix = path.getScreenCTM();
          const x = middle.x * matrix.a + matrix.e, y = middle.y * matrix.d + matrix.f;
          path.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: x, clientY: y}));
        }""")
        popup = page.locator(".route-popup")
        expect(popup).to_contain_text("VNPT-HUE-R1", use_inner_text=True)
        drawn = httpx.get(f"{ledger.url}/v1/map/routes.geojson?on=2025-10-01").json()
        [meters] = [f["properties"]["length_m"] for f in drawn["features"]
                    if f["id"].removeprefix("0x") == r1.removeprefix("0x")]
        for words in (VNPT.name, "Tuyến cáp treo", "Treo trên cột dùng chung", VIETTEL.name,
                      f"{number_vi(meters)} m", "Phường Phú Xuân, Phường Vỹ Dạ", "01/08/2025"):
            expect(popup).to_contain_text(words, use_inner_text=True)
        expect(popup).not_to_contain_text("0x")  # tenants by name, not by address
        verify = popup.get_by_role("link", name="Kiểm chứng →")
        expect(verify).to_have_attribute("href", "/records/" + r1.removeprefix("0x"))
        no_sideways_scroll(page)
        screenshot(page, "map-route-popup-vi-390px")
        page.get_by_role("button", name="English").click()
        expect(popup).to_contain_text("Aerial cable route", use_inner_text=True)
        expect(legend.locator('[data-legend="route-underground"]')).to_have_text(
            "Underground cable route", use_inner_text=True)
        page.keyboard.press("Escape")
        choose(page, "status", "in_service")
        expect_sites(page, 1)  # A, shared with Viettel
        page.locator(".leaflet-marker-pane .site-marker").click()
        site = page.locator(".site-popup")
        expect(site).to_contain_text("VNPT-HUE-00001", use_inner_text=True)
        expect(site).to_contain_text(f"Shared with\n{VIETTEL.name}", use_inner_text=True)
        expect(site).not_to_contain_text("0x")
    unexpected = [(message.text, message.location) for message in unasked(console)
                  if not message.location.get("url", "").startswith(ledger.tiles_origin)]
    assert not unexpected, unexpected


def test_the_map_draws_a_reachable_basemap(ledger_settings: Settings,
                                           ledger_domain: SubmissionDomain,
                                           phone: tuple[Page, list[ConsoleMessage]]) -> None:
    page, console = phone
    with tile_server() as (tiles_url, asked), \
            serve_map(ledger_settings, ledger_domain, tiles_url) as ledger:
        answer = page.goto(f"{ledger.url}/map")
        assert answer is not None
        policy = answer.headers["content-security-policy"]
        assert f"img-src 'self' data: {ledger.tiles_origin};" in policy
        area_map = page.locator("#map")
        expect(area_map).to_have_attribute("data-state", "ready")
        expect(area_map).to_have_attribute("data-basemap", "loaded")
        expect(page.locator("#basemap-note")).to_be_hidden()
        expect_sites(page, TODAY_SITES)
        assert page.locator(".leaflet-overlay-pane path").count() == 41
        page.wait_for_function("""() => [...document.querySelectorAll('.leaflet-tile-pane img')]
            .some(img => img.complete && img.naturalWidth === 256)""")
        assert asked and all(path.startswith("/9/") and path.endswith(".png") for path in asked)
        expect(page.locator(".leaflet-control-attribution")).to_contain_text(
            "© OpenStreetMap contributors", use_inner_text=True)
        no_sideways_scroll(page)
        screenshot(page, "map-basemap-vi-390px")
    assert not unasked(console), [message.text for message in unasked(console)]


EAST_LIMIT = 110.0
"""The meridian no view reaches (`map.mjs`): the westernmost island of Hoàng Sa is at 111.2° E."""
HUE_BOUNDS = (15.8, 106.8, 16.95, 108.45)
"""The map's `maxBounds`, south, west, north, east: Huế with a margin."""


def tile_west(path: str) -> float:
    """The longitude of the west edge of the slippy-map tile `/{z}/{x}/{y}.png`."""
    zoom, x, _ = path.removesuffix(".png").strip("/").split("/")
    return int(x) / 2 ** int(zoom) * 360 - 180


def view_of(page: Page) -> tuple[float, ...]:
    """The map's view (south, west, north, east) and its zoom, from #map[data-view]."""
    area_map = page.locator("#map")
    south, west, north, east = (float(part) for part in
                                (area_map.get_attribute("data-view") or "").split(","))
    return south, west, north, east, float(area_map.get_attribute("data-zoom") or "nan")


def try_to_leave_east(page: Page) -> list[tuple[float, ...]]:
    """Zoom out (buttons, keys, wheel) and pull the map east (drags, keys), as far as a user
    could; the view after each step, and during each drag."""
    area_map = page.locator("#map")
    box = area_map.bounding_box()
    assert box is not None
    middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    seen = [view_of(page)]
    for _ in range(4):
        page.locator(".leaflet-control-zoom-out").click(force=True)
        page.wait_for_timeout(300)
        seen.append(view_of(page))
    page.mouse.move(middle_x, middle_y)
    for _ in range(3):
        page.mouse.wheel(0, 800)
        page.wait_for_timeout(300)
        seen.append(view_of(page))
    for _ in range(3):  # drag the map to the left: the view moves east
        page.mouse.move(middle_x + box["width"] / 3, middle_y)
        page.mouse.down()
        for step in range(1, 13):
            page.mouse.move(middle_x + box["width"] / 3 - step * 150, middle_y - step * 10)
            seen.append(view_of(page))
        page.mouse.up()
        page.wait_for_timeout(400)
        seen.append(view_of(page))
    area_map.focus()
    for key in ("Minus", "Minus", *["Shift+ArrowRight"] * 12, *["ArrowRight"] * 12):
        page.keyboard.press(key)
        page.wait_for_timeout(60)
        seen.append(view_of(page))
    page.wait_for_timeout(500)
    seen.append(view_of(page))
    return seen


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1600, "height": 900}],
                         ids=["phone", "wide"])
def test_the_view_stays_on_hue_and_west_of_the_archipelagos(
        ledger_settings: Settings, ledger_domain: SubmissionDomain,
        browser: Browser, viewport: ViewportSize) -> None:  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    with tile_server() as (tiles_url, asked), \
            serve_map(ledger_settings, ledger_domain, tiles_url) as ledger:
        page.goto(f"{ledger.url}/map")
        expect(page.locator("#map")).to_have_attribute("data-state", "ready")
        expect(page.locator("#map")).to_have_attribute("data-basemap", "loaded")
        seen = try_to_leave_east(page)
        final = view_of(page)
        screenshot(page, f"map-bounds-{viewport['width']}px")
        tiles = list(asked)
    context.close()
    assert not errors, errors
    south, west, north, east = HUE_BOUNDS
    assert max(view[3] for view in seen) < EAST_LIMIT, max(seen, key=lambda view: view[3])
    assert min(view[4] for view in seen) >= 9
    # Once still, a view narrower than the bounds lies inside them, a wider one is centred.
    if final[3] - final[1] <= east - west:
        assert west - 0.01 <= final[1] and final[3] <= east + 0.01, final  # a pixel or so
    else:
        assert math.isclose((final[1] + final[3]) / 2, (west + east) / 2, abs_tol=0.01), final
    assert south - 0.5 < final[0] and final[2] < north + 0.5, final
    assert tiles and max(tile_west(path) for path in tiles) < EAST_LIMIT, sorted(
        tiles, key=tile_west)[-1]


def test_the_leaflet_bundle_is_what_the_pinned_packages_make() -> None:
    node = shutil.which("node")
    assert node is not None, "node is needed to rebuild the vendored Leaflet"
    result = subprocess.run(
        [node, str(ROOT / "api" / "web" / "build_map_vendor.mjs"), "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    head = (ROOT / "api" / "web" / "static" / "vendor" / "leaflet.mjs").read_text()[:3000]
    assert "leaflet 1.9.4" in head and "leaflet.markercluster 1.5.3" in head
    assert "BSD 2-Clause License" in head and "Copyright (c) 2010-2023, Volodymyr Agafonkin" in head
