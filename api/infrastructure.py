"""The sites, routes and ducts of the log in memory: every version of every thing, by subject.

The book reads the `site/1`, `route/1`, `duct/1` and `siteowner/1` records of the store once,
and then only the records appended since: each read first asks the store for the newest index of
each of the four kinds (four index seeks) and loads the records past the last one it holds, so
every reader sees every record sequenced before it, in every process that appends to the store
(the approach of `api.plan_shelf`, incremental because records are never changed or removed).

Only public records are versions: the book serves the public map and the computed indicators,
and everything they show must be checkable by anyone against the records and the open-data
export, which hold no restricted body. A restricted site, route or duct (a site could be one
before `siteowner/1`) and every `siteowner/1` record count for the admission rules only
(`heads`: who owns a subject, its first and latest record); their bodies are never read here.
A store that cannot be read raises the driver's error of `ledger.storage.store.UNREACHABLE`, as
`api.plan_shelf` does; what the book holds is kept.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

from pydantic import ValidationError

from filings.admission import SubjectHead
from filings.infrastructure import (
    INFRASTRUCTURE_KINDS,
    SITE_OWNER_KIND,
    DuctBody,
    RouteBody,
    SiteBody,
)
from filings.kinds import REGISTRY
from ledger.storage.records import MAX_PAGE, RecordFilter, RecordStore, StoredRecord

log = logging.getLogger(__name__)

InfraBody = SiteBody | RouteBody | DuctBody
_ID_FIELD: Final = {"site": "site_id", "route": "route_id", "duct": "duct_id"}
_READ_KINDS: Final = (*INFRASTRUCTURE_KINDS, SITE_OWNER_KIND)


@dataclass(frozen=True)
class InfraState:
    """One version of one thing, as the log holds it."""

    record_id: str
    """"0x" + the leaf hash in hex, as `GET /v1/records/{id}` takes it."""
    index: int
    """The leaf index in the log."""
    kind: str
    """"site", "route" or "duct"."""
    operator: str
    """The owner's EIP-55 address."""
    body: InfraBody
    filed_at: int
    """The entry's `issued_at` (unix seconds)."""

    @property
    def thing_id(self) -> str:
        """The owner's id of the thing (`site_id`, `route_id` or `duct_id`)."""
        value: str = getattr(self.body, _ID_FIELD[self.kind])
        return value


class InfrastructureBook:
    """Every public version of every site, route and duct of the store behind `records`, and
    the heads of every such subject and site owner."""

    def __init__(self, records: RecordStore) -> None:
        self._records = records
        self._lock = threading.Lock()
        self._next: dict[str, int] = dict.fromkeys(_READ_KINDS, 0)
        self._versions: dict[str, list[InfraState]] = defaultdict(list)
        """By subject, in index order."""
        self._heads: dict[str, SubjectHead] = {}

    def on(self, day: date, kind: str = "site") -> list[InfraState]:
        """Each thing's latest version with `as_of` <= `day` (the greatest `as_of`, then the
        latest filed), removed ones included (callers filter), by thing id."""
        self._refresh()
        prefix = f"{kind}:"
        found = []
        with self._lock:
            for subject, versions in self._versions.items():
                if not subject.startswith(prefix):
                    continue
                held = [v for v in versions if v.body.as_of <= day]
                if held:
                    found.append(max(held, key=lambda v: (v.body.as_of, v.index)))
        return sorted(found, key=lambda v: v.thing_id)

    def history(self, kind: str, thing_id: str) -> list[InfraState]:
        """Every version of one thing, oldest first (empty when the log has none)."""
        self._refresh()
        with self._lock:
            return list(self._versions.get(f"{kind}:{thing_id}", ()))

    def heads(self, subjects: Iterable[str]) -> Mapping[str, SubjectHead]:
        """`filings.admission.LedgerState.infrastructure_heads`: the owner, first and latest
        record of each subject the log holds (restricted records and site owners included)."""
        self._refresh()
        with self._lock:
            return {subject: self._heads[subject] for subject in subjects
                    if subject in self._heads}

    def _refresh(self) -> None:
        for kind in _READ_KINDS:
            latest = self._records.latest_index(kind)
            with self._lock:
                while latest >= self._next[kind]:
                    page = self._records.find(RecordFilter(kind=kind, start=self._next[kind],
                                                           limit=MAX_PAGE))
                    if not page:
                        break
                    for record in page:
                        self._add(record)
                    self._next[kind] = page[-1].index + 1

    def _add(self, record: StoredRecord) -> None:
        entry = json.loads(record.data)
        subject = str(entry["subject"])
        leaf = bytes(record.leaf_hash)
        head = self._heads.get(subject)
        self._heads[subject] = (SubjectHead(str(entry["operator"]), leaf, leaf) if head is None
                                else SubjectHead(head.owner, head.first, leaf))
        if record.restricted or entry["kind"] not in INFRASTRUCTURE_KINDS:
            return
        state = _state(record, entry)
        if state is not None:
            self._versions[subject].append(state)


def _state(record: StoredRecord, entry: Mapping[str, object]) -> InfraState | None:
    """The version a public record states; None for a body that does not parse."""
    kind = REGISTRY.get(str(entry["schema"]))
    if kind is None or record.body is None:
        return None
    try:
        body = kind.body.model_validate(json.loads(record.body))
    except (ValidationError, ValueError) as exc:  # admitted bodies parse; a reader checks
        log.error("infrastructure record %s does not parse: %s", record.leaf_hash.hex(), exc)
        return None
    if not isinstance(body, SiteBody | RouteBody | DuctBody):
        return None
    return InfraState(record_id="0x" + record.leaf_hash.hex(), index=record.index,
                      kind=str(entry["kind"]), operator=str(entry["operator"]), body=body,
                      filed_at=int(str(entry["issued_at"])))
