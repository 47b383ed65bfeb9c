"""Reading the chain through several JSON-RPC endpoints: quorum, lies, and the online checks."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests.verifier.conftest import UNANCHORED, World
from tests.verifier.ledger_double import (
    ANCHOR_CONTRACT,
    ChainDouble,
    serve_get,
    serve_raw_rpc,
    serve_rpc,
)
from verifier.bundle_verification import Status, verify_bundle
from verifier.errors import (
    ChainDisagreement,
    ChainUnavailable,
    MalformedChainResponse,
    MalformedTrust,
    WrongChain,
)
from verifier.jsonrpc import ChainReader, Quorum
from verifier.onchain import LedgerAnchor


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


def test_revoked_operator_fails_operator_active(world: World) -> None:
    revoked = dataclasses.replace(world.chain, active=set())
    with serve_rpc(revoked) as url:
        result = verify_bundle(
            world.bundle_bytes(5), world.trust([url]), chain=online(world, [url])
        )
    assert [c.name for c in result.failed] == ["operator_active"]


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
