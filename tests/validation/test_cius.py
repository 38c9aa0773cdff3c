"""CII that is not Factur-X (XRechnung and other CIUS) is validated as what it is: the full CII D16B XSD and
CEN's generic EN 16931 rules, not the Factur-X subset XSD that rejects terms EN 16931 allows."""

from __future__ import annotations

from lxml import etree

from fpcli.validation.checks import ValidateOptions, is_facturx_guideline, validate_bytes
from tests.conftest import SHARED

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
XRECHNUNG = SHARED / "corpus" / "cii" / "zfcorpus-xr__XRECHNUNG_Einfach.cii.xml"
FACTURX = SHARED / "corpus" / "cii" / "akretion__factur-x-en16931.xml"
NO_FR = ValidateOptions(fr=False)


def _xrechnung(edit) -> bytes:  # type: ignore[no-untyped-def]
    tree = etree.parse(str(XRECHNUNG))
    edit(tree.find(f".//{{{RAM}}}ApplicableHeaderTradeSettlement"))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def test_invoicee_party_is_valid_cii_d16b() -> None:
    def add_invoicee(settlement) -> None:  # type: ignore[no-untyped-def]
        party = etree.Element(f"{{{RAM}}}InvoiceeTradeParty")
        etree.SubElement(party, f"{{{RAM}}}Name").text = "Rechnungsempfänger GmbH"
        settlement.find(f"{{{RAM}}}InvoiceCurrencyCode").addnext(party)

    report = validate_bytes(_xrechnung(add_invoicee), "xr.xml", NO_FR)
    assert report.valid, [(f.rule_id, f.message) for f in report.errors]
    assert [r.id for r in report.rule_sets] == ["xsd-cii-d16b", "sch-cii-en16931-cen"]
    assert any(
        f.rule_id == "FPCLI-GUIDELINE" and "CEN's generic EN 16931" in f.message for f in report.findings
    )


def test_business_errors_still_caught() -> None:
    def wrong_due(settlement) -> None:  # type: ignore[no-untyped-def]
        settlement.find(f".//{{{RAM}}}DuePayableAmount").text = "1.00"

    report = validate_bytes(_xrechnung(wrong_due), "xr.xml", NO_FR)
    assert not report.valid
    assert "BR-CO-16" in {f.rule_id for f in report.errors}


def test_structure_errors_still_caught() -> None:
    def unknown(settlement) -> None:  # type: ignore[no-untyped-def]
        etree.SubElement(settlement, f"{{{RAM}}}NoSuchElement").text = "x"

    report = validate_bytes(_xrechnung(unknown), "xr.xml", NO_FR)
    assert [f.rule_set for f in report.errors if f.rule_id == "XSD"] == ["xsd-cii-d16b"]


def test_facturx_keeps_facturx_rules() -> None:
    report = validate_bytes(FACTURX.read_bytes(), "fx.xml", NO_FR)
    assert report.valid
    assert [r.id for r in report.rule_sets] == ["xsd-en16931", "sch-en16931"]


def test_guideline_family() -> None:
    assert is_facturx_guideline("urn:cen.eu:en16931:2017")
    assert is_facturx_guideline("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic")
    assert is_facturx_guideline("urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p1:extended")
    assert not is_facturx_guideline("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0")
    assert not is_facturx_guideline(
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
