"""CA signatures verified offline by `infraledger-verify`, from the stored evidence alone.

The records come from the real ledger (uvicorn, the embedded chain, SQLite) with the test PKI of
`tests.filings.signatures` and its live OCSP responder, CRL repository and TSA on 127.0.0.1: a
registrar binding, a CMS-signed (CAdES-T) report, a report signed with its CMS only (entry
`signature` null) and a PAdES-signed PDF report, accepted. Their
bundles, the binding's bundle, the evidence documents and every blob they name are downloaded;
then the ledger and the PKI's services are stopped, and the verifier runs `--offline` with a clock
five years on, after the signer's certificate expired. Forgeries the ledger would never accept (a
CMS changed by one byte, an OCSP response signed by another key) are put in the verifier's test
log instead (`tests.verifier.ledger_double`), with a CMS made and evidence gathered by the
ledger's own code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest
from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from api.app import create_app
from api.serving import ServerThread
from api.settings import Settings
from api.signatures import HttpxTransport
from filings.bindings import EvidenceDocument, binding_subject, record_cms_bytes
from filings.signatures import (
    Evidence,
    EvidenceCollector,
    EvidenceItem,
    EvidenceKind,
    sign_detached,
    sign_pdf,
)
from filings.signing import (
    EVIDENCE_TYPE,
    NO_ATTACHMENTS,
    AttachmentRef,
    SubmissionDomain,
    SubmissionMessage,
    ca_signed_bytes,
    sign_attachment,
)
from filings.submission import prepare
from ledger.entry import Entry as LedgerEntry
from tests.filings.factories import ISSUED_AT, REPORT_BODY, REPORT_SUBJECT, as_json, signed
from tests.filings.signatures.conftest import loopback
from tests.filings.signatures.documents import report_pdf
from tests.filings.signatures.pki import MST_A, TestPki, Urls, ec_key
from tests.filings.signatures.services import PkiServices
from tests.server_fixtures import SAMPLE, auth, registrar_key
from tests.verifier.conftest import OFFLINE_RPC
from tests.verifier.ledger_double import (
    CHAIN_ID,
    OPERATOR_REGISTRY,
    ChainDouble,
    LogDouble,
    NoteKey,
    Record,
    sha256,
    sign_submission,
    signing_domain,
)
from verifier import der
from verifier.bundle import ProofBundle
from verifier.canonical_json import canonicalize
from verifier.cli import main
from verifier.der import MalformedDer
from verifier.errors import MalformedInput, MalformedTrust
from verifier.pdf_signature import pdf_signatures
from verifier.signature_status import SignatureRefused
from verifier.signatures import binding_of, cms_signed_bytes
from verifier.trust import Trust

OPERATOR = SAMPLE.active
ORGANISATION = "Công ty Viễn thông Thử nghiệm"
FIVE_YEARS = timedelta(days=5 * 365)


@pytest.fixture
def services() -> Iterator[PkiServices]:
    running = PkiServices()
    running.start(TestPki(running.urls))
    try:
        yield running
    finally:
        running.stop()


def tsa_transport() -> HttpxTransport:
    return HttpxTransport(httpx.Client(timeout=10, trust_env=False))


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    """`infraledger-verify` with `--json`: the exit code and the printed result."""
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else None


def check(result: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [c for c in result["checks"] if c["name"] == name]
    return found


@dataclass
class Filed:
    """What the real ledger accepted, as files: nothing of it is served any more."""

    pki: TestPki
    trust: Path
    cms_bundle: Path
    pades_bundle: Path
    ca_only_bundle: Path
    ca_only_online: tuple[int, Any]
    """`record <id> --ledger URL --offline --json` of the CA-only record while the ledger still
    ran (the chain is not read: the record may not be anchored yet)."""
    binding: Path
    evidence: Path
    cms_sha256: str
    pdf: Path

    def verify(self, capsys: pytest.CaptureFixture[str], bundle: Path, *options: str,
               at: datetime | None = None) -> tuple[int, Any]:
        when = at or self.pki.built_at + FIVE_YEARS
        return run(capsys, "bundle", str(bundle), "--offline", "--trust", str(self.trust),
                   "--binding", str(self.binding), "--at", when.date().isoformat(), *options)


@pytest.fixture
def filed(ledger_settings: Settings, ledger_domain: SubmissionDomain, inspector_token: str,
          services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Filed:
    """A binding, a CMS-signed report and a PAdES report accepted by the real ledger, their
    proofs and evidence downloaded, then the ledger and the PKI's services stopped."""
    pki = services.pki
    assert pki is not None
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pem(pki.root.cert))
    settings = ledger_settings.model_copy(update={
        "ca_signatures": True, "signing_roots_file": roots, "signing_loopback_urls": True})
    domain = ledger_domain
    signer = pki.operators["rsa"]
    evidence_dir = tmp_path / "evidence"
    evidence_dir.mkdir()
    trust = tmp_path / "trust.json"
    with ServerThread(create_app(settings)) as url, httpx.Client(
            base_url=url, timeout=30, trust_env=False) as http:
        binding_id = submit(http, signed(
            "binding", "binding/1", binding_subject(OPERATOR.address),
            {"operator": OPERATOR.address, "organisation": "VNPT Thừa Thiên Huế",
             "tax_code": MST_A, "fingerprints": []},
            key=registrar_key(settings), domain=domain, issued_at=ISSUED_AT - 3600))

        data = record_cms_bytes(domain, *prepared(report(domain, []), domain))
        cms = sign_detached(data, signer.key, signer.cert, [pki.ca.cert], services.urls.tsa,
                            transport=tsa_transport())
        cms_sha256 = hashlib.sha256(cms).hexdigest()
        listed = gather(http, {"cms": base64.b64encode(cms).decode()}, cms_sha256)
        cms_id = submit(http, report(domain, [listed]))

        pdf = sign_pdf(report_pdf(), signer.key, signer.cert, [pki.ca.cert], services.urls.tsa,
                       transport=tsa_transport())
        file = upload(http, pdf)
        listed_pdf = gather(http, {"pdf": file["sha256"]}, file["sha256"])
        pades_id = submit(http, report(domain, [file, listed_pdf], issued_at=ISSUED_AT + 1))

        # Signed with the certificate only: the same CMS bytes (they hold no EIP-712
        # signature), the entry's `signature` null.
        ca_only = report(domain, [], issued_at=ISSUED_AT + 2)
        only_cms = sign_detached(record_cms_bytes(domain, *prepared(ca_only, domain)),
                                 signer.key, signer.cert, [pki.ca.cert], services.urls.tsa,
                                 transport=tsa_transport())
        listed_only = gather(http, {"cms": base64.b64encode(only_cms).decode()},
                             hashlib.sha256(only_cms).hexdigest())
        ca_only_id = submit(http, {**report(domain, [listed_only], issued_at=ISSUED_AT + 2),
                                   "signature": None})

        bundles = {name: proof(http, record) for name, record in
                   (("binding", binding_id), ("cms", cms_id), ("pades", pades_id),
                    ("ca_only", ca_only_id))}
        for listed_document in (listed, listed_pdf, listed_only):
            download_evidence(http, listed_document["sha256"], inspector_token, evidence_dir)
        assert main(["trust", "init", "--ledger", url, "--trust", str(trust),
                     "--signing-roots", str(roots)]) == 0
        capsys.readouterr()
        online = run(capsys, "record", ca_only_id, "--ledger", url, "--trust", str(trust),
                     "--offline")
    services.stop()
    paths = {}
    for name, bundle in bundles.items():
        paths[name] = tmp_path / f"{name}-bundle.json"
        paths[name].write_bytes(bundle)
    pdf_path = tmp_path / "bao-cao.pdf"
    pdf_path.write_bytes(pdf)
    return Filed(pki, trust, paths["cms"], paths["pades"], paths["ca_only"], online,
                 paths["binding"], evidence_dir, cms_sha256, pdf_path)


