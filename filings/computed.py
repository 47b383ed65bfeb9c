"""Indicators computed from the infrastructure records, by named and versioned formulas.

A formula is `<id>@<version>`; a version, once published, never changes its meaning: a new
meaning is a new version. Each takes the state of every site, route or duct on a day (each
thing's latest version with `as_of` on or before it, `api.infrastructure.InfrastructureBook.on`)
and answers, for the city and for each commune-level unit of that day holding at least one
thing it counts, a `ComputedFigure`: the value, the numerator and denominator it comes from,
and the ids of the records it counts, so that anyone can recount it and verify each record.

A thing counts in the commune its `area` code names on the day; when that code is no longer in
force (a record filed before 2025-07-01, read after), in the commune of that day whose polygon
holds its position (`filings.infrastructure.area_on`); failing both, in the city only.

| formula                        | indicator                | value                             |
|--------------------------------|--------------------------|-----------------------------------|
| `bts_shared_ratio@1`           | `bts_shared_ratio`       | % of sites in service with >= 1   |
|                                |                          | tenant                            |
| `sites_5g@1`                   | `sites_5g`               | sites in service with 5G          |
| `sites_4g_share@1`             | `sites_4g_share`         | % of sites in service with 4G     |
| `sites_out_of_service@1`       | `sites_out_of_service`   | sites out of service              |
| `cable_pole_shared_ratio@1`    | `cable_pole_shared_ratio`| % of the length of aerial routes  |
|                                |                          | in service on shared poles (city) |
| `cable_duct_shared_ratio@1`    | `cable_duct_shared_ratio`| % of ducts in service with >= 1   |
|                                |                          | tenant (manholes not counted)     |

A percentage over no thing has no value (None), never 0. Routes cross communes: their formula
is for the city only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final, Protocol

from filings.areas import load_areas
from filings.infrastructure import (
    CITY_CODE,
    DuctBody,
    RouteBody,
    SiteBody,
    area_on,
    route_length_m,
)
from filings.units import COUNT, PERCENT

__all__ = ["FORMULAS", "ComputedFigure", "Formula", "InfraVersion", "compute", "compute_all"]

Body = SiteBody | RouteBody | DuctBody


class InfraVersion(Protocol):
    """What a formula reads of one version of a thing (`api.infrastructure.InfraState`)."""

    @property
    def record_id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def body(self) -> Body: ...


@dataclass(frozen=True, slots=True)
class Formula:
    """A versioned formula: which things it takes (`population`), which of them it counts
    (`counted`) with what weight, whether it is a percentage, and by which areas."""

    id: str
    version: int
    kind: str
    unit: str
    population: Callable[[Body], bool]
    counted: Callable[[Body], bool]
    weight: Callable[[Body], float]
    by_commune: bool
    label_vi: str
    label_en: str

    @property
    def key(self) -> str:
        """`<id>@<version>`."""
        return f"{self.id}@{self.version}"

    @property
    def indicator(self) -> str:
        """The indicator code the formula computes (the plans' code where a plan names it)."""
        return self.id


@dataclass(frozen=True, slots=True)
class ComputedFigure:
    """One formula's answer for one area on one day.

    `records` are the record ids of the things taken (the denominator of a percentage, the
    things counted of a count); `counted` those of the numerator.
    """

    formula: Formula
    area: str
    day: date
    value: float | None
    numerator: float
    denominator: float
    records: tuple[str, ...]
    counted: tuple[str, ...]


def _one(_: Body) -> float:
    return 1.0


def _in_service(body: Body) -> bool:
    return body.status == "in_service"


def _site(test: Callable[[SiteBody], bool]) -> Callable[[Body], bool]:
    return lambda body: isinstance(body, SiteBody) and test(body)


def _length(body: Body) -> float:
    return route_length_m(body) if isinstance(body, RouteBody) else 0.0


FORMULAS: Final[Mapping[str, Formula]] = MappingProxyType({f.key: f for f in (
    Formula("bts_shared_ratio", 1, "site", PERCENT, _in_service,
            _site(lambda s: len(s.tenants) >= 1), _one, True,
            "Tỷ lệ trạm BTS dùng chung (trạm đang hoạt động có ít nhất một doanh nghiệp thuê)",
            "Shared BTS sites (sites in service with at least one tenant)"),
    Formula("sites_5g", 1, "site", COUNT, _site(lambda s: s.status == "in_service"
                                                 and "5G" in s.technologies),
            _site(lambda s: True), _one, True,
            "Số trạm 5G đang hoạt động", "5G sites in service"),
    Formula("sites_4g_share", 1, "site", PERCENT, _in_service,
            _site(lambda s: "4G" in s.technologies), _one, True,
            "Tỷ lệ trạm có 4G trong các trạm đang hoạt động", "Share of sites in service with 4G"),
    Formula("sites_out_of_service", 1, "site", COUNT,
            _site(lambda s: s.status == "out_of_service"), _site(lambda s: True), _one, True,
            "Số trạm đang ngừng hoạt động", "Sites out of service"),
    Formula("cable_pole_shared_ratio", 1, "route", PERCENT,
            lambda b: isinstance(b, RouteBody) and b.status == "in_service"
            and b.placement == "aerial",
            lambda b: isinstance(b, RouteBody) and b.shared == "poles", _length, False,
            "Tỷ lệ chiều dài tuyến cáp treo trên cột dùng chung",
            "Length share of aerial cable routes on shared poles"),
    Formula("cable_duct_shared_ratio", 1, "duct", PERCENT,
            lambda b: isinstance(b, DuctBody) and b.status == "in_service" and b.type == "duct",
            lambda b: isinstance(b, DuctBody) and len(b.tenants) >= 1, _one, True,
            "Tỷ lệ cống bể cáp dùng chung (cống đang sử dụng có ít nhất một doanh nghiệp thuê)",
            "Shared cable ducts (ducts in service with at least one tenant)"),
)})
"""Every formula, by `<id>@<version>`."""


def _commune(body: Body, day: date) -> str | None:
    if isinstance(body, RouteBody):
        return None
    area = area_on(body.area, body.position.lat, body.position.lon, day)
    return None if area is None or area.level != "commune" else area.code


def compute(formula: Formula, versions: Iterable[InfraVersion], day: date
            ) -> list[ComputedFigure]:
    """The formula's figures on `day`: the city first, then each commune with a thing taken,
    by code. `versions` are the things' states on `day` (other kinds are left out)."""
    city = load_areas().resolve(CITY_CODE, day).code
    groups: dict[str, list[InfraVersion]] = defaultdict(list)
    for version in versions:
        if version.kind != formula.kind or not formula.population(version.body):
            continue
        groups[city].append(version)
        commune = _commune(version.body, day) if formula.by_commune else None
        if commune is not None:
            groups[commune].append(version)
    groups.setdefault(city, [])
    return [_figure(formula, code, day, groups[code])
            for code in [city, *sorted(code for code in groups if code != city)]]


def _figure(formula: Formula, area: str, day: date, taken: Sequence[InfraVersion]
            ) -> ComputedFigure:
    counted = [v for v in taken if formula.counted(v.body)]
    numerator = sum(formula.weight(v.body) for v in counted)
    denominator = sum(formula.weight(v.body) for v in taken)
    if formula.unit == PERCENT:
        value = None if denominator == 0 else 100 * numerator / denominator
    else:
        value = numerator
    return ComputedFigure(formula, area, day, value, numerator, denominator,
                          tuple(v.record_id for v in taken), tuple(v.record_id for v in counted))


def compute_all(versions: Iterable[InfraVersion], day: date) -> list[ComputedFigure]:
    """Every formula of `FORMULAS` on `day`, in the table's order."""
    held = list(versions)
    return [figure for formula in FORMULAS.values() for figure in compute(formula, held, day)]
