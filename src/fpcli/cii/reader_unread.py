"""What a CII reader did not read: leaf elements no reader step looked at, reported as warnings.

The reader records every element it visits; whatever leaf is left over is data the EN 16931 model cannot
carry (EXTENDED-only terms, XRechnung extensions, vendor additions). Reporting leftovers, instead of listing
unsupported elements one by one, keeps the reader honest as CII grows: nothing is dropped silently.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from fpcli.cii.namespaces import QDT, RAM, RSM, UDT

_PREFIX = {
    RSM: "rsm",
    RAM: "ram",
    UDT: "udt",
    QDT: "qdt",
    # UBL, read with the same primitives (fpcli.ubl.reader)
    "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2": "cbc",
    "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2": "cac",
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2": "inv",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2": "cn",
}
_INDEX = re.compile(r"\[\d+\]")
# Leaves that carry nothing the model lacks: fixed codes ("VAT"), a name CII requires where EN 16931 has
# none (BT-11), line-level copies of BG-23 exemption reasons (EXTENDED), the gross price discount flag.
SILENT_SUFFIXES = (
    "ram:ApplicableTradeTax/ram:TypeCode",
    "ram:CategoryTradeTax/ram:TypeCode",
    "ram:AppliedTradeTax/ram:TypeCode",
    "ram:SpecifiedProcuringProject/ram:Name",
    "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason",
    "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReasonCode",
    "ram:AppliedTradeAllowanceCharge/ram:ChargeIndicator/udt:Indicator",
    # EXTENDED BG-23 sums of the lines and allowances/charges at that VAT rate: computed again from the lines
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:LineTotalBasisAmount",
    "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:AllowanceChargeBasisAmount",
)


def xpath_of(el: Any) -> str:
    """A readable XPath with the usual CII prefixes (whatever prefixes the file itself used)."""
    parts: list[str] = []
    while el is not None:
        q = etree.QName(el)
        prefix = _PREFIX.get(q.namespace or "")
        name = f"{prefix}:{q.localname}" if prefix else f"*[local-name()='{q.localname}']"
        parent = el.getparent()
        if parent is not None:
            same = [s for s in parent if s.tag == el.tag]
            if len(same) > 1:
                name += f"[{same.index(el) + 1}]"
        parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


def _is_leaf(el: Any) -> bool:
    return not any(isinstance(child.tag, str) for child in el)


def unread_warnings(root: Any, seen: set[Any]) -> list[str]:
    """One warning per kind of unread leaf (same path without indexes), with its first place and count."""
    groups: dict[str, list[Any]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or el in seen or not _is_leaf(el):
            continue
        path = xpath_of(el)
        general = _INDEX.sub("", path)
        if general.endswith(SILENT_SUFFIXES):
            continue
        groups.setdefault(general, []).append((el, path))
    out = []
    for items in groups.values():
        el, path = items[0]
        value = " ".join((el.text or "").split())
        shown = f" `{value[:60]}{'…' if len(value) > 60 else ''}`" if value else ""
        more = f" (and {len(items) - 1} more like it)" if len(items) > 1 else ""
        out.append(f"{path} line {el.sourceline}: not in the EN 16931 model, not read{shown}{more}")
    return out
