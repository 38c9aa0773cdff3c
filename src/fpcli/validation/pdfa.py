"""fpcli's own PDF/A-2/3 checks (ISO 19005-2/3), for the requirements invoices break in practice.

This is not a full PDF/A validator (use veraPDF for that): it checks, with pikepdf, the subset of
ISO 19005-3 that Factur-X / ZUGFeRD invoices get wrong, and names each finding after the veraPDF
rule that checks the same requirement (clause-testNumber of the veraPDF PDF/A-3B profile), so a
finding can be compared with a veraPDF report. Rule ids are ``PDFA-<clause>-<testNumber>``.

| rule id             | sev.    | check                                                                     |
|---------------------|---------|---------------------------------------------------------------------------|
| PDFA-6.1.3-1        | error   | trailer has an ID (two non-empty file identifiers)                        |
| PDFA-6.1.3-2        | error   | no Encrypt in the trailer (file is encrypted)                             |
| PDFA-6.1.7.1-3      | error   | no stream dictionary with F / FFilter / FDecodeParms (external data)      |
| PDFA-6.2.2-2        | error   | a form XObject or Type3 font naming a resource has Resources of its own   |
| PDFA-6.2.3-1        | error   | GTS_PDFA1 OutputIntent DestOutputProfile is a readable ICC profile:       |
|                     |         | 128-byte header, 'acsp', size, class prtr/mntr, space RGB/CMYK/GRAY,      |
|                     |         | version < 5, N matching the header colour space                           |
| PDFA-6.2.3-2        | error   | all OutputIntents with a DestOutputProfile share the same profile object  |
| PDFA-6.2.4.3-2/3/4  | error   | DeviceRGB / DeviceCMYK / DeviceGray used without a matching PDF/A         |
|                     |         | OutputIntent (or Default colour space) — from content stream operators,   |
|                     |         | image XObjects, shadings, patterns, d0 Type3 glyphs, the initial colour   |
| PDFA-6.2.9-2        | error   | no reference XObject (form XObject with Ref)                              |
| PDFA-6.2.10-1       | error   | ExtGState blend modes (BM) are ISO 32000-1 ones                           |
| PDFA-6.2.10-2       | error   | a page with transparency (Group /S /Transparency, soft mask, constant     |
|                     |         | alpha < 1, non-Normal BM, image SMask) has a Group /CS when there is no   |
|                     |         | PDF/A OutputIntent                                                        |
| PDFA-6.2.11.4.1-1   | error   | every font used to render text (Tf + show operator, Tr != 3) on pages,    |
|                     |         | form XObjects and annotation appearances is embedded (FontFile,           |
|                     |         | FontFile2, FontFile3; the descendant of a Type0); Type3 is exempt         |
| PDFA-6.3.1-1        | error   | annotation subtype is known and not 3D / Sound / Screen / Movie           |
| PDFA-6.3.2-1        | error   | annotation (other than Popup) has an F key                                |
| PDFA-6.3.2-2        | error   | annotation flags: Print set; Hidden, Invisible, ToggleNoView, NoView off  |
| PDFA-6.3.3-1        | error   | annotation (not Popup/Link, non-zero Rect) has an appearance dictionary   |
| PDFA-6.3.3-2        | error   | appearance dictionary holds only N                                        |
| PDFA-6.3.3-3/4      | error   | N is a dictionary of states for Btn widgets, a stream for the others      |
| PDFA-6.5.1-1        | error   | no Launch, JavaScript, Sound, Movie, ResetForm, ImportData, Hide,         |
|                     |         | SetOCGState, Rendition, Trans, GoTo3DView, SetState, NOP action anywhere  |
|                     |         | reachable; no JavaScript name tree (GoToR and URI are allowed)            |
| PDFA-6.5.1-2        | error   | Named actions only NextPage, PrevPage, FirstPage, LastPage                |
| PDFA-6.5.2-1        | error   | no catalog AA (additional actions)                                        |
| PDFA-6.5.2-2        | error   | no page AA                                                                |
| PDFA-6.6.2.1-1      | error   | catalog Metadata is a stream with Type /Metadata, Subtype /XML            |
| PDFA-6.6.2.1-2      | error   | the xpacket header has no bytes attribute                                 |
| PDFA-6.6.2.1-3      | error   | the xpacket header has no encoding attribute                              |
| PDFA-6.6.2.1-4      | error   | the XMP is well-formed XML (parsed by `fpcli.xmlsafe`: a DOCTYPE or an    |
|                     |         | entity is refused, and reported here)                                     |
| PDFA-6.6.2.1-5      | error   | the XMP is UTF-8                                                          |
| PDFA-6.6.2.3.1-1    | error   | every XMP property is predefined (XMP 2005 schemas, pdfaid) or defined by |
|                     |         | the file's extension schemas (fpcli.validation.xmp_schemas)               |
| PDFA-6.6.2.3.1-2    | error   | every XMP property value has its schema's value type (arrays, Lang Alt,   |
|                     |         | structures and their fields, Integer/Real/Boolean/Date/Rational)          |
| PDFA-6.6.4-1        | error   | the XMP has the PDF/A identification schema (pdfaid:part)                 |
| PDFA-6.6.4-2        | error   | pdfaid:part is 3 for invoices; 2 or 3 with `--pdfa-only`, which checks    |
|                     |         | the part declared (6.8 only for part 3) and says so in PDFA-X-PART (info) |
| PDFA-6.6.4-3        | error   | pdfaid:conformance is A, B or U                                           |
| PDFA-6.6.4-4        | error   | the identification properties use the pdfaid prefix                       |
| PDFA-6.8-1          | error   | every embedded file stream has a Subtype (MIME type)                      |
| PDFA-6.8-2          | error   | every file specification with EF has F and UF                             |
| PDFA-6.8-3          | error   | every file specification with EF has AFRelationship                       |
| PDFA-6.8-4          | error   | every file specification with EF is in an AF array                        |
| PDFA-6.2.11.5-1     | error   | glyph widths in the font dictionary agree with the embedded program for   |
|                     |         | every glyph shown (fpcli.validation.pdfa_fonts, fontTools)                |
| PDFA-6.2.11.3.x,    | error   | CMaps predefined or embedded (WMode, CIDSystemInfo), CIDToGIDMap of        |
| 6.2.11.6-2/3,       |         | embedded CIDFontType2, TrueType encodings; shown glyphs present in the    |
| 6.2.11.4.1-2, 8-1   |         | program and not .notdef; CIDs up to 65535 (6.1.13-10)                    |
| (more)              | error   | file bytes, object syntax, implementation limits, ExtGState, images,      |
|                     |         | forms, AcroForm, catalog keys: see fpcli.validation.pdfa_rules            |
| PDFA-X-MODDATE      | warning | the embedded file stream has Params with ModDate (recommended)            |
| PDFA-X-INFO-XMP     | warning | Info dictionary entries agree with their XMP analogues (Title, Author,    |
|                     |         | Subject, Keywords, Creator, Producer, CreationDate, ModDate)              |
| PDFA-X-REPAIRED     | warning | qpdf had to repair the file structure to read it                          |
| PDFA-X-LIMIT        | info    | a work cap was hit: objects beyond it were not checked                    |

Verified against veraPDF's validation profiles (PDF_A/2b and 3b folders, and PDFA-3B.xml): the
Info/XMP agreement rule exists only for PDF/A-1 (veraPDF 6.7.3-1, ``doesInfoMatchXMP``); PDF/A-2 and
PDF/A-3 have no such rule, so fpcli reports disagreements as warnings under its own id. veraPDF's
6.2.10-1 allow-list spells the Luminosity blend mode "Limunosity"; fpcli accepts the real name.

Work is bounded: at most `MAX_OBJECTS` objects of the object graph are walked, `MAX_PAGES` pages and
`MAX_CONTENT_OPS` content stream operators scanned; hitting a cap gives a PDFA-X-LIMIT info finding.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from lxml import etree

from fpcli.errors import InputError
from fpcli.pdf.streams import content_fits, read_bounded
from fpcli.validation.findings import Finding, Severity
from fpcli.validation.pdfa_rules import (
    RENDERING_INTENTS,
    check_colour_array,
    check_file_bytes,
    check_name,
    check_object,
    check_scalar,
)
from fpcli.xmlsafe import parse_xml

if TYPE_CHECKING:
    import pikepdf

LAYER = "pdf"
RULE_SET = "PDF/A-3 (fpcli subset of ISO 19005-3, veraPDF rule ids)"

MAX_OBJECTS = 100_000
MAX_PAGES = 2_000
MAX_CONTENT_OPS = 500_000
MAX_FINDINGS_PER_RULE = 10
MAX_XMP_BYTES = 10 * 1024 * 1024
MAX_ICC_BYTES = 20 * 1024 * 1024
MAX_CONTENT_BYTES = 4 * 1024 * 1024  # decoded, per page or form
MAX_FORM_DEPTH = 3

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_XML = "http://www.w3.org/XML/1998/namespace"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_PDF = "http://ns.adobe.com/pdf/1.3/"
NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_PDFAID = "http://www.aiim.org/pdfa/ns/id/"

ALLOWED_ACTIONS = frozenset({"GoTo", "GoToR", "GoToE", "Thread", "URI", "Named", "SubmitForm"})
KNOWN_ACTIONS = ALLOWED_ACTIONS | frozenset(
    {
        "Launch", "Sound", "Movie", "Hide", "ResetForm", "ImportData", "JavaScript", "SetOCGState",
        "Rendition", "Trans", "GoTo3DView", "SetState", "NOP", "RichMediaExecute",
    }
)  # fmt: skip
ALLOWED_NAMED = frozenset({"NextPage", "PrevPage", "FirstPage", "LastPage"})
ALLOWED_BLEND_MODES = frozenset(
    {
        "Normal", "Compatible", "Multiply", "Screen", "Overlay", "Darken", "Lighten", "ColorDodge",
        "ColorBurn", "HardLight", "SoftLight", "Difference", "Exclusion", "Hue", "Saturation", "Color",
        "Luminosity",
    }
)  # fmt: skip
ALLOWED_ANNOTATIONS = frozenset(
    {
        "Text", "Link", "FreeText", "Line", "Square", "Circle", "Polygon", "PolyLine", "Highlight",
        "Underline", "Squiggly", "StrikeOut", "Stamp", "Caret", "Ink", "Popup", "FileAttachment",
        "Widget", "PrinterMark", "TrapNet", "Watermark", "Redact",
    }
)  # fmt: skip
SHOW_TEXT_OPS = frozenset({"Tj", "TJ", "'", '"'})
# ISO 32000-1 Annex A; "INLINE IMAGE" is pikepdf's name for BI … ID … EI.
CONTENT_OPERATORS = frozenset(
    {
        "b", "B", "b*", "B*", "BDC", "BI", "BMC", "BT", "BX", "c", "cm", "CS", "cs", "d", "d0", "d1", "Do",
        "DP", "EI", "EMC", "ET", "EX", "f", "F", "f*", "G", "g", "gs", "h", "i", "ID", "j", "J", "K", "k",
        "l", "m", "M", "MP", "n", "q", "Q", "re", "RG", "rg", "ri", "s", "S", "SC", "sc", "SCN", "scn", "sh",
        "T*", "Tc", "Td", "TD", "Tf", "Tj", "TJ", "TL", "Tm", "Tr", "Ts", "Tw", "Tz", "v", "w", "W", "W*",
        "y", "'", '"', "INLINE IMAGE",
    }
)  # fmt: skip
INLINE_FILTERS = frozenset(
    {
        "ASCIIHexDecode", "ASCII85Decode", "FlateDecode", "RunLengthDecode", "CCITTFaxDecode", "DCTDecode",
        "AHx", "A85", "Fl", "RL", "CCF", "DCT",
    }
)  # fmt: skip
ICC_COMPONENTS = {"GRAY": 1, "RGB ": 3, "CMYK": 4}
DEVICE_SPACES = {"/DeviceRGB": "RGB", "/DeviceCMYK": "CMYK", "/DeviceGray": "Gray"}
INLINE_DEVICE_SPACES = {**DEVICE_SPACES, "/RGB": "RGB", "/CMYK": "CMYK", "/G": "Gray"}


# ---------------------------------------------------------------------------------------------------
# opening


def open_pdf(data: bytes, source: str) -> pikepdf.Pdf:
    """Open untrusted PDF bytes for checking; a PDF encrypted with an empty user password opens, and
    `check_pdfa` then reports PDFA-6.1.3-2."""
    from fpcli.pdf.reading import open_pdf as open_untrusted

    pdf: pikepdf.Pdf = open_untrusted(data, source, allow_encrypted=True)
    return pdf


# ---------------------------------------------------------------------------------------------------
# findings


@dataclass
class _Collector:
    source: str
    layer: str = LAYER
    rule_set: str = RULE_SET
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    said: set[tuple[str, str, str | None]] = field(default_factory=set)

    def add(self, rule_id: str, severity: Severity, message: str, location: str | None = None) -> None:
        if (rule_id, message, location) in self.said:
            return  # the same object reached twice (a direct object copied, two paths to one object)
        self.said.add((rule_id, message, location))
        n = self.counts.get(rule_id, 0) + 1
        self.counts[rule_id] = n
        if n <= MAX_FINDINGS_PER_RULE:
            self.findings.append(
                Finding(
                    rule_id=rule_id,
                    severity=severity,
                    message=message,
                    location=location,
                    line=None,
                    layer=self.layer,
                    rule_set=self.rule_set,
                )
            )

    def result(self) -> list[Finding]:
        for rule_id, n in self.counts.items():
            if n > MAX_FINDINGS_PER_RULE:
                severity = next(f.severity for f in self.findings if f.rule_id == rule_id)
                self.findings.append(
                    Finding(
                        rule_id=rule_id,
                        severity=severity,
                        message=f"{n - MAX_FINDINGS_PER_RULE} more occurrences not listed",
                        location=None,
                        line=None,
                        layer=self.layer,
                        rule_set=self.rule_set,
                    )
                )
        return self.findings


def _name(obj: Any) -> str | None:
    """The value of a pikepdf Name without its slash, or None if `obj` is not a Name."""
    import pikepdf

    if isinstance(obj, pikepdf.Name):
        return str(obj)[1:]
    return None


def _ref(obj: Any) -> str:
    try:
        if obj.is_indirect:
            num, gen = obj.objgen
            return f"object {num} {gen} R"
    except (AttributeError, ValueError):
        pass
    return "direct object"


def _number(obj: Any) -> float | None:
    try:
        return float(obj)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------------
# XMP


@dataclass
class Xmp:
    """The parsed catalog XMP of a PDF: raw bytes and, when well-formed, the lxml root."""

    data: bytes
    root: etree._Element | None
    error: str | None = None
    part: int | None = None  # the PDF/A part declared (2 or 3), once checked

    def descriptions(self) -> Iterator[etree._Element]:
        if self.root is None:
            return
        yield from self.root.iter(f"{{{NS_RDF}}}Description")

    def prop_element(self, ns: str, local: str) -> etree._Element | None:
        tag = f"{{{ns}}}{local}"
        for desc in self.descriptions():
            found = desc.find(tag)
            if found is not None:
                return found
        return None

    def prop(self, ns: str, local: str) -> str | None:
        """A simple XMP property (attribute or element form); for arrays, the x-default / first item."""
        tag = f"{{{ns}}}{local}"
        for desc in self.descriptions():
            if tag in desc.attrib:
                return str(desc.attrib[tag]).strip()
            el = desc.find(tag)
            if el is None:
                continue
            items = el.findall(f"./*/{{{NS_RDF}}}li")
            if items:
                default = [li for li in items if li.get(f"{{{NS_XML}}}lang") == "x-default"]
                chosen = default[0] if default else items[0]
                return "".join(chosen.itertext()).strip()
            return "".join(el.itertext()).strip()
        return None

    def prop_list(self, ns: str, local: str) -> list[str]:
        el = self.prop_element(ns, local)
        if el is None:
            value = self.prop(ns, local)
            return [value] if value is not None else []
        items = el.findall(f"./*/{{{NS_RDF}}}li")
        if items:
            return ["".join(li.itertext()).strip() for li in items]
        return ["".join(el.itertext()).strip()]


def read_xmp(pdf: pikepdf.Pdf, source: str) -> Xmp | None:
    """The catalog metadata stream, parsed with `fpcli.xmlsafe.parse_xml`; None if there is none."""
    import pikepdf

    meta = pdf.Root.get("/Metadata")
    if not isinstance(meta, pikepdf.Stream):
        return None
    length = _number(meta.stream_dict.get("/Length")) or 0
    if length > MAX_XMP_BYTES:
        return Xmp(b"", None, f"XMP larger than {MAX_XMP_BYTES // (1024 * 1024)} MiB")
    try:
        data = read_bounded(meta, MAX_XMP_BYTES, source, "XMP metadata")  # bound the decoded size
    except InputError as exc:
        return Xmp(b"", None, exc.message)
    except pikepdf.PdfError as exc:
        return Xmp(b"", None, f"metadata stream cannot be decoded: {exc}")
    if len(data) > MAX_XMP_BYTES:
        return Xmp(data, None, f"XMP larger than {MAX_XMP_BYTES // (1024 * 1024)} MiB")
    try:
        tree = parse_xml(data, f"{source}: XMP metadata", limit=MAX_XMP_BYTES)
    except InputError as exc:
        return Xmp(data, None, exc.message)
    return Xmp(data, tree.getroot())


_XPACKET_RE = re.compile(rb"<\?xpacket\s[^?]*\?>")  # attributes in any order (bytes= may come first)


def _check_xmp(pdf: pikepdf.Pdf, out: _Collector, require_part: int | None = 3) -> Xmp | None:
    import pikepdf

    meta = pdf.Root.get("/Metadata")
    if not isinstance(meta, pikepdf.Stream):
        out.add("PDFA-6.6.2.1-1", "error", "the catalog has no Metadata stream (XMP)", "catalog")
        return None
    if meta.stream_dict.get("/Type") != "/Metadata" or meta.stream_dict.get("/Subtype") != "/XML":
        out.add(
            "PDFA-6.6.2.1-1",
            "error",
            "the catalog Metadata stream lacks Type /Metadata or Subtype /XML",
            f"catalog Metadata, {_ref(meta)}",
        )
    xmp = read_xmp(pdf, out.source)
    if xmp is None:
        return None
    header = _XPACKET_RE.search(xmp.data[:4096])
    if header:
        if re.search(rb"\sbytes\s*=", header.group(0)):
            out.add("PDFA-6.6.2.1-2", "error", "the xpacket header uses the bytes attribute", "XMP")
        if re.search(rb"\sencoding\s*=", header.group(0)):
            out.add("PDFA-6.6.2.1-3", "error", "the xpacket header uses the encoding attribute", "XMP")
    try:
        xmp.data.decode("utf-8")
    except UnicodeDecodeError:
        out.add("PDFA-6.6.2.1-5", "error", "the XMP is not encoded in UTF-8", "XMP")
    if xmp.root is None:
        out.add("PDFA-6.6.2.1-4", "error", f"the XMP is not well-formed: {xmp.error}", "XMP")
        return xmp
    xmp.part = _check_identification(xmp, out, require_part)
    _check_xmp_properties(xmp.root, out)
    return xmp


def _check_xmp_properties(root: etree._Element, out: _Collector) -> None:
    from fpcli.validation.xmp_schemas import check_extension_container, check_properties

    for problem in check_properties(root):
        out.add(f"PDFA-6.6.2.3.1-{problem.rule}", "error", problem.message, "XMP")
    for problem in check_extension_container(root):
        rule = "PDFA-6.6.2.3.2-1" if problem.rule == "2" else "PDFA-6.6.2.3.3-1"
        out.add(rule, "error", problem.message, "XMP pdfaExtension:schemas")


def _check_identification(xmp: Xmp, out: _Collector, require_part: int | None) -> int | None:
    """Check pdfaid; return the declared part (2 or 3) the file is checked as, else None."""
    prefixes: set[str | None] = set()
    for desc in xmp.descriptions():
        for local in ("part", "conformance", "amd", "corr"):
            tag = f"{{{NS_PDFAID}}}{local}"
            if tag in desc.attrib:
                prefixes.add(next((p for p, u in desc.nsmap.items() if u == NS_PDFAID), None))
            el = desc.find(tag)
            if el is not None:
                prefixes.add(el.prefix)
    part = xmp.prop(NS_PDFAID, "part")
    conformance = xmp.prop(NS_PDFAID, "conformance")
    if part is None:
        out.add(
            "PDFA-6.6.4-1",
            "error",
            "the XMP has no PDF/A identification (pdfaid:part): the file does not claim PDF/A",
            "XMP",
        )
        return None
    declared = int(part) if part in {"2", "3"} else None
    if require_part is not None and declared != require_part:
        out.add(
            "PDFA-6.6.4-2",
            "error",
            f"pdfaid:part is {part!r}, not {require_part} (Factur-X invoices are PDF/A-{require_part})",
            "XMP pdfaid:part",
        )
    elif declared is None:
        out.add(
            "PDFA-6.6.4-2",
            "error",
            f"pdfaid:part is {part!r}: fpcli checks PDF/A-2 and PDF/A-3 only",
            "XMP pdfaid:part",
        )
    if conformance not in {"A", "B", "U"}:
        out.add(
            "PDFA-6.6.4-3",
            "error",
            f"pdfaid:conformance is {conformance!r}, not A, B or U",
            "XMP pdfaid:conformance",
        )
    bad = sorted(p or "(default namespace)" for p in prefixes if p != "pdfaid")
    if bad:
        out.add(
            "PDFA-6.6.4-4",
            "error",
            f"the PDF/A identification properties use the prefix {', '.join(bad)} instead of pdfaid",
            "XMP",
        )
    if require_part is None and declared is not None and conformance in {"A", "B", "U"}:
        out.add(
            "PDFA-X-PART",
            "info",
            f"checked as PDF/A-{declared}{conformance.lower()} (level B requirements: fpcli does not check "
            "the tagging of level A or the Unicode mapping of level U)",
            "XMP pdfaid",
        )
    return declared


# Info key -> (XMP namespace, property, kind)
_INFO_XMP = {
    "/Title": (NS_DC, "title", "text"),
    "/Author": (NS_DC, "creator", "list"),
    "/Subject": (NS_DC, "description", "text"),
    "/Keywords": (NS_PDF, "Keywords", "text"),
    "/Creator": (NS_XMP, "CreatorTool", "text"),
    "/Producer": (NS_PDF, "Producer", "text"),
    "/CreationDate": (NS_XMP, "CreateDate", "date"),
    "/ModDate": (NS_XMP, "ModifyDate", "date"),
}

_PDF_DATE_RE = re.compile(
    r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Zz+\-])\s*(\d{2})?'?\s*(\d{2})?'?)?"
)


def _pdf_date(text: str) -> datetime | None:
    m = _PDF_DATE_RE.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, sign, th, tm = m.groups()
    try:
        tz = None
        if sign in {"Z", "z"}:
            tz = UTC
        elif sign in {"+", "-"}:
            delta = timedelta(hours=int(th or 0), minutes=int(tm or 0))
            tz = timezone(delta if sign == "+" else -delta)
        return datetime(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0), tzinfo=tz)
    except ValueError:
        return None


def _xmp_date(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _same_instant(a: datetime, b: datetime) -> bool:
    if (a.tzinfo is None) != (b.tzinfo is None):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return a.replace(microsecond=0) == b.replace(microsecond=0)


def _check_info_vs_xmp(pdf: pikepdf.Pdf, xmp: Xmp | None, out: _Collector) -> None:
    import pikepdf

    info = pdf.trailer.get("/Info")
    if not isinstance(info, pikepdf.Dictionary) or xmp is None or xmp.root is None:
        return
    for key, (ns, local, kind) in _INFO_XMP.items():
        raw = info.get(key)
        if raw is None:
            continue
        value = str(raw).strip()
        if not value:
            continue
        if kind == "list":
            items = xmp.prop_list(ns, local)
            xmp_value: str | None = items[0] if len(items) == 1 else ("; ".join(items) if items else None)
        else:
            xmp_value = xmp.prop(ns, local)
        location = f"Info {key[1:]}"
        if xmp_value is None:
            out.add(
                "PDFA-X-INFO-XMP",
                "warning",
                f"Info {key[1:]} {value!r} has no XMP counterpart {local}",
                location,
            )
            continue
        if kind == "date":
            a, b = _pdf_date(value), _xmp_date(xmp_value)
            agree = a is not None and b is not None and _same_instant(a, b)
        else:
            agree = value == xmp_value
        if not agree:
            out.add(
                "PDFA-X-INFO-XMP",
                "warning",
                f"Info {key[1:]} {value!r} differs from XMP {local} {xmp_value!r}",
                location,
            )


# ---------------------------------------------------------------------------------------------------
# trailer and output intents


def _check_trailer(pdf: pikepdf.Pdf, out: _Collector) -> None:
    import pikepdf

    ids = pdf.trailer.get("/ID")
    if not (
        isinstance(ids, pikepdf.Array)
        and len(ids) == 2
        and all(isinstance(i, pikepdf.String) and len(bytes(i)) > 0 for i in ids)
    ):
        out.add("PDFA-6.1.3-1", "error", "the trailer has no file identifier (ID)", "trailer")
    if pdf.is_encrypted or "/Encrypt" in pdf.trailer:
        out.add("PDFA-6.1.3-2", "error", "the file is encrypted (Encrypt in the trailer)", "trailer")


@dataclass
class IccHeader:
    size: int
    version: tuple[int, int]
    device_class: str
    color_space: str


def parse_icc_header(data: bytes) -> IccHeader | str:
    """The ICC profile header fields, or a one-line reason why the profile is not readable."""
    if len(data) < 128:
        return f"ICC profile of {len(data)} bytes is shorter than its 128-byte header"
    if data[36:40] != b"acsp":
        return "ICC profile lacks the 'acsp' signature"
    size = int.from_bytes(data[0:4], "big")
    if size > len(data) or size < 128:
        return f"ICC header size {size} does not match the {len(data)} bytes of the profile"
    return IccHeader(
        size=size,
        version=(data[8], data[9] >> 4),
        device_class=data[12:16].decode("latin-1"),
        color_space=data[16:20].decode("latin-1"),
    )


def _check_output_intents(pdf: pikepdf.Pdf, out: _Collector) -> str | None:
    """Check the OutputIntents; return the PDF/A output colour space ('RGB ', 'CMYK', 'GRAY') or None."""
    import pikepdf

    intents = pdf.Root.get("/OutputIntents")
    if not isinstance(intents, pikepdf.Array):
        return None
    output_cs: str | None = None
    profiles: set[tuple[int, int]] = set()
    has_direct = False
    for i, intent in enumerate(list(intents)[:64]):
        if not isinstance(intent, pikepdf.Dictionary):
            continue
        dest = intent.get("/DestOutputProfile")
        if dest is not None:
            if isinstance(dest, pikepdf.Stream) and dest.is_indirect:
                profiles.add(dest.objgen)
            else:
                has_direct = True
        if intent.get("/S") != "/GTS_PDFA1":
            continue
        where = f"OutputIntents[{i}] (GTS_PDFA1)"
        if not isinstance(dest, pikepdf.Stream):
            out.add(
                "PDFA-6.2.3-1", "error", "the PDF/A OutputIntent has no DestOutputProfile ICC stream", where
            )
            continue
        if (_number(dest.stream_dict.get("/Length")) or 0) > MAX_ICC_BYTES:
            out.add("PDFA-6.2.3-1", "error", "the DestOutputProfile is implausibly large", where)
            continue
        try:
            header = parse_icc_header(read_bounded(dest, MAX_ICC_BYTES, where, "ICC profile"))
        except InputError as exc:
            header = exc.message
        except pikepdf.PdfError as exc:
            header = f"the ICC stream cannot be decoded: {exc}"
        if isinstance(header, str):
            out.add("PDFA-6.2.3-1", "error", f"invalid DestOutputProfile: {header}", where)
            continue
        problems = []
        if header.device_class not in {"prtr", "mntr"}:
            problems.append(f"device class {header.device_class!r} is not 'prtr' or 'mntr'")
        if header.color_space not in ICC_COMPONENTS:
            problems.append(f"colour space {header.color_space!r} is not GRAY, RGB or CMYK")
        if header.version[0] >= 5:
            problems.append(f"ICC version {header.version[0]}.{header.version[1]} is not below 5")
        n = _number(dest.stream_dict.get("/N"))
        expected = ICC_COMPONENTS.get(header.color_space)
        if expected is not None and n is not None and int(n) != expected:
            problems.append(
                f"N is {int(n)} but the profile colour space {header.color_space!r} has {expected}"
            )
        if problems:
            out.add("PDFA-6.2.3-1", "error", "invalid DestOutputProfile: " + "; ".join(problems), where)
        elif output_cs is None:
            output_cs = header.color_space
    if len(profiles) + (1 if has_direct else 0) > 1:
        out.add(
            "PDFA-6.2.3-2",
            "error",
            "the OutputIntents use different DestOutputProfile objects",
            "catalog OutputIntents",
        )
    return output_cs


# ---------------------------------------------------------------------------------------------------
# object graph walk: streams, actions, file specifications, XObjects, ExtGStates


@dataclass
class _Walk:
    visited: int = 0
    capped: bool = False
    filespecs: dict[Any, tuple[Any, bool]] = field(default_factory=dict)
    af_targets: set[tuple[int, int]] = field(default_factory=set)
    separations: dict[str, str] = field(default_factory=dict)  # Separation name -> alternate and tint


def _walk_graph(pdf: pikepdf.Pdf, out: _Collector, limit: int) -> _Walk:
    import pikepdf

    state = _Walk()
    seen: set[tuple[int, int]] = set()
    trailer = pdf.trailer
    stack: list[tuple[Any, str]] = [
        (trailer.get(key), key)
        for key in trailer.keys()  # noqa: SIM118 (pikepdf objects are not plain mappings)
        if key != "/Encrypt" and isinstance(trailer.get(key), pikepdf.Dictionary | pikepdf.Array)
    ]
    direct_ids = 0
    while stack:
        obj, parent_key = stack.pop()
        state.visited += 1
        if state.visited > limit:
            state.capped = True
            break
        is_stream = isinstance(obj, pikepdf.Stream)
        if not is_stream and not isinstance(obj, pikepdf.Dictionary | pikepdf.Array):
            continue
        if obj.is_indirect:
            og = obj.objgen
            if og in seen:
                continue
            seen.add(og)
        if isinstance(obj, pikepdf.Array):
            check_colour_array(obj, out, _ref(obj), state.separations)
            for item in obj:
                if isinstance(item, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
                    stack.append((item, parent_key))
                else:
                    check_scalar(item, out, _ref(obj))
            continue
        d = obj.stream_dict if is_stream else obj
        keys = list(d.keys())
        check_object(obj, keys, is_stream, out, _where(obj, parent_key))
        readable: list[tuple[str, Any]] = []
        for key in keys:
            check_name(key, out, _ref(obj))
            try:
                value = d.get(key)
            except (TypeError, UnicodeError):  # a key that is not UTF-8: pikepdf cannot look it up by text
                shown = key.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
                out.add(
                    "PDFA-X-REPAIRED",
                    "warning",
                    f"the value of the key {shown} (not UTF-8) was not checked",
                    _ref(obj),
                )
                continue
            readable.append((key, value))
            if not isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
                check_scalar(value, out, _ref(obj))
        if is_stream:
            bad = [k for k in ("/F", "/FFilter", "/FDecodeParms") if k in keys]
            if bad:
                out.add(
                    "PDFA-6.1.7.1-3",
                    "error",
                    f"a stream dictionary has {', '.join(k[1:] for k in bad)} (data in an external file)",
                    _ref(obj),
                )
            if d.get("/Subtype") == "/Form" and "/Ref" in keys:
                out.add("PDFA-6.2.9-2", "error", "a form XObject is a reference XObject (Ref)", _ref(obj))
        else:
            _check_dict(obj, keys, parent_key, out)
            if "/EF" in keys:
                if obj.is_indirect:
                    state.filespecs.setdefault(obj.objgen, (obj, False))
                else:
                    direct_ids += 1
                    state.filespecs[("direct", direct_ids)] = (obj, parent_key == "/AF")
        if "/AF" in keys:
            af = d.get("/AF")
            items = list(af) if isinstance(af, pikepdf.Array) else [af]
            for spec in items:
                if isinstance(spec, pikepdf.Dictionary) and spec.is_indirect:
                    state.af_targets.add(spec.objgen)
        for key, value in readable:
            if key == "/Parent":
                continue
            if isinstance(value, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
                stack.append((value, key))
    if state.capped:
        out.add(
            "PDFA-X-LIMIT",
            "info",
            f"the object graph has more than {limit} objects: the rest was not checked",
            None,
        )
    return state


def _check_dict(obj: Any, keys: list[str], parent_key: str, out: _Collector) -> None:
    import pikepdf

    s = _name(obj.get("/S")) if "/S" in keys else None
    if s is not None and s in KNOWN_ACTIONS | {"Launch"} and not ("/K" in keys or "/Pg" in keys):
        typ = obj.get("/Type")
        if typ is None or typ == "/Action":
            if s not in ALLOWED_ACTIONS:
                out.add(
                    "PDFA-6.5.1-1", "error", f"a {s} action is not allowed in PDF/A", _where(obj, parent_key)
                )
            elif s == "Named":
                n = _name(obj.get("/N"))
                if n not in ALLOWED_NAMED:
                    out.add(
                        "PDFA-6.5.1-2",
                        "error",
                        f"the named action {n} is not allowed",
                        _where(obj, parent_key),
                    )
    elif obj.get("/Type") == "/Action" and s is not None and s not in KNOWN_ACTIONS:
        out.add("PDFA-6.5.1-1", "error", f"unknown action type {s}", _where(obj, parent_key))
    if "/BM" in keys and obj.get("/Type") in {None, "/ExtGState"}:
        bm = obj.get("/BM")
        modes = list(bm) if isinstance(bm, pikepdf.Array) else [bm]
        for mode in modes:
            name = _name(mode)
            if name is not None and name not in ALLOWED_BLEND_MODES:
                out.add("PDFA-6.2.10-1", "error", f"blend mode {name} is not an ISO 32000-1 one", _ref(obj))


def _where(obj: Any, parent_key: str) -> str:
    return f"{parent_key[1:]} {_ref(obj)}" if parent_key else _ref(obj)


def _check_embedded_files(pdf: pikepdf.Pdf, walk: _Walk, out: _Collector) -> None:
    import pikepdf

    root_af = pdf.Root.get("/AF")
    for key, (spec, associated) in walk.filespecs.items():
        name = str(spec.get("/UF") or spec.get("/F") or "?")
        where = f"file specification {name!r} ({_ref(spec)})"
        missing = [k[1:] for k in ("/F", "/UF") if k not in spec]
        if missing:
            out.add(
                "PDFA-6.8-2", "error", f"the embedded file specification lacks {' and '.join(missing)}", where
            )
        if "/AFRelationship" not in spec:
            out.add("PDFA-6.8-3", "error", "the embedded file specification lacks AFRelationship", where)
        in_af = associated or (isinstance(key, tuple) and key in walk.af_targets)
        if not in_af and isinstance(root_af, pikepdf.Array) and not walk.capped:
            in_af = any(
                isinstance(s, pikepdf.Dictionary) and s.is_indirect and s.objgen == key for s in root_af
            )
        if not in_af and not walk.capped:
            out.add(
                "PDFA-6.8-4",
                "error",
                "the embedded file is not associated with the document or a part of it (in no AF array)",
                where,
            )
        ef = spec.get("/EF")
        stream = ef.get("/F") if isinstance(ef, pikepdf.Dictionary) else None
        if not isinstance(stream, pikepdf.Stream):
            continue
        if "/Subtype" not in stream.stream_dict:
            out.add("PDFA-6.8-1", "error", "the embedded file stream has no Subtype (MIME type)", where)
        params = stream.stream_dict.get("/Params")
        if not (isinstance(params, pikepdf.Dictionary) and "/ModDate" in params):
            out.add(
                "PDFA-X-MODDATE",
                "warning",
                "the embedded file stream has no Params /ModDate (recommended by PDF/A-3 and Factur-X)",
                where,
            )


# ---------------------------------------------------------------------------------------------------
# pages: actions, annotations, content (fonts, device colour, transparency)


def _inherited(page: Any, key: str) -> Any:
    node = page
    for _ in range(64):
        if node is None:
            return None
        value = node.get(key)
        if value is not None:
            return value
        node = node.get("/Parent")
    return None


@dataclass
class _Scan:
    """What the content streams of one page (with its forms and annotation appearances) use."""

    ops: int = 0
    capped: bool = False
    unembedded: dict[str, str] = field(default_factory=dict)  # font name -> where
    device: dict[str, str] = field(default_factory=dict)  # RGB/CMYK/Gray -> where
    defaults: set[str] = field(default_factory=set)
    transparency: bool = False
    done: set[tuple[int, int]] = field(default_factory=set)
    shown: dict[Any, tuple[Any, list[bytes]]] = field(default_factory=dict)  # font -> strings shown
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)  # rule -> (message, where), first
    depth: int = 0  # q/Q nesting

    def problem(self, rule: str, message: str, where: str) -> None:
        self.problems.setdefault(rule, (message, where))


def _font_embedded(font: Any) -> bool:
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary):
        return True  # not a font dictionary: nothing veraPDF would check either
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        desc = font.get("/DescendantFonts")
        if not isinstance(desc, pikepdf.Array) or len(desc) == 0:
            return False
        font = desc[0]
        if not isinstance(font, pikepdf.Dictionary):
            return False
    fd = font.get("/FontDescriptor")
    if not isinstance(fd, pikepdf.Dictionary):
        return False
    return any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _font_label(font: Any, resource: str) -> str:
    import pikepdf

    base = font.get("/BaseFont") if isinstance(font, pikepdf.Dictionary) else None
    return f"{_name(base) or '?'} ({resource})"


def _resource(resources: Any, category: str, name: str) -> Any:
    import pikepdf

    if not isinstance(resources, pikepdf.Dictionary):
        return None
    group = resources.get(category)
    if not isinstance(group, pikepdf.Dictionary):
        return None
    return group.get(name)


def _device_of_space(space: Any, resources: Any) -> str | None:
    import pikepdf

    name = str(space) if isinstance(space, pikepdf.Name) else None
    if name is not None:
        if name in DEVICE_SPACES:
            return DEVICE_SPACES[name]
        space = _resource(resources, "/ColorSpace", name)
        if isinstance(space, pikepdf.Name):
            return DEVICE_SPACES.get(str(space))
    if isinstance(space, pikepdf.Array) and len(space) >= 2 and space[0] in {"/Indexed", "/I"}:
        base = space[1]
        if isinstance(base, pikepdf.Name):
            return DEVICE_SPACES.get(str(base))
    if isinstance(space, pikepdf.Array) and len(space) >= 3 and space[0] in {"/Separation", "/DeviceN"}:
        # the alternate space renders the colour wherever the spot colour is not available (6.2.4.4)
        alternate = space[2]
        if isinstance(alternate, pikepdf.Name):
            return DEVICE_SPACES.get(str(alternate))
    return None


def _group_space(group: Any, resources: Any, where: str, scan: _Scan) -> None:
    """A transparency group's blending colour space (CS) is a use of that colour space (6.2.4.3)."""
    import pikepdf

    if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency" and "/CS" in group:
        dev = _device_of_space(group.get("/CS"), resources)
        if dev:
            scan.device.setdefault(dev, where)


