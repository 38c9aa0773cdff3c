"""Signing many PDFs: one key load, one set of imports; with `--jobs N`, N spawned worker processes, each
handed the loaded signer once (a signature is CPU work in Python: threads shared one core behind the GIL,
and a B-B batch gained nothing from `-j 2`). One bad file is that file's finding; the others are signed.
Key material on a PKCS#11 token cannot be handed over: the CLI signs those batches in one process."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fpcli.errors import ExitCode, FpcliError, UsageError
from fpcli.signing.sign import SignRequest


@dataclass
class SignedItem:
    source: str
    output: str
    failure: FpcliError | None = None  # why this file was not signed

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_dict(self) -> dict[str, object]:
        f = self.failure
        return {
            "source": self.source,
            "output": self.output if f is None else None,
            "error": None if f is None else f.message,
            "exit_code": int(ExitCode.OK if f is None else f.exit_code),
        }


@dataclass
class BatchResult:
    items: list[SignedItem]

    @property
    def failed(self) -> list[SignedItem]:
        return [i for i in self.items if i.failure is not None]

    @property
    def exit_code(self) -> int:
        """The failures' exit code when they agree, 3 (bad input) when they differ, 0 without failures."""
        codes = {int(i.failure.exit_code) for i in self.items if i.failure is not None}
        return codes.pop() if len(codes) == 1 else (ExitCode.BAD_INPUT if codes else ExitCode.OK)

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": 1,
            "command": "sign",
            "signed": len(self.items) - len(self.failed),
            "failed": len(self.failed),
            "items": [i.to_dict() for i in self.items],
        }


def expand_inputs(sources: list[str]) -> list[str]:
    """Files as given; directories give their `.pdf` files (not recursively), sorted."""
    from fpcli.fileio import files_in

    out: list[str] = []
    for source in sources:
        path = Path(source)
        out += files_in(path, (".pdf",)) if source != "-" and path.is_dir() else [source]
    if "-" in out:
        raise UsageError("stdin (`-`) cannot be part of a batch", hint="sign one file with `-o OUT.pdf`")
    return out


def plan_outputs(inputs: list[str], out_dir: Path) -> list[SignedItem]:
    """OUTDIR/<input name> per input; two inputs with the same name would write the same file: refused."""
    items: list[SignedItem] = []
    seen: dict[Path, str] = {}
    for source in inputs:
        target = out_dir / Path(source).name
        item = SignedItem(source=source, output=str(target))
        if target in seen:
            item.failure = UsageError(
                f"{source}: same file name as `{seen[target]}`, both would be written to `{target}`"
            )
        seen.setdefault(target, source)
        items.append(item)
    return items


def sign_batch(
    inputs: list[str],
    out_dir: Path,
    signer: Any,
    request: SignRequest,
    *,
    jobs: int = 1,
    force: bool = False,
    on_done: Callable[[SignedItem], None] | None = None,
) -> BatchResult:
    from fpcli.signing.keys import signer_parts

    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"`{out_dir}` is a file: several inputs need an output directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    items = plan_outputs(inputs, out_dir)
    done: list[SignedItem] = []
    with ExitStack() as stack:
        parts = signer_parts(signer) if jobs > 1 and len(items) > 1 else None
        if parts is not None:
            from fpcli.workers import routed_pool

            workers = min(jobs, len(items))
            pool_map = stack.enter_context(
                routed_pool(workers, initializer=_start_worker, initargs=(parts, request, force))
            )
            results = pool_map(_worker, items, local=lambda i: sign_item(i, signer, request, force))
        else:
            results = (sign_item(i, signer, request, force) for i in items)
        for item in results:
            done.append(item)
            if on_done is not None:
                on_done(item)
    return BatchResult(done)


def sign_item(item: SignedItem, signer: Any, request: SignRequest, force: bool) -> SignedItem:
    """Sign one planned item, recording why it failed if it did."""
    from fpcli.fileio import read_input, write_output
    from fpcli.signing.sign import sign_pdf

    if item.ok:
        try:
            if Path(item.output).exists() and not force:  # before the work, not after
                raise UsageError(f"`{item.output}` already exists", hint="pass `--force` to overwrite it")
            signed = sign_pdf(read_input(item.source), signer, request, item.source)
            write_output(item.output, signed, force=force)
        except FpcliError as exc:
            item.failure = exc
    return item


_STATE: dict[str, Any] = {}  # in a worker process: what every file of the batch is signed with


def _start_worker(parts: tuple[bytes, bytes, tuple[bytes, ...]], request: SignRequest, force: bool) -> None:
    from fpcli.signing.keys import signer_from_parts

    _STATE.update(signer=signer_from_parts(*parts), request=request, force=force)


def _worker(item: SignedItem) -> SignedItem:
    return sign_item(item, _STATE["signer"], _STATE["request"], _STATE["force"])
