"""Watching a log: every new checkpoint must extend the last one, and get anchored in time.

Each poll fetches `/tlog/checkpoint` and raises alerts:

- `checkpoint`: not signed by the pinned key, or another origin;
- `rollback`: a smaller tree than one already seen;
- `fork`: another root for a size already seen;
- `consistency`: the ledger's consistency proof from the last seen checkpoint fails;
- `anchor_consistency`: the chain's latest anchor is not consistent with the seen checkpoints;
- `anchor_deadline`: a checkpoint seen `anchor_deadline` seconds ago is still not covered by an
  anchor (LedgerAnchor `latest()` has a smaller size).

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
    MalformedInput,
    MalformedMonitorState,
    Unavailable,
    VerificationError,
)
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import LedgerApi
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
    message: str


@dataclass
class Monitor:
    """Polls one log through its API, and its pinned LedgerAnchor through `chain`."""

    api: LedgerApi
    trust: Trust
    chain: ChainReader
    anchor_deadline: float
    state: MonitorState = field(default_factory=MonitorState)
    clock: Callable[[], float] = time.time

    def poll(self) -> list[Alert]:
        """Fetch the checkpoint and the chain's latest anchor once; return the new alerts.

        Raises `Unavailable` when the ledger or the chain does not answer.
        """
        alerts: list[Alert] = []
        now = self.clock()
        try:
            checkpoint = self.trust.open_checkpoint(self.api.checkpoint())
        except Unavailable:
            raise
        except VerificationError as exc:
            return [Alert("checkpoint", str(exc))]
        head = TreeHead(checkpoint.size, checkpoint.root)
        alert = self._extend(head)
        if alert is not None:
            alerts.append(alert)
        elif self.state.last is None or head.size > self.state.last.size:
            self.state.last = head
            self.state.pending.append(Pending(head, now))
        alerts.extend(self._anchoring(LedgerAnchor(self.chain, self.trust.anchor_contract), now))
        return alerts

    def _extend(self, head: TreeHead) -> Alert | None:
        """Check that `head` extends the last seen checkpoint."""
        last = self.state.last
        if last is None:
            return None
        if head.size < last.size:
            return Alert("rollback", f"checkpoint size {head.size} after size {last.size}")
        if head.size == last.size:
            if head.root != last.root:
                return Alert(
                    "fork",
                    f"size {head.size} has root {head.root.hex()}, earlier {last.root.hex()}",
                )
            return None
        return self._consistent(last, head, "consistency")

    def _consistent(self, old: TreeHead, new: TreeHead, name: str) -> Alert | None:
        """Check the ledger's consistency proof from `old` to `new`; None when it verifies."""
        if old.size == new.size:
            if old.root == new.root:
                return None
            return Alert(name, f"size {new.size} has roots {old.root.hex()} and {new.root.hex()}")
        if old.size == 0:
            return None  # every tree extends the empty tree
        try:
            proof = self.api.consistency_proof(old.size, new.size)
            verify_consistency(old.size, new.size, proof, old.root, new.root)
        except Unavailable:
            raise
        except VerificationError as exc:
            return Alert(name, f"size {old.size} to {new.size}: {exc}")
        return None

    def _anchoring(self, contract: LedgerAnchor, now: float) -> list[Alert]:
        """Check the latest anchor against the seen checkpoints, and the deadline."""
        alerts: list[Alert] = []
        latest = contract.latest()
        size = latest.tree_size
        anchored = TreeHead(size, latest.root)
        last = self.state.last
        if anchored != self.state.anchored and size > 0 and last is not None:
            old, new = (anchored, last) if size <= last.size else (last, anchored)
            alert = self._consistent(old, new, "anchor_consistency")
            if alert is not None:
                alerts.append(alert)
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
                        f"checkpoint size {pending.head.size} seen {age:.0f} s ago is not "
                        f"anchored (chain has size {size}; deadline {self.anchor_deadline:g} s)",
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
