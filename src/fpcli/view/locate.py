"""Where a validation finding goes on the page: the section (and line) of the field it concerns.

A finding's location is the XPath the rules reported (SVRL `location`, or the XSD error path). Its steps say
which part of the invoice it is about, in CII and UBL alike; a finding reported on the root is placed by its
business rule id instead. What neither tells goes to the general findings at the top, never dropped.
"""

from __future__ import annotations

import re

from fpcli.validation.findings import Finding

Place = tuple[str, int | None]  # (section, 1-based line position or None)

_NS_PREDICATE = re.compile(r"\[namespace-uri\(\)\s*=\s*'[^']*'\]")
_STEP = re.compile(r"^(?:[\w*.-]+:)?([\w.-]+)(?:\[(\d+)\])?")
_LINES = {"IncludedSupplyChainTradeLineItem", "InvoiceLine", "CreditNoteLine"}
# First step name that tells the section (checked from the root down, after lines).
_SECTIONS = {
    "SellerTradeParty": "seller",
    "AccountingSupplierParty": "seller",
    "BuyerTradeParty": "buyer",
    "AccountingCustomerParty": "buyer",
    "PayeeTradeParty": "payee",
    "PayeeParty": "payee",
    "SellerTaxRepresentativeTradeParty": "payee",
    "TaxRepresentativeParty": "payee",
    "ApplicableHeaderTradeDelivery": "delivery",
    "Delivery": "delivery",
    "SpecifiedTradeSettlementPaymentMeans": "payment",
    "SpecifiedTradePaymentTerms": "payment",
    "PaymentMeans": "payment",
    "PaymentTerms": "payment",
    "SpecifiedTradeAllowanceCharge": "allowances",
    "AllowanceCharge": "allowances",
    "ApplicableTradeTax": "vat",
    "TaxTotal": "vat",
    "SpecifiedTradeSettlementHeaderMonetarySummation": "totals",
    "LegalMonetaryTotal": "totals",
    "IncludedNote": "notes",
    "Note": "notes",
    "AdditionalReferencedDocument": "documents",
    "AdditionalDocumentReference": "documents",
    "ExchangedDocument": "header",
    "ExchangedDocumentContext": "header",
    "ApplicableHeaderTradeAgreement": "header",
    "ApplicableHeaderTradeSettlement": "header",
}
# Rules reported on the root element, by business rule id prefix.
_RULES = (
    (re.compile(r"^BR-(CO-1[0-6]|1[2-5]|CO-25|FXEXT-CO-1[0-6])\b"), "totals"),
    (re.compile(r"^BR-(S|Z|E|AE|IC|G|O|AF|AG|B)-\d"), "vat"),
    (re.compile(r"^BR-(CO-1[78]|4[5-8])\b"), "vat"),
    (re.compile(r"^BR-(49|5[01]|6[1-4]|CO-2[67])\b"), "payment"),
    (re.compile(r"^BR-(0[689]|CO-0?9)\b"), "seller"),
    (re.compile(r"^BR-(0[7]|1[01])\b"), "buyer"),
    (re.compile(r"^BR-(1[6-9]|2[0-9]|3[01])\b"), "lines"),
)


def steps(location: str) -> list[tuple[str, int | None]]:
    """(local name, index) of each step of an XPath such as SVRL's `/*:A[namespace-uri()='…'][1]/*:B[2]`."""
    out = []
    for raw in _NS_PREDICATE.sub("", location).split("/"):
        m = _STEP.match(raw.strip())
        if m and raw.strip():
            out.append((m.group(1), int(m.group(2)) if m.group(2) else None))
    return out


# `validate --visible` findings (VISIBLE-BT-…): the section of the business term the pages do not show.
_VISIBLE = {
    "BT-1": "header", "BT-2": "header", "BT-9": "payment", "BT-29": "seller", "BT-30": "seller",
    "BT-31": "seller", "BT-46": "buyer", "BT-47": "buyer", "BT-48": "buyer", "BT-84": "payment",
    "BT-109": "totals", "BT-110": "totals", "BT-112": "totals", "BT-115": "totals", "BT-117": "vat",
}  # fmt: skip


def place(finding: Finding) -> Place:
    if finding.layer in ("pdf", "facturx"):
        return ("pdf", None)
    if finding.layer == "visible":
        return (_VISIBLE.get(finding.rule_id.removeprefix("VISIBLE-"), "pdf"), None)
    path = steps(finding.location or "")
    for name, index in path:
        if name in _LINES:
            return ("lines", index or 1)
    sections = [_SECTIONS[name] for name, _ in path[1:] if name in _SECTIONS]
    # An agreement or settlement step names the header only when no deeper step names a better section.
    if precise := [s for s in sections if s != "header"]:
        return (precise[0], None)
    if sections:
        return ("header", None)
    rule = finding.rule_id
    for pattern, section in _RULES:
        if pattern.match(rule) or pattern.match(_business_id(finding.message) or ""):
            return (section, None)
    return ("general", None)


def _business_id(message: str) -> str | None:
    """Official messages start with the business rule id in brackets: `[BR-CO-10]-Sum of …`."""
    m = re.match(r"\s*\[([A-Z][\w-]+)\]", message)
    return m.group(1) if m else None


def placed(findings: list[Finding]) -> dict[Place, list[Finding]]:
    out: dict[Place, list[Finding]] = {}
    for f in findings:
        out.setdefault(place(f), []).append(f)
    return out
