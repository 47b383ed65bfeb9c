"""The plans in the log (`filings.plans`): every version of every plan, with its targets.

`GET /v1/plans` → `{"plans": [{"record_id", "index", "subject", "signer", "issued_at",
"supersedes", "superseded_by", "current", "document", "period", "sections", "targets",
"goals"}]}`, in log order; `current` is true for the latest version of each plan subject (the
versions that judge a figure filed now), `record_id` is the plan record a figure's target comes
from (`GET /v1/indicators/{code}`), and proves with `GET /v1/records/{id}/proof`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response

from api.http.deps import LedgerDep, json_response
from api.http.openapi import ERROR_RESPONSES
from filings.plans import FiledPlan, PlanBook

router = APIRouter(tags=["plans"], responses=ERROR_RESPONSES)


def plan_json(book: PlanBook, plan: FiledPlan) -> dict[str, Any]:
    """One plan version as `GET /v1/plans` lists it."""
    later = book.superseded_by(plan)
    return {
        "record_id": plan.record_id,
        "index": plan.index,
        "subject": plan.subject,
        "signer": plan.signer,
        "issued_at": plan.issued_at,
        "supersedes": plan.supersedes,
        "superseded_by": None if later is None else later.record_id,
        "current": later is None,
        **plan.body.model_dump(mode="json"),
    }


@router.get("/v1/plans", summary="Every plan in the log, every version, with its targets")
async def list_plans(ledger: LedgerDep) -> Response:
    book = await asyncio.to_thread(ledger.node.plans.book)
    return json_response({"plans": [plan_json(book, plan) for plan in book.plans]})
