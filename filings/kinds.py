"""Record kinds: the body schemas of `indicator/1`, `permit/1` and `report/1`, and their rules.

A submission names its kind and schema; `record_kind` finds the `RecordKind`, whose `validate`
checks the decoded JSON body strictly (no coercion: "5" is not a number, a date is
`YYYY-MM-DD`, unknown fields are refused) and then checks what a schema cannot say alone:
catalogue codes, the subject, the submitting operator, attachments and restriction.

Subjects (the entry's stable id of the thing a record is about, DESIGN section 2). Each is
derived from the body and must be exactly that string, so a subject query finds every record
(of every operator, corrections included) about one thing:

- `indicator/1`: `indicator:<indicator code>:<area code>:<period>`,
  e.g. `indicator:bts_shared_ratio:phu_vang:2024-Q3`. Several operators may report the same
  subject; the entry's `operator` tells their figures apart.
- `permit/1`: `permit:<district code>:<permit number>`, e.g. `permit:phu_loc:125/GP-STTTT`.
  The district is part of the id because district and provincial issuers number separately.
- `report/1`: `report:<period>:<slug>`, where the slug (`[a-z0-9][a-z0-9-]{0,63}`) is the
  operator's own name for the report series, e.g. `report:2024:annual-infrastructure`.

Periods are `YYYY`, `YYYY-Qn` or `YYYY-MM` (years 2000-2099). Figures name a catalogue
indicator and an area it is reported for; values are non-negative, at most 100 when the unit is
`%`, and a `unit`, when given, must be the catalogue's. A permit lists the operators sharing the
infrastructure (EIP-55, no repeats): the submitting operator must be one of them.

| schema        | attachments | restricted (salted)                                    |
|---------------|-------------|--------------------------------------------------------|
| `indicator/1` | none        | never: the plan's figures are public                   |
| `permit/1`    | allowed     | allowed; required when the body holds `personal_data`  |
| `report/1`    | allowed     | allowed (drafts)                                       |

Coordinates must fall inside Thừa Thiên Huế's bounding box (`filings.catalogue`: mainland extremes
15°59'30"-16°44'30" N, 107°00'56"-108°12'57" E, rounded outward to 0.01°, so lat 15.99-16.75,
lon 107.01-108.22; the east edge reaches Sơn Chà island off Lăng Cô). It is a box, not the
border: it catches swapped or mistyped coordinates, yet parts of Quảng Trị, Đà Nẵng and Laos
fall inside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from filings.catalogue import Catalogue, load_catalogue
from filings.errors import FilingError, SchemaViolation, SubjectMismatch, UnknownSchema
from ledger.entry import is_checksum_address

PERIOD_PATTERN: Final = r"^20[0-9]{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
CODE_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
PERMIT_NUMBER_PATTERN: Final = r"^[0-9A-Za-zĐđ][0-9A-Za-zĐđ./_-]{0,63}$"
MAX_REPORT_INDICATORS: Final = 256
MAX_PERMIT_OPERATORS: Final = 16
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099

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

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
Period = Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)]
NO_CONTROLS: Final = r"^[^\x00-\x1f\x7f]+$"
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROLS)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=16000)]
Unit = Annotated[str, StringConstraints(min_length=1, max_length=32)]
Address = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
MAX_REPORTED_ERRORS: Final = 20
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_Error = TypeVar("_Error", bound=FilingError)


def _iso_date(value: Any) -> Any:
    """A `YYYY-MM-DD` string as a date; anything else is left for the strict date check."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A calendar date written `YYYY-MM-DD` in the JSON body (bodies are checked from their decoded
JSON value, where a date is still a string)."""


def validation_error(cls: type[_Error], exc: ValidationError, *, where: str = "") -> _Error:
    """Translate a pydantic error: the first fault in the message, up to 20 in `details`.

    The offending input values are never echoed back (a body may hold personal data).
    """
    errors = [
        {"loc": ".".join([where, *map(str, error["loc"])]).strip("."),
         "type": error["type"], "msg": error["msg"]}
        for error in exc.errors(include_url=False, include_input=False)
    ]
    first = errors[0] if errors else {"loc": where, "msg": "invalid"}
    return cls(f"{first['loc'] or 'value'}: {first['msg']}",
               details={"errors": errors[:MAX_REPORTED_ERRORS]})


@dataclass(frozen=True, slots=True)
class RecordContext:
    """What a body's rules need to know about the submission that carries it."""

    subject: str
    operator: str
    restricted: bool
    attachment_count: int


class KindBody(BaseModel):
    """Base of every record body: strict, frozen, no unknown fields, no NaN or infinity."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    def check(self, context: RecordContext, catalogue: Catalogue) -> None:
        """Check the rules a schema cannot express; raises `SchemaViolation` subclasses."""
        raise NotImplementedError


class IndicatorBody(KindBody):
    """`indicator/1`: one figure for one plan indicator, area and period."""

    indicator: Code
    area: Code
    period: Period
    value: float
    unit: Unit | None = None
    note: LongText | None = None

    def subject(self) -> str:
        """The subject of this figure (see the module docstring)."""
        return f"indicator:{self.indicator}:{self.area}:{self.period}"

    def check(self, context: RecordContext, catalogue: Catalogue) -> None:
        _check_figure(catalogue, self.indicator, self.area, self.value, self.unit, "")
        _require_subject(context, self.subject())


class PermitLocation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    lat: float
    lon: float
    commune: Text
    district: Code


class PersonalData(BaseModel):
    """Who the permit concerns in person (a landowner, a household): restricted records only."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: Text | None = None
    id_number: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{6,20}$")] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .-]{6,20}$")] | None = None
    address: Text | None = None


