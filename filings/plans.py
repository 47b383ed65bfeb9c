"""Plans and their targets as records of the log (`plan/1`), and the book of plans that judges
every figure.

A plan is filed by the department (a holder of REGISTRAR_ROLE in the OperatorRegistry) as a
`plan/1` record: its source document (number, date, issuer, titles, where its text was read),
the period it covers, its lettered sections, its quantified targets and its qualitative goals.
Its subject is `plan:<year of the document>:<slug of its number>`, e.g. `plan:2023:254-kh-ubnd`
for 254/KH-UBND of 15 Jul 2023. A corrected plan is a correction record (same kind, schema and
subject, `supersedes` the version it corrects); a new plan is a record of its own that adds
targets, or overrides those of an older plan for the days both cover (the newer document wins).

A target: the indicator code, the section, names, the plan's clause verbatim, the unit
(`filings.units`), the direction (`at_least` or `at_most`), the value to reach by `deadline`,
the baseline when the plan states one, the levels of area the figure is reported at
(`province` (the province or centrally-run city), `district`, `commune`) and the formula that
makes an area's figure from the operators' figures (`filings.figures`):

- `declared/1`: area figures are only compiled by the department, never computed;
- `sum/1`: the sum of the operators' figures (a whole unit: `count`);
- `ratio/1`: the sum of the operators' numerators over the sum of their denominators, x 100
  (unit `%`).

One plan may set several targets for one indicator with distinct deadlines (5G coverage 60% by
2025, 80% by 2026); they share unit, direction, levels and formula.

Judging (`PlanBook.target`). A figure is judged by the plans in force when it was filed: the
latest version of each plan subject with a smaller log index. Of those, the plans whose period
holds the figure's reference date and that have a target for its indicator are candidates; the
one with the latest document date wins (then the larger log index). Within the winning plan the
target is the one with the earliest deadline on or after the reference date, else the one with
the latest deadline. Admission judges a new figure by the current versions (every plan in the
log), so a figure is always judged by the target it was admitted against.

Pure: pydantic and the domain's own modules.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import Field, StringConstraints, ValidationError

from filings.areas import Level
from filings.errors import IssuedBeforePlan, SchemaViolation
from filings.periods import PERIOD_PATTERN, issued_day, parse_period
from filings.schema import (
    Code,
    IsoDate,
    KindBody,
    LongText,
    Name,
    Part,
    RecordContext,
    require_subject,
    validation_error,
)
from filings.units import COUNT, PERCENT, unit

Direction = Literal["at_least", "at_most"]
Formula = Literal["declared/1", "sum/1", "ratio/1"]

PLAN_KIND: Final = "plan"
PLAN_SCHEMA: Final = "plan/1"
DOCUMENT_NUMBER_PATTERN: Final = r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ./_-]{0,63}$"
SECTION_PATTERN: Final = r"^[a-zđ0-9][a-zđ0-9.]{0,7}$"
MAX_TARGETS: Final = 256
MAX_SECTIONS: Final = 32
MAX_GOALS: Final = 64
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099
FORMULA_UNITS: Final[Mapping[str, str | None]] = {"declared/1": None, "sum/1": COUNT,
                                                  "ratio/1": PERCENT}
"""The unit each formula needs (None: any unit)."""

SectionCode = Annotated[str, StringConstraints(pattern=SECTION_PATTERN)]
PeriodText = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]


class PlanDocument(Part):
    """The document a plan is: number and date as issued, the issuer, the title, and where its
    text was read (`source`: a citation or an address)."""

    number: Annotated[str, StringConstraints(pattern=DOCUMENT_NUMBER_PATTERN)]
    date: IsoDate
    issuer: Name
    title_vi: Name
    title_en: Name
    source: Name


class PlanPeriod(Part):
    """The days the plan covers, both included."""

    start: IsoDate
    end: IsoDate

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


class PlanSection(Part):
    code: SectionCode
    name_vi: Name
    name_en: Name


class Baseline(Part):
    """Where the plan starts from, when it says: a value, its period, and its source."""

    value: float
    period: PeriodText
    source: Name | None = None


class Target(Part):
    """One quantified target of a plan (see the module doc)."""

    indicator: Code
    section: SectionCode
    name_vi: Name
    name_en: Name
    clause_vi: LongText | None = None
    unit: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    direction: Direction
    value: float
    deadline: IsoDate
    baseline: Baseline | None = None
    levels: Annotated[list[Level], Field(min_length=1, max_length=3)]
    formula: Formula

    def is_met(self, value: float) -> bool:
        """Whether `value` reaches the target in its direction."""
        return value >= self.value if self.direction == "at_least" else value <= self.value


class Goal(Part):
    """A qualitative aim: no figure, so nothing to report against; kept to show the plan whole."""

    section: SectionCode
    text_vi: LongText
    text_en: LongText


class PlanBody(KindBody):
    """`plan/1`: a plan of the city (or the province before 2025) with its targets."""

    document: PlanDocument
    period: PlanPeriod
    sections: Annotated[list[PlanSection], Field(min_length=1, max_length=MAX_SECTIONS)]
    targets: Annotated[list[Target], Field(min_length=1, max_length=MAX_TARGETS)]
    goals: Annotated[list[Goal], Field(default_factory=list, max_length=MAX_GOALS)]

    def subject(self) -> str:
        """`plan:<document year>:<slug of the number>` (see the module doc)."""
        return plan_subject(self.document.number, self.document.date)

    def check(self, context: RecordContext) -> None:
        """The rules of a plan (see the module doc); raises `SchemaViolation`, `UnknownUnit`,
        `ValueOutOfRange`, `SubjectMismatch` or `IssuedBeforePlan`."""
        for name, day in (("document.date", self.document.date),
                          ("period.start", self.period.start), ("period.end", self.period.end)):
            _require_year(name, day)
        if self.period.start > self.period.end:
            raise SchemaViolation(f"period: starts {self.period.start} after it ends "
                                  f"{self.period.end}")
        sections = [item.code for item in self.sections]
        if len(set(sections)) != len(sections):
            raise SchemaViolation("sections: a section code is given twice")
        self._check_targets(set(sections))
        for position, goal in enumerate(self.goals):
            if goal.section not in sections:
                raise SchemaViolation(f"goals.{position}.section: {goal.section!r} is not a "
                                      "section of the plan")
        require_subject(context, self.subject())
        signed = issued_day(context.issued_at)
        if signed < self.document.date:
            raise IssuedBeforePlan(
                f"issued_at: signed on {signed}, before the plan's document date "
                f"{self.document.date}", details={"document_date": self.document.date.isoformat()},
            )

    def _check_targets(self, sections: set[str]) -> None:
        first: dict[str, Target] = {}
        deadlines: set[tuple[str, date]] = set()
        for position, target in enumerate(self.targets):
            where = f"targets.{position}"
            if target.section not in sections:
                raise SchemaViolation(f"{where}.section: {target.section!r} is not a section "
                                      "of the plan")
            measure = unit(target.unit, f"{where}.unit")
            measure.check(target.value, f"{where}.value")
            if target.baseline is not None:
                measure.check(target.baseline.value, f"{where}.baseline.value")
                parse_period(target.baseline.period)
            if not self.period.holds(target.deadline):
                raise SchemaViolation(f"{where}.deadline: {target.deadline} is outside the "
                                      f"plan's period {self.period.start}..{self.period.end}")
            if len(set(target.levels)) != len(target.levels):
                raise SchemaViolation(f"{where}.levels: a level is given twice")
            needed = FORMULA_UNITS[target.formula]
            if needed is not None and target.unit != needed:
                raise SchemaViolation(f"{where}.formula: {target.formula} needs unit "
                                      f"{needed!r}, got {target.unit!r}")
            if (target.indicator, target.deadline) in deadlines:
                raise SchemaViolation(f"{where}: a second target for {target.indicator} with "
                                      f"deadline {target.deadline}")
            deadlines.add((target.indicator, target.deadline))
            earlier = first.setdefault(target.indicator, target)
            shared = ("unit", "direction", "levels", "formula")
            if any(getattr(earlier, name) != getattr(target, name) for name in shared):
                raise SchemaViolation(f"{where}: the targets for {target.indicator} differ in "
                                      "unit, direction, levels or formula")


def plan_subject(number: str, day: date) -> str:
    """The subject of the plan numbered `number` of `day`: `plan:2023:254-kh-ubnd`."""
    return f"plan:{day.year}:{slug(number)}"


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits of `text`, runs of anything else as one dash
    ("254/KH-UBND" gives "254-kh-ubnd", "Đ" gives "d")."""
    folded = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = "".join(c for c in folded if ord(c) < 128).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _require_year(name: str, day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise SchemaViolation(f"{name}: got {day}, want a date in {FIRST_YEAR}-{LAST_YEAR}")


# -- the book of plans --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FiledPlan:
    """One version of a plan as the log holds it. Ids are 64 lowercase hex digits."""

    record_id: str
    index: int
    signer: str
    issued_at: int
    subject: str
    supersedes: str | None
    body: PlanBody
    _by_indicator: Mapping[str, tuple[Target, ...]] = field(init=False, repr=False,
                                                            compare=False)

    def __post_init__(self) -> None:
        table: dict[str, list[Target]] = defaultdict(list)
        for target in self.body.targets:
            table[target.indicator].append(target)
        object.__setattr__(self, "_by_indicator", {
            code: tuple(sorted(targets, key=lambda t: t.deadline))
            for code, targets in table.items()})

    @property
    def number(self) -> str:
        return self.body.document.number

    def targets_for(self, indicator: str) -> tuple[Target, ...]:
        """The plan's targets for `indicator`, by deadline."""
        return self._by_indicator.get(indicator, ())

    def target_on(self, indicator: str, day: date) -> Target | None:
        """The target that judges a figure of `indicator` with reference date `day`, or None
        when the plan's period does not hold `day` or the plan has no target for it."""
        if not self.body.period.holds(day):
            return None
        targets = self.targets_for(indicator)
        if not targets:
            return None
        return next((t for t in targets if t.deadline >= day), targets[-1])


@dataclass(frozen=True, slots=True)
class JudgingTarget:
    """A target and the plan version it comes from: what a figure is judged against."""

    plan: FiledPlan
    target: Target

    def is_met(self, value: float) -> bool:
        return self.target.is_met(value)


def filed_plan(index: int, record_id: str, entry: Mapping[str, Any],
               body: bytes) -> FiledPlan:
    """A stored `plan/1` record as a `FiledPlan`; `entry` is its decoded entry. Raises
    `SchemaViolation` if the body does not parse (the log only admits ones that do)."""
    try:
        parsed = PlanBody.model_validate_json(body)
    except ValidationError as exc:
        raise validation_error(SchemaViolation, exc, where="body") from exc
    supersedes = entry.get("supersedes")
    return FiledPlan(
        record_id=record_id, index=index, signer=str(entry["operator"]),
        issued_at=int(entry["issued_at"]), subject=str(entry["subject"]),
        supersedes=None if supersedes is None else str(supersedes).removeprefix("0x"),
        body=parsed,
    )


class PlanBook:
    """The plans of the log, every version, and the rule that judges figures (module doc).

    Built once from the plan records (`filed_plan`); immutable afterwards (its caches aside).
    """

    __slots__ = ("_in_force", "_indices", "_judged", "plans")

    def __init__(self, plans: Iterable[FiledPlan] = ()) -> None:
        self.plans: tuple[FiledPlan, ...] = tuple(sorted(plans, key=lambda plan: plan.index))
        self._indices = [plan.index for plan in self.plans]
        self._in_force: dict[int, tuple[FiledPlan, ...]] = {}
        self._judged: dict[tuple[int, str, date], JudgingTarget | None] = {}

    @property
    def latest_index(self) -> int:
        """The log index of the newest plan record; -1 when there is none."""
        return self._indices[-1] if self._indices else -1

    def in_force(self, before: int | None = None) -> tuple[FiledPlan, ...]:
        """The latest version of each plan subject among the records with an index smaller
        than `before` (every record when None), by document date then index."""
        count = self._count(before)
        found = self._in_force.get(count)
        if found is None:
            latest: dict[str, FiledPlan] = {}
            for plan in self.plans[:count]:
                latest[plan.subject] = plan
            found = tuple(sorted(latest.values(),
                                 key=lambda p: (p.body.document.date, p.index)))
            self._in_force[count] = found
        return found

    def current(self) -> tuple[FiledPlan, ...]:
        """The plans in force now: `in_force()` of the whole book."""
        return self.in_force()

    def latest(self, subject: str) -> FiledPlan | None:
        """The current version of the plan `subject`, or None."""
        return next((plan for plan in self.current() if plan.subject == subject), None)

    def superseded_by(self, plan: FiledPlan) -> FiledPlan | None:
        """The next version of `plan` (the first later record of its subject), or None."""
        return next((later for later in self.plans
                     if later.subject == plan.subject and later.index > plan.index), None)

    def versions(self) -> Mapping[str, tuple[FiledPlan, ...]]:
        """Every version of each plan subject, in log order."""
        table: dict[str, list[FiledPlan]] = defaultdict(list)
        for plan in self.plans:
            table[plan.subject].append(plan)
        return {subject: tuple(items) for subject, items in table.items()}

    def target(self, indicator: str, day: date, *,
               before: int | None = None) -> JudgingTarget | None:
        """The target judging a figure of `indicator` with reference date `day` filed at log
        index `before` (None: filed now), or None when no plan in force has one."""
        key = (self._count(before), indicator, day)
        if key in self._judged:
            return self._judged[key]
        best: JudgingTarget | None = None
        for plan in self.in_force(before):
            found = plan.target_on(indicator, day)
            if found is not None:
                best = JudgingTarget(plan, found)  # in_force is by document date, then index
        self._judged[key] = best
        return best

    def plans_with(self, indicator: str, before: int | None = None) -> tuple[FiledPlan, ...]:
        """The plans in force that have a target for `indicator`."""
        return tuple(p for p in self.in_force(before) if p.targets_for(indicator))

    def _count(self, before: int | None) -> int:
        """How many plan records have an index below `before` (all when None)."""
        return len(self.plans) if before is None else bisect.bisect_left(self._indices, before)

    def up_to(self, size: int) -> PlanBook:
        """The book of the tree of `size` leaves: the plan records with an index below it."""
        return PlanBook(plan for plan in self.plans if plan.index < size)
