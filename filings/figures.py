"""Who declares which figure, and the figure the public is shown for an area: the rule the page
and `GET /v1/indicators/{code}` apply, as the department that compiles the indicators would.

Declarants. Every `indicator/2` record names its signer. An operator's figures are its own and
are shown as such, per operator, under its registry name. The department (a holder of
REGISTRAR_ROLE; admission lets no one else but active operators file figures) files compiled
figures: a signer that is not a registered operator is the department.

The figure of an area for a period (`AreaFigure.value`), in this order:

1. the department's compiled figure, its latest filing (issued_at, then log index);
2. else the aggregate of the operators' figures of that area and period (each operator's latest
   filing counts, once) by the formula of the target that judges the newest of them
   (`FORMULAS`):
   - `declared/1`: none: the figure is the department's to compile, never computed;
   - `sum/1`: the sum of the operators' figures (counts);
   - `ratio/1`: the sum of their numerators over the sum of their denominators x 100, rounded to
     one decimal; none if any figure lacks its counts (a mean of percentages is never taken);
3. else none: "no data" is null, never 0, and says why.

Judging. Every value is judged by the target in force when it was filed
(`filings.plans.PlanBook.target` with the record's log index): an aggregate by the target that
judges the newest figure it is made of; each judgement names the plan record of its target.

Flags. An area's figure is set against its sub-areas' figures that day (the units whose parent
it is on the period's reference date) when every sub-area has a figure: a percentage outside
the range of theirs (`outside_sub_area_range`), or a count different from their sum
(`differs_from_sum`), is flagged, and both figures stay shown.

Series. A series is one area through time, following the area across a rename or a recode (the
same territory: Thừa Thiên Huế province, then Huế City); a merge or a split ends it. Figures of
different series are never one line: the 2024 districts are not the 2025 districts (Huế was
split, Nam Đông merged into Phú Lộc), and districts are not the 40 communes of 2025-07-01, whose
borders cross theirs.

Pure: the domain's modules only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal

from filings.areas import Area, AreaCatalogue, AreaId
from filings.errors import FilingError
from filings.periods import Period, parse_period
from filings.plans import JudgingTarget, PlanBook
from filings.units import PERCENT, UNITS

Source = Literal["compiled", "computed"]
FlagCode = Literal["outside_sub_area_range", "differs_from_sum"]

DEPARTMENT: Final = "Sở Khoa học và Công nghệ thành phố Huế"
"""Who a compiled figure is by (the holder of REGISTRAR_ROLE)."""
FORMULAS: Final[Mapping[str, tuple[str, str]]] = {
    "declared/1": ("Số liệu do Sở KH&CN tổng hợp; không tính từ số liệu của doanh nghiệp",
                   "Compiled by the department only; never computed from operators' figures"),
    "sum/1": ("Tổng số liệu của các doanh nghiệp", "Sum of the operators' figures"),
    "ratio/1": ("Tổng tử số chia tổng mẫu số của các doanh nghiệp, nhân 100",
                "Sum of the operators' numerators over the sum of their denominators, × 100"),
}
"""What each formula computes, in Vietnamese and English."""


@dataclass(frozen=True, slots=True)
class FiledFigure:
    """One standing `indicator/2` record: where it is, who signed it, what it says."""

    index: int
    record_id: str
    signer: str
    issued_at: int
    indicator: str
    area: str
    period: str
    value: float
    unit: str
    numerator: int | None
    denominator: int | None

    @staticmethod
    def of(index: int, record_id: str, signer: str, issued_at: int,
           body: Mapping[str, Any]) -> FiledFigure | None:
        """The figure of a decoded stored body, or None when it is not an `indicator/2` body
        (the log admits none such; a reader never trusts that)."""
        try:
            value, numerator, denominator = body["value"], body.get("numerator"), \
                body.get("denominator")
            if not isinstance(value, int | float) or isinstance(value, bool):
                return None
            return FiledFigure(index, record_id, signer, issued_at, str(body["indicator"]),
                               str(body["area"]), str(body["period"]), float(value),
                               str(body["unit"]),
                               numerator if isinstance(numerator, int) else None,
                               denominator if isinstance(denominator, int) else None)
        except KeyError:
            return None


@dataclass(frozen=True, slots=True)
class Judgement:
    """A value against the target that judges it (None when no plan does)."""

    target: JudgingTarget | None

    @property
    def plan_record(self) -> str | None:
        return None if self.target is None else self.target.plan.record_id

    def met(self, value: float | None) -> bool | None:
        if value is None or self.target is None:
            return None
        return self.target.is_met(value)


@dataclass(frozen=True, slots=True)
class Declared:
    """A declarant's figure: an operator's own, or the department's compiled one."""

    figure: FiledFigure
    compiled: bool
    judgement: Judgement

    @property
    def met(self) -> bool | None:
        return self.judgement.met(self.figure.value)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The operators' figures combined by a formula; `value` None with the reason why not."""

    formula: str | None
    value: float | None
    inputs: int
    reason_vi: str | None
    reason_en: str | None
    judgement: Judgement