def report(domain: SubmissionDomain, files: list[dict[str, Any]], **fields: Any
           ) -> dict[str, Any]:
    return signed("report", "report/2", REPORT_SUBJECT, REPORT_BODY, key=OPERATOR.key,
                  domain=domain, attachments=files, **fields)


def prepared(submission: dict[str, Any], domain: SubmissionDomain) -> tuple[Any, Any]:
    item = prepare(as_json(submission), domain)
    return item.entry, item.attachments


def submit(http: httpx.Client, submission: dict[str, Any]) -> str:
    answer = http.post("/v1/submissions", content=as_json(submission))
    assert answer.status_code == 202, answer.text
    (result,) = answer.json()["results"]
    assert result["status"] == "accepted", result
    record_id: str = result["record_id"]
    return record_id


def gather(http: httpx.Client, request: dict[str, str], target: str) -> dict[str, Any]:
    answer = http.post("/v1/signatures/evidence", json=request, headers={
        "X-Operator-Signature": sign_attachment(OPERATOR.key, target)})
    assert answer.status_code == 201, answer.text
    return {key: answer.json()[key] for key in ("sha256", "size", "name", "type")}


def upload(http: httpx.Client, data: bytes) -> dict[str, Any]:
    digest = hashlib.sha256(data).hexdigest()
    answer = http.put(f"/v1/attachments/{digest}", content=data, headers={
        "Content-Type": "application/pdf",
        "X-Operator-Signature": sign_attachment(OPERATOR.key, digest)})
    assert answer.status_code in (200, 201), answer.text
    return {"sha256": digest, "size": len(data), "name": "bao-cao.pdf",
            "type": "application/pdf"}


