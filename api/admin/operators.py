"""`infraledger operators`: the OperatorRegistry, the public directory of operator addresses.

`register` and `revoke` are transactions signed by the registrar key (REGISTRAR_ROLE); `list`
reads the registry. Submissions are accepted only from active operators. With the embedded
chain, the chain belongs to one process at a time: run these while the server is stopped.
"""

from __future__ import annotations

import argparse
from typing import Final

from anchoring.deploy import Deployment
from anchoring.errors import TransactionReverted
from anchoring.registry import OperatorRegistry
from api.admin.chain import MissingKey, address_argument, deployed_chain
from api.admin.messages import option_help, say
from api.errors import ApiError
from api.node import ChainAccess, service_account
from api.settings import Settings
from client.messages import Lang, OperatorParser

#: What the registry's refusals mean, by custom error name.
_REFUSALS: Final = {
    "OperatorRegistry__AlreadyRegistered": "{address} is already registered",
    "OperatorRegistry__NotActive": "{address} is not an active operator",
    "OperatorRegistry__ZeroAddress": "the zero address cannot be an operator",
    "OperatorRegistry__InvalidText": "the name and the licence must each be 1 to 256 bytes",
    "AccessControlUnauthorizedAccount": "the registrar key {signer} does not hold REGISTRAR_ROLE",
}


class RegistryRefused(ApiError):
    """The OperatorRegistry refused a registration or revocation."""

    code = "registry_refused"
    http_status = 409


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `operators register`, `operators revoke` and `operators list`, their help in
    `lang`."""
    parser = groups.add_parser(
        "operators", lang=lang, common=common, help=option_help(lang, "operators"),
        description=say(lang, "operators_description"),
    )
    commands = parser.add_subparsers(dest="operators_command", metavar="COMMAND", required=True)
    add = commands.add_parser(
        "register", lang=lang, common=common, help=option_help(lang, "operators_register"),
        description=say(lang, "operators_register_description"),
    )
    add.add_argument("address", type=address_argument, metavar="ADDRESS",
                     help=option_help(lang, "operators_address"))
    add.add_argument("--name", required=True, help=option_help(lang, "operators_name"))
    add.add_argument("--licence", required=True, metavar="NO",
                     help=option_help(lang, "operators_licence"))
    add.set_defaults(handler=register_operator)
    revoke = commands.add_parser(
        "revoke", lang=lang, common=common, help=option_help(lang, "operators_revoke"),
        description=say(lang, "operators_revoke_description"),
    )
    revoke.add_argument("address", type=address_argument, metavar="ADDRESS",
                        help=option_help(lang, "operators_address"))
    revoke.set_defaults(handler=revoke_operator)
    listing = commands.add_parser(
        "list", lang=lang, common=common, help=option_help(lang, "operators_list"),
        description=say(lang, "operators_list_description"),
    )
    listing.set_defaults(handler=list_operators)


def register_operator(args: argparse.Namespace, settings: Settings) -> int:
    """Register the address; print the transaction."""
    with deployed_chain(settings) as (access, deployment):
        registry = _registry(settings, access, deployment, signed=True)
        try:
            mined = registry.register(args.address, args.name, args.licence)
        except TransactionReverted as exc:
            raise _refused(exc, args.address, registry) from exc
    print(f"registered {args.address} in transaction 0x{mined.tx_hash.hex()} "
          f"(block {mined.block_number})")
    return 0


def revoke_operator(args: argparse.Namespace, settings: Settings) -> int:
    """Revoke the address; print the transaction."""
    with deployed_chain(settings) as (access, deployment):
        registry = _registry(settings, access, deployment, signed=True)
        try:
            mined = registry.revoke(args.address)
        except TransactionReverted as exc:
            raise _refused(exc, args.address, registry) from exc
    print(f"revoked {args.address} in transaction 0x{mined.tx_hash.hex()} "
          f"(block {mined.block_number})")
    return 0


def list_operators(args: argparse.Namespace, settings: Settings) -> int:
    """Print the registry as a table."""
    del args
    with deployed_chain(settings) as (access, deployment):
        operators = _registry(settings, access, deployment, signed=False).operators()
    rows = [("address", "name", "licence", "active")] + [
        (operator.address, operator.name, operator.licence, "yes" if operator.active else "no")
        for operator in operators
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)),
                         row[3]]))
    return 0


def _registry(settings: Settings, access: ChainAccess, deployment: Deployment, *,
              signed: bool) -> OperatorRegistry:
    signer = service_account(settings, "registrar", access.embedded) if signed else None
    if signed and signer is None:
        raise MissingKey("no registrar key: set INFRALEDGER_REGISTRAR_KEY_FILE")
    return OperatorRegistry(access.chain, deployment.operator_registry, signer,
                            start_block=deployment.block_number)


def _refused(exc: TransactionReverted, address: str, registry: OperatorRegistry) -> ApiError:
    template = _REFUSALS.get(exc.error or "")
    if template is None:
        return RegistryRefused(f"the registry refused: {exc}")
    signer = registry.signer.address if registry.signer is not None else "none"
    return RegistryRefused(template.format(address=address, signer=signer))
