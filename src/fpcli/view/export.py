"""`fpcli view --attachments DIR`: every attachment listed on the page, written as a file."""

from __future__ import annotations

from pathlib import Path

from fpcli.errors import InputError
from fpcli.fileio import write_output
from fpcli.view.load import Viewed, safe_name


def plan(docs: list[Viewed], directory: Path) -> list[tuple[Path, bytes]]:
    """Where each attachment goes: names from the files, made safe and unique (see `safe_name`)."""
    taken: set[str] = set()
    return [(directory / safe_name(a.name, taken), a.data) for doc in docs for a in doc.attachments]


def export_attachments(docs: list[Viewed], directory: Path, *, force: bool = False) -> list[Path]:
    """Write the attachments; nothing is written when one would overwrite a file without `force`."""
    if not directory.is_dir():
        raise InputError.at(directory, None, "is not a directory", hint="create it first")
    targets = plan(docs, directory)
    if not force:
        from fpcli.errors import OutputExistsError

        for path, _ in targets:
            if path.exists():
                raise OutputExistsError.for_path(path)
    for path, data in targets:
        write_output(path, data, force=force)
    return [path for path, _ in targets]
