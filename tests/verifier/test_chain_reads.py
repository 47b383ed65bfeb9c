"""Reading the chain through several JSON-RPC endpoints: quorum, lies, and the online checks."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime

import eth_abi
import pytest

from tests.verifier.conftest import UNANCHORED, World
from tests.verifier.ledger_double import (
    ANCHOR_CONTRACT,
    OPERATOR_OF_RETURNS,
    OPERATOR_REGISTRY,
    REGISTERED_AT,
    ChainDouble,
    OperatorTimes,
    serve_get,
    serve_raw_rpc,
    serve_rpc,
)
from verifier.address import checksum_address
from verifier.bundle_verification import CheckResult, Status, verify_bundle
from verifier.errors import (
    ChainDisagreement,
    ChainUnavailable,
    MalformedChainResponse,
    MalformedTrust,
    WrongChain,
)
from verifier.jsonrpc import ChainReader, Quorum
from verifier.onchain import LedgerAnchor, OperatorRegistry, Registration

ANOTHER = checksum_address(b"\x11" * 20)


def utc(seconds: int) -> str:
    """A block time as the English messages show it."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@pytest.fixture
def endpoints(world: World) -> Iterator[tuple[str, str, ChainDouble]]:
    """An honest endpoint and a liar that claims another root at size 300."""
    liar = dataclasses.replace(world.chain, lies={300: b"\x66" * 32})
    with serve_rpc(world.chain) as honest_url, serve_rpc(liar) as liar_url:
        yield honest_url, liar_url, liar


def anchor(urls: list[str], quorum: Quorum) -> LedgerAnchor:
    return LedgerAnchor(ChainReader(urls, quorum, 31337), ANCHOR_CONTRACT)


def test_quorum_all_names_the_lying_endpoint(world: World, endpoints) -> None:
    honest, liar, _ = endpoints
    with pytest.raises(ChainDisagreement) as caught:
        anchor([honest, liar], Quorum(None)).root_at(300)
    assert liar in str(caught.value) and honest in str(caught.value)
    assert "66" * 32 in str(caught.value)
    assert anchor([honest, liar], Quorum(None)).root_at(256).root == world.log.tree.root(256)


def test_one_of_n_takes_the_first_answer_and_misses_the_lie(world: World, endpoints) -> None:
    honest, liar, _ = endpoints
    assert anchor([honest, liar], Quorum(1)).root_at(300).root == world.log.tree.root(300)
    assert anchor([liar, honest], Quorum(1)).root_at(300).root == b"\x66" * 32


def test_two_of_three_outvotes_the_liar(world: World, endpoints) -> None:
    honest, liar, _ = endpoints
    with serve_rpc(world.chain) as second:
        reader = anchor([liar, honest, second], Quorum(2))
        assert reader.root_at(300).root == world.log.tree.root(300)


def test_unreachable_endpoint_under_all_is_unavailable(endpoints) -> None:
    honest, _, _ = endpoints
    with pytest.raises(ChainUnavailable, match=r"127\.0\.0\.1:9"):
        anchor([honest, "http://127.0.0.1:9/rpc"], Quorum(None)).latest()
    assert anchor(["http://127.0.0.1:9/rpc", honest], Quorum(1)).latest().tree_size == 300


def test_endpoint_of_another_chain_is_refused(world: World) -> None:
    other = dataclasses.replace(world.chain, chain_id=1)
    with serve_rpc(other) as url, pytest.raises(WrongChain, match=r"serves chain 1, want 31337"):
        anchor([url], Quorum(None)).latest()


def test_quorum_policy_parsing() -> None:
    assert Quorum.parse("all", 3) == Quorum(None)
    assert Quorum.parse(2, 3).to_json() == 2
    for bad in (0, 4, "2", True, None):
        with pytest.raises(MalformedTrust, match="quorum"):
            Quorum.parse(bad, 3)


@pytest.mark.parametrize(
    "answer",
    [
        b"not json",
        b"[]",
        b'{"jsonrpc":"2.0","id":1}',
        b'{"jsonrpc":"2.0","id":1,"result":"0x12"}',
        b'{"jsonrpc":"2.0","id":1,"result":"zz"}',
        b'{"jsonrpc":"2.0","id":1,"result":"0x' + b"ff" * 64 + b'"}',
    ],
)
def test_malformed_rpc_answers(answer: bytes) -> None:
    with serve_raw_rpc(answer) as url, pytest.raises(MalformedChainResponse):
        anchor([url], Quorum(None)).latest()


def online(world: World, urls: list[str], quorum: str | int = "all") -> ChainReader:
    trust = world.trust(urls, quorum)
    return ChainReader(trust.rpc_urls, trust.quorum, trust.chain_id)


