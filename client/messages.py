"""What the operator's commands (`infraledger keys`, `infraledger submit`) say in their help, in
Vietnamese and in English, and the argparse parser that shows it in one language.

The language is `--lang vi|en` when given anywhere on the command line, else Vietnamese when the
first of LC_ALL, LC_MESSAGES, LANG that is set starts with `vi` (the verifier's rule; the client
may not import the verifier, so the rule is stated here too). Error lines are bilingual already
and do not depend on it: a usage error (an unknown option or `--lang`, a missing argument) is
one line, argparse's English message told first in Vietnamese (`usage_line`), and exit code 2,
for the operator's commands and the administration commands (whose parser is this one) alike.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, NoReturn, get_args

from client.errors import bilingual

Lang = Literal["vi", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = get_args(Lang)
LOCALE_VARIABLES: Final = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The environment variables that choose the language, the first one set winning (POSIX)."""
EXIT_USAGE: Final = 2


@dataclass(frozen=True, slots=True)
class Wording:
    """One help text, in both languages."""

    vi: str
    en: str

    def in_language(self, lang: Lang) -> str:
        """The text in `lang`."""
        return self.vi if lang == "vi" else self.en


HELP: Final[Mapping[str, Wording]] = {
    # argparse's own words.
    "usage_prefix": Wording("cách dùng: ", "usage: "),
    "positionals": Wording("đối số", "positional arguments"),
    "options": Wording("tùy chọn", "options"),
    "help": Wording("hiện trợ giúp này rồi thoát", "show this help message and exit"),
    "lang": Wording(
        "ngôn ngữ của trợ giúp: vi (tiếng Việt) hoặc en (tiếng Anh); mặc định là vi khi biến "
        "đầu tiên được đặt trong LC_ALL, LC_MESSAGES, LANG bắt đầu bằng vi, nếu không là en",
        "the language of the help: vi (Vietnamese) or en (English); by default vi when the "
        "first of LC_ALL, LC_MESSAGES, LANG that is set starts with vi, else en",
    ),
    # The options every `infraledger` command accepts.
    "data_dir": Wording(
        "thư mục dữ liệu của sổ cái (mặc định: $INFRALEDGER_DATA_DIR hoặc .infraledger)",
        "the ledger's data directory (default: $INFRALEDGER_DATA_DIR or .infraledger)",
    ),
    "log_format": Wording(
        "ghi nhật ký thành dòng văn bản hay đối tượng JSON (mặc định: text)",
        "log lines as text or as JSON objects (default: text)",
    ),
    # infraledger (the operator's commands).
    "program": Wording(
        "Các lệnh dành cho doanh nghiệp trên InfraLedger: khóa ký và nộp bản ghi.",
        "InfraLedger operator commands: signing keys and submissions.",
    ),
    # infraledger keys.
    "keys": Wording("tạo khóa ký của doanh nghiệp", "make operator signing keys"),
    "keys_description": Wording(
        "Khóa ký của doanh nghiệp: secp256k1, như tài khoản Ethereum.",
        "Operator signing keys: secp256k1, like Ethereum accounts.",
    ),
    "keys_new": Wording(
        "tạo một khóa mới của doanh nghiệp và in địa chỉ của nó",
        "make a new operator key and print its address",
    ),
    "keys_new_description": Wording(
        "Tạo một khóa ký secp256k1 mới của doanh nghiệp, ghi vào một tệp mới (quyền 0600, "
        "0x + 64 chữ số hex) và in địa chỉ của khóa, là địa chỉ mà Sở sẽ đăng ký. Không bao "
        "giờ ghi đè lên một tệp đã có.",
        "Make a new secp256k1 operator key, write it to a new file (mode 0600, 0x + 64 hex "
        "digits) and print its address, which the registrar registers. An existing file is "
        "never overwritten.",
    ),
    "keys_new_out": Wording(
        "tệp khóa sẽ tạo (mặc định: {default})", "the key file to create (default: {default})"
    ),
    "keys_new_print": Wording(
        "in cả khóa bí mật (để nhập vào ví); phải giữ kín khóa này",
        "also print the private key (to import it into a wallet); it is secret",
    ),
    # infraledger submit.
    "submit": Wording(
        "ký các bản nháp bản ghi và nộp lên sổ cái",
        "sign record drafts and submit them to a ledger",
    ),
    "submit_description": Wording(
        "Ký các bản nháp bản ghi bằng khóa ký của doanh nghiệp (hoặc chỉ bằng chứng thư số của "
        "tổ chức: --cert-key và --operator, không có --key) và nộp lên sổ cái, sau khi tải các "
        "tệp đính kèm của chúng lên trước.",
        "Sign record drafts with an operator key (or with the organisation certificate alone: "
        "--cert-key and --operator, no --key) and submit them to a ledger, uploading their "
        "attachments first.",
    ),
    "submit_files": Wording("các tệp bản nháp", "draft files"),
    "submit_key": Wording(
        "tệp khóa ký của doanh nghiệp (tạo bằng `infraledger keys new`); bắt buộc, trừ khi ký "
        "chỉ bằng --cert-key cùng --operator",
        "the operator key file (from `infraledger keys new`); required unless signing with "
        "--cert-key and --operator alone",
    ),
    "submit_operator": Wording(
        "địa chỉ của doanh nghiệp (0x + 40 chữ số hex): bắt buộc với --cert-key khi không có "
        "--key, các bản ghi khi đó chỉ mang chữ ký CMS (\"signature\": null); nếu có --key, "
        "phải đúng là địa chỉ của khóa",
        "the operator's address (0x + 40 hex digits): required with --cert-key when there is "
        "no --key, the records then carry the CMS signature alone (\"signature\": null); with "
        "--key it must be the key's address",
    ),
    "submit_url": Wording("địa chỉ URL gốc của sổ cái", "the ledger's base URL"),
    "submit_receipts": Wording(
        "lưu biên nhận của từng bản ghi vào DIR (bắt buộc với salt: true khi không có --key)",
        "save each record's receipt in DIR (required for salt: true without --key)",
    ),
    "submit_token": Wording(
        "mã truy cập (bearer token), nếu sổ cái yêu cầu",
        "a bearer token, if the ledger asks for one",
    ),
    "submit_cert_key": Wording(
        "ký thêm từng bản ghi bằng chứng thư số của tổ chức: một tệp PKCS#12, một tệp PEM chứa "
        "khóa, chứng thư số và chuỗi chứng thư của nó, hoặc một token PKCS#11 dạng "
        "'pkcs11:token=LABEL;object=LABEL' (chữ ký CAdES-BES tách rời, docs/submitting.md); "
        "không có --key thì chỉ ký bằng chứng thư này, cả khi tải tệp lên",
        "also sign each record with an organisation certificate: a PKCS#12 file, a PEM file "
        "with the key, the certificate and its chain, or a PKCS#11 token as "
        "'pkcs11:token=LABEL;object=LABEL' (a detached CAdES-BES, docs/submitting.md); "
        "without --key, sign with it alone, uploads too",
    ),
    "submit_tsa": Wording(
        "gắn dấu thời gian cho từng chữ ký --cert-key tại tổ chức cấp dấu thời gian RFC 3161 "
        "này (CAdES-T): thời điểm ký của bản ghi khi đó là thời điểm do tổ chức này xác nhận",
        "time-stamp each --cert-key signature at this RFC 3161 time-stamping authority "
        "(CAdES-T): the record's signing time is then the authority's",
    ),
    "submit_epilog": Wording(
        """\
Mỗi FILE chứa một bản nháp (một đối tượng JSON), một danh sách JSON các bản nháp,
hoặc JSON lines (mỗi dòng một bản nháp). Bản nháp là nội dung doanh nghiệp muốn ghi
vào sổ cái; lệnh sẽ băm, ký và nộp nó:

  {"kind": "indicator", "schema": "indicator/2",
   "subject": "indicator:bts_shared_ratio:478:2024-Q3",
   "body": {"indicator": "bts_shared_ratio", "area": "478",
            "period": "2024-Q3", "value": 31.5, "unit": "%"},
   "salt": true,
   "attachments": ["scan.pdf", {"path": "sites.csv", "type": "text/csv"}],
   "supersedes": "<64 hex: mã của bản ghi mà bản này đính chính>",
   "issued_at": 1735689600}

kind, schema, subject và body là bắt buộc. salt: true biến bản ghi thành bản ghi hạn
chế, với một giá trị muối (salt) suy ra từ khóa và bản nháp (nên khi nộp lại, lệnh ký
đúng bản ghi cũ), hoặc ghi "0x" + 64 chữ số hex. attachments: đường dẫn tệp, tính từ
thư mục của tệp bản nháp; kiểu tệp (media type) được đoán theo tên nếu không ghi rõ.
issued_at: số giây unix; mặc định là thời điểm sửa tệp bản nháp, nên nộp lại một tệp
không đổi sẽ là bản trùng (duplicate), không phải một bản ghi mới.

Với --cert-key, mỗi bản ghi mang thêm một chữ ký CMS tách rời (CAdES-BES) bằng chứng
thư số của tổ chức, trên các byte mà docs/submitting.md quy định; sổ cái thu thập bằng
chứng OCSP/CRL của chữ ký đó và liệt kê thành thêm một tệp đính kèm trước chữ ký
EIP-712. Với --tsa URL, chữ ký CMS đó là CAdES-T: được dịch vụ RFC 3161 ấy gắn dấu
thời gian, và bản ghi lấy thời điểm của dịch vụ làm thời điểm ký. Một tệp PDF đính kèm
đã được ký sẵn (PAdES) cũng được liệt kê bằng chứng như vậy, dù có --cert-key hay
không; sổ cái phải chấp nhận chữ ký của CA cho cả hai trường hợp.

Với --cert-key và --operator mà không có --key, bản ghi chỉ được ký bằng chứng thư số:
việc tải tệp lên và yêu cầu thu thập bằng chứng được xác thực bằng chữ ký CMS
(X-Operator-Cms), bản nộp mang "signature": null và chữ ký CMS của nó. Khi đó salt: true
dùng một giá trị muối ngẫu nhiên (không có khóa để suy ra), nên phải có --receipts DIR:
biên nhận là bản duy nhất doanh nghiệp giữ được giá trị muối đó.

Chữ ký CMS và bằng chứng được tạo mới mỗi lần chạy, nên trước khi ký, lệnh tìm trong sổ
cái bản ghi mà bản nháp sẽ thành (cùng nội dung, cùng các tệp đính kèm): nếu đã có, bản
nháp được báo là duplicate với mã và chỉ số của bản ghi đó, không ký và không nộp lại.
Với giá trị muối ngẫu nhiên, bản ghi chỉ được nhận ra khi dùng lại cùng --receipts DIR.

Kết quả: mỗi bản nháp một dòng, "<mã bản ghi> <chỉ số> <trạng thái> <bản nháp>" (trạng
thái là accepted, duplicate hoặc rejected; "-" khi không có bản ghi). Với --receipts
DIR, biên nhận của từng bản ghi được ghi vào DIR/<mã bản ghi>.json: ghi chú biên nhận
đã ký, chỉ số và bản nộp đã ký (kèm giá trị muối: hãy giữ nó an toàn như nội dung).""",
        """\
Each FILE holds one draft (a JSON object), a JSON list of drafts, or JSON lines (one
draft a line). A draft is what the operator means to record; the command hashes, signs
and submits it:

  {"kind": "indicator", "schema": "indicator/2",
   "subject": "indicator:bts_shared_ratio:478:2024-Q3",
   "body": {"indicator": "bts_shared_ratio", "area": "478",
            "period": "2024-Q3", "value": 31.5, "unit": "%"},
   "salt": true,
   "attachments": ["scan.pdf", {"path": "sites.csv", "type": "text/csv"}],
   "supersedes": "<64 hex: the record id this one corrects>",
   "issued_at": 1735689600}

kind, schema, subject and body are required. salt: true makes the record restricted
with a salt derived from the key and the draft (so a retry signs the same record), or give
"0x" + 64 hex digits. attachments: file paths, relative to the draft's file; the media
type is guessed from the name unless given. issued_at: unix seconds; by default the draft
file's modification time, so submitting the same unchanged file again is a duplicate, not
a new record.

With --cert-key, each record also carries a detached CMS (CAdES-BES) by the organisation
certificate, over the bytes docs/submitting.md defines; the ledger gathers its OCSP/CRL
evidence, which is listed as one more attachment before the EIP-712 signature. With --tsa URL
that CMS is CAdES-T: time-stamped by that RFC 3161 service, whose time the record then shows
as the signing time. A PDF attachment that is itself signed (PAdES) gets its evidence listed
the same way, with or without --cert-key; the ledger must accept CA signatures for either.

With --cert-key and --operator but no --key the records are signed with the certificate
alone: the uploads and evidence requests are authorised by a CMS (X-Operator-Cms), and each
submission carries "signature": null and its CMS. salt: true then draws a random salt (there
is no key to derive it from), so --receipts DIR is required: the receipts are the operator's
only copy of it.

A CMS and its evidence are made anew each run, so before signing, the command looks in the
ledger for the record the draft would be (same content, same attachments): a draft already
there is reported duplicate with that record's id and index, neither signed nor submitted
again. With a random salt the record is recognised only with the same --receipts DIR.

Output: one line per draft, "<record id> <index> <status> <draft>" (status accepted,
duplicate or rejected; "-" where there is no record). With --receipts DIR, each record's
receipt goes to DIR/<record id>.json: the signed receipt note, the index and the signed
submission (with its salt: keep it as safe as the body).""",
    ),
    # The certificate options (`client.token.add_signer_options`).
    "cert_password_file": Wording(
        "tệp chứa mật khẩu của tệp --cert-key",
        "the file holding the password of a --cert-key file",
    ),
    "pkcs11_module": Wording(
        "mô-đun PKCS#11 (.so) của token (mặc định: module-path trong URI, nếu không có thì "
        "${variable})",
        "the token's PKCS#11 module (.so) (default: the URI's module-path, else ${variable})",
    ),
    "cert_pin_file": Wording(
        "tệp chứa mã PIN người dùng của token", "the file holding the token's user PIN"
    ),
    "cert_chain": Wording(
        "chuỗi chứng thư số nhúng kèm cho chứng thư của token (PEM; chứng thư của người ký "
        "đứng đầu nếu token không chứa nó), thay cho các chứng thư trên token",
        "the chain to embed for a token's certificate (PEM; the signer's certificate first if "
        "the token holds none), instead of the token's certificates",
    ),
}
"""Every help text of the operator's commands, by key."""


