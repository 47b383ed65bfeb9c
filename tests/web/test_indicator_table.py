"""The home page's data: which records stand in the anchored log (SQLite and PostgreSQL), the
figures read from them, the plans shown newest first with each indicator once, and the chart."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest

from api.web.indicator_table import CHART_LABEL_WIDTH, figures_of, plan_views
from filings.areas import load_areas
from filings.plans import FiledPlan, PlanBody, PlanBook
from ledger.canonical import canonical_json
from ledger.entry import Entry, to_checksum_address
from ledger.merkle import Hash, LeafHash
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.indicators import IndicatorRecord, standing_indicator_records
from ledger.storage.store import LogStore, PendingEntry
from tests.filings.factories import PLAN_254, PLAN_ISSUED_AT
from tests.filings.test_plans import PLAN_455

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


def filed(index: int, body: dict[str, object]) -> FiledPlan:
    parsed = PlanBody.model_validate(json.loads(canonical_json(body)))
    return FiledPlan(f"{index:064x}", index, DEPARTMENT, PLAN_ISSUED_AT, parsed.subject(), None,
                     parsed)


def test_plans_newest_first_each_indicator_once_with_its_whole_history() -> None:
    book = PlanBook([filed(0, PLAN_254), filed(1, PLAN_455)])
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
    assert len(views[1].goals) == 7 and views[0].goals == ()


def test_the_chart_shows_the_latest_sub_areas_against_the_target() -> None:
    book = PlanBook([filed(0, PLAN_254)])
    records = [
        IndicatorRecord(n, LeafHash(bytes([n]) * 32), f"indicator:bts_shared_ratio:{a}:2024",
                        OPERATOR, 1_740_000_000, canonical_json({
                            "indicator": "bts_shared_ratio", "area": a, "period": "2024",
                            "value": v, "unit": "%", "numerator": int(v), "denominator": 100}))
        for n, (a, v) in enumerate((("474", 60.0), ("478", 20.0)), start=1)
    ]
    views = plan_views(book, figures_of(records), load_areas(), {OPERATOR: "VNPT"})
    bts = next(i for s in views[0].sections for i in s.indicators if i.code == "bts_shared_ratio")
    [table] = bts.tables
    assert table.level == "district" and [s.label.code for s in table.rows] == ["474", "478"]
    chart = bts.chart
    assert chart is not None and chart.scale_max == 100.0
    assert chart.target_x == pytest.approx(CHART_LABEL_WIDTH + chart.plot_width * 0.3)
    assert [bar.label for bar in chart.bars] == ["Thành phố Huế", "Huyện Phú Vang"]
    assert chart.bars[0].length == pytest.approx(chart.plot_width * 0.6)
    assert chart.height > chart.bars[-1].y + chart.bar_height
    assert bts.city is None  # no figure for the province: its row is not invented


def test_areas_declared_for_without_a_value_are_listed_apart_not_as_rows() -> None:
    """A percentage without its counts cannot be combined: its area is named in one line under
    the table, and has no row and no bar."""
    book = PlanBook([filed(0, PLAN_254)])

    def share(n: int, area: str, counts: bool) -> IndicatorRecord:
        body: dict[str, object] = {"indicator": "bts_shared_ratio", "area": area,
                                   "period": "2024", "value": 40.0, "unit": "%"}
        if counts:
            body |= {"numerator": 40, "denominator": 100}
        return IndicatorRecord(n, LeafHash(bytes([n]) * 32),
                               f"indicator:bts_shared_ratio:{area}:2024", OPERATOR,
                               1_740_000_000, canonical_json(body))

    records = [share(1, "474", True), share(2, "478", False), share(3, "481", False)]
    views = plan_views(book, figures_of(records), load_areas(), {OPERATOR: "VNPT"})
    bts = next(i for s in views[0].sections for i in s.indicators if i.code == "bts_shared_ratio")
    [table] = bts.tables
    assert [s.label.code for s in table.rows] == ["474"]
    assert [s.label.code for s in table.empty] == ["478", "481"]
    assert bts.chart is not None and [bar.label for bar in bts.chart.bars] == ["Thành phố Huế"]

    views = plan_views(book, figures_of(records[1:]), load_areas(), {OPERATOR: "VNPT"})
    bts = next(i for s in views[0].sections for i in s.indicators if i.code == "bts_shared_ratio")
    [table] = bts.tables
    assert table.rows == () and table.periods == () and len(table.empty) == 2
    assert bts.chart is None
