"""Building an e-reporting transmission (flux 10) from rows: 10.1 international B2B invoices, 10.2
payments per invoice, 10.3 B2C transactions aggregated per day, category and VAT rate, 10.4 payments
aggregated per day.

Currencies (DGFiP Annexe 7 v1.8, as the official Flux10.sch checks it): a 10.1 invoice is reported in its own
currency (TT-22, any ISO 4217 code), with its VAT total (TT-52) in euros (G6.23; G1.12: an invoice in another
currency states its VAT total in euros too); 10.3 transactions in the currency of the sales (TT-78, grouped
per currency); amounts cashed (10.2, 10.4) in euros (G6.27).

Amounts are Decimal throughout. Each row's VAT is checked against its rate (or computed from it); totals are
the sums of what they total; the result is checked with fpcli's structure and flux 10 rules before it is
returned, so a report that fails them is never written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lxml import etree

from fpcli.ereporting.rows import FLOWS, Row, read_rows
from fpcli.ereporting.shape import REPORT
from fpcli.errors import InvalidDocumentError, UsageError
from fpcli.validation.findings import Report
from fpcli.xmlshape import from_data

CENT = Decimal("0.01")
RATES = frozenset(
    Decimal(r)
    for r in (
        "0",
        "0.9",
        "1.05",
        "1.75",
        "2.1",
        "5.5",
        "7",
        "8.5",
        "9.2",
        "9.6",
        "10",
        "13",
        "19.6",
        "20",
        "20.6",
    )
)
CATEGORIES = ("TLB1", "TPS1", "TNT1", "TMA1")
PROFILE = "urn.cpro.gouv.fr:1p0:ereporting"


@dataclass(frozen=True)
class Header:
    issuer_siren: str
    issuer_name: str
    sender_id: str
    start: dt.date
    end: dt.date
    sender_name: str | None = None
    sender_scheme: str = "0238"
    sender_role: str = "WK"
    issuer_role: str = "SE"
    type_code: str = "IN"
    transmission_id: str | None = None


@dataclass
class BuildResult:
    xml: bytes
    flow: str
    rows: int
    groups: int  # invoices, days or day/category groups written
    report: Report


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP)}"


def _rate_text(rate: Decimal) -> str:
    return f"{rate.normalize():f}"


def _rate(row: Row) -> Decimal:
    rate = row.decimal("vat_rate")
    assert rate is not None  # a required column
    if rate not in RATES:
        raise row.fail(
            "vat_rate", f"{rate} % is not a French VAT rate", hint="use 20, 10, 5.5, 2.1, 0 or a DOM-TOM rate"
        )
    return rate


def _vat(row: Row, base: Decimal, rate: Decimal) -> Decimal:
    """The row's VAT: given (and checked against the rate, 1 cent tolerance) or computed."""
    expected = (base * rate / 100).quantize(CENT, ROUND_HALF_UP)
    given = row.decimal("vat_amount")
    if given is None:
        return expected
    if abs(given - expected) > CENT:
        raise row.fail(
            "vat_amount",
            f"{given} is not {rate.normalize():f} % of {base} (expected {expected})",
            hint="leave vat_amount empty to have it computed",
        )
    return given


def _required(row: Row, column: str) -> str:
    value = row.text(column)
    if not value:
        raise row.fail(column, "is empty: this column is mandatory")
    return value


def _amount(row: Row, column: str) -> Decimal:
    value = row.decimal(column)
    if value is None:
        raise row.fail(column, "is empty: this column is mandatory")
    return value


def _in_period(row: Row, column: str, header: Header) -> str:
    day = row.date(column)
    if day is None:
        raise row.fail(column, "is empty: this column is mandatory")
    if not header.start.strftime("%Y%m%d") <= day <= header.end.strftime("%Y%m%d"):
        raise row.fail(column, f"{day} is outside the reporting period {header.start} – {header.end}")
    return day


def _currency(row: Row) -> str:
    """The row's currency (default EUR): an ISO 4217 code of the list the official invoice rules use."""
    from fpcli.model import codelists

    currency = row.text("currency", "EUR") or "EUR"
    if problem := codelists.problem("currency", "currency", currency, "G1.10"):
        raise row.fail("currency", problem.removeprefix("currency: "))
    return currency


