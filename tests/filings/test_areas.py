"""Huế's areas as dated data (`filings.areas`) and the files built from the copied sources."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from filings.areas import LEVELS, Area, load_areas, parse_areas
from filings.data import build_areas
from filings.data.build_areas import Unit, succession_kind
from filings.errors import AreaNotValid, FilingError, InvalidSubmission, UnknownArea

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "filings" / "data"
CATALOGUE = load_areas()
LAST_2024, FIRST_2025, LAST_H1, FIRST_JULY = (
    date(2024, 12, 31), date(2025, 1, 1), date(2025, 6, 30), date(2025, 7, 1))
ONE_DAY = timedelta(days=1)
ALL_CODES = sorted({area.code for area in CATALOGUE.areas.values()})


def _of(day: date, level: str) -> list[Area]:
    return [area for area in CATALOGUE.on(day) if area.level == level]


def _codes(areas: list[Area]) -> set[str]:
    return {area.code for area in areas}


def _successor_codes(area: Area) -> set[str]:
    return {CATALOGUE.area(edge.successor).code for edge in CATALOGUE.successors(area)}


def _parent(area: Area, day: date) -> Area:
    parent = CATALOGUE.parent(area, day)
    assert parent is not None
    return parent


def _refusal(code: str, day: date) -> AreaNotValid:
    with pytest.raises(AreaNotValid) as caught:
        CATALOGUE.resolve(code, day)
    return caught.value


# The three states.

@pytest.mark.parametrize("day", [date(2023, 7, 15), LAST_2024])
def test_before_2025_the_province_has_9_districts_and_141_communes(day: date) -> None:
    (province,) = _of(day, "province")
    assert (province.code, province.type, province.name_vi) == ("46", "tỉnh", "Tỉnh Thừa Thiên Huế")
    districts = _of(day, "district")
    assert _codes(districts) == {"474", *map(str, range(476, 484))}
    assert Counter(d.type for d in districts) == {"huyện": 6, "thị xã": 2, "thành phố": 1}
    communes = _of(day, "commune")
    assert len(communes) == 141
    assert {a.code_list for a in CATALOGUE.on(day)} == {"QĐ 124/2004/QĐ-TTg"}


@pytest.mark.parametrize("day", [FIRST_2025, date(2025, 3, 1), LAST_H1])
def test_in_2025_h1_the_city_has_9_districts_and_133_communes(day: date) -> None:
    (city,) = _of(day, "province")
    assert (city.code, city.type, city.name_vi, city.name_en) == (
        "46", "thành phố", "Thành phố Huế", "Huế City")
    districts = {d.code: d for d in _of(day, "district")}
    assert set(districts) == {*map(str, range(474, 483))}
    assert Counter(d.type for d in districts.values()) == {"huyện": 4, "thị xã": 3, "quận": 2}
    assert districts["474"].name_vi == "Quận Thuận Hóa"
    assert districts["475"].name_vi == "Quận Phú Xuân"
    assert districts["476"].name_vi == "Thị xã Phong Điền"
    communes = _of(day, "commune")
    assert len(communes) == 133
    assert Counter(c.type for c in communes) == {"xã": 78, "phường": 48, "thị trấn": 7}


@pytest.mark.parametrize("day", [FIRST_JULY, date(2026, 9, 23)])
def test_from_2025_07_01_the_city_has_40_communes_and_no_districts(day: date) -> None:
    (city,) = _of(day, "province")
    assert not _of(day, "district")
    communes = _of(day, "commune")
    assert len(communes) == 40
    assert Counter(c.type for c in communes) == {"phường": 21, "xã": 19}
    assert {a.code_list for a in CATALOGUE.on(day)} == {"QĐ 19/2025/QĐ-TTg"}
    assert all(CATALOGUE.parent(c, day) == city for c in communes)
    assert {"19753", "19789", "19900", "20179"} <= _codes(communes)


def test_code_46_is_three_areas_linked_by_a_rename_and_a_recode() -> None:
    versions = [CATALOGUE.resolve("46", day) for day in (LAST_2024, FIRST_2025, FIRST_JULY)]
    assert [a.id for a in versions] == [
        "vn:46:p46@2024-12-31", "vn:46:p46@2025-01-01", "vn:46:p46@2025-07-01"]
    changes = [("rename", "NQ 175/2024/QH15"), ("recode", "QĐ 19/2025/QĐ-TTg")]
    for (older, newer), (kind, basis) in zip(pairwise(versions), changes, strict=True):
        (edge,) = CATALOGUE.successors(older)
        assert (edge.successor, edge.kind, edge.legal_basis.document) == (newer.id, kind, basis)
    assert CATALOGUE.parent(versions[2], FIRST_JULY) is None


# Resolving (code, day).

def test_19753_is_thuan_loc_until_2025_06_30_and_phu_xuan_from_2025_07_01() -> None:
    before, after = CATALOGUE.resolve("19753", LAST_H1), CATALOGUE.resolve("19753", FIRST_JULY)
    assert (before.name_vi, before.name_en, before.code_list) == (
        "Phường Thuận Lộc", "Thuận Lộc Ward", "QĐ 124/2004/QĐ-TTg")
    assert (after.name_vi, after.name_en, after.code_list) == (
        "Phường Phú Xuân", "Phú Xuân Ward", "QĐ 19/2025/QĐ-TTg")
    assert before.id != after.id and before.valid_to == LAST_H1 and after.valid_from == FIRST_JULY
    (edge,) = CATALOGUE.successors(before)
    assert (edge.successor, edge.kind, edge.effective) == (after.id, "merge", FIRST_JULY)
    formed_from = {(e.kind, CATALOGUE.area(e.predecessor).name_vi)
                   for e in CATALOGUE.predecessors(after)}
    assert formed_from == {("merge", name) for name in (
        "Phường Tây Lộc", "Phường Thuận Lộc", "Phường Gia Hội", "Phường Phú Hậu",
        "Phường Thuận Hòa", "Phường Đông Ba")} | {("split", "Quận Phú Xuân")}


def test_nam_dong_district_is_refused_for_2025_naming_phu_loc() -> None:
    error = _refusal("483", date(2025, 3, 1))
    assert isinstance(error, UnknownArea) and isinstance(error, FilingError)
    assert error.to_json()["code"] == "area_not_valid"
    assert "Huyện Nam Đông" in error.message and "482 Huyện Phú Lộc" in error.message
    assert error.details["successors"] == [{
        "code": "482", "name_vi": "Huyện Phú Lộc", "kind": "merge", "effective": "2025-01-01",
        "legal_basis": {"document": "NQ 1314/NQ-UBTVQH15", "date": "2024-11-30"},
    }]
    assert error.details["predecessors"] == []


def test_a_district_is_refused_from_2025_07_01_naming_the_units_formed_from_it() -> None:
    error = _refusal("475", FIRST_JULY)
    named = {link["code"] for link in error.details["successors"]}
    assert named == {"19753", "19774", "19804", "20014"}
    assert all(link["kind"] == "split" for link in error.details["successors"])
    assert "Phường Hoá Châu" in error.message and "Phường Phú Xuân" in error.message


@pytest.mark.parametrize("district", _of(LAST_H1, "district"), ids=lambda a: a.code)
def test_each_district_of_2025_leads_to_the_units_formed_from_its_communes(district: Area) -> None:
    communes = [c for c in _of(LAST_H1, "commune") if CATALOGUE.parent(c, LAST_H1) == district]
    assert communes
    assert _successor_codes(district) == set().union(*map(_successor_codes, communes))


def test_a_code_used_before_it_existed_names_its_predecessors() -> None:
    error = _refusal("475", date(2024, 6, 1))
    assert error.details["successors"] == []
    assert [(p["code"], p["name_vi"], p["kind"]) for p in error.details["predecessors"]] == [
        ("474", "Thành phố Huế", "split")]


def test_a_code_that_never_existed_is_unknown_not_invalid() -> None:
    for code in ("00004", "99999", "", "x" * 500):
        with pytest.raises(UnknownArea) as caught:
            CATALOGUE.resolve(code, FIRST_JULY)
        assert type(caught.value) is UnknownArea
    with pytest.raises(UnknownArea):
        CATALOGUE.area("vn:46:c19753@1999-01-01")


def test_nq_1314_merges_and_renames() -> None:
    def formed(code: str) -> set[str]:
        new = CATALOGUE.resolve(code, FIRST_2025)
        return {CATALOGUE.area(e.predecessor).name_vi for e in CATALOGUE.predecessors(new)}

    assert formed("20029") == {"Phường Hương Hồ", "Xã Hương Thọ"}
    assert formed("19909") == {"Xã Phú Dương", "Xã Phú Mậu", "Xã Phú Thanh"}
    assert formed("19900") == {"Phường Thuận An", "Xã Hải Dương"}
    assert formed("482") == {"Huyện Phú Lộc", "Huyện Nam Đông"}
    assert formed("474") == formed("475") == {"Thành phố Huế"}
    assert formed("476") == {"Huyện Phong Điền"}
    (edge,) = CATALOGUE.predecessors(CATALOGUE.resolve("19846", FIRST_2025))
    assert edge.kind == "rename"  # Xã Phong Hòa became Phường Phong Hòa


def test_an_unchanged_unit_is_one_area_whose_parent_changes() -> None:
    tay_loc = CATALOGUE.resolve("19750", LAST_2024)
    assert CATALOGUE.resolve("19750", LAST_H1) == tay_loc
    assert tay_loc.valid_from is None and tay_loc.valid_to == LAST_H1
    assert _parent(tay_loc, LAST_2024).name_vi == "Thành phố Huế"
    assert _parent(tay_loc, FIRST_2025).name_vi == "Quận Phú Xuân"
    khe_tre = CATALOGUE.resolve("20161", FIRST_2025)
    assert (_parent(khe_tre, LAST_2024).code, _parent(khe_tre, FIRST_2025).code) == ("483", "482")
    with pytest.raises(AreaNotValid):
        CATALOGUE.parent(tay_loc, FIRST_JULY)


# Periods.

def test_covers_a_period_only_if_valid_on_every_day_of_it() -> None:
    thuan_loc = CATALOGUE.resolve("19753", LAST_H1)
    phu_xuan = CATALOGUE.resolve("19753", FIRST_JULY)
    assert CATALOGUE.covers(thuan_loc, date(2023, 1, 1), LAST_H1)
    assert not CATALOGUE.covers(thuan_loc, date(2025, 1, 1), date(2025, 12, 31))
    assert CATALOGUE.covers(phu_xuan, FIRST_JULY, date(2030, 12, 31))
    assert not CATALOGUE.covers(phu_xuan, LAST_H1, FIRST_JULY)
    quang_dien = CATALOGUE.resolve_period("477", date(2024, 1, 1), LAST_H1)
    assert quang_dien.name_vi == "Huyện Quảng Điền"
    with pytest.raises(InvalidSubmission):
        CATALOGUE.covers(phu_xuan, date(2026, 1, 1), date(2025, 12, 31))


def test_a_year_across_2025_07_01_is_refused_naming_both_sides() -> None:
    with pytest.raises(AreaNotValid) as caught:
        CATALOGUE.resolve_period("19753", date(2025, 1, 1), date(2025, 12, 31))
    details = caught.value.details
    assert details["on"] == "2025-01-01..2025-12-31"
    assert [s["name_vi"] for s in details["successors"]] == ["Phường Phú Xuân"]
    assert "Phường Thuận Lộc" in {p["name_vi"] for p in details["predecessors"]}


# The graph.

def test_every_edge_meets_its_areas_dates() -> None:
    assert CATALOGUE.successions
    for edge in CATALOGUE.successions:
        old, new = CATALOGUE.area(edge.predecessor), CATALOGUE.area(edge.successor)
        assert old.valid_to is not None
        assert old.valid_to + ONE_DAY == edge.effective == new.valid_from
        assert edge.legal_basis.date <= edge.effective
        assert LEVELS.index(new.level) >= LEVELS.index(old.level)
    kinds = Counter(edge.kind for edge in CATALOGUE.successions)
    assert set(kinds) == {"merge", "split", "rename", "recode"}


def test_every_unit_of_2025_h1_has_a_successor_among_the_40() -> None:
    forty = {a.id for a in _of(FIRST_JULY, "commune")}
    for area in CATALOGUE.on(LAST_H1):
        if area.level != "province":
            assert {e.successor for e in CATALOGUE.successors(area)} & forty, area.name_vi


def test_every_area_that_ends_has_successors_and_every_new_one_predecessors() -> None:
    for area in CATALOGUE.areas.values():
        assert (area.valid_to is None) or CATALOGUE.successors(area), area.id
        assert (area.valid_from is None) or CATALOGUE.predecessors(area), area.id


def test_each_commune_of_2025_h1_goes_whole_into_one_of_the_40() -> None:
    """vietnamadminunits lists no commune of Huế divided between new units."""
    for commune in _of(LAST_H1, "commune"):
        (edge,) = CATALOGUE.successors(commune)
        assert edge.kind in {"merge", "recode"}


def test_ids_follow_the_scheme_and_name_a_day_the_area_is_valid() -> None:
    pattern = re.compile(r"vn:46:([pdc])(\d+)@(\d{4}-\d{2}-\d{2})")
    for area in CATALOGUE.areas.values():
        match = pattern.fullmatch(area.id)
        assert match, area.id
        letter, code, day = match.groups()
        assert (letter, code) == (area.level[0], area.code)
        assert area.valid_on(date.fromisoformat(day))
        assert area.valid_from is None or day == area.valid_from.isoformat()


def test_parentage_covers_each_life_with_a_parent_valid_then() -> None:
    for area in CATALOGUE.areas.values():
        if area.level == "province":
            assert area.parentage == ()
            continue
        links = area.parentage
        assert links[0].valid_from == area.valid_from and links[-1].valid_to == area.valid_to
        for earlier, later in pairwise(links):
            assert earlier.valid_to is not None and earlier.valid_to + ONE_DAY == later.valid_from
            assert earlier.parent != later.parent
        for link in links:
            parent = CATALOGUE.area(link.parent)
            assert LEVELS.index(parent.level) < LEVELS.index(area.level)
            assert parent.valid_from is None or (
                link.valid_from is not None and parent.valid_from <= link.valid_from)
            assert parent.valid_to is None or (
                link.valid_to is not None and link.valid_to <= parent.valid_to)


def test_names_in_vietnamese_and_english() -> None:
    assert CATALOGUE.resolve("478", LAST_H1).name_en == "Phú Vang District"
    assert CATALOGUE.resolve("46", FIRST_JULY).name_en == "Huế City"
    assert CATALOGUE.resolve("20044", FIRST_JULY).name_en == "A Lưới 2 Commune"
    assert CATALOGUE.resolve("19780", LAST_H1).name_vi == "Phường Phường Đúc"
    english = {"tỉnh": "Province", "thành phố": "City", "quận": "District", "huyện": "District",
               "thị xã": "Town", "phường": "Ward", "xã": "Commune", "thị trấn": "Township"}
    for area in CATALOGUE.areas.values():
        assert area.name_vi.lower().startswith(area.type + " ")
        name = area.name_vi[len(area.type) + 1:]
        assert area.name_en == f"{name} {english[area.type]}"


# Properties against a naive reference: scan every area.

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


def _naive_resolve(code: str, day: date) -> Area | None:
    found = [a for a in CATALOGUE.areas.values() if a.code == code and a.valid_on(day)]
    assert len(found) <= 1
    return found[0] if found else None


@settings(max_examples=300, deadline=None)
@given(code=st.sampled_from(ALL_CODES), day=DAYS)
def test_resolve_agrees_with_a_scan(code: str, day: date) -> None:
    expected = _naive_resolve(code, day)
    if expected is not None:
        assert CATALOGUE.resolve(code, day) == expected
        return
    with pytest.raises(AreaNotValid) as caught:
        CATALOGUE.resolve(code, day)
    named = caught.value.details["successors"] + caught.value.details["predecessors"]
    assert named, "a refusal names where the code went or came from"


@settings(max_examples=200, deadline=None)
@given(day=DAYS)
def test_each_day_is_one_tree_of_distinct_codes(day: date) -> None:
    areas = CATALOGUE.on(day)
    assert len({a.code for a in areas}) == len(areas)
    (top,) = [a for a in areas if a.level == "province"]
    for area in areas:
        assert CATALOGUE.resolve(area.code, day) == area
        parent = CATALOGUE.parent(area, day)
        if area is top:
            assert parent is None
            continue
        assert parent in areas
        want = "district" if area.level == "commune" and day < FIRST_JULY else "province"
        assert parent is not None and parent.level == want


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(ALL_CODES), start=DAYS, length=st.integers(0, 800))
def test_resolve_period_agrees_with_resolving_each_end(code: str, start: date,
                                                       length: int) -> None:
    end = start + timedelta(days=length)
    first, last = _naive_resolve(code, start), _naive_resolve(code, end)
    if first is not None and first == last:
        assert CATALOGUE.resolve_period(code, start, end) == first
        assert CATALOGUE.covers(first, start, end)
    else:
        with pytest.raises(AreaNotValid):
            CATALOGUE.resolve_period(code, start, end)


# The kind rule of the build.

def _unit(code: str, name_vi: str, level: str = "commune") -> Unit:
    unit_type, name = name_vi.split(" ", 1)
    return Unit(code, level, unit_type.lower(), name, name_vi, name, None)


def test_the_kind_rule() -> None:
    a, b, c = _unit("1", "Xã A"), _unit("2", "Xã B"), _unit("3", "Phường C")
    a_left = _unit("1", "Xã A")
    assert succession_kind(a, b, old_targets=[b, c], new_sources=1, same_code_list=True) == "split"
    assert succession_kind(a, b, old_targets=[a_left, b], new_sources=1,
                           same_code_list=True) == "transfer-part"
    assert succession_kind(a, c, old_targets=[c], new_sources=2, same_code_list=True) == "merge"
    assert succession_kind(a, c, old_targets=[c], new_sources=1, same_code_list=True) == "rename"
    assert succession_kind(a, a_left, old_targets=[a_left], new_sources=1,
                           same_code_list=False) == "recode"
    with pytest.raises(ValueError, match="nothing changed"):
        succession_kind(a, a_left, old_targets=[a_left], new_sources=1, same_code_list=True)


def test_parse_refuses_edges_whose_dates_do_not_meet() -> None:
    data = json.loads((DATA / "areas.json").read_text(encoding="utf-8"))
    data["successions"][0]["effective"] = "2025-01-02"
    with pytest.raises(RuntimeError, match="dates do not meet"):
        parse_areas(data)


# The committed files.

def test_committed_files_are_what_the_build_makes() -> None:
    for name, text in build_areas.render().items():
        assert (DATA / name).read_text(encoding="utf-8") == text, f"run make areas: {name}"


def test_the_sources_are_copied_with_their_licences() -> None:
    for folder in ("hue-areas", "vietnamadminunits"):
        assert "MIT License" in (DATA / "sources" / folder / "LICENSE").read_text()
        assert (DATA / "sources" / folder / "README.md").exists()


def _ring_area(ring: list[list[float]]) -> float:
    """Twice the signed area (shoelace): positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))


