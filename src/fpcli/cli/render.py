"""Renderers: the same result objects become human text (stderr) or JSON (stdout)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from fpcli.cli.terminal import Terminal
from fpcli.generate import GeneratedItem, GenerateResult


@contextlib.contextmanager
def generate_progress(term: Terminal, total: int) -> Iterator[Callable[[GeneratedItem], None] | None]:
    """A progress bar on an interactive terminal for batches; nothing otherwise."""
    if total < 2 or not term.interactive:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=term.err,
        transient=True,
    ) as progress:
        task = progress.add_task("generate", total=None)

        def advance(_item: GeneratedItem) -> None:
            progress.advance(task)

        yield advance


def render_generate(term: Terminal, result: GenerateResult, *, as_json: bool) -> None:
    if as_json:
        term.data_json(result.to_dict())
        # Errors still reach stderr so that a CI log shows them next to the JSON artefact.
        for item in result.failed:
            term.error(f"{item.error}", item.hint)
        return
    for item in result.items:
        if item.ok:
            target = "stdout" if item.output == "-" else f"`{item.output}`"
            term.info(
                f"wrote {target}: invoice {item.invoice_number} "
                f"({result.profile.value}, {result.format.value})"
            )
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
