"""Validating many files: directories expanded, spawned worker processes for `jobs` > 1 (saxonche must not
run in threads or forked workers), each compiling each rule set it meets once, results in input order.

Compiling a rule set costs a worker 0.1-1 s (Saxon-HE cannot share compiled stylesheets between processes),
as much as 10-100 files take: files are routed to workers by what they are (`route_key`), so that in a batch
of many profiles each worker compiles few rule sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field

from fpcli.cii.profile import Profile, profile_from_guideline
from fpcli.errors import ExitCode, FpcliError, UsageError
from fpcli.fileio import STDIO, expand_paths, read_input
from fpcli.validation.checks import ValidateOptions, is_facturx_guideline, validate_bytes
from fpcli.validation.findings import SCHEMA_VERSION, Finding, Report

SUFFIXES = (".xml", ".pdf")


def expand(inputs: Iterable[str], *, recursive: bool = False) -> list[str]:
    out = expand_paths(list(inputs), SUFFIXES, recursive=recursive)
    if not out:
        raise UsageError("no file to validate", hint="pass files or directories, or `-` for stdin")
    return out


def _unreadable(source: str, message: str) -> Report:
    report = Report(source=source, unreadable=True)
    report.findings.append(Finding("READ", "error", message, None, None, "wellformed", "fpcli"))
    return report


def validate_one(name: str, options: ValidateOptions) -> Report:
    """One file's report, whatever the file holds: a file that cannot be read or checked is that file's
    finding (status unreadable), and a batch goes on with the next one."""
    source = "<stdin>" if name == STDIO else name
    try:
        report = validate_bytes(read_input(name), source, options)
    except FpcliError as exc:
        return _unreadable(source, exc.message)
    except (ValueError, LookupError, RecursionError, MemoryError) as exc:
        # What a hostile file can still make a parser or the rule engine raise (saxonche's errors are
        # ValueErrors): the file is at fault, not the batch.
        return _unreadable(source, f"{source}: cannot be checked: {type(exc).__name__}: {exc}")
    if not options.keep_svrl:
        # only `--format svrl` prints it: a batch that kept every file's SVRL grew with its size
        report.svrl.clear()
    return report


def _worker(args: tuple[str, ValidateOptions]) -> Report:
    return validate_one(*args)


_GUIDELINE = re.compile(rb"GuidelineSpecifiedDocumentContextParameter>\s*<[^>]*?ID[^>]*>\s*([^<\s]+)")
_CUSTOMIZATION = re.compile(rb"CustomizationID[^>]*>\s*([^<\s]+)")
_SELLER_FR = re.compile(rb"CountryID[^>]*>\s*FR\s*<|IdentificationCode[^>]*>\s*FR\s*<")
ROUTE_HEAD = 16 * 1024


def _route(item: tuple[str, ValidateOptions]) -> tuple[str, ...]:
    return route_key(*item)


def route_key(name: str, options: ValidateOptions) -> tuple[str, ...]:
    """The rule sets a file probably needs, from its first bytes: its profile's (BT-24 of a CII, the
    CustomizationID of a UBL; "pdf" for a PDF, whose invoice is inside), then the French rules' when they
    apply (`br-fr-cii` or `br-fr-ubl`, one rule set whatever the profile). Only a guess for routing files to
    worker processes: a wrong guess costs a process one more compilation, never a different report."""
    try:
        with open(name, "rb") as fh:  # noqa: PTH123 (a short read of the head)
            head = fh.read(ROUTE_HEAD)
    except OSError:
        return ("?",)
    fr = options.fr if options.fr is not None else bool(_SELLER_FR.search(head))
    if head.lstrip()[:5] == b"%PDF-":
        kind = "pdf"
    elif options.profile is not None:
        kind = options.profile.value
    elif (found := _GUIDELINE.search(head)) is None:
        ubl = _CUSTOMIZATION.search(head)
        kind = "ubl:" + (ubl.group(1).decode("ascii", "replace") if ubl else "")
    elif not is_facturx_guideline(gid := found.group(1).decode("ascii", "replace")):
        kind = "cen"  # XRechnung and other CIUS: CEN's generic rules
    else:
        kind = (profile_from_guideline(gid) or Profile.EN16931).value
    if not fr:
        return (kind,)
    return (kind, "br-fr-ubl" if kind.startswith("ubl:") else "br-fr-cii")


STATUSES = ("valid", "invalid", "unreadable")


@dataclass
class BatchResult:
    """A batch's reports, or only their count per status when the caller streamed them (`keep=False`):
    then memory stays flat in batch size."""

    reports: list[Report] = field(default_factory=list)
    tally: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def add(self, report: Report, *, keep: bool = True) -> None:
        self.tally[report.status] += 1
        if keep:
            self.reports.append(report)

    @property
    def count(self) -> int:
        return sum(self.tally.values())

    @property
    def exit_code(self) -> int:
        if self.tally["unreadable"]:
            return ExitCode.BAD_INPUT
        if self.tally["invalid"]:
            return ExitCode.INVALID
        return ExitCode.OK

    def summary(self) -> dict[str, int]:
        return dict(self.tally)

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": SCHEMA_VERSION,
            "command": "validate",
            "files": [r.to_dict() for r in self.reports],
            "summary": self.summary(),
        }


def validate_many(
    inputs: list[str],
    options: ValidateOptions,
    *,
    jobs: int = 1,
    on_done: Callable[[Report], None] | None = None,
    recursive: bool = False,
    keep: bool = True,
) -> BatchResult:
    """Every file's report, in input order; each handed to `on_done` as soon as it is next in line. With
    `keep=False` the result holds only the counts (the caller renders the reports as they come)."""
    names = expand(inputs, recursive=recursive)
    if STDIO in names and len(names) > 1:
        raise UsageError("`-` (stdin) cannot be mixed with other inputs")
    result = BatchResult()
    with ExitStack() as stack:
        if jobs > 1 and len(names) > 1:
            from fpcli.workers import routed_pool

            workers = min(jobs, len(names))  # a spawned worker that gets no file only costs start-up
            pool_map = stack.enter_context(routed_pool(workers))
            reports: Iterable[Report] = pool_map(_worker, [(n, options) for n in names], _route)
        else:
            reports = (validate_one(name, options) for name in names)
        for report in reports:
            result.add(report, keep=keep)
            if on_done:
                on_done(report)
    return result
