"""Directory Service answers as a table on stdout (plain text when not a terminal)."""

from __future__ import annotations

from typing import Any

from fpcli.cli.terminal import Terminal
from fpcli.remote.directory import DirectoryAnswer

COLUMNS = {
    "siren": ("siren", "businessName", "entityType", "administrativeStatus"),
    "siret": ("siret", "name", "facilityType", "administrativeStatus", "address"),
    "routing-code": (
        "siret",
        "routingIdentifier",
        "routingCodeName",
        "managesLegalCommitmentCode",
        "administrativeStatus",
    ),
    "directory-line": (
        "addressingIdentifier",
        "siren",
        "siret",
        "routingIdentifier",
        "platformType",
        "directoryLineStatus",
    ),
}


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        parts = [
            str(value[k]) for k in ("addressLine1", "postalCode", "locality", "countryCode") if value.get(k)
        ]
        return ", ".join(parts) if parts else ", ".join(f"{k}={v}" for k, v in value.items())
    return "-" if value is None else str(value)


def render_directory(term: Terminal, answer: DirectoryAnswer) -> None:
    import sys

    from rich.console import Console
    from rich.table import Table

    columns = COLUMNS[answer.kind]
    table = Table(show_edge=False, box=None, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in answer.results:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    out = Console(file=sys.stdout, markup=False, highlight=False, no_color=term.no_color, soft_wrap=False)
    out.print(table)
    total = answer.total if answer.total is not None else len(answer.results)
    term.info(f"{len(answer.results)} of {total} {answer.kind} results")
