"""The yearly report on the plans (plan 254/KH-UBND section VI.1: the department reports the
plan's results to the People's Committee every year), as a value made from the log at one
checkpoint.

For year Y, from the records of the tree of one signed checkpoint:

- the plans in force that year: the current version of each plan subject (of that tree) whose
  period meets Y, by document date; each with every target it sets, and which of them judges
  the year (`TargetLine.judges_year`);
- for each indicator with a target judging Y (the target `PlanBook.target` picks on the last
  day of Y that a plan naming the indicator covers), the figures of Y (periods that start in Y):
  per area and period the area's figure of `filings.figures` (the department's compiled one,
  else the operators' combined by the target's formula) and every declarant's own figure, with
  its record id, its declarant's name and whether it meets the target that judged it when it
  was filed; beside them the figure computed from the infrastructure records
  (`filings.computed`) for the same indicator and area, where there is one;
- what is missing (`Missing`): a target with no figure in Y at all (`no_figure`); a target
  reported at city level with no city figure that has a value (`no_city_figure`); an operator
  that filed the indicator for another year but not for Y (`not_filed`, only for the formulas
  that combine operators' figures: `sum/1`, `ratio/1`). The log does not say who must file what;
  an operator that filed before is the one expected to file again.

The outcome of an indicator for the year (`IndicatorReport.result`) is the city's figure of the
latest period of Y that has a value (the year itself when filed, else its last half, quarter or
month).

Pure: the domain's modules only. The caller passes the plan book of the checkpoint's tree
(`PlanBook.up_to`), the standing figures of that tree and the computed figures of the day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from filings.areas import Area, AreaCatalogue
from filings.computed import ComputedFigure
from filings.figures import DEPARTMENT, AreaFigure, Declared, FiledFigure, indicator_history
from filings.periods import Period
from filings.plans import FiledPlan, JudgingTarget, PlanBook, Target

MissingReason = Literal["no_figure", "no_city_figure", "not_filed"]
LEVELS: Final = ("province", "district", "commune")
OPERATOR_FORMULAS: Final = frozenset({"sum/1", "ratio/1"})
"""The formulas that combine operators' figures: only their operators are expected to file."""
REPORT_SLUG: Final = "yearly-plan-report"
"""The department's series of yearly reports (`report/2` subjects `report:<year>:<slug>`)."""
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099


def report_subject(year: int) -> str:
    """The subject the yearly report of `year` is filed under: `report:2025:yearly-plan-report`."""
    return f"report:{year}:{REPORT_SLUG}"


@dataclass(frozen=True, slots=True)
class ReportCheckpoint:
    """The signed checkpoint a report is made at: the log's origin, its size, its root (64 hex
    digits) and when it was signed (unix seconds)."""

    origin: str
    size: int
    root: str
    signed_at: int


@dataclass(frozen=True, slots=True)
class TargetLine:
    """One target of a plan in force, and whether it is the one that judges the year."""

    target: Target
    judges_year: bool


@dataclass(frozen=True, slots=True)
class PlanInForce:
    plan: FiledPlan
    targets: tuple[TargetLine, ...]


@dataclass(frozen=True, slots=True)
class FigureLine:
    """One declarant's own figure: an operator's, or the department's compiled one."""

    declared: Declared
    name: str

    @property
    def record_id(self) -> str:
        return self.declared.figure.record_id

    @property
    def value(self) -> float:
        return self.declared.figure.value

    @property
    def met(self) -> bool | None:
        return self.declared.met


@dataclass(frozen=True, slots=True)
class AreaLine:
    """One area in one period of the year: the area's figure, each declarant's figure, and the
    figure computed from the infrastructure records when there is one."""

    cell: AreaFigure
    figures: tuple[FigureLine, ...]
    computed: ComputedFigure | None

    @property
    def area(self) -> Area:
        return self.cell.area

    @property
    def period(self) -> Period:
        return self.cell.period


@dataclass(frozen=True, slots=True)
class IndicatorReport:
    """An indicator's year: the target judging it, its area lines by level, period and area
    code, and the computed city figure."""

    indicator: str
    judging: JudgingTarget
    lines: tuple[AreaLine, ...]
    computed_city: ComputedFigure | None

    @property
    def target(self) -> Target:
        return self.judging.target

    @property
    def result(self) -> AreaLine | None:
        """The city's line of the latest period of the year with a value (module doc)."""
        city = [line for line in self.lines
                if line.area.level == "province" and line.cell.value is not None]
        return max(city, key=lambda line: (line.period.end, -line.period.start.toordinal()),
                   default=None)

    @property
    def met(self) -> bool | None:
        """Whether the year's result meets its target; None without a result."""
        return None if self.result is None else self.result.cell.met

    def latest_lines(self) -> tuple[AreaLine, ...]:
        """The lines of the deepest level of area with figures, in its latest period: what the
        chart draws."""
        for level in reversed(LEVELS):
            lines = [line for line in self.lines if line.area.level == level]
            if lines:
                last = max(line.period.end for line in lines)
                return tuple(line for line in lines if line.period.end == last)
        return ()


