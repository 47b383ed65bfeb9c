"""Verifying an open-data export (docs/open-data.md): the checkpoint its catalogue names, every
file against the catalogue's checksums, every CSV row against its record in the log, and every
file against the log's records: it holds each public record of its dataset up to the checkpoint.

An export is a directory or a URL holding `catalog.jsonld` (DCAT 3, JSON-LD), `datapackage.json`
(Frictionless Data Package) and the CSV and GeoJSON files they describe. The checks, in order:

1. `checkpoint`: the catalogue's signed note is a checkpoint of the pinned log (origin and key),
   of the tree size and root the catalogue states, and, online, the root anchored at that size
   on the chain (`rootAt`); the Data Package names the same checkpoint. Without it nothing else
   is checked.
2. `files`: each distribution of the catalogue has its stated byte size and SHA-256; each
   resource of the Data Package too.
3. `rows`: for every row of every CSV resource, the record's proof bundle (from the ledger)
   verifies (every check of FORMAT.md), its index is the row's and below the export's tree
   size, its checkpoint is consistent with the export's (an RFC 9162 consistency proof from
   the ledger when the sizes differ), its body is shown, and every column with an
   `infraledger:source` equals the value at that JSON pointer of `{"record_id", "index",
   "entry", "body"}` (`{target}` replaced by the row's `target`), read by the column's type.
   A row's `superseded_by` must name rows of the same file whose `supersedes` is this record.
4. `rows` of a GeoJSON resource (`"format": "geojson"`), feature by feature: the file is an RFC
   7946 FeatureCollection naming the catalogue's checkpoint (`infraledger:checkpoint`); each
   feature's `id` is a record id whose record passes the checks of 3; its geometry is the
   record's as the resource's `infraledger:geometry` says (the geometry object at a JSON
   pointer, or a Point of the longitude and latitude at two pointers); every property of
   `infraledger:properties` with an `infraledger:source` is exactly the JSON value there; and
   `superseded_by` names features of the file that supersede it.
5. `complete`: every entry of the log below the export's size is read from the ledger's C2SP
   entry bundles (`tile/entries/...`) and the tree they make must have the checkpoint's root,
   so the entries are the log's, none left out. The entries of each dataset of the catalogue
   are those of its `infraledger:recordSchema` (the kind its first part), every version of a
   thing included, as the export takes them. An entry does not say whether its record is
   restricted (a salted commitment looks like any other): the ledger does, by withholding its
   body from the record's proof bundle, so a dataset's withheld records are its entries whose
   bundle shows no body, and its public records the others. Each file of the dataset holds
   every public record (a finding names each one missing) and no other record (a finding
   names each row of a record that is not one of the dataset's entries: another kind, or a
   record after the checkpoint); `infraledger:records` is the count of public records and
   `infraledger:restrictedWithheld` of the withheld ones. A distribution of a dataset that the
   Data Package describes no resource of is a finding too: its rows could not be checked.

Each failure is a finding naming the file, the line (for GeoJSON, the feature's position)
and the column; `Unavailable` (the ledger
or the chain could not be read) escapes to the caller.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from verifier.bundle import ProofBundle
from verifier.bundle_verification import verify_bundle
from verifier.canonical_json import parse_json
from verifier.entry import Entry, parse_record_id
from verifier.errors import (
    LedgerNotFound,
    MalformedInput,
    MalformedLedgerResponse,
    Unavailable,
    VerificationError,
)
from verifier.evidence_fetch import fetch_bindings, fetch_evidence
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import LedgerApi
from verifier.messages import Lang, Text, text
from verifier.onchain import LedgerAnchor
from verifier.rfc9162 import LeafHash, RootHash, leaf_hash, verify_consistency
from verifier.signatures import SignatureInputs
from verifier.tiles import TILE_WIDTH, bundle_widths, entry_bundle_path, parse_entry_bundle
from verifier.tree import Frontier
from verifier.trust import Trust

CATALOG: Final = "catalog.jsonld"
DATAPACKAGE: Final = "datapackage.json"
MAX_FINDINGS: Final = 1000
"""Findings kept in a report; the count of the others is kept."""
WITHHELD: Final = text("export.body_withheld")
"""Why a record has no document: the ledger withholds its body (a restricted record)."""

Held = dict[str, int | None]
"""The records a file holds: each record id with the line of its first row (None for a
GeoJSON feature, which is named by its record)."""


class ExportFiles(Protocol):
    """Where the files of an export are read."""

    def read(self, name: str) -> bytes:
        """Return the file `name` of the export; raises `OSError` or `Unavailable`."""

    def at(self, size: int) -> ExportFiles:
        """The same export's files as taken at the checkpoint of tree `size` (the one its
        catalogue names)."""


@dataclass(frozen=True, slots=True)
class ExportDirectory:
    """An export written to a directory (`infraledger export DIR`)."""

    path: Path

    def read(self, name: str) -> bytes:
        return (self.path / _file_name(name)).read_bytes()

    def at(self, size: int) -> ExportDirectory:
        return self  # a directory holds one export


@dataclass(frozen=True, slots=True)
class ExportUrl:
    """An export served by a ledger under `/v1/export/`: at its latest anchored checkpoint, or
    at the tree size `size` (`?size=`), so that every file is of the catalogue's checkpoint
    even when an anchor lands while they are read."""

    api: LedgerApi
    size: int | None = None

    def read(self, name: str) -> bytes:
        query = "" if self.size is None else f"?size={self.size}"
        return self.api.get(f"/v1/export/{_file_name(name)}{query}")

    def at(self, size: int) -> ExportUrl:
        return ExportUrl(self.api, size)


def _file_name(name: str) -> str:
    """A catalogue's file name, refused when it would leave the export's place."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise MalformedInput(f"export file name {name[:80]!r}: want a plain file name")
    return name


