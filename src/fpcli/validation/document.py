"""Validating a flux 6 (CDAR) or flux 10 (e-reporting) document: well-formedness, structure (the XSD's
checks, from `fpcli.xmlshape`), then fpcli's own Schematron rules (top-level `schematron/`,
packaged as `fpcli/schematron/`), in one Report."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from fpcli.errors import InputError
from fpcli.validation.findings import Finding, Report, RuleSetUsed
from fpcli.xmlsafe import parse_xml, strip_bom
from fpcli.xmlshape import El, check


@dataclass(frozen=True)
class DocumentRules:
    syntax: str  # Report.syntax, e.g. "CDAR"
    shape: El
    structure: RuleSetUsed  # the structure check, standing for the official XSD
    schematron: RuleSetUsed  # `file` is the name under fpcli/schematron/


def rules_path(name: str) -> str:
    """The file system path of one of fpcli's Schematron files: package data in an installed wheel (the
    build copies the top-level `schematron/` there), else that folder of the source tree (editable)."""
    packaged = resources.files("fpcli").joinpath("schematron", name)
    if packaged.is_file():
        return str(packaged)
    return str(Path(__file__).resolve().parents[3] / "schematron" / name)


def parse_checked(data: bytes, source: str, rules: DocumentRules) -> Any:
    """Parse and check the structure; raise InputError at the first problem (for commands that read)."""
    tree = parse_xml(data, source)
    problems = check(tree.getroot(), rules.shape)
    if problems:
        p = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError.at(
            source,
            f"line {p.line}" if p.line else p.path,
            f"not a valid {rules.syntax} document: {p.message}{more}",
            hint=f"`fpcli {'cdar' if rules.syntax == 'CDAR' else 'ereport'} validate` lists every problem",
        )
    return tree


def validate_document(data: bytes, source: str, rules: DocumentRules) -> Report:
    from fpcli.validation.saxon import findings_from_svrl, run_svrl

    report = Report(source=source, syntax=rules.syntax)
    data = strip_bom(data)
    report.layers.append("wellformed")
    try:
        tree = parse_xml(data, source)
    except InputError as exc:
        report.unreadable = True
        report.findings.append(Finding("XML-WF", "error", exc.message, None, None, "wellformed", "xml"))
        return report
    root = tree.getroot()
    report.layers.append("xsd")
    report.rule_sets.append(rules.structure)
    if root.tag != rules.shape.tag:
        report.unreadable = True
        name = etree.QName(root).localname
        report.findings.append(
            Finding(
                "FORMAT",
                "error",
                f"not a {rules.syntax} document: root element is `{name}`, expected `{rules.shape.name}`",
                None,
                root.sourceline,
                "wellformed",
                "xml",
            )
        )
        return report
    for p in check(root, rules.shape):
        report.findings.append(Finding("XSD", "error", p.message, p.path, p.line, "xsd", rules.structure.id))
    report.layers.append("schematron")
    report.rule_sets.append(rules.schematron)
    svrl = run_svrl(rules_path(rules.schematron.file), data)
    report.svrl[rules.schematron.id] = svrl
    report.findings.extend(findings_from_svrl(svrl, tree, layer="schematron", rule_set=rules.schematron.id))
    return report


def findings_text(report: Report, limit: int = 20) -> str:
    """Errors of a report, one per line, for refusing to write a generated document."""
    errors = report.errors
    lines = [f"  {f.rule_id}: {f.message}" for f in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"  … {len(errors) - limit} more")
    return "\n".join(lines)
