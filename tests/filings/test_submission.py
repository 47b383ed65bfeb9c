"""Submissions: derived commitments, the rebuilt entry, signature checks and limits."""

from __future__ import annotations

import hashlib
import json
import pickle
from typing import Any

import pytest
import rfc8785
from pydantic import TypeAdapter

from filings.errors import (
    BadSignature,
    BodyTooLarge,
    DuplicateMember,
    FilingError,
    InvalidDomain,
    InvalidSubmission,
    MediaTypeNotAccepted,
    NoRecordSignature,
    OperatorMismatch,
    RetiredSchema,
    SchemaViolation,
    SubjectMismatch,
    UnknownSchema,
)
from filings.signing import (
    EVIDENCE_TYPE,
    SECP256K1_N,
    SubmissionDomain,
    SubmissionMessage,
    checksum_address,
    recover_signer,
    sign_submission,
    submission_message,
)
from filings.submission import (
    MAX_ATTACHMENTS,
    Attachment,
    PreparedSubmission,
    Submission,
    build_entry,
    parse_submission,
)
from ledger.entry import Entry, entry_leaf_hash
from ledger.merkle import leaf_hash
from tests.filings.factories import (
    ATTACHMENTS,
    DOMAIN,
    INDICATOR_BODY,
    INDICATOR_SUBJECT,
    ISSUED_AT,
    KEY,
    OPERATOR,
    OTHER_KEY,
    OTHER_OPERATOR,
    PERMIT_BODY,
    PERMIT_SUBJECT,
    REPORT_BODY,
    REPORT_SUBJECT,
    SALT,
    as_json,
    signed,
)


def build(submission: dict[str, Any]) -> PreparedSubmission:
    return build_entry(parse_submission(as_json(submission)), DOMAIN)


def report(**kwargs: Any) -> dict[str, Any]:
    return signed("report", "report/2", REPORT_SUBJECT, kwargs.pop("body", REPORT_BODY), **kwargs)


def refused(submission: dict[str, Any], error: type[FilingError]) -> FilingError:
    with pytest.raises(error) as caught:
        build(submission)
    return caught.value


# --- Known answer and derivation --------------------------------------------------------------


def test_known_answer() -> None:
    """Pins the digest, signature and record id of one submission, for other implementations."""
    message = submission_message(
        kind="indicator", schema="indicator/2", subject=INDICATOR_SUBJECT, body=INDICATOR_BODY,
        issued_at=ISSUED_AT,
    )
    assert DOMAIN.separator.hex() == (
        "aad277170f0539044a86b7f370fc0ef2d9043227a2976dc7a7415f0fc5c30829"
    )
    assert DOMAIN.digest(message).hex() == (
        "93ddff18cd14986f613b5dfd4da368f0f37827e0302b649a18362086dd51ac06"
    )
    prepared = build(signed())
    assert prepared.entry.signature == (
        "0xd2d995be1b8af29cb54e3244f11356b816276fb3096da0c05e6a862fa2aceda5"
        "03ef136565f5e456a045bec8a23386c5e251b9bec234be73ae67fa831b252f2b1b"
    )
    assert prepared.record_id == (
        "ab628682559f7f609e2876ea0345da36550b67c71e8111317df3042fbbb4af5f"
    )
    assert prepared.entry.operator == OPERATOR == "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"


def test_entry_is_rebuilt_from_the_submission() -> None:
    prepared = build(signed())
    body_json = rfc8785.dumps(INDICATOR_BODY)
    assert prepared.body_bytes == body_json
    assert prepared.entry.content == "0x" + hashlib.sha256(body_json).hexdigest()
    assert prepared.entry.attachments == "0x" + hashlib.sha256(b"[]").hexdigest()
    assert prepared.entry.supersedes is None
    assert prepared.leaf_data == rfc8785.dumps(prepared.entry.to_json())
    assert prepared.leaf_hash == leaf_hash(prepared.leaf_data) == entry_leaf_hash(prepared.entry)
    assert prepared.record_id == prepared.leaf_hash.hex()
    assert Entry.from_json(json.loads(prepared.leaf_data)) == prepared.entry
    assert not prepared.restricted and prepared.salt is None
    assert json.loads(prepared.body_bytes) == INDICATOR_BODY
    assert prepared.attachments == () and prepared.attachment_list is None