def test_genuine_bundle_verifies_online(world: World, endpoints) -> None:
    honest, _, _ = endpoints
    result = verify_bundle(
        world.bundle_bytes(5), world.trust([honest]), chain=online(world, [honest])
    )
    assert result.verified
    assert all(c.status is not Status.NOT_CHECKED for c in result.checks if c.name != "documents")


def test_lying_endpoint_fails_anchored_root_under_all(world: World, endpoints) -> None:
    honest, liar, _ = endpoints
    result = verify_bundle(
        world.bundle_bytes(260), world.trust([honest, liar]), chain=online(world, [honest, liar])
    )
    assert [c.name for c in result.failed] == ["anchored_root"]
    assert liar in result.failed[0].message


def test_unanchored_record_fails_anchored_root_online(world: World, endpoints) -> None:
    honest, _, _ = endpoints
    result = verify_bundle(
        world.bundle_bytes(UNANCHORED), world.trust([honest]), chain=online(world, [honest])
    )
    assert [c.name for c in result.failed] == ["anchored_root"]
    assert result.failed[0].message == "size 301 is not anchored on chain"


def operator_check(world: World, chain: ChainDouble, index: int = 5) -> CheckResult:
    """The `operator_active` result of record `index`'s bundle read from `chain`."""
    with serve_rpc(chain) as url:
        result = verify_bundle(
            world.bundle_bytes(index), world.trust([url]), chain=online(world, [url])
        )
    return next(c for c in result.checks if c.name == "operator_active")


def with_operator(world: World, times: OperatorTimes | None) -> ChainDouble:
    """The world's chain, with the operator's registry interval replaced (None: never)."""
    if times is None:
        return dataclasses.replace(world.chain, active=set(), calls=[])
    return dataclasses.replace(world.chain, registrations={world.operator.address: times}, calls=[])


def test_operator_revoked_after_the_anchor_still_verifies(world: World) -> None:
    anchored = world.log.bundle(5)["anchor"]["block_time"]
    check = operator_check(world, with_operator(world, OperatorTimes(REGISTERED_AT, anchored + 1)))
    assert check.status is Status.PASSED
    assert check.message == (
        f"{world.operator.address} was active in {OPERATOR_REGISTRY} at the anchor's block time "
        f"{utc(anchored)}: 'Operator {world.operator.address[2:8]}' registered at "
        f"{utc(REGISTERED_AT)}, revoked at {utc(anchored + 1)}"
    )


@pytest.mark.parametrize(
    ("registered", "revoked", "passes"),
    [
        (0, None, True),  # registered at the anchor's block time, not revoked
        (-10, None, True),
        (1, None, False),  # registered after the anchor
        (-10, 1, True),  # revoked after the anchor
        (-10, 0, False),  # revoked at the anchor's block time
        (-10, -1, False),  # revoked before the anchor
    ],
)
def test_operator_must_be_active_at_the_anchors_block_time(
    world: World, registered: int, revoked: int | None, passes: bool
) -> None:
    """Offsets from the anchor's block time; revoked None: never revoked."""
    anchored = world.log.bundle(5)["anchor"]["block_time"]
    times = OperatorTimes(anchored + registered, 0 if revoked is None else anchored + revoked)
    check = operator_check(world, with_operator(world, times))
    assert check.status is (Status.PASSED if passes else Status.FAILED), check.message
    assert f"at the anchor's block time {utc(anchored)}: " in check.message


def test_never_registered_operator_fails_operator_active(world: World) -> None:
    check = operator_check(world, with_operator(world, None))
    assert check.status is Status.FAILED
    assert check.message.endswith(": never registered")


def test_unanchored_record_needs_its_operator_active_now(world: World) -> None:
    active = operator_check(world, world.chain, UNANCHORED)
    assert active.status is Status.PASSED
    assert active.message == (
        f"not anchored yet, so checked now: {world.operator.address} is active in "
        f"{OPERATOR_REGISTRY}"
    )
    revoked = with_operator(world, OperatorTimes(REGISTERED_AT, REGISTERED_AT + 1))
    check = operator_check(world, revoked, UNANCHORED)
    assert check.status is Status.FAILED
    assert check.message == (
        f"not anchored yet, so checked now: {world.operator.address} is not active in "
        f"{OPERATOR_REGISTRY}"
    )


def test_endpoints_that_disagree_on_an_operator_fail_under_all(world: World) -> None:
    anchored = world.log.bundle(5)["anchor"]["block_time"]
    liar = with_operator(world, OperatorTimes(REGISTERED_AT, anchored - 1))
    with serve_rpc(world.chain) as honest, serve_rpc(liar) as lying:
        urls = [honest, lying]
        result = verify_bundle(world.bundle_bytes(5), world.trust(urls), chain=online(world, urls))
        assert [c.name for c in result.failed] == ["operator_active"]
        assert "endpoints disagree on operatorOf(" in result.failed[0].message
        assert lying in result.failed[0].message
        assert f"revoked at {utc(anchored - 1)}" in result.failed[0].message
        first = verify_bundle(
            world.bundle_bytes(5), world.trust(urls, 1), chain=online(world, urls, 1)
        )
        assert first.verified