def proof(http: httpx.Client, record_id: str) -> bytes:
    """The record's bundle, once a signed checkpoint covers it."""
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while True:
        answer = http.get(f"/v1/records/{record_id}/proof")
        if answer.status_code == 200 or datetime.now(UTC) > deadline:
            assert answer.status_code == 200, answer.text
            return answer.content
        time.sleep(0.1)


def download_evidence(http: httpx.Client, address: str, token: str, into: Path) -> None:
    """The evidence document (public: the record lists it), the signed object and every item it
    names (the ledger serves these to inspectors)."""
    document = http.get(f"/v1/attachments/{address}")
    assert document.status_code == 200, document.text
    value = document.json()
    signature = value["signature"]
    names = [signature.get("sha256") or signature["attachment"],
             *(item["sha256"] for item in value["evidence"]["items"])]
    (into / address).write_bytes(document.content)
    for name in names:
        blob = http.get(f"/v1/attachments/{name}", headers=auth(token))
        assert blob.status_code == 200, (name, blob.text)
        (into / name).write_bytes(blob.content)


# The real ledger's records, offline.


def test_a_cms_signed_record_verifies_offline_five_years_on_after_its_certificate_expired(
        filed: Filed, capsys: pytest.CaptureFixture[str]) -> None:
    signer = filed.pki.operators["rsa"].cert
    assert signer.not_valid_after_utc < filed.pki.built_at + FIVE_YEARS
    code, result = filed.verify(capsys, filed.cms_bundle, "--evidence", str(filed.evidence))
    assert code == 0, result
    assert result["result"] == "verified"
    assert check(result, "ca_signatures")["status"] == "passed"
    (signature,) = result["signatures"]
    assert signature["format"] == "cms" and signature["status"] == "valid"
    assert signature["signer"] == signer.subject.rfc4514_string()
    assert signature["organisation"] == ORGANISATION and signature["tax_code"] == MST_A
    assert signature["issuer"] == filed.pki.ca.cert.subject.rfc4514_string()
    assert signature["serial"] == format(signer.serial_number, "x")
    assert signature["time_source"] == "timestamp"
    signed_at = datetime.fromisoformat(signature["signed_at"])
    assert filed.pki.built_at <= signed_at <= datetime.now(UTC)

    code = main(["bundle", str(filed.cms_bundle), "--offline", "--trust", str(filed.trust),
                 "--binding", str(filed.binding), "--evidence", str(filed.evidence),
                 "--at", (filed.pki.built_at + FIVE_YEARS).date().isoformat(), "--lang", "vi"])
    out = capsys.readouterr().out
    assert code == 0, out
    line = next(line for line in out.splitlines() if line.startswith("Chữ ký số:"))
    assert "Chữ ký số hợp lệ" in line and f"MST {MST_A}" in line and "(UTC+7)" in line
    assert f"số hiệu {format(signer.serial_number, 'x')}" in line


def test_a_record_the_ledger_accepted_signed_with_its_certificate_only_verifies_offline(
        filed: Filed, capsys: pytest.CaptureFixture[str]) -> None:
    assert json.loads(filed.ca_only_bundle.read_text())["entry"]["signature"] is None
    code, result = filed.verify(capsys, filed.ca_only_bundle, "--evidence", str(filed.evidence))
    assert code == 0 and result["result"] == "verified", result
    assert result["ca_signed_only"] is True
    assert check(result, "signature")["status"] == "not-checked"
    assert check(result, "ca_signatures")["status"] == "passed"
    (signature,) = result["signatures"]
    assert (signature["format"], signature["status"], signature["tax_code"]) == (
        "cms", "valid", MST_A)

    code, result = filed.verify(capsys, filed.ca_only_bundle)
    assert code == 2 and result["result"] == "could-not-check", result

    code, result = filed.ca_only_online  # the evidence and the binding fetched from the ledger
    assert code == 0 and result["result"] == "verified", result
    assert check(result, "ca_signatures")["status"] == "passed"
    assert [s["status"] for s in result["signatures"]] == ["valid"]


