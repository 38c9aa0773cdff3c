"""The visible stamp: widths in 1/1000 em that match the embedded font program, text readable in a render."""

from __future__ import annotations

import io
import shutil
import subprocess

import pikepdf
import pytest

from fpcli.signing.keys import load_pkcs12
from fpcli.signing.sign import Level, SignRequest, sign_pdf
from fpcli.signing.testcert import make_test_p12
from tests.signing.test_signing import invoice_pdf  # noqa: F401 (fixture)

BOX = (340, 40, 560, 100)


@pytest.fixture(scope="module")
def stamped(invoice_pdf: bytes) -> bytes:  # noqa: F811
    signer = load_pkcs12(make_test_p12("Zoé Dupont-Écrivain", 30, b"pw"), "t.p12", b"pw")
    return sign_pdf(invoice_pdf, signer, SignRequest(Level.B_B, visible_page=1, visible_box=BOX), "inv.pdf")


def test_cid_widths_match_the_embedded_font_program(stamped: bytes) -> None:
    from fontTools.ttLib import TTFont

    pdf = pikepdf.open(io.BytesIO(stamped))
    fonts = [
        o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Subtype") == "/CIDFontType2"
    ]
    assert fonts, "the stamp font is a CIDFontType2"
    for font in fonts:
        program = TTFont(io.BytesIO(font.FontDescriptor.FontFile2.read_bytes()))
        upem = program["head"].unitsPerEm
        order = program.getGlyphOrder()
        w = list(font.W)
        checked = 0
        for first, widths in zip(w[0::2], w[1::2], strict=True):
            for i, width in enumerate(widths):
                advance = program["hmtx"][order[int(first) + i]][0] * 1000 / upem  # Identity CID -> GID
                assert abs(float(width) - advance) <= 1, (int(first) + i, float(width), advance)
                checked += 1
        assert checked >= 10


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_stamp_text_reads_back_and_renders(stamped: bytes, tmp_path) -> None:
    path = tmp_path / "s.pdf"
    path.write_bytes(stamped)
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        height = float(pdf.pages[0].mediabox[3])
    x1, y1, x2, y2 = BOX
    crop = ["-x", str(x1), "-y", str(int(height - y2)), "-W", str(x2 - x1), "-H", str(y2 - y1)]
    text = subprocess.run(
        ["pdftotext", "-r", "72", *crop, str(path), "-"], capture_output=True, text=True
    ).stdout
    assert "Signé par Zoé Dupont-Écrivain (TEST - NOT FOR PRODUCTION)" in text
    # every word of the stamp lies inside the stamp's box (with widths twice too large it ran out of it)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True).stdout
    import re

    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
    )
    stamp = [w for w in words if float(w[1]) >= height - y2 - 1 and float(w[3]) <= height - y1 + 1]
    assert any(w[4].startswith("Signé") for w in stamp)
    for w in stamp:
        assert x1 - 1 <= float(w[0]) and float(w[2]) <= x2 + 1, w
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")], check=True
    )
    from PIL import Image

    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    scale = 100 / 72
    box = (
        int(x1 * scale) + 4,
        int((height - y2) * scale) + 4,
        int(x2 * scale) - 4,
        int((height - y1) * scale) - 4,
    )
    inside = image.crop(box)
    dark = sum(1 for v in inside.tobytes() if v < 128)
    assert dark > 200  # the stamp's text is drawn inside its box


def test_signed_with_stamp_still_validates(stamped: bytes) -> None:
    from fpcli.validation.checks import validate_bytes

    report = validate_bytes(stamped, "s.pdf")
    assert report.valid, [f"{f.rule_id}: {f.message}" for f in report.errors]


@pytest.fixture(scope="module")
def plain_stamped(invoice_pdf: bytes) -> bytes:  # noqa: F811
    """A stamp drawn by pyHanko's own accumulator, which writes Vera's 2048-unit widths unscaled."""
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    from fpcli.signing.stamp import _font_path

    signer = load_pkcs12(make_test_p12("Zoé Dupont-Écrivain", 30, b"pw"), "t.p12", b"pw")
    style = TextStampStyle(
        stamp_text="Signé par %(signer)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(_font_path()))),
    )
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="S"),
        signer=signer,
        new_field_spec=fields.SigFieldSpec("S", on_page=0, box=BOX),
        stamp_style=style,
    )
    return pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(invoice_pdf), strict=False)).getvalue()


def test_validate_catches_the_widths_of_a_plain_pyhanko_stamp(plain_stamped: bytes) -> None:
    """PDF/A 6.2.11.5: pyHanko's own accumulator writes Vera's 2048-unit widths; `fpcli validate` says so."""
    from fpcli.validation.checks import validate_bytes

    found = [f for f in validate_bytes(plain_stamped, "plain.pdf").errors if f.rule_id == "PDFA-6.2.11.5-1"]
    assert found and "but its embedded program" in found[0].message


def _mupdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "mu-in.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["mutool", "draw", "-F", "txt", "-o", "-", str(path), "1"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.skipif(shutil.which("mutool") is None, reason="MuPDF not installed (.ci/run installs mupdf-tools)")
def test_mupdf_reads_the_stamp_as_words_and_the_plain_stamp_as_spread_letters(
    stamped: bytes, plain_stamped: bytes, tmp_path
) -> None:
    """MuPDF lays glyphs out with the PDF's widths: fpcli's stamp reads as words, pyHanko's unscaled one as
    spread-out, cut letters (what users saw)."""
    assert "Signé par Zoé Dupont-Écrivain" in _mupdf_text(stamped, tmp_path)
    plain = _mupdf_text(plain_stamped, tmp_path)
    assert "Dupont-Écrivain" not in plain and "É c r i v a i n" in plain


def _ghostscript_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "gs-in.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite", "-dFirstPage=1", "-dLastPage=1",
         "-sOutputFile=-", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript not installed (.ci/run installs it)")
def test_ghostscript_reads_the_stamp_as_words(stamped: bytes, tmp_path) -> None:
    """A second renderer: Ghostscript interprets the signed file (incremental update, CID font) and its text
    device reads the stamp. (Its text device joins letters whatever the widths, so the widths themselves are
    checked by poppler's word boxes above and against the font program.)"""
    text = _ghostscript_text(stamped, tmp_path)
    assert "Signé par Zoé Dupont-Écrivain" in text
    with pikepdf.open(io.BytesIO(stamped)) as pdf:  # and the stamp really is in the PDF Ghostscript read
        assert any("/FT" in o and o.get("/FT") == "/Sig" for o in pdf.objects if isinstance(o, pikepdf.Dictionary))