def _gstate_transparency(gstates: Any) -> bool:
    """Whether a resources' ExtGState dictionary sets a soft mask, an alpha below 1 or a blend mode."""
    import pikepdf

    if not isinstance(gstates, pikepdf.Dictionary):
        return False
    for key in list(gstates.keys())[:256]:
        gs = gstates.get(key)
        if not isinstance(gs, pikepdf.Dictionary):
            continue
        smask = gs.get("/SMask")
        if smask is not None and smask != "/None":
            return True
        for alpha in ("/CA", "/ca"):
            value = _number(gs.get(alpha))
            if value is not None and value < 1:
                return True
        bm = gs.get("/BM")
        modes = list(bm) if isinstance(bm, pikepdf.Array) else [bm]
        if any(m is not None and m not in {"/Normal", "/Compatible"} for m in modes):
            return True
    return False


def _resource_transparency(resources: Any, depth: int = 0) -> bool:
    import pikepdf

    if not isinstance(resources, pikepdf.Dictionary):
        return False
    if depth < 3:
        # Type3 glyph procedures and patterns paint with their own resources (veraPDF 6.2.10 tests both)
        for category, wanted in (("/Font", "/Type3"), ("/Pattern", None)):
            group = resources.get(category)
            if not isinstance(group, pikepdf.Dictionary):
                continue
            for key in list(group.keys())[:64]:
                item = group.get(key)
                d = item.stream_dict if isinstance(item, pikepdf.Stream) else item
                if not isinstance(d, pikepdf.Dictionary) or (wanted and d.get("/Subtype") != wanted):
                    continue
                if _resource_transparency(d.get("/Resources"), depth + 1) or _gstate_transparency(
                    d.get("/ExtGState")
                ):
                    return True
    if _gstate_transparency(resources.get("/ExtGState")):
        return True
    xobjects = resources.get("/XObject")
    if isinstance(xobjects, pikepdf.Dictionary):
        for key in list(xobjects.keys())[:256]:
            xo = xobjects.get(key)
            if isinstance(xo, pikepdf.Stream) and xo.stream_dict.get("/Subtype") == "/Image":
                if isinstance(xo.stream_dict.get("/SMask"), pikepdf.Stream):
                    return True
                if (_number(xo.stream_dict.get("/SMaskInData")) or 0) != 0:
                    return True
    return False


