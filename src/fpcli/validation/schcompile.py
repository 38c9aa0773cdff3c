"""A small ISO Schematron -> XSLT 3.0 compiler, run by saxonche (`fpcli.validation.saxon`).

No Schematron compiler comes from the package registries, and fpcli runs its own flux 6 / flux 10 rules (and,
in tests, the official .sch files) through this one. It supports what those files use: `ns`, schema-level
`let` and `xsl:function`, `pattern` (with `id`), `rule` (`context`, `let`), `assert` / `report` (`test`,
`id`, `flag`, `role`) with `value-of` and `name` in messages. Semantics follow ISO Schematron: in a pattern
each node is matched by its first matching rule only (modes and priorities, as in the reference skeleton).
Output is SVRL with skeleton-style locations (`/*:A[namespace-uri()='…'][1]/…`), read by
`fpcli.validation.saxon.findings_from_svrl`. Abstract rules/patterns, `extends`, phases and `include` are
refused rather than silently ignored.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from fpcli.errors import InputError
from fpcli.xmlsafe import parse_xml

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
XS = "http://www.w3.org/2001/XMLSchema"
SVRL = "http://purl.oclc.org/dsdl/svrl"
FN = "urn:fpcli:schematron"  # the compiler's helper functions

_UNSUPPORTED = ("include", "phase", "extends", "diagnostics", "properties")

# The location of the context node, as the reference skeleton writes it.
_HELPERS = f"""<xsl:stylesheet xmlns:xsl="{XSL}" xmlns:xs="{XS}" xmlns:fpsch="{FN}">
<xsl:function name="fpsch:path" as="xs:string">
  <xsl:param name="n" as="node()"/>
  <xsl:sequence select="string-join(for $a in $n/ancestor-or-self::node()[not(self::document-node())]
    return fpsch:step($a), '')"/>
