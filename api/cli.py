"""`infraledger`: run, seed and administer a ledger, and the operator's commands.

Each administration group lives in `api.admin.<group>` (the demo in `api.demo.command`) and
registers its sub-commands; a handler takes the parsed arguments and the settings and returns
the exit code. The operator's groups (`keys`, `submit`) are `client.cli`'s and are handed to it
before anything of the server is imported. Every refusal of ours (`ApiError`, `FilingError`,
`AnchoringError`, `LedgerError`) is one line on stderr and exit code 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from client import cli as operator_cli
from client.messages import Lang, option_help

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


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(
        prog="infraledger",
        description="InfraLedger: an audit ledger for public infrastructure records, "
        "anchored on a permissioned EVM chain.",
        parents=[common],
    )
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
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
    from api.demo import command as demo

    for group in (demo, serve, chain, operators, anchor, tiles, export, log_key, report):
        group.register(groups, common)
    operator_cli.name_commands(groups)
    tokens.register(groups, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code."""
    given = list(sys.argv[1:] if argv is None else argv)
    common = common_options()
    _, rest = common.parse_known_args(given)
    if operator_cli.is_operator_command(rest):
        return operator_cli.main(given, common_options)
    try:
        from anchoring.errors import AnchoringError
        from api.errors import ApiError
        from api.settings import load_settings
        from filings.errors import FilingError
        from ledger.errors import LedgerError

        parser = build_parser()
    except ModuleNotFoundError as exc:
        print(f"infraledger: this command needs the server install "
              f"(pip install 'infraledger[server]'): no module {exc.name}", file=sys.stderr)
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
        print(f"infraledger: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
