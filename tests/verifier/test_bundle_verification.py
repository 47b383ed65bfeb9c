"""A genuine bundle verifies offline; each kind of doctoring fails its named check."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from tests.verifier.conftest import OFFLINE_RPC, PUBLIC_WITH_FILES, RESTRICTED, UNANCHORED, World
from tests.verifier.ledger_double import (
    ANCHOR_CONTRACT,
    CHAIN_ID,
    ChainDouble,
    LogDouble,
    NoteKey,
    make_record,
)
from verifier.bundle_verification import (
    CHECKS,
    Document,
    Status,
    SuppliedBody,
    VerificationResult,
    verify_bundle,
)
from verifier.entry import parse_record_id
from verifier.evidence import EVIDENCE_TYPE, Files
from verifier.signatures import SignatureInputs
from verifier.trust import Trust


def statuses(result) -> dict[str, Status]:
    return {check.name: check.status for check in result.checks}


def test_genuine_bundle_verifies_offline(world: World) -> None:
    result = verify_bundle(world.bundle_bytes(0), world.trust(), chain=None)
    assert result.verified, result.failed
    assert [c.name for c in result.checks] == list(CHECKS)
    not_checked = {n for n, s in statuses(result).items() if s is Status.NOT_CHECKED}
    assert not_checked == {"documents", "operator_active", "anchored_root"}
    assert result.record_id == world.log.records[0].leaf.hex()


def test_every_record_of_the_log_verifies(world: World) -> None:
    trust = world.trust()
    for index in range(0, world.log.size, 37):
        assert verify_bundle(world.bundle_bytes(index), trust, chain=None).verified


def test_restricted_body_with_its_salt_verifies(world: World) -> None:
    result = verify_bundle(world.bundle_bytes(RESTRICTED), world.trust(), chain=None)
    assert result.verified
    assert result.checks[1].message == "salted body matches entry.content"


def test_withheld_body_is_reported_as_not_checked(world: World) -> None:
    data = world.bundle_bytes(RESTRICTED, show_body=False)
    result = verify_bundle(data, world.trust(), chain=None)
    assert result.verified
    body = result.checks[1]
    assert (body.name, body.status, body.message) == (
        "body_content_hash",
        Status.NOT_CHECKED,
        "not checked: body withheld",
    )


def test_supplied_body_and_salt_replace_a_withheld_body(world: World) -> None:
    record = world.log.records[RESTRICTED]
    data = world.bundle_bytes(RESTRICTED, show_body=False)
    good = SuppliedBody(body=record.body, salt=record.salt)
    assert verify_bundle(data, world.trust(), chain=None, supplied_body=good).verified
    guessed = SuppliedBody(body={**record.body, "value": 90.0}, salt=record.salt)
    result = verify_bundle(data, world.trust(), chain=None, supplied_body=guessed)
    assert [c.name for c in result.failed] == ["body_content_hash"]


def test_documents_must_be_attachments(world: World) -> None:
    data = world.bundle_bytes(PUBLIC_WITH_FILES)
    held = [
        Document(name, hashlib.sha256(content).digest(), len(content))
        for name, content in world.files.items()
    ]
    result = verify_bundle(data, world.trust(), chain=None, documents=held)
    assert result.verified
    assert statuses(result)["documents"] is Status.PASSED
    forged = Document("report.pdf", hashlib.sha256(b"forged").digest(), 6)
    result = verify_bundle(data, world.trust(), chain=None, documents=[forged])
    assert [c.name for c in result.failed] == ["documents"]
    assert "report.pdf" in result.failed[0].message


def test_unanchored_bundle_verifies_offline_without_anchor_checks(world: World) -> None:
    result = verify_bundle(world.bundle_bytes(UNANCHORED), world.trust(), chain=None)
    assert result.verified
    assert statuses(result)["checkpoint_size"] is Status.NOT_CHECKED
    assert statuses(result)["anchor_chain"] is Status.NOT_CHECKED


def test_bundle_for_another_record_fails_leaf_hash(world: World) -> None:
    asked = parse_record_id(world.log.records[1].leaf.hex())
    result = verify_bundle(
        world.bundle_bytes(0), world.trust(), chain=None, expected_record_id=asked
    )
    assert [c.name for c in result.failed] == ["leaf_hash"]
    assert "want " + asked.hex() in result.failed[0].message


def test_foreign_log_key_fails_checkpoint_key(world: World) -> None:
    from tests.verifier.ledger_double import NoteKey

    impostor = NoteKey()
    bundle = world.log.bundle(3)
    proof, _, _ = bundle["proof"].rpartition("\n\n")
    checkpoint_body = proof.split("\n\n", 1)[1] + "\n"
    bundle["proof"] = proof.split("\n\n", 1)[0] + "\n\n" + impostor.sign(checkpoint_body)
    bundle["log"]["vkey"] = impostor.vkey()
    result = verify_bundle(json.dumps(bundle), world.trust(), chain=None)
    assert [c.name for c in result.failed] == ["checkpoint_key"]


def test_index_beyond_size_fails_index_in_range_and_skips_proof_checks(world: World) -> None:
    bundle = world.log.bundle(3)
    bundle["proof"] = bundle["proof"].replace("index 3\n", "index 300\n", 1)
    result = verify_bundle(json.dumps(bundle), world.trust(), chain=None)
    assert [c.name for c in result.failed] == ["index_in_range"]
    assert statuses(result)["proof_length"] is Status.NOT_CHECKED
    assert statuses(result)["inclusion"] is Status.NOT_CHECKED


def test_truncated_proof_fails_proof_length(world: World) -> None:
    bundle = world.log.bundle(3)
    head, _, rest = bundle["proof"].partition("index 3\n")
    _, _, rest = rest.partition("\n")
    bundle["proof"] = head + "index 3\n" + rest
    result = verify_bundle(json.dumps(bundle), world.trust(), chain=None)
    assert [c.name for c in result.failed] == ["proof_length"]
    assert result.failed[0].message == "inclusion proof has 8 hashes, want 9"


def test_not_json_fails_format_and_nothing_else_runs(world: World) -> None:
    result = verify_bundle(world.bundle_bytes(0)[:-5], world.trust(), chain=None)
    assert [c.name for c in result.failed] == ["format"]
    assert all(c.status is Status.NOT_CHECKED for c in result.checks[1:])
    assert result.record_id is None


def test_result_json_lists_every_check(world: World) -> None:
    result = verify_bundle(world.bundle_bytes(0), world.trust(), chain=None)
    as_json = result.to_json()
    assert as_json["verified"] is True and as_json["failed"] == []
    assert [c["name"] for c in as_json["checks"]] == list(CHECKS)
    assert {c["status"] for c in as_json["checks"]} == {"passed", "not-checked"}


# Records signed with a CA certificate only (entry `signature` null). Their CMS, made and
# checked with a real PKI, is in test_ca_signatures_offline.py; here, what holds without one.

CA_ONLY_REASON = (
    "not checked: no EIP-712 signature: signed with a CA certificate only (see ca_signatures)"
)


@pytest.fixture(scope="module")
def ca_log(world: World) -> LogDouble:
    """A log of three records: CA-only listing no evidence document, CA-only listing one
    (whose files nobody holds here), and EIP-712 listing one."""
    log = LogDouble(NoteKey(seed=bytes(range(32))), ChainDouble(active={world.operator.address}))
    evidence = [("evidence.json", b'{"format": "infraledger-evidence/1"}', EVIDENCE_TYPE)]
    log.append(make_record(world.operator, 0, ca_signed_only=True))
    log.append(make_record(world.operator, 1, files=evidence, ca_signed_only=True))
    log.append(make_record(world.operator, 2, files=evidence))
    log.anchor()
    return log


def verify_ca(log: LogDouble, index: int, bundle: dict[str, object] | None = None,
              signatures: SignatureInputs | None = None) -> VerificationResult:
    data = json.dumps(bundle or log.bundle(index))
    return verify_bundle(data, Trust.parse(log.trust([OFFLINE_RPC])), chain=None,
                         signatures=signatures)


def nothing_given() -> SignatureInputs:
    return SignatureInputs(roots=None, files=Files(), bindings=(), now=datetime.now(UTC))


def test_a_ca_only_record_listing_no_cms_fails_ca_signatures(ca_log: LogDouble) -> None:
    for signatures in (None, nothing_given()):
        result = verify_ca(ca_log, 0, signatures=signatures)
        assert [c.name for c in result.failed] == ["ca_signatures"]
        assert result.ca_signed_only and not result.could_not_check
        checks = {c.name: c for c in result.checks}
        assert (checks["signature"].status, checks["signature"].message) == (
            Status.NOT_CHECKED, CA_ONLY_REASON)
        assert checks["ca_signatures"].text.key == "check.ca_only_no_evidence"
        assert "lists no CMS evidence document" in checks["ca_signatures"].message
        assert checks["ca_signatures"].text.render("vi").startswith(
            "bản ghi chỉ được ký bằng chứng thư số")


def test_a_ca_only_record_whose_cms_was_not_checked_could_not_be_checked(
        ca_log: LogDouble) -> None:
    not_asked = verify_ca(ca_log, 1)
    assert not_asked.verified and not_asked.could_not_check  # nothing failed, nothing proven
    ca = {c.name: c for c in not_asked.checks}["ca_signatures"]
    assert ca.status is Status.NOT_CHECKED and ca.text.key == "check.not_checked"
    assert "its signer is proven by its CMS or not at all" in ca.message
    assert not_asked.to_json()["ca_signed_only"] is True

    missing = verify_ca(ca_log, 1, signatures=nothing_given())
    assert missing.could_not_check
    assert [r.status for r in missing.signatures] == ["evidence_missing"]


def test_an_eip712_record_with_unchecked_ca_signatures_is_as_before(ca_log: LogDouble) -> None:
    result = verify_ca(ca_log, 2)
    assert result.verified and not result.could_not_check and not result.ca_signed_only
    checks = {c.name: c for c in result.checks}
    assert checks["signature"].status is Status.PASSED
    assert checks["ca_signatures"].message == "not checked: CA signatures were not asked for"
    assert verify_ca(ca_log, 2, signatures=nothing_given()).could_not_check


def test_a_ca_only_record_still_holds_its_registry_to_the_trust_file(ca_log: LogDouble) -> None:
    bundle = ca_log.bundle(1)
    bundle["operator_registry"] = {"chain_id": CHAIN_ID, "contract": ANCHOR_CONTRACT}
    result = verify_ca(ca_log, 1, bundle)
    assert [c.name for c in result.failed] == ["signature"]
    assert not result.could_not_check