def test_a_pades_report_verifies_offline(filed: Filed, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    code, result = filed.verify(capsys, filed.pades_bundle, "--evidence", str(filed.evidence),
                                "--document", str(filed.pdf))
    assert code == 0, result
    (signature,) = result["signatures"]
    assert signature["format"] == "pades" and signature["status"] == "valid", signature
    assert signature["attachment"] == hashlib.sha256(filed.pdf.read_bytes()).hexdigest()
    assert signature["tax_code"] == MST_A and signature["time_source"] == "timestamp"


def test_missing_evidence_could_not_be_checked(filed: Filed,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (filed.evidence / filed.cms_sha256).unlink()
    code, result = filed.verify(capsys, filed.cms_bundle, "--evidence", str(filed.evidence))
    assert code == 2, result
    assert result["result"] == "could-not-check"
    assert check(result, "ca_signatures")["status"] == "not-checked"
    assert result["signatures"][0]["status"] == "evidence_missing"

    code, result = filed.verify(capsys, filed.pades_bundle)
    assert code == 2 and result["signatures"][0]["status"] == "evidence_missing", result


# Forgeries, in the verifier's test log.


@dataclass
class Forged:
    """A log holding a binding and a report whose CMS and evidence are given, as files."""

    trust: Path
    bundle: Path
    binding: Path
    evidence: Path


def forge(pki: TestPki, tmp_path: Path, signed: bytes, evidence: Evidence, *,
          form: Literal["cms", "pades"] = "cms", ca_signed_only: bool = False) -> Forged:
    """Put the CMS (or the signed PDF, `form` pades, which the record then lists too) and its
    evidence in a record of a test log, beside a binding; the record is signed with EIP-712
    too unless `ca_signed_only`."""
    evidence_dir = tmp_path / "evidence"
    evidence_dir.mkdir(parents=True)
    document = EvidenceDocument(form, hashlib.sha256(signed).hexdigest(),
                                evidence.manifest()).to_bytes()
    for data in (signed, document, *evidence.blobs().values()):
        (evidence_dir / hashlib.sha256(data).hexdigest()).write_bytes(data)
    log = LogDouble(NoteKey(seed=bytes(range(32))), ChainDouble(active={OPERATOR.address}))
    binding = record(
        "binding", "binding/1", f"binding:{OPERATOR.address}",
        {"operator": OPERATOR.address, "organisation": "VNPT Thừa Thiên Huế", "tax_code": MST_A,
         "fingerprints": []}, [], ISSUED_AT - 3600)
    listed = [{"sha256": hashlib.sha256(document).hexdigest(), "size": len(document),
               "name": "evidence.json", "type": EVIDENCE_TYPE}]
    if form == "pades":
        listed.append({"sha256": hashlib.sha256(signed).hexdigest(), "size": len(signed),
                       "name": "bao-cao.pdf", "type": "application/pdf"})
        listed.sort(key=lambda item: item["sha256"])
    signed_report = record("report", "report/2", REPORT_SUBJECT, REPORT_BODY, listed, ISSUED_AT,
                           ca_signed_only=ca_signed_only)
    log.append(binding)
    log.append(signed_report)
    trust = {**log.trust([OFFLINE_RPC]), "signing_roots": pem(pki.root.cert).decode()}
    paths = {name: tmp_path / f"{name}.json" for name in ("trust", "bundle", "binding")}
    paths["trust"].write_text(json.dumps(trust))
    paths["bundle"].write_text(json.dumps(log.bundle(1)))
    paths["binding"].write_text(json.dumps(log.bundle(0)))
    return Forged(paths["trust"], paths["bundle"], paths["binding"], evidence_dir)


def record(kind: str, schema: str, subject: str, body: dict[str, Any],
           attachments: list[dict[str, Any]], issued_at: int, *, ca_signed_only: bool = False
           ) -> Record:
    """A record of `OPERATOR`, signed with EIP-712 unless `ca_signed_only` (`signature` null)."""
    fields: dict[str, Any] = {
        "v": 1, "kind": kind, "schema": schema, "subject": subject,
        "operator": OPERATOR.address, "content": "0x" + sha256(canonicalize(body)).hex(),
        "attachments": "0x" + sha256(canonicalize(attachments)).hex(), "supersedes": None,
        "issued_at": issued_at,
    }
    fields["signature"] = None if ca_signed_only else (
        "0x" + sign_submission(OPERATOR.key, fields, signing_domain()).hex())
    return Record(entry=fields, body=body, salt=None, attachments=attachments)


def signed_report_bytes(operator: str = OPERATOR.address) -> bytes:
    """What a CMS over the forged log's report signs for `operator`, as the ledger computes
    it."""
    return ca_signed_bytes(SubmissionDomain(CHAIN_ID, OPERATOR_REGISTRY), SubmissionMessage(
        kind="report", schema="report/2", subject=REPORT_SUBJECT,
        content=sha256(canonicalize(REPORT_BODY)), attachments=NO_ATTACHMENTS,
        supersedes=None, issued_at=ISSUED_AT), operator)


def signed_and_gathered(pki: TestPki, services: PkiServices, who: str = "rsa",
                        operator: str = OPERATOR.address) -> tuple[bytes, Evidence]:
    """A CMS by the test PKI's signer `who` over the report's bytes for `operator`, and its
    evidence as the ledger gathers it from the PKI's live services."""
    signer = pki.operators[who]
    issuer = pki.foreign if who == "untrusted" else pki.ca
    cms = sign_detached(signed_report_bytes(operator), signer.key, signer.cert, [issuer.cert],
                        services.urls.tsa, transport=tsa_transport())
    collector = EvidenceCollector(pki.roots(), tsa_transport(), url_allowed=loopback)
    return cms, collector.for_cms(cms)


def verify_forged(forged: Forged, capsys: pytest.CaptureFixture[str], *options: str
                  ) -> tuple[int, Any]:
    return run(capsys, "bundle", str(forged.bundle), "--offline", "--trust", str(forged.trust),
               "--binding", str(forged.binding), "--evidence", str(forged.evidence), *options)


def test_the_test_log_record_verifies_and_its_cms_changed_by_one_byte_is_a_finding(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert services.pki is not None
    cms, evidence = signed_and_gathered(services.pki, services)
    code, result = verify_forged(forge(services.pki, tmp_path / "genuine", cms, evidence),
                                 capsys)
    assert code == 0 and result["signatures"][0]["status"] == "valid", result

    value = asn1_cms.ContentInfo.load(cms)["content"]["signer_infos"][0]["signature"].native
    at = cms.index(value) + len(value) // 2
    changed = cms[:at] + bytes([cms[at] ^ 0x01]) + cms[at + 1:]
    code, result = verify_forged(forge(services.pki, tmp_path / "changed", changed, evidence),
                                 capsys)
    assert code == 1 and result["failed"] == ["ca_signatures"], result
    assert result["signatures"][0]["status"] == "signature_invalid", result


def test_an_ocsp_response_from_another_responder_key_is_a_finding(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = services.pki
    assert pki is not None
    cms, evidence = signed_and_gathered(pki, services)
    (genuine,) = evidence.of_kind(EvidenceKind.OCSP)
    response = ocsp.load_der_ocsp_response(genuine)
    signer = pki.operators["rsa"]
    impostor_key = ec_key()
    impostor = (  # the genuine responder's name and issuer, but another key, not the CA's work
        x509.CertificateBuilder().subject_name(pki.responder.cert.subject)
        .issuer_name(pki.ca.cert.subject).public_key(impostor_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(pki.responder.cert.not_valid_before_utc)
        .not_valid_after(pki.responder.cert.not_valid_after_utc)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
        .add_extension(x509.OCSPNoCheck(), critical=False)
        .sign(impostor_key, hashes.SHA256()))
    forged = ocsp.OCSPResponseBuilder().add_response(
        cert=signer.cert, issuer=pki.ca.cert, algorithm=hashes.SHA1(),
        cert_status=ocsp.OCSPCertStatus.GOOD, this_update=response.this_update_utc,
        next_update=response.next_update_utc, revocation_time=None, revocation_reason=None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, impostor).certificates(
        [impostor]).sign(impostor_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    items = [item for item in evidence.items if item.der != genuine]
    doctored = Evidence(evidence.validated_at, (*items, EvidenceItem(EvidenceKind.OCSP, forged)))
    code, result = verify_forged(forge(pki, tmp_path, cms, doctored), capsys)
    assert code == 1 and result["failed"] == ["ca_signatures"], result
    (report_line,) = result["signatures"]
    assert report_line["status"] == "evidence_invalid", report_line
    assert "OCSP" in report_line["detail"]


def test_a_signer_whose_root_is_not_in_the_trust_file_is_a_finding(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = services.pki
    assert pki is not None
    cms, evidence = signed_and_gathered(pki, services, "untrusted")
    code, result = verify_forged(forge(pki, tmp_path, cms, evidence), capsys)
    assert code == 1 and result["failed"] == ["ca_signatures"], result
    (signature,) = result["signatures"]
    assert signature["status"] == "cert_untrusted", signature
    assert signature["signer"] == pki.operators["untrusted"].cert.subject.rfc4514_string()
    assert signature["issuer"] == pki.foreign.cert.subject.rfc4514_string()


# Records signed with a CA certificate only (entry `signature` null): the CMS alone.


def test_a_ca_only_record_verifies_offline_five_years_on_by_its_cms_alone(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = services.pki
    assert pki is not None
    cms, evidence = signed_and_gathered(pki, services)
    forged = forge(pki, tmp_path, cms, evidence, ca_signed_only=True)
    assert json.loads(forged.bundle.read_text())["entry"]["signature"] is None
    later = (pki.built_at + FIVE_YEARS).date().isoformat()
    assert pki.operators["rsa"].cert.not_valid_after_utc < pki.built_at + FIVE_YEARS
    code, result = verify_forged(forged, capsys, "--at", later)
    assert code == 0 and result["result"] == "verified", result
    assert result["ca_signed_only"] is True and result["failed"] == []
    signature = check(result, "signature")
    assert signature["status"] == "not-checked", signature
    assert signature["message"] == (
        "not checked: no EIP-712 signature: signed with a CA certificate only "
        "(see ca_signatures)")
    ca = check(result, "ca_signatures")
    assert ca["status"] == "passed" and OPERATOR.address in ca["message"], ca
    (report_line,) = result["signatures"]
    assert report_line["format"] == "cms" and report_line["status"] == "valid"
    assert report_line["tax_code"] == MST_A and report_line["time_source"] == "timestamp"

    code = main(["bundle", str(forged.bundle), "--offline", "--trust", str(forged.trust),
                 "--binding", str(forged.binding), "--evidence", str(forged.evidence),
                 "--at", later, "--lang", "vi"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "không có chữ ký EIP-712: bản ghi chỉ được ký bằng chứng thư số" in out
    assert "một chữ ký CMS ký các trường của bản ghi cho " + OPERATOR.address in out


def test_a_ca_only_record_whose_cms_changed_by_one_byte_fails(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = services.pki
    assert pki is not None
    cms, evidence = signed_and_gathered(pki, services)
    value = asn1_cms.ContentInfo.load(cms)["content"]["signer_infos"][0]["signature"].native
    at = cms.index(value) + len(value) // 2
    changed = cms[:at] + bytes([cms[at] ^ 0x01]) + cms[at + 1:]
    code, result = verify_forged(forge(pki, tmp_path, changed, evidence, ca_signed_only=True),
                                 capsys)
    assert code == 1 and result["result"] == "not-verified", result
    assert result["failed"] == ["ca_signatures"]
    assert result["signatures"][0]["status"] == "signature_invalid"


def test_a_ca_only_record_with_a_cms_for_another_operator_fails(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = services.pki
    assert pki is not None
    # A CMS by another operator's certificate (tax code MST_B, not the one the binding names).
    cms, evidence = signed_and_gathered(pki, services, "ec")
    code, result = verify_forged(
        forge(pki, tmp_path / "certificate", cms, evidence, ca_signed_only=True), capsys)
    assert code == 1 and result["failed"] == ["ca_signatures"], result
    assert result["signatures"][0]["status"] == "cert_identity"
    # The operator's own certificate, but a CMS that says it signs for another operator.
    cms, evidence = signed_and_gathered(pki, services, operator=SAMPLE.other.address)
    code, result = verify_forged(
        forge(pki, tmp_path / "operator", cms, evidence, ca_signed_only=True), capsys)
    assert code == 1 and result["failed"] == ["ca_signatures"], result
    assert result["signatures"][0]["status"] == "signature_invalid"


def test_a_ca_only_record_whose_evidence_is_not_given_could_not_be_checked(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = services.pki
    assert pki is not None
    cms, evidence = signed_and_gathered(pki, services)
    forged = forge(pki, tmp_path, cms, evidence, ca_signed_only=True)
    for options in ((), ("--binding", str(forged.binding))):
        code, result = run(capsys, "bundle", str(forged.bundle), "--offline",
                           "--trust", str(forged.trust), *options)
        assert code == 2 and result["result"] == "could-not-check", result
        assert result["exit_code"] == 2 and result["failed"] == []
        assert check(result, "ca_signatures")["status"] == "not-checked"
        assert [s["status"] for s in result["signatures"]] == ["evidence_missing"]
        assert "signed with a CA certificate only and its CMS could not be checked" in (
            result["message"])
    code = main(["bundle", str(forged.bundle), "--offline", "--trust", str(forged.trust),
                 "--evidence", str(forged.evidence)])
    out = capsys.readouterr().out
    assert code == 2, out  # no binding given: the CMS names no binding in force
    assert out.splitlines()[-1] == (
        f"COULD NOT CHECK: record {json.loads(forged.bundle.read_text())['record_id']} is "
        "signed with a CA certificate only and its CMS could not be checked (see ca_signatures)")


def test_a_ca_only_record_signed_by_pades_alone_fails(
        services: PkiServices, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = services.pki
    assert pki is not None
    signer = pki.operators["rsa"]
    pdf = sign_pdf(report_pdf(), signer.key, signer.cert, [pki.ca.cert], services.urls.tsa,
                   transport=tsa_transport())
    evidence = EvidenceCollector(pki.roots(), tsa_transport(), url_allowed=loopback).for_pdf(pdf)
    code, result = verify_forged(
        forge(pki, tmp_path, pdf, evidence, form="pades", ca_signed_only=True), capsys)
    assert code == 1 and result["failed"] == ["ca_signatures"], result
    assert [(s["format"], s["status"]) for s in result["signatures"]] == [("pades", "valid")]
    assert "PAdES, which sign a PDF, not the record's fields" in (
        check(result, "ca_signatures")["message"])


# The bytes a CMS signs, as the ledger and the verifier compute them.


@pytest.mark.parametrize("ca_signed_only", [False, True])
def test_the_cms_bytes_are_the_ledgers_and_name_the_operator(ca_signed_only: bool) -> None:
    files = [
        {"sha256": "ab" * 32, "size": 3, "name": "ban-do.geojson", "type": "application/geo+json"},
        {"sha256": "cd" * 32, "size": 9, "name": "evidence.json", "type": EVIDENCE_TYPE},
    ]
    log = LogDouble(NoteKey(seed=bytes(range(32))), ChainDouble(active={OPERATOR.address}))
    log.append(record("report", "report/2", REPORT_SUBJECT, REPORT_BODY, files, ISSUED_AT,
                      ca_signed_only=ca_signed_only))
    bundle = ProofBundle.parse(log.bundle(0))
    domain = Trust.parse(log.trust([OFFLINE_RPC])).signing_domain()
    verifier_bytes = cms_signed_bytes(bundle, domain)
    ledger_entry = LedgerEntry.from_json(log.records[0].entry)
    ledger_bytes = record_cms_bytes(SubmissionDomain(CHAIN_ID, OPERATOR_REGISTRY), ledger_entry,
                                    [AttachmentRef(**item) for item in files])
    assert verifier_bytes == ledger_bytes
    signed = json.loads(verifier_bytes)
    assert list(signed) == sorted(signed) and signed["operator"] == OPERATOR.address
    assert signed["attachments"] == "0x" + sha256(canonicalize(files[:1])).hex()
    assert record_cms_bytes(
        SubmissionDomain(CHAIN_ID, OPERATOR_REGISTRY),
        LedgerEntry.from_json({**log.records[0].entry, "operator": SAMPLE.other.address}),
        [AttachmentRef(**item) for item in files]) != verifier_bytes


# The verifier's own readers, strict.


@pytest.mark.parametrize(("data", "problem"), [
    (b"\x04\x81\x01x", "shortest form"),
    (b"\x04\x80x\x00\x00", "indefinite"),
    (b"\x04\x01xy", "after the DER value"),
    (b"\x04\x05x", "left"),
    (b"\x1f\x01\x01x", "high tag"),
])
def test_the_der_reader_refuses_what_der_does_not_allow(data: bytes, problem: str) -> None:
    with pytest.raises(MalformedDer, match=problem):
        der.read(data)


def test_integers_and_object_identifiers_must_be_minimal() -> None:
    assert der.integer(der.read(b"\x02\x02\x00\x80")) == 128
    with pytest.raises(MalformedDer, match="shortest"):
        der.integer(der.read(b"\x02\x02\x00\x7f"))
    assert der.oid(der.read(b"\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01")) == (
        "2.16.840.1.101.3.4.2.1")
    with pytest.raises(MalformedDer, match="leading zero"):
        der.oid(der.read(b"\x06\x03\x2a\x80\x01"))


@pytest.fixture(scope="module")
def signed_pdf() -> bytes:
    """A report signed with PAdES B-B by the test PKI's good signer (no service needed)."""
    pki = TestPki(Urls("http://127.0.0.1:9", "http://127.0.0.1:9", "http://127.0.0.1:9"))
    signer = pki.operators["rsa"]
    return sign_pdf(report_pdf(), signer.key, signer.cert, [pki.ca.cert])


def test_a_pades_pdf_is_read_from_its_byte_range_and_contents(signed_pdf: bytes) -> None:
    (signature,) = pdf_signatures(signed_pdf)
    start, first, second, length = signature.byte_range
    assert start == 0 and second + length == len(signed_pdf) and signature.cades
    assert signed_pdf[first:first + 1] == b"<" and signed_pdf[second - 1:second] == b">"
    assert signature.signed_bytes(signed_pdf) == signed_pdf[:first] + signed_pdf[second:]


def test_a_pdf_changed_around_its_signature_is_refused(signed_pdf: bytes) -> None:
    with pytest.raises(SignatureRefused) as appended:
        pdf_signatures(signed_pdf + b"% appended\n")
    assert appended.value.code == "pdf_modified"
    (signature,) = pdf_signatures(signed_pdf)
    hole_end = signature.byte_range[2] - 1
    padded = signed_pdf[:hole_end - 2] + b"01" + signed_pdf[hole_end:]
    with pytest.raises(SignatureRefused) as smuggled:
        pdf_signatures(padded)
    assert smuggled.value.code == "pdf_invalid" and "padding" in smuggled.value.detail
    other = signed_pdf.replace(b"/ETSI.CAdES.detached", b"/ETSI.RFC3161.stamp1")
    with pytest.raises(SignatureRefused) as subfilter:
        pdf_signatures(other)
    assert subfilter.value.code == "pdf_invalid" and "SubFilter" in subfilter.value.detail


def test_the_trust_file_pins_ca_roots_only(tmp_path: Path) -> None:
    pki = TestPki(Urls("http://127.0.0.1:9", "http://127.0.0.1:9", "http://127.0.0.1:9"))
    log = LogDouble(NoteKey(seed=bytes(range(32))), ChainDouble(active={OPERATOR.address}))
    pinned = {**log.trust([OFFLINE_RPC]), "signing_roots": pem(pki.root.cert).decode()}
    trust = Trust.parse(pinned)
    assert trust.signing_roots is not None and trust.signing_roots.holds(pki.root.cert)
    assert Trust.parse(trust.to_json()) == trust
    for roots in ("not PEM", pem(pki.operators["rsa"].cert).decode(), 42):
        with pytest.raises(MalformedTrust, match="signing_roots"):
            Trust.parse({**pinned, "signing_roots": roots})


def test_a_binding_without_the_registrars_eip712_signature_is_not_taken() -> None:
    """A binding is what CA signatures are checked against: the ledger files one only with the
    registrar's EIP-712 signature, and the verifier takes no other."""
    body = {"operator": OPERATOR.address, "organisation": "VNPT Thừa Thiên Huế",
            "tax_code": MST_A, "fingerprints": []}
    log = LogDouble(NoteKey(seed=bytes(range(32))), ChainDouble(active={OPERATOR.address}))
    for ca_signed_only in (False, True):
        log.append(record("binding", "binding/1", f"binding:{OPERATOR.address}", body, [],
                          ISSUED_AT - 3600 + ca_signed_only, ca_signed_only=ca_signed_only))
    assert binding_of(ProofBundle.parse(log.bundle(0))).tax_code == MST_A
    with pytest.raises(MalformedInput, match="no EIP-712 signature by the registrar"):
        binding_of(ProofBundle.parse(log.bundle(1)))