def say(lang: Lang, key: str, *, table: Mapping[str, Wording] = HELP, **values: object) -> str:
    """The help text `key` of `table` (the operator's by default) in `lang`, its `{fields}`
    filled with `values` (a text is used as written when no values are given: the draft
    format's JSON keeps its braces)."""
    wording = table[key].in_language(lang)
    return wording.format_map(values) if values else wording


def option_help(
    lang: Lang, key: str, *, table: Mapping[str, Wording] = HELP, **values: object
) -> str:
    """`say`, for an option's help: argparse %-formats it, so a `%` is doubled."""
    return say(lang, key, table=table, **values).replace("%", "%%")


def language_from_environment(environ: Mapping[str, str]) -> Lang:
    """Return "vi" when the first of LC_ALL, LC_MESSAGES, LANG that is set (non-empty) starts
    with `vi` (e.g. `vi_VN.UTF-8`), else "en"."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def command_line_language(arguments: Sequence[str], environ: Mapping[str, str]) -> Lang:
    """The `--lang` given anywhere in `arguments` (the parser refuses a bad one later), else
    the environment's."""
    for position, argument in enumerate(arguments):
        value = None
        if argument == "--lang" and position + 1 < len(arguments):
            value = arguments[position + 1]
        elif argument.startswith("--lang="):
            value = argument.removeprefix("--lang=")
        if value in LANGUAGES:
            return "vi" if value == "vi" else "en"
    return language_from_environment(environ)


