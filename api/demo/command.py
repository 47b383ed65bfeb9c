"""`infraledger demo`: the whole ledger on one machine, with the plan's sample filings.

Starts the embedded chain and deploys the contracts (first run), registers the sample operators,
files the sample records (`api.demo.sample`) through the real API with real signatures, waits until
they are anchored, then serves the API and the public pages until interrupted (Ctrl-C, SIGINT
or SIGTERM: the server shuts down, its check workers with it). Running it again on the same data
directory files nothing twice: the same drafts sign to the same entries, which the ledger answers
as duplicates.

What it writes under `<data dir>/keys/` is sample material, marked as such: the operators' private
keys (`operators/<name>.key`, plain hex) and an inspector token (`inspector.token`). `serve
--production` refuses sample keys.

CA signatures: each run makes a fresh sample PKI in memory (`api.demo.pki`, marked SAMPLE, not
NEAC) and serves its CRLs and time-stamps on loopback while the demo runs; it pins the PKI's
root in `<data dir>/signing-roots.pem` and turns `ca_signatures` on in the data directory's
`config.json` (fetching from loopback, `signing_loopback_urls`, only for its own run). The
registrar binds the operators with a tax code (`binding/1`), and the drafts of
`api.demo.sample.CA_SIGNED` carry a CMS or a PAdES-signed PDF by their organisation certificate
(`api.demo.certified`). The department has a sample certificate too (`DEPARTMENT_TAX_CODE`): the
registrar binds its own address to it, and the yearly report's PDF is PAdES-signed with it, as
`infraledger report --file --cert-key` signs it. The demo prints them all, once `GET
/v1/records/{id}` shows each signature valid.

Everything it prints, and its refusals, say it in Vietnamese, then English (`api.demo.wording`).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import signal
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from api.admin.messages import option_help, say
from api.admin.report import fetch_report, file_report
from api.app import create_app
from api.demo.certified import CertifiedSigning
from api.demo.drafts import REGISTRAR, Draft, sample_timestamp
from api.demo.pki import ROOTS_FILE, Organisation, SamplePki, pin_root, serve_sample_pki
from api.demo.sample import BOUND_ON, SAMPLE_OPERATORS, restricted_salt, sample_drafts
from api.demo.wording import lines, pair
from api.errors import ApiError
from api.node import Node, deploy_embedded, open_chain, service_account
from api.serving import ServerThread
from api.settings import SAMPLE_KEY_MARKER, Settings, check_key_file
from client.keys import write_secret
from client.ledger import LedgerClient, SubmissionResult, prepare_submission
from client.messages import Lang, OperatorParser
from filings.bindings import BINDING_KIND, BINDING_SCHEMA, binding_subject
from filings.plans import PLAN_KIND
from filings.signing import AttachmentRef, SubmissionDomain, signer_address
from filings.yearly_report import report_subject
from ledger.storage.tokens import TokenStore

ANCHOR_WAIT = 120.0
REPORT_YEAR = 2025
"""The year of the yearly report the demo files, made at the checkpoint of its sample."""
DEPARTMENT_NAME: Final = "Sở Khoa học và Công nghệ Huế (sample data)"
"""The department (`filings.figures.DEPARTMENT`), short enough for a certificate's CN (64 bytes)."""
DEPARTMENT_TAX_CODE: Final = "3300100508"
"""The department's sample tax code: a valid check digit under Huế's prefix 33, not its own."""


class DemoFailed(ApiError):
    """The demo could not start or file its sample."""

    code = "demo_failed"
    http_status = 500


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `demo`, its help in `lang`."""
    demo = groups.add_parser(
        "demo", lang=lang, common=common, help=option_help(lang, "demo"),
        description=say(lang, "demo_description"),
    )
    demo.add_argument("--host", default=None, help=option_help(lang, "demo_host"))
    demo.add_argument("--port", type=int, default=None, help=option_help(lang, "demo_port"))
    demo.add_argument("--seed-only", action="store_true",
                      help=option_help(lang, "demo_seed_only"))
    demo.set_defaults(handler=run_demo)


@dataclass(frozen=True, slots=True)
class SampleKeys:
    """The sample operators' keys by slug, and the inspector token."""

    operators: Mapping[str, bytes]
    inspector_token: str


