"""`infraledger report --year YYYY [--out DIR] [--file]`: the yearly report to the People's
Committee (`filings.yearly_report`, docs/indicators.md), from a running ledger server.

Asks the server (`--url`, by default the configured host and port) what the report of the year
is at its latest anchored checkpoint (`GET /reports/{year}.json`), then fetches the Vietnamese
PDF and the page made at that same checkpoint, checks the PDF against the SHA-256 the server
named, and writes both into DIR (by default the current directory). With `--file`, the
department files the report: the PDF is uploaded as an attachment and a `report/2` record of
subject `report:<year>:yearly-plan-report` is signed with the registrar's key (`--key FILE`,
else `registrar_key_file`, else the embedded chain's registrar account in the data directory)
and submitted through the same HTTP API every filer uses. A report already filed with the same
PDF is not filed again; a report of a later checkpoint supersedes the one filed before it.

Exit codes: 0 written (and filed); 1 refused (the server's code and message: no plan in force
for the year, no anchored checkpoint, a refused filing), on one line; 2 a malformed year or an
unreadable key.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path
from typing import Any, Final

import httpx

from anchoring.embedded.node import DevAccounts
from api.errors import ApiError
from api.settings import Settings
from client.errors import ClientError
from client.keys import load_operator_key
from client.ledger import LedgerClient, prepare_submission
from filings.signing import signer_address
from filings.yearly_report import FIRST_YEAR, LAST_YEAR

EXIT_USAGE: Final = 2
TIMEOUT: Final = 120.0


class ReportRefused(ApiError):
    """The server would not make or take the report."""

    code = "report_refused"
    http_status = 502


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    """Add `report`."""
    parser = groups.add_parser(
        "report", parents=[common], help="write (and file) the yearly report on the plans",
        description="Write the yearly report to the People's Committee (HTML and PDF, in "
        "Vietnamese) as a running ledger makes it at its latest anchored checkpoint; with "
        "--file, file it as a report/2 record signed by the registrar, the PDF attached.",
    )
    parser.add_argument("--year", required=True, metavar="YYYY", help="the year reported on")
    parser.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                        help="where to write the files (default: the current directory)")
    parser.add_argument("--file", action="store_true",
                        help="file the report in the ledger, signed by the registrar")
    parser.add_argument("--url", default=None,
                        help="the ledger server (default: http://HOST:PORT of the settings)")
    parser.add_argument("--key", type=Path, default=None, metavar="FILE",
                        help="the registrar's key file (default: registrar_key_file, else the "
                        "embedded chain's registrar account)")
    parser.set_defaults(handler=write_report)


def write_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the report's files; file it with `--file`. Returns the exit code."""
    text = str(args.year)
    if len(text) != 4 or not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        print(f"infraledger report: --year {text[:40]!r}: want four digits, "
              f"{FIRST_YEAR}-{LAST_YEAR}", file=sys.stderr)
        return EXIT_USAGE
    year = int(text)
    url = (args.url or f"http://{settings.host}:{settings.port}").rstrip("/")
    key = None
    if args.file:
        try:
            key = registrar_key(settings, args.key)
        except ClientError as exc:
            print(f"infraledger report: {exc}", file=sys.stderr)
            return EXIT_USAGE
    made = fetch_report(url, year)
    directory: Path = args.out
    directory.mkdir(parents=True, exist_ok=True)
    pdf_path = directory / str(made["pdf"]["name"])
    html_path = pdf_path.with_suffix(".html")
    pdf_path.write_bytes(made["pdf_bytes"])
    html_path.write_bytes(made["html_bytes"])
    size = made["checkpoint"]["size"]
    print(f"{pdf_path} and {html_path}: the report of {year} at checkpoint size {size}")
    if key is not None:
        record_id, new = file_report(url, key, made)
        state = "filed" if new else "already filed"
        print(f"{state} as record {record_id}: {url}/records/{record_id}")
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


def file_report(url: str, key: bytes, made: dict[str, Any]) -> tuple[str, bool]:
    """File the report `made` (`fetch_report`) signed by `key`: returns its record id and
    whether it is new (False: the same PDF was filed already)."""
    filing, pdf = made["filing"], made["pdf"]
    me = signer_address(key)
    try:
        with LedgerClient(url, timeout=TIMEOUT) as client:
            earlier = _filed_before(url, str(filing["subject"]), me)
            for record_id, digests in earlier:
                if pdf["sha256"] in digests:
                    return record_id, False
            attachment = client.upload_attachment(made["pdf_bytes"], str(pdf["type"]), key,
                                                  name=str(pdf["name"]))
            submission = prepare_submission(
                key, client.domain(), kind=str(filing["kind"]), schema=str(filing["schema"]),
                subject=str(filing["subject"]), body=filing["body"], issued_at=int(time.time()),
                attachments=[attachment], supersedes=earlier[0][0] if earlier else None)
            result = client.submit([submission])[0]
    except ClientError as exc:
        raise ReportRefused(str(exc)) from exc
    if not result.ok or result.record_id is None:
        error = result.error or {}
        raise ReportRefused(f"{error.get('code')}: {error.get('message')}")
    return result.record_id, True


def _filed_before(url: str, subject: str, signer: str) -> list[tuple[str, set[str]]]:
    """The standing records of `subject` signed by `signer`, newest first, each with the
    SHA-256 of its attachments."""
    with httpx.Client(base_url=url, timeout=TIMEOUT) as http:
        listed = _get(http, "/v1/records", params={"kind": "report", "subject": subject,
                                                   "operator": signer, "limit": 500}).json()
        found = []
        for item in reversed(listed["records"]):
            record = _get(http, f"/v1/records/{item['id']}").json()
            if record.get("superseded_by"):
                continue
            found.append((str(item["id"]), {str(a["sha256"]) for a in
                                           record.get("attachments") or []}))
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
