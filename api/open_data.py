"""The open-data export (Decree 47/2020/NĐ-CP): the log's public records up to one checkpoint as
CSV files and RFC 7946 GeoJSON files with a Frictionless Data Package, and a DCAT 3 catalogue
(JSON-LD) that names the checkpoint, so that every row, every feature and every whole file can
be checked against the log (docs/open-data.md).

    indicators.csv     one row per `indicator/2` figure
    permits.csv        one row per public `permit/2` record
    plans.csv          one row per target of a `plan/1` record
    sites.csv          one row per public `site/1` record (every version of every BTS site)
    sites.geojson      the same records as Point features
    routes.geojson     one LineString feature per public `route/1` record, its length computed
    ducts.csv          one row per public `duct/1` record (ducts and manholes)
    datapackage.json   Frictionless Data Package: Table Schema of each CSV, the properties of
                       each GeoJSON file's features, bytes and sha256 of every file
    catalog.jsonld     DCAT 3 catalogue of the datasets and their distributions, the licence,
                       the publisher, the coverage and the checkpoint (origin, size, root, note)

Restricted records are left out of every file (their bodies are never exported: a rooftop site's
owner is a restricted `siteowner/1` record of its own, never in any file, while the site itself is
public and exported); the catalogue counts them per dataset. Each CSV column that comes from the
record names its place in the record (`infraledger:source`, a JSON pointer into `{"record_id",
"index", "entry", "body"}`, `{target}` standing for the row's target number), so a verifier checks
a row against the record's proof bundle without knowing the kinds; the other columns (names from
the registry and the area catalogue, the corrections, a route's length) say where they come from in
`infraledger:derived`. A GeoJSON feature's `id` is its record id, its geometry is taken from the
record as `infraledger:geometry` says, and each property is the JSON value at its
`infraledger:source` unchanged (or `infraledger:derived`); each GeoJSON file names the checkpoint
too (`infraledger:checkpoint`, as the Data Package does), so that it stands on its own.

`export_files` is pure: the same records, checkpoint and names give the same bytes. The one
function that reads, `read_export`, takes the stores it reads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

from api.errors import ApiError
from filings.areas import AreaCatalogue, load_areas
from filings.errors import FilingError
from filings.figures import DEPARTMENT
from filings.infrastructure import RouteBody, route_length_m
from filings.periods import issued_day, parse_period
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore

VIETNAM: Final = timezone(timedelta(hours=7))
CATALOG: Final = "catalog.jsonld"
DATAPACKAGE: Final = "datapackage.json"
LICENCE_URL: Final = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_ID: Final = "CC-BY-4.0"
PUBLISHER_VI: Final = DEPARTMENT
PUBLISHER_EN: Final = "Department of Science and Technology of Huế City"
CITY_CODE: Final = "46"
MEDIA_TYPES: Final[Mapping[str, str]] = {
    ".csv": "text/csv", ".json": "application/json", ".jsonld": "application/ld+json",
    ".geojson": "application/geo+json",
}
CONTEXT: Final[Mapping[str, str]] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "infraledger": "https://infraledger.example.vn/ns/open-data#",
}
RECORD_PATTERN: Final = "^[0-9a-f]{64}$"
ADDRESS_PATTERN: Final = "^0x[0-9a-fA-F]{40}$"
HASH_PATTERN: Final = "^0x[0-9a-f]{64}$"
GEOJSON_SPEC: Final = "https://www.rfc-editor.org/rfc/rfc7946"
LENGTH_DECIMALS: Final = 2
"""A route's computed length is written to the centimetre."""


