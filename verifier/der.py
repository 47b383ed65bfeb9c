"""A strict reader of DER (ITU-T X.690 §8, §10), for the CMS structures the verifier checks.

The verifier reads CMS SignedData (RFC 5652), RFC 3161 time-stamp tokens and the ESS attributes
itself, with this reader, instead of the ASN.1 library the server uses: a fault in one parser
then cannot hide in the other. Certificates, CRLs and OCSP responses are left to `cryptography`.

Only what DER allows is accepted: definite lengths in their shortest form, low tag numbers
(< 31, all CMS uses), no bytes after the value. Every breach raises `MalformedDer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from verifier.errors import MalformedInput
from verifier.messages import text

BOOLEAN: Final = 0x01
INTEGER: Final = 0x02
BIT_STRING: Final = 0x03
OCTET_STRING: Final = 0x04
NULL: Final = 0x05
OID: Final = 0x06
UTC_TIME: Final = 0x17
GENERALIZED_TIME: Final = 0x18
SEQUENCE: Final = 0x30
SET: Final = 0x31
MAX_DEPTH: Final = 32


def context(number: int, *, constructed: bool = True) -> int:
    """The identifier octet of the context-specific tag `[number]`."""
    return 0x80 | (0x20 if constructed else 0) | number


class MalformedDer(MalformedInput):
    """Bytes that are not the DER encoding of the structure expected."""

    def __init__(self, detail: str) -> None:
        super().__init__(text("sig.der", detail=detail))


@dataclass(frozen=True, slots=True)
class Node:
    """One DER value: its identifier octet, its content octets and its whole encoding."""

    tag: int
    content: bytes
    raw: bytes

    def children(self, *, tag: int | None = None) -> list[Node]:
        """The values inside a constructed value; `tag`: the tag this value must have.

        Raises `MalformedDer`."""
        if tag is not None:
            self.expect(tag)
        if not self.tag & 0x20:
            raise MalformedDer(f"tag 0x{self.tag:02x} is primitive: want a constructed value")
        nodes, rest = [], self.content
        while rest:
            node, rest = read_prefix(rest)
            nodes.append(node)
        return nodes

    def expect(self, tag: int) -> Node:
        """This value, after checking its tag; raises `MalformedDer`."""
        if self.tag != tag:
            raise MalformedDer(f"tag 0x{self.tag:02x}: want 0x{tag:02x}")
        return self


def read(data: bytes, *, tag: int | None = None) -> Node:
    """The one DER value that `data` is, with nothing after it. Raises `MalformedDer`."""
    node, rest = read_prefix(data)
    if rest:
        raise MalformedDer(f"{len(rest)} bytes after the DER value")
    return node if tag is None else node.expect(tag)


def read_prefix(data: bytes) -> tuple[Node, bytes]:
    """The DER value at the start of `data`, and the bytes after it. Raises `MalformedDer`."""
    if len(data) < 2:
        raise MalformedDer("truncated value")
    tag, first = data[0], data[1]
    if tag & 0x1F == 0x1F:
        raise MalformedDer("high tag numbers are not used by CMS")
    offset = 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise MalformedDer("indefinite or oversized length: DER wants a definite one")
        if len(data) < 2 + count:
            raise MalformedDer("truncated length")
        length = int.from_bytes(data[2 : 2 + count], "big")
        if length < 0x80 or data[2] == 0:
            raise MalformedDer("the length is not in its shortest form")
        offset += count
    end = offset + length
    if len(data) < end:
        raise MalformedDer(f"value of {length} bytes, {len(data) - offset} left")
    return Node(tag, data[offset:end], data[:end]), data[end:]


def oid(node: Node) -> str:
    """The dotted form of an OBJECT IDENTIFIER (X.690 §8.19). Raises `MalformedDer`."""
    content = node.expect(OID).content
    if not content or content[-1] & 0x80:
        raise MalformedDer("truncated object identifier")
    arcs, value, fresh = [], 0, True
    for octet in content:
        if fresh and octet == 0x80:
            raise MalformedDer("object identifier arc with a leading zero octet")
        value = (value << 7) | (octet & 0x7F)
        fresh = not octet & 0x80
        if fresh:
            arcs.append(value)
            value = 0
    head = arcs[0]
    first = min(head // 40, 2)
    return ".".join(str(arc) for arc in (first, head - 40 * first, *arcs[1:]))


def integer(node: Node) -> int:
    """The value of an INTEGER (X.690 §8.3), minimal form required. Raises `MalformedDer`."""
    content = node.expect(INTEGER).content
    if not content:
        raise MalformedDer("empty integer")
    if len(content) > 1 and (
        (content[0] == 0 and not content[1] & 0x80) or (content[0] == 0xFF and content[1] & 0x80)
    ):
        raise MalformedDer("the integer is not in its shortest form")
    return int.from_bytes(content, "big", signed=True)


def octets(node: Node) -> bytes:
    """The content of an OCTET STRING. Raises `MalformedDer`."""
    return node.expect(OCTET_STRING).content


def time(node: Node) -> datetime:
    """A UTCTime or GeneralizedTime in its DER form (`YYMMDDHHMMSSZ`, `YYYYMMDDHHMMSS[.f]Z`,
    X.690 §11.7-11.8), as an aware UTC datetime. Raises `MalformedDer`."""
    try:
        value = node.content.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedDer("a time that is not ASCII") from exc
    if not value.endswith("Z"):
        raise MalformedDer(f"time {value!r}: DER wants UTC with Z")
    try:
        if node.tag == UTC_TIME and len(value) == 13:
            century = "19" if value[:2] >= "50" else "20"  # RFC 5280 §4.1.2.5.1
            moment = datetime.strptime(century + value, "%Y%m%d%H%M%SZ")
        elif node.tag == GENERALIZED_TIME and len(value) >= 15:
            whole, _, fraction = value[:-1].partition(".")
            if "." in value and (not fraction or fraction.endswith("0")):
                raise MalformedDer(f"time {value!r}: DER wants no trailing zero fraction")
            moment = datetime.strptime(whole, "%Y%m%d%H%M%S")
            if fraction:
                moment = moment.replace(microsecond=int(fraction[:6].ljust(6, "0")))
        else:
            raise MalformedDer(f"tag 0x{node.tag:02x} {value!r}: want UTCTime or GeneralizedTime")
    except ValueError as exc:
        raise MalformedDer(f"time {value!r}: {exc}") from exc
    return moment.replace(tzinfo=UTC)


def algorithm(node: Node) -> tuple[str, Node | None]:
    """An AlgorithmIdentifier (RFC 5280 §4.1.1.2): its OID and its parameters (None when
    absent or NULL). Raises `MalformedDer`."""
    parts = node.children(tag=SEQUENCE)
    if not 1 <= len(parts) <= 2:
        raise MalformedDer(f"AlgorithmIdentifier of {len(parts)} members")
    parameters = parts[1] if len(parts) == 2 and parts[1].tag != NULL else None
    return oid(parts[0]), parameters
