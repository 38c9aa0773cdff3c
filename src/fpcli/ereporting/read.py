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


def _sum(values: list[Any]) -> str:
    return str(sum((Decimal(_v(x) or "0") for x in values), Decimal(0)))


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
            flows["10.1"] = {
                "invoices": len(inv),
                "taxable": _sum([i["MonetaryTotal"].get("TaxExclusiveAmount") for i in inv]),
                "vat": _sum([i["MonetaryTotal"].get("TaxAmount") for i in inv]),
            }
        if tx and tx.get("Transactions"):
            t = tx["Transactions"]
            flows["10.3"] = {
                "days_and_categories": len(t),
                "taxable": _sum([x.get("TaxExclusiveAmount") for x in t]),
                "vat": _sum([x.get("TaxTotal") for x in t]),
            }
        for key, flow in (("Invoice", "10.2"), ("Transactions", "10.4")):
            if pay and pay.get(key):
                amounts = [s.get("Amount") for p in pay[key] for s in p["Payment"]["SubTotals"]]
                flows[flow] = {"payments": len(pay[key]), "amount": _sum(amounts)}
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
