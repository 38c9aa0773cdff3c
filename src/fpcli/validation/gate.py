"""The check before anything leaves fpcli: what `generate` writes and what `pdp submit` / `chorus submit`
send goes through the same layers as `fpcli validate` first (DESIGN.md, Trust).

Compiled rule sets are cached per process (`fpcli.validation.saxon.compiled`), so a batch compiles each
once, and each `--jobs` worker once.
"""

from __future__ import annotations

from collections.abc import Callable

from fpcli.cii.profile import Profile
from fpcli.errors import InvalidDocumentError
from fpcli.validation.checks import ValidateOptions, validate_bytes
from fpcli.validation.findings import Finding, Report

# Says where a finding points in the input a document was made from ("in the input: `buyer.…` (BT-49)").
Explain = Callable[[Finding], str | None]
NO_CHECK_HINT = "fix the input, or pass `--no-check` only for trusted input already checked elsewhere"


class DocumentRejected(InvalidDocumentError):
    """The rules `fpcli validate` applies reject a document fpcli was about to write or send (exit 1)."""

    def __init__(self, message: str, findings: list[Finding], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.findings = findings

    @classmethod
    def from_report(
        cls, what: str, report: Report, action: str, explain: Explain | None = None
    ) -> DocumentRejected:
        errors = report.errors
        lines = [f"{what}: {len(errors)} error(s) from the official rules; {action}"]
        for f in errors[:20]:
            lines.append(f"  {describe(f)}")
            said = explain(f) if explain is not None else None
            if said:
                lines.append(f"    {said}")
        if len(errors) > 20:
            lines.append(f"  … {len(errors) - 20} more (`fpcli validate` lists them all)")
        return cls("\n".join(lines), errors, hint=NO_CHECK_HINT)


def describe(f: Finding) -> str:
    where = f" (XML line {f.line})" if f.line else ""
    return f"{f.rule_id}{where}: {f.message}"


def check_document(
    data: bytes,
    source: str,
    *,
    profile: Profile | None = None,
    what: str | None = None,
    action: str,
    explain: Explain | None = None,
) -> list[Finding]:
    """Validate `data` (CII, UBL or Factur-X PDF) as `fpcli validate` would; return the warnings, or raise
    DocumentRejected naming every error. `action` says what did not happen ("nothing written")."""
    report = validate_bytes(data, source, ValidateOptions(profile=profile))
    if report.unreadable or report.errors:
        raise DocumentRejected.from_report(what or source, report, action, explain)
    return report.warnings


def check_flow(name: str, data: bytes, syntax: str) -> list[Finding]:
    """The check before an upload: invoices with `fpcli validate`'s layers, CDAR (flux 6) and e-reporting
    (flux 10) with their own rules. Raises DocumentRejected; nothing is sent then."""
    action = "nothing sent"
    if syntax == "CDAR":
        from fpcli.lifecycle.validate import validate_cdar

        report = validate_cdar(data, name)
    elif syntax == "FRR":
        from fpcli.ereporting.validate import validate_report

        report = validate_report(data, name)
    else:
        return check_document(data, name, action=action)
    if report.unreadable or report.errors:
        raise DocumentRejected.from_report(name, report, action)
    return report.warnings
