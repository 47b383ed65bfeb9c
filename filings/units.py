"""The units a figure or a target may be in, each with the bounds of a sensible value.

| code                  | what it counts                              | bounds          | whole |
|-----------------------|---------------------------------------------|-----------------|-------|
| `%`                   | a share                                     | 0 to 100        | no    |
| `count`               | things: sites, stations, households, ...    | 0 to 10,000,000 | yes   |
| `Mb/s`                | a speed                                     | 0 to 100,000    | no    |
| `per 100 inhabitants` | subscriptions per 100 people (may pass 100) | 0 to 1,000      | no    |
| `account/person`      | accounts per inhabitant, on average         | 0 to 100        | no    |

The bounds catch a mistyped figure (a speed of 9e9 Mb/s, a share of 250 %), not an implausible
one; Huế has about 1.24 million inhabitants, so ten million of a thing is far past any count
the plans ask for. A `count` is whole (`12`, or `12.0` as JSON writes it); the others take
decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from filings.errors import UnknownUnit, ValueOutOfRange

PERCENT: Final = "%"
COUNT: Final = "count"


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: its code as bodies write it, its names, and the values it allows."""

    code: str
    name_vi: str
    name_en: str
    minimum: float
    maximum: float
    whole: bool

    def check(self, value: float, where: str = "value") -> None:
        """Raise `ValueOutOfRange` unless `minimum <= value <= maximum` (and whole if the unit
        counts things)."""
        if not self.minimum <= value <= self.maximum:
            raise ValueOutOfRange(
                f"{where}: got {value:g}, want {self.minimum:g}..{self.maximum:g} {self.code}",
                details={"unit": self.code, "minimum": self.minimum, "maximum": self.maximum},
            )
        if self.whole and not float(value).is_integer():
            raise ValueOutOfRange(f"{where}: got {value:g}, want a whole number of {self.code}",
                                  details={"unit": self.code})


UNITS: Final[Mapping[str, Unit]] = MappingProxyType({unit.code: unit for unit in (
    Unit(PERCENT, "phần trăm", "per cent", 0, 100, whole=False),
    Unit(COUNT, "số lượng", "count", 0, 10_000_000, whole=True),
    Unit("Mb/s", "megabit mỗi giây", "megabits per second", 0, 100_000, whole=False),
    Unit("per 100 inhabitants", "trên 100 dân", "per 100 inhabitants", 0, 1_000, whole=False),
    Unit("account/person", "tài khoản mỗi người dân", "accounts per inhabitant", 0, 100,
         whole=False),
)})
"""Every unit, by code."""


def unit(code: str, where: str = "unit") -> Unit:
    """The unit written `code`; raises `UnknownUnit`."""
    found = UNITS.get(code)
    if found is None:
        raise UnknownUnit(
            f"{where}: got {code[:40]!r}, want one of " + ", ".join(repr(u) for u in UNITS),
            details={"accepted": list(UNITS)},
        )
    return found
