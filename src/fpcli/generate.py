"""`fpcli generate`: JSON/YAML invoices -> CII XML or Factur-X PDF/A-3, one file or a batch.

One bad input never stops the others: each input gets a `GeneratedItem` with its outcome, and the batch
result says whether anything failed. Outputs are written atomically and never overwrite without `force`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from fpcli.cii.profile import Profile
from fpcli.errors import ExitCode, FpcliError, InputError, UsageError
from fpcli.fileio import STDIO, files_in, read_input, write_output

INPUT_SUFFIXES = (".json", ".yaml", ".yml")


class OutputFormat(StrEnum):
    XML = "xml"
    PDF = "pdf"


@dataclass(frozen=True)
class GenerateRequest:
    inputs: list[str]
    output: str | None
    profile: Profile
    format: OutputFormat
    base_pdf: str | None = None
    strict: bool = False
    force: bool = False
    jobs: int = 1
    simplified: bool = False  # input is the simplified form: look companies up (fpcli.simplified)
    offline: bool = False  # simplified input: answer from the look-up cache only
    user_profile: str | None = None  # for Chorus Pro access (public buyers)
    date: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass
class GeneratedItem:
    source: str
    invoice_number: str | None = None
    output: str | None = None
    dropped: list[str] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    exit_code: int = ExitCode.OK

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class GenerateResult:
    profile: Profile
    format: OutputFormat
    items: list[GeneratedItem]

    @property
    def failed(self) -> list[GeneratedItem]:
        return [i for i in self.items if not i.ok]

    @property
    def exit_code(self) -> int:
        codes = {i.exit_code for i in self.failed}
        if not codes:
            return ExitCode.OK
        # The most specific failure wins; input problems are the common case in a batch.
        return max(codes) if len(codes) == 1 else ExitCode.BAD_INPUT

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": 1,
            "command": "generate",
            "profile": self.profile.value,
            "format": self.format.value,
            "results": [
                {
                    "input": i.source,
                    "invoice": i.invoice_number,
                    "output": i.output,
                    "status": "ok" if i.ok else "error",
                    "dropped": i.dropped,
                    "lookups": i.lookups,
                    "error": i.error,
                }
                for i in self.items
            ],
            "summary": {"ok": len(self.items) - len(self.failed), "failed": len(self.failed)},
        }


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Directories expand to the invoice files they hold (sorted, not recursive)."""
    out: list[str] = []
    for name in inputs:
        p = Path(name)
        if name != STDIO and p.is_dir():
            found = files_in(p, INPUT_SUFFIXES)
            if not found:
                raise InputError.at(name, None, "directory holds no .json, .yaml or .yml invoice")
            out.extend(found)
        else:
            out.append(name)
    if not out:
        raise UsageError("no input given", hint="pass an invoice file, a directory, or `-` for stdin")
    return out


