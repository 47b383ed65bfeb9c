"""OperatorRegistry on the embedded chain and on anvil: register, revoke, events, the cache."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest
from eth_account import Account
from eth_utils.address import to_checksum_address

from anchoring import REGISTRAR_ROLE, OperatorRegistry, TransactionReverted
from anchoring.deploy import deploy_contract
from anchoring.registry import OPERATOR_REGISTERED_TOPIC, OPERATOR_REVOKED_TOPIC
from tests.chain_fixtures import ChainEnv


def _new_address() -> str:
    return str(Account.from_key(secrets.token_bytes(32)).address)


@pytest.fixture
def registry(chain_env: ChainEnv) -> OperatorRegistry:
    """A fresh registry (no operator yet), the registrar holding its role."""
    address, block = deploy_contract(
        chain_env.chain, chain_env.admin, "OperatorRegistry", chain_env.admin.address
    )
    OperatorRegistry(chain_env.chain, address, chain_env.admin).grant_role(
        REGISTRAR_ROLE, chain_env.registrar.address
    )
    return OperatorRegistry(chain_env.chain, address, chain_env.registrar, start_block=block)


def test_register_and_revoke(chain_env: ChainEnv, registry: OperatorRegistry) -> None:
    vnpt, viettel = _new_address(), _new_address()
    assert not registry.is_active(vnpt)
    assert registry.operator(vnpt) is None
    mined = registry.register(vnpt, "VNPT Thừa Thiên Huế", "GP-123/BTTTT")
    registry.register(viettel, "Viettel Huế", "GP-456/BTTTT")
    assert registry.is_active(vnpt)
    entry = registry.operator(vnpt)
    assert entry is not None
    assert (entry.name, entry.licence, entry.active) == ("VNPT Thừa Thiên Huế", "GP-123/BTTTT",
                                                         True)
    block = chain_env.chain.block(mined.block_number)
    assert entry.registered_at == block["timestamp"]
    assert entry.revoked_at == 0

    revoked = registry.revoke(vnpt)
    assert not registry.is_active(vnpt)
    entry = registry.operator(vnpt)
    assert entry is not None and not entry.active
    assert entry.revoked_at == chain_env.chain.block(revoked.block_number)["timestamp"]
    assert [operator.address for operator in registry.operators()] == [vnpt, viettel]
    assert [operator.active for operator in registry.operators()] == [False, True]


def test_events_are_emitted(chain_env: ChainEnv, registry: OperatorRegistry) -> None:
    operator = _new_address()
    registered = registry.register(operator, "MobiFone", "GP-789")
    revoked = registry.revoke(operator)
    logs = chain_env.chain.logs(
        registry.address, [[OPERATOR_REGISTERED_TOPIC, OPERATOR_REVOKED_TOPIC]],
        registered.block_number, revoked.block_number,
    )
    assert [bytes(log["topics"][0]) for log in logs] == [OPERATOR_REGISTERED_TOPIC,
                                                         OPERATOR_REVOKED_TOPIC]
    assert {to_checksum_address(bytes(log["topics"][1])[12:]) for log in logs} == {operator}
    assert [bytes(log["transactionHash"]) for log in logs] == [registered.tx_hash,
                                                               revoked.tx_hash]


def test_refusals(registry: OperatorRegistry) -> None:
    operator = _new_address()
    registry.register(operator, "FPT Telecom", "GP-1")
    cases: list[tuple[Callable[[], object], tuple[object, ...]]] = [
        (lambda: registry.register(operator, "FPT Telecom", "GP-1"),
         ("OperatorRegistry__AlreadyRegistered", operator.lower())),
        (lambda: registry.register("0x" + "00" * 20, "Nobody", "GP-0"),
         ("OperatorRegistry__ZeroAddress",)),
        (lambda: registry.register(_new_address(), "", "GP-2"),
         ("OperatorRegistry__InvalidText", 0)),
        (lambda: registry.register(_new_address(), "x" * 257, "GP-2"),
         ("OperatorRegistry__InvalidText", 257)),
        (lambda: registry.register(_new_address(), "Ok", "é" * 129),
         ("OperatorRegistry__InvalidText", 258)),
    ]
    for attempt, expected in cases:
        with pytest.raises(TransactionReverted) as excinfo:
            attempt()
        assert (excinfo.value.error, *excinfo.value.error_args) == expected
    stranger = _new_address()
    with pytest.raises(TransactionReverted) as excinfo:
        registry.revoke(stranger)
    assert (excinfo.value.error, *excinfo.value.error_args) == (
        "OperatorRegistry__NotActive", stranger.lower())
    registry.revoke(operator)
    with pytest.raises(TransactionReverted) as excinfo:
        registry.revoke(operator)
    assert excinfo.value.error == "OperatorRegistry__NotActive"
    # A revoked address is never registered again.
    with pytest.raises(TransactionReverted) as excinfo:
        registry.register(operator, "FPT Telecom", "GP-1")
    assert excinfo.value.error == "OperatorRegistry__AlreadyRegistered"
    with pytest.raises(TransactionReverted) as excinfo:
        registry._read("operatorAt", 5)
    assert (excinfo.value.error, *excinfo.value.error_args) == (
        "OperatorRegistry__IndexOutOfRange", 5, 1)


def test_only_the_registrar_registers(chain_env: ChainEnv, registry: OperatorRegistry) -> None:
    for account in (chain_env.admin, chain_env.anchorer, chain_env.other):
        intruder = OperatorRegistry(chain_env.chain, registry.address, account)
        with pytest.raises(TransactionReverted) as excinfo:
            intruder.register(_new_address(), "Rogue", "none")
        assert excinfo.value.error == "AccessControlUnauthorizedAccount"
        assert excinfo.value.error_args[1] == REGISTRAR_ROLE
    operator = _new_address()
    registry.register(operator, "VNPT", "GP-1")
    with pytest.raises(TransactionReverted) as excinfo:
        OperatorRegistry(chain_env.chain, registry.address, chain_env.other).revoke(operator)
    assert excinfo.value.error == "AccessControlUnauthorizedAccount"
    assert registry.is_active(operator)


def test_active_set_follows_the_events(chain_env: ChainEnv, registry: OperatorRegistry) -> None:
    assert registry.active_operators() == frozenset()
    scanned = registry.scanned_through
    assert scanned == chain_env.chain.block_number()
    first, second, third = _new_address(), _new_address(), _new_address()
    registry.register(first, "One", "GP-1")
    registry.register(second, "Two", "GP-2")
    # Without a refresh the cache is what it was.
    assert registry.active_operators(refresh=False) == frozenset()
    assert registry.active_operators() == {first, second}
    registry.revoke(first)
    registry.register(third, "Three", "GP-3")
    assert registry.active_operators() == {second, third}
    assert registry.scanned_through == chain_env.chain.block_number()
    # Another instance scanning from the deployment in small chunks agrees.
    cold = OperatorRegistry(chain_env.chain, registry.address,
                            start_block=scanned, log_chunk=2)
    assert cold.active_operators() == {second, third}
    assert {operator.address for operator in registry.operators() if operator.active} == {
        second, third
    }
