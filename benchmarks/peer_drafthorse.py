"""The peer for rendered Factur-X PDFs: drafthorse builds the CII (with its XSD check) and the `factur-x`
library embeds it into a pre-made PDF, the usual Python recipe when no renderer is at hand. Totals come from
fpcli's model, computed beforehand, so the peer is not charged for arithmetic.

Needs `pip install drafthorse` (the `bench` extra).
"""

from __future__ import annotations

from typing import Any

from fpcli.model.invoice import Invoice
from fpcli.model.totals import Computed


def build_xml(invoice: Invoice, computed: Computed) -> bytes:
    from drafthorse.models.accounting import ApplicableTradeTax
    from drafthorse.models.document import Document
    from drafthorse.models.party import TaxRegistration
    from drafthorse.models.tradelines import LineItem

    doc = Document()
    doc.context.guideline_parameter.id = "urn:cen.eu:en16931:2017"
    doc.header.id = invoice.number
    doc.header.type_code = invoice.type_code
    doc.header.issue_date_time = invoice.issue_date
    for role, party in (("seller", invoice.seller), ("buyer", invoice.buyer)):
        target: Any = getattr(doc.trade.agreement, role)
        target.name = party.name
        if party.address:
            target.address.line_one = party.address.line1
            target.address.city_name = party.address.city
            target.address.postcode = party.address.postcode
            target.address.country_id = party.address.country
        if party.vat_id:
            target.tax_registrations.add(TaxRegistration(id=("VA", party.vat_id)))
    doc.trade.settlement.currency_code = invoice.currency
    doc.trade.settlement.payment_means.type_code = "30"
    for i, (line, net) in enumerate(zip(invoice.lines, computed.line_nets, strict=True)):
        item = LineItem()
        item.document.line_id = line.id or str(i + 1)
        item.product.name = line.name
        item.agreement.net.amount = line.unit_price
        item.delivery.billed_quantity = (line.quantity, line.unit)
        item.settlement.trade_tax.type_code = "VAT"
        item.settlement.trade_tax.category_code = line.vat_category
        item.settlement.trade_tax.rate_applicable_percent = line.vat_rate
        item.settlement.monetary_summation.total_amount = net
        doc.trade.items.add(item)
    for vat in computed.vat_breakdown:
        tax = ApplicableTradeTax()
        tax.calculated_amount = vat.tax_amount
        tax.basis_amount = vat.taxable_amount
        tax.type_code = "VAT"
        tax.category_code = vat.category
        tax.rate_applicable_percent = vat.rate
        doc.trade.settlement.trade_tax.add(tax)
    totals, summation = computed.totals, doc.trade.settlement.monetary_summation
    summation.line_total = totals.line_total
    summation.charge_total = totals.charge_total
    summation.allowance_total = totals.allowance_total
    summation.tax_basis_total = totals.tax_exclusive
    summation.tax_total = (totals.tax_total, invoice.currency)
    summation.grand_total = totals.tax_inclusive
    summation.due_amount = totals.due
    return bytes(doc.serialize(schema="FACTUR-X_EN16931"))


def facturx_pdf(invoice: Invoice, computed: Computed, base_pdf: bytes) -> bytes:
    from facturx import generate_from_binary

    xml = build_xml(invoice, computed)
    return bytes(generate_from_binary(base_pdf, xml, flavor="factur-x", level="en16931", check_xsd=False))
