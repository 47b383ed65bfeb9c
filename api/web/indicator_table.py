"""The home page's data: every plan in force, its indicators, and each indicator's history by
the rule of `filings.figures` (who declares, compiled or computed area figures, flags, series),
with a bar chart of the latest sub-area figures (inline SVG, drawn on the server).

The plans are shown newest document first. An indicator appears once, under the newest plan
that names it, with its whole history: each period judged by its own target, whichever plan
that comes from. Figures are those of the anchored log (`ledger.storage.indicators`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import orjson

from filings.areas import AreaCatalogue
from filings.figures import (
    AreaFigure,
    Declared,
    FiledFigure,
    IndicatorHistory,
    Series,
    indicator_history,
)
from filings.periods import Period
from filings.plans import FiledPlan, Goal, PlanBook, PlanSection, Target
from filings.units import UNITS
from ledger.entry import record_id
from ledger.storage.indicators import IndicatorRecord

CHART_WIDTH: Final = 340
CHART_LABEL_WIDTH: Final = 120
CHART_BAR_HEIGHT: Final = 14
CHART_GAP: Final = 4
CHART_TOP: Final = 20
LEVEL_NOTES: Final[Mapping[str, tuple[str, str]]] = {
    "district": (
        "Các đơn vị cấp huyện của năm 2023–2024 và của 6 tháng đầu năm 2025 không hoàn toàn "
        "là một: từ 01/01/2025 thành phố Huế cũ được chia thành quận Phú Xuân và quận Thuận "
        "Hóa, huyện Nam Đông nhập vào huyện Phú Lộc (NQ 1314/NQ-UBTVQH15). Mỗi dòng là một đơn "
        "vị giữ nguyên địa giới; không so sánh các dòng khác nhau như một chuỗi.",
        "The district-level units of 2023–2024 and of 2025 H1 are not quite the same: from "
        "2025-01-01 the old Huế City was split into Phú Xuân and Thuận Hóa, and Nam Đông merged "
        "into Phú Lộc (NQ 1314/NQ-UBTVQH15). Each row is one unit with unchanged borders; "
        "different rows are never compared as one series."),
    "commune": (
        "Từ 01/07/2025 không còn cấp huyện: 40 đơn vị cấp xã (21 phường, 19 xã, "
        "NQ 1675/NQ-UBTVQH15) có địa giới cắt ngang các huyện cũ, nên số liệu theo xã không so "
        "sánh được với số liệu theo huyện (số liệu huyện năm 2024 không phải số liệu phường, "
        "xã năm 2026).",
        "From 2025-07-01 there is no district level: the 40 commune-level units (21 wards, "
        "19 communes, NQ 1675/NQ-UBTVQH15) cut across the old districts, so figures by commune "
        "cannot be compared with figures by district (a 2024 district figure is not a 2026 "
        "ward figure)."),
}
"""Why the figures of one level's table are not one series with another's."""
LEVEL_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    "province": ("Toàn tỉnh / thành phố", "Province / city"),
    "district": ("Theo đơn vị cấp huyện", "By district-level unit"),
    "commune": ("Theo đơn vị cấp xã", "By commune-level unit"),
}


def figures_of(records: Iterable[IndicatorRecord]) -> list[FiledFigure]:
    """The figures of stored records (bodies are RFC 8785 JSON; anything else is left out)."""
    found = []
    for record in records:
        try:
            body = orjson.loads(record.body)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(body, dict):
            continue
        figure = FiledFigure.of(record.index, record_id(record.leaf_hash), record.operator,
                                record.issued_at, body)
        if figure is not None and record.subject == (
                f"indicator:{figure.indicator}:{figure.area}:{figure.period}"):
            found.append(figure)
    return found


@dataclass(frozen=True, slots=True)
class Bar:
    """One sub-area's bar: its place, and its length in chart units (0 when it has no data)."""

    label: str
    y: int
    length: float
    cell: AreaFigure | None


@dataclass(frozen=True, slots=True)
class Chart:
    """Horizontal bars of one period's sub-area figures, with the target as a vertical line."""

    period: Period
    level: str
    width: int
    height: int
    plot_x: int
    plot_width: int
    bar_height: int
    target_x: float | None
    scale_max: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class SubTable:
    """The series of one level of area, by period: `rows` have a value in some period; `empty`
    are the areas declared for but without any value that can be shown (a percentage without
    its counts, a figure awaiting the department), listed in one line rather than a row each, so
    forty such units do not make a phone page forty rows of dashes longer."""

    level: str
    periods: tuple[Period, ...]
    rows: tuple[Series, ...]
    empty: tuple[Series, ...] = ()

    @property
    def name(self) -> tuple[str, str]:
        return LEVEL_NAMES[self.level]

    @property
    def note(self) -> tuple[str, str]:
        return LEVEL_NOTES[self.level]


