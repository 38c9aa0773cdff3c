"""Renderers: the same result objects become human text (stderr) or JSON (stdout)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from fpcli.cli.terminal import Terminal

if TYPE_CHECKING:
    from fpcli.generate import GenerateResult


@contextlib.contextmanager
def progress(term: Terminal, total: int, label: str) -> Iterator[Callable[[object], None] | None]:
    """A progress bar on an interactive terminal for batches (never in CI, with -q, or for one file)."""
    if total < 2 or not term.interactive:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=term.err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda _item: bar.advance(task)


def render_generate(term: Terminal, result: GenerateResult, *, as_json: bool) -> None:
    if as_json:
        term.data_json(result.to_dict())
        # Errors still reach stderr so that a CI log shows them next to the JSON artefact.
        for item in result.failed:
            term.error(f"{item.error}", item.hint)
        return
    for item in result.items:
        for lookup in item.lookups:
            term.info(f"looked up: {lookup}")
        if item.ok:
            target = "stdout" if item.output == "-" else f"`{item.output}`"
            term.info(
                f"wrote {target}: invoice {item.invoice_number} "
                f"({result.profile.value}, {result.format.value})"
            )
            for warning in item.warnings:
                term.warn(warning)
            if item.dropped:
                term.warn(
                    f"invoice {item.invoice_number}: profile {result.profile.value} cannot carry "
                    + ", ".join(item.dropped)
                    + "; left out"
                )
        else:
            term.error(item.error or "failed", item.hint)
    if len(result.items) > 1:
        failed = len(result.failed)
        term.info(f"{len(result.items) - failed} generated, {failed} failed")
