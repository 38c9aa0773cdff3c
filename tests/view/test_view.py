"""The view's core: what it reads, where findings go, what it escapes, how attachments come out."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fpcli.errors import OutputExistsError
from fpcli.validation.findings import Finding
from fpcli.view.export import export_attachments
from fpcli.view.load import load, safe_name
from fpcli.view.locate import place
from fpcli.view.render import render_html
from tests.cli.helpers import run
from tests.conftest import EXAMPLES, SHARED
from tests.view.conftest import RAM, edit

CDAR = SHARED / "reference" / "fr" / "cdar" / "samples"
EREPORT = SHARED / "reference" / "fr" / "e-reporting" / "samples"


def _section(html: str, heading: str) -> str:
    """The page text between an <h2> heading and the next one."""
    start = html.index(f"<h2>{heading}</h2>")
    end = html.find("<h2>", start + 4)
    return html[start : end if end > 0 else len(html)]


def test_services_invoice_in_french_words(services_xml: Path) -> None:
    doc = load(str(services_xml))
    assert doc.kind == "invoice" and doc.report is not None and doc.report.valid
    html = render_html([doc]).html
    assert "<h1>Facture (380) FA-2026-0042</h1>" in html
    assert "Virement SEPA (58)" in html or "Virement (30)" in html  # BT-81 in words, code beside
    assert "Taux normal (S)" in html
    assert "Indemnité forfaitaire de recouvrement" in html  # BT-21 PMT in words
    assert "Boulangerie [Dupont] &amp; Fils SARL" in html  # brackets are text, & escaped
    assert "Valide" in html


def test_english(services_xml: Path) -> None:
    html = render_html([load(str(services_xml))], "en").html
    assert "<h1>Commercial invoice (380) FA-2026-0042</h1>" in html
    assert "Standard rate (S)" in html and "Amount due" in html


def test_finding_sits_next_to_its_field(services_xml: Path, tmp_path: Path) -> None:
    bad = edit(services_xml, tmp_path / "bad.xml", {"//ram:DuePayableAmount": "1.00"})
    doc = load(str(bad))
    assert doc.report is not None and not doc.report.valid
    html = render_html([doc]).html
    totals = _section(html, "Totaux")
    assert "BR-CO-16" in totals
    assert "BR-CO-16" not in _section(html, "Lignes")


def test_line_finding_on_its_line() -> None:
    f = Finding(
        "BR-24",
        "error",
        "[BR-24]-Each Invoice line shall have an Invoice line net amount",
        "/*:CrossIndustryInvoice[namespace-uri()='x'][1]/*:SupplyChainTradeTransaction[namespace-uri()='x'][1]"
        "/*:IncludedSupplyChainTradeLineItem[namespace-uri()='x'][2]",
    )
    assert place(f) == ("lines", 2)
    ubl = Finding("BR-CO-10", "error", "m", "/*:Invoice[namespace-uri()='u'][1]")
    assert place(ubl) == ("totals", None)  # reported on the root: placed by its rule id
    seller = Finding(
        "X",
        "error",
        "m",
        "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
        "ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/ram:Name",
    )
    assert place(seller) == ("seller", None)
    assert place(Finding("Y", "error", "m", None)) == ("general", None)


def test_no_check_skips_validation(services_xml: Path) -> None:
    doc = load(str(services_xml), check=False)
    assert doc.report is None
    assert "Non vérifié (--no-check)" in render_html([doc]).html


HOSTILE = {
    "//ram:SellerTradeParty/ram:Name": "<script>alert('seller')</script>",
    "//ram:BuyerTradeParty/ram:Name": '"><img src=x onerror=alert(1)>',
    "//ram:IncludedNote/ram:Content": "{{ 7*7 }} {% raw %} </style><style>body{display:none}</style>",
    "//ram:SpecifiedTradeProduct/ram:Name": "<a href='javascript:alert(1)'>clic</a>",
}


def test_hostile_text_is_shown_as_text(services_xml: Path, tmp_path: Path) -> None:
    bad = edit(services_xml, tmp_path / "hostile.xml", HOSTILE)
    html = render_html([load(str(bad), check=False)]).html
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert html.count("<style>") == 1  # only the page's own
    assert "&lt;script&gt;alert(&#39;seller&#39;)&lt;/script&gt;" in html
    assert "{{ 7*7 }} {% raw %} &lt;/style&gt;" in html  # not evaluated as a template, not closing the CSS
    assert "&lt;a href=&#39;javascript:alert(1)&#39;&gt;clic&lt;/a&gt;" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_attachment_names_cannot_escape(tmp_path: Path, services_xml: Path) -> None:
    taken: set[str] = set()
    assert safe_name("../../etc/passwd", taken) == "passwd"
    assert safe_name("..\\..\\boot.ini", taken) == "boot.ini"
    assert safe_name("passwd", taken) == "passwd-2"
    assert safe_name(".bashrc", taken) == "bashrc"
    assert safe_name("a\x00b<c>.pdf", taken) == "a_b_c_.pdf"
    assert safe_name("", taken) == "attachment"


def _with_attachment(services_xml: Path, tmp_path: Path, filename: str, payload: bytes) -> Path:
    from lxml import etree

    tree = etree.parse(str(services_xml))
    agreement = tree.find(f".//{{{RAM}}}ApplicableHeaderTradeAgreement")
    ref = etree.SubElement(agreement, f"{{{RAM}}}AdditionalReferencedDocument")
    etree.SubElement(ref, f"{{{RAM}}}IssuerAssignedID").text = "PJ-1"
    etree.SubElement(ref, f"{{{RAM}}}TypeCode").text = "916"
    etree.SubElement(ref, f"{{{RAM}}}Name").text = "Bon de livraison signé"
    binary = etree.SubElement(
        ref, f"{{{RAM}}}AttachmentBinaryObject", mimeCode="application/pdf", filename=filename
    )
    binary.text = base64.b64encode(payload).decode()
    out = tmp_path / "with-attachment.xml"
    tree.write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


def test_bg24_attachment_listed_and_exported(services_xml: Path, tmp_path: Path) -> None:
    payload = b"%PDF-1.4 signed delivery note"
    xml = _with_attachment(services_xml, tmp_path, "../../livraison.pdf", payload)
    doc = load(str(xml), check=False)
    assert [(a.name, a.mime, a.size, a.origin) for a in doc.attachments] == [
        ("../../livraison.pdf", "application/pdf", len(payload), "xml")
    ]
    html = render_html([doc]).html
    assert "Bon de livraison signé" in html and "objet binaire de la facture (BG-24)" in html
    out = tmp_path / "out"
    out.mkdir()
    assert export_attachments([doc], out) == [out / "livraison.pdf"]
    assert (out / "livraison.pdf").read_bytes() == payload
    assert not (tmp_path / "livraison.pdf").exists()
    with pytest.raises(OutputExistsError):
        export_attachments([doc], out)


def test_pdf_attachments_listed_once(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tests.cli.helpers import run
    from tests.conftest import EXAMPLES

    pdf = tmp_path / "inv.pdf"
    assert (
        run(CliRunner(), "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(pdf)).exit_code == 0
    )
    doc = load(str(pdf), check=False)
    assert doc.container == "pdf"
    # factur-x.xml is in the EmbeddedFiles name tree and in /AF: one file, listed once
    assert [(a.name, a.is_invoice, a.relationship) for a in doc.attachments] == [
        ("factur-x.xml", True, "Alternative")
    ]


def test_cdar_statuses_and_reasons_in_words() -> None:
    sample = CDAR / "UC4_F202500006_04-CDV-207_En_litige.xml"
    doc = load(str(sample))
    assert doc.kind == "cdar" and doc.report is not None and doc.report.valid
    html = render_html([doc]).html
    assert "En litige" in html  # status 207 in words
    assert "Traitement (23)" in html or "Transmission (305)" in html


def test_ereport_categories_in_words() -> None:
    sample = next(EREPORT.glob("*.xml"))
    doc = load(str(sample))
    assert doc.kind == "ereport"
    html = render_html([doc]).html
    assert "Transactions B2B internationales (par facture) (10.1)" in html
    assert re.search(
        r"(Livraisons de biens|Prestations de services|Opérations non taxables en France|"
        r"Régime de la marge) \(T[A-Z]{2}1\)",
        html,
    )


def test_unreadable_file_is_its_own_section(tmp_path: Path, services_xml: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"<unclosed>")
    docs = [load(str(services_xml), check=False), load(str(junk))]
    assert docs[1].kind == "error" and docs[1].error and "junk.xml: line 1" in docs[1].error
    page = render_html(docs)
    assert page.unreadable == 1 and "Fichier illisible" in page.html and "FA-2026-0042" in page.html


def test_xxe_is_refused_not_followed(tmp_path: Path) -> None:
    evil = tmp_path / "xxe.xml"
    evil.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')
    doc = load(str(evil))
    assert doc.kind == "error" and "root:" not in render_html([doc]).html


def test_zugferd1_is_shown_as_outline() -> None:
    name = SHARED / "corpus" / "cii" / "akretion__zugferd-basic.xml"
    doc = load(str(name), check=False)
    assert doc.kind == "outline" and doc.syntax == "ZUGFeRD 1.0"
    html = render_html([doc]).html
    assert "CrossIndustryDocument" in html and "Document XML (ZUGFeRD 1.0)" in html


def test_pdf_whose_page_disagrees_with_its_xml_shows_it_in_the_totals(tmp_path: Path) -> None:
    """`view` compares a PDF's pages with its XML like `validate --visible` (issue 15): a total the page prints
    wrong is an error next to the totals, not a quiet "valid"."""
    from tests.validation.test_visible import tampered

    good = tmp_path / "good.pdf"
    assert run(CliRunner(), "generate", str(EXAMPLES / "invoice-services.yaml"), "-o", str(good)).exit_code == 0
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(tampered(good.read_bytes(), b"717,58", b"717,85"))
    assert load(str(good)).report.valid  # type: ignore[union-attr]
    doc = load(str(bad))
    assert doc.report is not None and not doc.report.valid
    assert "VISIBLE-BT-112" in _section(render_html([doc]).html, "Totaux")
