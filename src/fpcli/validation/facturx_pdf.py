"""Factur-X / ZUGFeRD specifics of the PDF container (layer "facturx").

The PDF/A-3 requirements themselves are in `fpcli.validation.pdfa`; this module checks what the
Factur-X 1.0x / ZUGFeRD 2.x specification adds on top: the name and form of the embedded invoice,
and the Factur-X XMP extension schema and its values.

| rule id   | sev.    | check                                                                          |
|-----------|---------|--------------------------------------------------------------------------------|
| FX-PDF-01 | error   | an embedded invoice named `factur-x.xml`, `zugferd-invoice.xml` or            |
|           |         | `xrechnung.xml` exists (`ZUGFeRD-invoice.xml` → FX-PDF-02, `order-x.xml` →    |
|           |         | FX-PDF-14)                                                                     |
| FX-PDF-02 | warning | the invoice is `ZUGFeRD-invoice.xml`: a ZUGFeRD 1.0 file (superseded)          |
| FX-PDF-03 | error   | only one invoice XML is embedded (not e.g. both ZUGFeRD 1 and Factur-X)        |
| FX-PDF-04 | warning | the invoice's embedded file stream has Subtype text/xml (or application/xml)   |
| FX-PDF-05 | error   | the embedded invoice is well-formed XML (parsed by `fpcli.xmlsafe`)            |
| FX-PDF-06 | warning | the invoice file specification's AFRelationship is Data, Source or Alternative |
| FX-PDF-07 | error   | the invoice file specification is listed in the catalog AF array              |
| FX-PDF-10 | error   | the XMP metadata is present and well-formed (needed for the checks below)      |
| FX-PDF-11 | error   | a pdfaExtension:schemas entry declares the Factur-X namespace                  |
|           |         | (urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#, or the ZUGFeRD 2.0 /    |
|           |         | 1.0 urn:zugferd / urn:ferd equivalents)                                        |
| FX-PDF-12 | error   | that schema declares DocumentFileName, DocumentType, Version, ConformanceLevel |
| FX-PDF-13 | error   | fx:DocumentFileName is present and equals the embedded invoice's name          |
| FX-PDF-14 | error   | fx:DocumentType is INVOICE (ORDER, Order-X, gives an info finding)             |
| FX-PDF-15 | error   | fx:ConformanceLevel is a known level and equals the XML's profile              |
| FX-PDF-16 | error   | fx:Version is present                                                          |
| FX-PDF-17 | error   | the PDF claims PDF/A-3 (pdfaid:part = 3), as Factur-X requires                 |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fpcli.errors import InputError
from fpcli.pdf.streams import decoded_size
from fpcli.validation.findings import Finding
from fpcli.validation.pdfa import Xmp, _Collector, _ref, read_xmp
from fpcli.xmlsafe import parse_xml

if TYPE_CHECKING:
    import pikepdf

LAYER = "facturx"
RULE_SET = "Factur-X 1.0 / ZUGFeRD 2 PDF container (fpcli)"

NS_PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
NS_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
NS_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_PDFAID = "http://www.aiim.org/pdfa/ns/id/"

FX_NAMESPACES = (
    "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    "urn:zugferd:pdfa:CrossIndustryDocument:invoice:2p0#",
    "urn:ferd:pdfa:CrossIndustryDocument:invoice:1p0#",
)
ORDER_X_NAMESPACES = ("urn:factur-x:pdfa:CrossIndustryDocument:1p0#",)
FX_PROPERTIES = ("DocumentFileName", "DocumentType", "Version", "ConformanceLevel")

INVOICE_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")
ZUGFERD1_NAME = "ZUGFeRD-invoice.xml"
ORDER_X_NAME = "order-x.xml"
CONFORMANCE_LEVELS = frozenset(
    {"MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED", "XRECHNUNG", "COMFORT"}
)
XML_MIME_TYPES = frozenset({"/text/xml", "/application/xml"})
GOOD_RELATIONSHIPS = frozenset({"/Data", "/Source", "/Alternative"})
MAX_ATTACHMENTS = 1_000
MAX_INVOICE_BYTES = 50 * 1024 * 1024


@dataclass
class Attachment:
    name: str
    spec: Any  # pikepdf.Dictionary, the file specification


def embedded_files(pdf: pikepdf.Pdf) -> list[Attachment]:
    """The files of the EmbeddedFiles name tree and of the catalog AF array (deduplicated, bounded)."""
    import pikepdf

    from fpcli.pdf.attachments import file_identities

    found: list[Attachment] = []
    seen: set[tuple[str, int, int]] = set()

    def add(key: str, spec: Any) -> None:
        if not isinstance(spec, pikepdf.Dictionary) or "/EF" not in spec:
            return
        ids = file_identities(spec)  # one file referenced twice (name tree and /AF, or a copy) counts once
        if ids & seen:
            return
        seen.update(ids)
        name = str(spec.get("/UF") or spec.get("/F") or key)
        found.append(Attachment(name, spec))

    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and isinstance(names.get("/EmbeddedFiles"), pikepdf.Dictionary):
        try:
            tree = pikepdf.NameTree(names.EmbeddedFiles)
            for i, (key, spec) in enumerate(tree.items()):
                if i >= MAX_ATTACHMENTS:
                    break
                add(str(key), spec)
        except (pikepdf.PdfError, ValueError, TypeError):
            pass
    af = pdf.Root.get("/AF")
    if isinstance(af, pikepdf.Array):
        for spec in list(af)[:MAX_ATTACHMENTS]:
            add("", spec)
    return found


def _is_invoice_name(name: str) -> bool:
    return name in {*INVOICE_NAMES, ZUGFERD1_NAME, ORDER_X_NAME}


def _norm_level(label: str) -> str:
    text = " ".join(label.upper().split())
    for prefix in ("ZUGFERD 1.0 ", "ZUGFERD1 ", "ZUGFERD 1 "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = {"KOMFORT": "COMFORT", "EN16931": "EN 16931", "BASICWL": "BASIC WL", "BASIC-WL": "BASIC WL"}.get(
        text, text
    )
    return text.replace(" ", "")


def _extension_schemas(xmp: Xmp) -> dict[str, set[str]]:
    """namespace URI -> property names, for each pdfaExtension:schemas entry."""
    declared: dict[str, set[str]] = {}
    if xmp.root is None:
        return declared
    for schemas in xmp.root.iter(f"{{{NS_PDFA_EXTENSION}}}schemas"):
        for li in schemas.iterfind(f"./{{{NS_RDF}}}Bag/{{{NS_RDF}}}li"):
            entries = [li, *li.iterfind(f"./{{{NS_RDF}}}Description")]
            uri = None
            props: set[str] = set()
            for entry in entries:
                el = entry.find(f"{{{NS_PDFA_SCHEMA}}}namespaceURI")
                if el is not None and el.text:
                    uri = el.text.strip()
                elif f"{{{NS_PDFA_SCHEMA}}}namespaceURI" in entry.attrib:
                    uri = str(entry.attrib[f"{{{NS_PDFA_SCHEMA}}}namespaceURI"]).strip()
                for name_el in entry.iter(f"{{{NS_PDFA_PROPERTY}}}name"):
                    if name_el.text:
                        props.add(name_el.text.strip())
                for desc in entry.iter(f"{{{NS_RDF}}}Description"):
                    value = desc.get(f"{{{NS_PDFA_PROPERTY}}}name")
                    if value:
                        props.add(value.strip())
            if uri:
                declared.setdefault(uri, set()).update(props)
    return declared


def check_facturx_pdf(
    pdf: pikepdf.Pdf,
    source: str,
    *,
    xml_profile_label: str | None,
    attachment_name: str | None,
) -> list[Finding]:
    """Factur-X PDF container checks (see the module docstring). Never raises on a bad PDF.

    `xml_profile_label` is the profile detected from the embedded XML (MINIMUM, BASIC WL, BASIC,
    EN 16931, EXTENDED, XRECHNUNG), or None when unknown. `attachment_name` is the embedded file the
    caller took the invoice from, or None to let this function find it.
    """
    import pikepdf

    out = _Collector(source, layer=LAYER, rule_set=RULE_SET)
    try:
        _check(pdf, out, xml_profile_label, attachment_name)
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        out.add("FX-PDF-10", "error", f"the PDF could not be fully checked: {first}", None)
    return out.result()


def _check(pdf: Any, out: _Collector, xml_profile_label: str | None, attachment_name: str | None) -> None:
    files = embedded_files(pdf)
    invoices = [a for a in files if _is_invoice_name(a.name)]
    invoice: Attachment | None = None
    if attachment_name is not None:
        invoice = next((a for a in files if a.name == attachment_name), None)
        if not _is_invoice_name(attachment_name):
            out.add(
                "FX-PDF-01",
                "error",
                f"the invoice is embedded as {attachment_name!r}, not as one of {', '.join(INVOICE_NAMES)}",
                "embedded files",
            )
    elif invoices:
        invoice = invoices[0]
    if attachment_name is None and not invoices:
        listed = ", ".join(repr(a.name) for a in files[:5]) or "none"
        out.add(
            "FX-PDF-01",
            "error",
            f"no embedded file is named {', '.join(INVOICE_NAMES)} (embedded files: {listed})",
            "embedded files",
        )
    if len(invoices) > 1:
        out.add(
            "FX-PDF-03",
            "error",
            "several invoice XML files are embedded: " + ", ".join(repr(a.name) for a in invoices),
            "embedded files",
        )
    name = attachment_name or (invoice.name if invoice else None)
    if name == ZUGFERD1_NAME or any(a.name == ZUGFERD1_NAME for a in invoices):
        out.add(
            "FX-PDF-02",
            "warning",
            f"{ZUGFERD1_NAME!r} is a ZUGFeRD 1.0 invoice, superseded by Factur-X / ZUGFeRD 2",
            "embedded files",
        )
    if invoice is not None:
        _check_invoice_attachment(pdf, invoice, out)
    _check_xmp(pdf, out, xml_profile_label, name)


def _check_invoice_attachment(pdf: Any, invoice: Attachment, out: _Collector) -> None:
    import pikepdf

    spec = invoice.spec
    where = f"embedded file {invoice.name!r} ({_ref(spec)})"
    ef = spec.get("/EF")
    stream = ef.get("/F") if isinstance(ef, pikepdf.Dictionary) else None
    if isinstance(stream, pikepdf.Stream):
        subtype = stream.stream_dict.get("/Subtype")
        if subtype is not None and str(subtype) not in XML_MIME_TYPES:
            out.add(
                "FX-PDF-04",
                "warning",
                f"the invoice's MIME type is {str(subtype)[1:]}, not text/xml",
                where,
            )
        if decoded_size(stream, MAX_INVOICE_BYTES) is None:  # decoded, not the compressed /Length
            out.add("FX-PDF-05", "error", "the embedded invoice decodes to more than 50 MiB", where)
        else:
            try:
                data = stream.read_bytes()
                parse_xml(data, f"{out.source}: {invoice.name}")
            except InputError as exc:
                out.add(
                    "FX-PDF-05", "error", f"the embedded invoice is not well-formed XML: {exc.message}", where
                )
            except pikepdf.PdfError as exc:
                out.add("FX-PDF-05", "error", f"the embedded invoice cannot be decoded: {exc}", where)
    else:
        out.add("FX-PDF-05", "error", "the invoice file specification has no embedded file stream", where)
    relationship = spec.get("/AFRelationship")
    if relationship is not None and str(relationship) not in GOOD_RELATIONSHIPS:
        out.add(
            "FX-PDF-06",
            "warning",
            f"AFRelationship is {str(relationship)[1:]}; Factur-X expects Data, Source or Alternative",
            where,
        )
    af = pdf.Root.get("/AF")
    listed = False
    if isinstance(af, pikepdf.Array):
        for item in af:
            if isinstance(item, pikepdf.Dictionary) and (
                (item.is_indirect and spec.is_indirect and item.objgen == spec.objgen)
                or str(item.get("/UF") or item.get("/F") or "") == invoice.name
            ):
                listed = True
                break
    if not listed:
        out.add("FX-PDF-07", "error", "the invoice is not listed in the catalog AF array", where)


def _check_xmp(pdf: Any, out: _Collector, xml_profile_label: str | None, name: str | None) -> None:
    xmp = read_xmp(pdf, out.source)
    if xmp is None:
        out.add(
            "FX-PDF-10",
            "error",
            "the PDF has no XMP metadata: the Factur-X XMP properties are missing",
            "XMP",
        )
        return
    if xmp.root is None:
        out.add("FX-PDF-10", "error", f"the XMP metadata cannot be read: {xmp.error}", "XMP")
        return
    part = xmp.prop(NS_PDFAID, "part")
    if part != "3":
        out.add(
            "FX-PDF-17",
            "error",
            "the PDF does not claim PDF/A-3 (pdfaid:part is "
            + (repr(part) if part is not None else "missing")
            + "); Factur-X requires PDF/A-3",
            "XMP pdfaid:part",
        )
    declared = _extension_schemas(xmp)
    namespace = next((ns for ns in (*FX_NAMESPACES, *ORDER_X_NAMESPACES) if ns in declared), None)
    if namespace is None:
        out.add(
            "FX-PDF-11",
            "error",
            f"the XMP has no PDF/A extension schema for the Factur-X namespace {FX_NAMESPACES[0]}",
            "XMP pdfaExtension:schemas",
        )
        # still read the values, from whichever Factur-X namespace carries them
        namespace = next(
            (ns for ns in (*FX_NAMESPACES, *ORDER_X_NAMESPACES) if xmp.prop(ns, "DocumentType") is not None),
            None,
        )
        if namespace is None:
            return
    else:
        missing = [p for p in FX_PROPERTIES if p not in declared[namespace]]
        if missing:
            out.add(
                "FX-PDF-12",
                "error",
                f"the Factur-X extension schema does not declare {', '.join(missing)}",
                "XMP pdfaExtension:schemas",
            )
    file_name = xmp.prop(namespace, "DocumentFileName")
    if file_name is None:
        out.add("FX-PDF-13", "error", "the XMP has no fx:DocumentFileName", "XMP fx:DocumentFileName")
    elif name is not None and file_name != name:
        out.add(
            "FX-PDF-13",
            "error",
            f"fx:DocumentFileName is {file_name!r} but the embedded invoice is {name!r}",
            "XMP fx:DocumentFileName",
        )
    doc_type = xmp.prop(namespace, "DocumentType")
    if doc_type is None:
        out.add("FX-PDF-14", "error", "the XMP has no fx:DocumentType", "XMP fx:DocumentType")
    elif doc_type == "ORDER":
        out.add("FX-PDF-14", "info", "fx:DocumentType is ORDER: an Order-X document", "XMP fx:DocumentType")
    elif doc_type != "INVOICE":
        out.add("FX-PDF-14", "error", f"fx:DocumentType is {doc_type!r}, not INVOICE", "XMP fx:DocumentType")
    level = xmp.prop(namespace, "ConformanceLevel")
    if level is None:
        out.add("FX-PDF-15", "error", "the XMP has no fx:ConformanceLevel", "XMP fx:ConformanceLevel")
    elif level not in CONFORMANCE_LEVELS:
        out.add(
            "FX-PDF-15",
            "error",
            f"fx:ConformanceLevel {level!r} is not one of {', '.join(sorted(CONFORMANCE_LEVELS))}",
            "XMP fx:ConformanceLevel",
        )
    elif xml_profile_label is not None and _norm_level(level) != _norm_level(xml_profile_label):
        out.add(
            "FX-PDF-15",
            "error",
            f"fx:ConformanceLevel is {level!r} but the embedded XML is {xml_profile_label}",
            "XMP fx:ConformanceLevel",
        )
    if xmp.prop(namespace, "Version") is None:
        out.add("FX-PDF-16", "error", "the XMP has no fx:Version", "XMP fx:Version")
