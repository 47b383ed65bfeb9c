"""EIP-712 submission signatures: the hand-made digest and recovery against eth-account."""

from __future__ import annotations

import hashlib

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.verifier.ledger_double import SUBMISSION_TYPES, signing_domain
from verifier.address import checksum_address, parse_address
from verifier.eip712 import (
    SECP256K1_ORDER,
    SigningDomain,
    TypedDataDigest,
    recover_signer,
    submission_digest,
    verify_submission_signature,
)
from verifier.entry import Entry
from verifier.errors import MalformedAddress, SubmissionSignatureError
from verifier.rfc9162 import LeafHash

ACCOUNTS = [Account.from_key(hashlib.sha256(b"operator %d" % i).digest()) for i in range(8)]


def entry_of(fields: dict[str, object], signature: bytes | None) -> Entry:
    return Entry(
        kind=str(fields["kind"]),
        schema=str(fields["schema"]),
        subject=str(fields["subject"]),
        operator=parse_address(fields["operator"], what="operator"),
        content=bytes(fields["content"]),
        attachments=bytes(fields["attachments"]),
        supersedes=None
        if fields["supersedes"] == bytes(32)
        else LeafHash(bytes(fields["supersedes"])),
        issued_at=int(fields["issued_at"]),
        signature=signature,
    )


submissions = st.fixed_dictionaries(
    {
        "account": st.sampled_from(ACCOUNTS),
        "kind": st.sampled_from(["indicator", "permit", "report"]),
        "schema": st.text(min_size=1, max_size=20),
        "subject": st.text(min_size=1, max_size=60),
        "content": st.binary(min_size=32, max_size=32),
        "attachments": st.binary(min_size=32, max_size=32),
        "supersedes": st.one_of(st.just(bytes(32)), st.binary(min_size=32, max_size=32)),
        "issued_at": st.integers(min_value=0, max_value=2**53 - 1),
        "chain_id": st.sampled_from([1, 31337, 2025, 2**40]),
        "registry": st.binary(min_size=20, max_size=20),
    }
)


@settings(max_examples=1200, deadline=None)
@given(submissions)
def test_recovery_matches_eth_account(sub: dict[str, object]) -> None:
    account = sub["account"]
    registry = checksum_address(sub["registry"])
    domain = signing_domain(sub["chain_id"], registry)
    message = {
        "kind": sub["kind"],
        "schema": sub["schema"],
        "subject": sub["subject"],
        "content": sub["content"],
        "attachments": sub["attachments"],
        "supersedes": sub["supersedes"],
        "issuedAt": sub["issued_at"],
    }
    signed = Account.sign_typed_data(account.key, domain, SUBMISSION_TYPES, message)
    fields = {**sub, "operator": account.address}
    entry = entry_of(fields, bytes(signed.signature))
    ours = SigningDomain(chain_id=sub["chain_id"], verifying_contract=registry)
    digest = submission_digest(entry, ours)
    encoded = encode_typed_data(domain, SUBMISSION_TYPES, message)
    assert Account.recover_message(encoded, signature=signed.signature) == account.address
    assert digest == bytes(signed.message_hash)
    assert recover_signer(digest, bytes(signed.signature)) == account.address
    verify_submission_signature(entry, ours)
    other = SigningDomain(chain_id=ours.chain_id + 1, verifying_contract=registry)
    with pytest.raises(SubmissionSignatureError, match="want " + account.address):
        verify_submission_signature(entry, other)


def signature_parts() -> tuple[TypedDataDigest, int, int, int, str]:
    digest = TypedDataDigest(hashlib.sha256(b"message").digest())
    signed = Account._sign_hash(digest, ACCOUNTS[0].key)
    return digest, signed.r, signed.s, signed.v, ACCOUNTS[0].address


def join(r: int, s: int, v: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v])


def test_v_may_be_0_or_1() -> None:
    digest, r, s, v, address = signature_parts()
    assert recover_signer(digest, join(r, s, v)) == address
    assert recover_signer(digest, join(r, s, v - 27)) == address


def test_high_s_twin_is_refused() -> None:
    digest, r, s, v, _ = signature_parts()
    twin = join(r, SECP256K1_ORDER - s, 55 - v)
    with pytest.raises(SubmissionSignatureError, match="EIP-2"):
        recover_signer(digest, twin)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r, s, v: join(r, s, 29),
        lambda r, s, v: join(0, s, v),
        lambda r, s, v: join(SECP256K1_ORDER, s, v),
        lambda r, s, v: join(r, 0, v),
        lambda r, s, v: join(r, s, v)[:64],
    ],
)
def test_malformed_signatures_are_refused(mutate) -> None:
    digest, r, s, v, _ = signature_parts()
    with pytest.raises(SubmissionSignatureError):
        recover_signer(digest, mutate(r, s, v))


def test_eip55_checksum_is_enforced() -> None:
    address = ACCOUNTS[0].address
    assert parse_address(address, what="a") == address
    for wrong in (address.lower(), "0x" + address[2:].upper(), address[:-1], "0X" + address[2:]):
        if wrong != address:
            with pytest.raises(MalformedAddress):
                parse_address(wrong, what="a")


def test_an_entry_signed_with_a_ca_certificate_only_has_no_eip712_signature() -> None:
    fields = {"kind": "report", "schema": "report/2", "subject": "hue/bao-cao-2025",
              "operator": ACCOUNTS[0].address, "content": bytes(32), "attachments": bytes(32),
              "supersedes": bytes(32), "issued_at": 1_735_689_600}
    entry = entry_of(fields, None)
    domain = SigningDomain(chain_id=31337, verifying_contract=ACCOUNTS[1].address)
    with pytest.raises(SubmissionSignatureError, match="signed with a CA certificate only"):
        verify_submission_signature(entry, domain)
