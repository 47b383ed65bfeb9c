"""`infraledger`: run, seed and administer a ledger, and the operator's commands.

Each administration group lives in `api.admin.<group>` (the demo in `api.demo.command`) and
registers its sub-commands; a handler takes the parsed arguments and the settings and returns
the exit code. The operator's groups (`keys`, `submit`) are `client.cli`'s and are handed to it
before anything of the server is imported. Every help text is in Vietnamese or English
(`--lang`, else the locale: `api.admin.messages`, `client.messages`). Every refusal of ours
(`ApiError`, `FilingError`, `AnchoringError`, `LedgerError`) is one line on stderr, what failed
in Vietnamese before the refusal's English message, and exit code 1; usage errors are one
bilingual line too, and exit with 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from client import cli as operator_cli
from client.errors import bilingual
from client.messages import Lang, command_line_language, option_help

EXIT_REFUSED = 1
QUIET_LIBRARIES = ("httpx", "httpcore", "apscheduler", "web3", "urllib3")
EXIT_USAGE = 2


class JsonLogFormatter(logging.Formatter):
    """One JSON object per log record: time, level, logger, message (and the exception)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """Send our logs to stderr, as text or as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonLogFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for chatty in QUIET_LIBRARIES:
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))


def common_options(lang: Lang = "en") -> argparse.ArgumentParser:
    """Options every sub-command accepts as well (`infraledger demo --data-dir DIR`), their help
    in `lang` (the operator's commands show it in theirs)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir", type=Path, default=argparse.SUPPRESS, help=option_help(lang, "data_dir"),
    )
    parent.add_argument(
        "--log-format", choices=("text", "json"), default=argparse.SUPPRESS,
        help=option_help(lang, "log_format"),
    )
    return parent


def build_parser(lang: Lang) -> argparse.ArgumentParser:
    """The parser of every `infraledger` command, with every help text in `lang` (the
    operator's commands are only named: `client.cli` parses them)."""
    from api.admin import (
        anchor,
        chain,
        export,
        log_key,
        operators,
        report,
        serve,
        tiles,
        tokens,
    )
    from api.admin.messages import say
    from api.demo import command as demo
    from client.messages import OperatorParser

    common = common_options(lang)
    parser = OperatorParser(prog="infraledger", lang=lang, common=common,
                         description=say(lang, "program"))
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
    for group in (demo, serve, chain, operators, anchor, tiles, export, log_key, report):
        group.register(groups, common, lang)
    operator_cli.name_commands(groups, lang)
    tokens.register(groups, common, lang)
    return parser


def command_name(args: argparse.Namespace) -> str:
    """The command `args` were parsed for, e.g. `operators register`: the group, and its
    sub-command when it has some (each group keeps it as `<group>_command`)."""
    sub_command = getattr(args, f"{args.group}_command", None)
    return args.group if sub_command is None else f"{args.group} {sub_command}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code."""
    given = list(sys.argv[1:] if argv is None else argv)
    common = common_options()
    _, rest = common.parse_known_args(given)
    if operator_cli.is_operator_command(rest):
        return operator_cli.main(given, common_options)
    try:
        from anchoring.errors import AnchoringError
        from api.admin.messages import refusal_line
        from api.errors import ApiError
        from api.settings import load_settings
        from filings.errors import FilingError
        from ledger.errors import LedgerError

        parser = build_parser(command_line_language(given, os.environ))
    except ModuleNotFoundError as exc:
        print("infraledger: " + bilingual(
            f"lệnh này cần bản cài đặt máy chủ (pip install 'infraledger[server]'): thiếu "
            f"mô-đun {exc.name}",
            f"this command needs the server install (pip install 'infraledger[server]'): "
            f"no module {exc.name}"), file=sys.stderr)
        return EXIT_USAGE
    try:
        args = parser.parse_args(given)
    except SystemExit as exc:
        return int(exc.code or 0)
    overrides: dict[str, Any] = {}
    if "log_format" in args:
        overrides["log_format"] = args.log_format
    try:
        settings = load_settings(getattr(args, "data_dir", None), **overrides)
        configure_logging(settings.log_format)
        code: int = args.handler(args, settings)
    except (ApiError, FilingError, AnchoringError, LedgerError) as exc:
        print(refusal_line(command_name(args), str(exc)), file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
