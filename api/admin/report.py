"""`infraledger report --year YYYY [--out DIR] [--file [--cert-key FILE|URI [--tsa URL]]]`: the
yearly report to the People's Committee (`filings.yearly_report`, docs/indicators.md), from a
running ledger server.

Asks the server (`--url`, by default the configured host and port) what the report of the year is
at its latest anchored checkpoint, or at the one of `--size N` (`GET /reports/{year}.json`), then
fetches the Vietnamese PDF and the page made at that same checkpoint, checks the PDF against the
SHA-256 the server named, and writes both into DIR (by default the current directory). With
`--file`, the department files the report: the PDF is uploaded as an attachment and a `report/2`
record of subject `report:<year>:yearly-plan-report` is signed with the registrar's key (`--key
FILE`, else `registrar_key_file`, else the embedded chain's registrar account in the data
directory) and submitted through the same HTTP API every filer uses. A report already filed with
the same PDF is not filed again; a report of a later checkpoint supersedes the one filed before it.

With `--cert-key` the PDF is also signed with the department's organisation certificate, PAdES
(`filings.signatures.sign_pdf`), as a filing to the state is signed in Việt Nam. The signer is
chosen with `infraledger submit`'s options (`client.token.certificate_signer`): a PKCS#12 file,
its password in `--cert-password-file`, or a PEM file with the key, the certificate and its
chain; or a PKCS#11 token named by a `pkcs11:` URI (`--pkcs11-module`, `--cert-pin-file`,
`--cert-chain`), held open for the run, whose key never leaves it: the token makes the
signature's one signature value. With `--tsa URL` the signature is PAdES B-T: pyHanko asks that
RFC 3161 authority for a signature time-stamp over the signature value (the unsigned attribute
id-aa-signatureTimeStampToken), and the record's `pades` signature shows the token's time as its
`signed_at` (without one, B-B: the time the ledger gathered the evidence). The signed PDF is
uploaded, the ledger gathers its evidence (`POST /v1/signatures/evidence {"pdf"}`), and
the evidence document is listed beside it, so that the record's `signatures` show the `pades`
signature checked against the registrar's binding (`binding/1`, `filings.bindings`). The
binding is checked here first: a certificate it does not name is refused before the report is
made or anything uploaded. Signing appends a revision to the PDF, so the PDF the server makes
is the first bytes of the signed one; a report filed signed counts as the same PDF, and the
signed PDF replaces the one written into DIR.

Exit codes: 0 written (and filed); 1 refused (the server's code and message: no plan in force
for the year, no anchored checkpoint, a certificate the registrar's binding does not name, a
refused filing), on one line; 2 a malformed year, an unreadable key or certificate file (a
wrong password), a token that cannot sign (`client.token`: no module, no such token or key, a
refused PIN), a time-stamping authority that gives no time-stamp, or signing options without
`--file` or `--tsa` without `--cert-key`: one line, nothing uploaded.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from anchoring.embedded.node import DevAccounts
from api.admin.messages import option_help, say
from api.errors import ApiError
from api.settings import Settings
from api.signatures import FETCH_TIMEOUT, HttpxTransport
from client.certificates import CertificateSigner, TimestampUnavailable
from client.errors import ClientError, bilingual
from client.keys import load_operator_key
from client.ledger import LedgerClient, prepare_submission
from client.messages import Lang, OperatorParser
from client.token import TokenError, add_signer_options, certificate_signer, given_signer_options
from filings.bindings import (
    BINDING_KIND,
    BINDING_SCHEMA,
    BindingBody,
    FiledBinding,
    binding_in_force,
    binding_subject,
)
from filings.errors import FilingError
from filings.signatures import Transport, sign_pdf
from filings.signatures.policy import check_identity
from filings.signing import EVIDENCE_TYPE, signer_address
from filings.yearly_report import FIRST_YEAR, LAST_YEAR

EXIT_USAGE: Final = 2
TIMEOUT: Final = 120.0
PDF: Final = "application/pdf"


class ReportRefused(ApiError):
    """The server would not make or take the report."""

    code = "report_refused"
    http_status = 502


@dataclass(frozen=True)
class PdfSigning:
    """Who signs the report's PDF with PAdES: an organisation certificate with its chain and
    the one operation on its key (in a file or on a token), and the TSA that time-stamps the
    signature (B-T) through `transport`, if any (B-B without: the ledger then takes the time it
    gathered the evidence as the signing time)."""

    holder: CertificateSigner
    tsa_url: str | None = None
    transport: Transport | None = None

    def sign(self, pdf: bytes) -> bytes:
        """`pdf` with the signature appended as a new revision. Raises `TimestampUnavailable`
        when the TSA gives no time-stamp, `TokenError` when a token refuses to sign."""
        try:
            return sign_pdf(pdf, self.holder, self.holder.certificate, self.holder.chain,
                            self.tsa_url, transport=self.transport)
        except OSError as exc:  # only the TSA's request does I/O (`sign_pdf`)
            raise TimestampUnavailable(
                f"không có dấu thời gian từ {self.tsa_url} / no time-stamp from "
                f"{self.tsa_url}: {exc}") from exc


@dataclass(frozen=True)
class ReportFiling:
    """The record the report is filed as, whether this run filed it (False: it was filed
    already), and the PDF that record lists (the PAdES-signed one when signed)."""

    record_id: str
    new: bool
    pdf: bytes


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `report`, its help in `lang`."""
    parser = groups.add_parser(
        "report", lang=lang, common=common, help=option_help(lang, "report"),
        description=say(lang, "report_description"),
    )
    parser.add_argument("--year", required=True, metavar="YYYY",
                        help=option_help(lang, "report_year"))
    parser.add_argument("--size", type=int, default=None, metavar="N",
                        help=option_help(lang, "report_size"))
    parser.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                        help=option_help(lang, "report_out"))
    parser.add_argument("--file", action="store_true", help=option_help(lang, "report_file"))
    parser.add_argument("--url", default=None, help=option_help(lang, "report_url"))
    parser.add_argument("--key", type=Path, default=None, metavar="FILE",
                        help=option_help(lang, "report_key"))
    add_signer_options(
        parser, lang=lang, cert_key_help=option_help(lang, "report_cert_key"),
        tsa_help=option_help(lang, "report_tsa"),
    )
    parser.set_defaults(handler=write_report)


