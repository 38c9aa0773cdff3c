"""Running compiled Schematron (XSLT 2.0) with saxonche, and reading its SVRL into findings.

saxonche crashes when used from threads or forked workers (factur-x issue 77): use it only from the main
thread of a process; batches use spawned worker processes, each compiling what it needs once. Compiling
costs 0.1-1 s per stylesheet, so stylesheets are compiled lazily and cached for the life of the process.
Stylesheets are compiled from their file path so their code lists load relative to it.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from fpcli.errors import InputError
from fpcli.validation.findings import Finding, Severity

SVRL = "http://purl.oclc.org/dsdl/svrl"
_NS = {"svrl": SVRL}
_BRACKET_ID = re.compile(r"^\s*\[([A-Z][A-Za-z0-9_.-]*)\]")
_DOCUMENT_CALL = re.compile(r"document\('([A-Za-z0-9_.-]+\.xml)'\)")  # a sibling file, by literal name
_STYLESHEET_TAG = re.compile(r"<xsl:stylesheet\b[^>]*>")
_STEP = re.compile(r"\*:([\w.-]+)\[namespace-uri\(\)='([^']*)'\](\[\d+\])?")


class SaxonThreadError(RuntimeError):
    pass


@cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def compiled(path: str) -> Any:
    """The stylesheet at `path`, compiled once per process.

    The Factur-X XSLTs call `document('…_codedb.xml')` (118 times in EN16931): Saxon re-parses that 180 KB
    code list in every transformation, half the time of a warm validation. fpcli hands the code list in once,
    parsed, as a stylesheet parameter instead (same SVRL findings on the whole corpus, twice as fast).
    """
    if threading.current_thread() is not threading.main_thread():
        raise SaxonThreadError("saxonche may only run in the main thread of a process")
    xslt = _processor().new_xslt30_processor()
    text = Path(path).read_text(encoding="utf-8")
    documents = sorted(set(_DOCUMENT_CALL.findall(text)))
    root = _STYLESHEET_TAG.search(text)
    if not documents or root is None:
        return xslt.compile_stylesheet(stylesheet_file=path)
    params = []
    for i, name in enumerate(documents):
        text = text.replace(f"document('{name}')", f"$fpcli-doc{i}")
        params.append(f'<xsl:param name="fpcli-doc{i}" as="document-node()"/>')
    text = text[: root.end()] + "".join(params) + text[root.end() :]
    executable = xslt.compile_stylesheet(stylesheet_text=text, encoding="utf-8")
    for i, name in enumerate(documents):
        node = _processor().parse_xml(xml_file_name=str(Path(path).parent / name))
        executable.set_parameter(f"fpcli-doc{i}", node)
    return executable


@cache
def compiled_schematron(sch_path: str) -> Any:
    """A Schematron source (.sch) compiled by fpcli's own compiler, then by Saxon; once per process."""
    from pathlib import Path

    from fpcli.validation.schcompile import compile_schematron

    if threading.current_thread() is not threading.main_thread():
        raise SaxonThreadError("saxonche may only run in the main thread of a process")
    text = compile_schematron(Path(sch_path).read_bytes(), sch_path).decode("utf-8")
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_text=text)


def run_svrl(path: str, xml: bytes) -> bytes:
    """Apply the compiled Schematron at `path` (XSLT, or .sch source) to already-parsed, hardened `xml`
    bytes; return SVRL bytes."""
    from saxonche import PySaxonApiError

    executable = compiled_schematron(path) if path.endswith(".sch") else compiled(path)
    proc = _processor()
    try:
        node = proc.parse_xml(xml_text=xml.decode("utf-8"))
        out = executable.transform_to_string(xdm_node=node)
    except (PySaxonApiError, UnicodeDecodeError) as exc:  # the document, not fpcli: an input error
        first = (str(exc).strip().splitlines() or ["unknown error"])[0][:300]
        raise InputError(f"the Schematron engine cannot process the document: {first}") from None
    return (out or "").encode("utf-8")


def _severity(flag: str | None) -> Severity:
    flag = (flag or "").lower()
    if flag in ("warning", "warn"):
        return "warning"
    if flag in ("information", "info"):
        return "info"
    return "error"


def _rule_id(el: Any, text: str) -> str:
    declared = el.get("id") or ""
    bracket = _BRACKET_ID.match(text)
    # Some rule sets give generic ids (FX-SCH-A-…); the business rule id in the message is what people know.
    if bracket and (not declared or declared.startswith("FX-SCH")):
        return bracket.group(1)
    return declared or (bracket.group(1) if bracket else "SCHEMATRON")


def lxml_xpath(location: str) -> str:
    """SVRL paths (`/*:A[namespace-uri()='u'][1]/…`) in a form lxml's XPath 1.0 evaluates."""
    return _STEP.sub(
        lambda m: f"*[local-name()='{m.group(1)}' and namespace-uri()='{m.group(2)}']{m.group(3) or ''}",
        location,
    )


def line_of(tree: Any, location: str | None) -> int | None:
    if not location or tree is None:
        return None
    try:
        hits = tree.xpath(lxml_xpath(location))
    except etree.XPathError:
        return None
    if hits and hasattr(hits[0], "sourceline"):
        return int(hits[0].sourceline) if hits[0].sourceline else None
    parent = getattr(hits[0], "getparent", None) if hits else None
    if parent is not None:
        owner = parent()
        return int(owner.sourceline) if owner is not None and owner.sourceline else None
    return None


def findings_from_svrl(svrl: bytes, tree: Any, *, layer: str, rule_set: str) -> list[Finding]:
    doc = etree.fromstring(svrl, etree.XMLParser(resolve_entities=False, no_network=True))
    hits = doc.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=_NS)
    return [_finding(el, tree, layer, rule_set) for el in hits]


NOT_USED = "FX-NOT-USED"


def _finding(el: Any, tree: Any, layer: str, rule_set: str) -> Finding:
    text = " ".join((el.findtext("svrl:text", default="", namespaces=_NS) or "").split())
    location = el.get("location")
    # "Element/Attribute … is marked as not used in the given context": data the profile does not define.
    # Receivers ignore it; Factur-X tools report it as information, not as an error.
    not_used = "marked as not used in the given context" in text
    rule_id = NOT_USED if not_used else _rule_id(el, text)
    declared = el.get("id") or None
    return Finding(
        rule_id=rule_id,
        official_id=declared if declared != rule_id else None,
        severity="info" if not_used else _severity(el.get("flag") or el.get("role")),
        message=text,
        location=location,
        line=line_of(tree, location),
        layer=layer,
        rule_set=rule_set,
    )