# Operators that set the fill / stroke colour, and path-painting operators that use them. A path painted
# before any colour is set is painted in the initial DeviceGray black: a DeviceGray use (veraPDF 6.2.4.3 t03).
FILL_SETTERS = frozenset({"rg", "k", "g", "cs", "sc", "scn"})
STROKE_SETTERS = frozenset({"RG", "K", "G", "CS", "SC", "SCN"})
FILL_PAINTERS = frozenset({"f", "F", "f*", "B", "B*", "b", "b*"})
STROKE_PAINTERS = frozenset({"S", "s", "B", "B*", "b", "b*"})


# Operators that name a resource, and the operand that names it (6.2.2-2: a form or Type3 font that uses
# one must declare its own Resources, not lean on the page's).
NAMED_RESOURCE_OPERAND = {"Tf": 0, "Do": 0, "gs": 0, "sh": 0, "cs": 0, "CS": 0, "scn": -1, "SCN": -1}
NOT_RESOURCES = frozenset({"/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern", "/RGB", "/CMYK", "/G"})


def _scan_content(
    content: Any,
    resources: Any,
    where: str,
    scan: _Scan,
    depth: int,
    colours_set: tuple[bool, bool] = (True, True),
    inherited: bool = False,
) -> None:
    """Scan one content stream (a page object or a form/appearance stream) for fonts and colours.
    `colours_set`: whether the fill and stroke colours were set before this stream starts (False for a page
    or an appearance stream, which start in the initial graphics state). `inherited`: a form or Type3 font
    without Resources of its own, running on its caller's."""
    import pikepdf

    if isinstance(content, pikepdf.Stream) and content.is_indirect:
        if content.objgen in scan.done:
            return
        scan.done.add(content.objgen)
    group_of = content.stream_dict if isinstance(content, pikepdf.Stream) else content
    _group_space(group_of.get("/Group"), resources, f"{where} transparency group", scan)
    if _resource_transparency(resources):
        scan.transparency = True
    if isinstance(resources, pikepdf.Dictionary):
        spaces = resources.get("/ColorSpace")
        if isinstance(spaces, pikepdf.Dictionary):
            for default, label in (
                ("/DefaultRGB", "RGB"),
                ("/DefaultCMYK", "CMYK"),
                ("/DefaultGray", "Gray"),
            ):
                if default in spaces:
                    scan.defaults.add(label)
    if not content_fits(content, MAX_CONTENT_BYTES):  # parsing holds every operator in memory at once
        scan.capped = True
        return
    try:
        ops = pikepdf.parse_content_stream(content)
    except (pikepdf.PdfError, ValueError, TypeError) as exc:
        _ = exc
        # unreadable content: be conservative and check every font it could use
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if isinstance(fonts, pikepdf.Dictionary):
            for key in list(fonts.keys())[:256]:
                font = fonts.get(key)
                if not _font_embedded(font):
                    scan.unembedded.setdefault(_font_label(font, key), where)
        return
    font_name: str | None = None
    mode = 0
    fill_set, stroke_set = colours_set
    over = _Overprint()
    over_stack: list[_Overprint] = []
    stack: list[tuple[str | None, int, bool, bool]] = []
    checked: set[str] = set()
    for instruction in ops:
        operands, operator = instruction.operands, instruction.operator
        scan.ops += 1
        if scan.ops > MAX_CONTENT_OPS:
            scan.capped = True
            return
        op = str(operator)
        if op not in CONTENT_OPERATORS:
            scan.problem("PDFA-6.2.2-1", f"the content stream uses the undefined operator {op!r}", where)
        for operand in operands:
            _content_operand_limits(operand, scan, where)
        if inherited and op in NAMED_RESOURCE_OPERAND and operands:
            named = operands[NAMED_RESOURCE_OPERAND[op]]
            if isinstance(named, pikepdf.Name) and named.unparse().decode("latin-1") not in NOT_RESOURCES:
                label = named.unparse().decode("latin-1")
                scan.problem(
                    "PDFA-6.2.2-2",
                    f"the resource {label} is used without a Resources dictionary of the stream's own "
                    "(inherited from the page)",
                    where,
                )
        if op == "q":
            scan.depth += 1
            if scan.depth > 28:
                scan.problem("PDFA-6.1.13-8", "q/Q pairs are nested more than 28 levels deep", where)
            if len(stack) < 64:
                stack.append((font_name, mode, fill_set, stroke_set))
                over_stack.append(dataclasses.replace(over))
        elif op == "Q":
            scan.depth = max(0, scan.depth - 1)
            if stack:
                font_name, mode, fill_set, stroke_set = stack.pop()
                over = over_stack.pop()
        elif op == "Tf" and operands:
            font_name = str(operands[0])
        elif op == "ri" and operands and str(operands[0]) not in RENDERING_INTENTS:
            scan.problem(
                "PDFA-6.2.6-1",
                f"the rendering intent {operands[0]} is not one of the four standard ones",
                where,
            )
        elif op == "Tr" and operands:
            mode = int(_number(operands[0]) or 0)
        elif op in SHOW_TEXT_OPS:
            if mode != 3 and font_name is not None:
                font = _resource(resources, "/Font", font_name)
                if font_name not in checked:
                    checked.add(font_name)
                    if font is not None and not _font_embedded(font):
                        scan.unembedded.setdefault(_font_label(font, font_name), where)
                _remember_shown(font, operands, scan)
                if depth < MAX_FORM_DEPTH:
                    _type3_glyphs(font, resources, f"{where}, Type3 font {font_name}", scan, depth)
        elif (op in FILL_PAINTERS and not fill_set) or (op in STROKE_PAINTERS and not stroke_set):
            scan.device.setdefault("Gray", f"{where} (a path painted in the initial colour)")
        if op in FILL_SETTERS:
            fill_set = True
        elif op in STROKE_SETTERS:
            stroke_set = True
        over.track(
            op, operands, resources, where, scan, text_fill=op in SHOW_TEXT_OPS and mode in (0, 2, 4, 6)
        )
        if op in {"rg", "RG"}:
            scan.device.setdefault("RGB", where)
        elif op in {"k", "K"}:
            scan.device.setdefault("CMYK", where)
        elif op in {"g", "G"}:
            scan.device.setdefault("Gray", where)
        elif op in {"cs", "CS"} and operands:
            dev = _device_of_space(operands[0], resources)
            if dev:
                scan.device.setdefault(dev, where)
        elif op == "INLINE IMAGE" and operands:
            _inline_image(operands[0], resources, where, scan)
        elif op == "sh" and operands:
            _shading_space(_resource(resources, "/Shading", str(operands[0])), resources, where, scan)
        elif op in {"scn", "SCN"} and operands and isinstance(operands[-1], pikepdf.Name):
            pattern = _resource(resources, "/Pattern", str(operands[-1]))
            if pattern is not None and depth < MAX_FORM_DEPTH:
                _pattern(pattern, resources, f"{where}, pattern {operands[-1]}", scan, depth)
        elif op == "Do" and operands:
            xo = _resource(resources, "/XObject", str(operands[0]))
            if not isinstance(xo, pikepdf.Stream):
                continue
            subtype = xo.stream_dict.get("/Subtype")
            if subtype == "/Image":
                if not xo.stream_dict.get("/ImageMask", False):
                    dev = _device_of_space(xo.stream_dict.get("/ColorSpace"), resources)
                    if dev:
                        scan.device.setdefault(dev, f"{where}, image {operands[0]}")
            elif subtype == "/Form" and depth < MAX_FORM_DEPTH:
                own = isinstance(xo.stream_dict.get("/Resources"), pikepdf.Dictionary)
                inner = xo.stream_dict.get("/Resources") if own else resources
                group = xo.stream_dict.get("/Group")
                if isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency":
                    scan.transparency = True
                _scan_content(
                    xo,
                    inner,
                    f"{where}, form {operands[0]}",
                    scan,
                    depth + 1,
                    (fill_set, stroke_set),
                    inherited=not own,
                )


