"""`infraledger demo`: the sample is filed through the real API, anchored, and every sample
record verifies with the independent verifier; a second run files nothing twice."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.cli import main
from api.demo.sample import SAMPLE_OPERATORS, sample_drafts
from api.serving import ServerThread
from api.settings import load_settings
from filings.signing import signer_address
from verifier.cli import main as verify


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--data-dir", str(directory), "--port", "0", "--seed-only"]) == 0
    return directory


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
    size, anchors = _ledger_state(served)
    everything = _all_record_ids(served)
    assert len(everything) == size
    # The demo waited for its anchor; a record filed since (the submit hint) may not be yet.
    ids = everything[:anchors[-1]["tree_size"]]
    assert len(ids) == len(sample_drafts(_addresses(demo_dir))) >= 300
    trust = demo_dir / "trust.json"
    assert verify(["trust", "init", "--ledger", served, "--trust", str(trust)]) == 0
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


def test_a_second_run_files_nothing_twice_and_keeps_every_anchor(demo_dir: Path) -> None:
    with ServerThread(create_app(load_settings(demo_dir), jobs=False)) as url:
        before = _ledger_state(url)
    assert main(["demo", "--data-dir", str(demo_dir), "--port", "0", "--seed-only"]) == 0
    with ServerThread(create_app(load_settings(demo_dir), jobs=False)) as url:
        after = _ledger_state(url)
    assert after[0] == before[0]
    assert after[1][: len(before[1])] == before[1]


def test_the_demo_refuses_a_network_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("INFRALEDGER_RPC_URLS", '["http://127.0.0.1:9"]')
    assert main(["demo", "--data-dir", str(tmp_path), "--seed-only"]) == 1
    assert "embedded chain" in capsys.readouterr().err
    assert not os.listdir(tmp_path)


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
