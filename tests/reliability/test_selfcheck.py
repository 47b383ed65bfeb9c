"""The start-up self-check catches every kind of tampering done behind the log's back (direct
SQL on the database), in quick and full mode, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import random
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from ledger.canonical import canonical_json
from ledger.entry import Entry, to_checksum_address
from ledger.note import Signer
from ledger.service.checkpointer import Checkpointer
from ledger.service.selfcheck import SelfCheckFailed, run_selfcheck
from ledger.storage.anchors import AnchorStore, StoredAnchor
from ledger.storage.store import LogStore, PendingEntry
from tests.conftest import POSTGRES_ADMIN, _admin

ORIGIN = "test.example/selfcheck"
CHECKPOINT_SIZES = (100, 256, 300, 513, 650, 700)
ANCHORED = (256, 513, 700)


def _entry(n: int, body: bytes, salt: bytes | None) -> Entry:
    content = hashlib.sha256(body if salt is None else salt + body).digest()
    return Entry(
        kind="indicator", schema="indicator/1", subject=f"indicator:bts_shared_ratio:hue:{n}",
        operator=to_checksum_address("0x" + f"{n % 7 + 1:02x}" * 20),
        content="0x" + content.hex(), attachments="0x" + "00" * 32, supersedes=None,
        issued_at=1_720_000_000 + n, signature="0x" + f"{n % 251:02x}" * 65,
    )


def _pending(n: int) -> PendingEntry:
    body = canonical_json({"indicator": "bts_shared_ratio", "area": "hue", "period": str(n),
                           "value": n % 100})
    salt = hashlib.sha256(n.to_bytes(8, "big")).digest() if n % 5 == 0 else None
    return PendingEntry.of(_entry(n, body, salt), body=body, salt=salt)


@dataclass
class Log:
    store: LogStore
    signer: Signer
    anchors: AnchorStore

    @property
    def vkey(self) -> str:
        return self.signer.verifier.vkey()

    def sql(self, statement: str, **params: object) -> None:
        """Tamper with the database directly, as someone with access to it could."""
        with self.store.writer.begin() as conn:
            conn.execute(text(statement), params)

    def check(self, *, full: bool) -> None:
        run_selfcheck(self.store, self.vkey, self.anchors, full=full, rng=random.Random(5))


def _build(url: str, signer: Signer) -> None:
    """700 entries in batches, six signed checkpoints, three anchor rows."""
    store = LogStore(url, ORIGIN, now=0)
    checkpointer = Checkpointer(store, signer, clock=lambda: 1_720_000_000.0)
    anchors = AnchorStore(store)
    frontier, n, rng = store.frontier(), 0, random.Random(3)
    for size in CHECKPOINT_SIZES:
        while n < size:
            count = min(rng.randint(1, 60), size - n)
            _, frontier = store.append([_pending(k) for k in range(n, n + count)], frontier,
                                       now=1_720_000_000 + n)
            n += count
        assert checkpointer.run_once() is not None
        if size in ANCHORED:
            anchors.add(StoredAnchor(
                tree_size=size, root=store.root(size), chain_id=31337,
                contract="0x" + "ab" * 20, tx_hash=bytes([size % 256]) * 32,
                block_number=size, block_hash=bytes([size % 255]) * 32,
                block_time=1_720_000_000 + size, anchored_at=1_720_000_000 + size,
            ))
    store.close()


@dataclass(frozen=True)
class Template:
    """One built log per backend, copied for each test (a file copy, or a PostgreSQL
    database made from it as a template)."""

    url: str
    signer: Signer


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def template(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    signer = Signer.generate(ORIGIN)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('selfcheck') / 'template.db'}"
        _build(url, signer)
        yield Template(url, signer)
        return
    name = f"infraledger_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        _build(f"{POSTGRES_ADMIN}/{name}", signer)
        yield Template(f"{POSTGRES_ADMIN}/{name}", signer)
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def log(template: Template, tmp_path: Path) -> Iterator[Log]:
    if template.url.startswith("sqlite"):
        path = tmp_path / "ledger.db"
        shutil.copyfile(template.url.removeprefix("sqlite:///"), path)
        url, drop = f"sqlite:///{path}", None
    else:
        drop = f"infraledger_test_{uuid.uuid4().hex[:12]}"
        with _admin() as conn:
            conn.execute(f'CREATE DATABASE "{drop}" TEMPLATE "{template.url.rsplit("/", 1)[1]}"')
        url = f"{POSTGRES_ADMIN}/{drop}"
    store = LogStore(url, ORIGIN, now=0)
    yield Log(store, template.signer, AnchorStore(store))
    store.close()
    if drop is not None:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')


def test_an_untouched_log_passes_both_modes(log: Log) -> None:
    quick = run_selfcheck(log.store, log.vkey, log.anchors, rng=random.Random(1))
    assert (quick.tree_size, quick.checkpoint_size) == (700, 700)
    assert quick.entries == 64 and quick.checkpoints == 6 and quick.anchors == 3
    full = run_selfcheck(log.store, log.vkey, log.anchors, full=True)
    assert (full.entries, full.checkpoints, full.anchors) == (700, 6, 3)
    assert full.nodes == 2 * 700 - bin(700).count("1")  # every perfect subtree of the tree
    assert run_selfcheck(log.store, log.vkey).anchors == 0


def test_the_wrong_log_key_fails_every_checkpoint(log: Log) -> None:
    other = Signer.generate(ORIGIN).verifier.vkey()
    with pytest.raises(SelfCheckFailed) as failed:
        run_selfcheck(log.store, other)
    assert failed.value.total == 6
    assert all("does not verify with the log key" in p for p in failed.value.problems)


def _flip(blob: bytes, at: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ 1]) + blob[at + 1:]


def _node_run(log: Log, level: int, index: int) -> tuple[int, bytes]:
    with log.store.reader.connect() as conn:
        start, hashes = conn.execute(text(
            "SELECT start, hashes FROM nodes WHERE level = :l AND start <= :i "
            "ORDER BY start DESC LIMIT 1"), {"l": level, "i": index}).one()
    return int(start), bytes(hashes)


def _tamper_node(log: Log, level: int, index: int) -> None:
    start, hashes = _node_run(log, level, index)
    log.sql("UPDATE nodes SET hashes = :h WHERE level = :l AND start = :s",
            h=_flip(hashes, (index - start) * 32 + 7), l=level, s=start)


def _body(log: Log) -> None:
    log.sql("UPDATE entries SET body = :b WHERE idx = 698",
            b=canonical_json({"indicator": "bts_shared_ratio", "area": "hue", "period": "698",
                              "value": 99}))


def _salt(log: Log) -> None:
    log.sql("UPDATE entries SET salt = :s WHERE idx = 695", s=b"\x00" * 32)


def _data_only(log: Log) -> None:
    log.sql("UPDATE entries SET data = :d WHERE idx = 690", d=_pending(10_690).leaf_data)


def _replace_entry(log: Log, index: int) -> PendingEntry:
    """Rewrite every column of entry `index` for another valid entry with its body."""
    pending = _pending(10_000 + index)
    e = pending.entry
    log.sql("UPDATE entries SET data = :d, leaf_hash = :h, subject = :s, operator = :o, "
            "content = :c, issued_at = :t, body = :b, salt = :salt WHERE idx = :i",
            d=pending.leaf_data, h=pending.leaf_hash, s=e.subject, o=e.operator,
            c=bytes.fromhex(e.content[2:]), t=e.issued_at, b=pending.body, salt=pending.salt,
            i=index)
    return pending


def _data_and_leaf_hash(log: Log) -> None:
    _replace_entry(log, 689)


def _data_leaf_hash_and_node(log: Log) -> None:
    """Entry, leaf hash, every column and the level-0 node: only the signed root still knows."""
    pending = _replace_entry(log, 687)
    start, hashes = _node_run(log, 0, 687)
    at = (687 - start) * 32
    log.sql("UPDATE nodes SET hashes = :h WHERE level = 0 AND start = :s",
            h=hashes[:at] + pending.leaf_hash + hashes[at + 32:], s=start)


def _column(log: Log) -> None:
    log.sql("UPDATE entries SET subject = 'indicator:bts_shared_ratio:hue:other' "
            "WHERE idx = 699")


def _leaf_node(log: Log) -> None:
    _tamper_node(log, 0, 697)


def _frontier_node(log: Log) -> None:
    _tamper_node(log, 9, 0)  # leaves [0, 512): on the frontier of sizes 513, 650 and 700


def _checkpoint_note(log: Log) -> None:
    log.sql("UPDATE checkpoints SET note = replace(note, :a, :b) WHERE size = 650",
            a="\n650\n", b="\n649\n")


def _checkpoint_root(log: Log) -> None:
    log.sql("UPDATE checkpoints SET root = :r WHERE size = 700", r=bytes(32))


def _checkpoint_swapped(log: Log) -> None:
    """A validly signed note moved to another size's row."""
    with log.store.reader.connect() as conn:
        note = conn.execute(text("SELECT note FROM checkpoints WHERE size = 300")).scalar_one()
    log.sql("UPDATE checkpoints SET note = :n WHERE size = 513", n=note)


