"""`fpcli send`: from invoice data to a submitted, tracked flow in one command.

For each input: generate (JSON/YAML, simplified input too) or take the file as it is (CII, UBL, Factur-X),
sign when asked, preflight (flow, directory, official rules: fpcli.preflight), then submit through the same
core as `pdp submit` / `chorus submit` (the journal: never twice). One bad invoice never stops the others.

What is sent is kept in an outbox, one file per invoice number. A later run that generates the same invoice
again (same embedded XML) sends the file already in the outbox, so the journal, which knows bytes, sees a
repeat; a PDF made again would differ in its dates and signature and slip past it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fpcli.cii.profile import Profile
from fpcli.errors import ExitCode, FpcliError, UsageError
from fpcli.fileio import STDIO
from fpcli.preflight import Directory, PreflightResult, preflight_files
from fpcli.remote.submit import AlreadySubmittedError, SubmissionUncertainError, SubmitBatch

SCHEMA_VERSION = 1
INVOICE_DATA = (".json", ".yaml", ".yml")
# Flows whose invoice is not delivered through a PA: reported to the tax administration instead.
NOT_DELIVERED = {"b2c", "international-b2b", "out-of-scope"}
OK_STATUSES = ("sent", "recovered", "already-sent", "dry-run", "e-reporting", "out-of-scope")

# (paths, processing rule) -> the submission batch of `pdp submit` or `chorus submit`
Submit = Callable[[list[str], str | None], SubmitBatch]
# (PDF bytes, source name) -> signed PDF bytes
Sign = Callable[[bytes, str], bytes]


@dataclass(frozen=True)
class SendRequest:
    inputs: list[str]
    outbox: Path
    profile: Profile = Profile.EN16931
    simplified: bool = False
    user_profile: str | None = None
    dry_run: bool = False
    force: bool = False  # replace an outbox file whose invoice changed although it was sent


@dataclass
class SendItem:
    input: str
    invoice_number: str | None = None
    file: str | None = None  # what is (or would be) sent
    flow: str | None = None
    processing_rule: str | None = None
    status: str = (
        "pending"  # sent | recovered | already-sent | dry-run | e-reporting | not-ready | refused | uncertain
        # | failed
    )
    flow_id: str | None = None
    ack_status: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    exit_code: int = ExitCode.OK

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def fail(self, status: str, exc: FpcliError) -> None:
        self.status, self.error, self.exit_code = status, exc.message, int(exc.exit_code)
        for f in getattr(exc, "findings", []):
            self.findings.append({"code": f.rule_id, "severity": f.severity, "message": f.message})

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "invoice_number": self.invoice_number,
            "file": self.file,
            "flow": self.flow,
            "processing_rule": self.processing_rule,
            "status": self.status,
            "flow_id": self.flow_id,
            "ack_status": self.ack_status,
            "findings": self.findings,
            "error": self.error,
        }


@dataclass
class SendResult:
    target: str
    dry_run: bool
    items: list[SendItem]

    @property
    def exit_code(self) -> int:
        failed = [i for i in self.items if not i.ok]
        return failed[0].exit_code if failed else ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for i in self.items:
            counts[i.status] = counts.get(i.status, 0) + 1
        return {
            "schema_version": SCHEMA_VERSION,
            "target": self.target,
            "dry_run": self.dry_run,
            "summary": counts,
            "invoices": [i.to_dict() for i in self.items],
        }


def _embedded_xml(data: bytes, name: str) -> bytes:
    from fpcli.pdf.attachments import invoice_xml

    return invoice_xml(data, name)[0]


def _sent_before(path: Path) -> bool:
    from fpcli.remote.journal import Journal

    journal = Journal()
    try:
        entry = journal.latest(hashlib.sha256(path.read_bytes()).hexdigest())
    finally:
        journal.close()
    # submitted, or pending/uncertain (it may have arrived): all count as sent; only failed ones do not
    return entry is not None


def _to_outbox(new: Path, item: SendItem, request: SendRequest) -> None:
    """Move a freshly made file into the outbox, unless the outbox holds the same invoice already (then that
    file is the one sent, so the journal recognises it)."""
    final = request.outbox / new.name
    if final.exists():
        if _embedded_xml(final.read_bytes(), str(final)) == _embedded_xml(new.read_bytes(), str(new)):
            item.file = str(final)
            return
        if _sent_before(final) and not request.force:
            raise AlreadySubmittedError(
                f"{item.input}: invoice {item.invoice_number} was sent before with other content ({final})",
                hint="a corrected invoice needs a new number, or a credit note; `--force` replaces the file",
            )
    new.replace(final)
    item.file = str(final)


def _prepare(request: SendRequest, sign: Sign | None, work: Path) -> list[SendItem]:
    """One item per invoice, each with the file to send (or its failure)."""
    from fpcli.fileio import expand_paths, read_input, write_output
    from fpcli.generate import GenerateRequest, OutputFormat, generate_invoices

    paths = expand_paths(request.inputs, (*INVOICE_DATA, ".xml", ".pdf"))
    if STDIO in paths:  # each invoice is read several times (generate, preflight, submit) and kept
        raise UsageError("`fpcli send` reads files, not stdin (`-`)", hint="save the invoice to a file first")
    data_inputs = [p for p in paths if Path(p).suffix.lower() in INVOICE_DATA]
    made: dict[str, list[SendItem]] = {}
    if data_inputs:
        generated = generate_invoices(
            GenerateRequest(
                inputs=data_inputs,
                output=str(work) + os.sep,
                profile=request.profile,
                format=OutputFormat.XML if request.profile is Profile.EXTENDED_CTC_FR else OutputFormat.PDF,
                simplified=request.simplified,
                user_profile=request.user_profile,
            )
        )
        for g in generated.items:
            item = SendItem(g.source, g.invoice_number, g.output)
            if not g.ok:
                item.status, item.error, item.exit_code = (
                    "refused" if g.findings else "failed",
                    g.error,
                    g.exit_code,
                )
                item.findings = [
                    {"code": f.rule_id, "severity": f.severity, "message": f.message} for f in g.findings
                ]
            made.setdefault(g.source, []).append(item)
    items: list[SendItem] = []
    for path in paths:
        if path in made:
            items.extend(made[path])
            continue
        item = SendItem(path, file=path)
        items.append(item)
        if sign is not None and Path(path).suffix.lower() != ".pdf":
            item.findings.append(
                {"code": "NOT-SIGNED", "severity": "warning", "message": "PAdES signs PDFs only"}
            )
        elif sign is not None:  # an existing file is signed into the outbox; never changed where it is
            try:
                data = read_input(path)
                signed = work / Path(path).name
                write_output(signed, sign(data, path))
                item.file = str(signed)
            except FpcliError as exc:
                item.fail("failed", exc)
    for item in items:
        if item.status != "pending" or item.file is None:
            continue
        try:
            if sign is not None and item.input in made and item.file.endswith(".pdf"):
                write_output(item.file, sign(read_input(item.file), item.file), force=True)
            if Path(item.file).parent == work:
                _to_outbox(Path(item.file), item, request)
        except FpcliError as exc:
            item.fail("failed", exc)
    return items


def _preflight(item: SendItem, directory: Directory) -> PreflightResult:
    result = preflight_files([str(item.file)], directory, offline=False).results[0]
    item.invoice_number = item.invoice_number or result.number
    item.flow, item.processing_rule = result.flow, result.processing_rule
    item.findings += [
        {"code": r.code, "severity": r.severity, "message": r.message}
        for r in result.reasons
        if r.severity != "info"
    ]
    return result


def send_invoices(
    request: SendRequest,
    *,
    directory: Directory,
    submit: Submit,
    target: str,
    sign: Sign | None = None,
    on_done: Callable[[SendItem], None] | None = None,
) -> SendResult:
    """Prepare, preflight and submit every invoice; each failure is that invoice's status."""
    request.outbox.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".send-", dir=request.outbox))  # same file system: moves are renames
    try:
        items = _prepare(request, sign, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    by_rule: dict[str | None, list[SendItem]] = {}
    for item in items:
        if item.status != "pending":
            continue
        pre = _preflight(item, directory)
        if not pre.ready:
            # Refused: the official rules say the invoice is wrong; not ready: it cannot be delivered as is.
            item.status, item.exit_code = "refused" if pre.rules_failed else "not-ready", ExitCode.INVALID
            item.error = "; ".join(r.message for r in pre.reasons if r.severity == "error")
        elif item.flow in NOT_DELIVERED:
            item.status = "out-of-scope" if item.flow == "out-of-scope" else "e-reporting"
        elif request.dry_run:
            item.status = "dry-run"
        else:
            by_rule.setdefault(item.processing_rule, []).append(item)
    for rule, group in by_rule.items():
        _submit(group, rule, submit)
    if on_done is not None:
        for item in items:
            on_done(item)
    return SendResult(target, request.dry_run, items)


def _submit(group: list[SendItem], rule: str | None, submit: Submit) -> None:
    """One call of the submission core per processing rule; its outcomes mapped back to the invoices."""
    batch = submit([str(i.file) for i in group], rule)
    results = {r.file: r for r in batch.results}
    errors = dict(batch.errors)
    for item in group:
        name = str(item.file)
        if name in results:
            r = results[name]
            item.flow_id, item.ack_status = r.flow_id, r.ack_status
            item.status = "recovered" if r.status == "recovered" else "sent"
            if r.ack_status == "Error":
                item.status, item.exit_code = "refused", ExitCode.INVALID
                item.findings += [
                    {"code": d.get("reasonCode"), "severity": "error", "message": d.get("reasonMessage")}
                    for d in r.ack_details
                ]
        elif name in errors:
            exc = errors[name]
            if isinstance(exc, AlreadySubmittedError):
                item.status, item.error = "already-sent", exc.message
            elif isinstance(exc, SubmissionUncertainError):
                # may have arrived and the PA's search could not tell: not re-sent; the next run reconciles
                # again, or `pdp journal --resolve` decides
                item.fail("uncertain", exc)
            else:
                item.fail("refused" if getattr(exc, "findings", None) else "failed", exc)
