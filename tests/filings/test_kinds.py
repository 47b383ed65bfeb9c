"""Record kinds and the plan 254 catalogue."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from filings.catalogue import Catalogue, Indicator, is_met, load_catalogue
from filings.errors import (
    SchemaViolation,
    SubjectMismatch,
    UnknownArea,
    UnknownIndicator,
    UnknownSchema,
)
from filings.kinds import (
    PERMIT_TYPE_LABELS,
    REGISTRY,
    IndicatorBody,
    KindBody,
    PermitBody,
    RecordContext,
    ReportBody,
    record_kind,
)
from ledger.canonical import canonical_json
from tests.filings.factories import (
    INDICATOR_BODY,
    INDICATOR_SUBJECT,
    OPERATOR,
    OTHER_OPERATOR,
    PERMIT_BODY,
    PERMIT_SUBJECT,
    REPORT_BODY,
    REPORT_SUBJECT,
)

PLAN_TEXT = Path(__file__).parent / "data" / "plan-254-KH-UBND-2023.txt"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def validate(
    schema: str,
    body: dict[str, Any],
    subject: str,
    *,
    operator: str = OPERATOR,
    restricted: bool = False,
    attachments: int = 0,
) -> KindBody:
    spec = REGISTRY[schema]
    context = RecordContext(subject, operator, restricted, attachments)
    return spec.validate(json.loads(canonical_json(body)), context)


# --- Catalogue ----------------------------------------------------------------------------------


def test_catalogue_counts(catalogue: Catalogue) -> None:
    assert len(catalogue.indicators) == 22
    assert len(catalogue.goals) == 7
    assert [s.code for s in catalogue.sections.values()] == ["a", "b", "c", "d", "đ"]
    per_section = {code: 0 for code in catalogue.sections}
    for indicator in catalogue.indicators.values():
        per_section[indicator.section] += 1
    assert per_section == {"a": 6, "b": 11, "c": 3, "d": 0, "đ": 2}
    assert catalogue.plan.number == "254/KH-UBND" and catalogue.plan.target_year == 2025


@pytest.mark.parametrize(
    ("code", "target", "unit", "scope"),
    [
        ("village_mobile_broadband_ratio", 100, "%", "district"),
        ("bts_shared_ratio", 30, "%", "district"),
        ("cable_pole_shared_ratio", 98, "%", "district"),
        ("cable_duct_shared_ratio", 70, "%", "district"),
        ("smartphone_subscription_ratio", 80, "%", "province"),
        ("internet_user_ratio", 95, "%", "province"),
        ("household_internet_ratio", 90, "%", "district"),
        ("fixed_individual_200mbps_ratio", 90, "%", "province"),
        ("mobile_70mbps_population_ratio", 100, "%", "district"),
        ("enterprise_domestic_cloud_ratio", 70, "%", "province"),
        ("cloud_accounts_per_person", 1, "account/person", "province"),
        ("enterprise_digital_platform_ratio", 70, "%", "province"),
    ],
)
def test_targets_read_from_the_plan(
    catalogue: Catalogue, code: str, target: float, unit: str, scope: str
) -> None:
    indicator = catalogue.indicator(code)
    assert (indicator.target, indicator.unit, indicator.scope) == (target, unit, scope)
    assert indicator.direction == "at_least"


def test_names_are_the_plans_own_words(catalogue: Catalogue) -> None:
    """Every clause is verbatim in the plan; every name is the clause's words, in order."""
    plan = " ".join(unicodedata.normalize("NFC", PLAN_TEXT.read_text(encoding="utf-8")).split())
    section = plan[plan.index("Mục tiêu đến năm 2025"):plan.index("III. NHIỆM VỤ")]
    for indicator in catalogue.indicators.values():
        assert indicator.clause_vi in section, indicator.code
        clause_words = iter(w.strip(",.;") for w in indicator.clause_vi.split())
        name_words = [w.strip(",.;") for w in indicator.name_vi.split()]
        assert all(word in clause_words for word in name_words), indicator.code
        assert f"{indicator.target:g}" in indicator.clause_vi or "tất cả" in indicator.clause_vi
    for goal in catalogue.goals:
        assert goal.text_vi in section
    for item in catalogue.sections.values():
        assert f"{item.code}) {item.name_vi}" in section