class PermitBody(KindBody):
    """`permit/1`: a construction or use permit for passive telecom infrastructure."""

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
        return f"permit:{self.location.district}:{self.number}"

    def check(self, context: RecordContext, catalogue: Catalogue) -> None:
        district = catalogue.area(self.location.district)
        if district.level != "district":
            raise SchemaViolation(
                f"location.district: got {district.code!r}, want a district, not the province"
            )
        if not catalogue.bounding_box.contains(self.location.lat, self.location.lon):
            box = catalogue.bounding_box
            raise SchemaViolation(
                f"location: ({self.location.lat}, {self.location.lon}) is outside Thừa Thiên Huế "
                f"(lat {box.south}..{box.north}, lon {box.west}..{box.east})"
            )
        for name, day in (("valid_from", self.valid_from), ("valid_until", self.valid_until)):
            _require_year(name, day)
        if self.valid_from > self.valid_until:
            raise SchemaViolation(
                f"valid_from {self.valid_from} is after valid_until {self.valid_until}"
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
        _require_subject(context, self.subject())


class ReportFigure(BaseModel):
    """A figure quoted in a report; the report's period applies."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    indicator: Code
    area: Code
    value: float
    unit: Unit | None = None


class ReportBody(KindBody):
    """`report/1`: a periodic report, its files as attachments, optionally with key figures."""

    period: Period
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    summary: LongText | None = None
    indicators: Annotated[list[ReportFigure], Field(max_length=MAX_REPORT_INDICATORS)] = []

    def subject(self, slug: str) -> str:
        """The subject of this report in the operator's series `slug`."""
        return f"report:{self.period}:{slug}"

    def check(self, context: RecordContext, catalogue: Catalogue) -> None:
        seen: set[tuple[str, str]] = set()
        for position, figure in enumerate(self.indicators):
            where = f"indicators.{position}."
            _check_figure(
                catalogue, figure.indicator, figure.area, figure.value, figure.unit, where
            )
            key = (figure.indicator, figure.area)
            if key in seen:
                raise SchemaViolation(f"{where[:-1]}: {key[0]} for {key[1]} is given twice")
            seen.add(key)
        prefix = self.subject("")
        if not (context.subject.startswith(prefix) and SLUG.match(context.subject[len(prefix):])):
            raise SubjectMismatch(
                f"subject: got {context.subject!r}, want '{prefix}<slug>' with a slug of "
                "lowercase letters, digits and dashes",
                details={"want_prefix": prefix},
            )


@dataclass(frozen=True, slots=True)
class RecordKind:
    """A kind/schema pair the API accepts, with its body model and its policies."""

    kind: str
    schema: str
    body: type[KindBody]
    attachments_allowed: bool
    restricted_allowed: bool

    def validate(self, body: dict[str, Any], context: RecordContext) -> KindBody:
        """Check a decoded JSON body strictly against the kind and every rule of the kind.

        Raises `SchemaViolation` (or a subclass: `SubjectMismatch`, `UnknownIndicator`,
        `UnknownArea`) naming the first fault.
        """
        if context.attachment_count and not self.attachments_allowed:
            raise SchemaViolation(f"{self.schema} records take no attachments")
        if context.restricted and not self.restricted_allowed:
            raise SchemaViolation(f"{self.schema} records are public: drop the salt")
        try:
            checked = self.body.model_validate(body)
        except ValidationError as exc:
            raise validation_error(SchemaViolation, exc, where="body") from exc
        checked.check(context, load_catalogue())
        return checked


REGISTRY: Final[Mapping[str, RecordKind]] = MappingProxyType({
    "indicator/1": RecordKind("indicator", "indicator/1", IndicatorBody, False, False),
    "permit/1": RecordKind("permit", "permit/1", PermitBody, True, True),
    "report/1": RecordKind("report", "report/1", ReportBody, True, True),
})
"""Every accepted schema, by name."""


def record_kind(kind: str, schema: str) -> RecordKind:
    """Return the record kind of a kind/schema pair; raises `UnknownSchema`."""
    spec = REGISTRY.get(schema)
    if spec is None or spec.kind != kind:
        raise UnknownSchema(
            f"kind {kind[:40]!r} with schema {schema[:40]!r}: want one of "
            + ", ".join(f"{s.kind} with {s.schema}" for s in REGISTRY.values()),
            details={"accepted": [s.schema for s in REGISTRY.values()]},
        )
    return spec


def _check_figure(
    catalogue: Catalogue, code: str, area: str, value: float, unit: str | None, where: str
) -> None:
    indicator = catalogue.indicator(code)
    catalogue.reported_area(indicator, area)
    if unit is not None and unit != indicator.unit:
        raise SchemaViolation(f"{where}unit: got {unit!r}, want {indicator.unit!r} for {code}")
    upper = indicator.max_value
    if value < 0 or (upper is not None and value > upper):
        bound = f"0..{upper:g}" if upper is not None else ">= 0"
        raise SchemaViolation(f"{where}value: got {value:g}, want {bound} {indicator.unit}")


def _require_subject(context: RecordContext, want: str) -> None:
    if context.subject != want:
        raise SubjectMismatch(
            f"subject: got {context.subject!r}, want {want!r}", details={"want": want}
        )


def _require_year(name: str, day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise SchemaViolation(f"{name}: got {day}, want a date in {FIRST_YEAR}-{LAST_YEAR}")