def _icc_cmyk(space: Any, resources: Any) -> bool:
    import pikepdf

    if isinstance(space, pikepdf.Name):
        space = _resource(resources, "/ColorSpace", str(space))
    if isinstance(space, pikepdf.Array) and len(space) >= 2 and space[0] == "/ICCBased":
        profile = space[1]
        return isinstance(profile, pikepdf.Stream) and profile.stream_dict.get("/N") == 4
    return False


@dataclass
class _Overprint:
    """The graphics state 6.2.4.2-2 looks at: overprint mode 1 with overprinting on must not paint with an
    ICCBased CMYK colour space (fill and stroke apart; `op` defaults to `OP` in an ExtGState)."""

    opm: int = 0
    fill: bool = False
    stroke: bool = False
    fill_cmyk: bool = False
    stroke_cmyk: bool = False

    def track(self, op: str, operands: Any, resources: Any, where: str, scan: _Scan, text_fill: bool) -> None:
        import pikepdf

        if op == "gs" and operands:
            gs = _resource(resources, "/ExtGState", str(operands[0]))
            if isinstance(gs, pikepdf.Dictionary):
                flags: dict[str, Any] = {k: gs.get(k) for k in ("/OP", "/op") if k in gs}
                if "/OP" in flags:
                    self.stroke = self.fill = flags["/OP"] is True
                if "/op" in flags:
                    self.fill = flags["/op"] is True
                if "/OPM" in gs:
                    self.opm = int(_number(gs.get("/OPM")) or 0)
        elif op in {"cs", "CS"} and operands:
            cmyk = _icc_cmyk(operands[0], resources)
            if op == "cs":
                self.fill_cmyk = cmyk
            else:
                self.stroke_cmyk = cmyk
        elif op in {"rg", "k", "g"}:
            self.fill_cmyk = False
        elif op in {"RG", "K", "G"}:
            self.stroke_cmyk = False
        if self.opm != 1:
            return
        fills = op in FILL_PAINTERS or text_fill
        if (fills and self.fill and self.fill_cmyk) or (
            op in STROKE_PAINTERS and self.stroke and self.stroke_cmyk
        ):
            scan.problem(
                "PDFA-6.2.4.2-2",
                "an ICCBased CMYK colour is painted with overprinting on and overprint mode 1",
                where,
            )