class ExportNotReady(ApiError):
    """No anchored checkpoint yet (the route), or no signed checkpoint of the asked size (the
    command): there is nothing to export at."""

    code = "export_not_ready"
    http_status = 404


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One record of the log as the export reads it: its place, parsed entry and public body
    (None for a restricted record)."""

    record_id: str
    index: int
    entry: Mapping[str, Any]
    body: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class ExportCheckpoint:
    """The signed checkpoint the export is taken at, and its anchor on the chain (None when the
    command exports a checkpoint not anchored yet)."""

    origin: str
    size: int
    root: bytes
    note: str
    created_at: int
    anchor: StoredAnchor | None


@dataclass(frozen=True, slots=True)
class Column:
    """A CSV column: its Table Schema field, and where its value comes from (`source`: a JSON
    pointer into the record document; else `derived`: how it is made)."""

    name: str
    type: str
    title_vi: str
    title_en: str
    source: str | None = None
    derived: str | None = None
    required: bool = False
    pattern: str | None = None

    def field(self) -> dict[str, Any]:
        """The Table Schema field descriptor (of a CSV column, or of a GeoJSON property)."""
        described: dict[str, Any] = {"name": self.name, "type": self.type,
                                     "title": self.title_vi, "description": self.title_en}
        if self.type == "list":
            described.update(delimiter=",", itemType="string")
        if self.type == "datetime":
            described["format"] = "any"
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if constraints:
            described["constraints"] = constraints
        if self.source is not None:
            described["infraledger:source"] = self.source
        if self.derived is not None:
            described["infraledger:derived"] = self.derived
        return described


def _record_columns() -> tuple[Column, ...]:
    return (
        Column("record", "string", "Mã bản ghi", "Record id (leaf hash)", "/record_id",
               required=True, pattern=RECORD_PATTERN),
        Column("index", "integer", "Chỉ số trong sổ", "Leaf index in the log", "/index",
               required=True),
        Column("operator", "string", "Địa chỉ bên khai", "Declarant address (EIP-55)",
               "/entry/operator", required=True, pattern=ADDRESS_PATTERN),
        Column("operator_name", "string", "Tên bên khai", "Declarant name",
               derived="the OperatorRegistry name of operator (the department for plans)"),
    )


def _trail_columns() -> tuple[Column, ...]:
    return (
        Column("issued_at", "datetime", "Thời điểm ký", "Signed at (ISO 8601, +07:00)",
               "/entry/issued_at", required=True),
        Column("supersedes", "string", "Đính chính bản ghi", "Corrects record",
               "/entry/supersedes", pattern=HASH_PATTERN),
        Column("superseded_by", "list", "Được đính chính bởi", "Corrected by records",
               derived="the records of this file whose supersedes is this record (for a "
               "site, route or duct: its newer versions)"),
        Column("content_sha256", "string", "Mã băm nội dung", "Content commitment (SHA-256)",
               "/entry/content", required=True, pattern=HASH_PATTERN),
    )


INDICATOR_COLUMNS: Final = (
    *_record_columns(),
    Column("indicator", "string", "Chỉ tiêu", "Indicator", "/body/indicator", required=True),
    Column("area", "string", "Mã địa bàn", "Area code", "/body/area", required=True),
    Column("area_name", "string", "Tên địa bàn", "Area name",
           derived="the area catalogue's name of area on the period's last day"),
    Column("period", "string", "Kỳ", "Period", "/body/period", required=True),
    Column("value", "number", "Giá trị", "Value", "/body/value", required=True),
    Column("unit", "string", "Đơn vị", "Unit", "/body/unit", required=True),
    Column("numerator", "integer", "Tử số", "Numerator", "/body/numerator"),
    Column("denominator", "integer", "Mẫu số", "Denominator", "/body/denominator"),
    *_trail_columns(),
)
PERMIT_COLUMNS: Final = (
    *_record_columns(),
    Column("number", "string", "Số giấy phép", "Permit number", "/body/number", required=True),
    Column("type", "string", "Loại", "Type", "/body/type", required=True),
    Column("lat", "number", "Vĩ độ", "Latitude (WGS84)", "/body/location/lat", required=True),
    Column("lon", "number", "Kinh độ", "Longitude (WGS84)", "/body/location/lon",
           required=True),
    Column("commune", "string", "Mã xã, phường", "Commune code", "/body/location/commune",
           required=True),
    Column("commune_name", "string", "Tên xã, phường", "Commune name",
           derived="the area catalogue's name of commune on valid_from"),
    Column("valid_from", "date", "Hiệu lực từ", "Valid from", "/body/valid_from",
           required=True),
    Column("valid_until", "date", "Hiệu lực đến", "Valid until", "/body/valid_until",
           required=True),
    Column("operators", "list", "Đơn vị sử dụng", "Operators", "/body/operators",
           required=True),
    Column("holder", "string", "Chủ giấy phép", "Holder", "/body/holder"),
    *_trail_columns(),
)


def _position_columns() -> tuple[Column, ...]:
    return (
        Column("area", "string", "Mã xã, phường", "Commune code", "/body/area", required=True),
        Column("area_name", "string", "Tên xã, phường", "Commune name",
               derived="the area catalogue's name of area on as_of"),
        Column("lat", "number", "Vĩ độ", "Latitude (WGS84)", "/body/position/lat",
               required=True),
        Column("lon", "number", "Kinh độ", "Longitude (WGS84)", "/body/position/lon",
               required=True),
        Column("vn2000_x", "number", "Tọa độ X VN-2000 (hướng bắc, m)",
               "VN-2000 x (northing, m) as filed", "/body/vn2000/x"),
        Column("vn2000_y", "number", "Tọa độ Y VN-2000 (hướng đông, m)",
               "VN-2000 y (easting, m) as filed", "/body/vn2000/y"),
        Column("vn2000_zone", "string", "Múi chiếu VN-2000 (kinh tuyến trục)",
               "VN-2000 TM-3 zone (central meridian)", "/body/vn2000/zone"),
    )


SITE_COLUMNS: Final = (
    *_record_columns(),
    Column("site_id", "string", "Mã trạm", "Site id", "/body/site_id", required=True),
    Column("as_of", "date", "Tình trạng tính đến ngày", "State as of", "/body/as_of",
           required=True),
    *_position_columns(),
    Column("structure", "string", "Loại cột", "Structure", "/body/structure", required=True),
    Column("height_m", "number", "Chiều cao (m)", "Height (m)", "/body/height_m",
           required=True),
    Column("technologies", "list", "Công nghệ", "Technologies", "/body/technologies",
           required=True),
    Column("tenants", "list", "Doanh nghiệp dùng chung", "Tenants (shared use)",
           "/body/tenants"),
    Column("permit_number", "string", "Số giấy phép xây dựng", "Construction permit number",
           "/body/permit/number"),
    Column("permit_date", "date", "Ngày cấp phép", "Permit date", "/body/permit/date"),
    Column("permit_issuer", "string", "Cơ quan cấp phép", "Permit issuer",
           "/body/permit/issuer"),
    Column("exemption", "string", "Căn cứ miễn giấy phép", "Legal basis of the exemption",
           "/body/exemption"),
    Column("status", "string", "Trạng thái", "Status", "/body/status", required=True),
    Column("outage_reason", "string", "Lý do ngừng hoạt động", "Out of service: reason",
           "/body/out_of_service/reason"),
    Column("outage_since", "date", "Ngừng hoạt động từ", "Out of service since",
           "/body/out_of_service/since"),
    Column("commissioned", "date", "Ngày đưa vào hoạt động", "Commissioned",
           "/body/commissioned"),
    *_trail_columns(),
)
DUCT_COLUMNS: Final = (
    *_record_columns(),
    Column("duct_id", "string", "Mã cống, bể", "Duct or manhole id", "/body/duct_id",
           required=True),
    Column("as_of", "date", "Tình trạng tính đến ngày", "State as of", "/body/as_of",
           required=True),
    *_position_columns(),
    Column("type", "string", "Loại (cống, bể cáp)", "Type (duct, manhole)", "/body/type",
           required=True),
    Column("capacity", "integer", "Dung lượng", "Capacity", "/body/capacity", required=True),
    Column("used", "integer", "Đã sử dụng", "Used", "/body/used", required=True),
    Column("tenants", "list", "Doanh nghiệp dùng chung", "Tenants (shared use)",
           "/body/tenants"),
    Column("status", "string", "Trạng thái", "Status", "/body/status", required=True),
    *_trail_columns(),
)
ROUTE_COLUMNS: Final = (
    *_record_columns(),
    Column("route_id", "string", "Mã tuyến cáp", "Cable route id", "/body/route_id",
           required=True),
    Column("as_of", "date", "Tình trạng tính đến ngày", "State as of", "/body/as_of",
           required=True),
    Column("areas", "list", "Các xã, phường đi qua", "Communes crossed", "/body/areas",
           required=True),
    Column("placement", "string", "Cáp treo hay cáp ngầm", "Aerial or underground",
           "/body/placement", required=True),
    Column("shared", "string", "Dùng chung cột hay cống", "Shared poles or ducts",
           "/body/shared"),
    Column("tenants", "list", "Doanh nghiệp dùng chung", "Tenants (shared use)",
           "/body/tenants"),
    Column("status", "string", "Trạng thái", "Status", "/body/status", required=True),
    Column("length_m", "number", "Chiều dài (m)", "Length (m)",
           derived="the geodesic length of geometry on the WGS84 ellipsoid (PROJ's Geod), in "
           "metres to the centimetre"),
    *_trail_columns(),
)
"""The properties of a route's feature (routes have no CSV: a line is not a row)."""
_TARGET: Final = "/body/targets/{target}"
PLAN_COLUMNS: Final = (
    *_record_columns(),
    Column("target", "integer", "Số thứ tự chỉ tiêu", "Target position (from 0)",
           derived="the position of the target in the plan's targets", required=True),
    Column("plan_number", "string", "Số văn bản", "Document number", "/body/document/number",
           required=True),
    Column("plan_date", "date", "Ngày văn bản", "Document date", "/body/document/date",
           required=True),
    Column("issuer", "string", "Cơ quan ban hành", "Issuer", "/body/document/issuer",
           required=True),
    Column("period_start", "date", "Kế hoạch từ", "Plan period start", "/body/period/start",
           required=True),
    Column("period_end", "date", "Kế hoạch đến", "Plan period end", "/body/period/end",
           required=True),
    Column("indicator", "string", "Chỉ tiêu", "Indicator", f"{_TARGET}/indicator",
           required=True),
    Column("section", "string", "Mục", "Section", f"{_TARGET}/section", required=True),
    Column("name_vi", "string", "Tên chỉ tiêu", "Target name (Vietnamese)",
           f"{_TARGET}/name_vi", required=True),
    Column("name_en", "string", "Tên chỉ tiêu (tiếng Anh)", "Target name (English)",
           f"{_TARGET}/name_en", required=True),
    Column("unit", "string", "Đơn vị", "Unit", f"{_TARGET}/unit", required=True),
    Column("direction", "string", "Chiều", "Direction", f"{_TARGET}/direction", required=True),
    Column("value", "number", "Mục tiêu", "Target value", f"{_TARGET}/value", required=True),
    Column("deadline", "date", "Thời hạn", "Deadline", f"{_TARGET}/deadline", required=True),
    Column("baseline_value", "number", "Giá trị gốc", "Baseline value",
           f"{_TARGET}/baseline/value"),
    Column("baseline_period", "string", "Kỳ gốc", "Baseline period",
           f"{_TARGET}/baseline/period"),
    Column("levels", "list", "Cấp địa bàn", "Area levels", f"{_TARGET}/levels", required=True),
    Column("formula", "string", "Công thức", "Formula", f"{_TARGET}/formula", required=True),
    *_trail_columns(),
)


