"""`infraledger demo`: the sample is filed through the real API, anchored, and every sample
record verifies with the independent verifier; the records the demo signs with its sample PKI's
organisation certificates (CMS, PAdES) are accepted with valid CA signatures of the identities
that PKI made, under a pinned root marked sample; a second run files nothing twice."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import lxml.html
import pytest
from cryptography.x509.oid import NameOID

from api.app import create_app
from api.cli import main
from api.demo.command import DEPARTMENT_NAME, DEPARTMENT_TAX_CODE, REPORT_YEAR
from api.demo.drafts import Draft
from api.demo.pki import CA_NAME, ROOT_NAME, ROOTS_FILE
from api.demo.sample import CA_SIGNED, SAMPLE_OPERATORS, sample_drafts
from api.serving import ServerThread
from api.settings import load_settings
from api.web.wording import number_en, number_vi
from filings.infrastructure import distance_m, vn2000_to_wgs84
from filings.signatures import TrustRoots
from filings.signing import signer_address
from filings.yearly_report import report_subject
from verifier.cli import main as verify

pytestmark = pytest.mark.slow
"""A long file: `tests/conftest.py` starts it among the first."""


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo's data directory after a first run, and what the run printed."""
    directory = tmp_path_factory.mktemp("demo")
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert main(["demo", "--data-dir", str(directory), "--port", "0", "--seed-only"]) == 0
    return directory, printed.getvalue()


@pytest.fixture(scope="module")
def demo_dir(demo_run: tuple[Path, str]) -> Path:
    return demo_run[0]


@pytest.fixture
def served(demo_dir: Path) -> Iterator[str]:
    with ServerThread(create_app(load_settings(demo_dir), jobs=False)) as url:
        yield url


def _addresses(demo_dir: Path) -> dict[str, str]:
    keys = demo_dir / "keys" / "operators"
    return {operator.slug: signer_address(bytes.fromhex(
        (keys / f"{operator.slug}.key").read_text().splitlines()[-1].removeprefix("0x")))
        for operator in SAMPLE_OPERATORS}


def _ledger_state(url: str) -> tuple[int, list[dict[str, object]]]:
    log = httpx.get(f"{url}/v1/log").json()
    anchors = httpx.get(f"{url}/v1/anchors").json()["anchors"]
    return log["tree_size"], anchors