def _shading_space(shading: Any, resources: Any, where: str, scan: _Scan) -> None:
    import pikepdf

    d = shading.stream_dict if isinstance(shading, pikepdf.Stream) else shading
    if isinstance(d, pikepdf.Dictionary):
        dev = _device_of_space(d.get("/ColorSpace"), resources)
        if dev:
            scan.device.setdefault(dev, f"{where}, shading")


def _pattern(pattern: Any, resources: Any, where: str, scan: _Scan, depth: int) -> None:
    """A tiling pattern paints with its own content stream; a shading pattern with its shading (6.2.4.3)."""
    import pikepdf

    if isinstance(pattern, pikepdf.Stream) and pattern.stream_dict.get("/PatternType") == 1:
        inner = pattern.stream_dict.get("/Resources", resources)
        _scan_content(pattern, inner, where, scan, depth + 1)
    elif isinstance(pattern, pikepdf.Dictionary) and pattern.get("/PatternType") == 2:
        _shading_space(pattern.get("/Shading"), resources, where, scan)


MAX_TYPE3_GLYPHS = 256


def _type3_glyphs(font: Any, resources: Any, where: str, scan: _Scan, depth: int) -> None:
    """A Type3 font's glyph procedures are content streams; those that start with `d0` paint in their own
    colours (`d1` glyphs take the text's colour and may not set one)."""
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != "/Type3":
        return
    if font.is_indirect and font.objgen in scan.done:
        return
    if font.is_indirect:
        scan.done.add(font.objgen)
    procs = font.get("/CharProcs")
    if not isinstance(procs, pikepdf.Dictionary):
        return
    own = isinstance(font.get("/Resources"), pikepdf.Dictionary)
    inner = font.get("/Resources") if own else resources
    for key in list(procs.keys())[:MAX_TYPE3_GLYPHS]:
        glyph = procs.get(key)
        if isinstance(glyph, pikepdf.Stream) and content_fits(glyph, MAX_CONTENT_BYTES):
            head = glyph.read_bytes()[:256].split()
            if b"d0" in head[:3] or not own:  # every glyph is read for resources it would inherit
                _scan_content(glyph, inner, f"{where}, glyph {key[1:]}", scan, depth + 1, inherited=not own)


