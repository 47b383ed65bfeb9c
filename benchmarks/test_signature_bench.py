"""CA-certificate signatures beside the EIP-712 check, in one run.

Each CMS round is a whole `verify_cms` from stored evidence, as at acceptance and as years later:
parse, digest, signature, signer policy, the signature time-stamp (its token and the TSA's
path) and the signer's path at the signing time with OCSP/CRL checks; the network is not in the
timed part (evidence is gathered once, before). The PAdES round validates a signed 2 MB report:
pyHanko's byte-range digest and coverage analysis, then the same checks. The peers are the
EIP-712 fast path (`filings.signing.recover_signer`) and raw libsecp256k1 recovery
(`coincurve.PublicKey.from_signature_and_message`). The independent verifier's offline check of
the same kinds of CMS (`verifier.cms`, from the evidence document's bytes) is set beside the
ledger's. On the operator's side, `sign_cms` of a
filing with the key on a SoftHSM 2 token (PKCS#11, `infraledger submit --cert-key pkcs11:…`)
is set beside the same key in a file. One core: pytest-benchmark runs serially.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from coincurve import PublicKey
from cryptography.hazmat.primitives import serialization

from api.signatures import HttpxTransport
from benchmarks.conftest import RateBoard
from client.certificates import CertificateKey, sign_cms
from client.token import TokenSigner, open_token_signer
from filings.bindings import EvidenceDocument
from filings.signatures import (
    EvidenceCollector,
    sign_detached,
    sign_pdf,
    verify_cms,
    verify_pdf,
)
from filings.signing import SubmissionDomain, SubmissionMessage, recover_signer, sign_submission
from filings.signing import signer_address as eip712_address
from tests.client.softhsm import SoftHsm
from tests.filings.signatures.conftest import loopback
from tests.filings.signatures.documents import report_pdf
from tests.filings.signatures.pki import MST_A, MST_B, TestPki
from tests.filings.signatures.services import PkiServices
from verifier.certificates import SigningRoots
from verifier.cms import parse_signed_data, verify_signer
from verifier.evidence import EvidenceDocument as VerifierEvidenceDocument
from verifier.evidence import Files

POOL = 16
KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
DOMAIN = SubmissionDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
EIP712_PEER = "EIP-712 recover_signer"
RAW_PEER = "coincurve recovery (raw)"
REPORT_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def live_pki() -> Iterator[tuple[TestPki, PkiServices, HttpxTransport]]:
    services = PkiServices()
    pki = TestPki(services.urls)
    services.start(pki)
    with httpx.Client(timeout=10, trust_env=False) as client:
        try:
            yield pki, services, HttpxTransport(client)
        finally:
            services.stop()


def _message(n: int) -> SubmissionMessage:
    return SubmissionMessage(
        kind="indicator", schema="indicator/1",
        subject=f"indicator:bts_shared_ratio:phu_vang:{2000 + n % 100}-Q{1 + n % 4}",
        content=n.to_bytes(32, "big"), attachments=bytes(32), supersedes=None,
        issued_at=1_720_000_000 + n)


@pytest.mark.benchmark(group="signature-verify")
def test_eip712_recover_signer(benchmark: Any, rates: RateBoard) -> None:
    """The peer: the EIP-712 check a submission passes today."""
    pool = [(m, sign_submission(KEY, DOMAIN, m)) for m in map(_message, range(256))]
    following = itertools.cycle(pool)
    operator = eip712_address(KEY)

    def verify() -> None:
        message, signature = next(following)
        assert recover_signer(DOMAIN, message, signature) == operator

    benchmark(verify)
    rates.record(benchmark, EIP712_PEER, 1, "verifications")


@pytest.mark.benchmark(group="signature-verify")
def test_coincurve_recovery(benchmark: Any, rates: RateBoard) -> None:
    """The floor of the EIP-712 check: libsecp256k1 recovery of a precomputed digest."""
    pool = []
    for m in map(_message, range(256)):
        s = sign_submission(KEY, DOMAIN, m)
        pool.append((DOMAIN.digest(m), bytes.fromhex(s[2:130]) + bytes((int(s[130:], 16) - 27,))))
    following = itertools.cycle(pool)

    def recover() -> None:
        digest, signature = next(following)
        PublicKey.from_signature_and_message(signature, digest, hasher=None)

    benchmark(recover)
    rates.record(benchmark, RAW_PEER, 1, "verifications")


@pytest.mark.parametrize(("operator", "timestamped"), [
    ("rsa", True), ("ec", True), ("rsa", False), ("ec", False)])
@pytest.mark.benchmark(group="signature-verify")
def test_cms_verify(benchmark: Any, rates: RateBoard,
                    live_pki: tuple[TestPki, PkiServices, HttpxTransport], operator: str,
                    timestamped: bool) -> None:
    """`verify_cms` of a CAdES-T (or -BES) signature over a 1 KiB filing, evidence stored."""
    pki, services, client = live_pki
    op = pki.operators[operator]
    identity = pki.identity(MST_A if operator == "rsa" else MST_B)
    collector = EvidenceCollector(pki.roots(), client, url_allowed=loopback)
    roots = pki.roots()
    pool = []
    for n in range(POOL):
        data = b"%04d" % n + bytes(1020)
        signature = sign_detached(data, op.key, op.cert, [pki.ca.cert],
                                  services.urls.tsa if timestamped else None, transport=client)
        pool.append((data, signature, collector.for_cms(signature)))
    following = itertools.cycle(pool)

    def verify() -> None:
        data, signature, evidence = next(following)
        result = verify_cms(data, signature, roots=roots, identity=identity, evidence=evidence)
        assert result.valid, result.status

    benchmark(verify)
    key = "RSA-2048" if operator == "rsa" else "ECDSA P-256"
    form = "CAdES-T" if timestamped else "CAdES-BES"
    rates.record(benchmark, f"CMS {form} verify, {key}", 1, "verifications",
                 peers=(EIP712_PEER, RAW_PEER))


@pytest.mark.parametrize(("operator", "timestamped"), [
    ("rsa", True), ("ec", True), ("rsa", False), ("ec", False)])
@pytest.mark.benchmark(group="signature-verify")
def test_verifier_cms_verify(benchmark: Any, rates: RateBoard,
                             live_pki: tuple[TestPki, PkiServices, HttpxTransport],
                             operator: str, timestamped: bool) -> None:
    """The independent verifier's offline check of the same kind of signature, beside the
    ledger's `verify_cms` above: the evidence document and its items parsed from their bytes,
    the CMS parsed by `verifier.der`, then `verifier.cms.verify_signer` (path by
    `cryptography.x509.verification`, OCSP/CRL by `verifier.revocation`)."""
    pki, services, client = live_pki
    op = pki.operators[operator]
    tax_code = MST_A if operator == "rsa" else MST_B
    collector = EvidenceCollector(pki.roots(), client, url_allowed=loopback)
    roots = SigningRoots.parse(pki.root.cert.public_bytes(serialization.Encoding.PEM).decode())
    later = pki.built_at + timedelta(days=5 * 365)
    pool = []
    for n in range(POOL):
        data = b"%04d" % n + bytes(1020)
        signature = sign_detached(data, op.key, op.cert, [pki.ca.cert],
                                  services.urls.tsa if timestamped else None, transport=client)
        evidence = collector.for_cms(signature)
        document = EvidenceDocument("cms", hashlib.sha256(signature).hexdigest(),
                                    evidence.manifest()).to_bytes()
        pool.append((data, signature, document, Files([signature, *evidence.blobs().values()])))
    following = itertools.cycle(pool)

    def verify() -> None:
        data, signature, document, files = next(following)
        stored = VerifierEvidenceDocument.parse(document).evidence(files)
        verify_signer(parse_signed_data(signature), lambda name: hashlib.new(name, data).digest(),
                      cades=True, tampered="signature_invalid", roots=roots, tax_code=tax_code,
                      fingerprints=frozenset(), evidence=stored, now=later)

    benchmark(verify)
    key = "RSA-2048" if operator == "rsa" else "ECDSA P-256"
    form = "CAdES-T" if timestamped else "CAdES-BES"
    rates.record(benchmark, f"verifier CMS {form} offline, {key}", 1, "verifications",
                 peers=(f"CMS {form} verify, {key}", EIP712_PEER))


@pytest.mark.benchmark(group="pades-verify")
def test_pades_verify_2mb_report(benchmark: Any, rates: RateBoard,
                                 live_pki: tuple[TestPki, PkiServices, HttpxTransport]) -> None:
    """`verify_pdf` of a 2 MB report with one PAdES B-T signature (RSA-2048), evidence stored."""
    pki, services, client = live_pki
    op = pki.operators["rsa"]
    pdf = sign_pdf(report_pdf(REPORT_BYTES), op.key, op.cert, [pki.ca.cert], services.urls.tsa,
                   transport=client)
    evidence = EvidenceCollector(pki.roots(), client, url_allowed=loopback).for_pdf(pdf)
    roots, identity = pki.roots(), pki.identity()

    def verify() -> None:
        (result,) = verify_pdf(pdf, roots=roots, identity=identity, evidence=evidence)
        assert result.valid, result.status

    benchmark.pedantic(verify, rounds=15, warmup_rounds=1)
    benchmark.extra_info["pdf_bytes"] = len(pdf)
    rates.record(benchmark, "PAdES B-T verify, 2 MB report", 1, "validations",
                 peers=(EIP712_PEER,))


SIGNERS = {"rsa": "RSA-2048", "crl_only": "ECDSA P-256"}
"""The test PKI's operators whose keys go on the token, and their key kinds."""