def write_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the report's files; file it with `--file`. Returns the exit code."""
    text = str(args.year)
    if len(text) != 4 or not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        print("infraledger report: " + bilingual(
            f"--year {text[:40]!r}: cần bốn chữ số, từ {FIRST_YEAR} đến {LAST_YEAR}",
            f"--year {text[:40]!r}: want four digits, {FIRST_YEAR}-{LAST_YEAR}"),
            file=sys.stderr)
        return EXIT_USAGE
    year = int(text)
    url = (args.url or f"http://{settings.host}:{settings.port}").rstrip("/")
    signing_options = given_signer_options(args)
    if signing_options and not args.file:
        print(f"infraledger report: {signing_options[0]} chỉ dùng với --file / "
              f"{signing_options[0]} is for --file", file=sys.stderr)
        return EXIT_USAGE
    if args.size is not None and args.size < 1:
        print("infraledger report: " + bilingual(
            f"--size {args.size}: cần kích thước cây ít nhất là 1",
            f"--size {args.size}: want a tree size of at least 1"), file=sys.stderr)
        return EXIT_USAGE
    with ExitStack() as held:
        key, signing = None, None
        if args.file:
            try:
                key = registrar_key(settings, args.key)
                signer = held.enter_context(certificate_signer(args))
            except ClientError as exc:
                print(f"infraledger report: {exc}", file=sys.stderr)
                return EXIT_USAGE
            if signer is not None:
                transport = None if args.tsa is None else HttpxTransport(
                    held.enter_context(httpx.Client(timeout=FETCH_TIMEOUT)))
                signing = PdfSigning(signer, args.tsa, transport)
                check_binding(url, signer_address(key), signer)
        try:
            return _write_report(url, year, args, key, signing)
        except (TokenError, TimestampUnavailable) as exc:
            print(f"infraledger report: {exc}", file=sys.stderr)
            return EXIT_USAGE


