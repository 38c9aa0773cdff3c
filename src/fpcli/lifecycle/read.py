"""Reading a CDAR message: the whole message as data (lossless, see `fpcli.xmlshape`) and a summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fpcli.lifecycle.shape import CDAR
from fpcli.lifecycle.statuses import STATUSES
from fpcli.xmlshape import to_data

SCHEMA_VERSION = 1


def _text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _when(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    return _text(value.get("DateTimeString")) or _text(value.get("DateTime"))


def _party(p: dict[str, Any]) -> dict[str, Any]:
    ids = [
        {"id": _text(g), "scheme": g.get("@schemeID") if isinstance(g, dict) else None}
        for g in p.get("GlobalID", [])
    ]
    uri = p.get("URIUniversalCommunication", {}).get("URIID")
    return {"role": _text(p.get("RoleCode")), "name": _text(p.get("Name")), "ids": ids, "address": _text(uri)}


def _reference(ref: dict[str, Any]) -> dict[str, Any]:
    code = _text(ref.get("ProcessConditionCode"))
    known = STATUSES.get(code or "")
    details = []
    for d in ref.get("SpecifiedDocumentStatus", []):
        details.append(
            {
                "reason": _text(d.get("ReasonCode")),
                "reason_text": _text(_first(d.get("Reason"))),
                "action": _text(d.get("RequestedActionCode")),
                "note": _text(_first(_first(d.get("IncludedNote", [{}])).get("Content"))),
                "amounts": [
                    {
                        "type": _text(c.get("TypeCode")),
                        "amount": _text(c.get("ValueAmount")),
                        "currency": c["ValueAmount"].get("@currencyID")
                        if isinstance(c.get("ValueAmount"), dict)
                        else None,
                        "vat_rate": _text(c.get("ValuePercent")),
                    }
                    for c in d.get("SpecifiedDocumentCharacteristic", [])
                    if c.get("ValueAmount") is not None
                ],
            }
        )
    return {
        "invoice": _text(ref.get("IssuerAssignedID")),
        "invoice_type": _text(ref.get("TypeCode")),
        "invoice_date": _when(ref.get("FormattedIssueDateTime")),
        "status": code,
        "status_name": known.name if known else _text(_first(ref.get("ProcessCondition"))),
        "to_tax_administration": known.to_ppf if known else None,
        "details": details,
    }


@dataclass
class CdarMessage:
    source: str
    data: dict[str, Any]

    @property
    def summary(self) -> dict[str, Any]:
        doc = self.data["ExchangedDocument"]
        acks = self.data["AcknowledgementDocument"]
        return {
            "id": _text(doc.get("ID")),
            "issued": _when(doc.get("IssueDateTime")),
            "guideline": _text(
                self.data.get("ExchangedDocumentContext", {})
                .get("GuidelineSpecifiedDocumentContextParameter", {})
                .get("ID")
            ),
            "phase": _text(acks[0].get("TypeCode")),
            "status_date": _when(acks[0].get("IssueDateTime")),
            "sender": _party(doc.get("SenderTradeParty", {})),
            "issuer": _party(doc.get("IssuerTradeParty", {})),
            "recipients": [_party(p) for p in doc.get("RecipientTradeParty", [])],
            "references": [_reference(r) for a in acks for r in a["ReferenceReferencedDocument"]],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "source": self.source,
            "summary": self.summary,
            "message": self.data,
        }


def read_cdar(data: bytes, source: str) -> CdarMessage:
    """Read a structurally valid CDAR message; raises InputError naming the first structure problem."""
    from fpcli.lifecycle.validate import RULES
    from fpcli.validation.document import parse_checked

    tree = parse_checked(data, source, RULES)
    return CdarMessage(source, to_data(tree.getroot(), CDAR))
