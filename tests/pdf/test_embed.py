"""Any PDF in, a valid Factur-X PDF/A-3 out (fpcli.pdf.embed): base PDFs from several producers, the
removal of what PDF/A forbids, extra attachments, the check before writing, a missing Ghostscript."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from fpcli.cii.profile import Profile
from fpcli.cii.writer import to_cii
from fpcli.errors import ExitCode, InputError, InvalidDocumentError
from fpcli.model.load import load_invoices
from fpcli.pdf.attachments import extract_xml
from fpcli.pdf.embed import ExtraAttachment, facturx_from_pdf
from fpcli.pdf.pdfa3 import PdfMetadata
from fpcli.validation.checks import ValidateOptions, validate_bytes
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (`gs`) is not installed")

DATE = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)
META = PdfMetadata(title="Facture FA-2026-0042", author="Atelier Numérique SAS", subject="Facture", date=DATE)


@pytest.fixture(scope="module")
def xml() -> bytes:
    invoice = load_invoices((EXAMPLES / "invoice-services.yaml").read_bytes(), "invoice-services.yaml")[0]
    return to_cii(invoice, Profile.EN16931).xml


def reportlab_pdf() -> bytes:
    """reportlab with a standard, non-embedded font (Helvetica) and DeviceRGB colour: not PDF/A."""
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=True)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 720, "Facture FA-2026-0042 - total 1 210,49 EUR")
    canvas.setFillColorRGB(0.8, 0.1, 0.1)
    canvas.rect(72, 600, 100, 50, fill=1)
    canvas.save()
    return buf.getvalue()


def made_valid(data: bytes, xml: bytes, name: str) -> bytes:
    out = facturx_from_pdf(data, xml, profile=Profile.EN16931, metadata=META, source=name).pdf
    report = validate_bytes(out, name, ValidateOptions())
    assert report.valid, [(f.rule_id, f.message) for f in report.errors]
    assert extract_xml(out, name).data == xml
    return out


def fonts_of(data: bytes, tmp_path: Path) -> list[str]:
    """pdffonts (poppler, an independent reader): one line per font, with its `emb` column."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return lines.splitlines()[2:]


def test_reportlab_standard_fonts_become_embedded(xml: bytes, tmp_path: Path) -> None:
    base = reportlab_pdf()
    before = validate_bytes(base, "base.pdf", ValidateOptions(pdfa_only=True))
    assert "PDFA-6.2.11.4.1-1" in {f.rule_id for f in before.errors}  # the problem this module solves
    out = made_valid(base, xml, "reportlab.pdf")
    fonts = fonts_of(out, tmp_path)
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column


def test_cairo_pdf_with_transparency(xml: bytes, tmp_path: Path) -> None:
    cairocffi = pytest.importorskip("cairocffi")
    path = tmp_path / "cairo.pdf"
    surface = cairocffi.PDFSurface(str(path), 595, 842)
    ctx = cairocffi.Context(surface)
    ctx.set_font_size(12)
    ctx.move_to(72, 72)
    ctx.show_text("Facture FA-2026-0042")
    ctx.set_source_rgba(1, 0, 0, 0.5)  # constant alpha: a transparency group
    ctx.rectangle(72, 100, 100, 100)
    ctx.fill()
    surface.finish()
    made_valid(path.read_bytes(), xml, "cairo.pdf")


def test_ghostscript_pdf_without_embedded_fonts(xml: bytes, tmp_path: Path) -> None:
    ps = tmp_path / "page.ps"
    ps.write_text(
        "/Times-Roman findfont 14 scalefont setfont 72 720 moveto (Facture FA-2026-0042) show showpage\n"
    )
    base = tmp_path / "gs.pdf"
    subprocess.run(
        ["gs", "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=pdfwrite", "-dEmbedAllFonts=false",
         f"-sOutputFile={base}", str(ps)],
        check=True,
    )  # fmt: skip
    assert any(line.split()[-5] == "no" for line in fonts_of(base.read_bytes(), tmp_path))
    out = made_valid(base.read_bytes(), xml, "gs.pdf")
    assert all(line.split()[-5] == "yes" for line in fonts_of(out, tmp_path))


CORPUS = [
    "drafthorse__Empty.pdf",
    "fnfe-fx107__Facture_F20220026-LE_FOURNISSEUR-POUR-LE_CLIENT_EN_16931.pdf",
    # carries a delivery note and a PNG besides its factur-x.xml: kept, and associated again (6.8-4)
    "fnfe-fx107__Facture_F20220031-LE_FOURNISSEUR-POUR-LE_CLIENT_BASIC.pdf",
    "mustang__validV1WithAdditionalData.pdf",
]


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_pdfs_as_base(xml: bytes, shared: Path, name: str) -> None:
    out = made_valid((shared / "corpus" / "pdf" / name).read_bytes(), xml, name)
    pdf = pikepdf.open(io.BytesIO(out))
    specs = list(pdf.Root.AF)
    assert sum(str(s.UF) == "factur-x.xml" for s in specs) == 1  # the base's own invoice XML was replaced


