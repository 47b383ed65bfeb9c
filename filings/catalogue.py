"""The plan 254/KH-UBND (2023) indicator catalogue: its 2025 targets and the areas they cover.

The data is `filings/data/plan254.json`, read with `importlib.resources` so it works from an
installed wheel. It encodes section II.2 ("Mục tiêu đến năm 2025") of the plan:

- every quantified target (22) is an `Indicator`: a stable `code`, the plan's own Vietnamese
  words (`name_vi` is the clause with the figure taken out; `clause_vi` is the clause verbatim),
  an English name, the unit, the 2025 target, its direction, and its scope. "tất cả" (all) reads
  as 100%. Every target of the plan is a floor, so every direction is `at_least`;
- the seven qualitative aims of II.2 (IoT coverage, sections d and đ) have no figure to report
  against; they are kept as `Goal`s so the public page can show the plan whole;
- areas are the province (`tthue`) and its nine district-level units as of 2023 (GSO codes
  46 and 474-483). An indicator with scope `district` is reported per district and for the whole
  province; one with scope `province` only for the province;
- the province's bounding box (mainland extremes, rounded outward to 0.01°) bounds coordinates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

from filings.errors import UnknownArea, UnknownIndicator

Direction = Literal["at_least", "at_most"]
Scope = Literal["province", "district"]
Level = Literal["province", "district"]

PERCENT: Final = "%"
_DATA_FILE: Final = "plan254.json"
_Coded = TypeVar("_Coded", "Section", "Area", "Indicator")


@dataclass(frozen=True, slots=True)
class Plan:
    number: str
    date: str
    title_vi: str
    title_en: str
    target_year: int


@dataclass(frozen=True, slots=True)
class Section:
    """A lettered group of section II.2 (a, b, c, d, đ)."""

    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Area:
    """The province or one of its district-level units (city, town or rural district)."""

    code: str
    level: Level
    gso_code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Indicator:
    """One quantified 2025 target of plan 254, section II.2."""

    code: str
    section: str
    scope: Scope
    name_vi: str
    name_en: str
    clause_vi: str
    unit: str
    target: float
    direction: Direction

    @property
    def max_value(self) -> float | None:
        """The largest value that makes sense: 100 for a percentage, else unbounded (None)."""
        return 100.0 if self.unit == PERCENT else None


@dataclass(frozen=True, slots=True)
class Goal:
    """A qualitative aim of section II.2: no figure, so nothing to report against."""

    section: str
    text_vi: str
    text_en: str


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A latitude/longitude box in degrees (WGS 84), bounds included."""

    south: float
    west: float
    north: float
    east: float
    source: str

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The whole plan: look indicators and areas up with `indicator()` and `area()`."""

    plan: Plan
    sections: Mapping[str, Section]
    indicators: Mapping[str, Indicator]
    areas: Mapping[str, Area]
    goals: tuple[Goal, ...]
    bounding_box: BoundingBox

    @property
    def province(self) -> Area:
        return next(area for area in self.areas.values() if area.level == "province")

    @property
    def districts(self) -> tuple[Area, ...]:
        return tuple(area for area in self.areas.values() if area.level == "district")

    def indicator(self, code: str) -> Indicator:
        """Return the indicator called `code`; raises `UnknownIndicator`."""
        try:
            return self.indicators[code]
        except KeyError:
            raise UnknownIndicator(
                f"indicator {code[:80]!r} is not in plan {self.plan.number}",
                details={"indicator": code[:80]},
            ) from None

    def area(self, code: str) -> Area:
        """Return the area called `code`; raises `UnknownArea`."""
        try:
            return self.areas[code]
        except KeyError:
            raise UnknownArea(
                f"area {code[:80]!r} is not the province or one of its districts: want one of "
                + ", ".join(self.areas),
                details={"area": code[:80]},
            ) from None

    def areas_of(self, indicator: Indicator) -> tuple[Area, ...]:
        """The areas `indicator` is reported for: the province, and each district if in scope."""
        if indicator.scope == "district":
            return tuple(self.areas.values())
        return (self.province,)

    def reported_area(self, indicator: Indicator, code: str) -> Area:
        """Return area `code` if `indicator` is reported for it; raises `UnknownArea` if not."""
        area = self.area(code)
        if indicator.scope == "province" and area.level != "province":
            raise UnknownArea(
                f"indicator {indicator.code!r} is reported for the province only: "
                f"got area {code!r}, want {self.province.code!r}",
                details={"indicator": indicator.code, "area": code},
            )
        return area


def is_met(indicator: Indicator, value: float) -> bool:
    """Tell whether `value` reaches the indicator's 2025 target in its direction."""
    if indicator.direction == "at_least":
        return value >= indicator.target
    return value <= indicator.target


@cache
def load_catalogue() -> Catalogue:
    """Load and check the packaged catalogue (once per process)."""
    text = resources.files("filings.data").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return _parse(json.loads(text))


def _parse(data: dict[str, Any]) -> Catalogue:
    sections = _by_code([Section(**item) for item in data["sections"]], "section")
    areas = _by_code([Area(**item) for item in data["areas"]], "area")
    indicators = _by_code([Indicator(**item) for item in data["indicators"]], "indicator")
    goals = tuple(Goal(**item) for item in data["goals"])
    if [area.level for area in areas.values()].count("province") != 1:
        raise RuntimeError(f"{_DATA_FILE}: want exactly one province area")
    for section in [item.section for item in indicators.values()] + [g.section for g in goals]:
        if section not in sections:
            raise RuntimeError(f"{_DATA_FILE}: unknown section {section!r}")
    for indicator in indicators.values():
        if indicator.scope not in ("province", "district") or indicator.direction not in (
            "at_least",
            "at_most",
        ):
            raise RuntimeError(f"{_DATA_FILE}: bad scope or direction in {indicator.code!r}")
    return Catalogue(
        plan=Plan(**data["plan"]),
        sections=sections,
        indicators=indicators,
        areas=areas,
        goals=goals,
        bounding_box=BoundingBox(**data["bounding_box"]),
    )


def _by_code(items: list[_Coded], what: str) -> Mapping[str, _Coded]:
    table = {item.code: item for item in items}
    if len(table) != len(items):
        raise RuntimeError(f"{_DATA_FILE}: duplicate {what} code")
    return MappingProxyType(table)
