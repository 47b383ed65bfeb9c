"""Admission against a ledger state held in memory: who may sign what, the clock, the plan that
judges a figure, corrections and attachments. (`tests/api/test_admission_http.py` runs the same
rules through the server, on SQLite and PostgreSQL.)"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from filings.admission import (
    CLOCK_TOLERANCE,
    FiledRecord,
    StoredFile,
    Verdict,
    admit,
    prepare_all,
)
from filings.bindings import binding_subject
from filings.errors import FilingError
from filings.plans import FiledPlan, PlanBook, filed_plan
from filings.signing import signer_address
from filings.submission import PreparedSubmission, prepare
from tests.filings.factories import (
    ATTACHMENTS,
    CITY,
    DOMAIN,
    ISSUED_AT,
    KEY,
    OTHER_KEY,
    REPORT_BODY,
    REPORT_SUBJECT,
    as_json,
    figure,
    plan,
    signed,
)

REGISTRAR_KEY = bytes.fromhex("7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6")
NOW = ISSUED_AT + 86_400
LATER = 1_930_000_000
"""2031-02-28."""


@dataclass
class MemoryLedger:
    """A `LedgerState` over plain collections: what a test puts in is what the rules see."""

    active: set[str] = field(default_factory=lambda: {signer_address(KEY),
                                                      signer_address(OTHER_KEY)})
    registrars: set[str] = field(default_factory=lambda: {signer_address(REGISTRAR_KEY)})
    records: dict[bytes, FiledRecord] = field(default_factory=dict)
    files: dict[bytes, StoredFile] = field(default_factory=dict)
    plans: list[FiledPlan] = field(default_factory=list)
    clock: float = NOW

    def is_active(self, operator: str) -> bool:
        return operator in self.active

    def is_registrar(self, address: str) -> bool:
        return address in self.registrars

    def filed_records(self, records: Iterable[bytes]) -> Mapping[bytes, FiledRecord]:
        return {r: self.records[r] for r in records if r in self.records}

    def stored_files(self, digests: Iterable[bytes]) -> Mapping[bytes, StoredFile]:
        return {d: self.files[d] for d in digests if d in self.files}

    def plan_book(self) -> PlanBook:
        return PlanBook(self.plans)

    def now(self) -> float:
        return self.clock

    def log(self, item: PreparedSubmission) -> PreparedSubmission:
        """Add an admitted item as the log would hold it."""
        entry = item.entry
        if entry.supersedes is not None:
            older = bytes.fromhex(entry.supersedes[2:])
            self.records[older] = replace(self.records[older],
                                          superseded_by=bytes(item.leaf_hash))
        self.records[bytes(item.leaf_hash)] = FiledRecord(entry.kind, entry.schema,
                                                          entry.subject, entry.operator, None)
        if entry.kind == "plan":
            self.plans.append(filed_plan(len(self.records), item.record_id,
                                         json.loads(item.leaf_data), item.body_bytes))
        return item


def prepared(submission: dict[str, Any]) -> PreparedSubmission:
    return prepare(as_json(submission), DOMAIN)


def verdicts(state: MemoryLedger, *submissions: dict[str, Any]) -> list[Verdict]:
    return admit(prepare_all(DOMAIN, [as_json(s) for s in submissions]), state)


def refusal(state: MemoryLedger, submission: dict[str, Any]) -> FilingError:
    (verdict,) = verdicts(state, submission)
    assert isinstance(verdict, FilingError), "admitted"
    return verdict


def admitted(state: MemoryLedger, submission: dict[str, Any]) -> PreparedSubmission:
    (verdict,) = verdicts(state, submission)
    assert isinstance(verdict, PreparedSubmission), verdict
    return verdict


@pytest.fixture
def ledger() -> MemoryLedger:
    state = MemoryLedger()
    state.log(admitted(state, plan(key=REGISTRAR_KEY)))
    return state


# --- who may sign what -------------------------------------------------------------------------


def test_only_a_registrar_files_a_plan() -> None:
    state = MemoryLedger()
    error = refusal(state, plan(key=KEY))
    assert error.code == "not_registrar"
    admitted(state, plan(key=REGISTRAR_KEY))


def test_an_operator_filing_its_own_binding_is_refused() -> None:
    state = MemoryLedger()
    operator = signer_address(KEY)
    body = {"operator": operator, "organisation": "VNPT Thừa Thiên Huế",
            "tax_code": "3301001235", "fingerprints": []}
    own = signed("binding", "binding/1", binding_subject(operator), body, key=KEY)
    error = refusal(state, own)
    assert error.code == "not_registrar"
    admitted(state, signed("binding", "binding/1", binding_subject(operator), body,
                           key=REGISTRAR_KEY))


def test_a_figure_is_an_operators_or_the_registrars(ledger: MemoryLedger) -> None:
    admitted(ledger, figure(key=KEY))
    admitted(ledger, figure(key=REGISTRAR_KEY))
    ledger.active.discard(signer_address(KEY))
    error = refusal(ledger, figure(key=KEY))
    assert error.code == "inactive_operator" and "nor a registrar" in error.message


def test_a_report_is_an_operators_or_the_registrars(ledger: MemoryLedger) -> None:
    admitted(ledger, signed("report", "report/2", REPORT_SUBJECT, REPORT_BODY,
                            key=REGISTRAR_KEY))
    ledger.active.discard(signer_address(KEY))
    error = refusal(ledger, signed("report", "report/2", REPORT_SUBJECT, REPORT_BODY, key=KEY))
    assert error.code == "inactive_operator" and "nor a registrar" in error.message


# --- the clock --------------------------------------------------------------------------------


def test_issued_at_may_run_ahead_of_the_server_by_the_tolerance(ledger: MemoryLedger) -> None:
    ledger.clock = ISSUED_AT - CLOCK_TOLERANCE
    admitted(ledger, figure())
    ledger.clock = ISSUED_AT - CLOCK_TOLERANCE - 1
    error = refusal(ledger, figure())
    assert error.code == "issued_in_future"
    assert error.details == {"issued_at": ISSUED_AT, "server_time": ISSUED_AT - 301,
                             "tolerance": 300}


def test_a_figure_of_2100_is_in_the_future(ledger: MemoryLedger) -> None:
    late = figure(period="2100", issued_at=4_102_444_800 + 86_400)
    assert refusal(ledger, late).code == "schema_violation"  # periods end with 2099
    assert refusal(ledger, figure(area=CITY, period="2099", issued_at=4_102_358_400)).code == \
        "issued_in_future"


# --- the plan that judges a figure ------------------------------------------------------------


@pytest.mark.parametrize(("submission", "code"), [
    (figure(area=CITY, period="2026", issued_at=LATER), "no_target"),
    (figure(area=CITY, period="2031", issued_at=LATER), "no_target"),
    (figure(indicator="fifth_generation_ratio"), "no_target"),
    (figure(unit="count", value=31), "unit_mismatch"),
    (figure(indicator="internet_user_ratio"), "area_level_not_reported"),
    (figure(indicator="internet_user_ratio", area="19753", period="2024"),
     "area_level_not_reported"),
    (figure(period="2022", issued_at=1_670_000_000), "no_target"),
])
def test_figures_the_plans_do_not_judge_are_refused(ledger: MemoryLedger,
                                                    submission: dict[str, Any],
                                                    code: str) -> None:
    ledger.clock = LATER
    assert refusal(ledger, submission).code == code


def test_the_refusal_says_which_plans_name_the_indicator(ledger: MemoryLedger) -> None:
    ledger.clock = LATER
    late = refusal(ledger, figure(area=CITY, period="2026", issued_at=LATER))
    assert late.details["plans"] == [{"plan": "254/KH-UBND", "record_id": ledger.plans[0].record_id,
                                      "start": "2023-01-01", "end": "2025-12-31"}]
    unknown = refusal(ledger, figure(indicator="fifth_generation_ratio"))
    assert unknown.details["plans"] == [] and "no plan names" in unknown.message


def test_a_figure_signed_before_its_plan_starts(ledger: MemoryLedger) -> None:
    """A 2023-Q1 figure may not be signed in 2022 (its period check comes first when the
    period starts later than the plan)."""
    early = figure(period="2023-01", issued_at=1_672_531_200 - 3600 * 8)  # 2022-12-31 in VN
    assert refusal(ledger, early).code == "issued_before_period"


def test_a_plan_of_another_start(ledger: MemoryLedger) -> None:
    body = json.loads(json.dumps(ledger.plans[0].body.model_dump(mode="json")))
    body["period"]["start"] = "2023-07-01"
    corrected = plan(body, key=REGISTRAR_KEY, supersedes=ledger.plans[0].record_id,
                     issued_at=ISSUED_AT - 100)
    ledger.log(admitted(ledger, corrected))
    figure_2023 = figure(period="2023-H2", issued_at=1_688_000_000)  # 2023-06-29
    assert refusal(ledger, figure_2023).code == "issued_before_period"
    early = figure(period="2023", issued_at=1_680_000_000)  # 2023-03-28: in 2023, before July
    assert refusal(ledger, early).code == "issued_before_plan"


def test_a_plan_is_filed_once_and_corrected_after(ledger: MemoryLedger) -> None:
    again = refusal(ledger, plan(key=REGISTRAR_KEY, issued_at=ISSUED_AT))
    assert again.code == "plan_already_filed"
    assert again.details == {"record_id": ledger.plans[0].record_id}
    admitted(ledger, plan(key=REGISTRAR_KEY, issued_at=ISSUED_AT,
                          supersedes=ledger.plans[0].record_id))


# --- corrections -----------------------------------------------------------------------------


def test_corrections(ledger: MemoryLedger) -> None:
    original = ledger.log(admitted(ledger, figure()))
    same = figure(value=30.0, supersedes=original.record_id, issued_at=ISSUED_AT + 5)
    other_operator = figure(value=30.0, key=OTHER_KEY, supersedes=original.record_id)
    other_subject = figure(period="2024-Q2", supersedes=original.record_id)
    other_kind = signed("report", "report/2", REPORT_SUBJECT, REPORT_BODY,
                        supersedes=original.record_id)
    unknown = figure(supersedes="ab" * 32)
    assert refusal(ledger, other_operator).code == "not_your_record"
    assert refusal(ledger, other_subject).code == "correction_mismatch"
    mismatch = refusal(ledger, other_kind)
    assert mismatch.code == "correction_mismatch"
    assert mismatch.details == {"kind": "indicator", "schema": "indicator/2",
                                "subject": original.entry.subject}
    assert refusal(ledger, unknown).code == "unknown_record"
    first, second = verdicts(ledger, same, figure(value=29.0, supersedes=original.record_id,
                                                  issued_at=ISSUED_AT + 6))
    assert isinstance(first, PreparedSubmission)
    assert isinstance(second, FilingError) and second.code == "already_superseded"
    ledger.log(first)
    later = refusal(ledger, figure(value=28.0, supersedes=original.record_id,
                                   issued_at=ISSUED_AT + 7))
    assert later.code == "already_superseded"
    assert later.details == {"superseded_by": first.record_id}
    admitted(ledger, figure(value=28.0, supersedes=first.record_id, issued_at=ISSUED_AT + 7))


# --- attachments -------------------------------------------------------------------------------


def test_attachments_must_be_uploaded_with_their_listed_size_and_type(
        ledger: MemoryLedger) -> None:
    report = signed("report", "report/2", REPORT_SUBJECT, REPORT_BODY,
                    attachments=list(ATTACHMENTS))
    assert refusal(ledger, report).code == "missing_attachment"
    pdf, csv = (bytes.fromhex(item["sha256"]) for item in ATTACHMENTS)
    ledger.files[pdf] = StoredFile(1024, "application/pdf")
    ledger.files[csv] = StoredFile(1, "text/csv")
    mismatch = refusal(ledger, report)
    assert mismatch.code == "attachment_mismatch"
    assert mismatch.details["stored"] == {"size": 1, "type": "text/csv"}
    ledger.files[csv] = StoredFile(0, "text/plain")
    assert refusal(ledger, report).code == "attachment_mismatch"
    ledger.files[csv] = StoredFile(0, "text/csv")
    admitted(ledger, report)


def test_a_retry_of_a_plan_or_a_correction_is_no_refusal(ledger: MemoryLedger) -> None:
    """Sent again exactly, they pass admission, and the sequencer answers "duplicate"."""
    admitted(ledger, plan(key=REGISTRAR_KEY))
    original = ledger.log(admitted(ledger, figure()))
    correction = figure(value=30.0, supersedes=original.record_id, issued_at=ISSUED_AT + 5)
    ledger.log(admitted(ledger, correction))
    admitted(ledger, correction)
