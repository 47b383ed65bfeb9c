"""What `infraledger demo` prints, Vietnamese first, then English: the people who run the demo
read Vietnamese first.

`WORDS` holds every text by key. A line says it as `vietnamese / english` (`pair`); a value shown
after it (a URL, a path, a record id, a command) follows once, after a colon, so what is copied
from the screen is printed once. The header of the CA signatures is long: it is a Vietnamese line
then its English line (`lines`). Counts are written as each language writes them (1.234 and
1,234: `api.web.wording`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from api.web.wording import number_en, number_vi
from client.messages import Wording

WORDS: Final[Mapping[str, Wording]] = {
    # While it runs.
    "starting": Wording("Bản trình diễn InfraLedger (dữ liệu mẫu)",
                        "InfraLedger demo (sample data)"),
    "filing": Wording(
        "Đang nộp kế hoạch 254 và 455 cùng các số liệu, trạm và tuyến cáp mẫu...",
        "Filing plans 254 and 455, the sample figures, sites and routes...",
    ),
    "filed": Wording(
        "Đã nộp {total} bản ghi mẫu: {accepted} mới, {duplicate} đã có trong sổ cái, "
        "{rejected} bị từ chối",
        "Filed {total} sample records: {accepted} new, {duplicate} already in the ledger, "
        "{rejected} rejected",
    ),
    "report": Wording("Báo cáo năm {year} là bản ghi", "The {year} report is record"),
    "serving": Wording("Đang phục vụ cho đến khi nhấn Ctrl-C.", "Serving until Ctrl-C."),
    # The records signed by organisation certificates.
    "ca_header": Wording(
        "Chữ ký số bằng chứng thư số của tổ chức, bên cạnh EIP-712 hoặc thay cho EIP-712 (PKI MẪU, "
        "không phải NEAC):",
        "Signatures by organisation certificates, beside or instead of EIP-712 (a SAMPLE PKI, not "
        "NEAC):",
    ),
    "ca_alone": Wording("thay cho EIP-712", "instead of EIP-712"),
    "ca_earlier": Wording("nộp trước đây, không có chữ ký CA",
                          "filed earlier without a CA signature (make demo-reset)"),
    "ca_root": Wording("Gốc tin cậy MẪU được ghim", "SAMPLE root pinned"),
    # What to do next.
    "anchored": Wording("Mọi bản ghi đã được neo. Mở:", "Everything is anchored. Open:"),
    "open_home": Wording("chỉ tiêu của Huế so với kế hoạch 254 và 455, đã kiểm chứng",
                         "Huế's indicators against plans 254 and 455, verified"),
    "open_record": Wording("một bản ghi chỉ tiêu và bằng chứng của nó",
                           "an indicator record and its proof"),
    "open_verify": Wording("kiểm tra một mã bản ghi hoặc một tệp",
                           "check a record id or a file"),
    "open_docs": Wording("tài liệu API", "the API"),
    "verify_yourself": Wording(
        "Tự kiểm chứng một bản ghi mà không cần tin các trang của máy chủ này:",
        "Verify a record yourself, without trusting this server's pages:",
    ),
    "sample_material": Wording("Dữ liệu mẫu (tuyệt đối không dùng cho việc thật)",
                               "Sample material (never use it for real)"),
    "operator_keys": Wording("khóa của các doanh nghiệp", "operator keys"),
    "inspector_token": Wording("mã truy cập của thanh tra", "inspector token"),
    "restricted": Wording(
        "Giấy phép hạn chế chỉ hiện nội dung khi có mã này, ví dụ:",
        "Restricted permits show their bodies only with it, e.g.:",
    ),
    "submit": Wording("Nộp bản ghi của bạn", "Submit your own"),
    "reset": Wording("Làm lại từ đầu", "Start again from scratch"),
    # Why it stopped (`DemoFailed`).
    "network_chain": Wording(
        "bản trình diễn chạy trên chuỗi khối nhúng riêng của nó: hãy bỏ biến INFRALEDGER_RPC_URLS",
        "the demo runs on its own embedded chain: unset INFRALEDGER_RPC_URLS",
    ),
    "no_registrar": Wording("bản trình diễn cần khóa đăng ký của Sở để nộp các kế hoạch",
                            "the demo needs the registrar key to file the plans"),
    "rejected": Wording("{count} bản ghi mẫu bị từ chối, bản đầu tiên",
                        "{count} sample records were rejected, first"),
    "never_filed": Wording("bản nháp này đính chính một bản nháp không bao giờ được nộp",
                           "this draft corrects a draft that is never filed"),
    "not_anchored": Wording(
        "dữ liệu mẫu chưa được neo sau {seconds} giây (đã neo {anchored} trên {size} bản ghi)",
        "the sample is not anchored after {seconds} s (anchored {anchored} of {size})",
    ),
    "ca_invalid": Wording("chữ ký CA của một bản ghi mẫu không hợp lệ",
                          "the CA signatures of a sample record are not valid"),
}
"""Every text the demo prints, by key; `{name}` marks a value filled in."""


def pair(key: str, **values: object) -> str:
    """`WORDS[key]` as `vietnamese / english`, `values` filled in (an int as a count:
    a year is given as text)."""
    return " / ".join(lines(key, **values))


def lines(key: str, **values: object) -> tuple[str, str]:
    """`WORDS[key]` in Vietnamese and in English, `values` filled in (an int as a count)."""
    words = WORDS[key]
    return (words.vi.format_map(_written(values, number_vi)),
            words.en.format_map(_written(values, number_en)))


def _written(values: Mapping[str, object], number: Callable[[float], str]
             ) -> dict[str, object]:
    return {name: number(value) if isinstance(value, int) else value
            for name, value in values.items()}