def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    with _sigterm_as_interrupt():
        return _run(args, settings)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt in the main thread, as Ctrl-C does, so the server
    thread is stopped and the app shut down (check workers, jobs, store, chain) before the
    process exits. Left to its default, SIGTERM ends the process at once and its worker
    processes run on without it."""
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    changes = {name: value for name, value in (("host", args.host), ("port", args.port))
               if value is not None}
    settings = settings.model_copy(update=changes)
    if not settings.embedded:
        raise DemoFailed(pair("network_chain"))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    access = open_chain(settings)
    try:
        settings = deploy_embedded(settings, access)
    finally:
        access.close()
    with serve_sample_pki(_organisations()) as pki:
        settings = _pin_sample_root(settings, pki)
        app = create_app(settings, jobs=True)
        server = ServerThread(app, settings.host, settings.port)
        with server as url:
            node: Node = app.state.node
            keys = _sample_keys(settings, node)
            _register_operators(node, keys)
            print(f"{pair('starting')}: {url}")
            print(pair("filing"))
            summary = _file_sample(url, keys, pki)
            print(summary.describe())
            _wait_anchored(url)
            sample_size = max(int(r.index or 0) for r in summary.results.values()) + 1
            with CertifiedSigning(url, pki) as certified:
                report = file_report(url, keys.operators[REGISTRAR],
                                     fetch_report(url, REPORT_YEAR, sample_size),
                                     certified.pdf_signing(REGISTRAR)).record_id
            print(f"{pair('report', year=str(REPORT_YEAR))} {report}: "
                  f"{url}/reports/{REPORT_YEAR}")
            _wait_anchored(url)
            print(_ca_signatures(url, settings, summary, report))
            print(_instructions(url, settings, summary))
            if not args.seed_only:
                print(pair("serving"))
                with contextlib.suppress(KeyboardInterrupt):
                    server.wait()
    return 0


def _organisations() -> list[Organisation]:
    """The sample operators that sign with an organisation certificate, and the department."""
    return [*(Organisation(operator.slug, operator.name, operator.tax_code)
              for operator in SAMPLE_OPERATORS if operator.tax_code is not None),
            Organisation(REGISTRAR, DEPARTMENT_NAME, DEPARTMENT_TAX_CODE)]


def _department_binding(registrar: str) -> Draft:
    """The registrar's `binding/1` of its own EIP-55 address `registrar` to the department's
    tax code, as it binds the operators (`api.demo.sample.binding_drafts`), so that the yearly
    report's PAdES signature counts."""
    return Draft(key="binding/department", operator=REGISTRAR, kind=BINDING_KIND,
                 schema=BINDING_SCHEMA, subject=binding_subject(registrar),
                 body={"operator": registrar, "organisation": DEPARTMENT_NAME,
                       "tax_code": DEPARTMENT_TAX_CODE, "fingerprints": []},
                 issued_at=sample_timestamp(BOUND_ON))


def _pin_sample_root(settings: Settings, pki: SamplePki) -> Settings:
    """Pin the run's sample root and turn CA signatures on in `config.json`; the returned
    settings also fetch evidence from loopback, for this run only (module doc)."""
    roots = (settings.data_dir / ROOTS_FILE).resolve()
    pin_root(roots, pki)
    saved = settings.save(ca_signatures=True, signing_roots_file=str(roots))
    return saved.model_copy(update={"signing_roots_file": roots, "signing_loopback_urls": True})


def _sample_keys(settings: Settings, node: Node) -> SampleKeys:
    """Read the sample keys of the data directory, making them on the first run."""
    keys = {}
    for operator in SAMPLE_OPERATORS:
        path = settings.keys_dir() / "operators" / f"{operator.slug}.key"
        if not path.exists():
            write_secret(path, f"# {SAMPLE_KEY_MARKER} operator key of {operator.name}: demo "
                               f"only, never use it for real filings\n0x{secrets.token_hex(32)}")
        keys[operator.slug] = bytes.fromhex(
            check_key_file(path, "sample operator key", production=False).removeprefix("0x"))
    registrar = service_account(settings, "registrar", node.embedded)
    if registrar is None:
        raise DemoFailed(pair("no_registrar"))
    keys[REGISTRAR] = bytes(registrar.key)
    token_path = settings.keys_dir() / "inspector.token"
    if not token_path.exists():
        token, _ = TokenStore(node.store).create("inspector", "demo inspector (sample)",
                                                 int(time.time()))
        write_secret(token_path, f"# {SAMPLE_KEY_MARKER} inspector token of the demo\n{token}")
    token = check_key_file(token_path, "inspector token", production=False)
    return SampleKeys(keys, token)


