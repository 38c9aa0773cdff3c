"""The FpcliError tree. Each class carries its exit code; the CLI maps them in one place.

Messages name the file, the place and, where there is one, the fix (`hint`).
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Exit codes, as documented in DESIGN.md, the README and the man page."""

    OK = 0
    INVALID = 1
    USAGE = 2
    BAD_INPUT = 3
    REMOTE = 4
    AUTH = 5
    SIGNATURE = 6
    INTERNAL = 70  # a bug in fpcli: rerun with --debug
    INTERRUPTED = 130


class FpcliError(Exception):
    """Root of every error fpcli raises on purpose."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(FpcliError):
    exit_code = ExitCode.USAGE


class InputError(FpcliError):
    """Unreadable or malformed input (exit 3)."""

    exit_code = ExitCode.BAD_INPUT

    @classmethod
    def at(
        cls, source: str | Path, place: str | None, problem: str, *, hint: str | None = None
    ) -> InputError:
        where = f"{source}" if not place else f"{source}: {place}"
        return cls(f"{where}: {problem}", hint=hint)


class InvoiceDataError(InputError):
    """The input parses but its invoice data is wrong: one line per problem, each with its path."""

    def __init__(self, source: str, problems: list[str], *, lines: list[int | None] | None = None) -> None:
        self.source = source
        self.problems = problems
        self.lines = lines or [None] * len(problems)
        text = "\n".join(
            f"{source}: line {n}: {p}" if n else f"{source}: {p}"
            for p, n in zip(problems, self.lines, strict=True)
        )
        super().__init__(text)


class OutputExistsError(UsageError):
    @classmethod
    def for_path(cls, path: Path) -> OutputExistsError:
        return cls(f"`{path}` already exists", hint="pass `--force` to overwrite it")


class InvalidDocumentError(FpcliError):
    """A document fails validation (exit 1)."""

    exit_code = ExitCode.INVALID


class RemoteError(FpcliError):
    exit_code = ExitCode.REMOTE


class StorageError(FpcliError):
    """The local system refused a write (read-only directory, disk full, file-size limit): exit 4 with the
    path, like other failures of the environment rather than of the input."""

    exit_code = ExitCode.REMOTE

    @classmethod
    def from_os(cls, path: str | Path, exc: OSError) -> StorageError:
        return cls(f"{path}: cannot write: {exc.strerror or exc}", hint="check free space and permissions")


class WorkerLostError(FpcliError):
    """A worker process of a batch was stopped from outside (the kernel's out-of-memory killer, a `kill`):
    exit 4, like other failures of the environment. A worker that crashes by itself stays internal."""

    exit_code = ExitCode.REMOTE


class AuthError(FpcliError):
    exit_code = ExitCode.AUTH


class SignatureError(FpcliError):
    exit_code = ExitCode.SIGNATURE
