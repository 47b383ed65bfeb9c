"""The start-up self-check: the stored log recomputed against itself and against its signatures.

A server runs it before serving (`run_selfcheck(store, verifier_key, anchors)`), so a database
altered behind the log's back (a body, an entry, a node hash, a checkpoint, an anchor row changed
by hand, a row deleted) stops it with `SelfCheckFailed` naming each fault, instead of serving
proofs that no longer hold.

Quick mode (the default) stays cheap on a long log; it reads a bounded number of rows:

- entries: no index missing (row count, lowest and highest index);
- checkpoints: the latest `recent` ones and `sample` others at random: each note verifies with
  the log key of its size (after a key rotation, `ledger.rotation.KeyHistory`) and origin,
  its `size` and `root` columns are the note's, its size is within the log, and its root is
  the root the stored node runs give at that size; each of the recent ones is consistent with
  the one before it (RFC 9162 consistency proof from the stored nodes), and the log's current
  head with the latest;
- entries: the last `recent` and `sample` at random: the data is a canonical valid entry that
  hashes to its stored leaf hash and to the stored level-0 node, the searchable columns are the
  data's, the body (when stored) hashes to the content commitment (after the salt), and the
  inclusion proof assembled from the stored nodes leads to the latest signed root;
- anchors: the latest `recent` and `sample` others: each anchored size is within the log, its
  root is the stored tree's root at that size and the checkpoint's root of that size, if any.

Full mode (`full=True`) checks every entry, every checkpoint and every anchor, and rebuilds the
whole tree from the entries to compare every stored node run (no gap, no overlap, no extra
node). It holds the rebuilt tree in memory: about 64 bytes per entry. Every root is then the
rebuilt tree's, so consecutive checkpoints are consistent by construction.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from ledger.canonical import canonical_json, parse_json
from ledger.checkpoint import Checkpoint, open_checkpoint
from ledger.entry import Entry
from ledger.errors import LedgerError, LogIntegrityError, StoreUnavailable
from ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    Hash,
    NodeId,
    ProofPlan,
    fold,
    inclusion_plan,
    leaf_hash,
    range_nodes,
    verify_consistency,
    verify_inclusion,
)
from ledger.note import Verifier
from ledger.rotation import KeyHistory
from ledger.storage.anchors import AnchorStore
from ledger.storage.scan import CheckpointRecord, EntryRecord, StoreScan
from ledger.storage.store import LogStore

DEFAULT_RECENT: Final = 32
"""Latest entries, checkpoints and anchors a quick check always covers."""
DEFAULT_SAMPLE: Final = 32
"""Older entries, checkpoints and anchors a quick check picks at random."""
MAX_PROBLEMS: Final = 20
"""Faults named in the error; the count covers all of them."""
_ENTRY_CHUNK: Final = 2000
_NODE_CHUNK: Final = 200


class SelfCheckFailed(LogIntegrityError):
    """The stored log disagrees with itself; `problems` names each fault found."""

    def __init__(self, problems: Sequence[str], total: int) -> None:
        self.problems = tuple(problems)
        self.total = total
        more = f" (and {total - len(problems)} more)" if total > len(problems) else ""
        super().__init__(f"log self-check found {total} fault(s): " + "; ".join(problems) + more)


@dataclass(frozen=True, slots=True)
class SelfCheckReport:
    """What a passing self-check covered."""

    full: bool
    tree_size: int
    checkpoint_size: int
    entries: int
    checkpoints: int
    anchors: int
    nodes: int
    """Stored node hashes compared with the rebuilt tree (full mode only)."""


def run_selfcheck(
    store: LogStore,
    verifier_key: str | KeyHistory,
    anchors: AnchorStore | None = None,
    *,
    full: bool = False,
    recent: int = DEFAULT_RECENT,
    sample: int = DEFAULT_SAMPLE,
    rng: random.Random | None = None,
) -> SelfCheckReport:
    """Check the stored log (see the module docstring); return what was covered.

    `verifier_key` is the log's C2SP verifier key, or its key history once it rotated;
    `anchors`, when given, adds the anchor rows.
    Raises `SelfCheckFailed` (a `LogIntegrityError`) naming every fault found, `NoteError` if
    `verifier_key` is malformed, `StoreUnavailable` if the database cannot be read.
    """
    keys = (KeyHistory.of(Verifier.from_vkey(verifier_key)) if isinstance(verifier_key, str)
            else verifier_key)
    check = _SelfCheck(store, keys, full, recent, sample, rng or random.Random())
    report = check.run(anchors)
    if check.problems:
        raise SelfCheckFailed(check.problems[:MAX_PROBLEMS], len(check.problems))
    return report


class _SelfCheck:
    def __init__(self, store: LogStore, keys: KeyHistory, full: bool, recent: int,
                 sample: int, rng: random.Random) -> None:
        self.store = store
        self.scan = StoreScan(store)
        self.keys = keys
        self.full = full
        self.recent = recent
        self.sample = sample
        self.rng = rng
        self.problems: list[str] = []
        self.tree_size = 0
        self.levels: list[bytes] | None = None
        self.nodes = 0

    def fault(self, message: str) -> None:
        self.problems.append(message)

    def guarded(self, what: str, step: Callable[..., None], *args: object) -> None:
        """Run `step(*args)`; a ledger error (a missing node, a bad proof) is a fault of
        `what`; an unreachable store stops the check."""
        try:
            step(*args)
        except StoreUnavailable:
            raise
        except LedgerError as exc:
            self.fault(f"{what}: {exc}")

    def pick(self, items: Sequence[int]) -> list[int]:
        """All of `items` in full mode; else the last `recent` and `sample` others."""
        if self.full or len(items) <= self.recent + self.sample:
            return list(items)
        cut = len(items) - self.recent
        return sorted(self.rng.sample(items[:cut], self.sample)) + list(items[cut:])

    # -- the checks ------------------------------------------------------------------------

    def run(self, anchors: AnchorStore | None) -> SelfCheckReport:
        span = self.scan.entry_span()
        self.tree_size = 0 if span.last is None else span.last + 1
        gapless = span.count == self.tree_size and span.first in (None, 0)
        if not gapless:
            self.fault(f"entries: {span.count} rows for indices {span.first} to {span.last}: "
                       f"entries are missing")
        entries = self.check_entries() if self.full and gapless else 0
        if self.full and gapless:
            self.check_nodes()
        signed, checkpoints = self.check_checkpoints()
        checkpoint_size = 0 if signed is None else signed.size
        if not self.full:
            entries = self.check_sampled_entries(signed)
        anchored = self.check_anchors(anchors) if anchors is not None else 0
        return SelfCheckReport(self.full, self.tree_size, checkpoint_size, entries, checkpoints,
                               anchored, self.nodes)

    def root(self, size: int) -> bytes:
        """The tree's root at `size`: rebuilt (full mode) or from the stored node runs."""
        if self.levels is None:
            return self.store.root(size)
        if size == 0:
            return EMPTY_ROOT
        return fold([self.levels[n.level][n.position * HASH_SIZE : (n.position + 1) * HASH_SIZE]
                     for n in range_nodes(0, size)])

    def check_checkpoints(self) -> tuple[Checkpoint | None, int]:
        """The sampled checkpoints; returns the latest if its note verified, and the count."""
        sizes = self.scan.checkpoint_sizes()
        records = self.scan.checkpoints_at(self.pick(sizes))
        opened: dict[int, Checkpoint] = {}
        for record in records:
            checkpoint = self.open_checkpoint(record)
            if checkpoint is not None:
                opened[record.size] = checkpoint
        recent = [size for size in sizes[-self.recent:] if size in opened] if self.recent else []
        for old, new in itertools.pairwise(recent):
            self.guarded(f"checkpoints {old} and {new}", self.consistent, opened[old],
                         opened[new])
        latest = opened.get(sizes[-1]) if sizes else None
        if latest is not None and latest.size < self.tree_size:
            self.guarded(f"the log head ({self.tree_size}) and checkpoint {latest.size}",
                         self.head_consistent, latest)
        return latest, len(records)

    def open_checkpoint(self, record: CheckpointRecord) -> Checkpoint | None:
        what = f"checkpoint {record.size}"
        try:
            checkpoint = open_checkpoint(record.note, self.store.origin,
                                         self.keys.key_at(record.size))
        except LedgerError as exc:
            self.fault(f"{what}: its note does not verify with the log key of its size: {exc}")
            return None
        if checkpoint.size != record.size:
            self.fault(f"{what}: the signed note is of size {checkpoint.size}")
        if checkpoint.root != record.root:
            self.fault(f"{what}: the root column 0x{record.root.hex()} is not the signed root "
                       f"0x{checkpoint.root.hex()}")
        if checkpoint.size > self.tree_size:
            self.fault(f"{what}: beyond the log's {self.tree_size} entries")
            return None
        self.guarded(what, self.same_root, what, checkpoint.size, checkpoint.root)
        return checkpoint

    def same_root(self, what: str, size: int, root: bytes) -> None:
        stored = self.root(size)
        if stored != root:
            self.fault(f"{what}: root 0x{root.hex()} is not the stored tree's root at size "
                       f"{size} (0x{stored.hex()})")

    def consistent(self, old: Checkpoint, new: Checkpoint) -> None:
        proof = self.store.consistency_proof(old.size, new.size)
        verify_consistency(old.size, new.size, old.root, new.root, proof)

    def head_consistent(self, latest: Checkpoint) -> None:
        proof = self.store.consistency_proof(latest.size, self.tree_size)
        verify_consistency(latest.size, self.tree_size, latest.root,
                           self.store.root(self.tree_size), proof)

    def check_sampled_entries(self, signed: Checkpoint | None) -> int:
        records = self.scan.entries_at(self.pick(range(self.tree_size)))
        plans: dict[int, tuple[int, bytes, ProofPlan]] = {}
        head: bytes | None = None
        for record in records:
            self.check_entry(record)
            if signed is not None and record.idx < signed.size:
                size, root = signed.size, bytes(signed.root)
            else:
                head = head or self.head_root()
                size, root = self.tree_size, head
            plans[record.idx] = (size, root, inclusion_plan(record.idx, size))
        wanted = [NodeId(0, index) for index in plans]
        wanted += [node for _, _, plan in plans.values() for node in plan.node_ids()]
        hashes = self.node_hashes(wanted)
        for record in records:
            leaf = leaf_hash(record.data)
            stored = hashes.get(NodeId(0, record.idx))
            if stored is not None and stored != leaf:
                self.fault(f"entry {record.idx}: its data does not hash to the stored "
                           f"level-0 node")
            size, root, plan = plans[record.idx]
            self.guarded(f"entry {record.idx}: inclusion at size {size}", self.included,
                         record.idx, size, leaf, root, plan.assemble(hashes))
        return len(records)

    def head_root(self) -> bytes:
        """The root of the whole log from the stored nodes (a fault and no root if missing)."""
        try:
            return self.store.root(self.tree_size)
        except LogIntegrityError as exc:
            self.fault(f"the log head ({self.tree_size}): {exc}")
            return b""

    def node_hashes(self, ids: list[NodeId]) -> dict[NodeId, bytes]:
        """The stored hashes of `ids` that can be read; a missing one is a fault."""
        found: dict[NodeId, bytes] = {}
        unique = list(dict.fromkeys(ids))
        for start in range(0, len(unique), _NODE_CHUNK):
            part = unique[start : start + _NODE_CHUNK]
            self.guarded("stored nodes", lambda p=part: found.update(self.store.node_hashes(p)))
        return found

    def included(self, index: int, size: int, leaf: bytes, root: bytes,
                 proof: list[Hash]) -> None:
        verify_inclusion(index, size, leaf, proof, root)

    def check_entry(self, record: EntryRecord) -> None:
        what = f"entry {record.idx}"
        if leaf_hash(record.data) != record.leaf_hash:
            self.fault(f"{what}: its data does not hash to its stored leaf hash")
        try:
            entry = Entry.from_json(parse_json(record.data))
            canonical = canonical_json(entry.to_json())
        except LedgerError as exc:
            self.fault(f"{what}: its data is not a valid entry: {exc}")
            return
        if canonical != record.data:
            self.fault(f"{what}: its data is not in canonical form")
        columns = {
            "kind": (record.kind, entry.kind),
            "schema_name": (record.schema_name, entry.schema),
            "subject": (record.subject, entry.subject),
            "operator": (record.operator, entry.operator),
            "content": (record.content, bytes.fromhex(entry.content[2:])),
            "supersedes": (record.supersedes,
                           None if entry.supersedes is None
                           else bytes.fromhex(entry.supersedes[2:])),
            "issued_at": (record.issued_at, entry.issued_at),
        }
        for name, (stored, signed) in columns.items():
            if stored != signed:
                self.fault(f"{what}: column {name} differs from the entry's data")
        if record.body is not None:
            salted = record.body if record.salt is None else record.salt + record.body
            if hashlib.sha256(salted).digest() != record.content:
                self.fault(f"{what}: its body does not hash to its content commitment")

    def check_entries(self) -> int:
        """Full mode: every entry, and level 0 of the rebuilt tree from their data."""
        level0 = bytearray()
        for begin in range(0, self.tree_size, _ENTRY_CHUNK):
            for record in self.scan.entry_range(begin, begin + _ENTRY_CHUNK):
                self.check_entry(record)
                level0 += leaf_hash(record.data)
        self.levels = [bytes(level0)]
        return self.tree_size

    def check_nodes(self) -> None:
        """Full mode: every stored node run against the tree rebuilt from the entries."""
        assert self.levels is not None
        level = 0
        while True:
            below = self.levels[level]
            count = len(below) // HASH_SIZE
            self.compare_level(level, below, count)
            if count < 2:
                break
            pairs = bytearray()
            for i in range(0, (count // 2) * 2 * HASH_SIZE, 2 * HASH_SIZE):
                pairs += hashlib.sha256(b"\x01" + below[i : i + 2 * HASH_SIZE]).digest()
            self.levels.append(bytes(pairs))
            level += 1
        extra = [stored for stored in self.scan.node_levels() if stored >= len(self.levels)
                 or not self.levels[stored]]
        for stored in extra:
            self.fault(f"nodes: level {stored} is stored, the tree of {self.tree_size} entries "
                       f"has no complete node there")

    def compare_level(self, level: int, expected: bytes, count: int) -> None:
        cursor = 0
        for run in self.scan.node_runs(level):
            if run.start != cursor:
                self.fault(f"nodes: level {level} run starts at {run.start}, want {cursor}")
            for offset, stored in enumerate(run.hashes):
                index = run.start + offset
                self.nodes += 1
                if index >= count:
                    self.fault(f"node ({level}, {index}): stored beyond the tree")
                    break
                if stored != expected[index * HASH_SIZE : (index + 1) * HASH_SIZE]:
                    self.fault(f"node ({level}, {index}): its hash is not the tree's rebuilt "
                               f"from the entries")
            cursor = run.start + len(run.hashes)
        if cursor != count and count:
            self.fault(f"nodes: level {level} stored up to {cursor}, the tree has {count}")

    def check_anchors(self, anchors: AnchorStore) -> int:
        if self.full:
            rows = anchors.all()
        else:
            picked = (anchors.at(size) for size in self.pick(self.scan.anchor_sizes()))
            rows = [row for row in picked if row is not None]
        signed = {record.size: record.root
                  for record in self.scan.checkpoints_at([row.tree_size for row in rows])}
        for row in rows:
            size, what = row.tree_size, f"anchor {row.tree_size}"
            if size > self.tree_size:
                self.fault(f"{what}: beyond the log's {self.tree_size} entries")
                continue
            self.guarded(what, self.same_root, what, size, row.root)
            if size in signed and signed[size] != row.root:
                self.fault(f"{what}: root 0x{row.root.hex()} is not the root of checkpoint "
                           f"{size} (0x{signed[size].hex()})")
        return len(rows)
