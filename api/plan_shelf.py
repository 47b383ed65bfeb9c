"""The plans of the log in memory: the `PlanBook` that admission and the pages judge figures by.

The catalogue the server checks against is the one in the log (`filings.plans`), never data in
code. The book is read once from the plan records and read again only when the log holds a
newer plan record: each `book()` asks the store one indexed question (the largest index of kind
`plan`), so every submission request is judged by every plan sequenced before it, in every
process that appends to the store. A store that cannot be read raises the driver's error of
`ledger.storage.store.UNREACHABLE` (the API answers 503 `store_unavailable`), as a failed
append does; the book in memory is kept.
"""

from __future__ import annotations

import json
import logging
import threading

from filings.errors import FilingError
from filings.plans import PLAN_KIND, FiledPlan, PlanBook, filed_plan
from ledger.storage.records import RecordStore, StoredRecord

log = logging.getLogger(__name__)


class PlanShelf:
    """The current `PlanBook` of the store behind `records` (see the module doc)."""

    def __init__(self, records: RecordStore) -> None:
        self._records = records
        self._book = PlanBook()
        self._lock = threading.Lock()

    def book(self) -> PlanBook:
        """The book of every plan record in the log now (reloaded if a newer one arrived)."""
        latest = self._records.latest_index(PLAN_KIND)
        with self._lock:
            if latest != self._book.latest_index:
                self._book = PlanBook(_plans(self._records.of_kind(PLAN_KIND)))
            return self._book


def _plans(records: list[StoredRecord]) -> list[FiledPlan]:
    plans = []
    for record in records:
        if record.body is None:
            continue
        try:
            plans.append(filed_plan(record.index, record.leaf_hash.hex(), json.loads(record.data),
                                    record.body))
        except FilingError as exc:  # admitted records parse; a stored one that does not is
            log.error("plan record %s does not parse: %s", record.leaf_hash.hex(), exc)
    return plans
