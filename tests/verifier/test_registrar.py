"""The department's records: plans and compiled figures, signed by a holder of REGISTRAR_ROLE.

A plan may be signed only by a registrar, an `indicator/2` figure by an active operator or a
registrar, every other record by an active operator only (as the ledger admits them). The
registrar is dated by the registry's RoleGranted and RoleRevoked logs through the anchor's
block, and the role is read only where it matters: never for an operator's own record.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_hash.auto import keccak

from tests.verifier.ledger_double import (
    OPERATOR_REGISTRY,
    ChainDouble,
    LedgerHttp,
    LogDouble,
    NoteKey,
    make_record,
    serve_get,
    serve_rpc,
)
from verifier.audit import audit_log
from verifier.bundle_verification import CheckResult, Status, verify_bundle
from verifier.jsonrpc import ChainReader, Quorum
from verifier.ledger_api import LedgerApi
from verifier.onchain import REGISTRAR_ROLE, OperatorRegistry
from verifier.trust import Trust

OPERATOR = Account.from_key(bytes.fromhex("11" * 32))
REGISTRAR = Account.from_key(bytes.fromhex("22" * 32))
OPERATOR_FIGURE_1, PLAN, COMPILED, OPERATOR_FIGURE_2, REGISTRAR_PERMIT, OPERATOR_PLAN = range(6)
"""The anchored records (anchor 6, block 100)."""
LATE_PLAN, LATE_COMPILED = 6, 7
"""The records past the anchor."""
ANCHOR_BLOCK = 100
GRANTED = 10
OPERATOR_OF = keccak(b"operatorOf(address)")[:4]


def utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclasses.dataclass
class Department:
    log: LogDouble
    chain: ChainDouble

    def trust(self, urls: list[str]) -> Trust:
        return Trust.parse(self.log.trust(urls))

    def with_roles(self, *changes: tuple[int, bool], holder: str = REGISTRAR.address,
                   active: set[str] | None = None) -> ChainDouble:
        """The chain with `holder`'s REGISTRAR_ROLE changes replaced (and its operators)."""
        return dataclasses.replace(
            self.chain, roles={holder: list(changes)}, calls=[], methods=[], log_queries=[],
            active=self.chain.active if active is None else active,
        )

    @property
    def anchor_time(self) -> int:
        return self.chain.anchors[6].timestamp


@pytest.fixture(scope="module")
def department() -> Department:
    chain = ChainDouble(active={OPERATOR.address}, roles={REGISTRAR.address: [(GRANTED, True)]})
    log = LogDouble(NoteKey(seed=bytes(range(1, 33))), chain)
    signed = [
        (OPERATOR, "indicator", "indicator/1"),
        (REGISTRAR, "plan", "plan/1"),
        (REGISTRAR, "indicator", "indicator/2"),
        (OPERATOR, "indicator", "indicator/2"),
        (REGISTRAR, "permit", "permit/1"),
        (OPERATOR, "plan", "plan/1"),
        (REGISTRAR, "plan", "plan/1"),
        (REGISTRAR, "indicator", "indicator/2"),
    ]
    for number, (account, kind, schema) in enumerate(signed):
        log.append(make_record(account, number, kind=kind, schema=schema))
        if log.size == 6:
            tx = log.anchor()
            assert tx.block_number == ANCHOR_BLOCK
    return Department(log, chain)


def operator_check(department: Department, chain: ChainDouble, index: int) -> CheckResult:
    with serve_rpc(chain) as url:
        trust = department.trust([url])
        result = verify_bundle(
            json.dumps(department.log.bundle(index)).encode(),
            trust,
            chain=ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id),
        )
    return next(c for c in result.checks if c.name == "operator_active")


def test_a_plan_by_a_registrar_verifies_by_the_role_alone(department: Department) -> None:
    chain = department.with_roles((GRANTED, True))
    check = operator_check(department, chain, PLAN)
    assert check.status is Status.PASSED
    assert check.message == (
        f"{REGISTRAR.address} held REGISTRAR_ROLE in {OPERATOR_REGISTRY} at the anchor's block "
        f"{ANCHOR_BLOCK}: granted in block {GRANTED}"
    )
    assert OPERATOR_OF not in chain.calls  # a plan is never an operator's
    assert chain.log_queries == [(0, ANCHOR_BLOCK)]


