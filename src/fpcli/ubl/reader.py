"""UBL 2.1 Invoice / CreditNote -> the EN 16931 model, following the EN 16931-3-2 syntax binding.

Built on the CII reader's primitives (`fpcli.cii.reader._Reader`): the same warnings for what the model cannot
carry (leaves no step looked at are reported, never dropped silently), the same InputError naming the file,
the XPath and the line for missing mandatory data or unparseable numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from pydantic import ValidationError

from fpcli.cii.reader import _El, _Reader
from fpcli.cii.reader_unread import unread_warnings
from fpcli.errors import InputError, InvoiceDataError
from fpcli.model.invoice import AS_READ, Invoice
from fpcli.model.load import validation_problems
from fpcli.xmlsafe import parse_xml

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
# Leaves with nothing the model lacks: fixed scheme ids ("VAT"), the UBL version, BT-24 (read apart).
UBL_TOTALS = (
    ("line_total", "cbc:LineExtensionAmount"),
    ("charge_total", "cbc:ChargeTotalAmount"),
    ("allowance_total", "cbc:AllowanceTotalAmount"),
    ("tax_exclusive", "cbc:TaxExclusiveAmount"),
    ("rounding", "cbc:PayableRoundingAmount"),
    ("tax_inclusive", "cbc:TaxInclusiveAmount"),
    ("prepaid", "cbc:PrepaidAmount"),
    ("due", "cbc:PayableAmount"),
)
CATEGORY = "cac:TaxCategory/cbc:ID"
_SILENT = "//cac:TaxScheme/cbc:ID | cbc:UBLVersionID | cbc:CustomizationID"


@dataclass
class UblDocument:
    invoice: Invoice
    customization_id: str
    credit_note: bool
    warnings: list[str] = field(default_factory=list)


class _UblReader(_Reader):
    address_paths = (
        ("country", "cac:Country/cbc:IdentificationCode"),
        ("line1", "cbc:StreetName"),
        ("line2", "cbc:AdditionalStreetName"),
        ("line3", "cac:AddressLine/cbc:Line"),
        ("city", "cbc:CityName"),
        ("postcode", "cbc:PostalZone"),
        ("subdivision", "cbc:CountrySubentity"),
    )

    def __init__(self, root: _El, source: str, root_prefix: str) -> None:
        super().__init__(root, source)
        self.namespaces = {"cbc": CBC, "cac": CAC, "r": root.nsmap.get(None) or UBL_INVOICE}
        self.credit = root_prefix == "CreditNote"
        self.creditor_id: str | None = None

    def date(self, el: _El | None, path: str) -> dt.date | None:
        node = self.one(el, path)
        raw = (node.text or "").strip() if node is not None else ""
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            raise self.fail(node, f"`{raw}` is not a date (YYYY-MM-DD)") from None

    # -- parties ---------------------------------------------------------------------------------------------
    def party(self, el: _El | None, role: str) -> dict[str, Any]:
        if el is None:
            raise InputError.at(self.source, f"{role} party", "missing (BG-4 / BG-7 are mandatory)")
        legal = self.one(el, "cac:PartyLegalEntity")
        name = self.text(legal, "cbc:RegistrationName") or self.text(el, "cac:PartyName/cbc:Name")
        if not name:
            raise self.fail(el, f"the {role} has no name (BT-27 / BT-44)")
        out: dict[str, Any] = {"name": name}
        if (trading := self.text(el, "cac:PartyName/cbc:Name")) and trading != name:
            out["trading_name"] = trading
        ids = []
        for node in self.all(el, "cac:PartyIdentification/cbc:ID"):
            ident = self.ident(node)
            if ident and ident.get("scheme") == "SEPA":
                self.creditor_id = ident["id"]  # BT-90 rides on the seller's identifiers in UBL
            elif ident:
                ids.append(ident)
        if ids:
            out["identifiers"] = ids
        if (lid := self.ident(self.one(legal, "cbc:CompanyID"))) is not None:
            out["legal_id"] = lid
        if info := self.text(legal, "cbc:CompanyLegalForm"):
            out["legal_info"] = info
        contact = self.one(el, "cac:Contact")
        if contact is not None:
            c = {
                "name": self.text(contact, "cbc:Name"),
                "telephone": self.text(contact, "cbc:Telephone"),
                "email": self.text(contact, "cbc:ElectronicMail"),
            }
            if any(c.values()):
                out["contact"] = {k: v for k, v in c.items() if v}
        if (address := self.address(self.one(el, "cac:PostalAddress"))) is not None:
            out["address"] = address
        if (uri := self.ident(self.one(el, "cbc:EndpointID"))) is not None:
            out["electronic_address"] = uri
        for scheme in self.all(el, "cac:PartyTaxScheme"):
            company = self.text(scheme, "cbc:CompanyID")
            key = "vat_id" if (self.text(scheme, "cac:TaxScheme/cbc:ID") or "").upper() == "VAT" else None
            if key is None and role != "seller":
                self.warn(scheme, f"a {role} tax registration other than VAT is not in EN 16931; not read")
                continue
            key = key or "tax_registration_id"
            if company and key not in out:
                out[key] = company
        return out

    # -- allowances, charges ---------------------------------------------------------------------------------
    def allowance(self, el: _El, document_level: bool) -> tuple[bool, dict[str, Any]]:
        charge = (self.text(el, "cbc:ChargeIndicator") or "").lower() == "true"
        pct, base = self.dec(el, "cbc:MultiplierFactorNumeric"), self.dec(el, "cbc:BaseAmount")
        amount = self.dec(el, "cbc:Amount")
        out: dict[str, Any] = {}
        if pct is not None and not 0 <= pct <= 100:
            self.warn(el, f"percentage {pct} outside 0..100 left out; the stated amount {amount} is kept")
            pct = None
        if amount is not None:
            out["amount"] = amount  # UBL always states it (BT-92 / BT-99 / BT-136 / BT-141 are mandatory)
        if base is not None:
            out["base_amount"] = base
        if pct is not None:
            out["percentage"] = pct
        if reason := self.text(el, "cbc:AllowanceChargeReason"):
            out["reason"] = reason
        if code := self.text(el, "cbc:AllowanceChargeReasonCode"):
            out["reason_code"] = code
        if not (out.get("reason") or out.get("reason_code")):
            out["reason"] = "Charge" if charge else "Remise"
            self.warn(el, f"no reason given; `{out['reason']}` used")
        if document_level:
            tax = self.one(el, "cac:TaxCategory")
            if (cat := self.text(tax, "cbc:ID")) is not None:
                out["vat_category"] = cat
            if (rate := self.dec(tax, "cbc:Percent")) is not None:
                out["vat_rate"] = rate
        return charge, out

    def period(self, el: _El | None) -> dict[str, Any] | None:
        if el is None:
            return None
        start, end = self.date(el, "cbc:StartDate"), self.date(el, "cbc:EndDate")
        if start is None and end is None:
            return None
        return {k: v for k, v in (("start", start), ("end", end)) if v}

    # -- lines -----------------------------------------------------------------------------------------------
    def line(self, el: _El) -> dict[str, Any] | None:
        status = self.text(el, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:DocumentStatusCode")
        if status in ("GROUP", "INFORMATION"):
            self.warn(el, f"{status} sub-line (EXTENDED-CTC-FR) left out of the model")
            self.skip(el)
            return None
        quantity_el = self.one(el, "cbc:CreditedQuantity" if self.credit else "cbc:InvoicedQuantity")
        if quantity_el is None:
            raise self.fail(el, "invoice line without invoiced quantity (BT-129)")
        price = self.one(el, "cac:Price")
        unit_price = self.dec(price, "cbc:PriceAmount")
        if unit_price is None:
            raise self.fail(el, "invoice line without net price (BT-146)")
        item = self.one(el, "cac:Item")
        name = self.text(item, "cbc:Name")
        if not name:
            name = "(sans désignation)"
            self.warn(el, f"item without name (BT-153): `{name}` used")
        out: dict[str, Any] = {
            "id": self.text(el, "cbc:ID"),
            "quantity": self.dec(quantity_el, "."),
            "unit": (quantity_el.get("unitCode") or "C62").strip().upper(),
            "unit_price": unit_price,
            "name": name,
            "net_amount": self.dec(el, "cbc:LineExtensionAmount"),
        }
        if out["quantity"] is None:
            raise self.fail(quantity_el, "empty invoiced quantity (BT-129)")
        if note := self.text(el, "cbc:Note"):
            out["note"] = note
        for ref in self.all(el, "cac:DocumentReference"):
            if self.text(ref, "cbc:DocumentTypeCode") == "130":
                out["object_id"] = self.ident(self.one(ref, "cbc:ID"))
        for key, path in (
            ("accounting_ref", "cbc:AccountingCost"),
            ("order_line_ref", "cac:OrderLineReference/cbc:LineID"),
        ):
            if (value := self.text(el, path)) is not None:
                out[key] = value
        if (period := self.period(self.one(el, "cac:InvoicePeriod"))) is not None:
            out["period"] = period
        for ac in self.all(el, "cac:AllowanceCharge"):
            charge, entry = self.allowance(ac, document_level=False)
            out.setdefault("charges" if charge else "allowances", []).append(entry)
        self.price(price, out)
        self.item(item, out)
        return {k: v for k, v in out.items() if v is not None}

    def price(self, price: _El, out: dict[str, Any]) -> None:
        base_q = self.one(price, "cbc:BaseQuantity")
        q = self.dec(base_q, ".") if base_q is not None else None
        if base_q is not None and q is not None:
            if q > 0:
                out["base_quantity"] = q
                unit = (base_q.get("unitCode") or "").strip().upper()
                if unit and unit != out["unit"]:
                    out["base_unit"] = unit
            else:
                self.warn(base_q, f"price base quantity {q} is not positive; left out (price per unit)")
        ac = self.one(price, "cac:AllowanceCharge")
        if ac is not None:
            self.one(ac, "cbc:ChargeIndicator")
            if (gross := self.dec(ac, "cbc:BaseAmount")) is not None:
                out["gross_price"] = gross
            if (discount := self.dec(ac, "cbc:Amount")) is not None:
                out["price_discount"] = discount

    def item(self, item: _El | None, out: dict[str, Any]) -> None:
        for key, path in (
            ("description", "cbc:Description"),
            ("buyer_item_id", "cac:BuyersItemIdentification/cbc:ID"),
            ("seller_item_id", "cac:SellersItemIdentification/cbc:ID"),
            ("origin_country", "cac:OriginCountry/cbc:IdentificationCode"),
        ):
            if (value := self.text(item, path)) is not None:
                out[key] = value
        if (gid := self.ident(self.one(item, "cac:StandardItemIdentification/cbc:ID"))) is not None:
            out["standard_id"] = gid
        classes = []
        for c in self.all(item, "cac:CommodityClassification/cbc:ItemClassificationCode"):
            if code := (c.text or "").strip():
                entry = {"code": code}
                entry.update(
                    {k: v for k, v in (("scheme", c.get("listID")), ("version", c.get("listVersionID"))) if v}
                )
                classes.append(entry)
        if classes:
            out["classifications"] = classes
        attrs = [
            {"name": self.text(a, "cbc:Name"), "value": self.text(a, "cbc:Value")}
            for a in self.all(item, "cac:AdditionalItemProperty")
        ]
        if attrs := [a for a in attrs if a["name"] and a["value"]]:
            out["attributes"] = attrs
        tax = self.one(item, "cac:ClassifiedTaxCategory")
        out["vat_category"] = self.text(tax, "cbc:ID") or "S"
        if (rate := self.dec(tax, "cbc:Percent")) is not None:
            out["vat_rate"] = rate

    # -- document --------------------------------------------------------------------------------------------
    def invoice(self) -> dict[str, Any]:
        root = self.root
        number, issue = self.text(root, "cbc:ID"), self.date(root, "cbc:IssueDate")
        if not number or issue is None:
            raise self.fail(root, "invoice number (BT-1) and issue date (BT-2) are mandatory")
        type_path = "cbc:CreditNoteTypeCode" if self.credit else "cbc:InvoiceTypeCode"
        out: dict[str, Any] = {
            "number": number,
            "issue_date": issue,
            "type_code": self.text(root, type_path) or ("381" if self.credit else "380"),
            "currency": (self.text(root, "cbc:DocumentCurrencyCode") or "EUR").upper(),
        }
        for key, path in (
            ("tax_currency", "cbc:TaxCurrencyCode"),
            ("buyer_reference", "cbc:BuyerReference"),
            ("buyer_accounting_reference", "cbc:AccountingCost"),
            ("business_process", "cbc:ProfileID"),
            ("project_reference", "cac:ProjectReference/cbc:ID"),
            ("contract_reference", "cac:ContractDocumentReference/cbc:ID"),
            ("purchase_order_reference", "cac:OrderReference/cbc:ID[not(. = 'NA' and ../cbc:SalesOrderID)]"),
            ("sales_order_reference", "cac:OrderReference/cbc:SalesOrderID"),
            ("receiving_advice_reference", "cac:ReceiptDocumentReference/cbc:ID"),
            ("despatch_advice_reference", "cac:DespatchDocumentReference/cbc:ID"),
            ("tender_reference", "cac:OriginatorDocumentReference/cbc:ID"),
            ("tax_point_code", "cac:InvoicePeriod/cbc:DescriptionCode"),
        ):
            if (value := self.text(root, path)) is not None:
                out[key] = value
        if "tax_currency" in out:
            out["tax_currency"] = out["tax_currency"].upper()
        for key, path in (("tax_point_date", "cbc:TaxPointDate"), ("due_date", "cbc:DueDate")):
            if (day := self.date(root, path)) is not None:
                out[key] = day
        self.notes(root, out)
        precs = []
        for ref in self.all(root, "cac:BillingReference/cac:InvoiceDocumentReference"):
            if (num := self.text(ref, "cbc:ID")) is not None:
                day = self.date(ref, "cbc:IssueDate")
                precs.append({"number": num, **({"date": day} if day else {})})
        if precs:
            out["preceding_invoices"] = precs
        out["seller"] = self.party(self.one(root, "cac:AccountingSupplierParty/cac:Party"), "seller")
        out["buyer"] = self.party(self.one(root, "cac:AccountingCustomerParty/cac:Party"), "buyer")
        self.other_parties(root, out)
        self.documents(root, out)
        self.delivery(root, out)
        if (period := self.period(self.one(root, "cac:InvoicePeriod"))) is not None:
            out["period"] = period
        self.payment(root, out)
        for ac in self.all(root, "cac:AllowanceCharge"):
            charge, entry = self.allowance(ac, document_level=True)
            out.setdefault("charges" if charge else "allowances", []).append(entry)
        self.taxes(root, out)
        out["totals"] = self.totals(root, out)
        line_path = "cac:CreditNoteLine" if self.credit else "cac:InvoiceLine"
        if lines := [li for li in (self.line(el) for el in self.all(root, line_path)) if li is not None]:
            out["lines"] = lines
        return out

    def notes(self, root: _El, out: dict[str, Any]) -> None:
        notes = []
        for n in self.all(root, "cbc:Note"):
            text = (n.text or "").strip()
            subject = None
            # EN 16931-3-2: a subject code (BT-21) is written as `#CODE#text` in UBL
            if text.startswith("#") and text.count("#") >= 2:
                subject, _, text = text[1:].partition("#")
                text = text.strip()
            if text:
                notes.append({"text": text, **({"subject": subject} if subject else {})})
        if notes:
            out["notes"] = notes

    def other_parties(self, root: _El, out: dict[str, Any]) -> None:
        payee = self.one(root, "cac:PayeeParty")
        if payee is not None and (pname := self.text(payee, "cac:PartyName/cbc:Name")):
            p: dict[str, Any] = {"name": pname}
            ids = [i for i in (self.ident(n) for n in self.all(payee, "cac:PartyIdentification/cbc:ID")) if i]
            for i in ids:
                if i.get("scheme") == "SEPA":  # the payee collects: its SEPA id is BT-90 (EN 16931-3-2)
                    self.creditor_id = i["id"]
            if ids := [i for i in ids if i.get("scheme") != "SEPA"]:
                p["identifiers"] = ids
            if (lid := self.ident(self.one(payee, "cac:PartyLegalEntity/cbc:CompanyID"))) is not None:
                p["legal_id"] = lid
            out["payee"] = p
        rep = self.one(root, "cac:TaxRepresentativeParty")
        if rep is not None:
            address = self.address(self.one(rep, "cac:PostalAddress"))
            vat = self.text(rep, "cac:PartyTaxScheme/cbc:CompanyID")
            self.one(rep, "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID")
            if address and vat and (name := self.text(rep, "cac:PartyName/cbc:Name")):
                out["tax_representative"] = {"name": name, "vat_id": vat, "address": address}

    def documents(self, root: _El, out: dict[str, Any]) -> None:
        docs = []
        for d in self.all(root, "cac:AdditionalDocumentReference"):
            ref = self.one(d, "cbc:ID")
            if ref is None or not (ref.text or "").strip():
                continue
            type_code = self.text(d, "cbc:DocumentTypeCode")
            if type_code == "130":
                out["invoiced_object"] = self.ident(ref)
                continue
            if type_code == "50":  # BT-11 of a credit note (UBL CreditNote has no ProjectReference)
                out["project_reference"] = ref.text.strip()
                continue
            entry: dict[str, Any] = {"id": ref.text.strip(), "type_code": "916"}
            for key, path in (
                ("uri", "cac:Attachment/cac:ExternalReference/cbc:URI"),
                ("description", "cbc:DocumentDescription"),
            ):
                if (v := self.text(d, path)) is not None:
                    entry[key] = v
            binary = self.one(d, "cac:Attachment/cbc:EmbeddedDocumentBinaryObject")
            if (attachment := self.attachment(binary)) is not None:
                entry["attachment"] = attachment
            docs.append(entry)
        if docs:
            out["supporting_documents"] = docs

    def delivery(self, root: _El, out: dict[str, Any]) -> None:
        de = self.one(root, "cac:Delivery")
        if de is None:
            return
        delivery: dict[str, Any] = {}
        if (name := self.text(de, "cac:DeliveryParty/cac:PartyName/cbc:Name")) is not None:
            delivery["party_name"] = name
        if (loc := self.ident(self.one(de, "cac:DeliveryLocation/cbc:ID"))) is not None:
            delivery["location_id"] = loc
        if (addr := self.address(self.one(de, "cac:DeliveryLocation/cac:Address"))) is not None:
            delivery["address"] = addr
        if (day := self.date(de, "cbc:ActualDeliveryDate")) is not None:
            delivery["date"] = day
        if delivery:
            out["delivery"] = delivery

    def payment(self, root: _El, out: dict[str, Any]) -> None:
        means = self.all(root, "cac:PaymentMeans")
        terms = [t for t in (self.text(pt, "cbc:Note") for pt in self.all(root, "cac:PaymentTerms")) if t]
        if terms:
            out["payment_terms"] = " ".join(terms)
        if not means and not self.creditor_id:
            return
        first = means[0] if means else None
        code_el = self.one(first, "cbc:PaymentMeansCode")
        pay: dict[str, Any] = {"means_code": (code_el.text or "").strip() if code_el is not None else "1"}
        if code_el is not None and code_el.get("name"):
            pay["means_text"] = code_el.get("name").strip()
        if (ref := self.text(first, "cbc:PaymentID")) is not None:
            pay["remittance_info"] = ref
        if self.credit and (due := self.date(first, "cbc:PaymentDueDate")) is not None:
            out.setdefault("due_date", due)
        transfers, debit = [], {}
        for m in means:
            code = self.text(m, "cbc:PaymentMeansCode")
            if code not in (None, pay["means_code"]):
                self.warn(
                    m, f"other payment means code {code}: the model has one (BT-81), kept {pay['means_code']}"
                )
            acct = self.one(m, "cac:PayeeFinancialAccount")
            if acct is not None and (iban := self.text(acct, "cbc:ID")):
                t = {"iban": iban}
                for key, path in (
                    ("account_name", "cbc:Name"),
                    ("bic", "cac:FinancialInstitutionBranch/cbc:ID"),
                ):
                    if (v := self.text(acct, path)) is not None:
                        t[key] = v
                transfers.append(t)
            card = self.one(m, "cac:CardAccount")
            if card is not None and (pan := self.text(card, "cbc:PrimaryAccountNumberID")):
                self.one(card, "cbc:NetworkID")
                pay["card"] = {
                    "pan": pan,
                    **({"holder": h} if (h := self.text(card, "cbc:HolderName")) else {}),
                }
            mandate = self.one(m, "cac:PaymentMandate")
            if (mid := self.text(mandate, "cbc:ID")) is not None:
                debit["mandate_id"] = mid
            if (acc := self.text(mandate, "cac:PayerFinancialAccount/cbc:ID")) is not None:
                debit["debited_account"] = acc
        if transfers:
            pay["credit_transfers"] = transfers
        if self.creditor_id:
            debit["creditor_id"] = self.creditor_id
        if debit:
            pay["direct_debit"] = debit
        out["payment"] = pay

    def taxes(self, root: _El, out: dict[str, Any]) -> None:
        exemptions: dict[str, dict[str, Any]] = {}
        breakdown = [
            self.vat_item(
                sub,
                (
                    "cac:TaxCategory/cbc:ID",
                    "cbc:TaxableAmount",
                    "cbc:TaxAmount",
                    "cac:TaxCategory/cbc:Percent",
                ),
                ("cac:TaxCategory/cbc:TaxExemptionReason", "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
                exemptions,
            )
            for sub in self.all(root, "cac:TaxTotal/cac:TaxSubtotal")
        ]
        if breakdown:
            out["vat_breakdown"] = breakdown
        if exemptions:
            out["vat_exemptions"] = list(exemptions.values())

    def totals(self, root: _El, out: dict[str, Any]) -> dict[str, Any]:
        summ = self.one(root, "cac:LegalMonetaryTotal")
        if summ is None:
            raise self.fail(root, "no document totals (BG-22)")
        return self.read_totals(summ, UBL_TOTALS, self.all(root, "cac:TaxTotal/cbc:TaxAmount"), out)


def read_ubl(data: bytes, source: str) -> UblDocument:
    """Read UBL 2.1 Invoice or CreditNote bytes into the model (identifiers read as they are)."""
    tree = parse_xml(data, source)
    root = tree.getroot()
    q = etree.QName(root)
    if q.namespace not in (UBL_INVOICE, UBL_CREDIT) or q.localname not in ("Invoice", "CreditNote"):
        raise InputError.at(
            source,
            "line 1",
            f"not a UBL invoice: root element is `{q.localname}`",
            hint="fpcli reads UBL 2.1 Invoice and CreditNote",
        )
    reader = _UblReader(root, source, q.localname)
    cid = reader.text(root, "cbc:CustomizationID") or ""
    raw = reader.invoice()
    try:
        invoice = Invoice.model_validate(raw, context=AS_READ)
    except ValidationError as exc:
        raise InvoiceDataError(source, validation_problems(exc)) from None
    reader.all(root, _SILENT)  # seen: nothing in them for the model
    return UblDocument(
        invoice=invoice,
        customization_id=cid,
        credit_note=q.localname == "CreditNote",
        warnings=reader.warnings + unread_warnings(root, reader.seen),
    )