def without_language(arguments: Sequence[str]) -> list[str]:
    """`arguments` without their `--lang X` / `--lang=X` options (to find the command)."""
    kept: list[str] = []
    skip = False
    for argument in arguments:
        if skip:
            skip = False
        elif argument == "--lang":
            skip = True
        elif not argument.startswith("--lang="):
            kept.append(argument)
    return kept


USAGE_ERRORS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"the following arguments are required: (?P<names>.+)"),
     "thiếu đối số bắt buộc: {names}"),
    (re.compile(r"unrecognized arguments: (?P<names>.+)"),
     "đối số không nhận ra: {names}"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)"),
     "tùy chọn {option} không rõ là tùy chọn nào: {matches}"),
    (re.compile(r"argument (?P<argument>\S+): invalid choice: (?P<value>.+?) "
                r"\(choose from (?P<choices>.+)\)"),
     "đối số {argument}: {value} không phải một lựa chọn hợp lệ (chọn trong: {choices})"),
    (re.compile(r"argument (?P<argument>\S+): invalid int value: (?P<value>.+)"),
     "đối số {argument}: {value} không phải số nguyên"),
    (re.compile(r"argument (?P<argument>\S+): expected one argument"),
     "đối số {argument}: cần một giá trị"),
    (re.compile(r"argument (?P<argument>\S+): (?P<value>.+) is not an Ethereum address "
                r"\(0x \+ 40 hex\)"),
     "đối số {argument}: {value} không phải địa chỉ Ethereum (0x + 40 chữ số hex)"),
    (re.compile(r"argument (?P<argument>\S+): .+"),
     "đối số {argument} không hợp lệ"),
)
"""argparse's own English errors (Python 3.11), and those of the argument types of
`infraledger`'s commands, told in Vietnamese; the first pattern that matches the whole message
wins."""
USAGE_ERROR: Final = "sai cú pháp lệnh (xem --help)"
"""The Vietnamese of a usage error no pattern of `USAGE_ERRORS` matches."""


