"""The operator's commands of `infraledger`: `keys` and `submit`, which need no server install.

`api.cli` hands these commands here before it loads anything of the server, so an operator with
`pip install "infraledger[client]"` runs `infraledger keys new` and `infraledger submit`.
Exit codes: 0 done, 1 a refusal (a record rejected), 2 a usage, file or connection error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Final

from client import keys, submit
from client.errors import ClientError
from filings.errors import FilingError

COMMANDS: Final = ("keys", "submit")
EXIT_REFUSED: Final = 1


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    """Add the operator's command groups to an `infraledger` parser."""
    for group in (keys, submit):
        group.register(groups, common)


def main(argv: Sequence[str], common: argparse.ArgumentParser | None = None) -> int:
    """Run one operator command (`argv` starts with one of `COMMANDS`); returns its exit code."""
    parents = [] if common is None else [common]
    parser = argparse.ArgumentParser(
        prog="infraledger", parents=parents,
        description="InfraLedger operator commands: signing keys and submissions.",
    )
    register(parser.add_subparsers(dest="group", metavar="COMMAND", required=True),
             common or argparse.ArgumentParser(add_help=False))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        code: int = args.handler(args)
    except (ClientError, FilingError) as exc:
        print(f"infraledger: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    return code
