"""Our hand-rolled EIP-712 is eth-account's and ethers' EIP-712, bit for bit.

- 10,000 random submissions (random Unicode kinds, schemas and subjects, random bytes32 values,
  issuedAt up to 2^53-1, random keys, a few random domains): the domain separator, struct hash
  and digest equal eth-account's `encode_typed_data(full_message=...)`; a signature made by
  eth-account recovers with ours, and ours with eth-account's `recover_message`; both sign the
  same bytes (RFC 6979 nonces, low s).
- ethers v6 `Wallet.signTypedData`, run with node, signs submissions our verifier recovers; any
  change to a field, the chain id or the contract recovers another address.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_hash.auto import keccak

from filings.errors import BadSignature
from filings.signing import (
    SECP256K1_N,
    SUBMISSION_FIELDS,
    SubmissionDomain,
    SubmissionMessage,
    recover_signer,
    sign_submission,
    signer_address,
)

ROUNDS = 10_000
SEED = 254_2023
ROOT = Path(__file__).resolve().parents[2]
ETHERS_SIGNER = Path(__file__).with_name("sign_ethers.mjs")

# Code point ranges to draw strings from: ASCII, Latin-1 and Vietnamese letters, combining
# marks, CJK, non-BMP emoji and symbols, control characters. No surrogates (not Unicode scalars).
_RANGES = [(0x00, 0x7F), (0x80, 0x24F), (0x1EA0, 0x1EF9), (0x300, 0x36F), (0x4E00, 0x9FFF),
           (0x1F300, 0x1FAFF), (0x10000, 0x10FFFF), (0xE000, 0xFFFF)]


def random_text(rng: random.Random) -> str:
    length = rng.choice((0, 1, 2, rng.randrange(3, 40), rng.randrange(40, 400)))
    return "".join(chr(rng.randint(*rng.choice(_RANGES))) for _ in range(length))


def random_bytes32(rng: random.Random) -> bytes:
    return rng.choice((bytes(32), b"\xff" * 32, rng.randbytes(32), rng.randbytes(32)))


def random_key(rng: random.Random) -> bytes:
    while True:
        key = rng.randbytes(32)
        if 0 < int.from_bytes(key, "big") < SECP256K1_N:
            return key


def random_message(rng: random.Random) -> SubmissionMessage:
    return SubmissionMessage(
        kind=random_text(rng),
        schema=random_text(rng),
        subject=random_text(rng),
        content=random_bytes32(rng),
        attachments=random_bytes32(rng),
        supersedes=rng.choice((None, random_bytes32(rng))),
        issued_at=rng.choice((0, 1, 2**53 - 1, 2**32, rng.randrange(2**53))),
    )


def random_domain(rng: random.Random) -> SubmissionDomain:
    chain_id = rng.choice((1, 1337, 31337, 2**53 - 1, 2**256 - 1, rng.randrange(1, 2**64)))
    return SubmissionDomain(chain_id, "0x" + rng.randbytes(20).hex())


def eip191_digest(signable: SignableMessage) -> bytes:
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def test_ten_thousand_random_submissions_match_eth_account() -> None:
    rng = random.Random(SEED)
    domains = [random_domain(rng) for _ in range(16)]
    keys = [random_key(rng) for _ in range(ROUNDS)]
    for n in range(ROUNDS):
        domain, key, message = domains[n % len(domains)], keys[n], random_message(rng)
        signable = encode_typed_data(full_message=domain.typed_data(message))
        assert signable.header == domain.separator, n
        assert signable.body == message.struct_hash(), n
        assert eip191_digest(signable) == domain.digest(message), n

        theirs = Account.sign_message(signable, key).signature
        ours = sign_submission(key, domain, message)
        assert "0x" + theirs.hex() == ours, n
        address = Account.from_key(key).address
        assert signer_address(key) == address
        assert recover_signer(domain, message, "0x" + theirs.hex()) == address, n
        assert Account.recover_message(signable, signature=bytes.fromhex(ours[2:])) == address, n


def test_high_s_twin_recovers_in_eth_account_but_not_here() -> None:
    """The refused twin is a valid ECDSA signature: refusing it keeps one leaf per signing."""
    rng = random.Random(SEED + 1)
    for _ in range(50):
        domain, key, message = random_domain(rng), random_key(rng), random_message(rng)
        signature = bytes.fromhex(sign_submission(key, domain, message)[2:])
        s = int.from_bytes(signature[32:64], "big")
        twin = signature[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes((55 - signature[64],))
        signable = encode_typed_data(full_message=domain.typed_data(message))
        assert Account.recover_message(signable, signature=twin) == signer_address(key)
        with pytest.raises(BadSignature, match="high"):
            recover_signer(domain, message, "0x" + twin.hex())


# --- ethers -------------------------------------------------------------------------------------


def run_ethers(domain: SubmissionDomain, jobs: list[tuple[bytes, SubmissionMessage]]) -> list[Any]:
    node = shutil.which("node")
    assert node is not None, "node is needed (the project's set-up installs ethers with npm)"
    assert (ROOT / "node_modules" / "ethers").is_dir(), "run make install: ethers is missing"
    typed = domain.typed_data(jobs[0][1])
    request = {
        "domain": typed["domain"],
        "types": {"Submission": typed["types"]["Submission"]},
        "jobs": [{"private_key": "0x" + key.hex(), "message": message.to_eip712()}
                 for key, message in jobs],
    }
    done = subprocess.run(
        [node, str(ETHERS_SIGNER)], input=json.dumps(request).encode(), capture_output=True,
        check=True, timeout=60, cwd=ROOT,
    )
    results: list[Any] = json.loads(done.stdout)["results"]
    return results


def test_ethers_signatures_recover_here() -> None:
    rng = random.Random(SEED + 2)
    domain = SubmissionDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    fixed = SubmissionMessage(
        kind="indicator", schema="indicator/1",
        subject="indicator:bts_shared_ratio:phu_vang:2024-Q3", content=bytes(range(32)),
        attachments=keccak(b"[]"), supersedes=None, issued_at=1_720_000_000,
    )
    jobs = [(random_key(rng), fixed)] + [(random_key(rng), random_message(rng)) for _ in range(11)]
    results = run_ethers(domain, jobs)
    for (key, message), result in zip(jobs, results, strict=True):
        assert result["address"] == signer_address(key)
        assert result["digest"] == "0x" + domain.digest(message).hex()
        assert result["signature"] == sign_submission(key, domain, message)
        assert recover_signer(domain, message, result["signature"]) == result["address"]


def test_any_change_recovers_another_address() -> None:
    rng = random.Random(SEED + 3)
    domain = SubmissionDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
    message = SubmissionMessage(
        kind="permit", schema="permit/1", subject="permit:phu_loc:125/GP-STTTT",
        content=rng.randbytes(32), attachments=rng.randbytes(32), supersedes=rng.randbytes(32),
        issued_at=1_720_000_000,
    )
    key = random_key(rng)
    [result] = run_ethers(domain, [(key, message)])
    signature, signer = result["signature"], result["address"]
    assert recover_signer(domain, message, signature) == signer

    changed = {
        "kind": "report", "schema": "permit/2", "subject": "permit:phu_loc:126/GP-STTTT",
        "content": rng.randbytes(32), "attachments": rng.randbytes(32), "supersedes": None,
        "issued_at": 1_720_000_001,
    }
    assert [name for name, _ in SUBMISSION_FIELDS] == [
        "kind", "schema", "subject", "content", "attachments", "supersedes", "issuedAt",
    ]
    fields = {name: getattr(message, name) for name in changed}
    for name, value in changed.items():
        other = SubmissionMessage(**{**fields, name: value})
        assert recover_signer(domain, other, signature) != signer, name
    for other_domain in (
        SubmissionDomain(31338, domain.verifying_contract),
        SubmissionDomain(1, domain.verifying_contract),
        SubmissionDomain(domain.chain_id, "0x5fbdb2315678afecb367f032d93f642f64180aa4"),
    ):
        assert recover_signer(other_domain, message, signature) != signer
