"""The yearly report (`filings.yearly_report`, `api.routes.reports`, `infraledger report`).

The model on a small ledger in memory: the plans in force, a met and a missed target, the
operators' figures beside the area's, the computed figure beside the declared one, and what is
missing. Then the real server (`live_server`, figures filed and anchored as the page tests file
them): the PDF made twice at one checkpoint is the same bytes, parsed back it holds the figures
and the Vietnamese words, its QR codes decode to the record pages of the figures; `infraledger
report --year 2024 --file` files it as a `report/2` record of the registrar that
`infraledger-verify` verifies, whose attachment is the PDF the server makes again at that
checkpoint; the page links to it; and bad years are refused in one line. With `--cert-key` on a
ledger that takes CA signatures (the test PKI's services on 127.0.0.1), the PDF is signed with
PAdES by the department's certificate, the one the registrar's binding names: the record shows
the `pades` signature valid, and the PDF the ledger serves is the signed one, whose signature
checks against fresh evidence; a missing key file, a wrong password, a certificate the binding
does not name and no binding at all are each refused in one line, the log unchanged.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import zxingcpp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from PIL import Image
from pypdf import PdfReader

from api.admin.report import PdfSigning, fetch_report, file_report
from api.app import create_app
from api.cli import main
from api.serving import ServerThread
from api.settings import Settings
from api.signatures import HttpxTransport
from api.web.report_document import qr_code, record_url, report_pdf
from client.certificates import load_certificate_key
from filings.areas import load_areas
from filings.bindings import binding_subject
from filings.computed import FORMULAS, ComputedFigure
from filings.figures import DEPARTMENT, FiledFigure
from filings.plans import FiledPlan, PlanBody, PlanBook
from filings.signatures import EvidenceCollector, accept_pdf
from filings.signing import EVIDENCE_TYPE, SubmissionDomain, signer_address
from filings.yearly_report import ReportCheckpoint, YearlyReport, yearly_report
from tests.filings.factories import CITY, PLAN_254, signed
from tests.filings.signatures.pki import MST_A, Issued, TestPki
from tests.filings.test_plans import PLAN_455
from tests.server_fixtures import PLANS, registrar_key
from tests.web.test_pages import (  # noqa: F401 (the fixture)
    ANCHOR_TIMEOUT,
    ISSUED,
    Filed,
    file_records,
    filed,
    submit,
)
from verifier.cli import main as verify

VNPT, VIETTEL, MOBIFONE = "0x" + "a1" * 20, "0x" + "b2" * 20, "0x" + "c3" * 20
REGISTRAR = "0x" + "dd" * 20
NAMES = {VNPT: "VNPT Huế", VIETTEL: "Viettel Huế", MOBIFONE: "MobiFone Huế"}
CHECKPOINT = ReportCheckpoint("test.example/log", 40, "ab" * 32, 1_767_225_600)
COMMUNE = next(a.code for a in load_areas().on(date(2025, 12, 31)) if a.level == "commune")


def plan_record(index: int, body: dict[str, object]) -> FiledPlan:
    parsed = PlanBody.model_validate(body)
    return FiledPlan(f"{index:064x}", index, REGISTRAR, 1_700_000_000, parsed.subject(), None,
                     parsed)


def figure(index: int, signer: str, indicator: str, area: str, period: str, value: float,
           counts: tuple[int, int] | None = None) -> FiledFigure:
    numerator, denominator = counts if counts else (None, None)
    return FiledFigure(index, f"{index:064x}", signer, 1_760_000_000 + index, indicator, area,
                       period, value, "%", numerator, denominator)


def small_report(year: int) -> YearlyReport:
    book = PlanBook([plan_record(0, PLAN_254), plan_record(1, PLAN_455)])
    figures = [
        figure(10, VNPT, "bts_shared_ratio", CITY, "2025", 31.0, (31, 100)),
        figure(11, VIETTEL, "bts_shared_ratio", CITY, "2025", 20.0, (20, 100)),
        figure(12, MOBIFONE, "bts_shared_ratio", CITY, "2024", 22.0, (22, 100)),
        figure(13, REGISTRAR, "internet_user_ratio", CITY, "2025", 96.0),
        figure(14, REGISTRAR, "village_ftth_ratio", COMMUNE, "2025", 100.0),
    ]
    computed = [ComputedFigure(FORMULAS["bts_shared_ratio@1"], CITY, date(2025, 12, 31), 27.5,
                               11, 40, ("0x" + "ee" * 32,), ("0x" + "ee" * 32,))]
    return yearly_report(year, CHECKPOINT, book, figures, load_areas(), NAMES, computed)


def test_the_year_is_judged_by_the_plans_in_force_with_what_is_missing() -> None:
    report = small_report(2025)
    assert [p.plan.body.document.number for p in report.plans] == ["254/KH-UBND"]
    assert all(line.judges_year for line in report.plans[0].targets)
    by_code = {item.indicator: item for item in report.indicators}
    assert len(by_code) == len(PLAN_254["targets"])

    bts = by_code["bts_shared_ratio"]
    assert bts.target.value == 30 and bts.judging.plan.index == 0
    (city,) = bts.lines  # 2024's MobiFone figure is not one of 2025's
    assert city.cell.value == 25.5 and city.cell.source == "computed" and bts.met is False
    assert [(f.name, f.value, f.met) for f in city.figures] == [
        ("VNPT Huế", 31.0, True), ("Viettel Huế", 20.0, False)]
    assert city.computed is not None and city.computed.value == 27.5
    assert bts.computed_city is city.computed

    internet = by_code["internet_user_ratio"]
    assert internet.met is True and internet.result is not None
    assert [(f.name, f.declared.compiled) for f in internet.result.figures] == [
        (DEPARTMENT, True)]

    missing = {(m.indicator, m.reason, m.name) for m in report.missing}
    assert ("bts_shared_ratio", "not_filed", "MobiFone Huế") in missing
    assert ("village_ftth_ratio", "no_city_figure", None) in missing
    assert ("smartphone_subscription_ratio", "no_figure", None) in missing
    assert not {m for m in missing if m[0] in ("bts_shared_ratio", "internet_user_ratio")
                and m[1] != "not_filed"}
    assert report.outcomes() == (1, 1, len(by_code) - 2)
    assert report.figure_count == 4


def test_a_year_no_plan_covers_has_no_plans_and_the_next_plan_judges_its_years() -> None:
    assert small_report(2019).plans == () and small_report(2019).indicators == ()
    later = small_report(2027)
    assert [p.plan.body.document.number for p in later.plans] == ["455/KH-UBND"]
    assert {item.indicator for item in later.indicators} == {
        t["indicator"] for t in PLAN_455["targets"]}


def test_the_pdf_is_a_function_of_the_report_in_vietnamese() -> None:
    report = small_report(2025)
    first = report_pdf(report, "https://ledger.example.vn/hue-infra")
    assert first == report_pdf(report, "https://ledger.example.vn/hue-infra")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(first)).pages)
    for words in ("BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH", "Tỷ lệ dùng chung vị trí trạm BTS",
                  "Kính gửi: Ủy ban nhân dân thành phố Huế", "Chưa đạt", "25,5 %", "VNPT Huế",
                  "MobiFone Huế đã khai báo chỉ tiêu này cho năm khác"):
        assert words in text, words
    english = report_pdf(report, "https://ledger.example.vn/hue-infra", "en")
    assert "To: the People's Committee of Huế City" in PdfReader(
        io.BytesIO(english)).pages[0].extract_text()


def decoded_qr_codes(pdf: bytes) -> set[str]:
    """The text of every QR code image of the PDF (zxing-cpp on each embedded image)."""
    found: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            picture = Image.open(io.BytesIO(image.data)).convert("L")
            picture = picture.resize((picture.width * 4, picture.height * 4),
                                     Image.Resampling.NEAREST)
            found.update(result.text for result in zxingcpp.read_barcodes(picture))
    return found


def test_a_qr_code_holds_the_record_page_address() -> None:
    url = record_url("https://ledger.example.vn/hue-infra/", "ab" * 32)
    assert url == "https://ledger.example.vn/hue-infra/records/" + "ab" * 32
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=4, border=2)
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(buffer))] == [url]


def test_the_report_is_made_at_a_checkpoint_filed_and_verified(
        filed: Filed, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    url, settings = filed.url, filed.settings
    made = httpx.get(f"{url}/reports/2024.json", timeout=60).json()
    size = made["checkpoint"]["size"]
    assert size == PLANS + len(filed.ids)
    pdf = httpx.get(f"{url}/reports/2024.pdf", timeout=60).content
    assert pdf == httpx.get(f"{url}/reports/2024.pdf?size={size}", timeout=60).content
    assert hashlib.sha256(pdf).hexdigest() == made["pdf"]["sha256"]
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("Tỷ lệ dùng chung vị trí trạm BTS", "28,4 %", "31,5 %", "Năm 2024",
                  f"{size} hồ sơ", "Sở Khoa học và Công nghệ thành phố Huế", "Chưa đạt"):
        assert words in text, words
    assert reader.metadata is not None
    assert reader.metadata.creation_date is not None
    assert int(reader.metadata.creation_date.timestamp()) == made["checkpoint"]["signed_at"]
    base = settings.public_base_url()
    quoted = {filed.ids[name] for name in ("bts_phu_vang", "bts_hue_old", "bts_hue",
                                           "bts_province", "internet_users")}
    assert filed.ids["bts_phu_vang_first"][:12] not in text  # corrected: not quoted
    assert decoded_qr_codes(pdf) == {record_url(base, record) for record in quoted}

    assert main(["--data-dir", str(settings.data_dir), "report", "--year", "2024", "--out",
                 str(tmp_path), "--file", "--url", url]) == 0
    out = capsys.readouterr().out
    record_id = out.split("record ")[1].split(":")[0]
    written = tmp_path / f"bao-cao-2024-checkpoint-{size}.pdf"
    assert written.read_bytes() == pdf and written.with_suffix(".html").exists()
    # The same checkpoint (the filed report itself may be anchored by now: a later one).
    assert main(["--data-dir", str(settings.data_dir), "report", "--year", "2024", "--size",
                 str(size), "--out", str(tmp_path), "--file", "--url", url]) == 0
    assert f"already filed as record {record_id}" in capsys.readouterr().out

    record = httpx.get(f"{url}/v1/records/{record_id}", timeout=30).json()
    assert record["entry"]["kind"] == "report" and record["entry"]["schema"] == "report/2"
    assert record["entry"]["subject"] == "report:2024:yearly-plan-report"
    assert [a["sha256"] for a in record["attachments"]] == [made["pdf"]["sha256"]]
    # internet_user_ratio is the department's to compile (declared/1): an operator's figure
    # is quoted, but the city has no result.
    assert record["body"]["indicators"] == [
        {"indicator": "bts_shared_ratio", "area": CITY, "value": 28.4, "unit": "%"}]
    deadline = time.monotonic() + ANCHOR_TIMEOUT
    while httpx.get(f"{url}/v1/records/{record_id}", timeout=30).json()["status"] != "anchored":
        assert time.monotonic() < deadline, "the filed report is not anchored"
        time.sleep(0.2)
    trust = tmp_path / "trust.json"
    assert verify(["trust", "init", "--ledger", url, "--trust", str(trust)]) == 0
    assert verify(["record", record_id, "--ledger", url, "--trust", str(trust)]) == 0
    attachment = httpx.get(f"{url}/v1/attachments/{made['pdf']['sha256']}", timeout=30)
    assert attachment.content == httpx.get(f"{url}/reports/2024.pdf?size={size}",
                                           timeout=60).content

    page = httpx.get(f"{url}/reports/2024", timeout=60).text
    assert f'data-filed="{record_id}"' in page and f'href="/records/{record_id}"' in page


def test_bad_years_are_refused_with_a_code_and_one_line(
        filed: Filed, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    url, settings = filed.url, filed.settings
    for path, code in (("/reports/2019", "no_plan_in_force"), ("/reports/19x9.pdf",
                                                                "invalid_year"),
                       ("/reports/2024.pdf?size=999999", "report_not_ready")):
        answer = httpx.get(url + path, timeout=30)
        assert 400 <= answer.status_code < 500 and answer.json()["code"] == code, path
    common = ["--data-dir", str(settings.data_dir), "report", "--url", url]
    assert main([*common, "--year", "2019"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no_plan_in_force" in error
    assert main([*common, "--year", "24"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "want four digits" in error


def test_settings_name_where_the_pages_are_read(settings_for_url: Settings) -> None:
    assert settings_for_url.public_base_url() == "https://pages.example.vn/hue"


@pytest.fixture
def settings_for_url(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, public_url="https://pages.example.vn/hue/")


@pytest.fixture
def ca_filed(ledger_settings: Settings, ledger_domain: SubmissionDomain, inspector_token: str,
             pki: TestPki, tmp_path: Path) -> Iterator[Filed]:
    """`filed`, on a ledger that takes CA signatures under the test PKI's root (fetching its
    evidence from loopback)."""
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.root.cert.public_bytes(serialization.Encoding.PEM))
    settings = ledger_settings.model_copy(update={
        "ca_signatures": True, "signing_roots_file": roots, "signing_loopback_urls": True})
    with ServerThread(create_app(settings)) as url:
        yield Filed(url, file_records(url, ledger_domain, inspector_token), settings,
                    ledger_domain)


def bind_registrar(ledger: Filed, tax_code: str = MST_A) -> None:
    """The registrar binds its own address (the department) to `tax_code`; returns once the
    binding is anchored (the report is made at the latest anchored checkpoint)."""
    key = registrar_key(ledger.settings)
    department = signer_address(key)
    body = {"operator": department, "organisation": DEPARTMENT, "tax_code": tax_code,
            "fingerprints": []}
    with httpx.Client(base_url=ledger.url, timeout=30) as client:
        submit(client, signed("binding", "binding/1", binding_subject(department), body,
                              key=key, domain=ledger.domain, issued_at=ISSUED + 100))
        deadline = time.monotonic() + ANCHOR_TIMEOUT
        while (log := client.get("/v1/log").json())["anchored_size"] < log["tree_size"]:
            assert time.monotonic() < deadline, f"not anchored in {ANCHOR_TIMEOUT} s: {log}"
            time.sleep(0.1)


def pkcs12_file(path: Path, issued: Issued, pki: TestPki, password: bytes) -> Path:
    """The certificate, its key and the CA's certificate, as a CA hands them out."""
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"department", issued.key, issued.cert, [pki.ca.cert],
        serialization.BestAvailableEncryption(password)))
    return path


