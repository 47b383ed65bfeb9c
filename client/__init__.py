"""The operator's client of a ledger: keys, signing, uploads and bulk submissions over HTTP.

Needs the base install plus httpx (`pip install "infraledger[client]"`): it signs with the
domain's code (`filings.signing`) and imports nothing of the server.
"""

from client.errors import BadKeyFile, ClientError, DraftError, LedgerRefused, LedgerUnreachable
from client.keys import load_operator_key
from client.ledger import (
    CertificateOperator,
    LedgerClient,
    SubmissionResult,
    ca_only_submission,
    prepare_submission,
)

__all__ = [
    "BadKeyFile",
    "CertificateOperator",
    "ClientError",
    "DraftError",
    "LedgerClient",
    "LedgerRefused",
    "LedgerUnreachable",
    "SubmissionResult",
    "ca_only_submission",
    "load_operator_key",
    "prepare_submission",
]