def usage_line(prog: str, message: str) -> str:
    """The one line a usage error of `prog` says: argparse's English `message`, told first in
    Vietnamese."""
    for pattern, vietnamese in USAGE_ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return f"{prog}: " + bilingual(vietnamese.format_map(match.groupdict()), message)
    return f"{prog}: " + bilingual(USAGE_ERROR, message)


class OperatorParser(argparse.ArgumentParser):
    """argparse with every heading and the `-h` and `--lang` help in `lang`, and the options
    every `infraledger` command accepts (`common`) after those two; a usage error is one
    bilingual line on stderr (`usage_line`) and exit code 2, instead of argparse's usage and
    English error. Sub-commands made with `add_parser(..., lang=..., common=...)` are
    `OperatorParser`s too."""

    def __init__(
        self,
        *,
        lang: Lang,
        common: argparse.ArgumentParser | None = None,
        formatter_class: type[argparse.HelpFormatter] = argparse.HelpFormatter,
        **kwargs: Any,
    ) -> None:
        usage_prefix = say(lang, "usage_prefix")

        class Formatter(formatter_class):  # type: ignore[valid-type,misc]
            def add_usage(
                self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
            ) -> None:
                super().add_usage(
                    usage, actions, groups, usage_prefix if prefix is None else prefix
                )

        super().__init__(formatter_class=Formatter, add_help=False, **kwargs)
        self.lang: Lang = lang
        self.add_argument("-h", "--help", action="help", help=option_help(lang, "help"))
        self.add_argument(
            "--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=option_help(lang, "lang")
        )
        if common is not None:  # as argparse adds its `parents`, but after -h and --lang
            self._add_container_actions(common)
            self._defaults.update(common._defaults)
        self._positionals.title = say(lang, "positionals")  # after `common`: argparse files
        self._optionals.title = say(lang, "options")  # its options by group title

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, usage_line(self.prog, message) + "\n")
