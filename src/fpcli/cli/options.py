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
MAX_JOBS = 64


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's limit), not the machine's."""
    import os

    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def parse_jobs(value: str | int) -> int:
    """`--jobs N` (1-64) or `--jobs auto`: one process per available core."""
    if isinstance(value, int):
        return value
    if value.strip().lower() == "auto":
        return min(available_cores(), MAX_JOBS)
    try:
        jobs = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a number of workers or `auto`") from None
    if not 1 <= jobs <= MAX_JOBS:
        raise typer.BadParameter(f"{jobs} is not in the range 1-{MAX_JOBS}")
    return jobs


JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs",
        "-j",
        parser=parse_jobs,
        metavar="N|auto",
        help="Processes working on a batch: this one and N-1 workers; `auto`: one per available core.",
    ),
]
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
