"""What a file is, for the PA's `flowInfo`: syntax (CII, UBL, Factur-X, CDAR, FRR) and profile, read
from its content.

AFNOR XP Z12-013 1.3.0 `FlowInfo` carries no flow type (the PA computes it and returns it in `Flow.flowType`):
fpcli sends the syntax, the profile, the processing rule when given, the file's SHA-256 and a tracking id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from lxml import etree

from fpcli.errors import InputError
from fpcli.xmlsafe import parse_xml

SYNTAXES = ("CII", "UBL", "Factur-X", "CDAR", "FRR")
PROCESSING_RULES = (
    "B2B", "B2BInt", "B2C", "B2G", "B2GInt", "OutOfScope", "B2GOutOfScope", "ArchiveOnly", "NotApplicable",
    "Undefined",
)  # fmt: skip
ROOTS = {
    "CrossIndustryInvoice": "CII",
    "Invoice": "UBL",
    "CreditNote": "UBL",
    "CrossDomainAcknowledgementAndResponse": "CDAR",
    "Report": "FRR",
}
CTC_FR = "extended-ctc-fr"


@dataclass(frozen=True)
class FlowFile:
    name: str
    data: bytes
    syntax: str
    profile: str | None
    media_type: str

    @property
    def filename(self) -> str:
        """The name sent to the platform: the file's own name, never the local path."""
        return PurePath(self.name).name if self.name != "-" else "stdin"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def flow_info(self, tracking_id: str, processing_rule: str | None) -> dict[str, Any]:
        info: dict[str, Any] = {
            "trackingId": tracking_id,
            "name": self.filename[:255],
            "flowSyntax": self.syntax,
        }
        if self.profile:
            info["flowProfile"] = self.profile
        if processing_rule:
            info["processingRule"] = processing_rule
        info["sha256"] = self.sha256
        return info


def _profile(guideline: str | None) -> str | None:
    if not guideline:
        return None
    if CTC_FR in guideline.lower():
        return "Extended-CTC-FR"
    if "#" in guideline:  # a CIUS or extension of EN 16931 (Factur-X profiles included)
        return "CIUS" if "#compliant#" in guideline or "#conformant#" in guideline else "Basic"
    return "Basic"


def _guideline(root: Any) -> str | None:
    hits = root.xpath(
        "//*[local-name()='GuidelineSpecifiedDocumentContextParameter']/*[local-name()='ID']/text()"
        " | /*/*[local-name()='CustomizationID']/text()"
    )
    return str(hits[0]).strip() if hits else None


def classify(name: str, data: bytes, *, syntax: str | None = None) -> FlowFile:
    """Read enough of the file to name its syntax and profile; refuse what a PA cannot take."""
    from fpcli.pdf.reading import is_pdf

    if is_pdf(data):
        from fpcli.pdf.attachments import extract_xml

        xml = extract_xml(data, name).data
        root = parse_xml(xml, name).getroot()
        return FlowFile(name, data, syntax or "Factur-X", _profile(_guideline(root)), "application/pdf")
    root = parse_xml(data, name).getroot()
    local = etree.QName(root).localname
    detected = ROOTS.get(local)
    if syntax is None and detected is None:
        raise InputError.at(
            name,
            None,
            f"root element `{local}` is not an invoice, CDAR message or e-reporting file",
            hint="give `--syntax` if the PA accepts it anyway",
        )
    chosen = syntax or detected or "CII"
    profile = _profile(_guideline(root)) if chosen in ("CII", "UBL") else None
    return FlowFile(name, data, chosen, profile, "application/xml")
