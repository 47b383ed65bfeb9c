"""The home page's data: which records stand in the anchored log (SQLite and PostgreSQL), the
figures read from them, the plans shown newest first with each indicator once, and the chart;
and, through the real app with genuine signed sites, the figure computed from the records beside
the one declared for the same indicator, the computed one linking to the records it counts."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import httpx
import lxml.html
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect

from api.infrastructure import InfrastructureBook
from api.web.indicator_table import (
    CHART_BARS,
    CHART_FONT,
    COUNTED_SHOWN,
    Chart,
    ChartText,
    computed_views,
    figures_of,
    plan_views,
    text_width,
)
from filings.areas import load_areas
from filings.periods import VIETNAM_TIME
from filings.plans import FiledPlan, PlanBody, PlanBook
from filings.signing import SubmissionDomain
from ledger.canonical import canonical_json
from ledger.entry import Entry, to_checksum_address
from ledger.merkle import Hash, LeafHash
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.indicators import IndicatorRecord, standing_indicator_records
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore, PendingEntry
from tests.api.test_map_routes import VIETTEL, VNPT, site_history, site_submission
from tests.filings.factories import CITY, PLAN_254, PLAN_ISSUED_AT, figure
from tests.filings.infra_factories import body as infra_body
from tests.filings.test_plans import PLAN_455
from tests.web.test_pages import Filed, browser, filed  # noqa: F401 (fixtures)

OPERATOR = to_checksum_address("0x" + "ab" * 20)
DEPARTMENT = to_checksum_address("0x" + "cd" * 20)


def pending(n: int, subject: str, body: dict[str, object], *, schema: str = "indicator/2",
            supersedes: LeafHash | None = None, salt: bytes | None = None) -> PendingEntry:
    data = canonical_json(body)
    entry = Entry(
        kind=schema.split("/")[0], schema=schema, subject=subject, operator=OPERATOR,
        content="0x" + hashlib.sha256((salt or b"") + data).hexdigest(),
        attachments="0x" + hashlib.sha256(b"[]").hexdigest(),
        supersedes=None if supersedes is None else "0x" + supersedes.hex(),
        issued_at=1_720_000_000 + n, signature="0x" + "11" * 65,
    )
    return PendingEntry.of(entry, body=data, salt=salt)


def bts(n: int, area: str, period: str, value: float, *, indicator: str = "bts_shared_ratio",
        supersedes: LeafHash | None = None) -> PendingEntry:
    body = {"indicator": indicator, "area": area, "period": period, "value": value, "unit": "%"}
    return pending(n, f"indicator:{indicator}:{area}:{period}", body, supersedes=supersedes)


@pytest.fixture
def store(database_url: str) -> Iterator[LogStore]:
    opened = LogStore(database_url, "test.example/log", now=0)
    yield opened
    opened.close()


def append(store: LogStore, item: PendingEntry) -> LeafHash:
    (result,), _ = store.append([item], store.frontier(), now=0)
    return result.leaf_hash


def anchor(store: LogStore, size: int) -> None:
    AnchorStore(store).add(StoredAnchor(
        tree_size=size, root=Hash(store.root(size)), chain_id=1, contract=OPERATOR,
        tx_hash=bytes(32), block_number=size, block_hash=bytes(32), block_time=size,
        anchored_at=0,
    ))


def test_standing_records_are_anchored_public_figures_not_superseded(store: LogStore) -> None:
    first = append(store, bts(0, "478", "2024-Q3", 27.0))
    append(store, bts(1, "478", "2024-Q3", 31.5, supersedes=first))
    yearly = append(store, bts(2, "474", "2024", 40.0))
    append(store, bts(3, "474", "2024-Q3", 20.0, indicator="bts_shared"))
    append(store, pending(4, "report:2024:x", {"period": "2024", "title": "t"},
                          schema="report/2"))
    append(store, pending(5, "indicator:bts_shared_ratio:481:2024",
                          {"indicator": "bts_shared_ratio", "area": "481", "period": "2024",
                           "value": 1.0, "unit": "%"}, salt=bytes(32)))
    append(store, pending(6, "indicator:bts_shared_ratio:phu_vang:2024",
                          {"indicator": "bts_shared_ratio", "area": "phu_vang",
                           "period": "2024", "value": 1.0}, schema="indicator/1"))
    anchor(store, 7)
    append(store, bts(7, "46", "2025-01", 50.0))
    append(store, bts(8, "474", "2024", 41.0, supersedes=yearly))

    assert [r.index for r in standing_indicator_records(store, 7)] == [1, 2, 3]
    assert [r.index for r in standing_indicator_records(store, 9)] == [1, 3, 7, 8]
    assert [r.index for r in standing_indicator_records(store, 9, "bts_shared_ratio")] == [
        1, 7, 8]
    assert [r.index for r in standing_indicator_records(store, 9, "bts_shared")] == [3]
    assert standing_indicator_records(store, 0) == []
    (record, *_) = standing_indicator_records(store, 7)
    assert record.subject == "indicator:bts_shared_ratio:478:2024-Q3"
    assert record.operator == OPERATOR
    assert json.loads(record.body)["value"] == 31.5
    [figure, *_] = figures_of(standing_indicator_records(store, 7))
    assert (figure.index, figure.area, figure.value, figure.signer) == (1, "478", 31.5, OPERATOR)


def test_bodies_that_do_not_parse_or_do_not_match_their_subject_are_left_out() -> None:
    def record(index: int, subject: str, body: bytes) -> IndicatorRecord:
        return IndicatorRecord(index, LeafHash(bytes([index]) * 32), subject, OPERATOR,
                               1_720_000_000, body)

    good = canonical_json({"indicator": "bts_shared_ratio", "area": "474", "period": "2024",
                           "value": 12.5, "unit": "%"})
    records = [
        record(0, "indicator:bts_shared_ratio:474:2024", good),
        record(1, "indicator:bts_shared_ratio:474:2024", b'{"value": "99"}'),
        record(2, "indicator:bts_shared_ratio:474:2024", b"not json"),
        record(3, "indicator:bts_shared_ratio:483:2024", good),
    ]
    assert [f.record_id for f in figures_of(records)] == ["00" * 32]


def filed_plan(index: int, body: dict[str, object]) -> FiledPlan:
    parsed = PlanBody.model_validate(json.loads(canonical_json(body)))
    return FiledPlan(f"{index:064x}", index, DEPARTMENT, PLAN_ISSUED_AT, parsed.subject(), None,
                     parsed)


def test_plans_newest_first_each_indicator_once_with_its_whole_history() -> None:
    book = PlanBook([filed_plan(0, PLAN_254), filed_plan(1, PLAN_455)])
    records = [
        IndicatorRecord(n, LeafHash(bytes([n]) * 32), f"indicator:village_ftth_ratio:46:{p}",
                        DEPARTMENT, 1_780_000_000, canonical_json({
                            "indicator": "village_ftth_ratio", "area": "46", "period": p,
                            "value": v, "unit": "%"}))
        for n, p, v in ((2, "2024", 97.0), (3, "2026-H1", 100.0))
    ]
    views = plan_views(book, figures_of(records), load_areas(), {OPERATOR: "VNPT"})
    assert [view.plan.number for view in views] == ["455/KH-UBND", "254/KH-UBND"]
    codes = [[i.code for s in view.sections for i in s.indicators] for view in views]
    assert codes[0] == ["village_mobile_broadband_ratio", "village_ftth_ratio",
                        "broadband_user_ratio"]
    assert len(codes[1]) == 20 and "village_ftth_ratio" not in codes[1]
    ftth = next(i for s in views[0].sections for i in s.indicators
                if i.code == "village_ftth_ratio")
    assert ftth.city is not None and [p.text for p in ftth.city_periods] == ["2024", "2026-H1"]
    judged = {p.text: ftth.city_cell(p).judgement.target.plan.number  # type: ignore[union-attr]
              for p in ftth.city_periods}
    assert judged == {"2024": "254/KH-UBND", "2026-H1": "455/KH-UBND"}
    assert ftth.target.levels == ["province", "commune"] and ftth.declarants == ()
    assert [s.section.code for s in views[0].sections] == ["a", "b"]
    assert all(s.goals == () and s.quantified for s in views[0].sections)
    sections = {s.section.code: s for s in views[1].sections}
    assert list(sections) == ["a", "b", "c", "d", "đ"]  # every section, in the plan's order
    digital = sections["d"]
    assert digital.section.name_vi == "Hạ tầng công nghệ số"
    assert digital.indicators == () and not digital.quantified
    assert len(digital.goals) == 5 and {g.section for g in digital.goals} == {"d"}
    assert [len(s.goals) for s in sections.values()] == [0, 1, 0, 5, 1]
    assert all(s.quantified for code, s in sections.items() if code != "d")


def share(n: int, area: str, period: str, value: float, *, counts: bool = True
          ) -> IndicatorRecord:
    """A stored `bts_shared_ratio` figure of `area` (with its counts unless told)."""
    body: dict[str, object] = {"indicator": "bts_shared_ratio", "area": area, "period": period,
                               "value": value, "unit": "%"}
    if counts:
        body |= {"numerator": round(value * 1000), "denominator": 100_000}
    return IndicatorRecord(n, LeafHash(bytes([n]) * 32),
                           f"indicator:bts_shared_ratio:{area}:{period}", OPERATOR,
                           1_740_000_000 + n, canonical_json(body))


def bts_chart(records: list[IndicatorRecord]) -> Chart:
    views = plan_views(PlanBook([filed_plan(0, PLAN_254)]), figures_of(records), load_areas(),
                       {OPERATOR: "VNPT"})
    bts = next(i for s in views[0].sections for i in s.indicators if i.code == "bts_shared_ratio")
    assert bts.chart is not None
    return bts.chart


def test_the_chart_shows_each_sub_area_through_time_against_the_target() -> None:
    chart = bts_chart([share(1, "474", "2024-Q4", 60.0), share(2, "478", "2024", 20.0),
                       share(3, "474", "2024", 31.0), share(4, "478", "2024-Q2", 10.0)])
    assert chart.level == "district" and chart.scale_max == 100.0
    assert [p.text for p in chart.periods] == ["2024-Q2", "2024", "2024-Q4"]
    assert chart.target_x == pytest.approx(chart.plot_x + chart.plot_width * 0.3)
    assert (chart.target.vi, chart.target.en) == ("≥30", "≥30")
    assert [g.name.vi for g in chart.groups] == ["Thành phố Huế", "Huyện Phú Vang"]
    hue, phu_vang = chart.groups
    assert [(b.cell.period.text, b.period.vi, b.period.en, b.value.vi) for b in hue.bars] == [
        ("2024", "Năm 2024", "2024", "31 ✓"), ("2024-Q4", "Quý IV/2024", "2024 Q4", "60 ✓")]
    assert [b.cell.period.text for b in phu_vang.bars] == ["2024-Q2", "2024"]
    assert hue.bars[1].length == pytest.approx(chart.plot_width * 0.6)
    assert chart.height > phu_vang.bars[-1].y + chart.bar_height
    assert hue.top > hue.name.box[3] and phu_vang.name.box[1] > hue.bottom


def test_the_chart_draws_the_newest_periods_within_its_bars_the_table_all() -> None:
    """Three district-level units (until they end on 2025-06-30), thirty months each: the
    chart draws the newest fifteen months of each of the four series, the table all thirty."""
    months = [f"{year}-{month:02d}" for year in (2023, 2024, 2025) for month in range(1, 13)
              ][:30]
    records = [share(n, area, period, 20.0 + n % 50) for n, (area, period) in enumerate(
        ((area, period) for area in ("474", "478", "481") for period in months), start=1)]
    views = plan_views(PlanBook([filed_plan(0, PLAN_254)]), figures_of(records), load_areas(),
                       {OPERATOR: "VNPT"})
    bts = next(i for s in views[0].sections for i in s.indicators if i.code == "bts_shared_ratio")
    [table] = bts.tables
    assert bts.chart is not None and len(table.periods) == 30
    assert len(table.rows) == 4  # Huế until 2024, Thuận Hóa from 2025, Phú Vang, A Lưới
    assert [p.text for p in bts.chart.periods] == months[-(CHART_BARS // 4):]
    assert [len(g.bars) for g in bts.chart.groups] == [9, 6, 15, 15]
    assert crossings(bts.chart) == []


def crossings(chart: Chart) -> list[str]:
    """The texts whose estimated box (`text_width` of its longer language, the font's height
    above the baseline and 0.3 of it below) crosses the target line or another text's box, or
    leaves the chart."""
    def box(text: ChartText) -> tuple[float, float, float, float]:
        width = max(text_width(text.vi), text_width(text.en))
        left = text.x - {"start": 0, "middle": width / 2, "end": width}[text.anchor]
        return left, text.y - CHART_FONT, left + width, text.y + 0.3 * CHART_FONT

    found = []
    texts = [box(t) for t in chart.texts]
    for n, (left, top, right, bottom) in enumerate(texts):
        if left < 0 or right > chart.width or top < 0 or bottom > chart.height:
            found.append(f"{chart.texts[n].vi} leaves the chart")
        for group in chart.groups:
            if left <= chart.target_x <= right and top <= group.bottom and bottom >= group.top:
                found.append(f"{chart.texts[n].vi} crosses the target line")
        for m, (left2, top2, right2, bottom2) in enumerate(texts[:n]):
            if left < right2 and left2 < right and top < bottom2 and top2 < bottom:
                found.append(f"{chart.texts[n].vi} meets {chart.texts[m].vi}")
    return found


@pytest.mark.parametrize("values", [
    (29.9, 30.1, 29.5, 30.0, 24.0, 27.0),   # about the target line, each side
    (45.0, 45.0, 45.0, 45.0, 45.0, 45.0),   # equal values side by side
    (0.0, 100.0, 0.0, 100.0, 2.0, 98.5),    # the ends of the scale
    (99.999, 0.5, 28.44, 33.333, 3.0, 31.25),
])
def test_no_chart_label_crosses_the_target_line_or_another_label(
        values: tuple[float, ...]) -> None:
    periods = ("2024-H1", "2024-H2", "2025-H1")
    places = [(area, period) for area in ("474", "478") for period in periods]
    chart = bts_chart([share(n, area, period, value) for n, ((area, period), value)
                       in enumerate(zip(places, values, strict=True), start=1)])
    assert sum(len(g.bars) for g in chart.groups) == 6
    assert crossings(chart) == []
    moved = [b for g in chart.groups for b in g.bars
             if b.value.x != pytest.approx(chart.plot_x + b.length + 3)]
    for bar in moved:  # a moved label is over its bar or just after the line
        assert bar.value.inside or bar.value.x == pytest.approx(chart.target_x + 3)


def test_areas_declared_for_without_a_value_are_listed_apart_not_as_rows() -> None:
    """A percentage without its counts cannot be combined: its area is named in one line under
    the table, and has no row and no bar."""
    book = PlanBook([filed_plan(0, PLAN_254)])

    records = [share(1, "474", "2024", 40.0), share(2, "478", "2024", 40.0, counts=False),
               share(3, "481", "2024", 40.0, counts=False)]
    views = plan_views(book, figures_of(records), load_areas(), {OPERATOR: "VNPT"})
    bts = next(i for s in views[0].sections for i in s.indicators if i.code == "bts_shared_ratio")
    [table] = bts.tables
    assert [s.label.code for s in table.rows] == ["474"]
    assert [s.label.code for s in table.empty] == ["478", "481"]
    assert bts.chart is not None and [g.name.vi for g in bts.chart.groups] == ["Thành phố Huế"]

    views = plan_views(book, figures_of(records[1:]), load_areas(), {OPERATOR: "VNPT"})
    bts = next(i for s in views[0].sections for i in s.indicators if i.code == "bts_shared_ratio")
    [table] = bts.tables
    assert table.rows == () and table.periods == () and len(table.empty) == 2
    assert bts.chart is None


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


def in_vietnamese(element: lxml.html.HtmlElement) -> str:
    """The text of `element` as the Vietnamese page shows it (the English spans left out)."""
    copy = lxml.html.fromstring(lxml.html.tostring(element))
    for english in copy.xpath('.//*[@lang="en"]'):
        english.drop_tree()
    return " ".join(copy.text_content().split())


async def test_the_home_page_shows_the_computed_figure_beside_the_declared(
        manual_app: FastAPI, manual_client: httpx.AsyncClient,
        ledger_domain: SubmissionDomain) -> None:
    """Today A (VNPT, in service, shared with Viettel) is the only site in service, B is out of
    service, C planned, D removed: 100 % of the sites in service are shared, from one record;
    VNPT declared 40 % and Viettel 55 % for the city in 2025."""
    async def post(submission: dict[str, Any]) -> str:
        answer = await manual_client.post("/v1/submissions", json=submission)
        assert answer.status_code == 202, answer.text
        result = answer.json()["results"][0]
        assert result["status"] == "accepted", result
        record_id: str = result["record_id"]
        return record_id

    sites: dict[str, str] = {}
    for n, (name, key, body, older) in enumerate(site_history(ledger_domain)):
        sites[name] = await post(site_submission(ledger_domain, key, body, n,
                                                 None if older is None else sites[older]))
    declared = {operator.name: await post(figure(
        area=CITY, period="2025", value=value, key=operator.key, domain=ledger_domain,
        issued_at=1_764_547_300, extra={"numerator": int(value), "denominator": 100}))
        for operator, value in ((VNPT, 40.0), (VIETTEL, 55.0))}
    node = manual_app.state.node
    await asyncio.to_thread(node.checkpointer.run_once)
    assert await asyncio.to_thread(node.anchorer.run_once) is not None
    today = datetime.fromtimestamp(node.clock(), VIETNAM_TIME).date()

    page = await manual_client.get("/")
    assert page.status_code == 200
    html = lxml.html.fromstring(page.text)
    [table] = html.xpath('//article[@id="bts_shared_ratio"]//table[@data-computed='
                         '"bts_shared_ratio@1"]')
    [side] = table.xpath('.//td[@data-side="declared"]')
    vi = in_vietnamese(side)
    assert "40 % VNPT Thừa Thiên Huế khai báo, Năm 2025" in vi
    assert "55 % Viettel Thừa Thiên Huế khai báo, Năm 2025" in vi
    assert {a.get("href") for a in side.xpath(".//a")} == {
        f"/records/{declared[VNPT.name]}", f"/records/{declared[VIETTEL.name]}"}
    [computed] = table.xpath('.//td[@data-side="computed"]')
    [value] = computed.xpath('./a[@class="value"]')
    assert value.get("href") == f"/v1/indicators/computed?on={today.isoformat()}"
    assert value.xpath('./span[@lang="vi"]/text()') == ["100"]
    words = in_vietnamese(computed)
    assert f"tính từ 1 hồ sơ theo công thức bts_shared_ratio@1, ngày {today:%d/%m/%Y}" in words
    assert "1 trên 1" in words
    assert [a.get("href") for a in computed.xpath('.//details//a[@class="badge"]')] == [
        "/records/" + sites["a2"].removeprefix("0x")]

    [down] = html.xpath('//section[@id="computed"]//table[@data-computed='
                        '"sites_out_of_service@1"]')
    assert down.xpath('.//td[@data-side="computed"]/a[@class="value"]/span[@lang="en"]/text()'
                      ) == ["1"]
    assert [a.get("href") for a in down.xpath('.//details//a[@class="badge"]')] == [
        "/records/" + sites["b"].removeprefix("0x")]
    assert " ".join(down.xpath('.//td[@data-side="declared"]//*[@lang="en"]//text()')
                    ).strip() == "Nobody has declared a figure for the city."
    assert html.xpath('//section[@id="computed"]//article/@id') == [
        "sites_5g", "sites_4g_share", "sites_out_of_service"]  # no route, no duct: not shown
    assert not html.xpath('//article[@id="cable_pole_shared_ratio"]//table[@data-computed]')


COMPUTED_DAY = date(2025, 12, 1)


def site(n: int) -> PendingEntry:
    """A `site/1` record of a shared site in service (the sample body, its own id)."""
    body = infra_body("site", site_id=f"VNPT-HUE-{n:05d}")
    return pending(n, f"site:{body['site_id']}", body, schema="site/1")


def test_a_computed_figure_links_to_its_first_records_and_counts_the_rest(
        database_url: str) -> None:
    """Twelve sites in service, all shared: the page links to the first ten one by one."""
    store = LogStore(database_url, "test.example/log", now=0)
    try:
        book = InfrastructureBook(RecordStore(store))
        assert computed_views(book, 0, COMPUTED_DAY, [], {}) == {}  # nothing to compute from
        for n in range(12):
            append(store, site(n))
        anchor(store, 12)
        view = computed_views(book, 12, COMPUTED_DAY, [], {})["bts_shared_ratio"]
        assert (view.figure.value, view.counted_more) == (100.0, 12 - COUNTED_SHOWN)
        assert len(view.counted_shown) == COUNTED_SHOWN
        assert all(len(record) == 64 for record in view.counted_shown)
        assert view.declared == ()
    finally:
        store.close()


CHART_GEOMETRY = """() => [...document.querySelectorAll("svg.chart")].map(svg => ({
  width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height,
  texts: [...svg.querySelectorAll("text")].map(text => {
    const box = text.getBBox();
    return {text: text.textContent, left: box.x, top: box.y, right: box.x + box.width,
            bottom: box.y + box.height};
  }),
  lines: [...svg.querySelectorAll("line.target")].map(line => ({
    x: line.x1.baseVal.value, top: line.y1.baseVal.value, bottom: line.y2.baseVal.value})),
}))"""
"""Each chart's drawn text boxes (SVG's own `getBBox`, in the chart's units) and target lines."""


