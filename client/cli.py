"""The operator's commands of `infraledger`: `keys` and `submit`, which need no server install.

`api.cli` hands these commands here before it loads anything of the server, so an operator with
`pip install "infraledger[client]"` runs `infraledger keys new` and `infraledger submit`.
Exit codes: 0 done, 1 a refusal (a record rejected), 2 a usage, file or connection error.
Their help is in Vietnamese or English (`--lang`, else the locale: `client.messages`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

from client import keys, submit
from client.errors import ClientError
from client.messages import (
    Lang,
    OperatorParser,
    command_line_language,
    option_help,
    say,
    without_language,
)
from filings.errors import FilingError

COMMANDS: Final = ("keys", "submit")
EXIT_REFUSED: Final = 1
CommonOptions = Callable[[Lang], argparse.ArgumentParser]
"""Makes the options every `infraledger` command accepts, their help in a language."""
Parser = TypeVar("Parser", bound=OperatorParser)
"""The parser class of the command groups the operator's commands are named among."""


def name_commands(groups: argparse._SubParsersAction[Parser], lang: Lang) -> None:
    """Name the operator's commands in the server's `infraledger --help`, in `lang`; `main`
    parses them."""
    for command in COMMANDS:
        groups.add_parser(command, lang=lang, help=option_help(lang, command))


def is_operator_command(arguments: Sequence[str]) -> bool:
    """Whether `arguments` (the command line past the common options) name one of `COMMANDS`,
    `--lang X` aside."""
    rest = without_language(arguments)
    return bool(rest) and rest[0] in COMMANDS


def build_parser(lang: Lang, common: CommonOptions | None = None) -> OperatorParser:
    """The parser of the operator's commands, with every help text in `lang`."""
    shared = argparse.ArgumentParser(add_help=False) if common is None else common(lang)
    parser = OperatorParser(prog="infraledger", lang=lang, common=shared,
                            description=say(lang, "program"))
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
    for group in (keys, submit):
        group.register(groups, shared, lang)
    return parser


def main(argv: Sequence[str], common: CommonOptions | None = None) -> int:
    """Run one operator command (`argv` names one of `COMMANDS`); returns its exit code."""
    parser = build_parser(command_line_language(argv, os.environ), common)
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