def _remember_shown(font: Any, operands: Any, scan: _Scan) -> None:
    """Keep the strings a font shows, for the width check (6.2.11.5); bounded per font."""
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary):
        return
    key = font.objgen if font.is_indirect else id(font)
    _, strings = scan.shown.setdefault(key, (font, []))
    if len(strings) > 2000:
        return
    for operand in operands:
        items = list(operand) if isinstance(operand, pikepdf.Array) else [operand]
        strings.extend(bytes(i) for i in items if isinstance(i, pikepdf.String))


def _content_operand_limits(operand: Any, scan: _Scan, where: str) -> None:
    """6.1.13 limits on the numbers and strings of a content stream."""
    import pikepdf

    items = list(operand)[:10_000] if isinstance(operand, pikepdf.Array) else [operand]
    for item in items:
        if isinstance(item, bool):
            continue
        if isinstance(item, int) and not -2_147_483_648 <= item <= 2_147_483_647:
            scan.problem(
                "PDFA-6.1.13-1", f"the content stream holds the integer {item}, outside 32 bits", where
            )
        elif isinstance(item, pikepdf.String) and len(bytes(item)) > 32767:
            scan.problem("PDFA-6.1.13-3", "the content stream holds a string longer than 32767 bytes", where)


def _inline_image(image: Any, resources: Any, where: str, scan: _Scan) -> None:
    import pikepdf

    try:
        obj = image.obj
    except AttributeError:
        return
    if not isinstance(obj, pikepdf.Dictionary):
        return
    filters = obj.get("/F", obj.get("/Filter"))
    for name in list(filters) if isinstance(filters, pikepdf.Array) else [filters]:
        if isinstance(name, pikepdf.Name) and str(name)[1:] not in INLINE_FILTERS:
            scan.problem("PDFA-6.1.10-1", f"an inline image uses the filter {str(name)[1:]}", where)
    interpolate: Any = obj.get("/I", obj.get("/Interpolate"))
    if interpolate is True:
        scan.problem("PDFA-6.2.8-3", "an inline image has Interpolate true", where)
    if obj.get("/IM", obj.get("/ImageMask", False)):
        return
    space = obj.get("/CS", obj.get("/ColorSpace"))
    if isinstance(space, pikepdf.Name):
        dev = INLINE_DEVICE_SPACES.get(str(space)) or _device_of_space(space, resources)
    else:
        dev = _device_of_space(space, resources)
    if dev:
        scan.device.setdefault(dev, f"{where}, inline image")