def test_restricted_content_is_salted() -> None:
    body = {**PERMIT_BODY, "personal_data": {"name": "Nguyễn Văn A", "phone": "+84 912 345 678"}}
    prepared = build(signed("permit", "permit/2", PERMIT_SUBJECT, body, salt=SALT))
    assert prepared.restricted and prepared.salt == SALT
    want = hashlib.sha256(SALT + rfc8785.dumps(body)).hexdigest()
    assert prepared.entry.content == "0x" + want


def test_attachments_in_any_order_are_committed_sorted() -> None:
    forward = build(report(attachments=list(ATTACHMENTS)))
    backward = build(report(attachments=list(reversed(ATTACHMENTS))))
    ordered = sorted(ATTACHMENTS, key=lambda item: item["sha256"])
    want = hashlib.sha256(rfc8785.dumps(ordered)).hexdigest()
    assert forward.entry.attachments == backward.entry.attachments == "0x" + want
    assert [item.to_json() for item in forward.attachments] == ordered
    assert forward.attachment_digests == tuple(bytes.fromhex(a["sha256"]) for a in ordered)


def test_duplicate_attachment_is_refused() -> None:
    twice = [ATTACHMENTS[0], {**ATTACHMENTS[0], "name": "copy.pdf"}]
    error = refused({**report(attachments=twice[:1]), "attachments": twice}, InvalidSubmission)
    assert "listed twice" in error.message


@pytest.mark.parametrize("prefix", ["", "0x"])
def test_supersedes_takes_a_record_id(prefix: str) -> None:
    old = build(signed()).record_id
    prepared = build(signed(supersedes=prefix + old))
    assert prepared.entry.supersedes == "0x" + old


def test_operator_case_forms() -> None:
    lower = signed(operator=OPERATOR.lower())
    assert build(lower).entry.operator == OPERATOR
    upper = signed(operator="0x" + OPERATOR[2:].upper())
    assert build(upper).entry.operator == OPERATOR
    typo = OPERATOR[:2] + OPERATOR[2:].swapcase()
    assert "EIP-55" in refused(signed(operator=typo), InvalidSubmission).message


# --- Signatures ---------------------------------------------------------------------------------


def test_signature_of_another_key_is_an_operator_mismatch() -> None:
    error = refused(signed(key=OTHER_KEY, operator=OPERATOR), OperatorMismatch)
    assert error.code == "operator_mismatch"
    assert error.details["recovered"] == OTHER_OPERATOR
    assert error.details["operator"] == OPERATOR


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "indicator:bts_shared_ratio:478:2024-07",
         "body": {**INDICATOR_BODY, "period": "2024-07"}},
        {"body": {**INDICATOR_BODY, "value": 31.6}},
        {"issued_at": ISSUED_AT + 1},
        {"supersedes": "ab" * 32},
    ],
    ids=["subject", "body", "issued_at", "supersedes"],
)
def test_any_signed_change_breaks_the_signature(change: dict[str, Any]) -> None:
    build(signed(**change))
    refused({**signed(), **change}, OperatorMismatch)


def test_salt_and_attachments_are_signed() -> None:
    body = {**PERMIT_BODY, "personal_data": {"name": "Trần Thị B"}}
    good = signed("permit", "permit/2", PERMIT_SUBJECT, body, salt=SALT)
    refused({**good, "salt": "0x" + "11" * 32}, OperatorMismatch)
    with_files = report(attachments=list(ATTACHMENTS))
    refused({**with_files, "attachments": [ATTACHMENTS[0]]}, OperatorMismatch)


def test_another_domain_is_an_operator_mismatch() -> None:
    submission = parse_submission(as_json(signed()))
    for domain in (SubmissionDomain(1, DOMAIN.verifying_contract),
                   SubmissionDomain(DOMAIN.chain_id, "0x" + "11" * 20)):
        with pytest.raises(OperatorMismatch):
            build_entry(submission, domain)


def _with_vs(signature: str, v: int, s: int | None = None) -> str:
    raw = bytearray.fromhex(signature[2:])
    if s is not None:
        raw[32:64] = s.to_bytes(32, "big")
    raw[64] = v
    return "0x" + raw.hex()


def test_high_s_and_v_0_1_are_refused() -> None:
    good = signed()
    signature = good["signature"]
    v = int(signature[-2:], 16)
    s = int(signature[66:130], 16)
    high = _with_vs(signature, 55 - v, SECP256K1_N - s)  # the same key's other encoding
    assert "high" in refused({**good, "signature": high}, BadSignature).message
    for bad_v in (v - 27, 29, 0xFF):
        error = refused({**good, "signature": _with_vs(signature, bad_v)}, BadSignature)
        assert error.code == "bad_signature" and "27 or 28" in error.message
    for zero in ("r", "s"):
        raw = bytearray.fromhex(signature[2:])
        start = 0 if zero == "r" else 32
        raw[start:start + 32] = bytes(32)
        refused({**good, "signature": "0x" + raw.hex()}, BadSignature)