def _write_report(url: str, year: int, args: argparse.Namespace, key: bytes | None,
                  signing: PdfSigning | None) -> int:
    """Fetch and write the report's files, then file it signed by `key` (unless None), its PDF
    signed by `signing` when given. Returns 0; raises as `fetch_report` and `file_report`."""
    made = fetch_report(url, year, args.size)
    directory: Path = args.out
    directory.mkdir(parents=True, exist_ok=True)
    pdf_path = directory / str(made["pdf"]["name"])
    html_path = pdf_path.with_suffix(".html")
    pdf_path.write_bytes(made["pdf_bytes"])
    html_path.write_bytes(made["html_bytes"])
    size = made["checkpoint"]["size"]
    print(f"{pdf_path} and {html_path}: the report of {year} at checkpoint size {size}")
    if key is not None:
        filing = file_report(url, key, made, signing)
        state = "filed" if filing.new else "already filed"
        print(f"{state} as record {filing.record_id}: {url}/records/{filing.record_id}")
        if filing.pdf != made["pdf_bytes"]:
            pdf_path.write_bytes(filing.pdf)
            print(f"{pdf_path}: ký số PAdES như đã nộp / signed (PAdES) as filed")
    return 0


def registrar_key(settings: Settings, path: Path | None) -> bytes:
    """The registrar's private key: `path`, else `registrar_key_file`, else the embedded chain's
    registrar account (its `accounts.json` must exist). Raises `ClientError` (`BadKeyFile`)."""
    if path is not None:
        return load_operator_key(path)
    if settings.registrar_key_file is not None:
        return load_operator_key(settings.registrar_key_file)
    accounts = settings.chain_dir() / "accounts.json"
    if settings.embedded and accounts.exists():
        return bytes(DevAccounts.load_or_create(accounts).registrar.key)
    raise ReportRefused("no registrar key: pass --key FILE or set registrar_key_file")


def fetch_report(url: str, year: int, size: int | None = None) -> dict[str, Any]:
    """What the server says the report of `year` is at the checkpoint of `size` (None: the
    latest anchored one), with its PDF and page; raises `ReportRefused` with the server's code
    and message."""
    with httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        query = {} if size is None else {"size": size}
        made: dict[str, Any] = _get(http, f"/reports/{year}.json", params=query).json()
        pdf = _get(http, str(made["pdf"]["url"])).content
        if hashlib.sha256(pdf).hexdigest() != made["pdf"]["sha256"]:
            raise ReportRefused(f"the PDF of {year} does not hash to what the server named")
        size = made["checkpoint"]["size"]
        made["pdf_bytes"] = pdf
        made["html_bytes"] = _get(http, f"/reports/{year}?size={size}").content
    return made


def file_report(url: str, key: bytes, made: dict[str, Any],
                signing: PdfSigning | None = None) -> ReportFiling:
    """File the report `made` (`fetch_report`) signed by `key`, its PDF signed with PAdES by
    `signing` when given, unless the same PDF is filed already (signed when `signing` asks it
    signed). Raises `ReportRefused` (the ledger's `cert_identity` or `operator_not_bound` when
    the registrar's binding does not name `signing`'s certificate: `check_binding` first);
    `TokenError` or `TimestampUnavailable` from `signing`, before anything is uploaded."""
    filing, pdf = made["filing"], made["pdf"]
    me = signer_address(key)
    issued_at = int(time.time())
    try:
        with LedgerClient(url, timeout=TIMEOUT) as client, \
                httpx.Client(base_url=url, timeout=TIMEOUT) as http:
            earlier = _filed_before(http, str(filing["subject"]), me)
            for record_id, attachments in earlier:
                found = _filed_pdf(http, attachments, made, signed=signing is not None)
                if found is not None:
                    return ReportFiling(record_id, False, found)
            data = made["pdf_bytes"]
            if signing is not None:
                data = signing.sign(data)
            attachment = client.upload_attachment(data, str(pdf["type"]), key,
                                                  name=str(pdf["name"]))
            listed = [attachment]
            if signing is not None:
                listed.append(client.pdf_evidence(attachment, key))
            submission = prepare_submission(
                key, client.domain(), kind=str(filing["kind"]), schema=str(filing["schema"]),
                subject=str(filing["subject"]), body=filing["body"], issued_at=issued_at,
                attachments=listed, supersedes=earlier[0][0] if earlier else None)
            result = client.submit([submission])[0]
    except (TokenError, TimestampUnavailable):
        raise
    except ClientError as exc:
        raise ReportRefused(str(exc)) from exc
    if not result.ok or result.record_id is None:
        error = result.error or {}
        raise ReportRefused(f"{error.get('code')}: {error.get('message')}")
    return ReportFiling(result.record_id, True, data)