def test_codes_are_stable_slugs(catalogue: Catalogue) -> None:
    for code in (*catalogue.indicators, *catalogue.areas):
        assert re.fullmatch(r"[a-z][a-z0-9_]{0,63}", code)


def test_areas(catalogue: Catalogue) -> None:
    assert catalogue.province.code == "tthue" and catalogue.province.gso_code == "46"
    assert {a.code: a.gso_code for a in catalogue.districts} == {
        "hue": "474", "phong_dien": "476", "quang_dien": "477", "phu_vang": "478",
        "huong_thuy": "479", "huong_tra": "480", "a_luoi": "481", "phu_loc": "482",
        "nam_dong": "483",
    }
    assert catalogue.area("hue").name_vi == "Thành phố Huế"
    assert catalogue.area("huong_thuy").name_vi == "Thị xã Hương Thủy"
    assert catalogue.area("nam_dong").name_en == "Nam Đông District"
    district_wide = catalogue.indicator("bts_shared_ratio")
    assert len(catalogue.areas_of(district_wide)) == 10
    assert catalogue.areas_of(catalogue.indicator("internet_user_ratio")) == (catalogue.province,)
    with pytest.raises(UnknownArea):
        catalogue.area("da_nang")
    with pytest.raises(UnknownIndicator) as caught:
        catalogue.indicator("nope")
    assert caught.value.code == "unknown_indicator"


def test_bounding_box(catalogue: Catalogue) -> None:
    box = catalogue.bounding_box
    inside = {
        "Huế citadel": (16.4698, 107.5786),
        "Sơn Chà island, east shore": (16.2217, 108.2150),
        "A Lưới, Hồng Thủy (west)": (16.3792, 107.0160),
        "Điền Hương (north)": (16.7410, 107.3967),
        "Thượng Nhật (south)": (15.9920, 107.6978),
    }
    outside = {"Đông Hà, Quảng Trị": (16.8163, 107.1003), "Hội An": (15.8801, 108.3380),
               "Hà Nội": (21.0278, 105.8342), "Laos, Saravane": (15.7163, 106.4176)}
    assert all(box.contains(*point) for point in inside.values())
    assert not any(box.contains(*point) for point in outside.values())


def test_is_met(catalogue: Catalogue) -> None:
    bts = catalogue.indicator("bts_shared_ratio")
    assert is_met(bts, 30) and is_met(bts, 30.1) and not is_met(bts, 29.99)
    ceiling = replace(bts, direction="at_most")
    assert is_met(ceiling, 30) and is_met(ceiling, 0) and not is_met(ceiling, 30.5)


def test_catalogue_is_package_data() -> None:
    assert resources.files("filings.data").joinpath("plan254.json").is_file()
    assert load_catalogue() is load_catalogue()


def test_max_value(catalogue: Catalogue) -> None:
    assert catalogue.indicator("bts_shared_ratio").max_value == 100
    assert catalogue.indicator("cloud_accounts_per_person").max_value is None
    assert isinstance(catalogue.indicator("cloud_accounts_per_person"), Indicator)


# --- Registry -----------------------------------------------------------------------------------


def test_registry() -> None:
    assert {schema: spec.kind for schema, spec in REGISTRY.items()} == {
        "indicator/1": "indicator", "permit/1": "permit", "report/1": "report",
    }
    assert record_kind("permit", "permit/1").body is PermitBody
    assert [(s.attachments_allowed, s.restricted_allowed) for s in REGISTRY.values()] == [
        (False, False), (True, True), (True, True),
    ]
    with pytest.raises(UnknownSchema):
        record_kind("report", "permit/1")


def test_permit_types_have_labels() -> None:
    assert set(PERMIT_TYPE_LABELS) == {
        "bts_site", "antenna_mast", "cable_route", "duct", "pole_line", "data_centre",
    }


# --- indicator/1 --------------------------------------------------------------------------------


