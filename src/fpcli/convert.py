"""`fpcli convert`: UBL 2.1 <-> CII D16B through fpcli's EN 16931 model, and either one into a Factur-X PDF.

Read with `fpcli.ubl.reader` / `fpcli.cii.reader`, written with `fpcli.ubl.writer` / `fpcli.cii.writer`.
What the model or the target cannot carry is listed in the result (`dropped`), never lost silently; the
output is checked with the official rules of the target syntax (its XSD and EN 16931 Schematron, as
`validate` runs them) before anything is written, and an output with errors is not written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from lxml import etree

from fpcli.cii.namespaces import RSM
from fpcli.cii.profile import Profile
from fpcli.errors import InputError, InvalidDocumentError
from fpcli.fileio import STDIO, read_input, write_output
from fpcli.model.invoice import Invoice
from fpcli.validation.findings import Report
from fpcli.xmlsafe import parse_xml, strip_bom


class Target(StrEnum):
    CII = "cii"
    UBL = "ubl"
    FACTURX = "facturx"


@dataclass(frozen=True)
class ConvertRequest:
    source: str
    output: str
    to: Target
    profile: Profile | None = None  # CII / Factur-X profile; default EN 16931
    check: bool = True
    force: bool = False
    date: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass
class ConvertResult:
    source: str
    output: str
    source_syntax: str
    to: Target
    invoice_number: str
    data: bytes
    dropped: list[str] = field(default_factory=list)  # what the model or the target could not carry
    report: Report | None = None  # the check of the output


@dataclass(frozen=True)
class ReadInvoice:
    invoice: Invoice
    syntax: str  # "CII" or "UBL"
    profile: Profile | None
    warnings: list[str]


def read_invoice(data: bytes, source: str) -> ReadInvoice:
    """A CII or UBL invoice, bare or embedded in a PDF, read into the model."""
    from fpcli.pdf.attachments import invoice_xml

    data, source = invoice_xml(data, source)
    data = strip_bom(data)
    root = parse_xml(data, source).getroot()
    if root.tag == f"{{{RSM}}}CrossIndustryInvoice":
        from fpcli.cii.reader import read_cii

        cii = read_cii(data, source)
        return ReadInvoice(cii.invoice, "CII", cii.profile, cii.warnings)
    if etree.QName(root).localname in ("Invoice", "CreditNote"):
        from fpcli.ubl.reader import read_ubl

        ubl = read_ubl(data, source)
        return ReadInvoice(ubl.invoice, "UBL", None, ubl.warnings)
    raise InputError.at(
        source,
        f"line {root.sourceline}",
        f"`{etree.QName(root).localname}` is neither a CII nor a UBL invoice",
        hint="fpcli convert reads CII, UBL 2.1 Invoice/CreditNote and Factur-X/ZUGFeRD/XRechnung PDFs",
    )


def _tax_point_for(invoice: Invoice, to: Target) -> Invoice:
    """BT-8 is a UNTDID 2475 code in CII and a UNTDID 2005 code in UBL: the same meaning, other numbers."""
    from fpcli.ubl.writer import TAX_POINT_2005, TAX_POINT_2475

    table = TAX_POINT_2005 if to is Target.UBL else TAX_POINT_2475
    code = invoice.tax_point_code
    if code is None or code not in table:
        return invoice
    return invoice.model_copy(update={"tax_point_code": table[code]})


def _gross_prices(invoice: Invoice, notes: list[str]) -> Invoice:
    """CII carries a price discount (BT-147) only inside the gross price (BT-148); UBL may state the discount
    alone. BT-146 = BT-148 - BT-147 by definition, so the gross price is derived, and said."""
    lines = []
    for i, line in enumerate(invoice.lines):
        if line.price_discount is not None and line.gross_price is None:
            gross = line.unit_price + line.price_discount
            lines.append(line.model_copy(update={"gross_price": gross}))
            notes.append(f"line {line.id or i + 1}: gross price (BT-148) derived as net price + discount")
        else:
            lines.append(line)
    return invoice.model_copy(update={"lines": lines})


def _facturx_pdf(invoice: Invoice, xml: bytes, profile: Profile, request: ConvertRequest) -> bytes:
    from fpcli.generate import pdf_metadata
    from fpcli.model.totals import compute
    from fpcli.pdf.layout import render_invoice_pdf
    from fpcli.pdf.pdfa3 import embed_xml

    pdf = render_invoice_pdf(invoice, date=request.date, computed=compute(invoice, lenient=True))
    meta = pdf_metadata(invoice, request.date)
    return embed_xml(pdf, xml, profile=profile, metadata=meta, source=request.source)


def convert(request: ConvertRequest) -> ConvertResult:
    """Read, convert, check, and only then write. Raises InvalidDocumentError (exit 1) when the output fails
    the target's rules; nothing is written then."""
    from fpcli.model.totals import compute

    name = "<stdin>" if request.source == STDIO else request.source
    read = read_invoice(read_input(request.source), name)
    invoice = _tax_point_for(read.invoice, request.to)
    dropped = list(read.warnings)
    if request.to is not Target.UBL:
        invoice = _gross_prices(invoice, dropped)
    computed = compute(invoice, lenient=True)
    dropped += list(computed.warnings)
    profile = request.profile or Profile.EN16931
    if request.to is Target.UBL:
        from fpcli.ubl.writer import to_ubl

        ubl = to_ubl(invoice, computed)
        data, dropped = ubl.xml, dropped + ubl.dropped
    else:
        from fpcli.cii.writer import to_cii

        cii = to_cii(invoice, profile, computed)
        dropped += [f"profile {profile.value} cannot carry {term}" for term in cii.dropped]
        data = cii.xml
        if request.to is Target.FACTURX:
            data = _facturx_pdf(invoice, cii.xml, profile, request)
    result = ConvertResult(name, request.output, read.syntax, request.to, invoice.number, data, dropped)
    if request.check:
        result.report = check_output(result, profile)
    write_output(request.output, data, force=request.force)
    return result


def check_output(result: ConvertResult, profile: Profile) -> Report:
    """The target's official rules, as `fpcli validate` runs them (BR-FR is `validate`'s business)."""
    from fpcli.validation.checks import ValidateOptions, validate_bytes
    from fpcli.validation.document import findings_text

    options = ValidateOptions(profile=None if result.to is Target.UBL else profile, fr=False)
    report = validate_bytes(result.data, f"{result.output} ({result.to.value})", options)
    if not report.valid:
        raise InvalidDocumentError(
            f"{result.source}: the {result.to.value} output fails its rules; nothing written\n"
            + findings_text(report),
            hint="`--no-check` writes it anyway; `fpcli validate` on the input shows whether it was valid",
        )
    return report