_NOT_PROPERTIES: Final = frozenset({"record", "lat", "lon"})
"""Columns a feature holds elsewhere: its `id` and its geometry."""
_PROPERTY_TYPES: Final[Mapping[str, str]] = {"list": "array", "datetime": "integer"}
"""A feature's property is the record's JSON value: a list is an array, a time unix seconds."""


@dataclass(frozen=True, slots=True)
class Features:
    """A dataset's GeoJSON file: one Feature per record, `id` its record id, its geometry from
    the record (`geometry`: a JSON pointer to an RFC 7946 geometry object, or the pointers of a
    Point's longitude and latitude), its properties the dataset's columns less the record id and
    the position, each the JSON value at the column's source."""

    geometry: str | tuple[str, str]

    def described(self, columns: Sequence[Column]) -> dict[str, Any]:
        """The Data Package resource's `infraledger:features`."""
        geometry: Any = self.geometry if isinstance(self.geometry, str) else {
            "type": "Point", "coordinates": list(self.geometry)}
        return {"infraledger:id": "/record_id", "infraledger:geometry": geometry,
                "infraledger:properties": [column.field() for column in properties(columns)]}


def properties(columns: Sequence[Column]) -> tuple[Column, ...]:
    """A dataset's columns as the properties of its features."""
    return tuple(
        Column(c.name, _PROPERTY_TYPES.get(c.type, c.type), c.title_vi, c.title_en, c.source,
               c.derived) for c in columns if c.name not in _NOT_PROPERTIES)