def registry_answer(*words: bytes) -> bytes:
    """A JSON-RPC answer whose eth_call result is the concatenation of `words`."""
    result = "0x" + b"".join(words).hex()
    return json.dumps({"jsonrpc": "2.0", "id": 1, "result": result}).encode()


def word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def text(value: bytes) -> bytes:
    """An ABI string tail: length word and zero-padded bytes."""
    return word(len(value)) + value + bytes(-len(value) % 32)


GOOD_HEAD = (word(160), word(224), word(1), word(1_735_600_000), word(0))


def test_operator_of_decodes_the_canonical_encoding() -> None:
    encoded = eth_abi.encode(OPERATOR_OF_RETURNS, ["VNPT Huế", "GP-1", False, 7, 9])
    with serve_raw_rpc(registry_answer(encoded)) as url:
        got = registry([url]).registration(ANOTHER)
    assert got == Registration("VNPT Huế", "GP-1", False, 7, 9)
    assert not got.active_at(6) and got.active_at(7) and got.active_at(8) and not got.active_at(9)
    assert got.describe().render("en") == (
        "'VNPT Huế' registered at 1970-01-01 00:00:07 UTC, revoked at 1970-01-01 00:00:09 UTC"
    )
    assert got.describe().render("vi") == (
        "'VNPT Huế' được đăng ký lúc 01/01/1970 07:00:07 (UTC+7), bị thu hồi lúc "
        "01/01/1970 07:00:09 (UTC+7)"
    )


@pytest.mark.parametrize(
    "words",
    [
        (*GOOD_HEAD[:4],),  # truncated head
        (*GOOD_HEAD, text(b"abc")),  # no licence tail
        (word(192), *GOOD_HEAD[1:], text(b"abc"), text(b"x")),  # name offset not canonical
        (word(160), word(256), *GOOD_HEAD[2:], text(b"abc"), text(b"x")),  # licence offset
        (*GOOD_HEAD, word(3) + b"abc" + b"\x01" + bytes(28), text(b"x")),  # padding not zero
        (*GOOD_HEAD, text(b"\xff\xfe"), text(b"x")),  # not UTF-8
        (*GOOD_HEAD, word(2**64), text(b"x")),  # length past the end
        (*GOOD_HEAD[:2], word(2), *GOOD_HEAD[3:], text(b"abc"), text(b"x")),  # bool word
        (*GOOD_HEAD[:3], word(2**64), GOOD_HEAD[4], text(b"abc"), text(b"x")),  # not uint64
        (*GOOD_HEAD, text(b"abc"), text(b"x"), word(0)),  # trailing word
    ],
)
def test_malformed_operator_of_answers(words: tuple[bytes, ...]) -> None:
    with serve_raw_rpc(registry_answer(*words)) as url, pytest.raises(MalformedChainResponse):
        registry([url]).registration(ANOTHER)


def registry(urls: list[str]) -> OperatorRegistry:
    return OperatorRegistry(ChainReader(urls, Quorum(None), 31337), OPERATOR_REGISTRY)


@pytest.mark.parametrize("field", ["tx_hash", "block_number", "block_hash", "block_time"])
def test_anchor_transaction_pointers_are_bound_online(world: World, endpoints, field: str) -> None:
    honest, _, _ = endpoints
    bundle = world.log.bundle(5)
    value = bundle["anchor"][field]
    bundle["anchor"][field] = (
        value + 1 if isinstance(value, int) else value[:-1] + ("0" if value[-1] != "0" else "1")
    )
    chain = online(world, [honest])
    result = verify_bundle(json.dumps(bundle), world.trust([honest]), chain=chain)
    assert [c.name for c in result.failed] == ["anchored_root"]
    offline = verify_bundle(json.dumps(bundle), world.trust(), chain=None)
    assert offline.verified


def test_several_endpoints_share_one_reader(world: World) -> None:
    with ExitStack() as stack:
        urls = [stack.enter_context(serve_rpc(world.chain)) for _ in range(3)]
        result = verify_bundle(world.bundle_bytes(9), world.trust(urls), chain=online(world, urls))
    assert result.verified


def test_http_error_from_endpoint_is_unavailable() -> None:
    with serve_get(lambda path: (500, b"")) as url, pytest.raises(ChainUnavailable):
        anchor([url], Quorum(None)).latest()
