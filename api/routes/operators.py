"""The operator directory: the OperatorRegistry contract, read by anyone, changed by the
registrar (a bearer token of role `registrar`; the server signs with its registrar key).

`GET /v1/operators` → `{"operators": [{"address", "name", "licence", "active",
"registered_at", "revoked_at"}]}` (block timestamps; `revoked_at` 0 while active).
`POST /v1/operators` `{"address", "name", "licence"}` → 201 with the operator and the
transaction; `DELETE /v1/operators/{address}` → 200 likewise. 409 `operator_conflict` when the
registry refuses (already registered, not active); 503 `chain_unavailable` when the chain is
down or the server holds no registrar key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from anchoring.contract import MinedTransaction
from anchoring.errors import AnchoringError, TransactionReverted
from anchoring.registry import Operator
from api.errors import ChainDown, InvalidRequest, OperatorConflict
from api.http.auth import RegistrarDep
from api.http.deps import Ledger, LedgerDep, hex32, json_response
from api.http.openapi import ERROR_RESPONSES
from filings.errors import InvalidSubmission
from filings.kinds import NO_CONTROLS
from filings.signing import checksum_address

router = APIRouter(tags=["operators"], responses=ERROR_RESPONSES)

Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_CONTROLS)]


class NewOperator(BaseModel):
    """An operator to register: its signing address, name and licence number."""

    model_config = ConfigDict(extra="forbid", strict=True)

    address: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
    name: Text
    licence: Text


def operator_json(operator: Operator) -> dict[str, Any]:
    return {
        "address": operator.address,
        "name": operator.name,
        "licence": operator.licence,
        "active": operator.active,
        "registered_at": operator.registered_at,
        "revoked_at": operator.revoked_at,
    }


def _address(text: str) -> str:
    try:
        return checksum_address(text)
    except InvalidSubmission as exc:
        raise InvalidRequest(f"address: {exc.message}") from exc


def _change(ledger: Ledger, write: Callable[[], MinedTransaction], address: str
            ) -> dict[str, Any]:
    """Send a registry write, then read the operator back; runs in a worker thread."""
    node = ledger.node
    if node.registry.signer is None:
        raise ChainDown("this server holds no registrar key: it cannot change the registry")
    try:
        mined = write()
    except TransactionReverted as exc:
        if exc.error and exc.error.startswith("OperatorRegistry__"):
            raise OperatorConflict(f"the registry refused: {exc.error}",
                                   details={"error": exc.error}) from exc
        raise ChainDown(f"the registry transaction failed: {exc}") from exc
    except AnchoringError as exc:
        raise ChainDown(f"the chain refused or is unreachable: {exc}") from exc
    finally:
        node.operators.invalidate()
    operator = node.registry.operator(address)
    return {
        "operator": None if operator is None else operator_json(operator),
        "tx_hash": hex32(mined.tx_hash),
        "block_number": mined.block_number,
    }


@router.get("/v1/operators", summary="Every registered operator (from the chain)")
def list_operators(ledger: LedgerDep) -> Response:
    try:
        found = ledger.node.registry.operators()
    except AnchoringError as exc:
        raise ChainDown(f"cannot read the registry: {exc}") from exc
    return json_response({"operators": [operator_json(o) for o in found]})


@router.post("/v1/operators", status_code=201, summary="Register an operator (registrar)")
async def register_operator(new: NewOperator, ledger: LedgerDep, _: RegistrarDep) -> Response:
    address = _address(new.address)
    registry = ledger.node.registry
    answer = await asyncio.to_thread(
        _change, ledger, lambda: registry.register(address, new.name, new.licence), address
    )
    return json_response(answer, status_code=201)


@router.delete("/v1/operators/{address}", summary="Revoke an operator (registrar)")
async def revoke_operator(address: str, ledger: LedgerDep, _: RegistrarDep) -> Response:
    checked = _address(address)
    registry = ledger.node.registry
    answer = await asyncio.to_thread(_change, ledger, lambda: registry.revoke(checked), checked)
    return json_response(answer)
