"""The EN 16931 model -> UBL 2.1 Invoice or CreditNote, following the EN 16931-3-2 syntax binding.

The inverse of `fpcli.ubl.reader`. Elements are written in the order the UBL 2.1 XSD requires; what UBL
cannot carry (a due date on a credit note without payment means) is returned in `dropped`, never lost
silently. The output is checked against the UBL XSD by the caller (`fpcli.convert`), with the EN 16931 rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree

from fpcli.model.invoice import (
    Address,
    AllowanceCharge,
    CreditTransfer,
    Identifier,
    Invoice,
    Line,
    Party,
    Period,
)
from fpcli.model.totals import Computed, allowance_amount, compute
from fpcli.ubl.reader import CAC, CBC, UBL_CREDIT, UBL_INVOICE

CUSTOMIZATION = "urn:cen.eu:en16931:2017"
# BT-8: CII has UNTDID 2475 codes, UBL UNTDID 2005 ones (EN 16931-3-3 / 3-2): invoice date, delivery, payment
TAX_POINT_2005 = {"5": "3", "29": "35", "72": "432"}
TAX_POINT_2475 = {v: k for k, v in TAX_POINT_2005.items()}
_El = Any


@dataclass
class UblResult:
    xml: bytes
    credit_note: bool
    dropped: list[str] = field(default_factory=list)


def _num(value: Decimal) -> str:
    return format(value, "f")


class _Writer:
    def __init__(self, invoice: Invoice, computed: Computed) -> None:
        self.inv = invoice
        self.computed = computed
        self.credit = invoice.is_credit_note
        self.cur = invoice.currency
        self.dropped: list[str] = []

    # -- primitives ------------------------------------------------------------------------------------------
    def cbc(self, parent: _El, tag: str, text: object, **attrs: str | None) -> _El | None:
        if text is None or text == "":
            return None
        el = etree.SubElement(parent, f"{{{CBC}}}{tag}", {k: v for k, v in attrs.items() if v})
        if isinstance(text, Decimal):
            el.text = _num(text)
        elif isinstance(text, dt.date):
            el.text = text.isoformat()
        else:
            el.text = str(text)
        return el

    def cac(self, parent: _El, name: str) -> _El:
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    def amount(self, parent: _El, name: str, value: Decimal | None, currency: str | None = None) -> None:
        if value is not None:
            self.cbc(parent, name, value, currencyID=currency or self.cur)

    def ident(self, parent: _El, name: str, ident: Identifier | None) -> None:
        if ident is not None:
            self.cbc(parent, name, ident.id, schemeID=ident.scheme)

    def period(self, parent: _El, period: Period | None, code: str | None = None) -> None:
        if period is None and code is None:
            return
        el = self.cac(parent, "InvoicePeriod")
        if period is not None:
            self.cbc(el, "StartDate", period.start)
            self.cbc(el, "EndDate", period.end)
        self.cbc(el, "DescriptionCode", code)

    def address(self, parent: _El, name: str, a: Address | None) -> None:
        if a is None:
            return
        el = self.cac(parent, name)
        self.cbc(el, "StreetName", a.line1)
        self.cbc(el, "AdditionalStreetName", a.line2)
        self.cbc(el, "CityName", a.city)
        self.cbc(el, "PostalZone", a.postcode)
        self.cbc(el, "CountrySubentity", a.subdivision)
        if a.line3:
            self.cbc(self.cac(el, "AddressLine"), "Line", a.line3)
        self.cbc(self.cac(el, "Country"), "IdentificationCode", a.country)

    def tax_scheme(self, parent: _El, scheme: str = "VAT") -> None:
        self.cbc(self.cac(parent, "TaxScheme"), "ID", scheme)

    # -- parties ---------------------------------------------------------------------------------------------
    def party(self, parent: _El, wrapper: str, p: Party, *, seller: bool) -> None:
        el = self.cac(self.cac(parent, wrapper), "Party")
        self.ident(el, "EndpointID", p.electronic_address)
        identifiers = p.identifiers if seller else p.identifiers[:1]
        if len(identifiers) < len(p.identifiers):  # UBL-SR-16: one buyer identifier in UBL
            self.dropped.append(f"BT-46 buyer identifiers after the first ({len(p.identifiers) - 1})")
        for i in identifiers:
            self.ident(self.cac(el, "PartyIdentification"), "ID", i)
        creditor = self.inv.payment.direct_debit if self.inv.payment else None
        if seller and self.inv.payee is None and creditor and creditor.creditor_id:
            self.cbc(self.cac(el, "PartyIdentification"), "ID", creditor.creditor_id, schemeID="SEPA")
        if p.trading_name:
            self.cbc(self.cac(el, "PartyName"), "Name", p.trading_name)
        self.address(el, "PostalAddress", p.address)
        if p.vat_id:
            scheme = self.cac(el, "PartyTaxScheme")
            self.cbc(scheme, "CompanyID", p.vat_id)
            self.tax_scheme(scheme)
        if p.tax_registration_id:
            scheme = self.cac(el, "PartyTaxScheme")
            self.cbc(scheme, "CompanyID", p.tax_registration_id)
            self.tax_scheme(scheme, "FC")
        legal = self.cac(el, "PartyLegalEntity")
        self.cbc(legal, "RegistrationName", p.name)
        self.ident(legal, "CompanyID", p.legal_id)
        self.cbc(legal, "CompanyLegalForm", p.legal_info)
        if p.contact and (p.contact.name or p.contact.department or p.contact.telephone or p.contact.email):
            c = self.cac(el, "Contact")
            # UBL has one contact point name (BT-41/BT-56): the person's, else the department's
            self.cbc(c, "Name", p.contact.name or p.contact.department)
            if p.contact.department:
                who = "seller" if seller else "buyer"
                if p.contact.name:
                    self.drop(f"{who}.contact.department", "contact department beside a contact name")
                else:
                    self.drop(f"{who}.contact", "contact department, written as the contact point's name")
            self.cbc(c, "Telephone", p.contact.telephone)
            self.cbc(c, "ElectronicMail", p.contact.email)

    def payee(self, root: _El) -> None:
        payee = self.inv.payee
        if payee is None:
            return
        el = self.cac(root, "PayeeParty")
        for i in payee.identifiers:
            self.ident(self.cac(el, "PartyIdentification"), "ID", i)
        creditor = self.inv.payment.direct_debit if self.inv.payment else None
        if creditor and creditor.creditor_id:
            self.cbc(self.cac(el, "PartyIdentification"), "ID", creditor.creditor_id, schemeID="SEPA")
        self.cbc(self.cac(el, "PartyName"), "Name", payee.name)
        if payee.legal_id:
            self.ident(self.cac(el, "PartyLegalEntity"), "CompanyID", payee.legal_id)

    def tax_representative(self, root: _El) -> None:
        rep = self.inv.tax_representative
        if rep is None:
            return
        el = self.cac(root, "TaxRepresentativeParty")
        self.cbc(self.cac(el, "PartyName"), "Name", rep.name)
        self.address(el, "PostalAddress", rep.address)
        scheme = self.cac(el, "PartyTaxScheme")
        self.cbc(scheme, "CompanyID", rep.vat_id)
        self.tax_scheme(scheme)

    def delivery(self, root: _El) -> None:
        d = self.inv.delivery
        if d is None:
            return
        el = self.cac(root, "Delivery")
        self.cbc(el, "ActualDeliveryDate", d.date)
        if d.location_id or d.address:
            loc = self.cac(el, "DeliveryLocation")
            self.ident(loc, "ID", d.location_id)
            self.address(loc, "Address", d.address)
        if d.party_name:
            self.cbc(self.cac(self.cac(el, "DeliveryParty"), "PartyName"), "Name", d.party_name)

    # -- payment ---------------------------------------------------------------------------------------------
    def payment(self, root: _El) -> None:
        pay = self.inv.payment
        if pay is None:
            if self.credit and self.inv.due_date:
                self.dropped.append("BT-9 payment due date (a UBL credit note carries it in payment means)")
            return
        accounts: list[CreditTransfer | None] = [*pay.credit_transfers] or [None]
        for n, transfer in enumerate(accounts):
            first = n == 0  # one PaymentMeans per account; BT-82 and BG-19 once (UBL-SR-46, UBL-SR-55)
            el = self.cac(root, "PaymentMeans")
            self.cbc(el, "PaymentMeansCode", pay.means_code, name=pay.means_text if first else None)
            if self.credit:
                self.cbc(el, "PaymentDueDate", self.inv.due_date)
            self.cbc(el, "PaymentID", pay.remittance_info)
            if pay.card is not None:
                card = self.cac(el, "CardAccount")
                self.cbc(card, "PrimaryAccountNumberID", pay.card.pan)
                self.cbc(card, "NetworkID", "NA")  # mandatory in UBL, no EN 16931 term
                self.cbc(card, "HolderName", pay.card.holder)
            if transfer is not None:
                acct = self.cac(el, "PayeeFinancialAccount")
                self.cbc(acct, "ID", transfer.iban)
                self.cbc(acct, "Name", transfer.account_name)
                if transfer.bic:
                    self.cbc(self.cac(acct, "FinancialInstitutionBranch"), "ID", transfer.bic)
            debit = pay.direct_debit
            if first and debit and (debit.mandate_id or debit.debited_account):
                mandate = self.cac(el, "PaymentMandate")
                self.cbc(mandate, "ID", debit.mandate_id)
                if debit.debited_account:
                    self.cbc(self.cac(mandate, "PayerFinancialAccount"), "ID", debit.debited_account)

    # -- allowances, taxes, totals ---------------------------------------------------------------------------
    def allowance(self, parent: _El, item: AllowanceCharge, charge: bool, *, document_level: bool) -> None:
        el = self.cac(parent, "AllowanceCharge")
        self.cbc(el, "ChargeIndicator", "true" if charge else "false")
        self.cbc(el, "AllowanceChargeReasonCode", item.reason_code)
        self.cbc(el, "AllowanceChargeReason", item.reason)
        self.cbc(el, "MultiplierFactorNumeric", item.percentage)
        self.amount(el, "Amount", allowance_amount(item))
        self.amount(el, "BaseAmount", item.base_amount)
        if document_level:
            cat = self.cac(el, "TaxCategory")
            self.cbc(cat, "ID", item.vat_category or "S")
            self.cbc(cat, "Percent", item.vat_rate)
            self.tax_scheme(cat)

    def taxes(self, root: _El) -> None:
        totals = self.computed.totals
        el = self.cac(root, "TaxTotal")
        self.amount(el, "TaxAmount", totals.tax_total if totals.tax_total is not None else Decimal("0.00"))
        for v in self.computed.vat_breakdown:
            sub = self.cac(el, "TaxSubtotal")
            self.amount(sub, "TaxableAmount", v.taxable_amount)
            self.amount(sub, "TaxAmount", v.tax_amount)
            cat = self.cac(sub, "TaxCategory")
            self.cbc(cat, "ID", v.category)
            self.cbc(cat, "Percent", v.rate)
            self.cbc(cat, "TaxExemptionReasonCode", v.exemption_code)
            self.cbc(cat, "TaxExemptionReason", v.exemption_reason)
            self.tax_scheme(cat)
        if totals.tax_total_accounting is not None and self.inv.tax_currency:
            other = self.cac(root, "TaxTotal")
            self.amount(other, "TaxAmount", totals.tax_total_accounting, self.inv.tax_currency)

    def totals(self, root: _El) -> None:
        t = self.computed.totals
        el = self.cac(root, "LegalMonetaryTotal")
        self.amount(el, "LineExtensionAmount", t.line_total if t.line_total is not None else Decimal("0.00"))
        self.amount(el, "TaxExclusiveAmount", t.tax_exclusive)
        self.amount(el, "TaxInclusiveAmount", t.tax_inclusive)
        self.amount(el, "AllowanceTotalAmount", t.allowance_total)
        self.amount(el, "ChargeTotalAmount", t.charge_total)
        self.amount(el, "PrepaidAmount", t.prepaid)
        self.amount(el, "PayableRoundingAmount", t.rounding)
        self.amount(el, "PayableAmount", t.due)

    # -- lines -----------------------------------------------------------------------------------------------
    def line(self, root: _El, index: int, line: Line) -> None:
        el = self.cac(root, "CreditNoteLine" if self.credit else "InvoiceLine")
        self.cbc(el, "ID", line.id or str(index + 1))
        self.cbc(el, "Note", line.note)
        self.cbc(
            el, "CreditedQuantity" if self.credit else "InvoicedQuantity", line.quantity, unitCode=line.unit
        )
        self.amount(el, "LineExtensionAmount", self.computed.line_nets[index])
        self.cbc(el, "AccountingCost", line.accounting_ref)
        self.period(el, line.period)
        if line.order_line_ref:
            self.cbc(self.cac(el, "OrderLineReference"), "LineID", line.order_line_ref)
        if line.object_id:
            ref = self.cac(el, "DocumentReference")
            self.ident(ref, "ID", line.object_id)
            self.cbc(ref, "DocumentTypeCode", "130")
        for a in line.allowances:
            self.allowance(el, a, False, document_level=False)
        for c in line.charges:
            self.allowance(el, c, True, document_level=False)
        self.item(el, line)
        price = self.cac(el, "Price")
        self.amount(price, "PriceAmount", line.unit_price)
        if line.base_quantity is not None:
            self.cbc(price, "BaseQuantity", line.base_quantity, unitCode=line.base_unit or line.unit)
        if line.gross_price is not None or line.price_discount is not None:
            ac = self.cac(price, "AllowanceCharge")
            self.cbc(ac, "ChargeIndicator", "false")
            self.amount(ac, "Amount", line.price_discount if line.price_discount is not None else Decimal(0))
            self.amount(ac, "BaseAmount", line.gross_price)

    def item(self, parent: _El, line: Line) -> None:
        el = self.cac(parent, "Item")
        self.cbc(el, "Description", line.description)
        self.cbc(el, "Name", line.name)
        if line.buyer_item_id:
            self.cbc(self.cac(el, "BuyersItemIdentification"), "ID", line.buyer_item_id)
        if line.seller_item_id:
            self.cbc(self.cac(el, "SellersItemIdentification"), "ID", line.seller_item_id)
        if line.standard_id:
            self.ident(self.cac(el, "StandardItemIdentification"), "ID", line.standard_id)
        if line.origin_country:
            self.cbc(self.cac(el, "OriginCountry"), "IdentificationCode", line.origin_country)
        for c in line.classifications:
            self.cbc(
                self.cac(el, "CommodityClassification"),
                "ItemClassificationCode",
                c.code,
                listID=c.scheme,
                listVersionID=c.version,
            )
        cat = self.cac(el, "ClassifiedTaxCategory")
        self.cbc(cat, "ID", line.vat_category)
        self.cbc(cat, "Percent", line.vat_rate)
        self.tax_scheme(cat)
        for a in line.attributes:
            prop = self.cac(el, "AdditionalItemProperty")
            self.cbc(prop, "Name", a.name)
            self.cbc(prop, "Value", a.value)

    # -- document --------------------------------------------------------------------------------------------
    def drop(self, path: str, what: str) -> None:
        """Say what UBL cannot carry; `path` is the input field, so the message names it."""
        message = f"{what} (`{path}`): UBL 2.1 has no place for it"
        if message not in self.dropped:
            self.dropped.append(message)

    def cii_only_terms(self) -> None:
        """Terms of fpcli's model that come from CII EXTENDED or CII-only elements: reported, never lost
        silently."""
        inv = self.inv
        for path, what, value in (
            ("project_name", "project name (CII SpecifiedProcuringProject/Name)", inv.project_name),
            ("discount_terms", "EXTENDED early-payment discount terms", inv.discount_terms),
            ("invoicee", "EXTENDED invoicee", inv.invoicee),
            ("advance_payments", "EXTENDED advance payments", inv.advance_payments),
            ("line_groups", "EXTENDED line groups (CII GROUP lines)", inv.line_groups),
            ("document_name", "EXTENDED document name", inv.document_name),
            ("test_indicator", "EXTENDED test indicator", inv.test_indicator),
            ("delivery_note", "EXTENDED delivery note reference", inv.delivery_note),
            ("delivery.contact", "EXTENDED deliver-to contact", inv.delivery and inv.delivery.contact),
            (
                "delivery.electronic_address",
                "EXTENDED deliver-to electronic address",
                inv.delivery and inv.delivery.electronic_address,
            ),
            ("payee.role_code", "EXTENDED payee role code", inv.payee and inv.payee.role_code),
            ("payee.address", "EXTENDED payee address", inv.payee and inv.payee.address),
            (
                "payee.electronic_address",
                "EXTENDED payee electronic address",
                inv.payee and inv.payee.electronic_address,
            ),
            ("tax_exchange_rate", "EXTENDED tax currency exchange rate", inv.tax_exchange_rate),
        ):
            if value:
                self.drop(path, what)
        for i, note in enumerate(inv.notes):
            if note.content_code:
                self.drop(f"notes[{i}].content_code", "EXTENDED note content code")
        for i, line in enumerate(inv.lines):
            if line.package_quantity is not None or line.package_unit is not None:
                self.drop(f"lines[{i}].package_quantity", "EXTENDED package quantity")
                self.drop(f"lines[{i}].package_unit", "EXTENDED package unit")
            for name, what in (
                ("price_discount_reason", "EXTENDED price discount reason"),
                ("parent_id", "EXTENDED line group of a sub-line"),
                ("seller", "multi-vendor line seller (CII ItemSellerTradeParty)"),
                ("sub_invoice", "multi-vendor sub-invoice number (CII BT-128 scheme AFL)"),
                ("vat_point_code", "EXTENDED line VAT due date code"),
            ):
                if getattr(line, name) is not None:
                    self.drop(f"lines[{i}].{name}", what)

    def build(self) -> _El:
        inv = self.inv
        self.cii_only_terms()
        ns = UBL_CREDIT if self.credit else UBL_INVOICE
        root = etree.Element(
            f"{{{ns}}}{'CreditNote' if self.credit else 'Invoice'}", nsmap={None: ns, "cac": CAC, "cbc": CBC}
        )
        self.cbc(root, "CustomizationID", CUSTOMIZATION)
        self.cbc(root, "ProfileID", inv.business_process)
        self.cbc(root, "ID", inv.number)
        self.cbc(root, "IssueDate", inv.issue_date)
        if self.credit:
            self.cbc(root, "TaxPointDate", inv.tax_point_date)
            self.cbc(root, "CreditNoteTypeCode", inv.type_code)
        else:
            self.cbc(root, "DueDate", inv.due_date)
            self.cbc(root, "InvoiceTypeCode", inv.type_code)
        for note in inv.notes:
            # EN 16931-3-2 has no element for BT-21: the usual `#CODE#text` form carries it
            self.cbc(root, "Note", f"#{note.subject}#{note.text}" if note.subject else note.text)
        if not self.credit:
            self.cbc(root, "TaxPointDate", inv.tax_point_date)
        self.cbc(root, "DocumentCurrencyCode", inv.currency)
        self.cbc(root, "TaxCurrencyCode", inv.tax_currency)
        self.cbc(root, "AccountingCost", inv.buyer_accounting_reference)
        self.cbc(root, "BuyerReference", inv.buyer_reference)
        self.period(root, inv.period, TAX_POINT_2005.get(inv.tax_point_code or "", inv.tax_point_code))
        if inv.purchase_order_reference or inv.sales_order_reference:
            order = self.cac(root, "OrderReference")
            self.cbc(order, "ID", inv.purchase_order_reference or "NA")
            self.cbc(order, "SalesOrderID", inv.sales_order_reference)
        for p in inv.preceding_invoices:
            ref = self.cac(self.cac(root, "BillingReference"), "InvoiceDocumentReference")
            self.cbc(ref, "ID", p.number)
            self.cbc(ref, "IssueDate", p.date)
        self.references(root)
        self.party(root, "AccountingSupplierParty", inv.seller, seller=True)
        self.party(root, "AccountingCustomerParty", inv.buyer, seller=False)
        self.payee(root)
        self.tax_representative(root)
        self.delivery(root)
        self.payment(root)
        if inv.payment_terms:
            self.cbc(self.cac(root, "PaymentTerms"), "Note", inv.payment_terms)
        for a in inv.allowances:
            self.allowance(root, a, False, document_level=True)
        for c in inv.charges:
            self.allowance(root, c, True, document_level=True)
        self.taxes(root)
        self.totals(root)
        for i, line in enumerate(inv.lines):
            self.line(root, i, line)
        return root

    def references(self, root: _El) -> None:
        inv = self.inv
        for name, value in (
            ("DespatchDocumentReference", inv.despatch_advice_reference),
            ("ReceiptDocumentReference", inv.receiving_advice_reference),
        ):
            if value:
                self.cbc(self.cac(root, name), "ID", value)
        if not self.credit and inv.tender_reference:
            self.cbc(self.cac(root, "OriginatorDocumentReference"), "ID", inv.tender_reference)
        if inv.contract_reference:
            self.cbc(self.cac(root, "ContractDocumentReference"), "ID", inv.contract_reference)
        for d in inv.supporting_documents:
            ref = self.cac(root, "AdditionalDocumentReference")
            self.cbc(ref, "ID", d.id)
            self.cbc(ref, "DocumentDescription", d.description)
            if d.attachment or d.uri:
                attachment = self.cac(ref, "Attachment")
                if (a := d.attachment) is not None:
                    self.cbc(
                        attachment,
                        "EmbeddedDocumentBinaryObject",
                        a.content,
                        mimeCode=a.mime_code,
                        filename=a.filename,
                    )
                if d.uri:
                    self.cbc(self.cac(attachment, "ExternalReference"), "URI", d.uri)
        if inv.invoiced_object:
            ref = self.cac(root, "AdditionalDocumentReference")
            self.ident(ref, "ID", inv.invoiced_object)
            self.cbc(ref, "DocumentTypeCode", "130")
        if self.credit and inv.project_reference:
            # a UBL credit note has no ProjectReference: EN 16931-3-2 puts BT-11 here, type 50
            ref = self.cac(root, "AdditionalDocumentReference")
            self.cbc(ref, "ID", inv.project_reference)
            self.cbc(ref, "DocumentTypeCode", "50")
        if self.credit and inv.tender_reference:
            ref = self.cac(root, "OriginatorDocumentReference")
            self.cbc(ref, "ID", inv.tender_reference)
        if not self.credit and inv.project_reference:
            self.cbc(self.cac(root, "ProjectReference"), "ID", inv.project_reference)


def to_ubl(invoice: Invoice, computed: Computed | None = None) -> UblResult:
    """Serialise `invoice` as UBL 2.1 (CreditNote for credit note type codes, else Invoice)."""
    computed = computed or compute(invoice, lenient=True)
    writer = _Writer(invoice, computed)
    root = writer.build()
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return UblResult(xml=xml, credit_note=writer.credit, dropped=writer.dropped)
