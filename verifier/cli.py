"""`infraledger-verify`: check InfraLedger records, audit and watch a log, without trusting it.

    infraledger-verify trust init --ledger URL [--out FILE] [--force]
    infraledger-verify bundle FILE [--body FILE] [--salt HEX] [--document FILE ...]
    infraledger-verify record ID --ledger URL [the options of bundle]
    infraledger-verify audit (--ledger URL | --mirror DIR | both) [--jobs N]
    infraledger-verify monitor --ledger URL [--interval S] [--anchor-deadline S] [--once]

Every command reads the pinned trust file (`--trust`, default `infraledger-trust.json`) and, unless
`--offline`, the chain through the trust file's RPC endpoints (or `--rpc URL ...`).
Exit codes (DESIGN section 7): 0 verified, 1 not verified (the failed checks are named), 2 usage or
I/O error (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from verifier.audit import AuditReport, audit_log
from verifier.bundle_verification import (
    Document,
    Status,
    SuppliedBody,
    VerificationResult,
    verify_bundle,
)
from verifier.canonical_json import parse_json
from verifier.encodings import decode_hex
from verifier.entry import parse_record_id
from verifier.errors import Unavailable, VerificationError
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import LedgerApi, LogSource
from verifier.mirror import TileMirror
from verifier.monitor import Monitor, MonitorState
from verifier.rfc9162 import LeafHash
from verifier.trust import Trust

PROGRAM = "infraledger-verify"
DEFAULT_TRUST_FILE = "infraledger-trust.json"
EXIT_VERIFIED, EXIT_NOT_VERIFIED, EXIT_ERROR = 0, 1, 2
MAX_SECONDS = 86_400
MAX_JOBS = 256


class UsageError(Exception):
    """A command line or local file problem: exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        code: int = args.run(args)
        return code
    except UsageError as exc:
        return _fail(str(exc))
    except Unavailable as exc:
        return _fail(f"unavailable: {exc}")
    except VerificationError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as exc:  # a bug must still end in one line, never a traceback
        return _fail(f"internal error {type(exc).__name__}: {exc} (please report)")


def _fail(message: str) -> int:
    one_line = " ".join(message.split())
    print(f"{PROGRAM}: error: {one_line}", file=sys.stderr)
    return EXIT_ERROR


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROGRAM, description="Verify InfraLedger records without trusting it.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    trust = commands.add_parser("trust", help="manage the pinned trust file")
    trust_commands = trust.add_subparsers(dest="trust_command", required=True, parser_class=_Parser)
    init = trust_commands.add_parser("init", help="pin a ledger on first use (GET /v1/log)")
    init.add_argument("--ledger", required=True, metavar="URL")
    init.add_argument("--out", default=DEFAULT_TRUST_FILE, metavar="FILE")
    init.add_argument("--force", action="store_true", help="overwrite an existing trust file")
    init.set_defaults(run=_trust_init)

    bundle = commands.add_parser("bundle", help="verify a proof bundle file")
    bundle.add_argument("file", metavar="FILE")
    _verification_options(bundle)
    bundle.set_defaults(run=_bundle)

    record = commands.add_parser("record", help="fetch a record's proof bundle and verify it")
    record.add_argument("record_id", metavar="ID")
    record.add_argument("--ledger", required=True, metavar="URL")
    _verification_options(record)
    record.set_defaults(run=_record)

    audit = commands.add_parser("audit", help="rebuild and check the whole log")
    audit.add_argument("--ledger", metavar="URL", help="the ledger to audit")
    audit.add_argument(
        "--mirror",
        metavar="DIR",
        help="read tiles from this tlog-tiles directory; with --ledger, save missing ones there",
    )
    audit.add_argument(
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="processes that check entry signatures (default 1)",
    )
    _chain_options(audit)
    audit.set_defaults(run=_audit)

    monitor = commands.add_parser("monitor", help="watch the log's checkpoints and anchors")
    monitor.add_argument("--ledger", required=True, metavar="URL")
    monitor.add_argument("--interval", type=_seconds, default=10.0, metavar="S")
    monitor.add_argument("--anchor-deadline", type=_seconds, default=60.0, metavar="S")
    monitor.add_argument("--once", action="store_true", help="poll once; exit 1 on any alert")
    monitor.add_argument("--state", metavar="FILE", help="remember what was seen across runs")
    _chain_options(monitor, offline=False)
    monitor.set_defaults(run=_monitor)
    return parser


