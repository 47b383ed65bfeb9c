"""The one Jinja environment of the pages and the yearly report (`templates/`): autoescaped,
strict, with the catalogue's words (`page_text`) and the filters that write dates, periods,
numbers and amounts as each language does (`api.web.wording`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.web import wording

STATIC_PATH: Final = "/static"
"""Where the pages' scripts, styles and fonts are served."""

FILTERS: Final = ("vi_date", "en_date", "vi_time", "en_time", "period_vi", "period_en",
                  "number_vi", "number_en", "amount_vi", "amount_en")


@lru_cache(maxsize=1)
def environment() -> Environment:
    made = Environment(
        loader=PackageLoader("api.web", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    for name in FILTERS:
        made.filters[name] = getattr(wording, name)
    made.globals["static"] = lambda name: f"{STATIC_PATH}/{name}"
    made.globals["page_text"] = wording.page_text
    return made
