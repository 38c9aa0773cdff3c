"""`validate_report`: structure (the DGFiP e-reporting schema) and fpcli's flux 10 rules."""

from __future__ import annotations

from fpcli.ereporting.shape import REPORT
from fpcli.validation.document import DocumentRules, validate_document
from fpcli.validation.findings import Report, RuleSetUsed

RULES = DocumentRules(
    syntax="e-reporting",
    shape=REPORT,
    structure=RuleSetUsed(
        "fpcli-ereporting-structure",
        "E-reporting structure (fpcli's check of the DGFiP XSD)",
        "ereporting-PPF-V1.0",
        "fpcli/ereporting/shape.py",
    ),
    schematron=RuleSetUsed(
        "fpcli-flux10", "Flux 10 e-reporting rules (fpcli)", "Annexe 7 v1.8", "flux10-ereporting.sch"
    ),
)


def validate_report(data: bytes, source: str) -> Report:
    return validate_document(data, source, RULES)
