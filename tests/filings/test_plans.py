"""Plans as records (`plan/1`): the demo's plans 254 and 455 against their sources, the rules of
a plan body, and the book that judges figures by the plans in force when they were filed."""

from __future__ import annotations

import copy
import json
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from filings.errors import (
    ControlCharacter,
    IssuedBeforePlan,
    SchemaViolation,
    SubjectMismatch,
    UnknownUnit,
    ValueOutOfRange,
)
from filings.kinds import record_kind
from filings.plans import FiledPlan, PlanBody, PlanBook, plan_subject, slug
from filings.schema import RecordContext
from ledger.canonical import canonical_json
from tests.filings.factories import OPERATOR, PLAN_254, PLAN_254_SUBJECT, PLAN_ISSUED_AT

PLAN_TEXT = Path(__file__).parent / "data" / "plan-254-KH-UBND-2023.txt"
PLAN_455: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "api" / "demo" / "plans" / "plan-455-kh-ubnd.json")
    .read_text(encoding="utf-8"))


def checked(body: dict[str, Any], *, subject: str | None = None,
            issued_at: int = PLAN_ISSUED_AT) -> PlanBody:
    document = body["document"]
    want = plan_subject(document["number"], date.fromisoformat(document["date"]))
    parsed = record_kind("plan", "plan/1").validate(
        json.loads(canonical_json(body)),
        RecordContext(subject or want, OPERATOR, False, 0, issued_at))
    assert isinstance(parsed, PlanBody)
    return parsed


def changed(path: str, value: Any, body: dict[str, Any] = PLAN_254) -> dict[str, Any]:
    """`body` with the member at dotted `path` (list indices as numbers) set to `value`."""
    copied = copy.deepcopy(body)
    *parents, last = path.split(".")
    here: Any = copied
    for part in parents:
        here = here[int(part)] if isinstance(here, list) else here[part]
    if isinstance(here, list):
        here[int(last)] = value
    else:
        here[last] = value
    return copied


# --- plan 254 as the demo files it ---------------------------------------------------------------


def test_plan_254_is_whole() -> None:
    plan = checked(PLAN_254)
    assert plan.subject() == PLAN_254_SUBJECT == "plan:2023:254-kh-ubnd"
    assert (plan.document.number, plan.document.date) == ("254/KH-UBND", date(2023, 7, 15))
    assert (plan.period.start, plan.period.end) == (date(2023, 1, 1), date(2025, 12, 31))
    assert len(plan.targets) == 22 and len(plan.goals) == 7
    assert [s.code for s in plan.sections] == ["a", "b", "c", "d", "đ"]
    per_section = {s.code: 0 for s in plan.sections}
    for target in plan.targets:
        per_section[target.section] += 1
        assert target.deadline == date(2025, 12, 31) and target.direction == "at_least"
    assert per_section == {"a": 6, "b": 11, "c": 3, "d": 0, "đ": 2}


@pytest.mark.parametrize(
    ("code", "value", "unit", "levels", "formula"),
    [
        ("village_mobile_broadband_ratio", 100, "%", ["province", "district", "commune"],
         "declared/1"),
        ("bts_shared_ratio", 30, "%", ["province", "district", "commune"], "ratio/1"),
        ("cable_pole_shared_ratio", 98, "%", ["province", "district", "commune"], "ratio/1"),
        ("cable_duct_shared_ratio", 70, "%", ["province", "district", "commune"], "ratio/1"),
        ("smartphone_subscription_ratio", 80, "%", ["province"], "ratio/1"),
        ("internet_user_ratio", 95, "%", ["province"], "declared/1"),
        ("household_internet_ratio", 90, "%", ["province", "district", "commune"], "declared/1"),
        ("fixed_individual_200mbps_ratio", 90, "%", ["province"], "ratio/1"),
        ("cloud_accounts_per_person", 1, "account/person", ["province"], "declared/1"),
        ("enterprise_digital_platform_ratio", 70, "%", ["province"], "declared/1"),
    ],
)
def test_targets_read_from_plan_254(code: str, value: float, unit: str, levels: list[str],
                                    formula: str) -> None:
    (target,) = [t for t in checked(PLAN_254).targets if t.indicator == code]
    assert (target.value, target.unit, target.levels, target.formula) == (value, unit, levels,
                                                                         formula)


