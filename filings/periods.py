"""Reporting periods: which days a figure's period covers, and the day it is reported as of.

A period is written `YYYY` (a year), `YYYY-Hn` (a half, n = 1 or 2), `YYYY-Qn` (a quarter) or
`YYYY-MM` (a month), years 2000-2099. A figure is stored against the unit valid on its period's
last day, its reference date ("as of"): a 2025 figure is by the 40 units in force on
2025-12-31, a 2025-H1 figure by the units of 30 June 2025 (DOMAIN section 1.2: store each value
against the unit valid on its reference date, exactly as reported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Final

from filings.errors import InvalidPeriod

PERIOD_PATTERN: Final = r"^20[0-9]{2}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"
_PERIOD = re.compile(PERIOD_PATTERN)
_MONTHS_PER_PART: Final = {"H": 6, "Q": 3}


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """The days `start` to `end` (both included) that a period's text names."""

    start: date
    end: date
    text: str

    @property
    def as_of(self) -> date:
        """The reference date: the period's last day."""
        return self.end

    def within(self, start: date, end: date) -> bool:
        """Whether the whole period lies between `start` and `end` (bounds included)."""
        return start <= self.start and self.end <= end


def parse_period(text: str) -> Period:
    """The period `text` names; raises `InvalidPeriod` for anything but the four forms."""
    if not isinstance(text, str) or not _PERIOD.match(text):
        raise InvalidPeriod(f"period {str(text)[:20]!r}: want YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM")
    return _period(text)


@lru_cache(maxsize=4096)  # every valid text fits: 100 years of 19 periods
def _period(text: str) -> Period:
    year = int(text[:4])
    if len(text) == 4:
        return Period(date(year, 1, 1), date(year, 12, 31), text)
    part = text[5]
    if part in _MONTHS_PER_PART:
        months = _MONTHS_PER_PART[part]
        first = (int(text[6]) - 1) * months + 1
        return Period(date(year, first, 1), _month_end(year, first + months - 1), text)
    month = int(text[5:7])
    return Period(date(year, month, 1), _month_end(year, month), text)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


VIETNAM_TIME: Final = timezone(timedelta(hours=7), "ICT")
"""Indochina Time, UTC+7 all year (Việt Nam keeps no daylight saving): the calendar that the
periods, plan dates and area validity dates are days of."""


def issued_day(issued_at: int) -> date:
    """The calendar day in Việt Nam of the unix time `issued_at`."""
    return datetime.fromtimestamp(issued_at, VIETNAM_TIME).date()
