"""What the demo files: a `Draft` is one record before it is signed, with its files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Literal

from filings.periods import VIETNAM_TIME

REGISTRAR: Final = "registrar"
"""The signer of the department's drafts: the registrar key of the ledger."""


@dataclass(frozen=True, slots=True)
class SampleFile:
    """An attachment made on the spot."""

    name: str
    type: str
    data: bytes


CaSignature = Literal["cms", "cms-only", "pades"]
"""How an organisation certificate signs a draft (`Draft.ca_signature`)."""


@dataclass(frozen=True, slots=True)
class Draft:
    """One record to file: what the signer signs, before signing.

    `key` names the draft uniquely; `operator` is a sample operator's slug or `REGISTRAR`;
    `corrects` is the key of the draft this one supersedes (its record id is known only once
    that one is filed). `ca_signature` says how the operator's organisation certificate signs
    it too (`api.demo.certified`): `cms`, a detached CAdES over the record; `cms-only`, the
    same CAdES instead of the EIP-712 signature (the entry's `signature` null); `pades`, its PDF
    attachments signed; None, EIP-712 alone.
    """

    key: str
    operator: str
    kind: str
    schema: str
    subject: str
    body: dict[str, Any]
    issued_at: int
    restricted: bool = False
    attachments: tuple[SampleFile, ...] = ()
    corrects: str | None = None
    ca_signature: CaSignature | None = None


def sample_timestamp(day: date) -> int:
    """09:00 in Việt Nam on `day`: when the demo signs what it files for that day."""
    return int(datetime(day.year, day.month, day.day, 9, 0, tzinfo=VIETNAM_TIME).timestamp())
