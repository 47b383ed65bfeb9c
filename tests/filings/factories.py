"""Signed submissions for the API tests: a fixed domain, fixed keys and a builder."""

from __future__ import annotations

import json
from typing import Any, Final

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

INDICATOR_BODY: Final[dict[str, Any]] = {
    "indicator": "bts_shared_ratio", "area": "phu_vang", "period": "2024-Q3", "value": 31.5,
    "unit": "%",
}
INDICATOR_SUBJECT: Final = "indicator:bts_shared_ratio:phu_vang:2024-Q3"

PERMIT_BODY: Final[dict[str, Any]] = {
    "number": "125/GP-STTTT",
    "type": "bts_site",
    "location": {"lat": 16.2745, "lon": 107.9312, "commune": "Lộc Tiến", "district": "phu_loc"},
    "valid_from": "2024-01-15",
    "valid_until": "2034-01-14",
    "operators": [OPERATOR, OTHER_OPERATOR],
    "holder": "Viettel Thừa Thiên Huế",
}
PERMIT_SUBJECT: Final = "permit:phu_loc:125/GP-STTTT"

REPORT_BODY: Final[dict[str, Any]] = {
    "period": "2024",
    "title": "Báo cáo hạ tầng viễn thông năm 2024",
    "indicators": [
        {"indicator": "bts_shared_ratio", "area": "tthue", "value": 28.4},
        {"indicator": "internet_user_ratio", "area": "tthue", "value": 91, "unit": "%"},
    ],
}
REPORT_SUBJECT: Final = "report:2024:annual-infrastructure"

ATTACHMENTS: Final[tuple[dict[str, Any], ...]] = (
    {"sha256": "f" * 64, "size": 1024, "name": "phụ lục.pdf", "type": "application/pdf"},
    {"sha256": "0" * 63 + "1", "size": 0, "name": "empty.csv", "type": "text/csv"},
)


def signed(
    kind: str = "indicator",
    schema: str = "indicator/1",
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
