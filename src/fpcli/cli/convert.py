"""`fpcli convert`."""

from __future__ import annotations

from typing import Annotated

import typer

from fpcli.cli.options import ForceOpt
from fpcli.cli.runtime import terminal_of
from fpcli.errors import UsageError


def convert(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="UBL or CII invoice, a Factur-X/ZUGFeRD/XRechnung PDF, or `-`.")
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="Output file, or `-` for stdout.")],
    to: Annotated[
        str,
        typer.Option(
            "--to", metavar="cii|ubl|facturx", help="Target: cii, ubl or facturx (a Factur-X PDF/A-3)."
        ),
    ],
    profile: Annotated[
        str | None,
        typer.Option("--profile", "-p", help="CII / Factur-X profile of the output (default en16931)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check/--no-check", help="Check the output with the target's official rules.")
    ] = True,
    force: ForceOpt = False,
) -> None:
    from fpcli.cii.profile import Profile
    from fpcli.convert import ConvertRequest, Target, convert

    term = terminal_of(ctx)
    if to not in {t.value for t in Target}:
        raise UsageError(f"unknown target `{to}`", hint="use `--to cii`, `--to ubl` or `--to facturx`")
    target = Target(to)
    if profile and target is Target.UBL:
        raise UsageError("`--profile` is for CII and Factur-X output", hint="UBL output is EN 16931")
    request = ConvertRequest(
        source, output, target, Profile.parse(profile) if profile else None, check=check, force=force
    )
    result = convert(request)
    for item in result.dropped:
        term.warn(item)
    checked = "checked" if result.report else "not checked"
    if output != "-":
        term.done(
            f"wrote `{output}`: {result.source_syntax} invoice {result.invoice_number} as {to} ({checked})",
            {"command": "convert", "source": source, "output": output, "target": to,
             "invoice_number": result.invoice_number, "checked": result.report is not None,
             "dropped": list(result.dropped)},
        )  # fmt: skip
