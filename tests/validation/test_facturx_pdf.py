"""Factur-X PDF container checks (layer "facturx") on synthetic PDFs and corpus files."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from fpcli.validation.facturx_pdf import check_facturx_pdf, embedded_files
from fpcli.validation.pdfa import Finding, check_pdfa, open_pdf

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"

FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
INVOICE = b'<?xml version="1.0" encoding="UTF-8"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:x"/>'


def _xmp(
    *,
    part: str = "3",
    file_name: str = "factur-x.xml",
    doc_type: str = "INVOICE",
    level: str = "EN 16931",
    schema: bool = True,
    namespace: str = FX_NS,
) -> bytes:
    props = "".join(
        f"<rdf:li rdf:parseType='Resource'><pdfaProperty:name>{p}</pdfaProperty:name>"
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external"
        "</pdfaProperty:category><pdfaProperty:description>d</pdfaProperty:description></rdf:li>"
        for p in ("DocumentFileName", "DocumentType", "Version", "ConformanceLevel")
    )
    extension = (
        "<rdf:Description rdf:about='' xmlns:pdfaExtension='http://www.aiim.org/pdfa/ns/extension/'"
        " xmlns:pdfaSchema='http://www.aiim.org/pdfa/ns/schema#'"
        " xmlns:pdfaProperty='http://www.aiim.org/pdfa/ns/property#'>"
        "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType='Resource'>"
        "<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{namespace}</pdfaSchema:namespaceURI>"
        "<pdfaSchema:prefix>fx</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>"
    )
    text = (
        "<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>"
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        "<rdf:Description rdf:about='' xmlns:pdfaid='http://www.aiim.org/pdfa/ns/id/'>"
        f"<pdfaid:part>{part}</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>"
        + (extension if schema else "")
        + f"<rdf:Description rdf:about='' xmlns:fx='{namespace}'>"
        f"<fx:DocumentType>{doc_type}</fx:DocumentType><fx:DocumentFileName>{file_name}</fx:DocumentFileName>"
        f"<fx:Version>1.0</fx:Version><fx:ConformanceLevel>{level}</fx:ConformanceLevel></rdf:Description>"
        "</rdf:RDF></x:xmpmeta><?xpacket end='w'?>"
    )
    return text.encode("utf-8")


def _facturx(
    *,
    attachments: tuple[tuple[str, bytes], ...] = (("factur-x.xml", INVOICE),),
    in_af: bool = True,
    xmp: bytes | None = None,
    relationship: str = "Data",
) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    names = pikepdf.Array()
    specs = pikepdf.Array()
    for name, data in attachments:
        stream = pdf.make_stream(
            data,
            Type=pikepdf.Name.EmbeddedFile,
            Subtype=pikepdf.Name("/text/xml"),
            Params=pikepdf.Dictionary(ModDate=pikepdf.String("D:20250101000000+00'00'")),
        )
        spec = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Filespec,
                F=pikepdf.String(name),
                UF=pikepdf.String(name),
                AFRelationship=pikepdf.Name("/" + relationship),
                EF=pikepdf.Dictionary(F=stream, UF=stream),
            )
        )
        names.extend([pikepdf.String(name), spec])
        specs.append(spec)
    pdf.Root.Names = pikepdf.Dictionary(EmbeddedFiles=pikepdf.Dictionary(Names=names))
    if in_af:
        pdf.Root.AF = specs
    pdf.Root.Metadata = pdf.make_stream(
        xmp if xmp is not None else _xmp(), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML
    )
    buf = io.BytesIO()
    pdf.save(buf, fix_metadata_version=False)
    return open_pdf(buf.getvalue(), "fx.pdf")


def _check(pdf: pikepdf.Pdf, level: str | None = "EN 16931", name: str | None = None) -> list[Finding]:
    return check_facturx_pdf(pdf, "fx.pdf", xml_profile_label=level, attachment_name=name)


def _ids(findings: list[Finding], severity: str = "error") -> set[str]:
    return {f.rule_id for f in findings if f.severity == severity}


def test_conforming_synthetic_file() -> None:
    pdf = _facturx()
    findings = _check(pdf)
    assert findings == []
    assert [a.name for a in embedded_files(pdf)] == ["factur-x.xml"]
    # and the PDF/A side: the embedded file rules are met (fonts, output intent etc. are not the point)
    assert not {f.rule_id for f in check_pdfa(pdf, "fx.pdf") if f.rule_id.startswith("PDFA-6.8")}


def test_profile_spellings_are_normalised() -> None:
    assert _check(_facturx(xmp=_xmp(level="BASIC WL")), "BASIC WL") == []
    assert _check(_facturx(xmp=_xmp(level="EN 16931")), "EN16931") == []


def test_attachment_is_not_xml() -> None:
    findings = _check(_facturx(attachments=(("factur-x.xml", b"\x89PNG\r\n\x1a\n\0\0\0"),)))
    bad = [f for f in findings if f.rule_id == "FX-PDF-05"]
    assert bad and bad[0].severity == "error" and "not well-formed XML" in bad[0].message
    assert all(f.layer == "facturx" for f in findings)


def test_attachment_with_doctype_is_refused() -> None:
    xml = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'
    assert "FX-PDF-05" in _ids(_check(_facturx(attachments=(("factur-x.xml", xml),))))


def test_no_invoice_attachment() -> None:
    findings = _check(_facturx(attachments=(("invoice.xml", INVOICE),), xmp=_xmp(file_name="invoice.xml")))
    assert "FX-PDF-01" in _ids(findings)
    named = _check(_facturx(attachments=(("invoice.xml", INVOICE),)), name="invoice.xml")
    assert "FX-PDF-01" in _ids(named)


def test_zugferd1_name_is_a_warning() -> None:
    pdf = _facturx(
        attachments=(("ZUGFeRD-invoice.xml", INVOICE),),
        xmp=_xmp(
            file_name="ZUGFeRD-invoice.xml",
            level="EXTENDED",
            namespace="urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#",
        ),
    )
    findings = _check(pdf, "ZUGFeRD 1.0 EXTENDED")
    assert _ids(findings) == set()
    warning = [f for f in findings if f.rule_id == "FX-PDF-02"]
    assert warning and warning[0].severity == "warning" and "ZUGFeRD 1.0" in warning[0].message


def test_two_invoices() -> None:
    pdf = _facturx(attachments=(("ZUGFeRD-invoice.xml", INVOICE), ("factur-x.xml", INVOICE)))
    assert "FX-PDF-03" in _ids(_check(pdf))


def test_xmp_values() -> None:
    assert "FX-PDF-15" in _ids(_check(_facturx(xmp=_xmp(level="EXTENDED")), "EN 16931"))
    assert "FX-PDF-15" in _ids(_check(_facturx(xmp=_xmp(level="no thing"))))
    assert "FX-PDF-13" in _ids(_check(_facturx(xmp=_xmp(file_name="zugferd-invoice.xml"))))
    assert "FX-PDF-14" in _ids(_check(_facturx(xmp=_xmp(doc_type="CREDIT"))))
    assert "FX-PDF-17" in _ids(_check(_facturx(xmp=_xmp(part="1"))))
    assert "FX-PDF-11" in _ids(_check(_facturx(xmp=_xmp(schema=False))))
    order = _check(_facturx(xmp=_xmp(doc_type="ORDER")))
    assert "FX-PDF-14" in _ids(order, "info") and "FX-PDF-14" not in _ids(order)


def test_container_rules() -> None:
    assert "FX-PDF-07" in _ids(_check(_facturx(in_af=False)))
    assert "FX-PDF-06" in _ids(_check(_facturx(relationship="Unspecified")), "warning")
    assert "FX-PDF-10" in _ids(_check(_facturx(xmp=b"<not xml")))


@pytest.mark.parametrize(
    ("file", "profile", "rule"),
    [
        ("mustang__invalidXMP.pdf", "ZUGFeRD 1.0 EXTENDED", "FX-PDF-15"),
        ("zfcorpus__MustangRE-20171118_506_ZUGFeRD1and2.pdf", "ZUGFeRD 1.0 EXTENDED", "FX-PDF-03"),
        ("zfcorpus__factur-x-invalid-xml-encoding-attribute.pdf", None, "FX-PDF-05"),
        ("mustang__EmptyPDFA1.pdf", None, "FX-PDF-01"),
    ],
)
def test_corpus_container_failures(file: str, profile: str | None, rule: str) -> None:
    path = CORPUS / "pdf" / file
    if not path.is_file():
        print(f"corpus file missing: {path}")
        pytest.skip(f"corpus file missing: {path}")
    findings = check_facturx_pdf(
        open_pdf(path.read_bytes(), file), file, xml_profile_label=profile, attachment_name=None
    )
    assert rule in _ids(findings)