@dataclass(frozen=True, slots=True)
class ExportFinding:
    """One thing that does not hold: the check, the file (and line, record and column) and
    what was found."""

    check: str
    file: str
    text: Text
    line: int | None = None
    record_id: str | None = None

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {"check": self.check, "file": self.file, "line": self.line,
                "record_id": self.record_id, "code": self.text.key,
                "message": self.text.render(lang)}


@dataclass(slots=True)
class ExportReport:
    """What an export verification found: the checkpoint (None when it did not verify), the
    files and rows checked, and the findings."""

    origin: str | None = None
    tree_size: int | None = None
    files: int = 0
    rows: int = 0
    findings: list[ExportFinding] = field(default_factory=list)
    more_findings: int = 0

    @property
    def verified(self) -> bool:
        return not self.findings

    def add(self, finding: ExportFinding) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(finding)
        else:
            self.more_findings += 1

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {"origin": self.origin, "tree_size": self.tree_size, "files": self.files,
                "rows": self.rows, "verified": self.verified,
                "findings": [f.to_json(lang) for f in self.findings],
                "more_findings": self.more_findings}


def verify_export(files: ExportFiles, trust: Trust, ledger: LedgerApi,
                  chain: ChainReader | None) -> ExportReport:
    """Run the checks of the module docstring on the export in `files`, with the proof bundles
    and consistency proofs of `ledger` and, unless None, the anchors on `chain`. Raises
    `Unavailable` when the ledger or the chain cannot be read, `OSError` when a file of a
    directory cannot."""
    report = ExportReport()
    try:
        catalogue = _object(parse_json(files.read(CATALOG), what=CATALOG), CATALOG)
        claim = _object(catalogue.get("prov:wasDerivedFrom"), "prov:wasDerivedFrom")
    except MalformedInput as exc:
        report.add(ExportFinding("checkpoint", CATALOG, exc.text))
        return report
    head = _checkpoint(claim, trust, chain, report)
    if head is None:
        return report
    size, root = head
    report.origin, report.tree_size = trust.origin, size
    files = files.at(size)
    contents = _verified_files(catalogue, files, report)
    package_data = contents.get(DATAPACKAGE)
    if package_data is None:
        report.add(ExportFinding("files", DATAPACKAGE, text("export.not_listed")))
        return report
    try:
        package = _object(parse_json(package_data, what=DATAPACKAGE), DATAPACKAGE)
    except MalformedInput as exc:
        report.add(ExportFinding("files", DATAPACKAGE, exc.text))
        return report
    named = {k: v for k, v in claim.items() if k != "@id"}
    if package.get("infraledger:checkpoint") != named:
        report.add(ExportFinding("checkpoint", DATAPACKAGE, text("export.other_checkpoint")))
    rows = _RowChecks(trust, ledger, chain, size, root, report)
    held: dict[str, Held] = {}
    for resource in _list(package.get("resources")):
        described = _object(resource, "resource")
        if described.get("format") == "geojson":
            found = _verify_features(described, contents, rows, named, report)
        else:
            found = _verify_resource(described, contents, rows, report)
        if found is not None:
            held[str(described.get("path"))] = found
    _verify_complete(catalogue, contents, held, ledger, rows, report)
    return report