def _check_annotation(annot: Any, where: str, out: _Collector, scan: _Scan, page_resources: Any) -> None:
    import pikepdf

    subtype = _name(annot.get("/Subtype")) or "?"
    if subtype not in ALLOWED_ANNOTATIONS:
        out.add("PDFA-6.3.1-1", "error", f"annotation type {subtype} is not allowed in PDF/A", where)
    flags_obj = annot.get("/F")
    if flags_obj is None:
        if subtype != "Popup":
            out.add("PDFA-6.3.2-1", "error", f"the {subtype} annotation has no F (flags) key", where)
    else:
        flags = int(_number(flags_obj) or 0)
        wrong = [
            n
            for bit, n in ((1, "Invisible"), (2, "Hidden"), (32, "NoView"), (256, "ToggleNoView"))
            if flags & bit
        ]
        if not flags & 4:
            wrong.insert(0, "Print off")
        if wrong:
            out.add(
                "PDFA-6.3.2-2",
                "error",
                f"the {subtype} annotation flags are wrong: {', '.join(wrong)}",
                where,
            )
    ap = annot.get("/AP")
    rect = annot.get("/Rect")
    zero = False
    if isinstance(rect, pikepdf.Array) and len(rect) == 4:
        nums = [_number(v) or 0.0 for v in rect]
        zero = nums[0] == nums[2] and nums[1] == nums[3]
    if ap is None:
        if subtype not in {"Popup", "Link"} and not zero:
            out.add("PDFA-6.3.3-1", "error", f"the {subtype} annotation has no appearance (AP)", where)
        return
    if not isinstance(ap, pikepdf.Dictionary):
        return
    normal = ap.get("/N")
    field_type = _inherited(annot, "/FT")
    is_btn = subtype == "Widget" and field_type == "/Btn"
    if set(ap.keys()) != {"/N"}:
        out.add("PDFA-6.3.3-2", "error", f"the {subtype} annotation appearance must hold only N", where)
    if "/N" in ap and is_btn and not isinstance(normal, pikepdf.Dictionary):
        out.add(
            "PDFA-6.3.3-3", "error", "a button widget's N appearance must be a dictionary of states", where
        )
    elif "/N" in ap and not is_btn and not isinstance(normal, pikepdf.Stream):
        out.add("PDFA-6.3.3-4", "error", f"the {subtype} annotation's N appearance must be a stream", where)
    if isinstance(normal, pikepdf.Stream):
        _scan_content(
            normal,
            normal.stream_dict.get("/Resources", page_resources),
            f"{where} appearance",
            scan,
            1,
            (False, False),
        )
    elif isinstance(normal, pikepdf.Dictionary):
        for state in list(normal.keys())[:8]:
            stream = normal.get(state)
            if isinstance(stream, pikepdf.Stream):
                res = stream.stream_dict.get("/Resources", page_resources)
                _scan_content(stream, res, f"{where} appearance {state}", scan, 1, (False, False))


