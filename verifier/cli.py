"""`infraledger-verify`: check InfraLedger records, audit and watch a log, without trusting it.

    infraledger-verify trust init --ledger URL [--trust FILE] [--force] [--signing-roots FILE.pem]
    infraledger-verify trust update --ledger URL [--trust FILE]
    infraledger-verify bundle FILE [--body FILE] [--salt HEX] [--document FILE ...]
        [--evidence FILE_OR_DIR ...] [--binding FILE ...] [--at DATE]
    infraledger-verify record ID --ledger URL [the options of bundle]
    infraledger-verify audit (--ledger URL | --mirror DIR | both) [--jobs N]
    infraledger-verify monitor --ledger URL [--interval S] [--anchor-deadline S] [--once]
    infraledger-verify export DIR_OR_URL [--ledger URL]

Every command reads the pinned trust file (`--trust`, default `infraledger-trust.json`; `trust
init` writes it) and, unless `--offline`, the chain through its RPC endpoints (or `--rpc`).

Exit codes (DESIGN section 7; each command's `--help` lists its own): 0 verified; 1 a finding (a
failed check, a record not in this ledger, a correction that does not hold, a monitor alert); 2
could not check (usage, a local file, the ledger or the chain could not be read: one line on
stderr, never a traceback).

Every message is in Vietnamese or English (`--lang vi|en`; by default Vietnamese when the first
of LC_ALL, LC_MESSAGES, LANG that is set starts with `vi`). `--json` always prints one JSON
object per result, with language-neutral codes (`result`, `exit_code`, check names and statuses,
message `code`s) beside the messages.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, NoReturn, TextIO

from verifier.address import Address
from verifier.audit import AuditReport, audit_log
from verifier.bundle import ProofBundle
from verifier.bundle_verification import (
    Document,
    Status,
    SuppliedBody,
    VerificationResult,
    verify_bundle,
)
from verifier.canonical_json import parse_json
from verifier.certificates import SigningRoots
from verifier.encodings import decode_hex
from verifier.entry import parse_record_id
from verifier.errors import (
    LedgerNotFound,
    LedgerUnavailable,
    MalformedInput,
    MalformedLedgerResponse,
    NotCheckpointed,
    TrustMismatch,
    Unavailable,
    VerificationError,
)
from verifier.evidence import Files
from verifier.evidence_fetch import fetch_bindings, fetch_evidence
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import LedgerApi, LogSource
from verifier.messages import LANGUAGES, VIETNAM_TIME, Lang, Text, language_from_environment, text
from verifier.mirror import TileMirror
from verifier.monitor import Monitor, MonitorState, Observation, TreeHead
from verifier.open_data import (
    ExportDirectory,
    ExportFiles,
    ExportReport,
    ExportUrl,
    verify_export,
)
from verifier.rfc9162 import LeafHash
from verifier.signatures import Binding, SignatureInputs, binding_of, has_ca_signatures
from verifier.trust import Trust

PROGRAM: Final = "infraledger-verify"
DEFAULT_TRUST_FILE: Final = "infraledger-trust.json"
EXIT_VERIFIED, EXIT_FINDING, EXIT_COULD_NOT_CHECK = 0, 1, 2
MAX_SECONDS: Final = 86_400
MAX_JOBS: Final = 256
MAX_CORRECTIONS: Final = 16
"""Corrections of one record that `record` checks; further ones are named as not checked."""

_LABELS: Final = {
    Status.PASSED: text("out.label_passed"),
    Status.FAILED: text("out.label_failed"),
    Status.NOT_CHECKED: text("out.label_not_checked"),
}
_STAGES: Final = {
    "entries": text("out.stage_entries"),
    "tiles": text("out.stage_tiles"),
    "anchors": text("out.stage_anchors"),
}
_ARGPARSE_ERRORS: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Text]], ...]] = (
    (
        re.compile(r"the following arguments are required: (.+)"),
        lambda m: text("usage.required", names=m[1]),
    ),
    (
        re.compile(r"unrecognized arguments: (.+)"),
        lambda m: text("usage.unrecognized", names=m[1]),
    ),
    (
        re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from .+\)"),
        lambda m: text("usage.invalid_choice", argument=m[1], value=m[2]),
    ),
    (
        re.compile(r"argument (\S+): expected one argument"),
        lambda m: text("usage.expected_one", argument=m[1]),
    ),
    (
        re.compile(r"argument (\S+): expected at least one argument"),
        lambda m: text("usage.expected_some", argument=m[1]),
    ),
    (
        re.compile(r"argument (\S+): (.+)"),
        lambda m: text("usage.argument", argument=m[1], detail=m[2]),
    ),
)
"""argparse's own English errors (Python 3.11), told again in the chosen language."""


