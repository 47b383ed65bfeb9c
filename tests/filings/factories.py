"""Signed submissions for the tests: a fixed domain, fixed keys, a builder, and the demo's plan
254 body (the plan every test ledger holds, `tests/server_fixtures.py`)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Final

from api.demo.sample import sample_plans
from filings.plans import plan_subject
from filings.signing import (
    AttachmentRef,
    SubmissionDomain,
    sign_submission,
    signer_address,
    submission_message,
)

DOMAIN: Final = SubmissionDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
KEY: Final = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
OTHER_KEY: Final = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
OPERATOR: Final = signer_address(KEY)
OTHER_OPERATOR: Final = signer_address(OTHER_KEY)
ISSUED_AT: Final = 1_720_000_000
SALT: Final = bytes(range(32))

PHU_VANG: Final = "478"
"""Huyện Phú Vang, a district until 2025-06-30."""
CITY: Final = "46"
INDICATOR_BODY: Final[dict[str, Any]] = {
    "indicator": "bts_shared_ratio", "area": PHU_VANG, "period": "2024-Q3", "value": 31.5,
    "unit": "%",
}
INDICATOR_SUBJECT: Final = "indicator:bts_shared_ratio:478:2024-Q3"

LOC_TIEN: Final = "20152"
"""Xã Lộc Tiến (Phú Lộc), a commune until 2025-06-30."""
PERMIT_BODY: Final[dict[str, Any]] = {
    "number": "125/GP-STTTT",
    "type": "bts_site",
    "location": {"lat": 16.2745, "lon": 107.9312, "commune": LOC_TIEN},
    "valid_from": "2024-01-15",
    "valid_until": "2034-01-14",
    "operators": [OPERATOR, OTHER_OPERATOR],
    "holder": "Viettel Thừa Thiên Huế",
}
PERMIT_SUBJECT: Final = "permit:20152:125/GP-STTTT"

REPORT_BODY: Final[dict[str, Any]] = {
    "period": "2024",
    "title": "Báo cáo hạ tầng viễn thông năm 2024",
    "indicators": [
        {"indicator": "bts_shared_ratio", "area": CITY, "value": 28.4, "unit": "%"},
        {"indicator": "internet_user_ratio", "area": CITY, "value": 91, "unit": "%"},
    ],
}
REPORT_SUBJECT: Final = "report:2024:annual-infrastructure"

ATTACHMENTS: Final[tuple[dict[str, Any], ...]] = (
    {"sha256": "f" * 64, "size": 1024, "name": "phụ lục.pdf", "type": "application/pdf"},
    {"sha256": "0" * 63 + "1", "size": 0, "name": "empty.csv", "type": "text/csv"},
)


def signed(
    kind: str = "indicator",
    schema: str = "indicator/2",
    subject: str = INDICATOR_SUBJECT,
    body: dict[str, Any] | None = None,
    *,
    key: bytes = KEY,
    domain: SubmissionDomain = DOMAIN,
    salt: bytes | None = None,
    attachments: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
    supersedes: str | None = None,
    issued_at: int = ISSUED_AT,
    **overrides: Any,
) -> dict[str, Any]:
    """A submission signed by `key` as a client would build it; `overrides` replace fields
    after signing (to break them)."""
    body = INDICATOR_BODY if body is None else body
    message = submission_message(
        kind=kind, schema=schema, subject=subject, body=body, salt=salt,
        attachments=[AttachmentRef(**item) for item in attachments],
        supersedes=supersedes, issued_at=issued_at,
    )
    submission: dict[str, Any] = {
        "kind": kind,
        "schema": schema,
        "subject": subject,
        "operator": signer_address(key),
        "body": body,
        "attachments": list(attachments),
        "supersedes": supersedes,
        "issued_at": issued_at,
        "signature": sign_submission(key, domain, message),
    }
    if salt is not None:
        submission["salt"] = "0x" + salt.hex()
    submission.update(overrides)
    return submission


def as_json(submission: dict[str, Any]) -> bytes:
    return json.dumps(submission, ensure_ascii=False).encode()


PLAN_254: Final = sample_plans()[0]
"""The body of plan 254/KH-UBND as the demo files it (`api/demo/plans/plan-254-kh-ubnd.json`)."""
PLAN_254_SUBJECT: Final = "plan:2023:254-kh-ubnd"
PLAN_ISSUED_AT: Final = 1_689_840_000
"""2023-07-20: after the plan's date, before any test figure."""


def figure(indicator: str = "bts_shared_ratio", area: str = PHU_VANG, period: str = "2024-Q3",
           value: float = 31.5, *, unit: str = "%", **fields: Any) -> dict[str, Any]:
    """A signed `indicator/2` figure (`fields` go to `signed`: key, domain, issued_at, ...);
    body members beyond these in `extra`."""
    extra = fields.pop("extra", {})
    body = {"indicator": indicator, "area": area, "period": period, "value": value,
            "unit": unit, **extra}
    return signed(subject=f"indicator:{indicator}:{area}:{period}", body=body, **fields)


def plan(body: dict[str, Any] = PLAN_254, **fields: Any) -> dict[str, Any]:
    """A signed `plan/1` submission of `body` (default plan 254), `issued_at` 2023-07-20."""
    document = body["document"]
    subject = plan_subject(document["number"], date.fromisoformat(document["date"]))
    fields.setdefault("issued_at", PLAN_ISSUED_AT)
    return signed("plan", "plan/1", subject, body, **fields)
