"""The media types the ledger stores as attachments, and how each is recognised from its bytes.

| type                    | the bytes must be                                                  |
|-------------------------|--------------------------------------------------------------------|
| `application/pdf`       | a file starting `%PDF-`                                            |
| `image/png`             | a file starting with the PNG signature `89 50 4E 47 0D 0A 1A 0A`   |
| `image/jpeg`            | a file starting `FF D8 FF`                                         |
| `application/json`      | UTF-8 JSON text (RFC 8259)                                         |
| `application/geo+json`  | UTF-8 JSON text whose top object has a GeoJSON `type` (RFC 7946)   |
| `text/csv`              | UTF-8 text (see below)                                             |
| `text/plain`            | UTF-8 text (see below)                                             |

Text is UTF-8 (a leading byte-order mark allowed) without NUL or other control characters than
tab, line feed, carriage return and form feed, and does not open with markup (`<` as its first
character after white space): HTML, SVG and XML are never stored, so a browser can never be
handed active content from the ledger. CSV cannot be told from plain text by its bytes, so the
two are checked alike. Nothing else is accepted: no HTML, SVG, scripts, archives or other
binaries (`application/octet-stream` included).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Final

from filings.errors import MediaTypeMismatch, MediaTypeNotAccepted

PDF: Final = "application/pdf"
PNG: Final = "image/png"
JPEG: Final = "image/jpeg"
JSON: Final = "application/json"
GEOJSON: Final = "application/geo+json"
CSV: Final = "text/csv"
PLAIN: Final = "text/plain"

GEOJSON_TYPES: Final = frozenset({
    "FeatureCollection", "Feature", "Point", "MultiPoint", "LineString", "MultiLineString",
    "Polygon", "MultiPolygon", "GeometryCollection",
})
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAGIC: Final = {PDF: b"%PDF-", PNG: b"\x89PNG\r\n\x1a\n", JPEG: b"\xff\xd8\xff"}


def _text(data: bytes) -> str | None:
    """The text of `data` if it is acceptable text (module doc), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.removeprefix("\ufeff")
    if _TEXT_CONTROLS.search(text) or text.lstrip().startswith("<"):
        return None
    return text


def _is_json(data: bytes) -> bool:
    text = _text(data)
    if text is None:
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _is_geojson(data: bytes) -> bool:
    text = _text(data)
    if text is None:
        return False
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("type") in GEOJSON_TYPES


def _starts(magic: bytes) -> Callable[[bytes], bool]:
    return lambda data: data.startswith(magic)


ACCEPTED: Final[Mapping[str, Callable[[bytes], bool]]] = MappingProxyType({
    **{kind: _starts(magic) for kind, magic in _MAGIC.items()},
    JSON: _is_json,
    GEOJSON: _is_geojson,
    CSV: lambda data: _text(data) is not None,
    PLAIN: lambda data: _text(data) is not None,
})
"""Each accepted media type and the test its bytes must pass."""


def require_accepted(media_type: str, where: str = "type") -> None:
    """Raise `MediaTypeNotAccepted` unless `media_type` is in `ACCEPTED`."""
    if media_type not in ACCEPTED:
        raise MediaTypeNotAccepted(
            f"{where}: {media_type[:80]!r} is not accepted: want one of " + ", ".join(ACCEPTED),
            details={"accepted": list(ACCEPTED)},
        )


def sniff(data: bytes) -> str | None:
    """The binary type the bytes announce by their signature (PDF, PNG, JPEG), else None."""
    return next((kind for kind, magic in _MAGIC.items() if data.startswith(magic)), None)


def check_media(data: bytes, declared: str) -> None:
    """Check that `data` is a file of the accepted type `declared` (module doc).

    Raises `MediaTypeNotAccepted` when `declared` is not accepted, `MediaTypeMismatch` when the
    bytes are of another type or not of this one.
    """
    require_accepted(declared)
    found = sniff(data)
    if found is not None and found != declared:
        raise MediaTypeMismatch(f"the bytes are {found}, declared {declared}",
                                details={"declared": declared, "sniffed": found})
    if not ACCEPTED[declared](data):
        raise MediaTypeMismatch(f"the bytes are not {declared} (see filings.media)",
                                details={"declared": declared, "sniffed": found})
