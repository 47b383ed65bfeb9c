"""InfraLedger's independent verifier: proofs of records, checked without trusting the ledger.

It imports nothing from the server packages (`ledger`, `api`, `anchoring`, `contracts`): hashing,
canonical JSON, Merkle proofs, signed notes, EIP-712 recovery and the chain reads are implemented
here again, so that a server bug cannot hide itself (DESIGN section 7). Its only dependencies are
`cryptography` (Ed25519), `coincurve` (secp256k1) and `pycryptodome` (Keccak).
"""

from verifier.audit import AuditReport, audit_log
from verifier.bundle import ProofBundle
from verifier.bundle_verification import (
    CHECKS,
    CheckResult,
    Document,
    Status,
    SuppliedBody,
    VerificationResult,
    verify_bundle,
)
from verifier.canonical_json import canonicalize, parse_json
from verifier.checkpoint import Checkpoint, SignedCheckpoint
from verifier.commitments import Attachment, attachment_list_hash, content_commitment
from verifier.eip712 import SigningDomain, recover_signer, submission_digest
from verifier.entry import Entry, RecordId, record_id
from verifier.errors import VerificationError
from verifier.jsonrpc import ChainReader, Quorum
from verifier.ledger_api import LedgerApi
from verifier.messages import Text
from verifier.monitor import Alert, Monitor, MonitorState, Observation
from verifier.rfc9162 import (
    LeafHash,
    NodeHash,
    RootHash,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from verifier.signed_note import SignedNote, VerifierKey
from verifier.tlog_proof import TlogProof
from verifier.trust import Trust

__all__ = [
    "CHECKS",
    "Alert",
    "Attachment",
    "AuditReport",
    "ChainReader",
    "CheckResult",
    "Checkpoint",
    "Document",
    "Entry",
    "LeafHash",
    "LedgerApi",
    "Monitor",
    "MonitorState",
    "NodeHash",
    "Observation",
    "ProofBundle",
    "Quorum",
    "RecordId",
    "RootHash",
    "SignedCheckpoint",
    "SignedNote",
    "SigningDomain",
    "Status",
    "SuppliedBody",
    "Text",
    "TlogProof",
    "Trust",
    "VerificationError",
    "VerificationResult",
    "VerifierKey",
    "attachment_list_hash",
    "audit_log",
    "canonicalize",
    "content_commitment",
    "leaf_hash",
    "node_hash",
    "parse_json",
    "record_id",
    "recover_signer",
    "submission_digest",
    "verify_bundle",
    "verify_consistency",
    "verify_inclusion",
]