class UsageError(Exception):
    """A command line or local file problem: exit code 2."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.render("en"))
        self.text = message


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 verified, 1 a finding, 2 could not check)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    out = _Output(lang=_language(arguments), as_json="--json" in arguments)
    try:
        try:
            args = _build_parser(out.lang).parse_args(arguments)
        except SystemExit as exc:  # --help
            return exc.code if isinstance(exc.code, int) else EXIT_VERIFIED
        code: int = args.run(args, out)
        return code
    except UsageError as exc:
        return out.could_not_check("usage", exc.text)
    except Unavailable as exc:
        return out.could_not_check(_code(exc), text("out.unavailable", problem=exc.text))
    except VerificationError as exc:
        return out.could_not_check(_code(exc), exc.text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.filename:
            return out.could_not_check("file", text("out.file", file=exc.filename, reason=reason))
        return out.could_not_check("file", text("out.os", reason=reason))
    except KeyboardInterrupt:
        return EXIT_COULD_NOT_CHECK
    except Exception as exc:  # a bug must still end in one line, never a traceback
        return out.could_not_check(
            "internal", text("out.internal", kind=type(exc).__name__, detail=str(exc))
        )


def _language(arguments: Sequence[str]) -> Lang:
    """The `--lang` given (argparse refuses a bad one later), else the environment's."""
    for position, argument in enumerate(arguments):
        value = None
        if argument == "--lang" and position + 1 < len(arguments):
            value = arguments[position + 1]
        elif argument.startswith("--lang="):
            value = argument.removeprefix("--lang=")
        if value in LANGUAGES:
            return "vi" if value == "vi" else "en"
    return language_from_environment(os.environ)


