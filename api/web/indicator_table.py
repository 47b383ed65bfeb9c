"""The home page's data: every plan in force, its indicators, and each indicator's history by
the rule of `filings.figures` (who declares, compiled or computed area figures, flags, series),
with a bar chart of the latest sub-area figures (inline SVG, drawn on the server).

The plans are shown newest document first. An indicator appears once, under the newest plan
that names it, with its whole history: each period judged by its own target, whichever plan
that comes from. Figures are those of the anchored log (`ledger.storage.indicators`).

Where a formula of `filings.computed` computes the indicator from the infrastructure records,
the city's computed figure on the day is shown beside what was declared for the city
(`ComputedView`): each declarant's latest figure of the latest period that has begun by that
day, and the computed one with the number of records it is computed from and the records it
counts, each verifiable. The computed figures are of the anchored log too (each thing's latest
anchored version, `api.web.map_view.standing`); the formulas no plan names are listed after the
plans (`unplanned`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import orjson

from api.infrastructure import InfrastructureBook
from api.web.map_view import standing
from api.web.wording import page_text
from filings.areas import AreaCatalogue
from filings.computed import FORMULAS, ComputedFigure, Formula, compute
from filings.figures import (
    DEPARTMENT,
    AreaFigure,
    Declared,
    FiledFigure,
    IndicatorHistory,
    Series,
    indicator_history,
    latest_per_declarant,
)
from filings.infrastructure import INFRASTRUCTURE_KINDS
from filings.periods import Period, parse_period
from filings.plans import FiledPlan, Goal, PlanBook, PlanSection, Target
from filings.units import PERCENT, UNITS
from ledger.entry import record_id
from ledger.storage.indicators import IndicatorRecord

CHART_WIDTH: Final = 340
CHART_LABEL_WIDTH: Final = 120
CHART_BAR_HEIGHT: Final = 14
CHART_GAP: Final = 4
CHART_TOP: Final = 20
COUNTED_SHOWN: Final = 10
"""Records counted by a computed figure that the page links to one by one; the others are in
the answer of `GET /v1/indicators/computed` the figure links to."""
LEVEL_NOTES: Final[Mapping[str, tuple[str, str]]] = {
    level: page_text(f"home.level_note_{level}") for level in ("district", "commune")}
"""Why the figures of one level's table are not one series with another's."""
LEVEL_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    level: page_text(f"home.level_{level}") for level in ("province", "district", "commune")}


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
    computed: ComputedView | None = None

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
class ComputedView:
    """An indicator computed from the infrastructure records for the city on a day, beside the
    figures declared for the city: each declarant's latest of the latest period begun by then."""

    figure: ComputedFigure
    declared: tuple[tuple[str, FiledFigure, Period], ...]
    """(declarant's name, figure, its period), by name; the department's under its own name."""

    @property
    def formula(self) -> Formula:
        return self.figure.formula

    @property
    def percentage(self) -> bool:
        return self.formula.unit == PERCENT

    @property
    def counted_shown(self) -> tuple[str, ...]:
        """The record ids (64 hex digits) of the first records counted, linked one by one."""
        return tuple(r.removeprefix("0x") for r in self.figure.counted[:COUNTED_SHOWN])

    @property
    def counted_more(self) -> int:
        return max(0, len(self.figure.counted) - COUNTED_SHOWN)


def computed_views(infrastructure: InfrastructureBook, anchored_size: int, day: date,
                   figures: Sequence[FiledFigure], names: Mapping[str, str]
                   ) -> dict[str, ComputedView]:
    """The city's figure of every formula that takes at least one thing of the anchored log on
    `day`, beside the city figures declared, by indicator code. `names` are the registered
    operators' (any other signer is the department, as `filings.figures` has it)."""
    states = {kind: standing(infrastructure, day, anchored_size, kind)
              for kind in INFRASTRUCTURE_KINDS}
    views = {}
    for formula in FORMULAS.values():
        city = compute(formula, states[formula.kind], day)[0]
        if not city.records:
            continue
        views[formula.indicator] = ComputedView(
            city, _declared_for(formula.indicator, city.area, day, figures, names))
    return views


def _declared_for(indicator: str, area: str, day: date, figures: Sequence[FiledFigure],
                  names: Mapping[str, str]) -> tuple[tuple[str, FiledFigure, Period], ...]:
    mine = [(f, parse_period(f.period)) for f in latest_per_declarant(figures)
            if f.indicator == indicator and f.area == area]
    begun = [(f, period) for f, period in mine if period.start <= day]
    if not begun:
        return ()
    latest = max((period for _, period in begun), key=lambda p: (p.end, p.start))
    return tuple(sorted(((names.get(f.signer, DEPARTMENT), f, period) for f, period in begun
                         if period == latest), key=lambda item: item[0]))


def unplanned(plans: Sequence[PlanView], computed: Mapping[str, ComputedView]
              ) -> tuple[ComputedView, ...]:
    """The computed indicators no plan shown names, in the formulas' order."""
    shown = {i.code for plan in plans for s in plan.sections for i in s.indicators}
    return tuple(view for code, view in computed.items() if code not in shown)


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
               names: Mapping[str, str], computed: Mapping[str, ComputedView] | None = None
               ) -> tuple[PlanView, ...]:
    """Every plan in force, newest document first, each with the indicators it is the newest
    plan of, and the computed figure of those a formula computes (`computed_views`). `names`
    maps every registered operator's address to its registry name."""
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
                items.append(_view(target, plan, history, names,
                                   (computed or {}).get(target.indicator)))
            if items:
                sections.append(SectionView(section, tuple(items)))
        views.append(PlanView(plan, tuple(sections), tuple(plan.body.goals)))
    return tuple(views)


def _view(target: Target, plan: FiledPlan, history: IndicatorHistory,
          names: Mapping[str, str], computed: ComputedView | None) -> IndicatorView:
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
                         _chart(tables[-1], current) if tables else None, computed)


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