def _register_operators(node: Node, keys: SampleKeys) -> None:
    registered = {operator.address for operator in node.registry.operators()}
    for operator in SAMPLE_OPERATORS:
        address = signer_address(keys.operators[operator.slug])
        if address not in registered:
            node.registry.register(address, operator.name, operator.licence)
    node.operators.invalidate()


@dataclass
class FilingSummary:
    """What the sample filing did."""

    results: dict[str, SubmissionResult]
    drafts: list[Draft]

    def count(self, status: str) -> int:
        return sum(result.status == status for result in self.results.values())

    def describe(self) -> str:
        return pair("filed", total=len(self.results), accepted=self.count("accepted"),
                    duplicate=self.count("duplicate"), rejected=self.count("rejected"))

    def example(self, kind: str, *, restricted: bool = False) -> str:
        """The record id of the first filed draft of `kind` (restricted or public)."""
        draft = next(item for item in self.drafts
                     if item.kind == kind and item.restricted == restricted)
        return str(self.results[draft.key].record_id)


def _file_sample(url: str, keys: SampleKeys, pki: SamplePki) -> FilingSummary:
    addresses = {slug: signer_address(key) for slug, key in keys.operators.items()}
    drafts = [*sample_drafts(addresses), _department_binding(addresses[REGISTRAR])]
    results: dict[str, SubmissionResult] = {}
    with LedgerClient(url) as client, CertifiedSigning(url, pki) as certified:
        domain = client.domain()
        for wave in _waves(drafts):
            for draft in wave:
                found = certified.filed(draft, addresses[draft.operator])
                if found is not None:
                    results[draft.key] = found
            pending = [draft for draft in wave if draft.key not in results]
            signed = [_signed(client, certified, domain, keys, draft, results)
                      for draft in pending]
            for draft, result in zip(pending, client.submit(signed), strict=True):
                results[draft.key] = result
    rejected = [(key, result.error) for key, result in results.items() if not result.ok]
    if rejected:
        raise DemoFailed(f"{pair('rejected', count=len(rejected))}: {rejected[0]}")
    return FilingSummary(results, drafts)


def _waves(drafts: Sequence[Draft]) -> Iterator[list[Draft]]:
    """The drafts in the order they can be filed: the plans and bindings, then every first
    record, then each round of corrections whose record before it is filed (a site's states in
    turn)."""
    first = (PLAN_KIND, BINDING_KIND)
    yield [d for d in drafts if d.kind in first]
    yield [d for d in drafts if d.kind not in first and d.corrects is None]
    filed = {d.key for d in drafts if d.corrects is None}
    pending = [d for d in drafts if d.corrects is not None]
    while pending:
        wave = [d for d in pending if d.corrects in filed]
        if not wave:
            raise DemoFailed(f"{pair('never_filed')}: {pending[0].key}")
        yield wave
        filed.update(d.key for d in wave)
        pending = [d for d in pending if d.key not in filed]


def _signed(client: LedgerClient, certified: CertifiedSigning, domain: SubmissionDomain,
            keys: SampleKeys, draft: Draft, filed: Mapping[str, SubmissionResult]
            ) -> dict[str, Any]:
    key = keys.operators[draft.operator]
    attachments: list[AttachmentRef] = []
    for item in certified.files(draft):
        attachments.append(client.upload_attachment(item.data, item.type, key, name=item.name))
    supersedes = None if draft.corrects is None else filed[draft.corrects].record_id
    salt = restricted_salt(key, draft)
    attachments += certified.evidence(client, domain, key, draft, attachments,
                                      supersedes=supersedes, salt=salt)
    submission = prepare_submission(
        key, domain, kind=draft.kind, schema=draft.schema, subject=draft.subject,
        body=draft.body, issued_at=draft.issued_at, salt=salt,
        attachments=attachments, supersedes=supersedes,
    )
    # Signed with the certificate only: the CMS among its attachments proves who filed it.
    return {**submission, "signature": None} if draft.ca_signature == "cms-only" else submission