def _euro(row: Row) -> str:
    """Amounts cashed (10.2, 10.4) are stated in euros (DGFiP G6.27)."""
    currency = _currency(row)
    if currency != "EUR":
        raise row.fail(
            "currency",
            f"`{currency}`: amounts cashed are reported in euros (DGFiP G6.27)",
            hint="convert the payment to euros at the rate of the day it was received",
        )
    return currency


def _vat_total(first: Row, currency: str, computed: Decimal) -> Decimal:
    """TT-52, the invoice's VAT total, is stated in euros (G6.23). For an invoice in another currency the
    invoice gives it in euros too (BT-111, DGFiP G1.12): `vat_total_eur` carries it; for a euro invoice it
    is the sum of the breakdown, and `vat_total_eur`, when given, must say the same."""
    given = first.decimal("vat_total_eur")
    if currency == "EUR":
        if given is not None and given != computed:
            raise first.fail(
                "vat_total_eur",
                f"{given} differs from the invoice's VAT {computed} (the sum of its vat_amount)",
                hint="leave vat_total_eur empty for an invoice in euros",
            )
        return computed
    if given is None:
        raise first.fail(
            "vat_total_eur",
            f"is empty: the invoice is in {currency}, and its VAT total is reported in euros "
            "(DGFiP G1.12, G6.23)",
            hint="give the invoice's VAT total in euros (BT-111), as the invoice states it",
        )
    return given


def _same(groups: dict[Any, list[Row]], columns: tuple[str, ...]) -> None:
    """Invoice-level columns repeat on every row of an invoice: they must agree."""
    for rows in groups.values():
        first = rows[0]
        for row in rows[1:]:
            for c in columns:
                if (row.text(c) or "") != (first.text(c) or ""):
                    raise row.fail(
                        c,
                        f"`{row.text(c) or ''}` differs from `{first.text(c) or ''}` on {first.where} "
                        "for the same invoice",
                    )


def _group(rows: list[Row], key: Callable[[Row], Any]) -> dict[Any, list[Row]]:
    out: dict[Any, list[Row]] = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


_INVOICE_COLUMNS = (
    "issue_date", "type_code", "currency", "vat_total_eur", "due_date", "vat_due_code", "business_process",
    "seller_id", "seller_scheme", "seller_vat", "seller_country", "buyer_id", "buyer_scheme", "buyer_vat",
    "buyer_country", "preceding_invoice_id", "preceding_invoice_date",
)  # fmt: skip


def _party(first: Row, who: str, default_scheme: str | None) -> dict[str, Any]:
    scheme = first.text(f"{who}_scheme", default_scheme)
    out: dict[str, Any] = {"CompanyId": {"value": _required(first, f"{who}_id"), "@schemeId": scheme}}
    if first.text(f"{who}_vat"):
        out["TaxRegistrationId"] = {"value": first.text(f"{who}_vat"), "@qualifyingId": "VAT"}
    if first.text(f"{who}_country"):
        out["PostalAddress"] = {"CountryId": first.text(f"{who}_country")}
    return out