def _anchor_root(log: Log) -> None:
    log.sql("UPDATE anchors SET root = :r WHERE tree_size = 513", r=log.store.root(512))


def _anchor_size(log: Log) -> None:
    log.sql("UPDATE anchors SET tree_size = 701 WHERE tree_size = 700")


def _deleted_entry(log: Log) -> None:
    log.sql("DELETE FROM attachment_refs WHERE idx = 300")
    log.sql("DELETE FROM entries WHERE idx = 300")


def _deleted_tail(log: Log) -> None:
    log.sql("DELETE FROM entries WHERE idx >= 695")


TAMPERING: dict[str, tuple[Callable[[Log], None], str, str]] = {
    # what is changed: (how, the fault named by the quick check, by the full check)
    "body": (_body, *["entry 698: its body does not hash to its content commitment"] * 2),
    "salt": (_salt, *["entry 695: its body does not hash to its content commitment"] * 2),
    "entry data": (_data_only, *["entry 690: its data does not hash to its stored leaf hash"] * 2),
    "entry data and leaf hash": (
        _data_and_leaf_hash, "entry 689: its data does not hash to the stored level-0 node",
        "node (0, 689): its hash is not the tree's rebuilt from the entries"),
    "entry, leaf hash and level-0 node": (
        _data_leaf_hash_and_node, "entry 687: inclusion at size 700",
        "node (1, 343): its hash is not the tree's rebuilt from the entries"),
    "searchable column": (
        _column, *["entry 699: column subject differs from the entry's data"] * 2),
    "level-0 node": (_leaf_node, "entry 697: its data does not hash to the stored level-0 node",
                     "node (0, 697): its hash is not the tree's rebuilt from the entries"),
    "frontier node": (_frontier_node, "checkpoint 700: root",
                      "node (9, 0): its hash is not the tree's rebuilt from the entries"),
    "checkpoint note": (_checkpoint_note, *["checkpoint 650: its note does not verify"] * 2),
    "checkpoint root column": (_checkpoint_root, *["checkpoint 700: the root column"] * 2),
    "checkpoint note moved": (
        _checkpoint_swapped, *["checkpoint 513: the signed note is of size 300"] * 2),
    "anchor root": (_anchor_root, *["anchor 513: root 0x"] * 2),
    "anchor size": (_anchor_size, *["anchor 701: beyond the log's 700 entries"] * 2),
    "deleted entry": (_deleted_entry, *["entries: 699 rows for indices 0 to 699"] * 2),
    "deleted tail": (_deleted_tail, *["checkpoint 700: beyond the log's 695 entries"] * 2),
}


