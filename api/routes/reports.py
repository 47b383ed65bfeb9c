"""The yearly report to the People's Committee (`filings.yearly_report`, docs/indicators.md):

- `GET /reports/{year}`: the page, in Vietnamese and English at once, with a link to the record
  the report was filed as, when the department filed one;
- `GET /reports/{year}.pdf?lang=vi|en`: the document (Vietnamese by default);
- `GET /reports/{year}.json`: what the department files: the `report/2` subject and body, and
  the SHA-256 of the Vietnamese PDF that is its attachment (`infraledger report --file`).

Each is made at one signed checkpoint: `?size=N` (a checkpoint of that size must exist), by
default the latest anchored one, and only from the records of that checkpoint's tree, so the
same size gives the same document, byte for byte (the operators' names come from the registry
as it is now). 422 `invalid_year` for a year that is not `YYYY` in 2000-2099, 404
`report_not_ready` when there is no such checkpoint (none anchored yet), 404
`no_plan_in_force` when no plan of that tree covers the year.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Final, Literal

import orjson
from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.errors import ApiError
from api.http.deps import CheckpointSize, Ledger, LedgerDep, json_response
from api.routes.records import attachment_list
from api.web.indicator_table import figures_of
from api.web.report_document import (
    FiledReport,
    Language,
    report_body,
    report_html,
    report_pdf,
    report_pdf_name,
)
from filings.areas import load_areas
from filings.computed import ComputedFigure, compute_all
from filings.infrastructure import INFRASTRUCTURE_KINDS, DuctBody, RouteBody, SiteBody
from filings.kinds import REGISTRY
from filings.periods import VIETNAM_TIME
from filings.plans import PlanBook
from filings.yearly_report import (
    FIRST_YEAR,
    LAST_YEAR,
    ReportCheckpoint,
    YearlyReport,
    report_subject,
    yearly_report,
)
from ledger.storage.indicators import standing_indicator_records
from ledger.storage.records import RecordFilter, RecordStore
from ledger.storage.store import LogStore

router = APIRouter(include_in_schema=False)

YEAR: Final = re.compile(r"[0-9]{4}\Z")
REPORTS_KEPT: Final = 8
FILED_NAME: Final = re.compile(r"-checkpoint-([0-9]+)\.pdf\Z")


class InvalidYear(ApiError):
    """The year is not four digits in the years the ledger dates."""

    code = "invalid_year"
    http_status = 422


class ReportNotReady(ApiError):
    """No signed checkpoint of the asked size, or none anchored yet."""

    code = "report_not_ready"
    http_status = 404


class NoPlanInForce(ApiError):
    """No plan of the checkpoint's tree covers the year."""

    code = "no_plan_in_force"
    http_status = 404


def parse_year(text: str) -> int:
    """The year of `text` (`YYYY`, 2000-2099); raises `InvalidYear`."""
    if not YEAR.match(text) or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise InvalidYear(f"year {text[:40]!r}: want four digits, {FIRST_YEAR}-{LAST_YEAR}",
                          details={"first": FIRST_YEAR, "last": LAST_YEAR})
    return int(text)


@dataclass(frozen=True, slots=True)
class _Thing:
    """A site, route or duct as the formulas read it (`filings.computed.InfraVersion`)."""

    record_id: str
    kind: str
    body: SiteBody | RouteBody | DuctBody


def _things_on(records: RecordStore, size: int, day: date) -> list[_Thing]:
    """Each thing's latest public version with `as_of` on or before `day` among the records of
    the tree of `size` leaves (as `api.infrastructure.InfrastructureBook.on`, bounded to a tree:
    public records only, so that every thing the report counts can be verified by its reader)."""
    latest: dict[str, tuple[date, int, _Thing]] = {}
    for kind in INFRASTRUCTURE_KINDS:
        for record in records.of_kind(kind, below=size):
            entry = json.loads(record.data)
            spec = REGISTRY.get(str(entry["schema"]))
            if spec is None or record.body is None or record.restricted:
                continue
            try:
                body = spec.body.model_validate_json(record.body)
            except ValidationError:
                continue  # admitted bodies parse; a reader does not trust that
            if not isinstance(body, SiteBody | RouteBody | DuctBody) or body.as_of > day:
                continue
            held = latest.get(str(entry["subject"]))
            if held is None or (held[0], held[1]) < (body.as_of, record.index):
                latest[str(entry["subject"])] = (body.as_of, record.index, _Thing(
                    "0x" + record.leaf_hash.hex(), kind, body))
    return [thing for _, _, thing in latest.values()]


def _computed(records: RecordStore, size: int, year: int, signed_at: int
              ) -> list[ComputedFigure]:
    """The computed figures of the year's last day, or of the checkpoint's day when the year
    has not ended by then; none when the year had not begun."""
    signed = datetime.fromtimestamp(signed_at, VIETNAM_TIME).date()
    day = min(date(year, 12, 31), signed)
    if day.year != year:
        return []
    return compute_all(_things_on(records, size, day), day)


