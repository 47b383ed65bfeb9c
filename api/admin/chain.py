"""`infraledger chain deploy`: put the LedgerAnchor and OperatorRegistry contracts on the chain.

Deploys both contracts from the admin key (it keeps DEFAULT_ADMIN_ROLE), grants ANCHORER_ROLE to
the anchorer's address and REGISTRAR_ROLE to the registrar's, checks the deployed code, and
records the `Deployment` in the data directory's `config.json`. On the embedded chain the keys
are its dev accounts; on a network they come from the key files in the settings (or
`--admin-key`), or the service roles from `--anchorer` / `--registrar` addresses.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eth_utils.address import is_address, to_checksum_address

from anchoring.deploy import Deployment, deploy
from api.admin.messages import option_help, say
from api.errors import ApiError
from api.node import ChainAccess, Role, load_deployment, open_chain, service_account
from api.settings import Settings
from client.messages import Lang, OperatorParser


class AlreadyDeployed(ApiError):
    """The data directory already records a deployment (redeploying needs `--force`)."""

    code = "already_deployed"
    http_status = 409


class MissingKey(ApiError):
    """A role's key (or address) is needed and the settings name none."""

    code = "missing_key"
    http_status = 400


def address_argument(text: str) -> str:
    """argparse type: an Ethereum address (any case), returned in EIP-55 form."""
    if not is_address(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an Ethereum address (0x + 40 hex)")
    return to_checksum_address(text)


@contextmanager
def deployed_chain(settings: Settings) -> Iterator[tuple[ChainAccess, Deployment]]:
    """The ledger's chain, checked to hold the recorded deployment; closed on exit.

    Raises `NotDeployed` without a deployment, an `AnchoringError` when the chain cannot be
    reached or is not the deployment's (wrong chain id, other code at the addresses).
    """
    deployment = load_deployment(settings)
    access = open_chain(settings, expected_chain_id=deployment.chain_id)
    try:
        deployment.verify(access.chain)
        yield access, deployment
    finally:
        access.close()


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `chain deploy`, its help in `lang`."""
    parser = groups.add_parser(
        "chain", lang=lang, common=common, help=option_help(lang, "chain"),
        description=say(lang, "chain_description"),
    )
    commands = parser.add_subparsers(dest="chain_command", metavar="COMMAND", required=True)
    deploy_parser = commands.add_parser(
        "deploy", lang=lang, common=common, help=option_help(lang, "chain_deploy"),
        description=say(lang, "chain_deploy_description"),
    )
    deploy_parser.add_argument(
        "--admin-key", type=Path, default=None, metavar="FILE",
        help=option_help(lang, "chain_admin_key"),
    )
    deploy_parser.add_argument(
        "--anchorer", type=address_argument, default=None, metavar="ADDRESS",
        help=option_help(lang, "chain_anchorer"),
    )
    deploy_parser.add_argument(
        "--registrar", type=address_argument, default=None, metavar="ADDRESS",
        help=option_help(lang, "chain_registrar"),
    )
    deploy_parser.add_argument("--force", action="store_true",
                               help=option_help(lang, "chain_force"))
    deploy_parser.set_defaults(handler=deploy_contracts)


def deploy_contracts(args: argparse.Namespace, settings: Settings) -> int:
    """Deploy, grant the roles, record the deployment, print where the contracts are."""
    if settings.deployment is not None and not args.force:
        recorded = load_deployment(settings)
        raise AlreadyDeployed(
            f"the contracts are already deployed on chain {recorded.chain_id} (LedgerAnchor "
            f"{recorded.ledger_anchor}, OperatorRegistry {recorded.operator_registry}); "
            "--force deploys new ones"
        )
    if args.admin_key is not None:
        settings = settings.model_copy(update={"admin_key_file": args.admin_key})
    access = open_chain(settings)
    try:
        admin = service_account(settings, "admin", access.embedded)
        if admin is None:
            raise MissingKey("no admin key: give --admin-key FILE or set "
                             "INFRALEDGER_ADMIN_KEY_FILE")
        anchorer = args.anchorer or _role_address(settings, "anchorer", access)
        registrar = args.registrar or _role_address(settings, "registrar", access)
        deployment = deploy(access.chain, admin, anchorer=anchorer, registrar=registrar)
    finally:
        access.close()
    settings.save(deployment=deployment.to_json())
    print(json.dumps({**deployment.to_json(), "admin": admin.address, "anchorer": anchorer,
                      "registrar": registrar}, indent=2))
    return 0


def _role_address(settings: Settings, role: Role, access: ChainAccess) -> str:
    account = service_account(settings, role, access.embedded)
    if account is None:
        raise MissingKey(
            f"no {role} key: set INFRALEDGER_{role.upper()}_KEY_FILE or give --{role} ADDRESS"
        )
    return account.address