def test_indicator_body() -> None:
    body = validate("indicator/1", INDICATOR_BODY, INDICATOR_SUBJECT)
    assert isinstance(body, IndicatorBody) and body.subject() == INDICATOR_SUBJECT
    for period in ("2023", "2024-Q1", "2024-06", "2099-12"):
        subject = f"indicator:internet_user_ratio:tthue:{period}"
        validate("indicator/1", {"indicator": "internet_user_ratio", "area": "tthue",
                                 "period": period, "value": 95}, subject)
    validate("indicator/1", {**INDICATOR_BODY, "area": "tthue"},
             "indicator:bts_shared_ratio:tthue:2024-Q3")
    validate("indicator/1", {**INDICATOR_BODY, "value": 0, "note": "Số liệu quý III"},
             INDICATOR_SUBJECT)


@pytest.mark.parametrize(
    ("change", "error", "text"),
    [
        ({"indicator": "bts_ratio"}, UnknownIndicator, "bts_ratio"),
        ({"area": "da_nang"}, UnknownArea, "da_nang"),
        ({"indicator": "internet_user_ratio"}, UnknownArea, "province only"),
        ({"unit": "percent"}, SchemaViolation, "unit"),
        ({"value": 100.5}, SchemaViolation, "0..100"),
        ({"value": -1}, SchemaViolation, "0..100"),
        ({"value": "31.5"}, SchemaViolation, "body.value"),
        ({"value": True}, SchemaViolation, "body.value"),
        ({"value": None}, SchemaViolation, "body.value"),
        ({"period": "2024-Q5"}, SchemaViolation, "body.period"),
        ({"period": "2024-13"}, SchemaViolation, "body.period"),
        ({"period": "2024-6"}, SchemaViolation, "body.period"),
        ({"period": "24"}, SchemaViolation, "body.period"),
        ({"period": "1999"}, SchemaViolation, "body.period"),
        ({"extra": 1}, SchemaViolation, "body.extra"),
        ({"note": ""}, SchemaViolation, "body.note"),
    ],
)
def test_indicator_body_faults(
    change: dict[str, Any], error: type[SchemaViolation], text: str
) -> None:
    body = {**INDICATOR_BODY, **change}
    subject = "indicator:{indicator}:{area}:{period}".format(**body)
    with pytest.raises(error) as caught:
        validate("indicator/1", body, subject)
    assert text in caught.value.message


def test_indicator_needs_a_value() -> None:
    body = dict(INDICATOR_BODY)
    del body["value"]
    with pytest.raises(SchemaViolation, match=r"body\.value: Field required"):
        validate("indicator/1", body, INDICATOR_SUBJECT)


def test_indicator_subject_and_policies() -> None:
    for subject in ("indicator:bts_shared_ratio:phu_vang:2024-q3", "bts_shared_ratio",
                    INDICATOR_SUBJECT + " "):
        with pytest.raises(SubjectMismatch) as caught:
            validate("indicator/1", INDICATOR_BODY, subject)
        assert caught.value.details == {"want": INDICATOR_SUBJECT}
    with pytest.raises(SchemaViolation, match="no attachments"):
        validate("indicator/1", INDICATOR_BODY, INDICATOR_SUBJECT, attachments=1)
    with pytest.raises(SchemaViolation, match="public"):
        validate("indicator/1", INDICATOR_BODY, INDICATOR_SUBJECT, restricted=True)


# --- permit/1 -----------------------------------------------------------------------------------


def permit(**change: Any) -> dict[str, Any]:
    return {**PERMIT_BODY, **change}


def located(**change: Any) -> dict[str, Any]:
    return permit(location={**PERMIT_BODY["location"], **change})


