"""Requests generated from the app's own OpenAPI schema (schemathesis) against a live server:
valid ones and, where the schema constrains anything, broken ones. None may get a 5xx, and
every refusal must be the JSON `{"code", "message"}` of the API.

Bounded: `EXAMPLES` requests per operation and generation mode, derandomised (the same
requests on every run), no shrinking; 20 to 30 s in all.
"""

from __future__ import annotations

from typing import Final

import requests
import schemathesis

# Loaded at collection, not lazily inside the test: pytest rewrites the plugin's modules as it
# imports them, and CPython 3.11 can fail that rewrite ("AST constructor recursion depth
# mismatch") when it happens deep in a long session.
import schemathesis.specs.openapi.schemas
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from filings.signing import SubmissionDomain
from tests.server_fixtures import auth, sign_indicator

EXAMPLES: Final = 25
KEY_OPERATIONS: Final = {
    "POST /v1/submissions", "PUT /v1/attachments/{sha256}", "GET /v1/records/{record_id}/proof",
    "GET /v1/records", "POST /v1/operators", "DELETE /v1/operators/{address}",
}


def test_generated_requests_never_get_a_server_error(
    live_server: str, inspector_token: str, registrar_token: str,
    ledger_domain: SubmissionDomain,
) -> None:
    with requests.Session() as session:
        seeded = session.post(f"{live_server}/v1/submissions",
                              json=sign_indicator(ledger_domain), timeout=30)
        assert seeded.status_code == 202, seeded.text
        schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert {op.label for op in operations} >= KEY_OPERATIONS
        faults: list[str] = []
        for operation in operations:
            token = registrar_token if operation.path.startswith("/v1/operators") \
                else inspector_token
            modes = [GenerationMode.POSITIVE]
            if _breakable(operation):
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                faults += _probe(operation, mode, live_server, session, auth(token))
    assert not faults, "\n".join(faults)


def _breakable(operation: schemathesis.APIOperation) -> bool:
    """Whether a request can break the schema: the operation takes a JSON body, or a parameter
    the schema constrains more than "any string" (nothing is invalid for a bare string or a raw
    file)."""
    if any(body.media_type == "application/json" for body in operation.body):
        return True
    for parameter in operation.iter_parameters():
        schema = {k: v for k, v in parameter.definition.get("schema", {}).items() if k != "title"}
        if schema != {"type": "string"}:
            return True
    return False


def _probe(operation: schemathesis.APIOperation, mode: GenerationMode, base_url: str,
           session: requests.Session, headers: dict[str, str]) -> list[str]:
    """Send `EXAMPLES` generated requests; return the faults found (at most one per call)."""
    faults: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    def send(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers, timeout=30)
        where = f"{operation.label} ({mode.value}) -> {response.status_code}"
        if response.status_code >= 500:
            faults.append(f"{where}: {response.text[:300]}\n{case.as_curl_command()}")
        elif response.status_code >= 400:
            try:
                error = response.json()
            except ValueError:
                error = None
            if not (isinstance(error, dict) and {"code", "message"} <= set(error)):
                faults.append(f"{where}: not a JSON error: {response.text[:200]}")

    send()
    return faults
