"""One indicator's history: `GET /v1/indicators/{code}`, by area and declarant, each value with
the target it is judged against and the plan record that target comes from (`filings.figures`
states the rule; the home page shows the same).

The answer is of the anchored log (as the page): `{"indicator", "anchored_size", "target",
"periods", "series": [{"key", "level", "areas": [...], "figures": [...]}]}`. A figure is
`{"period", "reference_date", "area", "value", "source", "met", "target", "computed",
"compiled", "operators", "flags"}`: `value` the area's figure (null: no data, never 0), `source`
`compiled` (the department's), `computed` (by the target's formula) or null; `computed` says
the formula, its value or the reason it has none; `compiled` and each of `operators` is a
declared figure `{"declarant", "name", "compiled", "value", "unit", "numerator",
"denominator", "record_id", "index", "issued_at", "met", "target"}`; a `target` is `{"value",
"direction", "unit", "deadline", "levels", "formula", "plan", "plan_record"}` or null. 404
`unknown_indicator` when no anchored plan names the code.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any, Final

import orjson
from fastapi import APIRouter, Response

from api.errors import IndicatorNotFound
from api.http.deps import Ledger, LedgerDep
from api.http.openapi import ERROR_RESPONSES
from api.web.indicator_table import figures_of
from filings.areas import Area, load_areas
from filings.figures import (
    DEPARTMENT,
    AreaFigure,
    Declared,
    Judgement,
    Series,
    indicator_history,
)
from filings.plans import JudgingTarget, PlanBook
from ledger.storage.indicators import standing_indicator_records
from ledger.storage.store import LogStore

router = APIRouter(tags=["indicators"], responses=ERROR_RESPONSES)


def target_json(judged: JudgingTarget | None) -> dict[str, Any] | None:
    if judged is None:
        return None
    target = judged.target
    return {"value": target.value, "direction": target.direction, "unit": target.unit,
            "deadline": target.deadline.isoformat(), "levels": list(target.levels),
            "formula": target.formula, "plan": judged.plan.number,
            "plan_record": judged.plan.record_id}


def _judged(judgement: Judgement) -> dict[str, Any] | None:
    return target_json(judgement.target)


def declared_json(declared: Declared, names: dict[str, str]) -> dict[str, Any]:
    figure = declared.figure
    name = DEPARTMENT if declared.compiled else names.get(figure.signer, figure.signer)
    return {"declarant": figure.signer, "name": name,
            "compiled": declared.compiled, "value": figure.value, "unit": figure.unit,
            "numerator": figure.numerator, "denominator": figure.denominator,
            "record_id": figure.record_id, "index": figure.index,
            "issued_at": figure.issued_at, "met": declared.met,
            "target": _judged(declared.judgement)}


def cell_json(cell: AreaFigure, names: dict[str, str]) -> dict[str, Any]:
    computed = cell.aggregate
    return {
        "period": cell.period.text, "reference_date": cell.period.as_of.isoformat(),
        "area": cell.area.code, "value": cell.value, "source": cell.source, "met": cell.met,
        "target": _judged(cell.judgement),
        "computed": {"formula": computed.formula, "value": computed.value,
                     "inputs": computed.inputs, "reason_vi": computed.reason_vi,
                     "reason_en": computed.reason_en, "target": _judged(computed.judgement)},
        "compiled": None if cell.compiled is None else declared_json(cell.compiled, names),
        "operators": [declared_json(d, names) for d in cell.operators],
        "flags": [{"code": f.code, "message_vi": f.message_vi, "message_en": f.message_en,
                   "sub_areas": list(f.sub_areas), "low": f.low, "high": f.high}
                  for f in cell.flags],
    }


def _area(area: Area) -> dict[str, Any]:
    return {"id": area.id, "code": area.code, "level": area.level, "name_vi": area.name_vi,
            "name_en": area.name_en,
            "valid_from": None if area.valid_from is None else area.valid_from.isoformat(),
            "valid_to": None if area.valid_to is None else area.valid_to.isoformat()}


def series_json(series: Series, names: dict[str, str]) -> dict[str, Any]:
    cells = sorted(series.cells.values(), key=lambda c: (c.period.end, c.period.start))
    return {"key": series.key, "level": series.level, "areas": [_area(a) for a in series.areas],
            "figures": [cell_json(cell, names) for cell in cells]}


HISTORIES_KEPT: Final = 8
"""Indicator histories kept in memory, each for one anchored size (a history of 12,500 figures
is about 10 MB of JSON)."""


def _history(ledger: Ledger, code: str) -> bytes:
    node = ledger.node
    anchored = ledger.records.sizes().anchored_size
    names = tuple(sorted(node.directory.names().items()))
    return _history_json(node.store, node.plans.book(), anchored, names, code)


@lru_cache(maxsize=HISTORIES_KEPT)
def _history_json(store: LogStore, book: PlanBook, anchored: int,
                  names: tuple[tuple[str, str], ...], code: str) -> bytes:
    """The answer for `code` at one anchored size (it changes only when an anchor lands, a plan
    is filed or the registry changes)."""
    book = book.up_to(anchored)
    if not book.plans_with(code):
        raise IndicatorNotFound(f"no anchored plan names indicator {code[:80]!r}",
                                details={"indicator": code[:80]})
    named = dict(names)
    figures = figures_of(standing_indicator_records(store, anchored, code))
    history = indicator_history(code, figures, book, load_areas(), named)
    return orjson.dumps({"indicator": code, "anchored_size": anchored,
                         "target": target_json(history.latest),
                         "periods": [period.text for period in history.periods],
                         "series": [series_json(series, named) for series in history.series]})


@router.get("/v1/indicators/{code}",
            summary="An indicator's history by area and declarant, with its targets")
async def indicator(code: str, ledger: LedgerDep) -> Response:
    return Response(await asyncio.to_thread(_history, ledger, code),
                    media_type="application/json")
