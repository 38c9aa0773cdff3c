"""PDF/A clause 6.2.8.3 on JPEG 2000 images: the header facts read from JP2 boxes or a bare codestream, and
the rules veraPDF applies to them (its test files are in ../shared/corpus/pdfa2b, measured by
tests/validation/test_conformance.py)."""

from __future__ import annotations

import io
import struct

import pikepdf
import pytest

from fpcli.validation.jpx import read_header
from fpcli.validation.pdfa import check_pdfa, open_pdf


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def jp2(channels: int = 3, bpc: int = 7, colours: tuple[tuple[int, int, int], ...] = ((1, 0, 16),)) -> bytes:
    ihdr = box(b"ihdr", struct.pack(">IIHBBBB", 4, 4, channels, bpc, 7, 0, 0))
    colr = b"".join(
        box(b"colr", bytes([meth, 0, approx]) + (struct.pack(">I", cs) if meth == 1 else b"\0" * 8))
        for meth, approx, cs in colours
    )
    return (
        box(b"jP  ", b"\r\n\x87\n")
        + box(b"ftyp", b"jp2 \0\0\0\0jp2 ")
        + box(b"jp2h", ihdr + colr)
        + box(b"jp2c", b"\xff\x4f\xff\x51")
    )


def codestream(depths: tuple[int, ...]) -> bytes:
    siz = struct.pack(">HH8I", 38 + 3 * len(depths), 0, 4, 4, 0, 0, 4, 4, 0, 0)
    siz += struct.pack(">H", len(depths)) + b"".join(bytes([d - 1, 1, 1]) for d in depths)
    return b"\xff\x4f\xff\x51" + siz


def test_header_from_jp2_boxes_and_from_a_bare_codestream() -> None:
    h = read_header(jp2(channels=4, bpc=7, colours=((1, 1, 16), (2, 0, 0))))
    assert h is not None and (h.channels, h.bit_depth, h.bpcc) == (4, 8, False)
    assert [(c.method, c.approx, c.enum_cs) for c in h.colours] == [(1, 1, 16), (2, 0, None)]
    assert h.colour is h.colours[0]
    assert read_header(jp2(bpc=0xFF)).bpcc is True  # type: ignore[union-attr]
    c = read_header(codestream((8, 8, 8)))
    assert c is not None and (c.channels, c.bit_depth, c.bpcc) == (3, 8, False)
    assert read_header(codestream((8, 16))).bpcc is True  # type: ignore[union-attr]
    assert read_header(b"not a jpeg 2000 image") is None
    assert read_header(box(b"jp2h", b"\0\0\0\x20ihdr")) is None  # a box running past the end: not read


def pdf_with(image: bytes, **extra: object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pdf.make_stream(
        image, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=4, Height=4,
        Filter=pikepdf.Name.JPXDecode, **extra,
    )  # fmt: skip
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=stream))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def rules(data: bytes) -> set[str]:
    found = check_pdfa(open_pdf(data, "x.pdf"), "x.pdf")
    return {f.rule_id for f in found if f.rule_id.startswith("PDFA-6.2.8.3")}


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (jp2(), set()),
        (jp2(channels=5), {"PDFA-6.2.8.3-1"}),
        (jp2(colours=((1, 0, 16), (1, 0, 16))), {"PDFA-6.2.8.3-2"}),
        (jp2(colours=((1, 1, 16), (2, 0, 0))), set()),  # several, one marked best
        (jp2(colours=((4, 0, 0),)), {"PDFA-6.2.8.3-3"}),
        (jp2(colours=((1, 0, 19),)), {"PDFA-6.2.8.3-4"}),
        (jp2(bpc=39), {"PDFA-6.2.8.3-5"}),
        (jp2(bpc=0xFF), {"PDFA-6.2.8.3-5"}),
        (codestream((8, 8, 8)), set()),
        (codestream((8, 8)), {"PDFA-6.2.8.3-1"}),
    ],
)
def test_jpeg2000_rules(image: bytes, expected: set[str]) -> None:
    assert rules(pdf_with(image)) == expected


def test_colour_boxes_do_not_count_when_the_pdf_gives_the_colour_space() -> None:
    image = jp2(colours=((4, 0, 0), (1, 0, 19)))
    assert rules(pdf_with(image)) == {"PDFA-6.2.8.3-2", "PDFA-6.2.8.3-3"}
    assert rules(pdf_with(image, ColorSpace=pikepdf.Name.DeviceRGB)) == set()
