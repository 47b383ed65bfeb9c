"""Bảng thông điệp tiếng Việt: cùng các khóa với `verifier.messages_en.EN` (xem
`verifier.messages`).

Mã băm, kích thước, địa chỉ, URL và tên các bước kiểm tra là tham số, không dịch. Ngày giờ được
hiển thị dạng dd/mm/yyyy theo giờ Việt Nam (UTC+7).
"""

from __future__ import annotations

from typing import Final

VI: Final[dict[str, str]] = {
    # Mười sáu bước kiểm tra của một gói bằng chứng (verifier/FORMAT.md).
    "check.format": "{format}",
    "check.body_withheld": "nội dung bị giữ lại (không công khai)",
    "check.body_matches": "nội dung khớp với entry.content",
    "check.salted_body_matches": "nội dung có salt khớp với entry.content",
    "check.attachments_match": "{count} tệp đính kèm khớp với entry.attachments",
    "check.no_documents": "không có tài liệu nào được đưa vào",
    "check.documents_match": "tài liệu khớp với tệp đính kèm {names}",
    "check.leaf_hash": "mã băm của entry đúng bằng mã bản ghi {record_id}",
    "check.leaf_hash_differs": "mã băm của entry là {computed}, record_id là {record_id}",
    "check.other_record": "gói bằng chứng là của bản ghi {record_id}, cần bản ghi {want}",
    "check.signature": "chữ ký EIP-712 của {operator}",
    "check.registry_differs": (
        "sổ đăng ký đơn vị vận hành {registry} trên chuỗi {chain}, cần {want} trên chuỗi "
        "{want_chain}"
    ),
    "check.offline": "chế độ ngoại tuyến",
    "check.active_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} đang hoạt động trong "
        "{registry}"
    ),
    "check.inactive_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} không hoạt động trong "
        "{registry}"
    ),
    "check.active_at_anchor": (
        "{operator} đang hoạt động trong {registry} tại thời điểm của khối neo {time}: "
        "{registration}"
    ),
    "check.inactive_at_anchor": (
        "{operator} không hoạt động trong {registry} tại thời điểm của khối neo {time}: "
        "{registration}"
    ),
    "check.registrar_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} đang giữ REGISTRAR_ROLE "
        "trong {registry}"
    ),
    "check.not_registrar_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} không giữ REGISTRAR_ROLE "
        "trong {registry} (chỉ Sở mới nộp kế hoạch)"
    ),
    "check.inactive_nor_registrar_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} không hoạt động trong "
        "{registry} và không giữ REGISTRAR_ROLE"
    ),
    "check.registrar_at_anchor": (
        "{operator} giữ REGISTRAR_ROLE trong {registry} tại khối neo {block}: được cấp ở khối "
        "{granted}"
    ),
    "check.not_registrar_at_anchor": (
        "{operator} không giữ REGISTRAR_ROLE trong {registry} tại khối neo {block} (chỉ Sở mới "
        "nộp kế hoạch)"
    ),
    "check.inactive_nor_registrar_at_anchor": (
        "{operator} không hoạt động trong {registry} tại thời điểm của khối neo {time} "
        "({registration}) và không giữ REGISTRAR_ROLE tại khối {block}"
    ),
    "check.index_in_range": "chỉ số {index} < kích thước {size}",
    "check.index_out_of_range": "chỉ số {index} không nhỏ hơn kích thước checkpoint {size}",
    "check.proof_length": "{count} mã băm",
    "check.proof_length_differs": "bằng chứng bao hàm có {got} mã băm, cần {want}",
    "check.inclusion": "entry là lá số {index} của cây kích thước {size}",
    "check.inclusion_differs": (
        "bằng chứng bao hàm cho ra gốc {computed}, gốc của checkpoint là {root}"
    ),
    "check.checkpoint_signature": "được ký bằng khóa {key}",
    "check.checkpoint_origin": "origin {origin}",
    "check.origin_not_log": "origin của checkpoint là {origin}, log.origin là {log}",
    "check.origin_not_trusted": (
        "origin của checkpoint là {origin}, origin được tin cậy là {trusted}"
    ),
    "check.checkpoint_key": "khóa nhật ký là khóa được tin cậy {key}",
    "check.key_differs": "khóa nhật ký là {key}, khóa được tin cậy là {trusted}",
    "check.checkpoint_key_earlier": (
        "khóa nhật ký là khóa được tin cậy {key}, khóa đã ký các checkpoint dưới kích thước "
        "{until} (checkpoint này có kích thước {size}) trước một lần đổi khóa"
    ),
    "check.no_anchor": "gói bằng chứng chưa có neo (bản ghi chưa được neo)",
    "check.checkpoint_size": "checkpoint chính là checkpoint đã được neo, kích thước {size}",
    "check.anchor_differs": (
        "neo có kích thước {anchor_size} gốc {anchor_root}, checkpoint có kích thước {size} "
        "gốc {root}"
    ),
    "check.anchor_chain": "{contract} trên chuỗi {chain}",
    "check.anchor_chain_differs": (
        "neo là {contract} trên chuỗi {chain}, cần {want} trên chuỗi {want_chain}"
    ),
    "check.anchored_root": (
        "rootAt({size}) trên chuỗi khối là gốc của checkpoint, được neo bởi giao dịch {tx} "
        "trong khối {block}"
    ),
    "check.anchored_root_unlisted": "rootAt({size}) trên chuỗi khối là gốc của checkpoint",
    "check.not_anchored": "kích thước {size} chưa được neo trên chuỗi khối",
    "check.anchored_root_differs": "rootAt({size}) là {onchain}, gốc của checkpoint là {root}",
    "check.anchor_time_differs": (
        "thời điểm của rootAt({size}) là {onchain}, anchor.block_time là {claimed}"
    ),
    "check.transaction_differs": (
        "giao dịch {tx} không neo kích thước {size} trong khối {block} {block_hash}"
    ),
    "check.not_checked": "chưa kiểm tra: {reason}",
    "check.blocked": "{checks} không đạt",
    # Cam kết mã băm, chữ ký và câu trả lời của chuỗi khối.
    "commitment.body": "nội dung có mã băm {computed}, entry.content là {content}",
    "commitment.salted_body": "nội dung có salt có mã băm {computed}, entry.content là {content}",
    "commitment.attachment_order": "tệp đính kèm {position} không theo thứ tự sha256",
    "commitment.attachments": (
        "danh sách tệp đính kèm có mã băm {computed}, entry.attachments là {attachments}"
    ),
    "commitment.document": (
        "tài liệu {name} (sha256 {sha256}, {size} byte) không phải tệp đính kèm của bản ghi"
    ),
    "signature.other_signer": "chữ ký khôi phục ra địa chỉ {signer}, cần {operator}",
    "registry.never_registered": "chưa từng được đăng ký",
    "registry.not_revoked": "{name} được đăng ký lúc {registered}, chưa bị thu hồi",
    "registry.revoked": "{name} được đăng ký lúc {registered}, bị thu hồi lúc {revoked}",
    "chain.root_at": "gốc {root} lúc {time}",
    "chain.latest": "kích thước {size} gốc {root}",
    "chain.anchor_transaction": (
        "khối {block} {block_hash} đã neo kích thước {size} gốc {root} sau kích thước {previous}"
    ),
    "chain.says": "{url} trả lời {answer}",
    "chain.disagree": "các điểm JSON-RPC trả lời khác nhau về {call}: {answers}",
    "chain.endpoint_failed": "{url}: {reason}",
    "chain.too_few": "quá ít điểm JSON-RPC trả lời {call}: {failures}",
    "chain.wrong": "{url} phục vụ chuỗi {served}, cần chuỗi {want}",
    "chain.unreachable": "{url}: {method} không thực hiện được: {reason}",
    "chain.error": "{url}: {method} báo lỗi {error}",
    "ledger.http_error": "GET {url}: HTTP {status} {reason}",
    "ledger.unreachable": "GET {url}: không kết nối được: {reason}",
    # Kiểm toán toàn bộ nhật ký.
    "audit.anchors_beyond": (
        "{count} neo vượt quá kích thước {size} được để lại cho lần kiểm toán sau"
    ),
    "audit.offline_operators": (
        "ngoại tuyến: đã kiểm tra chữ ký, chưa kiểm tra thời gian đăng ký của các đơn vị vận hành"
    ),
    "audit.mirror_no_records": (
        "bản sao cục bộ không chứa bản ghi (cần --ledger để kiểm tra nội dung)"
    ),
    "audit.mirror_no_proofs": (
        "bản sao cục bộ không chứa bằng chứng nhất quán (thay vào đó, gốc của mỗi neo được đối "
        "chiếu với cây dựng lại từ các lá)"
    ),
    "audit.entry": "entry {index}: {problem}",
    "audit.operator_unread": "operatorOf({operator}): {problem}",
    "audit.inactive_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} không hoạt động "
        "({registration})"
    ),
    "audit.inactive_at_anchor": (
        "{operator} không hoạt động tại thời điểm khối {time} của neo {size}: {registration}"
    ),
    "audit.role_unread": "REGISTRAR_ROLE của {operator}: {problem}",
    "audit.not_registrar_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} không giữ REGISTRAR_ROLE "
        "(chỉ Sở mới nộp kế hoạch)"
    ),
    "audit.not_registrar_at_anchor": (
        "{operator} không giữ REGISTRAR_ROLE tại thời điểm khối {time} của neo {size} (chỉ Sở "
        "mới nộp kế hoạch)"
    ),
    "audit.inactive_nor_registrar_now": (
        "chưa được neo nên kiểm tra ở thời điểm hiện tại: {operator} không hoạt động "
        "({registration}) và không giữ REGISTRAR_ROLE"
    ),
    "audit.inactive_nor_registrar_at_anchor": (
        "{operator} không hoạt động tại thời điểm khối {time} của neo {size} ({registration}) "
        "và khi đó không giữ REGISTRAR_ROLE"
    ),
    "audit.other_entry": "bản ghi {record_id} (entry {index}) trả về một entry khác",
    "audit.record_not_served": (
        "bản ghi {record_id} (entry {index}) không được máy chủ cung cấp (HTTP 404)"
    ),
    "audit.record_problem": "bản ghi {record_id} (entry {index}): {problem}",
    "audit.tile_differs": "{tile}: {count} mã băm khác, mã đầu tiên ở vị trí {first}",
    "audit.root_differs": "gốc dựng lại là {rebuilt}, gốc của checkpoint là {root}",
    "audit.anchor_chain_differs": "neo {size} ở trên chuỗi {chain}, cần chuỗi {want}",
    "audit.anchor_root_differs": "neo {size} có gốc {root}, cây dựng lại có gốc {rebuilt}",
    "audit.consistency": "từ {old} đến {new}: {problem}",
    "audit.root_at_failed": "rootAt({size}): {problem}",
    "audit.root_at_differs": (
        "rootAt({size}) là {onchain} lúc {onchain_time}, sổ cái ghi {listed} lúc {listed_time}"
    ),
    # Giám sát nhật ký.
    "alert.checkpoint": "checkpoint của máy chủ không thuộc nhật ký đã ghim: {problem}",
    "alert.rollback": "checkpoint kích thước {size} xuất hiện sau checkpoint kích thước {last}",
    "alert.fork": "kích thước {size} có gốc {root}, trước đó là gốc {earlier}",
    "alert.consistency": "từ kích thước {old} đến {new}: {problem}",
    "alert.anchor_ahead": (
        "chuỗi khối đã neo kích thước {anchored}, máy chủ chỉ cho thấy kích thước {size} và "
        "không chứng minh được cây này là phần đầu của cây đã neo: {problem}"
    ),
    "alert.anchor_consistency": (
        "neo kích thước {anchored} và checkpoint kích thước {size} không nhất quán: {problem}"
    ),
    "alert.anchor_deadline": (
        "checkpoint kích thước {size} thấy từ {age} giây trước vẫn chưa được neo (chuỗi khối "
        "có kích thước {anchored}; hạn {deadline} giây)"
    ),
    "monitor.roots_differ": "kích thước {size} có hai gốc {old} và {new}",
    "monitor.no_proof": "sổ cái không đưa ra bằng chứng nhất quán ({problem})",
    # Kết quả của dòng lệnh.
    "out.label_passed": "ĐẠT",
    "out.label_failed": "KHÔNG ĐẠT",
    "out.label_not_checked": "BỎ QUA",
    "out.verified": "ĐÃ XÁC MINH: bản ghi {record_id}",
    "out.verified_skipped": "ĐÃ XÁC MINH: bản ghi {record_id} (chưa kiểm tra {checks})",
    "out.not_verified": "XÁC MINH THẤT BẠI: không đạt {checks}",
    "out.not_found": (
        "KHÔNG CÓ TRONG SỔ CÁI: sổ cái này ({origin}) không có bản ghi {record_id}: nhật ký đã "
        "ghim trả lời HTTP 404"
    ),
    "out.not_found_unconfirmed": (
        "sổ cái trả lời 404 ({answer}), và không đọc được để biết nó có phục vụ nhật ký đã ghim "
        "hay không: {problem}"
    ),
    "out.other_log": (
        "{url} phục vụ nhật ký {origin} với khóa {key}, không phải nhật ký đã ghim {pinned} với "
        "khóa {pinned_key}"
    ),
    "out.not_checkpointed": (
        "bản ghi {record_id} có trong sổ cái nhưng chưa có checkpoint đã ký nào bao hàm nó: hãy "
        "thử lại sau vài giây"
    ),
    "out.superseded": (
        "ĐÃ BỊ THAY THẾ: bản ghi {record_id} đã được đính chính bằng bản ghi {by} (bản đính "
        "chính đã được xác minh)"
    ),
    "out.false_correction": (
        "ĐÍNH CHÍNH KHÔNG ĐÚNG: sổ cái nêu bản ghi {by} là bản đính chính của bản ghi "
        "{record_id}, nhưng {reason}"
    ),
    "out.correction_not_checked": (
        "ĐÃ BỊ THAY THẾ, CHƯA KIỂM TRA: sổ cái cho biết bản ghi {record_id} đã được đính chính "
        "bằng bản ghi {by}; chưa kiểm tra được bản đính chính: {reason}"
    ),
    "out.corrections_unknown": (
        "lưu ý: không rõ bản ghi {record_id} đã được đính chính hay chưa: {problem}"
    ),
    "out.correction_not_found": "sổ cái không có bản ghi đó (HTTP 404)",
    "out.correction_not_checkpointed": "chưa có checkpoint đã ký nào bao hàm bản ghi đó",
    "out.correction_fails": "bản ghi đó không xác minh được: không đạt {checks}",
    "out.correction_ca_only": (
        "bản ghi đó chỉ được ký bằng chứng thư số, chữ ký CMS của nó được kiểm tra bằng lệnh "
        "infraledger-verify record {by}"
    ),
    "out.correction_other_target": (
        "entry đã ký của bản ghi đó thay thế {target}, không phải bản ghi này"
    ),
    "out.correction_other_operator": (
        "bản ghi đó được ký bởi {operator}, không phải bởi đơn vị vận hành của bản ghi này "
        "{owner}"
    ),
    "out.too_many": "có hơn {most} bản đính chính được nêu: bản này chưa được kiểm tra",
    "out.audit_passed": "đã kiểm tra {checked}",
    "out.audit_failed": "{failed} trên {checked} không đạt: {messages}",
    "out.note": "lưu ý: {note}",
    "out.column_check": "bước kiểm tra",
    "out.column_checked": "đã kiểm",
    "out.column_failed": "lỗi",
    "out.log_verified": "ĐÃ XÁC MINH: nhật ký kích thước {size}",
    "out.log_not_verified": "XÁC MINH THẤT BẠI: nhật ký kích thước {size}: không đạt {checks}",
    "out.stage_entries": "entry",
    "out.stage_tiles": "tile",
    "out.stage_anchors": "neo",
    "out.alert": "CẢNH BÁO",
    "out.seen": "máy chủ cho thấy kích thước {size} gốc {root}",
    "out.seen_anchored": (
        "máy chủ cho thấy kích thước {size} gốc {root}; đã neo trên chuỗi khối: kích thước "
        "{anchored}"
    ),
    "out.seen_nothing": "không thấy checkpoint nào của nhật ký đã ghim",
    "out.poll_unavailable": "KHÔNG KIỂM TRA ĐƯỢC: {problem}",
    "out.pinned": "Tin cậy ở lần dùng đầu tiên: đã ghi {file} từ {url}.",
    "out.pinned_origin": "  origin        {origin}",
    "out.pinned_key": "  khóa nhật ký  {key}",
    "out.pinned_earlier_key": "  khóa trước   {key} (đã ký các checkpoint dưới kích thước {size})",
    "out.history_refused": "KHÔNG ghim: các lần đổi khóa của nhật ký không đứng vững: {problem}",
    "out.pinned_chain": "  chuỗi khối    {chain}, hợp đồng neo {anchor}, sổ đăng ký {registry}",
    "out.pinned_warning": (
        "Máy chủ này tự xác nhận cho chính nó. Hãy so khóa nhật ký với khóa được công bố qua\n"
        "kênh khác (trang web hoặc công báo của cơ quan, tệp tin cậy của đồng nghiệp) trước khi "
        "dựa vào nó."
    ),
    "out.out_deprecated": "--out đã lỗi thời: hãy dùng --trust FILE",
    "out.rotation_followed": (
        "Đã theo lần đổi khóa: từ kích thước {size}, khóa nhật ký là {new}, thay cho {old}; "
        "công bố lúc {time}, có chữ ký của khóa đã ghim và của khóa mới."
    ),
    "out.trust_updated": (
        "Đã cập nhật {file}: tệp ghim {count} khóa của nhật ký này, khóa hiện hành là {key}."
    ),
    "out.trust_up_to_date": "{file} đã cập nhật: khóa nhật ký vẫn là {key}.",
    "out.rotation_refused": "KHÔNG cập nhật: {problem}",
    # Các tuyên bố đổi khóa (GET /v1/log/rotations) mà `trust update` từ chối.
    "rotation.other_origin": (
        "tuyên bố đổi khóa thứ {number} thuộc nhật ký {origin}, nhật ký đã ghim là {pinned}"
    ),
    "rotation.unknown_key": (
        "tuyên bố đổi khóa thứ {number} thay khóa {key}, khóa đã ghim là {pinned}"
    ),
    "rotation.not_signed": (
        "tuyên bố đổi khóa thứ {number} không có chữ ký của khóa đã ghim {key} mà nó thay: "
        "{problem}"
    ),
    "rotation.no_possession": (
        "tuyên bố đổi khóa thứ {number} không có chữ ký của khóa mới {key}: {problem}"
    ),
    "rotation.size_back": (
        "tuyên bố đổi khóa thứ {number} bắt đầu từ kích thước {size}, nhỏ hơn kích thước "
        "{previous} của lần đổi trước"
    ),
    "rotation.key_unreached": (
        "khóa của máy chủ đã đổi mà không có tuyên bố đổi khóa được khóa đã ghim ký: máy chủ "
        "dùng {key}, các tuyên bố của nó dẫn tới {pinned}"
    ),
    "out.error_line": "{program}: lỗi: {message}",
    "out.unavailable": "không kiểm tra được: {problem}",
    "out.file": "không đọc hoặc ghi được tệp {file}: {reason}",
    "out.os": "lỗi hệ thống: {reason}",
    "out.internal": "lỗi nội bộ {kind}: {detail} (vui lòng báo lại)",
    # Lỗi cú pháp lệnh (mã thoát 2).
    "usage.required": "thiếu các đối số bắt buộc: {names}",
    "usage.unrecognized": "đối số không nhận ra: {names}",
    "usage.invalid_choice": "đối số {argument}: lựa chọn không hợp lệ: {value}",
    "usage.expected_one": "đối số {argument}: cần một giá trị",
    "usage.expected_some": "đối số {argument}: cần ít nhất một giá trị",
    "usage.argument": "đối số {argument}: {detail}",
    "usage.other": "lỗi cú pháp lệnh: {detail}",
    "usage.jobs": "cần số tiến trình từ 1 đến {most}",
    "usage.not_seconds": "{value} không phải là số giây",
    "usage.seconds": "cần số giây trong khoảng (0, {most}]",
    "usage.block": "--block: nhận {got}, cần một số, latest, safe hoặc finalized",
    "usage.record_id": "mã bản ghi: nhận {got}, cần 64 chữ số thập lục phân",
    "usage.salt_needs_body": "--salt cần đi kèm --body",
    "usage.audit_source": "audit: hãy cho --ledger URL, --mirror DIR hoặc cả hai",
    "usage.no_trust_file": (
        "không có tệp tin cậy {file}: hãy chạy `{program} trust init --ledger URL` hoặc chỉ ra "
        "--trust FILE"
    ),
    "usage.trust_exists": "{file} đã tồn tại; thêm --force để thay tệp tin cậy đã ghim",
    "usage.out_and_trust": "chỉ cho một trong hai: --trust FILE hoặc tên cũ --out FILE",
    # Trợ giúp.
    "help.usage_prefix": "cách dùng: ",
    "help.arguments": "đối số",
    "help.options": "tùy chọn",
    "help.commands": "lệnh",
    "help.help": "hiện trợ giúp này rồi thoát",
    "help.lang": (
        "ngôn ngữ của thông điệp: vi (tiếng Việt) hoặc en (tiếng Anh); mặc định là vi khi biến "
        "đầu tiên được đặt trong LC_ALL, LC_MESSAGES, LANG bắt đầu bằng vi, nếu không là en"
    ),
    "help.program": (
        "Xác minh bản ghi InfraLedger, kiểm toán và giám sát nhật ký mà không cần tin sổ cái."
    ),
    "help.exit_codes": (
        "mã thoát:\n"
        "  0  đã xác minh\n"
        "  1  có phát hiện: một bước kiểm tra không đạt, bản ghi không có trong sổ cái này,\n"
        "     một bản đính chính không đúng, hoặc trình giám sát phát cảnh báo\n"
        "  2  không kiểm tra được: sai cú pháp lệnh, lỗi tệp cục bộ, hoặc không đọc được sổ cái\n"
        "     hay chuỗi khối (một dòng trên stderr; với --json còn có kết quả JSON trên stdout)"
    ),
    "help.trust_command": "quản lý tệp tin cậy đã ghim",
    "help.trust_description": (
        "Tệp tin cậy ghim một sổ cái: origin và khóa của nhật ký, chuỗi khối, hai hợp đồng và "
        "các điểm JSON-RPC dùng để đọc chuỗi khối."
    ),
    "help.init": "ghim một sổ cái ở lần dùng đầu tiên (GET /v1/log)",
    "help.init_description": (
        "Ghi tệp tin cậy từ chính GET /v1/log của sổ cái (tin cậy ở lần dùng đầu tiên). Hãy so "
        "khóa nhật ký với khóa được công bố qua kênh khác trước khi dựa vào nó."
    ),
    "help.init_exit_codes": (
        "mã thoát:\n"
        "  0  đã ghi tệp tin cậy\n"
        "  1  một phát hiện: các tuyên bố đổi khóa của nhật ký không dẫn tới khóa của nó\n"
        "     (không ghi gì)\n"
        "  2  không ghim được: sai cú pháp lệnh, tệp đã tồn tại (khi không có --force), hoặc\n"
        "     không đọc được sổ cái hay câu trả lời sai định dạng"
    ),
    "help.bundle": "xác minh một tệp gói bằng chứng",
    "help.bundle_description": (
        "Chạy mười sáu bước kiểm tra của verifier/FORMAT.md trên một gói bằng chứng: mỗi bước "
        "một dòng (ĐẠT, KHÔNG ĐẠT, BỎ QUA), rồi đến kết luận."
    ),
    "help.bundle_exit_codes": (
        "mã thoát:\n"
        "  0  đã xác minh: không bước nào không đạt (các bước chưa chạy được đều được nêu tên)\n"
        "  1  có phát hiện: các bước không đạt được nêu tên\n"
        "  2  không kiểm tra được: sai cú pháp lệnh, lỗi tệp cục bộ hay tệp tin cậy, hoặc không\n"
        "     đọc được chuỗi khối"
    ),
    "help.record": "tải gói bằng chứng của một bản ghi rồi xác minh",
    "help.record_description": (
        "Tải GET /v1/records/ID/proof từ sổ cái và xác minh như lệnh `bundle`. Sau đó kiểm tra\n"
        "từng bản đính chính mà sổ cái nêu cho bản ghi (superseded_by): bản đó phải xác minh\n"
        "được, thay thế đúng bản ghi này và được ký bởi đơn vị vận hành của bản ghi này. Một bản\n"
        "ghi thật đã được đính chính vẫn ĐÃ XÁC MINH và được ghi ĐÃ BỊ THAY THẾ, kèm mã bản\n"
        "đính chính."
    ),
    "help.record_exit_codes": (
        "mã thoát:\n"
        "  0  đã xác minh (kể cả khi đã được đính chính bằng một bản đính chính xác minh được:\n"
        "     ĐÃ BỊ THAY THẾ)\n"
        "  1  có phát hiện: một bước kiểm tra không đạt, bản ghi không có trong sổ cái này\n"
        "     (nhật ký đã ghim trả lời HTTP 404), hoặc một bản đính chính mà sổ cái nêu\n"
        "     là không đúng\n"
        "  2  không kiểm tra được: sai cú pháp lệnh, lỗi tệp cục bộ, không đọc được sổ cái hay\n"
        "     chuỗi khối, hoặc chưa có checkpoint đã ký nào bao hàm bản ghi"
    ),
    "help.audit": "dựng lại và kiểm tra toàn bộ nhật ký",
    "help.audit_description": (
        "Dựng lại cây từ mọi gói entry và kiểm tra mọi entry, chữ ký, nội dung công khai, tile,\n"
        "checkpoint và mọi neo (trên chuỗi khối, trừ khi có --offline)."
    ),
    "help.audit_exit_codes": (
        "mã thoát:\n"
        "  0  đã xác minh: không bước kiểm toán nào không đạt\n"
        "  1  có phát hiện: các bước không đạt được nêu tên\n"
        "  2  không kiểm tra được: sai cú pháp lệnh, không đọc được tệp tin cậy, bản sao cục bộ,\n"
        "     sổ cái hay chuỗi khối"
    ),
    "help.monitor": "giám sát các checkpoint và neo của nhật ký",
    "help.monitor_description": (
        "Định kỳ đọc checkpoint của sổ cái và neo mới nhất trên chuỗi khối; cảnh báo khi nhật ký\n"
        "bị lùi, rẽ nhánh, mở rộng không nhất quán, có neo mà máy chủ không cho thấy cũng không\n"
        "chứng minh được, hoặc checkpoint không được neo đúng hạn. Mỗi lần đọc in ra những gì\n"
        "máy chủ cho thấy."
    ),
    "help.monitor_exit_codes": (
        "mã thoát (với --once):\n"
        "  0  không có cảnh báo\n"
        "  1  có cảnh báo (checkpoint, rollback, fork, consistency, anchor_ahead,\n"
        "     anchor_consistency, anchor_deadline)\n"
        "  2  không kiểm tra được: sai cú pháp lệnh, lỗi tệp tin cậy hay tệp trạng thái, không\n"
        "     đọc được sổ cái hay chuỗi khối\n"
        "khi không có --once, lệnh chạy đến khi bị ngắt (mã thoát 0) và báo mỗi lần không đọc\n"
        "được"
    ),
    "help.ledger_init": "URL gốc của sổ cái: GET /v1/log của nó được ghim",
    "help.ledger_update": "URL gốc của sổ cái: theo GET /v1/log/rotations của nó",
    "help.update": "theo các lần đổi khóa của nhật ký, từ khóa đã ghim",
    "help.update_description": (
        "Tải các tuyên bố đổi khóa của sổ cái (GET /v1/log/rotations), kiểm tra mỗi tuyên bố "
        "có chữ ký của khóa đã ghim trước nó và của khóa mới, rồi ghim khóa mới từ kích thước "
        "tuyên bố nêu; các khóa cũ vẫn được ghim cho các checkpoint nhỏ hơn kích thước đó, nên "
        "các gói bằng chứng đã lưu vẫn xác minh được."
    ),
    "help.update_exit_codes": (
        "mã thoát:\n"
        "  0  tệp tin cậy theo đúng khóa hiện hành của nhật ký (đã cập nhật, hoặc vốn đã đúng)\n"
        "  1  một phát hiện: một tuyên bố không có chữ ký của khóa đã ghim hay của khóa mới,\n"
        "     hoặc các tuyên bố không dẫn tới khóa của máy chủ; tệp tin cậy giữ nguyên\n"
        "  2  không kiểm tra được: sai cú pháp lệnh, tệp tin cậy, hoặc không đọc được sổ cái"
    ),
    "help.ledger_record": "URL gốc của sổ cái, nơi tải bản ghi và các bản đính chính",
    "help.ledger_audit": "URL gốc của sổ cái (với --mirror: lấy dữ liệu cho bản sao từ đó)",
    "help.ledger_monitor": "URL gốc của sổ cái",
    "help.trust": "tệp tin cậy đã ghim (mặc định {default})",
    "help.trust_init": "tệp tin cậy sẽ ghi (mặc định {default})",
    "help.out": "tên cũ, đã lỗi thời, của --trust",
    "help.force": "thay tệp tin cậy đã có",
    "help.json": (
        "in mỗi kết quả thành một đối tượng JSON: mã không phụ thuộc ngôn ngữ, thông điệp theo "
        "--lang"
    ),
    "help.bundle_file": "gói bằng chứng (infraledger-proof/1, verifier/FORMAT.md)",
    "help.record_id": "mã bản ghi: 64 chữ số thập lục phân (chấp nhận tiền tố 0x và chữ hoa)",
    "help.body": "nội dung của bản ghi (tệp JSON), khi gói bằng chứng giữ lại nội dung",
    "help.salt": "salt 0x của nội dung hạn chế (đi kèm --body)",
    "help.document": "các tệp phải là tệp đính kèm của bản ghi (SHA-256 và kích thước)",
    "help.rpc": "các điểm JSON-RPC để đọc chuỗi khối, thay cho các điểm trong tệp tin cậy",
    "help.block": (
        "khối dùng để đọc chuỗi khối: một số, latest (mặc định), safe hoặc finalized"
    ),
    "help.offline": (
        "không đọc chuỗi khối (không kiểm tra operator_active và anchored_root)"
    ),
    "help.mirror": (
        "đọc tile từ thư mục tlog-tiles này; với --ledger, lưu vào đó các tile còn thiếu"
    ),
    "help.jobs": "số tiến trình kiểm tra chữ ký entry (mặc định 1)",
    "help.interval": "số giây giữa hai lần đọc (mặc định 10)",
    "help.anchor_deadline": (
        "cảnh báo khi một checkpoint vẫn chưa được neo sau chừng này giây kể từ lần đầu thấy nó "
        "(mặc định 60)"
    ),
    "help.once": "đọc một lần rồi thoát (0 không có cảnh báo, 1 có cảnh báo)",
    "help.state": "lưu những gì đã thấy vào tệp JSON này, giữa các lần chạy",
    # Lỗi: `error.detail` kèm chẩn đoán bằng tiếng Anh của trình phân tích; `error.<lớp>` nêu loại.
    "error.detail": "{kind}: {detail}",
    "error.VerificationError": "lỗi xác minh",
    "error.MalformedInput": "dữ liệu sai định dạng",
    "error.MalformedJSON": "JSON sai định dạng",
    "error.MalformedHex": "chuỗi thập lục phân sai định dạng",
    "error.MalformedBase64": "base64 sai định dạng",
    "error.MalformedHash": "mã băm sai định dạng",
    "error.NotCanonicalizable": "giá trị không có dạng RFC 8785",
    "error.MalformedVerifierKey": "khóa xác minh sai định dạng",
    "error.MalformedNote": "ghi chú có chữ ký sai định dạng",
    "error.MalformedCheckpoint": "checkpoint sai định dạng",
    "error.MalformedTlogProof": "tlog-proof sai định dạng",
    "error.MalformedAddress": "địa chỉ sai định dạng",
    "error.MalformedEntry": "entry sai định dạng",
    "error.MalformedBundle": "gói bằng chứng sai định dạng",
    "error.MalformedTrust": "tệp tin cậy sai định dạng",
    "error.MalformedMonitorState": "tệp trạng thái giám sát sai định dạng",
    "error.MalformedLedgerResponse": "câu trả lời của sổ cái sai định dạng",
    "error.MalformedChainResponse": "câu trả lời của chuỗi khối sai định dạng",
    "error.ProofError": "bằng chứng không chứng minh được",
    "error.IndexOutOfRange": "chỉ số lá nằm ngoài phạm vi",
    "error.WrongProofLength": "bằng chứng có độ dài sai",
    "error.InvalidTreeSizes": "kích thước cây không hợp lệ",
    "error.RootMismatch": "gốc không khớp",
    "error.SignatureError": "chữ ký không hợp lệ",
    "error.NoteSignatureError": "chữ ký checkpoint không hợp lệ",
    "error.SubmissionSignatureError": "chữ ký của bản nộp không hợp lệ",
    "error.CommitmentMismatch": "cam kết mã băm không khớp",
    "error.RecordIdMismatch": "mã bản ghi không khớp",
    "error.TrustMismatch": "khác với tệp tin cậy đã ghim",
    "error.AnchorMismatch": "neo không khớp",
    "error.OperatorInactive": "đơn vị vận hành không hoạt động",
    "error.ChainDisagreement": "các điểm JSON-RPC trả lời khác nhau",
    "error.WrongChain": "chuỗi khối khác",
    "error.Unavailable": "không truy cập được",
    "error.LedgerUnavailable": "không đọc được sổ cái",
    "error.LedgerNotFound": "sổ cái không có dữ liệu này",
    "error.NotCheckpointed": "chưa có checkpoint bao hàm",
    "error.ChainUnavailable": "không đọc được chuỗi khối",
    # Bộ dữ liệu mở xuất ra (verifier/open_data.py, `export`).
    "export.not_listed": "danh mục không liệt kê bản phân phối đã kiểm của tệp này",
    "export.other_checkpoint": "datapackage.json nêu checkpoint khác với catalog.jsonld",
    "export.checkpoint_differs": (
        "danh mục ghi kích thước {size} và gốc {root}, còn ghi chú đã ký ghi kích thước "
        "{note_size} và gốc {note_root}"
    ),
    "export.not_anchored": "rootAt({size}) trên chuỗi khối là {root}, không phải gốc của bản xuất",
    "export.file_differs": (
        "{size} byte, SHA-256 {sha256}; danh mục ghi {want_size} byte, {want_sha256}"
    ),
    "export.resource_differs": (
        "{size} byte, {sha256}: khác số byte và mã băm trong datapackage.json"
    ),
    "export.not_csv": "không phải CSV UTF-8: {detail}",
    "export.header": "dòng tiêu đề không phải các cột của lược đồ {want}",
    "export.width": "dòng không có đủ {want} cột của lược đồ",
    "export.false_correction": (
        "superseded_by nêu {by}, không phải dòng nào của tệp này đính chính bản ghi "
        "này"
    ),
    "export.file_other_checkpoint": "tệp nêu checkpoint khác với catalog.jsonld",
    "export.feature_differs": "đối tượng thứ {position} (bản ghi {record_id}): {problem}",
    "export.geometry_differs": "hình học khác vị trí hoặc tuyến trong bản ghi",
    "export.cell_differs": "cột {column} là {got}, bản ghi chứa {want}",
    "export.bad_record_id": "{got} không phải mã bản ghi",
    "export.not_in_log": "sổ cái không có bản ghi {record_id}",
    "export.bundle_fails": "gói bằng chứng của bản ghi không xác minh được: {checks}",
    "export.signer_unchecked": "bản ghi chỉ được ký bằng chứng thư số và không kiểm tra được chữ "
                               "ký CMS của nó ({codes}): chưa chứng minh được ai đã kê khai",
    "export.after_checkpoint": (
        "chỉ số {index} của bản ghi không nhỏ hơn kích thước {size} của bản "
        "xuất"
    ),
    "export.body_withheld": (
        "sổ cái không công khai nội dung bản ghi này: bản ghi hạn chế nằm trong bản "
        "xuất"
    ),
    "export.inconsistent": (
        "checkpoint kích thước {size} của bản ghi không nhất quán với checkpoint kích thước "
        "{export_size} của bản xuất: {problem}"
    ),
    "export.log_differs": (
        "các gói mục nhập của sổ cái đến kích thước {size} cho gốc {rebuilt}, không phải gốc "
        "{root} của checkpoint"
    ),
    "export.not_described": "datapackage.json không mô tả tài nguyên nào cho bản phân phối này",
    "export.missing": (
        "bản ghi công khai {schema} {record_id} (chỉ số {index}) của nhật ký không có trong tệp "
        "này"
    ),
    "export.not_in_dataset": (
        "bản ghi {record_id} không phải bản ghi {schema} nào của nhật ký dưới kích thước {size}"
    ),
    "export.count_differs": (
        "bộ dữ liệu {dataset}: {member} là {stated}, nhật ký có {counted}"
    ),
    "help.export": "xác minh bộ dữ liệu mở xuất ra (danh mục, tệp, từng dòng, từng bản ghi)",
    "help.export_description": (
        "Xác minh bộ dữ liệu mở xuất ra, thư mục do `infraledger export` ghi hoặc URL của sổ "
        "cái (/v1/export/): checkpoint mà danh mục nêu được ký bằng khóa nhật ký đã ghim (và đã "
        "neo, khi trực tuyến), mỗi tệp có kích thước và SHA-256 như danh mục, mỗi dòng CSV "
        "bằng bản ghi của nó, với gói bằng chứng xác minh được, và mỗi tệp chứa đủ mọi bản ghi "
        "công khai của bộ dữ liệu trong nhật ký đến checkpoint, không thừa bản ghi nào (cả các "
        "số đếm của danh mục)."
    ),
    "help.export_exit_codes": (
        "mã thoát:\n"
        "  0  đã xác minh: checkpoint, mọi tệp, mọi dòng và mọi bản ghi\n"
        "  1  có phát hiện: một kiểm tra không đạt (nêu tệp, dòng và cột)\n"
        "  2  không kiểm tra được: sai cú pháp, tệp cục bộ, sổ cái hoặc chuỗi khối không đọc được"
    ),
    "help.export_source": "thư mục của bản xuất, hoặc URL của sổ cái",
    "help.ledger_export": (
        "URL gốc của sổ cái, nơi tải các gói bằng chứng (mặc định: URL của bản xuất)"
    ),
    "usage.export_ledger": "export: hãy cho --ledger URL để tải gói bằng chứng cho một thư mục",
    "out.export_verified": (
        "ĐÃ XÁC MINH: bản xuất tại checkpoint kích thước {size} của {origin}: {files} tệp, "
        "{rows} dòng"
    ),
    "out.export_not_verified": "CHƯA XÁC MINH: {count} phát hiện trong bản xuất",
    "out.export_finding": "{file}: {message}",
    "out.export_row_finding": "{file} dòng {line} (bản ghi {record_id}): {message}",
    "out.export_more": "và {count} phát hiện khác",
    # CA signatures (verifier.signatures), checked offline from the stored evidence.
    "sig.der": "mã DER không hợp lệ: {detail}",
    "sig.refused": "{status} ({detail})",
    "sig.missing": "thiếu tệp để kiểm tra: {detail}",
    "sig.status_valid": "Chữ ký số hợp lệ",
    "sig.status_cms_invalid": "Cấu trúc chữ ký số (CMS/CAdES) không hợp lệ",
    "sig.status_signature_invalid": (
        "Chữ ký số không khớp với dữ liệu: dữ liệu đã bị thay đổi hoặc chữ ký sai"
    ),
    "sig.status_pdf_invalid": (
        "Tệp PDF không đọc được, không có chữ ký số hoặc chữ ký không đúng định dạng"
    ),
    "sig.status_pdf_modified": (
        "Tệp PDF đã bị thay đổi sau khi ký, hoặc chữ ký không bao trùm toàn bộ tệp"
    ),
    "sig.status_weak_key": (
        "Khóa của chứng thư chữ ký số không đạt yêu cầu (RSA từ 2048 bit, ECDSA từ 256 bit)"
    ),
    "sig.status_weak_algorithm": "Thuật toán băm hoặc thuật toán ký không được chấp nhận",
    "sig.status_cert_untrusted": (
        "Chứng thư chữ ký số không xác thực được tới chứng thư số gốc tin cậy"
    ),
    "sig.status_cert_expired": "Chứng thư chữ ký số đã hết hạn tại thời điểm ký",
    "sig.status_cert_not_yet_valid": "Chứng thư chữ ký số chưa có hiệu lực tại thời điểm ký",
    "sig.status_cert_revoked": "Chứng thư chữ ký số đã bị thu hồi trước thời điểm ký",
    "sig.status_revocation_unavailable": (
        "Không có thông tin trạng thái chứng thư (OCSP hoặc CRL) dùng được"
    ),
    "sig.status_cert_key_usage": (
        "Chứng thư chữ ký số không có mục đích sử dụng chống chối bỏ (nonRepudiation)"
    ),
    "sig.status_cert_identity": (
        "Chứng thư chữ ký số không thuộc đơn vị nộp hồ sơ (mã số thuế hoặc dấu vân tay không khớp)"
    ),
    "sig.status_timestamp_invalid": (
        "Dấu thời gian không hợp lệ hoặc không do đơn vị cấp dấu thời gian tin cậy cấp"
    ),
    "sig.status_signing_time_invalid": (
        "Thời điểm ký không hợp lệ (sau thời điểm tiếp nhận hoặc sau dấu thời gian)"
    ),
    "sig.status_evidence_invalid": (
        "Dữ liệu kiểm tra đã lưu không toàn vẹn hoặc mâu thuẫn với bản ghi"
    ),
    "sig.status_evidence_missing": "Không kiểm tra được: thiếu tệp dữ liệu kiểm tra",
    "sig.status_no_signing_roots": "Không kiểm tra được: tệp tin cậy chưa ghim chứng thư số gốc",
    "sig.status_detail": "{status}: {detail}",
    "sig.report": (
        "chữ ký {format} của {subject} (tổ chức {organisation}, MST {tax_code}), do {issuer} cấp,"
        " số hiệu {serial}, ký lúc {time} ({source}): {status}"
    ),
    "sig.report_unread": "chữ ký {format} (tài liệu dữ liệu kiểm tra {evidence}): {status}",
    "sig.report_untimed": (
        "chữ ký {format} của {subject} (tổ chức {organisation}, MST {tax_code}), do {issuer} cấp,"
        " số hiệu {serial}: {status}"
    ),
    "sig.source_timestamp": "theo dấu thời gian",
    "sig.source_acceptance": "thời điểm tiếp nhận",
    "check.no_ca_signatures": (
        "bản ghi không mang chữ ký số bằng chứng thư của tổ chức (chỉ EIP-712)"
    ),
    "check.ca_signatures_not_asked": "không được yêu cầu kiểm tra chữ ký số bằng chứng thư",
    "check.ca_signatures_refused": "{count} chữ ký số, có chữ ký không được chấp nhận: {codes}",
    "check.ca_signatures_unchecked": "{count} chữ ký số, có chữ ký không kiểm tra được: {codes}",
    "check.ca_signatures": (
        "{count} chữ ký số hợp lệ, kiểm tra ngoại tuyến từ dữ liệu kiểm tra đã lưu"
    ),
    "help.signing_roots": (
        "tệp PEM các chứng thư số gốc mà chữ ký số phải xác thực tới (ví dụ gốc NEAC); được lưu "
        "vào tệp tin cậy"
    ),
    "help.evidence": (
        "các tệp (hoặc thư mục) để kiểm tra chữ ký số: tài liệu dữ liệu kiểm tra, CMS, phản hồi "
        "OCSP, CRL, chứng thư, dấu thời gian, tệp PDF đã ký; mỗi tệp được nhận theo SHA-256 của "
        "nó (lệnh record: tải từ sổ cái khi không được cung cấp)"
    ),
    "help.binding": (
        "gói bằng chứng của các bản ghi binding/1 của đơn vị (dùng bản ghi mới nhất đứng trước "
        "bản ghi trong sổ; lệnh record: tải từ sổ cái khi không được cung cấp)"
    ),
    "fetch.not_served": (
        "sổ cái không cung cấp công khai tệp {sha256} ({reason}): dữ liệu kiểm tra của bản ghi "
        "hạn chế chỉ dành cho thanh tra; hãy cung cấp các tệp bằng --evidence"
    ),
    "fetch.unavailable": "không tải được tệp {sha256} từ sổ cái: {reason}",
    "fetch.changed": "sổ cái trả về, cho tệp {sha256}, dữ liệu có SHA-256 là {got}",
    "help.at": (
        "đồng hồ của bộ xác minh: YYYY-MM-DD hoặc thời điểm ISO 8601 (giờ Việt Nam khi không ghi "
        "múi giờ); mặc định là bây giờ"
    ),
    "usage.binding_fails": (
        "gói bằng chứng binding {file} không xác minh được (không đạt: {checks})"
    ),
    "usage.at": "--at: {got} không phải ngày YYYY-MM-DD hay thời điểm ISO 8601",
    "out.pinned_roots": "đã ghim {count} chứng thư số gốc cho chữ ký số, từ {file}",
    "out.signatures_not_checked": (
        "KHÔNG KIỂM TRA ĐƯỢC: chữ ký số của bản ghi {record_id} (thiếu tệp, xem ca_signatures)"
    ),
    "out.signature": "Chữ ký số: {report}",
    "signature.ca_only": (
        "không có chữ ký EIP-712: bản ghi chỉ được ký bằng chứng thư số (xem ca_signatures)"
    ),
    "check.ca_only_no_evidence": (
        "bản ghi chỉ được ký bằng chứng thư số nhưng không liệt kê tài liệu dữ liệu kiểm tra nào "
        "của chữ ký CMS: không có chữ ký nào trên các trường của bản ghi"
    ),
    "check.ca_only_not_asked": (
        "không được yêu cầu kiểm tra chữ ký số bằng chứng thư, mà bản ghi chỉ được ký bằng chứng "
        "thư số: người ký chỉ được chứng minh bằng chữ ký CMS của bản ghi"
    ),
    "check.ca_only_pades": (
        "bản ghi chỉ được ký bằng chứng thư số nhưng {count} chữ ký số của nó là PAdES, ký trên "
        "tệp PDF chứ không trên các trường của bản ghi: cần một chữ ký CMS trên các trường đó"
    ),
    "check.ca_only_signatures": (
        "bản ghi chỉ được ký bằng chứng thư số: {count} chữ ký số hợp lệ, kiểm tra ngoại tuyến từ "
        "dữ liệu kiểm tra đã lưu; một chữ ký CMS ký các trường của bản ghi cho {operator}"
    ),
    "audit.ca_only": (
        "số bản ghi chỉ được ký bằng chứng thư số: {count}, không tính vào signatures (việc kiểm "
        "toán kiểm tra chữ ký EIP-712, không kiểm tra chữ ký CMS: lệnh infraledger-verify record "
        "<id> kiểm tra CMS của từng bản ghi)"
    ),
    "out.ca_only_not_checked": (
        "KHÔNG KIỂM TRA ĐƯỢC: bản ghi {record_id} chỉ được ký bằng chứng thư số và không kiểm tra "
        "được chữ ký CMS của nó (xem ca_signatures)"
    ),
}
