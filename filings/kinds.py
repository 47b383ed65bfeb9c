"""Record kinds: the body schemas of `indicator/2`, `permit/2`, `report/2` and `plan/1` (those of
the infrastructure in `filings.infrastructure`), and the rules each body must keep on its own.

A submission names its kind and schema; `record_kind` finds the `RecordKind`, whose `validate`
checks the decoded JSON body strictly (no coercion: "5" is not a number, a date is
`YYYY-MM-DD`, unknown fields are refused; text rules in `filings.schema`) and then what a
schema cannot say alone: areas, periods, units, the subject, the submitting operator,
attachments and restriction. Nothing here needs the ledger's state: the plans that judge a
figure are `filings.admission`'s.

Areas are official codes (`46` the province or city; `474`-`483` the district-level units until
2025-06-30; five digits a commune-level unit), resolved by (code, reference date) in
`filings.areas`: a code must name a unit in force on that day (`UnknownArea`, `AreaNotValid`).
Periods are `YYYY`, `YYYY-Hn`, `YYYY-Qn` or `YYYY-MM` (`filings.periods`); a figure's reference
date is its period's last day.

Subjects (the entry's stable id of the thing a record is about). Each is derived from the body
and must be exactly that string, so a subject query finds every record (of every declarant,
corrections included) about one thing:

- `indicator/2`: `indicator:<indicator code>:<area code>:<period>`,
  e.g. `indicator:bts_shared_ratio:478:2024-Q3`. Several declarants report the same subject;
  the entry's `operator` tells their figures apart;
- `permit/2`: `permit:<commune code>:<permit number>`, e.g. `permit:20107:125/GP-STTTT`, the
  commune in force on `valid_from`;
- `report/2`: `report:<period>:<slug>`, where the slug (`[a-z0-9][a-z0-9-]{0,63}`) is the
  operator's own name for the report series, e.g. `report:2024:annual-infrastructure`;
- `plan/1`: `plan:<document year>:<slug of the number>` (`filings.plans`).

Values are in a unit of `filings.units` and within its bounds. An `indicator/2` percentage may
carry the counts behind it, `numerator` and `denominator` (both or neither, whole, 0 <= numerator
<= denominator, denominator > 0), and then its value must be 100 x numerator / denominator to
0.05 points (a figure rounded to one decimal). A figure or report is signed on or after the
first day of its period (`IssuedBeforePeriod`), in Việt Nam's calendar.

| schema        | attachments | restricted (salted)                                    |
|---------------|-------------|--------------------------------------------------------|
| `indicator/2` | none        | never: the plans' figures are public                   |
| `permit/2`    | allowed     | allowed; required when the body holds `personal_data`  |
| `report/2`    | allowed     | allowed (drafts)                                       |
| `plan/1`      | allowed     | never                                                  |
| `site/1`      | allowed     | never: the map and the computed figures read it        |
| `siteowner/1` | allowed     | always: a rooftop site's owner, personal data          |
| `route/1`     | allowed     | allowed                                                |
| `duct/1`      | allowed     | allowed                                                |

The schemas `indicator/1`, `permit/1` and `report/1` (areas as the 2023 district slugs) are
retired: new submissions of them are refused with `RetiredSchema`, naming the successor; their
records stay in the log and readable.

Coordinates must fall inside Huế's bounding box (mainland extremes 15°59'30"-16°44'30" N,
107°00'56"-108°12'57" E, rounded outward to 0.01°, so lat 15.99-16.75, lon 107.01-108.22; the
east edge reaches Sơn Chà island off Lăng Cô). It is a box, not the border: it catches swapped
or mistyped coordinates, yet parts of Quảng Trị, Đà Nẵng and Laos fall inside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal

from pydantic import Field, StringConstraints, ValidationError

from filings.areas import Area, Level, load_areas
from filings.bindings import BINDING_KIND, BINDING_SCHEMA, BindingBody
from filings.errors import (
    IssuedBeforePeriod,
    PersonalDataPublic,
    RatioMismatch,
    RetiredSchema,
    SchemaViolation,
    SubjectMismatch,
    UnknownSchema,
)
from filings.infrastructure import SITE_OWNER_KIND, DuctBody, RouteBody, SiteBody, SiteOwnerBody
from filings.periods import PERIOD_PATTERN, Period, issued_day, parse_period
from filings.plans import PLAN_KIND, PLAN_SCHEMA, PlanBody
from filings.schema import (
    NO_CONTROLS,
    AreaCode,
    Code,
    IsoDate,
    KindBody,
    LongText,
    Part,
    RecordContext,
    Text,
    require_subject,
    validation_error,
)
from filings.units import PERCENT, unit
from ledger.entry import is_checksum_address

__all__ = [
    "NO_CONTROLS",
    "PERMIT_TYPE_LABELS",
    "REGISTRY",
    "RETIRED",
    "FigureClaim",
    "IndicatorBody",
    "PermitBody",
    "RecordContext",
    "RecordKind",
    "ReportBody",
    "record_kind",
]

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
PERMIT_NUMBER_PATTERN: Final = r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ./_-]{0,63}$"
MAX_REPORT_INDICATORS: Final = 256
MAX_PERMIT_OPERATORS: Final = 16
MAX_COUNT: Final = 10_000_000_000
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099
RATIO_TOLERANCE: Final = 0.05
"""How far (in percentage points) a percentage may be from 100 x numerator / denominator."""
BOUNDING_BOX: Final = (15.99, 107.01, 16.75, 108.22)
"""Huế's bounding box: south, west, north, east (module doc)."""

