"""`fpcli view`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fpcli.cli.options import ForceOpt
from fpcli.cli.runtime import terminal_of
from fpcli.cli.terminal import Terminal
from fpcli.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from fpcli.view.run import ViewResult


def view(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            help="CII/UBL invoices, Factur-X/ZUGFeRD/XRechnung PDFs, CDAR messages, flux 10 reports."
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write the page here: `.html`, `.pdf` (needs Chromium), or `-`."),
    ] = None,
    open_page: Annotated[bool, typer.Option("--open", help="Open the page in the web browser.")] = False,
    lang: Annotated[
        str, typer.Option("--lang", metavar="fr|en", help="Language of the page: fr or en.")
    ] = "fr",
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Validate and show findings next to the fields.")
    ] = True,
    attachments: Annotated[
        Path | None,
        typer.Option(
            "--attachments",
            metavar="DIR",
            help="Also write every attachment (PDF files, BG-24) into this directory.",
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    from fpcli.fileio import write_output
    from fpcli.view.export import plan_exports, write_exports
    from fpcli.view.run import ViewRequest, make_view, output_format

    term = terminal_of(ctx)
    if lang not in ("fr", "en"):
        raise UsageError(f"unknown language `{lang}`", hint="use `--lang fr` or `--lang en`")
    request = ViewRequest(files, lang=lang, check=check, format=output_format(output))
    result = make_view(request)
    # Every check first (attachment directory, existing files), then the page, then the attachments.
    exports = plan_exports(result.docs, attachments, force=force) if attachments else []
    target = output or (_temp_page(result.format) if open_page else "-")
    write_output(target, result.payload, force=force or not output)
    _report(term, result, target, write_exports(exports, force=force))
    if open_page and target != "-":
        import webbrowser

        webbrowser.open(Path(target).resolve().as_uri())
    if result.problems:
        raise typer.Exit(int(ExitCode.BAD_INPUT))


def _temp_page(fmt: str) -> str:
    """A page to open when no `-o` is given: kept after the run, since the browser reads it later."""
    import os
    import tempfile

    fd, name = tempfile.mkstemp(prefix="fpcli-view-", suffix=f".{fmt}")
    os.close(fd)
    return name


def _report(term: Terminal, result: ViewResult, target: str, written: list[Path]) -> None:
    for path in written:
        term.info(f"wrote `{path}`")
    if target != "-":
        term.done(
            f"wrote `{target}` ({len(result.docs)} document(s), {len(result.payload)} bytes)",
            {"command": "view", "output": target, "documents": len(result.docs),
             "attachments": [str(p) for p in written], "problems": len(result.problems)},
        )  # fmt: skip
    for problem in result.problems:
        term.error(problem)