def test_a_compiled_figure_by_a_registrar_verifies(department: Department) -> None:
    chain = department.with_roles((GRANTED, True))
    check = operator_check(department, chain, COMPILED)
    assert check.status is Status.PASSED
    assert check.message.startswith(f"{REGISTRAR.address} held REGISTRAR_ROLE in ")


@pytest.mark.parametrize("index", [OPERATOR_FIGURE_1, OPERATOR_FIGURE_2])
def test_an_operators_figure_never_reads_the_role(department: Department, index: int) -> None:
    chain = department.with_roles((GRANTED, True))
    check = operator_check(department, chain, index)
    assert check.status is Status.PASSED
    assert check.message.startswith(f"{OPERATOR.address} was active in {OPERATOR_REGISTRY} at ")
    assert "eth_getLogs" not in chain.methods
    assert keccak(b"hasRole(bytes32,address)")[:4] not in chain.calls


def test_a_registrar_may_not_sign_a_permit(department: Department) -> None:
    chain = department.with_roles((GRANTED, True))
    check = operator_check(department, chain, REGISTRAR_PERMIT)
    assert check.status is Status.FAILED
    assert check.message == (
        f"{REGISTRAR.address} was not active in {OPERATOR_REGISTRY} at the anchor's block time "
        f"{utc(department.anchor_time)}: never registered"
    )
    assert "eth_getLogs" not in chain.methods


def test_an_operator_may_not_sign_a_plan(department: Department) -> None:
    check = operator_check(department, department.with_roles((GRANTED, True)), OPERATOR_PLAN)
    assert check.status is Status.FAILED
    assert check.message == (
        f"{OPERATOR.address} did not hold REGISTRAR_ROLE in {OPERATOR_REGISTRY} at the anchor's "
        f"block {ANCHOR_BLOCK} (only the department files plans)"
    )


@pytest.mark.parametrize(
    ("changes", "granted"),
    [
        ([(ANCHOR_BLOCK, True)], ANCHOR_BLOCK),  # granted in the anchor's block
        ([(ANCHOR_BLOCK + 1, True)], None),  # granted after the anchor
        ([(GRANTED, True), (ANCHOR_BLOCK, False)], None),  # revoked in the anchor's block
        ([(GRANTED, True), (ANCHOR_BLOCK + 1, False)], GRANTED),  # revoked after the anchor
        ([(GRANTED, True), (50, False), (90, True)], 90),  # granted again
        ([], None),  # never a registrar
    ],
)
def test_a_registrar_must_hold_the_role_at_the_anchors_block(
    department: Department, changes: list[tuple[int, bool]], granted: int | None
) -> None:
    check = operator_check(department, department.with_roles(*changes), PLAN)
    if granted is None:
        assert check.status is Status.FAILED
        assert check.message.startswith(f"{REGISTRAR.address} did not hold REGISTRAR_ROLE in ")
    else:
        assert check.status is Status.PASSED
        assert check.message.endswith(f"block {ANCHOR_BLOCK}: granted in block {granted}")


def test_a_compiled_figure_by_neither_says_both(department: Department) -> None:
    chain = department.with_roles((GRANTED, True), (ANCHOR_BLOCK - 1, False))
    check = operator_check(department, chain, COMPILED)
    assert check.status is Status.FAILED
    assert check.message == (
        f"{REGISTRAR.address} was not active in {OPERATOR_REGISTRY} at the anchor's block time "
        f"{utc(department.anchor_time)} (never registered) and did not hold REGISTRAR_ROLE at "
        f"its block {ANCHOR_BLOCK}"
    )


def test_unanchored_department_records_need_the_role_now(department: Department) -> None:
    held = department.with_roles((GRANTED, True))
    for index in (LATE_PLAN, LATE_COMPILED):
        check = operator_check(department, held, index)
        assert check.status is Status.PASSED
        assert check.message == (
            f"not anchored yet, so checked now: {REGISTRAR.address} holds REGISTRAR_ROLE in "
            f"{OPERATOR_REGISTRY}"
        )
    revoked = department.with_roles((GRANTED, True), (ANCHOR_BLOCK + 1, False))
    assert operator_check(department, revoked, LATE_PLAN).message == (
        f"not anchored yet, so checked now: {REGISTRAR.address} does not hold REGISTRAR_ROLE in "
        f"{OPERATOR_REGISTRY} (only the department files plans)"
    )
    assert operator_check(department, revoked, LATE_COMPILED).message == (
        f"not anchored yet, so checked now: {REGISTRAR.address} is not active in "
        f"{OPERATOR_REGISTRY} and does not hold REGISTRAR_ROLE"
    )


