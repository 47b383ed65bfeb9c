"""The outcome of checking one CA signature, reported in Vietnamese and English.

Circular 15/2025/TT-BKHCN asks verification software to report, in Vietnamese, the signer, the
signing time and whether the data is intact. A `SignatureResult` carries those facts (subject,
issuer, serial, signing time and where that time comes from) and a `status`: `valid`, or the
stable code of the `FilingError` that refused the signature. `message` and `describe` render it
for people; `to_json` for machines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Final, Literal

from filings.errors import FilingError

SignatureFormat = Literal["cms", "pades"]
TimeSource = Literal["timestamp", "acceptance"]
Language = Literal["vi", "en"]

VALID: Final = "valid"
VIETNAM_TIME: Final = timezone(timedelta(hours=7), "ICT")
"""Indochina Time, UTC+7 all year (no daylight saving), for the times shown to people."""

STATUS_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    VALID: ("Chữ ký số hợp lệ",
            "The digital signature is valid"),
    "cms_invalid": ("Cấu trúc chữ ký số (CMS/CAdES) không hợp lệ",
                    "The CMS/CAdES signature is malformed"),
    "signature_invalid": ("Chữ ký số không khớp với dữ liệu: dữ liệu đã bị thay đổi hoặc chữ "
                          "ký sai",
                          "The signature does not match the data: the data was changed or the "
                          "signature is wrong"),
    "pdf_invalid": ("Tệp PDF không đọc được, không có chữ ký số hoặc chữ ký không đúng định dạng",
                    "The PDF cannot be read, has no signature, or a signature of an unsupported "
                    "form"),
    "pdf_modified": ("Tệp PDF đã bị thay đổi sau khi ký, hoặc chữ ký không bao trùm toàn bộ tệp",
                     "The PDF was changed after signing, or the signature does not cover the "
                     "whole file"),
    "weak_key": ("Khóa của chứng thư chữ ký số không đạt yêu cầu (RSA từ 2048 bit, ECDSA từ 256 "
                 "bit)", "The certificate's key is too weak (want RSA >= 2048 or ECDSA >= 256 "
                 "bits)"),
    "weak_algorithm": ("Thuật toán băm hoặc thuật toán ký không được chấp nhận",
                       "A digest or signature algorithm is not accepted"),
    "cert_untrusted": ("Chứng thư chữ ký số không xác thực được tới chứng thư số gốc tin cậy",
                       "The certificate does not chain to a pinned root"),
    "cert_expired": ("Chứng thư chữ ký số đã hết hạn tại thời điểm ký",
                     "The certificate had expired at the signing time"),
    "cert_not_yet_valid": ("Chứng thư chữ ký số chưa có hiệu lực tại thời điểm ký",
                           "The certificate was not yet valid at the signing time"),
    "cert_revoked": ("Chứng thư chữ ký số đã bị thu hồi trước thời điểm ký",
                     "The certificate was revoked before the signing time"),
    "revocation_unavailable": ("Không có thông tin trạng thái chứng thư (OCSP hoặc CRL) dùng được",
                               "No usable certificate status (OCSP or CRL)"),
    "cert_key_usage": ("Chứng thư chữ ký số không có mục đích sử dụng chống chối bỏ "
                       "(nonRepudiation)",
                       "The certificate lacks the nonRepudiation key usage"),
    "cert_identity": ("Chứng thư chữ ký số không thuộc đơn vị nộp hồ sơ (mã số thuế hoặc dấu vân "
                      "tay không khớp)",
                      "The certificate does not belong to the filing operator (tax code or "
                      "fingerprint mismatch)"),
    "timestamp_invalid": ("Dấu thời gian không hợp lệ hoặc không do đơn vị cấp dấu thời gian tin "
                          "cậy cấp", "The time-stamp is invalid or not from a trusted "
                          "time-stamping authority"),
    "timestamp_missing": ("Chữ ký số không có dấu thời gian",
                          "The signature has no time-stamp"),
    "signing_time_invalid": ("Thời điểm ký không hợp lệ (sau thời điểm tiếp nhận hoặc sau dấu thời "
                             "gian)", "The signing time is invalid (after acceptance or after the "
                             "time-stamp)"),
    "evidence_invalid": ("Dữ liệu kiểm tra đã lưu không toàn vẹn",
                         "The stored validation evidence is not intact"),
    "pdf_signature_unchecked": ("Tệp PDF có chữ ký số nhưng hồ sơ không kèm dữ liệu kiểm tra "
                                "của chữ ký đó: hãy yêu cầu POST /v1/signatures/evidence cho tệp",
                                "The PDF carries a signature but the record lists no evidence "
                                "for it: ask POST /v1/signatures/evidence for the file"),
    "operator_not_bound": ("Đơn vị nộp hồ sơ chưa được gắn với chứng thư chữ ký số (chưa có bản "
                           "ghi binding/1 nào trước hồ sơ này)",
                           "The filing operator is not bound to a certificate identity (no "
                           "binding/1 record before this record)"),
    "binding_changed": ("Bản ghi binding/1 của đơn vị thay đổi trong lúc kiểm tra chữ ký số của "
                        "hồ sơ: hãy nộp lại hồ sơ", "The operator's binding/1 record changed "
                        "while the record's CA signatures were checked: submit it again"),
    "ca_signatures_disabled": ("Sổ cái này không nhận chữ ký số bằng chứng thư",
                               "This ledger does not accept CA signatures"),
    "no_record_signature": ("Bản ghi không có chữ ký EIP-712 phải có chữ ký CMS trên các trường "
                            "của nó: hãy liệt kê tài liệu bằng chứng của CMS",
                            "A record without an EIP-712 signature must carry a CMS signature "
                            "over its fields: list the CMS's evidence document"),
}
_GENERIC = ("Chữ ký số không được chấp nhận", "The signature is not accepted")


def status_message(status: str, language: Language = "vi") -> str:
    """The one-line message for a status code, in Vietnamese (`vi`) or English (`en`)."""
    vi, en = STATUS_MESSAGES.get(status, _GENERIC)
    return vi if language == "vi" else en


def status_messages(status: str) -> dict[str, str]:
    """`status_message` in both languages, `{"vi", "en"}`: the form the API gives bilingual
    text in (`details.message`)."""
    return {"vi": status_message(status, "vi"), "en": status_message(status, "en")}


@dataclass(frozen=True)
class SignatureResult:
    """What is known of one signature and whether it counts.

    `signer`/`issuer` are RFC 4514 names, `serial` the certificate serial in hex, `signed_at` the
    time the signature is proven to exist by (the time-stamp's genTime, or the acceptance time
    when it has none, as `time_source` says). `attachment` is the SHA-256 of the PDF for `pades`.
    Fields are None when the signature could not be read that far.
    """

    format: SignatureFormat
    status: str
    signer: str | None = None
    issuer: str | None = None
    serial: str | None = None
    signed_at: datetime | None = None
    time_source: TimeSource | None = None
    claimed_at: datetime | None = None
    tax_code: str | None = None
    fingerprint: str | None = None
    attachment: str | None = None
    field_name: str | None = None
    error: FilingError | None = field(default=None, compare=False, repr=False)

    @property
    def valid(self) -> bool:
        return self.status == VALID

    def message(self, language: Language = "vi") -> str:
        """The status as one line for people."""
        return status_message(self.status, language)

    def describe(self, language: Language = "vi") -> str:
        """Signer, issuer, serial, signing time and status, one per line (times in UTC+7)."""
        labels = (("Người ký", "Tổ chức cấp", "Số hiệu chứng thư", "Thời điểm ký", "Kết quả")
                  if language == "vi" else
                  ("Signer", "Issuer", "Certificate serial", "Signing time", "Result"))
        when = "-"
        if self.signed_at is not None:
            source = {"timestamp": ("theo dấu thời gian", "from the time-stamp"),
                      "acceptance": ("thời điểm tiếp nhận", "time of acceptance")}
            note = source[self.time_source or "acceptance"][0 if language == "vi" else 1]
            when = f"{self.signed_at.astimezone(VIETNAM_TIME):%Y-%m-%d %H:%M:%S %z} ({note})"
        values = (self.signer or "-", self.issuer or "-", self.serial or "-", when,
                  self.message(language))
        return "\n".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))

    def to_json(self) -> dict[str, Any]:
        """The result as JSON-ready values, with both messages and the error's details."""
        body: dict[str, Any] = {
            "format": self.format, "status": self.status, "signer": self.signer,
            "issuer": self.issuer, "serial": self.serial,
            "signed_at": _iso(self.signed_at), "time_source": self.time_source,
            "claimed_at": _iso(self.claimed_at), "tax_code": self.tax_code,
            "fingerprint": self.fingerprint,
            "message": {"vi": self.message("vi"), "en": self.message("en")},
        }
        if self.format == "pades":
            body["attachment"] = self.attachment
            body["field"] = self.field_name
        if self.error is not None:
            body["detail"] = self.error.message
            if self.error.details:
                body["details"] = self.error.details
        return body

    def raise_for_status(self) -> None:
        """Raise the `FilingError` that refused the signature; nothing when it is valid."""
        if self.error is not None:
            raise self.error


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
