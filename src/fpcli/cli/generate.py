"""`fpcli generate`."""

from typing import Annotated

import typer

from fpcli.cli.options import (
    ForceOpt,
    JobsOpt,
    JsonOpt,
    NoCheckOpt,
    OutputOpt,
    RecursiveOpt,
    check_json_vs_stdout,
)
from fpcli.cli.render import progress, render_generate
from fpcli.cli.runtime import terminal_of
from fpcli.cli.teach import complete_facturx_profiles, complete_generate_formats
from fpcli.errors import UsageError


def generate(
    ctx: typer.Context,
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Invoice files (JSON or YAML, one invoice or a list), directories, or `-`."),
    ] = None,
    output: OutputOpt = None,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            "-p",
            metavar="PROFILE",
            autocompletion=complete_facturx_profiles,
            help="Factur-X profile: minimum, basicwl, basic, en16931, extended, extended-ctc-fr.",
        ),
    ] = "en16931",
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-t",
            autocompletion=complete_generate_formats,
            help="Output format: `pdf` (Factur-X) or `xml` (CII); default: `-o`'s extension, else pdf.",
        ),
    ] = None,
    base_pdf: Annotated[
        str | None, typer.Option("--pdf", help="Embed into this PDF instead of rendering one.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail when the profile cannot carry some input data.")
    ] = False,
    force: ForceOpt = False,
    jobs: JobsOpt = 1,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of the input and exit.")
    ] = False,
    simplified: Annotated[
        bool,
        typer.Option(
            "--simplified",
            help="Input holds only number, date, seller/buyer SIRET, IBAN and lines; the rest is looked up "
            "(Recherche d'entreprises, Chorus Pro for public buyers).",
        ),
    ] = False,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="With --simplified: use cached look-ups only, never the network."),
    ] = False,
    no_check: NoCheckOpt = False,
    recursive: RecursiveOpt = False,
    lenient: Annotated[
        bool,
        typer.Option(
            "--lenient",
            help="For invoices someone else issued (`extract --json`): bad identifier check digits, negative "
            "quantities and stated amounts that differ from fpcli's arithmetic are warnings, kept as stated.",
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    from fpcli.model.invoice import schema as input_schema

    term = terminal_of(ctx)
    if schema:
        if simplified:
            from fpcli.model.simplified import SimplifiedInvoice

            doc = SimplifiedInvoice.model_json_schema()
        else:
            doc = input_schema()
        import json

        term.data_bytes(json.dumps(doc, indent=2, ensure_ascii=False).encode() + b"\n")
        return
    if offline and not simplified:
        raise UsageError("`--offline` only applies to `--simplified` input")
    # imported here: `generate --help` and the other commands need none of it (start-up)
    from fpcli.cii.profile import Profile
    from fpcli.clock import source_date
    from fpcli.generate import GenerateRequest, generate_invoices, resolve_format

    chosen = Profile.parse(profile)
    out_format, note = resolve_format(fmt, output, chosen)
    if note:
        term.info(note)
    request = GenerateRequest(
        inputs=inputs or [],
        output=output,
        profile=chosen,
        format=out_format,
        base_pdf=base_pdf,
        strict=strict,
        force=force,
        jobs=jobs,
        simplified=simplified,
        offline=offline,
        user_profile=term.user_profile,
        date=source_date(),
        check=not no_check,
        recursive=recursive,
        lenient=lenient,
    )
    check_json_vs_stdout(json_out or term.json, output)
    with progress(term, len(request.inputs), "generating") as on_done:
        result = generate_invoices(request, on_done)
    render_generate(term, result, as_json=json_out or term.json)
    raise typer.Exit(result.exit_code)