@pytest.fixture(scope="module")
def token_signers(live_pki: tuple[TestPki, PkiServices, HttpxTransport],
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TokenSigner]]:
    """A SoftHSM 2 token holding the `SIGNERS` keys and certificates, logged in, by operator."""
    pki = live_pki[0]
    hsm = SoftHsm(tmp_path_factory.mktemp("softhsm"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOFTHSM2_CONF", str(hsm.config))
        hsm.init_token("bench", "1234")
        for n, who in enumerate(SIGNERS, start=1):
            hsm.import_key("bench", "1234", who, bytes((n,)), pki.operators[who].key)
            hsm.add_certificate("bench", "1234", who, bytes((n,)), pki.operators[who].cert)
        pin = Path(hsm.config.parent / "pin")
        pin.write_text("1234\n")
        with open_token_signer("pkcs11:token=bench;object=rsa", module=hsm.module,
                               pin_file=pin) as rsa_signer, \
                open_token_signer("pkcs11:token=bench;object=crl_only", module=hsm.module,
                                  pin_file=pin) as ec_signer:
            yield {"rsa": rsa_signer, "crl_only": ec_signer}


@pytest.mark.parametrize("operator", sorted(SIGNERS, reverse=True))
@pytest.mark.parametrize("what", ["signature", "CMS"])
@pytest.mark.parametrize("where", ["key file", "SoftHSM token"])
@pytest.mark.benchmark(group="signature-sign")
def test_sign(benchmark: Any, rates: RateBoard,
              live_pki: tuple[TestPki, PkiServices, HttpxTransport],
              token_signers: dict[str, TokenSigner], operator: str, what: str,
              where: str) -> None:
    """The operator's side: the one signature value over a CMS's 300-odd bytes of signed
    attributes (`CertificateSigner.sign`), or a whole `sign_cms` of a 1 KiB filing, made by the
    token through PKCS#11 beside the same key in a file (measured first, the peer)."""
    pki = live_pki[0]
    op = pki.operators[operator]
    signer = CertificateKey(op.key, op.cert, (pki.ca.cert,)) if where == "key file" else \
        token_signers[operator]
    if what == "CMS":
        benchmark(sign_cms, bytes(1024), signer)
    else:
        benchmark(signer.sign, bytes(320))
    kind = f"{SIGNERS[operator]} {what} sign"
    rates.record(benchmark, f"{kind}, {where}", 1, "signatures",
                 peers=(f"{kind}, key file",) if where != "key file" else ())