def test_recover_signer_rejects_malformed_signatures() -> None:
    message = submission_message(
        kind="indicator", schema="indicator/2", subject=INDICATOR_SUBJECT, body=INDICATOR_BODY,
        issued_at=ISSUED_AT,
    )
    signature = sign_submission(KEY, DOMAIN, message)
    assert recover_signer(DOMAIN, message, signature) == OPERATOR
    for bad in (signature[2:], signature[:-2], signature + "00", "0x" + "zz" * 65,
                signature[:-4] + "  ", "1x" + signature[2:]):
        with pytest.raises(BadSignature):
            recover_signer(DOMAIN, message, bad)


def test_signing_is_low_s_and_v_27_28() -> None:
    for issued_at in range(200):
        message = submission_message(
            kind="report", schema="report/2", subject=f"report:2024:n{issued_at}",
            body=REPORT_BODY, issued_at=issued_at,
        )
        raw = bytes.fromhex(sign_submission(KEY, DOMAIN, message)[2:])
        assert raw[64] in (27, 28)
        assert int.from_bytes(raw[32:64], "big") <= SECP256K1_N // 2


def test_domain_rejects_bad_configuration() -> None:
    assert SubmissionDomain(1, "0x" + "ab" * 20).verifying_contract == checksum_address(
        "0x" + "ab" * 20
    )
    for chain_id in (0, -1, 2**256):
        with pytest.raises(InvalidDomain):
            SubmissionDomain(chain_id, DOMAIN.verifying_contract)
    for address in ("0x1234", "5FbDB2315678afecb367f032d93F642f64180aa3",
                    "0x5fbDB2315678afecb367f032d93F642f64180aa3"):
        with pytest.raises(InvalidDomain):
            SubmissionDomain(1, address)


def test_message_rejects_bad_fields() -> None:
    fields: dict[str, Any] = {
        "kind": "k", "schema": "s", "subject": "x", "content": bytes(32),
        "attachments": bytes(32), "supersedes": None, "issued_at": 0,
    }
    SubmissionMessage(**fields)
    for change in ({"content": bytes(31)}, {"supersedes": "00" * 32}, {"issued_at": -1},
                   {"issued_at": 2**64}, {"attachments": bytearray(32)}):
        with pytest.raises(InvalidSubmission):
            SubmissionMessage(**{**fields, **change})
    with pytest.raises(InvalidSubmission):
        SubmissionMessage(**{**fields, "subject": "\ud800"}).struct_hash()


# --- Shape and limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"issued_at": "1720000000"}, "issued_at"),
        ({"issued_at": 1720000000.0}, "issued_at"),
        ({"issued_at": 2**53}, "issued_at"),
        ({"issued_at": -1}, "issued_at"),
        ({"issued_at": 0}, "issued_at"),
        ({"issued_at": 946_684_799}, "issued_at"),
        ({"subject": "a\nb"}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"subject": ""}, "subject"),
        ({"kind": "Indicator"}, "kind"),
        ({"schema": "indicator/01"}, "schema"),
        ({"salt": "0x" + "AB" * 32}, "salt"),
        ({"salt": "ab" * 32}, "salt"),
        ({"supersedes": "AB" * 32}, "supersedes"),
        ({"supersedes": "ab" * 31}, "supersedes"),
        ({"signature": "0x" + "AB" * 65}, "signature"),
        ({"operator": "0x1234"}, "operator"),
        ({"body": [1, 2]}, "body"),
        ({"extra": 1}, "extra"),
        ({"attachments": [{**ATTACHMENTS[0], "sha256": "0x" + "f" * 64}]}, "attachments.0.sha256"),
        ({"attachments": [{**ATTACHMENTS[0], "size": -1}]}, "attachments.0.size"),
        ({"attachments": [{**ATTACHMENTS[0], "size": "1"}]}, "attachments.0.size"),
        ({"attachments": [{**ATTACHMENTS[0], "name": "x" * 256}]}, "attachments.0.name"),
        ({"attachments": [{**ATTACHMENTS[0], "name": "../etc/passwd"}]}, "attachments.0.name"),
        ({"attachments": [{**ATTACHMENTS[0], "name": ""}]}, "attachments.0.name"),
        ({"attachments": [{**ATTACHMENTS[0], "type": "application/PDF"}]}, "attachments.0.type"),
        ({"attachments": [{**ATTACHMENTS[0], "type": "pdf"}]}, "attachments.0.type"),
        ({"attachments": [{**ATTACHMENTS[0], "type": "text/csv; charset=utf-8"}]},
         "attachments.0.type"),
        ({"attachments": [{**ATTACHMENTS[0], "type": "chemical/x-pdb"}]}, "attachments.0.type"),
        ({"attachments": [{**ATTACHMENTS[0], "extra": True}]}, "attachments.0.extra"),
    ],
)
def test_malformed_fields_are_invalid(change: dict[str, Any], where: str) -> None:
    with pytest.raises(InvalidSubmission) as caught:
        parse_submission(as_json({**signed(), **change}))
    error = caught.value
    assert error.code == "invalid_submission"
    assert error.message.startswith(where)
    assert error.details["errors"][0]["loc"] == where
    assert "input" not in error.details["errors"][0]