def pem_file(path: Path, issued: Issued, pki: TestPki) -> Path:
    path.write_bytes(issued.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()) + issued.cert.public_bytes(serialization.Encoding.PEM)
        + pki.ca.cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_the_report_filed_with_the_departments_certificate_carries_a_valid_pades_signature(
        ca_filed: Filed, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, settings = ca_filed.url, ca_filed.settings
    bind_registrar(ca_filed)
    certificate = pkcs12_file(tmp_path / "department.p12", pki.operators["rsa"], pki,
                              b"mat-khau-so")
    password = tmp_path / "password.txt"
    password.write_text("mat-khau-so\n")
    made = httpx.get(f"{url}/reports/2024.json", timeout=60).json()
    unsigned = httpx.get(f"{url}/reports/2024.pdf?size={made['checkpoint']['size']}",
                         timeout=60).content
    command = ["--data-dir", str(settings.data_dir), "report", "--year", "2024", "--out",
               str(tmp_path), "--file", "--url", url, "--cert-key", str(certificate),
               "--cert-password-file", str(password)]
    capsys.readouterr()
    assert main(command) == 0
    out = capsys.readouterr().out
    record_id = out.split("filed as record ")[1].split(":")[0]
    written = (tmp_path / made["pdf"]["name"]).read_bytes()

    record = httpx.get(f"{url}/v1/records/{record_id}", timeout=30).json()
    assert record["entry"]["operator"] == signer_address(registrar_key(settings))
    assert [(s["format"], s["status"]) for s in record["signatures"]] == [
        ("eip712", "valid"), ("pades", "valid")]
    pades = record["signatures"][1]
    assert pades["tax_code"] == MST_A and f"UID=MST:{MST_A}" in pades["signer"]
    [pdf] = [a for a in record["attachments"] if a["type"] == "application/pdf"]
    assert {a["type"] for a in record["attachments"]} == {"application/pdf", EVIDENCE_TYPE}
    assert pades["attachment"] == pdf["sha256"] and pdf["name"] == made["pdf"]["name"]
    served = httpx.get(f"{url}/v1/attachments/{pdf['sha256']}", timeout=30).content
    assert served == written and hashlib.sha256(written).hexdigest() == pdf["sha256"]
    # Signing appended a revision: the PDF the server makes again is its first bytes.
    assert written.startswith(unsigned) and len(written) > len(unsigned)
    with httpx.Client(timeout=10, trust_env=False) as http:
        results, _ = accept_pdf(served, identity=TestPki.identity(), collector=EvidenceCollector(
            pki.roots(), HttpxTransport(http), url_allowed=lambda u: u.startswith(
                "http://127.0.0.1:")))
    assert [result.status for result in results] == ["valid"]

    # Filed again at the same checkpoint (signed afresh, so other bytes): the same report.
    again = file_report(url, registrar_key(settings), fetch_report(
        url, 2024, made["checkpoint"]["size"]), PdfSigning(load_certificate_key(
            certificate, password)))
    assert (again.record_id, again.new, again.pdf) == (record_id, False, written)
    page = httpx.get(f"{url}/reports/2024", timeout=60).text
    assert f'data-filed="{record_id}"' in page


def test_a_bad_certificate_is_refused_in_one_line_and_nothing_is_filed(
        ca_filed: Filed, pki: TestPki, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    url, settings = ca_filed.url, ca_filed.settings
    good = pkcs12_file(tmp_path / "department.p12", pki.operators["rsa"], pki, b"dung")
    right, wrong = tmp_path / "right.txt", tmp_path / "wrong.txt"
    right.write_text("dung\n")
    wrong.write_text("sai\n")
    other = pem_file(tmp_path / "other.pem", pki.operators["ec"], pki)  # MST_B's
    common = ["--data-dir", str(settings.data_dir), "report", "--year", "2024", "--out",
              str(tmp_path), "--url", url]

    def log_size() -> int:
        size: int = httpx.get(f"{url}/v1/log", timeout=30).json()["tree_size"]
        return size

    def refused(options: list[str], code: int, words: str) -> None:
        before = log_size()
        capsys.readouterr()
        assert main([*common, *options]) == code, options
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and words in error, error
        assert log_size() == before

    # The registrar is not bound to any certificate yet.
    refused(["--file", "--cert-key", str(good), "--cert-password-file", str(right)], 1,
            "is bound to no certificate")
    bind_registrar(ca_filed)
    refused(["--file", "--cert-key", str(tmp_path / "missing.p12")], 2, "cannot read")
    refused(["--file", "--cert-key", str(good), "--cert-password-file", str(wrong)], 2,
            "wrong password")
    refused(["--file", "--cert-key", str(other)], 1, "not the one bound")
    refused(["--cert-key", str(good)], 2, "--cert-key is for --file")
    reports = httpx.get(f"{url}/v1/records", params={
        "kind": "report", "operator": signer_address(registrar_key(settings))},
        timeout=30).json()["records"]
    assert reports == []