@dataclass(frozen=True, slots=True)
class Dataset:
    """One exported dataset: the record schema it holds, titles and columns, and its files: a CSV
    unless `tabular` is false, a GeoJSON file when it has `features`."""

    name: str
    schema: str
    title_vi: str
    title_en: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    features: Features | None = None
    tabular: bool = True

    @property
    def path(self) -> str:
        """The CSV file's name."""
        return f"{self.name}.csv"

    @property
    def geojson_path(self) -> str:
        return f"{self.name}.geojson"

    @property
    def paths(self) -> tuple[str, ...]:
        """The dataset's files, the CSV first."""
        return (*((self.path,) if self.tabular else ()),
                *((self.geojson_path,) if self.features is not None else ()))


DATASETS: Final = (
    Dataset("indicators", "indicator/2", "Số liệu chỉ tiêu hạ tầng số do các bên khai",
            "Digital infrastructure indicator figures as declared", INDICATOR_COLUMNS,
            ("record",)),
    Dataset("permits", "permit/2", "Giấy phép hạ tầng viễn thông thụ động (công khai)",
            "Passive telecom infrastructure permits (public ones)", PERMIT_COLUMNS, ("record",)),
    Dataset("plans", "plan/1", "Chỉ tiêu của các kế hoạch",
            "Targets of the plans", PLAN_COLUMNS, ("record", "target")),
    Dataset("sites", "site/1", "Trạm thu phát sóng (BTS) và các phiên bản hồ sơ",
            "BTS sites, every version of their records", SITE_COLUMNS, ("record",),
            Features(("/body/position/lon", "/body/position/lat"))),
    Dataset("routes", "route/1", "Tuyến cáp viễn thông và các phiên bản hồ sơ",
            "Telecom cable routes, every version of their records", ROUTE_COLUMNS, ("record",),
            Features("/body/geometry"), tabular=False),
    Dataset("ducts", "duct/1", "Cống, bể cáp viễn thông và các phiên bản hồ sơ",
            "Cable ducts and manholes, every version of their records", DUCT_COLUMNS,
            ("record",)),
)
"""The datasets, in the catalogue's order."""


