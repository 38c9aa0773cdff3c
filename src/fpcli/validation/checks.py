"""`validate_bytes`: one file (CII, UBL, or a Factur-X/ZUGFeRD PDF) through every layer, into one Report.

Layers, each reported separately: well-formedness (hardened parser), the profile's XSD, the profile's
Schematron, the French BR-FR rules (for French sellers by default), and for PDFs fpcli's PDF/A-3 and Factur-X
checks. Unreadable input (not XML, not a PDF, a broken PDF) gives a report marked unreadable, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from fpcli.cii.namespaces import RAM, RSM
from fpcli.cii.profile import Profile, profile_from_guideline
from fpcli.errors import InputError
from fpcli.validation import rulesets
from fpcli.validation.findings import Finding, Report, RuleSetUsed
from fpcli.xmlsafe import parse_xml, strip_bom

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ZUGFERD1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"


@dataclass(frozen=True)
class ValidateOptions:
    profile: Profile | None = None  # None: detect from BT-24
    fr: bool | None = None  # None: BR-FR for French sellers
    pdfa_only: bool = False  # a PDF checked as PDF/A-3 only, with no invoice required
    visible: bool = False  # a PDF's pages compared with its XML (fpcli.validation.visible)
    keep_svrl: bool = True  # raw SVRL kept on the report; batches drop it unless asked (memory, pickling)


def _used(report: Report, rs: rulesets.RuleSet) -> None:
    report.rule_sets.append(RuleSetUsed(rs.id, rs.title, rs.version, rs.relative))


MAX_UNDECLARED = 1000  # the official Schematron XSLTs take quadratic time in elements the XSD does not know


@cache
def _declared_names(xsd_dir: str) -> frozenset[str]:
    """Every element name declared by the XSD files of a directory (a schema and the files it imports)."""
    names: set[str] = set()
    for path in Path(xsd_dir).glob("*.xsd"):
        names |= set(etree.parse(str(path)).xpath("//*[local-name()='element']/@name"))
    return frozenset(names)


def _xsd_layer(report: Report, rs: rulesets.RuleSet, tree: Any) -> int:
    """Validate against the XSD; returns how many elements of the document the XSD does not declare (0 when
    the document is valid), which bounds the Schematron layers' work."""
    from fpcli.validation.xsdcache import schema

    _used(report, rs)
    report.layers.append("xsd")
    xsd = schema(rs.path)
    if xsd.validate(tree):
        return 0
    for err in list(xsd.error_log)[:200]:
        report.findings.append(
            Finding("XSD", "error", str(err.message), err.path, err.line or None, "xsd", rs.id)
        )
    names = _declared_names(str(Path(rs.path).parent))
    return sum(1 for el in tree.iter() if isinstance(el.tag, str) and etree.QName(el).localname not in names)


def _schematron_layer(
    report: Report, rs: rulesets.RuleSet, data: bytes, tree: Any, layer: str, undeclared: int = 0
) -> list[Finding]:
    from fpcli.validation.saxon import findings_from_svrl, run_svrl

    if undeclared > MAX_UNDECLARED:  # a hostile file could keep the engine busy for hours
        message = (
            f"{rs.id} not run: {undeclared} elements are unknown to the XSD (more than {MAX_UNDECLARED}); "
            "fix the XSD errors first"
        )
        return [Finding("FPCLI-SCH-SKIPPED", "warning", message, None, None, layer, "fpcli")]
    _used(report, rs)
    report.layers.append(layer)
    svrl = run_svrl(rs.path, data)
    report.svrl[rs.id] = svrl
    return findings_from_svrl(svrl, tree, layer=layer, rule_set=rs.id)


def _is_french_seller(tree: Any, syntax: str) -> bool:
    if syntax == "CII":
        path = f"//{{{RAM}}}SellerTradeParty/{{{RAM}}}PostalTradeAddress/{{{RAM}}}CountryID"
        country = tree.findtext(path.replace("//", ".//"))
    else:
        country = tree.findtext(
            f".//{{{CAC}}}AccountingSupplierParty/{{{CAC}}}Party/{{{CAC}}}PostalAddress/{{{CAC}}}Country/{{{CBC}}}IdentificationCode"
        )
    return (country or "").strip().upper() == "FR"