PermitType = Literal["bts_site", "antenna_mast", "cable_route", "duct", "pole_line", "data_centre"]
PERMIT_TYPE_LABELS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "bts_site": ("Trạm thu phát sóng di động (BTS)", "Mobile base station (BTS) site"),
    "antenna_mast": ("Cột ăng-ten", "Antenna mast"),
    "cable_route": ("Tuyến cáp viễn thông", "Telecom cable route"),
    "duct": ("Cống bể cáp", "Cable duct"),
    "pole_line": ("Tuyến cột treo cáp", "Cable pole line"),
    "data_centre": ("Trung tâm dữ liệu", "Data centre"),
})
"""Vietnamese and English labels of each permit type."""

PeriodText = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Address = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


@dataclass(frozen=True, slots=True)
class FigureClaim:
    """What an `indicator/2` figure claims, for the rules that judge it against the plans."""

    indicator: str
    area: str
    level: Level
    period: str
    unit: str

    @property
    def reference_date(self) -> date:
        return parse_period(self.period).as_of


class IndicatorBody(KindBody):
    """`indicator/2`: one figure for one indicator, area (official code) and period."""

    indicator: Code
    area: AreaCode
    period: PeriodText
    value: float
    unit: Unit
    numerator: Count | None = None
    denominator: Count | None = None
    note: LongText | None = None

    def subject(self) -> str:
        """The subject of this figure (see the module docstring)."""
        return f"indicator:{self.indicator}:{self.area}:{self.period}"

    def check(self, context: RecordContext) -> None:
        period = parse_period(self.period)
        load_areas().resolve(self.area, period.as_of)
        unit(self.unit).check(self.value)
        self._check_counts()
        require_subject(context, self.subject())
        _require_in_period(context, period)

    def claim(self) -> FigureClaim:
        """The figure's claim (only after `check` passed)."""
        area = load_areas().resolve(self.area, parse_period(self.period).as_of)
        return FigureClaim(self.indicator, self.area, area.level, self.period, self.unit)

    def _check_counts(self) -> None:
        if self.numerator is None and self.denominator is None:
            return
        if self.numerator is None or self.denominator is None:
            raise RatioMismatch("numerator and denominator: give both or neither")
        if self.unit != PERCENT:
            raise RatioMismatch(f"numerator and denominator are for a percentage, the unit is "
                                f"{self.unit!r}")
        if self.denominator == 0 or self.numerator > self.denominator:
            raise RatioMismatch(f"numerator {self.numerator} and denominator "
                                f"{self.denominator}: want 0 <= numerator <= denominator, "
                                "denominator > 0")
        ratio = 100 * self.numerator / self.denominator
        if abs(self.value - ratio) > RATIO_TOLERANCE + 1e-9:  # 18.75 written 18.8 is 0.05 off
            raise RatioMismatch(
                f"value: got {self.value:g}, want 100 x {self.numerator} / {self.denominator} "
                f"= {ratio:.2f} (to {RATIO_TOLERANCE} points)", details={"ratio": ratio},
            )


