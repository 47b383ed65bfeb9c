"""The home page's data: every plan in force, its indicators, and each indicator's history by
the rule of `filings.figures` (who declares, compiled or computed area figures, flags, series),
with a bar chart of each sub-area's figures through time (inline SVG, drawn on the server, each
label placed where it crosses neither the target line nor another label).

The plans are shown newest document first, each section of each in order, with its aims that
have no figure. An indicator appears once, under the newest plan
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
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

import orjson

from api.infrastructure import InfrastructureBook
from api.web.map_view import standing
from api.web.wording import number_en, number_vi, page_text, period_en, period_vi
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
"""The narrowest chart, in SVG units; a chart widens for long period names or value labels."""
CHART_PLOT_WIDTH: Final = 180
CHART_FONT: Final = 12
"""The font size of the chart's text in SVG units (`svg.chart` of site.css)."""
CHART_CHAR_EM: Final = 0.65
"""The width of one character as a share of the font size, a little wider than a digit or a
Latin letter of the sans-serif fonts, so an estimated box holds the text drawn."""
CHART_ROW: Final = 18
CHART_BAR_HEIGHT: Final = 14
CHART_TOP: Final = 20
CHART_PAD: Final = 3
CHART_BARS: Final = 60
"""The most bars a chart draws (see `_chart`)."""
"""Space between a value label and what it sits beside (the bar end, the target line)."""
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


def text_width(text: str) -> float:
    """The estimated width of `text` in the chart's font: `CHART_CHAR_EM` a character, a tick
    (✓) half as wide again."""
    return (len(text) + 0.5 * text.count("✓")) * CHART_CHAR_EM * CHART_FONT


@dataclass(frozen=True, slots=True)
class ChartText:
    """A text of the chart in each language, where it is drawn (`anchor` as SVG's
    text-anchor), and the box it is estimated to take, which `_chart` keeps apart from the
    other texts and the target line."""

    x: float
    y: float
    anchor: str
    vi: str
    en: str
    inside: bool = False
    """Drawn over its bar (in the bar's contrasting colour)."""

    @property
    def width(self) -> float:
        return max(text_width(self.vi), text_width(self.en))

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom): the font's height above the baseline, 0.3 of it below."""
        left = {"start": self.x, "end": self.x - self.width,
                "middle": self.x - self.width / 2}[self.anchor]
        return (left, self.y - CHART_FONT, left + self.width, self.y + 0.3 * CHART_FONT)


@dataclass(frozen=True, slots=True)
class Bar:
    """One period's figure of one area: its row, its length in chart units, its period's name
    and its value label, placed where it crosses neither the target line nor another text."""

    y: float
    length: float
    cell: AreaFigure
    period: ChartText
    value: ChartText


@dataclass(frozen=True, slots=True)
class BarGroup:
    """One sub-area: its name on a row of its own, then a bar per period with a figure, in
    order; the target line is drawn across its bars only (`top` to `bottom`), so it never
    crosses a name."""

    name: ChartText
    bars: tuple[Bar, ...]
    top: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Chart:
    """Horizontal bars of each sub-area's figures through time, with the target as a
    vertical line."""

    level: str
    periods: tuple[Period, ...]
    width: int
    height: int
    plot_x: float
    plot_width: int
    bar_height: int
    target_x: float
    target: ChartText
    scale_max: float
    groups: tuple[BarGroup, ...]

    @property
    def texts(self) -> tuple[ChartText, ...]:
        """Every text drawn: the target's, then each area's name and its bars' labels."""
        return (self.target, *(text for group in self.groups for text in (
            group.name, *(t for bar in group.bars for t in (bar.period, bar.value)))))


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
    """One section of a plan, shown whole: the indicators it is the newest plan of, and its
    aims without a figure. `quantified` says whether the plan sets it any target at all, so
    a section whose targets are all shown under a newer plan is not said to have none."""

    section: PlanSection
    indicators: tuple[IndicatorView, ...]
    goals: tuple[Goal, ...]
    quantified: bool


@dataclass(frozen=True, slots=True)
class PlanView:
    plan: FiledPlan
    sections: tuple[SectionView, ...]


