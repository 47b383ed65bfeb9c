"""The help of the administration commands of `infraledger` in Vietnamese and in English, and
their one-line bilingual error lines.

Every admin command's `--help` is run in-process (`api.cli.main`) in each language, chosen by
`--lang` and by the locale; a few run as the real `.venv/bin/infraledger`. The Vietnamese help
shows every Vietnamese wording and none of the English ones (and the reverse), so no English line
is left. A bad `--lang`, a usage error and a refusal are each one line: Vietnamese, then English.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.admin.messages import FAILED, HELP
from api.cli import build_parser, main
from client import messages as operator_messages
from client.cli import COMMANDS as OPERATOR_COMMANDS
from client.messages import Lang
from client.token import MODULE_ENV
from tests.client.test_client_help import assert_one_usage_line

ROOT = Path(__file__).resolve().parents[2]
INFRALEDGER = ROOT / ".venv" / "bin" / "infraledger"
HEADINGS: dict[Lang, tuple[str, ...]] = {
    "vi": ("cách dùng: ", "tùy chọn:"),
    "en": ("usage: ", "options:", "positional arguments:"),
}
SHARED_KEYS = ("help", "lang", "data_dir", "log_format", "cert_password_file", "cert_pin_file",
               "cert_chain", "keys", "submit")
"""The operator's help texts (`client.messages.HELP`) the administration commands show too."""


def _flat(text: str) -> str:
    """`text` without its white space: argparse wraps lines (and hyphenated words) anywhere."""
    return "".join(text.split())


def _wordings(lang: Lang) -> list[str]:
    """Every help text the administration commands may show in `lang`."""
    shared = [operator_messages.say(lang, key) for key in SHARED_KEYS]
    shared.append(operator_messages.say(lang, "pkcs11_module", variable=MODULE_ENV))
    return [wording.in_language(lang) for wording in HELP.values()] + shared + list(
        HEADINGS[lang])


