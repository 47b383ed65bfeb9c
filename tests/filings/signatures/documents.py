"""PDF reports to sign: a one-page report with a plain-text content stream, optionally padded to a
given size with further text pages (the content is uncompressed, so a test can find and change
a byte of it)."""

from __future__ import annotations

from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.basic import get_courier
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

TITLE = b"Bao cao ha tang vien thong - Thanh pho Hue - 2025"
_LINE = b"(Tram BTS dung chung: 1234 / Cap quang: 5678 km / Cot anten: 91) Tj 0 -12 Td\n"


def _page(writer: PdfFileWriter, body: bytes) -> None:
    font = get_courier(writer)
    stream = generic.StreamObject(stream_data=b"BT /F1 10 Tf 40 800 Td " + body + b" ET")
    resources = generic.DictionaryObject({
        generic.pdf_name("/Font"): generic.DictionaryObject({generic.pdf_name("/F1"): font})})
    writer.insert_page(PageObject(writer.add_object(stream), (0, 0, 595, 842), resources))


def report_pdf(size: int = 0) -> bytes:
    """A report PDF of at least `size` bytes (one page when `size` is 0)."""
    writer = PdfFileWriter(stream_xrefs=False)
    _page(writer, b"(" + TITLE + b") Tj 0 -14 Td\n" + _LINE * 10)
    per_page = _LINE * 60
    for _ in range(max(0, size - 2_000) // len(per_page) + (1 if size else 0)):
        _page(writer, per_page)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
