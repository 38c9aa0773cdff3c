"""`fpcli generate`: JSON/YAML invoices -> CII XML or Factur-X PDF/A-3, one file or a batch.

One bad input never stops the others: each input gets a `GeneratedItem` with its outcome, and the batch
result says whether anything failed. Outputs are written atomically and never overwrite without `force`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from fpcli.cii.profile import Profile
from fpcli.errors import ExitCode, FpcliError, UsageError
from fpcli.fileio import STDIO, expand_paths, read_input, write_output
from fpcli.validation.findings import Finding

if TYPE_CHECKING:
    from fpcli.model.invoice import Invoice
    from fpcli.pdf.pdfa3 import PdfMetadata

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
    check: bool = True  # validate each output with `fpcli validate`'s rules before writing it
    recursive: bool = False  # directories: read their subdirectories too
    lenient: bool = False  # invoices someone else issued: bad check digits, stated amounts kept -> warnings
    date: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass
class GeneratedItem:
    source: str
    invoice_number: str | None = None
    output: str | None = None
    dropped: list[str] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # rule findings that refused or warned
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
                    "warnings": i.warnings,
                    "findings": [f.to_dict() for f in i.findings],
                    "error": i.error,
                }
                for i in self.items
            ],
            "summary": {"ok": len(self.items) - len(self.failed), "failed": len(self.failed)},
        }


CTC_FR_NOT_FACTURX = (
    "EXTENDED-CTC-FR is not a Factur-X profile (FNFE-MPE guidance; factur-x >= 7.7 refuses such PDFs): "
    "it is written as CII XML only"
)


def resolve_format(text: str | None, output: str | None, profile: Profile) -> tuple[OutputFormat, str | None]:
    """`-t`, else `-o`'s extension, else PDF; both given and different is a usage error, never a silent
    choice. EXTENDED-CTC-FR is XML only: (format, a note to show the user) or a usage error."""
    suffix = PurePath(output).suffix.lower().lstrip(".") if output and output != STDIO else ""
    implied = OutputFormat(suffix) if suffix in ("xml", "pdf") else None
    chosen: OutputFormat | None = None
    if text is not None:
        try:
            chosen = OutputFormat(text.lower())
        except ValueError:
            raise UsageError(f"unknown format `{text}`", hint="use `pdf` or `xml`") from None
        if implied is not None and implied is not chosen:
            raise UsageError(
                f"`-t {chosen.value}` but `-o {output}` ends in .{implied.value}",
                hint=f"drop `-t` (the extension decides), or name the output `….{chosen.value}`",
            )
    asked = chosen or implied
    if profile is Profile.EXTENDED_CTC_FR:
        if asked is OutputFormat.PDF:
            raise UsageError(
                f"{CTC_FR_NOT_FACTURX}; a PDF was asked for",
                hint="drop `-t pdf` / the `.pdf` name, or use `--profile extended` for a Factur-X PDF",
            )
        return OutputFormat.XML, None if asked else f"note: {CTC_FR_NOT_FACTURX}"
    return asked or OutputFormat.PDF, None


def expand_inputs(inputs: Iterable[str], *, recursive: bool = False) -> list[str]:
    """Directories expand to the invoice files they hold (sorted; below too with `recursive`)."""
    out = expand_paths(list(inputs), INPUT_SUFFIXES, recursive=recursive)
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
        if request.output and directory.suffix.lower() in (".xml", ".pdf") and not directory.is_dir():
            raise UsageError(
                f"`{directory}` names a file, but this run makes several invoices",
                hint="with several invoices, `-o` names a directory (created when missing)",
            )
        return str(directory / (safe_name(number) + suffix))
    if request.output:
        # `-o out/` names a directory even before it exists (created when the file is written)
        if Path(request.output).is_dir() or request.output.endswith(("/", os.sep)):
            return str(Path(request.output) / (safe_name(number) + suffix))
        return request.output
    if source == STDIO:
        return STDIO
    return str(Path(source).with_suffix(suffix))


def build_document(
    invoice: object, request: GenerateRequest, base_pdf: bytes | None
) -> tuple[bytes, list[str], list[str]]:
    """One invoice -> (bytes of the XML or PDF, dropped terms, warnings). Raises FpcliError."""
    from fpcli.cii.schema import check_generated
    from fpcli.cii.writer import to_cii
    from fpcli.model.invoice import Invoice
    from fpcli.model.totals import TotalsMismatch, compute

    assert isinstance(invoice, Invoice)
    try:
        computed = compute(invoice, lenient=request.lenient)
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
        return cii.xml, cii.dropped, list(computed.warnings)
    if request.profile is Profile.EXTENDED_CTC_FR:
        raise UsageError(CTC_FR_NOT_FACTURX, hint="ask for XML, or `--profile extended` for a Factur-X PDF")
    from fpcli.pdf.layout import render_invoice_pdf
    from fpcli.pdf.pdfa3 import embed_xml

    meta = pdf_metadata(invoice, request.date)
    if base_pdf is not None and request.base_pdf:
        # Someone else's PDF: cleaned and converted to PDF/A-3 like `fpcli embed` (fpcli.pdf.embed); the
        # check on write below validates the result, so the converter does not check it twice.
        from fpcli.pdf.embed import facturx_from_pdf

        made = facturx_from_pdf(
            base_pdf, cii.xml, profile=request.profile, metadata=meta, source=request.base_pdf, check=False
        )
        removed = [f"{request.base_pdf}: removed {what} (PDF/A forbids it)" for what in made.removed]
        return made.pdf, cii.dropped, list(computed.warnings) + removed
    pdf = render_invoice_pdf(invoice, date=request.date, computed=computed)
    pdf = embed_xml(pdf, cii.xml, profile=request.profile, metadata=meta, source="<rendered>")
    return pdf, cii.dropped, list(computed.warnings)


def pdf_metadata(invoice: Invoice, date: dt.datetime) -> PdfMetadata:
    """Title, author and subject of a Factur-X PDF made by fpcli (generate, convert)."""
    from fpcli.pdf.pdfa3 import PdfMetadata

    title = f"{'Avoir' if invoice.is_credit_note else 'Facture'} {invoice.number}"
    return PdfMetadata(
        title=title,
        author=invoice.seller.name,
        subject=f"{title} — {invoice.seller.name} → {invoice.buyer.name}",
        date=date,
    )


def generate_file(source: str, request: GenerateRequest, *, many: bool) -> list[GeneratedItem]:
    """Generate every invoice of one input file. Never raises FpcliError: failures become items."""
    from fpcli.model.load import load_invoices
    from fpcli.model.rules import with_french_mentions

    name = source if source != STDIO else "<stdin>"
    lookups: list[str] = []
    raw = b""
    read_warnings: list[str] | None = [] if request.lenient else None
    try:
        raw = read_input(source)
        if request.simplified:
            from fpcli.simplified import expand_file

            expansion = expand_file(raw, name, offline=request.offline, profile=request.user_profile)
            invoices, lookups = expansion.invoices, expansion.lookups
        else:
            invoices = load_invoices(raw, name, warnings=read_warnings)
        base = read_input(request.base_pdf) if request.base_pdf else None
        notes = _profile_notes(request.user_profile)
    except FpcliError as exc:
        return [GeneratedItem(source=source, error=exc.message, hint=exc.hint, exit_code=exc.exit_code)]
    items: list[GeneratedItem] = []
    for index, given in enumerate(invoices):
        invoice = with_french_mentions(given, notes)
        item = GeneratedItem(source=source, invoice_number=invoice.number, lookups=lookups)
        try:
            target = _target(request, source, invoice.number, many or len(invoices) > 1)
            data, item.dropped, computed = build_document(invoice, request, base)
            item.warnings = [f"{name}: {w}" for w in [*(read_warnings or []), *computed]]
            if request.check:
                explain = _Explainer(raw, index, item.dropped, request.profile)
                _check(data, request, name, invoice.number, item, explain)
            if target != STDIO:
                Path(target).parent.mkdir(parents=True, exist_ok=True)  # an `-o` directory may be new
            write_output(target, data, force=request.force)
            item.output = target
        except FpcliError as exc:
            item.error, item.hint, item.exit_code = exc.message, exc.hint, exc.exit_code
            item.findings = list(getattr(exc, "findings", []))
        items.append(item)
    return items


def _profile_notes(name: str | None) -> dict[str, str]:
    """`invoice_notes` of the user's profile (PMT/PMD/AAB texts); none without a profile file."""
    from fpcli.profiles import config

    profiles = config.load()
    if name is None and profiles.default is None:
        return {}
    return dict(config.active(profiles, name)[1].invoice_notes)


