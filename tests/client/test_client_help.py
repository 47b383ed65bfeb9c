"""The help of `infraledger keys` and `infraledger submit` in Vietnamese and in English: the
real command in a subprocess chooses the language from the locale or `--lang` (which wins, given
before or after the command), and every option, command and description of the operator's
parser has its own text in each language. A usage error (a missing or unknown argument, a bad
`--lang`) is one line on stderr, Vietnamese then English, whatever the locale, and exit 2."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli import common_options, main
from client.cli import build_parser
from client.messages import Lang

ROOT = Path(__file__).resolve().parents[2]
VI_HEADINGS = ("cách dùng: ", "tùy chọn:")
EN_HEADINGS = ("usage: ", "options:")
SUBMIT_VI = ("tệp khóa ký của doanh nghiệp", "địa chỉ URL gốc của sổ cái",
             "lưu biên nhận của từng bản ghi vào DIR", "chứng thư số của tổ chức",
             "hiện trợ giúp này rồi thoát", "Mỗi FILE chứa một bản nháp")
SUBMIT_EN = ("the operator key file", "the ledger's base URL", "save each record's receipt",
             "organisation certificate", "show this help message and exit",
             "Each FILE holds one draft")
KEYS_NEW_VI = ("tệp khóa sẽ tạo (mặc định: operator.key)", "in cả khóa bí mật",
               "thư mục dữ liệu của sổ cái")
KEYS_NEW_EN = ("the key file to create (default: operator.key)", "also print the private key",
               "the ledger's data directory")


def _run(*arguments: str, locale: str) -> subprocess.CompletedProcess[str]:
    """`infraledger ARGUMENTS` under LANG=`locale` (no other locale variable)."""
    environ = {name: value for name, value in os.environ.items()
               if name not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run([sys.executable, "-m", "api.cli", *arguments], cwd=ROOT,
                          env={**environ, "LANG": locale}, capture_output=True, text=True,
                          check=False, timeout=60)


def _help(*arguments: str, locale: str) -> str:
    """The stdout of `infraledger ARGUMENTS` under LANG=`locale`, its white space folded."""
    done = _run(*arguments, locale=locale)
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())  # argparse wraps lines wherever the width falls


def _holds(shown: str, texts: tuple[str, ...]) -> bool:
    return all(" ".join(text.split()) in shown for text in texts)


def _lacks(shown: str, texts: tuple[str, ...]) -> bool:
    return not any(" ".join(text.split()) in shown for text in texts)


def test_vietnamese_locale_shows_the_help_in_vietnamese() -> None:
    submit = _help("submit", "--help", locale="vi_VN.UTF-8")
    assert submit.startswith("cách dùng: infraledger submit")
    assert _holds(submit, (*VI_HEADINGS, "đối số:", *SUBMIT_VI))
    assert _lacks(submit, (*EN_HEADINGS, "positional arguments:", *SUBMIT_EN))
    keys_new = _help("keys", "new", "--help", locale="vi_VN.UTF-8")
    assert _holds(keys_new, (*VI_HEADINGS, *KEYS_NEW_VI))
    assert _lacks(keys_new, (*EN_HEADINGS, *KEYS_NEW_EN))
    keys = _help("keys", "--help", locale="vi_VN.UTF-8")
    assert _holds(keys, ("Khóa ký của doanh nghiệp: secp256k1",
                         "tạo một khóa mới của doanh nghiệp và in địa chỉ của nó"))


def test_other_locales_show_the_help_in_english() -> None:
    submit = _help("submit", "--help", locale="C.UTF-8")
    assert submit.startswith("usage: infraledger submit")
    assert _holds(submit, (*EN_HEADINGS, "positional arguments:", *SUBMIT_EN))
    assert _lacks(submit, (*VI_HEADINGS, *SUBMIT_VI))
    keys_new = _help("keys", "new", "--help", locale="C.UTF-8")
    assert _holds(keys_new, (*EN_HEADINGS, *KEYS_NEW_EN))
    assert _lacks(keys_new, (*VI_HEADINGS, *KEYS_NEW_VI))


def test_the_lang_option_wins_over_the_locale_wherever_it_is_given() -> None:
    for arguments in (("submit", "--help", "--lang", "en"), ("--lang", "en", "submit", "--help"),
                      ("--lang=en", "submit", "--help")):
        shown = _help(*arguments, locale="vi_VN.UTF-8")
        assert _holds(shown, (*EN_HEADINGS, *SUBMIT_EN)), arguments
        assert _lacks(shown, (*VI_HEADINGS, *SUBMIT_VI)), arguments
    shown = _help("keys", "new", "--lang", "vi", "--help", locale="C.UTF-8")
    assert _holds(shown, (*VI_HEADINGS, *KEYS_NEW_VI))
    assert _lacks(shown, (*EN_HEADINGS, *KEYS_NEW_EN))


def _texts(parser: argparse.ArgumentParser, path: str = "infraledger") -> Iterator[
        tuple[str, str | None]]:
    """Every help text of `parser` and its sub-commands, named by command and option."""
    yield f"{path} (description)", parser.description
    if parser.epilog is not None:
        yield f"{path} (epilog)", parser.epilog
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for summary in action._choices_actions:
                yield f"{path} {summary.dest} (summary)", summary.help
            for name, sub in action.choices.items():
                yield from _texts(sub, f"{path} {name}")
        else:
            yield f"{path} {'/'.join(action.option_strings) or action.dest}", action.help


def test_every_help_text_exists_in_both_languages() -> None:
    shown: dict[Lang, dict[str, str | None]] = {
        lang: dict(_texts(build_parser(lang, common_options))) for lang in ("vi", "en")
    }
    assert shown["vi"].keys() == shown["en"].keys()
    assert any(name.endswith(" --cert-chain") for name in shown["vi"])
    for name, vietnamese in shown["vi"].items():
        english = shown["en"][name]
        assert vietnamese and english, name
        assert vietnamese != english, name


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_bad_language_is_a_usage_error(lang: Lang, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser(lang, common_options).parse_args(["keys", "new", "--lang", "fr"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == (
        "infraledger keys new: đối số --lang: 'fr' không phải một lựa chọn hợp lệ (chọn trong: "
        "'vi', 'en') / argument --lang: invalid choice: 'fr' (choose from 'vi', 'en')\n")


@pytest.mark.parametrize(("arguments", "vietnamese", "english"), [
    (("submit", "draft.json"), "infraledger submit: thiếu đối số bắt buộc: --url",
     "the following arguments are required: --url"),
    (("submit", "--url", "http://127.0.0.1:9"), "infraledger submit: thiếu đối số bắt buộc: FILE",
     "the following arguments are required: FILE"),
    (("keys",), "infraledger keys: thiếu đối số bắt buộc: COMMAND",
     "the following arguments are required: COMMAND"),
    (("keys", "new", "--out"), "infraledger keys new: đối số --out: cần một giá trị",
     "argument --out: expected one argument"),
    (("keys", "old"), "infraledger keys: đối số COMMAND: 'old' không phải một lựa chọn hợp lệ",
     "argument COMMAND: invalid choice: 'old'"),
    (("submit", "draft.json", "--url", "http://127.0.0.1:9", "--colour", "red"),
     "infraledger: đối số không nhận ra: --colour red", "unrecognized arguments: --colour red"),
    (("--lang", "xx", "submit", "draft.json"),
     "infraledger: đối số --lang: 'xx' không phải một lựa chọn hợp lệ (chọn trong: 'vi', 'en')",
     "argument --lang: invalid choice: 'xx' (choose from 'vi', 'en')"),
    (("keys", "new", "--lang=xx"),
     "infraledger keys new: đối số --lang: 'xx' không phải một lựa chọn hợp lệ",
     "argument --lang: invalid choice: 'xx'"),
])
def test_a_usage_error_is_one_bilingual_line_and_exit_2(
        arguments: tuple[str, ...], vietnamese: str, english: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(list(arguments)) == 2
    assert_one_usage_line(capsys.readouterr(), vietnamese, english)


def assert_one_usage_line(printed: pytest.CaptureResult[str], vietnamese: str, english: str
                          ) -> None:
    """Nothing on stdout; on stderr one line, `vietnamese…` / `english…`, and no usage block."""
    assert printed.out == ""
    [line] = printed.err.splitlines()
    said_vi, said_en = line.split(" / ")
    assert said_vi.startswith(vietnamese) and said_en.startswith(english), line
    assert "usage" not in line and "cách dùng" not in line


@pytest.mark.parametrize("locale", ["vi_VN.UTF-8", "C.UTF-8"])
def test_the_real_command_says_a_usage_error_in_one_line_whatever_the_locale(
        locale: str) -> None:
    done = _run("submit", "--lang", "xx", "draft.json", "--url", "http://127.0.0.1:9",
                locale=locale)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "infraledger submit: đối số --lang: 'xx' không phải một lựa chọn hợp lệ (chọn trong: "
        "'vi', 'en') / argument --lang: invalid choice: 'xx' (choose from 'vi', 'en')\n")
