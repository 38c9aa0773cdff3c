"""The PDF/A part a file declares (2 or 3) and the XMP property rules (6.6.2.3.1): predefined schemas, value
types, properties defined by the file's own extension schemas."""

from __future__ import annotations

import io

import pikepdf
import pytest

from fpcli.validation.checks import ValidateOptions, validate_bytes
from fpcli.validation.pdfa import check_pdfa, open_pdf

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def xmp(part: str, extra: str = "", namespaces: str = "") -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{RDF}">'
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" '
        f'pdfaid:part="{part}" pdfaid:conformance="B"/>'
        f'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" {namespaces}>{extra}</rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def pdf_with(metadata: bytes) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Metadata = pdf.make_stream(metadata, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    buf = io.BytesIO()
    pdf.save(buf, fix_metadata_version=False, deterministic_id=True)
    return buf.getvalue()


def errors(data: bytes, *, require_part: int | None = None) -> dict[str, str]:
    findings = check_pdfa(open_pdf(data, "x.pdf"), "x.pdf", require_part=require_part)
    return {f.rule_id: f.message for f in findings if f.severity == "error"}


def test_pdfa2_file_is_checked_as_pdfa2_with_pdfa_only() -> None:
    data = pdf_with(xmp("2"))
    report = validate_bytes(data, "a2.pdf", ValidateOptions(pdfa_only=True))
    assert report.valid, [(f.rule_id, f.message) for f in report.errors]
    said = [f.message for f in report.findings if f.rule_id == "PDFA-X-PART"]
    assert said and said[0].startswith("checked as PDF/A-2b")


def test_invoice_still_requires_pdfa3() -> None:
    found = errors(pdf_with(xmp("2")), require_part=3)
    assert "Factur-X invoices are PDF/A-3" in found["PDFA-6.6.4-2"]
    assert "PDFA-6.6.4-2" not in errors(pdf_with(xmp("3")), require_part=3)


def test_pdfa1_is_not_checked_as_2_or_3() -> None:
    assert "fpcli checks PDF/A-2 and PDF/A-3 only" in errors(pdf_with(xmp("1")))["PDFA-6.6.4-2"]


@pytest.mark.parametrize(
    ("extra", "rule", "words"),
    [
        ("<xmp:Unknown>x</xmp:Unknown>", "PDFA-6.6.2.3.1-1", "neither predefined nor defined"),
        ("<xmp:CreateDate>yesterday</xmp:CreateDate>", "PDFA-6.6.2.3.1-2", "is not a Date"),
        ("<dc:title>Facture</dc:title>", "PDFA-6.6.2.3.1-2", "not a language alternative"),
        (
            "<dc:creator><rdf:Bag><rdf:li>A</rdf:li></rdf:Bag></dc:creator>",
            "PDFA-6.6.2.3.1-2",
            "is Bag, not an array of type Seq ProperName",
        ),
        ("<xmp:Thumbnails>img</xmp:Thumbnails>", "PDFA-6.6.2.3.1-2", "not an array of type Alt Thumbnail"),
    ],
)
def test_xmp_property_rules(extra: str, rule: str, words: str) -> None:
    found = errors(pdf_with(xmp("3", extra)))
    assert words in found.get(rule, ""), found


def test_valid_predefined_properties_pass() -> None:
    extra = (
        '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Facture</rdf:li></rdf:Alt></dc:title>'
        "<dc:creator><rdf:Seq><rdf:li>Atelier</rdf:li></rdf:Seq></dc:creator>"
        "<xmp:CreateDate>2026-11-20T10:00:00+01:00</xmp:CreateDate><xmp:Rating>1.0</xmp:Rating>"
        "<xmp:Identifier><rdf:Bag><rdf:li><rdf:Description><rdf:value>42</rdf:value>"
        '<xmpidq:Scheme xmlns:xmpidq="http://ns.adobe.com/xmp/Identifier/qual/1.0/">n</xmpidq:Scheme>'
        "</rdf:Description></rdf:li></rdf:Bag></xmp:Identifier>"
    )
    assert errors(pdf_with(xmp("3", extra))) == {}


EXTENSION = (
    '<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    "<pdfaSchema:schema>Example</pdfaSchema:schema>"
    "<pdfaSchema:namespaceURI>urn:example:invoice#</pdfaSchema:namespaceURI>"
    "<pdfaSchema:prefix>ex</pdfaSchema:prefix>"
    '<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    "<pdfaProperty:name>Count</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>"
    "<pdfaProperty:category>external</pdfaProperty:category>"
    "<pdfaProperty:description>a count</pdfaProperty:description>"
    "</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>"
)
EXT_NS = (
    'xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
    'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#" xmlns:ex="urn:example:invoice#"'
)


