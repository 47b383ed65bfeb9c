"""Reads of the figures for the public indicator pages: the public `indicator/2` records that
stand in the anchored log (the retired `indicator/1` records stay in the log, readable one by one,
but the pages judge figures by official area codes only).

A record stands when it lies within the anchored tree (index < the largest anchored size) and no
record within that tree supersedes it. A correction sequenced but not yet anchored does not hide
the value it corrects until it is anchored itself, so the table always shows one anchored state of
the log. Restricted records (with a salt) are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import and_, exists, select

from ledger.merkle import LeafHash
from ledger.storage.store import LogStore
from ledger.storage.tables import ENTRIES

INDICATOR_SCHEMA: Final = "indicator/2"


@dataclass(frozen=True, slots=True)
class IndicatorRecord:
    """One standing indicator record: its place, subject, operator, time and RFC 8785 body."""

    index: int
    leaf_hash: LeafHash
    subject: str
    operator: str
    issued_at: int
    body: bytes


def standing_indicator_records(store: LogStore, anchored_size: int,
                               indicator: str | None = None) -> list[IndicatorRecord]:
    """The public `indicator/2` records of the tree of `anchored_size` leaves that no record of
    that tree supersedes (of one `indicator` code when given), in index order (one query, on the
    kind index or, for one code, the subject index: `indicator:<code>:` to `indicator:<code>;`)."""
    correction = ENTRIES.alias("correction")
    conditions = [ENTRIES.c.kind == "indicator"]
    if indicator is not None:
        conditions += [ENTRIES.c.subject >= f"indicator:{indicator}:",
                       ENTRIES.c.subject < f"indicator:{indicator};"]
    statement = (
        select(ENTRIES.c.idx, ENTRIES.c.leaf_hash, ENTRIES.c.subject, ENTRIES.c.operator,
               ENTRIES.c.issued_at, ENTRIES.c.body)
        .where(
            *conditions,
            ENTRIES.c.schema_name == INDICATOR_SCHEMA,
            ENTRIES.c.idx < anchored_size,
            ENTRIES.c.salt.is_(None),
            ENTRIES.c.body.is_not(None),
            ~exists().where(and_(correction.c.supersedes == ENTRIES.c.leaf_hash,
                                 correction.c.idx < anchored_size)),
        )
        .order_by(ENTRIES.c.idx)
    )
    with store.reader.connect() as conn:
        rows = conn.execute(statement).all()
    return [
        IndicatorRecord(
            index=int(row.idx), leaf_hash=LeafHash(bytes(row.leaf_hash)), subject=str(row.subject),
            operator=str(row.operator), issued_at=int(row.issued_at), body=bytes(row.body),
        )
        for row in rows
    ]