def _checkpoint(claim: Mapping[str, Any], trust: Trust, chain: ChainReader | None,
                report: ExportReport) -> tuple[int, RootHash] | None:
    note = claim.get("infraledger:signedNote")
    try:
        if not isinstance(note, str):
            raise MalformedInput("infraledger:signedNote: want the signed checkpoint note")
        checkpoint = trust.open_checkpoint(note)
    except VerificationError as exc:
        report.add(ExportFinding("checkpoint", CATALOG, exc.text))
        return None
    stated = (claim.get("infraledger:treeSize"), claim.get("infraledger:rootHash"))
    if stated != (checkpoint.size, "0x" + checkpoint.root.hex()):
        report.add(ExportFinding("checkpoint", CATALOG, text(
            "export.checkpoint_differs", size=str(stated[0]), root=str(stated[1]),
            note_size=checkpoint.size, note_root="0x" + checkpoint.root.hex())))
        return None
    if chain is not None:
        anchored = LedgerAnchor(chain, trust.anchor_contract).root_at(checkpoint.size)
        if anchored.root != checkpoint.root:
            report.add(ExportFinding("checkpoint", CATALOG, text(
                "export.not_anchored", size=checkpoint.size, root="0x" + anchored.root.hex())))
            return None
    return checkpoint.size, checkpoint.root