@dataclass(frozen=True, slots=True)
class IndicatorView:
    """One indicator: names and current target, the province or city row, the operators'
    rows, the sub-area tables, and a chart."""

    target: Target
    plan: FiledPlan
    history: IndicatorHistory
    city: Series | None
    declarants: tuple[tuple[str, str], ...]
    """(address, name) of each operator that filed a province- or city-level figure."""
    tables: tuple[SubTable, ...]
    chart: Chart | None

    @property
    def code(self) -> str:
        return self.target.indicator

    def city_cell(self, period: Period) -> AreaFigure | None:
        return None if self.city is None else self.city.cells.get(period.text)

    @property
    def city_periods(self) -> tuple[Period, ...]:
        if self.city is None:
            return ()
        return tuple(sorted((c.period for c in self.city.cells.values()),
                            key=lambda p: (p.end, p.start)))

    def operator_figure(self, period: Period, address: str) -> Declared | None:
        """The figure `address` declared for the province or city in `period`, if any."""
        cell = self.city_cell(period)
        if cell is None:
            return None
        return next((d for d in cell.operators if d.figure.signer == address), None)


@dataclass(frozen=True, slots=True)
class SectionView:
    section: PlanSection
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: FiledPlan
    sections: tuple[SectionView, ...]
    goals: tuple[Goal, ...]


def plan_views(book: PlanBook, figures: Sequence[FiledFigure], catalogue: AreaCatalogue,
               names: Mapping[str, str]) -> tuple[PlanView, ...]:
    """Every plan in force, newest document first, each with the indicators it is the newest
    plan of. `names` maps every registered operator's address to its registry name."""
    plans = tuple(reversed(book.current()))
    by_indicator: dict[str, list[FiledFigure]] = {}
    for item in figures:
        by_indicator.setdefault(item.indicator, []).append(item)
    shown: set[str] = set()
    views = []
    for plan in plans:
        sections = []
        for section in plan.body.sections:
            items = []
            for target in plan.body.targets:
                if target.section != section.code or target.indicator in shown:
                    continue
                shown.add(target.indicator)
                history = indicator_history(target.indicator,
                                            by_indicator.get(target.indicator, ()), book,
                                            catalogue, names)
                items.append(_view(target, plan, history, names))
            if items:
                sections.append(SectionView(section, tuple(items)))
        views.append(PlanView(plan, tuple(sections), tuple(plan.body.goals)))
    return tuple(views)


def _view(target: Target, plan: FiledPlan, history: IndicatorHistory,
          names: Mapping[str, str]) -> IndicatorView:
    current = history.latest.target if history.latest is not None else target
    cities = history.series_at("province")
    city = cities[0] if len(cities) == 1 else None
    declarants = sorted({d.figure.signer for s in cities for c in s.cells.values()
                         for d in c.operators})
    tables = []
    for level in ("district", "commune"):
        rows = history.series_at(level)
        if rows:
            ordered = sorted(rows, key=lambda s: s.label.code)
            shown = tuple(s for s in ordered if _has_value(s))
            periods = tuple(sorted({c.period for s in shown for c in s.cells.values()},
                                   key=lambda p: (p.end, p.start)))
            tables.append(SubTable(level, periods, shown,
                                   tuple(s for s in ordered if not _has_value(s))))
    return IndicatorView(current, plan, history, city,
                         tuple((a, names.get(a, a)) for a in declarants), tuple(tables),
                         _chart(tables[-1], current) if tables else None)


def _has_value(series: Series) -> bool:
    return any(cell.value is not None for cell in series.cells.values())


def _chart(table: SubTable, target: Target) -> Chart | None:
    """Bars of the table's latest period; the scale reaches the unit's maximum when it is a
    percentage, else the largest of the target and the figures. None when no area has a value."""
    if not table.periods:
        return None
    period = table.periods[-1]
    rows = [(s.label.name_vi, s.cells.get(period.text)) for s in table.rows
            if period.text in s.cells or s.label.valid_on(period.as_of)]
    if not rows:
        return None
    values = [c.value for _, c in rows if c is not None and c.value is not None]
    unit = UNITS.get(target.unit)
    percent = unit is not None and unit.code == "%"
    scale_max = 100.0 if percent else max([target.value, *values]) or 1.0
    plot_width = CHART_WIDTH - CHART_LABEL_WIDTH - 40
    step = CHART_BAR_HEIGHT + CHART_GAP
    bars = tuple(
        Bar(label, CHART_TOP + position * step,
            0.0 if cell is None or cell.value is None else plot_width * cell.value / scale_max,
            cell)
        for position, (label, cell) in enumerate(rows))
    return Chart(period, table.level, CHART_WIDTH, CHART_TOP + len(bars) * step + 4,
                 CHART_LABEL_WIDTH, plot_width, CHART_BAR_HEIGHT,
                 CHART_LABEL_WIDTH + plot_width * target.value / scale_max, scale_max, bars)