@dataclass(frozen=True, slots=True)
class Flag:
    """A contradiction between an area's figure and its sub-areas' figures."""

    code: FlagCode
    message_vi: str
    message_en: str
    sub_areas: tuple[str, ...]
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class AreaFigure:
    """Everything said of one area in one period (module doc)."""

    area: Area
    period: Period
    operators: tuple[Declared, ...]
    compiled: Declared | None
    aggregate: Aggregate
    flags: tuple[Flag, ...] = ()

    @property
    def source(self) -> Source | None:
        if self.compiled is not None:
            return "compiled"
        return "computed" if self.aggregate.value is not None else None

    @property
    def value(self) -> float | None:
        """The area's figure: compiled, else computed, else None ("no data")."""
        return self.compiled.figure.value if self.compiled is not None else self.aggregate.value

    @property
    def judgement(self) -> Judgement:
        return self.compiled.judgement if self.compiled is not None else self.aggregate.judgement

    @property
    def met(self) -> bool | None:
        return self.judgement.met(self.value)


@dataclass(frozen=True, slots=True)
class Series:
    """One area through time (module doc): its cells by period, the latest area first named."""

    key: AreaId
    level: str
    areas: tuple[Area, ...]
    cells: Mapping[str, AreaFigure]

    @property
    def label(self) -> Area:
        """The area as it was last named in the series."""
        return self.areas[-1]

    @property
    def first_day(self) -> date:
        return min(cell.period.end for cell in self.cells.values())


@dataclass(frozen=True, slots=True)
class IndicatorHistory:
    """An indicator's figures: periods in order, and the series of every area with one."""

    indicator: str
    periods: tuple[Period, ...]
    series: tuple[Series, ...]
    latest: JudgingTarget | None
    """The target that judges the newest period (the plan in force now)."""

    def series_at(self, level: str) -> tuple[Series, ...]:
        return tuple(s for s in self.series if s.level == level)


def latest_per_declarant(figures: Iterable[FiledFigure]) -> list[FiledFigure]:
    """Each declarant's latest figure (issued_at, then log index) of each subject."""
    best: dict[tuple[str, str, str, str], FiledFigure] = {}
    for item in figures:
        key = (item.indicator, item.area, item.period, item.signer)
        held = best.get(key)
        if held is None or (held.issued_at, held.index) < (item.issued_at, item.index):
            best[key] = item
    return list(best.values())


def _judge(book: PlanBook, item: FiledFigure, day: date) -> Judgement:
    return Judgement(book.target(item.indicator, day, before=item.index))


def aggregate(operators: Sequence[Declared]) -> Aggregate:
    """The operators' figures of one area and period by the formula of the target that judges
    the newest of them (module doc)."""
    if not operators:
        return Aggregate(None, None, 0, "Chưa có số liệu", "No data", Judgement(None))
    newest = max(operators, key=lambda d: d.figure.index)
    judgement = newest.judgement
    formula = None if judgement.target is None else judgement.target.target.formula
    count = len(operators)
    if formula == "sum/1":
        return Aggregate(formula, float(sum(d.figure.value for d in operators)), count, None,
                         None, judgement)
    if formula == "ratio/1":
        counts = [(d.figure.numerator, d.figure.denominator) for d in operators]
        if all(n is not None and d for n, d in counts):
            numerators = sum(n for n, _ in counts if n is not None)
            denominators = sum(d for _, d in counts if d is not None)
            return Aggregate(formula, round(100 * numerators / denominators, 1), count, None,
                             None, judgement)
        return Aggregate(formula, None, count,
                         "Có số liệu phần trăm không kèm tử số và mẫu số: không cộng được",
                         "A percentage without its numerator and denominator cannot be "
                         "combined", judgement)
    if formula == "declared/1":
        return Aggregate(formula, None, count, "Chờ Sở KH&CN tổng hợp (" + FORMULAS[formula][0]
                         + ")", "Awaiting the department's compiled figure ("
                         + FORMULAS[formula][1] + ")", judgement)
    return Aggregate(formula, None, count, "Không có chỉ tiêu nào đánh giá số liệu này",
                     "No target judges these figures", judgement)