def plan_views(book: PlanBook, figures: Sequence[FiledFigure], catalogue: AreaCatalogue,
               names: Mapping[str, str], computed: Mapping[str, ComputedView] | None = None
               ) -> tuple[PlanView, ...]:
    """Every plan in force, newest document first, each with all its sections in order and in
    each the indicators it is the newest plan of, and the computed figure of those a formula
    computes (`computed_views`). `names` maps every registered operator's address to its
    registry name."""
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
            sections.append(SectionView(
                section, tuple(items),
                tuple(g for g in plan.body.goals if g.section == section.code),
                any(t.section == section.code for t in plan.body.targets)))
        views.append(PlanView(plan, tuple(sections)))
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
    """Each area's figures through time against the target; the scale reaches the unit's
    maximum when it is a percentage, else the largest of the target and the figures. None when
    no area has a value. Each value label goes where it crosses nothing (`_value_label`). The
    newest periods are drawn, as many as keep the bars within `CHART_BARS` (the latest one at
    least), so forty communes do not make a chart of two thousand bars; the table beside it
    holds them all."""
    shown = table.periods[-max(1, CHART_BARS // max(1, len(table.rows))):]
    rows = [(s, [(p, c, c.value) for p in shown
                 if (c := s.cells.get(p.text)) is not None and c.value is not None])
            for s in table.rows]
    rows = [(s, cells) for s, cells in rows if cells]
    if not rows:
        return None
    values = [value for _, cells in rows for _, _, value in cells]
    unit = UNITS.get(target.unit)
    percent = unit is not None and unit.code == PERCENT
    scale_max = 100.0 if percent else max([target.value, *values]) or 1.0
    drawn = {period.text for _, cells in rows for period, _, _ in cells}
    periods = tuple(p for p in shown if p.text in drawn)
    names = {p.text: (period_vi(p), period_en(p)) for p in periods}
    plot_x = max(max(text_width(n) for pair in names.values() for n in pair) + 2 * CHART_PAD,
                 CHART_WIDTH - CHART_PLOT_WIDTH - 40)
    target_x = plot_x + CHART_PLOT_WIDTH * target.value / scale_max
    sign = "≥" if target.direction == "at_least" else "≤"
    label = ChartText(target_x, 2 + CHART_FONT, "middle", sign + number_vi(target.value),
                      sign + number_en(target.value))
    groups = []
    y = float(CHART_TOP)
    for series, cells in rows:
        name = ChartText(CHART_PAD, y + CHART_FONT, "start", series.label.name_vi,
                         series.label.name_vi)
        y += CHART_ROW
        top = y
        bars = []
        for period, cell, value in cells:
            length = CHART_PLOT_WIDTH * value / scale_max
            tick = " ✓" if cell.met else ""
            baseline = y + CHART_FONT
            bars.append(Bar(y + 1, length, cell,
                            ChartText(plot_x - CHART_PAD, baseline, "end", *names[period.text]),
                            _value_label(plot_x, length, target_x, baseline,
                                         number_vi(value) + tick, number_en(value) + tick)))
            y += CHART_ROW
        groups.append(BarGroup(name, tuple(bars), top, y - 1))
    chart = Chart(table.level, periods, CHART_WIDTH, int(y) + 4, plot_x, CHART_PLOT_WIDTH,
                  CHART_BAR_HEIGHT, target_x, label, scale_max, tuple(groups))
    right = max([plot_x + CHART_PLOT_WIDTH, *(t.box[2] for t in chart.texts)])
    return replace(chart, width=max(CHART_WIDTH, int(right) + 2))


def _value_label(plot_x: float, length: float, target_x: float, baseline: float, vi: str,
                 en: str) -> ChartText:
    """A bar's value label: after the bar end; over the bar, against its end, when the target
    line runs through the place after it or it would widen the chart; else after the bar end
    (widening the chart) or, when the line runs there, just after the line. The chart is
    widened to hold a label after the bar end or the line, so one of these always fits."""
    end = plot_x + length
    after = ChartText(end + CHART_PAD, baseline, "start", vi, en)
    if not _crosses(after, target_x) and after.box[2] <= CHART_WIDTH:
        return after
    over = ChartText(end - CHART_PAD, baseline, "end", vi, en, inside=True)
    if over.box[0] >= plot_x + CHART_PAD and not _crosses(over, target_x):
        return over
    if not _crosses(after, target_x):
        return after
    return ChartText(target_x + CHART_PAD, baseline, "start", vi, en)


def _crosses(text: ChartText, x: float) -> bool:
    left, _, right, _ = text.box
    return left - 1 <= x <= right + 1
