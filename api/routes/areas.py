"""Huế's administrative units on a day (`filings.areas`), for clients that file or read figures.

`GET /v1/areas?on=YYYY-MM-DD` lists the areas in force that day (the province or city first,
then by level and code): `{"on", "areas": [{"id", "code", "code_list", "level", "type",
"name_vi", "name_en", "valid_from", "valid_to", "parent"}]}`, `parent` the code of the unit it
belonged to that day (null for the province or city), dates `YYYY-MM-DD` (null: not recorded, or
still in force).

`GET /v1/areas/{code}?on=YYYY-MM-DD` is the one area that `code` names that day, with its
`predecessors` and `successors` (each `{"code", "name_vi", "kind", "effective",
"legal_basis": {"document", "date"}}`); 404 `unknown_area` if the code names no area that day
(`details` then says which areas it named on other days). `on` defaults to today in Việt Nam.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Response

from api.errors import AreaNotFound, InvalidRequest
from api.http.days import OnDay, requested_day
from api.http.deps import LedgerDep, json_response
from api.http.openapi import ERROR_RESPONSES
from filings.areas import Area, AreaCatalogue, load_areas
from filings.errors import UnknownArea

router = APIRouter(tags=["areas"], responses=ERROR_RESPONSES)

def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def area_json(catalogue: AreaCatalogue, area: Area, day: date) -> dict[str, Any]:
    """An area as `GET /v1/areas` lists it, with its parent on `day`."""
    parent = catalogue.parent(area, day)
    return {
        "id": area.id,
        "code": area.code,
        "code_list": area.code_list,
        "level": area.level,
        "type": area.type,
        "name_vi": area.name_vi,
        "name_en": area.name_en,
        "valid_from": _iso(area.valid_from),
        "valid_to": _iso(area.valid_to),
        "parent": None if parent is None else parent.code,
    }


@router.get("/v1/areas", summary="The areas of Huế in force on a day")
def list_areas(ledger: LedgerDep, on: OnDay = None) -> Response:
    day = requested_day(on, ledger.node.clock(), InvalidRequest)
    catalogue = load_areas()
    return json_response({"on": day.isoformat(),
                          "areas": [area_json(catalogue, a, day) for a in catalogue.on(day)]})


@router.get("/v1/areas/{code}", summary="One area on a day, with its predecessors and successors")
def get_area(code: str, ledger: LedgerDep, on: OnDay = None) -> Response:
    day = requested_day(on, ledger.node.clock(), InvalidRequest)
    catalogue = load_areas()
    try:
        area = catalogue.resolve(code, day)
    except UnknownArea as exc:
        raise AreaNotFound(exc.message, details=exc.details) from exc
    return json_response({
        **area_json(catalogue, area, day),
        "on": day.isoformat(),
        "legal_basis": None if area.legal_basis is None else {
            "document": area.legal_basis.document, "date": area.legal_basis.date.isoformat()},
        "predecessors": [catalogue.link(e.predecessor, e) for e in catalogue.predecessors(area)],
        "successors": [catalogue.link(e.successor, e) for e in catalogue.successors(area)],
    })
