"""Media types: which are accepted, and the bytes each must be."""

from __future__ import annotations

import pytest

from api.demo.sample import sample_pdf
from filings.errors import MediaTypeMismatch, MediaTypeNotAccepted
from filings.media import ACCEPTED, check_media, sniff

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GEOJSON = b'{"type": "FeatureCollection", "features": []}'


def test_the_accepted_types() -> None:
    assert set(ACCEPTED) == {"application/pdf", "image/png", "image/jpeg", "application/json",
                             "application/geo+json", "text/csv", "text/plain"}


@pytest.mark.parametrize(("data", "declared"), [
    (sample_pdf("t", ["x"]), "application/pdf"),
    (PNG, "image/png"),
    (JPEG, "image/jpeg"),
    (b'{"a": [1, 2]}', "application/json"),
    (GEOJSON, "application/json"),
    (GEOJSON, "application/geo+json"),
    ('\ufeffmã xã,tên\r\n19753,"Phú Xuân"\n'.encode(), "text/csv"),
    ("Báo cáo\tquý III\f\n".encode(), "text/plain"),
    (b"", "text/plain"),
])
def test_bytes_of_the_declared_type_are_accepted(data: bytes, declared: str) -> None:
    check_media(data, declared)


@pytest.mark.parametrize(("data", "declared", "sniffed"), [
    (PNG, "application/pdf", "image/png"),
    (sample_pdf("t", []), "text/plain", "application/pdf"),
    (JPEG, "image/png", "image/jpeg"),
    (b"%PDF", "application/pdf", None),
    (b'{"a": 1', "application/json", None),
    (b'{"type": "Circle"}', "application/geo+json", None),
    (b"[1]", "application/geo+json", None),
    (b"<html><script>alert(1)</script></html>", "text/plain", None),
    (b"  \n<svg onload=alert(1)>", "text/csv", None),
    (b'<?xml version="1.0"?><a/>', "text/plain", None),
    (b"a,b\x00c", "text/csv", None),
    (b"a\x1b[31m", "text/plain", None),
    (b"\xff\xfe\x00a", "text/plain", None),
    ("Báo cáo".encode("utf-16"), "text/plain", None),
])
def test_bytes_of_another_type_are_refused(data: bytes, declared: str,
                                           sniffed: str | None) -> None:
    with pytest.raises(MediaTypeMismatch) as caught:
        check_media(data, declared)
    assert caught.value.code == "media_type_mismatch"
    assert caught.value.details == {"declared": declared, "sniffed": sniffed}


@pytest.mark.parametrize("declared", ["text/html", "image/svg+xml", "application/octet-stream",
                                      "application/javascript", "application/zip"])
def test_other_types_are_not_accepted(declared: str) -> None:
    with pytest.raises(MediaTypeNotAccepted) as caught:
        check_media(b"anything", declared)
    assert caught.value.code == "media_type_not_accepted"


def test_sniff() -> None:
    assert sniff(PNG) == "image/png" and sniff(JPEG) == "image/jpeg"
    assert sniff(b"%PDF-1.7") == "application/pdf" and sniff(b"plain") is None