def _commands(parser: argparse.ArgumentParser,
              path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The command path of `parser` and of each of its sub-commands, the operator's aside."""
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if not path and name in OPERATOR_COMMANDS:
                    continue
                yield from _commands(sub, (*path, name))


COMMAND_PATHS = list(_commands(build_parser("en")))
LEAVES = [path for path in COMMAND_PATHS
          if not any(other[:len(path)] == path and other != path for other in COMMAND_PATHS)]


def _without_locale(monkeypatch: pytest.MonkeyPatch, lang: str | None = None) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    if lang is not None:
        monkeypatch.setenv("LANG", lang)


def _shown(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    """What `infraledger ARGUMENTS` prints in-process; it must succeed and print to stdout."""
    assert main(list(arguments)) == 0
    printed = capsys.readouterr()
    assert printed.err == ""
    return printed.out


def _run(*arguments: str, locale: str) -> subprocess.CompletedProcess[str]:
    """The real `infraledger ARGUMENTS` under LANG=`locale` (no other locale variable, no
    setting from the environment)."""
    environ = {name: value for name, value in os.environ.items()
               if name not in ("LC_ALL", "LC_MESSAGES", "LANG")
               and not name.startswith("INFRALEDGER_")}
    return subprocess.run([str(INFRALEDGER), *arguments], cwd=ROOT,
                          env={**environ, "LANG": locale}, capture_output=True, text=True,
                          check=False, timeout=60)


def _assert_in(lang: Lang, shown: str, path: tuple[str, ...]) -> None:
    """`shown` is the help of `path` in `lang`, with no text of the other language."""
    other: Lang = "en" if lang == "vi" else "vi"
    prog = " ".join(("infraledger", *path))
    assert shown.startswith(f"{HEADINGS[lang][0]}{prog} "), shown[:80]
    flat = _flat(shown)
    assert _flat(HEADINGS[lang][1]) in flat
    assert _flat(operator_messages.say(lang, "help")) in flat
    assert _flat(operator_messages.say(lang, "data_dir")) in flat
    left = [text for text in _wordings(other) if _flat(text) in flat]
    assert not left, (path, left)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_admin_command_shows_its_help_in_the_language_asked(
        lang: Lang, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _without_locale(monkeypatch, "en_US.UTF-8" if lang == "vi" else "vi_VN.UTF-8")
    every = ""
    for path in COMMAND_PATHS:
        for arguments in ((*path, "--help", "--lang", lang), ("--lang", lang, *path, "--help"),
                          (f"--lang={lang}", *path, "--help")):
            shown = _shown(capsys, *arguments)
            _assert_in(lang, shown, path)
        every += _flat(shown)
    unused = [key for key, wording in HELP.items()
              if _flat(wording.in_language(lang)) not in every]
    assert not unused


@pytest.mark.parametrize(("locale", "lang"), [("vi_VN.UTF-8", "vi"), ("C", "en"),
                                              ("C.UTF-8", "en")])
def test_without_lang_the_locale_chooses(
        locale: str, lang: Lang, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _without_locale(monkeypatch, locale)
    for path in COMMAND_PATHS:
        _assert_in(lang, _shown(capsys, *path, "--help"), path)


def test_the_top_level_help_names_every_command_in_its_language(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _without_locale(monkeypatch, "vi_VN.UTF-8")
    flat = _flat(_shown(capsys, "--help"))
    for command in ("demo", "serve", "jobs", "chain", "operators", "anchor", "tiles", "export",
                    "log", "report", "tokens"):
        assert _flat(f"{command} {HELP[command].vi}") in flat, command
    for command in OPERATOR_COMMANDS:
        assert _flat(f"{command} {operator_messages.HELP[command].vi}") in flat, command
        assert _flat(operator_messages.HELP[command].en) not in flat, command


def test_the_real_command_follows_the_locale_and_lang() -> None:
    for arguments, locale, lang, path in (
        (("--help",), "vi_VN.UTF-8", "vi", ()),
        (("--help",), "C", "en", ()),
        (("operators", "register", "--help"), "vi_VN.UTF-8", "vi", ("operators", "register")),
        (("report", "--help", "--lang", "vi"), "C", "vi", ("report",)),
        (("--lang", "en", "tokens", "revoke", "--help"), "vi_VN.UTF-8", "en",
         ("tokens", "revoke")),
        (("log", "rotate-key", "--help"), "C.UTF-8", "en", ("log", "rotate-key")),
    ):
        done = _run(*arguments, locale=locale)
        assert (done.returncode, done.stderr) == (0, ""), arguments
        _assert_in(lang, done.stdout, path)


def _texts(parser: argparse.ArgumentParser, path: str = "infraledger") -> Iterator[
        tuple[str, str | None]]:
    """Every help text of `parser` and its sub-commands, named by command and option."""
    yield f"{path} (description)", parser.description
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for summary in action._choices_actions:
                yield f"{path} {summary.dest} (summary)", summary.help
            for name, sub in action.choices.items():
                if not (path == "infraledger" and name in OPERATOR_COMMANDS):
                    yield from _texts(sub, f"{path} {name}")
        else:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help


def test_every_help_text_exists_in_both_languages() -> None:
    shown = {lang: dict(_texts(build_parser(lang))) for lang in ("vi", "en")}
    assert shown["vi"].keys() == shown["en"].keys()
    assert "infraledger tokens create --role" in shown["vi"]
    for name, vietnamese in shown["vi"].items():
        english = shown["en"][name]
        assert vietnamese and english, name
        assert vietnamese != english, name


def test_every_command_says_what_failed_in_vietnamese() -> None:
    assert sorted(FAILED) == sorted(" ".join(path) for path in LEAVES)


@pytest.mark.parametrize("arguments", [("--lang", "xx", "serve"), ("tokens", "list", "--lang=xx"),
                                       ("--lang", "fr", "--help")])
def test_an_unknown_language_is_a_usage_error_of_one_line(
        arguments: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(list(arguments)) == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    [line] = printed.err.splitlines()
    assert line.startswith("infraledger") and "--lang" in line
    vietnamese, english = line.split(" / ")
    assert "không phải một lựa chọn hợp lệ" in vietnamese and "invalid choice" in english


def test_the_real_command_refuses_an_unknown_language_in_one_line() -> None:
    done = _run("--lang", "xx", "anchor", "status", locale="vi_VN.UTF-8")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("infraledger: đối số --lang: 'xx' không phải một lựa chọn hợp lệ "
                           "(chọn trong: 'vi', 'en') / argument --lang: invalid choice: 'xx' "
                           "(choose from 'vi', 'en')\n")


@pytest.mark.parametrize(("arguments", "vietnamese", "english"), [
    (("report",), "infraledger report: thiếu đối số bắt buộc: --year",
     "the following arguments are required: --year"),
    (("operators", "register", "0x12", "--name", "VNPT", "--licence", "1"),
     "infraledger operators register: đối số ADDRESS: '0x12' không phải địa chỉ Ethereum",
     "argument ADDRESS: '0x12' is not an Ethereum address"),
    (("export", "out", "--size", "seven"),
     "infraledger export: đối số --size: 'seven' không phải số nguyên",
     "argument --size: invalid int value: 'seven'"),
    (("tokens",), "infraledger tokens: thiếu đối số bắt buộc: COMMAND",
     "the following arguments are required: COMMAND"),
    (("tiles", "export", "out", "--bogus"), "infraledger: đối số không nhận ra: --bogus",
     "unrecognized arguments: --bogus"),
    (("chain", "deploy", "--anchorer"), "infraledger chain deploy: đối số --anchorer: cần một "
     "giá trị", "argument --anchorer: expected one argument"),
])
def test_a_usage_error_is_one_bilingual_line_and_exit_2(
        arguments: tuple[str, ...], vietnamese: str, english: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(list(arguments)) == 2
    assert_one_usage_line(capsys.readouterr(), vietnamese, english)


def test_the_real_command_says_a_usage_error_in_one_bilingual_line() -> None:
    done = _run("tokens", "create", "--role", "auditor", locale="C")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "infraledger tokens create: đối số --role: 'auditor' không phải một lựa chọn hợp lệ "
        "(chọn trong: 'inspector', 'registrar') / argument --role: invalid choice: 'auditor' "
        "(choose from 'inspector', 'registrar')\n")


def test_a_refusal_says_what_failed_in_vietnamese_then_the_english_message(
        tmp_path: Path) -> None:
    done = _run("anchor", "status", "--data-dir", str(tmp_path), locale="C")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == ("infraledger anchor status: không đọc được trạng thái neo / no ledger "
                           f"database: {tmp_path / 'ledger.sqlite3'} does not exist\n")

