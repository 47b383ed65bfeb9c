"""`infraledger submit`: sign record drafts with an operator key and submit them in bulk.

With `--cert-key` and `--operator` but no `--key` the records are signed with the organisation
certificate only: uploads and evidence requests are authorised by a CMS (`X-Operator-Cms`),
each record by its CMS over `ca_signed_bytes(domain, message, operator)`, and the submission
carries `"signature": null`. A restricted draft's salt (`"salt": true`) is then drawn at random
(no key to derive it from), and the receipts are the operator's only copy of it, so
`--receipts` is required for one.

A draft whose record lists evidence (signed with `--cert-key`, or listing a PAdES-signed PDF)
would be a new record each run, its CMS and evidence being made anew: before any is made, the
ledger's records of its kind, subject and operator are searched for the one it would be
(`client.duplicates`), and a draft found there is reported `duplicate` with that record's id
and index, neither signed nor submitted again (its receipt, if any, is left as it is).

The draft format is in the command's --help (`submit_epilog` in `client.messages`) and
docs/submitting.md. Exit codes: 0 when every draft is in the log (accepted now, or a duplicate
of a record already there), 1 when the ledger rejected any (each named on stderr) or refused a
request (one line on stderr, and nothing filed when it refused the evidence of a draft's CA
signature), 2 on a usage or I/O error (a bad key file, a PKCS#11 token that cannot sign, an
unreadable or malformed draft, an unreachable server or time-stamping authority, options that
do not go together): one line on stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import logging
import mimetypes
import re
import secrets
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from client.certificates import (
    PDF_MEDIA_TYPE,
    CertificateSigner,
    Timestamper,
    TimestampUnavailable,
    TsaClient,
    carries_pdf_signature,
    sign_cms,
)
from client.duplicates import DraftRecord, same_attachments, same_entry
from client.errors import (
    BadKeyFile,
    ClientError,
    DraftError,
    LedgerRefused,
    LedgerUnreachable,
    UsageError,
    bilingual,
    cannot_read,
)
from client.keys import load_operator_key
from client.ledger import (
    CertificateOperator,
    LedgerClient,
    SubmissionResult,
    UploadSigner,
    ca_only_submission,
    prepare_submission,
)
from client.messages import Lang, OperatorParser, option_help, say
from client.token import TokenError, add_signer_options, certificate_signer
from filings.errors import FilingError
from filings.signing import (
    AttachmentRef,
    SubmissionDomain,
    ca_signed_bytes,
    canonical_body,
    checksum_address,
    signer_address,
    submission_message,
    supersedes_bytes,
)
from ledger.canonical import canonical_json, parse_json
from ledger.errors import LedgerError

EXIT_REFUSED: Final = 1
EXIT_USAGE: Final = 2
PROGRESS_FROM: Final = 20
"""Show a progress bar from this many drafts on."""
DEFAULT_MEDIA_TYPE: Final = "application/octet-stream"
SALT_LABEL: Final = b"InfraLedger salt\n"

DRAFT_MEMBERS: Final = frozenset(
    {"kind", "schema", "subject", "body", "salt", "attachments", "supersedes", "issued_at"}
)
_SALT = re.compile(r"0x[0-9a-f]{64}\Z")


@dataclass(frozen=True, slots=True)
class Draft:
    """A record as an operator writes it (see the command's --help); the shape is checked here, the
    rest by the ledger."""

    kind: str
    schema_name: str
    subject: str
    body: dict[str, Any]
    salt: bool | str | None
    attachments: tuple[str | tuple[str, str], ...]
    """File paths, or (path, media type) pairs."""
    supersedes: str | None
    issued_at: int | None

    @classmethod
    def of(cls, value: Any) -> Draft:
        """Check a draft's JSON value; raises `DraftError` naming the first fault."""
        if not isinstance(value, Mapping):
            raise DraftError(bilingual("cần một đối tượng JSON", "want a JSON object"))
        unknown = sorted(set(value) - DRAFT_MEMBERS)
        if unknown:
            raise DraftError(bilingual(f"{unknown[0]}: không phải một mục của bản nháp",
                                       f"{unknown[0]}: not a member of a draft"))
        for name in ("kind", "schema", "subject"):
            if not isinstance(value.get(name), str):
                raise DraftError(bilingual(f"{name}: bắt buộc, là một chuỗi",
                                           f"{name}: required, a string"))
        if not isinstance(value.get("body"), dict):
            raise DraftError(bilingual("body: bắt buộc, là một đối tượng JSON",
                                       "body: required, a JSON object"))
        salt = value.get("salt")
        if not (salt is None or isinstance(salt, bool)
                or (isinstance(salt, str) and _SALT.match(salt))):
            raise DraftError(bilingual(
                'salt: cần true, false hoặc "0x" + 64 chữ số hex viết thường',
                'salt: want true, false or "0x" + 64 lowercase hex digits'))
        supersedes = value.get("supersedes")
        if supersedes is not None and not isinstance(supersedes, str):
            raise DraftError(bilingual("supersedes: cần mã của một bản ghi",
                                       "supersedes: want a record id"))
        issued_at = value.get("issued_at")
        if issued_at is not None and (type(issued_at) is not int or issued_at < 0):
            raise DraftError(bilingual("issued_at: cần số giây unix, một số nguyên >= 0",
                                       "issued_at: want unix seconds, a whole number >= 0"))
        return cls(value["kind"], value["schema"], value["subject"], dict(value["body"]), salt,
                   _draft_files(value.get("attachments", [])), supersedes, issued_at)


def _draft_files(value: Any) -> tuple[str | tuple[str, str], ...]:
    if not isinstance(value, list):
        raise DraftError(bilingual("attachments: cần một danh sách", "attachments: want a list"))
    files: list[str | tuple[str, str]] = []
    for position, item in enumerate(value):
        if isinstance(item, str) and item:
            files.append(item)
        elif (isinstance(item, dict) and set(item) == {"path", "type"}
              and isinstance(item["path"], str) and item["path"]
              and isinstance(item["type"], str)):
            files.append((item["path"], item["type"]))
        else:
            raise DraftError(bilingual(
                f'attachments.{position}: cần một đường dẫn hoặc {{"path", "type"}}',
                f'attachments.{position}: want a path or {{"path", "type"}}'))
    return tuple(files)


@dataclass(frozen=True, slots=True)
class LoadedDraft:
    """A parsed draft, where it came from, and its attachments as (path, media type)."""

    label: str
    draft: Draft
    issued_at: int
    files: tuple[tuple[Path, str], ...]


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `submit`, its help in `lang`."""
    parser = groups.add_parser(
        "submit", lang=lang, common=common, help=option_help(lang, "submit"),
        description=say(lang, "submit_description"), epilog=say(lang, "submit_epilog"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help=option_help(lang, "submit_files"))
    parser.add_argument(
        "--key", type=Path, metavar="KEYFILE", help=option_help(lang, "submit_key"),
    )
    parser.add_argument(
        "--operator", metavar="0xADDRESS", help=option_help(lang, "submit_operator"),
    )
    parser.add_argument("--url", required=True, help=option_help(lang, "submit_url"))
    parser.add_argument(
        "--receipts", type=Path, metavar="DIR", help=option_help(lang, "submit_receipts"),
    )
    parser.add_argument("--token", help=option_help(lang, "submit_token"))
    add_signer_options(
        parser, lang=lang,
        cert_key_help=option_help(lang, "submit_cert_key"),
        tsa_help=option_help(lang, "submit_tsa"),
    )
    parser.set_defaults(handler=submit_drafts)


def submit_drafts(args: argparse.Namespace) -> int:
    """Load, sign and submit the drafts; print one line per draft (see the module docstring)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per draft, no request log
    try:
        key, operator = _operator(args)
        with ExitStack() as held:
            signer = held.enter_context(certificate_signer(args))
            stamper = None if args.tsa is None else held.enter_context(TsaClient(args.tsa))
            drafts = [draft for path in args.files for draft in load_drafts(path)]
            salts = _salts(key, drafts, args.receipts)
            uploader = _uploader(key, operator, signer)
            ledger = held.enter_context(LedgerClient(args.url, token=args.token))
            domain = ledger.domain()
            uploads, signed_pdfs = _upload(ledger, uploader, drafts)
            evidenced = [loaded for loaded in drafts
                         if signer is not None or _lists_signed_pdf(loaded, uploads, signed_pdfs)]
            filed = _already_filed(ledger, args.receipts, [
                (loaded.label, _draft_record(loaded, operator, uploads, salts[loaded.label],
                                             drawn=key is None and loaded.draft.salt is True))
                for loaded in evidenced
            ])
            fresh = [draft for draft in drafts if draft.label not in filed]
            cms = {} if signer is None else _countersign(domain, signer, stamper, operator,
                                                         fresh, uploads, salts)
            evidence = _evidence(ledger, uploader, fresh, uploads, signed_pdfs, cms)
            signed = [_sign(key, operator, domain, draft, uploads, salts[draft.label],
                            evidence.get(draft.label, []))
                      for draft in fresh]
            submitted = ledger.submit(signed, progress=_progress(len(signed), sys.stderr))
        if args.receipts is not None:
            save_receipts(args.receipts, fresh, signed, submitted)
        answered = {**dict(zip((draft.label for draft in fresh), submitted, strict=True)),
                    **filed}
        results = [answered[draft.label] for draft in drafts]
    except (BadKeyFile, DraftError, LedgerUnreachable, TokenError, TimestampUnavailable,
            UsageError) as exc:
        print(f"infraledger submit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LedgerRefused as exc:
        print(f"infraledger submit: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    for draft, result in zip(drafts, results, strict=True):
        print(f"{result.record_id or '-'} {_or_dash(result.index)} {result.status} {draft.label}")
        if result.error is not None:
            rejected = bilingual(f"bản nháp {draft.label} bị từ chối", f"rejected {draft.label}")
            print(f"infraledger submit: {rejected}: {result.error.get('code')}: "
                  f"{result.error.get('message')}", file=sys.stderr)
    return 0 if all(result.ok for result in results) else EXIT_REFUSED


def load_drafts(path: Path) -> list[LoadedDraft]:
    """The drafts of one file: an object, a list, or JSON lines. Raises `DraftError`."""
    try:
        text = path.read_text(encoding="utf-8")
        issued_at = int(path.stat().st_mtime)
    except (OSError, UnicodeDecodeError) as exc:
        raise DraftError(cannot_read(f"tệp bản nháp {path}", str(path), exc)) from exc
    values = list(_json_values(path, text))
    labels = [str(path)] if len(values) == 1 else [f"{path}#{n}" for n in range(1, len(values) + 1)]
    return [
        _draft(label, value, path.parent, issued_at)
        for label, value in zip(labels, values, strict=True)
    ]


def save_receipts(
    directory: Path,
    drafts: Sequence[LoadedDraft],
    signed: Sequence[dict[str, Any]],
    results: Sequence[SubmissionResult],
) -> None:
    """Write `<record id>.json` for each draft that is in the log; raises `DraftError`."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for draft, submission, result in zip(drafts, signed, results, strict=True):
            if result.record_id is None:
                continue
            receipt = {
                "record_id": result.record_id, "index": result.index, "status": result.status,
                "time": result.time, "receipt": result.receipt, "draft": draft.label,
                "submission": submission,
            }
            text = json.dumps(receipt, ensure_ascii=False, indent=2) + "\n"
            (directory / f"{result.record_id}.json").write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DraftError(bilingual(f"không lưu được biên nhận vào {directory}: {exc.strerror}",
                                   f"cannot save receipts in {directory}: {exc.strerror}")) from exc


def _json_values(path: Path, text: str) -> Iterator[Any]:
    """The drafts' JSON values: a whole-file object or list, else one value a line."""
    try:
        whole = parse_json(text)
    except LedgerError:
        whole = None
    else:
        yield from whole if isinstance(whole, list) else [whole]
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield parse_json(line)
            except LedgerError as exc:
                raise DraftError(f"{path}: " + bilingual(f"dòng {number} không phải JSON hợp lệ",
                                                         f"line {number}: {exc}")) from exc


def _draft(label: str, value: Any, base: Path, issued_at: int) -> LoadedDraft:
    try:
        draft = Draft.of(value)
    except DraftError as exc:
        raise DraftError(f"{label}: {exc.message}") from exc
    files = []
    for item in draft.attachments:
        given = item if isinstance(item, str) else item[0]
        file = base / given
        if not file.is_file():
            raise DraftError(f"{label}: " + bilingual(
                f"tệp đính kèm {given} không phải là một tệp", f"attachment {given} is not a file"))
        media = _media_type(file) if isinstance(item, str) else item[1]
        files.append((file, media))
    return LoadedDraft(
        label, draft, issued_at if draft.issued_at is None else draft.issued_at, tuple(files)
    )


def _media_type(file: Path) -> str:
    guessed, encoding = mimetypes.guess_type(file.name, strict=False)
    return guessed if guessed is not None and encoding is None else DEFAULT_MEDIA_TYPE


def _upload(
    ledger: LedgerClient, uploader: UploadSigner, drafts: Sequence[LoadedDraft]
) -> tuple[dict[tuple[Path, str], AttachmentRef], set[str]]:
    """Upload each distinct attachment once: the attachments by (path, media type), and the
    SHA-256 of those that are PAdES-signed PDFs. Raises `DraftError` when a file is unreadable,
    `LedgerRefused` naming the draft when the ledger refuses the upload."""
    uploads: dict[tuple[Path, str], AttachmentRef] = {}
    signed_pdfs: set[str] = set()
    for draft in drafts:
        for file, media in draft.files:
            if (file, media) in uploads:
                continue
            try:
                data = file.read_bytes()
                uploads[file, media] = ledger.upload_attachment(data, media, uploader,
                                                                name=file.name)
            except OSError as exc:
                raise DraftError(f"{draft.label}: " + cannot_read(
                    f"tệp đính kèm {file}", str(file), exc)) from exc
            except FilingError as exc:
                raise _refused_draft(draft.label, exc, "tệp đính kèm không hợp lệ") from exc
            except LedgerRefused as exc:
                raise _refused_request(draft.label, exc) from exc
            if media == PDF_MEDIA_TYPE and carries_pdf_signature(data):
                signed_pdfs.add(uploads[file, media].sha256)
    return uploads, signed_pdfs


def _lists_signed_pdf(loaded: LoadedDraft, uploads: Mapping[tuple[Path, str], AttachmentRef],
                     signed_pdfs: set[str]) -> bool:
    """Whether the draft lists a PAdES-signed PDF (whose evidence a run gathers anew)."""
    return any(uploads[item].sha256 in signed_pdfs for item in loaded.files)


def _draft_record(loaded: LoadedDraft, operator: str,
                  uploads: Mapping[tuple[Path, str], AttachmentRef], salt: bytes | None,
                  *, drawn: bool) -> DraftRecord:
    """The record `loaded` would be, by `operator`, its evidence aside: `salt` is the one of
    `_salts` (`drawn`: at random, so a kept receipt's is compared instead). Raises `DraftError`
    for a body that cannot be canonicalised or a bad `supersedes`."""
    draft = loaded.draft
    try:
        body = canonical_body(draft.body)
        supersedes = supersedes_bytes(draft.supersedes)
    except FilingError as exc:
        raise _refused_draft(loaded.label, exc, "không ký được bản nháp") from exc
    return DraftRecord(
        kind=draft.kind, schema=draft.schema_name, subject=draft.subject,
        operator=operator, issued_at=loaded.issued_at,
        supersedes=None if supersedes is None else "0x" + supersedes.hex(), body=body,
        salt=None if drawn else salt, salt_drawn=drawn,
        attachments=tuple(uploads[item] for item in loaded.files),
    )


def _already_filed(ledger: LedgerClient, receipts: Path | None,
                   records: Sequence[tuple[str, DraftRecord]]) -> dict[str, SubmissionResult]:
    """The drafts among `records` (label, record) whose record the ledger already holds
    (`client.duplicates`), by label, each answered as the ledger answers a duplicate: its
    record id and index.

    Asked before any CMS is signed or any evidence requested, so that a retry makes neither and
    files nothing twice. Raises `LedgerRefused` naming the draft when the ledger refuses a
    listing, `DraftError` for a receipt that cannot be read."""
    found: dict[str, SubmissionResult] = {}
    for label, wanted in records:
        try:
            for summary in ledger.records(kind=wanted.kind, subject=wanted.subject,
                                          operator=wanted.operator):
                record_id = summary["id"]
                kept = _kept_salt(receipts, record_id) if wanted.salt_drawn else None
                if not same_entry(wanted, summary["entry"], kept):
                    continue
                listed = ledger.record(record_id).get("attachments")
                if isinstance(listed, list) and same_attachments(wanted, listed):
                    index = summary.get("index")
                    found[label] = SubmissionResult(
                        status="duplicate", record_id=record_id,
                        index=index if isinstance(index, int) else None,
                        error=None, receipt=None, time=None)
                    break
        except LedgerRefused as exc:
            raise _refused_request(label, exc) from exc
    return found


def _kept_salt(receipts: Path | None, record_id: str) -> bytes | None:
    """The salt the receipt of record `record_id` in `receipts` keeps, if there is one: a salt
    drawn at random is known nowhere else. Raises `DraftError` for a receipt that exists and
    cannot be read."""
    if receipts is None:
        return None
    path = receipts / f"{record_id}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DraftError(cannot_read(f"biên nhận {path}", f"the receipt {path}", exc)) from exc
    try:
        salt = json.loads(text)["submission"]["salt"]
    except (ValueError, KeyError, TypeError):
        return None
    return bytes.fromhex(salt[2:]) if isinstance(salt, str) and _SALT.match(salt) else None


def _countersign(
    domain: SubmissionDomain,
    signer: CertificateSigner,
    stamper: Timestamper | None,
    operator: str,
    drafts: Sequence[LoadedDraft],
    uploads: dict[tuple[Path, str], AttachmentRef],
    salts: Mapping[str, bytes | None],
) -> dict[str, bytes]:
    """A CMS over each draft's `ca_signed_bytes` for `operator` (time-stamped by `stamper`), by
    draft label;
    all made before the ledger is asked for any evidence, so a time-stamping authority that
    fails leaves nothing behind. Raises `DraftError` when a draft cannot be signed,
    `TimestampUnavailable` when the authority fails."""
    signed: dict[str, bytes] = {}
    for loaded in drafts:
        draft = loaded.draft
        try:
            message = submission_message(
                kind=draft.kind, schema=draft.schema_name, subject=draft.subject,
                body=draft.body, salt=salts[loaded.label],
                attachments=[uploads[item] for item in loaded.files],
                supersedes=draft.supersedes, issued_at=loaded.issued_at,
            )
            signed[loaded.label] = sign_cms(ca_signed_bytes(domain, message, operator), signer,
                                            timestamper=stamper)
        except TimestampUnavailable:
            raise
        except (FilingError, ClientError) as exc:
            raise _refused_draft(loaded.label, exc, "không ký được bản nháp") from exc
    return signed


def _evidence(
    ledger: LedgerClient,
    uploader: UploadSigner,
    drafts: Sequence[LoadedDraft],
    uploads: dict[tuple[Path, str], AttachmentRef],
    signed_pdfs: set[str],
    cms: Mapping[str, bytes],
) -> dict[str, list[AttachmentRef]]:
    """The evidence documents the ledger gathered for each draft's CA signatures, by draft
    label: one per PAdES-signed PDF it lists (asked once per PDF), then one for its CMS.

    Raises `LedgerRefused` naming the draft when the ledger refuses (CA signatures off, an
    operator it does not know, a certificate it refuses): the run then files nothing.
    """
    of_pdf: dict[str, AttachmentRef] = {}
    listed: dict[str, list[AttachmentRef]] = {}
    for loaded in drafts:
        documents = []
        try:
            for pdf in (uploads[item] for item in loaded.files):
                if pdf.sha256 in signed_pdfs:
                    if pdf.sha256 not in of_pdf:
                        of_pdf[pdf.sha256] = ledger.pdf_evidence(pdf, uploader)
                    documents.append(of_pdf[pdf.sha256])
            if loaded.label in cms:
                documents.append(ledger.signature_evidence(cms[loaded.label], uploader))
        except LedgerRefused as exc:
            raise _refused_request(loaded.label, exc) from exc
        listed[loaded.label] = documents
    return listed


def _sign(
    key: bytes | None,
    operator: str,
    domain: SubmissionDomain,
    loaded: LoadedDraft,
    uploads: dict[tuple[Path, str], AttachmentRef],
    salt: bytes | None,
    evidence: Sequence[AttachmentRef],
) -> dict[str, Any]:
    """The draft's submission: signed with EIP-712 by `key`, else by its CMS alone (its
    evidence document among `evidence`) with `"signature": null`."""
    draft = loaded.draft
    files = [uploads[item] for item in loaded.files]
    try:
        if key is None:
            return ca_only_submission(
                operator, kind=draft.kind, schema=draft.schema_name, subject=draft.subject,
                body=draft.body, issued_at=loaded.issued_at, salt=salt,
                attachments=[*files, *evidence], supersedes=draft.supersedes,
            )
        return prepare_submission(
            key, domain, kind=draft.kind, schema=draft.schema_name, subject=draft.subject,
            body=draft.body, issued_at=loaded.issued_at, salt=salt,
            attachments=[*files, *evidence], supersedes=draft.supersedes,
        )
    except (FilingError, ClientError) as exc:
        raise _refused_draft(loaded.label, exc, "không ký được bản nháp") from exc


def _refused_request(label: str, exc: LedgerRefused) -> LedgerRefused:
    """The ledger's refusal of a draft's upload or evidence request, led by the draft's label:
    the reason (`details.reason`, a refused certificate's status code) and the message in both
    languages when the ledger gave them (`details.message`), else its message."""
    said = exc.details.get("message")
    text = exc.message
    if isinstance(said, Mapping) and isinstance(said.get("vi"), str) \
            and isinstance(said.get("en"), str):
        text = bilingual(said["vi"], said["en"])
    reason = exc.details.get("reason")
    if isinstance(reason, str):
        text = f"{reason}: {text}"
    return LedgerRefused(exc.code, f"{label}: {text}", exc.http_status, details=exc.details)


def _refused_draft(label: str, exc: FilingError | ClientError, vietnamese: str) -> DraftError:
    """A fault found in a draft while uploading or signing it, led by its label: a message of
    the client says it in both languages already; the domain's (in English) follows
    `vietnamese`, which says what failed."""
    if isinstance(exc, ClientError):
        return DraftError(f"{label}: {exc}")
    return DraftError(f"{label}: " + bilingual(vietnamese, exc.message))


def _operator(args: argparse.Namespace) -> tuple[bytes | None, str]:
    """The operator's key (None when it signs with `--cert-key` alone) and EIP-55 address.

    Raises `UsageError` when neither `--key` nor `--cert-key` is given, for `--cert-key`
    without `--key` and `--operator`, for an `--operator` that is not an address or not the
    key's; `BadKeyFile` for a key file that cannot be read.
    """
    if args.key is None and args.cert_key is None:
        raise UsageError(bilingual("cần --key, hoặc --cert-key cùng --operator",
                                   "give --key, or --cert-key with --operator"))
    given = None
    if args.operator is not None:
        try:
            given = checksum_address(args.operator)
        except FilingError as exc:
            raise UsageError(bilingual(
                f"--operator {args.operator}: không phải một địa chỉ hợp lệ",
                f"--operator {args.operator}: {exc.message}")) from exc
    if args.key is None:
        if given is None:
            raise UsageError(bilingual(
                "--cert-key không kèm --key cần --operator, địa chỉ của doanh nghiệp",
                "--cert-key without --key needs --operator, the operator's address"))
        return None, given
    key = load_operator_key(args.key)
    address = signer_address(key)
    if given is not None and given != address:
        raise UsageError(bilingual(
            f"--operator {given} không phải địa chỉ của khóa --key ({address})",
            f"--operator {given} is not the address of the --key key ({address})"))
    return key, address


def _uploader(key: bytes | None, operator: str, signer: CertificateSigner | None
              ) -> UploadSigner:
    """Who authorises the uploads: the key when given, else the certificate."""
    if key is not None:
        return key
    assert signer is not None, "_operator lets no run lack both --key and --cert-key"
    return CertificateOperator(operator, signer)


def _salts(key: bytes | None, drafts: Sequence[LoadedDraft], receipts: Path | None
           ) -> dict[str, bytes | None]:
    """Each draft's salt by label (see the command's --help): none, the draft's own, or for
    `"salt": true` one derived from the key, else (no key) a random one.

    HMAC-SHA256 under the operator's key: nobody without the key can guess it from the body,
    and the same draft always gets the same salt, so a retry is the same record. Without a key
    there is nothing secret to derive it from, so it is random and the receipts are the
    operator's only copy of it (the record's content commitment cannot be opened without it):
    raises `UsageError` for such a draft when `receipts` is None, `DraftError` for a body that
    cannot be canonicalised.
    """
    salts: dict[str, bytes | None] = {}
    for loaded in drafts:
        salt = loaded.draft.salt
        if salt is None or salt is False:
            salts[loaded.label] = None
        elif isinstance(salt, str):
            salts[loaded.label] = bytes.fromhex(salt[2:])
        elif key is not None:
            salts[loaded.label] = hmac.new(key, SALT_LABEL + _signed_fields(loaded),
                                           hashlib.sha256).digest()
        elif receipts is None:
            raise UsageError(f"{loaded.label}: " + bilingual(
                '"salt": true không kèm --key cần --receipts DIR: giá trị muối được chọn ngẫu '
                "nhiên, và biên nhận là bản duy nhất doanh nghiệp giữ được",
                '"salt": true without --key needs --receipts DIR: the salt is drawn at random, '
                "and the receipts are the operator's only copy of it"))
        else:
            salts[loaded.label] = secrets.token_bytes(32)
    return salts


def _signed_fields(loaded: LoadedDraft) -> bytes:
    """The RFC 8785 bytes of the draft's kind, schema, subject, body and issued_at, which the
    key's salt is derived from; raises `DraftError` for a body that cannot be canonicalised."""
    draft = loaded.draft
    try:
        return canonical_json({
            "kind": draft.kind, "schema": draft.schema_name, "subject": draft.subject,
            "body": draft.body, "issued_at": loaded.issued_at,
        })
    except LedgerError as exc:
        raise DraftError(f"{loaded.label}: body: " + bilingual(
            "không chuẩn hóa được thành JSON (RFC 8785)", str(exc))) from exc


def _progress(total: int, stream: TextIO) -> Callable[[int], None] | None:
    """A progress line on a terminal for `total` submissions (from `PROGRESS_FROM` on)."""
    if total < PROGRESS_FROM or not stream.isatty():
        return None
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        end = "\n" if done >= total else ""
        stream.write(f"\rsubmitting {done}/{total}{end}")
        stream.flush()

    return advance


def _or_dash(value: int | None) -> str:
    return "-" if value is None else str(value)
