"""One report model for every layer: findings (rule id, severity, message, location, layer) per file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
LAYERS = ("wellformed", "xsd", "schematron", "br-fr", "pdf", "facturx", "visible")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    location: str | None = None
    line: int | None = None
    layer: str = ""
    rule_set: str = ""
    # The id the rule set itself gives (e.g. FX-SCH-A-000132) when `rule_id` is the business rule id
    # (BR-CO-27) taken from the message: both as published, so either can be looked up.
    official_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "official_id": self.official_id,
            "severity": self.severity,
            "message": self.message,
            "location": self.location,
            "line": self.line,
            "layer": self.layer,
            "rule_set": self.rule_set,
        }


@dataclass(frozen=True)
class RuleSetUsed:
    id: str
    title: str
    version: str
    file: str


@dataclass
class Report:
    source: str
    container: Literal["xml", "pdf"] = "xml"
    syntax: str | None = None  # "CII", "UBL", or None when unreadable
    attachment: str | None = None
    guideline_id: str | None = None
    profile: str | None = None
    unreadable: bool = False
    findings: list[Finding] = field(default_factory=list)
    rule_sets: list[RuleSetUsed] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)
    svrl: dict[str, bytes] = field(default_factory=dict)  # raw Schematron output per rule set id

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.unreadable and not self.errors

    @property
    def status(self) -> str:
        return "unreadable" if self.unreadable else ("valid" if self.valid else "invalid")

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "valid": self.valid,
            "container": self.container,
            "syntax": self.syntax,
            "attachment": self.attachment,
            "guideline_id": self.guideline_id,
            "profile": self.profile,
            "layers": self.layers,
            "rule_sets": [vars(r) for r in self.rule_sets],
            "counts": {
                "error": len(self.errors),
                "warning": len(self.warnings),
                "info": len(self.findings) - len(self.errors) - len(self.warnings),
            },
            "findings": [f.to_dict() for f in self.findings],
        }
