"""`infraledger-verify export` against the real server (uvicorn, the embedded chain, SQLite and
PostgreSQL): the export verifies online from the ledger's URL and from a downloaded directory,
row by row and feature by feature (the sites, routes and ducts as CSV and GeoJSON); a
character changed in a row is found by its file's checksum, and, when the forger also rewrites
the checksums, by the row and column; a moved route and a changed property of a site's feature
are found by the feature; a forged checkpoint and a restricted record
slipped into the export are findings too (exit code 1); a directory without a ledger to fetch
the bundles from is a usage error (exit code 2). A file is proven complete against the log's
entries: a row or a feature removed (every checksum rewritten) is a finding naming the missing
record, a row of another kind's record or of a record after the checkpoint is one, and so is a
count of the catalogue that is not the log's."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.serving import ServerThread
from api.settings import Settings
from filings.signing import SubmissionDomain
from tests.api.test_export import Sample, download, file_sample, wait_anchored
from tests.filings.factories import OTHER_KEY, figure
from verifier.cli import main
from verifier.ledger_api import LedgerApi
from verifier.trust import Trust


@pytest.fixture
def ledger_database_url(database_url: str) -> str:
    return database_url


@dataclass(frozen=True)
class Served:
    url: str
    trust: Path
    sample: Sample
    export: Path
    domain: SubmissionDomain

    def arguments(self) -> tuple[str, ...]:
        """The command line that verifies the downloaded directory offline."""
        return (str(self.export), "--ledger", self.url, "--trust", str(self.trust),
                "--offline")


@pytest.fixture
def served(ledger_settings: Settings, ledger_domain: SubmissionDomain,
           tmp_path: Path) -> Iterator[Served]:
    with ServerThread(create_app(ledger_settings)) as url:
        sample = file_sample(url, ledger_domain)
        trust = tmp_path / "trust.json"
        trust.write_text(json.dumps(Trust.from_log_info(LedgerApi(url).log_info(), url)
                                    .to_json()))
        export = tmp_path / "export"
        download(url, export)
        yield Served(url, trust, sample, export, ledger_domain)


def verify(*arguments: str) -> int:
    return main(["export", *arguments])


def rehash(directory: Path, name: str) -> None:
    """Rewrite the checksums of `name` in datapackage.json, then of both in the catalogue: what
    a forger who changed `name` would do."""
    data = (directory / name).read_bytes()
    package_path = directory / "datapackage.json"
    package = json.loads(package_path.read_text())
    for resource in package["resources"]:
        if resource["path"] == name:
            resource["bytes"], resource["hash"] = len(data), \
                "sha256:" + hashlib.sha256(data).hexdigest()
    package_path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n")
    catalog_path = directory / "catalog.jsonld"
    catalogue = json.loads(catalog_path.read_text())
    distributions = list(catalogue["dcat:distribution"])
    for dataset in catalogue["dcat:dataset"]:
        distributions += dataset["dcat:distribution"]
    for distribution in distributions:
        content = (directory / distribution["dcat:downloadURL"]["@id"]).read_bytes()
        distribution["dcat:byteSize"]["@value"] = str(len(content))
        distribution["spdx:checksum"]["spdx:checksumValue"] = hashlib.sha256(content).hexdigest()
    catalog_path.write_text(json.dumps(catalogue, ensure_ascii=False, indent=2) + "\n")


def test_the_export_verifies_online_from_the_url_and_from_a_directory(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    assert verify(served.url, "--trust", str(served.trust)) == 0
    out = capsys.readouterr().out
    assert "VERIFIED: export at checkpoint size" in out
    assert ": 8 file(s), " in out  # every distribution; the catalogue holds no hash of itself
    assert verify(str(served.export), "--ledger", served.url, "--trust", str(served.trust),
                  "--lang", "vi") == 0
    assert "ĐÃ XÁC MINH: bản xuất tại checkpoint" in capsys.readouterr().out
    assert verify(str(served.export), "--ledger", served.url, "--trust", str(served.trust),
                  "--json", "--offline") == 0
    report = json.loads(capsys.readouterr().out)
    targets = len(httpx.get(f"{served.url}/v1/export/plans.csv").text.splitlines()) - 1
    rows = 4 + 1 + targets + 3 + 1  # figures, permit, targets, sites (2 versions, rooftop), duct
    features = 3 + 1  # sites, route
    assert (report["result"], report["files"], report["rows"]) == (
        "verified", 8, rows + features)


def test_a_character_changed_in_a_row_is_found(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    path = served.export / "indicators.csv"
    lines = path.read_bytes().split(b"\r\n")
    [line] = [n for n, text in enumerate(lines) if text.startswith(served.sample.other_figure
                                                                   .encode())]
    lines[line] = lines[line].replace(b",30.5,", b",38.5,")
    path.write_bytes(b"\r\n".join(lines))
    arguments = (str(served.export), "--ledger", served.url, "--trust", str(served.trust),
                 "--offline")
    assert verify(*arguments) == 1
    out = capsys.readouterr().out
    assert "FAIL files: indicators.csv:" in out and "the catalogue says" in out

    rehash(served.export, "indicators.csv")
    assert verify(*arguments) == 1
    out = capsys.readouterr().out
    assert (f"FAIL rows: indicators.csv line {line + 1} (record "
            f"{served.sample.other_figure}): column value is '38.5', the record holds 30.5") \
        in out
    assert "NOT VERIFIED: 1 finding(s) in the export" in out


def test_a_moved_route_and_a_changed_site_feature_are_found(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    routes_path = served.export / "routes.geojson"
    routes = json.loads(routes_path.read_text())
    routes["features"][0]["geometry"]["coordinates"][1][0] += 0.001
    routes_path.write_text(json.dumps(routes, ensure_ascii=False))
    sites_path = served.export / "sites.geojson"
    sites = json.loads(sites_path.read_text())
    [down] = [n for n, f in enumerate(sites["features"]) if f["id"] == served.sample.site_down]
    sites["features"][down]["properties"]["status"] = "in_service"
    sites_path.write_text(json.dumps(sites, ensure_ascii=False))
    rehash(served.export, "routes.geojson")
    rehash(served.export, "sites.geojson")
    assert verify(str(served.export), "--ledger", served.url, "--trust", str(served.trust),
                  "--offline") == 1
    out = capsys.readouterr().out
    assert (f"FAIL rows: routes.geojson: feature 1 (record {served.sample.route}): the "
            "geometry is not the record's position or line") in out
    assert (f"FAIL rows: sites.geojson: feature {down + 1} (record {served.sample.site_down}): "
            "column status is 'in_service', the record holds 'out_of_service'") in out
    assert "NOT VERIFIED: 2 finding(s) in the export" in out


def test_a_forged_checkpoint_and_a_restricted_row_are_found(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    arguments = (str(served.export), "--ledger", served.url, "--trust", str(served.trust),
                 "--offline")
    path = served.export / "permits.csv"
    content = path.read_bytes().decode()
    public = content.split("\r\n")[1]
    path.write_bytes((content + public.replace(served.sample.permit,
                                               served.sample.restricted_permit) + "\r\n")
                     .encode())
    rehash(served.export, "permits.csv")
    assert verify(*arguments) == 1
    out = capsys.readouterr().out
    assert (f"permits.csv line 3 (record {served.sample.restricted_permit}): the ledger "
            "withholds this record's body") in out

    catalog_path = served.export / "catalog.jsonld"
    catalogue = json.loads(catalog_path.read_text())
    catalogue["prov:wasDerivedFrom"]["infraledger:rootHash"] = "0x" + "00" * 32
    catalog_path.write_text(json.dumps(catalogue))
    assert verify(*arguments) == 1
    assert "FAIL checkpoint: catalog.jsonld: the catalogue states size" in \
        capsys.readouterr().out


def test_a_directory_without_a_ledger_cannot_be_checked(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    assert verify(str(served.export), "--trust", str(served.trust)) == 2
    assert "give --ledger URL" in capsys.readouterr().err


def drop_lines(path: Path, record_id: str) -> None:
    """Remove the CSV rows of `record_id` from the file at `path`."""
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(line for line in lines
                                    if not line.startswith(record_id.encode())))


def add_row(path: Path, model: str, record_id: str) -> int:
    """Append a copy of the row of `model` naming `record_id` instead; its line number."""
    lines = path.read_bytes().decode().split("\r\n")
    [row] = [line for line in lines if line.startswith(model)]
    lines.insert(-1, row.replace(model, record_id))
    path.write_bytes("\r\n".join(lines).encode())
    return len(lines) - 1


def catalogue_dataset(directory: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The catalogue of the export in `directory` and its dataset `name`."""
    catalogue = json.loads((directory / "catalog.jsonld").read_text())
    [dataset] = [d for d in catalogue["dcat:dataset"] if d["dct:identifier"] == name]
    return catalogue, dataset


