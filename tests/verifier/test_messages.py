"""The verifier's two message catalogues, the choice of language, dates, and the command line in
Vietnamese and English."""

from __future__ import annotations

import ast
import json
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.verifier.conftest import World
from tests.verifier.ledger_double import LedgerHttp, serve_get, serve_rpc
from verifier import errors
from verifier.cli import main
from verifier.messages import LANGUAGES, format_time, language_from_environment, text
from verifier.messages_en import EN
from verifier.messages_vi import VI

PACKAGE = Path(__file__).resolve().parents[2] / "verifier"
VIETNAM = timezone(timedelta(hours=7))


def text_calls() -> Iterator[tuple[str, ast.Call]]:
    """Every call of `text(...)` in the verifier, with its file name."""
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "text":
                yield path.name, node


def used_keys() -> dict[str, set[str] | None]:
    """The catalogue keys the code names, each with the parameters it is given (None when they
    are passed as `**mapping`)."""
    used: dict[str, set[str] | None] = {}
    for name, call in text_calls():
        key = call.args[0]
        if not isinstance(key, ast.Constant):
            assert name == "errors.py", f"{name}: a catalogue key that is not a literal"
            continue
        given = {keyword.arg for keyword in call.keywords}
        params = None if None in given else {arg for arg in given if arg is not None}
        previous = used.get(key.value, set())
        used[key.value] = None if params is None or previous is None else previous | params
    return used


def error_keys() -> set[str]:
    """`error.<class>` of every error class: the description shown before a parser's detail."""
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.VerificationError)
    ]
    return {f"error.{cls.__name__}" for cls in classes} | {"error.detail"}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_vietnamese_comes_first_and_both_catalogues_have_the_same_keys() -> None:
    assert LANGUAGES == ("vi", "en")
    assert set(VI) == set(EN)
    for key in VI:
        if key != "error.detail":  # English shows the parser's detail alone
            assert fields(VI[key]) == fields(EN[key]), key
        assert VI[key].strip() and EN[key].strip(), key


def test_every_key_used_exists_and_every_key_is_used() -> None:
    used = used_keys()
    assert len(used) > 150
    assert set(used) - set(EN) == set()
    assert error_keys() - set(EN) == set()
    assert set(EN) - set(used) - error_keys() == set()  # no message left behind
    for key, params in used.items():
        if params is not None:
            assert fields(EN[key]) <= params, (key, fields(EN[key]) - params)


def test_a_text_renders_its_parameters_in_its_language() -> None:
    message = text(
        "registry.revoked",
        name="'VNPT Huế'",
        registered=errors.VerificationError("x").text,  # any nested text
        revoked=text("registry.never_registered"),
    )
    assert message.render("en") == "'VNPT Huế' registered at x, revoked at never registered"
    assert message.render("vi").startswith("'VNPT Huế' được đăng ký lúc lỗi xác minh: x, ")


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "vi"}, "vi"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, "vi"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"),
        ({"LC_ALL": "", "LC_MESSAGES": "vi_VN", "LANG": "en_US"}, "vi"),
    ],
)
def test_the_language_comes_from_the_environment(environ: dict[str, str], lang: str) -> None:
    assert language_from_environment(environ) == lang


def test_dates_are_vietnam_time_in_vietnamese_and_utc_in_english() -> None:
    assert format_time(1_735_700_101, "vi") == "01/01/2025 09:55:01 (UTC+7)"
    assert format_time(1_735_700_101, "en") == "2025-01-01 02:55:01 UTC"
    assert format_time(1_735_664_400 - 1, "vi") == "31/12/2024 23:59:59 (UTC+7)"
    assert format_time(2**62, "vi") == str(2**62)  # beyond the calendar: the number itself


