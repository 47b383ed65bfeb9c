"""Reading the chain through several Ethereum JSON-RPC endpoints under a quorum policy.

The verifier trusts no single node: each call goes to the pinned endpoints and the answers must
agree. Policy "all" asks every endpoint and requires one answer from all of them; policy k asks the
endpoints in order until k of them have given the same answer. Each endpoint is first asked
`eth_chainId`, which must be the pinned chain id. Only the standard library speaks HTTP here.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar, runtime_checkable

from verifier.canonical_json import parse_json
from verifier.errors import (
    ChainDisagreement,
    ChainUnavailable,
    MalformedChainResponse,
    MalformedJSON,
    MalformedTrust,
    WrongChain,
)
from verifier.messages import Param, Text, text

MAX_RESPONSE_BYTES: Final = 4 * 1024 * 1024
_QUANTITY: Final = re.compile(r"0x(0|[1-9a-fA-F][0-9a-fA-F]*)\Z")

Answer = TypeVar("Answer", bound=Hashable)


@runtime_checkable
class Described(Protocol):
    """A decoded answer that says itself in every language (times as dates)."""

    def describe(self) -> Text:
        """Return the answer as a message."""


@dataclass(frozen=True, slots=True)
class Quorum:
    """How many endpoints must agree: `required` endpoints, or all of them when None."""

    required: int | None

    @staticmethod
    def parse(value: object, endpoints: int) -> Quorum:
        """Parse `"all"` or an integer k with 1 <= k <= endpoints; raises `MalformedTrust`."""
        if value == "all":
            return Quorum(required=None)
        if type(value) is not int or not 1 <= value <= endpoints:
            raise MalformedTrust(
                f'quorum: got {value!r}, want "all" or an integer from 1 to {endpoints}'
            )
        return Quorum(required=value)

    def to_json(self) -> str | int:
        """Return the trust file spelling of the policy."""
        return "all" if self.required is None else self.required


def parse_quantity(value: object, *, what: str) -> int:
    """Parse a JSON-RPC hex quantity (`0x` and hex digits, no leading zeros).

    Raises `MalformedChainResponse`.
    """
    if not isinstance(value, str) or not _QUANTITY.match(value):
        raise MalformedChainResponse(f"{what}: got {str(value)[:40]!r}, want a hex quantity")
    return int(value, 16)


@dataclass
class ChainReader:
    """Ask several JSON-RPC endpoints of the chain `chain_id` and apply the quorum.

    `block` is the block tag or number every `eth_call` reads at ("latest" by default; pin a
    number when endpoints may lag each other, so that "all" compares like with like).
    """

    endpoints: Sequence[str]
    quorum: Quorum
    chain_id: int
    block: str | int = "latest"
    timeout: float = 10.0
    _checked: set[str] = field(default_factory=set, init=False, repr=False)

    def call(
        self, method: str, params: list[Any], decode: Callable[[Any], Answer], *, what: str
    ) -> Answer:
        """Send `method(params)` and return the agreed `decode(result)`.

        `decode` turns a raw JSON-RPC result into a comparable value, raising
        `MalformedChainResponse` when the result is not what the call must return. Raises
        `WrongChain` when an endpoint serves another chain, `ChainDisagreement` naming the
        endpoints and their answers when they differ under the policy, and `ChainUnavailable`
        when too few endpoints answer.
        """
        answers: dict[str, Answer] = {}
        failures: dict[str, Text] = {}
        for url in self.endpoints:
            try:
                self._check_chain(url)
                answers[url] = decode(self._request(url, method, params))
            except ChainUnavailable as exc:
                failures[url] = exc.text
                if self.quorum.required is None:
                    raise
                continue
            if self.quorum.required is not None:
                votes = sum(1 for answer in answers.values() if answer == answers[url])
                if votes >= self.quorum.required:
                    return answers[url]
        if self.quorum.required is None and len(set(answers.values())) == 1:
            return next(iter(answers.values()))
        if len(set(answers.values())) > 1:
            said = tuple(
                text("chain.says", url=url, answer=_described(answer))
                for url, answer in answers.items()
            )
            raise ChainDisagreement(text("chain.disagree", call=what, answers=said))
        failed = tuple(
            text("chain.endpoint_failed", url=url, reason=reason)
            for url, reason in failures.items()
        )
        raise ChainUnavailable(text("chain.too_few", call=what, failures=failed))

    def eth_call(
        self, contract: str, data: bytes, decode: Callable[[bytes], Answer], *, what: str
    ) -> Answer:
        """Run a read-only contract call at `self.block` and return the agreed decoded answer."""
        block = self.block if isinstance(self.block, str) else hex(self.block)
        params = [{"to": contract, "data": "0x" + data.hex()}, block]
        return self.call(
            "eth_call", params, lambda result: decode(_return_data(result, what)), what=what
        )

    def _check_chain(self, url: str) -> None:
        """Ask `url` for its chain id once; raises `WrongChain` if it is not the pinned one."""
        if url in self._checked:
            return
        served = parse_quantity(self._request(url, "eth_chainId", []), what=f"{url} eth_chainId")
        if served != self.chain_id:
            raise WrongChain(text("chain.wrong", url=url, served=served, want=self.chain_id))
        self._checked.add(url)

    def _request(self, url: str, method: str, params: list[Any]) -> Any:
        """POST one JSON-RPC 2.0 request and return its `result`.

        Raises `ChainUnavailable` for I/O errors, HTTP errors and JSON-RPC error objects, and
        `MalformedChainResponse` for an answer that is not JSON-RPC.
        """
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        request = urllib.request.Request(
            url, data=body.encode("utf-8"), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_RESPONSE_BYTES + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ChainUnavailable(
                text("chain.unreachable", url=url, method=method, reason=str(exc))
            ) from exc
        if len(raw) > MAX_RESPONSE_BYTES:
            raise MalformedChainResponse(
                f"{url}: {method} answer is over {MAX_RESPONSE_BYTES} bytes"
            )
        try:
            answer = parse_json(raw, what=f"{url} {method} answer")
        except MalformedJSON as exc:
            raise MalformedChainResponse(str(exc)) from exc
        if not isinstance(answer, dict):
            raise MalformedChainResponse(f"{url}: {method} answer is not a JSON-RPC object")
        if "error" in answer:
            raise ChainUnavailable(
                text("chain.error", url=url, method=method, error=str(answer["error"])[:200])
            )
        if "result" not in answer:
            raise MalformedChainResponse(f"{url}: {method} answer has no result")
        return answer["result"]


def _return_data(result: object, what: str) -> bytes:
    """Decode the 0x-hex return data of an `eth_call`; raises `MalformedChainResponse`."""
    if not isinstance(result, str) or not re.fullmatch(r"0x(?:[0-9a-fA-F]{2})*", result):
        raise MalformedChainResponse(f"{what}: eth_call returned {str(result)[:80]!r}, want hex")
    return bytes.fromhex(result[2:])


def _described(answer: object) -> Param:
    return answer.describe() if isinstance(answer, Described) else str(answer)