def _check_feature_collection(text: str) -> list[dict[str, Any]]:
    """RFC 7946: a FeatureCollection of (Multi)Polygons in WGS 84 longitude, latitude (no
    `crs`), closed rings of 4 or more positions, exteriors counter-clockwise, holes clockwise."""
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["id"], str)
        geometry = feature["geometry"]
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for index, ring in enumerate(polygon):
                assert len(ring) >= 4 and ring[0] == ring[-1]
                for position in ring:
                    lon, lat = position
                    assert 107.0 < lon < 108.3 and 15.9 < lat < 16.8  # Huế, WGS 84
                    assert round(lon, 5) == lon and round(lat, 5) == lat
                assert (_ring_area(ring) > 0) == (index == 0)
        assert shape(geometry).is_valid
    return list(collection["features"])


def test_the_map_file_is_geojson_of_exactly_the_40_units() -> None:
    text = (DATA / "areas-2025-07-01.geojson").read_text(encoding="utf-8")
    assert len(text.encode()) < 300_000
    features = _check_feature_collection(text)
    forty = {a.code: a for a in _of(FIRST_JULY, "commune")}
    assert len(features) == 40 and {f["id"] for f in features} == set(forty)
    for feature in features:
        area = forty[feature["id"]]
        assert feature["properties"]["name_vi"] == area.name_vi
        assert area.geometry is not None and area.geometry.file == "areas-2025-07-01.geojson"
    assert shapely.coverage_is_valid([shape(f["geometry"]) for f in features])


def test_the_city_outline_is_geojson() -> None:
    (feature,) = _check_feature_collection(
        (DATA / "city-2025.geojson").read_text(encoding="utf-8"))
    assert feature["id"] == "46"
    geometry = CATALOGUE.resolve("46", FIRST_JULY).geometry
    assert geometry is not None and geometry.file == "city-2025.geojson"


def test_the_module_is_pure() -> None:
    """filings/areas.py imports the standard library and filings.errors only."""
    tree = ast.parse((ROOT / "filings" / "areas.py").read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    ours = {name for name in imported if name.split(".")[0] not in sys.stdlib_module_names}
    assert ours == {"filings.errors"}
