"""Options shared by several commands, defined once."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON report on stdout.")]
ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing output files.")]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", help="Output file, directory (several invoices), or `-` for stdout."),
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