def _distributions(catalogue: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for item in _list(catalogue.get("dcat:distribution")):
        yield _object(item, "dcat:distribution")
    for dataset in _list(catalogue.get("dcat:dataset")):
        for item in _list(_object(dataset, "dcat:dataset").get("dcat:distribution")):
            yield _object(item, "dcat:distribution")


def _verified_files(catalogue: Mapping[str, Any], files: ExportFiles,
                    report: ExportReport) -> dict[str, bytes]:
    """The files of the catalogue's distributions that have their stated size and checksum."""
    contents: dict[str, bytes] = {}
    try:
        listed = list(_distributions(catalogue))
    except MalformedInput as exc:
        report.add(ExportFinding("files", CATALOG, exc.text))
        return contents
    for distribution in listed:
        try:
            name = _file_name(str(_object(distribution.get("dcat:downloadURL"),
                                          "dcat:downloadURL").get("@id")))
            size = _object(distribution.get("dcat:byteSize"), "dcat:byteSize").get("@value")
            digest = _object(distribution.get("spdx:checksum"), "spdx:checksum").get(
                "spdx:checksumValue")
        except MalformedInput as exc:
            report.add(ExportFinding("files", CATALOG, exc.text))
            continue
        data = files.read(name)
        report.files += 1
        found = hashlib.sha256(data).hexdigest()
        if (str(len(data)), found) != (size, digest):
            report.add(ExportFinding("files", name, text(
                "export.file_differs", size=len(data), sha256=found, want_size=str(size),
                want_sha256=str(digest))))
            continue
        contents[name] = data
    return contents


def _resource_data(resource: Mapping[str, Any], contents: Mapping[str, bytes],
                   report: ExportReport) -> tuple[str, bytes | None]:
    """The resource's file name and verified bytes (None, with a finding, when they are not
    the catalogue's or the Data Package's)."""
    name = str(resource.get("path"))
    data = contents.get(name)
    if data is None:
        report.add(ExportFinding("files", name, text("export.not_listed")))
        return name, None
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if (resource.get("bytes"), resource.get("hash")) != (len(data), digest):
        report.add(ExportFinding("files", name, text(
            "export.resource_differs", size=len(data), sha256=digest)))
        return name, None
    return name, data


def _verify_resource(resource: Mapping[str, Any], contents: Mapping[str, bytes],
                     rows: _RowChecks, report: ExportReport) -> Held | None:
    """Check 3 of the module docstring on one CSV resource; the records its rows hold (None
    when the file cannot be read as the resource describes it)."""
    name, data = _resource_data(resource, contents, report)
    if data is None:
        return None
    try:
        columns = [_object(c, "field") for c in
                   _list(_object(resource.get("schema"), "schema").get("fields"))]
        table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (MalformedInput, UnicodeDecodeError, csv.Error) as exc:
        detail = exc.text if isinstance(exc, VerificationError) else text(
            "export.not_csv", detail=str(exc))
        report.add(ExportFinding("files", name, detail))
        return None
    header = [str(c.get("name")) for c in columns]
    if not table or table[0] != header:
        report.add(ExportFinding("rows", name, text("export.header", want=",".join(header))))
        return None
    parsed = [dict(zip(header, line, strict=False)) for line in table[1:]]
    held: Held = {}
    for position, row in enumerate(parsed):
        report.rows += 1
        held.setdefault(row.get("record", ""), position + 2)
        if len(table[position + 1]) != len(header):
            report.add(ExportFinding("rows", name, text("export.width", want=len(header)),
                                     line=position + 2))
            continue
        rows.check(name, position + 2, row, columns)
    _check_corrections(name, parsed, report)
    return held


def _verify_features(resource: Mapping[str, Any], contents: Mapping[str, bytes],
                     rows: _RowChecks, checkpoint: Mapping[str, Any],
                     report: ExportReport) -> Held | None:
    """Check 4 of the module docstring on one GeoJSON resource; the records its features hold
    (None when the file is not the FeatureCollection the resource describes)."""
    name, data = _resource_data(resource, contents, report)
    if data is None:
        return None
    try:
        described = _object(resource.get("infraledger:features"), "infraledger:features")
        fields = [_object(f, "infraledger:properties")
                  for f in _list(described.get("infraledger:properties"))]
        collection = _object(parse_json(data, what=name), name)
        if collection.get("type") != "FeatureCollection":
            raise MalformedInput(f"{name}: want an RFC 7946 FeatureCollection")
        features = [_object(f, "feature") for f in _list(collection.get("features"))]
        for feature in features:
            _object(feature.get("properties"), "properties")
        geometry = described.get("infraledger:geometry")
        _geometry({}, geometry)
    except MalformedInput as exc:
        report.add(ExportFinding("files", name, exc.text))
        return None
    if collection.get("infraledger:checkpoint") != checkpoint:
        report.add(ExportFinding("checkpoint", name, text("export.file_other_checkpoint")))
    corrections: list[dict[str, str]] = []
    held: Held = {}
    for position, feature in enumerate(features, start=1):
        report.rows += 1
        record_id = str(feature.get("id", ""))
        held.setdefault(record_id, None)
        found = rows.document(record_id)

        def finding(message: Text, position: int = position, record_id: str = record_id) -> None:
            report.add(ExportFinding("rows", name, text(
                "export.feature_differs", position=position, record_id=record_id,
                problem=message), record_id=record_id))

        if isinstance(found, Text):
            finding(found)
            continue
        if feature.get("geometry") != _geometry(found, geometry):
            finding(text("export.geometry_differs"))
        values = feature["properties"]
        for column in fields:
            source = column.get("infraledger:source")
            column_name = str(column.get("name"))
            if isinstance(source, str) and values.get(column_name) != _pointer(found, source):
                finding(text("export.cell_differs", column=column_name,
                             got=repr(values.get(column_name))[:120],
                             want=repr(_pointer(found, source))[:120]))
        later = values.get("superseded_by")
        corrections.append({"record": record_id, "supersedes": str(values.get("supersedes") or ""),
                            "superseded_by": ",".join(later) if isinstance(later, list) else ""})
    _check_corrections(name, corrections, report, first_line=None)
    return held


def _geometry(document: Mapping[str, Any], described: Any) -> Any:
    """The geometry a feature of `document` must have, by the resource's description."""
    if isinstance(described, str):
        return _pointer(document, described)
    if isinstance(described, dict) and described.get("type") == "Point":
        return {"type": "Point",
                "coordinates": [_pointer(document, str(p)) for p in _list(
                    described.get("coordinates"))]}
    raise MalformedInput("infraledger:geometry: want a JSON pointer or a Point of two")


def _check_corrections(name: str, rows: list[dict[str, str]], report: ExportReport,
                       first_line: int | None = 2) -> None:
    """Every id in a row's `superseded_by` is a row of the file that supersedes this row
    (`first_line`: the first row's line, None for features, which are named by record)."""
    if not rows or "superseded_by" not in rows[0]:
        return
    supersedes = {row.get("record", ""): row.get("supersedes", "") for row in rows}
    for position, row in enumerate(rows):
        record = row.get("record", "")
        for by in filter(None, row.get("superseded_by", "").split(",")):
            if supersedes.get(by) != "0x" + record:
                report.add(ExportFinding(
                    "rows", name, text("export.false_correction", by=by),
                    line=None if first_line is None else position + first_line,
                    record_id=record))


@dataclass(frozen=True, slots=True)
class _Dataset:
    """A dataset of the catalogue: its name, record schema, stated counts and files."""

    name: str
    schema: str
    records: object
    withheld: object
    files: tuple[str, ...]


def _catalogue_datasets(catalogue: Mapping[str, Any]) -> list[_Dataset]:
    """The catalogue's datasets; raises `MalformedInput` for one that names no record schema
    or no plain file names."""
    datasets = []
    for item in _list(catalogue.get("dcat:dataset")):
        dataset = _object(item, "dcat:dataset")
        schema = dataset.get("infraledger:recordSchema")
        if not isinstance(schema, str) or not schema:
            raise MalformedInput("infraledger:recordSchema: want the record schema")
        files = tuple(
            _file_name(str(_object(_object(d, "dcat:distribution").get("dcat:downloadURL"),
                                   "dcat:downloadURL").get("@id")))
            for d in _list(dataset.get("dcat:distribution")))
        datasets.append(_Dataset(str(dataset.get("dct:identifier")), schema,
                                 dataset.get("infraledger:records"),
                                 dataset.get("infraledger:restrictedWithheld"), files))
    return datasets


def _verify_complete(catalogue: Mapping[str, Any], contents: Mapping[str, bytes],
                     held: Mapping[str, Held], ledger: LedgerApi, rows: _RowChecks,
                     report: ExportReport) -> None:
    """Check 5 of the module docstring, once the rows of every file are checked."""
    try:
        datasets = _catalogue_datasets(catalogue)
    except MalformedInput as exc:
        report.add(ExportFinding("complete", CATALOG, exc.text))
        return
    log = _log_records(ledger, rows.size, rows.root, {d.schema for d in datasets})
    if isinstance(log, ExportFinding):
        report.add(log)
        return
    for dataset in datasets:
        _verify_dataset(dataset, log[dataset.schema], contents, held, rows, report)


def _log_records(ledger: LedgerApi, size: int, root: RootHash,
                 schemas: set[str]) -> dict[str, dict[str, int]] | ExportFinding:
    """The log's records of each of `schemas` below `size` (record id to index, in log order),
    read from the entry bundles; a finding when the bundles do not make the tree of `root`,
    so that no entry can be left out or slipped in."""
    wanted = {(schema.split("/")[0], schema) for schema in schemas}
    found: dict[str, dict[str, int]] = {schema: {} for schema in schemas}
    frontier = Frontier()
    for tile_index, width in bundle_widths(size):
        what = entry_bundle_path(tile_index, width)
        try:
            entries = parse_entry_bundle(ledger.entry_bundle(tile_index, width),
                                         width or TILE_WIDTH, what=what)
        except MalformedLedgerResponse as exc:
            return ExportFinding("complete", what, exc.text)
        for raw in entries:
            leaf, index = leaf_hash(raw), frontier.size
            frontier.append(leaf)
            try:
                entry = Entry.from_leaf_data(raw)
            except VerificationError:  # not an entry: of no dataset (the audit names it)
                continue
            if (entry.kind, entry.schema) in wanted:
                found[entry.schema][leaf.hex()] = index
    rebuilt = frontier.root()
    if rebuilt != root:
        return ExportFinding("complete", CATALOG, text(
            "export.log_differs", size=size, rebuilt="0x" + rebuilt.hex(),
            root="0x" + root.hex()))
    return found


def _verify_dataset(dataset: _Dataset, entries: Mapping[str, int],
                    contents: Mapping[str, bytes], held: Mapping[str, Held], rows: _RowChecks,
                    report: ExportReport) -> None:
    """Each checked file of `dataset` against its `entries` in the log, and the catalogue's
    counts. The bundles of the records a file leaves out are fetched (to tell a restricted
    record from a public one left out); those of its rows were fetched by the row checks."""
    for name in dataset.files:
        if name not in held and name in contents:
            report.add(ExportFinding("complete", name, text("export.not_described")))
    checked = [(name, held[name]) for name in dataset.files if name in held]
    if not checked:
        return
    withheld = {record_id for record_id in entries if rows.document(record_id) == WITHHELD}
    public = {record_id: index for record_id, index in entries.items()
              if record_id not in withheld}
    for name, ids in checked:
        for record_id, index in public.items():
            if record_id not in ids:
                report.add(ExportFinding("complete", name, text(
                    "export.missing", schema=dataset.schema, record_id=record_id, index=index),
                    record_id=record_id))
        for record_id, line in ids.items():
            if record_id not in entries:
                report.add(ExportFinding("complete", name, text(
                    "export.not_in_dataset", schema=dataset.schema, record_id=record_id,
                    size=rows.size), line=line, record_id=record_id))
    for member, stated, counted in (("infraledger:records", dataset.records, len(public)),
                                    ("infraledger:restrictedWithheld", dataset.withheld,
                                     len(withheld))):
        if type(stated) is not int or stated != counted:
            report.add(ExportFinding("complete", CATALOG, text(
                "export.count_differs", dataset=dataset.name, member=member,
                stated=str(stated)[:40], counted=counted)))


class _RowChecks:
    """Checks rows against their records' bundles, fetching each bundle and each consistency
    proof once; `size` and `root` are the export's checkpoint."""

    def __init__(self, trust: Trust, ledger: LedgerApi, chain: ChainReader | None, size: int,
                 root: RootHash, report: ExportReport) -> None:
        self._trust, self._ledger, self._chain = trust, ledger, chain
        self.size, self.root, self._report = size, root, report
        self._documents: dict[str, dict[str, Any] | Text] = {}
        self._consistent: dict[tuple[int, bytes], Text | None] = {}

    def document(self, record_id: str) -> dict[str, Any] | Text:
        """The verified record document of `record_id`, or why there is none (fetched once)."""
        found = self._documents.get(record_id)
        if found is None:
            found = self._documents[record_id] = self._document(record_id)
        return found

    def check(self, name: str, line: int, row: Mapping[str, str],
              columns: Sequence[Mapping[str, Any]]) -> None:
        record_id = row.get("record", "")
        found = self.document(record_id)

        def finding(message: Text) -> None:
            self._report.add(ExportFinding("rows", name, message, line=line, record_id=record_id))

        if isinstance(found, Text):
            finding(found)
            return
        target = row.get("target", "")
        for column in columns:
            source = column.get("infraledger:source")
            if not isinstance(source, str):
                continue
            column_name = str(column.get("name"))
            value = _pointer(found, source.replace("{target}", target))
            got = row.get(column_name, "")
            if not _matches(got, value, str(column.get("type"))):
                finding(text("export.cell_differs", column=column_name, got=repr(got)[:120],
                             want=repr(value)[:120]))

    def _document(self, record_id: str) -> dict[str, Any] | Text:
        """The record document of `record_id` from its verified bundle, or why there is none."""
        try:
            leaf = parse_record_id(record_id)
        except MalformedInput:
            return text("export.bad_record_id", got=repr(record_id[:80]))
        try:
            data = self._ledger.proof_bundle(record_id)
        except LedgerNotFound:
            return text("export.not_in_log", record_id=record_id)
        result = verify_bundle(data, self._trust, chain=self._chain, expected_record_id=leaf)
        if not result.verified:
            return text("export.bundle_fails", checks=", ".join(c.name for c in result.failed))
        value = parse_json(data, what="bundle")
        bundle = ProofBundle.parse(value)
        if result.could_not_check:
            signer = self._ca_signer(data, leaf, bundle)
            if signer is not None:
                return signer
        index = bundle.proof.index
        if index >= self.size:
            return text("export.after_checkpoint", index=index, size=self.size)
        proven = bundle.proof.checkpoint.checkpoint
        inconsistent = self._consistency(proven.size, proven.root)
        if inconsistent is not None:
            return inconsistent
        if bundle.body is None:
            return text("export.body_withheld")
        return {"record_id": record_id, "index": index, "entry": value["entry"],
                "body": parse_json(bundle.body, what="body")}

    def _ca_signer(self, data: bytes, leaf: LeafHash, bundle: ProofBundle) -> Text | None:
        """None when the CMS of a record signed with a CA certificate only verifies from the
        evidence and the bindings the ledger serves to anyone (what proves who declared the
        figure), else why not."""
        inputs = SignatureInputs(
            roots=self._trust.signing_roots, files=fetch_evidence(self._ledger, bundle, "en"),
            bindings=fetch_bindings(self._ledger, self._trust, self._chain, bundle.entry.operator),
            now=datetime.now(UTC))
        result = verify_bundle(data, self._trust, chain=self._chain, expected_record_id=leaf,
                               signatures=inputs)
        if not result.verified:
            return text("export.bundle_fails", checks=", ".join(c.name for c in result.failed))
        if result.could_not_check:
            return text("export.signer_unchecked",
                        codes=", ".join(s.status for s in result.signatures) or "ca_signatures")
        return None

    def _consistency(self, size: int, root: RootHash) -> Text | None:
        """None when the tree of `size` and `root` and the export's are one history."""
        key = (size, bytes(root))
        if key not in self._consistent:
            self._consistent[key] = self._prove(size, root)
        return self._consistent[key]

    def _prove(self, size: int, root: RootHash) -> Text | None:
        (small, small_root), (large, large_root) = sorted(
            [(size, root), (self.size, self.root)], key=lambda pair: pair[0])
        try:
            proof = [] if small == large else self._ledger.consistency_proof(small, large)
            verify_consistency(small, large, proof, small_root, large_root)
        except Unavailable:
            raise
        except VerificationError as exc:
            return text("export.inconsistent", size=size, export_size=self.size,
                        problem=exc.text)
        return None


def _pointer(document: Any, path: str) -> Any:
    value = document
    for step in path.strip("/").split("/"):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _matches(got: str, value: Any, kind: str) -> bool:
    """Whether the cell `got` holds `value`, read as a Table Schema `kind` (module doc)."""
    if value is None:
        return got == ""
    reader = _READERS.get(kind)
    if reader is None or isinstance(value, bool):
        return isinstance(value, str) and got == value
    try:
        return reader(got, value)
    except (ValueError, TypeError):
        return False


def _same_time(got: str, value: Any) -> bool:
    moment = datetime.fromisoformat(got)
    return moment.tzinfo is not None and isinstance(value, int) and moment.timestamp() == value


_READERS: Final[Mapping[str, Callable[[str, Any], bool]]] = {
    "integer": lambda got, value: isinstance(value, int) and int(got) == value,
    "number": lambda got, value: isinstance(value, int | float) and float(got) == value,
    "list": lambda got, value: isinstance(value, list)
    and (got.split(",") if got else []) == [str(item) for item in value],
    "datetime": _same_time,
}


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedInput(f"{what}: want a JSON object")
    return value


def _list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
