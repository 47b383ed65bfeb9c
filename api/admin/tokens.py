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

from api.admin.messages import option_help, say
from api.http.auth import TOKEN_ROLES
from api.settings import Settings
from client.messages import Lang, OperatorParser
from ledger.storage.store import LogStore
from ledger.storage.tokens import StoredToken, TokenStore

SHOWN_HASH_CHARS = 16


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `tokens create`, `tokens list` and `tokens revoke`, their help in `lang`."""
    parser = groups.add_parser(
        "tokens", lang=lang, common=common, help=option_help(lang, "tokens"),
        description=say(lang, "tokens_description"),
    )
    commands = parser.add_subparsers(dest="tokens_command", metavar="COMMAND", required=True)
    create = commands.add_parser(
        "create", lang=lang, common=common, help=option_help(lang, "tokens_create"),
        description=say(lang, "tokens_create_description"),
    )
    create.add_argument("--role", required=True, choices=TOKEN_ROLES,
                        help=option_help(lang, "tokens_role"))
    create.add_argument("--label", default="", help=option_help(lang, "tokens_label"))
    create.set_defaults(handler=create_token)
    listing = commands.add_parser(
        "list", lang=lang, common=common, help=option_help(lang, "tokens_list"),
        description=say(lang, "tokens_list_description"),
    )
    listing.set_defaults(handler=list_tokens)
    revoke = commands.add_parser(
        "revoke", lang=lang, common=common, help=option_help(lang, "tokens_revoke"),
        description=say(lang, "tokens_revoke_description"),
    )
    revoke.add_argument("reference", metavar="PREFIX|HASH",
                        help=option_help(lang, "tokens_reference"))
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
