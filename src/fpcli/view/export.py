"""`fpcli view --attachments DIR`: every attachment listed on the page, written as a file."""

from __future__ import annotations

from pathlib import Path

from fpcli.errors import InputError, OutputExistsError
from fpcli.fileio import write_output
from fpcli.view.load import Viewed, safe_name

Plan = list[tuple[Path, bytes]]


def plan_exports(docs: list[Viewed], directory: Path, *, force: bool = False) -> Plan:
    """Where each attachment goes (names made safe and unique, see `safe_name`). Raises before anything is
    written when the directory is missing or a file would be overwritten without `force`."""
    if not directory.is_dir():
        raise InputError.at(directory, None, "is not a directory", hint="create it first")
    taken: set[str] = set()
    targets = [(directory / safe_name(a.name, taken), a.data) for doc in docs for a in doc.attachments]
    if not force:
        for path, _ in targets:
            if path.exists():
                raise OutputExistsError.for_path(path)
    return targets


def write_exports(plan: Plan, *, force: bool = False) -> list[Path]:
    for path, data in plan:
        write_output(path, data, force=force)
    return [path for path, _ in plan]


def export_attachments(docs: list[Viewed], directory: Path, *, force: bool = False) -> list[Path]:
    return write_exports(plan_exports(docs, directory, force=force), force=force)
