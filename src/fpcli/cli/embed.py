"""`fpcli embed`."""

from typing import Annotated

import typer

from fpcli.cli.options import ForceOpt, JsonOpt, check_json_vs_stdout
from fpcli.cli.runtime import terminal_of
from fpcli.clock import source_date


def embed(
    ctx: typer.Context,
    xml: Annotated[
        str, typer.Argument(metavar="INVOICE.xml", help="The invoice: Factur-X CII XML file, or `-`.")
    ],
    base_pdf: Annotated[
        str, typer.Argument(metavar="BASE.pdf", help="Any PDF showing the invoice (an ERP's print), or `-`.")
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="The Factur-X PDF to write, or `-`.")],
    attach: Annotated[
        list[str] | None,
        typer.Option(
            "--attach", metavar="FILE", help="Also attach this file (AFRelationship Supplement); repeatable."
        ),
    ] = None,
    attach_source: Annotated[
        list[str] | None,
        typer.Option(
            "--attach-source",
            metavar="FILE",
            help="Also attach this file as the invoice's source (Source); repeatable.",
        ),
    ] = None,
    no_check: Annotated[
        bool, typer.Option("--no-check", help="Write the PDF even when `fpcli validate` would reject it.")
    ] = False,
    force: ForceOpt = False,
    json_out: JsonOpt = False,
) -> None:
    from fpcli.pdf.embed import EmbedRequest, embed_invoice

    term = terminal_of(ctx)
    request = EmbedRequest(
        xml=xml,
        base_pdf=base_pdf,
        output=output,
        attach=attach or [],
        attach_source=attach_source or [],
        force=force,
        check=not no_check,
        date=source_date(),
    )
    check_json_vs_stdout(json_out or term.json, output)
    result = embed_invoice(request)
    for item in result.removed:
        term.warn(f"removed from the base PDF (forbidden in PDF/A): {item}")
    if not result.checked:
        term.warn("not checked (`--no-check`): run `fpcli validate` on it")
    if json_out or term.json:
        term.data_json(result.to_dict(output))
        return
    target = "stdout" if output == "-" else f"`{output}`"
    extra = f", {len(result.attachments)} extra attachment(s)" if result.attachments else ""
    term.info(f"wrote {target}: Factur-X PDF/A-3 ({result.profile.value}{extra})")
