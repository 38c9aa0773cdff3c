"""`fpcli validate`."""

from typing import Annotated

import typer

from fpcli.cli.options import JobsOpt, JsonOpt, RecursiveOpt
from fpcli.cli.runtime import terminal_of
from fpcli.cli.teach import complete_facturx_profiles, complete_validate_formats
from fpcli.errors import UsageError

FORMATS = ("text", "json", "junit", "svrl")


def validate(
    ctx: typer.Context,
    files: Annotated[
        list[str] | None,
        typer.Argument(help="CII/UBL XML or Factur-X PDF files, directories, or `-` for stdin."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            metavar="PROFILE",
            autocompletion=complete_facturx_profiles,
            help="Validate as this Factur-X profile instead of BT-24's.",
        ),
    ] = None,
    fr: Annotated[
        bool | None,
        typer.Option("--fr/--no-fr", help="Apply the French BR-FR rules (default: for French sellers)."),
    ] = None,
    pdfa_only: Annotated[
        bool,
        typer.Option(
            "--pdfa-only",
            help="Check PDFs as the PDF/A part they declare (2 or 3), without requiring an invoice.",
        ),
    ] = False,
    visible: Annotated[
        bool,
        typer.Option(
            "--visible",
            help="Also check that a PDF's pages show the XML's number, dates, identifiers and totals.",
        ),
    ] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-F",
            autocompletion=complete_validate_formats,
            help="Report format: text, json, junit or svrl.",
        ),
    ] = "text",
    rules: Annotated[
        bool, typer.Option("--rules", help="List the rule sets, their versions and rule counts.")
    ] = False,
    jobs: JobsOpt = 1,
    recursive: RecursiveOpt = False,
    json_out: JsonOpt = False,
) -> None:
    from fpcli.cii.profile import Profile
    from fpcli.cli.render import progress
    from fpcli.cli.render_validate import StreamedBatch, render_batch, render_rules
    from fpcli.validation.batch import validate_many
    from fpcli.validation.checks import ValidateOptions

    term = terminal_of(ctx)
    fmt = "json" if (json_out or term.json) and fmt == "text" else fmt
    if fmt not in FORMATS:
        raise UsageError(f"unknown format `{fmt}`", hint="use one of: " + ", ".join(FORMATS))
    if rules:
        render_rules(term, as_json=fmt == "json")
        return
    options = ValidateOptions(
        profile=Profile.parse(profile) if profile else None,
        fr=fr,
        pdfa_only=pdfa_only,
        visible=visible,
        keep_svrl=fmt == "svrl",
    )
    with progress(term, len(files or []), "validating") as on_done:
        # without a progress bar, text and JSON reports are written as they come: memory flat in batch size
        stream = StreamedBatch(term, fmt) if on_done is None and fmt in ("text", "json") else None
        each = stream.add if stream else on_done
        result = validate_many(
            files or [], options, jobs=jobs, on_done=each, recursive=recursive, keep=stream is None
        )
    if stream:
        stream.finish(result)
    else:
        render_batch(term, result, fmt)
    raise typer.Exit(result.exit_code)