# The command line.


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(world: World, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A genuine bundle, a forged one and an offline trust file."""
    genuine = tmp_path / "genuine.json"
    genuine.write_bytes(world.bundle_bytes(0))
    forged_bundle = world.log.bundle(0)
    forged_bundle["entry"]["subject"] += "-forged"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(forged_bundle))
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(world.log.trust(["http://127.0.0.1:9/rpc"])))
    return genuine, forged, trust


def test_a_genuine_bundle_in_vietnamese(world: World, files, capsys) -> None:
    genuine, _, trust = files
    code, out, err = run(
        capsys, "bundle", str(genuine), "--trust", str(trust), "--offline", "--lang", "vi"
    )
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[0] == "ĐẠT format: infraledger-proof/1"
    assert "ĐẠT body_content_hash: nội dung khớp với entry.content" in lines
    assert "BỎ QUA anchored_root: chưa kiểm tra: chế độ ngoại tuyến" in lines
    assert lines[-1] == (
        f"ĐÃ XÁC MINH: bản ghi {world.log.records[0].leaf.hex()} "
        "(chưa kiểm tra documents, operator_active, anchored_root)"
    )


def test_a_forged_bundle_in_vietnamese(world: World, files, capsys) -> None:
    _, forged, trust = files
    code, out, _ = run(
        capsys, "bundle", str(forged), "--trust", str(trust), "--offline", "--lang", "vi"
    )
    lines = out.splitlines()
    assert code == 1
    assert any(line.startswith("KHÔNG ĐẠT leaf_hash: mã băm của entry là ") for line in lines)
    assert lines[-1].startswith("XÁC MINH THẤT BẠI: không đạt leaf_hash")


def test_a_parser_diagnostic_follows_the_vietnamese_description_of_its_error(
    files, tmp_path, capsys
) -> None:
    _, _, trust = files
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "infraledger-proof/1"}')
    code, out, _ = run(
        capsys, "bundle", str(broken), "--trust", str(trust), "--offline", "--lang", "vi"
    )
    assert code == 1
    assert out.splitlines()[0].startswith("KHÔNG ĐẠT format: gói bằng chứng sai định dạng: ")
    assert "BỎ QUA leaf_hash: chưa kiểm tra: format không đạt" in out


def test_the_environment_chooses_the_language_and_lang_overrides_it(
    files, capsys, monkeypatch
) -> None:
    genuine, _, trust = files
    argv = ["bundle", str(genuine), "--trust", str(trust), "--offline"]
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert run(capsys, *argv)[1].splitlines()[-1].startswith("ĐÃ XÁC MINH: bản ghi ")
    assert run(capsys, *argv, "--lang", "en")[1].splitlines()[-1].startswith("VERIFIED: record ")
    assert run(capsys, *argv, "--lang=en")[1].splitlines()[-1].startswith("VERIFIED: record ")
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert run(capsys, *argv)[1].splitlines()[-1].startswith("VERIFIED: record ")


def test_json_is_language_neutral_beside_its_messages(files, capsys) -> None:
    _, forged, trust = files
    argv = ["bundle", str(forged), "--trust", str(trust), "--offline", "--json"]
    code_en, out_en, _ = run(capsys, *argv, "--lang", "en")
    code_vi, out_vi, _ = run(capsys, *argv, "--lang", "vi")
    en, vi = json.loads(out_en), json.loads(out_vi)
    assert code_en == code_vi == 1
    assert en["message"] == "NOT VERIFIED: failed leaf_hash, signature, inclusion"
    assert vi["message"] == "XÁC MINH THẤT BẠI: không đạt leaf_hash, signature, inclusion"

    def neutral(result: dict) -> dict:
        return {
            **{k: v for k, v in result.items() if k != "message"},
            "checks": [{k: v for k, v in c.items() if k != "message"} for c in result["checks"]],
        }

    assert neutral(en) == neutral(vi)
    assert (en["result"], en["exit_code"]) == ("not-verified", 1)
    leaf = next(c for c in vi["checks"] if c["name"] == "leaf_hash")
    assert (leaf["status"], leaf["code"]) == ("failed", "check.leaf_hash_differs")
    assert leaf["message"].startswith("mã băm của entry là ")


def test_errors_in_vietnamese(files, tmp_path, capsys, monkeypatch) -> None:
    genuine, _, _ = files
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "bundle", str(genuine), "--lang", "vi")
    assert (code, out) == (2, "")
    assert err == (
        "infraledger-verify: lỗi: không có tệp tin cậy infraledger-trust.json: hãy chạy "
        "`infraledger-verify trust init --ledger URL` hoặc chỉ ra --trust FILE\n"
    )
    code, out, err = run(capsys, "bundle", "--lang", "vi")
    assert (code, out) == (2, "")
    assert err == "infraledger-verify: lỗi: thiếu các đối số bắt buộc: FILE\n"
    code, _, err = run(
        capsys, "monitor", "--ledger", "http://127.0.0.1:9", "--interval", "-1", "--lang", "vi"
    )
    assert code == 2
    assert (
        err == "infraledger-verify: lỗi: đối số --interval: cần số giây trong khoảng (0, 86400]\n"
    )


@pytest.fixture
def ledger(world: World, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with serve_rpc(world.chain) as rpc:
        http = LedgerHttp(world.log, rpc_urls=[rpc])
        with serve_get(http.answer) as url:
            trust = tmp_path / "online-trust.json"
            trust.write_text(json.dumps(world.log.trust([rpc])))
            yield url, trust


def test_vietnamese_dates_are_vietnam_time(world: World, ledger, capsys) -> None:
    url, trust = ledger
    record_id = world.log.records[5].leaf.hex()
    anchored = world.log.bundle(5)["anchor"]["block_time"]
    shown = datetime.fromtimestamp(anchored, VIETNAM).strftime("%d/%m/%Y %H:%M:%S") + " (UTC+7)"
    code, out, _ = run(
        capsys, "record", record_id, "--ledger", url, "--trust", str(trust), "--lang", "vi"
    )
    line = next(line for line in out.splitlines() if " operator_active: " in line)
    assert code == 0
    assert line.startswith(f"ĐẠT operator_active: {world.operator.address} đang hoạt động trong ")
    assert f"tại thời điểm của khối neo {shown}: 'Operator " in line
    assert line.endswith(", chưa bị thu hồi")
    code, out, _ = run(capsys, "record", record_id, "--ledger", url, "--trust", str(trust))
    english = datetime.fromtimestamp(anchored, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert f"at the anchor's block time {english}: " in out


def test_a_record_not_in_this_ledger_in_vietnamese(world: World, ledger, capsys) -> None:
    url, trust = ledger
    code, out, err = run(
        capsys, "record", "ef" * 32, "--ledger", url, "--trust", str(trust), "--lang", "vi"
    )
    assert (code, err) == (1, "")
    assert out == (
        "KHÔNG CÓ TRONG SỔ CÁI: sổ cái này (ledger.example.vn/hue-infra) không có bản ghi "
        f"{'ef' * 32}: nhật ký đã ghim trả lời HTTP 404\n"
    )