@pytest.mark.parametrize("prefix", ["zfcorpus__", "zfcorpus-xr__", "xpz12014__", "mustang__"])
def test_one_pdf_of_each_other_producer(xml: bytes, shared: Path, prefix: str) -> None:
    base = sorted(p for p in (shared / "corpus" / "pdf").glob(f"{prefix}*.pdf") if "corrupt" not in p.name)[0]
    made_valid(base.read_bytes(), xml, base.name)


def test_forbidden_content_is_removed_and_listed(xml: bytes) -> None:
    pdf = pikepdf.open(io.BytesIO(reportlab_pdf()))
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    pdf.Root.OpenAction = js
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), js]))
    )
    page = pdf.pages[0].obj
    launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
    link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, F=4, A=launch,
                              Rect=pikepdf.Array([0, 0, 50, 50]))  # fmt: skip
    uri = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, F=4,
                             Rect=pikepdf.Array([0, 60, 50, 110]),
                             A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org")))  # fmt: skip
    page.Annots = pikepdf.Array([pdf.make_indirect(link), pdf.make_indirect(uri)])
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(owner="owner", user=""))
    result = facturx_from_pdf(buf.getvalue(), xml, profile=Profile.EN16931, metadata=META, source="js.pdf")
    assert result.removed == [
        "encryption",
        "document JavaScript",
        "open action (JavaScript)",
        "page 1 annotation 1 action (Launch)",
    ]
    assert validate_bytes(result.pdf, "out.pdf", ValidateOptions()).valid
    out = pikepdf.open(io.BytesIO(result.pdf))
    assert not out.is_encrypted
    actions = [str(a.get("/A", {}).get("/S", "")) for a in out.pages[0].obj.get("/Annots", [])]
    assert "/Launch" not in actions and "/URI" in actions  # allowed links stay


def test_extra_attachments_with_relationships(xml: bytes, tmp_path: Path) -> None:
    note = tmp_path / "bon-de-livraison.pdf"
    note.write_bytes(reportlab_pdf())
    sheet = tmp_path / "timesheet.csv"
    sheet.write_text("day,hours\n2026-11-02,7\n")
    attachments = [
        ExtraAttachment.from_file(str(note), "Supplement"),
        ExtraAttachment.from_file(str(sheet), "Source"),
    ]
    result = facturx_from_pdf(
        reportlab_pdf(), xml, profile=Profile.EN16931, metadata=META, source="b.pdf", attachments=attachments
    )
    pdf = pikepdf.open(io.BytesIO(result.pdf))
    got = {str(s.UF): (str(s.AFRelationship), str(s.EF.F.Subtype)) for s in pdf.Root.AF}
    assert got == {
        "bon-de-livraison.pdf": ("/Supplement", "/application/pdf"),
        "timesheet.csv": ("/Source", "/text/csv"),
        "factur-x.xml": ("/Alternative", "/text/xml"),
    }
    embedded = {str(s.UF): s.EF.F.read_bytes() for s in pdf.Root.AF}
    assert embedded["timesheet.csv"] == sheet.read_bytes()
    assert validate_bytes(result.pdf, "out.pdf", ValidateOptions()).valid


def test_attachment_named_like_the_invoice_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "factur-x.xml"
    other.write_text("<x/>")
    with pytest.raises(Exception, match="would be taken for the invoice XML") as info:
        ExtraAttachment.from_file(str(other), "Supplement")
    assert info.value.exit_code == ExitCode.USAGE  # type: ignore[attr-defined]


def test_invalid_result_raises_before_anything_is_returned(xml: bytes) -> None:
    broken = xml.replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:TypeCode>999</ram:TypeCode>", 1)
    assert broken != xml
    with pytest.raises(InvalidDocumentError) as info:
        facturx_from_pdf(reportlab_pdf(), broken, profile=Profile.EN16931, metadata=META, source="b.pdf")
    assert info.value.exit_code == ExitCode.INVALID
    assert "fails validation, nothing was written" in info.value.message
    unchecked = facturx_from_pdf(
        reportlab_pdf(), broken, profile=Profile.EN16931, metadata=META, source="b.pdf", check=False
    )
    assert not unchecked.checked and unchecked.pdf.startswith(b"%PDF-")


def test_same_input_same_bytes(xml: bytes) -> None:
    a = facturx_from_pdf(reportlab_pdf(), xml, profile=Profile.EN16931, metadata=META, source="b.pdf").pdf
    b = facturx_from_pdf(reportlab_pdf(), xml, profile=Profile.EN16931, metadata=META, source="b.pdf").pdf
    assert a == b


def test_missing_ghostscript_is_exit_3(xml: bytes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no gs anywhere
    with pytest.raises(InputError) as info:
        facturx_from_pdf(reportlab_pdf(), xml, profile=Profile.EN16931, metadata=META, source="b.pdf")
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert "Ghostscript (`gs`) is not installed" in info.value.message
    assert "apt-get install ghostscript" in (info.value.hint or "")