def _code(error: VerificationError) -> str:
    """The machine code of an error: its class name in snake case (`ledger_unavailable`)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", type(error).__name__).lower()


# The parser: every help text, heading and usage error in the chosen language.


class _Parser(argparse.ArgumentParser):
    """argparse, with help in `lang` and usage errors raised as `UsageError` (exit code 2)."""

    def __init__(self, *args: Any, lang: Lang, **kwargs: Any) -> None:
        usage_prefix = text("help.usage_prefix").render(lang)

        class Formatter(argparse.RawDescriptionHelpFormatter):
            def add_usage(
                self,
                usage: str | None,
                actions: Any,
                groups: Any,
                prefix: str | None = None,
            ) -> None:
                super().add_usage(
                    usage, actions, groups, usage_prefix if prefix is None else prefix
                )

        kwargs["formatter_class"], kwargs["add_help"] = Formatter, False
        super().__init__(*args, **kwargs)
        self.lang: Lang = lang
        self.arguments = self.add_argument_group(text("help.arguments").render(lang))
        self.options = self.add_argument_group(text("help.options").render(lang))
        self.options.add_argument("-h", "--help", action="help", help=_say(lang, text("help.help")))
        self.options.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=argparse.SUPPRESS,
            help=_say(lang, text("help.lang")),
        )

    def error(self, message: str) -> NoReturn:
        for pattern, told in _ARGPARSE_ERRORS:
            match = pattern.fullmatch(message)
            if match:
                raise UsageError(told(match))
        raise UsageError(text("usage.other", detail=message))


def _say(lang: Lang, message: Text) -> str:
    """A help text: `message` in `lang`, with %-signs escaped for argparse."""
    return message.render(lang).replace("%", "%%")


def _build_parser(lang: Lang) -> _Parser:
    parser = _Parser(
        prog=PROGRAM,
        lang=lang,
        description=_say(lang, text("help.program")),
        epilog=_say(lang, text("help.exit_codes")),
    )
    commands = parser.add_subparsers(
        title=text("help.commands").render(lang),
        dest="command",
        required=True,
        metavar="COMMAND",
        parser_class=_Parser,
    )

    def command(
        group: Any,
        name: str,
        summary: Text,
        description: Text,
        exit_codes: Text | None,
        run: Callable[[argparse.Namespace, _Output], int] | None,
    ) -> _Parser:
        sub: _Parser = group.add_parser(
            name,
            lang=lang,
            help=_say(lang, summary),
            description=_say(lang, description),
            epilog=None if exit_codes is None else _say(lang, exit_codes),
        )
        if run is not None:
            sub.set_defaults(run=run)
        return sub

    trust = command(
        commands, "trust", text("help.trust_command"), text("help.trust_description"), None, None
    )
    trust_commands = trust.add_subparsers(
        title=text("help.commands").render(lang),
        dest="trust_command",
        required=True,
        metavar="COMMAND",
        parser_class=_Parser,
    )
    init = command(
        trust_commands,
        "init",
        text("help.init"),
        text("help.init_description"),
        text("help.init_exit_codes"),
        _trust_init,
    )
    init.options.add_argument(
        "--ledger", required=True, metavar="URL", help=_say(lang, text("help.ledger_init"))
    )
    init.options.add_argument(
        "--trust",
        default=None,
        metavar="FILE",
        help=_say(lang, text("help.trust_init", default=DEFAULT_TRUST_FILE)),
    )
    init.options.add_argument(
        "--out", metavar="FILE", default=None, help=_say(lang, text("help.out"))
    )
    init.options.add_argument("--force", action="store_true", help=_say(lang, text("help.force")))
    init.options.add_argument(
        "--signing-roots", metavar="FILE.pem", help=_say(lang, text("help.signing_roots"))
    )
    _json_option(init)
    update = command(
        trust_commands,
        "update",
        text("help.update"),
        text("help.update_description"),
        text("help.update_exit_codes"),
        _trust_update,
    )
    update.options.add_argument(
        "--ledger", required=True, metavar="URL", help=_say(lang, text("help.ledger_update"))
    )
    _trust_option(update)
    _json_option(update)
    update.set_defaults(rpc=None)  # reads no chain: the pinned endpoints stay as they are

    bundle = command(
        commands,
        "bundle",
        text("help.bundle"),
        text("help.bundle_description"),
        text("help.bundle_exit_codes"),
        _bundle,
    )
    bundle.arguments.add_argument("file", metavar="FILE", help=_say(lang, text("help.bundle_file")))
    _verification_options(bundle)

    record = command(
        commands,
        "record",
        text("help.record"),
        text("help.record_description"),
        text("help.record_exit_codes"),
        _record,
    )
    record.arguments.add_argument(
        "record_id", metavar="ID", help=_say(lang, text("help.record_id"))
    )
    record.options.add_argument(
        "--ledger", required=True, metavar="URL", help=_say(lang, text("help.ledger_record"))
    )
    _verification_options(record)

    audit = command(
        commands,
        "audit",
        text("help.audit"),
        text("help.audit_description"),
        text("help.audit_exit_codes"),
        _audit,
    )
    audit.options.add_argument(
        "--ledger", metavar="URL", help=_say(lang, text("help.ledger_audit"))
    )
    audit.options.add_argument("--mirror", metavar="DIR", help=_say(lang, text("help.mirror")))
    audit.options.add_argument(
        "--jobs", type=_jobs(lang), default=1, metavar="N", help=_say(lang, text("help.jobs"))
    )
    _chain_options(audit)

    monitor = command(
        commands,
        "monitor",
        text("help.monitor"),
        text("help.monitor_description"),
        text("help.monitor_exit_codes"),
        _monitor,
    )
    monitor.options.add_argument(
        "--ledger", required=True, metavar="URL", help=_say(lang, text("help.ledger_monitor"))
    )
    monitor.options.add_argument(
        "--interval",
        type=_seconds(lang),
        default=10.0,
        metavar="S",
        help=_say(lang, text("help.interval")),
    )
    monitor.options.add_argument(
        "--anchor-deadline",
        type=_seconds(lang),
        default=60.0,
        metavar="S",
        help=_say(lang, text("help.anchor_deadline")),
    )
    monitor.options.add_argument("--once", action="store_true", help=_say(lang, text("help.once")))
    monitor.options.add_argument("--state", metavar="FILE", help=_say(lang, text("help.state")))
    _chain_options(monitor, offline=False)

    export = command(
        commands,
        "export",
        text("help.export"),
        text("help.export_description"),
        text("help.export_exit_codes"),
        _export,
    )
    export.arguments.add_argument(
        "source", metavar="DIR_OR_URL", help=_say(lang, text("help.export_source"))
    )
    export.options.add_argument(
        "--ledger", metavar="URL", help=_say(lang, text("help.ledger_export"))
    )
    _chain_options(export)
    return parser


def _trust_option(parser: _Parser) -> None:
    parser.options.add_argument(
        "--trust",
        default=None,
        metavar="FILE",
        help=_say(parser.lang, text("help.trust", default=DEFAULT_TRUST_FILE)),
    )


def _json_option(parser: _Parser) -> None:
    parser.options.add_argument(
        "--json", action="store_true", help=_say(parser.lang, text("help.json"))
    )


def _chain_options(parser: _Parser, *, offline: bool = True) -> None:
    _trust_option(parser)
    parser.options.add_argument(
        "--rpc", nargs="+", metavar="URL", help=_say(parser.lang, text("help.rpc"))
    )
    parser.options.add_argument(
        "--block", default="latest", metavar="BLOCK", help=_say(parser.lang, text("help.block"))
    )
    _json_option(parser)
    if offline:
        parser.options.add_argument(
            "--offline", action="store_true", help=_say(parser.lang, text("help.offline"))
        )


def _verification_options(parser: _Parser) -> None:
    lang = parser.lang
    parser.options.add_argument("--body", metavar="FILE", help=_say(lang, text("help.body")))
    parser.options.add_argument("--salt", metavar="HEX", help=_say(lang, text("help.salt")))
    parser.options.add_argument(
        "--document", nargs="+", default=[], metavar="FILE", help=_say(lang, text("help.document"))
    )
    parser.options.add_argument(
        "--evidence", nargs="+", default=[], metavar="FILE", help=_say(lang, text("help.evidence"))
    )
    parser.options.add_argument(
        "--binding", nargs="+", default=[], metavar="FILE", help=_say(lang, text("help.binding"))
    )
    parser.options.add_argument("--at", metavar="DATE", help=_say(lang, text("help.at")))
    _chain_options(parser)


def _jobs(lang: Lang) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"[0-9]{1,3}", value) or not 1 <= int(value) <= MAX_JOBS:
            raise argparse.ArgumentTypeError(text("usage.jobs", most=MAX_JOBS).render(lang))
        return int(value)

    return parse


def _seconds(lang: Lang) -> Callable[[str], float]:
    def parse(value: str) -> float:
        try:
            seconds = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                text("usage.not_seconds", value=repr(value)).render(lang)
            ) from None
        if not 0 < seconds <= MAX_SECONDS:
            raise argparse.ArgumentTypeError(text("usage.seconds", most=MAX_SECONDS).render(lang))
        return seconds

    return parse


# Commands.


def _trust_init(args: argparse.Namespace, out: _Output) -> int:
    if args.out is not None:
        if args.trust is not None:
            raise UsageError(text("usage.out_and_trust"))
        out.note(text("out.out_deprecated"))
    path = Path(args.trust or args.out or DEFAULT_TRUST_FILE)
    if path.exists() and not args.force:
        raise UsageError(text("usage.trust_exists", file=str(path)))
    roots = None
    if args.signing_roots is not None:
        roots = SigningRoots.parse(Path(args.signing_roots).read_text("ascii"))
    api = LedgerApi(args.ledger)
    log_info = api.log_info()
    trust = dataclasses.replace(Trust.from_log_info(log_info, args.ledger), signing_roots=roots)
    if isinstance(log_info, dict) and log_info.get("key_rotations"):
        try:
            trust = trust.with_history(_rotation_notes(api))
        except (TrustMismatch, MalformedInput) as exc:
            return out.finding("rotation-refused", text("out.history_refused", problem=exc.text))
    _write_atomically(path, json.dumps(trust.to_json(), indent=2) + "\n")
    lines = [
        text("out.pinned", file=str(path), url=args.ledger.rstrip("/") + "/v1/log"),
        text("out.pinned_origin", origin=trust.origin),
        text("out.pinned_key", key=str(trust.vkey)),
        *(text("out.pinned_earlier_key", key=str(e.vkey), size=e.until_size)
          for e in trust.earlier_keys),
        text(
            "out.pinned_chain",
            chain=trust.chain_id,
            anchor=trust.anchor_contract,
            registry=trust.operator_registry,
        ),
        *(
            [text("out.pinned_roots", count=len(roots.certificates), file=args.signing_roots)]
            if roots is not None
            else []
        ),
        text("out.pinned_warning"),
    ]
    if out.as_json:
        out.json(
            {
                "result": "pinned",
                "exit_code": EXIT_VERIFIED,
                "trust_file": str(path),
                "trust": trust.to_json(),
                "message": "\n".join(line.render(out.lang) for line in lines),
            }
        )
    else:
        for line in lines:
            out.say(line)
    return EXIT_VERIFIED


def _trust_update(args: argparse.Namespace, out: _Output) -> int:
    path = Path(args.trust or DEFAULT_TRUST_FILE)
    pinned = _trust(args)
    api = LedgerApi(args.ledger)
    served = Trust.from_log_info(api.log_info(), args.ledger)
    notes = _rotation_notes(api)
    try:
        trust, followed = pinned.follow(notes)
        if (served.origin, served.vkey) != (trust.origin, trust.vkey):
            raise TrustMismatch(
                text("rotation.key_unreached", key=str(served.vkey), pinned=str(trust.vkey))
            )
    except (TrustMismatch, MalformedInput) as exc:
        return out.finding("rotation-refused", text("out.rotation_refused", problem=exc.text))
    lines = [text("out.rotation_followed", **rotation.describe()) for rotation in followed]
    if followed:
        _write_atomically(path, json.dumps(trust.to_json(), indent=2) + "\n")
        lines.append(text("out.trust_updated", file=str(path), count=len(trust.earlier_keys) + 1,
                          key=str(trust.vkey)))
    else:
        lines.append(text("out.trust_up_to_date", file=str(path), key=str(trust.vkey)))
    if out.as_json:
        out.json(
            {
                "result": "updated" if followed else "up-to-date",
                "exit_code": EXIT_VERIFIED,
                "trust_file": str(path),
                "trust": trust.to_json(),
                "message": "\n".join(line.render(out.lang) for line in lines),
            }
        )
    else:
        for line in lines:
            out.say(line)
    return EXIT_VERIFIED


def _rotation_notes(api: LedgerApi) -> list[str]:
    """The notes of `GET /v1/log/rotations`; raises `MalformedLedgerResponse` for another shape."""
    answer = api.get_json("/v1/log/rotations")
    notes = answer.get("rotations") if isinstance(answer, dict) else None
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        raise MalformedLedgerResponse('/v1/log/rotations: want {"rotations": [note, ...]}')
    return notes


def _bundle(args: argparse.Namespace, out: _Output) -> int:
    trust = _trust(args)
    data = Path(args.file).read_bytes()
    chain = None if args.offline else _chain(args, trust)
    result = _verify(args, trust, data, expected=None, chain=chain)
    return out.verification(result, None)


def _record(args: argparse.Namespace, out: _Output) -> int:
    """Fetch the record's bundle and verify it, then check the corrections the ledger names.

    The verdict is the record's own; a correction that does not hold is a finding too.
    """
    record_id = args.record_id.lower().removeprefix("0x")
    try:
        expected = parse_record_id(record_id)
    except MalformedInput:
        raise UsageError(text("usage.record_id", got=repr(args.record_id[:80]))) from None
    trust = _trust(args)  # read before any network access, to fail fast on a bad trust file
    api = LedgerApi(args.ledger)
    try:
        data = api.proof_bundle(record_id)
    except NotCheckpointed as exc:
        raise NotCheckpointed(text("out.not_checkpointed", record_id=record_id)) from exc
    except LedgerNotFound as exc:
        _confirm_pinned_log(api, args.ledger, trust, exc)
        return out.not_found(record_id, trust.origin)
    chain = None if args.offline else _chain(args, trust)
    result = _verify(args, trust, data, expected=expected, chain=chain, ledger=(api, out.lang))
    if result.record_id is None:  # not a bundle: nothing is known of the record to correct
        return out.verification(result, None)
    owner = ProofBundle.parse(parse_json(data)).entry.operator
    return out.verification(result, _corrections(api, trust, chain, expected, owner))


def _confirm_pinned_log(api: LedgerApi, url: str, trust: Trust, error: LedgerNotFound) -> None:
    """Check that the server which answered 404 serves the pinned log (its `GET /v1/log`), so
    that the 404 means "not in this ledger". Raises `LedgerUnavailable` when it cannot be read
    and `TrustMismatch` when it serves another log (the record could not be checked then)."""
    try:
        served = Trust.from_log_info(api.log_info(), url)
    except VerificationError as exc:
        raise LedgerUnavailable(
            text("out.not_found_unconfirmed", answer=error.text, problem=exc.text)
        ) from exc
    if (served.origin, served.vkey) != (trust.origin, trust.vkey):
        raise TrustMismatch(
            text(
                "out.other_log",
                url=url,
                origin=served.origin,
                key=str(served.vkey),
                pinned=trust.origin,
                pinned_key=str(trust.vkey),
            )
        )


@dataclass(frozen=True, slots=True)
class _Correction:
    """What was found about one record that the ledger says corrects the record asked for."""

    record_id: str
    status: Literal["confirmed", "disproved", "not-checked"]
    reason: Text | None = None


def _corrections(
    api: LedgerApi,
    trust: Trust,
    chain: ChainReader | None,
    corrected: LeafHash,
    owner: Address,
) -> tuple[_Correction, ...] | Text:
    """Check each record the ledger names in the `superseded_by` of `corrected`, a record of
    `owner`: confirmed when its bundle verifies, its signed entry supersedes `corrected` and its
    operator is `owner` (only a record's own operator may correct it); disproved when the ledger
    does not hold it, or it fails any of these; not checked when it could not be read, or it is
    signed with a CA certificate only (its CMS is checked by verifying that record). Returns
    why nothing is known, when the ledger's record answer could not be read."""
    try:
        claimed = api.superseded_by(corrected.hex())
    except VerificationError as exc:
        return exc.text
    found: list[_Correction] = []
    for position, by in enumerate(claimed):
        if position >= MAX_CORRECTIONS:
            found.append(_Correction(by, "not-checked", text("out.too_many", most=MAX_CORRECTIONS)))
            continue
        try:
            data = api.proof_bundle(by)
            result = verify_bundle(data, trust, chain=chain, expected_record_id=parse_record_id(by))
        except NotCheckpointed:
            found.append(_Correction(by, "not-checked", text("out.correction_not_checkpointed")))
            continue
        except LedgerNotFound:
            found.append(_Correction(by, "disproved", text("out.correction_not_found")))
            continue
        except Unavailable as exc:
            found.append(_Correction(by, "not-checked", exc.text))
            continue
        if not result.verified:
            names = ", ".join(check.name for check in result.failed)
            found.append(_Correction(by, "disproved", text("out.correction_fails", checks=names)))
            continue
        entry = ProofBundle.parse(parse_json(data)).entry
        if entry.supersedes != corrected:
            target = "null" if entry.supersedes is None else entry.supersedes.hex()
            found.append(
                _Correction(by, "disproved", text("out.correction_other_target", target=target))
            )
        elif entry.operator != owner:
            found.append(
                _Correction(
                    by,
                    "disproved",
                    text(
                        "out.correction_other_operator",
                        operator=entry.operator,
                        owner=owner,
                    ),
                )
            )
        elif result.ca_signed_only and result.could_not_check:
            found.append(_Correction(by, "not-checked", text("out.correction_ca_only", by=by)))
        else:
            found.append(_Correction(by, "confirmed"))
    return tuple(found)


def _verify(
    args: argparse.Namespace,
    trust: Trust,
    data: bytes,
    *,
    expected: LeafHash | None,
    chain: ChainReader | None,
    ledger: tuple[LedgerApi, Lang] | None = None,
) -> VerificationResult:
    """Verify a bundle with the options given; with `ledger` (the record command), the CA
    evidence and the bindings not given are fetched from it (`verifier.evidence_fetch`)."""
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
        raise UsageError(text("usage.salt_needs_body"))
    return verify_bundle(
        data,
        trust,
        chain=chain,
        documents=[_document(path) for path in args.document],
        supplied_body=supplied,
        expected_record_id=expected,
        signatures=_signature_inputs(args, trust, data, chain, ledger),
    )


def _signature_inputs(
    args: argparse.Namespace,
    trust: Trust,
    data: bytes,
    chain: ChainReader | None,
    ledger: tuple[LedgerApi, Lang] | None,
) -> SignatureInputs:
    """The files and bindings CA signatures are checked from: those given, else (`ledger`,
    and the bundle lists evidence) those the ledger serves."""
    files = Files(_evidence_files(args.evidence))
    bindings = tuple(_binding(path, trust, chain) for path in args.binding)
    bundle = _ca_signed(data) if ledger is not None else None
    if ledger is not None and bundle is not None:
        api, lang = ledger
        if not args.evidence:
            files = fetch_evidence(api, bundle, lang)
        if not args.binding:
            bindings = fetch_bindings(api, trust, chain, bundle.entry.operator)
    return SignatureInputs(
        roots=trust.signing_roots, files=files, bindings=bindings, now=_clock(args.at)
    )


def _ca_signed(data: bytes) -> ProofBundle | None:
    """The bundle when it parses and carries CA signatures (a malformed one fails `format`)."""
    try:
        bundle = ProofBundle.parse(parse_json(data))
    except MalformedInput:
        return None
    return bundle if has_ca_signatures(bundle) else None


def _evidence_files(paths: Sequence[str]) -> list[bytes]:
    """The bytes of each file given, and of each file in each directory given."""
    contents: list[bytes] = []
    for path in map(Path, paths):
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        contents.extend(file.read_bytes() for file in files)
    return contents


def _binding(path: str, trust: Trust, chain: ChainReader | None) -> Binding:
    """The binding a proof bundle file holds, once the bundle verifies (exit code 2 else)."""
    data = Path(path).read_bytes()
    result = verify_bundle(data, trust, chain=chain)
    if not result.verified:
        names = ", ".join(check.name for check in result.failed)
        raise UsageError(text("usage.binding_fails", file=path, checks=names))
    return binding_of(ProofBundle.parse(parse_json(data, what=path)))


def _clock(at: str | None) -> datetime:
    """`--at` (a date or an ISO 8601 time, Vietnam time when no zone is given), else now."""
    if at is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        raise UsageError(text("usage.at", got=repr(at[:40]))) from None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=VIETNAM_TIME)