def validate_xml_bytes(data: bytes, report: Report, options: ValidateOptions) -> Report:
    data = strip_bom(data)
    report.layers.append("wellformed")
    try:
        tree = parse_xml(data, report.source)
    except InputError as exc:
        report.unreadable = True
        report.findings.append(Finding("XML-WF", "error", exc.message, None, None, "wellformed", "xml"))
        return report
    if (tree.docinfo.encoding or "UTF-8").upper().replace("-", "") != "UTF8":
        # lxml honoured the declared encoding (Latin-1, UTF-16 …); Saxon is handed text, so give it UTF-8.
        data = etree.tostring(tree, encoding="utf-8", xml_declaration=True)
    root = tree.getroot()
    ns = etree.QName(root).namespace
    if root.tag == f"{{{RSM}}}CrossIndustryInvoice":
        report.syntax = "CII"
        _validate_cii(data, tree, report, options)
    elif ns == ZUGFERD1:
        report.syntax = "ZUGFeRD 1.0"
        report.profile = "zugferd-1.0"
        _xsd_layer(report, rulesets.ALL["xsd-zugferd1"], tree)
        report.findings.append(
            Finding(
                "FPCLI-ZUGFERD1",
                "info",
                "ZUGFeRD 1.0 (CrossIndustryDocument) predates EN 16931: checked against its XSD only",
                None,
                None,
                "xsd",
                "fpcli",
            )
        )
    elif ns in (UBL_INVOICE, UBL_CREDIT):
        report.syntax = "UBL"
        _validate_ubl(data, tree, report, options, credit=ns == UBL_CREDIT)
    else:
        report.unreadable = True
        report.findings.append(
            Finding(
                "FORMAT",
                "error",
                f"not an invoice: root element `{etree.QName(root).localname}` in `{ns}` "
                "is neither CII nor UBL",
                None,
                root.sourceline,
                "wellformed",
                "xml",
            )
        )
    return report


def is_facturx_guideline(gid: str) -> bool:
    """BT-24 of the Factur-X / ZUGFeRD 2 family, which the Factur-X rule sets are made for."""
    low = gid.lower()
    return gid in {p.guideline_id for p in Profile} or "factur-x" in low or "zugferd" in low


def _validate_cii(data: bytes, tree: Any, report: Report, options: ValidateOptions) -> None:
    gid = (
        tree.findtext(
            f"{{{RSM}}}ExchangedDocumentContext/{{{RAM}}}GuidelineSpecifiedDocumentContextParameter/{{{RAM}}}ID"
        )
        or ""
    ).strip()
    report.guideline_id = gid or None
    if gid and options.profile is None and not is_facturx_guideline(gid):
        undeclared = _validate_cius(data, tree, report, gid)
    else:
        profile = options.profile or (profile_from_guideline(gid) if gid else None) or Profile.EN16931
        report.profile = profile.value
        undeclared = _xsd_layer(report, rulesets.xsd_for(profile), tree)
        report.findings.extend(
            _schematron_layer(report, rulesets.schematron_for(profile), data, tree, "schematron", undeclared)
        )
    if options.fr or (options.fr is None and _is_french_seller(tree, "CII")):
        report.findings.extend(
            _schematron_layer(report, rulesets.ALL["br-fr-cii"], data, tree, "br-fr", undeclared)
        )


def _validate_cius(data: bytes, tree: Any, report: Report, gid: str) -> int:
    """XRechnung and other CIUS in CII: the full CII D16B XSD and CEN's generic EN 16931 rules, which is what
    they are checked against. Their own CIUS rules (e.g. XRechnung's BR-DE-*) are not shipped: said in the
    report, so a valid verdict is read as "valid EN 16931", no more."""
    report.profile = "en16931"
    undeclared = _xsd_layer(report, rulesets.ALL["xsd-cii-d16b"], tree)
    report.findings.extend(
        _schematron_layer(report, rulesets.ALL["sch-cii-en16931-cen"], data, tree, "schematron", undeclared)
    )
    report.findings.append(
        Finding(
            "FPCLI-GUIDELINE",
            "info",
            f"BT-24 `{gid}` is not a Factur-X guideline: checked with the CII D16B XSD and CEN's generic "
            "EN 16931 rules, not with that specification's own extra rules",
            None,
            None,
            "schematron",
            "fpcli",
        )
    )
    return undeclared