def test_a_null_signature_needs_an_evidence_document_and_is_not_recovered() -> None:
    evidence = {"sha256": "cd" * 32, "size": 321, "name": "evidence.json",
                "type": EVIDENCE_TYPE}
    ca_only = build({**report(attachments=[evidence]), "signature": None})
    assert ca_only.entry.signature is None
    assert b'"signature":null' in ca_only.leaf_data
    beside = build(report(attachments=[evidence]))
    assert ca_only.entry.content == beside.entry.content
    assert ca_only.record_id != beside.record_id
    error = refused({**report(), "signature": None}, NoRecordSignature)
    assert error.code == "no_record_signature"
    assert error.details["message"]["vi"].startswith("Bản ghi không có chữ ký EIP-712")
    binding = signed("binding", "binding/1", f"binding:{OPERATOR}", {
        "operator": OPERATOR, "organisation": "VNPT Thừa Thiên Huế", "tax_code": "3300101406",
        "fingerprints": []}, attachments=[evidence])
    build(binding)
    error = refused({**binding, "signature": None}, NoRecordSignature)
    assert "registrar's EIP-712 signature" in error.message


def test_required_fields() -> None:
    for name in ("kind", "schema", "subject", "operator", "body", "issued_at", "signature"):
        submission = signed()
        del submission[name]
        with pytest.raises(InvalidSubmission, match=f"^{name}: Field required"):
            parse_submission(as_json(submission))
    optional = signed()
    for name in ("attachments", "supersedes"):
        del optional[name]
    assert build(optional).record_id == build(signed()).record_id


def test_attachment_count_limit() -> None:
    files = [
        {"sha256": f"{n:064x}", "size": n, "name": f"{n}.pdf", "type": "application/pdf"}
        for n in range(MAX_ATTACHMENTS + 1)
    ]
    assert len(build(report(attachments=files[:MAX_ATTACHMENTS])).attachments) == MAX_ATTACHMENTS
    with pytest.raises(InvalidSubmission, match=r"^attachments: List should have at most 64"):
        parse_submission(as_json(report(attachments=files)))


def test_media_types() -> None:
    for media_type in ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       "image/svg+xml", "application/geo+json", "text/csv"):
        Attachment.model_validate({**ATTACHMENTS[0], "type": media_type})


def test_body_size_limit() -> None:
    big = {"period": "2024", "title": "t", "summary": "ệ" * 17000}  # 51,045 bytes of JCS
    error = refused({**report(), "body": big}, BodyTooLarge)
    assert error.code == "body_too_large"
    under = {"period": "2024", "title": "t", "summary": "ệ" * 16001}  # 48,048 bytes
    with pytest.raises(SchemaViolation, match="at most 16000"):  # the size check passed
        build({**report(), "body": under})


def test_body_depth_limit() -> None:
    deep: dict[str, Any] = {"x": 1}
    for _ in range(15):
        deep = {"x": deep}
    error = refused({**signed(), "body": deep}, SchemaViolation)  # 16 levels: only the schema
    assert error.code == "schema_violation"
    error = refused({**signed(), "body": {"x": deep}}, InvalidSubmission)
    assert "deeper than 16" in error.message


