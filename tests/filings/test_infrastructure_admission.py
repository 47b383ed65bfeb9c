"""Admission of sites, routes, ducts and rooftop sites' owners against a ledger state in
memory: tenants, owners, first and later versions, an owner record for a site in the log.
(`tests/api/test_infrastructure_http.py` runs them through the server on SQLite and
PostgreSQL.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from filings.admission import SubjectHead, admit, prepare_all
from filings.errors import FilingError
from filings.signing import signer_address
from filings.submission import PreparedSubmission
from tests.filings.factories import DOMAIN, OTHER_KEY, SALT, as_json
from tests.filings.infra_factories import ISSUED, thing
from tests.filings.test_admission import MemoryLedger

STRANGER_KEY = bytes.fromhex("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")


@dataclass
class InfraLedger(MemoryLedger):
    """`MemoryLedger` that also knows the heads of the subjects it logged."""

    heads: dict[str, SubjectHead] = field(default_factory=dict)
    clock: float = ISSUED + 86_400

    def infrastructure_heads(self, subjects: Iterable[str]) -> Mapping[str, SubjectHead]:
        return {s: self.heads[s] for s in subjects if s in self.heads}

    def log(self, item: PreparedSubmission) -> PreparedSubmission:
        super().log(item)
        entry, leaf = item.entry, bytes(item.leaf_hash)
        head = self.heads.get(entry.subject)
        self.heads[entry.subject] = (SubjectHead(entry.operator, leaf, leaf) if head is None
                                     else SubjectHead(head.owner, head.first, leaf))
        return item


@pytest.fixture
def ledger() -> InfraLedger:
    return InfraLedger()


def judged(state: InfraLedger, *submissions: dict[str, object]) -> list[PreparedSubmission |
                                                                        FilingError]:
    return admit(prepare_all(DOMAIN, [as_json(s) for s in submissions]), state)


def filed(state: InfraLedger, submission: dict[str, object]) -> PreparedSubmission:
    [verdict] = judged(state, submission)
    assert isinstance(verdict, PreparedSubmission), verdict
    return state.log(verdict)


def code(state: InfraLedger, submission: dict[str, object]) -> str:
    [verdict] = judged(state, submission)
    assert isinstance(verdict, FilingError), "admitted"
    return verdict.code


@pytest.mark.parametrize("kind", ["site", "route", "duct"])
def test_a_new_version_by_the_owner_supersedes_the_latest(ledger: InfraLedger,
                                                          kind: str) -> None:
    first = filed(ledger, thing(kind))
    second = filed(ledger, thing(kind, status="removed", supersedes=first.record_id,
                                 issued_at=ISSUED + 60))
    assert code(ledger, thing(kind, status="planned", supersedes=first.record_id,
                              issued_at=ISSUED + 120)) == "already_superseded"
    filed(ledger, thing(kind, status="in_service", supersedes=second.record_id,
                        issued_at=ISSUED + 120))


def test_a_tenant_that_is_not_a_registered_operator_is_refused(ledger: InfraLedger) -> None:
    assert code(ledger, thing(tenants=[signer_address(STRANGER_KEY)])) == "unknown_tenant"
    assert ledger.records == {}


def test_a_status_change_by_another_operator_is_refused(ledger: InfraLedger) -> None:
    first = filed(ledger, thing())
    change = thing(key=OTHER_KEY, supersedes=first.record_id, tenants=[],
                   status="out_of_service",
                   out_of_service={"reason": "flood", "since": "2025-10-28"})
    assert code(ledger, change) == "not_owner"
    assert code(ledger, thing(key=OTHER_KEY, tenants=[])) == "not_owner"


def test_a_second_first_version_is_refused(ledger: InfraLedger) -> None:
    filed(ledger, thing())
    assert code(ledger, thing(height_m=45.0)) == "already_filed"


def test_two_first_versions_in_one_request_admit_one(ledger: InfraLedger) -> None:
    one, two = judged(ledger, thing(), thing(height_m=45.0))
    assert isinstance(one, PreparedSubmission)
    assert isinstance(two, FilingError) and two.code == "already_filed"


def test_a_first_version_superseding_another_subject_is_refused(ledger: InfraLedger) -> None:
    other = filed(ledger, thing(site_id="VNPT-HUE-00999"))
    assert code(ledger, thing(supersedes=other.record_id)) == "correction_mismatch"


def test_a_retry_passes_as_the_same_record(ledger: InfraLedger) -> None:
    submission = thing()
    first = filed(ledger, submission)
    [again] = judged(ledger, submission)
    assert isinstance(again, PreparedSubmission) and again.record_id == first.record_id


def owner(**changes: Any) -> dict[str, Any]:
    """A restricted `siteowner/1` submission of the sample site's owner."""
    return thing("siteowner", salt=SALT, **changes)


def test_a_site_owner_is_filed_by_the_owner_of_a_site_in_the_log(ledger: InfraLedger) -> None:
    assert code(ledger, owner()) == "unknown_site"
    filed(ledger, thing())
    assert code(ledger, owner(key=OTHER_KEY)) == "not_owner"
    first = filed(ledger, owner())
    assert code(ledger, owner(as_of="2025-11-01")) == "already_filed"
    filed(ledger, owner(as_of="2025-11-03", supersedes=first.record_id, issued_at=ISSUED + 60))
    assert set(ledger.heads) == {"site:VNPT-HUE-00123", "siteowner:VNPT-HUE-00123"}


def test_a_site_and_its_owner_in_one_request_are_filed_in_that_order(
    ledger: InfraLedger,
) -> None:
    site, first = judged(ledger, thing(), owner())
    assert isinstance(site, PreparedSubmission) and isinstance(first, PreparedSubmission)
    before, later = judged(ledger, owner(), thing())
    assert isinstance(before, FilingError) and before.code == "unknown_site"
    assert isinstance(later, PreparedSubmission)
    mine, theirs = judged(ledger, thing(key=OTHER_KEY, tenants=[]), owner())
    assert isinstance(mine, PreparedSubmission)
    assert isinstance(theirs, FilingError) and theirs.code == "not_owner"


def test_a_public_site_owner_and_a_restricted_site_are_refused(ledger: InfraLedger) -> None:
    filed(ledger, thing())
    assert code(ledger, thing("siteowner")) == "personal_data_public"
    assert code(ledger, thing(site_id="VNPT-HUE-00999", salt=SALT)) == "schema_violation"
    assert code(ledger, thing(site_id="VNPT-HUE-00998", structure="rooftop",
                              rooftop_owner={"name": "Nguyễn Văn A"})) == "schema_violation"
