"""The record page's plain words for infrastructure records (`api.web.record_view.view`): a site
and a cable route open with what they say (where, whose, in which state), each fact in both
languages, before the proof."""

from __future__ import annotations

from typing import Any

from api.web.record_view import view
from filings.plans import PlanBook
from tests.filings.factories import OPERATOR, OTHER_OPERATOR
from tests.filings.infra_factories import ROUTE_BODY, SITE_BODY

NAMES = {OPERATOR: "VNPT Huế", OTHER_OPERATOR: "Viettel Huế"}


def entry(kind: str, subject: str) -> dict[str, Any]:
    return {"kind": kind, "schema": f"{kind}/1", "subject": subject, "operator": OPERATOR,
            "issued_at": 1_762_200_000, "signature": "0x" + "11" * 65}


def facts(shown: Any, lang: str) -> dict[str, str]:
    return {getattr(fact.label, lang): getattr(fact.value, lang) for fact in shown.body.facts}


def test_a_site_says_where_whose_and_in_which_state() -> None:
    body = {**SITE_BODY, "status": "out_of_service",
            "out_of_service": {"reason": "flood", "since": "2025-10-28"}}
    shown = view(PlanBook(), NAMES, 7, entry("site", "site:VNPT-HUE-00123"), body, [], False)
    assert shown.heading.vi.startswith("Trạm VNPT-HUE-00123 · Ngừng hoạt động · ")
    assert shown.heading.en.startswith("Site VNPT-HUE-00123 · Out of service · ")
    vi, en = facts(shown, "vi"), facts(shown, "en")
    assert vi["Ngừng hoạt động từ"] == "Ngập lụt, từ 28/10/2025"
    assert vi["Dùng chung với"] == "Viettel Huế" and en["Shared with"] == "Viettel Huế"
    assert vi["Chiều cao"] == "42\u00a0m" and vi["Công nghệ"] == "4G, 5G"
    assert vi["Ngày đưa vào hoạt động"] == "10/05/2024"
    assert "," in vi["Vị trí (vĩ độ, kinh độ)"]  # 16,46…; Vietnamese decimals


def test_a_route_says_how_it_runs_and_how_long_it_is() -> None:
    shown = view(PlanBook(), NAMES, 8, entry("route", "route:VNPT-HUE-R001"), ROUTE_BODY, [],
                 False)
    assert shown.heading.vi == "Tuyến cáp VNPT-HUE-R001 · Tuyến cáp treo"
    vi, en = facts(shown, "vi"), facts(shown, "en")
    assert vi["Hạ tầng dùng chung"] == "Treo trên cột dùng chung"
    assert vi["Chiều dài"].endswith("\u00a0m") and int(vi["Chiều dài"].split("\u00a0")[0]
                                                        .replace(".", "")) > 1_000
    assert en["Length"].endswith("\u00a0m")
    assert len(vi["Đi qua"].split(", ")) == 2