class _Explainer:
    """A rule finding in the input's terms: the fields of the input its BT ids name, with their lines."""

    def __init__(self, raw: bytes, index: int, dropped: list[str], profile: Profile) -> None:
        self.raw, self.index = raw, index
        self.dropped = {d.split()[0] for d in dropped}  # "BG-1 invoice notes" -> "BG-1"
        self.profile = profile
        self._where: dict[tuple[int | str, ...], int] | None = None
        self.prefix: tuple[int, ...] = ()

    def __call__(self, finding: Finding) -> str | None:
        from fpcli.model.load import format_loc, line_of, positions
        from fpcli.model.terms import fields_named_in

        if self._where is None:
            self._where = positions(self.raw)
            self.prefix = (self.index,) if (0,) in self._where else ()  # a list of invoices
        named = []
        for term, path in fields_named_in(finding.message):
            full = (format_loc(self.prefix) if self.prefix else "") + (
                path if not self.prefix else "." + path
            )
            line = line_of(full.replace("[]", "[0]"), self._where)
            left_out = f", which profile {self.profile.value} leaves out" if term in self.dropped else ""
            named.append(f"`{full}` ({term})" + (f", near line {line}" if line else "") + left_out)
        return "in the input: " + "; ".join(named) if named else None


def _check(
    data: bytes,
    request: GenerateRequest,
    name: str,
    number: str,
    item: GeneratedItem,
    explain: Callable[[Finding], str | None] | None = None,
) -> None:
    """The output through `fpcli validate`'s layers; errors raise (nothing is written), warnings stay."""
    from fpcli.validation.gate import DocumentRejected, check_document, describe

    try:
        warnings = check_document(
            data,
            name,
            profile=request.profile,
            what=f"{name}: invoice {number}",
            action="nothing written",
            explain=explain,
        )
    except DocumentRejected as exc:
        if item.dropped:  # the profile left out what the rules ask for: say which, and the way out
            exc.hint = (
                f"profile {request.profile.value} cannot carry {', '.join(item.dropped)}; "
                "choose a richer `--profile` (en16931 carries every French mandatory mention)"
            )
        raise
    item.findings = warnings
    item.warnings += [f"{name}: invoice {number}: {describe(f)}" for f in warnings]