def test_plan_254_names_are_its_own_words() -> None:
    """Every clause is verbatim in the plan; every name is the clause's words, in order."""
    text = " ".join(unicodedata.normalize("NFC", PLAN_TEXT.read_text(encoding="utf-8")).split())
    section = text[text.index("Mục tiêu đến năm 2025"):text.index("III. NHIỆM VỤ")]
    plan = checked(PLAN_254)
    for target in plan.targets:
        assert target.clause_vi is not None and target.clause_vi in section, target.indicator
        clause_words = iter(w.strip(",.;") for w in target.clause_vi.split())
        name_words = [w.strip(",.;") for w in target.name_vi.split()]
        assert all(word in clause_words for word in name_words), target.indicator
        assert f"{target.value:g}" in target.clause_vi or "tất cả" in target.clause_vi
    for goal in plan.goals:
        assert goal.text_vi in section
    for item in plan.sections:
        assert f"{item.code}) {item.name_vi}" in section


def test_plan_455_says_where_its_figures_come_from() -> None:
    plan = checked(PLAN_455, issued_at=1_764_300_000)
    assert plan.subject() == "plan:2025:455-kh-ubnd"
    assert (plan.period.start, plan.period.end) == (date(2026, 1, 1), date(2030, 12, 31))
    assert "vneconomy.vn" in plan.document.source and "đối chiếu" in plan.document.source
    assert {t.indicator: t.value for t in plan.targets} == {
        "village_mobile_broadband_ratio": 100, "village_ftth_ratio": 100,
        "broadband_user_ratio": 95,
    }
    for target in plan.targets:
        assert target.clause_vi is not None and "vneconomy.vn" in target.clause_vi


# --- the rules of a plan body --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error", "text"),
    [
        (changed("period.start", "2026-01-01"), SchemaViolation, "after it ends"),
        (changed("targets.0.deadline", "2026-12-31"), SchemaViolation, "outside the plan"),
        (changed("targets.0.section", "e"), SchemaViolation, "not a section"),
        (changed("goals.0.section", "e"), SchemaViolation, "not a section"),
        (changed("sections.1.code", "a"), SchemaViolation, "given twice"),
        (changed("targets.0.unit", "percent"), UnknownUnit, "targets.0.unit"),
        (changed("targets.0.value", 120), ValueOutOfRange, "targets.0.value"),
        (changed("targets.0.formula", "sum/1"), SchemaViolation, "needs unit 'count'"),
        (changed("targets.19.formula", "ratio/1"), SchemaViolation, "needs unit '%'"),
        (changed("targets.0.levels", ["province", "province"]), SchemaViolation, "given twice"),
        (changed("targets.0.levels", []), SchemaViolation, "targets.0.levels"),
        (changed("targets.0.levels", ["ward"]), SchemaViolation, "targets.0.levels"),
        (changed("targets.0.direction", "above"), SchemaViolation, "targets.0.direction"),
        (changed("targets.1.indicator", "village_mobile_broadband_ratio"), SchemaViolation,
         "second target"),
        (changed("targets.0.baseline", {"value": 101, "period": "2022"}), ValueOutOfRange,
         "baseline.value"),
        (changed("targets.0.baseline", {"value": 80, "period": "2022-Q5"}), SchemaViolation,
         "baseline.period"),
        (changed("document.title_vi", "Kế hoạch\n254"), ControlCharacter, "document.title_vi"),
        (changed("document.date", "1999-07-15"), SchemaViolation, "2000-2099"),
        (changed("document.number", "254 KH"), SchemaViolation, "document.number"),
        (changed("targets", []), SchemaViolation, "body.targets"),
    ],
)
def test_plan_body_faults(body: dict[str, Any], error: type[SchemaViolation], text: str) -> None:
    with pytest.raises(error) as caught:
        checked(body)
    assert text in caught.value.message


def test_a_second_deadline_for_one_indicator_is_a_target_of_its_own() -> None:
    later = copy.deepcopy(PLAN_254)
    extra = {**later["targets"][2], "value": 35, "deadline": "2025-06-30"}
    later["targets"].append(extra)
    checked(later)
    extra["unit"] = "count"
    extra["formula"] = "declared/1"
    with pytest.raises(SchemaViolation, match="differ in unit"):
        checked(later)


