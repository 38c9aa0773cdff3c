"""`validate_cdar`: structure (CDAR D22B) and fpcli's BR-FR-CDV rules."""

from __future__ import annotations

from fpcli.lifecycle.shape import CDAR
from fpcli.validation.document import DocumentRules, validate_document
from fpcli.validation.findings import Report, RuleSetUsed

RULES = DocumentRules(
    syntax="CDAR",
    shape=CDAR,
    structure=RuleSetUsed(
        "fpcli-cdar-structure",
        "CDAR D22B structure (fpcli's check of the UN/CEFACT XSD)",
        "CrossDomainAcknowledgementAndResponse 100.D22B",
        "fpcli/lifecycle/shape.py",
    ),
    schematron=RuleSetUsed(
        "fpcli-br-fr-cdv",
        "French lifecycle rules BR-FR-CDV (fpcli)",
        "XP Z12-012 V1.4.0",
        "cdar-br-fr-cdv.sch",
    ),
)


def validate_cdar(data: bytes, source: str) -> Report:
    return validate_document(data, source, RULES)