def _numbers(source: str) -> set[str]:
    """The invoice numbers an input file holds, read without the model (a cheap pre-pass)."""
    from fpcli.model.load import parse_document

    try:
        raw = parse_document(read_input(source), source)
    except FpcliError:
        return set()  # its own run reports the problem
    items = raw if isinstance(raw, list) else [raw]
    return {str(i["number"]).strip() for i in items if isinstance(i, dict) and i.get("number") is not None}


def duplicate_numbers(sources: list[str]) -> dict[str, dict[str, str]]:
    """Inputs of one batch that share an invoice number: {input: {number: the other input}}. Neither is
    written: which one is right is for the user to say, and `--force` would let the later overwrite."""
    first: dict[str, str] = {}
    clashes: dict[str, dict[str, str]] = {}
    for source in sources:
        for number in sorted(_numbers(source)):
            other = first.setdefault(number, source)
            if other != source:
                clashes.setdefault(source, {})[number] = other
                clashes.setdefault(other, {})[number] = source
    return clashes


def _clash(source: str, others: dict[str, str]) -> GeneratedItem:
    said = "; ".join(f"invoice number {n} is also in `{o}`" for n, o in sorted(others.items()))
    return GeneratedItem(
        source=source,
        invoice_number=next(iter(sorted(others))),
        error=f"{source}: {said}",
        hint="an invoice number identifies one invoice (BR-FR-01 / BT-1): give each its own number",
        exit_code=ExitCode.BAD_INPUT,
    )


def _worker(args: tuple[str, GenerateRequest, bool]) -> list[GeneratedItem]:
    source, request, many = args
    return generate_file(source, request, many=many)


def generate_invoices(
    request: GenerateRequest, on_done: Callable[[GeneratedItem], None] | None = None
) -> GenerateResult:
    """Run a generate request over all its inputs, in parallel worker processes when `jobs` > 1."""
    sources = expand_inputs(request.inputs, recursive=request.recursive)
    if STDIO in sources and len(sources) > 1:
        raise UsageError("`-` (stdin) cannot be mixed with other inputs")
    clashes = duplicate_numbers(sources) if len(sources) > 1 else {}
    many = len(sources) > 1
    if request.output == STDIO and many:
        raise UsageError("`-o -` takes one invoice; this run has several inputs", hint="give `-o DIRECTORY`")
    items: list[GeneratedItem] = []

    def collect(batch: list[GeneratedItem]) -> None:
        for item in batch:
            items.append(item)
            if on_done:
                on_done(item)

    for source, others in clashes.items():
        collect([_clash(source, others)])
    sources = [s for s in sources if s not in clashes]
    if request.jobs > 1 and many and not request.simplified:  # look-ups: one process keeps the rate limit
        from fpcli.workers import routed_pool

        workers = min(request.jobs, len(sources))  # a spawned worker that gets no file only costs start-up
        shipped = replace(request, inputs=[])  # each chunk carries the request: not every input's name
        with routed_pool(workers) as pool_map:
            for batch in pool_map(_worker, [(s, shipped, many) for s in sources]):
                collect(batch)
    else:
        for source in sources:
            collect(generate_file(source, request, many=many))
    return GenerateResult(profile=request.profile, format=request.format, items=items)
