"""`validate --visible`: does the visible invoice say what its embedded XML says?

The pages' text (PDFium, through pypdfium2) is searched for each key business term of the CII: number
(BT-1), issue and due dates (BT-2, BT-9), seller and buyer identifiers (SIREN/SIRET BT-30/BT-29,
BT-47/BT-46, VAT ids BT-31/BT-48), IBAN (BT-84), totals (BT-109, BT-110, BT-112, BT-115) and VAT per rate
(BT-117). Amounts are looked for in French and English writing (`1 210,49`, `1.210,49`, `1,210.49`,
`1210.49`), dates as `20/11/2026`, `20.11.2026`, `2026-11-20`, `20 novembre 2026`, `November 20, 2026`…,
identifiers with or without spaces.

A number, date or amount the XML has and the pages do not show is an error named after its BT id
(VISIBLE-BT-112) with the value expected. An identifier the pages do not show is a warning (invoices need not
print every one), and an error when the pages show another IBAN or VAT id of the same country instead. Pages
without any text (a scan) give one VISIBLE-NO-TEXT warning instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fpcli.cii.namespaces import RAM, RSM
from fpcli.errors import InputError
from fpcli.validation.findings import Finding

LAYER = "visible"
RULE_SET = "fpcli-visible"
MAX_PAGES = 50

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")


@dataclass(frozen=True)
class Term:
    bt: str
    label: str
    kind: str  # amount, date, id, text
    value: str


def _text(el: Any, path: str) -> str | None:
    found = el.find(path.replace("ram:", f"{{{RAM}}}").replace("rsm:", f"{{{RSM}}}").replace(
        "udt:", "{urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100}"
    ))  # fmt: skip
    if found is None or found.text is None or not found.text.strip():
        return None
    return str(found.text.strip())


def _findall(el: Any, path: str) -> list[Any]:
    return list(el.findall(path.replace("ram:", f"{{{RAM}}}")))


def expected_terms(root: Any) -> list[Term]:
    """The business terms of a CII invoice that a reader expects to see on its pages."""
    terms: list[Term] = []
    trade = "rsm:SupplyChainTradeTransaction/"
    agreement = trade + "ram:ApplicableHeaderTradeAgreement/"
    settlement = trade + "ram:ApplicableHeaderTradeSettlement/"
    summation = settlement + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"

    def add(bt: str, label: str, kind: str, value: str | None) -> None:
        if value:
            terms.append(Term(bt, label, kind, value))

    add("BT-1", "invoice number", "text", _text(root, "rsm:ExchangedDocument/ram:ID"))
    add(
        "BT-2",
        "issue date",
        "date",
        _text(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"),
    )
    add("BT-9", "due date", "date", _text(
        root, settlement + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    ))  # fmt: skip
    for who, bts in (("Seller", ("BT-30", "BT-29", "BT-31")), ("Buyer", ("BT-47", "BT-46", "BT-48"))):
        party = agreement + f"ram:{who}TradeParty/"
        add(bts[0], f"{who.lower()} legal registration (SIREN)", "id",
            _text(root, party + "ram:SpecifiedLegalOrganization/ram:ID"))  # fmt: skip
        for ident in _findall(root, party.replace("rsm:", f"{{{RSM}}}") + "ram:GlobalID")[:1]:
            if ident.get("schemeID") == "0009" and ident.text:
                add(bts[1], f"{who.lower()} SIRET", "id", ident.text.strip())
        for reg in _findall(root, party.replace("rsm:", f"{{{RSM}}}") + "ram:SpecifiedTaxRegistration"):
            vat = reg.find(f"{{{RAM}}}ID")
            if vat is not None and vat.get("schemeID") == "VA" and vat.text:
                add(bts[2], f"{who.lower()} VAT identifier", "id", vat.text.strip())
    means = settlement + "ram:SpecifiedTradeSettlementPaymentMeans/"
    add("BT-84", "IBAN", "id", _text(root, means + "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"))
    add("BT-109", "total without VAT", "amount", _text(root, summation + "ram:TaxBasisTotalAmount"))
    add("BT-110", "total VAT", "amount", _text(root, summation + "ram:TaxTotalAmount"))
    add("BT-112", "total with VAT", "amount", _text(root, summation + "ram:GrandTotalAmount"))
    add("BT-115", "amount due", "amount", _text(root, summation + "ram:DuePayableAmount"))
    for tax in _findall(root, (settlement + "ram:ApplicableTradeTax").replace("rsm:", f"{{{RSM}}}")):
        rate = _text(tax, "ram:RateApplicablePercent")
        add("BT-117", f"VAT at {rate or '?'} %", "amount", _text(tax, "ram:CalculatedAmount"))
    return terms


# ---------------------------------------------------------------------------------------------------
# how a value can be written


def amount_forms(value: str) -> list[str]:
    try:
        number = abs(Decimal(value))
    except InvalidOperation:
        return [value]
    cents = number.quantize(Decimal("0.01"))
    units, _, decimals = f"{cents:f}".partition(".")
    forms = []
    for group in ("", " ", ".", ",", "'"):
        grouped = _group(units, group)
        for mark in (",", "."):
            if mark != group:
                forms.append(f"{grouped}{mark}{decimals}")
        if decimals == "00":
            forms.append(grouped)
    return sorted(set(forms), key=len, reverse=True)


def _group(units: str, sep: str) -> str:
    if not sep:
        return units
    parts: list[str] = []
    while len(units) > 3:
        parts.insert(0, units[-3:])
        units = units[:-3]
    return sep.join([units, *parts])


def date_forms(value: str) -> list[str]:
    try:
        day = dt.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return [value]
    d, m, y = day.day, day.month, day.year
    forms = set()
    for dd, mm in ((f"{d:02d}", f"{m:02d}"), (str(d), str(m))):
        for sep in ("/", ".", "-"):
            forms.add(f"{dd}{sep}{mm}{sep}{y}")
            forms.add(f"{dd}{sep}{mm}{sep}{y % 100:02d}")
            forms.add(f"{mm}{sep}{dd}{sep}{y}")
    forms.add(day.isoformat())
    forms.add(f"{y}/{m:02d}/{d:02d}")
    first = "1er" if d == 1 else str(d)
    for name in (MONTHS_FR[m - 1], MONTHS_FR[m - 1].capitalize()):
        forms.update({f"{d} {name} {y}", f"{first} {name} {y}", f"{d:02d} {name} {y}"})
    en = MONTHS_EN[m - 1]
    forms.update({f"{en} {d}, {y}", f"{d} {en} {y}", f"{en[:3]} {d}, {y}", f"{d} {en[:3]} {y}"})
    return sorted(forms, key=len, reverse=True)


def _normal(text: str) -> str:
    return _SPACES.sub(" ", text)


def _compact(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f\u2009\u2007.]+", "", text).upper()


def found(term: Term, text: str, compact: str) -> bool:
    if term.kind == "amount":
        return any(re.search(rf"(?<![\d.,']){re.escape(f)}(?![\d])", text) for f in amount_forms(term.value))
    if term.kind == "date":
        low = text.lower()
        return any(
            re.search(rf"(?<![\d]){re.escape(f.lower())}(?![\d])", low) for f in date_forms(term.value)
        )
    if term.kind == "id":
        return _compact(term.value) in compact
    return term.value in text or _compact(term.value) in compact


# ---------------------------------------------------------------------------------------------------
# pages


def page_texts(data: bytes, source: str) -> list[str]:
    """The text of each page (PDFium), at most MAX_PAGES pages."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError.at(source, None, f"PDFium cannot read the pages: {exc}") from None
    try:
        texts = []
        for index in range(min(len(doc), MAX_PAGES)):
            page = doc[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        doc.close()


def check_visible(data: bytes, xml_root: Any, source: str) -> list[Finding]:
    """Findings for each business term of the XML that the visible pages do not show."""
    texts = page_texts(data, source)
    text = _normal(" ".join(texts))
    if not text.strip():
        return [
            _finding(
                "VISIBLE-NO-TEXT",
                "warning",
                "the pages hold no text (a scan or images only): the visible invoice cannot be compared "
                "with the XML",
            )
        ]
    compact = _compact(text)
    findings = []
    for term in _unique(expected_terms(xml_root)):
        if found(term, text, compact):
            continue
        message = f"{term.bt} {term.label} {_shown(term)} (XML) does not appear on the visible pages"
        severity = "error"
        if term.kind == "id":
            others = _same_kind(term, text)
            if others:
                message = f"{term.bt} {term.label}: the pages show {others[0]}, the XML {term.value}"
            else:
                # Not every invoice prints every identifier; only a different one is a contradiction.
                severity = "warning"
        findings.append(_finding(f"VISIBLE-{term.bt}", severity, message))
    return findings


_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b")
_VAT = re.compile(r"\b([A-Z]{2} ?\d{2} ?\d{3} ?\d{3} ?\d{3})\b")


def _same_kind(term: Term, text: str) -> list[str]:
    """Values on the pages of the same kind as an IBAN or a French-style VAT id that differ from the XML's."""
    pattern = _IBAN if term.bt == "BT-84" else _VAT if term.bt in {"BT-31", "BT-48"} else None
    if pattern is None:
        return []
    mine = _compact(term.value)
    seen = [m.group(1) for m in pattern.finditer(text)]
    if term.bt == "BT-84":
        seen = [v for v in seen if len(_compact(v)) >= 15]  # shorter is no IBAN (a VAT id looks alike)
    # an IBAN of any country contradicts the XML's; VAT ids are compared within the same country
    same_country = seen if term.bt == "BT-84" else [v for v in seen if _compact(v)[:2] == mine[:2]]
    if not same_country or any(_compact(v) == mine for v in same_country):
        return []
    if term.bt in {"BT-31", "BT-48"} and len(same_country) > 1:
        return []  # seller and buyer both print one: which is which is not knowable here
    return same_country


def _unique(terms: list[Term]) -> Iterator[Term]:
    seen: set[tuple[str, str]] = set()
    for term in terms:
        if (term.bt, term.value) not in seen:
            seen.add((term.bt, term.value))
            yield term


def _shown(term: Term) -> str:
    if term.kind == "amount":
        return amount_forms(term.value)[0] if "," in amount_forms(term.value)[0] else term.value
    if term.kind == "date" and re.fullmatch(r"\d{8}", term.value[:8]):
        return f"{term.value[6:8]}/{term.value[4:6]}/{term.value[:4]}"
    return term.value


def _finding(rule_id: str, severity: str, message: str) -> Finding:
    return Finding(rule_id, severity, message, None, None, LAYER, RULE_SET)  # type: ignore[arg-type]