def indicator_history(indicator: str, figures: Iterable[FiledFigure], book: PlanBook,
                      catalogue: AreaCatalogue, operators: Iterable[str]) -> IndicatorHistory:
    """The history of `indicator` from its standing figures (module doc). `operators` are the
    addresses ever registered as operators; any other signer is the department."""
    registered = set(operators)
    mine = [f for f in figures if f.indicator == indicator]
    grouped: dict[tuple[str, str], list[FiledFigure]] = defaultdict(list)
    for item in latest_per_declarant(mine):
        grouped[(item.area, item.period)].append(item)
    cells: dict[tuple[AreaId, str], AreaFigure] = {}
    for (code, period_text), items in grouped.items():
        try:
            period = parse_period(period_text)
            area = catalogue.resolve(code, period.as_of)
        except FilingError:
            continue
        declared = [Declared(item, item.signer not in registered,
                             _judge(book, item, period.as_of)) for item in items]
        own = sorted((d for d in declared if not d.compiled), key=lambda d: d.figure.signer)
        compiled = max((d for d in declared if d.compiled),
                       key=lambda d: (d.figure.issued_at, d.figure.index), default=None)
        cells[(area.id, period_text)] = AreaFigure(area, period, tuple(own), compiled,
                                                   aggregate(own))
    cells = _flagged(cells, catalogue)
    periods = tuple(sorted({cell.period for cell in cells.values()},
                           key=lambda p: (p.end, p.start)))
    latest = book.target(indicator, periods[-1].as_of) if periods else None
    return IndicatorHistory(indicator, periods, _series(cells, catalogue), latest)


def _flagged(cells: dict[tuple[AreaId, str], AreaFigure],
             catalogue: AreaCatalogue) -> dict[tuple[AreaId, str], AreaFigure]:
    children: dict[tuple[AreaId, date], list[Area]] = defaultdict(list)
    days = {cell.period.as_of for cell in cells.values()}
    for day in days:
        for area in catalogue.on(day):
            parent = catalogue.parent(area, day)
            if parent is not None:
                children[(parent.id, day)].append(area)
    flagged = dict(cells)
    for key, cell in cells.items():
        value = cell.value
        subs = children.get((cell.area.id, cell.period.as_of), [])
        if value is None or not subs:
            continue
        values = [cells.get((sub.id, cell.period.text)) for sub in subs]
        known = [v.value for v in values if v is not None and v.value is not None]
        if len(known) != len(subs):
            continue
        flag = _contradiction(cell, value, known, tuple(sorted(s.code for s in subs)))
        if flag is not None:
            flagged[key] = AreaFigure(cell.area, cell.period, cell.operators, cell.compiled,
                                      cell.aggregate, (flag,))
    return flagged


def _contradiction(cell: AreaFigure, value: float, known: list[float],
                   codes: tuple[str, ...]) -> Flag | None:
    low, high = min(known), max(known)
    unit = cell.compiled.figure.unit if cell.compiled else cell.operators[0].figure.unit
    whole = UNITS[unit].whole if unit in UNITS else False
    count = len(known)
    if unit == PERCENT and not low <= value <= high:
        return Flag(
            "outside_sub_area_range",
            f"{value:g} % nằm ngoài khoảng số liệu của {count} đơn vị trực thuộc "
            f"({low:g}–{high:g} %): hai cấp mâu thuẫn nhau",
            f"{value:g} % is outside the range of its {count} sub-areas' figures "
            f"({low:g}–{high:g} %): the two levels contradict each other",
            codes, low, high)
    total = sum(known)
    if whole and value != total:
        return Flag(
            "differs_from_sum",
            f"{value:g} khác tổng {total:g} của {count} đơn vị trực thuộc",
            f"{value:g} differs from the sum {total:g} of its {count} sub-areas",
            codes, total, total)
    return None


def lineage(area: Area, catalogue: AreaCatalogue) -> AreaId:
    """The first area of `area`'s series: back through renames and recodes (module doc)."""
    while True:
        edges = catalogue.predecessors(area)
        if len(edges) != 1 or edges[0].kind not in ("rename", "recode"):
            return area.id
        area = catalogue.area(edges[0].predecessor)


def _series(cells: Mapping[tuple[AreaId, str], AreaFigure],
            catalogue: AreaCatalogue) -> tuple[Series, ...]:
    grouped: dict[AreaId, dict[str, AreaFigure]] = defaultdict(dict)
    for (_, period), cell in cells.items():
        grouped[lineage(cell.area, catalogue)][period] = cell
    found = []
    for key, by_period in grouped.items():
        ordered = sorted(by_period.values(), key=lambda c: c.period.end)
        areas = tuple(dict.fromkeys(cell.area for cell in ordered))
        found.append(Series(key, ordered[-1].area.level, areas, by_period))
    levels = ("province", "district", "commune")
    return tuple(sorted(found, key=lambda s: (levels.index(s.level), s.first_day, s.label.code)))
