"""Factur-X PDF/A-3 output, read back with pikepdf: XMP, AF, OutputIntent, Info, determinism, hostile PDFs."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pikepdf
import pytest
from lxml import etree

from fpcli.cii.profile import Profile
from fpcli.cii.writer import to_cii
from fpcli.errors import InputError
from fpcli.model.load import load_invoices
from fpcli.pdf.attachments import extract_xml
from fpcli.pdf.layout import render_invoice_pdf
from fpcli.pdf.pdfa3 import PdfMetadata, embed_xml
from fpcli.validation.facturx_pdf import check_facturx_pdf
from fpcli.validation.pdfa import check_pdfa, open_pdf
from tests.conftest import EXAMPLES

DATE = dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.UTC)
META = PdfMetadata(title="Facture FA-1", author="Atelier [SAS]", subject="Facture FA-1", date=DATE)


@pytest.fixture(scope="module")
def invoice():
    return load_invoices((EXAMPLES / "invoice-services.yaml").read_bytes(), "invoice-services.yaml")[0]


def xmp_fields(pdf: pikepdf.Pdf) -> dict[str, str]:
    root = etree.fromstring(pdf.Root.Metadata.read_bytes())
    out = {}
    for el in root.iter():
        if isinstance(el.tag, str) and el.text and el.text.strip() and len(el) == 0:
            out[etree.QName(el).localname] = el.text.strip()
    return out


def check_structure(data: bytes, xml: bytes, profile: Profile) -> None:
    pdf = pikepdf.open(io.BytesIO(data))
    fields = xmp_fields(pdf)
    assert fields["part"] == "3" and fields["conformance"] == "B"
    assert fields["ConformanceLevel"] == profile.label
    assert fields["DocumentFileName"] == "factur-x.xml" and fields["DocumentType"] == "INVOICE"
    af = pdf.Root.AF
    assert len(af) == 1
    spec = af[0]
    assert str(spec.F) == str(spec.UF) == "factur-x.xml"
    expected_rel = "/Data" if profile in (Profile.MINIMUM, Profile.BASIC_WL) else "/Alternative"
    assert str(spec.AFRelationship) == expected_rel
    stream = spec.EF.F
    assert str(stream.Subtype) == "/text/xml"
    assert int(stream.Params.Size) == len(xml)
    assert bytes(stream.Params.CheckSum) == hashlib.md5(xml).digest()
    assert stream.read_bytes() == xml
    intent = pdf.Root.OutputIntents[0]
    assert str(intent.S) == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3
    info = pdf.trailer.Info
    assert str(info.Title) == fields["title"] if "title" in fields else True
    assert str(info.Author) == META.author
    assert re.fullmatch(r"D:\d{14}\+00'00'", str(info.CreationDate))
    checked = open_pdf(data, "out.pdf")
    findings = check_pdfa(checked, "out.pdf") + check_facturx_pdf(
        checked, "out.pdf", xml_profile_label=profile.label, attachment_name="factur-x.xml"
    )
    assert [f for f in findings if f.severity == "error"] == []


@pytest.mark.parametrize("profile", list(Profile), ids=lambda p: p.value)
def test_rendered_pdf_is_facturx(invoice, profile: Profile) -> None:
    xml = to_cii(invoice, profile).xml
    data = embed_xml(render_invoice_pdf(invoice, date=DATE), xml, profile=profile, metadata=META, source="x")
    check_structure(data, xml, profile)


def test_third_party_base_pdf(invoice, shared) -> None:
    import csv

    rows = list(csv.DictReader((shared / "corpus" / "MANIFEST.csv").open(encoding="utf-8")))
    base_row = next(
        r for r in rows if r["kind"] == "pdf" and r["expected"] == "valid" and r["profile"] == "EN16931"
    )
    base = (shared / "corpus" / base_row["file"]).read_bytes()
    xml = to_cii(invoice, Profile.EN16931).xml
    data = embed_xml(base, xml, profile=Profile.EN16931, metadata=META, source=base_row["file"])
    check_structure(data, xml, Profile.EN16931)  # the base's own factur-x.xml was replaced, not duplicated
    assert extract_xml(data, "out.pdf").data == xml


def test_plain_reportlab_pdf_as_base(invoice) -> None:
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=True)
    canvas.showPage()
    canvas.save()
    xml = to_cii(invoice, Profile.BASIC).xml
    check_structure(
        embed_xml(buf.getvalue(), xml, profile=Profile.BASIC, metadata=META, source="b"), xml, Profile.BASIC
    )


def test_deterministic_bytes(invoice) -> None:
    xml = to_cii(invoice, Profile.EN16931).xml
    a = embed_xml(
        render_invoice_pdf(invoice, date=DATE), xml, profile=Profile.EN16931, metadata=META, source="x"
    )
    b = embed_xml(
        render_invoice_pdf(invoice, date=DATE), xml, profile=Profile.EN16931, metadata=META, source="x"
    )
    assert a == b


def test_markup_in_invoice_text_is_printed_not_parsed(invoice) -> None:
    odd = invoice.model_copy(
        update={"notes": [*invoice.notes, invoice.notes[0].model_copy(update={"text": "<b>[x]</b> & co"})]}
    )
    data = render_invoice_pdf(odd, date=DATE)
    assert data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n1 0 obj\n<<", "unreadable or truncated PDF"),
        (b"\x00\x01garbage", "not a PDF file"),
    ],
)
def test_broken_base_pdf(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        embed_xml(data, b"<x/>", profile=Profile.EN16931, metadata=META, source="base.pdf")
    assert info.value.message.startswith("base.pdf: ") and message in info.value.message


def test_encrypted_base_pdf_refused(tmp_path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="u", owner="o"))
    with pytest.raises(InputError, match="encrypted"):
        embed_xml(out.getvalue(), b"<x/>", profile=Profile.EN16931, metadata=META, source="enc.pdf")
    with pytest.raises(InputError, match="encrypted"):
        extract_xml(out.getvalue(), "enc.pdf")


def test_extract_without_attachment() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    with pytest.raises(InputError) as info:
        extract_xml(out.getvalue(), "plain.pdf")
    assert info.value.message == "plain.pdf: no embedded invoice XML (the PDF has no attachment)"
