"""The ABI of the InfraLedger contracts, from the committed artifacts: function selectors and
types for encoding calls, and the decoding of revert data into custom errors."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak

from contracts import CONTRACTS, load_artifact

__all__ = [
    "AbiFunction",
    "decode_revert",
    "functions_of",
]

_ERROR_STRING: Final = keccak(text="Error(string)")[:4]
_PANIC: Final = keccak(text="Panic(uint256)")[:4]


@dataclass(frozen=True)
class AbiFunction:
    """One contract function: its selector and canonical argument and result types."""

    name: str
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]

    def encode_call(self, *args: Any) -> bytes:
        """Call data: the selector and the ABI-encoded ``args``."""
        return self.selector + abi_encode(list(self.inputs), list(args))

    def decode_result(self, output: bytes) -> tuple[Any, ...]:
        """The decoded return values of a call."""
        return tuple(abi_decode(list(self.outputs), output))


def _canonical_type(argument: dict[str, Any]) -> str:
    kind = str(argument["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(component) for component in argument["components"])
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def _selector(name: str, types: tuple[str, ...]) -> bytes:
    return keccak(text=f"{name}({','.join(types)})")[:4]


@cache
def functions_of(contract_name: str) -> dict[str, AbiFunction]:
    """The functions of ``contract_name`` by name (the contracts have no overloads)."""
    table: dict[str, AbiFunction] = {}
    for item in load_artifact(contract_name).abi:
        if item["type"] == "function":
            inputs = tuple(_canonical_type(argument) for argument in item["inputs"])
            table[item["name"]] = AbiFunction(
                name=item["name"],
                selector=_selector(item["name"], inputs),
                inputs=inputs,
                outputs=tuple(_canonical_type(argument) for argument in item["outputs"]),
            )
    return table


@cache
def _known_errors() -> dict[bytes, tuple[str, tuple[str, ...]]]:
    table: dict[bytes, tuple[str, tuple[str, ...]]] = {
        _ERROR_STRING: ("Error", ("string",)),
        _PANIC: ("Panic", ("uint256",)),
    }
    for contract in CONTRACTS:
        for item in load_artifact(contract).abi:
            if item["type"] == "error":
                types = tuple(_canonical_type(argument) for argument in item["inputs"])
                table[_selector(item["name"], types)] = (item["name"], types)
    return table


def decode_revert(data: bytes) -> tuple[str | None, tuple[Any, ...]]:
    """Decode revert data against the custom errors of every InfraLedger contract and
    Solidity's ``Error(string)`` and ``Panic(uint256)``.

    Returns (error name, decoded arguments), or (None, ()) when the selector is unknown or the
    arguments do not decode.
    """
    known = _known_errors().get(data[:4])
    if known is None:
        return None, ()
    name, types = known
    try:
        return name, tuple(abi_decode(list(types), data[4:]))
    except (DecodingError, ValueError, OverflowError):
        return None, ()
