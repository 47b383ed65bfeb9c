"""The plan 254 indicator table of the home page: for every indicator and every area it is
reported for, the latest standing anchored figure, whether it meets the 2025 target, and a bar
chart of the districts' figures against the target (inline SVG, drawn on the server).

"Latest" orders figures by the end of their period (`2024` ends with December, `2024-Q3` with
September, `2024-07` with July), then by `issued_at`, then by log index. Several operators may
report one subject: the latest figure of any operator is shown, with its operator.
A stored body that no longer parses as `indicator/1` (or whose subject is not its entry's) is
left out: the table shows figures, and the record page shows what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from pydantic import ValidationError

from filings.catalogue import Area, Catalogue, Indicator, Section, is_met
from filings.kinds import IndicatorBody
from ledger.entry import record_id
from ledger.storage.indicators import IndicatorRecord

CHART_WIDTH: Final = 340
CHART_LABEL_WIDTH: Final = 100
CHART_BAR_HEIGHT: Final = 18
CHART_GAP: Final = 6
CHART_TOP: Final = 20


@dataclass(frozen=True, slots=True)
class Figure:
    """The figure shown for one indicator and area."""

    value: float
    period: str
    record_id: str
    operator: str
    met: bool

    @property
    def value_text(self) -> str:
        return f"{self.value:g}"


def short_name(area: Area) -> str:
    """A district's proper name, the same in both languages ("Huế City" gives "Huế")."""
    return area.name_en.rsplit(" ", 1)[0]


@dataclass(frozen=True, slots=True)
class AreaFigure:
    """An area and its figure (None while no standing anchored record reports it)."""

    area: Area
    figure: Figure | None

    @property
    def label(self) -> str:
        return short_name(self.area)


@dataclass(frozen=True, slots=True)
class Bar:
    """One district's bar: its place, and its length in chart units (0 when unreported)."""

    area: Area
    y: int
    length: float
    figure: Figure | None

    @property
    def label(self) -> str:
        return short_name(self.area)


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal bar chart of districts' figures, with the target as a vertical line."""

    width: int
    height: int
    plot_x: int
    plot_width: int
    bar_height: int
    target_x: float
    scale_max: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator: the figure of each area it is reported for, and its chart (district
    indicators only)."""

    indicator: Indicator
    areas: tuple[AreaFigure, ...]
    chart: Chart | None

    @property
    def met(self) -> int:
        """How many areas meet the target."""
        return sum(1 for item in self.areas if item.figure is not None and item.figure.met)


@dataclass(frozen=True, slots=True)
class SectionRows:
    """The indicators of one lettered section of the plan."""

    section: Section
    rows: tuple[IndicatorRow, ...]


def period_end(period: str) -> tuple[int, int]:
    """(year, last month) of a `YYYY`, `YYYY-Qn` or `YYYY-MM` period."""
    year, _, part = period.partition("-")
    if not part:
        return int(year), 12
    if part.startswith("Q"):
        return int(year), 3 * int(part[1:])
    return int(year), int(part)


def latest_figures(
    catalogue: Catalogue, records: Iterable[IndicatorRecord]
) -> dict[tuple[str, str], Figure]:
    """The latest figure of each (indicator code, area code) among standing records."""
    best: dict[tuple[str, str], tuple[tuple[int, int, int, int], Figure]] = {}
    for record in records:
        try:
            body = IndicatorBody.model_validate_json(record.body)
        except ValidationError:
            continue
        indicator = catalogue.indicators.get(body.indicator)
        if indicator is None or body.subject() != record.subject:
            continue
        key = (body.indicator, body.area)
        rank = (*period_end(body.period), record.issued_at, record.index)
        if key not in best or best[key][0] < rank:
            best[key] = (rank, Figure(
                value=body.value, period=body.period, record_id=record_id(record.leaf_hash),
                operator=record.operator, met=is_met(indicator, body.value),
            ))
    return {key: figure for key, (_, figure) in best.items()}


def indicator_sections(
    catalogue: Catalogue, records: Iterable[IndicatorRecord]
) -> tuple[SectionRows, ...]:
    """Every indicator of the plan, grouped by section, with its figures and chart."""
    figures = latest_figures(catalogue, records)
    rows: dict[str, list[IndicatorRow]] = {code: [] for code in catalogue.sections}
    for indicator in catalogue.indicators.values():
        areas = tuple(
            AreaFigure(area, figures.get((indicator.code, area.code)))
            for area in catalogue.areas_of(indicator)
        )
        chart = None
        if indicator.scope == "district":
            chart = bar_chart(indicator, [item for item in areas if item.area.level == "district"])
        rows[indicator.section].append(IndicatorRow(indicator, areas, chart))
    return tuple(
        SectionRows(section, tuple(rows[code]))
        for code, section in catalogue.sections.items() if rows[code]
    )


def bar_chart(indicator: Indicator, districts: Sequence[AreaFigure]) -> Chart:
    """Lay out one bar per district; the scale reaches the unit's maximum (100 for a
    percentage), or the largest of the target and the figures."""
    values = [item.figure.value for item in districts if item.figure is not None]
    scale_max = indicator.max_value or max([indicator.target, *values]) or 1.0
    plot_width = CHART_WIDTH - CHART_LABEL_WIDTH - 36
    step = CHART_BAR_HEIGHT + CHART_GAP
    bars = tuple(
        Bar(
            area=item.area,
            y=CHART_TOP + position * step,
            length=0.0 if item.figure is None else plot_width * item.figure.value / scale_max,
            figure=item.figure,
        )
        for position, item in enumerate(districts)
    )
    return Chart(
        width=CHART_WIDTH,
        height=CHART_TOP + len(bars) * step + 4,
        plot_x=CHART_LABEL_WIDTH,
        plot_width=plot_width,
        bar_height=CHART_BAR_HEIGHT,
        target_x=CHART_LABEL_WIDTH + plot_width * indicator.target / scale_max,
        scale_max=scale_max,
        bars=bars,
    )