def _check_pages(pdf: pikepdf.Pdf, output_cs: str | None, out: _Collector) -> None:
    import pikepdf

    total_ops = 0
    try:
        pages = pdf.pages
        count = len(pages)
    except pikepdf.PdfError as exc:
        out.add("PDFA-X-REPAIRED", "warning", f"the page tree cannot be read: {exc}", "catalog Pages")
        return
    if count > MAX_PAGES:
        out.add("PDFA-X-LIMIT", "info", f"only the first {MAX_PAGES} of {count} pages were checked", None)
    font_reported: set[str] = set()
    widths_done: set[Any] = set()
    for index in range(min(count, MAX_PAGES)):
        page = pages[index].obj
        where = f"page {index + 1}"
        if "/AA" in page:
            out.add("PDFA-6.5.2-2", "error", "the page has an additional-actions (AA) dictionary", where)
        resources = _inherited(page, "/Resources")
        scan = _Scan(ops=total_ops)
        _scan_content(page, resources, where, scan, 0, (False, False))
        annots = page.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            for j, annot in enumerate(list(annots)[:1000]):
                if isinstance(annot, pikepdf.Dictionary):
                    _check_annotation(annot, f"{where}, annotation {j + 1}", out, scan, resources)
        total_ops = scan.ops
        _check_widths(scan, widths_done, out, where)
        for rule, (message, problem_where) in scan.problems.items():
            out.add(rule, "error", message, problem_where)
        for font, font_where in scan.unembedded.items():
            if font not in font_reported:
                font_reported.add(font)
                out.add("PDFA-6.2.11.4.1-1", "error", f"the font {font} is not embedded", font_where)
        for space, rule, needs in (("RGB", "2", "RGB "), ("CMYK", "3", "CMYK"), ("Gray", "4", None)):
            if space not in scan.device or space in scan.defaults:
                continue
            ok = output_cs is not None if needs is None else output_cs == needs
            if not ok:
                wanted = "a PDF/A OutputIntent" if needs is None else f"a {space} PDF/A OutputIntent"
                out.add(
                    f"PDFA-6.2.4.3-{rule}",
                    "error",
                    f"Device{space} is used without {wanted} or a Default{space} colour space",
                    scan.device[space],
                )
        group = page.get("/Group")
        page_group = isinstance(group, pikepdf.Dictionary) and group.get("/S") == "/Transparency"
        group_cs = isinstance(group, pikepdf.Dictionary) and "/CS" in group
        if (scan.transparency or page_group) and output_cs is None and not group_cs:
            out.add(
                "PDFA-6.2.10-2",
                "error",
                "the page uses transparency but has no Group /CS blending colour space and the file "
                "has no PDF/A OutputIntent",
                where,
            )
        if scan.capped:
            out.add(
                "PDFA-X-LIMIT",
                "info",
                f"content streams hold more than {MAX_CONTENT_OPS} operators or "
                f"{MAX_CONTENT_BYTES // (1024 * 1024)} MiB decoded: the rest was not checked",
                where,
            )
            break


def _check_widths(scan: _Scan, done: set[Any], out: _Collector, where: str) -> None:
    from fpcli.validation.pdfa_fonts import font_problems, glyph_problems, width_mismatch

    for key, (font, strings) in scan.shown.items():
        if key in done or len(done) > 256:
            continue
        done.add(key)
        problems: list[tuple[str, str]] = []
        try:
            problems += font_problems(font)
            problem = width_mismatch(font, strings)
            problems += glyph_problems(font, strings)
        except Exception:  # fontTools raises many types on damaged programs: not a width/glyph finding
            problem = None
        if problem:
            problems.append(("PDFA-6.2.11.5-1", problem))
        for rule, message in problems:
            out.add(rule, "error", message, where)


def _check_catalog(pdf: pikepdf.Pdf, out: _Collector) -> None:
    import pikepdf

    root = pdf.Root
    if "/AA" in root:
        out.add("PDFA-6.5.2-1", "error", "the catalog has an additional-actions (AA) dictionary", "catalog")
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/JavaScript" in names:
        out.add(
            "PDFA-6.5.1-1", "error", "the document has a JavaScript name tree", "catalog Names JavaScript"
        )


# ---------------------------------------------------------------------------------------------------
# entry point


def check_pdfa(
    pdf: pikepdf.Pdf,
    source: str,
    *,
    max_objects: int = MAX_OBJECTS,
    require_part: int | None = 3,
    data: bytes | None = None,
) -> list[Finding]:
    """fpcli's PDF/A-2/3 checks (see the module docstring for the rules). Never raises on a bad PDF.

    `require_part` 3 (invoices): anything but PDF/A-3 is an error. None: the file is checked as the part it
    declares (2 or 3), and an info finding says which."""
    import pikepdf

    out = _Collector(source)
    try:
        warnings = pdf.get_warnings()
    except AttributeError:
        warnings = []
    if warnings:
        out.add(
            "PDFA-X-REPAIRED",
            "warning",
            f"the file structure is damaged and was repaired to read it: {str(warnings[0]).strip()}",
            None,
        )
    if data is not None:  # the rules on the file's bytes need them as written
        _guard(lambda: check_file_bytes(data, out), out)
    steps = (
        lambda: _check_trailer(pdf, out),
        lambda: _check_catalog(pdf, out),
    )
    for step in steps:
        _guard(step, out)
    xmp: list[Xmp | None] = [None]
    _guard(lambda: xmp.__setitem__(0, _check_xmp(pdf, out, require_part)), out)
    _guard(lambda: _check_info_vs_xmp(pdf, xmp[0], out), out)
    output_cs: list[str | None] = [None]
    _guard(lambda: output_cs.__setitem__(0, _check_output_intents(pdf, out)), out)
    walk: list[_Walk | None] = [None]
    _guard(lambda: walk.__setitem__(0, _walk_graph(pdf, out, max_objects)), out)
    part = xmp[0].part if xmp[0] is not None else None
    if walk[0] is not None and part != 2:  # associated files (6.8) are PDF/A-3's
        found = walk[0]
        _guard(lambda: _check_embedded_files(pdf, found, out), out)
    _guard(lambda: _check_pages(pdf, output_cs[0], out), out)
    _ = pikepdf
    return out.result()


def _guard(step: Any, out: _Collector) -> None:
    """Run one check; a PDF so damaged that pikepdf fails mid-check becomes a finding, not a traceback."""
    import pikepdf

    try:
        step()
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        out.add("PDFA-X-REPAIRED", "warning", f"part of the file could not be checked: {first}", None)
