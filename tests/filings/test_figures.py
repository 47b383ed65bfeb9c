"""Who declares which figure: operators' figures per operator, the department's compiled figure
first, else the target's formula; nulls with their reason; contradictions flagged; series
that follow renames but never join merged or split units; each value judged by the plan in
force when it was filed."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from filings.areas import load_areas
from filings.figures import FiledFigure, IndicatorHistory, indicator_history, lineage
from filings.plans import FiledPlan, PlanBody, PlanBook
from ledger.canonical import canonical_json
from tests.filings.factories import PLAN_254, PLAN_ISSUED_AT

VNPT, VIETTEL, MOBIFONE = (f"0x{n:040x}" for n in (1, 2, 3))
DEPARTMENT = f"0x{9:040x}"
OPERATORS = {VNPT: "VNPT", VIETTEL: "Viettel", MOBIFONE: "MobiFone"}
DISTRICTS_2024 = ("474", "476", "477", "478", "479", "480", "481", "482", "483")


def plan_body(**extra_targets: Any) -> dict[str, Any]:
    """Plan 254 with a count target `bts_sites` (sum/1) beside its own."""
    body = copy.deepcopy(PLAN_254)
    body["targets"].append({
        "indicator": "bts_sites", "section": "a", "name_vi": "Số trạm BTS",
        "name_en": "BTS sites", "unit": "count", "direction": "at_least", "value": 1500,
        "deadline": "2025-12-31", "levels": ["province", "district", "commune"],
        "formula": "sum/1", **extra_targets})
    return body


def filed(index: int, body: dict[str, Any], supersedes: str | None = None) -> FiledPlan:
    parsed = PlanBody.model_validate(json.loads(canonical_json(body)))
    return FiledPlan(f"{index:064x}", index, DEPARTMENT, PLAN_ISSUED_AT, parsed.subject(),
                     supersedes, parsed)


BOOK = PlanBook([filed(0, plan_body())])


class Figures:
    """Figures with increasing log indices, as a log would hold them."""

    def __init__(self) -> None:
        self.items: list[FiledFigure] = []

    def add(self, signer: str, indicator: str, area: str, period: str, value: float, *,
            counts: tuple[int, int] | None = None, issued_at: int = 1_740_000_000,
            unit: str = "%") -> FiledFigure:
        index = len(self.items) + 1
        numerator, denominator = counts if counts else (None, None)
        item = FiledFigure(index, f"{index:064x}", signer, issued_at, indicator, area, period,
                           value, unit, numerator, denominator)
        self.items.append(item)
        return item

    def history(self, indicator: str, book: PlanBook = BOOK) -> IndicatorHistory:
        return indicator_history(indicator, self.items, book, load_areas(), OPERATORS)


def cell(history: IndicatorHistory, area: str, period: str) -> Any:
    for series in history.series:
        found = series.cells.get(period)
        if found is not None and found.area.code == area:
            return found
    raise AssertionError(f"no figure for {area} {period}")


def test_each_operator_is_shown_with_its_latest_figure() -> None:
    figures = Figures()
    figures.add(VNPT, "bts_shared_ratio", "46", "2024", 20.0, counts=(20, 100))
    figures.add(VNPT, "bts_shared_ratio", "46", "2024", 21.0, counts=(21, 100),
                issued_at=1_740_000_100)
    figures.add(VIETTEL, "bts_shared_ratio", "46", "2024", 40.0, counts=(120, 300))
    city = cell(figures.history("bts_shared_ratio"), "46", "2024")
    assert [(d.figure.signer, d.figure.value) for d in city.operators] == [
        (VNPT, 21.0), (VIETTEL, 40.0)]
    # ratio/1: (21 + 120) / (100 + 300), never the mean (21 + 40) / 2
    assert (city.source, city.value, city.aggregate.inputs) == ("computed", 35.2, 2)
    assert city.met is True and city.judgement.plan_record == f"{0:064x}"


def test_the_departments_figure_is_the_area_figure_and_no_operator_moves_it() -> None:
    figures = Figures()
    figures.add(DEPARTMENT, "bts_shared_ratio", "46", "2025", 13.0)
    figures.add(VIETTEL, "bts_shared_ratio", "46", "2025", 99.0, counts=(99, 100),
                issued_at=1_770_000_000)
    city = cell(figures.history("bts_shared_ratio"), "46", "2025")
    assert (city.source, city.value, city.met) == ("compiled", 13.0, False)
    assert city.compiled.figure.signer == DEPARTMENT and city.compiled.compiled
    assert [d.figure.value for d in city.operators] == [99.0]
    assert city.aggregate.value == 99.0  # shown beside it, never instead of it


def test_no_data_is_null_with_its_reason() -> None:
    figures = Figures()
    figures.add(VNPT, "village_ftth_ratio", "46", "2024", 92.0)
    figures.add(VNPT, "bts_shared_ratio", "46", "2024", 20.0)
    figures.add(VIETTEL, "bts_shared_ratio", "46", "2024", 30.0, counts=(3, 10))
    declared = cell(figures.history("village_ftth_ratio"), "46", "2024")
    assert (declared.value, declared.source) == (None, None)
    assert declared.aggregate.formula == "declared/1"
    assert "Sở KH&CN" in (declared.aggregate.reason_vi or "")
    uncounted = cell(figures.history("bts_shared_ratio"), "46", "2024")
    assert uncounted.value is None and uncounted.met is None
    assert "numerator" in (uncounted.aggregate.reason_en or "")


def test_counts_are_summed() -> None:
    figures = Figures()
    for signer, value in ((VNPT, 400), (VIETTEL, 700), (MOBIFONE, 300)):
        figures.add(signer, "bts_sites", "46", "2025", value, unit="count")
    city = cell(figures.history("bts_sites"), "46", "2025")
    assert (city.value, city.source, city.met) == (1400.0, "computed", False)


def test_a_province_figure_outside_its_districts_range_is_flagged() -> None:
    figures = Figures()
    for position, district in enumerate(DISTRICTS_2024):
        figures.add(DEPARTMENT, "bts_shared_ratio", district, "2024", 20.0 + position)
    figures.add(DEPARTMENT, "bts_shared_ratio", "46", "2024", 100.0)
    city = cell(figures.history("bts_shared_ratio"), "46", "2024")
    [flag] = city.flags
    assert flag.code == "outside_sub_area_range" and (flag.low, flag.high) == (20.0, 28.0)
    assert flag.sub_areas == DISTRICTS_2024 and "mâu thuẫn" in flag.message_vi
    assert city.value == 100.0  # flagged, not hidden
    within = Figures()
    within.items = [f for f in figures.items if f.area != "46"]
    within.add(DEPARTMENT, "bts_shared_ratio", "46", "2024", 24.5)
    assert cell(within.history("bts_shared_ratio"), "46", "2024").flags == ()


def test_a_count_is_flagged_only_when_every_sub_area_reported() -> None:
    figures = Figures()
    for district in DISTRICTS_2024[:-1]:
        figures.add(DEPARTMENT, "bts_sites", district, "2024", 100, unit="count")
    figures.add(DEPARTMENT, "bts_sites", "46", "2024", 1000, unit="count")
    assert cell(figures.history("bts_sites"), "46", "2024").flags == ()
    figures.add(DEPARTMENT, "bts_sites", DISTRICTS_2024[-1], "2024", 100, unit="count")
    [flag] = cell(figures.history("bts_sites"), "46", "2024").flags
    assert flag.code == "differs_from_sum" and flag.low == 900


def test_series_follow_renames_and_recodes_never_merges_or_splits() -> None:
    figures = Figures()
    for period in ("2023", "2024", "2025-H1", "2025"):
        figures.add(DEPARTMENT, "village_ftth_ratio", "46", period, 95.0)
    for area, period in (("476", "2024"), ("476", "2025-H1"), ("482", "2024"),
                         ("482", "2025-H1"), ("483", "2024"), ("474", "2024"),
                         ("475", "2025-H1"), ("19753", "2025")):
        figures.add(DEPARTMENT, "village_ftth_ratio", area, period, 90.0)
    history = figures.history("village_ftth_ratio")
    [city] = history.series_at("province")
    assert sorted(city.cells) == ["2023", "2024", "2025", "2025-H1"]
    assert [a.name_vi for a in city.areas] == ["Tỉnh Thừa Thiên Huế", "Thành phố Huế",
                                               "Thành phố Huế"]
    districts = {(s.label.code, tuple(sorted(s.cells))) for s in history.series_at("district")}
    assert districts == {("476", ("2024", "2025-H1")),  # huyện, then thị xã Phong Điền
                         ("482", ("2024",)), ("482", ("2025-H1",)),  # Nam Đông merged in
                         ("483", ("2024",)), ("474", ("2024",)), ("475", ("2025-H1",))}
    [ward] = history.series_at("commune")
    assert ward.label.name_vi == "Phường Phú Xuân" and list(ward.cells) == ["2025"]
    areas = load_areas()
    assert lineage(areas.resolve("46", date(2025, 12, 31)), areas) == "vn:46:p46@2024-12-31"
    assert [p.text for p in history.periods] == ["2023", "2024", "2025-H1", "2025"]


def test_each_value_is_judged_by_the_plan_in_force_when_it_was_filed() -> None:
    first = filed(0, plan_body())
    corrected_body = plan_body()
    corrected_body["targets"][2]["value"] = 25
    book = PlanBook([first, filed(10, corrected_body, supersedes=first.record_id)])
    figures = Figures()
    before = figures.add(VNPT, "bts_shared_ratio", "46", "2024", 27.0, counts=(27, 100))
    figures.items = [before]  # index 1: before the correction
    figures.items.append(FiledFigure(11, f"{11:064x}", VIETTEL, 1_740_000_000,
                                     "bts_shared_ratio", "46", "2025", 27.0, "%", 27, 100))
    history = figures.history("bts_shared_ratio", book)
    early = cell(history, "46", "2024")
    late = cell(history, "46", "2025")
    assert early.operators[0].judgement.target.target.value == 30
    assert early.operators[0].met is False and early.judgement.plan_record == f"{0:064x}"
    assert late.operators[0].judgement.target.target.value == 25
    assert late.operators[0].met is True and late.judgement.plan_record == f"{10:064x}"
    assert history.latest is not None and history.latest.target.value == 25


@pytest.mark.parametrize("body", [
    {"indicator": "bts_shared_ratio", "area": "46", "period": "2024"},
    {"indicator": "bts_shared_ratio", "area": "46", "period": "2024", "value": "1", "unit": "%"},
    {"indicator": "bts_shared_ratio", "area": "46", "period": "2024", "value": True,
     "unit": "%"},
])
def test_a_body_that_is_no_figure_is_left_out(body: dict[str, Any]) -> None:
    assert FiledFigure.of(0, "00" * 32, VNPT, 0, body) is None