def test_the_subject_and_the_signing_day() -> None:
    with pytest.raises(SubjectMismatch):
        checked(PLAN_254, subject="plan:2023:254")
    with pytest.raises(IssuedBeforePlan) as caught:
        checked(PLAN_254, issued_at=1_689_300_000)  # 2023-07-14
    assert caught.value.code == "issued_before_plan"


def test_slugs() -> None:
    assert slug("254/KH-UBND") == "254-kh-ubnd"
    assert slug("12/QĐ-UBND") == "12-qd-ubnd"
    assert slug("  Số 7 / 2025 ") == "so-7-2025"
    assert plan_subject("455/KH-UBND", date(2025, 11, 25)) == "plan:2025:455-kh-ubnd"


# --- judging by the plans in force --------------------------------------------------------------


def filed(index: int, body: dict[str, Any], *, subject: str | None = None,
          supersedes: str | None = None) -> FiledPlan:
    parsed = PlanBody.model_validate(json.loads(canonical_json(body)))
    return FiledPlan(f"{index:064x}", index, OPERATOR, PLAN_ISSUED_AT, subject or parsed.subject(),
                     supersedes, parsed)


def test_a_figure_is_judged_by_the_version_in_force_when_it_was_filed() -> None:
    first = filed(0, PLAN_254)
    corrected = filed(10, changed("targets.2.value", 25), supersedes=first.record_id)
    book = PlanBook([corrected, first])
    day = date(2024, 12, 31)
    assert book.target("bts_shared_ratio", day, before=5) is not None
    before = book.target("bts_shared_ratio", day, before=10)
    after = book.target("bts_shared_ratio", day, before=11)
    assert before is not None and after is not None
    assert (before.plan, before.target.value) == (first, 30)
    assert (after.plan, after.target.value) == (corrected, 25)
    assert book.target("bts_shared_ratio", day) == after
    assert book.target("bts_shared_ratio", day, before=0) is None
    assert book.current() == (corrected,) and book.latest(PLAN_254_SUBJECT) == corrected
    assert book.superseded_by(first) == corrected and book.superseded_by(corrected) is None
    assert book.up_to(10).current() == (first,) and book.up_to(10).latest_index == 0
    assert book.latest_index == 10 and PlanBook().latest_index == -1


def test_the_plan_whose_period_holds_the_day_judges_and_the_newer_document_wins() -> None:
    old = filed(0, PLAN_254)
    new = filed(1, PLAN_455)
    book = PlanBook([old, new])
    ftth_2025 = book.target("village_ftth_ratio", date(2025, 12, 31))
    ftth_2026 = book.target("village_ftth_ratio", date(2026, 6, 30))
    assert ftth_2025 is not None and ftth_2025.plan == old
    assert ftth_2026 is not None and ftth_2026.plan == new
    assert ftth_2026.target.levels == ["province", "commune"]
    assert book.target("bts_shared_ratio", date(2026, 6, 30)) is None
    assert book.target("bts_shared_ratio", date(2022, 12, 31)) is None
    assert book.target("broadband_user_ratio", date(2031, 12, 31)) is None
    overlapping = filed(2, changed("period.start", "2025-01-01", PLAN_455),
                        subject="plan:2025:455-bis")
    judged = PlanBook([old, new, overlapping]).target("village_ftth_ratio", date(2025, 12, 31))
    assert judged is not None and judged.plan == overlapping
    assert [p.number for p in book.plans_with("village_ftth_ratio")] == ["254/KH-UBND",
                                                                         "455/KH-UBND"]


def test_the_earliest_deadline_on_or_after_the_day_judges() -> None:
    body = copy.deepcopy(PLAN_455)
    body["targets"].append({**body["targets"][0], "value": 80, "deadline": "2026-12-31"})
    book = PlanBook([filed(0, body)])
    values = {day: book.target("village_mobile_broadband_ratio", day)
              for day in (date(2026, 6, 30), date(2026, 12, 31), date(2027, 12, 31))}
    assert {day: j.target.value for day, j in values.items() if j} == {
        date(2026, 6, 30): 80, date(2026, 12, 31): 80, date(2027, 12, 31): 100}
    judged = values[date(2026, 12, 31)]
    assert judged is not None and judged.is_met(80) and not judged.is_met(79.9)