</xsl:function>
<xsl:function name="fpsch:step" as="xs:string">
  <xsl:param name="a" as="node()"/>
  <xsl:sequence select="if ($a instance of element()) then concat('/*:', local-name($a),
    '[namespace-uri()=''', namespace-uri($a), ''']',
    '[', 1 + count($a/preceding-sibling::*[local-name() = local-name($a)
    and namespace-uri() = namespace-uri($a)]), ']')
    else if ($a instance of attribute()) then concat('/@', name($a)) else concat('/', name($a))"/>
</xsl:function>
</xsl:stylesheet>"""


def _x(name: str) -> str:
    return f"{{{XSL}}}{name}"


def _s(name: str) -> str:
    return f"{{{SCH}}}{name}"


def _avt(text: str) -> str:
    """A literal for an attribute value template (SVRL attributes are AVTs; XPath braces must not be)."""
    return text.replace("{", "{{").replace("}", "}}")


def _namespaces(schema: Any) -> dict[str, str]:
    found = {p: u for p, u in schema.nsmap.items() if p and u not in (SCH, XSL)}
    for ns in schema.iterfind(_s("ns")):
        found[ns.get("prefix")] = ns.get("uri")
    return found


def _variable(parent: Any, let: Any) -> None:
    var = etree.SubElement(parent, _x("variable"), name=let.get("name"))
    if let.get("value") is not None:
        var.set("select", let.get("value"))
    else:  # a let with element content
        for child in let:
            var.append(_copy(child))


def _copy(node: Any) -> Any:
    return etree.fromstring(etree.tostring(node))


def _message(parent: Any, assertion: Any) -> None:
    text = etree.SubElement(parent, f"{{{SVRL}}}text")

    def literal(value: str | None) -> None:
        if value:
            etree.SubElement(text, _x("text")).text = value

    literal(assertion.text)
    for child in assertion:
        if not isinstance(child.tag, str):
            literal(child.tail)
            continue
        local = etree.QName(child).localname
        if child.tag == _s("value-of"):
            etree.SubElement(text, _x("value-of"), select=child.get("select"))
        elif child.tag == _s("name"):
            etree.SubElement(text, _x("value-of"), select=f"name({child.get('path') or '.'})")
        else:  # emph, dir, span: their text
            literal("".join(child.itertext()) if local else None)
        literal(child.tail)


def _assertion(template: Any, node: Any, *, is_report: bool) -> None:
    test = node.get("test")
    attrs = {"test": _avt(test), "location": "{fpsch:path(.)}"}
    for name in ("id", "flag", "role"):
        if node.get(name) is not None:
            attrs[name] = _avt(node.get(name))
    if is_report:
        branch = etree.SubElement(template, _x("if"), test=test)
        out = etree.SubElement(branch, f"{{{SVRL}}}successful-report", attrs)
    else:
        choose = etree.SubElement(template, _x("choose"))
        etree.SubElement(choose, _x("when"), test=test)
        out = etree.SubElement(etree.SubElement(choose, _x("otherwise")), f"{{{SVRL}}}failed-assert", attrs)
    _message(out, node)


def _refuse_unsupported(schema: Any, source: str) -> None:
    for name in _UNSUPPORTED:
        found = schema.find(f".//{_s(name)}")
        if found is not None:
            raise InputError.at(source, f"line {found.sourceline}", f"Schematron `{name}` is not supported")
    for el in schema.iter(_s("rule"), _s("pattern")):
        if el.get("abstract") == "true" or el.get("is-a"):
            raise InputError.at(
                source, f"line {el.sourceline}", "abstract rules and patterns are not supported"
            )


def compile_schematron(data: bytes, source: str) -> bytes:
    """The XSLT 3.0 text of a Schematron schema; raises InputError on what it does not support."""
    schema = parse_xml(data, source).getroot()
    if schema.tag != _s("schema"):
        raise InputError.at(source, "line 1", "not an ISO Schematron schema")
    _refuse_unsupported(schema, source)
    nsmap: dict[str | None, str] = {"xsl": XSL, "xs": XS, "svrl": SVRL, "fpsch": FN}
    nsmap.update(_namespaces(schema))
    sheet = etree.Element(_x("stylesheet"), nsmap=nsmap, version="3.0")
    sheet.set("exclude-result-prefixes", "#all")
    etree.SubElement(sheet, _x("output"), method="xml", indent="no")
    for helper in etree.fromstring(_HELPERS):
        sheet.append(helper)
    for child in schema:
        if isinstance(child.tag, str) and etree.QName(child).namespace == XSL:
            sheet.append(_copy(child))  # xsl:function and friends, as the skeleton allows
        elif child.tag == _s("let"):
            _variable(sheet, child)
    patterns = list(schema.iterfind(_s("pattern")))
    for pattern in patterns:
        for let in pattern.iterfind(_s("let")):
            _variable(sheet, let)
    root = etree.SubElement(sheet, _x("template"), match="/")
    title = schema.findtext(_s("title")) or ""
    report = etree.SubElement(root, f"{{{SVRL}}}schematron-output", title=_avt(title.strip()))
    for i, pattern in enumerate(patterns):
        active = etree.SubElement(report, f"{{{SVRL}}}active-pattern")
        if pattern.get("id"):
            active.set("id", _avt(pattern.get("id")))
        etree.SubElement(report, _x("apply-templates"), select="/", mode=f"M{i}")
    for i, pattern in enumerate(patterns):
        _pattern(sheet, pattern, f"M{i}")
    return bytes(etree.tostring(sheet, xml_declaration=True, encoding="UTF-8"))


def _pattern(sheet: Any, pattern: Any, mode: str) -> None:
    for j, rule in enumerate(pattern.iterfind(_s("rule"))):
        template = etree.SubElement(
            sheet, _x("template"), match=rule.get("context"), priority=str(1000 - j), mode=mode
        )
        etree.SubElement(template, f"{{{SVRL}}}fired-rule", context=_avt(rule.get("context")))
        for child in rule:
            if child.tag == _s("let"):
                _variable(template, child)
            elif child.tag in (_s("assert"), _s("report")):
                _assertion(template, child, is_report=child.tag == _s("report"))
        etree.SubElement(template, _x("apply-templates"), select="*", mode=mode)
    etree.SubElement(sheet, _x("template"), match="text()", priority="-1", mode=mode)
    fallback = etree.SubElement(sheet, _x("template"), match="@*|node()", priority="-2", mode=mode)
    etree.SubElement(fallback, _x("apply-templates"), select="*", mode=mode)
