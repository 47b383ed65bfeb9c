"""Huế's administrative units as dated data: which unit a code names on a day, and what it became.

Three states, built by `filings.data.build_areas` into `filings/data/areas.json`:

- until 2024-12-31: Tỉnh Thừa Thiên Huế (46), 9 district-level units, 141 communes (code list
  QĐ 124/2004/QĐ-TTg);
- 2025-01-01 to 2025-06-30: Thành phố Huế, centrally run (NQ 175/2024/QH15), 9 district-level
  units and 133 communes as rearranged by NQ 1314/NQ-UBTVQH15 (same code list);
- from 2025-07-01: Thành phố Huế, no district level, 40 commune-level units (21 phường, 19 xã)
  as arranged by NQ 1675/NQ-UBTVQH15, with the codes of QĐ 19/2025/QĐ-TTg.

Model. An `Area` is one unit for as long as its code, code list, level, type, names and territory
stay the same; a change of any of them ends it (`valid_to`) and starts its successor the next
day, linked by a `Succession` edge whose `effective` day is the successor's `valid_from`. Only
the parent may change during an area's life (`parentage`): Phường Tây Lộc is one area until
2025-06-30, under Thành phố Huế (district level) until 2024-12-31 and under Quận Phú Xuân after.
So code 46 is three areas: the tỉnh until 2024-12-31, the thành phố (type and names changed:
a `rename` edge, NQ 175/2024/QH15) until 2025-06-30, and the same city in the code list of
QĐ 19/2025/QĐ-TTg (a `recode` edge). One area per type and code list keeps every field of an
area true on every day it is valid, so a lookup never needs a history. A `valid_from` of None
means the start is not recorded (the units in force on 2024-12-31, the first state): such an
area answers for every earlier day. `valid_to` None means it is still in force.

Ids: `vn:<province code>:<p|d|c><code>@<day>`, the level's letter (province, district, commune),
the official code and a day the area is valid: its `valid_from`, or 2024-12-31 when the start is
not recorded. Two areas of one level and code are never valid on the same day, so an id is never
reused; ids are never changed once published (a start learnt later does not rename an area).

Succession kinds, from the territory each unit of the old state gives to the new one:
`split` (an old unit divided among several new ones, none of them its remainder),
`transfer-part` (several, one of them its remainder: same level, code and name), `merge` (the
old unit goes whole into one new unit formed from several), `rename` (one old unit becomes one
new unit of another name or type), `recode` (the same, with only the code or code list changed).
The district level ended on 2025-07-01 (NQ 203/2025/QH15): each district's edges lead to the
communes formed from its communes, and each of the 40 units' parent is the city.

Pure: the standard library and `filings.errors`; the only I/O is reading the packaged data file.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Final, Literal, NewType, get_args

from filings.errors import AreaNotValid, InvalidSubmission, UnknownArea

AreaId = NewType("AreaId", str)
Level = Literal["province", "district", "commune"]
UnitType = Literal["tỉnh", "thành phố", "quận", "huyện", "thị xã", "phường", "xã", "thị trấn"]
SuccessionKind = Literal["rename", "merge", "split", "transfer-part", "recode"]

LEVELS: Final[tuple[Level, ...]] = get_args(Level)
_DATA_FILE: Final = "areas.json"
_ONE_DAY: Final = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """The act a unit or a change rests on: its number as cited (e.g. "NQ 1314/NQ-UBTVQH15")
    and the day it was adopted."""

    document: str
    date: date


@dataclass(frozen=True, slots=True)
class Geometry:
    """Where an area's boundary is: feature `feature` (its `id`) of the packaged GeoJSON file
    `file` in `filings/data/`, and the data it was simplified from."""

    file: str
    feature: str
    source: str


@dataclass(frozen=True, slots=True)
class Parentage:
    """The area's parent from `valid_from` to `valid_to` (bounds included; None is open)."""

    parent: AreaId
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class Area:
    """One administrative unit while its code, code list, type, names and territory are fixed.

    `name_vi` is the name with its type as written in the code list ("Phường Phú Xuân");
    `name_en` is the Vietnamese name with the English type ("Phú Xuân Ward"). `legal_basis` is
    the act that established the unit in this form, None when not recorded (with `valid_from`).
    `parentage` covers the area's whole life, in order; it is empty for the province or city.
    """

    id: AreaId
    code: str
    code_list: str
    level: Level
    type: UnitType
    name_vi: str
    name_en: str
    valid_from: date | None
    valid_to: date | None
    legal_basis: LegalBasis | None
    parentage: tuple[Parentage, ...]
    geometry: Geometry | None

    def valid_on(self, day: date) -> bool:
        """Tell whether the area is in force on `day` (both bounds included)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Succession:
    """An edge: from `effective` on, (part of) `predecessor`'s territory is in `successor`.

    Always `predecessor.valid_to + 1 day == effective == successor.valid_from`.
    """

    predecessor: AreaId
    successor: AreaId
    kind: SuccessionKind
    effective: date
    legal_basis: LegalBasis


class AreaCatalogue:
    """The areas and their successions; look units up by `(code, day)` with `resolve()`.

    Immutable once built. The edges of an area are returned as `Succession`s (ids); fetch the
    area at the other end with `area()`.
    """

    __slots__ = ("_by_code", "_in", "_out", "areas", "successions")

    def __init__(self, areas: Iterable[Area], successions: Iterable[Succession]) -> None:
        table = {area.id: area for area in areas}
        self.areas: Mapping[AreaId, Area] = MappingProxyType(table)
        self.successions: tuple[Succession, ...] = tuple(successions)
        by_code: dict[str, list[Area]] = defaultdict(list)
        for area in table.values():
            by_code[area.code].append(area)
        self._by_code = {code: tuple(sorted(found, key=_start)) for code, found in by_code.items()}
        out: dict[AreaId, list[Succession]] = defaultdict(list)
        into: dict[AreaId, list[Succession]] = defaultdict(list)
        for edge in self.successions:
            out[edge.predecessor].append(edge)
            into[edge.successor].append(edge)
        self._out = {key: tuple(sorted(v, key=lambda e: table[e.successor].code))
                     for key, v in out.items()}
        self._in = {key: tuple(sorted(v, key=lambda e: table[e.predecessor].code))
                    for key, v in into.items()}

    def on(self, day: date) -> tuple[Area, ...]:
        """The areas in force on `day`, the province or city first, then by level and code."""
        return tuple(sorted((a for a in self.areas.values() if a.valid_on(day)), key=_order))

    def area(self, area_id: str) -> Area:
        """Return the area of id `area_id`; raises `UnknownArea`."""
        try:
            return self.areas[AreaId(area_id)]
        except KeyError:
            raise UnknownArea(
                f"area id {area_id[:80]!r} is not in the catalogue",
                details={"area_id": area_id[:80]},
            ) from None

    def resolve(self, code: str, day: date) -> Area:
        """Return the area that `code` names on `day`.

        Raises `UnknownArea` if no area ever had `code`, and `AreaNotValid` if `code` names areas
        on other days only; its message and `details` name the successors of the last area with
        `code` before `day` and the predecessors of the first one after it.
        """
        for area in self._versions(code):
            if area.valid_on(day):
                return area
        raise self._not_valid(code, day, day)

    def resolve_period(self, code: str, start: date, end: date) -> Area:
        """Return the area that `code` names on every day from `start` to `end` (included).

        Requires `start <= end` (else `InvalidSubmission`). Raises `UnknownArea` if no area ever
        had `code`, and `AreaNotValid` if no area with `code` covers the whole period, naming
        the successors of the one in force on `start` (or the last before it) and the
        predecessors of the one in force on `end` (or the first after it).
        """
        _check_period(start, end)
        for area in self._versions(code):
            if self.covers(area, start, end):
                return area
        raise self._not_valid(code, start, end)

    def covers(self, area: Area, start: date, end: date) -> bool:
        """Tell whether `area` is in force on every day from `start` to `end` (included).

        Requires `start <= end` (else `InvalidSubmission`).
        """
        _check_period(start, end)
        return area.valid_on(start) and area.valid_on(end)

    def successors(self, area: Area) -> tuple[Succession, ...]:
        """The edges from `area` to the areas that took its territory, by successor code."""
        return self._out.get(area.id, ())

    def predecessors(self, area: Area) -> tuple[Succession, ...]:
        """The edges into `area` from the areas it was formed from, by predecessor code."""
        return self._in.get(area.id, ())

    def parent(self, area: Area, day: date) -> Area | None:
        """The area `area` belonged to on `day`; None for the province or city.

        Requires `area` to be in force on `day`, else raises `AreaNotValid`.
        """
        if not area.valid_on(day):
            raise self._not_valid(area.code, day, day, only=area)
        for link in area.parentage:
            if (link.valid_from is None or link.valid_from <= day) and (
                link.valid_to is None or day <= link.valid_to
            ):
                return self.areas[link.parent]
        return None

    def _versions(self, code: str) -> tuple[Area, ...]:
        try:
            return self._by_code[code]
        except KeyError:
            raise UnknownArea(
                f"area code {code[:80]!r} is not a code of Huế in any code list",
                details={"area": code[:80]},
            ) from None

    def _not_valid(self, code: str, start: date, end: date, *,
                   only: Area | None = None) -> AreaNotValid:
        """The refusal of `code` for `start..end`: the successors of the area in force on
        `start` or the last before it, the predecessors of the area in force on `end` or the
        first after it."""
        versions = (only,) if only is not None else self._versions(code)
        before = [a for a in versions if a.valid_from is None or a.valid_from <= start]
        after = [a for a in versions if a.valid_to is None or a.valid_to >= end]
        earlier = before[-1] if before else None
        later = after[0] if after else None
        successors = self.successors(earlier) if earlier is not None else ()
        predecessors = self.predecessors(later) if later is not None else ()
        period = start.isoformat() if start == end else f"{start.isoformat()}..{end.isoformat()}"
        spans = "; ".join(f"{a.name_vi} {_span(a)}" for a in versions)
        parts = [f"area {code} is not in force on {period}: {spans}"]
        if successors:
            parts.append("successors: " + ", ".join(
                self._describe(e.successor, e) for e in successors))
        if predecessors:
            parts.append("predecessors: " + ", ".join(
                self._describe(e.predecessor, e) for e in predecessors))
        details: dict[str, Any] = {
            "area": code,
            "on": period,
            "valid": [{"id": a.id, "name_vi": a.name_vi,
                       "valid_from": _iso(a.valid_from), "valid_to": _iso(a.valid_to)}
                      for a in versions],
            "successors": [self.link(e.successor, e) for e in successors],
            "predecessors": [self.link(e.predecessor, e) for e in predecessors],
        }
        return AreaNotValid("; ".join(parts), details=details)

    def _describe(self, other: AreaId, edge: Succession) -> str:
        area = self.areas[other]
        return (f"{area.code} {area.name_vi} ({edge.kind} on {edge.effective.isoformat()}, "
                f"{edge.legal_basis.document})")

    def link(self, other: AreaId, edge: Succession) -> dict[str, Any]:
        """The unit `other` at the far end of `edge`, as errors and `GET /v1/areas/{code}`
        name it: code, Vietnamese name, kind, effective date and legal basis."""
        area = self.areas[other]
        return {
            "code": area.code,
            "name_vi": area.name_vi,
            "kind": edge.kind,
            "effective": edge.effective.isoformat(),
            "legal_basis": {"document": edge.legal_basis.document,
                            "date": edge.legal_basis.date.isoformat()},
        }


@cache
def load_areas() -> AreaCatalogue:
    """Load and check the packaged catalogue `filings/data/areas.json` (once per process)."""
    text = resources.files("filings.data").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return parse_areas(json.loads(text))


def parse_areas(data: Mapping[str, Any]) -> AreaCatalogue:
    """Build the catalogue from its JSON form; raises `RuntimeError` if the data breaks the
    model's rules (unique ids, parents and edges to known areas, edge dates, no two areas of one
    level and code in force on the same day)."""
    areas = [_area(item) for item in data["areas"]]
    successions = [_succession(item) for item in data["successions"]]
    catalogue = AreaCatalogue(areas, successions)
    if len(catalogue.areas) != len(areas):
        raise RuntimeError(f"{_DATA_FILE}: duplicate area id")
    for first, second in pairwise(sorted(areas, key=lambda a: (a.code, _start(a)))):
        if first.code == second.code and (
            first.valid_to is None or second.valid_from is None
            or first.valid_to >= second.valid_from
        ):
            raise RuntimeError(f"{_DATA_FILE}: {first.id} and {second.id} overlap")
    for area in areas:
        for link in area.parentage:
            parent = catalogue.areas.get(link.parent)
            if parent is None or LEVELS.index(parent.level) >= LEVELS.index(area.level):
                raise RuntimeError(f"{_DATA_FILE}: bad parent {link.parent} of {area.id}")
    for edge in successions:
        old, new = catalogue.areas.get(edge.predecessor), catalogue.areas.get(edge.successor)
        if old is None or new is None or old.valid_to is None \
                or not old.valid_to + _ONE_DAY == edge.effective == new.valid_from:
            raise RuntimeError(
                f"{_DATA_FILE}: edge {edge.predecessor} -> {edge.successor}: dates do not meet")
    return catalogue


def _area(item: Mapping[str, Any]) -> Area:
    level, unit_type = item["level"], item["type"]
    if level not in LEVELS or unit_type not in get_args(UnitType):
        raise RuntimeError(f"{_DATA_FILE}: bad level or type in {item['id']!r}")
    geometry = item["geometry"]
    return Area(
        id=AreaId(item["id"]),
        code=item["code"],
        code_list=item["code_list"],
        level=level,
        type=unit_type,
        name_vi=item["name_vi"],
        name_en=item["name_en"],
        valid_from=_day(item["valid_from"]),
        valid_to=_day(item["valid_to"]),
        legal_basis=_basis(item["legal_basis"]) if item["legal_basis"] is not None else None,
        parentage=tuple(
            Parentage(AreaId(p["parent"]), _day(p["valid_from"]), _day(p["valid_to"]))
            for p in item["parentage"]
        ),
        geometry=Geometry(**geometry) if geometry is not None else None,
    )


def _succession(item: Mapping[str, Any]) -> Succession:
    if item["kind"] not in get_args(SuccessionKind):
        raise RuntimeError(f"{_DATA_FILE}: bad succession kind {item['kind']!r}")
    effective = _day(item["effective"])
    if effective is None:
        raise RuntimeError(f"{_DATA_FILE}: succession without an effective day")
    return Succession(
        predecessor=AreaId(item["predecessor"]),
        successor=AreaId(item["successor"]),
        kind=item["kind"],
        effective=effective,
        legal_basis=_basis(item["legal_basis"]),
    )


def _basis(item: Mapping[str, Any]) -> LegalBasis:
    return LegalBasis(document=item["document"], date=date.fromisoformat(item["date"]))


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _span(area: Area) -> str:
    start = f"from {area.valid_from.isoformat()}" if area.valid_from is not None else ""
    end = f"until {area.valid_to.isoformat()}" if area.valid_to is not None else ""
    return " ".join(part for part in (start, end) if part) or "always"


def _start(area: Area) -> date:
    return area.valid_from or date.min


def _order(area: Area) -> tuple[int, str]:
    return LEVELS.index(area.level), area.code


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise InvalidSubmission(
            f"period starts after it ends: got {start.isoformat()}..{end.isoformat()}, "
            "want start <= end",
            details={"start": start.isoformat(), "end": end.isoformat()},
        )
