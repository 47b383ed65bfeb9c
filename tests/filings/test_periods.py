"""Reporting periods: the four forms, their days, and the reference date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filings.errors import InvalidPeriod
from filings.periods import parse_period


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2024", date(2024, 1, 1), date(2024, 12, 31)),
    ("2025-H1", date(2025, 1, 1), date(2025, 6, 30)),
    ("2025-H2", date(2025, 7, 1), date(2025, 12, 31)),
    ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31)),
    ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
    ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
])
def test_a_period_names_its_days(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.as_of, period.text) == (start, end, end, text)
    assert period.within(start, end) and not period.within(start + timedelta(days=1), end)


@pytest.mark.parametrize("text", ["1999", "2100", "2024-H3", "2024-Q5", "2024-13", "2024-00",
                                  "2024-1", "24", "2024 ", "2024-h1", ""])
def test_other_texts_are_refused(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="want YYYY"):
        parse_period(text)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_lies_in_its_month_quarter_half_and_year(day: date) -> None:
    texts = [f"{day.year}", f"{day.year}-H{(day.month - 1) // 6 + 1}",
             f"{day.year}-Q{(day.month - 1) // 3 + 1}", f"{day.year}-{day.month:02d}"]
    periods = [parse_period(text) for text in texts]
    assert all(p.start <= day <= p.end for p in periods)
    assert [p.end - p.start for p in periods] == sorted(
        (p.end - p.start for p in periods), reverse=True)
