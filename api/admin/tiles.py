"""`infraledger tiles export DIR`: write the log's C2SP tlog-tiles directory (c2sp.org/tlog-tiles)
for a web server, object store or CDN to serve (docs/deploy-cdn.md).

Reads the database only, like `anchor status`: it runs beside the server, or without it. The
directory receives every tile and entry bundle of the latest signed checkpoint not yet there,
each written once, then the checkpoint, replaced atomically (`ledger.service.tile_export`). Run
again, it adds only what the log grew; the `tiles_dir` setting makes the server's jobs do the
same after every checkpoint.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from api.admin.anchor import SQLITE_PREFIX, NoLedger
from api.admin.messages import option_help, say
from api.settings import Settings
from client.messages import Lang, OperatorParser
from ledger.service.tile_export import TileExporter
from ledger.storage.store import LogStore


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `tiles export`, its help in `lang`."""
    parser = groups.add_parser(
        "tiles", lang=lang, common=common, help=option_help(lang, "tiles"),
        description=say(lang, "tiles_description"),
    )
    commands = parser.add_subparsers(dest="tiles_command", metavar="COMMAND", required=True)
    export = commands.add_parser(
        "export", lang=lang, common=common, help=option_help(lang, "tiles_export"),
        description=say(lang, "tiles_export_description"),
    )
    export.add_argument("directory", metavar="DIR", type=Path,
                        help=option_help(lang, "tiles_directory"))
    export.set_defaults(handler=export_tiles)


def export_tiles(args: argparse.Namespace, settings: Settings) -> int:
    """Export once; print what was written."""
    url = settings.database()
    sqlite_file = Path(url.removeprefix(SQLITE_PREFIX))
    if url.startswith(SQLITE_PREFIX) and not sqlite_file.exists():
        raise NoLedger(f"no ledger database: {sqlite_file} does not exist")
    store = LogStore(url, settings.origin, now=int(time.time()))
    try:
        exporter = TileExporter(store, args.directory)
        export = exporter.run_once()
        size = exporter.check() if export is None else export.size
    finally:
        store.close()
    if export is None:
        print(f"{args.directory}: up to date at checkpoint size {size}" if size
              else f"{args.directory}: the log has no signed checkpoint yet")
    else:
        print(f"{args.directory}: checkpoint size {export.size}, {export.written} files "
              f"written, {export.pruned} partial tile directories removed")
    return 0
