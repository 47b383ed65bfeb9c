"""`infraledger tokens`: bearer tokens of the inspector and registrar roles.

`tokens create --role inspector|registrar [--label L]` prints the new token once (only its
SHA-256 is stored: a lost token cannot be shown again, make another); `tokens list` prints each
token's hash, role, label and state; `tokens revoke PREFIX|HASH` revokes the token whose hash
starts with PREFIX (at least 8 hex digits). A revoked token is refused at once (401).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from api.http.auth import TOKEN_ROLES
from api.settings import Settings
from ledger.storage.store import LogStore
from ledger.storage.tokens import StoredToken, TokenStore

SHOWN_HASH_CHARS = 16


def register(groups: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    """Add `tokens create`, `tokens list` and `tokens revoke`."""
    parser = groups.add_parser(
        "tokens", parents=[common], help="bearer tokens of inspectors and the registrar",
        description="Issue, list and revoke the bearer tokens of the inspector and registrar "
        "roles (stored as SHA-256 hashes).",
    )
    commands = parser.add_subparsers(dest="tokens_command", metavar="COMMAND", required=True)
    create = commands.add_parser("create", parents=[common], help="issue a token (shown once)")
    create.add_argument("--role", required=True, choices=TOKEN_ROLES)
    create.add_argument("--label", default="", help="who or what holds it")
    create.set_defaults(handler=create_token)
    listing = commands.add_parser("list", parents=[common], help="every token issued")
    listing.set_defaults(handler=list_tokens)
    revoke = commands.add_parser("revoke", parents=[common], help="revoke a token")
    revoke.add_argument("reference", metavar="PREFIX|HASH",
                        help="the token's SHA-256 or its first 8+ hex digits (see `list`)")
    revoke.set_defaults(handler=revoke_token)


@contextmanager
def _tokens(settings: Settings) -> Iterator[TokenStore]:
    store = LogStore(settings.database(), settings.origin, now=int(time.time()))
    try:
        yield TokenStore(store)
    finally:
        store.close()


def _line(token: StoredToken) -> str:
    made = datetime.fromtimestamp(token.created_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    state = "active" if token.active else "revoked"
    return (f"{token.token_hash.hex()[:SHOWN_HASH_CHARS]}  {token.role:<9}  {state:<7}  "
            f"{made}  {token.label}")


def create_token(args: argparse.Namespace, settings: Settings) -> int:
    """Print the new token on stdout, its hash prefix on stderr."""
    with _tokens(settings) as tokens:
        token, stored = tokens.create(args.role, args.label, int(time.time()))
    print(token)
    print(f"issued {stored.role} token {stored.token_hash.hex()[:SHOWN_HASH_CHARS]}: "
          "store it now, it is not shown again", file=sys.stderr)
    return 0


def list_tokens(args: argparse.Namespace, settings: Settings) -> int:
    with _tokens(settings) as tokens:
        for token in tokens.all():
            print(_line(token))
    return 0


def revoke_token(args: argparse.Namespace, settings: Settings) -> int:
    """Revoke one token; an unknown or ambiguous reference is refused (exit code 1)."""
    with _tokens(settings) as tokens:
        token = tokens.revoke(args.reference, int(time.time()))
    print(_line(token))
    return 0
