"""Options shared by several commands, defined once."""

from __future__ import annotations

from typing import Annotated

import typer

from fpcli.cli.teach import complete_pas

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON report on stdout.")]
ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing output files.")]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE|DIR|-",
        help="Output file, directory (several invoices), or `-` for stdout.",
    ),
]


def check_json_vs_stdout(as_json: bool, output: str | None) -> None:
    """`--json` and a document written to stdout cannot share it: refuse before any work."""
    from fpcli.errors import UsageError

    if as_json and output == "-":
        raise UsageError(
            "`--json` and `-o -` both want stdout", hint="write the document to a file with `-o`"
        )


PaOpt = Annotated[
    str | None,
    typer.Option(
        "--pa",
        envvar="FPCLI_PA",
        metavar="NAME",
        autocompletion=complete_pas,
        help="PA configuration of the profile.",
    ),
]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, help="Worker processes for batches.")]
NoCheckOpt = Annotated[
    bool,
    typer.Option(
        "--no-check",
        help="Skip the check with `fpcli validate`'s rules (only for trusted input already checked).",
    ),
]
RecursiveOpt = Annotated[
    bool, typer.Option("--recursive", "-r", help="Read directories' subdirectories too.")
]
