"""The demo's sample filings: realistic, deterministic, and clearly marked as sample data.

Four sample operators (named after the province's real carriers, with keys made for the demo)
report every plan 254 indicator for 2023, 2024 and 2025 per area, file permits for BTS sites,
masts and cable routes (some shared between operators, some restricted because they name a
landowner), yearly reports with a PDF made on the spot, and a few corrections. Values move
towards the 2025 targets; some miss them, as real figures do.

Everything here is pure: the same catalogue and operator addresses give the same drafts, so a
second demo run signs the same submissions (RFC 6979 signatures are deterministic) and the
ledger answers "duplicate" instead of filing twice. Salts of restricted records are derived
from the operator's key for the same reason.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from filings.catalogue import Catalogue, Indicator

SAMPLE_YEARS: Final = (2023, 2024, 2025)


@dataclass(frozen=True, slots=True)
class SampleOperator:
    """A sample operator: a slug for its key file, its registry name and licence number."""

    slug: str
    name: str
    licence: str


SAMPLE_OPERATORS: Final = (
    SampleOperator("vnpt", "VNPT Thừa Thiên Huế (sample data)", "SAMPLE-GP-VNPT-01"),
    SampleOperator("viettel", "Viettel Thừa Thiên Huế (sample data)", "SAMPLE-GP-VTL-02"),
    SampleOperator("mobifone", "MobiFone Thừa Thiên Huế (sample data)", "SAMPLE-GP-MBF-03"),
    SampleOperator("fpt", "FPT Telecom Huế (sample data)", "SAMPLE-GP-FPT-04"),
)

# Approximate centres of the district-level areas (WGS 84), for sample permit locations.
_CENTRES: Final[Mapping[str, tuple[float, float, str]]] = {
    "hue": (16.463, 107.590, "Phú Hội"),
    "phong_dien": (16.560, 107.340, "Phong Thu"),
    "quang_dien": (16.585, 107.505, "Quảng Phước"),
    "phu_vang": (16.480, 107.700, "Phú Thuận"),
    "huong_thuy": (16.400, 107.650, "Thủy Dương"),
    "huong_tra": (16.450, 107.500, "Hương Vân"),
    "a_luoi": (16.220, 107.250, "A Ngo"),
    "phu_loc": (16.280, 107.900, "Lộc Tiến"),
    "nam_dong": (16.160, 107.700, "Hương Phú"),
}


@dataclass(frozen=True, slots=True)
class SampleFile:
    """An attachment made on the spot."""

    name: str
    type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Draft:
    """One record to file: what the operator signs, before signing.

    `key` names the draft uniquely; `corrects` is the key of the draft this one supersedes
    (its record id is known only once that one is filed).
    """

    key: str
    operator: str
    kind: str
    schema: str
    subject: str
    body: dict[str, Any]
    issued_at: int
    restricted: bool = False
    attachments: tuple[SampleFile, ...] = ()
    corrects: str | None = None


def sample_drafts(catalogue: Catalogue, addresses: Mapping[str, str]) -> list[Draft]:
    """Every sample filing, originals first and corrections last.

    `addresses` maps each sample operator's slug to its EIP-55 address.
    """
    drafts = _indicator_drafts(catalogue)
    drafts += _permit_drafts(addresses)
    drafts += _report_drafts(catalogue)
    drafts += _corrections(drafts)
    return drafts


def restricted_salt(private_key: bytes, draft: Draft) -> bytes | None:
    """The 32-byte salt of a restricted draft (derived, so a rerun files the same record)."""
    if not draft.restricted:
        return None
    return hmac.new(private_key, b"infraledger sample salt\n" + draft.key.encode(),
                    hashlib.sha256).digest()


def _timestamp(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC).timestamp())


def _value(indicator: Indicator, area: str, year: int) -> float:
    """A plausible figure: about 70% of the way to the target in 2023, close to it in 2025."""
    rng = random.Random(f"{indicator.code}/{area}/{year}")
    progress = {2023: 0.72, 2024: 0.86, 2025: 0.97}[year] + rng.uniform(-0.08, 0.08)
    value = indicator.target * progress
    if indicator.direction == "at_most":
        value = indicator.target * (2 - progress)
    if indicator.max_value is not None:
        value = min(value, indicator.max_value)
    return round(max(value, 0.0), 1 if indicator.unit == "%" else 2)


def _indicator_drafts(catalogue: Catalogue) -> list[Draft]:
    drafts = []
    slugs = [operator.slug for operator in SAMPLE_OPERATORS]
    for position, indicator in enumerate(catalogue.indicators.values()):
        for area in catalogue.areas_of(indicator):
            for year in SAMPLE_YEARS:
                body: dict[str, Any] = {
                    "indicator": indicator.code, "area": area.code, "period": str(year),
                    "value": _value(indicator, area.code, year), "unit": indicator.unit,
                }
                drafts.append(Draft(
                    key=f"indicator/{indicator.code}/{area.code}/{year}",
                    operator=slugs[(position + len(area.code)) % len(slugs)],
                    kind="indicator", schema="indicator/1",
                    subject=f"indicator:{indicator.code}:{area.code}:{year}",
                    body=body, issued_at=_timestamp(date(year + 1, 1, 15)),
                ))
    return drafts


_PERMITS: Final = (
    # (district, number, type, sharing operators, holder, landowner or None, year)
    ("phu_loc", "125/GP-STTTT", "bts_site", ("viettel", "vnpt"), "Viettel Thừa Thiên Huế", None,
     2023),
    ("a_luoi", "31/GP-STTTT", "bts_site", ("vnpt", "mobifone", "viettel"), "VNPT Thừa Thiên Huế",
     None, 2023),
    ("nam_dong", "44/GP-STTTT", "antenna_mast", ("mobifone",), "MobiFone khu vực 3",
     "Hồ Văn Lợi", 2024),
    ("phong_dien", "58/GP-STTTT", "bts_site", ("viettel", "fpt"), "Viettel Thừa Thiên Huế", None,
     2024),
    ("hue", "07/GP-UBND", "cable_route", ("fpt", "vnpt"), "FPT Telecom Huế", None, 2023),
    ("huong_thuy", "12/GP-UBND", "duct", ("vnpt", "viettel", "fpt"), "VNPT Thừa Thiên Huế", None,
     2024),
    ("phu_vang", "66/GP-STTTT", "pole_line", ("vnpt", "fpt"), "VNPT Thừa Thiên Huế",
     "Nguyễn Thị Hoa", 2025),
    ("quang_dien", "71/GP-STTTT", "bts_site", ("mobifone", "viettel"), "MobiFone khu vực 3",
     None, 2025),
    ("huong_tra", "19/GP-UBND", "cable_route", ("viettel",), "Viettel Thừa Thiên Huế", None,
     2025),
)


def _permit_drafts(addresses: Mapping[str, str]) -> list[Draft]:
    drafts = []
    for position, (district, number, kind, sharing, holder, owner, year) in enumerate(_PERMITS):
        lat, lon, commune = _CENTRES[district]
        rng = random.Random(f"permit/{number}")
        valid_from = date(year, 3 + position % 9, 10)
        body: dict[str, Any] = {
            "number": number, "type": kind,
            "location": {"lat": round(lat + rng.uniform(-0.02, 0.02), 5),
                         "lon": round(lon + rng.uniform(-0.02, 0.02), 5),
                         "commune": commune, "district": district},
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_from.replace(year=valid_from.year + 10).isoformat(),
            "operators": [addresses[slug] for slug in sharing],
            "holder": holder,
        }
        if owner is not None:
            body["personal_data"] = {"name": owner, "phone": f"+84 234 38{position:02d} 123"}
        drafts.append(Draft(
            key=f"permit/{district}/{number}", operator=sharing[0], kind="permit",
            schema="permit/1", subject=f"permit:{district}:{number}", body=body,
            issued_at=_timestamp(valid_from), restricted=owner is not None,
        ))
    return drafts


def _report_drafts(catalogue: Catalogue) -> list[Draft]:
    drafts = []
    province = catalogue.province.code
    quoted = [item for item in catalogue.indicators.values()][:6]
    for operator in SAMPLE_OPERATORS:
        for year in SAMPLE_YEARS:
            figures = [
                {"indicator": item.code, "area": province, "value": _value(item, province, year),
                 "unit": item.unit}
                for item in quoted
            ]
            title = f"Báo cáo hạ tầng viễn thông năm {year} — {operator.name}"
            pdf = sample_pdf(title, [f"{item['indicator']}: {item['value']} {item['unit']}"
                                     for item in figures])
            drafts.append(Draft(
                key=f"report/{operator.slug}/{year}", operator=operator.slug, kind="report",
                schema="report/1", subject=f"report:{year}:annual-infrastructure",
                body={"period": str(year), "title": title, "indicators": figures,
                      "summary": "Sample data generated by the InfraLedger demo."},
                issued_at=_timestamp(date(year + 1, 2, 1)),
                attachments=(SampleFile(f"bao-cao-{operator.slug}-{year}.pdf",
                                        "application/pdf", pdf),),
            ))
    return drafts


def _corrections(drafts: list[Draft]) -> list[Draft]:
    """A few figures filed again with a corrected value, superseding the first filing."""
    chosen = [d for d in drafts if d.kind == "indicator" and d.body["period"] == "2024"][::40][:4]
    corrections = []
    for original in chosen:
        body = dict(original.body)
        body["value"] = round(body["value"] * 0.97, 1)
        body["note"] = "Corrected figure: the first filing counted decommissioned sites."
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
