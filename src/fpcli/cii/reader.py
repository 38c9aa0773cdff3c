"""CII XML -> the EN 16931 model: reads Factur-X 1.x, ZUGFeRD 2.x and XRechnung CII (D16B and D22B).

The inverse of `fpcli.cii.writer`. What the model cannot represent (EXTENDED-only terms, GROUP/INFORMATION
sub-lines, unusual date formats) becomes a warning naming its XPath, never a silent loss. Missing mandatory
data or unparseable numbers raise InputError naming the file, the XPath and the line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from lxml import etree
from pydantic import ValidationError

from fpcli.cii.namespaces import RAM, RSM
from fpcli.cii.profile import Profile, profile_from_guideline
from fpcli.cii.reader_unread import unread_warnings, xpath_of
from fpcli.errors import InputError, InvoiceDataError
from fpcli.model import codes
from fpcli.model.groups import AFL
from fpcli.model.invoice import AS_READ, Invoice, Line, Party
from fpcli.model.load import validation_problems
from fpcli.model.totals import round2
from fpcli.xmlsafe import parse_xml

NS = {
    "rsm": RSM,
    "ram": RAM,
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
_El = Any
_MICRO = Decimal("0.000001")
CII_TOTALS = (
    ("line_total", "ram:LineTotalAmount"),
    ("charge_total", "ram:ChargeTotalAmount"),
    ("allowance_total", "ram:AllowanceTotalAmount"),
    ("tax_exclusive", "ram:TaxBasisTotalAmount"),
    ("rounding", "ram:RoundingAmount"),
    ("tax_inclusive", "ram:GrandTotalAmount"),
    ("prepaid", "ram:TotalPrepaidAmount"),
    ("due", "ram:DuePayableAmount"),
)


@dataclass
class CiiDocument:
    invoice: Invoice
    profile: Profile | None
    guideline_id: str
    warnings: list[str] = field(default_factory=list)


def _clean(text: str | None) -> str | None:
    # Only the ends: line breaks inside a note or payment terms are the issuer's text.
    return (text.strip() or None) if text is not None else None


class _Reader:
    # The UBL reader reuses these steps with its own prefixes and paths.
    namespaces: dict[str, str] = NS
    address_paths: tuple[tuple[str, str], ...] = (
        ("country", "ram:CountryID"),
        ("line1", "ram:LineOne"),
        ("line2", "ram:LineTwo"),
        ("line3", "ram:LineThree"),
        ("city", "ram:CityName"),
        ("postcode", "ram:PostcodeCode"),
        ("subdivision", "ram:CountrySubDivisionName"),
    )

    def __init__(self, root: _El, source: str) -> None:
        self.root = root
        self.source = source
        self.warnings: list[str] = []
        # Every element a step looked at; the leaves left over become warnings (reader_unread).
        self.seen: set[_El] = set()
        self.line_groups: list[dict[str, Any]] = []

    # -- primitives ------------------------------------------------------------------------------------------
    def all(self, el: _El | None, path: str) -> list[_El]:
        if el is None:
            return []
        hits = list(el.xpath(path, namespaces=self.namespaces))
        self.seen.update(hits)
        return hits

    def one(self, el: _El | None, path: str) -> _El | None:
        hits = self.all(el, path)
        return hits[0] if hits else None

    def skip(self, el: _El) -> None:
        """Mark a subtree as handled (already reported as a whole)."""
        self.seen.update(el.iter())

    def warn(self, el: _El, problem: str) -> None:
        self.warnings.append(f"{self.where(el)}: {problem}")

    def text(self, el: _El | None, path: str) -> str | None:
        node = self.one(el, path)
        return _clean(node.text) if node is not None else None

    def where(self, el: _El) -> str:
        return f"{xpath_of(el)} line {el.sourceline}"

    def fail(self, el: _El, problem: str) -> InputError:
        return InputError.at(self.source, self.where(el), problem)

    def dec(self, el: _El | None, path: str) -> Decimal | None:
        node = self.one(el, path)
        if node is None or not (node.text or "").strip():
            return None
        raw = node.text.strip()
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise self.fail(node, f"`{raw}` is not a number") from None
        if not value.is_finite():
            raise self.fail(node, f"`{raw}` is not a finite number")
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -6:
            # The model keeps 6 decimals (prices per unit); trailing zeros beyond that are no loss.
            rounded = value.quantize(_MICRO, rounding=ROUND_HALF_UP)
            if rounded != value:
                self.warn(node, f"`{raw}` has more than 6 decimals; read as {rounded}")
            value = rounded
        return value

    def date(self, el: _El | None, path: str) -> dt.date | None:
        node = self.one(el, path)
        if node is None:
            return None
        raw = (node.text or "").strip()
        if not raw:
            return None  # an empty optional date is no date; mandatory ones are checked by the caller
        fmt = (node.get("format") or "102").strip()
        try:
            return self._date(node, raw, fmt)
        except ValueError:
            raise self.fail(node, f"`{raw}` is not a date in format {fmt}") from None

    def _date(self, node: _El, raw: str, fmt: str) -> dt.date:
        """UNTDID 2379 formats: 102 CCYYMMDD; 610 CCYYMM and 616 CCYYWW (periods: the model has days)."""
        if fmt == "102":
            return dt.datetime.strptime(raw, "%Y%m%d").date()
        if fmt == "610":
            self.warn(node, f"month `{raw}` (format 610) read as its first day")
            return dt.datetime.strptime(raw + "01", "%Y%m%d").date()
        if fmt == "616":
            if len(raw) != 6 or not raw.isdigit():
                raise ValueError(raw)
            self.warn(node, f"week `{raw}` (format 616) read as its first day (Monday)")
            return dt.date.fromisocalendar(int(raw[:4]), int(raw[4:6]), 1)
        if len(raw) >= 8 and raw[:8].isdigit():  # 203 CCYYMMDDHHMM, 204 …SS: the model keeps the day
            self.warn(node, f"date `{raw}` in format {fmt} read as its day {raw[:8]}")
            return dt.datetime.strptime(raw[:8], "%Y%m%d").date()
        self.warn(node, f"date `{raw}` in unknown format {fmt} read as an ISO 8601 date")
        return dt.date.fromisoformat(raw[:10])

    def ident(self, node: _El | None) -> dict[str, str] | None:
        if node is None or not _clean(node.text):
            return None
        out = {"id": _clean(node.text) or ""}
        if node.get("schemeID"):
            out["scheme"] = node.get("schemeID")
        return out

    # -- parties ---------------------------------------------------------------------------------------------
    def address(self, el: _El | None) -> dict[str, Any] | None:
        if el is None:
            return None
        country_path, *field_paths = self.address_paths
        country = (self.text(el, country_path[1]) or "").upper() or None
        fields = {key: self.text(el, path) for key, path in field_paths}
        if not country:
            if any(fields.values()):
                self.warn(el, "address without country code (BT-40) left out")
            return None
        return {"country": country, **{k: v for k, v in fields.items() if v}}

    def party(self, el: _El | None, role: str) -> dict[str, Any]:
        if el is None:
            raise InputError.at(self.source, f"{role} party", "missing (BG-4 / BG-7 are mandatory)")
        name = self.text(el, "ram:Name")
        if not name:
            raise self.fail(el, f"the {role} has no name (BT-27 / BT-44)")
        out: dict[str, Any] = {"name": name}
        ids = [self.ident(n) for n in self.all(el, "ram:ID | ram:GlobalID")]
        if ids := [i for i in ids if i]:
            out["identifiers"] = ids
        org = self.one(el, "ram:SpecifiedLegalOrganization")
        if (legal := self.ident(self.one(org, "ram:ID"))) is not None:
            out["legal_id"] = legal
        if trading := self.text(org, "ram:TradingBusinessName"):
            out["trading_name"] = trading
        if info := self.text(el, "ram:Description"):
            out["legal_info"] = info
        if (contact := self.contact(self.one(el, "ram:DefinedTradeContact"))) is not None:
            out["contact"] = contact
        if (address := self.address(self.one(el, "ram:PostalTradeAddress"))) is not None:
            out["address"] = address
        if (uri := self.ident(self.one(el, "ram:URIUniversalCommunication/ram:URIID"))) is not None:
            out["electronic_address"] = uri
        for reg in self.all(el, "ram:SpecifiedTaxRegistration/ram:ID"):
            key = "tax_registration_id" if reg.get("schemeID") == "FC" else "vat_id"
            if _clean(reg.text) and key not in out:
                out[key] = _clean(reg.text)
        return out

    def attachment(self, binary: _El | None) -> dict[str, Any] | None:
        """BT-125 (CII AttachmentBinaryObject, UBL EmbeddedDocumentBinaryObject), MIME code and name."""
        if binary is None:
            return None
        content = "".join((binary.text or "").split())
        if not content:
            self.warn(binary, "empty attached document (BT-125) left out")
            return None
        return {
            "content": content,
            "mime_code": (binary.get("mimeCode") or "application/octet-stream").strip(),
            "filename": (binary.get("filename") or "attachment").strip(),
        }

    def contact(self, contact: _El | None) -> dict[str, Any] | None:
        if contact is None:
            return None
        c = {
            "name": self.text(contact, "ram:PersonName"),
            "department": self.text(contact, "ram:DepartmentName"),
            "telephone": self.text(contact, "ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
            "email": self.text(contact, "ram:EmailURIUniversalCommunication/ram:URIID"),
        }
        return {k: v for k, v in c.items() if v} or None

    # -- allowances, charges ---------------------------------------------------------------------------------
    def allowance(self, el: _El, document_level: bool) -> tuple[bool, dict[str, Any]]:
        charge = (self.text(el, "ram:ChargeIndicator/udt:Indicator") or "").lower() == "true"
        pct, base = self.dec(el, "ram:CalculationPercent"), self.dec(el, "ram:BasisAmount")
        amount = self.dec(el, "ram:ActualAmount")
        out: dict[str, Any] = {}
        if pct is not None and not 0 <= pct <= 100 and amount is not None:
            # e.g. -2 % on a correction invoice: the model's percentage is 0..100; the amount says it all
            self.warn(el, f"percentage {pct} outside 0..100 left out; the stated amount {amount} is kept")
            pct = None
        if pct is not None and base is not None:
            out.update(percentage=pct, base_amount=base)
            if amount is not None and round2(base * pct / 100) != round2(amount):
                out["amount"] = amount  # not derivable: keep what the invoice says
        elif amount is not None:
            out["amount"] = amount
            if base is not None:
                out["base_amount"] = base
        if reason := self.text(el, "ram:Reason"):
            out["reason"] = reason
        if code := self.text(el, "ram:ReasonCode"):
            out["reason_code"] = code
        if not (out.get("reason") or out.get("reason_code")):
            out["reason"] = "Charge" if charge else "Remise"
            self.warn(el, f"no reason given; `{out['reason']}` used")
        if document_level:
            tax = self.one(el, "ram:CategoryTradeTax")
            if (cat := self.text(tax, "ram:CategoryCode")) is not None:
                out["vat_category"] = cat
            if (rate := self.dec(tax, "ram:RateApplicablePercent")) is not None:
                out["vat_rate"] = rate
        return charge, out

    # -- lines -----------------------------------------------------------------------------------------------
    def line(self, el: _El) -> dict[str, Any] | None:
        doc = self.one(el, "ram:AssociatedDocumentLineDocument")
        status_el = self.one(doc, "ram:LineStatusReasonCode")
        status = _clean(status_el.text) if status_el is not None else None
        if status in ("GROUP", "INFORMATION"):
            self.line_groups.append(self.group(el, doc, status))
            return None
        parent = self.text(doc, "ram:ParentLineID")
        if status not in (None, "DETAIL") or (status == "DETAIL") != (parent is not None):
            self.seen.discard(status_el)  # a status the model does not tell: left for the unread report
        product = self.one(el, "ram:SpecifiedTradeProduct")
        agreement = self.one(el, "ram:SpecifiedLineTradeAgreement")
        settlement = self.one(el, "ram:SpecifiedLineTradeSettlement")
        quantity_el = self.one(el, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
        if quantity_el is None:
            raise self.fail(el, "invoice line without BilledQuantity (BT-129)")
        net_price = self.one(agreement, "ram:NetPriceProductTradePrice")
        unit_price = self.dec(net_price, "ram:ChargeAmount")
        if unit_price is None:
            raise self.fail(el, "invoice line without net price (BT-146)")
        name = self.text(product, "ram:Name")
        if not name:
            name = "(sans désignation)"
            self.warn(el, f"item without name (BT-153): `{name}` used")
        out: dict[str, Any] = {
            "id": self.text(doc, "ram:LineID"),
            "parent_id": parent,
            "quantity": self.dec(el, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
            "unit": (quantity_el.get("unitCode") or "C62").strip().upper(),
            "unit_price": unit_price,
            "name": name,
        }
        package = self.one(el, "ram:SpecifiedLineTradeDelivery/ram:PackageQuantity")
        if package is not None and (
            packages := self.dec(el, "ram:SpecifiedLineTradeDelivery/ram:PackageQuantity")
        ):
            out["package_quantity"] = packages
            if package.get("unitCode"):
                out["package_unit"] = package.get("unitCode").strip().upper()
        notes = (
            [_clean(n.text) for n in self.all(doc, "ram:IncludedNote/ram:Content") if _clean(n.text)]
            if doc is not None
            else []
        )
        if notes:
            out["note"] = " ".join(n for n in notes if n)
        gross = self.one(agreement, "ram:GrossPriceProductTradePrice")
        self.base_quantity(net_price, gross, out)
        if gross is not None:
            out["gross_price"] = self.dec(gross, "ram:ChargeAmount")
            discount = self.dec(
                gross,
                "ram:AppliedTradeAllowanceCharge[not(ram:ChargeIndicator/udt:Indicator='true')]/ram:ActualAmount",
            )
            if discount is not None:
                out["price_discount"] = discount
                reason = self.text(
                    gross,
                    "ram:AppliedTradeAllowanceCharge[not(ram:ChargeIndicator/udt:Indicator='true')]/ram:Reason",
                )
                if reason is not None:
                    out["price_discount_reason"] = reason
        for key, path in (
            ("seller_item_id", "ram:SellerAssignedID"),
            ("buyer_item_id", "ram:BuyerAssignedID"),
            ("description", "ram:Description"),
            ("origin_country", "ram:OriginTradeCountry/ram:ID"),
        ):
            if (value := self.text(product, path)) is not None:
                out[key] = value
        if (gid := self.ident(self.one(product, "ram:GlobalID"))) is not None:
            out["standard_id"] = gid
        attrs = [
            {"name": self.text(a, "ram:Description"), "value": self.text(a, "ram:Value")}
            for a in self.all(product, "ram:ApplicableProductCharacteristic")
            if product is not None
        ]
        if attrs := [a for a in attrs if a["name"] and a["value"]]:
            out["attributes"] = attrs
        classes = []
        for c in (
            self.all(product, "ram:DesignatedProductClassification/ram:ClassCode")
            if product is not None
            else []
        ):
            if _clean(c.text):
                item = {"code": _clean(c.text)}
                item.update(
                    {k: v for k, v in (("scheme", c.get("listID")), ("version", c.get("listVersionID"))) if v}
                )
                classes.append(item)
        if classes:
            out["classifications"] = classes
        if (ref := self.text(agreement, "ram:BuyerOrderReferencedDocument/ram:LineID")) is not None:
            out["order_line_ref"] = ref
        tax = self.one(settlement, "ram:ApplicableTradeTax")
        out["vat_category"] = self.text(tax, "ram:CategoryCode") or "S"
        if (rate := self.dec(tax, "ram:RateApplicablePercent")) is not None:
            out["vat_rate"] = rate
        out["vat_point_code"] = self.text(tax, "ram:DueDateTypeCode")
        out["seller"] = self.item_seller(self.one(agreement, "ram:ItemSellerTradeParty"))
        if (period := self.period(self.one(settlement, "ram:BillingSpecifiedPeriod"))) is not None:
            out["period"] = period
        for ac in self.all(settlement, "ram:SpecifiedTradeAllowanceCharge") if settlement is not None else []:
            charge, item = self.allowance(ac, document_level=False)
            out.setdefault("charges" if charge else "allowances", []).append(item)
        out["net_amount"] = self.dec(
            settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
        )
        self.object_refs(settlement, out)
        if (acc := self.text(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID")) is not None:
            out["accounting_ref"] = acc
        return {k: v for k, v in out.items() if v is not None}

    def object_refs(self, settlement: _El | None, out: dict[str, Any]) -> None:
        """BT-128 (type 130) of a line or group: the sub-invoice number (scheme AFL, multi-vendor) and one
        other invoiced object; other line-level references are EXTENDED (left for the unread report)."""
        for ref in self.all(settlement, "ram:AdditionalReferencedDocument"):
            type_code = self.one(ref, "ram:TypeCode")
            if type_code is None or _clean(type_code.text) != "130":
                self.seen.discard(type_code)
                continue
            oid, scheme = self.text(ref, "ram:IssuerAssignedID"), self.text(ref, "ram:ReferenceTypeCode")
            if not oid:
                continue
            if scheme == AFL and "sub_invoice" not in out:
                out["sub_invoice"] = oid
            elif "object_id" not in out:
                out["object_id"] = {"id": oid, **({"scheme": scheme} if scheme else {})}
            else:
                self.warn(ref, f"another invoiced object `{oid}` (BT-128): the model has one per line")

    def item_seller(self, el: _El | None) -> dict[str, Any] | None:
        """EXT-FR-FE-164..177 CII ItemSellerTradeParty (the seller of a multi-vendor line or group)."""
        if el is None:
            return None
        out: dict[str, Any] = {
            "name": self.text(el, "ram:Name"),
            "legal_id": self.ident(self.one(el, "ram:SpecifiedLegalOrganization/ram:ID")),
            "vat_id": self.text(el, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']"),
            "country": self.text(el, "ram:PostalTradeAddress/ram:CountryID"),
        }
        if ids := [i for i in (self.ident(n) for n in self.all(el, "ram:ID | ram:GlobalID")) if i]:
            out["identifiers"] = ids
        return {k: v for k, v in out.items() if v} or None

    def group(self, el: _El, doc: _El, status: str) -> dict[str, Any]:
        """A GROUP line (EXTENDED sub-total) as a line group; its amounts are its lines', computed again."""
        gid = self.text(doc, "ram:LineID")
        if not gid:
            raise self.fail(el, "GROUP line without LineID (BT-126): its sub-lines cannot name it")
        product = self.one(el, "ram:SpecifiedTradeProduct")
        agreement = self.one(el, "ram:SpecifiedLineTradeAgreement")
        settlement = self.one(el, "ram:SpecifiedLineTradeSettlement")
        notes = [t for t in (_clean(n.text) for n in self.all(doc, "ram:IncludedNote/ram:Content")) if t]
        quantity = self.one(el, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
        price = self.one(agreement, "ram:NetPriceProductTradePrice")
        base = self.one(price, "ram:BasisQuantity")
        unit = next(
            (n.get("unitCode") for n in (quantity, base) if n is not None and n.get("unitCode")), None
        )
        out: dict[str, Any] = {
            "id": gid,
            "status": None if status == "GROUP" else status,
            "quantity": self.dec(quantity, "."),
            "unit": unit.strip().upper() if unit else None,
            "unit_price": self.dec(price, "ram:ChargeAmount"),
            "base_quantity": self.dec(base, "."),
            "parent_id": self.text(doc, "ram:ParentLineID"),
            "name": self.text(product, "ram:Name") or f"Groupe {gid}",
            "description": self.text(product, "ram:Description"),
            "note": " ".join(notes) or None,
            "order_line_ref": self.text(agreement, "ram:BuyerOrderReferencedDocument/ram:LineID"),
            "seller": self.item_seller(self.one(agreement, "ram:ItemSellerTradeParty")),
            "vat_point_code": self.text(settlement, "ram:ApplicableTradeTax/ram:DueDateTypeCode"),
        }
        summ = self.one(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        for path in ("ram:LineTotalAmount", "ram:TaxTotalAmount", "ram:GrandTotalAmount"):
            self.all(summ, path)  # sub-totals the writer computes from the lines (BR-FR-MV-05/09/10)
        self.object_refs(settlement, out)
        return {k: v for k, v in out.items() if v is not None}

    def base_quantity(self, net_price: _El | None, gross: _El | None, out: dict[str, Any]) -> None:
        """BT-149/BT-150 from the net price, else from the gross price (the writer puts it on both)."""
        gross_q = self.one(gross, "ram:BasisQuantity")
        base_q = self.one(net_price, "ram:BasisQuantity")
        base_q = base_q if base_q is not None else gross_q
        q = self.dec(base_q, ".")
        if base_q is None or q is None:
            return
        if q <= 0:
            self.warn(base_q, f"price base quantity {q} is not positive; left out (price per unit)")
            return
        out["base_quantity"] = q
        unit = (base_q.get("unitCode") or "").strip().upper()
        if unit and unit != out["unit"]:
            out["base_unit"] = unit

    def period(self, el: _El | None) -> dict[str, Any] | None:
        if el is None:
            return None
        start = self.date(el, "ram:StartDateTime/udt:DateTimeString")
        end = self.date(el, "ram:EndDateTime/udt:DateTimeString")
        if start is None and end is None:
            return None
        return {k: v for k, v in (("start", start), ("end", end)) if v}

    # -- document --------------------------------------------------------------------------------------------
    def invoice(self) -> dict[str, Any]:
        root = self.root
        doc = self.one(root, "rsm:ExchangedDocument")
        tx = self.one(root, "rsm:SupplyChainTradeTransaction")
        if doc is None or tx is None:
            raise InputError.at(
                self.source, None, "CII without ExchangedDocument or SupplyChainTradeTransaction"
            )
        agreement = self.one(tx, "ram:ApplicableHeaderTradeAgreement")
        delivery = self.one(tx, "ram:ApplicableHeaderTradeDelivery")
        settlement = self.one(tx, "ram:ApplicableHeaderTradeSettlement")
        number = self.text(doc, "ram:ID")
        issue = self.date(doc, "ram:IssueDateTime/udt:DateTimeString")
        if not number or issue is None:
            raise self.fail(doc, "invoice number (BT-1) and issue date (BT-2) are mandatory")
        out: dict[str, Any] = {
            "number": number,
            "issue_date": issue,
            "type_code": self.text(doc, "ram:TypeCode") or "380",
            "currency": (self.text(settlement, "ram:InvoiceCurrencyCode") or "EUR").upper(),
        }
        bp = self.text(
            root, "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
        )
        if bp:
            out["business_process"] = bp
        if (name := self.text(doc, "ram:Name")) is not None:
            out["document_name"] = name
        test = self.text(root, "rsm:ExchangedDocumentContext/ram:TestIndicator/udt:Indicator")
        if test is not None:
            out["test_indicator"] = test.lower() == "true"
        notes = []
        for n in self.all(doc, "ram:IncludedNote"):
            text = " ".join(t for t in (_clean(c.text) for c in self.all(n, "ram:Content")) if t)
            if text:
                note = {"text": text, "subject": self.text(n, "ram:SubjectCode")}
                note["content_code"] = self.text(n, "ram:ContentCode")
                notes.append({k: v for k, v in note.items() if v})
        if notes:
            out["notes"] = notes
        out["seller"] = self.party(self.one(agreement, "ram:SellerTradeParty"), "seller")
        out["buyer"] = self.party(self.one(agreement, "ram:BuyerTradeParty"), "buyer")
        self.header_agreement(agreement, out)
        self.header_delivery(delivery, out)
        self.header_settlement(settlement, out)
        lines = [self.line(li) for li in self.all(tx, "ram:IncludedSupplyChainTradeLineItem")]
        if lines := [li for li in lines if li is not None]:
            out["lines"] = lines
        if self.line_groups:
            out["line_groups"] = self.line_groups
        return out

    def header_agreement(self, ag: _El | None, out: dict[str, Any]) -> None:
        for key, path in (
            ("buyer_reference", "ram:BuyerReference"),
            ("sales_order_reference", "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID"),
            ("purchase_order_reference", "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
            ("contract_reference", "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
            ("project_reference", "ram:SpecifiedProcuringProject/ram:ID"),
            ("project_name", "ram:SpecifiedProcuringProject/ram:Name"),
        ):
            if (value := self.text(ag, path)) is not None:
                out[key] = value
        if out.get("project_name") is not None and out.get("project_name") == out.get("project_reference"):
            del out["project_name"]  # the name CII requires, repeating the reference: no name of its own
        rep = self.one(ag, "ram:SellerTaxRepresentativeTradeParty")
        if rep is not None:
            address = self.address(self.one(rep, "ram:PostalTradeAddress"))
            vat = self.text(rep, "ram:SpecifiedTaxRegistration/ram:ID")
            if address and vat and (name := self.text(rep, "ram:Name")):
                out["tax_representative"] = {"name": name, "vat_id": vat, "address": address}
        docs = []
        for d in self.all(ag, "ram:AdditionalReferencedDocument") if ag is not None else []:
            type_code, ref = self.text(d, "ram:TypeCode") or "916", self.text(d, "ram:IssuerAssignedID")
            if not ref:
                continue
            if type_code == "50":
                out["tender_reference"] = ref
            elif type_code == "130":
                out["invoiced_object"] = {
                    "id": ref,
                    **({"scheme": s} if (s := self.text(d, "ram:ReferenceTypeCode")) else {}),
                }
            else:
                item: dict[str, Any] = {"id": ref, "type_code": type_code}
                for key, path in (("uri", "ram:URIID"), ("description", "ram:Name")):
                    if (v := self.text(d, path)) is not None:
                        item[key] = v
                if (attachment := self.attachment(self.one(d, "ram:AttachmentBinaryObject"))) is not None:
                    item["attachment"] = attachment
                docs.append(item)
        if docs:
            out["supporting_documents"] = docs

    def header_delivery(self, de: _El | None, out: dict[str, Any]) -> None:
        if de is None:
            return
        delivery: dict[str, Any] = {}
        ship = self.one(de, "ram:ShipToTradeParty")
        if ship is not None:
            if (name := self.text(ship, "ram:Name")) is not None:
                delivery["party_name"] = name
            if (loc := self.ident(self.one(ship, "ram:ID | ram:GlobalID"))) is not None:
                delivery["location_id"] = loc
            if (addr := self.address(self.one(ship, "ram:PostalTradeAddress"))) is not None:
                delivery["address"] = addr
            if (contact := self.contact(self.one(ship, "ram:DefinedTradeContact"))) is not None:
                delivery["contact"] = contact
            if (uri := self.ident(self.one(ship, "ram:URIUniversalCommunication/ram:URIID"))) is not None:
                delivery["electronic_address"] = uri
        if date := self.date(
            de, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"
        ):
            delivery["date"] = date
        if delivery:
            out["delivery"] = delivery
        for key, path in (
            ("despatch_advice_reference", "ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID"),
            ("receiving_advice_reference", "ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID"),
        ):
            if (value := self.text(de, path)) is not None:
                out[key] = value
        note = self.one(de, "ram:DeliveryNoteReferencedDocument")
        if note is not None and (note_id := self.text(note, "ram:IssuerAssignedID")):
            out["delivery_note"] = {"id": note_id}
            if (when := self.date(note, "ram:FormattedIssueDateTime/qdt:DateTimeString")) is not None:
                out["delivery_note"]["date"] = when

    def header_settlement(self, st: _El | None, out: dict[str, Any]) -> None:
        if st is None:
            raise InputError.at(self.source, None, "CII without ApplicableHeaderTradeSettlement")
        if (tc := self.text(st, "ram:TaxCurrencyCode")) is not None:
            out["tax_currency"] = tc.upper()
        exchange = self.one(st, "ram:TaxApplicableTradeCurrencyExchange")
        if exchange is not None and (rate := self.dec(exchange, "ram:ConversionRate")) is not None:
            # source and target are BT-5 and BT-6, which the invoice states anyway
            self.all(exchange, "ram:SourceCurrencyCode | ram:TargetCurrencyCode")
            out["tax_exchange_rate"] = {"rate": rate}
            if (when := self.date(exchange, "ram:ConversionRateDateTime/udt:DateTimeString")) is not None:
                out["tax_exchange_rate"]["date"] = when
        invoicee = self.one(st, "ram:InvoiceeTradeParty")
        if invoicee is not None and self.text(invoicee, "ram:Name"):
            out["invoicee"] = self.party(invoicee, "invoicee")
        payee = self.one(st, "ram:PayeeTradeParty")
        if payee is not None and (pname := self.text(payee, "ram:Name")):
            p: dict[str, Any] = {"name": pname}
            if ids := [i for i in (self.ident(n) for n in self.all(payee, "ram:ID | ram:GlobalID")) if i]:
                p["identifiers"] = ids
            if (legal := self.ident(self.one(payee, "ram:SpecifiedLegalOrganization/ram:ID"))) is not None:
                p["legal_id"] = legal
            if (role := self.text(payee, "ram:RoleCode")) is not None:
                p["role_code"] = role
            if (address := self.address(self.one(payee, "ram:PostalTradeAddress"))) is not None:
                p["address"] = address
            if (uri := self.ident(self.one(payee, "ram:URIUniversalCommunication/ram:URIID"))) is not None:
                p["electronic_address"] = uri
            out["payee"] = p
        self.payment(st, out)
        breakdown: list[dict[str, Any]] = []
        exemptions: dict[str, dict[str, Any]] = {}
        for tax in self.all(st, "ram:ApplicableTradeTax"):
            item = self.vat_item(
                tax,
                ("ram:CategoryCode", "ram:BasisAmount", "ram:CalculatedAmount", "ram:RateApplicablePercent"),
                ("ram:ExemptionReason", "ram:ExemptionReasonCode"),
                exemptions,
            )
            if (tpd := self.date(tax, "ram:TaxPointDate/udt:DateString")) is not None:
                out["tax_point_date"] = tpd
            if (ddc := self.text(tax, "ram:DueDateTypeCode")) is not None:
                out["tax_point_code"] = ddc
            breakdown.append(item)
        if breakdown:
            out["vat_breakdown"] = breakdown
        if exemptions:
            out["vat_exemptions"] = list(exemptions.values())
        if (period := self.period(self.one(st, "ram:BillingSpecifiedPeriod"))) is not None:
            out["period"] = period
        for ac in self.all(st, "ram:SpecifiedTradeAllowanceCharge"):
            charge, item2 = self.allowance(ac, document_level=True)
            out.setdefault("charges" if charge else "allowances", []).append(item2)
        terms = self.all(st, "ram:SpecifiedTradePaymentTerms")
        texts = [t for t in (self.text(term, "ram:Description") for term in terms) if t]
        if texts:
            out["payment_terms"] = " ".join(texts)
        for term in terms:
            if (due := self.date(term, "ram:DueDateDateTime/udt:DateTimeString")) is not None:
                out.setdefault("due_date", due)
            found = self.one(term, "ram:ApplicableTradePaymentDiscountTerms")
            if found is not None and "discount_terms" not in out:
                days = self.text(found, "ram:BasisPeriodMeasure")
                discount = {
                    "basis_date": self.date(found, "ram:BasisDateTime/udt:DateTimeString"),
                    "period_days": int(days) if days and days.isdigit() else None,
                    "basis_amount": self.dec(found, "ram:BasisAmount"),
                    "percent": self.dec(found, "ram:CalculationPercent"),
                    "amount": self.dec(found, "ram:ActualDiscountAmount"),
                }
                if any(v is not None for v in discount.values()):
                    out["discount_terms"] = {k: v for k, v in discount.items() if v is not None}
            if (mandate := self.text(term, "ram:DirectDebitMandateID")) is not None:
                out.setdefault("payment", {"means_code": "59"}).setdefault("direct_debit", {})[
                    "mandate_id"
                ] = mandate
        precs = []
        for ref in self.all(st, "ram:InvoiceReferencedDocument"):
            if (num := self.text(ref, "ram:IssuerAssignedID")) is not None:
                precs.append(
                    {
                        "number": num,
                        **(
                            {"date": d}
                            if (d := self.date(ref, "ram:FormattedIssueDateTime/qdt:DateTimeString"))
                            else {}
                        ),
                    }
                )
        if precs:
            out["preceding_invoices"] = precs
        if (acc := self.text(st, "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID")) is not None:
            out["buyer_accounting_reference"] = acc
        advances = [self.advance_payment(a) for a in self.all(st, "ram:SpecifiedAdvancePayment")]
        if advances := [a for a in advances if a]:
            out["advance_payments"] = advances
        for extra in self.all(st, "ram:SpecifiedLogisticsServiceCharge"):
            out.setdefault("charges", []).append(self.logistics_charge(extra))
        out["totals"] = self.totals(st, out)

    def vat_item(
        self,
        el: _El,
        paths: tuple[str, str, str, str],
        exemption_paths: tuple[str, str],
        exemptions: dict[str, dict[str, Any]],
    ) -> dict[str, Any]:
        """One BG-23 entry: `paths` are category, taxable, tax and rate; the first exemption reason (BT-120,
        BT-121) of an exempt category is also kept per category in `exemptions`."""
        category = self.text(el, paths[0]) or "S"
        item: dict[str, Any] = {
            "category": category,
            "taxable_amount": self.dec(el, paths[1]) or Decimal(0),
            "tax_amount": self.dec(el, paths[2]) or Decimal(0),
        }
        if (rate := self.dec(el, paths[3])) is not None:
            item["rate"] = rate
        reason, code = (self.text(el, p) for p in exemption_paths)
        if reason:
            item["exemption_reason"] = reason
        if code:
            item["exemption_code"] = code
        if category in codes.EXEMPT_CATEGORIES and (reason or code) and category not in exemptions:
            exemptions[category] = {
                "category": category,
                **({"reason": reason} if reason else {}),
                **({"code": code} if code else {}),
            }
        return item

    def advance_payment(self, el: _El) -> dict[str, Any] | None:
        """EXTENDED SpecifiedAdvancePayment; None (left as unread data, with its warning) without VAT."""
        paid = self.dec(el, "ram:PaidAmount")
        taxes = []
        for tax in self.all(el, "ram:IncludedTradeTax"):
            item: dict[str, Any] = {
                "category": self.text(tax, "ram:CategoryCode") or "S",
                "tax_amount": self.dec(tax, "ram:CalculatedAmount") or Decimal(0),
            }
            self.text(tax, "ram:TypeCode")
            if (rate := self.dec(tax, "ram:RateApplicablePercent")) is not None:
                item["rate"] = rate
            taxes.append(item)
        if paid is None or not taxes:
            return None
        out: dict[str, Any] = {"amount": paid, "taxes": taxes}
        if (when := self.date(el, "ram:FormattedReceivedDateTime/qdt:DateTimeString")) is not None:
            out["received_date"] = when
        if (
            number := self.text(el, "ram:InvoiceSpecifiedReferencedDocument/ram:IssuerAssignedID")
        ) is not None:
            out["invoice_number"] = number
        return out

    def logistics_charge(self, el: _El) -> dict[str, Any]:
        """EXTENDED BT-X-272 as a document-level charge (BG-21): the same amount, VAT and place in BT-108."""
        amount = self.dec(el, "ram:AppliedAmount")
        if amount is None:
            raise self.fail(el, "logistics service charge without AppliedAmount")
        self.warn(el, "EXTENDED logistics service charge (BT-X-272) read as a document-level charge (BG-21)")
        tax = self.one(el, "ram:AppliedTradeTax")
        item: dict[str, Any] = {"amount": amount, "reason": self.text(el, "ram:Description") or "Logistics"}
        if (cat := self.text(tax, "ram:CategoryCode")) is not None:
            item["vat_category"] = cat
        if (rate := self.dec(tax, "ram:RateApplicablePercent")) is not None:
            item["vat_rate"] = rate
        return item

    def payment(self, st: _El, out: dict[str, Any]) -> None:
        means = self.all(st, "ram:SpecifiedTradeSettlementPaymentMeans")
        creditor = self.text(st, "ram:CreditorReferenceID")
        reference = self.text(st, "ram:PaymentReference")
        if not means and not creditor and not reference:
            return
        pay: dict[str, Any] = (
            {"means_code": self.text(means[0], "ram:TypeCode") or "1"} if means else {"means_code": "1"}
        )
        if means and (info := self.text(means[0], "ram:Information")) is not None:
            pay["means_text"] = info
        for m in means[1:]:  # one per credit transfer account; BT-81/BT-82 are the same on each
            if (code := self.text(m, "ram:TypeCode")) not in (None, pay["means_code"]):
                kept = pay["means_code"]
                self.warn(m, f"other payment means code {code}: the model has one (BT-81), kept {kept}")
            if (info := self.text(m, "ram:Information")) not in (None, pay.get("means_text")):
                self.warn(m, f"other payment means text `{info}`: the model has one (BT-82)")
        if reference:
            pay["remittance_info"] = reference
        transfers = []
        for m in means:
            iban = self.text(m, "ram:PayeePartyCreditorFinancialAccount/ram:IBANID") or self.text(
                m, "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"
            )
            if iban:
                t = {"iban": iban}
                for key, path in (
                    ("account_name", "ram:PayeePartyCreditorFinancialAccount/ram:AccountName"),
                    ("bic", "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
                ):
                    if (v := self.text(m, path)) is not None:
                        t[key] = v
                transfers.append(t)
            card = self.one(m, "ram:ApplicableTradeSettlementFinancialCard")
            if card is not None and (pan := self.text(card, "ram:ID")):
                pay["card"] = {
                    "pan": pan,
                    **({"holder": h} if (h := self.text(card, "ram:CardholderName")) else {}),
                }
            if (debited := self.text(m, "ram:PayerPartyDebtorFinancialAccount/ram:IBANID")) is not None:
                pay.setdefault("direct_debit", {})["debited_account"] = debited
        if transfers:
            pay["credit_transfers"] = transfers
        if creditor:
            pay.setdefault("direct_debit", {})["creditor_id"] = creditor
        existing = out.get("payment", {})
        if "direct_debit" in existing:
            pay.setdefault("direct_debit", {}).update(existing["direct_debit"])
        out["payment"] = pay

    def totals(self, st: _El, out: dict[str, Any]) -> dict[str, Any]:
        summ = self.one(st, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
        if summ is None:
            raise self.fail(st, "no document totals (BG-22)")
        return self.read_totals(summ, CII_TOTALS, self.all(summ, "ram:TaxTotalAmount"), out)

    def read_totals(
        self, summ: _El, paths: tuple[tuple[str, str], ...], tax_nodes: list[_El], out: dict[str, Any]
    ) -> dict[str, Any]:
        """BG-22 from `paths` (model key, path under `summ`); BT-110/BT-111 told apart by their currency."""
        t: dict[str, Any] = {}
        for key, path in paths:
            if (value := self.dec(summ, path)) is not None:
                t[key] = value
        for node in tax_nodes:
            value = self.dec(node, ".")
            currency = node.get("currencyID")
            if currency and out.get("tax_currency") == currency and currency != out["currency"]:
                t["tax_total_accounting"] = value
            else:
                t.setdefault("tax_total", value)
        for key in ("tax_exclusive", "tax_inclusive", "due"):
            if key not in t:
                raise self.fail(summ, f"document totals lack {key} (BT-109 / BT-112 / BT-115 are mandatory)")
        return t


def read_cii(data: bytes, source: str) -> CiiDocument:
    """Read CII bytes into the model (identifiers are not key-checked: third-party data is read as it is)."""
    tree = parse_xml(data, source)
    root = tree.getroot()
    if root.tag != f"{{{RSM}}}CrossIndustryInvoice":
        raise InputError.at(
            source,
            "line 1",
            f"not a CII invoice: root element is `{etree.QName(root).localname}`",
            hint="fpcli reads CII (Factur-X, ZUGFeRD 2, XRechnung) into its model; not ZUGFeRD 1.0 or UBL",
        )
    reader = _Reader(root, source)
    gid = (
        reader.text(
            root, "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"
        )
        or ""
    )
    raw = reader.invoice()
    try:
        # AS_READ: no identifier key checks (third-party test data has made-up numbers), as written
        invoice = Invoice.model_validate(raw, context=AS_READ)
    except ValidationError as exc:
        raise InvoiceDataError(source, validation_problems(exc)) from None
    return CiiDocument(
        invoice=invoice,
        profile=profile_from_guideline(gid) if gid else None,
        guideline_id=gid,
        warnings=reader.warnings + unread_warnings(root, reader.seen),
    )


def strip_computed(invoice: Invoice) -> Invoice:
    """Normalise an invoice to what a user would have written, to compare a read-back invoice with its input.

    What the writer computes and the reader reads back is dropped: line net amounts (BT-131), line ids
    numbered 1… (BT-126), the VAT breakdown (BG-23) and the totals (BG-22), keeping the paid and rounding
    amounts (BT-113/BT-114, which are input) at invoice level. What CII cannot tell apart is put in one form:
    party identifiers without a scheme come first (CII's order), a price base unit equal to the line unit
    and a missing line VAT rate for a zero-rated category (written as 0) are the same. Invoices without lines
    keep their totals and breakdown: for them these are input, not computed.
    """
    seller, buyer = (_ordered_ids(p) for p in (invoice.seller, invoice.buyer))
    if not invoice.lines:
        return invoice.model_copy(update={"seller": seller, "buyer": buyer})
    t = invoice.totals
    return invoice.model_copy(
        update={
            "seller": seller,
            "buyer": buyer,
            "lines": [_plain_line(i, line) for i, line in enumerate(invoice.lines)],
            "vat_breakdown": None,
            "totals": None,
            "prepaid_amount": invoice.prepaid_amount if t is None or t.prepaid is None else t.prepaid,
            "rounding_amount": invoice.rounding_amount if t is None or t.rounding is None else t.rounding,
        }
    )


def _ordered_ids(party: Party) -> Party:
    ids = sorted(party.identifiers, key=lambda i: i.scheme is not None)  # stable: order kept otherwise
    return party.model_copy(update={"identifiers": ids})


def _plain_line(index: int, line: Line) -> Line:
    rate = line.vat_rate
    if rate is None and line.vat_category in codes.ZERO_RATE_CATEGORIES:
        rate = Decimal(0)
    return line.model_copy(
        update={
            "net_amount": None,
            "id": None if line.id == str(index + 1) else line.id,
            "base_unit": None if line.base_unit == line.unit else line.base_unit,
            "vat_rate": rate,
        }
    )
