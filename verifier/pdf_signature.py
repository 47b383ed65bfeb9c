"""The signatures of a PAdES PDF, read strictly from the file's bytes (ISO 32000-1 §12.8).

A PDF signature is a detached CMS over the `/ByteRange [0 b c d]` of its signature dictionary:
the file but the hole `[b, c)` that holds `/Contents <hex>`, the CMS itself, zero-padded. The
verifier reads no other PDF structure (and no PDF library): a signature dictionary cannot be in a
compressed object stream, since its `/Contents` is patched in place once the file is written.
Rules, each breach a `SignatureRefused`:

* every `/ByteRange [a b c d]` in the file opens at 0, its hole is exactly one hexadecimal
  string preceded by the `/Contents` key, and `/ByteRange` itself lies in the same indirect
  object, outside the hole (so it is signed) -> `pdf_invalid`;
* that object has one `/SubFilter`, `/ETSI.CAdES.detached` (PAdES baseline, ETSI EN 319 142-1
  §5.1) or `/adbe.pkcs7.detached` (ISO 32000-1 §12.8.3.3) -> `pdf_invalid` (a document
  time-stamp, `/ETSI.RFC3161`, is refused too: the ledger keeps its evidence beside the file);
* the hole's bytes are one DER CMS followed by zero bytes only -> `pdf_invalid`;
* coverage: the signature that ends last covers the whole file but its hole; an earlier one ends
  at the end of its revision (`%%EOF` and an optional end-of-line) -> `pdf_modified`. What a later
  revision changed is vouched for by the later signature alone: the ledger analysed it with its
  own rules at acceptance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from verifier import der
from verifier.der import MalformedDer
from verifier.signature_status import SignatureRefused

SUBFILTERS: Final = frozenset({"ETSI.CAdES.detached", "adbe.pkcs7.detached"})
CADES_SUBFILTER: Final = "ETSI.CAdES.detached"
_BYTE_RANGE: Final = re.compile(
    rb"/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+"
    rb"(\d{1,12})\s*\]"
)
_HOLE: Final = re.compile(rb"<[0-9A-Fa-f]*>\Z")
_CONTENTS_KEY: Final = re.compile(rb"/Contents\s*\Z")
_SUBFILTER: Final = re.compile(rb"/SubFilter\s*/([A-Za-z0-9.#_-]+)")
_REVISION_END: Final = re.compile(rb"%%EOF(\r\n|\r|\n)?\Z")
_OBJECT_START: Final = re.compile(rb"\d+\s+\d+\s+obj\b")


@dataclass(frozen=True, slots=True)
class PdfSignature:
    """One signature of a PDF: its byte range, sub-filter and CMS (padding removed)."""

    byte_range: tuple[int, int, int, int]
    subfilter: str
    cms: bytes
    covers_whole_file: bool

    @property
    def cades(self) -> bool:
        """Whether the PAdES baseline sub-filter is used (signing-certificate-v2 required)."""
        return self.subfilter == CADES_SUBFILTER

    def signed_bytes(self, pdf: bytes) -> bytes:
        """The bytes the signature covers: the file but its `/Contents` hole."""
        start, first, second, length = self.byte_range
        return pdf[start : start + first] + pdf[second : second + length]


def pdf_signatures(pdf: bytes) -> list[PdfSignature]:
    """The signatures of `pdf`, in the order their byte ranges end.

    Raises `SignatureRefused`: `pdf_invalid` (not a PDF, no signature, a malformed signature
    dictionary or CMS hole), `pdf_modified` (coverage, module docstring)."""
    if not pdf.startswith(b"%PDF-"):
        raise SignatureRefused("pdf_invalid", "the file does not start with %PDF-")
    found = [_signature(pdf, match) for match in _BYTE_RANGE.finditer(pdf)]
    if not found:
        raise SignatureRefused("pdf_invalid", "the PDF has no signature (/ByteRange)")
    found.sort(key=lambda signature: signature.byte_range[2] + signature.byte_range[3])
    *earlier, last = found
    if not last.covers_whole_file:
        _, first, second, length = last.byte_range
        raise SignatureRefused(
            "pdf_modified",
            f"the last signature covers [0, {first}) and [{second}, {second + length}) of a file "
            f"of {len(pdf)} bytes: the file was changed after signing",
        )
    for signature in earlier:
        end = signature.byte_range[2] + signature.byte_range[3]
        if not _REVISION_END.search(pdf[:end]):
            raise SignatureRefused(
                "pdf_modified", f"a signature's byte range ends at {end}, not at a revision's end"
            )
    return found


def _signature(pdf: bytes, match: re.Match[bytes]) -> PdfSignature:
    start, first, second, length = (int(group) for group in match.groups())
    if start != 0 or first <= 0 or second <= first or second + length > len(pdf):
        raise SignatureRefused(
            "pdf_invalid",
            f"/ByteRange [{start} {first} {second} {length}] does not describe the "
            f"file of {len(pdf)} bytes but one hole",
        )
    hole = pdf[first:second]
    keyed = _CONTENTS_KEY.search(pdf[max(0, first - 32) : first])
    if not _HOLE.match(hole) or len(hole) % 2 or not keyed:
        raise SignatureRefused("pdf_invalid", "the /ByteRange hole is not the /Contents string")
    object_start = max((m.start() for m in _OBJECT_START.finditer(pdf, 0, first)), default=-1)
    object_end = pdf.find(b"endobj", second)
    inside = object_start <= match.start() and match.end() <= object_end
    if object_start < 0 or object_end < 0 or not inside or first <= match.start() < second:
        raise SignatureRefused(
            "pdf_invalid", "/ByteRange is not in the signature dictionary outside its /Contents"
        )
    dictionary = pdf[object_start:first] + pdf[second:object_end]
    subfilters = [m.group(1).decode("ascii") for m in _SUBFILTER.finditer(dictionary)]
    if len(subfilters) != 1 or subfilters[0] not in SUBFILTERS:
        raise SignatureRefused(
            "pdf_invalid", f"SubFilter {subfilters}: want one of {sorted(SUBFILTERS)}"
        )
    contents = bytes.fromhex(hole[1:-1].decode("ascii"))
    try:
        node, padding = der.read_prefix(contents)
    except MalformedDer as exc:
        raise SignatureRefused("pdf_invalid", f"/Contents is not a DER CMS: {exc}") from exc
    if padding.strip(b"\x00"):
        raise SignatureRefused(
            "pdf_invalid", "/Contents holds bytes after the CMS other than zero padding"
        )
    return PdfSignature(
        byte_range=(start, first, second, length),
        subfilter=subfilters[0],
        cms=node.raw,
        covers_whole_file=second + length == len(pdf),
    )