@lru_cache(maxsize=REPORTS_KEPT)
def _made(store: LogStore, records: RecordStore, year: int, size: int,
          names: tuple[tuple[str, str], ...], plans: PlanBook) -> YearlyReport:
    """The report of `year` at the checkpoint of `size`, made once per year, size, registry
    names and plan book (the book of the whole log: the report reads the plans below `size`)."""
    stored = store.checkpoint(size)
    if stored is None:
        raise ReportNotReady(f"no signed checkpoint of size {size}")
    checkpoint = ReportCheckpoint(store.origin, size, bytes(stored.checkpoint.root).hex(),
                                  stored.created_at)
    book = plans.up_to(size)
    figures = figures_of(standing_indicator_records(store, size))
    return yearly_report(year, checkpoint, book, figures, load_areas(), dict(names),
                         _computed(records, size, year, stored.created_at))


def read_report(ledger: Ledger, year: int, size: int | None) -> YearlyReport:
    """The report of `year` at `size` (None: the latest anchored checkpoint); raises
    `ReportNotReady` or `NoPlanInForce`."""
    if size is None:
        anchor = ledger.anchors.latest()
        if anchor is None:
            raise ReportNotReady("no anchored checkpoint yet: nothing to report on")
        size = anchor.tree_size
    names = tuple(sorted(ledger.node.directory.names().items()))
    report = _made(ledger.node.store, ledger.records, year, size, names,
                   ledger.node.plans.book())
    if not report.plans:
        raise NoPlanInForce(f"no plan of the log at size {size} covers {year}",
                            details={"year": year, "size": size})
    return report


@lru_cache(maxsize=REPORTS_KEPT)
def _pdf(store: LogStore, records: RecordStore, year: int, size: int,
         names: tuple[tuple[str, str], ...], plans: PlanBook, base_url: str,
         language: Language) -> bytes:
    return report_pdf(_made(store, records, year, size, names, plans), base_url, language)


def pdf_of(ledger: Ledger, report: YearlyReport, language: Language) -> bytes:
    """The report's PDF (cached per checkpoint, names, base URL and language)."""
    names = tuple(sorted(ledger.node.directory.names().items()))
    return _pdf(ledger.node.store, ledger.records, report.year, report.checkpoint.size, names,
                ledger.node.plans.book(), ledger.node.settings.public_base_url(),
                language)


def filed_report(ledger: Ledger, year: int) -> FiledReport | None:
    """The latest record of the year's report signed by a registrar, with the checkpoint size
    its PDF's name says it was made at."""
    found = ledger.records.find(RecordFilter(kind="report", subject=report_subject(year),
                                             limit=500))
    for record in reversed(found):
        entry: Mapping[str, Any] = json.loads(record.data)
        if not ledger.is_registrar(str(entry["operator"])):
            continue
        names = [str(item["name"]) for item in _attachments(ledger, entry)]
        sizes = [int(m.group(1)) for name in names if (m := FILED_NAME.search(name))]
        return FiledReport(record.leaf_hash.hex(), sizes[0] if sizes else None)
    return None


def _attachments(ledger: Ledger, entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = orjson.loads(orjson.dumps(
        attachment_list(ledger, str(entry["attachments"]))))
    return listed


Lang = Annotated[Literal["vi", "en"], Query(description="the document's language")]


@router.get("/reports/{year}.pdf")
async def report_document(year: str, ledger: LedgerDep, size: CheckpointSize = None,
                          lang: Lang = "vi") -> Response:
    """The yearly report as a PDF, made at one checkpoint."""
    number = parse_year(year)
    report = await asyncio.to_thread(read_report, ledger, number, size)
    data = await asyncio.to_thread(pdf_of, ledger, report, lang)
    name = report_pdf_name(report, lang)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/reports/{year}.json")
async def report_filing(year: str, ledger: LedgerDep, size: CheckpointSize = None) -> Response:
    """What the department files for the year: subject, body and the Vietnamese PDF's hash."""
    number = parse_year(year)
    report = await asyncio.to_thread(read_report, ledger, number, size)
    data = await asyncio.to_thread(pdf_of, ledger, report, "vi")
    point = report.checkpoint
    return json_response({
        "year": number,
        "checkpoint": {"origin": point.origin, "size": point.size, "root": "0x" + point.root,
                       "signed_at": point.signed_at},
        "pdf": {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                "name": report_pdf_name(report, "vi"), "type": "application/pdf",
                "url": f"/reports/{number}.pdf?size={point.size}"},
        "filing": {"kind": "report", "schema": "report/2", "subject": report_subject(number),
                   "body": report_body(report)},
    })


@router.get("/reports/{year}", response_class=HTMLResponse)
async def report_page(year: str, ledger: LedgerDep, size: CheckpointSize = None) -> HTMLResponse:
    """The yearly report as a page, made at one checkpoint."""
    number = parse_year(year)
    report = await asyncio.to_thread(read_report, ledger, number, size)
    filed = await asyncio.to_thread(filed_report, ledger, number)
    html = report_html(report, ledger.node.settings.public_base_url(), filed)
    return HTMLResponse(html)
