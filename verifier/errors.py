"""The verifier's errors: one base, `VerificationError`, and a precise subclass per fault.

Every malformed input and every failed proof raises a subclass of `VerificationError`, never a
bare `ValueError`, `KeyError` or `binascii.Error`: third-party errors are translated where they
enter (`raise ... from exc`). The CLI maps `Unavailable` to exit code 2 (could not check) and
everything else to a failed check (exit code 1).

An error's message is a `Text` (`verifier.messages`), or, for the format diagnostics of the
parsers (member names, got/want of a malformed input), an English string: in another language
that string is shown after the description of the error's class (`error.<class name>` in each
catalogue). `str(error)` is always the English message.
"""

from __future__ import annotations

from verifier.messages import Text, text


class VerificationError(Exception):
    """Base of every error the verifier raises; `text` is its message in every language."""

    text: Text

    def __init__(self, message: str | Text) -> None:
        """`message`: a `Text`, or an English diagnostic (see the module docstring)."""
        if isinstance(message, str):
            kind = text(f"error.{type(self).__name__}")
            message = text("error.detail", kind=kind, detail=message)
        self.text = message
        super().__init__(message.render("en"))


# Malformed input: the bytes do not follow their format.


class MalformedInput(VerificationError):
    """An input does not follow its format (JSON, hex, base64, note, checkpoint, bundle...)."""


class MalformedJSON(MalformedInput):
    """Not JSON, duplicate object keys, or a JSON value outside I-JSON (RFC 7493)."""


class MalformedHex(MalformedInput):
    """Hex text of the wrong alphabet, case, prefix or length."""


class MalformedBase64(MalformedInput):
    """Not canonical standard base64 (RFC 4648 section 4), or the wrong decoded length."""


class MalformedHash(MalformedInput):
    """A hash that is not 32 bytes long (SHA-256, RFC 9162 section 2.1.1)."""


class NotCanonicalizable(MalformedInput):
    """A value RFC 8785 cannot encode: NaN, infinities, unsafe integers, lone surrogates."""


class MalformedVerifierKey(MalformedInput):
    """A C2SP signed-note verifier key that is not `name+hex8+base64(0x01 || key)`."""


class MalformedNote(MalformedInput):
    """A C2SP signed note that does not follow c2sp.org/signed-note."""


class MalformedCheckpoint(MalformedInput):
    """A note text that does not follow c2sp.org/tlog-checkpoint."""


class MalformedTlogProof(MalformedInput):
    """A text that does not follow c2sp.org/tlog-proof@v1."""


class MalformedAddress(MalformedInput):
    """Not a 0x-prefixed 20-byte address, or a mixed-case one that fails its EIP-55 checksum."""


class MalformedEntry(MalformedInput):
    """An entry object that does not follow DESIGN section 2."""


class MalformedBundle(MalformedInput):
    """A proof bundle that does not follow verifier/FORMAT.md (`infraledger-proof/1`)."""


class MalformedTrust(MalformedInput):
    """A trust file (or a `/v1/log` answer) that does not follow the trust file format."""


class MalformedMonitorState(MalformedInput):
    """A monitor state file that is not the JSON the monitor writes."""


class MalformedLedgerResponse(MalformedInput):
    """A ledger answer (tile, entry bundle, record, anchors, proof) that breaks its contract."""


class MalformedChainResponse(MalformedInput):
    """A JSON-RPC answer that is not valid JSON-RPC or not the ABI encoding it must be."""


# Proofs that parse but do not prove.


class ProofError(VerificationError):
    """An RFC 9162 proof does not prove what it claims."""


class IndexOutOfRange(ProofError):
    """A leaf index is not below the tree size (RFC 9162 section 2.1.3.2 requires index < size)."""


class WrongProofLength(ProofError):
    """A proof has more or fewer hashes than its index and sizes call for."""


class InvalidTreeSizes(ProofError):
    """Consistency between these sizes is undefined (size2 < size1, or from an empty tree)."""


class RootMismatch(ProofError):
    """The root recomputed from a proof (or from the leaves) is not the expected root."""


# Signatures.


class SignatureError(VerificationError):
    """A signature does not verify."""


class NoteSignatureError(SignatureError):
    """A signed note carries no valid signature by the trusted key (c2sp.org/signed-note)."""


class SubmissionSignatureError(SignatureError):
    """An EIP-712 submission signature is malformed, malleable, or not by the entry's operator."""


# Facts that disagree with what the user pinned or what the record commits to.


class CommitmentMismatch(VerificationError):
    """A body, salt, attachment list or document does not hash to the entry's commitment."""


class RecordIdMismatch(VerificationError):
    """An entry does not hash to the record id it is presented as."""


class TrustMismatch(VerificationError):
    """A log, key, chain or contract differs from the one pinned in the trust file."""


class AnchorMismatch(VerificationError):
    """The chain does not hold the anchor the bundle or the log claims."""


class OperatorInactive(VerificationError):
    """The signer was not an active operator in the OperatorRegistry when its record was
    anchored (or, for a record not anchored yet, is not active now)."""


# The chain, as seen through several JSON-RPC endpoints.


class ChainDisagreement(VerificationError):
    """JSON-RPC endpoints answered the same call differently (the quorum policy failed)."""


class WrongChain(VerificationError):
    """A JSON-RPC endpoint serves another chain than the pinned chain id."""


# I/O: the verifier could not ask (CLI exit code 2).


class Unavailable(VerificationError):
    """A ledger server or JSON-RPC endpoint could not be reached or answered with an error."""


class LedgerUnavailable(Unavailable):
    """The ledger's HTTP API could not be reached or answered with an HTTP error."""


class LedgerNotFound(LedgerUnavailable):
    """The ledger answered HTTP 404: it holds no such record, tile or proof."""


class NotCheckpointed(LedgerUnavailable):
    """The ledger holds the record but no signed checkpoint covers it yet (HTTP 404 with the
    code `not_checkpointed`): nothing can be proven about it for a few seconds."""


class ChainUnavailable(Unavailable):
    """Too few JSON-RPC endpoints answered to meet the quorum."""
