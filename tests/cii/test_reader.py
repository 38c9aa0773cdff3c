"""CII reader: the inverse of the writer (examples and an invoice using every model field), robust on the
variety of real CII and on broken input.

"Equal after normalisation" (`strip_computed`): the reader fills in what the writer computed (line nets,
line ids, VAT breakdown, totals); those must equal what `compute()` gives for the original, and the rest
must equal the original once both are normalised.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from fpcli.cii.namespaces import NSMAP
from fpcli.cii.profile import Profile
from fpcli.cii.reader import read_cii, strip_computed
from fpcli.cii.writer import to_cii
from fpcli.errors import InputError, InvoiceDataError
from fpcli.model.invoice import Invoice
from fpcli.model.load import invoices_from_data, load_invoices
from fpcli.model.totals import compute
from tests.cii.full_invoice import FULL
from tests.conftest import EXAMPLES


def examples() -> list[Invoice]:
    out = []
    for path in sorted(EXAMPLES.glob("*.*")):
        out += load_invoices(path.read_bytes(), path.name)
    return out


def full_invoice() -> Invoice:
    """Every field of the model, with a VAT accounting currency (which needs its BT-111 total)."""
    plain = Invoice.model_validate(FULL)
    totals = compute(plain).totals.model_copy(update={"tax_total_accounting": Decimal("21.44")})
    data = {**copy.deepcopy(FULL), "tax_currency": "USD", "totals": totals.model_dump()}
    return Invoice.model_validate(data)


def assert_exact_round_trip(invoice: Invoice) -> None:
    result = to_cii(invoice, Profile.EN16931)
    assert result.dropped == []
    doc = read_cii(result.xml, "x.xml")
    assert doc.profile is Profile.EN16931 and doc.guideline_id == Profile.EN16931.guideline_id
    assert doc.warnings == []
    computed = compute(invoice)
    back = doc.invoice
    assert [line.net_amount for line in back.lines] == computed.line_nets
    assert [line.id for line in back.lines] == [line.id or str(i + 1) for i, line in enumerate(invoice.lines)]
    assert back.vat_breakdown == computed.vat_breakdown
    assert back.totals == computed.totals
    assert strip_computed(back).model_dump() == strip_computed(invoice).model_dump()


@pytest.mark.parametrize("invoice", examples(), ids=lambda i: i.number)
def test_en16931_round_trip_is_exact(invoice: Invoice) -> None:
    assert_exact_round_trip(invoice)


def test_every_model_field_round_trips() -> None:
    invoice = full_invoice()
    assert_exact_round_trip(invoice)
    back = read_cii(to_cii(invoice, Profile.EN16931).xml, "x.xml").invoice
    assert back.tax_currency == "USD" and back.totals is not None
    assert str(back.totals.tax_total_accounting) == "21.44"


@pytest.mark.parametrize("profile", [Profile.BASIC, Profile.EXTENDED, Profile.EXTENDED_CTC_FR], ids=str)
def test_line_profiles_round_trip_what_they_carry(profile: Profile) -> None:
    for invoice in [*examples(), full_invoice()]:
        written = to_cii(invoice, profile).xml
        doc = read_cii(written, "x.xml")
        assert doc.profile is profile and doc.warnings == []
        assert to_cii(doc.invoice, profile).xml == written


@pytest.mark.parametrize("profile", [Profile.MINIMUM, Profile.BASIC_WL], ids=str)
def test_header_profiles_keep_totals(profile: Profile) -> None:
    for invoice in [*examples(), full_invoice()]:
        written = to_cii(invoice, profile).xml
        doc = read_cii(written, "x.xml")
        back = doc.invoice
        assert back.lines == [] and doc.warnings == []
        assert back.totals is not None and back.totals.due == compute(invoice).totals.due
        if profile is Profile.BASIC_WL:
            assert back.vat_breakdown == compute(invoice).vat_breakdown
        assert to_cii(back, profile).xml == written


def test_extract_json_is_generate_input() -> None:
    invoice = examples()[1]
    doc = read_cii(to_cii(invoice, Profile.EN16931).xml, "x.xml")
    data = doc.invoice.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    again = invoices_from_data(data, "extract.json")[0]
    assert strip_computed(again) == strip_computed(invoice)


# -- robustness: mutate a written invoice ------------------------------------------------------------------
def tree_of(invoice: Invoice | None = None) -> Any:
    xml = to_cii(invoice or full_invoice(), Profile.EN16931).xml
    return etree.fromstring(xml)


def find(root: Any, path: str) -> Any:
    hits = root.xpath(path, namespaces=NSMAP)
    assert hits, path
    return hits[0]


def read(root: Any) -> Any:
    return read_cii(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), "in.xml")


def test_month_and_week_dates_read_as_first_day_with_warning() -> None:
    root = tree_of()
    period = "//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod"
    start = find(root, f"{period}/ram:StartDateTime/udt:DateTimeString")
    start.set("format", "610")
    start.text = "202602"
    end = find(root, f"{period}/ram:EndDateTime/udt:DateTimeString")
    end.set("format", "616")
    end.text = "202609"
    doc = read(root)
    assert doc.invoice.period is not None
    assert str(doc.invoice.period.start) == "2026-02-01" and str(doc.invoice.period.end) == "2026-02-23"
    assert any("format 610" in w and "StartDateTime" in w for w in doc.warnings)
    assert any("format 616" in w and "EndDateTime" in w for w in doc.warnings)


def test_unknown_elements_become_warnings_with_their_xpath() -> None:
    root = tree_of()
    doc_el = find(root, "rsm:ExchangedDocument")
    etree.SubElement(doc_el, "{urn:example:vendor}Extra").text = "vendor data"
    doc = read(root)
    assert len(doc.warnings) == 1
    assert doc.warnings[0].startswith(
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/*[local-name()='Extra']"
    )
    assert "`vendor data`" in doc.warnings[0]


def test_ids_with_and_without_scheme_and_empty_elements() -> None:
    root = tree_of()
    find(root, "//ram:BuyerReference").text = "  "
    find(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString").text = ""
    invoice = read(root).invoice
    assert invoice.buyer_reference is None and invoice.due_date is None
    assert [(i.id, i.scheme) for i in invoice.seller.identifiers] == [
        ("LOCAL-1", None),
        ("12345678200010", "0009"),
    ]


def test_many_decimals_and_negative_values() -> None:
    root = tree_of()
    find(root, "//ram:NetPriceProductTradePrice/ram:ChargeAmount").text = "40.12300000000"
    find(root, "//ram:BilledQuantity").text = "-2.5"
    doc = read(root)
    line = doc.invoice.lines[0]
    assert str(line.unit_price) == "40.123000" and str(line.quantity) == "-2.5"
    assert not any("decimals" in w for w in doc.warnings)  # trailing zeros lose nothing
    find(root, "//ram:NetPriceProductTradePrice/ram:ChargeAmount").text = "40.1234567"
    doc = read(root)
    assert str(doc.invoice.lines[0].unit_price) == "40.123457"
    assert any("more than 6 decimals" in w for w in doc.warnings)


def test_several_payment_means() -> None:
    root = tree_of()
    second = root.xpath("//ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NSMAP)[1]
    find(second, "ram:TypeCode").text = "49"
    doc = read(root)
    assert doc.invoice.payment is not None
    assert [t.iban for t in doc.invoice.payment.credit_transfers] == [
        "FR7630006000011234567890189",
        "DE89370400440532013000",
    ]
    assert any("other payment means code 49" in w for w in doc.warnings)


def test_negative_allowance_percentage_keeps_the_amount() -> None:
    root = tree_of()
    ac = find(root, "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeAllowanceCharge[2]")
    find(ac, "ram:CalculationPercent").text = "-5"
    find(ac, "ram:ActualAmount").text = "-5.00"
    doc = read(root)
    assert str(doc.invoice.charges[0].amount) == "-5.00" and doc.invoice.charges[0].percentage is None
    assert any("outside 0..100" in w for w in doc.warnings)


def test_missing_seller_name_names_xpath_and_line() -> None:
    root = tree_of()
    name = find(root, "//ram:SellerTradeParty/ram:Name")
    name.getparent().remove(name)
    with pytest.raises(InputError) as info:
        read(root)
    message = info.value.message
    assert message.startswith("in.xml: /rsm:CrossIndustryInvoice/") and "SellerTradeParty line " in message
    assert "no name (BT-27" in message


def test_bad_number_names_xpath_and_line() -> None:
    xml = to_cii(examples()[0], Profile.EN16931).xml.replace(
        b'<ram:BilledQuantity unitCode="DAY">0.5<', b'<ram:BilledQuantity unitCode="DAY">0,5<'
    )
    with pytest.raises(InputError) as info:
        read_cii(xml, "in.xml")
    assert "BilledQuantity line " in info.value.message and "`0,5` is not a number" in info.value.message


def test_model_errors_become_invoice_data_errors() -> None:
    root = tree_of()
    # (country codes are checked against the official list when user input is read, not here: an unknown
    # VAT category is still a model error)
    find(root, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode").text = "XX"
    with pytest.raises(InvoiceDataError) as info:
        read(root)
    assert (
        info.value.problems and "lines[0].vat_category: unknown VAT category `XX`" in info.value.problems[0]
    )


def test_bom_and_foreign_prefixes_are_read() -> None:
    xml = to_cii(examples()[0], Profile.EN16931).xml
    xml = xml.replace(b"rsm:", b"a:").replace(b"xmlns:rsm=", b"xmlns:a=").replace(b"ram:", b"b:")
    xml = xml.replace(b"xmlns:ram=", b"xmlns:b=")
    doc = read_cii(b"\xef\xbb\xbf" + xml, "bom.xml")
    assert doc.invoice.number == examples()[0].number and doc.warnings == []


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<a/>", "not a CII invoice"),
        (
            b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>',
            "without ExchangedDocument",
        ),
        (b"<a>", "not well-formed"),
    ],
)
def test_not_cii(xml: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        read_cii(xml, "in.xml")
    assert info.value.message.startswith("in.xml") and message in info.value.message


def test_contact_department_is_its_own_field_not_the_persons_name() -> None:
    data = copy.deepcopy(FULL)
    data["seller"]["contact"] = {"name": "Jean", "department": "Comptabilité"}
    invoice = Invoice.model_validate(data)
    # EN 16931 has one contact point (CII-SR-465): the person wins, the department is reported as dropped
    en = to_cii(invoice, Profile.EN16931)
    assert "BT-41-0 contact department" in en.dropped
    assert read_cii(en.xml, "x.xml").invoice.seller.contact.name == "Jean"
    ext = read_cii(to_cii(invoice, Profile.EXTENDED).xml, "x.xml").invoice.seller.contact
    assert (ext.name, ext.department) == ("Jean", "Comptabilité")


def test_invoicee_round_trips_in_extended_and_is_reported_dropped_below() -> None:
    from fpcli.validation.checks import ValidateOptions, validate_bytes

    data = copy.deepcopy(FULL)
    data["invoicee"] = {
        "name": "Boulangerie Dupont — service comptable",
        "legal_id": {"id": "987654324", "scheme": "0002"},
        "address": {"line1": "1 rue du Four", "city": "Lyon", "postcode": "69001", "country": "FR"},
    }
    invoice = Invoice.model_validate(data)
    extended = to_cii(invoice, Profile.EXTENDED)
    assert not any("invoicee" in d for d in extended.dropped)
    back = read_cii(extended.xml, "x.xml")
    assert back.invoice.invoicee == invoice.invoicee
    assert not any("InvoiceeTradeParty" in w for w in back.warnings)
    # the Factur-X EXTENDED XSD and Schematron accept it (FULL is not a French invoice: no BR-FR here)
    report = validate_bytes(extended.xml, "x.xml", ValidateOptions(profile=Profile.EXTENDED, fr=False))
    assert report.valid, [f.message for f in report.errors]
    en = to_cii(invoice, Profile.EN16931)
    assert "EXT-INVOICEE invoicee (InvoiceeTradeParty)" in en.dropped
    assert b"InvoiceeTradeParty" not in en.xml


def test_discount_terms_round_trip_in_extended() -> None:
    from fpcli.validation.checks import ValidateOptions, validate_bytes

    data = copy.deepcopy(FULL)
    data["discount_terms"] = {
        "basis_date": "2026-11-20",
        "period_days": 8,
        "percent": "2",
        "basis_amount": "100.00",
    }
    invoice = Invoice.model_validate(data)
    extended = to_cii(invoice, Profile.EXTENDED)
    back = read_cii(extended.xml, "x.xml")
    assert back.invoice.discount_terms == invoice.discount_terms
    assert not any("DiscountTerms" in w for w in back.warnings)
    report = validate_bytes(extended.xml, "x.xml", ValidateOptions(profile=Profile.EXTENDED, fr=False))
    assert report.valid, [f.message for f in report.errors]
    assert any(d.startswith("EXT-DISCOUNT-TERMS") for d in to_cii(invoice, Profile.EN16931).dropped)


def test_advance_payments_and_package_quantities_round_trip_in_extended() -> None:
    from fpcli.validation.checks import ValidateOptions, validate_bytes

    data = copy.deepcopy(FULL)
    data["lines"][0]["package_quantity"] = "4"
    data["lines"][0]["package_unit"] = "XPK"
    plain = Invoice.model_validate(data)
    due = compute(plain).totals.tax_inclusive
    data["prepaid_amount"] = "10.00"
    data["advance_payments"] = [
        {
            "amount": "10.00",
            "received_date": "2026-10-01",
            "taxes": [{"category": "S", "rate": "20", "tax_amount": "1.67"}],
            "invoice_number": "ACOMPTE-1",
        }
    ]
    invoice = Invoice.model_validate(data)
    extended = to_cii(invoice, Profile.EXTENDED)
    back = read_cii(extended.xml, "x.xml")
    assert back.invoice.advance_payments == invoice.advance_payments
    assert back.invoice.lines[0].package_quantity == 4 and back.invoice.lines[0].package_unit == "XPK"
    assert back.invoice.totals is not None and back.invoice.totals.due == due - 10
    assert not any("AdvancePayment" in w or "PackageQuantity" in w for w in back.warnings)
    report = validate_bytes(extended.xml, "x.xml", ValidateOptions(profile=Profile.EXTENDED, fr=False))
    assert report.valid, [f.message for f in report.errors]
    dropped = to_cii(invoice, Profile.EN16931).dropped
    assert "EXT-ADVANCE-PAYMENTS advance payments (SpecifiedAdvancePayment)" in dropped
    assert "EXT-PACKAGE-QUANTITY line package quantities (PackageQuantity)" in dropped