def pointer(document: Any, path: str) -> Any:
    """The value at JSON pointer `path` (RFC 6901, no escapes needed by our names) in
    `document`; None when a step is missing."""
    value = document
    for step in path.strip("/").split("/"):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def cell(value: Any, column: Column) -> str:
    """A JSON value as its CSV cell: "" for null, lists joined with ",", a unix time as ISO
    8601 in Việt Nam time, numbers as Python writes them (shortest round trip)."""
    if value is None:
        return ""
    if column.type == "datetime" and isinstance(value, int):
        return datetime.fromtimestamp(value, VIETNAM).isoformat()
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _document(record: ExportRecord) -> dict[str, Any]:
    return {"record_id": record.record_id, "index": record.index, "entry": record.entry,
            "body": record.body}


Deriver = Callable[[ExportRecord, Column, int | None], Any]
"""A derived column's JSON value for a record (and a plan's target)."""


def _csv(dataset: Dataset, records: Sequence[ExportRecord], derive: Deriver) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.name for column in dataset.columns])
    for record in records:
        document = _document(record)
        targets = (range(len(record.body["targets"])) if dataset.schema == "plan/1"
                   and record.body is not None else [None])
        for target in targets:
            row = []
            for column in dataset.columns:
                if column.source is None:
                    row.append(cell(derive(record, column, target), column))
                    continue
                path = column.source.replace("{target}", str(target))
                row.append(cell(pointer(document, path), column))
            writer.writerow(row)
    return out.getvalue().encode("utf-8")


