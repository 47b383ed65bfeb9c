"""Whether a record the ledger holds is the one a draft would be (`client.duplicates`): the
same kind, schema, subject, operator, issued_at, supersedes and content commitment (with the
draft's salt, or for a salt drawn at random the one a receipt kept), and the same files once
the evidence documents are left out; anything else is another record."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest

from client.duplicates import DraftRecord, same_attachments, same_entry
from filings.signing import EVIDENCE_TYPE, AttachmentRef, canonical_body, content_commitment
from tests.filings.factories import ISSUED_AT, REPORT_BODY
from tests.server_fixtures import SAMPLE

BODY = canonical_body(REPORT_BODY)
SALT = bytes(range(32))
SCAN = AttachmentRef(hashlib.sha256(b"scan").hexdigest(), 4, "scan.pdf", "application/pdf")
SITES = AttachmentRef(hashlib.sha256(b"sites").hexdigest(), 5, "sites.csv", "text/csv")
EVIDENCE = {"sha256": hashlib.sha256(b"evidence").hexdigest(), "size": 8,
            "name": "evidence.json", "type": EVIDENCE_TYPE}
DRAFT = DraftRecord(kind="report", schema="report/2", subject="report:2024:annual",
                    operator=SAMPLE.active.address, issued_at=ISSUED_AT, supersedes=None,
                    body=BODY, salt=None, salt_drawn=False, attachments=(SITES, SCAN))


def _entry(draft: DraftRecord, salt: bytes | None = None, **changed: Any) -> dict[str, Any]:
    """The entry `draft` files with `salt`, `changed` in its fields."""
    entry = {"v": 1, "kind": draft.kind, "schema": draft.schema, "subject": draft.subject,
             "operator": draft.operator,
             "content": "0x" + content_commitment(draft.body, salt).hex(),
             "attachments": "0x" + "ab" * 32, "supersedes": draft.supersedes,
             "issued_at": draft.issued_at, "signature": None}
    return {**entry, **changed}


def test_the_entry_of_the_same_draft_matches() -> None:
    assert same_entry(DRAFT, _entry(DRAFT))
    corrects = dataclasses.replace(DRAFT, supersedes="0x" + "cd" * 32)
    assert same_entry(corrects, _entry(corrects))


@pytest.mark.parametrize(("field", "value"), [
    ("kind", "permit"), ("schema", "report/3"), ("subject", "report:2024:other"),
    ("operator", SAMPLE.other.address), ("issued_at", ISSUED_AT + 1),
    ("supersedes", "0x" + "cd" * 32),
    ("content", "0x" + content_commitment(canonical_body({**REPORT_BODY, "title": "khác"}),
                                          None).hex()),
])
def test_an_entry_that_differs_in_one_field_is_another_record(field: str, value: Any) -> None:
    assert not same_entry(DRAFT, _entry(DRAFT, **{field: value}))


def test_a_restricted_draft_matches_with_its_own_salt_only() -> None:
    restricted = dataclasses.replace(DRAFT, salt=SALT)
    assert same_entry(restricted, _entry(restricted, SALT))
    assert not same_entry(restricted, _entry(restricted, bytes(32)))
    assert not same_entry(restricted, _entry(restricted))
    assert not same_entry(DRAFT, _entry(DRAFT, SALT))


def test_a_salt_drawn_at_random_matches_with_the_salt_a_receipt_kept() -> None:
    drawn = dataclasses.replace(DRAFT, salt_drawn=True)
    filed = _entry(drawn, SALT)
    assert same_entry(drawn, filed, SALT)
    assert not same_entry(drawn, filed), "no receipt: nothing to compare the content with"
    assert not same_entry(drawn, filed, bytes(32))
    assert not same_entry(drawn, _entry(drawn), SALT)


def test_the_attachments_match_less_their_evidence_documents_in_any_order() -> None:
    assert same_attachments(DRAFT, [SCAN.to_json(), EVIDENCE, SITES.to_json()])
    assert same_attachments(DRAFT, [SITES.to_json(), SCAN.to_json()])
    bare = dataclasses.replace(DRAFT, attachments=())
    assert same_attachments(bare, [EVIDENCE]) and same_attachments(bare, [])


@pytest.mark.parametrize("listed", [
    [SCAN.to_json()],
    [SCAN.to_json(), SITES.to_json(), {**EVIDENCE, "type": "application/json"}],
    [SCAN.to_json(), {**SITES.to_json(), "sha256": hashlib.sha256(b"other").hexdigest()}],
    [SCAN.to_json(), {**SITES.to_json(), "size": 6}],
    [SCAN.to_json(), {**SITES.to_json(), "name": "sites-2.csv"}],
    [SCAN.to_json(), {**SITES.to_json(), "type": "text/plain"}],
    [SCAN.to_json(), "sites.csv"],
], ids=["a file fewer", "a file more", "other bytes", "other size", "other name", "other type",
        "not an attachment"])
def test_other_files_are_another_record(listed: list[Any]) -> None:
    assert not same_attachments(DRAFT, listed)
