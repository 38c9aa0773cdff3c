"""Submission batches (`pdp submit`, `chorus submit`): one line per file on stdout, problems on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fpcli.cli.terminal import echo_text

if TYPE_CHECKING:  # importing the remote stack (httpx) would slow down every `fpcli` start
    from fpcli.cli.terminal import Terminal
    from fpcli.remote.submit import SubmitBatch


def ack_detail(d: dict[str, Any]) -> str:
    return f"{d.get('level')} {d.get('reasonCode')}: {d.get('reasonMessage')} ({d.get('item')})"


def render_batch(term: Terminal, batch: SubmitBatch, *, as_json: bool, noun: str, verb: str) -> None:
    if as_json:
        term.data_json(batch.to_dict())
    else:
        for r in batch.results:
            ack = f", acknowledgement {r.ack_status}" if r.ack_status else ""
            state = f" ({r.detail})" if r.detail else ""
            how = " (found on the platform after an uncertain upload)" if r.status == "recovered" else ""
            echo_text(f"{r.file}\t{noun} {r.flow_id}{ack}{state}{how}")
            for d in r.ack_details:
                term.warn(f"{r.file}: {ack_detail(d)}")
    for path, exc in batch.errors:
        term.error(exc.message if exc.message.startswith(path) else f"{path}: {exc.message}", exc.hint)
    if batch.notify_error:
        term.warn(f"notification not delivered: {batch.notify_error}")
    term.info(f"{len(batch.results)} {verb}, {len(batch.errors)} failed ({batch.pa})")