def test_extension_schema_defines_a_property_and_its_type() -> None:
    assert errors(pdf_with(xmp("3", EXTENSION + "<ex:Count>3</ex:Count>", EXT_NS))) == {}
    found = errors(pdf_with(xmp("3", EXTENSION + "<ex:Count>three</ex:Count>", EXT_NS)))
    assert "'three' is not a Integer" in found["PDFA-6.6.2.3.1-2"]
    found = errors(pdf_with(xmp("3", EXTENSION + "<ex:Other>x</ex:Other>", EXT_NS)))
    assert "Other (urn:example:invoice#)" in found["PDFA-6.6.2.3.1-1"]


# --- rules on the file bytes and on single objects (fpcli.validation.pdfa_rules) ----------------------


def plain_pdf(**catalog: object) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Metadata = pdf.make_stream(xmp("2"), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    for key, value in catalog.items():
        pdf.Root[f"/{key}"] = value
    return pdf


def saved(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf, fix_metadata_version=False, deterministic_id=True)
    return buf.getvalue()


def file_errors(data: bytes) -> dict[str, str]:
    report = validate_bytes(data, "x.pdf", ValidateOptions(pdfa_only=True))
    return {f.rule_id: f.message for f in report.errors}


def test_plain_pdf_has_none_of_these_errors() -> None:
    assert file_errors(saved(plain_pdf())) == {}


def test_header_and_trailing_bytes() -> None:
    data = saved(plain_pdf())
    assert "PDFA-6.1.2-1" in file_errors(data.replace(b"%PDF-1.", b"%PDF-2.", 1))
    assert "PDFA-6.1.3-3" in file_errors(data + b"garbage after the end\n")


def test_object_header_spacing() -> None:
    data = saved(plain_pdf())
    spaced = data.replace(b"\n1 0 obj\n", b"\n1  0 obj\n", 1)
    assert spaced != data
    assert "PDFA-6.1.9-1" in file_errors(spaced)


def test_limits_graphics_state_and_images() -> None:
    pdf = plain_pdf(Big=2**40)
    page = pdf.pages[0].obj
    page.Resources = pikepdf.Dictionary(
        ExtGState=pikepdf.Dictionary(G0=pikepdf.Dictionary(TR=pikepdf.Name.Identity)),
        XObject=pikepdf.Dictionary(
            Im0=pdf.make_stream(
                b"\x00\x00\x00",
                Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=1, Height=1,
                ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Interpolate=True,
            )
        ),
    )  # fmt: skip
    found = file_errors(saved(pdf))
    assert {"PDFA-6.1.13-1", "PDFA-6.2.5-1", "PDFA-6.2.8-3"} <= set(found), found


def test_forms_and_catalog_keys() -> None:
    pdf = plain_pdf(NeedsRendering=True, Requirements=pikepdf.Array())
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), NeedAppearances=True, XFA=pikepdf.Array())
    found = file_errors(saved(pdf))
    assert {"PDFA-6.4.2-2", "PDFA-6.11-1", "PDFA-6.4.1-3", "PDFA-6.4.2-1"} <= set(found), found


# --- glyph widths: font dictionary against the embedded program (fpcli.validation.pdfa_fonts) -----------


def truetype_pdf() -> bytes:
    """reportlab with an embedded TrueType font (Vera, shipped with reportlab)."""
    from pathlib import Path

    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    # Vera Oblique, not Vera: fpcli's renderer caches its subsets on reportlab's face of Vera.ttf, which
    # another TTFont of that file in the same process would share (and change fpcli's output)
    pdfmetrics.registerFont(TTFont("VeraIt", str(Path(reportlab.__file__).parent / "fonts" / "VeraIt.ttf")))
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=True)
    canvas.setFont("VeraIt", 12)
    canvas.drawString(72, 720, "Facture FA-2026-0042")
    canvas.save()
    return buf.getvalue()


def test_consistent_widths_pass_and_a_changed_width_fails() -> None:
    data = truetype_pdf()
    assert "PDFA-6.2.11.5-1" not in errors(data)
    pdf = pikepdf.open(io.BytesIO(data))
    font = next(f for f in pdf.pages[0].obj.Resources.Font.values() if "/FontDescriptor" in f)
    font.Widths = pikepdf.Array([int(w) + 100 for w in font.Widths])
    changed = errors(saved(pdf))
    assert "its embedded program" in changed["PDFA-6.2.11.5-1"], changed


def test_extension_container_parts_need_their_fields_and_prefixes() -> None:
    without_description = EXTENSION.replace(
        "<pdfaProperty:description>a count</pdfaProperty:description>", ""
    )
    found = errors(pdf_with(xmp("3", without_description + "<ex:Count>3</ex:Count>", EXT_NS)))
    assert "the PDF/A extension property lacks description" in found["PDFA-6.6.2.3.3-1"]
    other_prefix = EXTENSION.replace("pdfaSchema:prefix>", "s:prefix>")
    ns = EXT_NS + ' xmlns:s="http://www.aiim.org/pdfa/ns/schema#"'
    found = errors(pdf_with(xmp("3", other_prefix + "<ex:Count>3</ex:Count>", ns)))
    assert "uses the prefix 's', not pdfaSchema" in found["PDFA-6.6.2.3.3-1"]