def _audit(args: argparse.Namespace, out: _Output) -> int:
    if args.ledger is None and args.mirror is None:
        raise UsageError(text("usage.audit_source"))
    trust = _trust(args)
    chain = None if args.offline else _chain(args, trust)
    ledger = None if args.ledger is None else LedgerApi(args.ledger)
    source: LogSource = (
        TileMirror(Path(args.mirror), ledger) if args.mirror is not None else LedgerApi(args.ledger)
    )
    bar = _ProgressBar(sys.stderr, out.lang)
    report = audit_log(source, trust, chain=chain, progress=bar.update, jobs=args.jobs)
    bar.close()
    return out.audit(report)


def _monitor(args: argparse.Namespace, out: _Output) -> int:
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
            seen = monitor.poll()
        except Unavailable as exc:
            if args.once:
                raise
            out.poll_unavailable(exc)
        else:
            out.observation(seen)
            if state_file is not None:
                _write_atomically(state_file, json.dumps(monitor.state.to_json()) + "\n")
            if args.once:
                return EXIT_FINDING if seen.alerts else EXIT_VERIFIED
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            return EXIT_VERIFIED


def _export(args: argparse.Namespace, out: _Output) -> int:
    """Verify an export from a directory or a ledger's URL (its `/v1/export/`)."""
    trust = _trust(args)
    files: ExportFiles
    if re.match(r"https?://", args.source):
        base = args.source.split("/v1/export", 1)[0].rstrip("/")
        files, ledger = ExportUrl(LedgerApi(base)), args.ledger or base
    else:
        files, ledger = ExportDirectory(Path(args.source)), args.ledger
        if ledger is None:
            raise UsageError(text("usage.export_ledger"))
    chain = None if args.offline else _chain(args, trust)
    return out.export(verify_export(files, trust, LedgerApi(ledger), chain))


