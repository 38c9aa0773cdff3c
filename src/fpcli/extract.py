"""`fpcli extract`: the invoice XML out of a Factur-X/ZUGFeRD PDF, optionally read into the model."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fpcli.errors import InputError
from fpcli.fileio import STDIO, read_input
from fpcli.xmlsafe import parse_xml


@dataclass
class ExtractResult:
    source: str
    xml: bytes
    attachment: str | None
    profile: str | None = None
    guideline_id: str | None = None
    invoice: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "source": self.source,
            "attachment": self.attachment,
            "guideline_id": self.guideline_id,
            "profile": self.profile,
            "invoice": self.invoice,
            "warnings": self.warnings,
        }

    def to_json_bytes(self) -> bytes:
        return (json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n").encode()


def extract_invoice(source: str, *, want_model: bool) -> ExtractResult:
    name = "<stdin>" if source == STDIO else source
    data = read_input(source)
    if not data.strip():  # nothing to extract: never write an empty "invoice"
        raise InputError.at(name, None, "empty file: neither a PDF nor XML")
    attachment: str | None = None
    from fpcli.pdf.reading import is_pdf

    if is_pdf(data):
        from fpcli.pdf.attachments import extract_xml

        found = extract_xml(data, name)
        data, attachment = found.data, found.filename
    elif not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        # 300 random bytes named x.pdf: an input error, never an "extracted" x.xml
        raise InputError.at(name, None, "neither a PDF (no `%PDF-` header) nor XML")
    else:
        parse_xml(data, name)  # what is written as the invoice XML must at least be XML
    result = ExtractResult(source=name, xml=data, attachment=attachment)
    if want_model:
        from fpcli.cii.reader import read_cii

        doc = read_cii(data, f"{name}:{attachment}" if attachment else name)
        result.invoice = doc.invoice.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        result.profile = doc.profile.value if doc.profile else None
        result.guideline_id = doc.guideline_id
        result.warnings = doc.warnings
    return result