def safe_name(number: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", number).strip("._") or "invoice"


def _target(request: GenerateRequest, source: str, number: str, many: bool) -> str:
    suffix = "." + request.format.value
    if request.output == STDIO:
        if many:
            raise UsageError("`-o -` takes one invoice; this run makes several", hint="give `-o DIRECTORY`")
        return STDIO
    if many:
        directory = (
            Path(request.output) if request.output else (Path(source).parent if source != STDIO else Path())
        )
        if request.output and not directory.is_dir():
            raise UsageError(
                f"`{directory}` is not a directory", hint="with several invoices, `-o` names a directory"
            )
        return str(directory / (safe_name(number) + suffix))
    if request.output:
        if Path(request.output).is_dir():
            return str(Path(request.output) / (safe_name(number) + suffix))
        return request.output
    if source == STDIO:
        return STDIO
    return str(Path(source).with_suffix(suffix))


def build_document(
    invoice: object, request: GenerateRequest, base_pdf: bytes | None
) -> tuple[bytes, list[str]]:
    """One invoice -> (bytes of the XML or PDF, dropped terms). Raises FpcliError."""
    from fpcli.cii.schema import check_generated
    from fpcli.cii.writer import to_cii
    from fpcli.model.invoice import Invoice
    from fpcli.model.totals import TotalsMismatch, compute

    assert isinstance(invoice, Invoice)
    try:
        computed = compute(invoice)
    except TotalsMismatch as exc:
        from fpcli.errors import InvoiceDataError

        raise InvoiceDataError(f"invoice {invoice.number}", exc.problems) from None
    cii = to_cii(invoice, request.profile, computed)
    if request.strict and cii.dropped:
        raise UsageError(
            f"invoice {invoice.number}: profile {request.profile.value} cannot carry "
            + ", ".join(cii.dropped),
            hint="choose a richer `--profile`, or drop `--strict` to leave these out",
        )
    check_generated(cii.xml, request.profile, f"invoice {invoice.number}")
    if request.format is OutputFormat.XML:
        return cii.xml, cii.dropped
    from fpcli.pdf.layout import render_invoice_pdf
    from fpcli.pdf.pdfa3 import PdfMetadata, embed_xml

    pdf = (
        base_pdf
        if base_pdf is not None
        else render_invoice_pdf(invoice, date=request.date, computed=computed)
    )
    title = f"{'Avoir' if invoice.is_credit_note else 'Facture'} {invoice.number}"
    meta = PdfMetadata(
        title=title,
        author=invoice.seller.name,
        subject=f"{title} — {invoice.seller.name} → {invoice.buyer.name}",
        date=request.date,
    )
    source = request.base_pdf or "<rendered>"
    return embed_xml(pdf, cii.xml, profile=request.profile, metadata=meta, source=source), cii.dropped


def generate_file(source: str, request: GenerateRequest, *, many: bool) -> list[GeneratedItem]:
    """Generate every invoice of one input file. Never raises FpcliError: failures become items."""
    from fpcli.model.load import load_invoices

    name = source if source != STDIO else "<stdin>"
    lookups: list[str] = []
    try:
        if request.simplified:
            from fpcli.simplified import expand_file

            expansion = expand_file(
                read_input(source), name, offline=request.offline, profile=request.user_profile
            )
            invoices, lookups = expansion.invoices, expansion.lookups
        else:
            invoices = load_invoices(read_input(source), name)
        base = read_input(request.base_pdf) if request.base_pdf else None
    except FpcliError as exc:
        return [GeneratedItem(source=source, error=exc.message, hint=exc.hint, exit_code=exc.exit_code)]
    items: list[GeneratedItem] = []
    for invoice in invoices:
        item = GeneratedItem(source=source, invoice_number=invoice.number, lookups=lookups)
        try:
            target = _target(request, source, invoice.number, many or len(invoices) > 1)
            data, item.dropped = build_document(invoice, request, base)
            write_output(target, data, force=request.force)
            item.output = target
        except FpcliError as exc:
            item.error, item.hint, item.exit_code = exc.message, exc.hint, exc.exit_code
        items.append(item)
    return items


def _worker(args: tuple[str, GenerateRequest, bool]) -> list[GeneratedItem]:
    source, request, many = args
    return generate_file(source, request, many=many)


def generate_invoices(
    request: GenerateRequest, on_done: Callable[[GeneratedItem], None] | None = None
) -> GenerateResult:
    """Run a generate request over all its inputs, in parallel worker processes when `jobs` > 1."""
    sources = expand_inputs(request.inputs)
    if STDIO in sources and len(sources) > 1:
        raise UsageError("`-` (stdin) cannot be mixed with other inputs")
    many = len(sources) > 1
    if request.output == STDIO and many:
        raise UsageError("`-o -` takes one invoice; this run has several inputs", hint="give `-o DIRECTORY`")
    items: list[GeneratedItem] = []

    def collect(batch: list[GeneratedItem]) -> None:
        for item in batch:
            items.append(item)
            if on_done:
                on_done(item)

    if request.jobs > 1 and many and not request.simplified:  # look-ups: one process keeps the rate limit
        from fpcli.workers import process_pool

        # spawn, not fork: workers must not inherit locks or engine state from the parent.
        with process_pool(request.jobs) as pool_map:
            for batch in pool_map(_worker, [(s, request, many) for s in sources]):
                collect(batch)
    else:
        for source in sources:
            collect(generate_file(source, request, many=many))
    return GenerateResult(profile=request.profile, format=request.format, items=items)
