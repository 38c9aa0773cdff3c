"""`fpcli extract`."""

from typing import Annotated

import typer

from fpcli.cli.options import ForceOpt, JsonOpt, OutputOpt
from fpcli.cli.runtime import terminal_of


def extract(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Factur-X / ZUGFeRD PDF, or a CII XML file, or `-`.")],
    output: OutputOpt = None,
    force: ForceOpt = False,
    json_out: JsonOpt = False,
) -> None:
    from fpcli.extract import extract_invoice
    from fpcli.fileio import write_output

    term = terminal_of(ctx)
    result = extract_invoice(source, want_model=json_out or term.json)
    if json_out or term.json:
        payload = result.to_json_bytes()
        for warning in result.warnings:
            term.warn(warning)
    else:
        payload = result.xml
    write_output(output or "-", payload, force=force)
    if output and output != "-":
        term.info(f"wrote `{output}` ({result.attachment or 'XML'}, {len(payload)} bytes)")
