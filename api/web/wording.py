"""How the pages write dates, times, periods and numbers: dd/mm/yyyy in Vietnamese, yyyy-mm-dd in
English; times in Việt Nam's time (UTC+7), as Vietnamese readers expect them; `2025-H1` as
"6 tháng đầu năm 2025" and "2025 H1"; numbers without trailing zeros, grouped in thousands,
with a comma for the decimal point and a dot between thousands in Vietnamese (12.345,5) and the
other way round in English (12,345.5)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from importlib import resources
from types import MappingProxyType
from typing import Final

from filings.periods import VIETNAM_TIME, Period
from filings.units import PERCENT, UNITS

_QUARTERS: Final = ("I", "II", "III", "IV")


def vi_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def en_date(day: date) -> str:
    return day.isoformat()


def period_vi(period: Period) -> str:
    """"Năm 2025", "6 tháng đầu năm 2025", "6 tháng cuối năm 2025", "Quý III/2024",
    "Tháng 06/2024"."""
    text = period.text
    year = text[:4]
    if len(text) == 4:
        return f"Năm {year}"
    part = text[5:]
    if part == "H1":
        return f"6 tháng đầu năm {year}"
    if part == "H2":
        return f"6 tháng cuối năm {year}"
    if part.startswith("Q"):
        return f"Quý {_QUARTERS[int(part[1]) - 1]}/{year}"
    return f"Tháng {part}/{year}"


def period_en(period: Period) -> str:
    """"2025", "2025 H1", "2024 Q3", "June 2024"."""
    text = period.text
    if len(text) == 4 or text[5] in "HQ":
        return text.replace("-", " ")
    return period.start.strftime("%B %Y")


def vi_time(seconds: int) -> str:
    """A unix time as "16:46:52 ngày 03/12/2026 (giờ Việt Nam)"."""
    moment = datetime.fromtimestamp(seconds, VIETNAM_TIME)
    return moment.strftime("%H:%M:%S ngày %d/%m/%Y") + " (giờ Việt Nam)"


def en_time(seconds: int) -> str:
    """A unix time as "2026-12-03 16:46:52 Việt Nam time (UTC+7)"."""
    moment = datetime.fromtimestamp(seconds, VIETNAM_TIME)
    return moment.strftime("%Y-%m-%d %H:%M:%S") + " Việt Nam time (UTC+7)"


def number_vi(value: float) -> str:
    return number_en(value).translate(_VI_SEPARATORS)


def number_en(value: float) -> str:
    """Up to six decimals, none trailing: 12,345.5; 31.5; 100."""
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_VI_SEPARATORS: Final = str.maketrans(",.", ".,")

UNIT_SYMBOLS: Final = frozenset({PERCENT, "Mb/s"})
"""Units written as their symbol after a number in both languages; a whole unit (a count) is
not written at all (the number says it), and any other by its name, `unit.*` below."""


def amount_vi(value: float, unit: str) -> str:
    """A value in its unit as a Vietnamese reader writes it: "28,4 %", "1.200", "0,8 tài khoản
    mỗi người dân" (`UNIT_SYMBOLS` after the number, a count bare, any other unit by name)."""
    return _amount(number_vi(value), unit, "vi")


def amount_en(value: float, unit: str) -> str:
    """`amount_vi` in English: "28.4 %", "1,200", "0.8 accounts per inhabitant"."""
    return _amount(number_en(value), unit, "en")


def _amount(number: str, code: str, lang: str) -> str:
    if code in UNIT_SYMBOLS:
        return f"{number}\u00a0{code}"
    unit = UNITS.get(code)
    if unit is None:
        return f"{number}\u00a0{code}"
    if unit.whole:
        return number
    return f"{number} {unit.name_vi if lang == 'vi' else unit.name_en}"


def _unit_names(lang: str) -> dict[str, str]:
    """The names of the units written by name (`filings.units.UNITS`), keyed `unit.<code>` with
    "/" and spaces as "_": "unit.account_person" is "tài khoản mỗi người dân"."""
    return {"unit." + unit.code.replace("/", "_").replace(" ", "_"):
            unit.name_vi if lang == "vi" else unit.name_en
            for unit in UNITS.values() if not unit.whole and unit.code not in UNIT_SYMBOLS}


# -- the pages' message catalogue -------------------------------------------------------------
# Every string a page template or script shows comes from here: one catalogue per language, the
# same keys in both (tests/web/test_wording.py holds the templates, the scripts and the
# catalogues to that). `{name}` marks a value the page fills in. The messages the scripts show
# are kept in `static/wording/vi.json` and `en.json`, which `static/text.mjs` imports and which
# are joined here to the messages only the server shows.


def _catalogue(lang: str, server_messages: dict[str, str]) -> Mapping[str, str]:
    """`server_messages` joined with the scripts' messages in `lang` (`static/wording`).

    Raises ValueError when a key is in both, so neither copy can silently win.
    """
    source = resources.files("api.web").joinpath("static", "wording", f"{lang}.json")
    scripts: dict[str, str] = json.loads(source.read_text(encoding="utf-8"))
    twice = sorted(set(scripts) & set(server_messages))
    if twice:
        raise ValueError(f"messages both in static/wording/{lang}.json and wording.py: {twice}")
    return MappingProxyType({**server_messages, **scripts})