def _all_record_ids(url: str) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{url}/v1/records", params=params).json()
        ids += [record["id"] for record in page["records"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def test_the_sample_material_is_written_and_marked(demo_dir: Path) -> None:
    keys = demo_dir / "keys"
    for operator in SAMPLE_OPERATORS:
        path = keys / "operators" / f"{operator.slug}.key"
        assert "SAMPLE" in path.read_text()
        assert path.stat().st_mode & 0o077 == 0
    assert (keys / "inspector.token").read_text().splitlines()[-1].startswith("ilt_")


def test_every_sample_record_verifies_with_infraledger_verify(
    demo_dir: Path, served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every record, those with CA signatures checked too: from the evidence and the binding
    the ledger serves to anyone, and the demo's pinned sample root."""
    size, anchors = _ledger_state(served)
    everything = _all_record_ids(served)
    assert len(everything) == size
    # The demo waited for its anchor; a record filed since (the submit hint) may not be yet.
    ids = everything[:anchors[-1]["tree_size"]]
    # The sample, the department's binding, then its yearly report of 2025 (`api.demo.command`).
    assert len(ids) == len(sample_drafts(_addresses(demo_dir))) + 2 >= 302
    trust = demo_dir / "trust.json"
    assert verify(["trust", "init", "--ledger", served, "--trust", str(trust),
                   "--signing-roots", str(demo_dir / ROOTS_FILE)]) == 0
    failed = [rid for rid in ids
              if verify(["record", rid, "--ledger", served, "--trust", str(trust), "--json"])]
    assert failed == []
    out, decoder, reports = capsys.readouterr().out, json.JSONDecoder(), []
    position = out.find("{")
    while position != -1:
        report, position = decoder.raw_decode(out, position)
        reports.append(report)
        position = out.find("{", position)
    assert [report["record_id"] for report in reports if report["verified"]] == ids
    signed = {report["record_id"]: [(item["format"], item["status"], item["tax_code"])
                                    for item in report["signatures"]]
              for report in reports if report.get("signatures")}
    ca_signed = [_ca_record(served, demo_dir, draft)["id"] for draft in _ca_drafts(demo_dir)]
    ca_signed.append(_department_report(served)["id"])
    assert sorted(signed) == sorted(ca_signed) and len(signed) == len(CA_SIGNED) + 1
    assert {status for shown in signed.values() for _, status, _ in shown} == {"valid"}


def test_the_demos_open_data_verifies_its_figure_signed_with_a_certificate_only(
    demo_dir: Path, tmp_path: Path
) -> None:
    """The export's rows are proven against their records, the figure whose only signature is a
    CMS by its CMS (from the evidence and binding the ledger serves); without the pinned root
    that CMS cannot be checked, and its row is a finding."""
    written = tmp_path / "export"
    assert main(["export", str(written), "--data-dir", str(demo_dir)]) == 0
    with ServerThread(create_app(load_settings(demo_dir), jobs=False)) as served:
        _verify_export(demo_dir, served, written, tmp_path)


def _verify_export(demo_dir: Path, served: str, written: Path, tmp_path: Path) -> None:
    [ca_only] = [d for d in _ca_drafts(demo_dir) if d.ca_signature == "cms-only"]
    record = _ca_record(served, demo_dir, ca_only)
    assert record["entry"]["signature"] is None
    assert record["id"] in "".join(path.read_text(encoding="utf-8")
                                   for path in written.rglob("*.csv"))
    trust = tmp_path / "trust.json"
    assert verify(["trust", "init", "--ledger", served, "--trust", str(trust),
                   "--signing-roots", str(demo_dir / ROOTS_FILE)]) == 0
    assert verify(["export", str(written), "--ledger", served, "--trust", str(trust)]) == 0
    # Without the pinned sample root its CMS cannot be checked: who declared it is not proven.
    bare = tmp_path / "bare-trust.json"
    assert verify(["trust", "init", "--ledger", served, "--trust", str(bare)]) == 0
    assert verify(["export", str(written), "--ledger", served, "--trust", str(bare)]) == 1


def _ca_drafts(demo_dir: Path) -> list[Draft]:
    drafts = [d for d in sample_drafts(_addresses(demo_dir)) if d.ca_signature is not None]
    assert {d.key: d.ca_signature for d in drafts} == CA_SIGNED
    return drafts


def _ca_record(url: str, demo_dir: Path, draft: Draft) -> dict[str, Any]:
    """The one record filed for the CA-signed `draft`."""
    listed = httpx.get(f"{url}/v1/records", params={
        "kind": draft.kind, "subject": draft.subject,
        "operator": _addresses(demo_dir)[draft.operator]}).json()["records"]
    assert len(listed) == 1, listed
    record: dict[str, Any] = httpx.get(f"{url}/v1/records/{listed[0]['id']}").json()
    return record


def _department_report(url: str) -> dict[str, Any]:
    """The one record of the department's yearly report the demo files."""
    [listed] = httpx.get(f"{url}/v1/records", params={
        "kind": "report", "subject": report_subject(REPORT_YEAR)}).json()["records"]
    record: dict[str, Any] = httpx.get(f"{url}/v1/records/{listed['id']}").json()
    return record


def test_the_departments_report_is_pades_signed_by_its_sample_certificate(served: str
                                                                         ) -> None:
    record = _department_report(served)
    assert [(item["format"], item["status"]) for item in record["signatures"]] == [
        ("eip712", "valid"), ("pades", "valid")]
    pades = record["signatures"][1]
    assert pades["tax_code"] == DEPARTMENT_TAX_CODE and f"O={DEPARTMENT_NAME}" in pades["signer"]
    [pdf] = [item for item in record["attachments"] if item["type"] == "application/pdf"]
    assert pades["attachment"] == pdf["sha256"]


def test_the_ca_signed_records_carry_valid_signatures_of_the_sample_identities(
    demo_dir: Path, served: str
) -> None:
    operators = {operator.slug: operator for operator in SAMPLE_OPERATORS}
    drafts = _ca_drafts(demo_dir)
    assert {d.ca_signature for d in drafts} == {"cms", "cms-only", "pades"}
    for draft in drafts:
        record = _ca_record(served, demo_dir, draft)
        operator = operators[draft.operator]
        assert record["entry"]["operator"] == _addresses(demo_dir)[draft.operator]
        if draft.ca_signature == "cms-only":
            assert record["entry"]["signature"] is None
            ca = record["signatures"]
        else:
            eip712, *ca = record["signatures"]
            assert (eip712["format"], eip712["status"]) == ("eip712", "valid")
            assert eip712["signer"] == _addresses(demo_dir)[draft.operator]
        form = "cms" if draft.ca_signature == "cms-only" else draft.ca_signature
        assert [item["format"] for item in ca] == [form], draft.key
        [signature] = ca
        assert signature["status"] == "valid", signature
        assert signature["tax_code"] == operator.tax_code
        assert f"UID=MST:{operator.tax_code}" in signature["signer"]
        assert f"O={operator.name}" in signature["signer"]
        assert signature["issuer"].startswith(f"CN={CA_NAME}")
        assert signature["message"] == {"vi": "Chữ ký số hợp lệ",
                                        "en": "The digital signature is valid"}
        if draft.ca_signature == "pades":
            [pdf] = [item for item in record["attachments"] if item["type"] == "application/pdf"]
            assert signature["attachment"] == pdf["sha256"]


def test_the_pinned_root_is_marked_sample_and_no_key_of_the_pki_is_kept(
    demo_run: tuple[Path, str]
) -> None:
    demo_dir, printed = demo_run
    config = json.loads((demo_dir / "config.json").read_text())
    roots_file = demo_dir / ROOTS_FILE
    assert config["ca_signatures"] is True
    assert Path(config["signing_roots_file"]) == roots_file.resolve()
    assert "signing_loopback_urls" not in config
    text = roots_file.read_text(encoding="ascii")
    assert text.startswith("# SAMPLE") and "NOT the NEAC national root" in text
    [root] = TrustRoots.load(roots_file).certificates
    [common] = root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    assert common.value == ROOT_NAME and "SAMPLE" in ROOT_NAME and "not NEAC" in ROOT_NAME
    assert root.issuer == root.subject
    kept = [path for path in demo_dir.rglob("*") if path.is_file()
            and b"PRIVATE KEY" in path.read_bytes()]
    assert kept == []
    assert "PKI MẪU, không phải NEAC" in printed and "SAMPLE PKI, not NEAC" in printed
    assert f"SAMPLE root pinned: {roots_file.resolve()}" in printed


def test_the_demo_prints_each_ca_signed_record(demo_run: tuple[Path, str], served: str
                                               ) -> None:
    demo_dir, printed = demo_run
    for draft in _ca_drafts(demo_dir):
        record = _ca_record(served, demo_dir, draft)
        assert f"/v1/records/{record['id']}" in printed
    assert f"/v1/records/{_department_report(served)['id']}" in printed
    assert printed.count("Chữ ký số hợp lệ / The digital signature is valid") == \
        len(CA_SIGNED) + 1
    alone = [line for line in printed.splitlines()
             if "(thay cho EIP-712 / instead of EIP-712)" in line]
    assert len(alone) == 1 and alone[0].lstrip().startswith("CMS"), alone


VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)
"""A letter only Vietnamese writes, among those an English sentence of the demo might hold."""


def _vietnamese(text: str) -> bool:
    """`text` has a Vietnamese letter outside the place name Huế (which English writes too)."""
    return VIETNAMESE.search(text.replace("Huế", "")) is not None


def test_the_demo_says_every_line_in_vietnamese_first_then_english(
    demo_run: tuple[Path, str]
) -> None:
    """Each line is `vietnamese / english`, or a Vietnamese line then its English one; a URL or a
    command to copy stands alone on its line, printed once. Counts are written as each language
    writes them."""
    demo_dir, printed = demo_run
    said = [line.strip() for line in printed.splitlines() if line.strip()]
    copied = [line for line in said if line.startswith(("http://", ".venv/bin/", "curl "))]
    assert len(copied) == len(set(copied)) == len(CA_SIGNED) + 1 + 4 + 4
    prose = [line for line in said if line not in copied]
    position = 0
    while position < len(prose):
        line = prose[position]
        if " / " in line:
            vietnamese, english = line.split(" / ", 1)
            assert _vietnamese(vietnamese), line
            assert not _vietnamese(english.split(":")[0]), line
            position += 1
        else:
            assert _vietnamese(line), line
            english = prose[position + 1]
            assert " / " not in english and not _vietnamese(english), (line, english)
            position += 2
    filed = len(sample_drafts(_addresses(demo_dir))) + 1
    assert (f"Đã nộp {number_vi(filed)} bản ghi mẫu: {number_vi(filed)} mới, 0 đã có trong sổ "
            f"cái, 0 bị từ chối / Filed {number_en(filed)} sample records: {number_en(filed)} "
            "new, 0 already in the ledger, 0 rejected") in said
    assert "Mọi bản ghi đã được neo. Mở: / Everything is anchored. Open:" in said
    assert "Làm lại từ đầu / Start again from scratch: make demo-reset" in said


def test_a_second_run_files_nothing_twice_and_keeps_every_anchor(demo_dir: Path) -> None:
    with ServerThread(create_app(load_settings(demo_dir), jobs=False)) as url:
        before = _ledger_state(url)
    assert main(["demo", "--data-dir", str(demo_dir), "--port", "0", "--seed-only"]) == 0
    with ServerThread(create_app(load_settings(demo_dir), jobs=False)) as url:
        after = _ledger_state(url)
        statuses = {item["status"] for draft in _ca_drafts(demo_dir)
                    for item in _ca_record(url, demo_dir, draft)["signatures"]}
    assert after[0] == before[0]
    assert after[1][: len(before[1])] == before[1]
    # The second run's fresh PKI is pinned beside the first's, whose records rest on it.
    assert len(TrustRoots.load(demo_dir / ROOTS_FILE).certificates) == 2
    assert statuses == {"valid"}


def test_the_demo_refuses_a_network_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INFRALEDGER_RPC_URLS", '["http://127.0.0.1:9"]')
    assert main(["demo", "--data-dir", str(tmp_path), "--seed-only"]) == 1
    assert capsys.readouterr().err == (
        "infraledger demo: không chạy được bản trình diễn / bản trình diễn chạy trên chuỗi khối "
        "nhúng riêng của nó: hãy bỏ biến INFRALEDGER_RPC_URLS / the demo runs on its own "
        "embedded chain: unset INFRALEDGER_RPC_URLS\n")
    assert not os.listdir(tmp_path)


def test_the_sample_infrastructure_on_the_map_and_the_home_page(demo_dir: Path, served: str
                                                               ) -> None:
    """All four operators file sites (8 in each of the 40 communes by the mobile operators in
    turn, 10 by FPT Telecom), four still out of service since the floods; shared ducts give
    `cable_duct_shared_ratio@1` a value; some sites carry VN-2000 coordinates the ledger
    accepted; the home page shows each computed figure as `GET /v1/indicators/computed` does."""
    sites = httpx.get(f"{served}/v1/map/sites.geojson").json()["features"]
    assert len(sites) == 40 * 8 + 10
    names = {operator.slug: operator.name for operator in SAMPLE_OPERATORS}
    filed = Counter((f["properties"]["operator"], f["properties"]["operator_name"]) for f in sites)
    assert set(filed) == {(address, names[slug]) for slug, address in _addresses(demo_dir).items()}
    assert filed[(_addresses(demo_dir)["fpt"], names["fpt"])] == 10
    assert sum(f["properties"]["status"] == "out_of_service" for f in sites) == 4
    surveyed = httpx.get(f"{served}/v1/records", params={"subject": "site:VNPT-HUE-00001"}
                         ).json()["records"][-1]
    body = httpx.get(f"{served}/v1/records/{surveyed['id']}").json()["body"]
    assert body["vn2000"]["zone"] == "107-00"
    lat, lon = vn2000_to_wgs84(body["vn2000"]["x"], body["vn2000"]["y"], "107-00")
    assert distance_m(lat, lon, body["position"]["lat"], body["position"]["lon"]) < 0.01

    computed = httpx.get(f"{served}/v1/indicators/computed").json()
    city = {formula["formula"]: next(a for a in formula["areas"] if a["area"] == "46")
            for formula in computed["formulas"]}
    ducts = city["cable_duct_shared_ratio@1"]
    assert (ducts["value"], ducts["numerator"], ducts["denominator"]) == (100, 2, 2)
    assert city["sites_out_of_service@1"]["value"] == 4
    home = lxml.html.fromstring(httpx.get(f"{served}/").text)
    for key, figure in city.items():
        tables = home.xpath(f'//table[@data-computed="{key}"]')
        assert tables, key
        for table in tables:
            [value] = table.xpath('.//td[@data-side="computed"]/a[@class="value"]')
            assert value.xpath('./span[@lang="vi"]/text()') == [
                number_vi(round(figure["value"], 1))], key
            assert value.get("href") == f"/v1/indicators/computed?on={computed['on']}"


def test_the_demos_own_submit_hint_works(
    demo_dir: Path, served: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command the demo prints ("Submit your own") files a record with a sample key file,
    whose first line is the SAMPLE comment. Last in this module: it adds a record that the
    jobs-off server never anchors."""
    key = demo_dir / "keys" / "operators" / "vnpt.key"
    assert key.read_text().startswith("# SAMPLE")
    draft = tmp_path / "figure.json"
    draft.write_text(json.dumps({
        "kind": "indicator", "schema": "indicator/2",
        "subject": "indicator:bts_shared_ratio:46:2024-Q4",
        "body": {"indicator": "bts_shared_ratio", "area": "46", "period": "2024-Q4",
                 "value": 21.5, "unit": "%"},
    }))
    capsys.readouterr()
    assert main(["submit", str(draft), "--key", str(key), "--url", served]) == 0
    record_id, _, status, _ = capsys.readouterr().out.split()
    assert status == "accepted"
    assert httpx.get(f"{served}/v1/records/{record_id}").status_code == 200


def test_the_sample_is_on_the_new_model(served: str) -> None:
    """Plans 254 and 455 by the department; figures by the units of each period's reference
    date, per operator, with the department's compiled city figures; the page shows what it can
    compare and says why it cannot compare the rest."""
    plans = httpx.get(f"{served}/v1/plans").json()["plans"]
    assert [(p["subject"], p["current"]) for p in plans] == [
        ("plan:2023:254-kh-ubnd", True), ("plan:2025:455-kh-ubnd", True)]
    history = httpx.get(f"{served}/v1/indicators/bts_shared_ratio").json()
    levels = {level: [s for s in history["series"] if s["level"] == level]
              for level in ("province", "district", "commune")}
    [city] = levels["province"]
    by_period = {f["period"]: f for f in city["figures"]}
    assert list(by_period) == ["2023", "2024", "2025-H1", "2025"]
    assert [a["name_vi"] for a in city["areas"]] == ["Tỉnh Thừa Thiên Huế", "Thành phố Huế",
                                                   "Thành phố Huế"]
    assert all(f["source"] == "computed" and len(f["operators"]) == 3
               for p, f in by_period.items() if p != "2025")
    reported = by_period["2025"]
    assert (reported["source"], reported["value"]) == ("compiled", 13.0)
    assert [flag["code"] for flag in reported["flags"]] == ["outside_sub_area_range"]
    district_periods = {f["period"] for s in levels["district"] for f in s["figures"]}
    assert district_periods == {"2023", "2024", "2025-H1"}
    assert len(levels["commune"]) == 40
    assert {f["period"] for s in levels["commune"] for f in s["figures"]} == {"2025"}
    mobile = httpx.get(f"{served}/v1/indicators/village_mobile_broadband_ratio").json()
    judged = {f["period"]: f["target"]["plan"] for s in mobile["series"]
              if s["level"] == "province" for f in s["figures"]}
    assert judged == {"2025": "254/KH-UBND", "2026-H1": "455/KH-UBND"}
    communes = [s for s in mobile["series"] if s["level"] == "commune"]
    assert len(communes) == 40 and all(
        f["period"] == "2026-H1" for s in communes for f in s["figures"])
    page = httpx.get(f"{served}/").text
    assert "không so sánh được với số liệu theo huyện" in page
    assert "a 2024 district figure is not a 2026 ward figure" in page
    assert "455/KH-UBND" in page and "254/KH-UBND" in page
