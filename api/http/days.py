"""The `on` query parameter of the routes that answer for a day: a calendar date `YYYY-MM-DD`,
today in Việt Nam when it is left out."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Final

from fastapi import Query

from api.errors import ApiError
from filings.periods import VIETNAM_TIME

DAY_PATTERN: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DAY: Final = re.compile(DAY_PATTERN)
DESCRIPTION: Final = "YYYY-MM-DD; default today in Việt Nam"

OnDay = Annotated[str | None, Query(alias="on", pattern=DAY_PATTERN, description=DESCRIPTION)]
"""`on`, its form checked by the framework (a malformed one is a 422 `invalid_request`)."""


def requested_day(text: str | None, clock: float, refusal: type[ApiError]) -> date:
    """The day `text` names, or today in Việt Nam at `clock` when it is None; raises `refusal`
    when `text` is not a calendar date written `YYYY-MM-DD`."""
    if text is None:
        return datetime.fromtimestamp(clock, VIETNAM_TIME).date()
    if _DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise refusal(f"on: {text!r} is not a calendar date YYYY-MM-DD")