def signed_revision_of(signed: bytes, original: bytes) -> bool:
    """Whether `signed` is `original` with revisions appended (an incremental update, as a
    PAdES signature is made)."""
    return len(signed) > len(original) and signed.startswith(original)


def _filed_pdf(http: httpx.Client, attachments: Sequence[Mapping[str, Any]],
               made: Mapping[str, Any], *, signed: bool) -> bytes | None:
    """The PDF of `made` a record listing `attachments` files, or None: the PDF itself (unless
    `signed`), or a PDF signed from it with its evidence listed."""
    pdf, original = made["pdf"], made["pdf_bytes"]
    if not signed and any(item["sha256"] == pdf["sha256"] for item in attachments):
        return bytes(original)
    if not any(item["type"] == EVIDENCE_TYPE for item in attachments):
        return None
    for item in attachments:
        if item["type"] == PDF and item["name"] == pdf["name"]:
            data = _get(http, f"/v1/attachments/{item['sha256']}").content
            if signed_revision_of(data, original):
                return data
    return None


def check_binding(url: str, registrar: str, holder: CertificateSigner) -> None:
    """Raise `ReportRefused` unless the binding of `registrar` in force for a record filed now
    (its latest in the ledger at `url`) names `holder`'s certificate, as the ledger checks it
    when the report is filed (`filings.bindings.identity_for`)."""
    with httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        listed = _get(http, "/v1/records", params={
            "kind": BINDING_KIND, "subject": binding_subject(registrar), "limit": 500}).json()
        bindings = []
        for item in listed["records"]:
            record = _get(http, f"/v1/records/{item['id']}").json()
            if record["entry"]["schema"] == BINDING_SCHEMA and record.get("body") is not None:
                bindings.append(FiledBinding(int(record["index"]),
                                             BindingBody.model_validate(record["body"])))
    binding = binding_in_force(bindings, None)
    if binding is None:
        raise ReportRefused(
            f"{registrar} chưa được gắn với chứng thư số nào (binding/1) / is bound to no "
            f"certificate (binding/1): the registrar files {binding_subject(registrar)} first")
    try:
        check_identity(holder.certificate, binding.body.identity())
    except FilingError as exc:
        raise ReportRefused(
            f"chứng thư số không phải chứng thư được gắn với {registrar} / the certificate is "
            f"not the one bound to {registrar}: {exc.message}") from exc


def _filed_before(http: httpx.Client, subject: str, signer: str
                  ) -> list[tuple[str, list[dict[str, Any]]]]:
    """The standing records of `subject` signed by `signer`, newest first, each with its
    attachment list."""
    listed = _get(http, "/v1/records", params={"kind": "report", "subject": subject,
                                               "operator": signer, "limit": 500}).json()
    found = []
    for item in reversed(listed["records"]):
        record = _get(http, f"/v1/records/{item['id']}").json()
        if record.get("superseded_by"):
            continue
        found.append((str(item["id"]), list(record.get("attachments") or [])))
    return found


def _get(http: httpx.Client, path: str, **kwargs: Any) -> httpx.Response:
    try:
        response = http.get(path, **kwargs)
    except httpx.TransportError as exc:
        raise ReportRefused(f"GET {http.base_url}{path}: {exc}") from exc
    if response.is_success:
        return response
    try:
        error = response.json()
    except ValueError:
        error = {}
    code = error.get("code", f"http_{response.status_code}") if isinstance(error, dict) \
        else f"http_{response.status_code}"
    message = error.get("message", response.reason_phrase) if isinstance(error, dict) else ""
    raise ReportRefused(f"{code}: {message}", details={"status": response.status_code})
