"""The indicator table's data: which records stand in the anchored log (SQLite and PostgreSQL),
which figure is the latest of each area, and the chart's layout."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from api.web.indicator_table import (
    CHART_LABEL_WIDTH,
    AreaFigure,
    Figure,
    bar_chart,
    indicator_sections,
    latest_figures,
    period_end,
)
from filings.catalogue import load_catalogue
from ledger.canonical import canonical_json
from ledger.entry import Entry, to_checksum_address
from ledger.merkle import Hash, LeafHash
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.indicators import IndicatorRecord, standing_indicator_records
from ledger.storage.store import LogStore, PendingEntry

OPERATOR = to_checksum_address("0x" + "ab" * 20)


def pending(n: int, subject: str, body: dict[str, object], *, schema: str = "indicator/1",
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


def bts(n: int, area: str, period: str, value: float,
        supersedes: LeafHash | None = None) -> PendingEntry:
    body = {"indicator": "bts_shared_ratio", "area": area, "period": period, "value": value}
    return pending(n, f"indicator:bts_shared_ratio:{area}:{period}", body, supersedes=supersedes)


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


def test_standing_records_are_anchored_public_indicators_not_superseded(store: LogStore) -> None:
    first = append(store, bts(0, "phu_vang", "2024-Q3", 27.0))
    append(store, bts(1, "phu_vang", "2024-Q3", 31.5, supersedes=first))
    yearly = append(store, bts(2, "hue", "2024", 40.0))
    append(store, bts(3, "hue", "2024-Q3", 20.0))
    append(store, pending(4, "report:2024:x", {"period": "2024", "title": "t"},
                          schema="report/1"))
    append(store, pending(5, "indicator:bts_shared_ratio:a_luoi:2024",
                          {"indicator": "bts_shared_ratio", "area": "a_luoi", "period": "2024",
                           "value": 1.0}, salt=bytes(32)))
    anchor(store, 6)
    append(store, bts(6, "hue", "2025-01", 50.0))
    append(store, bts(7, "hue", "2024", 41.0, supersedes=yearly))

    assert [r.index for r in standing_indicator_records(store, 6)] == [1, 2, 3]
    assert [r.index for r in standing_indicator_records(store, 8)] == [1, 3, 6, 7]
    assert standing_indicator_records(store, 0) == []
    (record, *_) = standing_indicator_records(store, 6)
    assert record.subject == "indicator:bts_shared_ratio:phu_vang:2024-Q3"
    assert record.operator == OPERATOR
    assert record.body == canonical_json({"area": "phu_vang", "indicator": "bts_shared_ratio",
                                          "period": "2024-Q3", "value": 31.5})

    catalogue = load_catalogue()
    figures = latest_figures(catalogue, standing_indicator_records(store, 6))
    assert {key: f.value for key, f in figures.items()} == {
        ("bts_shared_ratio", "phu_vang"): 31.5, ("bts_shared_ratio", "hue"): 40.0}
    assert figures[("bts_shared_ratio", "phu_vang")].met
    later = latest_figures(catalogue, standing_indicator_records(store, 8))
    assert later[("bts_shared_ratio", "hue")].period == "2025-01"


def test_periods_order_by_their_last_month() -> None:
    assert period_end("2024") == (2024, 12)
    assert period_end("2024-Q3") == (2024, 9)
    assert period_end("2024-07") == (2024, 7)
    assert sorted(["2024", "2024-Q4", "2024-11", "2025-Q1"], key=period_end) == [
        "2024-11", "2024", "2024-Q4", "2025-Q1"]


def test_bodies_that_do_not_parse_or_do_not_match_their_subject_are_left_out() -> None:
    def record(index: int, subject: str, body: bytes) -> IndicatorRecord:
        return IndicatorRecord(index, LeafHash(bytes([index]) * 32), subject, OPERATOR,
                               1_720_000_000, body)

    good = canonical_json({"indicator": "bts_shared_ratio", "area": "hue", "period": "2024",
                           "value": 12.5})
    records = [
        record(0, "indicator:bts_shared_ratio:hue:2024", good),
        record(1, "indicator:bts_shared_ratio:hue:2024", b'{"value": "99"}'),
        record(2, "indicator:bts_shared_ratio:nam_dong:2024", good),
    ]
    figures = latest_figures(load_catalogue(), records)
    assert list(figures) == [("bts_shared_ratio", "hue")]
    assert figures[("bts_shared_ratio", "hue")].record_id == "00" * 32


def test_every_indicator_is_listed_and_the_chart_scales_to_the_unit() -> None:
    catalogue = load_catalogue()
    sections = indicator_sections(catalogue, [])
    rows = [row for section in sections for row in section.rows]
    assert [row.indicator.code for row in rows] == list(catalogue.indicators)
    district_rows = [row for row in rows if row.indicator.scope == "district"]
    assert all(len(row.areas) == 10 and row.chart is not None for row in district_rows)
    assert all(len(row.areas) == 1 and row.chart is None
               for row in rows if row.indicator.scope == "province")

    bts_row = next(row for row in district_rows if row.indicator.code == "bts_shared_ratio")
    hue, *others = bts_row.areas[1:]
    reported = AreaFigure(hue.area, Figure(60.0, "2024", "00" * 32, OPERATOR, True))
    chart = bar_chart(bts_row.indicator, [reported, *others])
    assert chart.scale_max == 100.0
    assert chart.target_x == pytest.approx(CHART_LABEL_WIDTH + chart.plot_width * 0.3)
    assert [bar.label for bar in chart.bars][:3] == ["Huế", "Phong Điền", "Quảng Điền"]
    assert chart.bars[0].length == pytest.approx(chart.plot_width * 0.6)
    assert all(bar.length == 0 and bar.figure is None for bar in chart.bars[1:])
    assert chart.height > chart.bars[-1].y + chart.bar_height

    accounts = catalogue.indicator("cloud_accounts_per_person")
    unbounded = bar_chart(accounts, [AreaFigure(hue.area, Figure(2.5, "2024", "00" * 32,
                                                                 OPERATOR, True))])
    assert unbounded.scale_max == 2.5
    assert unbounded.bars[0].length == pytest.approx(unbounded.plot_width)
