"""The indicators computed from the infrastructure records: `GET /v1/indicators/computed?on=`.

For each formula of `filings.computed.FORMULAS` and each area (the city first, then each commune
with a thing taken), the answer gives the value, its numerator and denominator, the ids of the
records it counts (64 hex digits, each verifiable by `GET /v1/records/{id}/proof`), and beside
it the figures operators or the department declared for the same indicator and area in a
period holding the day (`indicator/2` records no record corrects). Of the whole log,
sequenced records included: `tree_size` says how far. `on` is `YYYY-MM-DD`, by default
today in Việt Nam.

```
{"on", "tree_size", "formulas": [{"formula": "bts_shared_ratio@1", "id", "version",
  "indicator", "unit", "label_vi", "label_en", "areas": [{"area", "name_vi", "name_en",
  "value", "numerator", "denominator", "records": [...], "counted": [...],
  "declared": [{"declarant", "name", "period", "value", "unit", "record_id"}]}]}]}
```
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from fastapi import APIRouter, Response

from api.errors import InvalidRequest
from api.http.days import OnDay, requested_day
from api.http.deps import Ledger, LedgerDep, json_response
from api.http.openapi import ERROR_RESPONSES
from api.web.indicator_table import figures_of
from filings.areas import load_areas
from filings.computed import FORMULAS, ComputedFigure, compute
from filings.figures import DEPARTMENT, FiledFigure
from filings.periods import parse_period
from ledger.storage.indicators import standing_indicator_records

router = APIRouter(tags=["indicators"], responses=ERROR_RESPONSES)

def _declared(figures: list[FiledFigure], area: str, day: date, names: dict[str, str],
              registrars: set[str]) -> list[dict[str, Any]]:
    found = []
    for figure in figures:
        period = parse_period(figure.period)
        if figure.area == area and period.start <= day <= period.end:
            name = DEPARTMENT if figure.signer in registrars else names.get(figure.signer,
                                                                             figure.signer)
            found.append({"declarant": figure.signer, "name": name, "period": figure.period,
                          "value": figure.value, "unit": figure.unit,
                          "record_id": figure.record_id})
    return found


def _area_json(figure: ComputedFigure, declared: list[dict[str, Any]]) -> dict[str, Any]:
    area = load_areas().resolve(figure.area, figure.day)
    return {"area": figure.area, "name_vi": area.name_vi, "name_en": area.name_en,
            "value": figure.value, "numerator": figure.numerator,
            "denominator": figure.denominator, "records": [_bare(r) for r in figure.records],
            "counted": [_bare(r) for r in figure.counted], "declared": declared}


def _bare(record_id: str) -> str:
    """A record id as `GET /v1/records/{id}` takes it and the declared figures carry it."""
    return record_id.removeprefix("0x")


def computed_json(ledger: Ledger, day: date) -> dict[str, Any]:
    """The answer of `GET /v1/indicators/computed` for `day` (module doc)."""
    tree_size = ledger.records.sizes().tree_size
    book = ledger.infrastructure
    states = {kind: book.on(day, kind) for kind in ("site", "route", "duct")}
    names = ledger.node.directory.names()
    answer = []
    for formula in FORMULAS.values():
        figures = figures_of(standing_indicator_records(ledger.node.store, tree_size,
                                                        formula.indicator))
        registrars = {f.signer for f in figures if ledger.is_registrar(f.signer)}
        answer.append({
            "formula": formula.key, "id": formula.id, "version": formula.version,
            "indicator": formula.indicator, "unit": formula.unit,
            "label_vi": formula.label_vi, "label_en": formula.label_en,
            "areas": [_area_json(f, _declared(figures, f.area, day, names, registrars))
                      for f in compute(formula, states[formula.kind], day)],
        })
    return {"on": day.isoformat(), "tree_size": tree_size, "formulas": answer}


@router.get("/v1/indicators/computed",
            summary="Indicators computed from the infrastructure records, beside the declared")
async def computed(ledger: LedgerDep, on: OnDay = None) -> Response:
    day = requested_day(on, ledger.node.clock(), InvalidRequest)
    return json_response(await asyncio.to_thread(computed_json, ledger, day))