class PermitLocation(Part):
    lat: float
    lon: float
    commune: AreaCode


class PersonalData(Part):
    """Who the permit concerns in person (a landowner, a household): restricted records only."""

    name: Text | None = None
    id_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{6,20}$")] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{6,20}$")] | None = None
    address: Text | None = None


class PermitBody(KindBody):
    """`permit/2`: a construction or use permit for passive telecom infrastructure."""

    number: Annotated[str, StringConstraints(pattern=PERMIT_NUMBER_PATTERN)]
    type: PermitType
    location: PermitLocation
    valid_from: IsoDate
    valid_until: IsoDate
    operators: Annotated[list[Address], Field(min_length=1, max_length=MAX_PERMIT_OPERATORS)]
    holder: Text | None = None
    personal_data: PersonalData | None = None

    def subject(self) -> str:
        """The subject of this permit (see the module docstring)."""
        return f"permit:{self.location.commune}:{self.number}"

    def check(self, context: RecordContext) -> None:
        for name, day in (("valid_from", self.valid_from), ("valid_until", self.valid_until)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise SchemaViolation(f"{name}: got {day}, want a date in "
                                      f"{FIRST_YEAR}-{LAST_YEAR}")
        if self.valid_from > self.valid_until:
            raise SchemaViolation(
                f"valid_from {self.valid_from} is after valid_until {self.valid_until}"
            )
        commune = load_areas().resolve(self.location.commune, self.valid_from)
        _require_level(commune, "commune", "location.commune")
        south, west, north, east = BOUNDING_BOX
        if not (south <= self.location.lat <= north and west <= self.location.lon <= east):
            raise SchemaViolation(
                f"location: ({self.location.lat}, {self.location.lon}) is outside Huế "
                f"(lat {south}..{north}, lon {west}..{east})"
            )
        for address in self.operators:
            if not is_checksum_address(address):
                raise SchemaViolation(f"operators: {address!r} is not an EIP-55 address")
        if len(set(self.operators)) != len(self.operators):
            raise SchemaViolation("operators: an address is listed twice")
        if context.operator not in self.operators:
            raise SchemaViolation(
                f"operators: the submitting operator {context.operator} is not listed"
            )
        if self.personal_data is not None and not context.restricted:
            raise SchemaViolation(
                "personal_data: a permit with personal data must be restricted (send a salt)"
            )
        require_subject(context, self.subject())


class ReportFigure(Part):
    """A figure quoted in a report; the report's period applies."""

    indicator: Code
    area: AreaCode
    value: float
    unit: Unit


class ReportBody(KindBody):
    """`report/2`: a periodic report, its files as attachments, optionally with key figures."""

    period: PeriodText
    title: Annotated[str, StringConstraints(min_length=1, max_length=300,
                                            pattern=NO_CONTROLS)]
    summary: LongText | None = None
    indicators: Annotated[list[ReportFigure], Field(default_factory=list,
                                                    max_length=MAX_REPORT_INDICATORS)]

    def subject(self, slug: str) -> str:
        """The subject of this report in the operator's series `slug`."""
        return f"report:{self.period}:{slug}"

    def check(self, context: RecordContext) -> None:
        period = parse_period(self.period)
        areas = load_areas()
        seen: set[tuple[str, str]] = set()
        for position, figure in enumerate(self.indicators):
            where = f"indicators.{position}"
            areas.resolve(figure.area, period.as_of)
            unit(figure.unit, f"{where}.unit").check(figure.value, f"{where}.value")
            key = (figure.indicator, figure.area)
            if key in seen:
                raise SchemaViolation(f"{where}: {key[0]} for {key[1]} is given twice")
            seen.add(key)
        prefix = self.subject("")
        if not (context.subject.startswith(prefix) and SLUG.match(context.subject[len(prefix):])):
            raise SubjectMismatch(
                f"subject: got {context.subject!r}, want '{prefix}<slug>' with a slug of "
                "lowercase letters, digits and dashes",
                details={"want_prefix": prefix},
            )
        _require_in_period(context, period)


@dataclass(frozen=True, slots=True)
class RecordKind:
    """A kind/schema pair the API accepts, with its body model and its policies."""

    kind: str
    schema: str
    body: type[KindBody]
    attachments_allowed: bool
    restricted_allowed: bool
    restricted_required: bool = False
    """Whether the kind holds nothing but personal data, so that a public record is refused."""

    def validate(self, body: dict[str, Any], context: RecordContext) -> KindBody:
        """Check a decoded JSON body strictly against the kind and every rule of the kind.

        Raises `SchemaViolation` (or a subclass: `SubjectMismatch`, `UnknownArea`,
        `AreaNotValid`, `InvalidPeriod`, `UnknownUnit`, `ValueOutOfRange`, `RatioMismatch`,
        `ControlCharacter`, `PersonalDataPublic`) or an `IssuedAtRefused` subclass, naming the
        first fault.
        """
        if context.attachment_count and not self.attachments_allowed:
            raise SchemaViolation(f"{self.schema} records take no attachments")
        if context.restricted and not self.restricted_allowed:
            raise SchemaViolation(f"{self.schema} records are public: drop the salt")
        if self.restricted_required and not context.restricted:
            raise PersonalDataPublic(f"{self.schema} records hold personal data and are "
                                     "always restricted: send a salt")
        try:
            checked = self.body.model_validate(body)
        except ValidationError as exc:
            raise validation_error(SchemaViolation, exc, where="body") from exc
        checked.check(context)
        return checked


REGISTRY: Final[Mapping[str, RecordKind]] = MappingProxyType({
    "indicator/2": RecordKind("indicator", "indicator/2", IndicatorBody, False, False),
    "permit/2": RecordKind("permit", "permit/2", PermitBody, True, True),
    "report/2": RecordKind("report", "report/2", ReportBody, True, True),
    PLAN_SCHEMA: RecordKind(PLAN_KIND, PLAN_SCHEMA, PlanBody, True, False),
    "site/1": RecordKind("site", "site/1", SiteBody, True, False),
    "siteowner/1": RecordKind(SITE_OWNER_KIND, "siteowner/1", SiteOwnerBody, True, True,
                               restricted_required=True),
    "route/1": RecordKind("route", "route/1", RouteBody, True, True),
    "duct/1": RecordKind("duct", "duct/1", DuctBody, True, True),
    BINDING_SCHEMA: RecordKind(BINDING_KIND, BINDING_SCHEMA, BindingBody, False, False),
})
"""Every schema accepted for new submissions, by name."""

RETIRED: Final[Mapping[str, str]] = MappingProxyType({
    "indicator/1": "indicator/2", "permit/1": "permit/2", "report/1": "report/2",
})
"""Each retired schema and the schema that replaces it."""


def record_kind(kind: str, schema: str) -> RecordKind:
    """Return the record kind of a kind/schema pair; raises `RetiredSchema` for a retired
    schema of its kind, else `UnknownSchema`."""
    spec = REGISTRY.get(schema)
    if spec is not None and spec.kind == kind:
        return spec
    successor = RETIRED.get(schema)
    if successor is not None and schema.split("/")[0] == kind:
        raise RetiredSchema(
            f"schema {schema} is retired for new submissions: file {successor} (areas by "
            "official code, see filings.areas)", details={"successor": successor},
        )
    raise UnknownSchema(
        f"kind {kind[:40]!r} with schema {schema[:40]!r}: want one of "
        + ", ".join(f"{s.kind} with {s.schema}" for s in REGISTRY.values()),
        details={"accepted": [s.schema for s in REGISTRY.values()]},
    )


def _require_level(area: Area, level: Level, where: str) -> None:
    if area.level != level:
        raise SchemaViolation(f"{where}: {area.code} is {area.name_vi} ({area.level}), want a "
                              f"{level}-level unit", details={"area": area.code})


def _require_in_period(context: RecordContext, period: Period) -> None:
    signed = issued_day(context.issued_at)
    if signed < period.start:
        raise IssuedBeforePeriod(
            f"issued_at: signed on {signed}, before the period {period.text} starts on "
            f"{period.start}", details={"period_start": period.start.isoformat()},
        )
