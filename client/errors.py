"""The operator client's one error family: every failure of ours is a `ClientError`.

A message of ours says it in Vietnamese, then English, on one line (`bilingual`); a name that is
the same in both (a file, a draft, a URL) may lead the line once, before both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from filings.errors import Refusal


def bilingual(vietnamese: str, english: str) -> str:
    """The one line an error of the operator's commands says: `vietnamese / english`."""
    return f"{vietnamese} / {english}"


def cannot_read(vietnamese: str, english: str, exc: OSError | UnicodeDecodeError) -> str:
    """`bilingual` for a file that cannot be read, `vietnamese` and `english` naming it: the
    system's reason, or that the file is not UTF-8 text."""
    if isinstance(exc, OSError):
        return bilingual(f"không đọc được {vietnamese}: {exc.strerror}",
                         f"cannot read {english}: {exc.strerror}")
    return bilingual(f"không đọc được {vietnamese}: không phải văn bản UTF-8",
                     f"cannot read {english}: not UTF-8 text")


class ClientError(Refusal):
    """Base of every error raised by the `client` package: a `code` and a human `message`."""

    code = "client_error"


class LedgerRefused(ClientError):
    """The server refused a request: its error `code`, `message` and the HTTP status.

    The instance's `code` is the server's, not this class's default.
    """

    code = "ledger_refused"

    def __init__(
        self, code: str, message: str, http_status: int,
        *, details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        vars(self).update(code=code)
        self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.code} (HTTP {self.http_status}): {self.message}"


class LedgerUnreachable(ClientError):
    """The server could not be reached, or broke the connection before answering."""

    code = "ledger_unreachable"


class BadKeyFile(ClientError):
    """An operator key file that cannot be read or holds no secp256k1 private key."""

    code = "bad_key_file"


class DraftError(ClientError):
    """A draft that cannot be read, parsed or signed."""

    code = "invalid_draft"


class UsageError(ClientError):
    """Options that do not go together, or that a run needs and lacks."""

    code = "usage_error"