def test_role_history_is_read_in_chunks_and_in_chain_order(department: Department) -> None:
    changes = department.with_roles((12_000, True), (3, True), (6_000, False))
    chain = dataclasses.replace(changes, head=20_000)
    with serve_rpc(chain) as url:
        registry = OperatorRegistry(ChainReader([url], Quorum(None), 31337), OPERATOR_REGISTRY)
        history = registry.role_history(REGISTRAR_ROLE, REGISTRAR.address, 12_000)
        assert chain.log_queries == [(0, 4_999), (5_000, 9_999), (10_000, 12_000)]
        assert registry.role_times(REGISTRAR_ROLE, REGISTRAR.address) == (
            (chain.block_time(3), True),
            (chain.block_time(6_000), False),
            (chain.block_time(12_000), True),
        )  # through the head, block 20000
    assert chain.log_queries[-1] == (20_000, 20_000)
    assert [(c.block_number, c.granted) for c in history.changes] == [
        (3, True), (6_000, False), (12_000, True)
    ]
    assert history.grant_in_force(5_999) is not None and history.grant_in_force(6_000) is None


# The audit.


@pytest.fixture
def served(department: Department, tmp_path: Path) -> Iterator[str]:
    http = LedgerHttp(department.log)
    with serve_get(http.answer) as url:
        yield url


def audit(department: Department, url: str, chain: ChainDouble) -> dict[str, Any]:
    with serve_rpc(chain) as rpc:
        trust = department.trust([rpc])
        report = audit_log(
            LedgerApi(url),
            trust,
            chain=ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id),
            progress=lambda stage, done, total: None,
        )
    checks = {check["name"]: check for check in report.to_json()["checks"]}
    signatures: dict[str, Any] = checks["signatures"]
    return signatures


def test_audit_holds_each_record_to_who_may_sign_it(department: Department, served: str) -> None:
    chain = department.with_roles((GRANTED, True))
    signatures = audit(department, served, chain)
    assert (signatures["checked"], signatures["failed"]) == (8, 2)
    time = utc(department.anchor_time)
    assert signatures["messages"] == [
        f"entry {REGISTRAR_PERMIT}: {REGISTRAR.address} was not active at the block time {time} "
        "of anchor 6: never registered",
        f"entry {OPERATOR_PLAN}: {OPERATOR.address} did not hold REGISTRAR_ROLE at the block "
        f"time {time} of anchor 6 (only the department files plans)",
    ]
    # The role's logs are read once per signer whose records need it: the registrar (its plan
    # and compiled figure) and the operator (its plan); never for the operator's own figures.
    assert len(chain.log_queries) == 2


def test_audit_of_a_registrar_revoked_at_the_anchor(department: Department, served: str) -> None:
    chain = department.with_roles((GRANTED, True), (ANCHOR_BLOCK, False))
    signatures = audit(department, served, chain)
    time = utc(department.anchor_time)
    assert signatures["messages"] == [
        f"entry {PLAN}: {REGISTRAR.address} did not hold REGISTRAR_ROLE at the block time {time} "
        "of anchor 6 (only the department files plans)",
        f"entry {COMPILED}: {REGISTRAR.address} was not active at the block time {time} of "
        "anchor 6 (never registered) and did not hold REGISTRAR_ROLE then",
        f"entry {REGISTRAR_PERMIT}: {REGISTRAR.address} was not active at the block time {time} "
        "of anchor 6: never registered",
        f"entry {OPERATOR_PLAN}: {OPERATOR.address} did not hold REGISTRAR_ROLE at the block "
        f"time {time} of anchor 6 (only the department files plans)",
        f"entry {LATE_PLAN}: not anchored yet, so checked now: {REGISTRAR.address} does not hold "
        "REGISTRAR_ROLE (only the department files plans)",
        f"entry {LATE_COMPILED}: not anchored yet, so checked now: {REGISTRAR.address} is not "
        "active (never registered) and does not hold REGISTRAR_ROLE",
    ]