def _chain_options(parser: argparse.ArgumentParser, *, offline: bool = True) -> None:
    parser.add_argument("--trust", default=DEFAULT_TRUST_FILE, metavar="FILE")
    parser.add_argument("--rpc", nargs="+", metavar="URL", help="override the trusted endpoints")
    parser.add_argument("--block", default="latest", help="block to read the chain at")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    if offline:
        parser.add_argument("--offline", action="store_true", help="do not read the chain")


def _verification_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--body", metavar="FILE", help="the record's body (JSON), if withheld")
    parser.add_argument("--salt", metavar="HEX", help="0x salt of a restricted body")
    parser.add_argument(
        "--document",
        nargs="+",
        default=[],
        metavar="FILE",
        help="files that must be attachments of the record",
    )
    _chain_options(parser)


def _jobs(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"want a number of processes from 1 to {MAX_JOBS}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"want a number of seconds in (0, {MAX_SECONDS}]")
    return value


# Commands.


def _trust_init(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise UsageError(f"{out} exists; pass --force to replace the pinned trust")
    trust = Trust.from_log_info(LedgerApi(args.ledger).log_info(), args.ledger)
    _write_atomically(out, json.dumps(trust.to_json(), indent=2) + "\n")
    print(f"Trusted on first use: wrote {out} from {args.ledger.rstrip('/')}/v1/log.")
    print(f"  origin   {trust.origin}")
    print(f"  log key  {trust.vkey}")
    print(
        f"  chain    {trust.chain_id}, anchor {trust.anchor_contract}, "
        f"registry {trust.operator_registry}"
    )
    print("This server vouched for itself. Compare the log key with one published out of band")
    print("(the authority's website or gazette, a colleague's trust file) before relying on it.")
    return EXIT_VERIFIED


def _bundle(args: argparse.Namespace) -> int:
    data = Path(args.file).read_bytes()
    return _verify(args, data, expected=None)


def _record(args: argparse.Namespace) -> int:
    text = args.record_id.lower().removeprefix("0x")
    expected = parse_record_id(text)
    trust = _trust(args)  # read before any network access, to fail fast on a bad trust file
    data = LedgerApi(args.ledger).proof_bundle(text)
    return _verify(args, data, expected=expected, trust=trust)


def _verify(
    args: argparse.Namespace, data: bytes, *, expected: LeafHash | None, trust: Trust | None = None
) -> int:
    trust = trust or _trust(args)
    supplied = None
    if args.body is not None:
        body = parse_json(Path(args.body).read_bytes(), what=args.body)
        salt = (
            None
            if args.salt is None
            else decode_hex(args.salt, what="--salt", size=32, prefixed=True)
        )
        supplied = SuppliedBody(body=body, salt=salt)
    elif args.salt is not None:
        raise UsageError("--salt needs --body")
    result = verify_bundle(
        data,
        trust,
        chain=None if args.offline else _chain(args, trust),
        documents=[_document(path) for path in args.document],
        supplied_body=supplied,
        expected_record_id=expected,
    )
    _print_result(result, as_json=args.json)
    return EXIT_VERIFIED if result.verified else EXIT_NOT_VERIFIED


def _audit(args: argparse.Namespace) -> int:
    if args.ledger is None and args.mirror is None:
        raise UsageError("audit: give --ledger URL, --mirror DIR or both")
    trust = _trust(args)
    chain = None if args.offline else _chain(args, trust)
    ledger = None if args.ledger is None else LedgerApi(args.ledger)
    source: LogSource = (
        TileMirror(Path(args.mirror), ledger) if args.mirror is not None else LedgerApi(args.ledger)
    )
    bar = _ProgressBar(sys.stderr)
    report = audit_log(source, trust, chain=chain, progress=bar.update, jobs=args.jobs)
    bar.close()
    _print_audit(report, as_json=args.json)
    return EXIT_VERIFIED if report.verified else EXIT_NOT_VERIFIED


def _monitor(args: argparse.Namespace) -> int:
    trust = _trust(args)
    state_file = None if args.state is None else Path(args.state)
    state = MonitorState()
    if state_file is not None and state_file.exists():
        state = MonitorState.parse(parse_json(state_file.read_bytes(), what=str(state_file)))
    monitor = Monitor(
        LedgerApi(args.ledger),
        trust,
        _chain(args, trust),
        anchor_deadline=args.anchor_deadline,
        state=state,
    )
    while True:
        try:
            alerts = monitor.poll()
        except Unavailable as exc:
            if args.once:
                raise
            alerts = []
            _emit(args, "unavailable", str(exc))
        for alert in alerts:
            _emit(args, alert.name, alert.message)
        last = monitor.state.last
        if not args.json and last is not None:
            print(f"seen size {last.size} root {last.root.hex()}", flush=True)
        if state_file is not None:
            _write_atomically(state_file, json.dumps(monitor.state.to_json()) + "\n")
        if args.once:
            return EXIT_NOT_VERIFIED if alerts else EXIT_VERIFIED
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            return EXIT_VERIFIED


# Shared pieces.


def _trust(args: argparse.Namespace) -> Trust:
    path = Path(args.trust)
    if not path.exists():
        raise UsageError(
            f"no trust file {path}: run `{PROGRAM} trust init --ledger URL` or pass --trust FILE"
        )
    trust = Trust.parse(parse_json(path.read_bytes(), what=str(path)))
    return trust if not args.rpc else trust.with_endpoints(args.rpc)


def _chain(args: argparse.Namespace, trust: Trust) -> ChainReader:
    block: str | int = args.block
    if re.fullmatch(r"[0-9]{1,20}", args.block):
        block = int(args.block)
    elif args.block not in ("latest", "safe", "finalized"):
        raise UsageError(f"--block: got {args.block!r}, want a number, latest, safe or finalized")
    return ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id, block=block)


def _document(path: str) -> Document:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return Document(name=os.path.basename(path), sha256=digest.digest(), size=size)


def _write_atomically(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, delete=False, prefix=f".{path.name}."
    ) as file:
        file.write(text)
    os.replace(file.name, path)


def _print_result(result: VerificationResult, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
        return
    label = {Status.PASSED: "PASS", Status.FAILED: "FAIL", Status.NOT_CHECKED: "SKIP"}
    for check in result.checks:
        print(f"{label[check.status]} {check.name}: {check.message}")
    if result.failed:
        print(f"NOT VERIFIED: failed {', '.join(c.name for c in result.failed)}")
        return
    skipped = [c.name for c in result.checks if c.status is Status.NOT_CHECKED]
    note = f" ({', '.join(skipped)} not checked)" if skipped else ""
    print(f"VERIFIED: record {result.record_id}{note}")


def _print_audit(report: AuditReport, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
        return
    for check in report.checks:
        if check.not_checked:
            print(f"SKIP {check.name}: {check.not_checked}")
        elif check.failed:
            print(
                f"FAIL {check.name}: {check.failed} of {check.checked} failed: "
                + "; ".join(check.messages)
            )
        else:
            print(f"PASS {check.name}: {check.checked} checked")
    for note in report.notes:
        print(f"note: {note}")
    print()
    print(f"{'check':<20} {'checked':>8} {'failed':>8}")
    for check in report.checks:
        print(f"{check.name:<20} {check.checked:>8} {check.failed:>8}")
    print()
    failed = [c.name for c in report.checks if c.failed]
    if failed:
        print(f"NOT VERIFIED: log of size {report.tree_size}: failed {', '.join(failed)}")
    else:
        print(f"VERIFIED: log of size {report.tree_size}")


def _emit(args: argparse.Namespace, name: str, message: str) -> None:
    if args.json:
        print(json.dumps({"alert": name, "message": message, "time": time.time()}), flush=True)
    else:
        print(f"ALERT {name}: {message}", flush=True)


class _ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not one."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = stream.isatty()

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.shown or total <= 0:
            return
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{stage:<8} [{bar}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
