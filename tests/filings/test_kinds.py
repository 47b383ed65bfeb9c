"""Record kinds: the bodies of indicator/2, permit/2 and report/2, areas by official code and
reference date, units, control characters, and the retired /1 schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest

from filings.errors import (
    AreaNotValid,
    ControlCharacter,
    IssuedBeforePeriod,
    RatioMismatch,
    RetiredSchema,
    SchemaViolation,
    SubjectMismatch,
    UnknownArea,
    UnknownSchema,
    UnknownUnit,
    ValueOutOfRange,
)
from filings.kinds import (
    BOUNDING_BOX,
    PERMIT_TYPE_LABELS,
    REGISTRY,
    IndicatorBody,
    KindBody,
    PermitBody,
    RecordContext,
    ReportBody,
    record_kind,
)
from filings.plans import PlanBody
from ledger.canonical import canonical_json
from tests.filings.factories import (
    CITY,
    INDICATOR_BODY,
    INDICATOR_SUBJECT,
    ISSUED_AT,
    OPERATOR,
    OTHER_OPERATOR,
    PERMIT_BODY,
    PERMIT_SUBJECT,
    REPORT_BODY,
    REPORT_SUBJECT,
)

SIGNED_2026 = 1_780_000_000
"""2026-05-28: late enough for any period these tests name."""


def validate(
    schema: str,
    body: dict[str, Any],
    subject: str,
    *,
    operator: str = OPERATOR,
    restricted: bool = False,
    attachments: int = 0,
    issued_at: int = SIGNED_2026,
) -> KindBody:
    spec = REGISTRY[schema]
    context = RecordContext(subject, operator, restricted, attachments, issued_at)
    return spec.validate(json.loads(canonical_json(body)), context)


def indicator(**change: Any) -> tuple[dict[str, Any], str]:
    body = {**INDICATOR_BODY, **change}
    return body, "indicator:{indicator}:{area}:{period}".format(**body)


# --- Registry -----------------------------------------------------------------------------------


def test_registry() -> None:
    assert {schema: spec.kind for schema, spec in REGISTRY.items()} == {
        "indicator/2": "indicator", "permit/2": "permit", "report/2": "report", "plan/1": "plan",
        "site/1": "site", "siteowner/1": "siteowner", "route/1": "route", "duct/1": "duct",
        "binding/1": "binding",
    }
    assert record_kind("permit", "permit/2").body is PermitBody
    assert record_kind("plan", "plan/1").body is PlanBody
    assert [(s.attachments_allowed, s.restricted_allowed) for s in REGISTRY.values()] == [
        (False, False), (True, True), (True, True), (True, False), (True, False), (True, True),
        (True, True), (True, True), (False, False),
    ]
    assert [s.schema for s in REGISTRY.values() if s.restricted_required] == ["siteowner/1"]
    with pytest.raises(UnknownSchema) as caught:
        record_kind("report", "permit/2")
    assert caught.value.code == "unknown_schema"


@pytest.mark.parametrize(("kind", "schema", "successor"), [
    ("indicator", "indicator/1", "indicator/2"), ("permit", "permit/1", "permit/2"),
    ("report", "report/1", "report/2"),
])
def test_the_first_schemas_are_retired_with_their_successor(kind: str, schema: str,
                                                             successor: str) -> None:
    with pytest.raises(RetiredSchema) as caught:
        record_kind(kind, schema)
    assert caught.value.code == "retired_schema"
    assert caught.value.details == {"successor": successor}
    assert successor in caught.value.message
    with pytest.raises(UnknownSchema) as other:
        record_kind("plan", schema)
    assert other.value.code == "unknown_schema"


def test_permit_types_have_labels() -> None:
    assert set(PERMIT_TYPE_LABELS) == {
        "bts_site", "antenna_mast", "cable_route", "duct", "pole_line", "data_centre",
    }


# --- indicator/2 --------------------------------------------------------------------------------


def test_indicator_body() -> None:
    body = validate("indicator/2", INDICATOR_BODY, INDICATOR_SUBJECT)
    assert isinstance(body, IndicatorBody) and body.subject() == INDICATOR_SUBJECT
    claim = body.claim()
    assert (claim.area, claim.level, claim.period, claim.unit) == ("478", "district", "2024-Q3",
                                                                   "%")
    for period in ("2023", "2024-H2", "2024-Q1", "2024-06", "2025-H1", "2026-H1"):
        validate("indicator/2", *indicator(area=CITY, period=period))
    validate("indicator/2", *indicator(value=0, note="Số liệu quý III\n\tđã rà soát"))
    validate("indicator/2", *indicator(value=27.3, numerator=41, denominator=150))
    validate("indicator/2", *indicator(value=12, unit="count"))
    validate("indicator/2", *indicator(value=12.0, unit="count"))


def test_the_same_code_names_different_units_on_different_dates() -> None:
    """19753 was Phường Thuận Lộc until 2025-06-30 and is Phường Phú Xuân from 2025-07-01;
    474 was Thành phố Huế in 2024, Quận Thuận Hóa in 2025-H1, and names nothing after."""
    before = validate("indicator/2", *indicator(area="19753", period="2024"))
    after = validate("indicator/2", *indicator(area="19753", period="2025"))
    assert isinstance(before, IndicatorBody) and isinstance(after, IndicatorBody)
    assert before.claim().level == after.claim().level == "commune"
    validate("indicator/2", *indicator(area="474", period="2024"))
    validate("indicator/2", *indicator(area="474", period="2025-H1"))
    with pytest.raises(AreaNotValid) as caught:
        validate("indicator/2", *indicator(area="474", period="2025"))
    assert caught.value.code == "area_not_valid"
    assert {item["code"] for item in caught.value.details["successors"]} >= {"19789"}


def test_an_area_is_resolved_on_the_reference_date() -> None:
    """Nam Đông (483) merged into Phú Lộc on 2025-01-01: a 2024 figure names it, a 2025-H1
    figure cannot; the 2025-H1 districts include Phú Xuân (475), which 2024 did not have."""
    validate("indicator/2", *indicator(area="483", period="2024"))
    with pytest.raises(AreaNotValid):
        validate("indicator/2", *indicator(area="483", period="2025-H1"))
    with pytest.raises(AreaNotValid):
        validate("indicator/2", *indicator(area="475", period="2024"))
    validate("indicator/2", *indicator(area="475", period="2025-H1"))
    with pytest.raises(UnknownArea) as caught:
        validate("indicator/2", *indicator(area="79", period="2024"))
    assert caught.value.code == "unknown_area"


@pytest.mark.parametrize(
    ("change", "error", "text"),
    [
        ({"area": "phu_vang"}, SchemaViolation, "body.area"),
        ({"area": "4"}, SchemaViolation, "body.area"),
        ({"unit": "percent"}, UnknownUnit, "unit"),
        ({"value": 100.5}, ValueOutOfRange, "0..100"),
        ({"value": -1}, ValueOutOfRange, "0..100"),
        ({"value": 2.5, "unit": "count"}, ValueOutOfRange, "whole"),
        ({"value": 2e7, "unit": "count"}, ValueOutOfRange, "0..1e+07"),
        ({"value": 2e5, "unit": "Mb/s"}, ValueOutOfRange, "Mb/s"),
        ({"value": "31.5"}, SchemaViolation, "body.value"),
        ({"value": True}, SchemaViolation, "body.value"),
        ({"value": None}, SchemaViolation, "body.value"),
        ({"period": "2024-Q5"}, SchemaViolation, "body.period"),
        ({"period": "2024-H3"}, SchemaViolation, "body.period"),
        ({"period": "2024-13"}, SchemaViolation, "body.period"),
        ({"period": "1999"}, SchemaViolation, "body.period"),
        ({"extra": 1}, SchemaViolation, "body.extra"),
        ({"note": ""}, SchemaViolation, "body.note"),
        ({"numerator": 41}, RatioMismatch, "both or neither"),
        ({"numerator": 41, "denominator": 150}, RatioMismatch, "27.33"),
        ({"value": 110.0, "numerator": 165, "denominator": 150}, ValueOutOfRange, "0..100"),
        ({"value": 0, "numerator": 0, "denominator": 0}, RatioMismatch, "denominator > 0"),
        ({"value": 3, "unit": "count", "numerator": 1, "denominator": 2}, RatioMismatch,
         "percentage"),
        ({"numerator": -1, "denominator": 2}, SchemaViolation, "body.numerator"),
    ],
)
def test_indicator_body_faults(change: dict[str, Any], error: type[SchemaViolation],
                               text: str) -> None:
    with pytest.raises(error) as caught:
        validate("indicator/2", *indicator(**change))
    assert text in caught.value.message
    assert caught.value.code == error.code


def test_a_unit_is_required() -> None:
    body = dict(INDICATOR_BODY)
    del body["unit"]
    with pytest.raises(SchemaViolation, match=r"body\.unit: Field required"):
        validate("indicator/2", body, INDICATOR_SUBJECT)


@pytest.mark.parametrize(("text", "where"), [
    ("quý III\r\n", "body.note"), ("a\x00b", "body.note"), ("a\x1bb", "body.note"),
    ("a\x7fb", "body.note"), ("a\x85b", "body.note"), ("a\u009bb", "body.note"),
])
def test_control_characters_are_refused_in_free_text(text: str, where: str) -> None:
    with pytest.raises(ControlCharacter) as caught:
        validate("indicator/2", *indicator(note=text))
    assert caught.value.code == "control_character" and where in caught.value.message


def test_a_figure_is_not_signed_before_its_period() -> None:
    body, subject = indicator(period="2024-Q3")
    validate("indicator/2", body, subject, issued_at=ISSUED_AT)  # 2024-07-03
    with pytest.raises(IssuedBeforePeriod) as caught:
        validate("indicator/2", body, subject, issued_at=1_719_700_000)  # 2024-06-30
    assert caught.value.code == "issued_before_period"
    assert caught.value.details == {"period_start": "2024-07-01"}


def test_the_first_day_is_vietnams() -> None:
    """2024-06-30T17:30Z is already 1 July in Việt Nam (UTC+7)."""
    validate("indicator/2", *indicator(period="2024-Q3"), issued_at=1_719_768_600)


def test_indicator_subject_and_policies() -> None:
    for subject in ("indicator:bts_shared_ratio:478:2024-q3", "bts_shared_ratio",
                    INDICATOR_SUBJECT + " "):
        with pytest.raises(SubjectMismatch) as caught:
            validate("indicator/2", INDICATOR_BODY, subject)
        assert caught.value.details == {"want": INDICATOR_SUBJECT}
    with pytest.raises(SchemaViolation, match="no attachments"):
        validate("indicator/2", INDICATOR_BODY, INDICATOR_SUBJECT, attachments=1)
    with pytest.raises(SchemaViolation, match="public"):
        validate("indicator/2", INDICATOR_BODY, INDICATOR_SUBJECT, restricted=True)


# --- permit/2 -----------------------------------------------------------------------------------


def permit(**change: Any) -> dict[str, Any]:
    return {**PERMIT_BODY, **change}


def located(**change: Any) -> dict[str, Any]:
    return permit(location={**PERMIT_BODY["location"], **change})


def test_permit_body() -> None:
    body = validate("permit/2", PERMIT_BODY, PERMIT_SUBJECT, attachments=2)
    assert isinstance(body, PermitBody) and body.subject() == PERMIT_SUBJECT
    validate("permit/2", permit(operators=[OTHER_OPERATOR, OPERATOR], holder=None),
             PERMIT_SUBJECT)
    validate("permit/2", permit(valid_until="2024-01-15", type="data_centre"), PERMIT_SUBJECT)
    private = permit(personal_data={"name": "Lê Văn C", "id_number": "046090001234",
                                    "address": "Thôn 3, xã Lộc Tiến"})
    validate("permit/2", private, PERMIT_SUBJECT, restricted=True)
    validate("permit/2", permit(number="12/QĐ-UBND"), "permit:20152:12/QĐ-UBND")
    later = located(commune="20137")  # Xã Chân Mây - Lăng Cô, from 2025-07-01
    validate("permit/2", {**later, "valid_from": "2025-08-01", "valid_until": "2035-07-31"},
             "permit:20137:125/GP-STTTT")


@pytest.mark.parametrize(
    ("body", "error", "text"),
    [
        (located(lat=16.9), SchemaViolation, "outside Huế"),
        (located(lon=106.9), SchemaViolation, "outside Huế"),
        (located(lat="16.3"), SchemaViolation, "body.location.lat"),
        (located(commune="482"), SchemaViolation, "want a commune-level unit"),
        (located(commune="46"), SchemaViolation, "want a commune-level unit"),
        (permit(valid_from="2025-08-01"), AreaNotValid, "not in force"),
        (located(district="482"), SchemaViolation, "body.location.district"),
        (permit(valid_from="2035-01-01"), SchemaViolation, "is after valid_until"),
        (permit(valid_from="2024/01/15"), SchemaViolation, "body.valid_from"),
        (permit(valid_until="2150-01-01"), SchemaViolation, "want a date in 2000-2099"),
        (permit(operators=[]), SchemaViolation, "body.operators"),
        (permit(operators=[OPERATOR.lower()]), SchemaViolation, "is not an EIP-55 address"),
        (permit(operators=[OPERATOR, OPERATOR]), SchemaViolation, "listed twice"),
        (permit(operators=[OTHER_OPERATOR]), SchemaViolation, "submitting operator"),
        (permit(type="tower"), SchemaViolation, "body.type"),
        (permit(number="a b"), SchemaViolation, "body.number"),
        (permit(holder="Viettel\nHuế"), ControlCharacter, "body.holder"),
        (permit(personal_data={"name": "Lê Văn C"}), SchemaViolation, "must be restricted"),
        (permit(personal_data={"email": "x@example.vn"}), SchemaViolation,
         "body.personal_data.email"),
    ],
)
def test_permit_body_faults(body: dict[str, Any], error: type[SchemaViolation],
                            text: str) -> None:
    subject = f"permit:{body['location'].get('commune')}:{body['number']}"
    with pytest.raises(error) as caught:
        validate("permit/2", body, subject)
    assert text in caught.value.message


def test_permit_subject() -> None:
    with pytest.raises(SubjectMismatch):
        validate("permit/2", PERMIT_BODY, "permit:125/GP-STTTT")
    with pytest.raises(SubjectMismatch):
        validate("permit/2", PERMIT_BODY, "permit:482:125/GP-STTTT")


def test_bounding_box() -> None:
    south, west, north, east = BOUNDING_BOX
    inside = {
        "Huế citadel": (16.4698, 107.5786),
        "Sơn Chà island, east shore": (16.2217, 108.2150),
        "A Lưới, Hồng Thủy (west)": (16.3792, 107.0160),
        "Điền Hương (north)": (16.7410, 107.3967),
        "Thượng Nhật (south)": (15.9920, 107.6978),
    }
    outside = {"Đông Hà, Quảng Trị": (16.8163, 107.1003), "Hội An": (15.8801, 108.3380),
               "Hà Nội": (21.0278, 105.8342), "Laos, Saravane": (15.7163, 106.4176)}
    for lat, lon in inside.values():
        validate("permit/2", located(lat=lat, lon=lon), PERMIT_SUBJECT)
    for lat, lon in outside.values():
        assert not (south <= lat <= north and west <= lon <= east)
        with pytest.raises(SchemaViolation, match="outside Huế"):
            validate("permit/2", located(lat=lat, lon=lon), PERMIT_SUBJECT)


# --- report/2 -----------------------------------------------------------------------------------


def test_report_body() -> None:
    body = validate("report/2", REPORT_BODY, REPORT_SUBJECT, attachments=3, restricted=True)
    assert isinstance(body, ReportBody)
    assert body.subject("annual-infrastructure") == REPORT_SUBJECT
    validate("report/2", {"period": "2024-06", "title": "Tháng 6"}, "report:2024-06:m")


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
        validate("report/2", REPORT_BODY, subject)
    else:
        with pytest.raises(SubjectMismatch):
            validate("report/2", REPORT_BODY, subject)


def test_report_figures() -> None:
    def with_figures(*figures: dict[str, Any]) -> dict[str, Any]:
        return {**REPORT_BODY, "indicators": list(figures)}

    bts = {"indicator": "bts_shared_ratio", "area": "474", "value": 12, "unit": "%"}
    validate("report/2", with_figures(bts, {**bts, "area": "483"}), REPORT_SUBJECT)
    with pytest.raises(SchemaViolation, match="given twice"):
        validate("report/2", with_figures(bts, {**bts, "value": 13}), REPORT_SUBJECT)
    with pytest.raises(UnknownUnit, match=r"indicators\.0\.unit"):
        validate("report/2", with_figures({**bts, "unit": "percent"}), REPORT_SUBJECT)
    with pytest.raises(ValueOutOfRange, match=r"indicators\.0\.value"):
        validate("report/2", with_figures({**bts, "value": 120}), REPORT_SUBJECT)
    with pytest.raises(AreaNotValid):
        validate("report/2", with_figures({**bts, "area": "475"}), REPORT_SUBJECT)
    with pytest.raises(SchemaViolation, match=r"body\.indicators\.0\.period"):
        validate("report/2", with_figures({**bts, "period": "2024"}), REPORT_SUBJECT)
    with pytest.raises(SchemaViolation, match=r"body\.title"):
        validate("report/2", {"period": "2024"}, REPORT_SUBJECT)
    with pytest.raises(IssuedBeforePeriod):
        validate("report/2", REPORT_BODY, REPORT_SUBJECT, issued_at=1_700_000_000)