def _faults(log: Log, *, full: bool) -> tuple[str, ...]:
    with pytest.raises(SelfCheckFailed) as failed:
        log.check(full=full)
    return failed.value.problems


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_caught(log: Log, kind: str) -> None:
    tamper, quick, full = TAMPERING[kind]
    tamper(log)
    for mode, expected in ((False, quick), (True, full)):
        faults = _faults(log, full=mode)
        assert any(p.startswith(expected) for p in faults), (mode, faults)


@pytest.mark.parametrize("level, index", [(0, 37), (3, 20), (5, 9), (8, 1)])
def test_full_mode_catches_any_interior_node(log: Log, level: int, index: int) -> None:
    """A node that no root and no recent entry uses: only the rebuilt tree knows it."""
    _tamper_node(log, level, index)
    with pytest.raises(SelfCheckFailed, match=rf"node \({level}, {index}\): its hash is not"):
        log.check(full=True)


def test_full_mode_catches_a_truncated_node_run(log: Log) -> None:
    start, hashes = _node_run(log, 2, 100)
    log.sql("UPDATE nodes SET hashes = :h WHERE level = 2 AND start = :s", h=hashes[:-32],
            s=start)
    with pytest.raises(SelfCheckFailed, match="nodes: level 2 run starts at"):
        log.check(full=True)


def test_the_error_is_a_log_integrity_error_and_bounded(log: Log) -> None:
    from ledger.errors import LogIntegrityError

    log.sql("UPDATE entries SET subject = 'indicator:x' WHERE idx >= 600")
    with pytest.raises(LogIntegrityError) as failed:
        log.check(full=True)
    assert isinstance(failed.value, SelfCheckFailed)
    assert failed.value.total == 100 and len(failed.value.problems) == 20
    assert "(and 80 more)" in str(failed.value)

