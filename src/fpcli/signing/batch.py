"""Signing many PDFs in one process: one key load, one set of imports, a thread pool for `--jobs` (the
waiting is on the timestamp authority; pyHanko keeps no global state per signature). One bad file is that
file's finding; the others are signed."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    from fpcli.fileio import read_input, write_output
    from fpcli.signing.sign import sign_pdf

    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"`{out_dir}` is a file: several inputs need an output directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    items = plan_outputs(inputs, out_dir)

    def one(item: SignedItem) -> SignedItem:
        if item.ok:
            try:
                if Path(item.output).exists() and not force:  # before the work, not after
                    raise UsageError(f"`{item.output}` already exists", hint="pass `--force` to overwrite it")
                signed = sign_pdf(read_input(item.source), signer, request, item.source)
                write_output(item.output, signed, force=force)
            except FpcliError as exc:
                item.failure = exc
        if on_done is not None:
            on_done(item)
        return item

    if jobs <= 1:
        return BatchResult([one(i) for i in items])
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return BatchResult(list(pool.map(one, items)))