def test_permit_body() -> None:
    body = validate("permit/1", PERMIT_BODY, PERMIT_SUBJECT, attachments=2)
    assert isinstance(body, PermitBody) and body.subject() == PERMIT_SUBJECT
    validate("permit/1", permit(operators=[OTHER_OPERATOR, OPERATOR], holder=None),
             PERMIT_SUBJECT)
    validate("permit/1", permit(valid_until="2024-01-15", type="data_centre"), PERMIT_SUBJECT)
    private = permit(personal_data={"name": "Lê Văn C", "id_number": "046090001234",
                                    "address": "Thôn 3, xã Lộc Tiến"})
    validate("permit/1", private, PERMIT_SUBJECT, restricted=True)
    validate("permit/1", permit(number="12/QĐ-UBND"), "permit:phu_loc:12/QĐ-UBND")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (located(lat=16.9), "outside Thừa Thiên Huế"),
        (located(lon=106.9), "outside Thừa Thiên Huế"),
        (located(lat="16.3"), "body.location.lat"),
        (located(district="tthue"), "not the province"),
        (located(commune=""), "body.location.commune"),
        (permit(valid_from="2035-01-01"), "is after valid_until"),
        (permit(valid_from="2024/01/15"), "body.valid_from"),
        (permit(valid_from="2024-01-15T00:00:00"), "body.valid_from"),
        (permit(valid_until="2150-01-01"), "want a date in 2000-2099"),
        (permit(operators=[]), "body.operators"),
        (permit(operators=[OPERATOR.lower()]), "is not an EIP-55 address"),
        (permit(operators=[OPERATOR, OPERATOR]), "listed twice"),
        (permit(operators=[OTHER_OPERATOR]), "submitting operator"),
        (permit(type="tower"), "body.type"),
        (permit(number="a b"), "body.number"),
        (permit(personal_data={"name": "Lê Văn C"}), "must be restricted"),
        (permit(personal_data={"email": "x@example.vn"}), "body.personal_data.email"),
    ],
)
def test_permit_body_faults(body: dict[str, Any], text: str) -> None:
    with pytest.raises(SchemaViolation) as caught:
        validate("permit/1", body, PERMIT_SUBJECT)
    assert text in caught.value.message


def test_permit_subject() -> None:
    with pytest.raises(SubjectMismatch):
        validate("permit/1", PERMIT_BODY, "permit:125/GP-STTTT")
    with pytest.raises(UnknownArea):
        validate("permit/1", located(district="hoi_an"), "permit:hoi_an:125/GP-STTTT")


# --- report/1 -----------------------------------------------------------------------------------


def test_report_body() -> None:
    body = validate("report/1", REPORT_BODY, REPORT_SUBJECT, attachments=3, restricted=True)
    assert isinstance(body, ReportBody)
    assert body.subject("annual-infrastructure") == REPORT_SUBJECT
    validate("report/1", {"period": "2024-06", "title": "Tháng 6"}, "report:2024-06:m")


@pytest.mark.parametrize(
    ("subject", "ok"),
    [
        ("report:2024:annual-infrastructure", True),
        ("report:2024:q", True),
        ("report:2024:" + "a" * 64, True),
        ("report:2024:", False),
        ("report:2024:" + "a" * 65, False),
        ("report:2024:Annual", False),
        ("report:2024:-x", False),
        ("report:2023:annual", False),
        ("report:2024:a:b", False),
    ],
)
def test_report_subject(subject: str, ok: bool) -> None:
    if ok:
        validate("report/1", REPORT_BODY, subject)
    else:
        with pytest.raises(SubjectMismatch):
            validate("report/1", REPORT_BODY, subject)


def test_report_figures_follow_the_catalogue() -> None:
    def with_figures(*figures: dict[str, Any]) -> dict[str, Any]:
        return {**REPORT_BODY, "indicators": list(figures)}

    bts = {"indicator": "bts_shared_ratio", "area": "hue", "value": 12}
    with pytest.raises(SchemaViolation, match="given twice"):
        validate("report/1", with_figures(bts, {**bts, "value": 13}), REPORT_SUBJECT)
    with pytest.raises(UnknownIndicator):
        validate("report/1", with_figures({**bts, "indicator": "x"}), REPORT_SUBJECT)
    with pytest.raises(SchemaViolation, match=r"indicators\.0\.unit"):
        validate("report/1", with_figures({**bts, "unit": "Mb/s"}), REPORT_SUBJECT)
    with pytest.raises(SchemaViolation, match=r"body\.indicators\.0\.period"):
        validate("report/1", with_figures({**bts, "period": "2024"}), REPORT_SUBJECT)
    with pytest.raises(SchemaViolation, match=r"body\.title"):
        validate("report/1", {"period": "2024"}, REPORT_SUBJECT)