def test_body_numbers_must_be_canonicalisable() -> None:
    for text in ('{"value": NaN}', '{"value": 9007199254740993}'):
        submission = as_json(signed()).replace(b'"value": 31.5', text[1:-1].encode())
        with pytest.raises(InvalidSubmission, match=r"^body: "):
            build_entry(parse_submission(submission), DOMAIN)


def test_unknown_schema() -> None:
    for kind, schema in (("permit", "indicator/2"), ("indicator", "indicator/3"),
                         ("audit", "audit/1")):
        error = refused(signed(kind, schema), UnknownSchema)
        assert error.code == "unknown_schema"
        assert error.details["accepted"] == ["indicator/2", "permit/2", "report/2", "plan/1",
                                             "site/1", "siteowner/1", "route/1", "duct/1",
                                             "binding/1"]
    retired = refused(signed("indicator", "indicator/1"), RetiredSchema)
    assert retired.code == "retired_schema" and retired.details == {"successor": "indicator/2"}


def test_body_rules_apply() -> None:
    error = refused(signed(subject="indicator:bts_shared_ratio:478:2024"), SubjectMismatch)
    assert error.details["want"] == INDICATOR_SUBJECT
    refused(signed(attachments=list(ATTACHMENTS)), SchemaViolation)
    refused(signed(salt=SALT), SchemaViolation)


def test_bulk_validation_with_a_type_adapter() -> None:
    """The HTTP layer validates up to 1,000 raw items at once; each then builds on its own."""
    items = [signed(issued_at=ISSUED_AT + n) for n in range(1000)]
    raw = json.dumps(items, ensure_ascii=False).encode()
    parsed = TypeAdapter(list[Submission]).validate_json(raw)
    assert len(parsed) == 1000 and parsed[0].schema_name == "indicator/2"
    ids = {build_entry(item, DOMAIN).record_id for item in parsed[:50]}
    assert len(ids) == 50


def test_parse_submission_accepts_text_and_objects() -> None:
    submission = signed()
    assert parse_submission(as_json(submission)) == parse_submission(submission)
    assert parse_submission(as_json(submission).decode()) == parse_submission(submission)
    assert parse_submission(submission).model_dump(by_alias=True)["schema"] == "indicator/2"


def test_error_json() -> None:
    error = OperatorMismatch("m", details={"a": 1})
    assert error.to_json() == {"code": "operator_mismatch", "message": "m", "details": {"a": 1}}
    assert BadSignature("m").to_json() == {"code": "bad_signature", "message": "m"}
    assert isinstance(error, BadSignature) and isinstance(error, FilingError)
    assert pickle.loads(pickle.dumps(error)).to_json() == error.to_json()


# --- Duplicate members and accepted media types -------------------------------------------------


def test_duplicate_members_are_refused_wherever_they_are() -> None:
    text = as_json(report(attachments=list(ATTACHMENTS)))
    twice = {
        "top": text[:-1] + b', "kind": "report"}',
        "body": text.replace(b'"period": "2024"', b'"period": "2024", "period": "2024"'),
        "nested": text.replace(b'"value": 28.4', b'"value": 28.4, "value": 99'),
        "attachment": text.replace(b'"size": 0', b'"size": 0, "size": 0'),
        "hidden behind an escaped colon": text.replace(
            b'"value": 28.4', b'"value": 28.4, "value": 28.4, "note": "\\u003a"'),
    }
    for name, data in twice.items():
        with pytest.raises(DuplicateMember) as caught:
            parse_submission(data)
        assert caught.value.code == "duplicate_member", name
        assert "named twice" in caught.value.message


def test_escaped_colons_and_backslashes_are_not_duplicates() -> None:
    body = {**REPORT_BODY, "summary": "Họp lúc 10:30; đường dẫn C:\\u003a"}
    submission = report(body=body)
    text = as_json(submission).replace(b"10:30", b"10\\u003a30")
    assert json.loads(text)["body"]["summary"] == body["summary"]
    assert build_entry(parse_submission(text), DOMAIN).record_id == build(submission).record_id
    plain = json.dumps(submission).encode()  # ensure_ascii: every Vietnamese letter escaped
    assert build_entry(parse_submission(plain), DOMAIN).record_id == build(submission).record_id


def test_attachment_types_must_be_accepted() -> None:
    for media_type in ("image/svg+xml", "text/html", "application/octet-stream",
                       "application/javascript"):
        files = [{**ATTACHMENTS[0], "type": media_type}]
        error = refused(report(attachments=files), MediaTypeNotAccepted)
        assert error.code == "media_type_not_accepted"
        assert error.message.startswith("attachments.0.type")
