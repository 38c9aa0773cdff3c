"""Reading an e-reporting transmission: the whole report as data (lossless, see `fpcli.xmlshape`), and a
summary with the flows it carries and their totals (Decimal sums)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fpcli.ereporting.shape import REPORT
from fpcli.xmlshape import to_data

SCHEMA_VERSION = 1


def _v(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else None


def _dec(value: Any) -> Decimal:
    return Decimal(_v(value) or "0")


def _cur(value: Any) -> str | None:
    return value.get("@CurrencyCode") if isinstance(value, dict) else None


def _totals(rows: list[tuple[str | None, dict[str, Decimal]]]) -> dict[str, Any]:
    """Sums per currency, never across currencies. `rows`: (currency, {name: amount}). The plain names
    (`taxable`, `vat`, `amount`) keep one total when every amount is in one currency (then `currency`
    names it), null otherwise; `by_currency` always has the sums per currency."""
    by: dict[str, dict[str, Decimal]] = {}
    names: list[str] = []
    for currency, amounts in rows:
        slot = by.setdefault(currency or "unspecified", {})
        for name, value in amounts.items():
            if name not in names:
                names.append(name)
            slot[name] = slot.get(name, Decimal(0)) + value
    single = next(iter(by)) if len(by) == 1 else None
    out: dict[str, Any] = {"currency": single}
    for name in names:
        out[name] = str(by[single].get(name, Decimal(0))) if single else None
    out["by_currency"] = {c: {n: str(v) for n, v in sums.items()} for c, sums in by.items()}
    return out


def _invoice_rows(invoices: list[dict[str, Any]]) -> list[tuple[str | None, dict[str, Decimal]]]:
    """10.1: TT-51 when given, else the sum of the VAT breakdown's taxable amounts (TT-54), in the invoice
    currency (TT-22); TT-52 in its own currency (TT-202), which may differ: then it is a row of its own."""
    rows: list[tuple[str | None, dict[str, Decimal]]] = []
    for inv in invoices:
        total = inv["MonetaryTotal"]
        given = total.get("TaxExclusiveAmount")
        taxable = (
            _dec(given)
            if given is not None
            else sum((_dec(sub.get("TaxableAmount")) for sub in inv.get("TaxSubTotal") or []), Decimal(0))
        )
        currency, vat_currency = _v(inv.get("CurrencyCode")), _cur(total.get("TaxAmount"))
        vat = _dec(total.get("TaxAmount"))
        if vat_currency in (None, currency):
            rows.append((currency, {"taxable": taxable, "vat": vat}))
        else:
            rows += [(currency, {"taxable": taxable}), (vat_currency, {"vat": vat})]
    return rows


@dataclass
class EreportDocument:
    source: str
    data: dict[str, Any]

    @property
    def summary(self) -> dict[str, Any]:
        head = self.data["ReportDocument"]
        out: dict[str, Any] = {
            "id": _v(head.get("Id")),
            "type": _v(head.get("TypeCode")),
            "issued": _v(head.get("IssueDateTime", {}).get("DateTimeString")),
            "sender": {
                "id": _v(head["Sender"].get("Id")),
                "scheme": head["Sender"]["Id"].get("@schemeId")
                if isinstance(head["Sender"].get("Id"), dict)
                else None,
                "role": _v(head["Sender"].get("RoleCode")),
            },
            "issuer": {
                "siren": _v(head["Issuer"].get("Id")),
                "name": _v(head["Issuer"].get("Name")),
                "role": _v(head["Issuer"].get("RoleCode")),
            },
            "flows": {},
        }
        tx = self.data.get("TransactionsReport")
        pay = self.data.get("PaymentsReport")
        for part in (tx, pay):
            if part:
                out["period"] = [
                    _v(part["ReportPeriod"].get("StartDate")),
                    _v(part["ReportPeriod"].get("EndDate")),
                ]
        flows = out["flows"]
        if tx and tx.get("Invoice"):
            inv = tx["Invoice"]
            flows["10.1"] = {"invoices": len(inv), **_totals(_invoice_rows(inv))}
        if tx and tx.get("Transactions"):
            t = tx["Transactions"]
            rows = [
                (
                    _v(x.get("TransactionsCurrency")),
                    {"taxable": _dec(x.get("TaxExclusiveAmount")), "vat": _dec(x.get("TaxTotal"))},
                )
                for x in t
            ]
            flows["10.3"] = {"days_and_categories": len(t), **_totals(rows)}
        for key, flow in (("Invoice", "10.2"), ("Transactions", "10.4")):
            if pay and pay.get(key):
                subs = [s for p in pay[key] for s in p["Payment"]["SubTotals"]]
                rows = [(_v(s.get("CurrencyCode")), {"amount": _dec(s.get("Amount"))}) for s in subs]
                flows[flow] = {"payments": len(pay[key]), **_totals(rows)}
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "summary": self.summary,
            "report": self.data,
        }


def read_report(data: bytes, source: str) -> EreportDocument:
    """Read a structurally valid report; raises InputError naming the first structure problem."""
    from fpcli.ereporting.validate import RULES
    from fpcli.validation.document import parse_checked

    tree = parse_checked(data, source, RULES)
    return EreportDocument(source, to_data(tree.getroot(), REPORT))