class _Derivations:
    """The derived columns of every dataset: names and corrections."""

    def __init__(self, records: Sequence[ExportRecord], names: Mapping[str, str],
                 areas: AreaCatalogue) -> None:
        self._names = names
        self._areas = areas
        self._area_names: dict[tuple[str, date], str] = {}
        self._corrections: dict[str, list[str]] = {}
        for record in records:
            corrected = record.entry.get("supersedes")
            if isinstance(corrected, str):
                self._corrections.setdefault(corrected.removeprefix("0x"), []).append(
                    record.record_id)

    def __call__(self, record: ExportRecord, column: Column, target: int | None) -> Any:
        body = record.body or {}
        if column.name == "operator_name":
            if record.entry.get("kind") == "plan":
                return DEPARTMENT
            return self._names.get(str(record.entry.get("operator")), "")
        if column.name == "area_name" and "as_of" in body:
            return self._area_name(str(body["area"]), date.fromisoformat(str(body["as_of"])))
        if column.name == "area_name":
            return self._area_name(str(body["area"]), parse_period(str(body["period"])).as_of)
        if column.name == "commune_name":
            return self._area_name(str(body["location"]["commune"]),
                                   date.fromisoformat(str(body["valid_from"])))
        if column.name == "target":
            return target
        if column.name == "superseded_by":
            return self._corrections.get(record.record_id, [])
        if column.name == "length_m":
            return round(route_length_m(RouteBody.model_validate(body)), LENGTH_DECIMALS)
        raise AssertionError(f"no derivation for column {column.name}")

    def _area_name(self, code: str, day: date) -> str:
        """The area's name on `day`, resolved once per code and day (rows share few of them)."""
        key = (code, day)
        if key not in self._area_names:
            try:
                self._area_names[key] = self._areas.resolve(code, day).name_vi
            except FilingError:  # admitted records resolve; an old one that does not: blank
                self._area_names[key] = ""
        return self._area_names[key]


def _feature(dataset: Dataset, features: Features, record: ExportRecord,
             derive: Deriver) -> dict[str, Any]:
    document = _document(record)
    geometry = pointer(document, features.geometry) if isinstance(features.geometry, str) \
        else {"type": "Point", "coordinates": [pointer(document, p) for p in features.geometry]}
    described = {}
    for column in properties(dataset.columns):
        described[column.name] = derive(record, column, None) if column.source is None \
            else pointer(document, column.source)
    return {"type": "Feature", "id": record.record_id, "geometry": geometry,
            "properties": described}