VI: Final[Mapping[str, str]] = _catalogue("vi", {
    "site.skip_main_content": "Tới nội dung chính",
    "site.brand": "Hạ tầng số thành phố Huế",
    "site.indicators": "Chỉ tiêu",
    "site.map": "Bản đồ",
    "site.verify": "Kiểm tra",
    "site.footer": (
        "Mỗi hồ sơ được ghi vào một nhật ký Merkle (RFC 9162) và neo lên chuỗi khối; trang "
        "này kiểm tra ngay trong trình duyệt của bạn."
    ),
    "home.not_judged": "chưa đánh giá",
    "home.met": "Đạt",
    "home.not_yet": "Chưa đạt",
    "home.verify": "Kiểm chứng",
    "home.heading": "Hạ tầng số thành phố Huế: chỉ tiêu và số liệu",
    "home.how_to_read": (
        "Mỗi số liệu ghi rõ ai khai báo. Số liệu của từng doanh nghiệp được hiện theo doanh "
        "nghiệp. Số liệu của tỉnh, thành phố hay một đơn vị là số liệu Sở KH&CN tổng hợp "
        "nếu có; nếu không, máy chủ tính theo công thức của chỉ tiêu (cộng các số lượng, "
        "hoặc tổng tử số chia tổng mẫu số, không bao giờ lấy trung bình các tỷ lệ). Ô trống "
        "là chưa có số liệu, không phải 0. Mỗi giá trị được đánh giá theo chỉ tiêu có hiệu "
        "lực lúc nộp; số liệu cấp trên mâu thuẫn với cấp dưới được đánh dấu ⚠."
    ),
    "home.nothing_anchored_yet": "Chưa có lần neo nào.",
    "home.no_plan_ledger_yet": "Chưa có kế hoạch nào trong sổ cái.",
    "home.source": "Nguồn",
    "home.target": "Mục tiêu",
    "home.reported_at": "cấp báo cáo",
    "home.figure_province_city": "Số liệu của tỉnh, thành phố",
    "home.compiled_department": "Sở KH&CN tổng hợp",
    "home.computed_from_operators": "tính từ doanh nghiệp",
    "home.no_data": "chưa có số liệu",
    "home.judged_against": "Đánh giá theo chỉ tiêu",
    "home.no_data_yet": "Chưa có số liệu.",
    "home.unit": "Đơn vị",
    "home.before": "trước đó",
    "home.from": "từ",
    "home.aims_without_figure": "Các mục tiêu không định lượng",
    "home.section_no_figure": "Mục này không có chỉ tiêu định lượng.",
    "home.section_shown_newer": "Các chỉ tiêu của mục này được trình bày theo kế hoạch mới hơn.",
    "record.target": "mục tiêu",
    "record.no_target_judge": "không có mục tiêu để đánh giá",
    "record.numerator_denominator": "Tử số / mẫu số",
    "record.signed_by": "Ký bởi",
    "record.address_not_named_registry": "một địa chỉ không có tên trong sổ đăng ký",
    "record.record_id": "Mã hồ sơ",
    "record.corrected": (
        "Hồ sơ này đã được đính chính bởi một phiên bản mới hơn (xem lịch sử phiên bản)."
    ),
    "record.body": "Nội dung",
    "record.figures_report": "Số liệu trong báo cáo",
    "record.indicator": "Chỉ tiêu",
    "record.area": "Địa bàn",
    "record.value": "Giá trị",
    "record.signed_body_json": "Nội dung gốc (JSON đã ký)",
    "record.restricted_body": (
        "Nội dung của hồ sơ hạn chế này không công khai; chỉ mã băm (có muối) của nó nằm "
        "trong nhật ký."
    ),
    "record.attachments": "Tệp đính kèm",
    "record.download": "Tải về",
    "record.inspectors_only": "chỉ cơ quan thanh tra tải được",
    "record.verify_my_browser": "Kiểm tra trong trình duyệt của tôi",
    "record.how_the_check_works": (
        "Trình duyệt của bạn tự tính lại từng bước từ dữ liệu thô, không tin vào kết quả "
        "của máy chủ. Gốc đã neo và trạng thái của doanh nghiệp trong OperatorRegistry được "
        "đọc qua từng nút JSON-RPC của chuỗi khối liệt kê bên dưới: các nút máy chủ này "
        "công bố ở lần bạn ghé thăm đầu tiên, và các nút bạn tự thêm. Kết quả ghi rõ đã đọc "
        "từ nút nào."
    ),
    "record.needs_javascript": (
        "Việc kiểm tra cần JavaScript. Bạn cũng có thể dùng công cụ dòng lệnh "
        "infraledger-verify."
    ),
    "record.not_run_yet": "chưa kiểm tra",
    "record.not_verified_yet": "Chưa kiểm tra.",
    "record.endpoints_asked": "Các nút JSON-RPC của chuỗi khối được hỏi",
    "record.endpoints_explained": (
        "Mỗi nút được hỏi gốc đã neo (LedgerAnchor.rootAt) và trạng thái của doanh nghiệp "
        "(OperatorRegistry.operatorOf). Khớp: câu trả lời xác nhận hồ sơ; không khớp: có "
        "câu trả lời mâu thuẫn với hồ sơ; không liên lạc được: nút không trả lời. Hồ sơ chỉ "
        "được kiểm chứng khi ít nhất một nút trả lời và không nút nào không khớp. Hãy thêm "
        "một nút độc lập (của bạn, hoặc của một bên bạn tin) để không phải dựa vào máy chủ "
        "này; nút đó cần cho phép trang này gọi tới (CORS)."
    ),
    "record.add_endpoint_label": (
        "Thêm một nút JSON-RPC của cùng chuỗi khối (được ghi nhớ trong trình duyệt này)"
    ),
    "record.add_endpoint": "Thêm nút",
    "record.what_does_this_check": "Kiểm tra này tin vào điều gì?",
    "record.trust_on_first_use": (
        "Trang lấy tên nhật ký (origin), khóa xác minh của nhật ký, địa chỉ các hợp đồng "
        "LedgerAnchor và OperatorRegistry và các nút JSON-RPC từ /v1/log của chính máy chủ "
        "này, rồi ghi nhớ chúng trong trình duyệt ở lần dùng đầu tiên (tin ở lần dùng đầu, "
        "TOFU): nếu sau đó máy chủ đổi khóa hay hợp đồng, việc kiểm tra sẽ thất bại, và "
        "trang vẫn hỏi các nút đã ghim. Một máy chủ gian lận ngay từ lần đầu bạn ghé thăm, "
        "kể cả qua các nút nó công bố, thì chỉ một nút độc lập do bạn thêm mới phát hiện "
        "được."
    ),
    "record.stronger_check": (
        "Kiểm tra mạnh hơn: công cụ dòng lệnh infraledger-verify với một tệp tin cậy (trust "
        "file) lập ngoài trang này, ghim khóa, các hợp đồng và các nút chuỗi khối độc lập; "
        "nó còn kiểm tra biên nhận của giao dịch neo và các tệp bạn giữ so với danh sách "
        "tệp đính kèm, những điều trang này không kiểm tra."
    ),
    "record.log_entry": "Bản ghi trong nhật ký",
    "record.index": "Vị trí trong nhật ký",
    "record.status": "Trạng thái",
    "record.kind": "Loại",
    "record.subject": "Đối tượng",
    "record.signer": "Người ký",
    "record.issued_at": "Thời điểm lập",
    "record.content_hash": "Mã băm nội dung",
    "record.attachments_hash": "Mã băm tệp đính kèm",
    "record.supersedes": "Đính chính cho",
    "record.eip_712_signature": "Chữ ký EIP-712",
    "record.no_eip712_signature": "không có (chỉ ký bằng chứng thư số do CA cấp)",
    "record.ca_only": (
        "Hồ sơ này chỉ được ký bằng chứng thư số của tổ chức do CA cấp (chữ ký CMS), không có "
        "chữ ký EIP-712."
    ),
    "record.ca_only_browser": (
        "Trình duyệt không kiểm tra chữ ký CMS, nên bước chữ ký EIP-712 dưới đây là “không "
        "kiểm tra được”, không phải “đạt”. Lệnh sau kiểm tra chữ ký CMS của hồ sơ:"
    ),
    "record.version_history": "Lịch sử phiên bản",
    "record.this_version": "Phiên bản này",
    "record.at_index": "vị trí",
    "record.blockchain_anchor": "Neo trên chuỗi khối",
    "record.tree_size": "Kích thước cây",
    "record.root": "Gốc",
    "record.chain_id": "Chuỗi",
    "record.contract": "Hợp đồng",
    "record.transaction": "Giao dịch",
    "record.block": "Khối",
    "record.time": "Thời điểm",
    "record.not_anchored_yet_usually": "Hồ sơ chưa được neo; thường chỉ mất vài giây.",
    "verify.heading": "Kiểm tra một hồ sơ hoặc một tệp",
    "verify.by_record_id": "Theo mã hồ sơ",
    "verify.record_id_64_hex": "Mã hồ sơ (64 chữ số hex)",
    "verify.open_record": "Mở hồ sơ",
    "verify.by_file": "Theo tệp",
    "verify.file_stays_here": (
        "Tệp được tính mã băm SHA-256 ngay trong trình duyệt của bạn và không bao giờ được "
        "tải lên; chỉ mã băm được dùng để tra cứu."
    ),
    "verify.choose_file": "Chọn một tệp, hoặc kéo thả tệp vào đây",
    "verify.needs_javascript": "Việc tính mã băm tệp cần JavaScript.",
    "not_found.page_not_found": "Không tìm thấy trang này",
    "not_found.explained": (
        "Địa chỉ bạn mở không có trên trang này. Có thể đường dẫn bị gõ sai hoặc đã cũ."
    ),
    "not_found.see_indicators": "Xem các chỉ tiêu hạ tầng số của thành phố Huế",
    "not_found.find_record": "Tìm một hồ sơ theo mã hoặc theo tệp",
    "home.title": "Chỉ tiêu hạ tầng số",
    "home.as_of_anchor": "Tính đến lần neo gần nhất: {size} hồ sơ, lúc {time}.",
    "home.plan_line": "Kế hoạch số {number} ngày {date} của {issuer}, giai đoạn {start} – {end}.",
    "home.by_deadline": "đến {date}",
    "home.through_time": "Theo thời gian: {name}",
    "home.computed_by": "tính theo {formula} từ {inputs} doanh nghiệp",
    "home.empty_areas": "{count} đơn vị có khai báo nhưng chưa có số liệu tính được",
    "home.chart_caption": (
        "Biểu đồ: số liệu của từng đơn vị theo kỳ, từ {first} đến {last}; đường đứt nét là mục "
        "tiêu hiện hành. Bảng “{table}” ở trên có cùng số liệu."
    ),
    "home.met_short": "đạt",
    "home.not_yet_short": "chưa đạt",
    "home.level_province": "Toàn tỉnh / thành phố",
    "home.level_district": "Theo đơn vị cấp huyện",
    "home.level_commune": "Theo đơn vị cấp xã",
    "home.level_note_district": (
        "Các đơn vị cấp huyện của năm 2023–2024 và của 6 tháng đầu năm 2025 không hoàn toàn "
        "là một: từ 01/01/2025 thành phố Huế cũ được chia thành quận Phú Xuân và quận Thuận "
        "Hóa, huyện Nam Đông nhập vào huyện Phú Lộc (NQ 1314/NQ-UBTVQH15). Mỗi dòng là một đơn "
        "vị giữ nguyên địa giới; không so sánh các dòng khác nhau như một chuỗi."
    ),
    "home.level_note_commune": (
        "Từ 01/07/2025 không còn cấp huyện: 40 đơn vị cấp xã (21 phường, 19 xã, "
        "NQ 1675/NQ-UBTVQH15) có địa giới cắt ngang các huyện cũ, nên số liệu theo xã không so "
        "sánh được với số liệu theo huyện (số liệu huyện năm 2024 không phải số liệu phường, "
        "xã năm 2026)."
    ),
    "home.declared_and_computed": "Số liệu khai báo và số liệu tính từ hồ sơ hạ tầng",
    "home.declared_side": "Do các bên khai báo",
    "home.computed_side": "Tính từ hồ sơ hạ tầng",
    "home.declared_by": "{name} khai báo, {period}",
    "home.nothing_declared": "Chưa có bên nào khai báo số liệu của thành phố.",
    "home.computed_from_records": "tính từ {count} hồ sơ theo công thức {formula}, ngày {date}",
    "home.computed_counts": "{numerator} trên {denominator}",
    "home.computed_no_value": "không có hồ sơ nào để tính",
    "home.counted_records": "Các hồ sơ được đếm ({count})",
    "home.counted_more": "và {count} hồ sơ khác trong danh sách đầy đủ",
    "home.other_computed": "Các chỉ tiêu khác tính từ hồ sơ hạ tầng",
    "site.navigation": "Điều hướng",
    "verify.title": "Kiểm tra",
    "not_found.title": "Không tìm thấy trang",
    "check.body_content_hash": "Nội dung ▶ mã băm nội dung",
    "check.attachments_hash": "Danh sách tệp đính kèm ▶ mã băm",
    "check.leaf_hash": "Bản ghi nhật ký ▶ mã băm lá (= mã hồ sơ)",
    "check.signature": "Chữ ký EIP-712 ▶ địa chỉ người ký của bản ghi",
    "check.operator_active": "Doanh nghiệp đang hoạt động trong OperatorRegistry lúc neo",
    "check.inclusion": "Bằng chứng bao hàm ▶ gốc của checkpoint",
    "check.checkpoint_signature": "Chữ ký của checkpoint (khóa của nhật ký)",
    "check.anchored_root": "Gốc đã neo trên chuỗi khối (LedgerAnchor.rootAt)",
    "error.not_a_record_id": "Đây không phải là mã hồ sơ (64 chữ số hex).",
    "error.record_id_format": "Mã hồ sơ gồm đúng 64 chữ số hex (0-9, a-f).",
    "error.not_in_ledger": "Không có hồ sơ này trong sổ cái.",
    "check.registrar_role": "Bên ký giữ quyền REGISTRAR_ROLE trong OperatorRegistry tại khối neo",
    "summary.department": "Sở Khoa học và Công nghệ thành phố Huế",
    "summary.area_code": "Mã địa bàn {code}",
    "summary.permit_withheld": "Giấy phép {number} · {place}",
    "summary.permit": "Giấy phép {number} · {type} · {place}",
    "summary.permit_type": "Loại công trình",
    "summary.commune": "Xã, phường",
    "summary.valid": "Hiệu lực",
    "summary.from_to": "từ {start} đến {end}",
    "summary.operators_sharing": "Các doanh nghiệp dùng chung",
    "summary.holder": "Chủ giấy phép",
    "summary.location": "Vị trí (vĩ độ, kinh độ)",
    "summary.site": "Trạm {site} · {status} · {place}",
    "summary.outage": "{reason}, từ {since}",
    "summary.route": "Tuyến cáp {route} · {kind}",
    "summary.latitude_longitude": "{latitude}; {longitude}",
    "summary.report_withheld": "Báo cáo · {period}",
    "summary.report_period": "Kỳ báo cáo",
    "summary.issued_by": "Cơ quan ban hành",
    "summary.issued_on": "Ngày ban hành",
    "summary.plan_period": "Thời kỳ",
    "summary.quantified_targets": "Số mục tiêu định lượng",
    "summary.plan": "Kế hoạch {number} · {title}",
    "signature.heading": "Chữ ký trên hồ sơ",
    "signature.format_eip712": "Chữ ký EIP-712 bằng khóa Ethereum của doanh nghiệp",
    "signature.format_eip712_department": "Chữ ký EIP-712 bằng khóa Ethereum của Sở KH&CN",
    "signature.format_cms": "Chữ ký số CMS (CAdES) bằng chứng thư số của tổ chức",
    "signature.format_pades": "Chữ ký số PAdES trên tệp PDF",
    "signature.organisation": "Tổ chức ký",
    "signature.tax_code": "Mã số thuế",
    "signature.issuer": "Tổ chức cung cấp dịch vụ chứng thực chữ ký số (CA)",
    "signature.serial": "Số hiệu chứng thư số",
    "signature.signed_at": "Thời điểm ký",
    "signature.status": "Kết quả kiểm tra",
    "signature.status_valid": "Hợp lệ",
    "signature.status_code": "Không hợp lệ (mã {code})",
    "signature.signed_file": "Tệp được ký",
    "signature.signer": "Bên ký",
    "signature.unknown": "không rõ",
    "report.title": "Báo cáo năm {year}",
    "report.heading": "Báo cáo kết quả thực hiện kế hoạch phát triển hạ tầng số năm {year}",
    "report.sender": "Sở Khoa học và Công nghệ thành phố Huế",
    "report.recipient": "Kính gửi: Ủy ban nhân dân thành phố Huế",
    "report.basis": (
        "Báo cáo định kỳ hằng năm kết quả thực hiện kế hoạch (Kế hoạch 254/KH-UBND, mục VI.1), "
        "lập tự động từ các hồ sơ đã ký trong sổ cái: mỗi chỉ tiêu của các kế hoạch có hiệu "
        "lực, số liệu theo địa bàn và đơn vị khai báo, và những nội dung còn thiếu."
    ),
    "report.checkpoint": (
        "Lập tại checkpoint đã ký của nhật ký {origin}: {size} hồ sơ, gốc {root}, ký lúc {time}."
    ),
    "report.how_to_verify": (
        "Bên cạnh mỗi số liệu là đường dẫn và mã QR tới hồ sơ gốc: quét mã để tự kiểm chứng "
        "hồ sơ, không cần tin máy chủ này."
    ),
    "report.links_under": "Các đường dẫn kiểm chứng nằm dưới {base}.",
    "report.summary": (
        "{indicators} chỉ tiêu đánh giá năm này: {met} đạt, {missed} chưa đạt, {unknown} chưa "
        "có kết quả; {figures} số liệu được trích dẫn, mỗi số liệu kèm hồ sơ của nó."
    ),
    "report.pdf_vi": "Tải bản PDF (tiếng Việt)",
    "report.pdf_en": "Tải bản PDF (tiếng Anh)",
    "report.filed": "Báo cáo đã được nộp vào sổ cái (lập tại checkpoint {size}):",
    "report.filed_record": "Báo cáo đã được nộp vào sổ cái:",
    "report.not_filed_yet": "Báo cáo của năm này chưa được nộp vào sổ cái.",
    "report.plans_heading": "1. Các kế hoạch có hiệu lực trong năm",
    "report.targets_of": "Các chỉ tiêu của kế hoạch {number}",
    "report.target_col": "Chỉ tiêu",
    "report.value_col": "Mục tiêu",
    "report.deadline_col": "Thời hạn",
    "report.judges": "Chỉ tiêu dùng để đánh giá năm {year}",
    "report.at_least": "tối thiểu {value}",
    "report.at_most": "tối đa {value}",
    "report.results_heading": "2. Kết quả theo chỉ tiêu",
    "report.result": "Kết quả của thành phố: {value} ({period}): {status}",
    "report.no_result": "Chưa có số liệu của thành phố cho năm này.",
    "report.computed": "Tính từ hồ sơ hạ tầng ({formula}): {value}, từ {records} hồ sơ",
    "report.chart_caption": (
        "Biểu đồ: {period}, theo địa bàn; vạch đứt nét là mục tiêu; cùng số liệu với bảng."
    ),
    "report.figures_of": "Số liệu năm {year}: {name}",
    "report.area_col": "Địa bàn, kỳ",
    "report.declarant_col": "Đơn vị khai báo",
    "report.figure_col": "Số liệu",
    "report.assessment_col": "Đánh giá",
    "report.proof_col": "Hồ sơ kiểm chứng",
    "report.area_figure": "Số liệu của địa bàn",
    "report.verify_record": "Kiểm chứng hồ sơ {record}",
    "report.missing_heading": "3. Những nội dung còn thiếu",
    "report.missing_none": "Không thiếu số liệu nào.",
    "report.missing_no_figure": "{name}: không có số liệu nào cho năm {year}.",
    "report.missing_no_city_figure": "{name}: chưa có số liệu của toàn thành phố cho năm {year}.",
    "report.missing_not_filed": (
        "{name}: {operator} đã khai báo chỉ tiêu này cho năm khác nhưng chưa khai báo cho năm "
        "{year}."
    ),
    "report.footer": "Báo cáo năm {year} · checkpoint {size} · trang {page}/{pages}",
    "docs.title": "Tài liệu API",
    "docs.openapi": "Tài liệu API (OpenAPI) của sổ cái; bản cho máy đọc:",
    "docs.in_english": "Phần tham chiếu bên dưới viết bằng tiếng Anh.",
    **_unit_names("vi"),
})
"""The pages' words in Vietnamese, by message key (`page_text`)."""
EN: Final[Mapping[str, str]] = _catalogue("en", {
    "site.skip_main_content": "Skip to main content",
    "site.brand": "Huế City digital infrastructure",
    "site.indicators": "Indicators",
    "site.map": "Map",
    "site.verify": "Verify",
    "site.footer": (
        "Every record is written to a Merkle log (RFC 9162) anchored on a blockchain; this "
        "site checks it in your own browser."
    ),
    "home.not_judged": "not judged",
    "home.met": "Met",
    "home.not_yet": "Not yet",
    "home.verify": "Verify",
    "home.heading": "Huế's digital infrastructure: targets and figures",
    "home.how_to_read": (
        "Every figure says who declared it. Operators' figures are shown per operator. The "
        "figure of the province, the city or a unit is the one the department compiled, if "
        "any; else the server computes it by the target's formula (sums of counts, or the "
        "sum of numerators over the sum of denominators, never a mean of percentages). An "
        "empty cell is no data, not 0. Each value is judged by the target in force when it "
        "was filed; a figure that contradicts its sub-areas' figures is marked ⚠."
    ),
    "home.nothing_anchored_yet": "Nothing is anchored yet.",
    "home.no_plan_ledger_yet": "No plan is in the ledger yet.",
    "home.source": "Source",
    "home.target": "Target",
    "home.reported_at": "reported at",
    "home.figure_province_city": "Figure of the province or city",
    "home.compiled_department": "compiled by the department",
    "home.computed_from_operators": "computed from operators",
    "home.no_data": "no data",
    "home.judged_against": "Judged against",
    "home.no_data_yet": "No data yet.",
    "home.unit": "Unit",
    "home.before": "before",
    "home.from": "from",
    "home.aims_without_figure": "Aims without a figure",
    "home.section_no_figure": "This section sets no quantified target.",
    "home.section_shown_newer": "The targets of this section are shown under a newer plan.",
    "record.target": "target",
    "record.no_target_judge": "no target to judge it by",
    "record.numerator_denominator": "Numerator / denominator",
    "record.signed_by": "Signed by",
    "record.address_not_named_registry": "an address not named in the registry",
    "record.record_id": "Record id",
    "record.corrected": (
        "This record has been corrected by a newer version (see the version history)."
    ),
    "record.body": "Body",
    "record.figures_report": "Figures in the report",
    "record.indicator": "Indicator",
    "record.area": "Area",
    "record.value": "Value",
    "record.signed_body_json": "The signed body (JSON)",
    "record.restricted_body": (
        "The body of this restricted record is not public; only its salted hash is in the "
        "log."
    ),
    "record.attachments": "Attachments",
    "record.download": "Download",
    "record.inspectors_only": "inspectors only",
    "record.verify_my_browser": "Verify in my browser",
    "record.how_the_check_works": (
        "Your browser recomputes each step from the raw data, without taking the server's "
        "word for it. The anchored root and the operator's status in the OperatorRegistry "
        "are read through each of the chain's JSON-RPC endpoints listed below: those this "
        "server advertised on your first visit, and any you add yourself. The result says "
        "which endpoint each was read from."
    ),
    "record.needs_javascript": (
        "Verifying needs JavaScript. You can also use the infraledger-verify command-line "
        "tool."
    ),
    "record.not_run_yet": "not run yet",
    "record.not_verified_yet": "Not verified yet.",
    "record.endpoints_asked": "The chain's JSON-RPC endpoints asked",
    "record.endpoints_explained": (
        "Each endpoint is asked for the anchored root (LedgerAnchor.rootAt) and the "
        "operator's status (OperatorRegistry.operatorOf). Agreed: its answers confirm the "
        "record; disagreed: an answer contradicts the record; unreachable: it did not "
        "answer. The record is verified only when at least one endpoint answered and none "
        "disagreed. Add an independent node (your own, or one run by someone you trust) so "
        "you do not rely on this server; it must allow this page to call it (CORS)."
    ),
    "record.add_endpoint_label": (
        "Add a JSON-RPC endpoint of the same chain (remembered in this browser)"
    ),
    "record.add_endpoint": "Add endpoint",
    "record.what_does_this_check": "What does this check trust?",
    "record.trust_on_first_use": (
        "The page takes the log's origin, its verifier key, the LedgerAnchor and "
        "OperatorRegistry contract addresses and the JSON-RPC endpoints from this server's "
        "own /v1/log, and remembers them in your browser on first use (trust on first use): "
        "if the server later changes its key or a contract, verification fails, and the "
        "page keeps asking the pinned endpoints. A server that lies from your very first "
        "visit, through the endpoints it advertises too, is caught only by an independent "
        "endpoint you add."
    ),
    "record.stronger_check": (
        "The stronger check: the infraledger-verify command-line tool with a trust file "
        "made outside this page, pinning the key, the contracts and independent chain "
        "nodes; it also checks the anchoring transaction's receipt and the files you hold "
        "against the attachment list, which this page does not."
    ),
    "record.log_entry": "Log entry",
    "record.index": "Index",
    "record.status": "Status",
    "record.kind": "Kind",
    "record.subject": "Subject",
    "record.signer": "Signer",
    "record.issued_at": "Issued at",
    "record.content_hash": "Content hash",
    "record.attachments_hash": "Attachments hash",
    "record.supersedes": "Supersedes",
    "record.eip_712_signature": "EIP-712 signature",
    "record.no_eip712_signature": "none (signed with a CA certificate only)",
    "record.ca_only": (
        "This record is signed with a CA certificate only (a CMS signature by the organisation), "
        "without an EIP-712 signature."
    ),
    "record.ca_only_browser": (
        "The browser does not check CMS signatures, so the EIP-712 signature step below is "
        "“not checked”, not “passed”. This command checks the record's CMS signature:"
    ),
    "record.version_history": "Version history",
    "record.this_version": "This version",
    "record.at_index": "index",
    "record.blockchain_anchor": "Blockchain anchor",
    "record.tree_size": "Tree size",
    "record.root": "Root",
    "record.chain_id": "Chain id",
    "record.contract": "Contract",
    "record.transaction": "Transaction",
    "record.block": "Block",
    "record.time": "Time",
    "record.not_anchored_yet_usually": "Not anchored yet; it usually takes a few seconds.",
    "verify.heading": "Verify a record or a file",
    "verify.by_record_id": "By record id",
    "verify.record_id_64_hex": "Record id (64 hex digits)",
    "verify.open_record": "Open the record",
    "verify.by_file": "By file",
    "verify.file_stays_here": (
        "The file is hashed (SHA-256) in your browser and never uploaded; only its hash is "
        "looked up."
    ),
    "verify.choose_file": "Choose a file, or drop it here",
    "verify.needs_javascript": "Hashing a file needs JavaScript.",
    "not_found.page_not_found": "Page not found",
    "not_found.explained": (
        "The address you opened is not on this site. The link may be mistyped or out of "
        "date."
    ),
    "not_found.see_indicators": "See Huế City's digital infrastructure indicators",
    "not_found.find_record": "Find a record by its id or by a file",
    "home.title": "Digital infrastructure targets",
    "home.as_of_anchor": "As of the latest anchor: {size} records, at {time}.",
    "home.plan_line": "Plan no. {number} of {date} by {issuer}, for {start} to {end}.",
    "home.by_deadline": "by {date}",
    "home.through_time": "Through time: {name}",
    "home.computed_by": "computed by {formula} from {inputs} operators",
    "home.empty_areas": "{count} units declared for, with no figure that can be shown",
    "home.chart_caption": (
        "Chart: each unit's figures by period, from {first} to {last}; the dashed line is the "
        "current target. The table “{table}” above holds the same figures."
    ),
    "home.met_short": "met",
    "home.not_yet_short": "not yet",
    "home.level_province": "Province / city",
    "home.level_district": "By district-level unit",
    "home.level_commune": "By commune-level unit",
    "home.level_note_district": (
        "The district-level units of 2023–2024 and of 2025 H1 are not quite the same: from "
        "2025-01-01 the old Huế City was split into Phú Xuân and Thuận Hóa, and Nam Đông merged "
        "into Phú Lộc (NQ 1314/NQ-UBTVQH15). Each row is one unit with unchanged borders; "
        "different rows are never compared as one series."
    ),
    "home.level_note_commune": (
        "From 2025-07-01 there is no district level: the 40 commune-level units (21 wards, "
        "19 communes, NQ 1675/NQ-UBTVQH15) cut across the old districts, so figures by commune "
        "cannot be compared with figures by district (a 2024 district figure is not a 2026 "
        "ward figure)."
    ),
    "home.declared_and_computed": "Declared figures and figures computed from the records",
    "home.declared_side": "Declared",
    "home.computed_side": "Computed from the infrastructure records",
    "home.declared_by": "declared by {name}, {period}",
    "home.nothing_declared": "Nobody has declared a figure for the city.",
    "home.computed_from_records": "computed from {count} records by {formula}, on {date}",
    "home.computed_counts": "{numerator} of {denominator}",
    "home.computed_no_value": "no record to compute it from",
    "home.counted_records": "The records counted ({count})",
    "home.counted_more": "and {count} more in the full list",
    "home.other_computed": "Other indicators computed from the infrastructure records",
    "site.navigation": "Navigation",
    "verify.title": "Verify",
    "not_found.title": "Page not found",
    "check.body_content_hash": "Body ▶ content hash",
    "check.attachments_hash": "Attachment list ▶ attachments hash",
    "check.leaf_hash": "Entry ▶ leaf hash (= record id)",
    "check.signature": "EIP-712 signature ▶ the record's signer address",
    "check.operator_active": "Operator active in the OperatorRegistry at the anchor's time",
    "check.inclusion": "Inclusion proof ▶ checkpoint root",
    "check.checkpoint_signature": "Checkpoint signature (the log's key)",
    "check.anchored_root": "Root anchored on chain (LedgerAnchor.rootAt)",
    "error.not_a_record_id": "This is not a record id (64 hex digits).",
    "error.record_id_format": "A record id is exactly 64 hex digits (0-9, a-f).",
    "error.not_in_ledger": "This record is not in the ledger.",
    "check.registrar_role": (
        "Signer holds REGISTRAR_ROLE in the OperatorRegistry at the anchor's block"
    ),
    "summary.department": "Huế City Department of Science and Technology",
    "summary.area_code": "Area code {code}",
    "summary.permit_withheld": "Permit {number} · {place}",
    "summary.permit": "Permit {number} · {type} · {place}",
    "summary.permit_type": "Type",
    "summary.commune": "Commune",
    "summary.valid": "Valid",
    "summary.from_to": "{start} to {end}",
    "summary.operators_sharing": "Operators sharing it",
    "summary.holder": "Holder",
    "summary.location": "Location (latitude, longitude)",
    "summary.site": "Site {site} · {status} · {place}",
    "summary.outage": "{reason}, since {since}",
    "summary.route": "Cable route {route} · {kind}",
    "summary.latitude_longitude": "{latitude}, {longitude}",
    "summary.report_withheld": "Report · {period}",
    "summary.report_period": "Period",
    "summary.issued_by": "Issued by",
    "summary.issued_on": "Date",
    "summary.plan_period": "Period",
    "summary.quantified_targets": "Quantified targets",
    "summary.plan": "Plan {number} · {title}",
    "signature.heading": "The record's signatures",
    "signature.format_eip712": "EIP-712 signature with the operator's Ethereum key",
    "signature.format_eip712_department": "EIP-712 signature with the department's Ethereum key",
    "signature.format_cms": "CMS (CAdES) digital signature with an organisation certificate",
    "signature.format_pades": "PAdES digital signature on a PDF file",
    "signature.organisation": "Signing organisation",
    "signature.tax_code": "Tax code",
    "signature.issuer": "Certification authority (CA)",
    "signature.serial": "Certificate serial number",
    "signature.signed_at": "Signed at",
    "signature.status": "Status",
    "signature.status_valid": "Valid",
    "signature.status_code": "Not valid (code {code})",
    "signature.signed_file": "Signed file",
    "signature.signer": "Signer",
    "signature.unknown": "unknown",
    "report.title": "Report {year}",
    "report.heading": "Report on the digital infrastructure plans: results of {year}",
    "report.sender": "Department of Science and Technology of Huế City",
    "report.recipient": "To: the People's Committee of Huế City",
    "report.basis": (
        "The yearly report on the plan's results (plan 254/KH-UBND, section VI.1), made from "
        "the signed records of the ledger: every target of the plans in force, the figures by "
        "area and declarant, and what is missing."
    ),
    "report.checkpoint": (
        "Made at the signed checkpoint of the log {origin}: {size} records, root {root}, "
        "signed at {time}."
    ),
    "report.how_to_verify": (
        "Beside each figure are a link and a QR code to its record: scan it to verify the "
        "record yourself, without trusting this server."
    ),
    "report.links_under": "The verification links are under {base}.",
    "report.summary": (
        "{indicators} targets judge this year: {met} met, {missed} not met, {unknown} without "
        "a result; {figures} figures quoted, each with its record."
    ),
    "report.pdf_vi": "Download the PDF (Vietnamese)",
    "report.pdf_en": "Download the PDF (English)",
    "report.filed": "This report is filed in the ledger (made at checkpoint {size}):",
    "report.filed_record": "This report is filed in the ledger:",
    "report.not_filed_yet": "This year's report is not filed in the ledger yet.",
    "report.plans_heading": "1. The plans in force in the year",
    "report.targets_of": "The targets of plan {number}",
    "report.target_col": "Target",
    "report.value_col": "Goal",
    "report.deadline_col": "Deadline",
    "report.judges": "The target that judges {year}",
    "report.at_least": "at least {value}",
    "report.at_most": "at most {value}",
    "report.results_heading": "2. Results by target",
    "report.result": "The city's result: {value} ({period}): {status}",
    "report.no_result": "No city figure for this year yet.",
    "report.computed": (
        "Computed from the infrastructure records ({formula}): {value}, from {records} records"
    ),
    "report.chart_caption": (
        "Chart: {period}, by area; the dashed line is the target; the same figures as the table."
    ),
    "report.figures_of": "Figures of {year}: {name}",
    "report.area_col": "Area, period",
    "report.declarant_col": "Declarant",
    "report.figure_col": "Figure",
    "report.assessment_col": "Assessment",
    "report.proof_col": "Proof",
    "report.area_figure": "The area's figure",
    "report.verify_record": "Verify record {record}",
    "report.missing_heading": "3. What is missing",
    "report.missing_none": "Nothing is missing.",
    "report.missing_no_figure": "{name}: no figure at all for {year}.",
    "report.missing_no_city_figure": "{name}: no figure for the whole city for {year}.",
    "report.missing_not_filed": (
        "{name}: {operator} declared this indicator for another year but not for {year}."
    ),
    "report.footer": "Report {year} · checkpoint {size} · page {page} of {pages}",
    "docs.title": "API reference",
    "docs.openapi": "The ledger's API reference (OpenAPI); for machines:",
    "docs.in_english": "The reference below is in English.",
    **_unit_names("en"),
})
"""The pages' words in English, by the keys of `VI`."""


PageValue = str | int | float | tuple[str, str]
"""A value put into a message: the same in both languages, or (Vietnamese, English)."""


def page_text(key: str, **values: PageValue) -> tuple[str, str]:
    """The message `key` in Vietnamese and in English, with `values` filled in.

    Raises KeyError when `key` is in no catalogue, so a template cannot show a missing message.
    """
    vi = {name: value[0] if isinstance(value, tuple) else value for name, value in values.items()}
    en = {name: value[1] if isinstance(value, tuple) else value for name, value in values.items()}
    return VI[key].format(**vi), EN[key].format(**en)
