"""Signatures that count in law: CA-certificate signatures on filings, beside EIP-712.

Operators may sign a submission with an organisation certificate from a licensed Vietnamese
public CA (Law 20/2023/QH15, Decree 23/2025/NĐ-CP, Circular 15/2025/TT-BKHCN): a detached CMS
(CAdES-BES/-T) over exact bytes, or PAdES in a PDF attachment. A signature is accepted when its
certificate chains to a pinned root, carries the operator's identity, has the nonRepudiation key
usage, and was valid and unrevoked at the signing time; the OCSP responses, CRLs, certificates and
time-stamps that showed it are kept as content-addressed evidence, from which it can be checked
again after every certificate has expired.

Pure modules: `roots`, `policy`, `chains`, `evidence`, `paths`, `timestamps`, `validation`,
`cms`, `pades`, `results`. Only `online` asks the network (gathering evidence, asking a TSA),
through a `Transport` the caller passes in; `signing` time-stamps through it.
"""

from filings.signatures.cms import parse_detached, verify_cms
from filings.signatures.evidence import Evidence, EvidenceItem, EvidenceKind
from filings.signatures.online import (
    EvidenceCollector,
    HttpTimeStamper,
    Transport,
    accept_cms,
    accept_pdf,
    public_url,
)
from filings.signatures.pades import first_refusal, read_signatures, verify_pdf
from filings.signatures.policy import (
    DEFAULT_POLICY,
    OperatorIdentity,
    SignaturePolicy,
    normalise_tax_code,
    tax_code_of,
)
from filings.signatures.results import (
    STATUS_MESSAGES,
    SignatureResult,
    status_message,
    status_messages,
)
from filings.signatures.roots import TrustRoots, fingerprint
from filings.signatures.signing import sign_detached, sign_pdf

__all__ = [
    "DEFAULT_POLICY",
    "STATUS_MESSAGES",
    "Evidence",
    "EvidenceCollector",
    "EvidenceItem",
    "EvidenceKind",
    "HttpTimeStamper",
    "OperatorIdentity",
    "SignaturePolicy",
    "SignatureResult",
    "Transport",
    "TrustRoots",
    "accept_cms",
    "accept_pdf",
    "fingerprint",
    "first_refusal",
    "normalise_tax_code",
    "parse_detached",
    "public_url",
    "read_signatures",
    "sign_detached",
    "sign_pdf",
    "status_message",
    "status_messages",
    "tax_code_of",
    "verify_cms",
    "verify_pdf",
]