def _geojson(dataset: Dataset, records: Sequence[ExportRecord], derive: Deriver,
             checkpoint: ExportCheckpoint) -> bytes:
    """The dataset's records as an RFC 7946 FeatureCollection naming the checkpoint."""
    assert dataset.features is not None
    collection = {
        "type": "FeatureCollection",
        "infraledger:schema": dataset.schema,
        "infraledger:checkpoint": _checkpoint_claim(checkpoint),
        "features": [_feature(dataset, dataset.features, r, derive) for r in records],
    }
    return (json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def media_type(name: str) -> str:
    """The media type of an exported file, by its suffix."""
    return MEDIA_TYPES[name[name.rfind("."):]]


def _datapackage(files: Mapping[str, bytes], checkpoint: ExportCheckpoint) -> bytes:
    resources = []
    for dataset in DATASETS:
        if dataset.tabular:
            data = files[dataset.path]
            resources.append({
                "name": dataset.name, "path": dataset.path, "profile": "tabular-data-resource",
                "title": dataset.title_vi, "description": dataset.title_en,
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                "bytes": len(data), "hash": f"sha256:{_sha256(data)}",
                "schema": {"fields": [column.field() for column in dataset.columns],
                           "primaryKey": list(dataset.primary_key)},
                "infraledger:schema": dataset.schema,
            })
        if dataset.features is not None:
            data = files[dataset.geojson_path]
            resources.append({
                "name": f"{dataset.name}-geojson", "path": dataset.geojson_path,
                "profile": "data-resource", "title": dataset.title_vi,
                "description": f"{dataset.title_en} (RFC 7946 GeoJSON)",
                "format": "geojson", "mediatype": media_type(dataset.geojson_path),
                "encoding": "utf-8", "bytes": len(data), "hash": f"sha256:{_sha256(data)}",
                "infraledger:schema": dataset.schema,
                "infraledger:features": dataset.features.described(dataset.columns),
            })
    package = {
        "profile": "data-package",
        "name": "infraledger-hue-open-data",
        "title": "Dữ liệu mở hạ tầng viễn thông thành phố Huế",
        "description": "Open data of Huế's telecom infrastructure ledger, taken at the signed "
                       f"checkpoint of size {checkpoint.size} of {checkpoint.origin}.",
        "licenses": [{"name": LICENCE_ID, "path": LICENCE_URL,
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
        "infraledger:checkpoint": _checkpoint_claim(checkpoint),
    }
    return _json(package)


def _checkpoint_claim(checkpoint: ExportCheckpoint) -> dict[str, Any]:
    anchor = checkpoint.anchor
    return {
        "@type": "infraledger:Checkpoint",
        "infraledger:origin": checkpoint.origin,
        "infraledger:treeSize": checkpoint.size,
        "infraledger:rootHash": "0x" + checkpoint.root.hex(),
        "infraledger:signedNote": checkpoint.note,
        "infraledger:anchor": None if anchor is None else {
            "infraledger:chainId": anchor.chain_id,
            "infraledger:contract": anchor.contract,
            "infraledger:transaction": "0x" + anchor.tx_hash.hex(),
            "infraledger:blockNumber": anchor.block_number,
            "infraledger:blockHash": "0x" + anchor.block_hash.hex(),
        },
    }


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _texts(vi: str, en: str) -> list[dict[str, str]]:
    return [{"@value": vi, "@language": "vi"}, {"@value": en, "@language": "en"}]


def _day(seconds: int) -> str:
    return issued_day(seconds).isoformat()


def _distribution(name: str, data: bytes, conforms_to: str | None) -> dict[str, Any]:
    described: dict[str, Any] = {
        "@id": f"#{name}",
        "@type": "dcat:Distribution",
        "dct:title": name,
        "dcat:downloadURL": {"@id": name},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/"
                                  f"{media_type(name)}"},
        "dcat:byteSize": {"@value": str(len(data)), "@type": "xsd:nonNegativeInteger"},
        "spdx:checksum": {"@type": "spdx:Checksum",
                          "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                          "spdx:checksumValue": _sha256(data)},
        "dct:license": {"@id": LICENCE_URL},
    }
    if conforms_to is not None and name.endswith(".geojson"):
        described["dct:conformsTo"] = [{"@id": GEOJSON_SPEC}, {"@id": conforms_to}]
    elif conforms_to is not None:
        described["dct:conformsTo"] = {"@id": conforms_to}
    return described


def _resource_name(path: str) -> str:
    """The Data Package resource of an exported file: `sites.csv` is `sites`, `sites.geojson`
    is `sites-geojson`."""
    name, suffix = path.rsplit(".", 1)
    return name if suffix == "csv" else f"{name}-{suffix}"


def _catalog(files: Mapping[str, bytes], records: Mapping[str, Sequence[ExportRecord]],
             withheld: Mapping[str, int], checkpoint: ExportCheckpoint) -> bytes:
    package = files[DATAPACKAGE]
    datasets = []
    for dataset in DATASETS:
        times = [int(r.entry["issued_at"]) for r in records[dataset.schema]]
        described: dict[str, Any] = {
            "@id": f"#dataset-{dataset.name}",
            "@type": "dcat:Dataset",
            "dct:identifier": dataset.name,
            "dct:title": _texts(dataset.title_vi, dataset.title_en),
            "dct:publisher": {"@id": "#publisher"},
            "dct:license": {"@id": LICENCE_URL},
            "dct:spatial": {"@id": "#spatial"},
            "dct:conformsTo": {"@id": f"{DATAPACKAGE}#{_resource_name(dataset.paths[0])}"},
            "prov:wasDerivedFrom": {"@id": "#checkpoint"},
            "infraledger:recordSchema": dataset.schema,
            "infraledger:records": len(records[dataset.schema]),
            "infraledger:restrictedWithheld": withheld.get(dataset.schema, 0),
            "dcat:distribution": [
                _distribution(path, files[path], f"{DATAPACKAGE}#{_resource_name(path)}")
                for path in dataset.paths],
        }
        if times:
            described["dct:temporal"] = {"@type": "dct:PeriodOfTime",
                                         "dcat:startDate": _day(min(times)),
                                         "dcat:endDate": _day(max(times))}
        datasets.append(described)
    catalogue = {
        "@context": dict(CONTEXT),
        "@id": "#catalog",
        "@type": "dcat:Catalog",
        "dct:title": _texts("Dữ liệu mở hạ tầng viễn thông thành phố Huế",
                            "Open data of Huế's telecom infrastructure"),
        "dct:description": _texts(
            "Bản ghi công khai của sổ cái, mỗi dòng kiểm chứng được với checkpoint đã ký.",
            "The ledger's public records; every row verifies against the signed checkpoint."),
        "dct:language": [{"@id": "http://id.loc.gov/vocabulary/iso639-1/vi"}],
        "dct:publisher": {"@id": "#publisher", "@type": "foaf:Organization",
                          "foaf:name": _texts(PUBLISHER_VI, PUBLISHER_EN)},
        "dct:license": {"@id": LICENCE_URL},
        "dct:rights": _texts(
            "Dữ liệu mở của cơ quan nhà nước theo Nghị định 47/2020/NĐ-CP; sổ cái chọn giấy "
            "phép CC BY 4.0.",
            "Open data of a state body under Decree 47/2020/NĐ-CP; the ledger licenses it as "
            "CC BY 4.0."),
        "dct:spatial": {"@id": "#spatial", "@type": "dct:Location",
                        "dct:identifier": CITY_CODE, "skos:prefLabel": "Thành phố Huế",
                        "skos:inScheme": "QĐ 19/2025/QĐ-TTg"},
        "dct:modified": {"@value": _day(checkpoint.created_at), "@type": "xsd:date"},
        "prov:wasDerivedFrom": {"@id": "#checkpoint", **_checkpoint_claim(checkpoint)},
        "dcat:dataset": datasets,
        "dcat:distribution": [_distribution(DATAPACKAGE, package, None)],
    }
    return _json(catalogue)


def export_files(records: Sequence[ExportRecord], checkpoint: ExportCheckpoint,
                 names: Mapping[str, str], areas: AreaCatalogue | None = None) -> dict[str, bytes]:
    """Every file of the export, by name, from the records of the log below `checkpoint.size`
    (any order, any kinds: the other kinds are ignored) and the registry's operator names.

    Requires every record's index below `checkpoint.size`. Restricted records (body None) are
    counted, never written."""
    by_schema: dict[str, list[ExportRecord]] = {dataset.schema: [] for dataset in DATASETS}
    withheld: dict[str, int] = {}
    for record in sorted(records, key=lambda r: r.index):
        if record.index >= checkpoint.size:
            raise ValueError(f"record at index {record.index}, checkpoint size {checkpoint.size}")
        schema = str(record.entry.get("schema"))
        if schema not in by_schema:
            continue
        if record.body is None:
            withheld[schema] = withheld.get(schema, 0) + 1
        else:
            by_schema[schema].append(record)
    derive = _Derivations([r for rs in by_schema.values() for r in rs], names,
                          load_areas() if areas is None else areas)
    files = {}
    for dataset in DATASETS:
        if dataset.tabular:
            files[dataset.path] = _csv(dataset, by_schema[dataset.schema], derive)
        if dataset.features is not None:
            files[dataset.geojson_path] = _geojson(dataset, by_schema[dataset.schema], derive,
                                                   checkpoint)
    files[DATAPACKAGE] = _datapackage(files, checkpoint)
    files[CATALOG] = _catalog(files, by_schema, withheld, checkpoint)
    return files


def read_export(records: RecordStore, store: LogStore, anchors: AnchorStore,
                size: int | None) -> tuple[list[ExportRecord], ExportCheckpoint]:
    """The records and checkpoint of an export at the signed checkpoint of `size` (None: the
    latest anchored one). Raises `ExportNotReady` when there is none."""
    if size is None:
        latest = anchors.latest()
        if latest is None:
            raise ExportNotReady("no anchored checkpoint yet: nothing to export")
        size = latest.tree_size
    stored = store.checkpoint(size)
    if stored is None:
        raise ExportNotReady(f"no signed checkpoint of size {size}")
    found = []
    for dataset in DATASETS:
        kind = dataset.schema.split("/")[0]
        for record in records.of_kind(kind, below=size):
            found.append(ExportRecord(
                record.leaf_hash.hex(), record.index, json.loads(record.data),
                None if record.body is None or record.restricted else json.loads(record.body)))
    checkpoint = ExportCheckpoint(store.origin, size, bytes(stored.checkpoint.root),
                                  stored.note, stored.created_at, anchors.at(size))
    return found, checkpoint
