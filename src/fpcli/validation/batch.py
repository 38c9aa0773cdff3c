"""Validating many files: directories expanded, a spawn-based process pool for `jobs` > 1 (saxonche must not
run in threads or forked workers), each worker compiling each rule set once, results in input order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fpcli.errors import ExitCode, FpcliError, UsageError
from fpcli.fileio import STDIO, expand_paths, read_input
from fpcli.validation.checks import ValidateOptions, validate_bytes
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
        from fpcli.workers import process_pool

        workers = min(jobs, len(names))  # a spawned worker that gets no file only costs start-up
        with process_pool(workers) as pool_map:
            chunk = max(1, min(16, len(names) // (workers * 4)))
            for report in pool_map(_worker, [(n, options) for n in names], chunksize=chunk):
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
