"""The demo's sample filings: realistic, deterministic, and clearly marked as sample data.

First the plans, filed by the department's key (the registrar): plan 254/KH-UBND (2023-2025)
and Kế hoạch 455/KH-UBND (2026-2030), from the JSON bodies in `api/demo/plans/` (plan 254's
from its text, 455's as the press reported it, each saying its source). Then the figures, by the
units in force on each period's reference date (`filings.areas`):

- 2023 and 2024 by the nine districts of 2024, 2025-H1 by the nine districts of 2025 (Huế split
  into Phú Xuân and Thuận Hóa, Nam Đông merged into Phú Lộc), 2025 by the 40 communes of
  2025-07-01, each with the city's own figure;
- per operator: the three mobile operators' BTS sharing with the counts behind it
  (`ratio/1`), their smartphone subscriptions (city only); the fixed operators' FTTH coverage of
  villages (city only); 2026-H1 mobile coverage by commune under plan 455;
- compiled city figures by the department where its plan reports at city level (`declared/1`
  targets, and the 2025 results the department published, quoted with their source);
- permits (`permit/2`, communes by official code) for BTS sites, masts and cable routes, some
  shared, some restricted because they name a landowner; yearly reports (`report/2`) with a PDF
  made on the spot; and two corrections;
- BTS sites in the 40 communes, two cable routes and two manholes, with the late-2025 floods'
  outages and the 5G upgrades of 2026 (`api.demo.sites`);
- signatures that count in law, beside EIP-712: the registrar binds VNPT and Viettel to their
  (sample) tax codes (`binding/1`); VNPT's 2025 city figures carry a detached CMS by its
  organisation certificate, and VNPT's and Viettel's 2025 reports a PAdES-signed PDF
  (`CA_SIGNED`; the certificates are the demo's sample PKI, `api.demo.pki`).

Values are generated, except the department's 2025 results (baomoi, "Thúc đẩy chuyển đổi số":
BTS sharing 13%, pole and duct sharing 92% and 49%, villages with mobile and FTTH coverage
100%), which say so in their note. Pure and deterministic: the same operator addresses give the
same drafts, so a second run signs the same submissions (RFC 6979) and the ledger answers
"duplicate". Salts of restricted records are derived from the operator's key for the same
reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any, Final

from api.demo.drafts import REGISTRAR, CaSignature, Draft, SampleFile, sample_timestamp
from api.demo.sites import infrastructure_drafts
from filings.areas import Area, AreaCatalogue, load_areas
from filings.bindings import BINDING_KIND, BINDING_SCHEMA, binding_subject
from filings.periods import parse_period
from filings.plans import PLAN_KIND, PLAN_SCHEMA, plan_subject

CITY: Final = "46"
"""The official code of the province, then the city (`filings.areas`)."""
PLAN_FILES: Final = (("plan-254-kh-ubnd.json", date(2023, 7, 20)),
                     ("plan-455-kh-ubnd.json", date(2025, 11, 28)))
"""The sample plans and the day each is filed."""
MOBILE: Final = ("vnpt", "viettel", "mobifone")
FIXED: Final = ("vnpt", "viettel", "fpt")
DISTRICT_PERIODS: Final = ("2023", "2024", "2025-H1")
YEARS: Final = ("2023", "2024", "2025")
REPORTED_2025: Final = (
    "Kết quả năm 2025 do Sở KH&CN thành phố Huế công bố (baomoi, \"Thúc đẩy chuyển đổi số\"). "
    "Result for 2025 published by the Huế Department of Science and Technology."
)


@dataclass(frozen=True, slots=True)
class SampleOperator:
    """A sample operator: a slug for its key file, its registry name and licence number, and
    the tax code (MST) of its organisation certificate, None when it signs with EIP-712 only.
    The codes are samples: valid check digits under Huế's prefix 33, not the companies' own."""

    slug: str
    name: str
    licence: str
    tax_code: str | None = None


SAMPLE_OPERATORS: Final = (
    SampleOperator("vnpt", "VNPT Huế (sample data)", "SAMPLE-GP-VNPT-01", "3300103668"),
    SampleOperator("viettel", "Viettel Huế (sample data)", "SAMPLE-GP-VTL-02", "3300104277"),
    SampleOperator("mobifone", "MobiFone Huế (sample data)", "SAMPLE-GP-MBF-03"),
    SampleOperator("fpt", "FPT Telecom Huế (sample data)", "SAMPLE-GP-FPT-04"),
)
CA_SIGNED: Final[dict[str, CaSignature]] = {
    "smartphone/vnpt/2025": "cms", "ftth/vnpt/2025": "cms-only", "bts/vnpt/46/2025": "cms",
    "report/vnpt/2025": "pades", "report/viettel/2025": "pades",
}
"""The drafts signed with an organisation certificate, by key: beside EIP-712, or (`cms-only`)
instead of it."""
BOUND_ON: Final = date(2025, 12, 1)
"""The day the registrar binds the operators to their tax codes: before any draft of
`CA_SIGNED` (a binding counts for the records signed from its `issued_at` on)."""


def sample_drafts(addresses: Mapping[str, str]) -> list[Draft]:
    """Every sample filing: plans first, then figures, permits, reports, the infrastructure
    (`api.demo.sites`), corrections last.

    `addresses` maps each sample operator's slug to its EIP-55 address.
    """
    drafts = plan_drafts() + binding_drafts(addresses)
    figures = _figure_drafts()
    drafts += figures + _compiled_drafts()
    drafts += _permit_drafts(addresses)
    drafts += _report_drafts(figures)
    drafts += infrastructure_drafts(addresses)
    drafts += _corrections(figures)
    return [replace(draft, ca_signature=CA_SIGNED[draft.key]) if draft.key in CA_SIGNED
            else draft for draft in drafts]


def binding_drafts(addresses: Mapping[str, str]) -> list[Draft]:
    """The registrar's `binding/1` of each operator with a tax code: by that code alone, so
    that a new certificate (each demo run makes one) still carries the bound identity, as a
    renewed certificate does."""
    return [Draft(key=f"binding/{operator.slug}", operator=REGISTRAR, kind=BINDING_KIND,
                  schema=BINDING_SCHEMA, subject=binding_subject(addresses[operator.slug]),
                  body={"operator": addresses[operator.slug], "organisation": operator.name,
                        "tax_code": operator.tax_code, "fingerprints": []},
                  issued_at=sample_timestamp(BOUND_ON))
            for operator in SAMPLE_OPERATORS if operator.tax_code is not None]


def restricted_salt(private_key: bytes, draft: Draft) -> bytes | None:
    """The 32-byte salt of a restricted draft (derived, so a rerun files the same record)."""
    if not draft.restricted:
        return None
    return hmac.new(private_key, b"infraledger sample salt\n" + draft.key.encode(),
                    hashlib.sha256).digest()


@cache
def sample_plans() -> tuple[dict[str, Any], ...]:
    """The `plan/1` bodies of `api/demo/plans/`, in `PLAN_FILES` order."""
    folder = resources.files("api.demo") / "plans"
    return tuple(json.loads((folder / name).read_text(encoding="utf-8"))
                 for name, _ in PLAN_FILES)


def plan_drafts() -> list[Draft]:
    """The sample plans, signed by the registrar on their filing days."""
    drafts = []
    for body, (_, filed) in zip(sample_plans(), PLAN_FILES, strict=True):
        document = body["document"]
        subject = plan_subject(document["number"], date.fromisoformat(document["date"]))
        drafts.append(Draft(key=subject, operator=REGISTRAR, kind=PLAN_KIND, schema=PLAN_SCHEMA,
                            subject=subject, body=body, issued_at=sample_timestamp(filed)))
    return drafts


def _filed(period: str, days: int = 15) -> int:
    """When a figure of `period` is filed: `days` after the period ends."""
    return sample_timestamp(parse_period(period).as_of + timedelta(days=days))


def sub_areas(catalogue: AreaCatalogue, day: date) -> tuple[Area, ...]:
    """The units directly under the province or city on `day`, by code."""
    city = catalogue.resolve(CITY, day)
    return tuple(area for area in catalogue.on(day) if catalogue.parent(area, day) == city)


def figure(key: str, signer: str, indicator: str, area: str, period: str, value: float, *,
           unit: str = "%", counts: tuple[int, int] | None = None, note: str | None = None,
           issued_at: int | None = None) -> Draft:
    """An `indicator/2` draft."""
    body: dict[str, Any] = {"indicator": indicator, "area": area, "period": period,
                            "value": value, "unit": unit}
    if counts is not None:
        body["numerator"], body["denominator"] = counts
    if note is not None:
        body["note"] = note
    return Draft(key=key, operator=signer, kind="indicator", schema="indicator/2",
                 subject=f"indicator:{indicator}:{area}:{period}", body=body,
                 issued_at=_filed(period) if issued_at is None else issued_at)


def _ratio(numerator: int, denominator: int) -> float:
    return round(100 * numerator / denominator, 1)


_BTS_SHARE: Final = {"2023": 0.14, "2024": 0.19, "2025-H1": 0.22, "2025": 0.25}
_SMARTPHONE_SHARE: Final = {"2023": 0.71, "2024": 0.76, "2025": 0.80}
_FTTH: Final = {"vnpt": (86.0, 93.5, 98.2), "viettel": (88.5, 95.0, 99.1),
                "fpt": (61.0, 70.5, 78.0)}


def _figure_drafts() -> list[Draft]:
    catalogue = load_areas()
    drafts: list[Draft] = []
    for period in (*DISTRICT_PERIODS, "2025"):
        areas = sub_areas(catalogue, parse_period(period).as_of)
        for operator in MOBILE:
            rng = random.Random(f"bts/{operator}/{period}")
            shared = sites = 0
            for area in areas:
                total = rng.randint(20, 120) if area.level == "district" else rng.randint(4, 40)
                share = min(max(_BTS_SHARE[period] + rng.uniform(-0.07, 0.07), 0.0), 1.0)
                count = round(total * share)
                shared, sites = shared + count, sites + total
                drafts.append(figure(f"bts/{operator}/{area.code}/{period}", operator,
                                     "bts_shared_ratio", area.code, period,
                                     _ratio(count, total), counts=(count, total)))
            drafts.append(figure(f"bts/{operator}/{CITY}/{period}", operator, "bts_shared_ratio",
                                 CITY, period, _ratio(shared, sites), counts=(shared, sites)))
    for position, year in enumerate(YEARS):
        for operator in MOBILE:
            rng = random.Random(f"smartphone/{operator}/{year}")
            total = rng.randint(200_000, 600_000)
            count = round(total * (_SMARTPHONE_SHARE[year] + rng.uniform(-0.03, 0.03)))
            drafts.append(figure(f"smartphone/{operator}/{year}", operator,
                                 "smartphone_subscription_ratio", CITY, year,
                                 _ratio(count, total), counts=(count, total)))
        for operator in FIXED:
            drafts.append(figure(f"ftth/{operator}/{year}", operator, "village_ftth_ratio", CITY,
                                 year, _FTTH[operator][position]))
    communes = sub_areas(catalogue, parse_period("2026-H1").as_of)
    for operator, covered in (("viettel", communes), ("vnpt", communes[::4]),
                              ("mobifone", communes[2::4])):
        rng = random.Random(f"mobile/{operator}/2026-H1")
        for area in covered:
            value = 100.0 if operator == "viettel" else round(rng.uniform(82, 100), 1)
            drafts.append(figure(f"mobile/{operator}/{area.code}/2026-H1", operator,
                                 "village_mobile_broadband_ratio", area.code, "2026-H1", value))
    return drafts


def _compiled_drafts() -> list[Draft]:
    """The department's city figures: for `declared/1` targets, and its published 2025
    results."""
    issued = _filed("2025", days=31)
    compiled = [
        ("internet_user_ratio", "2023", 84.6, None), ("internet_user_ratio", "2024", 88.9, None),
        ("internet_user_ratio", "2025", 91.7, None),
        ("village_ftth_ratio", "2023", 92.4, None), ("village_ftth_ratio", "2024", 97.0, None),
        ("village_ftth_ratio", "2025", 100.0, REPORTED_2025),
        ("village_mobile_broadband_ratio", "2025", 100.0, REPORTED_2025),
        ("bts_shared_ratio", "2025", 13.0, REPORTED_2025),
        ("cable_pole_shared_ratio", "2025", 92.0, REPORTED_2025),
        ("cable_duct_shared_ratio", "2025", 49.0, REPORTED_2025),
        ("village_mobile_broadband_ratio", "2026-H1", 100.0, None),
        ("broadband_user_ratio", "2026-H1", 90.4, None),
    ]
    return [figure(f"compiled/{indicator}/{period}", REGISTRAR, indicator, CITY, period, value,
                   note=note, issued_at=issued if note else None)
            for indicator, period, value, note in compiled]


_PERMITS: Final = (
    # (commune as named before 2025-07-01, lat, lon, number, type, sharing, holder, landowner,
    #  year)
    ("Lộc Tiến", 16.280, 107.900, "125/GP-STTTT", "bts_site", ("viettel", "vnpt"),
     "Viettel Huế", None, 2023),
    ("A Ngo", 16.220, 107.250, "31/GP-STTTT", "bts_site", ("vnpt", "mobifone", "viettel"),
     "VNPT Huế", None, 2023),
    ("Hương Phú", 16.160, 107.700, "44/GP-STTTT", "antenna_mast", ("mobifone",),
     "MobiFone khu vực 3", "Hồ Văn Lợi", 2024),
    ("Phong Thu", 16.560, 107.340, "58/GP-STTTT", "bts_site", ("viettel", "fpt"),
     "Viettel Huế", None, 2024),
    ("Phú Hội", 16.463, 107.590, "07/GP-UBND", "cable_route", ("fpt", "vnpt"),
     "FPT Telecom Huế", None, 2023),
    ("Thủy Dương", 16.400, 107.650, "12/GP-UBND", "duct", ("vnpt", "viettel", "fpt"),
     "VNPT Huế", None, 2024),
    ("Phú Thuận", 16.480, 107.700, "66/GP-SKHCN", "pole_line", ("vnpt", "fpt"), "VNPT Huế",
     "Nguyễn Thị Hoa", 2025),
    ("Quảng Phước", 16.585, 107.505, "71/GP-SKHCN", "bts_site", ("mobifone", "viettel"),
     "MobiFone khu vực 3", None, 2025),
    ("Hương Vân", 16.450, 107.500, "19/GP-UBND", "cable_route", ("viettel",), "Viettel Huế",
     None, 2025),
)


def commune_on(catalogue: AreaCatalogue, name: str, day: date) -> Area:
    """The commune-level unit that held the place of commune `name` (as named before
    2025-07-01) on `day`: that commune, or the unit it merged into."""
    found = [area for area in catalogue.areas.values() if area.level == "commune"
             and area.name_vi.split(" ", 1)[1] == name
             and (area.valid_from is None or area.valid_from < date(2025, 7, 1))]
    area = found[0]
    while not area.valid_on(day):
        successors = catalogue.successors(area)
        if not successors:
            raise LookupError(f"no unit holds {name} on {day}")
        area = catalogue.area(successors[0].successor)
    return area


def _permit_drafts(addresses: Mapping[str, str]) -> list[Draft]:
    catalogue = load_areas()
    drafts = []
    for position, (commune, lat, lon, number, kind, sharing, holder, owner,
                   year) in enumerate(_PERMITS):
        rng = random.Random(f"permit/{number}")
        valid_from = date(year, 3 + position % 9, 10)
        code = commune_on(catalogue, commune, valid_from).code
        body: dict[str, Any] = {
            "number": number, "type": kind,
            "location": {"lat": round(lat + rng.uniform(-0.02, 0.02), 5),
                         "lon": round(lon + rng.uniform(-0.02, 0.02), 5), "commune": code},
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_from.replace(year=valid_from.year + 10).isoformat(),
            "operators": [addresses[slug] for slug in sharing],
            "holder": holder,
        }
        if owner is not None:
            body["personal_data"] = {"name": owner, "phone": f"+84 234 38{position:02d} 123"}
        drafts.append(Draft(
            key=f"permit/{code}/{number}", operator=sharing[0], kind="permit",
            schema="permit/2", subject=f"permit:{code}:{number}", body=body,
            issued_at=sample_timestamp(valid_from), restricted=owner is not None,
        ))
    return drafts


def _report_drafts(figures: Sequence[Draft]) -> list[Draft]:
    """Each operator's yearly report, quoting its own city figures of the year."""
    drafts = []
    for operator in SAMPLE_OPERATORS:
        for year in YEARS:
            quoted = [{"indicator": d.body["indicator"], "area": CITY, "value": d.body["value"],
                       "unit": d.body["unit"]}
                      for d in figures if d.operator == operator.slug
                      and d.body["area"] == CITY and d.body["period"] == year]
            title = f"Báo cáo hạ tầng viễn thông năm {year} — {operator.name}"
            pdf = sample_pdf(title, [f"{item['indicator']}: {item['value']} {item['unit']}"
                                     for item in quoted])
            drafts.append(Draft(
                key=f"report/{operator.slug}/{year}", operator=operator.slug, kind="report",
                schema="report/2", subject=f"report:{year}:annual-infrastructure",
                body={"period": year, "title": title, "indicators": quoted,
                      "summary": "Sample data generated by the InfraLedger demo."},
                issued_at=sample_timestamp(date(int(year) + 1, 2, 1)),
                attachments=(SampleFile(f"bao-cao-{operator.slug}-{year}.pdf",
                                        "application/pdf", pdf),),
            ))
    return drafts


