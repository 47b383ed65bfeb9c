"""Watching a log: every new checkpoint must extend the last one, and get anchored in time.

Each poll fetches `/tlog/checkpoint` and raises alerts:

- `checkpoint`: not signed by the pinned key, or another origin;
- `rollback`: a smaller tree than one already seen;
- `fork`: another root for a size already seen;
- `consistency`: the ledger's consistency proof from the last seen checkpoint fails, or the
  ledger answers 404 for it;
- `anchor_ahead`: the chain's latest anchor is larger than the checkpoint the server shows, and
  the server does not prove that its checkpoint is a prefix of the anchored tree (it rolled
  back, or withholds, a tree it anchored);
- `anchor_consistency`: the chain's latest anchor is not consistent with the seen checkpoints;
- `anchor_deadline`: a checkpoint seen `anchor_deadline` seconds ago is still not covered by an
  anchor (LedgerAnchor `latest()` has a smaller size).

Each poll returns an `Observation`: the checkpoint the server showed and the chain's latest
anchor (what the monitor prints), with the alerts. The saved state moves on only to checkpoints
that extend the last one, so after a rollback it still holds the larger tree.

The state (last checkpoint, latest anchor, checkpoints waiting for an anchor) can be saved
between runs, so `--once` from cron watches as well as a long-running monitor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from verifier.encodings import decode_hex, encode_hex
from verifier.errors import (
    LedgerNotFound,
    MalformedInput,
    MalformedMonitorState,
    Unavailable,
    VerificationError,
)
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import LedgerApi
from verifier.messages import Text, text
from verifier.onchain import LedgerAnchor
from verifier.rfc9162 import HASH_SIZE, RootHash, verify_consistency
from verifier.trust import Trust


@dataclass(frozen=True, slots=True)
class TreeHead:
    """A tree size and its root."""

    size: int
    root: RootHash


@dataclass(frozen=True, slots=True)
class Pending:
    """A checkpoint seen at `first_seen` (unix seconds) and not yet covered by an anchor."""

    head: TreeHead
    first_seen: float


@dataclass
class MonitorState:
    """What the monitor remembers between polls (and between runs, when saved)."""

    last: TreeHead | None = None
    anchored: TreeHead | None = None
    pending: list[Pending] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON."""
        return {
            "last": _head_json(self.last),
            "anchored": _head_json(self.anchored),
            "pending": [
                {
                    "size": p.head.size,
                    "root": encode_hex(p.head.root, prefixed=True),
                    "first_seen": p.first_seen,
                }
                for p in self.pending
            ],
        }

    @staticmethod
    def parse(value: object) -> MonitorState:
        """Parse a saved state; raises `MalformedMonitorState`."""
        try:
            if not isinstance(value, dict) or set(value) != {"last", "anchored", "pending"}:
                raise MalformedMonitorState("state: want members last, anchored, pending")
            pending = value["pending"]
            if not isinstance(pending, list):
                raise MalformedMonitorState("state.pending: want a list")
            return MonitorState(
                last=_parse_head(value["last"]),
                anchored=_parse_head(value["anchored"]),
                pending=[_parse_pending(item) for item in pending],
            )
        except MalformedMonitorState:
            raise
        except MalformedInput as exc:
            raise MalformedMonitorState(f"state: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Alert:
    """Something a log watcher must look at: a stable name and what happened."""

    name: str
    text: Text

    @property
    def message(self) -> str:
        """What happened, in English."""
        return self.text.render("en")


@dataclass(frozen=True, slots=True)
class Observation:
    """One poll: the checkpoint the server showed (None when it is not a checkpoint of the
    pinned log), the chain's latest anchor (None when it was not read) and the alerts raised."""

    checkpoint: TreeHead | None
    anchored: TreeHead | None
    alerts: tuple[Alert, ...]


@dataclass
class Monitor:
    """Polls one log through its API, and its pinned LedgerAnchor through `chain`."""

    api: LedgerApi
    trust: Trust
    chain: ChainReader
    anchor_deadline: float
    state: MonitorState = field(default_factory=MonitorState)
    clock: Callable[[], float] = time.time

    def poll(self) -> Observation:
        """Fetch the checkpoint and the chain's latest anchor once; return what they showed and
        the new alerts.

        The state moves on only to a checkpoint that extends the last one. Raises `Unavailable`
        when the ledger or the chain does not answer (a ledger that answers 404 for a proof it
        must give raises an alert instead).
        """
        now = self.clock()
        try:
            checkpoint = self.trust.open_checkpoint(self.api.checkpoint())
        except Unavailable:
            raise
        except VerificationError as exc:
            unsigned = Alert("checkpoint", text("alert.checkpoint", problem=exc.text))
            return Observation(checkpoint=None, anchored=None, alerts=(unsigned,))
        head = TreeHead(checkpoint.size, checkpoint.root)
        alerts: list[Alert] = []
        alert = self._extend(head)
        if alert is not None:
            alerts.append(alert)
        elif self.state.last is None or head.size > self.state.last.size:
            self.state.last = head
            self.state.pending.append(Pending(head, now))
        latest = LedgerAnchor(self.chain, self.trust.anchor_contract).latest()
        anchored = TreeHead(latest.tree_size, latest.root)
        alerts.extend(self._anchoring(head if alert is None else None, anchored, now))
        return Observation(checkpoint=head, anchored=anchored, alerts=tuple(alerts))

    def _extend(self, head: TreeHead) -> Alert | None:
        """Check that `head` extends the last seen checkpoint."""
        last = self.state.last
        if last is None:
            return None
        if head.size < last.size:
            return Alert("rollback", text("alert.rollback", size=head.size, last=last.size))
        if head.size == last.size:
            if head.root != last.root:
                return Alert(
                    "fork",
                    text(
                        "alert.fork", size=head.size, root=head.root.hex(), earlier=last.root.hex()
                    ),
                )
            return None
        problem = self._inconsistency(last, head)
        if problem is None:
            return None
        return Alert(
            "consistency",
            text("alert.consistency", old=last.size, new=head.size, problem=problem),
        )

    def _inconsistency(self, old: TreeHead, new: TreeHead) -> Text | None:
        """Why the ledger does not prove that `new` extends `old` (old.size <= new.size), or
        None when its consistency proof verifies."""
        if old.size == new.size:
            if old.root == new.root:
                return None
            return text(
                "monitor.roots_differ", size=new.size, old=old.root.hex(), new=new.root.hex()
            )
        if old.size == 0:
            return None  # every tree extends the empty tree
        try:
            proof = self.api.consistency_proof(old.size, new.size)
            verify_consistency(old.size, new.size, proof, old.root, new.root)
        except LedgerNotFound as exc:
            return text("monitor.no_proof", problem=exc.text)
        except Unavailable:
            raise
        except VerificationError as exc:
            return exc.text
        return None

    def _anchoring(self, head: TreeHead | None, anchored: TreeHead, now: float) -> list[Alert]:
        """Check the chain's latest anchor against the server's checkpoint `head` (None when
        it did not extend the last one) or the last seen checkpoint, and the deadline.

        An anchor larger than the checkpoint the server shows must extend it, by the server's
        proof: a server that cannot prove it rolled back (or withholds) an anchored tree.
        """
        alerts: list[Alert] = []
        size = anchored.size
        last = self.state.last
        if size > 0 and head is not None and size > head.size:
            problem = self._inconsistency(head, anchored)
            if problem is not None:
                alerts.append(
                    Alert(
                        "anchor_ahead",
                        text("alert.anchor_ahead", anchored=size, size=head.size, problem=problem),
                    )
                )
        elif anchored != self.state.anchored and size > 0 and last is not None:
            old, new = (anchored, last) if size <= last.size else (last, anchored)
            problem = self._inconsistency(old, new)
            if problem is not None:
                alerts.append(
                    Alert(
                        "anchor_consistency",
                        text(
                            "alert.anchor_consistency",
                            anchored=size,
                            size=last.size,
                            problem=problem,
                        ),
                    )
                )
        self.state.anchored = anchored
        waiting: list[Pending] = []
        for pending in self.state.pending:
            if pending.head.size <= size:
                continue
            age = now - pending.first_seen
            if age > self.anchor_deadline:
                alerts.append(
                    Alert(
                        "anchor_deadline",
                        text(
                            "alert.anchor_deadline",
                            size=pending.head.size,
                            age=f"{age:.0f}",
                            anchored=size,
                            deadline=f"{self.anchor_deadline:g}",
                        ),
                    )
                )
            else:
                waiting.append(pending)
        self.state.pending = waiting
        return alerts


def _head_json(head: TreeHead | None) -> dict[str, Any] | None:
    if head is None:
        return None
    return {"size": head.size, "root": encode_hex(head.root, prefixed=True)}


def _parse_head(value: object) -> TreeHead | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"size", "root"}:
        raise MalformedMonitorState("tree head: want null or members size, root")
    return _parse_tree_head(value)


def _parse_tree_head(value: dict[str, Any]) -> TreeHead:
    size = value["size"]
    if type(size) is not int or size < 0:
        raise MalformedMonitorState(f"tree head size: got {size!r}")
    root = decode_hex(value["root"], what="root", size=HASH_SIZE, prefixed=True)
    return TreeHead(size, RootHash(root))


def _parse_pending(value: object) -> Pending:
    if not isinstance(value, dict) or set(value) != {"size", "root", "first_seen"}:
        raise MalformedMonitorState("pending: want members size, root, first_seen")
    first_seen = value["first_seen"]
    if type(first_seen) not in (int, float):
        raise MalformedMonitorState(f"pending first_seen: got {first_seen!r}")
    return Pending(_parse_tree_head(value), float(first_seen))