def test_a_row_or_a_feature_removed_is_found_by_the_log(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    drop_lines(served.export / "indicators.csv", served.sample.other_figure)
    rehash(served.export, "indicators.csv")
    assert verify(*served.arguments()) == 1
    out = capsys.readouterr().out
    assert (f"FAIL complete: indicators.csv: the log's public indicator/2 record "
            f"{served.sample.other_figure} (index ") in out and "is not in this file" in out
    assert "NOT VERIFIED: 1 finding(s) in the export" in out

    catalogue, dataset = catalogue_dataset(served.export, "indicators")
    dataset["infraledger:records"] -= 1  # the forger's count of the rows left
    (served.export / "catalog.jsonld").write_text(json.dumps(catalogue, ensure_ascii=False))
    assert verify(*served.arguments(), "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["check"], f["file"], f["code"], f["record_id"]) for f in report["findings"]] == [
        ("complete", "indicators.csv", "export.missing", served.sample.other_figure),
        ("complete", "catalog.jsonld", "export.count_differs", None)]
    assert report["findings"][1]["message"] == (
        f"dataset indicators: infraledger:records is {dataset['infraledger:records']}, the "
        f"log holds {dataset['infraledger:records'] + 1}")

    sites_path = served.export / "sites.geojson"
    sites = json.loads(sites_path.read_text())
    sites["features"] = [f for f in sites["features"] if f["id"] != served.sample.site_down]
    sites_path.write_text(json.dumps(sites, ensure_ascii=False))
    rehash(served.export, "sites.geojson")
    assert verify(*served.arguments(), "--lang", "vi") == 1
    assert (f"sites.geojson: bản ghi công khai site/1 {served.sample.site_down} (chỉ số ") \
        in capsys.readouterr().out


def test_a_row_of_another_kind_or_after_the_checkpoint_is_found(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    size = json.loads((served.export / "catalog.jsonld").read_text())[
        "prov:wasDerivedFrom"]["infraledger:treeSize"]
    line = add_row(served.export / "permits.csv", served.sample.permit, served.sample.figure)
    rehash(served.export, "permits.csv")
    assert verify(*served.arguments()) == 1
    out = capsys.readouterr().out
    assert (f"FAIL complete: permits.csv line {line} (record {served.sample.figure}): record "
            f"{served.sample.figure} is not one of the log's permit/2 records below size "
            f"{size}") in out

    answer = httpx.post(f"{served.url}/v1/submissions", json={"submissions": [figure(
        value=31.0, key=OTHER_KEY, domain=served.domain, supersedes=served.sample.other_figure,
        issued_at=1_720_000_200)]})
    [result] = answer.json()["results"]
    assert result["status"] == "accepted", result
    later = result["record_id"]
    wait_anchored(served.url, later)
    line = add_row(served.export / "indicators.csv", served.sample.other_figure, later)
    rehash(served.export, "indicators.csv")
    assert verify(*served.arguments()) == 1
    out = capsys.readouterr().out
    assert (f"FAIL rows: indicators.csv line {line} (record {later}): the record's index "
            f"{result['index']} is not below the export's size {size}") in out
    assert (f"FAIL complete: indicators.csv line {line} (record {later}): record {later} is "
            f"not one of the log's indicator/2 records below size {size}") in out


def test_a_wrong_count_of_withheld_records_is_found(
    served: Served, capsys: pytest.CaptureFixture[str],
) -> None:
    catalogue, dataset = catalogue_dataset(served.export, "permits")
    assert dataset["infraledger:restrictedWithheld"] == 1
    dataset["infraledger:restrictedWithheld"] = 0
    (served.export / "catalog.jsonld").write_text(json.dumps(catalogue, ensure_ascii=False))
    assert verify(*served.arguments()) == 1
    out = capsys.readouterr().out
    assert ("FAIL complete: catalog.jsonld: dataset permits: infraledger:restrictedWithheld is "
            "0, the log holds 1") in out
    assert "NOT VERIFIED: 1 finding(s) in the export" in out
