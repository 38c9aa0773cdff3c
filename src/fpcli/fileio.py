"""Reading inputs and writing outputs: `-` is stdin/stdout, writes are atomic, nothing is overwritten
without `force`."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
from pathlib import Path

from fpcli.errors import InputError, OutputExistsError, StorageError

STDIO = "-"
# A hard ceiling on any single input read into memory (PDF or XML); invoices are far smaller.
MAX_INPUT_BYTES = 100 * 1024 * 1024


def files_in(directory: Path, suffixes: tuple[str, ...], *, recursive: bool = False) -> list[str]:
    """The files of `directory` (and below, with `recursive`) whose suffix is one of `suffixes`, sorted."""
    found = directory.rglob("*") if recursive else directory.iterdir()
    return sorted(str(f) for f in found if f.suffix.lower() in suffixes and f.is_file())


def expand_paths(inputs: list[str], suffixes: tuple[str, ...], *, recursive: bool = False) -> list[str]:
    """Files as given; directories as the files with `suffixes` they hold (below too, with `recursive`),
    sorted. The same for generate, validate, pdp submit and chorus submit (`-r/--recursive`)."""
    out: list[str] = []
    for name in inputs:
        p = Path(name)
        if name != STDIO and p.is_dir():
            found = files_in(p, suffixes, recursive=recursive)
            if not found:
                deeper = "" if recursive else " (`-r` also reads its subdirectories)"
                raise InputError.at(name, None, f"directory holds no {', '.join(suffixes)} file{deeper}")
            out.extend(found)
        else:
            out.append(name)
    return out


def read_input(path: str | Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read a whole input file (or stdin for `-`), refusing anything larger than `limit`."""
    if str(path) == STDIO:
        data = sys.stdin.buffer.read(limit + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        name = str(p)
        try:
            with p.open("rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise InputError.at(name, None, "no such file") from None
        except IsADirectoryError:
            raise InputError.at(name, None, "is a directory, not a file") from None
        except OSError as exc:
            raise InputError.at(name, None, f"cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise InputError.at(name, None, f"larger than the {limit // (1024 * 1024)} MiB limit")
    return data


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it: once per process, then restored
    os.umask(mask)
    return mask


def write_output(path: str | Path, data: bytes, *, force: bool = False, private: bool = False) -> None:
    """Write `data` atomically (temp file in the same directory, fsync, rename), or to stdout for `-`.

    The file gets the mode the user's umask gives new files, like any other tool's output; `private` (caches,
    anything naming a customer) keeps it 0600."""
    if str(path) == STDIO:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    if target.exists() and not force:
        raise OutputExistsError.for_path(target)
    directory = target.parent if str(target.parent) else Path()
    if not directory.is_dir():
        raise InputError.at(target, None, f"directory `{directory}` does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:  # read-only directory, no permission, no inode left
        raise StorageError.from_os(target, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            if not private:  # mkstemp made it 0600
                os.fchmod(fh.fileno(), 0o666 & ~_umask())
        if not force and target.exists():
            raise OutputExistsError.for_path(target)
        Path(tmp).replace(target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        if isinstance(exc, OSError):  # disk full, file-size limit (SIGXFSZ is ignored by Python): exit 4
            raise StorageError.from_os(target, exc) from None
        raise
