"""Validating many files: directories expanded, a spawn-based process pool for `jobs` > 1 (saxonche must not
run in threads or forked workers), each worker compiling each rule set once, results in input order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fpcli.errors import ExitCode, InputError, UsageError
from fpcli.fileio import STDIO, expand_paths, read_input
from fpcli.validation.checks import ValidateOptions, validate_bytes
from fpcli.validation.findings import SCHEMA_VERSION, Finding, Report

SUFFIXES = (".xml", ".pdf")


def expand(inputs: Iterable[str], *, recursive: bool = False) -> list[str]:
    out = expand_paths(list(inputs), SUFFIXES, recursive=recursive)
    if not out:
        raise UsageError("no file to validate", hint="pass files or directories, or `-` for stdin")
    return out


def validate_one(name: str, options: ValidateOptions) -> Report:
    source = "<stdin>" if name == STDIO else name
    try:
        data = read_input(name)
    except InputError as exc:
        report = Report(source=source, unreadable=True)
        report.findings.append(Finding("READ", "error", exc.message, None, None, "wellformed", "fpcli"))
        return report
    report = validate_bytes(data, source, options)
    if not options.keep_svrl:
        # only `--format svrl` prints it: a batch that kept every file's SVRL grew with its size
        report.svrl.clear()
    return report


def _worker(args: tuple[str, ValidateOptions]) -> Report:
    return validate_one(*args)


@dataclass
class BatchResult:
    reports: list[Report] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(r.unreadable for r in self.reports):
            return ExitCode.BAD_INPUT
        if any(not r.valid for r in self.reports):
            return ExitCode.INVALID
        return ExitCode.OK

    def to_dict(self) -> dict[str, object]:
        statuses = [r.status for r in self.reports]
        return {
            "schema_version": SCHEMA_VERSION,
            "command": "validate",
            "files": [r.to_dict() for r in self.reports],
            "summary": {s: statuses.count(s) for s in ("valid", "invalid", "unreadable")},
        }


def validate_many(
    inputs: list[str],
    options: ValidateOptions,
    *,
    jobs: int = 1,
    on_done: Callable[[Report], None] | None = None,
    recursive: bool = False,
) -> BatchResult:
    names = expand(inputs, recursive=recursive)
    if STDIO in names and len(names) > 1:
        raise UsageError("`-` (stdin) cannot be mixed with other inputs")
    result = BatchResult()
    if jobs > 1 and len(names) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        workers = min(jobs, len(names))  # a spawned worker that gets no file only costs start-up
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            chunk = max(1, min(16, len(names) // (workers * 4)))
            for report in pool.map(_worker, [(n, options) for n in names], chunksize=chunk):
                result.reports.append(report)
                if on_done:
                    on_done(report)
    else:
        for name in names:
            report = validate_one(name, options)
            result.reports.append(report)
            if on_done:
                on_done(report)
    return result