def _corrections(figures: Sequence[Draft]) -> list[Draft]:
    """Two figures filed again by their operator with a corrected value."""
    chosen = [d for d in figures if d.key in ("bts/viettel/478/2024", "ftth/vnpt/2024")]
    corrections = []
    for original in chosen:
        body = dict(original.body)
        if "numerator" in body:
            body["numerator"] -= 1
            body["value"] = _ratio(body["numerator"], body["denominator"])
        else:
            body["value"] = round(body["value"] - 1.5, 1)
        body["note"] = "Số liệu đính chính: lần nộp đầu tính cả trạm đã ngừng hoạt động. " \
                       "Corrected figure: the first filing counted decommissioned sites."
        corrections.append(Draft(
            key=original.key + "/correction", operator=original.operator, kind=original.kind,
            schema=original.schema, subject=original.subject, body=body,
            issued_at=original.issued_at + 30 * 86_400, corrects=original.key,
        ))
    return corrections


def sample_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (Helvetica; Vietnamese marks folded to ASCII)."""
    text = [_ascii(title), "", *map(_ascii, lines), "", "InfraLedger demo: sample data."]
    stream_lines = ["BT /F1 11 Tf 50 780 Td 14 TL"]
    stream_lines += [f"({_pdf_escape(line)}) Tj T*" for line in text]
    stream = "\n".join([*stream_lines, "ET"]).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _ascii(text: str) -> str:
    folded = text.replace("Đ", "D").replace("đ", "d").replace("—", "-")
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if ord(c) < 128)


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