# Shared pieces.


def _trust(args: argparse.Namespace) -> Trust:
    path = Path(args.trust or DEFAULT_TRUST_FILE)
    if not path.exists():
        raise UsageError(text("usage.no_trust_file", file=str(path), program=PROGRAM))
    trust = Trust.parse(parse_json(path.read_bytes(), what=str(path)))
    return trust if not args.rpc else trust.with_endpoints(args.rpc)


def _chain(args: argparse.Namespace, trust: Trust) -> ChainReader:
    block: str | int = args.block
    if re.fullmatch(r"[0-9]{1,20}", args.block):
        block = int(args.block)
    elif args.block not in ("latest", "safe", "finalized"):
        raise UsageError(text("usage.block", got=repr(args.block)))
    return ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id, block=block)


def _document(path: str) -> Document:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return Document(name=os.path.basename(path), sha256=digest.digest(), size=size)


def _write_atomically(path: Path, content: str) -> None:
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, delete=False, prefix=f".{path.name}."
    ) as file:
        file.write(content)
    os.replace(file.name, path)


def _head_json(head: TreeHead | None) -> dict[str, Any] | None:
    return None if head is None else {"size": head.size, "root": "0x" + head.root.hex()}


@dataclass(frozen=True, slots=True)
class _Output:
    """Prints results in `lang`, as text or (`as_json`) one JSON object per result, and
    returns their exit codes."""

    lang: Lang
    as_json: bool

    def say(self, message: Text) -> None:
        """Print one line of text output."""
        print(message.render(self.lang), flush=True)

    def json(self, value: dict[str, Any], *, one_line: bool = False) -> None:
        """Print one JSON result (`one_line`: as a JSON Lines record, for the monitor's polls)."""
        indent = None if one_line else 2
        print(json.dumps(value, ensure_ascii=False, indent=indent), flush=True)

    def note(self, message: Text) -> None:
        """Print a note on stderr (it never changes the result)."""
        print(f"{PROGRAM}: {message.render(self.lang)}", file=sys.stderr)

    def could_not_check(self, code: str, message: Text) -> int:
        """Report that nothing could be checked: one line on stderr (and the JSON result)."""
        rendered = " ".join(message.render(self.lang).split())
        if self.as_json:
            self.json(
                {
                    "result": "could-not-check",
                    "exit_code": EXIT_COULD_NOT_CHECK,
                    "error": code,
                    "message": rendered,
                }
            )
        print(
            text("out.error_line", program=PROGRAM, message=rendered).render(self.lang),
            file=sys.stderr,
        )
        return EXIT_COULD_NOT_CHECK

    def verification(
        self, result: VerificationResult, corrections: tuple[_Correction, ...] | Text | None
    ) -> int:
        """Print a bundle's checks, its verdict and what was found about its corrections (None:
        not asked, for a bundle file; a `Text`: why they are not known)."""
        record_id = str(result.record_id)
        lines = [self._verdict(result)]
        found: tuple[_Correction, ...] = ()
        if isinstance(corrections, Text):
            lines.append(text("out.corrections_unknown", record_id=record_id, problem=corrections))
        elif corrections is not None:
            found = corrections
        lines += [self._correction(record_id, c) for c in found]
        disproved = any(c.status == "disproved" for c in found)
        code = EXIT_VERIFIED if result.verified and not disproved else EXIT_FINDING
        outcome = "verified" if result.verified else "not-verified"
        if code == EXIT_VERIFIED and result.could_not_check:
            code, outcome = EXIT_COULD_NOT_CHECK, "could-not-check"
            lines[0] = (
                text("out.ca_only_not_checked", record_id=record_id)
                if result.ca_signed_only
                else text("out.signatures_not_checked", record_id=record_id)
            )
        if self.as_json:
            shown: dict[str, Any] = {
                "result": outcome,
                "exit_code": code,
                **result.to_json(self.lang),
            }
            if corrections is not None:
                shown["superseded_by"] = [
                    {
                        "record_id": c.record_id,
                        "status": c.status,
                        "code": None if c.reason is None else c.reason.key,
                        "message": self._correction(record_id, c).render(self.lang),
                    }
                    for c in found
                ]
            shown["message"] = "\n".join(line.render(self.lang) for line in lines)
            self.json(shown)
            return code
        for check in result.checks:
            self._check_line(_LABELS[check.status], check.name, check.text)
        for report in result.signatures:
            self.say(text("out.signature", report=report.describe()))
        for line in lines:
            self.say(line)
        return code

    def _check_line(self, label: Text, name: str, message: Text) -> None:
        print(f"{label.render(self.lang)} {name}: {message.render(self.lang)}", flush=True)

    @staticmethod
    def _verdict(result: VerificationResult) -> Text:
        if result.failed:
            return text("out.not_verified", checks=", ".join(c.name for c in result.failed))
        skipped = [c.name for c in result.checks if c.status is Status.NOT_CHECKED]
        if skipped:
            return text(
                "out.verified_skipped", record_id=str(result.record_id), checks=", ".join(skipped)
            )
        return text("out.verified", record_id=str(result.record_id))

    @staticmethod
    def _correction(record_id: str, correction: _Correction) -> Text:
        by = correction.record_id
        if correction.status == "confirmed":
            return text("out.superseded", record_id=record_id, by=by)
        if correction.status == "disproved":
            assert correction.reason is not None
            return text(
                "out.false_correction", record_id=record_id, by=by, reason=correction.reason
            )
        assert correction.reason is not None
        return text(
            "out.correction_not_checked", record_id=record_id, by=by, reason=correction.reason
        )

    def finding(self, code: str, message: Text) -> int:
        """Report a finding that is no bundle's: one line (and the JSON result)."""
        if self.as_json:
            self.json(
                {
                    "result": code,
                    "exit_code": EXIT_FINDING,
                    "message": message.render(self.lang),
                }
            )
        else:
            self.say(message)
        return EXIT_FINDING

    def not_found(self, record_id: str, origin: str) -> int:
        """Report a record the pinned ledger does not hold: a finding."""
        message = text("out.not_found", record_id=record_id, origin=origin)
        if self.as_json:
            self.json(
                {
                    "result": "not-found",
                    "exit_code": EXIT_FINDING,
                    "record_id": record_id,
                    "verified": False,
                    "failed": [],
                    "checks": [],
                    "superseded_by": [],
                    "message": message.render(self.lang),
                }
            )
        else:
            self.say(message)
        return EXIT_FINDING

    def audit(self, report: AuditReport) -> int:
        """Print an audit's checks, its summary table and its verdict."""
        failed = [c.name for c in report.checks if c.failed]
        verdict = (
            text("out.log_not_verified", size=report.tree_size, checks=", ".join(failed))
            if failed
            else text("out.log_verified", size=report.tree_size)
        )
        code = EXIT_FINDING if failed else EXIT_VERIFIED
        if self.as_json:
            self.json(
                {
                    "result": "not-verified" if failed else "verified",
                    "exit_code": code,
                    **report.to_json(self.lang),
                    "message": verdict.render(self.lang),
                }
            )
            return code
        for check in report.checks:
            if check.not_checked:
                self._check_line(_LABELS[Status.NOT_CHECKED], check.name, check.not_checked)
            elif check.failed:
                self._check_line(
                    _LABELS[Status.FAILED],
                    check.name,
                    text(
                        "out.audit_failed",
                        failed=check.failed,
                        checked=check.checked,
                        messages=tuple(check.messages),
                    ),
                )
            else:
                self._check_line(
                    _LABELS[Status.PASSED],
                    check.name,
                    text("out.audit_passed", checked=check.checked),
                )
        for note in report.notes:
            self.say(text("out.note", note=note))
        print()
        heading = [
            column.render(self.lang)
            for column in (
                text("out.column_check"),
                text("out.column_checked"),
                text("out.column_failed"),
            )
        ]
        print(f"{heading[0]:<20} {heading[1]:>8} {heading[2]:>8}")
        for check in report.checks:
            print(f"{check.name:<20} {check.checked:>8} {check.failed:>8}")
        print()
        self.say(verdict)
        return code

    def export(self, report: ExportReport) -> int:
        """Print an export's findings (file, line, record) and its verdict."""
        if report.verified:
            verdict = text(
                "out.export_verified",
                size=report.tree_size or 0,
                origin=report.origin or "",
                files=report.files,
                rows=report.rows,
            )
        else:
            verdict = text(
                "out.export_not_verified", count=len(report.findings) + report.more_findings
            )
        code = EXIT_VERIFIED if report.verified else EXIT_FINDING
        if self.as_json:
            self.json(
                {
                    "result": "verified" if report.verified else "not-verified",
                    "exit_code": code,
                    **report.to_json(self.lang),
                    "message": verdict.render(self.lang),
                }
            )
            return code
        for finding in report.findings:
            if finding.line is None:
                line = text("out.export_finding", file=finding.file, message=finding.text)
            else:
                line = text(
                    "out.export_row_finding",
                    file=finding.file,
                    line=finding.line,
                    record_id=finding.record_id or "",
                    message=finding.text,
                )
            self._check_line(_LABELS[Status.FAILED], finding.check, line)
        if report.more_findings:
            self.say(text("out.export_more", count=report.more_findings))
        self.say(verdict)
        return code

    def observation(self, seen: Observation) -> None:
        """Print one poll of the monitor: its alerts and what the server and the chain showed."""
        if seen.checkpoint is None:
            shown = text("out.seen_nothing")
        elif seen.anchored is None:
            shown = text("out.seen", size=seen.checkpoint.size, root=seen.checkpoint.root.hex())
        else:
            shown = text(
                "out.seen_anchored",
                size=seen.checkpoint.size,
                root=seen.checkpoint.root.hex(),
                anchored=seen.anchored.size,
            )
        if self.as_json:
            self.json(
                {
                    "result": "alert" if seen.alerts else "ok",
                    "time": time.time(),
                    "checkpoint": _head_json(seen.checkpoint),
                    "anchored": _head_json(seen.anchored),
                    "alerts": [
                        {
                            "alert": alert.name,
                            "code": alert.text.key,
                            "message": alert.text.render(self.lang),
                        }
                        for alert in seen.alerts
                    ],
                    "message": shown.render(self.lang),
                },
                one_line=True,
            )
            return
        for alert in seen.alerts:
            print(
                f"{text('out.alert').render(self.lang)} {alert.name}: "
                f"{alert.text.render(self.lang)}",
                flush=True,
            )
        self.say(shown)

    def poll_unavailable(self, error: Unavailable) -> None:
        """Print a poll that could not be made (the monitor goes on)."""
        message = text("out.unavailable", problem=error.text)
        if self.as_json:
            self.json(
                {
                    "result": "could-not-check",
                    "time": time.time(),
                    "checkpoint": None,
                    "anchored": None,
                    "alerts": [],
                    "error": _code(error),
                    "message": message.render(self.lang),
                },
                one_line=True,
            )
        else:
            self.say(text("out.poll_unavailable", problem=error.text))


class _ProgressBar:
    """A one-line progress bar on a terminal; silent when the stream is not one."""

    WIDTH = 30

    def __init__(self, stream: TextIO, lang: Lang = "en") -> None:
        self.stream = stream
        self.lang: Lang = lang
        self.shown = stream.isatty()

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.shown or total <= 0:
            return
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        label = _STAGES[stage].render(self.lang) if stage in _STAGES else stage
        self.stream.write(f"\r{label:<8} [{bar}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