def _validate_ubl(data: bytes, tree: Any, report: Report, options: ValidateOptions, *, credit: bool) -> None:
    report.guideline_id = (tree.findtext(f"{{{CBC}}}CustomizationID") or "").strip() or None
    ctc = (
        "extended-ctc-fr" in (report.guideline_id or "").lower() or options.profile is Profile.EXTENDED_CTC_FR
    )
    report.profile = "extended-ctc-fr" if ctc else "en16931"
    _xsd_layer(report, rulesets.ALL["xsd-ubl-creditnote" if credit else "xsd-ubl-invoice"], tree)
    sch = rulesets.ALL["sch-ubl-extended-ctc-fr" if ctc else "sch-ubl-en16931"]
    report.findings.extend(_schematron_layer(report, sch, data, tree, "schematron"))
    if options.fr or (options.fr is None and _is_french_seller(tree, "UBL")):
        report.findings.extend(_schematron_layer(report, rulesets.ALL["br-fr-ubl"], data, tree, "br-fr"))


def validate_pdf_bytes(data: bytes, report: Report, options: ValidateOptions) -> Report:
    from fpcli.pdf.attachments import extract_xml
    from fpcli.validation.facturx_pdf import check_facturx_pdf
    from fpcli.validation.pdfa import check_pdfa, open_pdf

    report.container = "pdf"
    try:
        pdf = open_pdf(data, report.source)
    except InputError as exc:
        report.unreadable = True
        report.findings.append(Finding("PDF-READ", "error", exc.message, None, None, "pdf", "fpcli-pdfa"))
        return report
    report.layers.append("pdf")
    # --pdfa-only checks the PDF/A part the file declares; an invoice must be PDF/A-3
    required = None if options.pdfa_only else 3
    report.findings.extend(_as_findings(check_pdfa(pdf, report.source, require_part=required, data=data)))
    if options.pdfa_only:
        return report
    try:
        xml = extract_xml(data, report.source)
    except InputError as exc:
        report.layers.append("facturx")
        report.findings.append(
            Finding("FX-PDF-00", "error", exc.message, None, None, "facturx", "fpcli-facturx")
        )
        return report
    report.attachment = xml.filename
    validate_xml_bytes(xml.data, report, options)
    label = Profile(report.profile).label if report.profile in {p.value for p in Profile} else None
    if (
        report.guideline_id
        and report.profile
        and report.guideline_id not in {p.guideline_id for p in Profile}
    ):
        label = _foreign_label(report.guideline_id) or label
    report.layers.append("facturx")
    report.findings.extend(
        _as_findings(
            check_facturx_pdf(pdf, report.source, xml_profile_label=label, attachment_name=xml.filename)
        )
    )
    if options.visible and report.syntax == "CII":
        _visible_layer(data, xml.data, report)
    return report


def _visible_layer(data: bytes, xml: bytes, report: Report) -> None:
    from fpcli.validation.visible import check_visible

    report.layers.append("visible")
    root = parse_xml(strip_bom(xml), report.source).getroot()
    try:
        report.findings.extend(check_visible(data, root, report.source))
    except InputError as exc:
        report.findings.append(
            Finding("VISIBLE-READ", "error", exc.message, None, None, "visible", "fpcli-visible")
        )


def _foreign_label(gid: str) -> str | None:
    low = gid.lower()
    if "xrechnung" in low:
        return "XRECHNUNG"
    if low.startswith("urn:ferd:"):
        return "ZUGFeRD 1.0"
    return None


def _as_findings(items: list[Any]) -> list[Finding]:
    return [Finding(i.rule_id, i.severity, i.message, i.location, i.line, i.layer, i.rule_set) for i in items]


def validate_bytes(data: bytes, source: str, options: ValidateOptions | None = None) -> Report:
    options = options or ValidateOptions()
    report = Report(source=source)
    from fpcli.pdf.reading import is_pdf

    if is_pdf(data):
        return validate_pdf_bytes(data, report, options)
    return validate_xml_bytes(data, report, options)