def _invoice(rows: list[Row], header: Header) -> dict[str, Any]:
    first = rows[0]
    currency = _currency(first)
    subtotals: dict[tuple[str, Decimal], dict[str, Any]] = {}
    for row in rows:
        category, rate = _required(row, "vat_category"), _rate(row)
        base = _amount(row, "taxable_amount")
        vat = _vat(row, base, rate)
        entry = subtotals.setdefault(
            (category, rate), {"base": Decimal(0), "vat": Decimal(0), "code": None, "reason": None}
        )
        entry["base"] += base
        entry["vat"] += vat
        entry["code"] = entry["code"] or row.text("exemption_code")
        entry["reason"] = entry["reason"] or row.text("exemption_reason")
    invoice: dict[str, Any] = {
        "ID": _required(first, "invoice_id"),
        "IssueDate": _in_period(first, "issue_date", header),
        "TypeCode": first.text("type_code", "380"),
        "CurrencyCode": currency,
    }
    if first.date("due_date"):
        invoice["DueDate"] = first.date("due_date")
    if first.text("vat_due_code"):
        invoice["TaxDueDateTypeCode"] = first.text("vat_due_code")
    invoice["BusinessProcess"] = {"ID": _required(first, "business_process"), "TypeID": PROFILE}
    if first.text("preceding_invoice_id"):
        ref: dict[str, Any] = {"ID": first.text("preceding_invoice_id")}
        if first.date("preceding_invoice_date"):
            ref["IssueDate"] = first.date("preceding_invoice_date")
        invoice["ReferencedDocument"] = [ref]
    invoice["Seller"] = _party(first, "seller", "0002")
    invoice["Buyer"] = _party(first, "buyer", None)
    total_base = sum((e["base"] for e in subtotals.values()), Decimal(0))
    total_vat = sum((e["vat"] for e in subtotals.values()), Decimal(0))
    # TT-51 and the breakdown are in the invoice's currency (TT-22); TT-52 in euros (TT-202 = EUR).
    invoice["MonetaryTotal"] = {
        "TaxExclusiveAmount": _money(total_base),
        "TaxAmount": {"value": _money(_vat_total(first, currency, total_vat)), "@CurrencyCode": "EUR"},
    }
    invoice["TaxSubTotal"] = [
        {
            "TaxableAmount": _money(e["base"]),
            "TaxAmount": _money(e["vat"]),
            "TaxCategory": {
                "Code": category,
                "Percent": _rate_text(rate),
                **({"TaxExemptionReason": e["reason"]} if e["reason"] else {}),
                **({"TaxExemptionReasonCode": e["code"]} if e["code"] else {}),
            },
        }
        for (category, rate), e in subtotals.items()
    ]
    return invoice


def _flow_10_1(rows: list[Row], header: Header) -> tuple[dict[str, Any], int]:
    groups = _group(rows, lambda r: _required(r, "invoice_id"))
    _same(groups, _INVOICE_COLUMNS)
    return {"Invoice": [_invoice(g, header) for g in groups.values()]}, len(groups)


def _transactions(rows: list[Row], header: Header) -> dict[str, Any]:
    first = rows[0]
    per_rate: dict[Decimal, list[Decimal]] = {}
    for row in rows:
        rate, base = _rate(row), _amount(row, "taxable_amount")
        sums = per_rate.setdefault(rate, [Decimal(0), Decimal(0)])
        sums[0] += base
        sums[1] += _vat(row, base, rate)
    counts = [row.decimal("count", places=0) for row in rows]
    out: dict[str, Any] = {
        "Date": _in_period(first, "date", header),
        "TransactionsCurrency": _currency(first),
    }
    if first.text("vat_due_code"):
        out["TaxDueDateTypeCode"] = first.text("vat_due_code")
    out["CategoryCode"] = first.text("category")
    out["TaxExclusiveAmount"] = _money(sum((s[0] for s in per_rate.values()), Decimal(0)))
    out["TaxTotal"] = _money(sum((s[1] for s in per_rate.values()), Decimal(0)))
    if all(c is not None for c in counts):
        out["TransactionsCount"] = str(sum(c for c in counts if c is not None))
    out["TaxSubtotal"] = [
        {"TaxPercent": _rate_text(rate), "TaxableAmount": _money(s[0]), "TaxTotal": _money(s[1])}
        for rate, s in sorted(per_rate.items())
    ]
    return out


def _category(row: Row) -> str:
    value = _required(row, "category").upper()
    if value not in CATEGORIES:
        raise row.fail("category", f"`{value}` is not a category", hint="use " + ", ".join(CATEGORIES))
    return value


def _flow_10_3(rows: list[Row], header: Header) -> tuple[dict[str, Any], int]:
    for row in rows:
        row.values["category"] = _category(row)
    groups = _group(
        rows, lambda r: (r.date("date"), r.text("category"), r.text("vat_due_code") or "", _currency(r))
    )
    return {"Transactions": [_transactions(g, header) for g in groups.values()]}, len(groups)


def _payment(rows: list[Row], column: str, header: Header) -> dict[str, Any]:
    per_rate: dict[Decimal, Decimal] = {}
    for row in rows:
        _euro(row)
        rate = _rate(row)
        per_rate[rate] = per_rate.get(rate, Decimal(0)) + _amount(row, "amount")
    return {
        "Date": _in_period(rows[0], column, header),
        "SubTotals": [
            {"TaxPercent": _rate_text(rate), "CurrencyCode": "EUR", "Amount": _money(amount)}
            for rate, amount in sorted(per_rate.items())
        ],
    }


