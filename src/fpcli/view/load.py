"""What `fpcli view` shows, read with fpcli's own readers: a view is a rendering of their result objects.

A file is sniffed (PDF, CII, UBL, CDAR, flux 10), read by the reader of its kind (`fpcli.cii.reader`,
`fpcli.ubl.reader`, `fpcli.lifecycle.read`, `fpcli.ereporting.read`; PDFs through `fpcli.pdf.attachments`),
and, unless told not to, validated with the same rules as `fpcli validate` so findings can sit beside the
fields they concern. Attachments are listed from both places they can be: the PDF's embedded files and the
invoice's BG-24 binary objects.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lxml import etree

from fpcli.cii.namespaces import RAM, RSM
from fpcli.errors import FpcliError, InputError
from fpcli.fileio import STDIO, read_input
from fpcli.model.invoice import Invoice
from fpcli.validation.findings import Finding, Report
from fpcli.xmlsafe import parse_xml, strip_bom

Kind = Literal["invoice", "cdar", "ereport", "outline", "error"]
ZUGFERD1_NS = "urn:ferd:CrossIndustryDocument:invoice:1p0"
MAX_OUTLINE = 5000  # elements shown in an outline: a page people can still scroll
CDAR_NS = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
UBL_NAMESPACES = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
)
MAX_ATTACHMENT = 50 * 1024 * 1024  # decoded size, as for PDF attachments


@dataclass(frozen=True)
class Attachment:
    name: str
    mime: str | None
    data: bytes
    origin: str  # "pdf" (embedded file) or "xml" (BG-24 binary object)
    description: str | None = None
    relationship: str | None = None
    is_invoice: bool = False  # the invoice XML the view shows

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class OutlineRow:
    depth: int
    name: str
    attributes: tuple[tuple[str, str], ...]
    text: str


@dataclass
class Viewed:
    """One file as the view shows it."""

    source: str
    kind: Kind
    syntax: str = ""  # "CII", "UBL", "CDAR", "flux 10"
    container: str = "xml"  # or "pdf"
    guideline_id: str | None = None
    invoice: Invoice | None = None
    summary: dict[str, Any] | None = None  # CDAR / flux 10 summary from their readers
    data: dict[str, Any] | None = None  # the whole CDAR / flux 10 message as data
    warnings: list[str] = field(default_factory=list)  # what the reader could not put in the model
    report: Report | None = None  # None with --no-check
    attachments: list[Attachment] = field(default_factory=list)
    error: str | None = None  # the one-line reason a file could not be read (kind "error")
    outline: list[OutlineRow] = field(default_factory=list)  # kind "outline": the XML as it is

    @property
    def findings(self) -> list[Finding]:
        return self.report.findings if self.report else []


def _sniff(data: bytes, source: str) -> tuple[str, Any]:
    tree = parse_xml(strip_bom(data), source)
    root = tree.getroot()
    q = etree.QName(root)
    if root.tag == f"{{{RSM}}}CrossIndustryInvoice":
        return "CII", tree
    if q.namespace in UBL_NAMESPACES:
        return "UBL", tree
    if q.namespace == ZUGFERD1_NS:
        return "ZUGFeRD 1.0", tree
    if q.namespace == CDAR_NS:
        return "CDAR", tree
    if q.localname == "Report" and q.namespace is None:
        return "flux 10", tree
    raise InputError.at(
        source,
        f"line {root.sourceline}",
        f"`{q.localname}` is not something fpcli can show",
        hint="fpcli view reads CII, UBL, Factur-X/ZUGFeRD/XRechnung PDFs, CDAR and flux 10 e-reports",
    )


def _xml_attachments(tree: Any, source: str) -> list[Attachment]:
    """BG-24 binary objects (BT-125) of a CII or UBL invoice, base64-decoded."""
    out = []
    paths = (
        (f".//{{{RAM}}}AdditionalReferencedDocument", f"{{{RAM}}}AttachmentBinaryObject", f"{{{RAM}}}Name"),
        (
            ".//{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
            "AdditionalDocumentReference",
            ".//{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
            "EmbeddedDocumentBinaryObject",
            "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}DocumentDescription",
        ),
    )
    for ref_path, bin_path, desc_path in paths:
        for ref in tree.iterfind(ref_path):
            binary = ref.find(bin_path)
            if binary is None:
                continue
            raw = "".join((binary.text or "").split())
            if len(raw) * 3 // 4 > MAX_ATTACHMENT:
                raise InputError.at(source, f"line {binary.sourceline}", "attachment over the 50 MiB limit")
            try:
                data = base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                data = b""  # shown as empty: its content is not base64
            name = (binary.get("filename") or "").strip() or f"attachment-line-{binary.sourceline}"
            out.append(
                Attachment(
                    name=name,
                    mime=binary.get("mimeCode"),
                    data=data,
                    origin="xml",
                    description=(ref.findtext(desc_path) or "").strip() or None,
                )
            )
    return out


MAX_ATTACHMENTS_TOTAL = 200 << 20  # decoded bytes of all attachments of one PDF shown by `view`


def _pdf_files(data: bytes, source: str) -> tuple[bytes, list[Attachment]]:
    """The invoice XML of a PDF (the one `fpcli extract` takes) and every embedded file, each once."""
    from fpcli.pdf.attachments import _candidates, _payload, extract_xml
    from fpcli.pdf.reading import open_pdf

    invoice = extract_xml(data, source)
    pdf = open_pdf(data, source)
    out = []
    total = 0
    for name, spec in _candidates(pdf, source):  # each file once, however often referenced
        payload, mime = _payload(spec, name, source)  # each bounded on its decoded size
        total += len(payload)
        if total > MAX_ATTACHMENTS_TOTAL:  # many bounded files are still a bomb together
            raise InputError.at(
                source,
                f"attachment `{name}`",
                f"attachments decode to more than {MAX_ATTACHMENTS_TOTAL >> 20} MiB",
            )
        rel = spec.get("/AFRelationship")
        desc = spec.get("/Desc")
        out.append(
            Attachment(
                name=name,
                mime=mime,
                data=payload,
                origin="pdf",
                description=str(desc) if desc is not None else None,
                relationship=str(rel)[1:] if rel is not None else None,
                is_invoice=name == invoice.filename and payload == invoice.data,
            )
        )
    return invoice.data, out


def _read(viewed: Viewed, data: bytes, check: bool) -> None:
    source = viewed.source
    from fpcli.pdf.reading import is_pdf

    if is_pdf(data):
        viewed.container = "pdf"
        xml, viewed.attachments = _pdf_files(data, source)
        invoice_name = next((a.name for a in viewed.attachments if a.is_invoice), "invoice XML")
        where = f"{source}:{invoice_name}"
    else:
        xml, where = data, source
    syntax, tree = _sniff(xml, where)
    viewed.syntax = syntax
    try:
        _read_kind(viewed, syntax, strip_bom(xml), where)
    except InputError as exc:
        # Well-formed but not readable into fpcli's model: show the XML as it is, and say why.
        viewed.kind, viewed.warnings = "outline", exc.message.splitlines()
    if viewed.kind == "outline":
        viewed.outline = outline(tree.getroot())
    if syntax in ("CII", "UBL"):
        viewed.attachments += _xml_attachments(tree, where)
    if check:
        viewed.report = _check(viewed, data)


def _read_kind(viewed: Viewed, syntax: str, xml: bytes, where: str) -> None:
    if syntax == "CII":
        from fpcli.cii.reader import read_cii

        doc = read_cii(xml, where)
        viewed.kind, viewed.invoice, viewed.warnings = "invoice", doc.invoice, doc.warnings
        viewed.guideline_id = doc.guideline_id or None
    elif syntax == "UBL":
        from fpcli.ubl.reader import read_ubl

        ubl = read_ubl(xml, where)
        viewed.kind, viewed.invoice, viewed.warnings = "invoice", ubl.invoice, ubl.warnings
        viewed.guideline_id = ubl.customization_id or None
    elif syntax == "CDAR":
        from fpcli.lifecycle.read import read_cdar

        msg = read_cdar(xml, where)
        viewed.kind, viewed.summary, viewed.data = "cdar", msg.summary, msg.data
        viewed.guideline_id = msg.summary.get("guideline")
    elif syntax == "flux 10":
        from fpcli.ereporting.read import read_report

        rep = read_report(xml, where)
        viewed.kind, viewed.summary, viewed.data = "ereport", rep.summary, rep.data
    else:  # ZUGFeRD 1.0 predates EN 16931: fpcli has no model for it
        viewed.kind = "outline"


def outline(root: Any) -> list[OutlineRow]:
    """The elements of a document in order, indented, with their attributes and text (comments left out)."""
    rows: list[OutlineRow] = []

    def walk(el: Any, depth: int) -> None:
        if len(rows) >= MAX_OUTLINE:
            return
        attrs = tuple((etree.QName(k).localname, v) for k, v in el.attrib.items())
        rows.append(OutlineRow(depth, etree.QName(el).localname, attrs, " ".join((el.text or "").split())))
        for child in el:
            if isinstance(child.tag, str):
                walk(child, depth + 1)

    walk(root, 0)
    return rows


def _check(viewed: Viewed, data: bytes) -> Report:
    if viewed.syntax == "CDAR":
        from fpcli.lifecycle.validate import validate_cdar

        return validate_cdar(data, viewed.source)
    if viewed.syntax == "flux 10":
        from fpcli.ereporting.validate import validate_report

        return validate_report(data, viewed.source)
    from fpcli.validation.checks import ValidateOptions, validate_bytes

    # A PDF's pages are also compared with its XML (`validate --visible`): what one reads is what is sent
    return validate_bytes(data, viewed.source, ValidateOptions(visible=viewed.container == "pdf"))


def load(path: str, *, check: bool = True) -> Viewed:
    """Read one file for the view. An unreadable file gives a Viewed of kind "error" with the reason, so one
    bad file in a batch does not hide the others."""
    source = "<stdin>" if path == STDIO else path
    viewed = Viewed(source=source, kind="error")
    try:
        data = read_input(path)
        _read(viewed, data, check)
    except FpcliError as exc:
        return Viewed(source=source, kind="error", error=exc.message.splitlines()[0] if exc.message else "")
    return viewed


def safe_name(name: str, taken: set[str]) -> str:
    """A file name for an attachment that cannot leave the target directory nor overwrite a sibling: the last
    path component, control and reserved characters replaced, made unique among `taken`."""
    base = Path(name.replace("\\", "/")).name.strip().lstrip(".")
    base = "".join("_" if (c in '<>:"|?*' or ord(c) < 32) else c for c in base)[:200] or "attachment"
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        stem, dot, ext = base.rpartition(".")
        candidate = f"{stem}-{n}.{ext}" if dot and stem else f"{base}-{n}"
    taken.add(candidate.lower())
    return candidate
