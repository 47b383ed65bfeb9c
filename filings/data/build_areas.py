"""Build Huế's area catalogue (`areas.json`) and its map boundaries from the copied sources.

Run `python -m filings.data.build_areas` (`make areas`) to rewrite the committed files, or with
`--check` to fail if they differ from what the sources make. Reads only
`filings/data/sources/hue-areas/` (see its README) and the installed `vietnamadminunits` 1.0.4;
needs `shapely` 2.2.0. Neither is a runtime dependency: `filings.areas` reads only `areas.json`.

What it derives (the model is in `filings.areas`):

- three states from the three snapshots: until 2024-12-31, 2025-01-01..2025-06-30, from
  2025-07-01; per unit its level, type (the prefix of its full name), names and parent;
- which communes of one state each commune of the next was formed from: for 2025-01-01 the
  merges of NQ 1314/NQ-UBTVQH15 (`NQ_1314_MERGES`; every other commune keeps its code and
  territory), for 2025-07-01 the table of `vietnamadminunits` (NQ 1675/NQ-UBTVQH15);
- from those, the territory each old unit gives to each new unit of its level (of the commune
  level for districts on 2025-07-01, when the district level ended), and so the edges and their
  kinds (`succession_kind`). An old unit that gives its whole territory to one new unit of the
  same code, code list, type and name, which takes nothing from any other, is the same area
  continued (only its parent may change); every other pair that shares territory is an edge;
- the simplified boundaries of the 40 units and the city's outline (`simplify_coverage`).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.geometry import mapping, shape

DATA: Final = Path(__file__).resolve().parent
SOURCES: Final = DATA / "sources" / "hue-areas"
AREAS_FILE: Final = "areas.json"
WARDS_FILE: Final = "areas-2025-07-01.geojson"
CITY_FILE: Final = "city-2025.geojson"

PROVINCE: Final = "46"
QD_124: Final = "QĐ 124/2004/QĐ-TTg"
QD_19: Final = "QĐ 19/2025/QĐ-TTg"
NQ_175: Final = {"document": "NQ 175/2024/QH15", "date": "2024-11-30"}
NQ_1314: Final = {"document": "NQ 1314/NQ-UBTVQH15", "date": "2024-11-30"}
NQ_1675: Final = {"document": "NQ 1675/NQ-UBTVQH15", "date": "2025-06-16"}
QD_19_BASIS: Final = {"document": QD_19, "date": "2025-06-30"}

CONVERTER: Final = ("vietnamadminunits", "1.0.4", "vietnamadminunits/data/converter_2025.json")
CONVERTER_PROVINCE: Final = "thanhphohue"

TOLERANCE: Final = 0.0005
"""Coverage simplification (Visvalingam-Whyatt) removes triangles of up to about this side in
degrees: 0.0005° is about 55 m north-south and 53 m east-west at 16.5° N."""
GRID: Final = 1e-5
"""Coordinates are snapped to 0.00001° (about 1.1 m) and written with 5 decimals."""

NQ_1314_MERGES: Final[Mapping[str, tuple[str, ...]]] = {
    # Art. 1 (communes of Thành phố Huế, the basis of quận Phú Xuân and Thuận Hóa)
    "20029": ("20029", "20032"),  # Phường Long Hồ: Phường Hương Hồ + Xã Hương Thọ
    "19900": ("19900", "19999"),  # Phường Thuận An: Phường Thuận An + Xã Hải Dương
    "19909": ("19906", "19909", "19924"),  # Phường Dương Nỗ: Xã Phú Dương, Phú Mậu, Phú Thanh
    # Art. 2 (communes of huyện Phong Điền, the basis of thị xã Phong Điền)
    "19819": ("19819", "19849"),  # Phường Phong Thu: Thị trấn Phong Điền + Xã Phong Thu
    "19828": ("19828", "19834"),  # Phường Phong Phú: Xã Điền Lộc + Xã Điền Hòa
    "19843": ("19840", "19843"),  # Phường Phong Hải: Xã Phong Hải + Xã Điền Hải
    "19825": ("19822", "19825"),  # Xã Phong Thạnh: Xã Điền Hương + Xã Điền Môn
}
"""NQ 1314/NQ-UBTVQH15 (30 Nov 2024, in force 2025-01-01): the communes of 2025-01-01 formed by
merging whole communes, by new code. The other changes of that day keep a code and its
territory (xã to phường or thị trấn, a commune moved to another district) and show in the
snapshots."""

LEVEL_LETTER: Final = {"province": "p", "district": "d", "commune": "c"}
TYPES: Final = {  # prefix of the full name -> (type, English word)
    "Tỉnh": ("tỉnh", "Province"),
    "Thành phố": ("thành phố", "City"),
    "Quận": ("quận", "District"),
    "Huyện": ("huyện", "District"),
    "Thị xã": ("thị xã", "Town"),
    "Phường": ("phường", "Ward"),
    "Xã": ("xã", "Commune"),
    "Thị trấn": ("thị trấn", "Township"),
}
UNRECORDED_START: Final = date(2024, 12, 31)
"""The witness day in the id of an area whose start is not recorded (the first state's)."""
ONE_DAY: Final = timedelta(days=1)


@dataclass(frozen=True)
class Unit:
    """One unit as a snapshot lists it."""

    code: str
    level: str
    type: str
    name: str
    name_vi: str
    name_en: str
    parent: str | None


@dataclass(frozen=True)
class State:
    """The units in force from `valid_from` to `valid_to` (None: open), and the legal bases of
    the units this state introduces (`basis` for districts and communes, `top_basis` for the
    province or city)."""

    file: str
    valid_from: date | None
    valid_to: date | None
    code_list: str
    basis: Mapping[str, str] | None
    top_basis: Mapping[str, str] | None
    units: Mapping[str, Unit]

    def leaves(self, unit: Unit) -> frozenset[str]:
        """The commune codes that make up `unit`'s territory."""
        if unit.level == "commune":
            return frozenset({unit.code})
        return frozenset(code for code, u in self.units.items() if u.level == "commune"
                         and (u.parent == unit.code or unit.level == "province"))

    def of_level(self, level: str) -> list[Unit]:
        return [u for u in self.units.values() if u.level == level]


@dataclass
class Record:
    """An area being built: one unit over the states it lasts."""

    id: str
    unit: Unit
    code_list: str
    valid_from: date | None
    valid_to: date | None
    legal_basis: Mapping[str, str] | None
    parentage: list[dict[str, str | None]] = field(default_factory=list)
    geometry: dict[str, str] | None = None


def succession_kind(old: Unit, new: Unit, *, old_targets: Sequence[Unit], new_sources: int,
                    same_code_list: bool) -> str:
    """The kind of the edge from `old` to `new`, which share territory.

    `old_targets` are all the new units `old` gives territory to (`new` among them) and
    `new_sources` the number of old units of `old`'s level `new` takes territory from.
    An old unit given to several new ones is `split`, or `transfer-part` when one of them is its
    remainder (same level, code and name); one given whole to a new unit formed from several is
    a `merge`; one that alone becomes one new unit is a `rename` when the type or name changes,
    else a `recode` (the code or the code list changes).
    """
    if len(old_targets) > 1:
        remainder = any((t.level, t.code, t.name_vi) == (old.level, old.code, old.name_vi)
                        for t in old_targets)
        return "transfer-part" if remainder else "split"
    if new_sources > 1:
        return "merge"
    if (old.type, old.name_vi) != (new.type, new.name_vi):
        return "rename"
    if old.code == new.code and same_code_list:
        raise ValueError(f"{old.code}: nothing changed, so no edge (the same area continues)")
    return "recode"


def read_snapshot(path: Path) -> dict[str, Unit]:
    """The units of one snapshot by code: the province or city, its districts, its communes."""
    top = json.loads(path.read_text(encoding="utf-8"))
    listed = [_unit(top, "province", None)]
    for district in top.get("District", []):
        listed.append(_unit(district, "district", top["Code"]))
        listed += [_unit(ward, "commune", district["Code"]) for ward in district["Ward"]]
    listed += [_unit(ward, "commune", top["Code"]) for ward in top.get("Wards", [])]
    units = {unit.code: unit for unit in listed}
    if len(units) != len(listed):
        raise ValueError(f"{path.name}: a code is listed twice")
    return units


def _unit(item: Mapping[str, Any], level: str, parent: str | None) -> Unit:
    full, name = item["FullName"], item["Name"]
    for prefix, (unit_type, english) in TYPES.items():
        if full == f"{prefix} {name}":
            return Unit(item["Code"], level, unit_type, name, full, f"{name} {english}", parent)
    raise ValueError(f"{item['Code']}: full name {full!r} is not a type and the name {name!r}")


def states() -> list[State]:
    """The three states, from the copied snapshots."""
    return [
        State("2024-12_before-2025-01-01.json", None, date(2024, 12, 31), QD_124, None, None,
              read_snapshot(SOURCES / "2024-12_before-2025-01-01.json")),
        State("2025-03_2025-01-01-to-2025-06-30.json", date(2025, 1, 1), date(2025, 6, 30),
              QD_124, NQ_1314, NQ_175,
              read_snapshot(SOURCES / "2025-03_2025-01-01-to-2025-06-30.json")),
        State("2026-07_from-2025-07-01.json", date(2025, 7, 1), None, QD_19, NQ_1675,
              QD_19_BASIS, read_snapshot(SOURCES / "2026-07_from-2025-07-01.json")),
    ]


def formed_2025_01(old: State, new: State) -> dict[str, frozenset[str]]:
    """New commune code -> the old communes it was formed from, on 2025-01-01 (NQ 1314)."""
    formed = {code: frozenset(NQ_1314_MERGES.get(code, (code,)))
              for code, unit in new.units.items() if unit.level == "commune"}
    _check_formed(old, new, formed, "NQ 1314 table")
    return formed


def formed_2025_07(old: State, new: State,
                   converter: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """New commune code -> the old communes it was formed from, on 2025-07-01, from the table
    of `vietnamadminunits` (keys `province_district_ward` of names without marks and spaces;
    two wards of Hương Trà that differ only in a mark, Hương Vân and Hương Văn, keep theirs)."""
    folded: dict[tuple[str, str], list[str]] = defaultdict(list)
    exact: dict[tuple[str, str], str] = {}
    for unit in old.of_level("commune"):
        district = _fold(old.units[unit.parent or ""].name_vi)
        folded[(district, _fold(unit.name_vi))].append(unit.code)
        exact[(district, _squeeze(unit.name_vi))] = unit.code

    def old_code(key: str) -> str:
        province, district, ward = key.split("_")
        if province != CONVERTER_PROVINCE:
            raise ValueError(f"converter key {key!r} is not of {CONVERTER_PROVINCE}")
        if not ward.isascii():
            return exact[(_fold(district), ward)]
        found = folded[(district, ward)]
        if len(found) != 1:
            raise ValueError(f"converter key {key!r} names {len(found)} communes, want 1")
        return found[0]

    new_codes = {_fold(u.name_vi): u.code for u in new.of_level("commune")}
    formed: dict[str, set[str]] = defaultdict(set)
    whole = converter["DICT_PROVINCE_WARD_NO_DIVIDED"][CONVERTER_PROVINCE]
    for new_key, old_keys in whole.items():
        formed[new_codes[new_key]] |= {old_code(key) for key in old_keys}
    divided = converter["DICT_PROVINCE_WARD_DIVIDED"].get(CONVERTER_PROVINCE, {})
    for old_key, parts in divided.items():
        for part in parts:
            formed[new_codes[part["newWardKey"]]].add(old_code(old_key))
    result = {code: frozenset(codes) for code, codes in formed.items()}
    _check_formed(old, new, result, "vietnamadminunits table")
    return result


def _check_formed(old: State, new: State, formed: Mapping[str, frozenset[str]], what: str) -> None:
    """Every new commune is formed from old ones, and every old commune goes somewhere."""
    new_communes = {u.code for u in new.of_level("commune")}
    old_communes = {u.code for u in old.of_level("commune")}
    used = set().union(*formed.values())
    if set(formed) != new_communes or used != old_communes:
        raise ValueError(f"{what}: does not map the {len(old_communes)} old communes onto the "
                         f"{len(new_communes)} new ones")


Shared = tuple[Unit, Unit, list[Unit], int]
"""Two units sharing territory across a step: the old one, the new one, all the new units the
old one gives territory to, and how many old units of its level the new one takes from."""


def build_catalogue(chain: Sequence[State], steps: Sequence[Mapping[str, frozenset[str]]],
                    sources: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """The JSON form of the catalogue (`filings.areas.parse_areas` reads it): the areas of all
    states, each unit of a state continued or succeeded in the next (`steps[i]` maps each
    commune of `chain[i + 1]` to the communes of `chain[i]` it was formed from)."""
    current = {code: _record(unit, chain[0]) for code, unit in chain[0].units.items()}
    records = list(current.values())
    edges: list[dict[str, Any]] = []
    _link_parents(current, chain[0])
    for old, new, formed in zip(chain[:-1], chain[1:], steps, strict=True):
        shared = _shared(old, new, formed)
        following: dict[str, Record] = {}
        for u, v, targets, sources_of_v in shared:
            if targets == [v] and sources_of_v == 1 and old.code_list == new.code_list \
                    and (u.level, u.code, u.type, u.name_vi) == (v.level, v.code, v.type,
                                                                 v.name_vi):
                following[v.code] = current[u.code]
                following[v.code].unit, following[v.code].valid_to = v, new.valid_to
        for v in new.units.values():
            if v.code not in following:
                following[v.code] = _record(v, new)
                records.append(following[v.code])
        for u, v, targets, sources_of_v in shared:
            successor = following[v.code]
            if successor is current[u.code]:
                continue
            edges.append({
                "predecessor": current[u.code].id,
                "successor": successor.id,
                "kind": succession_kind(u, v, old_targets=targets, new_sources=sources_of_v,
                                        same_code_list=old.code_list == new.code_list),
                "effective": _iso(new.valid_from),
                "legal_basis": dict(successor.legal_basis or {}),
            })
        current = following
        _link_parents(current, new)
    for record in records:
        # The 40 units have boundaries; the province and the city share one territory
        # (NQ 175/2024/QH15 formed the city from the whole province), so one outline.
        if record.unit.level == "commune" and record.code_list == QD_19:
            record.geometry = _geometry(WARDS_FILE, record.unit.code)
        elif record.unit.level == "province":
            record.geometry = _geometry(CITY_FILE, record.unit.code)
    return {
        "description": "Huế's administrative units as dated data and their successions "
                       "(filings.areas). Built by filings/data/build_areas.py; do not edit.",
        "licence": "Derived from thanglequoc/vietnamese-provinces-database (MIT, (c) 2021 "
                   "Thang Le Quoc) and vietnamadminunits 1.0.4 (MIT, (c) 2025 Tran Ngoc Minh "
                   "Hieu); see filings/data/sources/.",
        "sources": list(sources),
        "areas": [_area_json(r) for r in sorted(records, key=_record_order)],
        "successions": sorted(edges, key=lambda e: (e["effective"], e["predecessor"],
                                                     e["successor"])),
    }


def _shared(old: State, new: State, formed: Mapping[str, frozenset[str]]) -> list[Shared]:
    """Every pair of an old and a new unit that share territory, level by level: each old
    unit is paired with new units of its level, or of the commune level when the new state
    has no units of its level (the districts on 2025-07-01)."""
    given: dict[str, set[str]] = defaultdict(set)  # old commune -> the new communes it went to
    for new_code, old_codes in formed.items():
        for old_code in old_codes:
            given[old_code].add(new_code)
    new_levels = {u.level for u in new.units.values()}
    shared: list[Shared] = []
    for level in ("province", "district", "commune"):
        olds = old.of_level(level)
        news = new.of_level(level if level in new_levels else "commune")
        reach = {u.code: set().union(*(given[c] for c in old.leaves(u))) for u in olds}
        targets = {u.code: [v for v in news if reach[u.code] & new.leaves(v)] for u in olds}
        taken = {v.code: sum(1 for u in olds if v in targets[u.code]) for v in news}
        shared += [(u, v, targets[u.code], taken[v.code]) for u in olds for v in targets[u.code]]
    return shared


def _record(unit: Unit, state: State) -> Record:
    witness = state.valid_from or UNRECORDED_START
    basis = state.top_basis if unit.level == "province" else state.basis
    return Record(
        id=f"vn:{PROVINCE}:{LEVEL_LETTER[unit.level]}{unit.code}@{witness.isoformat()}",
        unit=unit, code_list=state.code_list, valid_from=state.valid_from,
        valid_to=state.valid_to, legal_basis=basis,
    )


def _link_parents(records: Mapping[str, Record], state: State) -> None:
    """Append each unit's parent in `state` to its record's parentage (extending the last
    entry when the parent is the same area)."""
    for code, record in records.items():
        parent_code = state.units[code].parent
        if parent_code is None:
            continue
        parent = records[parent_code].id
        last = record.parentage[-1] if record.parentage else None
        if last is not None and last["parent"] == parent:
            last["valid_to"] = _iso(state.valid_to)
        else:
            record.parentage.append({"parent": parent, "valid_from": _iso(state.valid_from),
                                     "valid_to": _iso(state.valid_to)})


def _area_json(record: Record) -> dict[str, Any]:
    unit = record.unit
    return {
        "id": record.id,
        "code": unit.code,
        "code_list": record.code_list,
        "level": unit.level,
        "type": unit.type,
        "name_vi": unit.name_vi,
        "name_en": unit.name_en,
        "valid_from": _iso(record.valid_from),
        "valid_to": _iso(record.valid_to),
        "legal_basis": dict(record.legal_basis) if record.legal_basis is not None else None,
        "parentage": record.parentage,
        "geometry": record.geometry,
    }


def _geometry(file: str, feature: str) -> dict[str, str]:
    return {"file": file, "feature": feature,
            "source": "thanglequoc/vietnamese-provinces-database@cd580632 json/geojson/46_hue "
                      f"(MIT), coverage-simplified at {TOLERANCE}°"}


def _record_order(record: Record) -> tuple[str, int, str]:
    levels = list(LEVEL_LETTER)
    return (_iso(record.valid_from) or "", levels.index(record.unit.level), record.unit.code)


def simplify_coverage(geometries: Sequence[Any]) -> list[Any]:
    """Simplify polygons that tile an area together, so neighbours keep one shared edge (no
    gaps, no overlaps), then snap to `GRID` and orient exteriors counter-clockwise (RFC 7946
    §3.1.6). Raises `ValueError` if the input is not a valid coverage or a result is invalid."""
    if not shapely.coverage_is_valid(geometries):
        raise ValueError("the boundaries overlap or do not match along shared edges")
    simplified = shapely.coverage_simplify(geometries, TOLERANCE)
    snapped = [shapely.orient_polygons(shapely.set_precision(g, GRID)) for g in simplified]
    if not all(g.is_valid and not g.is_empty for g in snapped) \
            or not shapely.coverage_is_valid(snapped):
        raise ValueError("simplified boundaries are not a valid coverage")
    return snapped


def build_boundaries(catalogue: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The 40 units of 2025-07-01 (one Feature each, `id` its code) and the city's outline, as
    GeoJSON FeatureCollections (RFC 7946: WGS 84 longitude, latitude)."""
    with gzip.open(SOURCES / "wards-2025-07-01.geojson.gz", "rt", encoding="utf-8") as handle:
        wards = {f["id"]: f for f in json.load(handle)["features"]}
    units = {a["code"]: a for a in catalogue["areas"]
             if a["level"] == "commune" and a["code_list"] == QD_19}
    if set(wards) != set(units):
        raise ValueError("the boundary file and the 2025-07-01 snapshot list other codes")
    codes = sorted(units)
    shapes = simplify_coverage([shape(wards[c]["geometry"]) for c in codes])
    ward_features = [_feature(units[c], g) for c, g in zip(codes, shapes, strict=True)]
    city_source = json.loads((SOURCES / "city-2025.geojson").read_text(encoding="utf-8"))
    (city_feature,) = city_source["features"]
    city = next(a for a in catalogue["areas"] if a["level"] == "province" and a["valid_to"] is None)
    (outline,) = simplify_coverage([shape(city_feature["geometry"])])
    return _collection(ward_features), _collection([_feature(city, outline)])


def _feature(area: Mapping[str, Any], geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area["code"],
        "properties": {"code": area["code"], "area": area["id"], "type": area["type"],
                       "name_vi": area["name_vi"], "name_en": area["name_en"]},
        "geometry": _rounded(mapping(geometry)),
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _rounded(value: Any) -> Any:
    """GeoJSON from shapely with every coordinate written with at most 5 decimals."""
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return value


def read_converter() -> tuple[dict[str, Any], dict[str, str]]:
    """The converter table of the installed `vietnamadminunits` (refused unless 1.0.4) and its
    source record (package, file, SHA-256)."""
    name, version, path = CONVERTER
    distribution = metadata.distribution(name)
    if distribution.version != version:
        raise SystemExit(f"{name} {distribution.version} is installed, want {version}")
    data = Path(str(distribution.locate_file(path))).read_bytes()
    record = {"package": f"{name}=={version}", "file": path,
              "sha256": hashlib.sha256(data).hexdigest()}
    return json.loads(data), record


def render() -> dict[str, str]:
    """The text of each built file, by name in `filings/data/`."""
    chain = states()
    converter, converter_source = read_converter()
    steps = [formed_2025_01(chain[0], chain[1]), formed_2025_07(chain[1], chain[2], converter)]
    sources = [{"file": f"sources/hue-areas/{s.file}",
                "sha256": hashlib.sha256((SOURCES / s.file).read_bytes()).hexdigest()}
               for s in chain]
    sources.append(converter_source)
    catalogue = build_catalogue(chain, steps, sources)
    wards, city = build_boundaries(catalogue)
    return {
        AREAS_FILE: json.dumps(catalogue, ensure_ascii=False, indent=1) + "\n",
        WARDS_FILE: _compact(wards),
        CITY_FILE: _compact(city),
    }


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def _fold(text: str) -> str:
    """Lower case, no marks (đ as d), letters and digits only: "Phường Hương Trà" ->
    "phuonghuongtra"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", bare.lower())


def _squeeze(text: str) -> str:
    """Lower case with its marks, no spaces: "Phường Hương Vân" -> "phườnghươngvân"."""
    return re.sub(r"\s", "", unicodedata.normalize("NFC", text).lower())


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="fail if the committed files differ from the build")
    args = parser.parse_args(list(argv) if argv is not None else None)
    stale = []
    for name, text in render().items():
        path = DATA / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote filings/data/{name} ({len(text.encode()):,} bytes)")
    if stale:
        print("out of date (run make areas): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
