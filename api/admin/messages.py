"""What the administration commands of `infraledger` say, in Vietnamese and in English: every
help text of their parsers (`HELP`, shown in one language by the operator's parser,
`client.messages.OperatorParser`), and their one-line bilingual refusals (`refusal_line`; a
usage error is one line too: `client.messages.usage_line`).

The language of the help is chosen as for the operator's commands (`client.messages`: `--lang`
anywhere, else the locale). Error lines do not depend on it: a message of ours says it in
Vietnamese, then English (`client.errors.bilingual`); an exception's or argparse's English
message is kept as it is, after a Vietnamese lead-in saying what failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from client import messages
from client.errors import bilingual
from client.messages import Lang, Wording

HELP: Final[Mapping[str, Wording]] = {
    # infraledger
    "program": Wording(
        "InfraLedger: sổ cái kiểm toán các bản ghi về hạ tầng công cộng, được neo lên một "
        "chuỗi khối EVM có cấp phép.",
        "InfraLedger: an audit ledger for public infrastructure records, anchored on a "
        "permissioned EVM chain.",
    ),
    # infraledger demo
    "demo": Wording(
        "chạy toàn bộ sổ cái trên máy này với dữ liệu mẫu",
        "run the whole ledger on this machine with sample data",
    ),
    "demo_description": Wording(
        "Khởi động chuỗi khối nhúng, triển khai các hợp đồng, đăng ký các doanh nghiệp mẫu "
        "(VNPT, Viettel, MobiFone, FPT Telecom: dữ liệu mẫu), nộp kế hoạch 254 và 455 cùng "
        "các số liệu, trạm và tuyến cáp mẫu qua API thật (một số bản ghi được ký thêm bằng "
        "CMS và PAdES với chứng thư số của một PKI mẫu: MẪU, không phải NEAC), neo chúng lên "
        "chuỗi khối, rồi phục vụ API và các trang công khai. Chạy lại trên cùng thư mục dữ "
        "liệu thì không bản ghi nào bị nộp hai lần.",
        "Start the embedded chain, deploy the contracts, register the sample operators (VNPT, "
        "Viettel, MobiFone, FPT Telecom: sample data), file plans 254 and 455, the sample "
        "figures, sites and routes through the real API (some also signed with CMS and PAdES "
        "by the certificates of a sample PKI: SAMPLE, not NEAC), anchor them, and serve the "
        "API and the public pages. Rerunning on the same data directory files nothing twice.",
    ),
    "demo_host": Wording(
        "địa chỉ lắng nghe của máy chủ (mặc định: 127.0.0.1)",
        "address to serve on (default 127.0.0.1)",
    ),
    "demo_port": Wording(
        "cổng lắng nghe của máy chủ (mặc định: 8000; 0 để tự chọn một cổng còn trống)",
        "port to serve on (default 8000; 0 picks a free one)",
    ),
    "demo_seed_only": Wording(
        "chỉ nộp dữ liệu mẫu, chờ đến khi được neo rồi dừng, không phục vụ",
        "file the sample, wait for its anchor, then stop instead of serving",
    ),
    # infraledger serve, infraledger jobs
    "serve": Wording(
        "phục vụ API và chạy các tác vụ định kỳ (khi vận hành thật)",
        "serve the API and run the jobs (production use)",
    ),
    "serve_description": Wording(
        "Phục vụ API của sổ cái. Cấu hình lấy từ các biến $INFRALEDGER_* và tệp config.json "
        "trong thư mục dữ liệu; --production từ chối mọi cấu hình không an toàn (chuỗi khối "
        "nhúng, SQLite, khóa mẫu hoặc khóa mà ai cũng đọc được, khóa của Sở dùng chung với "
        "dịch vụ neo).",
        "Serve the ledger's API. Settings come from $INFRALEDGER_* variables and the data "
        "directory's config.json; --production refuses unsafe settings (the embedded chain, "
        "SQLite, sample or world-readable keys, a registrar key shared with the anchorer).",
    ),
    "serve_host": Wording(
        "địa chỉ lắng nghe (mặc định: theo cấu hình host)",
        "address to listen on (default: the host setting)",
    ),
    "serve_port": Wording(
        "cổng lắng nghe (mặc định: theo cấu hình port)",
        "port to listen on (default: the port setting)",
    ),
    "serve_workers": Wording(
        "số tiến trình phục vụ API (mặc định: 1)", "API worker processes (default: 1)"
    ),
    "serve_production": Wording(
        "từ chối các cấu hình không an toàn (cũng như INFRALEDGER_PRODUCTION=true)",
        "refuse unsafe settings (also INFRALEDGER_PRODUCTION=true)",
    ),
    "jobs": Wording(
        "chỉ chạy các tác vụ lập điểm kiểm tra và neo",
        "run only the checkpointer and anchor jobs",
    ),
    "jobs_description": Wording(
        "Chạy tác vụ lập điểm kiểm tra và dịch vụ neo mà không phục vụ HTTP (đây là tiến "
        "trình lập lịch mà `serve --workers N` khởi động).",
        "Run the checkpointer and the anchor service without serving HTTP (the scheduler "
        "process `serve --workers N` starts).",
    ),
    # infraledger chain
    "chain": Wording(
        "triển khai các hợp đồng lên chuỗi khối dùng để neo",
        "deploy the contracts on the anchor chain",
    ),
    "chain_description": Wording(
        "Chuỗi khối dùng để neo: chuỗi nhúng trong thư mục dữ liệu, hoặc mạng tại "
        "INFRALEDGER_RPC_URLS.",
        "The anchor chain: the embedded one in the data directory, or the network at "
        "INFRALEDGER_RPC_URLS.",
    ),
    "chain_deploy": Wording(
        "triển khai hai hợp đồng LedgerAnchor và OperatorRegistry",
        "deploy LedgerAnchor and OperatorRegistry",
    ),
    "chain_deploy_description": Wording(
        "Triển khai LedgerAnchor và OperatorRegistry bằng khóa quản trị, cấp quyền "
        "ANCHORER_ROLE và REGISTRAR_ROLE, rồi ghi thông tin triển khai vào config.json. Bản "
        "triển khai đã có được giữ nguyên, trừ khi có --force: các lần neo đã ghi vẫn nằm "
        "trên hợp đồng cũ, và dịch vụ neo sẽ không chạy tiếp trên hợp đồng mới.",
        "Deploy LedgerAnchor and OperatorRegistry from the admin key, grant ANCHORER_ROLE and "
        "REGISTRAR_ROLE, and record the deployment in config.json. An existing deployment is "
        "kept unless --force: the anchors recorded so far stay on the old contract, and the "
        "anchor service refuses to continue on a new one.",
    ),
    "chain_admin_key": Wording(
        "tệp chứa khóa bí mật quản trị (0x + 64 chữ số hex); mặc định: "
        "INFRALEDGER_ADMIN_KEY_FILE, hoặc tài khoản quản trị của chuỗi khối nhúng",
        "file holding the admin's private key (0x + 64 hex digits); default: "
        "INFRALEDGER_ADMIN_KEY_FILE, or the embedded chain's admin account",
    ),
    "chain_anchorer": Wording(
        "địa chỉ được cấp ANCHORER_ROLE (mặc định: địa chỉ khóa của dịch vụ neo)",
        "address to grant ANCHORER_ROLE (default: the anchorer key's)",
    ),
    "chain_registrar": Wording(
        "địa chỉ được cấp REGISTRAR_ROLE (mặc định: địa chỉ khóa đăng ký của Sở)",
        "address to grant REGISTRAR_ROLE (default: the registrar key's)",
    ),
    "chain_force": Wording(
        "triển khai hợp đồng mới dù đã ghi nhận một bản triển khai",
        "deploy new contracts even if a deployment is recorded",
    ),
    # infraledger operators
    "operators": Wording(
        "đăng ký, thu hồi và liệt kê doanh nghiệp", "register, revoke and list operators"
    ),
    "operators_description": Wording(
        "Hợp đồng OperatorRegistry: những địa chỉ nào được nộp bản ghi.",
        "The OperatorRegistry contract: which addresses may submit records.",
    ),
    "operators_register": Wording(
        "đăng ký địa chỉ của một doanh nghiệp", "register an operator address"
    ),
    "operators_register_description": Wording(
        "Đăng ký ADDRESS là một doanh nghiệp đang hoạt động, kèm tên và số giấy phép (giao "
        "dịch được ký bằng khóa đăng ký của Sở).",
        "Register ADDRESS as an active operator with its name and licence number (signed by "
        "the registrar key).",
    ),
    "operators_address": Wording(
        "địa chỉ Ethereum của doanh nghiệp (0x + 40 chữ số hex)",
        "the operator's Ethereum address (0x + 40 hex digits)",
    ),
    "operators_name": Wording(
        "tên doanh nghiệp, ví dụ VNPT Thừa Thiên Huế",
        "the operator's name, e.g. VNPT Thừa Thiên Huế",
    ),
    "operators_licence": Wording(
        "số giấy phép viễn thông của doanh nghiệp", "the operator's telecom licence number"
    ),
    "operators_revoke": Wording(
        "thu hồi địa chỉ của một doanh nghiệp", "revoke an operator address"
    ),
    "operators_revoke_description": Wording(
        "Thu hồi ADDRESS: từ đó các bản nộp của địa chỉ này bị từ chối; các bản ghi đã có "
        "vẫn còn nguyên.",
        "Revoke ADDRESS: its later submissions are refused; its records stay.",
    ),
    "operators_list": Wording(
        "liệt kê mọi địa chỉ đã đăng ký", "list every registered address"
    ),
    "operators_list_description": Wording(
        "Mọi địa chỉ từng được đăng ký, theo thứ tự đăng ký: địa chỉ, tên, giấy phép, còn "
        "hoạt động hay không.",
        "Every address ever registered, in registration order: address, name, licence, "
        "active.",
    ),
    # infraledger anchor
    "anchor": Wording(
        "các lần neo nhật ký lên chuỗi khối", "the log's anchors on the chain"
    ),
    "anchor_description": Wording(
        "Các lần neo điểm kiểm tra của nhật ký lên hợp đồng LedgerAnchor.",
        "The anchors of the log's checkpoints on the LedgerAnchor contract.",
    ),
    "anchor_status": Wording(
        "lần neo gần nhất và độ trễ so với nhật ký",
        "the latest anchor and the lag behind the log",
    ),
    "anchor_status_description": Wording(
        "Lần neo gần nhất (kích thước cây, gốc, giao dịch, khối), điểm kiểm tra gần nhất, và "
        "các lần neo đang chậm hơn nhật ký bao nhiêu, đọc từ cơ sở dữ liệu.",
        "The latest anchor (tree size, root, transaction, block), the latest checkpoint, and "
        "how far the anchors are behind the log, from the database.",
    ),
    "anchor_json": Wording("in ra một đối tượng JSON", "print one JSON object"),
    # infraledger tiles
    "tiles": Wording(
        "các tile C2SP tlog-tiles của nhật ký, dưới dạng tệp tĩnh",
        "the log's C2SP tlog-tiles as static files",
    ),
    "tiles_description": Wording(
        "Điểm kiểm tra, các tile Merkle và các gói bản ghi (entry bundle) của nhật ký, xếp "
        "thành một thư mục theo bố cục C2SP tlog-tiles để máy chủ web, kho lưu trữ đối tượng "
        "hay CDN nào cũng phục vụ được.",
        "The log's checkpoint, Merkle tiles and entry bundles as a directory in the C2SP "
        "tlog-tiles layout, for any web server, object store or CDN to serve.",
    ),
    "tiles_export": Wording(
        "ghi mới hoặc cập nhật một thư mục tlog-tiles", "write or update a tlog-tiles directory"
    ),
    "tiles_export_description": Wording(
        "Ghi mọi tile và gói bản ghi của điểm kiểm tra đã ký gần nhất mà DIR còn thiếu (mỗi "
        "tệp chỉ ghi một lần), sau cùng là điểm kiểm tra (thay trọn trong một bước). Từ chối "
        "một thư mục đang chứa điểm kiểm tra của nhật ký khác.",
        "Write every tile and entry bundle of the latest signed checkpoint that DIR lacks "
        "(each file written once), then the checkpoint (replaced atomically). Refuses a "
        "directory that holds another log's checkpoint.",
    ),
    "tiles_directory": Wording(
        "thư mục sẽ được phục vụ tại <prefix>/ (ví dụ /tlog/)",
        "the directory to serve as <prefix>/ (e.g. /tlog/)",
    ),
    # infraledger export
    "export": Wording(
        "xuất dữ liệu mở (CSV, GeoJSON, Data Package, DCAT)",
        "write the open-data export (CSV, GeoJSON, Data Package, DCAT)",
    ),
    "export_description": Wording(
        "Ghi các bản ghi công khai của nhật ký thành các tệp CSV và GeoJSON (các trạm và "
        "tuyến cáp trên bản đồ), kèm một Frictionless Data Package và một danh mục DCAT 3 "
        "(catalog.jsonld) ghi rõ điểm kiểm tra đã ký mà dữ liệu được lấy tại đó, để mọi "
        "dòng, đối tượng địa lý và tệp đều kiểm tra được với nhật ký.",
        "Write the public records of the log as CSV and GeoJSON files (the sites and cable "
        "routes on a map) with a Frictionless Data Package and a DCAT 3 catalogue "
        "(catalog.jsonld) naming the signed checkpoint they were taken at, so every row, "
        "feature and file can be verified against the log.",
    ),
    "export_directory": Wording("thư mục sẽ ghi vào", "the directory to write"),
    "export_size": Wording(
        "xuất tại điểm kiểm tra đã ký có kích thước N (mặc định: điểm kiểm tra đã neo gần "
        "nhất)",
        "export at the signed checkpoint of size N (default: the latest anchored checkpoint)",
    ),
    # infraledger log
    "log": Wording("khóa ký của nhật ký", "the log's signing key"),
    "log_description": Wording(
        "Khóa ký Ed25519 của nhật ký (khóa ký các điểm kiểm tra).",
        "The log's Ed25519 signing key (the checkpoints' signer).",
    ),
    "log_rotate_key": Wording(
        "thay khóa của nhật ký bằng một khóa mới, có công bố",
        "replace the log key by a new one, announced",
    ),
    "log_rotate_key_description": Wording(
        "Khi máy chủ đã dừng: tạo một khóa mới cho nhật ký, ghi thêm vào log-rotations.txt "
        "(cạnh tệp khóa) một tuyên bố đổi khóa có chữ ký của cả khóa cũ lẫn khóa mới, cất "
        "khóa cũ thành log-<key id>.skey.retired (quyền 0600) rồi cài khóa mới. Người xác "
        "minh cập nhật theo bằng `infraledger-verify trust update`; các trang bản ghi tự cập "
        "nhật theo.",
        "With the server stopped: make a new log key, append a rotation statement signed by "
        "the old and the new key to log-rotations.txt beside the key file, keep the old key "
        "as log-<key id>.skey.retired (mode 0600) and install the new key. Verifiers follow "
        "it with `infraledger-verify trust update`; the record pages follow it by themselves.",
    ),
    # infraledger report
    "report": Wording(
        "lập (và nộp) báo cáo năm về việc thực hiện các kế hoạch",
        "write (and file) the yearly report on the plans",
    ),
    "report_description": Wording(
        "Lập báo cáo năm gửi Ủy ban nhân dân (HTML và PDF, bằng tiếng Việt) đúng như một sổ "
        "cái đang chạy lập tại điểm kiểm tra đã neo gần nhất của nó; với --file, nộp báo cáo "
        "thành một bản ghi report/2 do Sở ký, đính kèm tệp PDF; có thêm --cert-key thì tệp "
        "PDF được ký PAdES bằng chứng thư số tổ chức của Sở (chứng thư mà binding/1 của Sở "
        "ghi; trong một tệp hoặc trên token PKCS#11), bằng chứng của chữ ký do sổ cái thu "
        "thập và liệt kê bên cạnh; với --tsa, chữ ký là PAdES B-T có dấu thời gian của tổ "
        "chức cấp dấu thời gian ấy.",
        "Write the yearly report to the People's Committee (HTML and PDF, in Vietnamese) as a "
        "running ledger makes it at its latest anchored checkpoint; with --file, file it as a "
        "report/2 record signed by the registrar, the PDF attached; with --cert-key too, the "
        "PDF signed with PAdES by the department's organisation certificate (the one the "
        "registrar's binding/1 names; in a file or on a PKCS#11 token), its evidence gathered "
        "by the ledger and listed beside it; with --tsa, a PAdES B-T time-stamped by that "
        "authority.",
    ),
    "report_year": Wording("năm được báo cáo", "the year reported on"),
    "report_size": Wording(
        "lập báo cáo tại điểm kiểm tra đã ký có kích thước cây N (mặc định: điểm kiểm tra "
        "đã neo gần nhất)",
        "make the report at the signed checkpoint of tree size N (default: the latest "
        "anchored one)",
    ),
    "report_out": Wording(
        "thư mục ghi các tệp (mặc định: thư mục hiện tại)",
        "where to write the files (default: the current directory)",
    ),
    "report_file": Wording(
        "nộp báo cáo vào sổ cái, do Sở ký", "file the report in the ledger, signed by the registrar"
    ),
    "report_url": Wording(
        "máy chủ sổ cái (mặc định: http://HOST:PORT theo cấu hình)",
        "the ledger server (default: http://HOST:PORT of the settings)",
    ),
    "report_key": Wording(
        "tệp khóa đăng ký của Sở (mặc định: registrar_key_file, nếu không có thì tài khoản "
        "đăng ký của chuỗi khối nhúng)",
        "the registrar's key file (default: registrar_key_file, else the embedded chain's "
        "registrar account)",
    ),
    "report_cert_key": Wording(
        "cùng với --file, ký thêm tệp PDF (PAdES) bằng chứng thư số tổ chức của Sở: một tệp "
        "PKCS#12, một tệp PEM chứa khóa, chứng thư số và chuỗi chứng thư của nó, hoặc một "
        "token PKCS#11 dạng 'pkcs11:token=LABEL;object=LABEL' (như infraledger submit "
        "--cert-key)",
        "with --file, also sign the PDF (PAdES) with the department's organisation "
        "certificate: a PKCS#12 file, a PEM file with the key, the certificate and its chain, "
        "or a PKCS#11 token as 'pkcs11:token=LABEL;object=LABEL' (as infraledger submit "
        "--cert-key)",
    ),
    "report_tsa": Wording(
        "gắn dấu thời gian cho chữ ký --cert-key của tệp PDF tại tổ chức cấp dấu thời gian "
        "RFC 3161 này (PAdES B-T): thời điểm ký của bản ghi khi đó là thời điểm do tổ chức "
        "này xác nhận",
        "time-stamp the PDF's --cert-key signature at this RFC 3161 time-stamping authority "
        "(PAdES B-T): the record's signing time is then the authority's",
    ),
    # infraledger tokens
    "tokens": Wording(
        "mã truy cập (bearer token) của cơ quan thanh tra và của Sở",
        "bearer tokens of inspectors and the registrar",
    ),
    "tokens_description": Wording(
        "Cấp, liệt kê và thu hồi mã truy cập (bearer token) của vai trò thanh tra (inspector) "
        "và vai trò đăng ký của Sở (registrar); chỉ mã băm SHA-256 của chúng được lưu.",
        "Issue, list and revoke the bearer tokens of the inspector and registrar roles "
        "(stored as SHA-256 hashes).",
    ),
    "tokens_create": Wording(
        "cấp một mã truy cập (chỉ hiện một lần)", "issue a token (shown once)"
    ),
    "tokens_create_description": Wording(
        "Cấp một mã truy cập cho vai trò đã chọn và in ra đúng một lần: chỉ mã băm SHA-256 "
        "của nó được lưu, nên mã đã mất thì không hiện lại được (hãy cấp mã khác).",
        "Issue a bearer token of the role given and print it once: only its SHA-256 is "
        "stored, so a lost token cannot be shown again (issue another).",
    ),
    "tokens_role": Wording(
        "vai trò của mã: inspector (cơ quan thanh tra, đọc được cả bản ghi hạn chế) hoặc "
        "registrar (Sở)",
        "the token's role: inspector (reads restricted records too) or registrar (the "
        "department)",
    ),
    "tokens_label": Wording(
        "ai hoặc hệ thống nào giữ mã này", "who or what holds it"
    ),
    "tokens_list": Wording("mọi mã truy cập đã cấp", "every token issued"),
    "tokens_list_description": Wording(
        "Mọi mã truy cập đã cấp, mỗi mã một dòng: phần đầu mã băm SHA-256, vai trò, trạng thái "
        "(active: còn hiệu lực, revoked: đã thu hồi), thời điểm cấp và nhãn.",
        "Every token issued, one a line: the start of its SHA-256, its role, its state (active "
        "or revoked), when it was issued and its label.",
    ),
    "tokens_revoke": Wording("thu hồi một mã truy cập", "revoke a token"),
    "tokens_revoke_description": Wording(
        "Thu hồi mã truy cập có mã băm SHA-256 bắt đầu bằng PREFIX (ít nhất 8 chữ số hex): "
        "từ lúc đó mã bị từ chối (HTTP 401).",
        "Revoke the token whose SHA-256 starts with PREFIX (at least 8 hex digits): it is "
        "refused at once (HTTP 401).",
    ),
    "tokens_reference": Wording(
        "mã băm SHA-256 của mã truy cập, hoặc ít nhất 8 chữ số hex đầu của nó (xem `list`)",
        "the token's SHA-256 or its first 8+ hex digits (see `list`)",
    ),
}
"""Every help text of the administration commands, by key."""

FAILED: Final[Mapping[str, str]] = {
    "demo": "không chạy được bản trình diễn",
    "serve": "không phục vụ được sổ cái",
    "jobs": "không chạy được các tác vụ định kỳ",
    "chain deploy": "không triển khai được các hợp đồng",
    "operators register": "không đăng ký được doanh nghiệp",
    "operators revoke": "không thu hồi được doanh nghiệp",
    "operators list": "không đọc được danh sách doanh nghiệp",
    "anchor status": "không đọc được trạng thái neo",
    "tiles export": "không xuất được thư mục tlog-tiles",
    "export": "không xuất được dữ liệu mở",
    "log rotate-key": "không thay được khóa của nhật ký",
    "report": "không lập hoặc nộp được báo cáo năm",
    "tokens create": "không cấp được mã truy cập",
    "tokens list": "không liệt kê được mã truy cập",
    "tokens revoke": "không thu hồi được mã truy cập",
}
"""What failed, in Vietnamese, by command: the lead-in of a refusal's English message."""


def say(lang: Lang, key: str) -> str:
    """The help text `key` of `HELP` in `lang` (a description: used as written)."""
    return messages.say(lang, key, table=HELP)


def option_help(lang: Lang, key: str) -> str:
    """The help text `key` of `HELP` in `lang`, for an option or a sub-command's summary
    (argparse %-formats those)."""
    return messages.option_help(lang, key, table=HELP)


def refusal_line(command: str, english: str) -> str:
    """The one line a refusal of `infraledger COMMAND` says: what failed in Vietnamese, then
    the refusal's English message as it is."""
    return f"infraledger {command}: " + bilingual(FAILED[command], english)