def drawn_crossings(charts: list[dict[str, Any]]) -> list[str]:
    found = []
    for chart in charts:
        texts = chart["texts"]
        for n, box in enumerate(texts):
            if box["right"] - box["left"] <= 0:
                continue  # nothing drawn in this language
            if box["left"] < 0 or box["right"] > chart["width"]:
                found.append(f"{box['text']} leaves the chart")
            for line in chart["lines"]:
                if (box["left"] <= line["x"] <= box["right"]
                        and box["top"] < line["bottom"] and line["top"] < box["bottom"]):
                    found.append(f"{box['text']} crosses the target line")
            for other in texts[:n]:
                if (box["left"] < other["right"] and other["left"] < box["right"]
                        and box["top"] < other["bottom"] and other["top"] < box["bottom"]):
                    found.append(f"{box['text']} meets {other['text']}")
    return found


def test_on_a_phone_no_drawn_label_crosses_and_plan_254_shows_section_d_whole(
        filed: Filed, browser: Browser) -> None:  # noqa: F811 (the fixture)
    """Huế's 24 % of 2024-Q4 is just under the ≥ 30 % line: its label is drawn over its bar,
    in either language; section d of plan 254, with no figure, has its heading, says so, and
    lists its own aims."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(filed.url + "/")
    chart = page.locator('article[data-indicator="bts_shared_ratio"] svg.chart')
    expect(chart.locator("rect.bar")).to_have_count(3)  # Huế 2024-Q2 and 2024-Q4, Phú Vang Q3
    expect(chart.locator("text.value.inside")).to_have_text(["24"])
    for language in ("vi", "en"):
        if language == "en":
            page.get_by_role("button", name="English").click()
        charts = page.evaluate(CHART_GEOMETRY)
        assert charts and drawn_crossings(charts) == [], language
    page.get_by_role("button", name="Tiếng Việt").click()
    figure = page.locator('article[data-indicator="bts_shared_ratio"] figure')
    described = figure.get_attribute("aria-describedby")
    expect(page.locator(f'table.areas[id="{described}"]')).to_have_count(1)
    expect(figure.locator("figcaption")).to_contain_text("Theo đơn vị cấp huyện",
                                                         use_inner_text=True)
    plan = page.locator('section.plan[id="plan:2023:254-kh-ubnd"]')
    expect(plan.locator(":scope > section > h3")).to_have_text(
        [re.compile(f"^{code}\\. ") for code in ("a", "b", "c", "d", "đ")],
        use_inner_text=True)
    digital = plan.locator('section[data-section="d"]')
    expect(digital.locator("h3")).to_have_text("d. Hạ tầng công nghệ số", use_inner_text=True)
    expect(digital.locator('[data-section-note="no-figure"]')).to_have_text(
        "Mục này không có chỉ tiêu định lượng.", use_inner_text=True)
    expect(digital.locator("ul.aims li")).to_have_count(5)
    expect(plan.locator('section[data-section="b"] ul.aims li')).to_have_count(1)
    context.close()
