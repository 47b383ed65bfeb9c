"""`infraledger export DIR [--size N]`: write the open-data export (`api.open_data`,
docs/open-data.md) into DIR: the same files, byte for byte, as `GET /v1/export/...` serves at
the same checkpoint.

Reads the database, and the OperatorRegistry for the operators' names (with the embedded chain,
the chain belongs to one process at a time: run it while the server is stopped). Without
`--size`, the export is taken at the latest anchored checkpoint, as the API's; `--size N` takes
the signed checkpoint of size N. Each file is written to a temporary name and renamed into
place, the catalogue last, so a reader of DIR never finds a catalogue naming files not there.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from anchoring.registry import OperatorRegistry
from api.admin.anchor import SQLITE_PREFIX, NoLedger
from api.admin.chain import deployed_chain
from api.admin.messages import option_help, say
from api.open_data import CATALOG, export_files, read_export
from api.settings import Settings
from client.messages import Lang, OperatorParser
from ledger.storage.anchors import AnchorStore
from ledger.storage.records import RecordStore
from ledger.storage.store import LogStore


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `export`, its help in `lang`."""
    parser = groups.add_parser(
        "export", lang=lang, common=common, help=option_help(lang, "export"),
        description=say(lang, "export_description"),
    )
    parser.add_argument("directory", metavar="DIR", type=Path,
                        help=option_help(lang, "export_directory"))
    parser.add_argument("--size", type=int, default=None, metavar="N",
                        help=option_help(lang, "export_size"))
    parser.set_defaults(handler=export_open_data)


def export_open_data(args: argparse.Namespace, settings: Settings) -> int:
    """Export once; print the checkpoint and the files written."""
    url = settings.database()
    sqlite_file = Path(url.removeprefix(SQLITE_PREFIX))
    if url.startswith(SQLITE_PREFIX) and not sqlite_file.exists():
        raise NoLedger(f"no ledger database: {sqlite_file} does not exist")
    store = LogStore(url, settings.origin, now=int(time.time()))
    try:
        found, checkpoint = read_export(RecordStore(store), store, AnchorStore(store), args.size)
    finally:
        store.close()
    with deployed_chain(settings) as (access, deployment):
        registry = OperatorRegistry(access.chain, deployment.operator_registry, None,
                                    start_block=deployment.block_number)
        names = {str(o.address): o.name for o in registry.operators()}
    files = export_files(found, checkpoint, names)
    directory: Path = args.directory
    directory.mkdir(parents=True, exist_ok=True)
    for name in sorted(files, key=lambda n: n == CATALOG):
        temporary = directory / f".{name}.{os.getpid()}.tmp"
        temporary.write_bytes(files[name])
        temporary.replace(directory / name)
    print(f"{directory}: {len(files)} files at checkpoint size {checkpoint.size} of "
          f"{checkpoint.origin}")
    return 0
