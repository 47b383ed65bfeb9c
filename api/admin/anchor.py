"""`infraledger anchor status`: how far the chain's anchors are behind the log.

Reads the database only (the embedded chain belongs to the running server): the latest anchor
row (tree size, root, chain, contract, transaction, block), the latest checkpoint, and the lag
in entries and in seconds since the oldest entry past the anchor was sequenced.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from anchoring.service import anchor_lag
from api.admin.messages import option_help, say
from api.errors import ApiError
from api.http.deps import anchor_json
from api.settings import Settings
from client.messages import Lang, OperatorParser
from ledger.storage.anchors import AnchorStore
from ledger.storage.store import LogStore


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `anchor status`, its help in `lang`."""
    parser = groups.add_parser(
        "anchor", lang=lang, common=common, help=option_help(lang, "anchor"),
        description=say(lang, "anchor_description"),
    )
    commands = parser.add_subparsers(dest="anchor_command", metavar="COMMAND", required=True)
    status = commands.add_parser(
        "status", lang=lang, common=common, help=option_help(lang, "anchor_status"),
        description=say(lang, "anchor_status_description"),
    )
    status.add_argument("--json", action="store_true", help=option_help(lang, "anchor_json"))
    status.set_defaults(handler=anchor_status)


SQLITE_PREFIX: Final = "sqlite:///"


class NoLedger(ApiError):
    """The data directory holds no ledger database yet."""

    code = "no_ledger"
    http_status = 404


def anchor_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print the status as text or JSON."""
    url = settings.database()
    sqlite_file = Path(url.removeprefix(SQLITE_PREFIX))
    if url.startswith(SQLITE_PREFIX) and not sqlite_file.exists():
        raise NoLedger(f"no ledger database: {sqlite_file} does not exist")
    now = time.time()
    store = LogStore(url, settings.origin, now=int(now))
    try:
        anchors = AnchorStore(store)
        latest = anchors.latest()
        checkpoint = store.latest_checkpoint()
        lag = anchor_lag(anchors, now)
    finally:
        store.close()
    status: dict[str, Any] = {
        "anchor": None if latest is None
        else {**anchor_json(latest), "anchored_at": latest.anchored_at},
        "checkpoint_size": None if checkpoint is None else checkpoint.checkpoint.size,
        "tree_size": lag.tree_size,
        "lag": {"entries": lag.entries, "seconds": round(lag.seconds, 3)},
    }
    if args.json:
        print(json.dumps(status, indent=2))
        return 0
    lines = []
    if latest is None:
        lines.append(("anchored size", "0 (nothing anchored yet)"))
    else:
        lines += [
            ("anchored size", str(latest.tree_size)),
            ("root", "0x" + latest.root.hex()),
            ("chain", f"{latest.chain_id}, contract {latest.contract}"),
            ("transaction", "0x" + latest.tx_hash.hex()),
            ("block", f"{latest.block_number} (0x{latest.block_hash.hex()})"),
            ("block time", _utc(latest.block_time)),
            ("recorded at", _utc(latest.anchored_at)),
        ]
    lines += [
        ("checkpoint size", str(status["checkpoint_size"] or 0)),
        ("tree size", str(lag.tree_size)),
        ("lag", f"{lag.entries} entries, {lag.seconds:.1f} s"),
    ]
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label.ljust(width)}  {value}")
    return 0


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