def test_xpacket_bytes_attribute_before_begin() -> None:
    packet = xmp("3").replace(b"<?xpacket begin=", b'<?xpacket bytes="1000" begin=', 1)
    assert "PDFA-6.6.2.1-2" in errors(pdf_with(packet))


def test_font_dictionary_rules() -> None:
    from fpcli.validation.pdfa_fonts import font_problems

    data = truetype_pdf()
    assert not {r for r in errors(data) if r.startswith("PDFA-6.2.11")}
    pdf = pikepdf.open(io.BytesIO(data))
    font = next(f for f in pdf.pages[0].obj.Resources.Font.values() if "/FontDescriptor" in f)
    assert int(font.FontDescriptor.Flags) & 4  # reportlab marks its subsets symbolic
    font.Encoding = pikepdf.Name.WinAnsiEncoding
    assert "has an Encoding" in errors(saved(pdf))["PDFA-6.2.11.6-3"]
    type0 = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name("/X"),
        Encoding=pikepdf.Name("/MyOwn-H"), DescendantFonts=pikepdf.Array(),
    )  # fmt: skip
    assert [rule for rule, _ in font_problems(type0)] == ["PDFA-6.2.11.3.3-1"]


def test_content_stream_rules() -> None:
    pdf = plain_pdf()
    page = pdf.pages[0].obj
    nested = b"q " * 30 + b"0 0 1 1 re f 2147483648 w xyz " + b"Q " * 30
    page.Contents = pdf.make_stream(nested)
    found = file_errors(saved(pdf))
    assert "undefined operator 'xyz'" in found["PDFA-6.2.2-1"]
    assert "more than 28 levels" in found["PDFA-6.1.13-8"]
    assert "2147483648" in found["PDFA-6.1.13-1"]


def test_separations_of_one_name_must_agree() -> None:
    pdf = plain_pdf()
    tint_a = pdf.make_indirect(
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 1, 1], C1=[1, 0, 0], N=1)
    )
    tint_b = pdf.make_indirect(
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 1, 1], C1=[0, 0, 1], N=1)
    )
    same_as_a = pdf.make_indirect(
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 1, 1], C1=[1, 0, 0], N=1)
    )
    spaces = {
        "/CS0": pikepdf.Array(
            [pikepdf.Name.Separation, pikepdf.Name("/Red"), pikepdf.Name.DeviceRGB, tint_a]
        ),
        "/CS1": pikepdf.Array(
            [pikepdf.Name.Separation, pikepdf.Name("/Red"), pikepdf.Name.DeviceRGB, same_as_a]
        ),
    }
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(ColorSpace=pikepdf.Dictionary(spaces))
    assert "PDFA-6.2.4.4-2" not in file_errors(saved(pdf))  # equal functions in two objects
    spaces["/CS2"] = pikepdf.Array(
        [pikepdf.Name.Separation, pikepdf.Name("/Red"), pikepdf.Name.DeviceRGB, tint_b]
    )
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(ColorSpace=pikepdf.Dictionary(spaces))
    assert "Red has two different" in file_errors(saved(pdf))["PDFA-6.2.4.4-2"]


def test_stream_keyword_and_length() -> None:
    data = saved(plain_pdf())
    assert b"stream\n" in data
    assert "PDFA-6.1.7.1-2" in file_errors(data.replace(b"stream\n", b"stream \n", 1))


def test_hex_strings_in_objects() -> None:
    pdf = plain_pdf()
    pdf.Root.Odd = pikepdf.String(b"\x12\x34")
    data = saved(pdf)
    assert b"/Odd <1234>" in data  # qpdf writes binary strings in hex
    hexed = data.replace(b"/Odd <1234>", b"/Odd <123>")
    assert "PDFA-6.1.6-1" in file_errors(hexed)
    assert "PDFA-6.1.6-2" in file_errors(hexed.replace(b"/Odd <123>", b"/Odd <12G4>"))


def test_cli_pdfa_only_names_the_part(runner, tmp_path) -> None:
    from tests.cli.helpers import run

    path = tmp_path / "a2.pdf"
    path.write_bytes(pdf_with(xmp("2")))
    result = run(runner, "validate", "--pdfa-only", str(path))
    assert result.exit_code == 0
    assert f"VALID      {path}  (PDF/A-2b; 0 error(s), 0 warning(s))" in result.stdout + result.stderr
    result = run(runner, "validate", str(path))  # as an invoice: PDF/A-3 required (and no XML here)
    assert result.exit_code == 1
    assert "PDFA-6.6.4-2" in result.stdout + result.stderr