@dataclass(frozen=True, slots=True)
class Missing:
    """Something the year lacks (module doc); `declarant` and `name` for `not_filed`."""

    indicator: str
    judging: JudgingTarget
    reason: MissingReason
    declarant: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class YearlyReport:
    year: int
    checkpoint: ReportCheckpoint
    plans: tuple[PlanInForce, ...]
    indicators: tuple[IndicatorReport, ...]
    missing: tuple[Missing, ...]

    @property
    def figure_count(self) -> int:
        """How many declared figures the report quotes (each with its record)."""
        return sum(len(line.figures) for item in self.indicators for line in item.lines)

    def outcomes(self) -> tuple[int, int, int]:
        """How many indicators of the year met their target, did not, and have no result."""
        met = sum(item.met is True for item in self.indicators)
        missed = sum(item.met is False for item in self.indicators)
        return met, missed, len(self.indicators) - met - missed


def yearly_report(year: int, checkpoint: ReportCheckpoint, book: PlanBook,
                  figures: Iterable[FiledFigure], catalogue: AreaCatalogue,
                  names: Mapping[str, str], computed: Sequence[ComputedFigure] = (),
                  department: str = DEPARTMENT) -> YearlyReport:
    """The report of `year` (module doc). `book` holds the plans of the checkpoint's tree,
    `figures` its standing figures; `names` maps every address ever registered as an operator
    to its registry name (any other signer is the department, named `department`); `computed`
    are the computed figures of the year's last day (or of the checkpoint's day within the
    year). A year no plan covers gives a report with no plans and no indicators."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    plans = tuple(plan for plan in book.current()
                  if plan.body.period.start <= last and plan.body.period.end >= first)
    judging = _judging_targets(book, plans, first, last)
    by_indicator: dict[str, list[FiledFigure]] = {}
    for item in figures:
        by_indicator.setdefault(item.indicator, []).append(item)
    computed_at = {(c.formula.indicator, c.area): c for c in computed}
    indicators: list[IndicatorReport] = []
    missing: list[Missing] = []
    for code, target in judging.items():
        own = by_indicator.get(code, [])
        report = _indicator(code, target, own, year, book, catalogue, names, computed_at,
                            department)
        indicators.append(report)
        missing.extend(_missing(report, own, year, names))
    in_force = tuple(
        PlanInForce(plan, tuple(
            TargetLine(t, _judges(judging.get(t.indicator), plan, t))
            for t in plan.body.targets))
        for plan in plans)
    return YearlyReport(year, checkpoint, in_force, tuple(indicators), tuple(missing))


def _judges(judging: JudgingTarget | None, plan: FiledPlan, target: Target) -> bool:
    return judging is not None and judging.plan is plan and judging.target is target


def _judging_targets(book: PlanBook, plans: Sequence[FiledPlan], first: date,
                     last: date) -> dict[str, JudgingTarget]:
    """Per indicator of the plans in force, in the plans' order, the target judging the year:
    the book's choice on the latest day of the year that a plan naming it covers."""
    found: dict[str, JudgingTarget] = {}
    for plan in plans:
        for target in plan.body.targets:
            code = target.indicator
            if code in found:
                continue
            days = sorted({min(last, p.body.period.end) for p in plans if p.targets_for(code)
                           and p.body.period.end >= first}, reverse=True)
            chosen = next((t for t in (book.target(code, day) for day in days)
                           if t is not None), None)
            if chosen is not None:
                found[code] = chosen
    return found


def _indicator(code: str, judging: JudgingTarget, figures: Sequence[FiledFigure], year: int,
               book: PlanBook, catalogue: AreaCatalogue, names: Mapping[str, str],
               computed_at: Mapping[tuple[str, str], ComputedFigure],
               department: str) -> IndicatorReport:
    history = indicator_history(code, figures, book, catalogue, names)
    cells = [cell for series in history.series for cell in series.cells.values()
             if cell.period.start.year == year]
    last = max((cell.period.end for cell in cells), default=None)
    lines = []
    for cell in sorted(cells, key=lambda c: (LEVELS.index(c.area.level), c.period.end,
                                             c.period.start, c.area.code)):
        declared = ([] if cell.compiled is None else [FigureLine(cell.compiled, department)])
        declared += sorted((FigureLine(d, names.get(d.figure.signer, d.figure.signer))
                            for d in cell.operators), key=lambda line: line.name)
        beside = computed_at.get((code, cell.area.code)) if cell.period.end == last else None
        lines.append(AreaLine(cell, tuple(declared), beside))
    city = next((c for (indicator, _), c in computed_at.items()
                 if indicator == code and c.area == _city_code(catalogue, year)), None)
    return IndicatorReport(code, judging, tuple(lines), city)


def _city_code(catalogue: AreaCatalogue, year: int) -> str:
    city = [area for area in catalogue.on(date(year, 12, 31)) if area.level == "province"]
    return city[0].code if city else ""


def _missing(report: IndicatorReport, figures: Sequence[FiledFigure], year: int,
             names: Mapping[str, str]) -> list[Missing]:
    found: list[Missing] = []
    target = report.target
    if not report.lines:
        found.append(Missing(report.indicator, report.judging, "no_figure"))
    elif "province" in target.levels and report.result is None:
        found.append(Missing(report.indicator, report.judging, "no_city_figure"))
    if target.formula not in OPERATOR_FORMULAS:
        return found
    this_year = {line.declared.figure.signer for area in report.lines for line in area.figures}
    other_years = {f.signer for f in figures
                   if f.signer in names and f.period[:4] != str(year)}
    for address in sorted(other_years - this_year, key=lambda a: names[a]):
        found.append(Missing(report.indicator, report.judging, "not_filed", address,
                             names[address]))
    return found
