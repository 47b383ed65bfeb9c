"""The evidence of a record's CA signatures and its operator's bindings, fetched from the ledger
(`infraledger-verify record ID --ledger URL` without `--evidence` or `--binding`).

The ledger serves the evidence of a public record to anyone (`GET /v1/attachments/{sha256}`):
each evidence document the record lists, and the CMS, signed PDF and evidence items each one
names. None of it is trusted. A file is used only when its bytes hash to the name it was asked
by (the record commits to each document's hash, each document to the files it names); one that
hashes to anything else makes its signature a finding (`evidence_invalid`): the ledger served
other bytes than those it accepted the signature on. One that cannot be fetched (a restricted
record's evidence, which only inspectors read; a ledger that does not answer) makes the
signature "could not check", with the reason, never valid.

The bindings are the `binding/1` records the ledger lists for the operator
(`GET /v1/records?kind=binding&subject=binding:<operator>`), each used only once its proof
bundle verifies like any bundle; which one is in force is `verifier.signatures`'s rule.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from verifier.bundle import ProofBundle
from verifier.bundle_verification import verify_bundle
from verifier.canonical_json import parse_json
from verifier.entry import parse_record_id
from verifier.errors import LedgerNotFound, MalformedInput, Unavailable
from verifier.evidence import EVIDENCE_TYPE, EvidenceDocument, Files
from verifier.jsonrpc import ChainReader
from verifier.ledger_api import LedgerApi
from verifier.messages import Lang, Text, text
from verifier.signature_status import EvidenceMissing, SignatureRefused
from verifier.signatures import BINDING_SUBJECT_PREFIX, Binding, binding_of
from verifier.trust import Trust

MAX_BINDINGS: Final = 100
"""The binding records of one operator read (a correction adds one; a first page holds them)."""
_HEX64: Final = re.compile(r"[0-9a-f]{64}\Z")


@dataclass(frozen=True, slots=True)
class _Failure:
    """Why a file named by the evidence is not among the fetched ones."""

    reason: Text
    changed: bool
    """True when the ledger served bytes of another hash; False when it served none."""


class LedgerFiles(Files):
    """The files fetched from the ledger, by the SHA-256 of their bytes; asking for one that
    could not be fetched, or was served changed, says so in the verifier's language."""

    def __init__(
        self, contents: Iterable[bytes], failures: Mapping[str, _Failure], lang: Lang
    ) -> None:
        super().__init__(contents)
        self._failures = dict(failures)
        self._lang = lang

    def get(self, sha256: str, what: str) -> bytes:
        failure = self._failures.get(sha256)
        if failure is None:
            return super().get(sha256, what)
        detail = f"{what}: {failure.reason.render(self._lang)}"
        if failure.changed:
            raise SignatureRefused("evidence_invalid", detail)
        raise EvidenceMissing(detail)


def fetch_evidence(api: LedgerApi, bundle: ProofBundle, lang: Lang) -> LedgerFiles:
    """Fetch every evidence document the record lists and every file each one names."""
    contents: dict[str, bytes] = {}
    failures: dict[str, _Failure] = {}

    def fetch(sha256: str) -> bytes | None:
        if sha256 in contents or sha256 in failures:
            return contents.get(sha256)
        try:
            data = api.get(f"/v1/attachments/{sha256}")
        except LedgerNotFound as exc:
            failures[sha256] = _Failure(text("fetch.not_served", sha256=sha256, reason=exc.text),
                                        changed=False)
            return None
        except (Unavailable, MalformedInput) as exc:
            failures[sha256] = _Failure(
                text("fetch.unavailable", sha256=sha256, reason=exc.text), changed=False)
            return None
        got = hashlib.sha256(data).hexdigest()
        if got != sha256:
            failures[sha256] = _Failure(text("fetch.changed", sha256=sha256, got=got),
                                        changed=True)
            return None
        contents[sha256] = data
        return data

    for reference in bundle.attachments:
        if reference.type != EVIDENCE_TYPE:
            continue
        data = fetch(reference.sha256.hex())
        if data is None:
            continue
        try:
            document = EvidenceDocument.parse(data)
        except SignatureRefused:
            continue  # the check of the signature reports the malformed document
        for name in (document.target, *_item_names(document)):
            fetch(name)
    return LedgerFiles(contents.values(), failures, lang)


def _item_names(document: EvidenceDocument) -> list[str]:
    """The SHA-256 of each item the manifest names, as far as it is well formed (the check of
    the signature reports a malformed manifest)."""
    items = document.manifest.get("items")
    if not isinstance(items, list):
        return []
    names = [item.get("sha256") for item in items if isinstance(item, dict)]
    return [name for name in names if isinstance(name, str) and _HEX64.match(name)]


def fetch_bindings(
    api: LedgerApi, trust: Trust, chain: ChainReader | None, operator: str
) -> tuple[Binding, ...]:
    """The bindings of `operator` the ledger lists whose proof bundles verify; one that cannot
    be read or does not verify is left out (the signature then names no binding in force)."""
    query = urllib.parse.urlencode({
        "kind": "binding", "subject": BINDING_SUBJECT_PREFIX + operator, "limit": MAX_BINDINGS,
    })
    try:
        answer = api.get_json(f"/v1/records?{query}")
    except (Unavailable, MalformedInput):
        return ()
    listed = answer.get("records") if isinstance(answer, dict) else None
    found: list[Binding] = []
    for record in listed if isinstance(listed, list) else []:
        try:
            record_id = parse_record_id(str(record["id"]))
            data = api.proof_bundle(record_id.hex())
            if not verify_bundle(data, trust, chain=chain, expected_record_id=record_id).verified:
                continue
            found.append(binding_of(ProofBundle.parse(parse_json(data))))
        except (Unavailable, MalformedInput, KeyError, TypeError):
            continue
    return tuple(found)
