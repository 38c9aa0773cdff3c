"""Machine formats of validation results: JUnit XML (one testcase per file) and the raw SVRL reports."""

from __future__ import annotations

from lxml import etree

from fpcli.validation.batch import BatchResult

FPCLI_NS = "urn:fpcli:validate:1"


def junit(result: BatchResult) -> bytes:
    failures = sum(1 for r in result.reports if not r.valid and not r.unreadable)
    errors = sum(1 for r in result.reports if r.unreadable)
    suites = etree.Element("testsuites")
    suite = etree.SubElement(
        suites,
        "testsuite",
        name="fpcli validate",
        tests=str(len(result.reports)),
        failures=str(failures),
        errors=str(errors),
    )
    for r in result.reports:
        case = etree.SubElement(
            suite, "testcase", classname=f"fpcli.validate.{r.profile or 'unknown'}", name=r.source
        )
        if r.valid:
            continue
        tag = "error" if r.unreadable else "failure"
        body = "\n".join(
            f"[{f.layer}] {f.severity} {f.rule_id}" + (f" line {f.line}" if f.line else "") + f": {f.message}"
            for f in r.findings
            if f.severity == "error"
        )
        el = etree.SubElement(case, tag, message=f"{len(r.errors)} error(s)", type=r.status)
        el.text = body
    return bytes(etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def svrl(result: BatchResult) -> bytes:
    """Every Schematron run's SVRL, wrapped per file and rule set."""
    root = etree.Element(f"{{{FPCLI_NS}}}reports", nsmap={"fpcli": FPCLI_NS})
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for r in result.reports:
        file_el = etree.SubElement(root, f"{{{FPCLI_NS}}}file", source=r.source, status=r.status)
        for rule_set, raw in r.svrl.items():
            run = etree.SubElement(file_el, f"{{{FPCLI_NS}}}schematron", {"rule-set": rule_set})
            run.append(etree.fromstring(raw, parser))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
