"""The operator's commands end a failure with one line on stderr that says it in Vietnamese, then
" / ", then English: the real `infraledger` in a subprocess, given bad keys, drafts and ledgers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.filings.factories import INDICATOR_BODY, INDICATOR_SUBJECT
from tests.server_fixtures import SAMPLE, free_port

ROOT = Path(__file__).resolve().parents[2]
DRAFT = {"kind": "indicator", "schema": "indicator/2", "subject": INDICATOR_SUBJECT,
         "body": INDICATOR_BODY}
KEY_TEXT = "0x" + SAMPLE.active.key.hex() + "\n"


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """`infraledger ARGUMENTS` under an English locale (the error lines do not depend on it)."""
    environ = {name: value for name, value in os.environ.items()
               if name not in ("LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run([sys.executable, "-m", "api.cli", *arguments], cwd=ROOT,
                          env={**environ, "LANG": "en_US.UTF-8"}, capture_output=True,
                          text=True, check=False, timeout=60)


@pytest.mark.parametrize(("key_text", "draft_text", "vietnamese", "english"), [
    (None, json.dumps(DRAFT), "không đọc được tệp khóa", "cannot read the key file"),
    ("mật khẩu của tôi\n", json.dumps(DRAFT), "không chứa khóa bí mật", "holds no private key"),
    (KEY_TEXT, "{not json", "dòng 1 không phải JSON hợp lệ", "line 1: malformed JSON"),
    (KEY_TEXT, json.dumps({**DRAFT, "colour": "red"}), "không phải một mục của bản nháp",
     "colour: not a member of a draft"),
    (KEY_TEXT, json.dumps(DRAFT), "không kết nối được sổ cái", "/v1/log: "),
], ids=["missing key file", "garbage key file", "draft not JSON", "unknown draft member",
        "nobody listening"])
def test_a_submit_failure_is_one_bilingual_line_and_exit_2(
    tmp_path: Path, key_text: str | None, draft_text: str, vietnamese: str, english: str
) -> None:
    key_file = tmp_path / "operator.key"
    if key_text is not None:
        key_file.write_text(key_text, encoding="utf-8")
    draft = tmp_path / "draft.json"
    draft.write_text(draft_text, encoding="utf-8")
    done = _run("submit", str(draft), "--key", str(key_file),
                "--url", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("infraledger submit: "), line
    said_in_vietnamese, said_in_english = line.split(" / ")
    assert vietnamese in said_in_vietnamese and english in said_in_english, line
    assert english not in said_in_vietnamese, line


def test_keys_new_over_an_existing_file_is_one_bilingual_line_and_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "operator.key"
    out.write_text(KEY_TEXT, encoding="utf-8")
    done = _run("keys", "new", "--out", str(out))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"infraledger keys new: {out} đã có; hãy chọn --out khác / "
        f"{out} exists; choose another --out"]
    assert out.read_text(encoding="utf-8") == KEY_TEXT
