"""Model -> CII XML for a Factur-X profile, emitting only what the profile carries.

Element order follows the CII D16B schema sequences (Factur-X 1.09 XSDs); the tests check every profile's
output against the official XSD and Schematron.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

from lxml import etree

from fpcli.cii.coverage import LABELS, carries
from fpcli.cii.namespaces import NSMAP, qdt, ram, rsm, udt
from fpcli.cii.profile import Profile
from fpcli.model import codes
from fpcli.model.groups import AFL, GroupTree, exemption_prefix
from fpcli.model.invoice import (
    Address,
    AllowanceCharge,
    Contact,
    CreditTransfer,
    Identifier,
    Invoice,
    Line,
    LineGroup,
    LineSeller,
    Party,
    Period,
    VatBreakdown,
)
from fpcli.model.totals import Computed, allowance_amount, compute, round2

_El: TypeAlias = etree._Element


@dataclass
class CiiResult:
    xml: bytes
    profile: Profile
    dropped: list[str] = field(default_factory=list)  # terms present in the input the profile cannot carry
    computed: Computed | None = None


def amount(value: Decimal) -> str:
    return f"{round2(value):f}"


def number(value: Decimal) -> str:
    """Quantities and prices: as given, without exponent or trailing zeros beyond 2 decimals."""
    text = f"{value.normalize():f}"
    if "." not in text:
        return text
    whole, frac = text.split(".")
    return f"{whole}.{frac.rstrip('0') or '0'}"


def date102(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


class _Writer:
    def __init__(self, invoice: Invoice, profile: Profile, computed: Computed) -> None:
        self.inv = invoice
        self.profile = profile
        self.computed = computed
        self.dropped: list[str] = []
        self.tree = GroupTree(invoice)
        self.group_nets = self.tree.nets(computed.line_nets)
        self.line_ids = self.tree.line_ids()

    # -- helpers ---------------------------------------------------------------------------------------------
    def want(self, term: str, value: object) -> bool:
        """True when `value` is present and the profile carries `term`; records what is dropped."""
        if value is None or value in ([], ""):
            return False
        if carries(self.profile, term):
            return True
        label = LABELS.get(term, "")
        entry = f"{term} {label}".strip()
        if entry not in self.dropped:
            self.dropped.append(entry)
        return False

    @staticmethod
    def sub(parent: _El, tag: str, text: str | None = None, **attrib: str) -> _El:
        el = etree.SubElement(parent, tag, attrib)
        if text is not None:
            el.text = text
        return el

    def date_el(self, parent: _El, tag: str, value: dt.date, kind: str = "udt") -> None:
        wrap = self.sub(parent, ram(tag))
        maker = udt if kind == "udt" else qdt
        self.sub(wrap, maker("DateTimeString"), date102(value), format="102")

    def id_el(self, parent: _El, tag: str, ident: Identifier) -> None:
        if ident.scheme:
            self.sub(parent, ram(tag), ident.id, schemeID=ident.scheme)
        else:
            self.sub(parent, ram(tag), ident.id)

    # -- document --------------------------------------------------------------------------------------------
    def build(self) -> _El:
        root = etree.Element(rsm("CrossIndustryInvoice"), nsmap=NSMAP)
        ctx = self.sub(root, rsm("ExchangedDocumentContext"))
        if self.want("EXT-TEST-INDICATOR", self.inv.test_indicator):
            flag = "true" if self.inv.test_indicator else "false"
            self.sub(self.sub(ctx, ram("TestIndicator")), udt("Indicator"), flag)
        if self.inv.business_process:
            self.sub(
                self.sub(ctx, ram("BusinessProcessSpecifiedDocumentContextParameter")),
                ram("ID"),
                self.inv.business_process,
            )
        self.sub(
            self.sub(ctx, ram("GuidelineSpecifiedDocumentContextParameter")),
            ram("ID"),
            self.profile.guideline_id,
        )
        doc = self.sub(root, rsm("ExchangedDocument"))
        self.sub(doc, ram("ID"), self.inv.number)
        if self.want("EXT-DOCUMENT-NAME", self.inv.document_name):
            self.sub(doc, ram("Name"), self.inv.document_name)
        self.sub(doc, ram("TypeCode"), self.inv.type_code)
        self.date_el(doc, "IssueDateTime", self.inv.issue_date)
        if self.want("BG-1", self.inv.notes):
            for note in self.inv.notes:
                n = self.sub(doc, ram("IncludedNote"))
                if self.want("EXT-NOTE-CONTENT-CODE", note.content_code):
                    self.sub(n, ram("ContentCode"), note.content_code)
                self.sub(n, ram("Content"), note.text)
                if note.subject:
                    self.sub(n, ram("SubjectCode"), note.subject)
        tx = self.sub(root, rsm("SupplyChainTradeTransaction"))
        if self.want("BG-25", self.inv.lines):
            with_groups = self.want("EXT-LINE-GROUPS", self.inv.line_groups)
            for entry in self.tree.order():
                if isinstance(entry, int):
                    self.line(tx, entry, self.inv.lines[entry])
                elif with_groups:
                    self.group_line(tx, entry)
        self.agreement(tx)
        self.delivery(tx)
        self.settlement(tx)
        return root

    # -- lines -----------------------------------------------------------------------------------------------
    def line(self, tx: _El, index: int, line: Line) -> None:
        item = self.sub(tx, ram("IncludedSupplyChainTradeLineItem"))
        doc = self.sub(item, ram("AssociatedDocumentLineDocument"))
        self.sub(doc, ram("LineID"), self.line_ids[index])
        if line.parent_id in self.tree.groups and self.want("EXT-LINE-GROUPS", line.parent_id):
            self.sub(doc, ram("ParentLineID"), line.parent_id)
            self.sub(doc, ram("LineStatusReasonCode"), "DETAIL")
        resolved = self.tree.for_line(line)
        if self.want("BT-127", line.note):
            self.sub(self.sub(doc, ram("IncludedNote")), ram("Content"), line.note)
        product = self.sub(item, ram("SpecifiedTradeProduct"))
        if self.want("BT-157", line.standard_id):
            assert line.standard_id is not None
            self.id_el(product, "GlobalID", line.standard_id)
        if self.want("BT-155", line.seller_item_id):
            self.sub(product, ram("SellerAssignedID"), line.seller_item_id)
        if self.want("BT-156", line.buyer_item_id):
            self.sub(product, ram("BuyerAssignedID"), line.buyer_item_id)
        self.sub(product, ram("Name"), line.name)
        if self.want("BT-154", line.description):
            self.sub(product, ram("Description"), line.description)
        if self.want("BG-32", line.attributes):
            for attr in line.attributes:
                ch = self.sub(product, ram("ApplicableProductCharacteristic"))
                self.sub(ch, ram("Description"), attr.name)
                self.sub(ch, ram("Value"), attr.value)
        if self.want("BT-158", line.classifications):
            for c in line.classifications:
                attrs = {k: v for k, v in (("listID", c.scheme), ("listVersionID", c.version)) if v}
                self.sub(
                    self.sub(product, ram("DesignatedProductClassification")),
                    ram("ClassCode"),
                    c.code,
                    **attrs,
                )
        if self.want("BT-159", line.origin_country):
            self.sub(self.sub(product, ram("OriginTradeCountry")), ram("ID"), line.origin_country)

        agreement = self.sub(item, ram("SpecifiedLineTradeAgreement"))
        if self.want("BT-132", line.order_line_ref):
            self.sub(
                self.sub(agreement, ram("BuyerOrderReferencedDocument")), ram("LineID"), line.order_line_ref
            )
        if self.want("BT-148", line.gross_price):
            assert line.gross_price is not None
            gross = self.sub(agreement, ram("GrossPriceProductTradePrice"))
            self.sub(gross, ram("ChargeAmount"), number(line.gross_price))
            if line.base_quantity is not None:
                self.sub(
                    gross,
                    ram("BasisQuantity"),
                    number(line.base_quantity),
                    unitCode=line.base_unit or line.unit,
                )
            if line.price_discount is not None:
                ac = self.sub(gross, ram("AppliedTradeAllowanceCharge"))
                self.sub(self.sub(ac, ram("ChargeIndicator")), udt("Indicator"), "false")
                self.sub(ac, ram("ActualAmount"), number(line.price_discount))
                if self.want("EXT-PRICE-DISCOUNT-REASON", line.price_discount_reason):
                    self.sub(ac, ram("Reason"), line.price_discount_reason)
        net = self.sub(agreement, ram("NetPriceProductTradePrice"))
        self.sub(net, ram("ChargeAmount"), number(line.unit_price))
        if self.want("BT-149", line.base_quantity):
            assert line.base_quantity is not None
            self.sub(
                net, ram("BasisQuantity"), number(line.base_quantity), unitCode=line.base_unit or line.unit
            )
        if self.want("EXT-LINE-SELLER", resolved.seller):
            assert resolved.seller is not None
            self.item_seller(agreement, resolved.seller)

        delivery = self.sub(item, ram("SpecifiedLineTradeDelivery"))
        self.sub(delivery, ram("BilledQuantity"), number(line.quantity), unitCode=line.unit)
        if self.want("EXT-PACKAGE-QUANTITY", line.package_quantity):
            assert line.package_quantity is not None
            unit = {"unitCode": line.package_unit} if line.package_unit else {}
            self.sub(delivery, ram("PackageQuantity"), number(line.package_quantity), **unit)

        settlement = self.sub(item, ram("SpecifiedLineTradeSettlement"))
        tax = self.sub(settlement, ram("ApplicableTradeTax"))
        self.sub(tax, ram("TypeCode"), "VAT")
        # EXTENDED carries the exemption reason on the line too (BT-X-195/196), and its rules compare them.
        extended = self.profile.at_least(Profile.EXTENDED)
        exemption = self._exemption_of(line.vat_category) if extended else None
        # A multi-vendor line's text starts with its sub-invoice number between # (BR-FR-MV-08)
        prefix = exemption_prefix(resolved.sub_invoice) if extended and self.tree.special else None
        reason = exemption.exemption_reason if exemption else None
        if prefix and not (reason or "").startswith(prefix):
            reason = f"{prefix} {reason}" if reason else prefix
        if reason:
            self.sub(tax, ram("ExemptionReason"), reason)
        self.sub(tax, ram("CategoryCode"), line.vat_category)
        if exemption and exemption.exemption_code:
            self.sub(tax, ram("ExemptionReasonCode"), exemption.exemption_code)
        if self.want("EXT-LINE-VAT-POINT", line.vat_point_code):
            self.sub(tax, ram("DueDateTypeCode"), line.vat_point_code)
        rate = self._line_rate(line)
        if rate is not None:
            self.sub(tax, ram("RateApplicablePercent"), number(rate))
        if self.want("BG-26", line.period):
            assert line.period is not None
            self.period(settlement, line.period)
        for items, is_charge, term in ((line.allowances, False, "BG-27"), (line.charges, True, "BG-28")):
            if self.want(term, items):
                for ac_item in items:
                    self.allowance_charge(settlement, ac_item, is_charge, document_level=False)
        summ = self.sub(settlement, ram("SpecifiedTradeSettlementLineMonetarySummation"))
        self.sub(summ, ram("LineTotalAmount"), amount(self.computed.line_nets[index]))
        self.object_refs(settlement, line.object_id, resolved.sub_invoice)
        if self.want("BT-133", line.accounting_ref):
            self.sub(
                self.sub(settlement, ram("ReceivableSpecifiedTradeAccountingAccount")),
                ram("ID"),
                line.accounting_ref,
            )

    def object_refs(self, settlement: _El, object_id: Identifier | None, sub_invoice: str | None) -> None:
        """BT-128 of a line or group: its invoiced object, then its sub-invoice number (scheme AFL)."""
        refs = [object_id] if self.want("BT-128", object_id) and object_id is not None else []
        if self.want("EXT-SUB-INVOICE", sub_invoice) and sub_invoice is not None:
            refs.append(Identifier(id=sub_invoice, scheme=AFL))
        for ident in refs:
            ref = self.sub(settlement, ram("AdditionalReferencedDocument"))
            self.sub(ref, ram("IssuerAssignedID"), ident.id)
            self.sub(ref, ram("TypeCode"), "130")
            if ident.scheme:
                self.sub(ref, ram("ReferenceTypeCode"), ident.scheme)

    def item_seller(self, parent: _El, seller: LineSeller) -> None:
        """EXT-FR-FE-164..177 CII ItemSellerTradeParty, in the schema's order."""
        el = self.sub(parent, ram("ItemSellerTradeParty"))
        for ident in seller.identifiers:
            self.id_el(el, "GlobalID" if ident.scheme else "ID", ident)
        for i, node in enumerate(el.findall(ram("ID"))):
            el.insert(i, node)
        if seller.name:
            self.sub(el, ram("Name"), seller.name)
        if seller.legal_id:
            self.id_el(self.sub(el, ram("SpecifiedLegalOrganization")), "ID", seller.legal_id)
        if seller.country:
            self.sub(self.sub(el, ram("PostalTradeAddress")), ram("CountryID"), seller.country)
        if seller.vat_id:
            self.sub(self.sub(el, ram("SpecifiedTaxRegistration")), ram("ID"), seller.vat_id, schemeID="VA")

    def group_line(self, tx: _El, group: LineGroup) -> None:
        """A line group as a CII GROUP line: no quantity, price or VAT; its net is its lines' sum and, for a
        multi-vendor sub-invoice, its VAT is the sum of the BG-23 marked with its number (BR-FR-MV-05/09)."""
        item = self.sub(tx, ram("IncludedSupplyChainTradeLineItem"))
        doc = self.sub(item, ram("AssociatedDocumentLineDocument"))
        self.sub(doc, ram("LineID"), group.id)
        if group.parent_id:
            self.sub(doc, ram("ParentLineID"), group.parent_id)
        self.sub(doc, ram("LineStatusReasonCode"), group.status)
        if group.note:
            self.sub(self.sub(doc, ram("IncludedNote")), ram("Content"), group.note)
        product = self.sub(item, ram("SpecifiedTradeProduct"))
        self.sub(product, ram("Name"), group.name)
        if group.description:
            self.sub(product, ram("Description"), group.description)
        resolved = self.tree.for_group(group)
        if group.order_line_ref or resolved.seller or group.unit_price is not None:
            agreement = self.sub(item, ram("SpecifiedLineTradeAgreement"))
            if group.order_line_ref:
                self.sub(
                    self.sub(agreement, ram("BuyerOrderReferencedDocument")),
                    ram("LineID"),
                    group.order_line_ref,
                )
            if group.unit_price is not None:
                price = self.sub(agreement, ram("NetPriceProductTradePrice"))
                self.sub(price, ram("ChargeAmount"), number(group.unit_price))
                if group.base_quantity is not None:
                    unit = {"unitCode": group.unit} if group.unit else {}
                    self.sub(price, ram("BasisQuantity"), number(group.base_quantity), **unit)
            if resolved.seller is not None and self.want("EXT-LINE-SELLER", resolved.seller):
                self.item_seller(agreement, resolved.seller)
        if group.quantity is not None:
            unit = {"unitCode": group.unit} if group.unit else {}
            delivery = self.sub(item, ram("SpecifiedLineTradeDelivery"))
            self.sub(delivery, ram("BilledQuantity"), number(group.quantity), **unit)
        settlement = self.sub(item, ram("SpecifiedLineTradeSettlement"))
        if self.want("EXT-LINE-VAT-POINT", group.vat_point_code):
            self.sub(
                self.sub(settlement, ram("ApplicableTradeTax")), ram("DueDateTypeCode"), group.vat_point_code
            )
        summ = self.sub(settlement, ram("SpecifiedTradeSettlementLineMonetarySummation"))
        net = self.group_nets[group.id]
        self.sub(summ, ram("LineTotalAmount"), amount(net))
        prefix = exemption_prefix(resolved.sub_invoice)
        if self.tree.special and not group.parent_id and prefix:
            tax = sum(
                (
                    b.tax_amount
                    for b in self.computed.vat_breakdown
                    if (b.exemption_reason or "").startswith(prefix)
                ),
                Decimal(0),
            )
            self.sub(summ, ram("TaxTotalAmount"), amount(tax), currencyID=self.inv.currency)
            self.sub(summ, ram("GrandTotalAmount"), amount(net + tax))
        self.object_refs(settlement, group.object_id, resolved.sub_invoice)

    def _exemption_of(self, category: str) -> VatBreakdown | None:
        if category not in codes.EXEMPT_CATEGORIES:
            return None
        return next((b for b in self.computed.vat_breakdown if b.category == category), None)

    @staticmethod
    def _line_rate(line: Line) -> Decimal | None:
        if line.vat_category == "O":
            return None
        if line.vat_rate is None:
            return Decimal(0)
        return line.vat_rate

    def period(self, parent: _El, period: Period) -> None:
        p = self.sub(parent, ram("BillingSpecifiedPeriod"))
        if period.start:
            self.date_el(p, "StartDateTime", period.start)
        if period.end:
            self.date_el(p, "EndDateTime", period.end)

    def allowance_charge(
        self, parent: _El, item: AllowanceCharge, is_charge: bool, *, document_level: bool
    ) -> None:
        ac = self.sub(parent, ram("SpecifiedTradeAllowanceCharge"))
        self.sub(self.sub(ac, ram("ChargeIndicator")), udt("Indicator"), "true" if is_charge else "false")
        if item.percentage is not None:
            self.sub(ac, ram("CalculationPercent"), number(item.percentage))
        if item.base_amount is not None:
            self.sub(ac, ram("BasisAmount"), amount(item.base_amount))
        self.sub(ac, ram("ActualAmount"), amount(allowance_amount(item)))
        if item.reason_code:
            self.sub(ac, ram("ReasonCode"), item.reason_code)
        if item.reason:
            self.sub(ac, ram("Reason"), item.reason)
        if document_level:
            tax = self.sub(ac, ram("CategoryTradeTax"))
            self.sub(tax, ram("TypeCode"), "VAT")
            assert item.vat_category is not None
            self.sub(tax, ram("CategoryCode"), item.vat_category)
            if item.vat_category != "O":
                self.sub(tax, ram("RateApplicablePercent"), number(item.vat_rate or Decimal(0)))

    # -- parties ---------------------------------------------------------------------------------------------
    def party(self, parent: _El, tag: str, p: Party, *, seller: bool) -> None:
        el = self.sub(parent, ram(tag))
        ids_term, ea_term, addr_term = ("BT-29", "BT-34", "BG-5") if seller else ("BT-46", "BT-49", "BG-8")
        if self.want(ids_term, p.identifiers):
            for ident in p.identifiers:
                self.id_el(el, "GlobalID" if ident.scheme else "ID", ident)
            # CII wants the unqualified IDs before the GlobalIDs.
            ids = el.findall(ram("ID"))
            for i, node in enumerate(ids):
                el.insert(i, node)
        self.sub(el, ram("Name"), p.name)
        if seller and self.want("BT-33", p.legal_info):
            self.sub(el, ram("Description"), p.legal_info)
        trading_term = "BT-28" if seller else "BT-45"
        legal_term = "BT-30" if seller else "BT-47"
        has_legal = self.want(legal_term, p.legal_id)
        has_trading = self.want(trading_term, p.trading_name)
        if has_legal or has_trading:
            org = self.sub(el, ram("SpecifiedLegalOrganization"))
            if has_legal:
                assert p.legal_id is not None
                self.id_el(org, "ID", p.legal_id)
            if has_trading:
                self.sub(org, ram("TradingBusinessName"), p.trading_name)
        if self.want("BG-6" if seller else "BG-9", p.contact):
            assert p.contact is not None
            self.contact(el, p.contact)
        if p.address is not None:
            if carries(self.profile, addr_term):
                self.address(el, "PostalTradeAddress", p.address)
            else:  # MINIMUM carries the country only (BT-40), and only for the seller
                if seller:
                    self.sub(self.sub(el, ram("PostalTradeAddress")), ram("CountryID"), p.address.country)
                if p.address.model_dump(exclude={"country"}, exclude_none=True):
                    self.want(addr_term, p.address)
        if self.want(ea_term, p.electronic_address):
            assert p.electronic_address is not None
            self.uri(el, p.electronic_address)
        vat_term = "BT-31" if seller else "BT-48"
        if self.want(vat_term, p.vat_id):
            self.sub(self.sub(el, ram("SpecifiedTaxRegistration")), ram("ID"), p.vat_id, schemeID="VA")
        if seller and self.want("BT-32", p.tax_registration_id):
            self.sub(
                self.sub(el, ram("SpecifiedTaxRegistration")), ram("ID"), p.tax_registration_id, schemeID="FC"
            )

    def uri(self, parent: _El, ident: Identifier) -> None:
        """An electronic address (CII URIUniversalCommunication; EM, e-mail, without a scheme)."""
        uri = self.sub(parent, ram("URIUniversalCommunication"))
        self.sub(uri, ram("URIID"), ident.id, schemeID=ident.scheme or "EM")

    def contact(self, parent: _El, c: Contact) -> None:
        el = self.sub(parent, ram("DefinedTradeContact"))
        if c.name:
            self.sub(el, ram("PersonName"), c.name)
        # EN 16931 has one contact point (BT-41/BT-56, CII-SR-465): a person or a department; EXTENDED both
        if c.department and (not c.name or self.profile.at_least(Profile.EXTENDED)):
            self.sub(el, ram("DepartmentName"), c.department)
        elif c.department and "BT-41-0 contact department" not in self.dropped:
            self.dropped.append("BT-41-0 contact department")
        if c.telephone:
            self.sub(self.sub(el, ram("TelephoneUniversalCommunication")), ram("CompleteNumber"), c.telephone)
        if c.email:
            self.sub(self.sub(el, ram("EmailURIUniversalCommunication")), ram("URIID"), c.email)

    def address(self, parent: _El, tag: str, a: Address) -> None:
        el = self.sub(parent, ram(tag))
        if a.postcode:
            self.sub(el, ram("PostcodeCode"), a.postcode)
        for t, v in (
            ("LineOne", a.line1),
            ("LineTwo", a.line2),
            ("LineThree", a.line3),
            ("CityName", a.city),
        ):
            if v:
                self.sub(el, ram(t), v)
        self.sub(el, ram("CountryID"), a.country)
        if a.subdivision:
            self.sub(el, ram("CountrySubDivisionName"), a.subdivision)

    # -- header agreement / delivery / settlement ------------------------------------------------------------
    def agreement(self, tx: _El) -> None:
        inv = self.inv
        ag = self.sub(tx, ram("ApplicableHeaderTradeAgreement"))
        if self.want("BT-10", inv.buyer_reference):
            self.sub(ag, ram("BuyerReference"), inv.buyer_reference)
        self.party(ag, "SellerTradeParty", inv.seller, seller=True)
        self.party(ag, "BuyerTradeParty", inv.buyer, seller=False)
        if self.want("BG-11", inv.tax_representative):
            rep = inv.tax_representative
            assert rep is not None
            el = self.sub(ag, ram("SellerTaxRepresentativeTradeParty"))
            self.sub(el, ram("Name"), rep.name)
            self.address(el, "PostalTradeAddress", rep.address)
            self.sub(self.sub(el, ram("SpecifiedTaxRegistration")), ram("ID"), rep.vat_id, schemeID="VA")
        for term, tag, value in (
            ("BT-14", "SellerOrderReferencedDocument", inv.sales_order_reference),
            ("BT-13", "BuyerOrderReferencedDocument", inv.purchase_order_reference),
            ("BT-12", "ContractReferencedDocument", inv.contract_reference),
        ):
            if self.want(term, value):
                self.sub(self.sub(ag, ram(tag)), ram("IssuerAssignedID"), value)
        if self.want("BG-24", inv.supporting_documents):
            for doc in inv.supporting_documents:
                el = self.sub(ag, ram("AdditionalReferencedDocument"))
                self.sub(el, ram("IssuerAssignedID"), doc.id)
                if doc.uri:
                    self.sub(el, ram("URIID"), doc.uri)
                self.sub(el, ram("TypeCode"), doc.type_code)
                if doc.description:
                    self.sub(el, ram("Name"), doc.description)
                if (a := doc.attachment) is not None:
                    self.sub(
                        el,
                        ram("AttachmentBinaryObject"),
                        a.content,
                        mimeCode=a.mime_code,
                        filename=a.filename,
                    )
                if doc.scheme:
                    self.sub(el, ram("ReferenceTypeCode"), doc.scheme)
        if self.want("BT-17", inv.tender_reference):
            el = self.sub(ag, ram("AdditionalReferencedDocument"))
            self.sub(el, ram("IssuerAssignedID"), inv.tender_reference)
            self.sub(el, ram("TypeCode"), "50")
        if self.want("BT-18", inv.invoiced_object):
            assert inv.invoiced_object is not None
            el = self.sub(ag, ram("AdditionalReferencedDocument"))
            self.sub(el, ram("IssuerAssignedID"), inv.invoiced_object.id)
            self.sub(el, ram("TypeCode"), "130")
            if inv.invoiced_object.scheme:
                self.sub(el, ram("ReferenceTypeCode"), inv.invoiced_object.scheme)
        if self.want("BT-11", inv.project_reference):
            proj = self.sub(ag, ram("SpecifiedProcuringProject"))
            self.sub(proj, ram("ID"), inv.project_reference)
            # CII requires a name and EN 16931 has no term for it: the input's, else the reference repeated
            # (the reader reads a name equal to the reference as no name, so a round trip adds nothing)
            self.sub(proj, ram("Name"), inv.project_name or inv.project_reference)

    def delivery(self, tx: _El) -> None:
        inv = self.inv
        el = self.sub(tx, ram("ApplicableHeaderTradeDelivery"))
        d = inv.delivery
        if d is not None and self.want("BG-13", d):
            contact = d.contact if self.want("EXT-SHIP-TO-CONTACT", d.contact) else None
            uri = d.electronic_address if self.want("EXT-SHIP-TO-ADDRESS", d.electronic_address) else None
            if d.party_name or d.location_id or d.address or contact or uri:
                party = self.sub(el, ram("ShipToTradeParty"))
                if d.location_id:
                    self.id_el(party, "GlobalID" if d.location_id.scheme else "ID", d.location_id)
                if d.party_name:
                    self.sub(party, ram("Name"), d.party_name)
                if contact is not None:
                    self.contact(party, contact)
                if d.address:
                    self.address(party, "PostalTradeAddress", d.address)
                if uri is not None:
                    self.uri(party, uri)
            if d.date:
                ev = self.sub(el, ram("ActualDeliverySupplyChainEvent"))
                wrap = self.sub(ev, ram("OccurrenceDateTime"))
                self.sub(wrap, udt("DateTimeString"), date102(d.date), format="102")
        if self.want("BT-16", inv.despatch_advice_reference):
            self.sub(
                self.sub(el, ram("DespatchAdviceReferencedDocument")),
                ram("IssuerAssignedID"),
                inv.despatch_advice_reference,
            )
        if self.want("BT-15", inv.receiving_advice_reference):
            self.sub(
                self.sub(el, ram("ReceivingAdviceReferencedDocument")),
                ram("IssuerAssignedID"),
                inv.receiving_advice_reference,
            )
        if self.want("EXT-DELIVERY-NOTE", inv.delivery_note):
            assert inv.delivery_note is not None
            note = self.sub(el, ram("DeliveryNoteReferencedDocument"))
            self.sub(note, ram("IssuerAssignedID"), inv.delivery_note.id)
            if inv.delivery_note.date:
                self.date_el(note, "FormattedIssueDateTime", inv.delivery_note.date, kind="qdt")

    def settlement(self, tx: _El) -> None:
        inv = self.inv
        st = self.sub(tx, ram("ApplicableHeaderTradeSettlement"))
        pay = inv.payment
        dd = pay.direct_debit if pay else None
        if dd and self.want("BT-90", dd.creditor_id):
            self.sub(st, ram("CreditorReferenceID"), dd.creditor_id)
        if pay and self.want("BT-83", pay.remittance_info):
            self.sub(st, ram("PaymentReference"), pay.remittance_info)
        if self.want("BT-6", inv.tax_currency):
            self.sub(st, ram("TaxCurrencyCode"), inv.tax_currency)
        self.sub(st, ram("InvoiceCurrencyCode"), inv.currency)
        if self.want("EXT-INVOICEE", inv.invoicee):
            assert inv.invoicee is not None
            self.party(st, "InvoiceeTradeParty", inv.invoicee, seller=False)
        if self.want("BG-10", inv.payee):
            payee = inv.payee
            assert payee is not None
            el = self.sub(st, ram("PayeeTradeParty"))
            for ident in payee.identifiers:
                self.id_el(el, "GlobalID" if ident.scheme else "ID", ident)
            self.sub(el, ram("Name"), payee.name)
            extra = self.want(
                "EXT-PAYEE-DETAILS", payee.role_code or payee.address or payee.electronic_address
            )
            if extra and payee.role_code:
                self.sub(el, ram("RoleCode"), payee.role_code)
            if payee.legal_id:
                self.id_el(self.sub(el, ram("SpecifiedLegalOrganization")), "ID", payee.legal_id)
            if extra and payee.address:
                self.address(el, "PostalTradeAddress", payee.address)
            if extra and payee.electronic_address:
                self.uri(el, payee.electronic_address)
        if self.want("EXT-EXCHANGE-RATE", inv.tax_exchange_rate) and inv.tax_currency:
            assert inv.tax_exchange_rate is not None
            ex = self.sub(st, ram("TaxApplicableTradeCurrencyExchange"))
            self.sub(ex, ram("SourceCurrencyCode"), inv.currency)
            self.sub(ex, ram("TargetCurrencyCode"), inv.tax_currency)
            self.sub(ex, ram("ConversionRate"), number(inv.tax_exchange_rate.rate))
            if inv.tax_exchange_rate.date:
                self.date_el(ex, "ConversionRateDateTime", inv.tax_exchange_rate.date)
        if pay and self.want("BT-81", pay.means_code):
            self.payment_means(st)
        if carries(self.profile, "BG-23"):
            for b in self.computed.vat_breakdown:
                tax = self.sub(st, ram("ApplicableTradeTax"))
                self.sub(tax, ram("CalculatedAmount"), amount(b.tax_amount))
                self.sub(tax, ram("TypeCode"), "VAT")
                if b.exemption_reason:
                    self.sub(tax, ram("ExemptionReason"), b.exemption_reason)
                self.sub(tax, ram("BasisAmount"), amount(b.taxable_amount))
                self.sub(tax, ram("CategoryCode"), b.category)
                if b.exemption_code:
                    self.sub(tax, ram("ExemptionReasonCode"), b.exemption_code)
                if self.want("BT-7", inv.tax_point_date):
                    assert inv.tax_point_date is not None
                    wrap = self.sub(tax, ram("TaxPointDate"))
                    self.sub(wrap, udt("DateString"), date102(inv.tax_point_date), format="102")
                if self.want("BT-8", inv.tax_point_code):
                    self.sub(tax, ram("DueDateTypeCode"), inv.tax_point_code)
                if b.rate is not None:
                    self.sub(tax, ram("RateApplicablePercent"), number(b.rate))
        if self.want("BG-14", inv.period):
            assert inv.period is not None
            self.period(st, inv.period)
        for items, is_charge, term in ((inv.allowances, False, "BG-20"), (inv.charges, True, "BG-21")):
            if self.want(term, items):
                for item in items:
                    self.allowance_charge(st, item, is_charge, document_level=True)
        self.payment_terms(st)
        self.monetary_summation(st)
        if self.want("BG-3", inv.preceding_invoices):
            for prec in inv.preceding_invoices:
                el = self.sub(st, ram("InvoiceReferencedDocument"))
                self.sub(el, ram("IssuerAssignedID"), prec.number)
                if prec.date:
                    self.date_el(el, "FormattedIssueDateTime", prec.date, kind="qdt")
        if self.want("BT-19", inv.buyer_accounting_reference):
            self.sub(
                self.sub(st, ram("ReceivableSpecifiedTradeAccountingAccount")),
                ram("ID"),
                inv.buyer_accounting_reference,
            )
        if self.want("EXT-ADVANCE-PAYMENTS", inv.advance_payments):
            for advance in inv.advance_payments:
                el = self.sub(st, ram("SpecifiedAdvancePayment"))
                self.sub(el, ram("PaidAmount"), amount(advance.amount))
                if advance.received_date:
                    self.date_el(el, "FormattedReceivedDateTime", advance.received_date, kind="qdt")
                for tax in advance.taxes:
                    t = self.sub(el, ram("IncludedTradeTax"))
                    self.sub(t, ram("CalculatedAmount"), amount(tax.tax_amount))
                    self.sub(t, ram("TypeCode"), "VAT")
                    self.sub(t, ram("CategoryCode"), tax.category)
                    if tax.rate is not None:
                        self.sub(t, ram("RateApplicablePercent"), number(tax.rate))
                if advance.invoice_number:
                    ref = self.sub(el, ram("InvoiceSpecifiedReferencedDocument"))
                    self.sub(ref, ram("IssuerAssignedID"), advance.invoice_number)

    def payment_means(self, st: _El) -> None:
        pay = self.inv.payment
        assert pay is not None
        transfers: list[CreditTransfer | None] = list(pay.credit_transfers) or [None]
        for transfer in transfers:
            el = self.sub(st, ram("SpecifiedTradeSettlementPaymentMeans"))
            self.sub(el, ram("TypeCode"), pay.means_code)
            if self.want("BT-82", pay.means_text):
                self.sub(el, ram("Information"), pay.means_text)
            if self.want("BG-18", pay.card):
                assert pay.card is not None
                card = self.sub(el, ram("ApplicableTradeSettlementFinancialCard"))
                self.sub(card, ram("ID"), pay.card.pan)
                if pay.card.holder:
                    self.sub(card, ram("CardholderName"), pay.card.holder)
            dd = pay.direct_debit
            if dd and self.want("BT-91", dd.debited_account):
                self.sub(
                    self.sub(el, ram("PayerPartyDebtorFinancialAccount")), ram("IBANID"), dd.debited_account
                )
            if transfer is not None:
                acct = self.sub(el, ram("PayeePartyCreditorFinancialAccount"))
                self.sub(acct, ram("IBANID"), transfer.iban)
                if self.want("BT-85", transfer.account_name):
                    self.sub(acct, ram("AccountName"), transfer.account_name)
                if self.want("BT-86", transfer.bic):
                    self.sub(
                        self.sub(el, ram("PayeeSpecifiedCreditorFinancialInstitution")),
                        ram("BICID"),
                        transfer.bic,
                    )

    def payment_terms(self, st: _El) -> None:
        inv = self.inv
        dd = inv.payment.direct_debit if inv.payment else None
        has_terms = self.want("BT-20", inv.payment_terms)
        has_due = self.want("BT-9", inv.due_date)
        has_mandate = dd is not None and self.want("BT-89", dd.mandate_id)
        discount = inv.discount_terms if self.want("EXT-DISCOUNT-TERMS", inv.discount_terms) else None
        if not (has_terms or has_due or has_mandate or discount):
            return
        el = self.sub(st, ram("SpecifiedTradePaymentTerms"))
        if has_terms:
            self.sub(el, ram("Description"), inv.payment_terms)
        if has_due:
            assert inv.due_date is not None
            self.date_el(el, "DueDateDateTime", inv.due_date)
        if has_mandate:
            assert dd is not None
            self.sub(el, ram("DirectDebitMandateID"), dd.mandate_id)
        if discount is not None:
            terms = self.sub(el, ram("ApplicableTradePaymentDiscountTerms"))
            if discount.basis_date:
                self.date_el(terms, "BasisDateTime", discount.basis_date)
            if discount.period_days is not None:
                self.sub(terms, ram("BasisPeriodMeasure"), str(discount.period_days), unitCode="DAY")
            if discount.basis_amount is not None:
                self.sub(terms, ram("BasisAmount"), amount(discount.basis_amount))
            if discount.percent is not None:
                self.sub(terms, ram("CalculationPercent"), number(discount.percent))
            if discount.amount is not None:
                self.sub(terms, ram("ActualDiscountAmount"), amount(discount.amount))

    def monetary_summation(self, st: _El) -> None:
        t = self.computed.totals
        el = self.sub(st, ram("SpecifiedTradeSettlementHeaderMonetarySummation"))
        full = carries(self.profile, "BG-22")
        if full and t.line_total is not None:
            self.sub(el, ram("LineTotalAmount"), amount(t.line_total))
        if full and t.charge_total is not None:
            self.sub(el, ram("ChargeTotalAmount"), amount(t.charge_total))
        if full and t.allowance_total is not None:
            self.sub(el, ram("AllowanceTotalAmount"), amount(t.allowance_total))
        self.sub(el, ram("TaxBasisTotalAmount"), amount(t.tax_exclusive))
        if t.tax_total is not None:
            self.sub(el, ram("TaxTotalAmount"), amount(t.tax_total), currencyID=self.inv.currency)
        if full and t.tax_total_accounting is not None and self.inv.tax_currency:
            self.sub(
                el, ram("TaxTotalAmount"), amount(t.tax_total_accounting), currencyID=self.inv.tax_currency
            )
        if full and t.rounding is not None:
            self.sub(el, ram("RoundingAmount"), amount(t.rounding))
        self.sub(el, ram("GrandTotalAmount"), amount(t.tax_inclusive))
        if full and t.prepaid is not None:
            self.sub(el, ram("TotalPrepaidAmount"), amount(t.prepaid))
        self.sub(el, ram("DuePayableAmount"), amount(t.due))


def to_cii(invoice: Invoice, profile: Profile, computed: Computed | None = None) -> CiiResult:
    """Serialise `invoice` as CII XML for `profile`. Raises TotalsMismatch when given totals disagree."""
    computed = computed or compute(invoice)
    if profile.at_least(Profile.BASIC) and not invoice.lines:
        from fpcli.errors import UsageError

        raise UsageError(
            f"profile {profile.value} needs invoice lines (BG-25) and this invoice has none",
            hint="use `--profile minimum` or `--profile basicwl`, or add `lines`",
        )
    writer = _Writer(invoice, profile, computed)
    root = writer.build()
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return CiiResult(xml=xml, profile=profile, dropped=writer.dropped, computed=computed)