def _wait_anchored(url: str) -> None:
    deadline = time.monotonic() + ANCHOR_WAIT
    with LedgerClient(url) as client:
        while True:
            info = client.log_info()
            if info["tree_size"] > 0 and info["anchored_size"] >= info["tree_size"]:
                return
            if time.monotonic() > deadline:
                raise DemoFailed(pair("not_anchored", seconds=round(ANCHOR_WAIT),
                                      anchored=int(info["anchored_size"]),
                                      size=int(info["tree_size"])))
            time.sleep(0.25)


def _ca_signatures(url: str, settings: Settings, summary: FilingSummary, report: str) -> str:
    """The records that carry CA signatures (the CA drafts', and the yearly report `report`), in
    Vietnamese and English, once the ledger shows every one of them valid; raises `DemoFailed`
    otherwise. A data directory of a demo that did not sign with certificates yet holds those
    records without: they are named as such."""
    names = {operator.slug: operator.name for operator in SAMPLE_OPERATORS}
    names[REGISTRAR] = DEPARTMENT_NAME
    signed = [(str(summary.results[draft.key].record_id), draft.operator, draft.subject)
              for draft in summary.drafts if draft.ca_signature is not None]
    signed.append((report, REGISTRAR, report_subject(REPORT_YEAR)))
    printed = ["", *lines("ca_header")]
    with LedgerClient(url) as client:
        for record_id, signer, subject in signed:
            listed = client.record(record_id)["signatures"]
            shown = [item for item in listed if item["format"] != "eip712"]
            alone = f" ({pair('ca_alone')})" if len(shown) == len(listed) else ""
            refused = [item["status"] for item in shown if item["status"] != "valid"]
            if refused:
                raise DemoFailed(f"{pair('ca_invalid')}: {record_id} {refused}")
            if not shown:
                printed.append(f"  -      {pair('ca_earlier')}: {subject}")
            for item in shown:
                printed.append(f"  {item['format'].upper():5}  {item['message']['vi']} / "
                               f"{item['message']['en']}: {names[signer]}, "
                               f"MST {item['tax_code']}, {subject}{alone}")
            printed.append(f"         {url}/v1/records/{record_id}")
    printed.append(f"{pair('ca_root')}: {settings.signing_roots_file}")
    return "\n".join(printed)


def _instructions(url: str, settings: Settings, summary: FilingSummary) -> str:
    record = summary.example("indicator")
    permit = summary.example("permit", restricted=True)
    token = settings.keys_dir() / "inspector.token"
    keys = settings.keys_dir() / "operators"
    trust = Path(settings.data_dir) / "infraledger-trust.json"
    return "\n".join([
        "",
        pair("anchored"),
        f"  {pair('open_home')}:",
        f"      {url}/",
        f"  {pair('open_record')}:",
        f"      {url}/records/{record}",
        f"  {pair('open_verify')}:",
        f"      {url}/verify",
        f"  {pair('open_docs')}:",
        f"      {url}/docs",
        "",
        *lines("verify_yourself"),
        f"  .venv/bin/infraledger-verify trust init --ledger {url} --trust {trust} "
        f"--signing-roots {settings.signing_roots_file}",
        f"  .venv/bin/infraledger-verify record {record} --ledger {url} --trust {trust}",
        "",
        f"{pair('sample_material')}:",
        f"  {pair('operator_keys')}: {keys}/",
        f"  {pair('inspector_token')}: {token}",
        pair("restricted"),
        f"  curl -H \"Authorization: Bearer $(tail -1 {token})\" {url}/v1/records/{permit}",
        f"{pair('submit')}:",
        f"  .venv/bin/infraledger submit FILE --key {keys}/vnpt.key --url {url}",
        f"{pair('reset')}: make demo-reset",
    ])