def _flow_10_2(rows: list[Row], header: Header) -> tuple[dict[str, Any], int]:
    groups = _group(
        rows, lambda r: (_required(r, "invoice_id"), r.date("issue_date"), r.date("payment_date"))
    )
    invoices = [
        {
            "InvoiceID": _required(g[0], "invoice_id"),
            "IssueDate": g[0].date("issue_date"),
            "Payment": _payment(g, "payment_date", header),
        }
        for g in groups.values()
    ]
    return {"Invoice": invoices}, len(groups)


def _flow_10_4(rows: list[Row], header: Header) -> tuple[dict[str, Any], int]:
    groups = _group(rows, lambda r: r.date("payment_date"))
    return {"Transactions": [{"Payment": _payment(g, "payment_date", header)} for g in groups.values()]}, len(
        groups
    )


_FLOWS: dict[str, Callable[[list[Row], Header], tuple[dict[str, Any], int]]] = {
    "10.1": _flow_10_1,
    "10.2": _flow_10_2,
    "10.3": _flow_10_3,
    "10.4": _flow_10_4,
}


def _check_header(header: Header, today: dt.date) -> None:
    from stdnum.fr import siren

    if header.type_code not in ("IN", "RE"):
        raise UsageError(
            f"transmission type `{header.type_code}`", hint="use IN (initial) or RE (corrective)"
        )
    if not siren.is_valid(header.issuer_siren):
        raise UsageError(f"`{header.issuer_siren}` is not a valid SIREN (9 digits with a valid key)")
    if header.end <= header.start:
        raise UsageError(f"the period ends ({header.end}) on or before it starts ({header.start})")
    if header.end > today:  # DGFiP specifications G7.43: a period is reported once it is over
        raise UsageError(
            f"the period ends {header.end}, after today ({today}): a report covers a period that is over",
            hint="build it once the period has ended",
        )


def build_data(rows: list[Row], flow: str, header: Header, now: dt.datetime) -> tuple[dict[str, Any], int]:
    if flow not in _FLOWS:
        raise UsageError(f"unknown flow `{flow}`", hint="use " + ", ".join(FLOWS))
    _check_header(header, now.date())
    body, groups = _FLOWS[flow](rows, header)
    stamp = now.strftime("%Y%m%d%H%M%S")
    document = {
        "Id": header.transmission_id or f"{header.issuer_siren}-{flow.replace('.', '')}-{stamp}",
        "IssueDateTime": {"DateTimeString": stamp},
        "TypeCode": header.type_code,
        "Sender": {
            "Id": {"value": header.sender_id, "@schemeId": header.sender_scheme},
            "Name": header.sender_name or header.sender_id,
            "RoleCode": header.sender_role,
        },
        "Issuer": {
            "Id": {"value": header.issuer_siren, "@schemeId": "0002"},
            "Name": header.issuer_name,
            "RoleCode": header.issuer_role,
        },
    }
    period = {"StartDate": header.start.strftime("%Y%m%d"), "EndDate": header.end.strftime("%Y%m%d")}
    part = "TransactionsReport" if flow in ("10.1", "10.3") else "PaymentsReport"
    return {"ReportDocument": document, part: {"ReportPeriod": period, **body}}, groups


def build_report(data: bytes, source: str, flow: str, header: Header) -> BuildResult:
    from fpcli.clock import source_date
    from fpcli.ereporting.validate import validate_report
    from fpcli.validation.document import findings_text

    if flow not in _FLOWS:
        raise UsageError(f"unknown flow `{flow}`", hint="use " + ", ".join(FLOWS))
    now = source_date()
    _check_header(header, now.date())
    rows = read_rows(data, source, flow)
    doc, groups = build_data(rows, flow, header, now)
    xml = etree.tostring(from_data(doc, REPORT), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    report = validate_report(xml, "<generated>")
    if not report.valid:
        raise InvalidDocumentError(
            f"the flux {flow} report built from `{source}` would break the flux 10 rules:\n"
            + findings_text(report)
        )
    return BuildResult(xml, flow, len(rows), groups, report)
