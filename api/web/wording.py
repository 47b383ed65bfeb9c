"""How the pages write dates, times, periods and numbers: dd/mm/yyyy in Vietnamese, yyyy-mm-dd in
English; times in Việt Nam's time (UTC+7), as Vietnamese readers expect them; `2025-H1` as
"6 tháng đầu năm 2025" and "2025 H1"; numbers without trailing zeros, grouped in thousands,
with a comma for the decimal point and a dot between thousands in Vietnamese (12.345,5) and the
other way round in English (12,345.5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from filings.periods import VIETNAM_TIME, Period

_QUARTERS: Final = ("I", "II", "III", "IV")


def vi_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def en_date(day: date) -> str:
    return day.isoformat()


def period_vi(period: Period) -> str:
    """"Năm 2025", "6 tháng đầu năm 2025", "6 tháng cuối năm 2025", "Quý III/2024",
    "Tháng 06/2024"."""
    text = period.text
    year = text[:4]
    if len(text) == 4:
        return f"Năm {year}"
    part = text[5:]
    if part == "H1":
        return f"6 tháng đầu năm {year}"
    if part == "H2":
        return f"6 tháng cuối năm {year}"
    if part.startswith("Q"):
        return f"Quý {_QUARTERS[int(part[1]) - 1]}/{year}"
    return f"Tháng {part}/{year}"


def period_en(period: Period) -> str:
    """"2025", "2025 H1", "2024 Q3", "June 2024"."""
    text = period.text
    if len(text) == 4 or text[5] in "HQ":
        return text.replace("-", " ")
    return period.start.strftime("%B %Y")


def vi_time(seconds: int) -> str:
    """A unix time as "16:46:52 ngày 03/12/2026 (giờ Việt Nam)"."""
    moment = datetime.fromtimestamp(seconds, VIETNAM_TIME)
    return moment.strftime("%H:%M:%S ngày %d/%m/%Y") + " (giờ Việt Nam)"


def en_time(seconds: int) -> str:
    """A unix time as "2026-12-03 16:46:52 Việt Nam time (UTC+7)"."""
    moment = datetime.fromtimestamp(seconds, VIETNAM_TIME)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + " Việt Nam time (UTC+7)"


def number_vi(value: float) -> str:
    return number_en(value).translate(_VI_SEPARATORS)


def number_en(value: float) -> str:
    """Up to six decimals, none trailing: 12,345.5; 31.5; 100."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_VI_SEPARATORS: Final = str.maketrans(",.", ".,")
